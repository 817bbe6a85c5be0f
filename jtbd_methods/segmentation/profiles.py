"""Segment profiles: each segment's mean answer to every item, beside the overall mean.

The profile table feeds the heatmap of
:func:`~jtbd_methods.plots.plot_segment_profiles`, which can keep only the items that
separate the segments most. Means of segments smaller than ``min_cell_size`` are
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

__all__: list[str] = []


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
