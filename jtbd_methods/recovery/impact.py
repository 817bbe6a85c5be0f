"""Disruption impact: how much lower patients rate their care when a job is disrupted.

A complaint is evidence that a job the patient hired the service for was disrupted.
:func:`disruption_impact` regresses the comment's rating on 0/1 indicators of the disrupted
jobs (OLS with heteroscedasticity-robust HC3 standard errors [1]_), optionally adjusting for
fulfilled jobs and other columns, and reports each job's share of comments with its Wilson
interval [2]_.

References
----------
.. [1] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors
   in the linear regression model. *The American Statistician*, 54(3), 217-224.
.. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *JASA*, 22(158), 209-212.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    check_names,
    require_columns,
    require_dataframe,
)

__all__ = ["disruption_impact"]

logger = logging.getLogger(__name__)


_POLARITIES = ("disrupted", "fulfilled", "unclear")


def _indicator_table(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    id_column: str,
    job: str,
    polarity: str,
    jobs: Sequence[str] | None,
    caller: str,
) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """0/1 disruption and fulfilment indicators aligned with the rows of ``feedback``."""
    require_columns(codes, [id_column, job, polarity], name="codes", caller=caller)
    bad = sorted(set(codes[polarity].dropna().astype(str)) - set(_POLARITIES))
    if bad or codes[polarity].isna().any():
        shown = ", ".join(repr(b) for b in bad[:5]) or "<NA>"
        raise ValueError(
            f"The '{polarity}' column of 'codes' (in {caller}) must hold 'disrupted', "
            f"'fulfilled' or 'unclear'; got {shown}."
        )
    if feedback[id_column].duplicated().any():
        dup = feedback.loc[feedback[id_column].duplicated(), id_column].astype(str).head(5).tolist()
        raise ValueError(
            f"The '{id_column}' column of 'feedback' (in {caller}) must identify each comment once; "
            f"duplicated ids: {', '.join(dup)}."
        )
    known = set(feedback[id_column])
    unknown = ~codes[id_column].isin(known)
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
        job_list = check_names(
            jobs, parameter="jobs", caller=caller, allow_none=False, allow_single=False
        )
    index = pd.Index(feedback[id_column], name=id_column)

    def _wide(pol: str) -> pd.DataFrame:
        sub = codes.loc[codes[polarity] == pol, [id_column, job]].drop_duplicates()
        sub = sub.assign(**{job: sub[job].astype(str)})
        sub = sub.loc[sub[job].isin(job_list)]
        wide = pd.crosstab(sub[id_column], sub[job]).clip(upper=1)
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


@renamed_keywords(id="id_column")
def disruption_impact(
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
    rating, id_column, job, polarity : str
        Column names: rating and comment id in ``feedback`` (the id also in ``codes``), job
        id and polarity in ``codes``. ``id_column`` was ``id`` before 0.2 (still accepted,
        with a :class:`FutureWarning`).
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
    adjust_for = check_names(adjust_for, parameter="adjust_for", caller=caller)
    require_columns(feedback, [id_column, rating, *adjust_for], name="feedback", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_n = check_int(min_n, parameter="min_n", caller=caller, minimum=2)
    if not isinstance(fulfilment, bool):
        raise TypeError(
            f"The 'fulfilment' parameter of {caller} must be True or False; got {fulfilment!r}."
        )

    feedback = feedback.reset_index(drop=True)
    job_list, disrupted, fulfilled = _indicator_table(
        feedback, codes, id_column=id_column, job=job, polarity=polarity, jobs=jobs, caller=caller
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
