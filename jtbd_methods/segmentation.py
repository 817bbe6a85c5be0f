"""Segmentation of patients by recovery goal, and a short typing tool to classify new ones.

Patients are grouped by *what they are trying to get done* — the outcomes that matter to them
and that their care leaves unmet — rather than by diagnosis. :func:`segment` clusters survey
respondents on their importance and satisfaction answers (k-means, a Gaussian mixture or a
latent class model), chooses the number of segments with a stated rule that combines a fit
criterion with bootstrap stability, profiles each segment and scores its outcome
opportunities. :func:`segments_vs` compares the segments with another grouping (diagnosis),
and :class:`TypingTool` distils the segments into a few questions a consultant can ask.

References
----------
.. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill (outcome-based segmentation).
.. [2] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
   validation of cluster analysis. *Journal of Computational and Applied Mathematics*, 20,
   53-65.
.. [3] Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters in
   a data set via the gap statistic. *Journal of the Royal Statistical Society B*, 63(2),
   411-423.
.. [4] Schwarz, G. (1978). Estimating the dimension of a model. *The Annals of Statistics*,
   6(2), 461-464 (BIC).
.. [5] Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational
   Statistics & Data Analysis*, 52(1), 258-271.
.. [6] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*,
   2(1), 193-218 (adjusted Rand index).
.. [7] Morin, S., Legault, R., Laliberté, F., Bakk, Z., Giguère, C.-É., de la Sablonnière, R.,
   & Lacourse, É. (2025). StepMix: A Python package for pseudo-likelihood estimation of
   generalized mixture models with external variables. *Journal of Statistical Software*,
   113(8), 1-39.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.opportunity import opportunity_scores, outcome_ids_in
from jtbd_methods.privacy import suppress_crosstab, suppress_small

__all__ = [
    "METHODS",
    "CrossTabResult",
    "Segmentation",
    "TypingTool",
    "first_responses",
    "record_headlines",
    "segment",
    "segments_vs",
]

logger = logging.getLogger(__name__)

#: Clustering methods of :func:`segment`.
METHODS: tuple[str, ...] = ("kmeans", "gmm", "lca")
_PROFILES = ("items", "opportunity")
_ITEM = re.compile(r"^(imp|sat)_")
# Variance floor of the Gaussian mixture, in standardised units. Likert answers are discrete:
# without a floor a component can collapse onto one answer value and BIC keeps rewarding
# more components (seen on planted data); 0.1 is a tenth of each item's total variance.
# See segment(), Notes, for why the default covariance is "tied".
_GMM_REG_COVAR = 0.1
_DEFAULT_N_INIT = {"kmeans": 10, "gmm": 3, "lca": 3}
_SILHOUETTE_SAMPLE = 3000


# --------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Segmentation:
    """Recovery-goal segments of survey respondents (returned by :func:`segment`).

    Attributes
    ----------
    labels : pandas.Series
        ``Int64`` segment number (1 = largest) aligned to the index of the survey given to
        :func:`segment`; ``<NA>`` for rows not segmented (other waves, no answers).
    k : int
        Number of segments.
    method : str
        ``"kmeans"``, ``"gmm"`` or ``"lca"``.
    profile : str
        ``"items"`` or ``"opportunity"`` (see :func:`segment`).
    features : tuple of str
        Names of the clustering features.
    sizes : pandas.DataFrame
        One row per segment: ``segment``, ``name``, ``n``, ``share`` (0-1), ``flagged_small``
        (True when ``n < min_cell_size``).
    profiles : pandas.DataFrame
        One row per segment x item: ``segment``, ``item``, ``n`` (answers), ``mean`` (1-5),
        ``overall_mean`` and ``difference`` (= mean - overall_mean). Means of small segments
        are suppressed (NaN).
    selection : pandas.DataFrame
        One row per candidate k; see :func:`segment` for the columns and the rule.
    stability : pandas.DataFrame
        One row per bootstrap replicate of the chosen k: ``replicate``, ``n_overlap``
        (respondents in the resample) and ``ari`` (adjusted Rand index between the
        full-sample segments and the resample's segments on those respondents).
    opportunities : pandas.DataFrame
        :func:`~jtbd_methods.opportunity.opportunity_scores` by segment (first column
        ``segment``).
    names : Mapping[int, str]
        Suggested (or consultant-given) name of each segment.
    imputation : pandas.DataFrame
        One row per item: ``item``, ``n_missing`` and ``imputed_with`` (the item median, NaN
        when the method models missing answers itself).
    selection_rule : str
        The rule that chose ``k``, in words, with the k each criterion preferred.
    min_cell_size : int
        Smallest segment shown without suppression.
    n_excluded : int
        Respondents left out because they answered none of the items.
    model : object
        The fitted clustering estimator (scikit-learn or StepMix).
    """

    labels: pd.Series
    k: int
    method: str
    profile: str
    features: tuple[str, ...]
    sizes: pd.DataFrame
    profiles: pd.DataFrame
    selection: pd.DataFrame
    stability: pd.DataFrame
    opportunities: pd.DataFrame
    names: Mapping[int, str]
    imputation: pd.DataFrame
    selection_rule: str
    min_cell_size: int
    n_excluded: int = 0
    model: Any = field(default=None, repr=False)

    @property
    def stability_ari(self) -> float:
        """Mean bootstrap adjusted Rand index of the chosen solution (1 = perfectly stable)."""
        values = self.stability["ari"].to_numpy(dtype=float)
        return float(np.nanmean(values)) if values.size else float("nan")

    @property
    def n_imputed(self) -> int:
        """Number of missing item answers replaced by the item median."""
        imputed = self.imputation["imputed_with"].notna()
        return int(self.imputation.loc[imputed, "n_missing"].sum())

    @property
    def segments(self) -> list[int]:
        """Segment numbers, 1 = largest."""
        return list(range(1, self.k + 1))

    def _check_segment(self, segment: Any, parameter: str = "segment") -> int:
        if isinstance(segment, str) and segment.strip().isdigit():
            segment = int(segment)
        if isinstance(segment, bool) or not isinstance(segment, (int, np.integer)):
            raise TypeError(
                f"The '{parameter}' parameter of Segmentation must be a segment number in "
                f"1..{self.k}; got {segment!r}."
            )
        if not 1 <= int(segment) <= self.k:
            raise ValueError(
                f"The '{parameter}' parameter of Segmentation must be a segment number in "
                f"1..{self.k}; got {segment!r}."
            )
        return int(segment)

    def top_outcomes(self, segment: int | None, n: int = 3) -> pd.DataFrame:
        """The ``n`` outcomes with the highest opportunity score in a segment.

        Parameters
        ----------
        segment : int or None
            Segment number (1..k); ``None`` lists the top outcomes of every segment.
        n : int, default 3
            Number of outcomes per segment.

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`opportunities` (best opportunity first within each segment) with
            the segment's ``name`` after ``segment``; no rows for a segment suppressed as too
            small.

        Raises
        ------
        TypeError, ValueError
            If ``segment`` is not a segment number or ``n`` is not a positive integer.
        """
        n = check_int(n, parameter="n", caller="Segmentation.top_outcomes()", minimum=1)
        wanted = self.segments if segment is None else [self._check_segment(segment)]
        opp = self.opportunities
        rows = opp[opp["segment"].isin(wanted) & ~opp["suppressed"]]
        rows = rows.sort_values(["segment", "rank"], kind="mergesort")
        out = rows.groupby("segment", sort=True).head(n).reset_index(drop=True)
        out.insert(
            1, "name", pd.array([self.names[int(s)] for s in out["segment"]], dtype="string")
        )
        return out

    def rename(self, mapping: Mapping[Any, str]) -> Segmentation:
        """Return a copy with some segments renamed (a consultant's names override suggestions).

        Parameters
        ----------
        mapping : Mapping
            Segment number (int, or its text such as ``"2"``) -> new name. Segments not
            mentioned keep their name. An empty mapping returns an equal copy.

        Returns
        -------
        Segmentation
            A new object; this one is unchanged.

        Raises
        ------
        TypeError
            If ``mapping`` is not a mapping or a name is not a non-empty string.
        ValueError
            If a key is not a segment number of this segmentation, or two segments would
            share a name.

        Examples
        --------
        >>> survey = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(40)],
        ...     "imp_work": [5, 4] * 10 + [2, 1] * 10, "sat_work": [1, 2] * 10 + [4, 5] * 10})
        >>> seg = segment(survey, k=2, n_bootstrap=0)
        >>> seg.rename({"1": "Back to work fast"}).names[1]
        'Back to work fast'
        """
        if not isinstance(mapping, Mapping):
            raise TypeError(
                "The 'mapping' parameter of Segmentation.rename() must be a mapping "
                f"segment number -> name; got {type(mapping).__name__}."
            )
        names = dict(self.names)
        for key, value in mapping.items():
            number = self._check_segment(key, parameter="mapping")
            if not isinstance(value, str) or not value.strip():
                raise TypeError(
                    "The 'mapping' parameter of Segmentation.rename() must map to non-empty "
                    f"names (str); got {value!r} for segment {key!r}."
                )
            names[number] = value.strip()
        if len(set(names.values())) != len(names):
            raise ValueError(
                "The 'mapping' parameter of Segmentation.rename() would give two segments the "
                f"same name; names would be {list(names.values())}."
            )
        sizes = self.sizes.copy()
        sizes["name"] = sizes["segment"].map(names).astype("string")
        return replace(self, names=MappingProxyType(names), sizes=sizes)

    def summary(self) -> pd.DataFrame:
        """Report-ready table: one row per segment, small segments suppressed.

        Returns
        -------
        pandas.DataFrame
            ``segment``, ``name``, ``n`` (``Int64``), ``share`` (percent, 0-100),
            ``top_outcomes`` (the three best opportunities, ``"; "``-separated, in words:
            ``return_to_work_time`` reads "return to work time"),
            ``top_opportunity`` (score of the best one) and ``suppressed``. Segments smaller
            than ``min_cell_size`` — and, if only one is, the next smallest, so that its size
            cannot be worked out from the total — have ``n`` and ``share`` hidden
            (``<NA>``, via :func:`jtbd_methods.privacy.suppress_small`).
        """
        tops, best = [], []
        for seg in self.segments:
            top = self.top_outcomes(seg, n=3)
            tops.append("; ".join(o.replace("_", " ") for o in top["outcome_id"].astype(str)))
            best.append(float(top["opportunity"].iloc[0]) if len(top) else float("nan"))
        table = pd.DataFrame(
            {
                "segment": self.sizes["segment"].to_numpy(),
                "name": self.sizes["name"].to_numpy(),
                "n": self.sizes["n"].to_numpy(),
                "share": 100 * self.sizes["share"].to_numpy(dtype=float),
                "top_outcomes": pd.array(tops, dtype="string"),
                "top_opportunity": np.asarray(best, dtype=float),
            }
        )
        return suppress_small(
            table,
            count_column="n",
            value_columns=["share"],
            min_cell_size=self.min_cell_size,
            complementary=True,
        )

    def headlines(self, *, prefix: str = "segments", n_top: int = 3) -> dict[str, Any]:
        """Headline figures with stable keys for ``results.json``.

        Parameters
        ----------
        prefix : str, default "segments"
            First part of every key.
        n_top : int, default 3
            Outcomes listed per segment.

        Returns
        -------
        dict
            ``<prefix>.k``, ``<prefix>.method``, ``<prefix>.stability_ari``, and per segment
            ``<prefix>.<n>.name``, ``<prefix>.<n>.size`` and ``<prefix>.<n>.share`` (percent;
            ``None`` when suppressed as small), ``<prefix>.<n>.top_outcomes`` (outcome ids,
            best opportunity first).
        """
        n_top = check_int(n_top, parameter="n_top", caller="Segmentation.headlines()", minimum=1)
        summary = self.summary()
        out: dict[str, Any] = {
            f"{prefix}.k": int(self.k),
            f"{prefix}.method": self.method,
            f"{prefix}.stability_ari": self.stability_ari,
        }
        for _, row in summary.iterrows():
            seg = int(row["segment"])
            key = f"{prefix}.{seg}"
            out[f"{key}.name"] = str(row["name"])
            out[f"{key}.size"] = None if pd.isna(row["n"]) else int(row["n"])
            out[f"{key}.share"] = None if pd.isna(row["share"]) else float(row["share"])
            out[f"{key}.top_outcomes"] = [
                str(o) for o in self.top_outcomes(seg, n=n_top)["outcome_id"]
            ]
        return out


def record_headlines(headlines: Mapping[str, Any]) -> dict[str, Any]:
    """Record every key of ``headlines`` with :func:`jtbd_methods.report.record`.

    Parameters
    ----------
    headlines : Mapping
        Output of :meth:`Segmentation.headlines` (or any key -> value mapping).

    Returns
    -------
    dict
        The values as stored.

    Examples
    --------
    >>> record_headlines({"segments.k": 4})
    {'segments.k': 4}
    >>> from jtbd_methods import report; report.reset()
    """
    from jtbd_methods import report

    if not isinstance(headlines, Mapping):
        raise TypeError(
            "The 'headlines' parameter of record_headlines() must be a mapping key -> value; "
            f"got {type(headlines).__name__}."
        )
    return {key: report.record(key, value) for key, value in headlines.items()}


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


# --------------------------------------------------------------------------------------------
# segment()
# --------------------------------------------------------------------------------------------


def first_responses(
    survey: pd.DataFrame,
    *,
    id: str = "respondent_id",
    wave: Any = None,
    wave_column: str = "wave",
) -> pd.DataFrame:
    """The one response per respondent that :func:`segment` uses.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey table (not modified).
    id : str, default "respondent_id"
        Respondent column.
    wave : scalar, optional
        Wave to keep; ``None`` keeps each respondent's first (earliest) wave.
    wave_column : str, default "wave"
        Wave column; if absent every row must be a different respondent.

    Returns
    -------
    pandas.DataFrame
        A copy of the selected rows, with their original index.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame.
    ValueError
        If a column is missing, ``wave`` is not a wave of the survey, a respondent id is
        missing, or a respondent answered twice in the selected wave.

    Examples
    --------
    >>> survey = pd.DataFrame({"respondent_id": ["a", "a", "b"], "wave": [2, 1, 2]})
    >>> first_responses(survey).index.tolist()
    [1, 2]
    """
    caller = "first_responses()"
    require_dataframe(survey, parameter="survey", caller=caller)
    rows = _one_response_per_respondent(survey, id, wave, wave_column, caller)
    return survey.iloc[rows].copy()


def _one_response_per_respondent(
    survey: pd.DataFrame, id_column: str, wave: Any, wave_column: str, caller: str
) -> np.ndarray:
    """Row positions of the one response per respondent that is segmented."""
    require_columns(survey, [id_column], name="survey", caller=caller)
    ids = survey[id_column]
    if ids.isna().any():
        raise ValueError(
            f"Column '{id_column}' of 'survey' in {caller} has {int(ids.isna().sum())} missing "
            "respondent id(s); every response needs one."
        )
    positions = np.arange(len(survey))
    if wave_column in survey.columns:
        waves = survey[wave_column]
        if wave is None:
            first = waves.groupby(ids.to_numpy(), sort=False).transform("min")
            keep = (waves == first).to_numpy(dtype=bool)
        else:
            keep = (waves == wave).to_numpy(dtype=bool)
            if not keep.any():
                shown = ", ".join(map(str, pd.unique(waves)[:10]))
                raise ValueError(
                    f"The 'wave' parameter of {caller} must be one of the survey's waves "
                    f"({shown}); got {wave!r}."
                )
    else:
        if wave is not None:
            raise ValueError(
                f"The 'wave' parameter of {caller} was given ({wave!r}) but 'survey' has no "
                f"column '{wave_column}'."
            )
        keep = np.ones(len(survey), dtype=bool)
    chosen = positions[keep]
    dup = ids.iloc[chosen].duplicated(keep=False).to_numpy()
    if dup.any():
        twice = pd.unique(ids.iloc[chosen][dup].astype(str))
        shown = ", ".join(twice[:5]) + (f" and {len(twice) - 5} more" if len(twice) > 5 else "")
        raise ValueError(
            f"{caller} segments one response per respondent, but respondent(s) {shown} have "
            f"more than one response in the same wave ('{wave_column}')."
        )
    return chosen


def _numeric_matrix(frame: pd.DataFrame, caller: str) -> np.ndarray:
    out = np.empty(frame.shape, dtype=float)
    for j, col in enumerate(frame.columns):
        values = frame[col]
        if not (pd.api.types.is_numeric_dtype(values) or values.isna().all()):
            raise TypeError(
                f"Column '{col}' of 'survey' in {caller} must hold numeric answers; got dtype "
                f"{values.dtype}."
            )
        out[:, j] = (
            pd.to_numeric(values, errors="coerce")
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
    return out


def _resolve_items(
    survey: pd.DataFrame, columns: Sequence[str] | None, profile: str, caller: str
) -> tuple[list[str], list[str]]:
    """Item columns to read and feature names."""
    if profile == "items":
        if columns is None:
            ids = outcome_ids_in(survey)
            items = [c for o in ids for c in (f"imp_{o}", f"sat_{o}")]
            if not items:
                items = [str(c) for c in survey.columns if _ITEM.match(str(c))]
        else:
            items = _string_list(columns, "columns", caller)
        require_columns(survey, items, name="survey", caller=caller)
        if len(items) < 2:
            raise ValueError(
                f"{caller} needs at least two item columns to segment on; got {items}."
            )
        return items, list(items)
    # profile == "opportunity": columns are outcome ids
    ids = outcome_ids_in(survey) if columns is None else _string_list(columns, "columns", caller)
    items = [c for o in ids for c in (f"imp_{o}", f"sat_{o}")]
    require_columns(survey, items, name="survey", caller=caller)
    if len(ids) < 2:
        raise ValueError(
            f"{caller} with profile='opportunity' needs at least two outcomes (pairs of "
            f"'imp_<id>' and 'sat_<id>' columns); got {ids}."
        )
    return items, [f"opp_{o}" for o in ids]


def _string_list(value: Any, parameter: str, caller: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(
            f"The '{parameter}' parameter of {caller} must be a list of names; got {value!r}."
        )
    out = list(value)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"The '{parameter}' parameter of {caller} must hold names (str).")
    if len(set(out)) != len(out):
        raise ValueError(f"The '{parameter}' parameter of {caller} lists a name twice.")
    return out


def _standardise(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return (x - mean) / sd


def _lca_codes(raw: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Zero-based integer codes of the Likert answers (NaN kept), categories, total outcomes."""
    values = np.unique(raw[~np.isnan(raw)])
    if values.size == 0:
        raise ValueError("segment(method='lca') found no answers to model.")
    lookup = {v: i for i, v in enumerate(values)}
    codes = np.full(raw.shape, np.nan)
    observed = ~np.isnan(raw)
    codes[observed] = [lookup[v] for v in raw[observed]]
    # free parameters: each item has (observed categories - 1) probabilities per class
    total = int(sum(np.unique(codes[~np.isnan(codes[:, j]), j]).size for j in range(raw.shape[1])))
    return codes, int(values.size), total


