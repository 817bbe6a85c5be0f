"""Every figure of jtbd_methods.

Axes-level functions take ``ax=`` and return the Axes; without ``ax`` they create a new
figure (never ``plt.gca()``), so batch reports never draw into a stale figure. The functions
of each method live in ``jtbd_methods/_plotting/<area>.py`` and are re-exported here, so a
notebook needs only ``from jtbd_methods import plots``.

The palette is Okabe & Ito's colour-blind-safe set (Okabe, M. & Ito, K. (2008), *Color
Universal Design*, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

from jtbd_methods._plotting.theme import (
    CONCERN,
    IMPROVEMENT,
    NEUTRAL,
    PALETTE,
    new_axes,
    set_theme,
)

__all__ = ["CONCERN", "IMPROVEMENT", "NEUTRAL", "PALETTE", "new_axes", "set_theme"]

# Re-exports of the plot functions of each method (one line per area).
from jtbd_methods._plotting.coding import (  # noqa: F401
    plot_coder_quality,
    plot_disrupted_pareto,
    plot_job_shares,
    plot_jobs_by_group,
)
from jtbd_methods._plotting.overview import plot_rating_distribution, plot_responses_over_time  # noqa: F401
from jtbd_methods._plotting.recovery import (  # noqa: F401
    plot_engagement_px,
    plot_key_drivers,
    plot_priority_matrix,
)
from jtbd_methods._plotting.reliability import plot_agreement, plot_theme_stability  # noqa: F401
from jtbd_methods._plotting.segments import (  # noqa: F401
    plot_k_selection,
    plot_opportunity_landscape,
    plot_segment_landscapes,
    plot_segment_profiles,
    plot_segments_vs,
)
from jtbd_methods._plotting.tracking_effects import plot_did, plot_its, plot_trajectories  # noqa: F401
from jtbd_methods._plotting.tracking_icons import draw_icons  # noqa: F401
from jtbd_methods._plotting.tracking_rates import plot_rates, plot_rates_grid  # noqa: F401
from jtbd_methods._plotting.tracking_spc import plot_spc  # noqa: F401
