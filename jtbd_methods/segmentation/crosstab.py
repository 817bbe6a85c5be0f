"""Segments against another grouping of the same respondents (e.g. diagnosis).

:func:`segments_vs` cross-tabulates the two groupings and reads the table in plain
language: Pearson's chi-square test, Cramér's V [1]_ (plain and bias-corrected [2]_), its
strength by Cohen's conventions [3]_, and the agreement of the two partitions by the
adjusted Rand index [4]_ in Steinley's bands [5]_.

References
----------
.. [1] Cramér, H. (1946). *Mathematical Methods of Statistics*. Princeton University
   Press, p. 282.
.. [2] Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T. *Journal
   of the Korean Statistical Society*, 42(3), 323-328.
.. [3] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd
   ed.). Erlbaum, ch. 7.
.. [4] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of
   Classification*, 2(1), 193-218.
.. [5] Steinley, D. (2004). Properties of the Hubert-Arabie adjusted Rand index.
   *Psychological Methods*, 9(3), 386-396.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from jtbd_methods._validation import check_int, one_of
from jtbd_methods.privacy import suppress_crosstab

__all__ = ["CrossTabResult", "segments_vs"]


@dataclass(frozen=True, eq=False)
class CrossTabResult:
    """Association of segments with another grouping (returned by :func:`segments_vs`).

    Attributes
    ----------
    table : pandas.DataFrame
        Counts, rows = segments, columns = categories of the other grouping (all cells, for
        computation; use :meth:`display_table` for a report).
    n : int
        Respondents with both labels.
    chi2, dof, p_value : float, int, float
        Pearson chi-square test of independence (no continuity correction).
    min_expected : float
        Smallest expected count; the chi-square approximation is doubtful below 5.
    cramers_v : float
        Cramér's V, ``sqrt(chi2 / (n * (min(r, c) - 1)))``.
    cramers_v_corrected : float
        Bergsma's (2013) bias-corrected Cramér's V.
    ari : float
        Adjusted Rand index between the two groupings.
    reading : str
        Plain-language reading generated from the numbers.
    bias_correction : bool
        Whether :attr:`reading` quotes the bias-corrected V.
    min_cell_size : int
        Cells below this count are suppressed by :meth:`display_table`.
    row_name, column_name : str
        Names of the two groupings.
    """

    table: pd.DataFrame
    n: int
    chi2: float
    dof: int
    p_value: float
    min_expected: float
    cramers_v: float
    cramers_v_corrected: float
    ari: float
    reading: str
    bias_correction: bool
    min_cell_size: int
    row_name: str
    column_name: str

    def display_table(self, *, normalize: str | None = None, margins: bool = True) -> pd.DataFrame:
        """Cross-table for a report, with small cells suppressed.

        Parameters
        ----------
        normalize : {None, "row", "column"}, default None
            ``None`` shows counts; ``"row"`` each segment's percentage in each category
            (0-100); ``"column"`` each category's percentage in each segment.
        margins : bool, default True
            Add the ``All`` row and column (totals, or 100 for percentages).

        Returns
        -------
        pandas.DataFrame
            Counts (``Int64``) or percentages (``Float64``), with ``<NA>`` in every cell that
            :func:`jtbd_methods.privacy.suppress_crosstab` hides: fewer than
            ``min_cell_size`` respondents, or a complementary cell that would let a hidden
            count be worked out from the totals. Never 0 for a hidden cell.
        """
        caller = "CrossTabResult.display_table()"
        normalize = one_of(normalize, (None, "row", "column"), parameter="normalize", caller=caller)
        if not isinstance(margins, (bool, np.bool_)):
            raise TypeError(f"The 'margins' parameter of {caller} must be True or False.")
        counts = self.table.copy()
        counts.loc["All"] = counts.sum(axis=0)
        counts["All"] = counts.sum(axis=1)
        hidden = suppress_crosstab(counts, min_cell_size=self.min_cell_size).isna()
        if normalize == "row":
            values = 100 * counts.div(counts["All"].replace(0, np.nan), axis=0)
        elif normalize == "column":
            values = 100 * counts.div(counts.loc["All"].replace(0, np.nan), axis=1)
        else:
            values = counts
        out = values.astype("Float64" if normalize else "Int64").mask(hidden)
        out.index.name, out.columns.name = self.row_name, self.column_name
        if not margins:
            out = out.drop(index="All", columns="All")
        return out

    def summary(self) -> pd.DataFrame:
        """One-row table of the statistics (``n``, ``chi2``, ``dof``, ``p_value``,
        ``cramers_v``, ``cramers_v_corrected``, ``ari``, ``min_expected``)."""
        return pd.DataFrame(
            [
                {
                    "rows": self.row_name,
                    "columns": self.column_name,
                    "n": self.n,
                    "chi2": self.chi2,
                    "dof": self.dof,
                    "p_value": self.p_value,
                    "cramers_v": self.cramers_v,
                    "cramers_v_corrected": self.cramers_v_corrected,
                    "ari": self.ari,
                    "min_expected": self.min_expected,
                }
            ]
        )


def _cramers_v(table: np.ndarray, chi2: float, n: int) -> tuple[float, float]:
    r, c = table.shape
    if n == 0 or min(r, c) < 2:
        return float("nan"), float("nan")
    phi2 = chi2 / n
    plain = float(np.sqrt(phi2 / (min(r, c) - 1)))
    if n < 2:
        return plain, float("nan")
    phi2_corr = max(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
    r_corr = r - (r - 1) ** 2 / (n - 1)
    c_corr = c - (c - 1) ** 2 / (n - 1)
    denom = min(r_corr - 1, c_corr - 1)
    corrected = float(np.sqrt(phi2_corr / denom)) if denom > 0 else float("nan")
    return plain, corrected


def _strength(v: float, df_star: int) -> str:
    """Cohen's (1988) conventions for w = V * sqrt(df*): 0.1 small, 0.3 medium, 0.5 large."""
    if not np.isfinite(v):
        return "undetermined"
    w = v * np.sqrt(df_star)
    if w < 0.1:
        return "negligible"
    if w < 0.3:
        return "weak"
    if w < 0.5:
        return "moderate"
    return "strong"


