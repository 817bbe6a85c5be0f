"""Service recovery: which disrupted jobs to fix first, what drives satisfaction, and the loop.

A complaint is evidence that a job the patient hired the service for was disrupted. This
module turns coded comments and survey answers into the improvement team's priorities:

* :func:`disruption_impact` — how much lower patients rate their care when a comment shows a
  job was disrupted (OLS with heteroscedasticity-robust HC3 standard errors);
* :func:`priority_matrix` — frequency x impact: rating points lost per 100 comments, with a
  confidence interval, a rank and a quadrant;
* :func:`key_drivers` — relative importance of satisfaction items (or jobs) for overall
  satisfaction, robust to correlated drivers: Johnson's relative weights and the
  Shapley / LMG decomposition of R²;
* :func:`working_sheet`, :func:`action_plan`, :func:`close_the_loop` and
  :func:`export_action_plan` — the improvement team's sheet, the actions under way for the
  top jobs, each action's measured effect on its job, and an XLSX to hand over.

References
----------
.. [1] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors
   in the linear regression model. *The American Statistician*, 54(3), 217-224.
.. [2] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
   predictor variables in multiple regression. *Multivariate Behavioral Research*, 35(1),
   1-19.
.. [3] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
   Multivariate Analysis*. Glenview, IL: Scott, Foresman (p. 119 ff.).
.. [4] Grömping, U. (2006). Relative importance for linear regression in R: the package
   relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
.. [5] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
   Hall (percentile intervals, ch. 13).
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.privacy import redact

__all__ = [
    "QUADRANTS",
    "action_plan",
    "close_the_loop",
    "disruption_impact",
    "export_action_plan",
    "key_drivers",
    "TEXT_QUADRANTS",
    "priority_matrix",
    "record_key_drivers",
    "record_priorities",
    "text_priorities",
    "working_sheet",
]

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

#: Polarities a code may carry; ``unclear`` codes count as neither disrupted nor fulfilled.
_POLARITIES = ("disrupted", "fulfilled", "unclear")
_MAX_SHAPLEY_DRIVERS = 15


# --------------------------------------------------------------------------------------------
# Disruption impact and priorities
# --------------------------------------------------------------------------------------------


def _indicator_table(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    id: str,
    job: str,
    polarity: str,
    jobs: Sequence[str] | None,
    caller: str,
) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """0/1 disruption and fulfilment indicators aligned with the rows of ``feedback``."""
    require_columns(codes, [id, job, polarity], name="codes", caller=caller)
    bad = sorted(set(codes[polarity].dropna().astype(str)) - set(_POLARITIES))
    if bad or codes[polarity].isna().any():
        shown = ", ".join(repr(b) for b in bad[:5]) or "<NA>"
        raise ValueError(
            f"The '{polarity}' column of 'codes' (in {caller}) must hold 'disrupted', "
            f"'fulfilled' or 'unclear'; got {shown}."
        )
    if feedback[id].duplicated().any():
        dup = feedback.loc[feedback[id].duplicated(), id].astype(str).head(5).tolist()
        raise ValueError(
            f"The '{id}' column of 'feedback' (in {caller}) must identify each comment once; "
            f"duplicated ids: {', '.join(dup)}."
        )
    known = set(feedback[id])
    unknown = ~codes[id].isin(known)
    if unknown.any():
        logger.warning(
            "%s: %d coded rows name comments that are not in 'feedback'; they are ignored.",
            caller,
            int(unknown.sum()),
        )
    codes = codes.loc[~unknown]
    if jobs is None:
        job_list = sorted(codes.loc[codes[polarity] == "disrupted", job].astype(str).unique())
    else:
        if isinstance(jobs, str) or not isinstance(jobs, Sequence):
            raise TypeError(
                f"The 'jobs' parameter of {caller} must be a sequence of job ids or None; "
                f"got {type(jobs).__name__}."
            )
        job_list = [str(j) for j in dict.fromkeys(jobs)]
    index = pd.Index(feedback[id], name=id)

    def _wide(pol: str) -> pd.DataFrame:
        sub = codes.loc[codes[polarity] == pol, [id, job]].drop_duplicates()
        sub = sub.assign(**{job: sub[job].astype(str)})
        sub = sub.loc[sub[job].isin(job_list)]
        wide = pd.crosstab(sub[id], sub[job]).clip(upper=1)
        return wide.reindex(index=index, columns=job_list, fill_value=0).fillna(0).astype(int)

    return job_list, _wide("disrupted"), _wide("fulfilled")


def _full_rank_columns(x: np.ndarray) -> list[int]:
    """Indices of columns kept, in order, so that the kept columns have full column rank."""
    kept: list[int] = []
    rank = 0
    for j in range(x.shape[1]):
        trial = x[:, [*kept, j]]
        r = np.linalg.matrix_rank(trial.T @ trial)
        if r > rank:
            kept.append(j)
            rank = r
    return kept


def _impact_design(
    feedback: pd.DataFrame,
    disrupted: pd.DataFrame,
    fulfilled: pd.DataFrame,
    *,
    rating: str,
    adjust_for: Sequence[str],
    fulfilment: bool,
    estimable: list[str],
) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Response, design matrix (with constant), column names and the rated-row mask."""
    y_all = pd.to_numeric(feedback[rating], errors="coerce").astype(float)
    rated = y_all.notna().to_numpy().copy()
    for col in adjust_for:
        rated &= feedback[col].notna().to_numpy()
    parts = [pd.DataFrame({"const": np.ones(int(rated.sum()))})]
    names_d = [f"disrupted:{j}" for j in estimable]
    parts.append(pd.DataFrame(disrupted.loc[rated, estimable].to_numpy(float), columns=names_d))
    if fulfilment:
        keep_f = [j for j in fulfilled.columns if fulfilled.loc[rated, j].sum() > 0]
        parts.append(
            pd.DataFrame(
                fulfilled.loc[rated, keep_f].to_numpy(float),
                columns=[f"fulfilled:{j}" for j in keep_f],
            )
        )
    for col in adjust_for:
        dummies = pd.get_dummies(
            feedback.loc[rated, col].astype(str), prefix=f"{col}", prefix_sep=":", drop_first=True
        )
        parts.append(dummies.astype(float).reset_index(drop=True))
    design = pd.concat(parts, axis=1)
    return y_all.to_numpy()[rated], design.to_numpy(float), list(design.columns), rated


