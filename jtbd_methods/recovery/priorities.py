"""The priority matrix: rating points lost per 100 comments, by disrupted job.

:func:`priority_matrix` multiplies each job's share of disrupted comments by the rating
drop of :func:`~jtbd_methods.recovery.disruption_impact`, with a delta-method or
percentile-bootstrap [1]_ interval, a rank and a quadrant; :func:`record_priorities` writes
the top jobs to ``results.json``.

References
----------
.. [1] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
   Hall (percentile intervals, ch. 13).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from jtbd_methods import report
from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_int,
    check_names,
    one_of,
    require_columns,
)
from jtbd_methods.recovery.impact import (
    _full_rank_columns,
    _impact_design,
    _indicator_table,
    disruption_impact,
)
from jtbd_methods.recovery.quadrants import QUADRANTS, _assign_quadrants

__all__ = ["priority_matrix", "record_priorities"]

logger = logging.getLogger(__name__)


@renamed_keywords(id="id_column")
def priority_matrix(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    rating: str = "rating",
    id_column: str = "comment_id",
    job: str = "job_id",
    polarity: str = "polarity",
    jobs: Sequence[str] | None = None,
    fulfilment: bool = False,
    adjust_for: Sequence[str] = (),
    min_n: int = 5,
    labels: Mapping[str, str] | None = None,
    method: str = "delta",
    n_boot: int = 1000,
    random_state: int | None = 0,
    share_cutoff: float | None = None,
    impact_cutoff: float | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Rank disrupted jobs by frequency x impact: rating points lost per 100 comments.

    Parameters
    ----------
    feedback, codes, rating, id_column, job, polarity, jobs, fulfilment, adjust_for, min_n
        As in :func:`disruption_impact`, which this function calls.
    labels : mapping of str to str, optional
        Job id -> label (e.g. ``study.codebook.labels()``) for a ``label`` column.
    method : {"delta", "bootstrap"}, default "delta"
        Interval of the priority score: first-order delta method, or percentile bootstrap
        over comments (``n_boot`` resamples of the rows of ``feedback`` with their codes).
    n_boot : int, default 1000
        Bootstrap resamples (``method="bootstrap"``).
    random_state : int or None, default 0
        Seed of the bootstrap.
    share_cutoff, impact_cutoff : float, optional
        Cut-offs between low and high frequency (share, 0-1) and impact (rating points).
        Default: the medians over the estimated jobs.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per job, highest priority first, with every column of
        :func:`disruption_impact` except that the impact interval is renamed
        ``impact_ci_low``/``impact_ci_high`` and ``se``/``p`` to ``impact_se``/``impact_p``,
        plus:

        ``label``
            Job label (the id when ``labels`` is not given or lacks the job).
        ``priority``
            ``100 * disruption_share * impact``: mean rating points lost per 100 comments
            through this job's disruptions.
        ``ci_low``, ``ci_high``
            Interval of ``priority``.
        ``rank``
            1 = highest priority (``Int64``; ``<NA>`` when not estimable).
        ``frequency``, ``impact_level``
            ``"high"``/``"low"`` against the cut-offs.
        ``quadrant``
            One of :data:`QUADRANTS`' labels.

    Raises
    ------
    TypeError, ValueError
        As in :func:`disruption_impact`; also for an unknown ``method`` or ``n_boot`` < 100.

    Notes
    -----
    The priority score is the share of comments that show the disruption times the rating
    drop it brings, :math:`P_j = 100\\, s_j\\, b_j` — the mean rating points lost per 100
    comments; it weighs a rare, damaging job against a frequent, milder one.

    *Delta method*: treating the share and the regression coefficient as independent,
    :math:`\\operatorname{Var}(P_j) \\approx 100^2 (b_j^2\\, s_j(1-s_j)/n + s_j^2\\,
    \\operatorname{Var}(b_j))` with the HC3 variance of :math:`b_j`; the interval is
    :math:`P_j \\pm z\\,\\mathrm{SE}`. *Bootstrap*: comments are resampled with
    replacement, the share and the OLS coefficients recomputed on each resample, and the
    percentile interval reported [5]_; it needs no independence assumption and suits small
    numbers of disrupted comments, where the delta interval can cross zero.

    References
    ----------
    .. [1] Long & Ervin (2000), The American Statistician 54(3):217-224 (HC3).
    .. [5] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
       Chapman & Hall, ch. 13.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(200)]})
    >>> d = rng.random(200) < 0.3
    >>> feedback["rating"] = pd.array(np.clip(np.round(4.3 - 1.5 * d
    ...     + rng.normal(0, 0.6, 200)), 1, 5).astype(int), dtype="Int64")
    >>> codes = pd.DataFrame({"comment_id": feedback["comment_id"][d], "job_id": "feel_heard",
    ...                       "polarity": "disrupted"})
    >>> pm = priority_matrix(feedback, codes)
    >>> pm[["job_id", "rank"]].to_dict("records")
    [{'job_id': 'feel_heard', 'rank': 1}]
    """
    caller = "priority_matrix"
    method = one_of(method, ("delta", "bootstrap"), parameter="method", caller=caller)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=100)
    if labels is not None and not isinstance(labels, Mapping):
        raise TypeError(
            f"The 'labels' parameter of {caller} must be a mapping of job id to label or None; "
            f"got {type(labels).__name__}."
        )
    base = disruption_impact(
        feedback,
        codes,
        rating=rating,
        id_column=id_column,
        job=job,
        polarity=polarity,
        jobs=jobs,
        fulfilment=fulfilment,
        adjust_for=adjust_for,
        min_n=min_n,
        ci=ci,
    )
    out = base.rename(
        columns={
            "ci_low": "impact_ci_low",
            "ci_high": "impact_ci_high",
            "se": "impact_se",
            "p": "impact_p",
        }
    )
    share = out["disruption_share"].to_numpy(float)
    impact = out["impact"].to_numpy(float)
    out["priority"] = 100 * share * impact
    z = stats.norm.ppf(0.5 + ci / 2)
    if method == "delta":
        n = out["n"].to_numpy(float)
        var = 100**2 * (impact**2 * share * (1 - share) / n + share**2 * out["impact_se"] ** 2)
        se = np.sqrt(var.to_numpy(float))
        out["ci_low"] = out["priority"] - z * se
        out["ci_high"] = out["priority"] + z * se
    else:
        low, high = _bootstrap_priority(
            feedback,
            codes,
            out["job_id"].tolist(),
            estimable=out.loc[out["impact"].notna(), "job_id"].tolist(),
            rating=rating,
            id_column=id_column,
            job=job,
            polarity=polarity,
            fulfilment=fulfilment,
            adjust_for=check_names(adjust_for, parameter="adjust_for", caller=caller),
            n_boot=n_boot,
            random_state=random_state,
            ci=ci,
        )
        out["ci_low"] = low
        out["ci_high"] = high

    est = out["priority"].notna()
    s_cut, i_cut = _assign_quadrants(
        out, est, "impact", "impact_level", share_cutoff, impact_cutoff, QUADRANTS
    )
    out["label"] = [(labels or {}).get(j, j) for j in out["job_id"]]
    out = out.sort_values(
        ["priority", "impact", "job_id"],
        ascending=[False, False, True],
        na_position="last",
        kind="mergesort",
    ).reset_index(drop=True)
    rank = out["priority"].rank(method="min", ascending=False)
    out["rank"] = pd.array(rank, dtype="Int64")
    cols = [
        "rank",
        "job_id",
        "label",
        "n",
        "n_disrupted",
        "disruption_share",
        "share_ci_low",
        "share_ci_high",
        "n_rated",
        "n_rated_disrupted",
        "impact",
        "impact_se",
        "impact_ci_low",
        "impact_ci_high",
        "impact_p",
        "priority",
        "ci_low",
        "ci_high",
        "frequency",
        "impact_level",
        "quadrant",
    ]
    out = out[cols]
    out.attrs["share_cutoff"] = s_cut
    out.attrs["impact_cutoff"] = i_cut
    out.attrs["method"] = method
    return out


