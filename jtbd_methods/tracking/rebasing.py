"""Choosing and rebasing a control chart: over-dispersion, Laney's chart, recalculated limits.

:func:`dispersion` measures how much more the periods vary than a p chart's binomial model
allows and :func:`choose_chart` switches to Laney's p' chart when they do; :func:`action_dates`
and :func:`rebase_dates` find the dated improvement actions after which the process shifted
for good, where the limits are recalculated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._validation import (
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.tracking._shared import (
    CHARTS,
    _as_datetime,
    _as_numeric,
    _infer_freq,
    renamed_keywords,
)
from jtbd_methods.tracking.spc import _sigma_from_moving_ranges, _spc

logger = logging.getLogger(__name__)


#: Laney's sigma_z above which a p chart's limits are called too narrow (see :func:`dispersion`).
OVERDISPERSION_THRESHOLD = 1.5


@renamed_keywords(period="time_column")
def dispersion(
    data: pd.DataFrame,
    *,
    value: str,
    n: str,
    time_column: str = "period",
    threshold: float = OVERDISPERSION_THRESHOLD,
) -> pd.Series:
    """Over-dispersion of a series of shares: is a p chart's binomial model too narrow?

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period with the share and its denominator (e.g. :func:`rates`).
    value : str
        Column of shares in [0, 1].
    n : str
        Column of denominators.
    time_column : str, default "period"
        Column of periods; rows are taken in its order. Called ``period`` in version 0.1
        (still accepted, with a FutureWarning).
    threshold : float, default 1.5
        Laney's :math:`\\sigma_z` above which the series is called over-dispersed.

    Returns
    -------
    pandas.Series
        ``n_points`` (useful periods), ``mean_n`` (mean denominator), ``sigma_z`` (Laney's
        ratio of the observed to the binomial spread, NaN with fewer than 3 points),
        ``overdispersed`` (bool) and ``note`` (a sentence for the report, or ``None``).

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame, lacks a column, or ``threshold`` is not above 1.

    Notes
    -----
    With :math:`z_i = (p_i - \\bar p)/\\sqrt{\\bar p(1-\\bar p)/n_i}`,
    :math:`\\sigma_z = \\overline{MR}(z)/1.128` estimates how much wider than binomial the
    period-to-period variation is (Laney 2002). Under the binomial model it is close to 1;
    with large denominators real processes vary more than the binomial allows and a p chart
    flags most points (qicharts2's NHS accident and emergency example, Mohammed et al. 2013).
    Moving ranges make :math:`\\sigma_z` robust to a single step change. The threshold of 1.5
    (limits at least a third too narrow) is a judgement, not a test: Laney recommends the p'
    chart whenever :math:`\\sigma_z` is far from 1, and it equals the p chart when it is 1.

    References
    ----------
    .. [1] Laney, D. B. (2002). Improved control charts for attributes. *Quality
       Engineering*, 14(4), 531-537.
    .. [2] Mohammed, M. A., Panesar, J. S., Laney, D. B., & Wilson, R. (2013). Statistical
       process control charts for attribute data involving very large sample sizes: a review
       of problems and solutions. *BMJ Quality & Safety*, 22(4), 362-368.

    Examples
    --------
    >>> table = pd.DataFrame({"period": range(6), "share": [0.5, 0.7, 0.4, 0.8, 0.3, 0.6],
    ...                       "n": [5000] * 6})
    >>> bool(dispersion(table, value="share", n="n")["overdispersed"])
    True
    """
    caller = "dispersion()"
    require_dataframe(data, caller=caller)
    require_columns(data, [time_column, value, n], caller=caller)
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not threshold > 1:
        raise ValueError(
            f"The 'threshold' parameter of {caller} must be a number above 1; got {threshold!r}."
        )
    table = data.sort_values(time_column, kind="stable")
    y = _as_numeric(table[value], parameter="value", caller=caller).to_numpy()
    nn = _as_numeric(table[n], parameter="n", caller=caller).to_numpy()
    use = np.isfinite(y) & np.isfinite(nn) & (nn > 0)
    y, nn = y[use], nn[use]
    sigma_z = float("nan")
    if y.size >= 3:
        pbar = float(np.sum(y * nn) / np.sum(nn))
        if 0 < pbar < 1:
            z = (y - pbar) / np.sqrt(pbar * (1 - pbar) / nn)
            sigma_z = _sigma_from_moving_ranges(z, False)
    over = bool(np.isfinite(sigma_z) and sigma_z > threshold)
    note = None
    if over:
        note = (
            f"The periods vary {sigma_z:.1f} times more than chance alone allows at these "
            f"numbers of comments (mean {np.mean(nn):,.0f} a period), so plain p-chart limits "
            "would be too narrow and flag ordinary periods; Laney's p′ chart widens them."
        )
    return pd.Series(
        {
            "n_points": int(y.size),
            "mean_n": float(np.mean(nn)) if nn.size else float("nan"),
            "sigma_z": sigma_z,
            "overdispersed": over,
            "note": note,
        }
    )


@renamed_keywords(period="time_column")
def choose_chart(
    data: pd.DataFrame,
    *,
    value: str,
    n: str,
    time_column: str = "period",
    chart: str = "auto",
    threshold: float = OVERDISPERSION_THRESHOLD,
) -> tuple[str, str | None]:
    """The chart to draw: ``chart`` itself, or for ``"auto"`` p unless over-dispersed.

    Parameters
    ----------
    data, value, n, time_column, threshold
        As in :func:`dispersion`.
    chart : {"auto", "p", "laney", "xmr", "run"}, default "auto"
        ``"auto"`` picks Laney's p' chart when :func:`dispersion` finds over-dispersion and
        the p chart otherwise; any other value is returned unchanged.

    Returns
    -------
    tuple
        The chart name and a note for the report (``None`` when there is nothing to say). A
        p chart asked for explicitly on over-dispersed data keeps its name and gets a note
        offering Laney's chart.

    Raises
    ------
    ValueError
        For an unknown chart, or as :func:`dispersion`.

    Examples
    --------
    >>> table = pd.DataFrame({"period": range(6), "share": [0.5, 0.7, 0.4, 0.8, 0.3, 0.6],
    ...                       "n": [5000] * 6})
    >>> choose_chart(table, value="share", n="n")[0]
    'laney'
    """
    caller = "choose_chart()"
    one_of(chart, ("auto", *CHARTS), parameter="chart", caller=caller)
    if chart in ("xmr", "run", "laney"):
        return chart, None
    check = dispersion(data, value=value, n=n, time_column=time_column, threshold=threshold)
    if not check["overdispersed"]:
        return "p", None
    if chart == "auto":
        return "laney", str(check["note"]) + " This chart is Laney's p′ chart."
    return "p", str(check["note"]) + ' Set chart = "laney" (or "auto") to use it.'


@renamed_keywords(date="time_column")
def action_dates(
    actions: pd.DataFrame | None,
    *,
    job: str | None = None,
    time_column: str = "started",
    within: Any = None,
) -> list[pd.Timestamp]:
    """Start dates of the improvement actions: where control limits are recalculated.

    Parameters
    ----------
    actions : pandas.DataFrame or None
        ``actions.csv`` (``started`` and, to filter by job, ``job_id``); None gives ``[]``.
    job : str, optional
        Keep only the actions on this job.
    time_column : str, default "started"
        Column of start dates (called ``date`` in version 0.1).
    within : pandas.Series or sequence of dates, optional
        The periods of the chart; dates outside their range are dropped (a phase needs
        points on both sides of its start).

    Returns
    -------
    list of pandas.Timestamp
        Sorted, without duplicates.

    Raises
    ------
    TypeError, ValueError
        If ``actions`` is not a DataFrame or lacks a column.

    Notes
    -----
    NHS "Making Data Count" and NHSRplotthedots (``rebase``) recalculate the centre line and
    limits from the date of a deliberate change to the process; qicharts2 calls the same
    split ``part``. One centre line across a lasting change would flag the months before it as
    concern and those after as improvement, which describes the step rather than the process.

    Examples
    --------
    >>> actions = pd.DataFrame({"job_id": ["a", "b"],
    ...                         "started": pd.to_datetime(["2024-06-01", "2024-03-01"])})
    >>> [str(d.date()) for d in action_dates(actions)]
    ['2024-03-01', '2024-06-01']
    """
    caller = "action_dates()"
    if actions is None:
        return []
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, [time_column], name="actions", caller=caller)
    rows = actions
    if job is not None:
        require_columns(actions, ["job_id"], name="actions", caller=caller)
        rows = actions.loc[actions["job_id"].astype(str) == str(job)]
    dates = _as_datetime(rows[time_column], parameter="time_column", caller=caller).dropna()
    if within is not None:
        span = pd.to_datetime(pd.Series(list(within))).dropna()
        if span.empty:
            return []
        dates = dates[(dates > span.min()) & (dates <= span.max())]
    return sorted(set(pd.Timestamp(d) for d in dates))


@renamed_keywords(period="time_column")
def rebase_dates(
    data: pd.DataFrame,
    *,
    value: str,
    candidates: Iterable[Any],
    n: str | None = None,
    time_column: str = "period",
    chart: str = "p",
    window: int = 9,
    tolerance: int = 1,
) -> list[pd.Timestamp]:
    """The dated changes after which the process really shifted: where to recalculate limits.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (as for :func:`spc`).
    value, n, time_column, chart
        As in :func:`spc`.
    candidates : iterable of dates
        Dated changes to the process, e.g. :func:`action_dates` of ``actions.csv``.
    window : int, default 9
        Useful points after the change that are examined.
    tolerance : int, default 1
        Points of the window that may still sit on the old side of the centre line (or on
        it): an action takes a month or so to reach every patient. ``window=7, tolerance=0``
        is the strict Making Data Count shift of seven points in a row.

    Returns
    -------
    list of pandas.Timestamp
        The candidates kept, in time order.

    Raises
    ------
    TypeError, ValueError
        As :func:`spc`, or when ``window`` is below 2 or ``tolerance`` is not in
        [0, window / 2).

    Notes
    -----
    NHS "Making Data Count" recalculates limits only for a change that is both explained
    (a dated action) and sustained (a shift of seven or more points on one side of the
    centre line). Candidates are taken in time order; each is tested against the limits of
    the phases kept so far, and kept when all but ``tolerance`` of the first ``window``
    useful points after it lie on one side of the centre line. The new phase starts at the
    change itself, the known cause. Under pure binomial noise the defaults keep a change
    with probability :math:`2(1 + 9)/2^9 \\approx 0.04`, close to the strict rule's rate over
    the same nine points. A change with fewer than ``window`` points after it is not kept yet.

    References
    ----------
    .. [1] NHS England and NHS Improvement (2019). *Making Data Count: Strengthening your
       decisions*, "Recalculating limits".

    Examples
    --------
    >>> table = pd.DataFrame({"period": range(1, 25), "value": [5, 6] * 6 + [9, 10] * 6})
    >>> rebase_dates(table, value="value", chart="xmr", candidates=[13, 20])
    [13]
    """
    caller = "rebase_dates()"
    window = check_int(window, parameter="window", caller=caller, minimum=2)
    tolerance = check_int(tolerance, parameter="tolerance", caller=caller, minimum=0)
    if 2 * tolerance >= window:
        raise ValueError(
            f"The 'tolerance' parameter of {caller} must be below half the window ({window}); "
            f"got {tolerance}."
        )
    require_dataframe(data, caller=caller)
    require_columns(data, [time_column, value, n], caller=caller)
    table = data.sort_values(time_column, kind="stable").reset_index(drop=True)
    is_dates = pd.api.types.is_datetime64_any_dtype(table[time_column])
    kept: list[Any] = []
    for moment in sorted(candidates):
        chart_table = _spc(
            table,
            value=value,
            n=n,
            time_column=time_column,
            chart=chart,
            recalc_at=kept or None,
            log=False,
        )
        when = pd.Timestamp(moment) if is_dates else moment
        if is_dates:
            freq = _infer_freq(chart_table["period"])
            when = when.to_period(freq).start_time if freq is not None else when
        after = chart_table.loc[(chart_table["period"] >= when) & chart_table["value"].notna()]
        if chart in ("p", "laney"):
            after = after.loc[after["lcl"].notna()]
        first = after.head(window)
        if len(first) < window:
            continue
        side = np.sign(first["value"].to_numpy(float) - first["centre"].to_numpy(float))
        if max(int((side > 0).sum()), int((side < 0).sum())) >= window - tolerance:
            kept.append(moment)
    return [pd.Timestamp(k) for k in kept] if is_dates else kept


def recalculation_dates(
    data: pd.DataFrame,
    *,
    rebase: Any,
    value: str,
    n: str | None = None,
    chart: str = "p",
    actions: pd.DataFrame | None = None,
    job: str | None = None,
    time_column: str = "period",
) -> list[pd.Timestamp]:
    """Where a control chart's limits are recalculated, as a report parameter asks.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (as for :func:`~jtbd_methods.tracking.spc`).
    rebase : {"actions", "none"}, str or sequence of dates
        ``"actions"``: the dates of ``actions`` (those of ``job`` when given) after which the
        process shifted and stayed shifted (:func:`rebase_dates`); ``"none"``: one set of
        limits for the whole series; dates (a sequence, or one string of dates separated by
        commas, e.g. ``"2024-03-01,2024-09-01"``): recalculated at exactly those dates, as
        in NHSRplotthedots' ``recalc_every``-free ``rebase`` argument.
    value, n, chart, time_column
        As in :func:`~jtbd_methods.tracking.spc`.
    actions : pandas.DataFrame, optional
        The study's ``actions.csv`` (for ``"actions"``).
    job : str, optional
        Only the actions on this job.

    Returns
    -------
    list of pandas.Timestamp
        Sorted dates inside the series (dates outside it are dropped).

    Raises
    ------
    ValueError
        For a string that is neither keyword nor a list of dates.

    References
    ----------
    .. [1] NHS England (2019). *Making Data Count*: recalculating limits when a process
       has changed. NHSRplotthedots, ``ptd_spc(rebase = ...)``.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=6, freq="MS")
    >>> data = pd.DataFrame({"period": months, "share": [0.5] * 6, "n": [100] * 6})
    >>> recalculation_dates(data, rebase="2024-04-01, 2030-01-01", value="share", n="n")
    [Timestamp('2024-04-01 00:00:00')]
    >>> recalculation_dates(data, rebase="none", value="share", n="n")
    []
    """
    caller = "recalculation_dates"
    periods = pd.to_datetime(data[time_column])
    if isinstance(rebase, str) and rebase.strip().lower() in {"none", ""}:
        return []
    if isinstance(rebase, str) and rebase.strip().lower() == "actions":
        candidates = action_dates(actions, job=job, within=periods)
        return rebase_dates(
            data, value=value, n=n, chart=chart, candidates=candidates, time_column=time_column
        )
    parts = [p.strip() for p in rebase.split(",")] if isinstance(rebase, str) else list(rebase)
    try:
        dates = pd.to_datetime(pd.Series(parts, dtype=object), format="mixed")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"The 'rebase' parameter of {caller} must be 'actions', 'none' or dates such as "
            f"'2024-03-01,2024-09-01'; got {rebase!r}."
        ) from exc
    if periods.empty:
        return []
    inside = dates[(dates > periods.min()) & (dates <= periods.max())]
    return sorted(pd.Timestamp(d) for d in inside.unique())