def _fit_ols(y: np.ndarray, x: np.ndarray, names: list[str], *, caller: str):
    """OLS with HC3 errors, after dropping aliased columns and rows with leverage 1."""
    keep = _full_rank_columns(x)
    dropped = [names[j] for j in range(len(names)) if j not in keep]
    if dropped:
        logger.warning("%s: terms aliased with others and left out: %s", caller, ", ".join(dropped))
    x = x[:, keep]
    names = [names[j] for j in keep]
    rows = np.ones(len(y), dtype=bool)
    # A row with leverage 1 (e.g. the only comment of a site) makes HC3 undefined (0/0); it
    # carries no information about the other coefficients, so it is dropped with its column.
    xtx_inv = np.linalg.pinv(x.T @ x)
    lev = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    if np.any(lev > 1 - 1e-8):
        rows = lev <= 1 - 1e-8
        logger.warning("%s: %d comments with leverage 1 left out.", caller, int((~rows).sum()))
        sub = x[rows]
        keep2 = _full_rank_columns(sub)
        x = sub[:, keep2]
        names = [names[j] for j in keep2]
        y = y[rows]
    if x.shape[0] <= x.shape[1]:
        raise ValueError(
            f"{caller}: not enough rated comments ({x.shape[0]}) for {x.shape[1]} model terms."
        )
    result = sm.OLS(y, x).fit(cov_type="HC3")
    return result, names