class _Clusterer:
    """Fits one method at one k and scores it; hides the estimators' differences."""

    def __init__(
        self,
        method: str,
        data: np.ndarray,
        n_init: int,
        covariance_type: str,
        lca: tuple[int, int] | None,
    ) -> None:
        self.method = method
        self.data = data
        self.n_init = n_init
        self.covariance_type = covariance_type
        self.lca = lca

    def fit(self, rows: np.ndarray | None, k: int, seed: int) -> Any:
        x = self.data if rows is None else self.data[rows]
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=self.n_init, random_state=seed).fit(x)
        if self.method == "gmm":
            return GaussianMixture(
                n_components=k,
                covariance_type=self.covariance_type,
                n_init=self.n_init,
                reg_covar=_GMM_REG_COVAR,
                random_state=seed,
            ).fit(x)
        from stepmix.stepmix import StepMix

        max_outcomes, total = self.lca
        measurement = "categorical_nan" if np.isnan(self.data).any() else "categorical"
        return StepMix(
            n_components=k,
            measurement=measurement,
            n_init=self.n_init,
            random_state=seed,
            verbose=0,
            progress_bar=0,
            abs_tol=1e-6,
            max_iter=500,
            measurement_params={"max_n_outcomes": max_outcomes, "total_outcomes": total},
        ).fit(x)

    def predict(self, model: Any, rows: np.ndarray | None = None) -> np.ndarray:
        x = self.data if rows is None else self.data[rows]
        return np.asarray(model.predict(x), dtype=int)

    def criterion(self, model: Any, labels: np.ndarray, seed: int) -> float:
        if self.method == "kmeans":
            if np.unique(labels).size < 2:
                return float("nan")
            return float(
                silhouette_score(
                    self.data,
                    labels,
                    sample_size=min(len(labels), _SILHOUETTE_SAMPLE),
                    random_state=seed,
                )
            )
        return float(model.bic(self.data))


