"""Tracking a study whose comments carry no ratings: what the words say over time.

:func:`has_ratings` tells the two kinds of study apart; :func:`mention_rates` gives each job's
share of comments and its disrupted share per period; :func:`text_action_effects` estimates
what each action changed in its job's disrupted share and
:func:`record_text_action_effects` records it.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import report
from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.report import key_part as report_key_part
from jtbd_methods.tracking._shared import (
    _as_datetime,
    _period_alias,
    _period_range,
    _period_start,
    renamed_keywords,
)
from jtbd_methods.tracking.its import its
from jtbd_methods.tracking.verdict import effect_verdict

logger = logging.getLogger(__name__)


def has_ratings(feedback: pd.DataFrame | None, *, value: str = "rating") -> bool:
    """Whether a feedback table has any rating: False for text-only exports.

    Parameters
    ----------
    feedback : pandas.DataFrame or None
        ``study.feedback``.
    value : str, default "rating"
        Rating column.

    Returns
    -------
    bool
        True when the column exists and holds at least one rating.

    Examples
    --------
    >>> has_ratings(pd.DataFrame({"rating": pd.array([pd.NA, pd.NA], dtype="Int64")}))
    False
    >>> has_ratings(pd.DataFrame({"comment": ["ok"]}))
    False
    """
    if feedback is None or value not in getattr(feedback, "columns", ()):
        return False
    return bool(pd.to_numeric(feedback[value], errors="coerce").notna().any())


@renamed_keywords(date="time_column", period="freq", comment_id="id_column")
def mention_rates(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    time_column: str = "received",
    freq: str = "MS",
    by_job: bool = True,
    ci: float = 0.95,
    min_cell_size: int = 10,
    id_column: str = "comment_id",
    job: str = "job_id",
    substantive: str | None = None,
) -> pd.DataFrame:
    """What the words say over time: share of comments about each job and its disrupted share.

    Works without ratings (text-only exports): only the comments and their codes are used.

    Parameters
    ----------
    feedback : pandas.DataFrame
        One row per comment with ``comment_id`` and the date.
    codes : pandas.DataFrame
        Long table of codes with ``comment_id``, ``job_id`` and ``polarity`` (``disrupted``,
        ``fulfilled`` or ``unclear``).
    time_column : str, default "received"
        Date column of ``feedback`` (called ``date`` in version 0.1).
    freq : {"MS", "W", "QS"}, default "MS"
        Length of a period, as in :func:`rates` (called ``period`` in version 0.1).
    by_job : bool, default True
        One series per job; False gives one series over all jobs (a comment counts once:
        mentioned when it has any code, disrupted when any of its codes is disrupted).
    ci : float, default 0.95
        Level of the Wilson intervals.
    min_cell_size : int, default 10
        Periods with fewer comments (for the mention share) are suppressed, and the
        disrupted share is suppressed when fewer than this many comments mention the job.
    id_column, job : str
        Column names of the comment id (called ``comment_id`` in version 0.1) and the job id.
    substantive : str, optional
        Boolean column of ``feedback``; rows where it is False (non-answers such as "n/a")
        are left out of every denominator.

    Returns
    -------
    pandas.DataFrame
        One row per (job x) period over the whole date range of ``feedback``:
        ``job_id`` (when ``by_job``), ``period`` (first day), ``n_comments`` (comments in the
        period), ``n`` (comments that mention the job), ``mention_share`` with
        ``mention_ci_low``/``mention_ci_high``, ``n_disrupted`` (mentions coded disrupted),
        ``disrupted_share`` (of mentions) with ``disrupted_ci_low``/``disrupted_ci_high``,
        ``suppressed`` (mention share hidden) and ``disrupted_suppressed``.

    Raises
    ------
    TypeError, ValueError
        When a table or column is missing or an option is invalid.

    Notes
    -----
    Only ``polarity == "disrupted"`` counts as disrupted; ``unclear`` codes are mentions but
    neither disrupted nor fulfilled. Shares are fractions in [0, 1] with Wilson intervals
    (Wilson 1927). A comment that mentions several jobs counts for each.

    Examples
    --------
    >>> feedback = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"],
    ...     "received": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-02-01", "2024-02-03"])})
    >>> codes = pd.DataFrame({"comment_id": ["c1", "c2", "c3"], "job_id": ["a", "a", "a"],
    ...                       "polarity": ["disrupted", "unclear", "fulfilled"]})
    >>> mention_rates(feedback, codes, min_cell_size=1)[
    ...     ["period", "n_comments", "n", "mention_share", "n_disrupted", "disrupted_share"]]
          period  n_comments  n  mention_share  n_disrupted  disrupted_share
    0 2024-01-01           2  2            1.0            1              0.5
    1 2024-02-01           2  1            0.5            0              0.0
    """
    caller = "mention_rates()"
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_dataframe(codes, parameter="codes", caller=caller)
    require_columns(feedback, [id_column, time_column, substantive], name="feedback", caller=caller)
    require_columns(codes, [id_column, job, "polarity"], name="codes", caller=caller)
    alias = _period_alias(freq, caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    rows = feedback
    if substantive is not None:
        rows = feedback.loc[feedback[substantive].fillna(True).astype(bool)]
    dates = _as_datetime(rows[time_column], parameter="time_column", caller=caller)
    base = pd.DataFrame(
        {id_column: rows[id_column].astype(str).to_numpy(), "period": dates.to_numpy()}
    ).dropna(subset=["period"])
    base["period"] = _period_start(base["period"], alias)
    axis = _period_range(base["period"].min(), base["period"].max(), alias)
    totals = base.groupby("period").size().reindex(axis, fill_value=0)
    pairs = codes[[id_column, job, "polarity"]].copy()
    pairs[id_column] = pairs[id_column].astype(str)
    pairs["_disrupted"] = pairs["polarity"].astype(str).eq("disrupted")
    if not by_job:
        pairs[job] = "all"
    per = pairs.groupby([id_column, job], as_index=False)["_disrupted"].any()
    per = per.merge(base, on=id_column, how="inner")
    counts = per.groupby([job, "period"]).agg(n=("_disrupted", "size"), n_dis=("_disrupted", "sum"))
    jobs = sorted(per[job].astype(str).unique()) if by_job else ["all"]
    frames = []
    for j in jobs:
        sub = counts.loc[j] if j in counts.index.get_level_values(0) else pd.DataFrame()
        n = sub["n"].reindex(axis, fill_value=0) if not sub.empty else totals * 0
        n_dis = sub["n_dis"].reindex(axis, fill_value=0) if not sub.empty else totals * 0
        frames.append(
            pd.DataFrame(
                {
                    job: j,
                    "period": axis,
                    "n_comments": totals.to_numpy(dtype=int),
                    "n": n.to_numpy(dtype=int),
                    "n_disrupted": n_dis.to_numpy(dtype=int),
                }
            )
        )
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[job, "period", "n_comments", "n", "n_disrupted"])
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mention_share"] = np.where(out["n_comments"] > 0, out["n"] / out["n_comments"], np.nan)
        out["disrupted_share"] = np.where(out["n"] > 0, out["n_disrupted"] / out["n"], np.nan)
    low, high = wilson_interval(out["n"].to_numpy(), out["n_comments"].to_numpy(), level=ci)
    out["mention_ci_low"], out["mention_ci_high"] = low, high
    low, high = wilson_interval(out["n_disrupted"].to_numpy(), out["n"].to_numpy(), level=ci)
    out["disrupted_ci_low"], out["disrupted_ci_high"] = low, high
    out["suppressed"] = out["n_comments"] < min_cell_size
    out["disrupted_suppressed"] = out["n"] < min_cell_size
    mention_cols = ["mention_share", "mention_ci_low", "mention_ci_high"]
    disrupted_cols = ["disrupted_share", "disrupted_ci_low", "disrupted_ci_high"]
    out.loc[out["suppressed"], mention_cols] = np.nan
    out.loc[out["disrupted_suppressed"] | out["suppressed"], disrupted_cols] = np.nan
    out.loc[out["suppressed"], ["n", "n_disrupted"]] = 0
    order = [
        job,
        "period",
        "n_comments",
        "n",
        *mention_cols,
        "n_disrupted",
        *disrupted_cols,
        "suppressed",
        "disrupted_suppressed",
    ]
    out = out[order]
    if not by_job:
        out = out.drop(columns=[job])
    return out.reset_index(drop=True)


def text_action_effects(
    mentions: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    value: str = "disrupted_share",
    n: str = "n",
    job: str = "job_id",
    min_periods: int = 6,
    ci: float = 0.95,
    worthwhile: float = 5.0,
) -> pd.DataFrame:
    """What each action changed in the words: ITS of its job's disrupted share (no ratings).

    Parameters
    ----------
    mentions : pandas.DataFrame
        Output of :func:`mention_rates` (per job).
    actions : pandas.DataFrame
        ``actions.csv`` (``action_id``, ``job_id``, ``started``).
    value : str, default "disrupted_share"
        Share analysed (fractions in the table, points in the output).
    n : str, default "n"
        Weights of the periods (comments about the job).
    job : str, default "job_id"
        Job column of both tables.
    min_periods : int, default 6
        Periods with a value needed before and after the start.
    ci : float, default 0.95
        Confidence level.
    worthwhile : float, default 5.0
        Smallest worthwhile change in points, for ``verdict``.

    Returns
    -------
    pandas.DataFrame
        One row per action: ``action_id``, ``job_id``, ``started``, ``share_before``,
        ``share_after`` (fractions, weighted by ``n``), ``level_change`` with
        ``level_change_ci_low``/``level_change_ci_high`` (percentage points; negative is an
        improvement for the disrupted share), ``verdict`` (:func:`effect_verdict` with the
        sign turned so that ``"improved"`` means fewer disruptions) and ``note``.

    Raises
    ------
    TypeError, ValueError
        When a table or column is missing.

    Notes
    -----
    The segmented regression of :func:`its` (Newey-West errors, periods weighted by the
    number of comments about the job) on the share of the job's mentions that are
    disruptions. Only ``polarity == "disrupted"`` counts; ``unclear`` codes are mentions.

    Examples
    --------
    >>> periods = pd.date_range("2024-01-01", periods=16, freq="MS")
    >>> mentions = pd.DataFrame({"job_id": "a", "period": periods, "n": 40,
    ...     "disrupted_share": [0.7, 0.72] * 4 + [0.3, 0.32] * 4})
    >>> actions = pd.DataFrame({"action_id": ["A1"], "job_id": ["a"],
    ...                         "started": [pd.Timestamp("2024-09-01")]})
    >>> text_action_effects(mentions, actions)[["action_id", "verdict"]].to_dict("records")
    [{'action_id': 'A1', 'verdict': 'improved'}]
    """
    caller = "text_action_effects()"
    require_dataframe(mentions, parameter="mentions", caller=caller)
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(mentions, [job, "period", value, n], name="mentions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    min_periods = check_int(min_periods, parameter="min_periods", caller=caller, minimum=2)
    rows = []
    for action in actions.itertuples(index=False):
        record = action._asdict()
        started = pd.Timestamp(record["started"])
        series = mentions.loc[mentions[job].astype(str) == str(record[job])]
        series = series.loc[series[value].notna(), ["period", value, n]].sort_values("period")
        before = series.loc[series["period"] < started]
        after = series.loc[series["period"] >= started]
        row: dict[str, Any] = {
            "action_id": record["action_id"],
            "job_id": record[job],
            "started": started,
            "share_before": np.nan,
            "share_after": np.nan,
            "level_change": np.nan,
            "level_change_ci_low": np.nan,
            "level_change_ci_high": np.nan,
            "note": None,
        }
        weights = series[n].astype(float)
        if len(before):
            row["share_before"] = float(np.average(before[value], weights=before[n].astype(float)))
        if len(after):
            row["share_after"] = float(np.average(after[value], weights=after[n].astype(float)))
        if len(before) < min_periods or len(after) < min_periods:
            row["note"] = (
                f"{len(before)} period(s) before and {len(after)} after the start; "
                f"{min_periods} of each are needed"
            )
        elif weights.sum() > 0:
            fit = its(
                series.assign(_w=weights),
                value=value,
                interventions=[started],
                weights="_w",
                ci=ci,
            )
            level = fit.summary().iloc[0]
            row["level_change"] = 100 * float(level["level_change"])
            row["level_change_ci_low"] = 100 * float(level["level_change_ci_low"])
            row["level_change_ci_high"] = 100 * float(level["level_change_ci_high"])
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        out = pd.DataFrame(columns=[*rows[0]] if rows else ["action_id", "job_id", "note"])
    out["verdict"] = (
        [
            {"improved": "worsened", "worsened": "improved"}.get(v, v)
            for v in (
                effect_verdict(
                    r.level_change,
                    r.level_change_ci_low,
                    r.level_change_ci_high,
                    worthwhile=worthwhile,
                )
                for r in out.itertuples(index=False)
            )
        ]
        if len(out)
        else []
    )
    out["note"] = out["note"].astype(object)
    return out


def record_text_action_effects(effects: pd.DataFrame) -> dict[str, Any]:
    """Record :func:`text_action_effects` (studies without ratings).

    Keys, for each action ``<id>``: ``text_actions.<id>.job``, ``.share_before`` and
    ``.share_after`` (disrupted share of the job's mentions, percentage points),
    ``.level_change`` and ``.level_change_ci`` (points) and ``.verdict``.

    Parameters
    ----------
    effects : pandas.DataFrame
        Output of :func:`text_action_effects`.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``effects`` lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> effects = pd.DataFrame({"action_id": ["A01"], "job_id": ["a"], "share_before": [0.7],
    ...     "share_after": [0.3], "level_change": [-40.0], "level_change_ci_low": [-48.0],
    ...     "level_change_ci_high": [-32.0], "verdict": ["improved"]})
    >>> record_text_action_effects(effects)["text_actions.a01.share_after"]
    30.0
    >>> report.reset()
    """
    columns = ["action_id", "job_id", "share_before", "share_after", "level_change"]
    columns += ["level_change_ci_low", "level_change_ci_high", "verdict"]
    require_columns(effects, columns, name="effects", caller="record_text_action_effects()")
    stored: dict[str, Any] = {}
    for row in effects.itertuples(index=False):
        key = f"text_actions.{report_key_part(row.action_id)}"
        values = {
            "job": str(row.job_id),
            "share_before": 100 * row.share_before,
            "share_after": 100 * row.share_after,
            "level_change": row.level_change,
            "level_change_ci": [row.level_change_ci_low, row.level_change_ci_high],
            "verdict": row.verdict,
        }
        for name, value in values.items():
            stored[f"{key}.{name}"] = report.record(f"{key}.{name}", value)
    return stored