def disruption_impact(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    rating: str = "rating",
    id: str = "comment_id",
    job: str = "job_id",
    polarity: str = "polarity",
    jobs: Sequence[str] | None = None,
    fulfilment: bool = False,
    adjust_for: Sequence[str] = (),
    min_n: int = 5,
    ci: float = 0.95,
) -> pd.DataFrame:
    """How much lower patients rate their care when a comment shows a job was disrupted.

    Regresses the rating of each comment on 0/1 indicators of every disrupted job (and
    optionally of every fulfilled job and categorical fixed effects such as site) by
    ordinary least squares with HC3 heteroscedasticity-robust standard errors [1]_.

    Parameters
    ----------
    feedback : pandas.DataFrame
        One row per comment, with an id column and a rating (1-5, 5 best; may be missing).
    codes : pandas.DataFrame
        Long table of codes as returned by ``coding.code_comments``: one row per
        (comment, job) with ``polarity`` ``"disrupted"`` or ``"fulfilled"``.
    rating, id, job, polarity : str
        Column names: rating and comment id in ``feedback`` (the id also in ``codes``), job
        id and polarity in ``codes``.
    jobs : sequence of str, optional
        Jobs to report, in this order. Default: every job with at least one disrupted
        comment, sorted by id. Jobs listed without disruptions get NaN estimates.
    fulfilment : bool, default False
        Also adjust for fulfilled-job indicators (a comment can praise one job and
        complain about another).
    adjust_for : sequence of str, default ()
        Columns of ``feedback`` entered as categorical fixed effects, e.g. ``("site",)``.
    min_n : int, default 5
        Smallest number of rated comments with the job disrupted for its impact to be
        estimated; rarer jobs get NaN (their comments stay in the reference group).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per job, in the order of ``jobs``:

        ``job_id``
            The job.
        ``n``
            Comments in ``feedback`` (denominator of the share).
        ``n_disrupted``
            Comments in which the job was disrupted.
        ``disruption_share``
            ``n_disrupted / n`` (0-1).
        ``share_ci_low``, ``share_ci_high``
            Wilson interval of the share.
        ``n_rated``
            Comments with a rating (and every ``adjust_for`` value) used in the regression.
        ``n_rated_disrupted``
            Of those, comments with the job disrupted.
        ``impact``
            Drop in mean rating (points on the 1-5 scale) when the job is disrupted, other
            coded jobs held constant; positive means worse. NaN when not estimable.
        ``se``
            HC3 standard error of ``impact``.
        ``ci_low``, ``ci_high``
            Wald interval of ``impact`` at level ``ci``.
        ``p``
            Two-sided p-value of ``impact = 0``.

    Raises
    ------
    TypeError
        If ``feedback`` or ``codes`` is not a DataFrame, or ``jobs`` is not a sequence.
    ValueError
        If a column is missing, polarities are not ``disrupted``/``fulfilled``, comment ids
        repeat in ``feedback``, ``ci`` is not in (0, 1), ``min_n`` < 2, or too few rated
        comments remain.

    Notes
    -----
    The model is :math:`y_i = \\beta_0 + \\sum_j \\beta_j D_{ij} + \\sum_k \\gamma_k F_{ik} +
    \\text{fixed effects} + \\varepsilon_i`, with :math:`D_{ij} = 1` when comment *i* shows job
    *j* disrupted. ``impact`` is :math:`-\\beta_j`: the difference in mean rating between
    comments with and without the disruption, holding the other jobs constant. HC3 errors
    stay valid when the rating variance differs between groups, as it does on a bounded
    1-5 scale [1]_. Equal to ``statsmodels.api.OLS(y, X).fit(cov_type="HC3")`` on the same
    design.

    Code the comments with polarity from their wording only
    (``code_comments(..., rating=None)``): when the coder also breaks ties with the rating,
    a low rating makes a comment "disrupted" and the regression then partly measures the
    rating against itself, inflating impacts. On the sample study the wording-only codes
    recover the planted top-six priority order exactly.

    Missing data: comments without a rating (or a fixed-effect value) count in ``n`` and
    ``n_disrupted`` but are left out of the regression. Terms aliased with others (e.g.
    two jobs always coded together) and comments with leverage 1 are left out, with a log
    warning.

    References
    ----------
    .. [1] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard
       errors in the linear regression model. *The American Statistician*, 54(3), 217-224.

    Examples
    --------
    >>> feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(8)],
    ...                          "rating": pd.array([5, 4, 5, 2, 1, 2, 5, 4], dtype="Int64")})
    >>> codes = pd.DataFrame({"comment_id": ["c3", "c4", "c5"], "job_id": "feel_heard",
    ...                       "polarity": "disrupted"})
    >>> out = disruption_impact(feedback, codes, min_n=2)
    >>> out[["job_id", "n_disrupted", "impact"]].round(2).to_dict("records")
    [{'job_id': 'feel_heard', 'n_disrupted': 3, 'impact': 2.93}]
    """
    caller = "disruption_impact"
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_dataframe(codes, parameter="codes", caller=caller)
    adjust_for = _column_list(adjust_for, parameter="adjust_for", caller=caller)
    require_columns(feedback, [id, rating, *adjust_for], name="feedback", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_n = check_int(min_n, parameter="min_n", caller=caller, minimum=2)
    if not isinstance(fulfilment, bool):
        raise TypeError(
            f"The 'fulfilment' parameter of {caller} must be True or False; got {fulfilment!r}."
        )

    feedback = feedback.reset_index(drop=True)
    job_list, disrupted, fulfilled = _indicator_table(
        feedback, codes, id=id, job=job, polarity=polarity, jobs=jobs, caller=caller
    )
    disrupted = disrupted.reset_index(drop=True)
    fulfilled = fulfilled.reset_index(drop=True)
    n = len(feedback)
    n_dis = disrupted.sum(axis=0).reindex(job_list).fillna(0).astype(int)
    y_ok = pd.to_numeric(feedback[rating], errors="coerce").notna()
    for col in adjust_for:
        y_ok &= feedback[col].notna()
    n_rated_dis = disrupted.loc[y_ok.to_numpy()].sum(axis=0).reindex(job_list).fillna(0).astype(int)
    estimable = [j for j in job_list if n_rated_dis[j] >= min_n]
    rare = [j for j in job_list if j not in estimable]
    if rare:
        logger.info(
            "%s: fewer than %d rated disrupted comments, impact not estimated for: %s",
            caller,
            min_n,
            ", ".join(rare),
        )

    est = pd.DataFrame(
        index=job_list, columns=["impact", "se", "ci_low", "ci_high", "p"], dtype=float
    )
    n_rated = int(y_ok.sum())
    if estimable:
        y, x, names, _ = _impact_design(
            feedback,
            disrupted,
            fulfilled,
            rating=rating,
            adjust_for=adjust_for,
            fulfilment=fulfilment,
            estimable=estimable,
        )
        result, names = _fit_ols(y, x, names, caller=caller)
        n_rated = int(result.nobs)
        z = stats.norm.ppf(0.5 + ci / 2)
        for k, name in enumerate(names):
            if not name.startswith("disrupted:"):
                continue
            j = name.split(":", 1)[1]
            b, se = float(result.params[k]), float(result.bse[k])
            est.loc[j] = [-b, se, -b - z * se, -b + z * se, float(result.pvalues[k])]

    low, high = wilson_interval(n_dis.to_numpy(), np.full(len(job_list), n), level=ci)
    out = pd.DataFrame(
        {
            "job_id": job_list,
            "n": n,
            "n_disrupted": n_dis.to_numpy(),
            "disruption_share": n_dis.to_numpy() / n if n else np.nan,
            "share_ci_low": np.atleast_1d(low),
            "share_ci_high": np.atleast_1d(high),
            "n_rated": n_rated,
            "n_rated_disrupted": n_rated_dis.to_numpy(),
            "impact": est["impact"].to_numpy(float),
            "se": est["se"].to_numpy(float),
            "ci_low": est["ci_low"].to_numpy(float),
            "ci_high": est["ci_high"].to_numpy(float),
            "p": est["p"].to_numpy(float),
        }
    )
    return out


def _column_list(value: Any, *, parameter: str, caller: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Sequence):
        raise TypeError(
            f"The '{parameter}' parameter of {caller} must be a column name or a sequence of "
            f"column names; got {type(value).__name__}."
        )
    return [str(v) for v in value]


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


def priority_matrix(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    rating: str = "rating",
    id: str = "comment_id",
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
    feedback, codes, rating, id, job, polarity, jobs, fulfilment, adjust_for, min_n
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
        id=id,
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
            id=id,
            job=job,
            polarity=polarity,
            fulfilment=fulfilment,
            adjust_for=_column_list(adjust_for, parameter="adjust_for", caller=caller),
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
    id: str,
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
        id=id,
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


# --------------------------------------------------------------------------------------------
# Key drivers: relative weights and Shapley / LMG
# --------------------------------------------------------------------------------------------


def _relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from a correlation matrix (drivers first, outcome last)."""
    rxx = corr[:-1, :-1]
    rxy = corr[:-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    if eigval.min() <= 1e-10 * max(1.0, eigval.max()):
        return np.full(len(rxy), np.nan)
    lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ beta**2


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of drivers, indexed by bit mask (driver j is bit j)."""
    p = corr.shape[0] - 1
    rxx = corr[:-1, :-1]
    rxy = corr[:-1, -1]
    r2 = np.zeros(2**p)
    for k in range(1, p + 1):
        combos = _combinations(p, k)
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        r = rxy[combos]
        try:
            sol = np.linalg.solve(sub, r[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return np.full(2**p, np.nan)
        masks = (1 << combos).sum(axis=1)
        r2[masks] = np.einsum("ij,ij->i", r, sol)
    return r2


@functools.lru_cache(maxsize=64)
def _combinations(p: int, k: int) -> np.ndarray:
    """All k-subsets of range(p) as an array of shape (C(p, k), k)."""
    return np.array(list(itertools.combinations(range(p), k)), dtype=int)


@functools.lru_cache(maxsize=16)
def _shapley_weights(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bit masks 0..2^p-1 and the Shapley weight |S|!(p-|S|-1)!/p! by subset size."""
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    w_by_size = np.array(
        [math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)]
    )
    return masks, size, w_by_size


def _lmg(corr: np.ndarray) -> np.ndarray:
    """Shapley / LMG decomposition of R² from a correlation matrix."""
    p = corr.shape[0] - 1
    r2 = _subset_r2(corr)
    if not np.all(np.isfinite(r2)):
        return np.full(p, np.nan)
    masks, size, w_by_size = _shapley_weights(p)
    out = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[without | (1 << j)] - r2[without]
        out[j] = np.sum(w_by_size[size[without]] * gain)
    return out


def _corr(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.corrcoef(values, rowvar=False)


def key_drivers(
    survey: pd.DataFrame,
    *,
    outcome: str = "overall_satisfaction",
    drivers: Sequence[str] | None = None,
    method: str = "relative_weights",
    by_job: bool = False,
    codebook: Any = None,
    prefix: str = "sat_",
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Relative importance of satisfaction items (or jobs) for overall satisfaction.

    Splits the R² of the regression of ``outcome`` on the drivers into one non-negative
    share per driver, robust to correlated drivers: Johnson's relative weights [2]_ or the
    Shapley / LMG decomposition [3]_ [4]_, with percentile bootstrap intervals [5]_.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent.
    outcome : str, default "overall_satisfaction"
        Column of the overall measure.
    drivers : sequence of str, optional
        Driver columns. Default: every column starting with ``prefix``.
    method : {"relative_weights", "shapley"}, default "relative_weights"
        ``"shapley"`` is exact (all :math:`2^p` subsets) and limited to 15 drivers.
    by_job : bool, default False
        Aggregate the items to jobs through ``codebook``: each job's driver is the mean of
        its answered ``sat_<outcome_id>`` items; the ``driver`` column then holds job ids.
    codebook : Codebook, optional
        Maps outcome ids to jobs (required with ``by_job=True``; otherwise adds ``job_id``).
    prefix : str, default ``"sat_"``
        Prefix of satisfaction items (``sat_<outcome_id>``).
    ci : float, default 0.95
        Confidence level of the bootstrap intervals.
    n_boot : int, default 1000
        Bootstrap resamples of respondents (0 for no intervals).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per driver, most important first:

        ``driver``
            Item column (or job id with ``by_job=True``).
        ``job_id``
            The item's job (``<NA>`` when unknown).
        ``n``
            Respondents used (complete on outcome and every driver).
        ``method``
            ``"relative_weights"`` or ``"shapley"``.
        ``weight``
            Share of R² attributed to the driver; the weights sum to ``r_squared``.
        ``ci_low``, ``ci_high``
            Percentile bootstrap interval of ``weight`` (NaN when ``n_boot=0``).
        ``percent_of_r2``
            ``100 * weight / r_squared`` (sums to 100).
        ``r_squared``
            R² of the full regression (same on every row).
        ``rank``
            1 = most important.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame or ``codebook`` lacks outcome mappings.
    ValueError
        If columns are missing, no driver is found, ``method`` is unknown, ``by_job=True``
        without a codebook, too many drivers for ``"shapley"``, fewer complete respondents
        than drivers + 2, or the drivers are perfectly collinear or constant.

    Notes
    -----
    With :math:`R_{xx} = Q\\Lambda Q'` the drivers' correlation matrix, Johnson's
    orthogonal counterparts have loadings :math:`\\Lambda^* = Q\\Lambda^{1/2}Q'`, the
    outcome's weights on them are :math:`\\beta^* = \\Lambda^{*-1} r_{xy}` and the relative
    weight of driver *j* is :math:`\\varepsilon_j = \\sum_k \\lambda^{*2}_{jk}\\beta^{*2}_k`.
    The LMG / Shapley value averages the increase in R² from adding driver *j* over all
    orders of entry: :math:`\\sum_{S \\subseteq N\\setminus\\{j\\}} \\frac{|S|!(p-|S|-1)!}{p!}
    [R^2(S\\cup\\{j\\}) - R^2(S)]`. Both sum to the full-model R² and both equal the squared
    correlations when the drivers are uncorrelated. Equal to R ``relaimpo::calc.relimp(...,
    type = "lmg")`` and ``rwa::rwa()``.

    Missing data: listwise deletion over outcome and drivers (with ``by_job=True`` a job's
    score is the mean of the items answered, so only respondents with none of a job's items
    are dropped). Bootstrap resamples in which a driver is constant are skipped.

    References
    ----------
    .. [2] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
       predictor variables in multiple regression. *Multivariate Behavioral Research*,
       35(1), 1-19.
    .. [3] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate
       and Multivariate Analysis*. Scott, Foresman.
    .. [4] Grömping, U. (2006). Relative importance for linear regression in R: the package
       relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
    .. [5] Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 300))
    >>> survey = pd.DataFrame({"sat_a": a, "sat_b": 0.5 * a + b,
    ...                        "overall_satisfaction": a + 0.3 * b + rng.normal(size=300)})
    >>> kd = key_drivers(survey, n_boot=0)
    >>> kd["driver"].tolist()
    ['sat_a', 'sat_b']
    >>> bool(np.isclose(kd["weight"].sum(), kd["r_squared"].iloc[0]))
    True
    """
    caller = "key_drivers"
    require_dataframe(survey, parameter="survey", caller=caller)
    method = one_of(method, ("relative_weights", "shapley"), parameter="method", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=0)
    if 0 < n_boot < 100:
        raise ValueError(
            f"The 'n_boot' parameter of {caller} must be 0 or at least 100; got {n_boot}."
        )
    require_columns(survey, [outcome], name="survey", caller=caller)
    if drivers is None:
        drivers = [c for c in survey.columns if str(c).startswith(prefix) and c != outcome]
    else:
        drivers = _column_list(drivers, parameter="drivers", caller=caller)
        require_columns(survey, drivers, name="survey", caller=caller)
    if not drivers:
        raise ValueError(
            f"{caller} found no driver columns: pass 'drivers' or use columns starting with "
            f"{prefix!r}."
        )
    item_job = (
        _item_jobs(codebook, drivers, prefix=prefix, caller=caller) if codebook is not None else {}
    )
    frame = survey[[outcome, *drivers]].apply(pd.to_numeric, errors="coerce").astype(float)
    if by_job:
        if codebook is None:
            raise ValueError(f"{caller}: by_job=True needs the study's codebook ('codebook=').")
        unmapped = [d for d in drivers if d not in item_job]
        if unmapped:
            logger.warning(
                "%s: items with no job in the codebook are left out: %s",
                caller,
                ", ".join(unmapped),
            )
        job_ids = list(dict.fromkeys(item_job[d] for d in drivers if d in item_job))
        if not job_ids:
            raise ValueError(f"{caller}: none of the driver items maps to a job of the codebook.")
        scores = {
            j: frame[[d for d in drivers if item_job.get(d) == j]].mean(axis=1, skipna=True)
            for j in job_ids
        }
        frame = pd.concat([frame[[outcome]], pd.DataFrame(scores)], axis=1)
        names = job_ids
        name_job = {j: j for j in job_ids}
    else:
        names = list(drivers)
        name_job = item_job
    p = len(names)
    if method == "shapley" and p > _MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"The 'shapley' method of {caller} is exact over 2^p subsets and allows at most "
            f"{_MAX_SHAPLEY_DRIVERS} drivers; got {p}. Use by_job=True or "
            f"method='relative_weights'."
        )
    complete = frame.dropna()
    n = len(complete)
    if n < len(frame):
        logger.info(
            "%s: %d of %d respondents dropped for missing answers.",
            caller,
            len(frame) - n,
            len(frame),
        )
    if n < p + 2:
        raise ValueError(
            f"{caller} needs more complete respondents than drivers + 1; got {n} for {p} drivers."
        )
    values = complete[[*names, outcome]].to_numpy(float)
    constant = [names[k] for k in range(p) if np.ptp(values[:, k]) == 0]
    if constant or np.ptp(values[:, -1]) == 0:
        which = ", ".join(constant) if constant else outcome
        raise ValueError(f"{caller}: constant column(s) have no correlation: {which}.")
    fn = _relative_weights if method == "relative_weights" else _lmg
    corr = _corr(values)
    weights = fn(corr)
    if not np.all(np.isfinite(weights)):
        raise ValueError(
            f"{caller}: the drivers are perfectly collinear (their correlation matrix is "
            f"singular); drop or combine redundant drivers."
        )
    rxx_inv_r = np.linalg.solve(corr[:-1, :-1], corr[:-1, -1])
    r2 = float(corr[:-1, -1] @ rxx_inv_r)

    low = np.full(p, np.nan)
    high = np.full(p, np.nan)
    if n_boot:
        rng = np.random.default_rng(random_state)
        draws = np.full((n_boot, p), np.nan)
        for b in range(n_boot):
            idx = rng.integers(0, n, size=n)
            c = _corr(values[idx])
            if np.all(np.isfinite(c)):
                draws[b] = fn(c)
        ok = np.all(np.isfinite(draws), axis=1)
        if ok.sum() < n_boot:
            logger.info(
                "%s: %d bootstrap resamples skipped (constant driver).",
                caller,
                int(n_boot - ok.sum()),
            )
        if ok.sum() >= 10:
            alpha = (1 - ci) / 2
            low, high = np.quantile(draws[ok], [alpha, 1 - alpha], axis=0)

    out = pd.DataFrame(
        {
            "driver": names,
            "job_id": pd.array([name_job.get(d) for d in names], dtype="string"),
            "n": n,
            "method": method,
            "weight": weights,
            "ci_low": low,
            "ci_high": high,
            "percent_of_r2": 100 * weights / r2 if r2 > 0 else np.nan,
            "r_squared": r2,
        }
    )
    out = out.sort_values(["weight", "driver"], ascending=[False, True], kind="mergesort")
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, p + 1)
    return out


def record_key_drivers(drivers: pd.DataFrame, *, prefix: str = "drivers") -> dict[str, Any]:
    """Record the headline figures of :func:`key_drivers` for ``results.json``.

    Parameters
    ----------
    drivers : pandas.DataFrame
        Output of :func:`key_drivers`.
    prefix : str, default "drivers"
        First part of the keys.

    Returns
    -------
    dict
        The recorded key -> value pairs:

        ``<prefix>.<driver>.relative_weight``
            ``100 * weight``: percentage points of the variance of the outcome attributed to
            the driver (the weights of all drivers add up to ``<prefix>.r_squared``).
        ``<prefix>.<driver>.relative_weight_ci``
            Its bootstrap interval ``[low, high]`` (``[null, null]`` without bootstrap).
        ``<prefix>.r_squared``
            ``100 * R²`` of the full model.
        ``<prefix>.ranking``
            Driver ids, most important first.

    Raises
    ------
    TypeError, ValueError
        If ``drivers`` is not a DataFrame or lacks a column, or a driver id is not a valid
        lower_snake key part.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> kd = pd.DataFrame({"driver": ["gain_clarity"], "weight": [0.12], "ci_low": [0.08],
    ...                    "ci_high": [0.16], "r_squared": [0.12]})
    >>> record_key_drivers(kd)["drivers.gain_clarity.relative_weight"]
    12.0
    >>> report.reset()
    """
    from jtbd_methods import report

    caller = "record_key_drivers"
    require_dataframe(drivers, parameter="drivers", caller=caller)
    require_columns(
        drivers,
        ["driver", "weight", "ci_low", "ci_high", "r_squared"],
        name="drivers",
        caller=caller,
    )
    out: dict[str, Any] = {}
    ranked = drivers.sort_values("weight", ascending=False, kind="mergesort")
    for row in ranked.itertuples(index=False):
        key = f"{prefix}.{row.driver}.relative_weight"
        out[key] = report.record(key, 100 * float(row.weight))
        out[key + "_ci"] = report.record(
            key + "_ci", [100 * float(row.ci_low), 100 * float(row.ci_high)]
        )
    if len(ranked):
        out[f"{prefix}.r_squared"] = report.record(
            f"{prefix}.r_squared", 100 * float(ranked["r_squared"].iloc[0])
        )
    out[f"{prefix}.ranking"] = report.record(
        f"{prefix}.ranking", [str(d) for d in ranked["driver"]]
    )
    return out


def _item_jobs(
    codebook: Any, drivers: Sequence[str], *, prefix: str, caller: str
) -> dict[str, str]:
    """Driver column -> job id through ``codebook.outcome_job()``."""
    mapping = getattr(codebook, "outcome_job", None)
    if not callable(mapping):
        raise TypeError(
            f"The 'codebook' parameter of {caller} must be a Codebook (with outcome_job()); "
            f"got {type(codebook).__name__}."
        )
    outcome_job = mapping()
    out = {}
    for d in drivers:
        oid = d[len(prefix) :] if d.startswith(prefix) else d
        if oid in outcome_job:
            out[d] = outcome_job[oid]
    return out


# --------------------------------------------------------------------------------------------
# The improvement team's sheet, the action plan and closing the loop
# --------------------------------------------------------------------------------------------

_SHEET_COLUMNS = [
    "rank",
    "job_id",
    "label",
    "statement",
    "priority",
    "ci_low",
    "ci_high",
    "disruption_share",
    "impact",
    "root_cause_questions",
    "emotional_barriers",
    "functional_barriers",
    "enablers",
    "owner_next_step",
]


def _lines(items: Any) -> str:
    return "\n".join(f"- {s}" for s in (items or ()))


def _top_jobs(
    priorities: pd.DataFrame, *, top: int, job: str, priority: str, caller: str
) -> pd.DataFrame:
    require_dataframe(priorities, parameter="priorities", caller=caller)
    require_columns(priorities, [job, priority], name="priorities", caller=caller)
    ranked = priorities.loc[priorities[priority].notna()]
    ranked = ranked.sort_values(priority, ascending=False, kind="mergesort")
    return ranked.head(top).reset_index(drop=True)


def working_sheet(
    codebook: Any,
    priorities: pd.DataFrame,
    *,
    top: int = 5,
    job: str = "job_id",
    priority: str = "priority",
) -> pd.DataFrame:
    """The improvement team's working sheet for the top disrupted jobs.

    Parameters
    ----------
    codebook : Codebook
        The study's codebook (labels, statements, root-cause questions, barriers, enablers).
    priorities : pandas.DataFrame
        Output of :func:`priority_matrix` (any table with ``job`` and ``priority`` columns;
        ``rank``, ``ci_low``, ``ci_high``, ``disruption_share`` and ``impact`` are carried
        over when present).
    top : int, default 5
        Number of jobs, highest priority first; jobs without a priority are left out.
    job, priority : str
        Column names in ``priorities``.

    Returns
    -------
    pandas.DataFrame
        One row per job:

        ``rank``, ``job_id``, ``label``, ``statement``
            The job, as the codebook states it.
        ``priority``, ``ci_low``, ``ci_high``, ``disruption_share``, ``impact``
            From ``priorities`` (NaN when absent).
        ``root_cause_questions``, ``emotional_barriers``, ``functional_barriers``, ``enablers``
            The codebook's lists, one ``- item`` per line.
        ``owner_next_step``
            Empty text, for the team to fill in.

    Raises
    ------
    TypeError
        If ``codebook`` is not a Codebook or ``priorities`` not a DataFrame.
    ValueError
        If columns are missing or ``top`` < 1.

    Notes
    -----
    Jobs that the codebook does not know keep their id as label and empty lists (logged).
    The sheet follows the root-cause framing of JTBD service recovery: what job was the
    patient trying to get done, where did the process fall short, which emotional and
    functional needs remain, and what would help.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [{"id": "feel_heard",
    ...     "label": "Feel seen and heard", "enablers": ["Teach-back at discharge"]}]})
    >>> pr = pd.DataFrame({"job_id": ["feel_heard"], "priority": [12.5]})
    >>> working_sheet(cb, pr)[["job_id", "label", "enablers"]].to_dict("records")
    [{'job_id': 'feel_heard', 'label': 'Feel seen and heard', 'enablers': '- Teach-back at discharge'}]
    """
    caller = "working_sheet"
    _require_codebook(codebook, caller=caller)
    top = check_int(top, parameter="top", caller=caller, minimum=1)
    chosen = _top_jobs(priorities, top=top, job=job, priority=priority, caller=caller)
    rows = []
    for k, rec in enumerate(chosen.to_dict("records"), start=1):
        jid = str(rec[job])
        try:
            j = codebook.job(jid)
        except KeyError:
            logger.warning("%s: job %r is not in the codebook.", caller, jid)
            j = None
        barriers = dict(getattr(j, "barriers", {}) or {})
        rows.append(
            {
                "rank": int(rec["rank"]) if "rank" in rec and pd.notna(rec["rank"]) else k,
                "job_id": jid,
                "label": j.label if j else jid,
                "statement": j.statement if j else "",
                "priority": float(rec[priority]),
                "ci_low": float(rec.get("ci_low", np.nan)),
                "ci_high": float(rec.get("ci_high", np.nan)),
                "disruption_share": float(rec.get("disruption_share", np.nan)),
                "impact": float(rec.get("impact", np.nan)),
                "root_cause_questions": _lines(j.root_cause_questions if j else ()),
                "emotional_barriers": _lines(barriers.get("emotional", ())),
                "functional_barriers": _lines(barriers.get("functional", ())),
                "enablers": _lines(j.enablers if j else ()),
                "owner_next_step": "",
            }
        )
    return pd.DataFrame(rows, columns=_SHEET_COLUMNS)


def _require_codebook(codebook: Any, *, caller: str) -> None:
    if not callable(getattr(codebook, "job", None)) or not hasattr(codebook, "jobs"):
        raise TypeError(
            f"The 'codebook' parameter of {caller} must be a Codebook; got {type(codebook).__name__}."
        )


_ACTION_COLUMNS = ["action_id", "job_id", "description", "owner", "started", "status"]


def _check_actions(actions: pd.DataFrame, *, caller: str) -> pd.DataFrame:
    """``actions`` checked, as a copy whose free text (description, owner) is redacted:
    both reach the client report, and people write phone numbers and names into them."""
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, _ACTION_COLUMNS, name="actions", caller=caller)
    out = actions.copy()
    for column in ("description", "owner"):
        values = out[column].map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v))
        out[column] = redact(values.astype(object), dob_before_year=0)
    return out


