"""Quadrants of the priority matrices: frequency against impact (or severity).

Both priority matrices split the jobs at the medians (or given cut-offs) of how often they
are disrupted and of how much a disruption costs (rating points, or the disrupted share of a
job's mentions without ratings) into four quadrants with one label each, so the table, the
chart's colours and the report's words agree.

References
----------
.. [1] Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. *Journal of
   Marketing*, 41(1), 77-79 (the four-quadrant reading of two medians).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = ["QUADRANTS", "TEXT_QUADRANTS"]

logger = logging.getLogger(__name__)


#: Quadrant labels of :func:`priority_matrix`, (frequency, impact) -> label.
QUADRANTS: dict[tuple[str, str], str] = {
    ("high", "high"): "fix first: frequent and damaging",
    ("low", "high"): "prevent: rare but damaging",
    ("high", "low"): "streamline: frequent, smaller impact",
    ("low", "low"): "monitor",
}

#: Quadrant labels of :func:`text_priorities`, (frequency, severity) -> label.
TEXT_QUADRANTS: dict[tuple[str, str], str] = {
    ("high", "high"): "fix first: frequent and mostly disrupted",
    ("low", "high"): "prevent: rare but mostly disrupted",
    ("high", "low"): "streamline: frequent, often fulfilled",
    ("low", "low"): "monitor",
}


def _cutoff(values: pd.Series, cut: float | None) -> float:
    return float(values.median()) if cut is None else float(cut)


def _assign_quadrants(
    out: pd.DataFrame,
    rows: pd.Series,
    second: str,
    level: str,
    share_cutoff: float | None,
    second_cutoff: float | None,
    quadrants: dict[tuple[str, str], str],
) -> tuple[float, float]:
    """Split ``rows`` of ``out`` at the cut-offs (default: medians) of ``disruption_share``
    and ``second`` into ``frequency``, ``level`` and ``quadrant`` columns, in place; other
    rows get missing values. Returns the two cut-offs used."""
    s_cut = _cutoff(out.loc[rows, "disruption_share"], share_cutoff)
    v_cut = _cutoff(out.loc[rows, second], second_cutoff)
    out["frequency"] = np.where(out["disruption_share"] >= s_cut, "high", "low")
    out[level] = np.where(out[second] >= v_cut, "high", "low")
    out["quadrant"] = [
        quadrants[(f, v)] if ok else pd.NA
        for f, v, ok in zip(out["frequency"], out[level], rows, strict=True)
    ]
    out.loc[~rows, ["frequency", level]] = pd.NA
    return s_cut, v_cut
