"""One row per job for the tracking report: latest share and the signals of its chart.

:func:`job_summary` charts every job of a :func:`~jtbd_methods.tracking.job_rates` (or
:func:`~jtbd_methods.tracking.mention_rates`) table, :func:`focus_jobs` picks those to show in
detail and :func:`record_job_trends` records them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from jtbd_methods import report
from jtbd_methods._validation import (
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.report import key_part as report_key_part
from jtbd_methods.tracking._shared import (
    CHARTS,
)
from jtbd_methods.tracking.rates import latest_rate
from jtbd_methods.tracking.rebasing import action_dates, choose_chart, rebase_dates
from jtbd_methods.tracking.spc import _spc

logger = logging.getLogger(__name__)


def job_summary(
    data: pd.DataFrame,
    *,
    chart: str = "p",
    job: str = "job_id",
    estimate: str = "positive_share",
    direction: str = "higher_is_better",
    labels: Mapping[str, str] | None = None,
    n: str = "n",
    actions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per job of a :func:`job_rates` table: latest share and SPC signals.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`job_rates` (no further groups).
    chart : {"p", "laney", "xmr", "run", "auto"}, default "p"
        Chart used for the signals (see :func:`spc`); ``"auto"`` picks p or Laney's p' per
        job (:func:`choose_chart`).
    job : str, default "job_id"
        Job column.
    estimate : str, default "positive_share"
        Share column charted.
    direction : {"higher_is_better", "lower_is_better", "neutral"}
        Which way is an improvement.
    labels : mapping, optional
        Job labels (e.g. ``codebook.labels()``) for a ``label`` column.
    n : str, default "n"
        Denominator column of the charted share (``"n_comments"`` for the mention share of
        :func:`mention_rates`).
    actions : pandas.DataFrame, optional
        ``actions.csv``: each job's chart recalculates its limits after the actions on that
        job that were followed by a sustained shift (:func:`rebase_dates`), as the detailed
        chart does.

    Returns
    -------
    pandas.DataFrame
        Jobs by decreasing ``n``: ``job_id``; ``label`` (when ``labels`` is given); ``n`` -
        responses in the periods shown (sum of the ``n`` column); ``chart`` - chart used;
        ``phases`` - number of phases;
        ``periods_shown``; ``latest_period``, ``latest_share``, ``latest_ci_low``,
        ``latest_ci_high`` (percentage points); ``improvement_points``, ``concern_points``
        (points of the chart signalling each); ``last_signal`` - kind of the most recent
        signal, or None; ``few_points`` (bool) - fewer than 12 periods shown, so the chart's
        limits are unreliable.

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame, lacks a column or an option is invalid.

    Examples
    --------
    >>> from jtbd_methods.tracking import job_rates
    >>> feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(40)],
    ...     "received": pd.date_range("2024-01-01", periods=40, freq="7D"),
    ...     "rating": pd.array([5, 2] * 20, dtype="Int64")})
    >>> codes = pd.DataFrame({"comment_id": feedback["comment_id"], "job_id": "gain_clarity"})
    >>> job_summary(job_rates(feedback, codes, min_cell_size=1))[["job_id", "n"]]
             job_id   n
    0  gain_clarity  40
    """
    caller = "job_summary()"
    require_dataframe(data, caller=caller)
    one_of(chart, ("auto", *CHARTS), parameter="chart", caller=caller)
    require_columns(data, ["period", job, "n", n, estimate, "suppressed"], caller=caller)
    rows = []
    for job_id, part in data.groupby(job, sort=True):
        used = choose_chart(part, value=estimate, n=n, chart=chart)[0] if chart == "auto" else chart
        cuts = None
        if actions is not None:
            candidates = action_dates(actions, job=str(job_id), within=part["period"])
            cuts = (
                rebase_dates(part, value=estimate, n=n, chart=used, candidates=candidates) or None
            )
        chart_table = _spc(
            part, value=estimate, n=n, chart=used, direction=direction, recalc_at=cuts, log=False
        )
        latest = latest_rate(part, estimate=estimate)
        kinds = chart_table["signal_kind"]
        signalled = chart_table.loc[kinds.notna()]
        rows.append(
            {
                "job_id": job_id,
                "n": int(pd.to_numeric(part["n"], errors="coerce").fillna(0).sum()),
                "chart": used,
                "phases": int(chart_table["phase"].max()) if len(chart_table) else 1,
                "periods_shown": int((~part["suppressed"].astype(bool)).sum()),
                "latest_period": latest["period"],
                "latest_share": latest["estimate"],
                "latest_ci_low": latest["ci_low"],
                "latest_ci_high": latest["ci_high"],
                "improvement_points": int((kinds == "improvement").sum()),
                "concern_points": int((kinds == "concern").sum()),
                "last_signal": signalled["signal_kind"].iloc[-1] if len(signalled) else None,
                "few_points": chart_table.attrs["warning"] is not None,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    if labels is not None:
        out.insert(1, "label", [labels.get(str(j), str(j)) for j in out["job_id"]])
    out = out.rename(columns={"job_id": job})
    out["last_signal"] = out["last_signal"].astype(object)
    return out.sort_values(["n", job], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def focus_jobs(
    summary: pd.DataFrame,
    *,
    actions: pd.DataFrame | None = None,
    top: int = 4,
    job: str = "job_id",
) -> list[str]:
    """Jobs to chart in detail: those targeted by actions, else the most commented.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`job_summary` (jobs by decreasing ``n``).
    actions : pandas.DataFrame, optional
        ``actions.csv``; its jobs (in the order of the actions) come first.
    top : int, default 4
        Most jobs returned.
    job : str, default "job_id"
        Job column of both tables.

    Returns
    -------
    list of str
        Job ids, at most ``top``.

    Raises
    ------
    TypeError, ValueError
        If a table is not a DataFrame, lacks the job column, or ``top`` is below 1.

    Examples
    --------
    >>> summary = pd.DataFrame({"job_id": ["a", "b", "c"], "n": [30, 20, 10]})
    >>> focus_jobs(summary, actions=pd.DataFrame({"job_id": ["c"]}), top=2)
    ['c', 'a']
    """
    caller = "focus_jobs()"
    require_columns(summary, [job], name="summary", caller=caller)
    top = check_int(top, parameter="top", caller=caller, minimum=1)
    known = [str(j) for j in summary[job]]
    chosen: list[str] = []
    if actions is not None:
        require_columns(actions, [job], name="actions", caller=caller)
        chosen = [j for j in dict.fromkeys(actions[job].astype(str)) if j in known]
    chosen += [j for j in known if j not in chosen]
    return chosen[:top]


def record_job_trends(
    summary: pd.DataFrame, *, measure: str = "positive_share", job: str = "job_id"
) -> dict[str, Any]:
    """Record each job's latest share and latest signal from :func:`job_summary`.

    Keys: ``job_trends.measure`` (the charted share), ``job_trends.<job>.latest_share``
    (percentage points) and ``job_trends.<job>.last_signal`` (``improvement``, ``concern``,
    ``neither`` or null).

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`job_summary`.
    measure : str, default "positive_share"
        Name of the charted share (``"disrupted_share"`` for a study without ratings).
    job : str, default "job_id"
        Job column.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``summary`` lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> s = pd.DataFrame({"job_id": ["wait"], "latest_share": [42.0], "last_signal": [None]})
    >>> record_job_trends(s, measure="disrupted_share")["job_trends.wait.latest_share"]
    42.0
    >>> report.reset()
    """
    require_columns(
        summary, [job, "latest_share", "last_signal"], name="summary", caller="record_job_trends()"
    )
    stored = {"job_trends.measure": report.record("job_trends.measure", measure)}
    for row in summary.itertuples(index=False):
        key = f"job_trends.{report_key_part(getattr(row, job))}"
        stored[f"{key}.latest_share"] = report.record(f"{key}.latest_share", row.latest_share)
        stored[f"{key}.last_signal"] = report.record(f"{key}.last_signal", row.last_signal)
    return stored