def action_plan(
    priorities: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
    top: int = 5,
    job: str = "job_id",
    priority: str = "priority",
) -> pd.DataFrame:
    """The actions under way for each top-priority job, and the top jobs with none.

    Parameters
    ----------
    priorities : pandas.DataFrame
        Output of :func:`priority_matrix`.
    actions : pandas.DataFrame, optional
        ``actions.csv``: ``action_id``, ``job_id``, ``description``, ``owner``, ``started``,
        ``status`` (optional ``sites``). ``None`` when the study has no actions file.
    codebook : Codebook, optional
        For job labels.
    top : int, default 5
        Number of top jobs.
    job, priority : str
        Column names in ``priorities``.

    Returns
    -------
    pandas.DataFrame
        One row per (top job, action), highest priority first; a top job without any action
        gets one row with empty action fields:

        ``rank``, ``job_id``, ``label``, ``priority``
            The job.
        ``action_id``, ``description``, ``owner``, ``started``, ``status``, ``sites``
            The action (``<NA>`` when none; ``sites`` empty when not given).
        ``has_action``
            ``False`` marks a priority job that nobody is working on yet — a gap.

    Raises
    ------
    TypeError
        If ``priorities`` or ``actions`` is not a DataFrame.
    ValueError
        If a required column is missing or ``top`` < 1.

    Examples
    --------
    >>> pr = pd.DataFrame({"job_id": ["feel_heard", "gain_clarity"], "priority": [9.0, 4.0]})
    >>> acts = pd.DataFrame({"action_id": ["A1"], "job_id": ["gain_clarity"],
    ...     "description": ["Discharge call"], "owner": ["Ward 3"],
    ...     "started": pd.to_datetime(["2024-03-01"]), "status": ["in progress"]})
    >>> plan = action_plan(pr, acts)
    >>> plan[["job_id", "has_action"]].to_dict("records")
    [{'job_id': 'feel_heard', 'has_action': False}, {'job_id': 'gain_clarity', 'has_action': True}]
    >>> plan["action_id"].tolist()
    [<NA>, 'A1']
    """
    caller = "action_plan"
    top = check_int(top, parameter="top", caller=caller, minimum=1)
    chosen = _top_jobs(priorities, top=top, job=job, priority=priority, caller=caller)
    if codebook is not None:
        _require_codebook(codebook, caller=caller)
    labels = _labels(codebook)
    if actions is not None:
        actions = _check_actions(actions, caller=caller)
    rows = []
    for k, rec in enumerate(chosen.to_dict("records"), start=1):
        jid = str(rec[job])
        base = {
            "rank": int(rec["rank"]) if "rank" in rec and pd.notna(rec["rank"]) else k,
            "job_id": jid,
            "label": labels.get(
                jid, rec.get("label", jid) if isinstance(rec.get("label"), str) else jid
            ),
            "priority": float(rec[priority]),
        }
        mine = actions.loc[actions["job_id"].astype(str) == jid] if actions is not None else None
        if mine is None or mine.empty:
            rows.append(
                {
                    **base,
                    "action_id": pd.NA,
                    "description": pd.NA,
                    "owner": pd.NA,
                    "started": pd.NaT,
                    "status": pd.NA,
                    "sites": "",
                    "has_action": False,
                }
            )
            continue
        for a in mine.sort_values("started", kind="mergesort").to_dict("records"):
            sites = a.get("sites", "")
            rows.append(
                {
                    **base,
                    "action_id": a["action_id"],
                    "description": a["description"],
                    "owner": a["owner"],
                    "started": a["started"],
                    "status": a["status"],
                    "sites": "" if pd.isna(sites) else str(sites),
                    "has_action": True,
                }
            )
    cols = [
        "rank",
        "job_id",
        "label",
        "priority",
        "action_id",
        "description",
        "owner",
        "started",
        "status",
        "sites",
        "has_action",
    ]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("action_id", "description", "owner", "status"):
        out[c] = out[c].astype("string")
    out["started"] = pd.to_datetime(out["started"])
    return out


