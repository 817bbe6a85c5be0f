"""The result of a segmentation, and its headline figures for ``results.json``.

References
----------
.. [1] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*,
   2(1), 193-218 (the adjusted Rand index of :attr:`Segmentation.stability_ari`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import report
from jtbd_methods._validation import check_int
from jtbd_methods.privacy import suppress_small

__all__ = ["Segmentation", "record_headlines"]


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
        >>> from jtbd_methods.segmentation import segment
        >>> seg = segment(survey, k=2, n_boot=0)
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
            ``segment``, ``name``, ``n`` (``Int64``), ``share`` (0-1; shown as a percentage
            by ``report.table(..., shares=["share"])``),
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
                "share": self.sizes["share"].to_numpy(dtype=float),
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
            # results.json holds percentage points (the frame holds 0-1)
            out[f"{key}.share"] = None if pd.isna(row["share"]) else 100 * float(row["share"])
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
    if not isinstance(headlines, Mapping):
        raise TypeError(
            "The 'headlines' parameter of record_headlines() must be a mapping key -> value; "
            f"got {type(headlines).__name__}."
        )
    return {key: report.record(key, value) for key, value in headlines.items()}
