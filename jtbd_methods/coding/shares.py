"""Tables of the codes: the 0/1 coded matrix and job shares with Wilson intervals."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_names,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.codebook import Codebook
from jtbd_methods.coding._common import (
    _POLARITIES,
)
from jtbd_methods.coding.deductive import (
    _check_ids,
)
from jtbd_methods.coding.matcher import (
    CompiledCodebook,
)

_log = logging.getLogger(__name__)


# --------------------------------------------------------------------- tables of the codes
def _ids_of(comment_ids: Any, *, id_column: str, caller: str) -> pd.Series:
    if isinstance(comment_ids, pd.DataFrame):
        require_columns(comment_ids, [id_column], name="comment_ids", caller=caller)
        ids = comment_ids[id_column]
    elif isinstance(comment_ids, pd.Series | pd.Index | np.ndarray | list | tuple):
        ids = pd.Series(
            np.asarray(comment_ids, dtype=object)
            if not isinstance(comment_ids, pd.Series)
            else comment_ids
        )
    else:
        raise TypeError(
            f"The 'comment_ids' parameter of {caller} must be a Series, list or array of ids, "
            f"or a DataFrame with a {id_column!r} column; got {type(comment_ids).__name__}."
        )
    _check_ids(ids.rename(id_column), caller=caller)
    return ids.reset_index(drop=True)


def _job_list(job_ids: Any, *, caller: str) -> list[str]:
    """Job ids from a codebook or a list (the package's one list validator)."""
    if isinstance(job_ids, Codebook | CompiledCodebook):
        return list(job_ids.job_ids)
    return check_names(job_ids, parameter="job_ids", caller=caller, allow_single=False)


def _check_codes(codes: Any, *, caller: str) -> pd.DataFrame:
    require_dataframe(codes, parameter="codes", caller=caller)
    require_columns(codes, ["comment_id", "job_id", "polarity"], name="codes", caller=caller)
    bad = ~codes["polarity"].isin(_POLARITIES)
    if bad.any():
        raise ValueError(
            f"{caller}: 'codes.polarity' must be 'disrupted', 'fulfilled' or 'unclear'; got "
            f"{codes['polarity'][bad].unique()[:5].tolist()}."
        )
    return codes


def coded_matrix(
    codes: pd.DataFrame,
    comment_ids: Any,
    job_ids: Any,
    *,
    polarity: str | None = None,
    prefix: str = "",
    id_column: str = "comment_id",
) -> pd.DataFrame:
    """Wide 0/1 table of codes: one row per comment, one column per job.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments` (``comment_id``, ``job_id``, ``polarity``).
    comment_ids : Series, list, array or DataFrame
        Every comment coded (comments without codes get zeros), in the order wanted; or a
        DataFrame with an ``id_column`` column.
    job_ids : sequence of str or Codebook
        The jobs, in the column order wanted.
    polarity : {"disrupted", "fulfilled", "unclear"} or None, default None
        Count only codes of this polarity (``None``: any mention).
    prefix : str, default ""
        Prefix of the job columns (``"code_"`` gives the hand-coding layout).
    id_column : str, default "comment_id"
        Name of the id column in the output (and in ``comment_ids`` when a DataFrame).

    Returns
    -------
    pandas.DataFrame
        ``id_column`` followed by one ``int64`` 0/1 column per job (``prefix + job_id``).
        Codes of comments or jobs not listed are ignored.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``codes`` lacks a column, ids are missing or duplicated, or ``polarity`` is unknown.

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"],
    ...                       "polarity": ["disrupted"]})
    >>> coded_matrix(codes, ["a", "b"], ["gain_clarity", "feel_heard"])
      comment_id  gain_clarity  feel_heard
    0          a             1           0
    1          b             0           0
    """
    caller = "coded_matrix"
    codes = _check_codes(codes, caller=caller)
    if polarity is not None:
        one_of(polarity, _POLARITIES, parameter="polarity", caller=caller)
        codes = codes[codes["polarity"] == polarity]
    ids = _ids_of(comment_ids, id_column=id_column, caller=caller)
    jobs = _job_list(job_ids, caller=caller)
    rows = pd.Index(ids).get_indexer(codes["comment_id"])
    cols = pd.Index(jobs).get_indexer(codes["job_id"])
    keep = (rows >= 0) & (cols >= 0)
    matrix = np.zeros((len(ids), len(jobs)), dtype=np.int64)
    matrix[rows[keep], cols[keep]] = 1
    out = pd.DataFrame(matrix, columns=[f"{prefix}{j}" for j in jobs])
    out.insert(0, id_column, ids.to_numpy())
    if isinstance(comment_ids, pd.DataFrame | pd.Series):
        out[id_column] = out[id_column].astype(ids.dtype)
    return out


def job_shares(
    codes: pd.DataFrame,
    comment_ids: Any,
    *,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    job_ids: Any = None,
    id_column: str = "comment_id",
) -> pd.DataFrame:
    """Share of comments that mention each job, and how often the job was disrupted.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments`.
    comment_ids : Series, list, array or DataFrame
        Every comment coded (the denominator). With ``by``, a DataFrame holding
        ``id_column`` and the ``by`` columns (e.g. the study's feedback table).
    by : str or list of str, optional
        Grouping columns of ``comment_ids`` (e.g. ``"site"``); one row per group and job.
    ci : float, default 0.95
        Confidence level of the Wilson intervals.
    job_ids : sequence of str or Codebook, optional
        Jobs to report, in order (default: the jobs present in ``codes``, sorted); jobs with no
        code get zero counts.
    id_column : str, default "comment_id"
        Id column of ``comment_ids`` when it is a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per (group, job): the ``by`` columns, then

        * ``job_id`` -- the job;
        * ``n`` -- comments in the group (the denominator);
        * ``n_mentioned`` -- comments that mention the job;
        * ``share``, ``ci_low``, ``ci_high`` -- ``n_mentioned / n`` with its Wilson interval
          (fractions 0-1);
        * ``n_disrupted`` -- comments where the job was disrupted;
        * ``n_unclear`` -- comments that mention the job with no readable polarity;
        * ``disrupted_share``, ``disrupted_ci_low``, ``disrupted_ci_high`` --
          ``n_disrupted / (n_mentioned - n_unclear)``: of the comments that mention the job
          with a readable polarity, the share that report it disrupted, with its Wilson
          interval (NaN when there are none). Unclear mentions are never counted as
          disruptions, nor do they dilute the share.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type, a column is missing, ids are missing or duplicated,
        or ``ci`` is not in (0, 1).

    Notes
    -----
    Wilson score intervals [1]_ keep their coverage for small groups and shares near 0 or 1.
    Each comment counts at most once per job (the long table has one row per comment and job).
    Rows with a missing ``by`` value form their own group (shown as missing). Groups are not
    suppressed here; pass the result through ``privacy.suppress_small`` before publishing.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *Journal of the American Statistical Association*, 22(158), 209-212.

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a", "b"], "job_id": ["gain_clarity"] * 2,
    ...                       "polarity": ["disrupted", "fulfilled"]})
    >>> out = job_shares(codes, ["a", "b", "c", "d"])
    >>> out[["job_id", "n", "n_mentioned", "share", "disrupted_share"]]
             job_id  n  n_mentioned  share  disrupted_share
    0  gain_clarity  4            2    0.5              0.5
    """
    caller = "job_shares"
    codes = _check_codes(codes, caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols and not isinstance(comment_ids, pd.DataFrame):
        raise TypeError(
            f"{caller}: with 'by', 'comment_ids' must be a DataFrame holding {id_column!r} and "
            f"{by_cols}; got {type(comment_ids).__name__}."
        )
    if by_cols:
        require_columns(comment_ids, [id_column, *by_cols], name="comment_ids", caller=caller)
    ids = _ids_of(comment_ids, id_column=id_column, caller=caller)
    jobs = (
        sorted(codes["job_id"].astype(str).unique().tolist())
        if job_ids is None
        else _job_list(job_ids, caller=caller)
    )
    keys = None
    if by_cols:
        grouped = (
            comment_ids[by_cols]
            .reset_index(drop=True)
            .groupby(by_cols, dropna=False, sort=True, observed=True)
        )
        group_index = grouped.ngroup().to_numpy(dtype=np.int64)
        keys = grouped.size().reset_index()[by_cols]
    else:
        group_index = np.zeros(len(ids), dtype=np.int64)
    n_groups = len(keys) if keys is not None else 1
    n_jobs = len(jobs)
    totals = np.bincount(group_index, minlength=n_groups).astype(np.int64)
    rows = pd.Index(ids).get_indexer(codes["comment_id"])
    cols = pd.Index(jobs).get_indexer(codes["job_id"].astype(str))
    keep = (rows >= 0) & (cols >= 0)
    cell = group_index[rows[keep]] * n_jobs + cols[keep]
    # one count per comment and job even if the long table were to repeat a pair
    pair = rows[keep].astype(np.int64) * n_jobs + cols[keep]
    _, first = np.unique(pair, return_index=True)
    mentioned = np.bincount(cell[first], minlength=n_groups * n_jobs)
    pol = codes["polarity"].to_numpy()[keep]

    def per_cell(value: str) -> np.ndarray:
        # a comment counts once per job: disrupted wins over fulfilled over unclear
        pairs = np.unique(pair[pol == value])
        if value == "unclear":
            pairs = np.setdiff1d(pairs, pair[pol != "unclear"])
        cells = group_index[pairs // n_jobs] * n_jobs + pairs % n_jobs
        return np.bincount(cells, minlength=n_groups * n_jobs)

    disrupted = per_cell("disrupted")
    unclear = per_cell("unclear")
    readable = mentioned - unclear
    n = np.repeat(totals, n_jobs)
    lo, hi = wilson_interval(mentioned, n, level=ci)
    dlo, dhi = wilson_interval(disrupted, readable, level=ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, mentioned / np.maximum(n, 1), np.nan)
        dshare = np.where(readable > 0, disrupted / np.maximum(readable, 1), np.nan)
    out = pd.DataFrame(
        {
            "job_id": pd.Series(np.tile(np.array(jobs, dtype=object), n_groups), dtype="str"),
            "n": n,
            "n_mentioned": mentioned.astype(np.int64),
            "share": share,
            "ci_low": np.asarray(lo, dtype=float),
            "ci_high": np.asarray(hi, dtype=float),
            "n_disrupted": disrupted.astype(np.int64),
            "n_unclear": unclear.astype(np.int64),
            "disrupted_share": dshare,
            "disrupted_ci_low": np.asarray(dlo, dtype=float),
            "disrupted_ci_high": np.asarray(dhi, dtype=float),
        }
    )
    if keys is not None:
        expanded = keys.loc[np.repeat(np.arange(len(keys)), n_jobs)].reset_index(drop=True)
        out = pd.concat([expanded, out], axis=1)
    return out


def record_job_shares(shares: pd.DataFrame, *, prefix: str = "jobs") -> dict[str, Any]:
    """Record each job's share of comments for ``results.json`` (``report.record``).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`job_shares` without ``by``.
    prefix : str, default "jobs"
        First part of the keys.

    Returns
    -------
    dict
        The recorded keys and values: ``<prefix>.<job_id>.share`` and ``.share_ci`` (percentage
        points of all comments), ``.disrupted_share`` and ``.disrupted_share_ci`` (percentage
        points of the comments that mention the job with a readable polarity),
        ``.n_mentioned``, ``.n_disrupted``; and
        ``<prefix>.ranking`` (job ids, most mentioned first) and
        ``<prefix>.disrupted_ranking`` (job ids, most comments with the job disrupted first).

    Raises
    ------
    ValueError
        If ``shares`` lacks a column or has one row per group (``by``).

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"],
    ...                       "polarity": ["disrupted"]})
    >>> out = record_job_shares(job_shares(codes, ["a", "b"]))
    >>> out["jobs.gain_clarity.share"], out["jobs.ranking"]
    (50.0, ['gain_clarity'])
    >>> from jtbd_methods import report; report.reset()
    """
    from jtbd_methods import report

    caller = "record_job_shares"
    require_columns(
        shares,
        [
            "job_id",
            "n_mentioned",
            "share",
            "ci_low",
            "ci_high",
            "n_disrupted",
            "disrupted_share",
            "disrupted_ci_low",
            "disrupted_ci_high",
        ],
        name="shares",
        caller=caller,
    )
    if shares["job_id"].duplicated().any():
        raise ValueError(
            f"{caller}: 'shares' has several rows per job; pass the result of "
            "job_shares without 'by'."
        )
    out: dict[str, Any] = {}

    def pp(v: Any) -> float:
        return float(100.0 * v)

    for row in shares.itertuples(index=False):
        key = f"{prefix}.{row.job_id}"
        out[f"{key}.share"] = report.record(f"{key}.share", pp(row.share))
        out[f"{key}.share_ci"] = report.record(f"{key}.share_ci", [pp(row.ci_low), pp(row.ci_high)])
        out[f"{key}.n_mentioned"] = report.record(f"{key}.n_mentioned", int(row.n_mentioned))
        out[f"{key}.n_disrupted"] = report.record(f"{key}.n_disrupted", int(row.n_disrupted))
        out[f"{key}.disrupted_share"] = report.record(
            f"{key}.disrupted_share", pp(row.disrupted_share)
        )
        out[f"{key}.disrupted_share_ci"] = report.record(
            f"{key}.disrupted_share_ci", [pp(row.disrupted_ci_low), pp(row.disrupted_ci_high)]
        )
    ranking = shares.sort_values(["share", "job_id"], ascending=[False, True], kind="stable")
    out[f"{prefix}.ranking"] = report.record(
        f"{prefix}.ranking", ranking["job_id"].astype(str).tolist()
    )
    disrupted = shares.sort_values(
        ["n_disrupted", "job_id"], ascending=[False, True], kind="stable"
    )
    out[f"{prefix}.disrupted_ranking"] = report.record(
        f"{prefix}.disrupted_ranking", disrupted["job_id"].astype(str).tolist()
    )
    return out


def shares_for_report(shares: pd.DataFrame, *, labels: Any = None) -> pd.DataFrame:
    """Job shares in percent, with job labels, ready for ``report.table``.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`job_shares` (with or without ``by``; not modified).
    labels : mapping of str to str or Codebook, optional
        Job id -> label (a Codebook gives its labels).

    Returns
    -------
    pandas.DataFrame
        The same rows with ``label`` inserted after ``job_id`` and ``share``, ``ci_low``,
        ``ci_high``, ``disrupted_share``, ``disrupted_ci_low``, ``disrupted_ci_high``
        multiplied by 100 (percent); other columns unchanged.

    Examples
    --------
    >>> shares = pd.DataFrame({"job_id": ["x"], "share": [0.25], "ci_low": [0.2],
    ...                        "ci_high": [0.3]})
    >>> shares_for_report(shares, labels={"x": "Job X"})[["label", "share"]].values.tolist()
    [['Job X', 25.0]]
    """
    caller = "shares_for_report"
    require_columns(shares, ["job_id"], name="shares", caller=caller)
    names = labels.labels() if isinstance(labels, Codebook) else dict(labels or {})
    out = shares.copy()
    for col in (
        "share",
        "ci_low",
        "ci_high",
        "disrupted_share",
        "disrupted_ci_low",
        "disrupted_ci_high",
    ):
        if col in out.columns:
            out[col] = 100.0 * pd.to_numeric(out[col], errors="coerce").astype("Float64")
    position = list(out.columns).index("job_id") + 1
    out.insert(
        position,
        "label",
        pd.Series([names.get(j, j) for j in out["job_id"]], index=out.index, dtype="str"),
    )
    return out