def _labels(codebook: Any) -> dict[str, str]:
    if codebook is None:
        return {}
    labels = getattr(codebook, "labels", None)
    if callable(labels):
        return dict(labels())
    return {j.id: j.label for j in codebook.jobs}


def close_the_loop(
    actions: pd.DataFrame,
    effects: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
    id: str = "action_id",
    estimate: str = "level_change",
    ci_low: str | None = None,
    ci_high: str | None = None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Each improvement action with its status, its job and its measured effect on the job.

    Parameters
    ----------
    actions : pandas.DataFrame
        ``actions.csv`` (``action_id``, ``job_id``, ``description``, ``owner``, ``started``,
        ``status``; optional ``sites``).
    effects : pandas.DataFrame, optional
        Output of ``tracking.action_effects(feedback, codes, actions)``: one row per action
        with ``action_id``, ``level_change`` and its interval (percentage points); its other
        columns (``n_before``, ``share_after``, ``slope_change``, ``note`` ...) are carried
        over. ``None`` when effects have not been estimated.
    codebook : Codebook, optional
        For job labels.
    id, estimate : str
        Columns of the action id and of the effect estimate in ``effects``.
    ci_low, ci_high : str, optional
        Columns of the interval in ``effects``; default ``<estimate>_ci_low`` /
        ``<estimate>_ci_high`` (as ``tracking.action_effects`` names them) or, when those
        are absent, ``ci_low`` / ``ci_high``.
    higher_is_better : bool, default True
        Whether an increase of the measure is an improvement (True for the positive share
        of the job's comments that ``action_effects`` reports; False for a disruption rate).

    Returns
    -------
    pandas.DataFrame
        One row per action, in order of ``started``:

        ``action_id``, ``job_id``, ``label``, ``description``, ``owner``, ``started``, ``status``
            The action and its job.
        ``level_change``, ``ci_low``, ``ci_high``
            Measured change of the job's measure when the action started, in percentage
            points (NaN when not measured).
        ``verdict``
            ``"improved"`` (interval entirely on the better side of 0), ``"worsened"``
            (entirely on the worse side), ``"no clear change"`` (interval includes 0) or
            ``"not measured"``.

        Any further columns of ``effects`` follow.

    Raises
    ------
    TypeError
        If ``actions`` or ``effects`` is not a DataFrame, or ``higher_is_better`` not a bool.
    ValueError
        If required columns are missing or action ids repeat in ``effects``.

    Notes
    -----
    An interval that excludes zero is evidence of a change when the action started, not
    proof that the action caused it: other changes at the same time (staffing, case mix,
    seasonality) move the measure too. The interrupted time series of
    :func:`jtbd_methods.tracking.action_effects` adjusts for the trend before the action;
    pilots are better judged against the sites without the action.

    Examples
    --------
    >>> acts = pd.DataFrame({"action_id": ["A1", "A2"], "job_id": ["gain_clarity", "feel_heard"],
    ...     "description": ["Discharge call", "Bedside rounds"], "owner": ["Ward 3", "Ward 5"],
    ...     "started": pd.to_datetime(["2024-03-01", "2024-05-01"]), "status": ["done", "planned"]})
    >>> eff = pd.DataFrame({"action_id": ["A1"], "level_change": [6.2],
    ...                     "level_change_ci_low": [2.6], "level_change_ci_high": [9.8]})
    >>> close_the_loop(acts, eff)[["action_id", "verdict"]].to_dict("records")
    [{'action_id': 'A1', 'verdict': 'improved'}, {'action_id': 'A2', 'verdict': 'not measured'}]
    """
    caller = "close_the_loop"
    actions = _check_actions(actions, caller=caller)
    if codebook is not None:
        _require_codebook(codebook, caller=caller)
    if not isinstance(higher_is_better, bool):
        raise TypeError(
            f"The 'higher_is_better' parameter of {caller} must be True or False; "
            f"got {higher_is_better!r}."
        )
    labels = _labels(codebook)
    base = actions[_ACTION_COLUMNS].copy()
    base["action_id"] = base["action_id"].astype(str)
    base.insert(2, "label", [labels.get(str(j), str(j)) for j in base["job_id"]])
    if effects is None:
        eff = pd.DataFrame(columns=["action_id", "level_change", "ci_low", "ci_high"])
    else:
        require_dataframe(effects, parameter="effects", caller=caller)
        if ci_low is None:
            ci_low = f"{estimate}_ci_low" if f"{estimate}_ci_low" in effects.columns else "ci_low"
        if ci_high is None:
            ci_high = (
                f"{estimate}_ci_high" if f"{estimate}_ci_high" in effects.columns else "ci_high"
            )
        require_columns(effects, [id, estimate, ci_low, ci_high], name="effects", caller=caller)
        ids = effects[id].astype(str)
        if ids.duplicated().any():
            dup = ids[ids.duplicated()].head(5).tolist()
            raise ValueError(
                f"The '{id}' column of 'effects' (in {caller}) must name each action once; "
                f"repeated: {', '.join(dup)}."
            )
        rest = [
            c
            for c in effects.columns
            if c
            not in {
                id,
                estimate,
                ci_low,
                ci_high,
                "ci_low",
                "ci_high",
                "verdict",
                "label",
                *_ACTION_COLUMNS,
                "sites",
            }
        ]
        eff = pd.DataFrame(
            {
                "action_id": ids.to_numpy(),
                "level_change": effects[estimate].to_numpy(),
                "ci_low": effects[ci_low].to_numpy(),
                "ci_high": effects[ci_high].to_numpy(),
            }
        )
        eff = pd.concat([eff, effects[rest].reset_index(drop=True)], axis=1)
    out = base.merge(eff, on="action_id", how="left")
    for c in ("level_change", "ci_low", "ci_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    better_low = out["ci_low"] > 0 if higher_is_better else out["ci_high"] < 0
    worse = out["ci_high"] < 0 if higher_is_better else out["ci_low"] > 0
    out["verdict"] = np.select(
        [better_low, worse, out["level_change"].notna()],
        ["improved", "worsened", "no clear change"],
        default="not measured",
    )
    first = [
        *_ACTION_COLUMNS[:2],
        "label",
        *_ACTION_COLUMNS[2:],
        "level_change",
        "ci_low",
        "ci_high",
        "verdict",
    ]
    rest = [c for c in out.columns if c not in first]
    out = out[first + rest]
    return out.sort_values(["started", "action_id"], kind="mergesort").reset_index(drop=True)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """A copy for people: numbers rounded (shares, as fractions, to 3 decimals, other
    numbers to 2) and headers in words (``disruption_share`` -> "disruption share")."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            places = 3 if str(col).endswith("share") else 2
            out[col] = out[col].round(places) + 0.0
    return out.rename(columns=lambda c: str(c).replace("_", " ") if isinstance(c, str) else c)


def export_action_plan(
    sheet: pd.DataFrame,
    plan: pd.DataFrame,
    path: str | Path,
    *,
    loop: pd.DataFrame | None = None,
) -> Path:
    """Write the working sheet and the action plan to an XLSX workbook, atomically.

    Parameters
    ----------
    sheet : pandas.DataFrame
        Output of :func:`working_sheet` (sheet "Working sheet").
    plan : pandas.DataFrame
        Output of :func:`action_plan` (sheet "Action plan").
    path : str or Path
        Destination ``.xlsx`` file; parent folders are created.
    loop : pandas.DataFrame, optional
        Output of :func:`close_the_loop` (sheet "Closing the loop").

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If a table is not a DataFrame.
    ValueError
        If ``path`` does not end in ``.xlsx``.

    Notes
    -----
    Cells go through :func:`jtbd_methods.privacy.safe_to_excel`, which neutralises text that
    a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...), and which writes
    the workbook to a temporary file beside ``path`` and moves it into place with
    :func:`os.replace`, so a failure never leaves a half-written file.

    Examples
    --------
    >>> import tempfile, os
    >>> sheet = pd.DataFrame({"job_id": ["feel_heard"], "owner_next_step": [""]})
    >>> plan = pd.DataFrame({"job_id": ["feel_heard"], "action_id": ["=HYPERLINK(1)"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = export_action_plan(sheet, plan, os.path.join(d, "action_plan.xlsx"))
    ...     out.name
    'action_plan.xlsx'
    """
    caller = "export_action_plan"
    require_dataframe(sheet, parameter="sheet", caller=caller)
    require_dataframe(plan, parameter="plan", caller=caller)
    if loop is not None:
        require_dataframe(loop, parameter="loop", caller=caller)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(
            f"The 'path' parameter of {caller} must end in '.xlsx'; got {str(path)!r}."
        )
    from jtbd_methods.privacy import safe_to_excel

    sheets = {"Working sheet": _readable(sheet), "Action plan": _readable(plan)}
    if loop is not None:
        sheets["Closing the loop"] = _readable(loop)
    # safe_to_excel writes to a temporary file beside ``path`` and os.replace()s it.
    safe_to_excel(sheets, path, index=False)
    logger.info("%s: wrote %s", caller, path)
    return path


def text_priorities(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    id: str = "comment_id",
    job: str = "job_id",
    polarity: str = "polarity",
    jobs: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    share_cutoff: float | None = None,
    severity_cutoff: float | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Rank disrupted jobs from the words alone, for studies whose comments have no rating.

    Parameters
    ----------
    feedback, codes, id, job, polarity, jobs
        As in :func:`priority_matrix`; ``feedback`` needs only the id column.
    labels : mapping of str to str, optional
        Job id -> label for a ``label`` column.
    share_cutoff, severity_cutoff : float, optional
        Cut-offs (fractions) between low and high frequency and severity; default the
        medians over the jobs mentioned at least once.
    ci : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per job, most disrupted first: ``rank`` (Int64), ``job_id``, ``label``,
        ``n`` (comments), ``n_mentioned``, ``n_disrupted``, ``disruption_share`` (share of
        all comments in which the job is disrupted) with ``share_ci_low``/``share_ci_high``,
        ``severity`` (share of the job's mentions that are disruptions) with
        ``severity_ci_low``/``severity_ci_high``, ``priority`` (disrupted comments per 100
        comments), ``frequency``, ``severity_level`` and ``quadrant`` (one of
        :data:`TEXT_QUADRANTS`). ``attrs`` hold the cut-offs and ``rated = False``.

    Raises
    ------
    TypeError, ValueError
        As :func:`priority_matrix`.

    Notes
    -----
    Without ratings there is no impact to estimate: the priority is how often a job is
    disrupted, and the second axis is how often it goes wrong when patients mention it.
    Only ``polarity == "disrupted"`` counts as a disruption; ``unclear`` codes count as
    mentions. The same counts as :func:`priority_matrix` (``n_disrupted``) and as the job
    discovery report, because both count comments with at least one disrupted code.

    Examples
    --------
    >>> feedback = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"]})
    >>> codes = pd.DataFrame({"comment_id": ["c1", "c2", "c3"], "job_id": ["a", "a", "b"],
    ...                       "polarity": ["disrupted", "unclear", "disrupted"]})
    >>> text_priorities(feedback, codes)[["rank", "job_id", "n_mentioned", "n_disrupted",
    ...                                   "severity"]]
       rank job_id  n_mentioned  n_disrupted  severity
    0     1      b            1            1       1.0
    1     1      a            2            1       0.5
    """
    caller = "text_priorities()"
    require_columns(feedback, [id], name="feedback", caller=caller)
    job_list, disrupted, _ = _indicator_table(
        feedback, codes, id=id, job=job, polarity=polarity, jobs=jobs, caller=caller
    )
    known = codes.loc[codes[id].isin(set(feedback[id]))]
    mentioned = known[[id, job]].drop_duplicates()
    mentioned = mentioned.assign(**{job: mentioned[job].astype(str)})
    n_mentioned = mentioned.groupby(job).size().reindex(job_list, fill_value=0)
    if jobs is None:
        job_list = sorted(set(job_list) | set(n_mentioned.index[n_mentioned > 0]))
        n_mentioned = mentioned.groupby(job).size().reindex(job_list, fill_value=0)
        disrupted = disrupted.reindex(columns=job_list, fill_value=0)
    n = len(feedback)
    n_dis = disrupted.sum(axis=0).reindex(job_list).to_numpy(int)
    n_men = n_mentioned.to_numpy(int)
    out = pd.DataFrame({"job_id": job_list, "n": n, "n_mentioned": n_men, "n_disrupted": n_dis})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["disruption_share"] = n_dis / n if n else np.nan
        out["severity"] = np.where(n_men > 0, n_dis / np.maximum(n_men, 1), np.nan)
    low, high = wilson_interval(n_dis, np.full(len(out), n), level=ci)
    out["share_ci_low"], out["share_ci_high"] = low, high
    low, high = wilson_interval(n_dis, n_men, level=ci)
    out["severity_ci_low"], out["severity_ci_high"] = low, high
    out["priority"] = 100 * out["disruption_share"]
    seen = out["n_mentioned"] > 0
    s_cut, v_cut = _assign_quadrants(
        out, seen, "severity", "severity_level", share_cutoff, severity_cutoff, TEXT_QUADRANTS
    )
    out["label"] = [(labels or {}).get(j, j) for j in out["job_id"]]
    out = out.sort_values(
        ["priority", "severity", "job_id"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    out["rank"] = pd.array(
        out["priority"].where(seen).rank(method="min", ascending=False), dtype="Int64"
    )
    cols = [
        "rank",
        "job_id",
        "label",
        "n",
        "n_mentioned",
        "n_disrupted",
        "disruption_share",
        "share_ci_low",
        "share_ci_high",
        "severity",
        "severity_ci_low",
        "severity_ci_high",
        "priority",
        "frequency",
        "severity_level",
        "quadrant",
    ]
    out = out[cols]
    out.attrs.update({"share_cutoff": s_cut, "severity_cutoff": v_cut, "rated": False})
    return out


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
    >>> feedback = pd.DataFrame({"comment_id": ["c1", "c2"]})
    >>> codes = pd.DataFrame({"comment_id": ["c1"], "job_id": ["a"], "polarity": ["disrupted"]})
    >>> record_priorities(text_priorities(feedback, codes))["priorities.a.disruption_share"]
    50.0
    >>> report.reset()
    """
    from jtbd_methods import report

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