def _agreement(ari: float) -> str:
    """Steinley's (2004) bands for the adjusted Rand index."""
    if not np.isfinite(ari):
        return "undetermined"
    if ari >= 0.90:
        return "excellent"
    if ari >= 0.80:
        return "good"
    if ari >= 0.65:
        return "moderate"
    return "poor"


def _as_series(values: Any, parameter: str, caller: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"The '{parameter}' parameter of {caller} must be a pandas Series (or array-like) "
            f"of group labels; got {type(values).__name__}."
        )
    return pd.Series(list(values))


def segments_vs(
    labels: Any,
    other: Any,
    *,
    bias_correction: bool = False,
    min_cell_size: int = 10,
    labels_name: str | None = None,
    other_name: str | None = None,
) -> CrossTabResult:
    """Compare segments with another grouping of the same respondents (e.g. diagnosis).

    Parameters
    ----------
    labels : pandas.Series or array-like
        Segment of each respondent (e.g. ``Segmentation.labels``); missing values are left
        out.
    other : pandas.Series or array-like
        The other grouping, aligned with ``labels`` by index (Series) or position.
    bias_correction : bool, default False
        Quote Bergsma's bias-corrected Cramér's V in the reading (both are always computed).
    min_cell_size : int, default 10
        Cells below this count are suppressed in :meth:`CrossTabResult.display_table`.
    labels_name, other_name : str, optional
        Names used in the table and the reading (default: the Series' names, else
        ``"segment"`` and ``"other"``).

    Returns
    -------
    CrossTabResult
        Cross-table, chi-square test, Cramér's V (plain and bias-corrected), adjusted Rand
        index and a plain-language reading.

    Raises
    ------
    TypeError
        If an input is not array-like or ``bias_correction`` is not a bool.
    ValueError
        If the inputs have different lengths (array-like) or share no respondents with both
        labels.

    Notes
    -----
    Pearson's chi-square without continuity correction on the r x c table;
    :math:`V = \\sqrt{\\chi^2 / (n (\\min(r, c) - 1))}` [1]_, equal to
    ``scipy.stats.contingency.association(table, method="cramer")``. The bias-corrected
    version [2]_ uses :math:`\\tilde\\varphi^2 = \\max(0, \\chi^2/n - (r-1)(c-1)/(n-1))`,
    :math:`\\tilde r = r - (r-1)^2/(n-1)`, :math:`\\tilde c = c - (c-1)^2/(n-1)` and
    :math:`\\tilde V = \\sqrt{\\tilde\\varphi^2 / \\min(\\tilde r - 1, \\tilde c - 1)}`.
    The reading calls the association negligible, weak, moderate or strong by Cohen's [3]_
    conventions for :math:`w = V\\sqrt{\\min(r, c) - 1}` (0.1, 0.3, 0.5), and the agreement
    of the two groupings (adjusted Rand index [4]_) excellent (>= 0.90), good (>= 0.80),
    moderate (>= 0.65) or poor, after Steinley [5]_. Respondents with a missing label in
    either grouping are left out.

    References
    ----------
    .. [1] Cramér, H. (1946). *Mathematical Methods of Statistics*. Princeton University
       Press, p. 282.
    .. [2] Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T. *Journal
       of the Korean Statistical Society*, 42(3), 323-328.
    .. [3] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd
       ed.). Erlbaum, ch. 7.
    .. [4] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of
       Classification*, 2(1), 193-218.
    .. [5] Steinley, D. (2004). Properties of the Hubert-Arabie adjusted Rand index.
       *Psychological Methods*, 9(3), 386-396.

    Examples
    --------
    >>> seg = pd.Series([1, 1, 2, 2, 1, 2] * 10, name="segment")
    >>> dx = pd.Series(["a", "a", "b", "b", "b", "a"] * 10, name="diagnosis_group")
    >>> res = segments_vs(seg, dx)
    >>> round(res.cramers_v, 3), round(res.ari, 3)
    (0.333, 0.096)
    """
    caller = "segments_vs()"
    if not isinstance(bias_correction, (bool, np.bool_)):
        raise TypeError(
            f"The 'bias_correction' parameter of {caller} must be True or False; got "
            f"{bias_correction!r}."
        )
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    left = _as_series(labels, "labels", caller)
    right = _as_series(other, "other", caller)
    if isinstance(labels, pd.Series) and isinstance(other, pd.Series):
        right = right.reindex(left.index) if not right.index.equals(left.index) else right
    elif len(left) != len(right):
        raise ValueError(
            f"The 'labels' and 'other' parameters of {caller} must have the same length; got "
            f"{len(left)} and {len(right)}."
        )
    else:
        right = pd.Series(right.to_numpy(), index=left.index, name=right.name)
    row_name = labels_name or (str(left.name) if left.name is not None else "segment")
    col_name = other_name or (str(right.name) if right.name is not None else "other")
    if row_name == col_name:
        col_name = f"{col_name} (other)"
    both = left.notna().to_numpy() & right.notna().to_numpy()
    if not both.any():
        raise ValueError(
            f"{caller}: no respondent has both a '{row_name}' and a '{col_name}' label."
        )
    a = left[both].to_numpy()
    b = right[both].to_numpy()
    table = pd.crosstab(pd.Series(a, name=row_name), pd.Series(b, name=col_name))
    observed = table.to_numpy(dtype=float)
    n = int(observed.sum())
    if min(observed.shape) >= 2:
        res = stats.chi2_contingency(observed, correction=False)
        chi2, p_value, dof = float(res.statistic), float(res.pvalue), int(res.dof)
        min_expected = float(res.expected_freq.min())
    else:
        chi2, p_value, dof, min_expected = 0.0, float("nan"), 0, float("nan")
    v, v_corrected = _cramers_v(observed, chi2, n)
    ari = float(adjusted_rand_score(pd.factorize(a)[0], pd.factorize(b)[0]))
    reading = _reading(
        row_name,
        col_name,
        n=n,
        v=v_corrected if bias_correction else v,
        corrected=bool(bias_correction),
        p_value=p_value,
        ari=ari,
        df_star=max(min(observed.shape) - 1, 1),
        min_expected=min_expected,
    )
    return CrossTabResult(
        table=table,
        n=n,
        chi2=chi2,
        dof=dof,
        p_value=p_value,
        min_expected=min_expected,
        cramers_v=v,
        cramers_v_corrected=v_corrected,
        ari=ari,
        reading=reading,
        bias_correction=bool(bias_correction),
        min_cell_size=min_cell_size,
        row_name=row_name,
        column_name=col_name,
    )


