"""Segment profiles: each segment's mean answer to every item, beside the overall mean.

The profile table feeds the heatmap of
:func:`~jtbd_methods.plots.plot_segment_profiles`, which keeps only the items that separate
the segments most (:func:`separating_items`): a 32-row heatmap becomes one a clinic reads. Means of segments smaller than ``min_cell_size`` are
suppressed (NaN), as their sizes are in every report.

References
----------
.. [1] Wedel, M., & Kamakura, W. A. (2000). *Market Segmentation: Conceptual and
   Methodological Foundations* (2nd ed.). Kluwer, ch. 5 (profiling segments).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jtbd_methods._validation import require_columns

__all__ = ["separating_items"]


def _profiles(
    raw: np.ndarray,
    items: Sequence[str],
    labels: np.ndarray,
    k: int,
    counts: np.ndarray,
    min_cell_size: int,
) -> pd.DataFrame:
    """One row per segment x item: ``segment``, ``item``, ``n``, ``mean``, ``overall_mean``,
    ``difference`` (see :class:`~jtbd_methods.segmentation.Segmentation`)."""
    overall = np.nanmean(raw, axis=0) if raw.size else np.full(len(items), np.nan)
    frames = []
    for seg in range(1, k + 1):
        block = raw[labels == seg]
        answered = (~np.isnan(block)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            means = np.where(
                answered > 0, np.nansum(block, axis=0) / np.maximum(answered, 1), np.nan
            )
        if counts[seg - 1] < min_cell_size:
            means = np.full(len(items), np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "segment": np.full(len(items), seg, dtype="int64"),
                    "item": pd.array(list(items), dtype="string"),
                    "n": answered.astype("int64"),
                    "mean": means,
                    "overall_mean": overall,
                    "difference": means - overall,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def separating_items(
    profiles: pd.DataFrame, *, top: int | None = 12, caller: str = "separating_items()"
) -> list[str]:
    """The items that separate the segments most, in the survey's order.

    Parameters
    ----------
    profiles : pandas.DataFrame
        :attr:`Segmentation.profiles <jtbd_methods.segmentation.Segmentation.profiles>`
        (``segment``, ``item``, ``difference``).
    top : int or None, default 12
        Number of items kept; ``None`` keeps every item.
    caller : str, default "separating_items()"
        Named in error messages (the plot that trims its heatmap passes its own name).

    Returns
    -------
    list of str
        The ``top`` items with the largest spread (highest minus lowest segment mean,
        as a difference from the overall mean), ties in the survey's order, listed in the
        survey's order. Suppressed segments (NaN) do not count towards the spread.

    Raises
    ------
    ValueError
        If ``top`` is not a positive integer or None, or ``profiles`` lacks a column.

    Examples
    --------
    >>> profiles = pd.DataFrame({"segment": [1, 1, 1, 2, 2, 2],
    ...     "item": ["imp_a", "imp_b", "sat_a"] * 2,
    ...     "difference": [0.1, 1.0, -0.4, -0.1, -1.0, 0.5]})
    >>> separating_items(profiles, top=2)
    ['imp_b', 'sat_a']
    """
    require_columns(profiles, ["segment", "item", "difference"], name="profiles", caller=caller)
    order = list(pd.unique(profiles["item"]))
    if top is None:
        return [str(i) for i in order]
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(
            f"The 'top' parameter of {caller} must be a positive integer or None; got {top!r}."
        )
    wide = profiles.pivot(index="item", columns="segment", values="difference").reindex(order)
    spread = wide.max(axis=1) - wide.min(axis=1)
    keep = set(spread.sort_values(ascending=False, kind="stable").index[:top])
    return [str(i) for i in order if i in keep]