def _gap(
    data: np.ndarray, ks: Sequence[int], inertia: Mapping[int, float], n_references: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gap statistic and its standard error s_k for each k (Tibshirani et al. 2001)."""
    rng = np.random.default_rng(seed)
    low, high = data.min(axis=0), data.max(axis=0)
    log_ref = np.empty((n_references, len(ks)))
    for b in range(n_references):
        reference = rng.uniform(low, high, size=data.shape)
        for j, k in enumerate(ks):
            fit = KMeans(n_clusters=k, n_init=3, random_state=seed + b).fit(reference)
            log_ref[b, j] = np.log(fit.inertia_)
    observed = np.log([inertia[k] for k in ks])
    gap = log_ref.mean(axis=0) - observed
    s = log_ref.std(axis=0, ddof=0) * np.sqrt(1.0 + 1.0 / n_references)
    return gap, s


def _search_k(
    clusterer: _Clusterer,
    ks: Sequence[int],
    random_state: int,
    boot_rows: Sequence[np.ndarray],
    method: str,
    gap_references: int,
    with_gap: bool,
    gap_seed: int,
) -> tuple[pd.DataFrame, dict[int, tuple[Any, np.ndarray]], dict[int, pd.DataFrame]]:
    """Fit every candidate k to all respondents and to the bootstrap resamples."""
    n_bootstrap = len(boot_rows)
    records = []
    fits: dict[int, tuple[Any, np.ndarray]] = {}
    inertia: dict[int, float] = {}
    replicate_ari: dict[int, pd.DataFrame] = {}
    for kk in ks:
        model = clusterer.fit(None, kk, random_state)
        labels = clusterer.predict(model)
        fits[kk] = (model, labels)
        if method == "kmeans":
            inertia[kk] = float(model.inertia_)
        aris, overlap = [], []
        for b, sample in enumerate(boot_rows):
            unique = np.unique(sample)
            boot_model = clusterer.fit(sample, kk, random_state + b + 1)
            aris.append(adjusted_rand_score(labels[unique], clusterer.predict(boot_model, unique)))
            overlap.append(unique.size)
        replicate_ari[kk] = pd.DataFrame(
            {
                "replicate": np.arange(1, n_bootstrap + 1, dtype="int64"),
                "n_overlap": np.asarray(overlap, dtype="int64"),
                "ari": np.asarray(aris, dtype=float),
            }
        )
        counts = np.bincount(labels, minlength=kk)
        records.append(
            {
                "k": kk,
                ("silhouette" if method == "kmeans" else "bic"): clusterer.criterion(
                    model, labels, random_state
                ),
                "stability_ari": float(np.mean(aris)) if aris else float("nan"),
                "stability_ari_low": float(np.quantile(aris, 0.025)) if aris else float("nan"),
                "stability_ari_high": float(np.quantile(aris, 0.975)) if aris else float("nan"),
                "smallest_n": int(counts.min()),
            }
        )
    selection = pd.DataFrame(records)
    if method == "kmeans" and gap_references > 0 and with_gap:
        gap, gap_se = _gap(clusterer.data, ks, inertia, gap_references, gap_seed)
        selection["gap"], selection["gap_se"] = gap, gap_se
    return selection, fits, replicate_ari


def _canonical(labels: np.ndarray) -> np.ndarray:
    """Renumber 1..k by size (largest first), ties by first appearance."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(values.size), key=lambda i: (-counts[i], first[i]))
    mapping = {values[i]: rank + 1 for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=int)


def _suggest_names(opportunities: pd.DataFrame, k: int, codebook: Any) -> dict[int, str]:
    """Name each segment after its best, not yet used, opportunity (job label: outcome)."""
    labels: dict[str, str] = {}
    job_of: dict[str, str] = {}
    if codebook is not None:
        for job in getattr(codebook, "jobs", ()):
            labels[job.id] = job.label
        for out in getattr(codebook, "outcomes", ()):
            job_of[out.id] = out.job_id
    names: dict[int, str] = {}
    details: dict[int, str] = {}
    used: set[str] = set()
    for seg in range(1, k + 1):
        rows = opportunities[(opportunities["segment"] == seg) & ~opportunities["suppressed"]]
        rows = rows.sort_values("rank")
        choice = next((o for o in rows["outcome_id"].astype(str) if o not in used), None)
        if choice is None:
            names[seg] = f"Segment {seg}"
            continue
        used.add(choice)
        words = choice.replace("_", " ")
        job = job_of.get(choice)
        if job is None and "job_id" in rows and rows["job_id"].notna().any():
            match = rows.loc[rows["outcome_id"] == choice, "job_id"]
            job = None if match.isna().all() else str(match.iloc[0])
        label = labels.get(job) if job is not None else None
        details[seg] = words
        names[seg] = label if label else words[:1].upper() + words[1:]
    # A job's label alone reads best ("Return to routines, work and family"); when two
    # segments share a job, each gets its outcome too, and identical text its number.
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    for seg, name in list(names.items()):
        if counts[name] > 1 and seg in details and details[seg].lower() != name.lower():
            names[seg] = f"{name}: {details[seg]}"
    seen: dict[str, int] = {}
    for seg, name in names.items():
        if name in seen:
            names[seg] = f"{name} ({seg})"
        seen[name] = seg
    return names


def segment(
    survey: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    profile: str = "items",
    method: str = "kmeans",
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    random_state: int = 0,
    n_bootstrap: int = 50,
    min_cell_size: int = 10,
    min_stability: float = 0.75,
    id: str = "respondent_id",
    wave: Any = None,
    wave_column: str = "wave",
    codebook: Any = None,
    n_init: int | None = None,
    covariance_type: str = "tied",
    gap_references: int = 10,
) -> Segmentation:
    """Segment respondents by recovery goal and choose the number of segments.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey table (``respondent_id``, ``wave``, ``imp_<outcome_id>``,
        ``sat_<outcome_id>``, ...). Not modified.
    columns : list of str, optional
        With ``profile="items"``: the item columns to cluster on (default: every
        ``imp_*``/``sat_*`` item). With ``profile="opportunity"``: the outcome ids (default:
        every outcome with both items).
    profile : {"items", "opportunity"}, default "items"
        Features. ``"items"``: the importance and satisfaction answers themselves.
        ``"opportunity"``: one feature per outcome, the respondent's own opportunity
        ``imp + max(imp - sat, 0)`` on the 1-5 answers (range 1-9), which puts importance
        and unmet need into one number per outcome (not available with ``"lca"``).
    method : {"kmeans", "gmm", "lca"}, default "kmeans"
        k-means on standardised features; a Gaussian mixture on standardised features
        (``covariance_type``; see Notes); or a latent class model of the Likert answers as
        categorical indicators, fitted by StepMix [7]_ (missing answers handled by
        full-information likelihood, not imputed).
    k : int, optional
        Number of segments; ``None`` chooses it from ``k_range`` (see Notes).
    k_range : iterable of int, default range(2, 9)
        Candidate numbers of segments.
    random_state : int, default 0
        Seed of every random step (initialisations, bootstrap, gap references).
    n_bootstrap : int, default 50
        Bootstrap resamples for the stability of each candidate k (0 skips stability; k is
        then chosen by the fit criterion alone).
    min_cell_size : int, default 10
        Segments smaller than this are flagged (``sizes.flagged_small``), their profiles and
        opportunity scores suppressed, and a candidate k producing one is not admissible.
    min_stability : float, default 0.75
        Mean bootstrap adjusted Rand index a candidate k needs to be admissible.
    id : str, default "respondent_id"
        Respondent column.
    wave : scalar, optional
        Wave to segment. ``None`` (default) takes each respondent's first wave, so every
        respondent is segmented once, on their earliest response.
    wave_column : str, default "wave"
        Wave column; if absent, every row must be a different respondent.
    codebook : Codebook, optional
        Codebook whose job labels name the segments and fill ``job_id`` in the opportunities.
    n_init : int, optional
        Initialisations per fit (default 10 for k-means, 3 for gmm and lca).
    covariance_type : {"tied", "diag", "spherical", "full"}, default "tied"
        Covariance of the Gaussian mixture (``method="gmm"`` only).
    gap_references : int, default 10
        Uniform reference data sets of the gap statistic (k-means only; 0 skips it).

    Returns
    -------
    Segmentation
        Labels, sizes, profiles, k-selection table, stability, per-segment opportunity
        scores, suggested names; see :class:`Segmentation`.

        ``selection`` has one row per candidate k: ``k``; ``silhouette`` (k-means; mean
        silhouette width, higher is better) or ``bic`` (gmm, lca; lower is better); for
        k-means ``gap`` and ``gap_se``; ``stability_ari`` (mean bootstrap ARI) with
        ``stability_ari_low``/``stability_ari_high`` (2.5 and 97.5 percentiles);
        ``smallest_n`` (size of the smallest segment); ``admissible`` (bool) and ``chosen``
        (bool).

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame, items are not numeric, or options have the wrong
        type.
    ValueError
        If columns are missing, options are out of range, a respondent has two responses in
        the segmented wave, or there are too few respondents for the largest k.

    Notes
    -----
    *Data*: one response per respondent (see ``wave``). Missing item answers are replaced by
    the item's median for k-means and gmm (counted in ``imputation``); the latent class
    model uses the answers as they are. Respondents who answered none of the items are not
    segmented (``labels`` is ``<NA>``; counted in ``n_excluded``). Features are
    standardised (z-scores) for k-means and gmm.

    *Gaussian mixture*: the default ``"tied"`` covariance lets all segments share one full
    covariance matrix — the response style common to everybody (some patients answer every
    item higher than others) — while the segments differ in their means. With per-segment
    diagonal covariances that shared correlation is unmodelled and BIC keeps adding
    components (seen on the sample study). A variance floor of 0.1 (standardised units;
    scikit-learn's ``reg_covar``) stops a component from collapsing onto one answer value of
    a discrete Likert item.

    *Run time*: every candidate k is fitted ``n_bootstrap + 1`` times. k-means and gmm take
    seconds for a few thousand respondents; the latent class model is much slower (about
    two seconds per fit for 1,200 respondents and 32 items), so use a short ``k_range`` or a
    smaller ``n_bootstrap`` with ``method="lca"``. Fits run single-threaded (many small fits
    are faster that way).

    *Choice of k* (``k=None``): for every candidate k the method is fitted to all respondents
    and to ``n_bootstrap`` resamples drawn with replacement; stability is the mean adjusted
    Rand index [6]_ between the full-sample segments and each resample's segments, over the
    respondents in the resample [5]_. A k is *admissible* when its mean ARI is at least
    ``min_stability`` and its smallest segment has at least ``min_cell_size`` respondents.
    Among admissible k the best fit criterion wins: the highest mean silhouette width [2]_
    for k-means, the lowest BIC [4]_ for gmm and lca. If no k is admissible, the criterion
    alone decides and a warning is logged. For k-means the gap statistic [3]_ (uniform
    references over the range of each feature) is reported and its own choice — the
    smallest k with Gap(k) >= Gap(k+1) - s(k+1) — is stated in ``selection_rule``.

    *Numbering*: segments are numbered 1..k by size, largest first (ties by first row), so
    results do not depend on the estimator's arbitrary label order.

    *Names*: each segment is named after its highest-opportunity outcome not already used by
    a larger segment, as "job label: outcome" when a codebook is given. They are
    suggestions; :meth:`Segmentation.rename` overrides them.

    References
    ----------
    .. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill.
    .. [2] Rousseeuw, P. J. (1987). Silhouettes. *J. Comput. Appl. Math.*, 20, 53-65.
    .. [3] Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters
       in a data set via the gap statistic. *JRSS B*, 63(2), 411-423.
    .. [4] Schwarz, G. (1978). Estimating the dimension of a model. *Ann. Stat.*, 6(2),
       461-464.
    .. [5] Hennig, C. (2007). Cluster-wise assessment of cluster stability. *CSDA*, 52(1),
       258-271.
    .. [6] Hubert, L., & Arabie, P. (1985). Comparing partitions. *J. Classif.*, 2, 193-218.
    .. [7] Morin, S., et al. (2025). StepMix: A Python package for pseudo-likelihood
       estimation of generalized mixture models with external variables. *Journal of
       Statistical Software*, 113(8).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> goal = np.repeat([0, 1], 40)
    >>> def answers(if_work, if_calm):
    ...     return np.where(goal == 0, if_work, if_calm) + rng.integers(-1, 2, 80)
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"r{i}" for i in range(80)],
    ...     "imp_work": answers(4, 2), "sat_work": answers(2, 4),
    ...     "imp_calm": answers(2, 4), "sat_calm": answers(4, 2)})
    >>> seg = segment(survey, k_range=range(2, 5), n_bootstrap=5)
    >>> seg.k, seg.sizes["n"].tolist()
    (2, [40, 40])
    """
    caller = "segment()"
    require_dataframe(survey, parameter="survey", caller=caller)
    method = one_of(method, METHODS, parameter="method", caller=caller)
    profile = one_of(profile, _PROFILES, parameter="profile", caller=caller)
    if method == "lca" and profile != "items":
        raise ValueError(
            f"The 'profile' parameter of {caller} must be 'items' with method='lca' (the latent "
            f"class model treats the Likert answers as categories); got {profile!r}."
        )
    covariance_type = one_of(
        covariance_type,
        ("diag", "spherical", "tied", "full"),
        parameter="covariance_type",
        caller=caller,
    )
    random_state = check_int(random_state, parameter="random_state", caller=caller, minimum=0)
    n_bootstrap = check_int(n_bootstrap, parameter="n_bootstrap", caller=caller, minimum=0)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    min_stability = check_fraction(
        min_stability, parameter="min_stability", caller=caller, inclusive=True
    )
    gap_references = check_int(gap_references, parameter="gap_references", caller=caller, minimum=0)
    n_init = check_int(n_init, parameter="n_init", caller=caller, minimum=1, allow_none=True)
    n_init = _DEFAULT_N_INIT[method] if n_init is None else n_init
    if k is not None:
        ks = [check_int(k, parameter="k", caller=caller, minimum=2)]
    else:
        if isinstance(k_range, (str, bytes)) or not isinstance(k_range, Iterable):
            raise TypeError(
                f"The 'k_range' parameter of {caller} must be an iterable of integers such as "
                f"range(2, 9); got {k_range!r}."
            )
        ks = sorted({check_int(v, parameter="k_range", caller=caller, minimum=2) for v in k_range})
        if not ks:
            raise ValueError(f"The 'k_range' parameter of {caller} must not be empty.")

    rows = _one_response_per_respondent(survey, id, wave, wave_column, caller)
    items, feature_names = _resolve_items(survey, columns, profile, caller)
    raw = _numeric_matrix(survey.iloc[rows][items], caller)
    answered = ~np.isnan(raw).all(axis=1)
    n_excluded = int((~answered).sum())
    if n_excluded:
        logger.warning(
            "%s: %d respondent(s) answered none of the items and are not segmented.",
            caller,
            n_excluded,
        )
    rows, raw = rows[answered], raw[answered]
    n = len(rows)
    if n <= max(ks):
        raise ValueError(
            f"{caller} needs more respondents ({n}) than the largest number of segments "
            f"({max(ks)})."
        )

    n_missing = np.isnan(raw).sum(axis=0)
    medians = np.nanmedian(raw, axis=0) if n else np.full(raw.shape[1], np.nan)
    if method == "lca":
        data, n_categories, total_outcomes = _lca_codes(raw)
        lca = (n_categories, total_outcomes)
        imputed_with = np.full(raw.shape[1], np.nan)
    else:
        filled = np.where(np.isnan(raw), medians, raw)
        if profile == "opportunity":
            imp, sat = filled[:, 0::2], filled[:, 1::2]
            filled = imp + np.maximum(imp - sat, 0.0)
        data, lca = _standardise(filled), None
        imputed_with = np.where(n_missing > 0, medians, np.nan)
    imputation = pd.DataFrame(
        {
            "item": pd.array(items, dtype="string"),
            "n_missing": n_missing.astype("int64"),
            "imputed_with": imputed_with,
        }
    )
    if imputation["imputed_with"].notna().any():
        logger.info(
            "%s: %d missing answer(s) replaced by item medians.",
            caller,
            int(n_missing[np.isfinite(imputed_with)].sum()),
        )

    clusterer = _Clusterer(method, data, n_init, covariance_type, lca)
    seeds = np.random.SeedSequence(random_state).generate_state(2)
    boot_rng = np.random.default_rng(seeds[0])
    boot_rows = [boot_rng.integers(0, n, size=n) for _ in range(n_bootstrap)]

    # Many small fits: one thread each is much faster than OpenMP/BLAS thread start-up and
    # spinning on every fit, especially when other processes share the cores.
    with threadpool_limits(limits=1):
        selection, fits, replicate_ari = _search_k(
            clusterer,
            ks,
            random_state,
            boot_rows,
            method,
            gap_references,
            k is None,
            int(seeds[1] % (2**31)),
        )
    criterion = "silhouette" if method == "kmeans" else "bic"
    gap_note = ""
    if "gap" in selection:
        gap, gap_se = selection["gap"].to_numpy(), selection["gap_se"].to_numpy()
        gap_k = next(
            (ks[j] for j in range(len(ks) - 1) if gap[j] >= gap[j + 1] - gap_se[j + 1]), ks[-1]
        )
        gap_note = f" The gap statistic's rule (Tibshirani et al. 2001) would choose k = {gap_k}."
    stable = (
        selection["stability_ari"] >= min_stability
        if n_bootstrap > 0
        else pd.Series(True, index=selection.index)
    )
    selection["admissible"] = (stable & (selection["smallest_n"] >= min_cell_size)).astype(bool)
    pool = selection[selection["admissible"]]
    if pool.empty:
        logger.warning(
            "%s: no k in %s has stability >= %.2f and all segments >= %d respondents; k is "
            "chosen by %s alone.",
            caller,
            ks,
            min_stability,
            min_cell_size,
            criterion,
        )
        pool = selection
    values = pool[criterion].to_numpy(dtype=float)
    if np.isfinite(values).any():
        best = int(np.nanargmax(values) if criterion == "silhouette" else np.nanargmin(values))
    else:
        best = 0
    chosen_k = int(pool["k"].iloc[best])
    selection["chosen"] = selection["k"] == chosen_k
    direction = "highest mean silhouette width" if criterion == "silhouette" else "lowest BIC"
    if k is not None:
        rule = f"k = {chosen_k} was fixed by the analyst."
    else:
        rule = (
            f"Among k in {ks} whose bootstrap stability (mean adjusted Rand index over "
            f"{n_bootstrap} resamples) is at least {min_stability:g} and whose smallest segment "
            f"has at least {min_cell_size} respondents, the {direction} chose k = {chosen_k}."
            + gap_note
        )
        if selection["admissible"].sum() == 0:
            rule += " No k met the stability and size conditions, so the criterion alone chose."
    columns_order = [
        "k",
        criterion,
        *(["gap", "gap_se"] if "gap" in selection else []),
        "stability_ari",
        "stability_ari_low",
        "stability_ari_high",
        "smallest_n",
        "admissible",
        "chosen",
    ]
    selection = selection[columns_order]

    model, raw_labels = fits[chosen_k]
    final = _canonical(raw_labels)
    stability = replicate_ari[chosen_k]

    label_series = pd.Series(
        pd.array([pd.NA] * len(survey), dtype="Int64"), index=survey.index, name="segment"
    )
    label_series.iloc[rows] = final
    counts = np.bincount(final, minlength=chosen_k + 1)[1:]

    used = survey.iloc[rows]
    opportunities = opportunity_scores(
        used,
        by=label_series.iloc[rows],
        outcomes=_codebook_outcomes(used, codebook),
        random_state=random_state,
        min_cell_size=min_cell_size,
        id=None,
    )
    names = _suggest_names(opportunities, chosen_k, codebook)
    sizes = pd.DataFrame(
        {
            "segment": np.arange(1, chosen_k + 1, dtype="int64"),
            "name": pd.array([names[s] for s in range(1, chosen_k + 1)], dtype="string"),
            "n": counts.astype("int64"),
            "share": counts / counts.sum(),
            "flagged_small": counts < min_cell_size,
        }
    )
    profiles = _profiles(raw, items, final, chosen_k, counts, min_cell_size)
    return Segmentation(
        labels=label_series,
        k=chosen_k,
        method=method,
        profile=profile,
        features=tuple(feature_names),
        sizes=sizes,
        profiles=profiles,
        selection=selection.reset_index(drop=True),
        stability=stability,
        opportunities=opportunities,
        names=MappingProxyType(names),
        imputation=imputation,
        selection_rule=rule,
        min_cell_size=min_cell_size,
        n_excluded=n_excluded,
        model=model,
    )


def _codebook_outcomes(survey: pd.DataFrame, codebook: Any) -> Any:
    """Outcomes of the codebook that the survey has items for (None without a codebook)."""
    if codebook is None:
        return None
    present = set(outcome_ids_in(survey))
    chosen = [o for o in getattr(codebook, "outcomes", ()) if o.id in present]
    return chosen or None


def _profiles(
    raw: np.ndarray,
    items: Sequence[str],
    labels: np.ndarray,
    k: int,
    counts: np.ndarray,
    min_cell_size: int,
) -> pd.DataFrame:
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


# --------------------------------------------------------------------------------------------
# segments_vs()
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# TypingTool
# --------------------------------------------------------------------------------------------


class TypingTool:
    """A short question set that assigns new patients to segments.

    A greedy forward selection picks the ``n_items`` survey items that best predict the
    segment; a multinomial logistic regression on the answers to those items (one indicator
    per answer) then gives every answer a score per segment. Adding up the scores of a
    patient's answers and taking the highest total assigns the segment — a points table a
    consultant can run in a spreadsheet (:meth:`to_frame`).

    Parameters
    ----------
    n_items : int, default 6
        Number of questions to keep.
    columns : list of str, optional
        Candidate items (default every ``imp_*``/``sat_*`` column).
    cv : int, default 5
        Folds of the stratified cross-validation that estimates accuracy.
    random_state : int, default 0
        Seed of the fold assignment.
    C : float, default 1.0
        Inverse L2 penalty of the logistic regression.

    Attributes
    ----------
    items_ : list of str
        Selected items, in order of selection.
    selection_ : pandas.DataFrame
        ``step``, ``item``, ``cv_accuracy`` (inner cross-validated accuracy after adding it).
    classes_ : numpy.ndarray
        Segment labels.
    categories_ : dict
        Item -> answer values seen in training.
    weights_ : pandas.DataFrame
        The points table (see :meth:`to_frame`).
    accuracy_ : float
        Cross-validated accuracy (share of respondents assigned to their segment), with the
        item selection repeated inside every fold.
    accuracy_ci_ : tuple of float
        95% Wilson interval of ``accuracy_``.
    baseline_ : float
        Accuracy of always guessing the largest segment (chance level to beat).
    n_ : int
        Respondents used.

    Notes
    -----
    Selection criterion: at each step the item whose addition gives the highest 3-fold
    cross-validated accuracy of a categorical naive Bayes classifier (fast; a skipped answer
    is its own category). The scoring model is then a multinomial logistic regression (L2,
    ``C``) on one-hot answers of the selected items, without a reference category, so that
    a skipped question adds no points. The reported accuracy comes from ``cv``-fold
    stratified cross-validation of the *whole* procedure (selection and scoring refitted
    in every fold), so it is not inflated by having chosen the items on the same data
    (Ambroise & McLachlan 2002).

    References
    ----------
    .. [1] Ambroise, C., & McLachlan, G. J. (2002). Selection bias in gene extraction on the
       basis of microarray gene-expression data. *PNAS*, 99(10), 6562-6566.
    .. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> seg = pd.Series(np.repeat([1, 2], 60))
    >>> survey = pd.DataFrame({"imp_a": np.where(seg == 1, 5, 2), "sat_a": rng.integers(1, 6, 120),
    ...                        "imp_b": rng.integers(1, 6, 120)})
    >>> tool = TypingTool(n_items=1).fit(survey, seg)
    >>> tool.items_, tool.accuracy_
    (['imp_a'], 1.0)
    """

    def __init__(
        self,
        n_items: int = 6,
        *,
        columns: Sequence[str] | None = None,
        cv: int = 5,
        random_state: int = 0,
        C: float = 1.0,
    ) -> None:
        self.n_items = n_items
        self.columns = columns
        self.cv = cv
        self.random_state = random_state
        self.C = C

    # -- helpers ----------------------------------------------------------------------------
    def _check_params(self) -> None:
        caller = "TypingTool"
        check_int(self.n_items, parameter="n_items", caller=caller, minimum=1)
        check_int(self.cv, parameter="cv", caller=caller, minimum=2)
        check_int(self.random_state, parameter="random_state", caller=caller, minimum=0)
        if isinstance(self.C, bool) or not isinstance(self.C, (int, float)) or self.C <= 0:
            raise ValueError(
                f"The 'C' parameter of {caller} must be a positive number; got {self.C!r}."
            )

    @staticmethod
    def _codes(values: np.ndarray, categories: Sequence[float]) -> np.ndarray:
        """0 for missing/unseen answers, 1..L for the known answers."""
        lookup = {v: i + 1 for i, v in enumerate(categories)}
        return np.array([lookup.get(v, 0) for v in values], dtype=int)

    @staticmethod
    def _one_hot(codes: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        blocks = []
        for j, size in enumerate(sizes):
            block = np.zeros((codes.shape[0], size))
            present = codes[:, j] > 0
            block[np.flatnonzero(present), codes[present, j] - 1] = 1.0
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((codes.shape[0], 0))

    def _select(
        self, codes: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int
    ) -> tuple[list[int], list[float]]:
        """Greedy forward selection by 3-fold cross-validated naive Bayes accuracy.

        Categorical naive Bayes with Laplace smoothing (alpha = 1) and empirical class
        priors, as :class:`sklearn.naive_bayes.CategoricalNB`; its log posterior is a sum
        over items, so each item's contribution is tabulated once per fold and candidate
        sets are scored by adding tables.
        """
        from sklearn.model_selection import StratifiedKFold

        classes, y_index = np.unique(y, return_inverse=True)
        n_classes = classes.size
        n_splits = max(2, min(3, int(np.bincount(y_index).min())))
        folds = list(
            StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(
                codes, y_index
            )
        )
        n_cat = codes.max(axis=0) + 1
        per_fold = []
        for train, test in folds:
            counts = np.bincount(y_index[train], minlength=n_classes).astype(float)
            with np.errstate(divide="ignore"):
                prior = np.log(counts / counts.sum())
            tables = np.empty((codes.shape[1], test.size, n_classes))
            for j in range(codes.shape[1]):
                joint = np.zeros((n_cat[j], n_classes))
                np.add.at(joint, (codes[train, j], y_index[train]), 1.0)
                log_p = np.log((joint + 1.0) / (joint.sum(axis=0) + n_cat[j]))
                tables[j] = log_p[codes[test, j]]
            per_fold.append(
                (np.broadcast_to(prior, (test.size, n_classes)).copy(), tables, y_index[test])
            )
        chosen: list[int] = []
        scores: list[float] = []
        remaining = list(range(len(names)))
        for _ in range(min(self.n_items, len(names))):
            best, best_score = remaining[0], -np.inf
            for j in remaining:
                correct = sum(
                    int((np.argmax(total + tables[j], axis=1) == truth).sum())
                    for total, tables, truth in per_fold
                )
                score = correct / len(y)
                if score > best_score + 1e-12:
                    best, best_score = j, score
            for total, tables, _ in per_fold:
                total += tables[best]
            chosen.append(best)
            scores.append(best_score)
            remaining.remove(best)
        return chosen, scores

    def _fit_scoring(self, raw: np.ndarray, y: np.ndarray, chosen: Sequence[int]):
        from sklearn.linear_model import LogisticRegression

        categories = [np.unique(raw[~np.isnan(raw[:, j]), j]) for j in chosen]
        codes = np.column_stack(
            [self._codes(raw[:, j], cats) for j, cats in zip(chosen, categories, strict=True)]
        )
        x = self._one_hot(codes, [len(c) for c in categories])
        model = LogisticRegression(C=self.C, max_iter=2000).fit(x, y)
        return model, categories

    def _scores(self, model, categories, raw_selected: np.ndarray) -> np.ndarray:
        codes = np.column_stack(
            [self._codes(raw_selected[:, j], cats) for j, cats in enumerate(categories)]
        )
        x = self._one_hot(codes, [len(c) for c in categories])
        return model.decision_function(x)

    @staticmethod
    def _argmax(model, scores: np.ndarray) -> np.ndarray:
        if scores.ndim == 1:  # two segments: sklearn returns the score of classes_[1]
            return np.where(scores > 0, model.classes_[1], model.classes_[0])
        return model.classes_[np.argmax(scores, axis=1)]

    def _procedure(self, raw: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int):
        codes = np.column_stack(
            [
                self._codes(raw[:, j], np.unique(raw[~np.isnan(raw[:, j]), j]))
                for j in range(raw.shape[1])
            ]
        )
        chosen, scores = self._select(codes, y, names, seed)
        model, categories = self._fit_scoring(raw, y, chosen)
        return chosen, scores, model, categories

    # -- public API -------------------------------------------------------------------------
    def fit(self, survey: pd.DataFrame, labels: Any) -> TypingTool:
        """Select the questions and learn their answer scores.

        Parameters
        ----------
        survey : pandas.DataFrame
            Survey answers (not modified).
        labels : pandas.Series or array-like
            Segment of each row (e.g. ``Segmentation.labels``); rows with ``<NA>`` are
            ignored. A Series is aligned to ``survey`` by index.

        Returns
        -------
        TypingTool
            ``self``, fitted.

        Raises
        ------
        TypeError, ValueError
            If ``survey`` is not a DataFrame, items are missing or not numeric, labels are
            not aligned, fewer than two segments are present, or a segment has fewer
            respondents than ``cv``.
        """
        from sklearn.model_selection import StratifiedKFold

        caller = "TypingTool.fit()"
        self._check_params()
        require_dataframe(survey, parameter="survey", caller=caller)
        if self.columns is None:
            names = [str(c) for c in survey.columns if _ITEM.match(str(c))]
        else:
            names = _string_list(self.columns, "columns", "TypingTool")
        require_columns(survey, names, name="survey", caller=caller)
        if not names:
            raise ValueError(f"{caller} found no 'imp_*'/'sat_*' item columns in 'survey'.")
        if isinstance(labels, pd.Series):
            if not labels.index.equals(survey.index):
                if not survey.index.isin(labels.index).all():
                    raise ValueError(
                        f"The 'labels' Series given to {caller} must be aligned to the index of "
                        "'survey'."
                    )
                labels = labels.reindex(survey.index)
            y_all = labels
        else:
            y_all = pd.Series(list(labels) if isinstance(labels, Iterable) else [labels])
            if len(y_all) != len(survey):
                raise ValueError(
                    f"The 'labels' parameter of {caller} must have one label per survey row "
                    f"({len(survey)}); got {len(y_all)}."
                )
            y_all.index = survey.index
        keep = y_all.notna().to_numpy()
        y = y_all[keep].to_numpy()
        if y.dtype == object:
            y = np.asarray([v.item() if hasattr(v, "item") else v for v in y], dtype=object)
        raw = _numeric_matrix(survey.loc[keep, names], caller)
        classes, counts = np.unique(y.astype(str) if y.dtype == object else y, return_counts=True)
        if classes.size < 2:
            raise ValueError(f"{caller} needs at least two segments in 'labels'; got {classes}.")
        if counts.min() < self.cv:
            raise ValueError(
                f"{caller}: every segment needs at least cv={self.cv} respondents for "
                f"cross-validation; the smallest has {int(counts.min())}."
            )
        try:
            y = y.astype(int)
        except (TypeError, ValueError):
            y = y.astype(str)

        # honest accuracy: the whole procedure refitted within each fold
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
        predicted = np.empty(len(y), dtype=y.dtype)
        with threadpool_limits(limits=1):
            for fold, (train, test) in enumerate(folds.split(raw, y)):
                chosen, _, model, categories = self._procedure(
                    raw[train], y[train], names, self.random_state + fold + 1
                )
                scores = self._scores(model, categories, raw[test][:, chosen])
                predicted[test] = self._argmax(model, scores)
            chosen, step_scores, model, categories = self._procedure(
                raw, y, names, self.random_state
            )
        correct = int((predicted == y).sum())
        low, high = wilson_interval(correct, len(y))

        self.items_ = [names[j] for j in chosen]
        self.selection_ = pd.DataFrame(
            {
                "step": np.arange(1, len(chosen) + 1, dtype="int64"),
                "item": pd.array(self.items_, dtype="string"),
                "cv_accuracy": np.asarray(step_scores, dtype=float),
            }
        )
        self.classes_ = model.classes_
        self.categories_ = {self.items_[j]: categories[j] for j in range(len(chosen))}
        self.model_ = model
        self.accuracy_ = correct / len(y)
        self.accuracy_ci_ = (float(low), float(high))
        self.baseline_ = float(counts.max() / counts.sum())
        self.n_ = int(len(y))
        self.weights_ = self._table()
        return self

    def _check_fitted(self, caller: str) -> None:
        if not hasattr(self, "model_"):
            raise ValueError(
                f"This TypingTool is not fitted yet; call fit(survey, labels) before {caller}."
            )

    def _table(self) -> pd.DataFrame:
        model = self.model_
        coef = np.asarray(model.coef_, dtype=float)
        intercept = np.asarray(model.intercept_, dtype=float)
        if coef.shape[0] == 1:  # two classes: split the log-odds symmetrically
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        rows = [
            {
                "item": "(constant)",
                "answer": pd.NA,
                **{f"segment_{c}": intercept[i] for i, c in enumerate(self.classes_)},
            }
        ]
        position = 0
        for item in self.items_:
            for answer in self.categories_[item]:
                rows.append(
                    {
                        "item": item,
                        "answer": answer,
                        **{f"segment_{c}": coef[i, position] for i, c in enumerate(self.classes_)},
                    }
                )
                position += 1
        table = pd.DataFrame(rows)
        table["item"] = table["item"].astype("string")
        table["answer"] = pd.array(
            [
                pd.NA if pd.isna(a) else int(a) if float(a).is_integer() else a
                for a in table["answer"]
            ],
            dtype="object",
        )
        return table

    def to_frame(self, *, decimals: int | None = 2) -> pd.DataFrame:
        """The points table: one row per (item, answer), one score column per segment.

        Parameters
        ----------
        decimals : int or None, default 2
            Rounding of the scores (``None`` keeps full precision).

        Returns
        -------
        pandas.DataFrame
            ``item``, ``answer`` and ``segment_<label>`` columns. The first row,
            ``(constant)``, is added for everybody; a skipped question adds nothing. The
            segment with the highest total is the prediction.

        Raises
        ------
        ValueError
            If the tool is not fitted.
        """
        self._check_fitted("to_frame()")
        table = self.weights_.copy()
        if decimals is not None:
            decimals = check_int(
                decimals, parameter="decimals", caller="TypingTool.to_frame()", minimum=0
            )
            score_cols = [c for c in table.columns if c.startswith("segment_")]
            table[score_cols] = table[score_cols].round(decimals)
        return table

    def question_sheet(
        self,
        *,
        codebook: Any = None,
        names: Mapping[Any, str] | None = None,
        decimals: int = 1,
    ) -> pd.DataFrame:
        """The typing tool as a question sheet a clinic can print: wording, answers, points.

        Parameters
        ----------
        codebook : Codebook, optional
            Gives each ``imp_``/``sat_`` item its desired-outcome wording; without it the item
            id is put in words.
        names : mapping, optional
            Segment number -> name (e.g. ``Segmentation.names``) for the points columns.
        decimals : int, default 1
            Rounding of the points.

        Returns
        -------
        pandas.DataFrame
            One row per answer of each question, in the order the questions were selected:
            ``question`` (number, 0 for the starting points everyone gets), ``wording``,
            ``answer`` (1-5, empty for the starting row) and one points column per segment
            (``points: <name>``). Add up the points of the answers given (a skipped question
            adds nothing); the segment with the most points is the patient's.

        Raises
        ------
        ValueError
            If the tool is not fitted.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> survey = pd.DataFrame({"imp_a": rng.integers(1, 6, 200), "imp_b": rng.integers(1, 6, 200)})
        >>> labels = pd.Series(np.where(survey["imp_a"] > 3, 1, 2))
        >>> sheet = TypingTool(n_items=1, random_state=0).fit(survey, labels).question_sheet()
        >>> print(sheet.loc[1, "wording"])
        How important is this to you? "A." (1 = not at all, 5 = extremely)
        """
        self._check_fitted("question_sheet()")
        decimals = check_int(
            decimals, parameter="decimals", caller="TypingTool.question_sheet()", minimum=0
        )
        texts: dict[str, str] = {}
        if codebook is not None:
            for out in getattr(codebook, "outcomes", ()):
                texts[str(out.id)] = str(out.text).rstrip(" .")

        def wording(item: str) -> str:
            if item == "(constant)":
                return "Everyone starts with these points"
            kind, _, outcome = item.partition("_")
            statement = texts.get(outcome) or outcome.replace("_", " ")
            statement = statement[:1].upper() + statement[1:]
            if kind == "imp":
                return (
                    f'How important is this to you? "{statement}." (1 = not at all, 5 = extremely)'
                )
            if kind == "sat":
                return f'How satisfied are you with this? "{statement}." (1 = not at all, 5 = completely)'
            return item.replace("_", " ")

        table = self.weights_.copy()
        order = {item: k for k, item in enumerate(["(constant)", *self.items_])}
        score_cols = [c for c in table.columns if c.startswith("segment_")]
        renamed = {}
        for col in score_cols:
            label = col.removeprefix("segment_")
            key: Any = int(label) if label.isdigit() else label
            name = (names or {}).get(key, (names or {}).get(str(key), f"segment {label}"))
            renamed[col] = f"points: {name}"
        sheet = pd.DataFrame(
            {
                "question": [order.get(str(i), len(order)) for i in table["item"]],
                "wording": [wording(str(i)) for i in table["item"]],
                "answer": table["answer"].to_numpy(),
            }
        )
        for col in score_cols:
            sheet[renamed[col]] = table[col].astype(float).round(decimals).to_numpy() + 0.0
        return sheet.sort_values(["question", "answer"], kind="stable").reset_index(drop=True)

    def predict(self, new_answers: pd.DataFrame) -> pd.Series:
        """Assign segments to new respondents from their answers to the selected items.

        Parameters
        ----------
        new_answers : pandas.DataFrame
            Must have the columns :attr:`items_` (other columns are ignored); missing answers
            add no points.

        Returns
        -------
        pandas.Series
            Predicted segment, aligned to ``new_answers``' index, named ``segment``.

        Raises
        ------
        ValueError
            If the tool is not fitted or a selected item is missing.
        TypeError
            If ``new_answers`` is not a DataFrame or an item is not numeric.
        """
        self._check_fitted("predict()")
        caller = "TypingTool.predict()"
        require_dataframe(new_answers, parameter="new_answers", caller=caller)
        require_columns(new_answers, self.items_, name="new_answers", caller=caller)
        raw = _numeric_matrix(new_answers[self.items_], caller)
        categories = [self.categories_[i] for i in self.items_]
        scores = self._scores(self.model_, categories, raw)
        return pd.Series(self._argmax(self.model_, scores), index=new_answers.index, name="segment")