def _bootstrap_priority(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    job_list: list[str],
    *,
    estimable: list[str],
    rating: str,
    id_column: str,
    job: str,
    polarity: str,
    fulfilment: bool,
    adjust_for: list[str],
    n_boot: int,
    random_state: int | None,
    ci: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap of 100 * share * impact, resampling comments."""
    low = np.full(len(job_list), np.nan)
    high = np.full(len(job_list), np.nan)
    if not estimable:
        return low, high
    feedback = feedback.reset_index(drop=True)
    _, disrupted, fulfilled = _indicator_table(
        feedback,
        codes,
        id_column=id_column,
        job=job,
        polarity=polarity,
        jobs=job_list,
        caller="priority_matrix",
    )
    disrupted = disrupted.reset_index(drop=True)
    fulfilled = fulfilled.reset_index(drop=True)
    y, x, names, rated = _impact_design(
        feedback,
        disrupted,
        fulfilled,
        rating=rating,
        adjust_for=adjust_for,
        fulfilment=fulfilment,
        estimable=estimable,
    )
    keep = _full_rank_columns(x)
    x = x[:, keep]
    names = [names[k] for k in keep]
    pos = {n.split(":", 1)[1]: k for k, n in enumerate(names) if n.startswith("disrupted:")}
    dis_all = disrupted[job_list].to_numpy(float)
    n = len(feedback)
    rated_idx = np.flatnonzero(rated)
    row_of = np.full(n, -1)
    row_of[rated_idx] = np.arange(len(rated_idx))
    rng = np.random.default_rng(random_state)
    draws = np.full((n_boot, len(job_list)), np.nan)
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        share = dis_all[idx].mean(axis=0)
        r = row_of[idx]
        r = r[r >= 0]
        coef, *_ = np.linalg.lstsq(x[r], y[r], rcond=None)
        xr = x[r]
        # a column absent from this resample is not identified: its coefficient is NaN
        present = np.abs(xr).sum(axis=0) > 0
        for k, j in enumerate(job_list):
            c = pos.get(j)
            if c is not None and present[c]:
                draws[b, k] = 100 * share[k] * -coef[c]
    alpha = (1 - ci) / 2
    for k in range(len(job_list)):
        d = draws[:, k]
        d = d[np.isfinite(d)]
        if d.size >= 10:
            low[k], high[k] = np.quantile(d, [alpha, 1 - alpha])
    return low, high


def record_priorities(
    priorities: pd.DataFrame, *, top: int = 5, prefix: str = "priorities"
) -> dict[str, Any]:
    """Record the top jobs of :func:`priority_matrix` or :func:`text_priorities`.

    Keys: ``<prefix>.top_jobs`` (ids, best first), ``<prefix>.rated`` (whether impacts on
    ratings were estimated) and, for each top job, ``<prefix>.<job>.n_disrupted``,
    ``.disruption_share`` (percentage points), ``.quadrant`` and, with ratings,
    ``.impact`` and ``.impact_ci`` (rating points).

    Parameters
    ----------
    priorities : pandas.DataFrame
        Output of :func:`priority_matrix` or :func:`text_priorities` (highest priority first).
    top : int, default 5
        Jobs recorded.
    prefix : str, default "priorities"
        Key prefix.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``priorities`` lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> from jtbd_methods.recovery import text_priorities
    >>> feedback = pd.DataFrame({"comment_id": ["c1", "c2"]})
    >>> codes = pd.DataFrame({"comment_id": ["c1"], "job_id": ["a"], "polarity": ["disrupted"]})
    >>> record_priorities(text_priorities(feedback, codes))["priorities.a.disruption_share"]
    50.0
    >>> report.reset()
    """
    caller = "record_priorities()"
    require_columns(
        priorities,
        ["job_id", "n_disrupted", "disruption_share", "quadrant", "rank"],
        name="priorities",
        caller=caller,
    )
    rated = "impact" in priorities.columns and bool(priorities["impact"].notna().any())
    ranked = priorities.loc[priorities["rank"].notna()].head(top)
    stored = {
        f"{prefix}.top_jobs": report.record(f"{prefix}.top_jobs", ranked["job_id"].tolist()),
        f"{prefix}.rated": report.record(f"{prefix}.rated", rated),
    }
    for row in ranked.itertuples(index=False):
        key = f"{prefix}.{report.key_part(row.job_id)}"
        values = {
            "n_disrupted": int(row.n_disrupted),
            "disruption_share": 100 * float(row.disruption_share),
            "quadrant": None if pd.isna(row.quadrant) else str(row.quadrant),
        }
        if rated:
            values["impact"] = row.impact
            values["impact_ci"] = [row.impact_ci_low, row.impact_ci_high]
        for name, value in values.items():
            stored[f"{key}.{name}"] = report.record(f"{key}.{name}", value)
    return stored