def _fmt(value: float) -> str:
    """Two decimals without a negative zero."""
    return f"{round(value, 2) + 0.0:.2f}" if np.isfinite(value) else "n/a"


def _reading(
    row_name: str,
    col_name: str,
    *,
    n: int,
    v: float,
    corrected: bool,
    p_value: float,
    ari: float,
    df_star: int,
    min_expected: float,
) -> str:
    strength = _strength(v, df_star)
    label = "bias-corrected Cramér's V" if corrected else "Cramér's V"
    if np.isfinite(p_value):
        p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    else:
        p_text = "no test: one of the groupings has a single category"
    evidence = (
        ""
        if not np.isfinite(p_value)
        else ", statistically significant at the 5% level"
        if p_value < 0.05
        else ", not statistically significant at the 5% level"
    )
    first = (
        f"Across {n} respondents, {row_name} and {col_name} are {strength}ly associated"
        if strength not in ("negligible", "undetermined")
        else f"Across {n} respondents, the association between {row_name} and {col_name} is "
        f"{strength}"
    )
    text = f"{first} ({label} = {_fmt(v)}; chi-square {p_text}{evidence}). "
    agreement = _agreement(ari)
    text += f"As groupings, their agreement is {agreement} (adjusted Rand index = {_fmt(ari)})"
    if agreement == "poor" and strength in ("negligible", "weak"):
        text += (
            f": knowing a patient's {col_name} tells you little about their {row_name}, so "
            f"the {row_name}s cut across {col_name} and plans built per {col_name} would miss "
            "them."
        )
    elif agreement == "poor":
        text += (
            f": {col_name} shifts the mix of {row_name}s, but every {col_name} still holds "
            f"several {row_name}s."
        )
    else:
        text += ": the two groupings largely coincide."
    if np.isfinite(min_expected) and min_expected < 5:
        text += (
            f" Some expected counts are below 5 (smallest {min_expected:.1f}), so read the "
            "p-value with caution."
        )
    return text
