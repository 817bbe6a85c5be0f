"""The house theme of every figure: Okabe-Ito palette, signal colours, axes helper.

Kept apart from :mod:`jtbd_methods.plots` so that the plot modules of each area
(``jtbd_methods/_plotting/<area>.py``) import the theme without importing ``plots``, which
re-exports them (no import cycle).

The palette is Okabe & Ito's colour-blind-safe set (Okabe, M. & Ito, K. (2008), *Color
Universal Design*, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

from jtbd_methods._plotting.alt_text import enable_figure_alt_text

__all__ = ["CONCERN", "IMPROVEMENT", "NEUTRAL", "PALETTE", "new_axes", "set_theme"]

#: Okabe-Ito colours, in the order seaborn cycles them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Colour of a signal of improvement (blue, as in NHS "Making Data Count").
IMPROVEMENT = "#0072B2"
#: Colour of a signal of concern (orange).
CONCERN = "#E69F00"
#: Colour of common-cause variation.
NEUTRAL = "#7F7F7F"


def set_theme(*, context: str = "notebook", font_scale: float = 1.0) -> None:
    """Apply the house theme: white grid, Okabe-Ito palette, readable sizes.

    Call once per notebook, before the first figure.

    Examples
    --------
    >>> set_theme()
    """
    sns.set_theme(context=context, style="whitegrid", palette=list(PALETTE), font_scale=font_scale)
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "axes.titlesize": "large",
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "figure.constrained_layout.use": True,
            # data labels may hold "$" (site names, codebook labels): never read as formulas
            "text.parse_math": False,
        }
    )
    enable_figure_alt_text()  # each figure's PNG carries alt text for the report


def new_axes(ax: plt.Axes | None = None, *, figsize: tuple[float, float] | None = None) -> plt.Axes:
    """Return ``ax`` or, when it is ``None``, the Axes of a new figure.

    Examples
    --------
    >>> ax = new_axes(figsize=(4, 3))
    >>> ax.figure.get_size_inches().tolist()
    [4.0, 3.0]
    >>> plt.close(ax.figure)
    """
    if ax is not None:
        return ax
    fig, new = plt.subplots(figsize=figsize)
    return new
