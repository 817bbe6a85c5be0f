"""Rates over time: the share of positive and top-box ratings and the mean rating per period.

:func:`rates` lays every period of the range out (empty ones as visible gaps), gives Wilson
intervals for shares and Student-t (or bootstrap) intervals for means, and suppresses small
periods; :func:`job_rates` does the same for the comments coded to each job.
:func:`latest_rate` and :func:`record_latest` report the last period shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import _stats, report
from jtbd_methods._stats import bootstrap_ci, wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    check_names,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.privacy import suppress_small
from jtbd_methods.tracking._shared import (
    _as_datetime,
    _as_numeric,
    _coded,
    _period_alias,
    _period_range,
    _period_start,
    _value_set,
    renamed_keywords,
)

logger = logging.getLogger(__name__)


@renamed_keywords(date="time_column", period="freq")
def rates(
    data: pd.DataFrame,
    *,
    time_column: str = "received",
    value: str = "rating",
    freq: str = "MS",
    by: str | list[str] | None = None,
    positive: Iterable[float] = (4, 5),
    top_box: Iterable[float] = (5,),
    ci: float = 0.95,
    mean_ci: str = "t",
    min_cell_size: int = 10,
    start: Any = None,
    end: Any = None,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Share of positive and top-box ratings and mean rating per period, with intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per response (e.g. ``study.feedback``).
    time_column : str, default "received"
        Column with the date of each response (datetime64; strings are parsed). Called
        ``date`` in version 0.1 (still accepted, with a FutureWarning).
    value : str, default "rating"
        Numeric rating column (e.g. 1-5, pandas ``Int64``); missing ratings are not counted.
    freq : {"MS", "W", "QS"}, default "MS"
        Length of a period, as a pandas frequency (see :data:`FREQS`; the names ``"month"``,
        ``"week"`` and ``"quarter"`` are accepted too). Weeks start on Monday, quarters in
        January, April, July, October. Called ``period`` in version 0.1 (still accepted,
        with a FutureWarning).
    by : str or list of str, optional
        Group column(s) (e.g. ``"site"``); one series per group.
    positive : collection of numbers, default (4, 5)
        Ratings counted as positive.
    top_box : collection of numbers, default (5,)
        Ratings counted as top box.
    ci : float, default 0.95
        Confidence level of every interval.
    mean_ci : {"t", "bootstrap"}, default "t"
        Student-t interval of the mean, or a percentile bootstrap interval.
    min_cell_size : int, default 10
        Periods (of a group) with fewer rated responses are suppressed.
    start, end : date-like, optional
        First and last period of the output; default the range of ``data[time_column]``.
        Rows outside are ignored. Every period in the range appears, even without responses.
    n_boot : int, default 1000
        Bootstrap replicates when ``mean_ci="bootstrap"``.
    random_state : int, optional
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per period (and group), sorted by group and period:

        * ``period`` (datetime64) - first day of the period;
        * the ``by`` column(s);
        * ``n`` (Int64) - responses with a rating (``<NA>`` when suppressed, 0 for a period
          without any rated response);
        * ``n_positive`` (Int64) - positive ratings;
        * ``positive_share``, ``positive_ci_low``, ``positive_ci_high`` (float) - share of
          positive ratings and its Wilson interval;
        * ``n_top_box`` (Int64), ``top_box_share``, ``top_box_ci_low``, ``top_box_ci_high``;
        * ``mean``, ``mean_ci_low``, ``mean_ci_high`` (float) - mean rating and interval;
        * ``suppressed`` (bool) - True when ``0 < n < min_cell_size`` (hidden by
          :func:`jtbd_methods.privacy.suppress_small`) or ``n = 0``: every estimate and count
          of the row is missing (NA/NaN), never 0, so plots show a gap.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame, ``time_column`` does not hold dates, ``value`` is not
        numeric or ``positive``/``top_box`` are not collections of numbers.
    ValueError
        If a column is missing or an option is outside its allowed values.

    Notes
    -----
    The Wilson interval of a share :math:`\\hat p = x/n` is

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    (Wilson 1927), which keeps its coverage for small ``n`` and shares near 0 or 1. The
    t interval of the mean is :math:`\\bar x \\pm t_{n-1} s/\\sqrt n`.

    Small cells: periods are suppressed one by one (no complementary suppression), because
    the periods of a series do not add up to a total shown in the same table.

    Missing data: responses without a rating are not counted; responses without a date are
    dropped (logged); rows with a missing ``by`` value are dropped (logged).

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *JASA*, 22(158), 209-212.
    .. [2] Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
       estimation of binomial proportions. *The American Statistician*, 52(2), 119-126.

    Examples
    --------
    >>> feedback = pd.DataFrame({
    ...     "received": pd.to_datetime(["2024-01-03"] * 12 + ["2024-03-05"] * 3),
    ...     "rating": pd.array([5, 4, 4, 2, 5, 1, 4, 5, 3, 4, 5, 5, 2, 3, 5], dtype="Int64"),
    ... })
    >>> table = rates(feedback, min_cell_size=10)
    >>> table[["period", "n", "positive_share", "suppressed"]]
          period     n  positive_share  suppressed
    0 2024-01-01    12            0.75       False
    1 2024-02-01     0             NaN        True
    2 2024-03-01  <NA>             NaN        True
    """
    caller = "rates()"
    require_dataframe(data, caller=caller)
    by_cols = check_names(by, parameter="by", caller=caller)
    if "period" in by_cols:
        raise ValueError(f"The 'by' parameter of {caller} cannot include 'period'.")
    require_columns(data, [time_column, value, *by_cols], caller=caller)
    alias = _period_alias(freq, caller=caller)
    one_of(mean_ci, ("t", "bootstrap"), parameter="mean_ci", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=10)
    pos = _value_set(positive, parameter="positive", caller=caller)
    top = _value_set(top_box, parameter="top_box", caller=caller)

    dates = _as_datetime(data[time_column], parameter="time_column", caller=caller)
    values = _as_numeric(data[value], parameter="value", caller=caller)
    frame = pd.DataFrame({"_date": dates.to_numpy(), "_value": values.to_numpy()})
    for col in by_cols:
        frame[col] = data[col].to_numpy()
    no_date = frame["_date"].isna()
    if no_date.any():
        logger.warning("%s: %d row(s) without a date are left out.", caller, int(no_date.sum()))
    frame = frame.loc[~no_date]
    if by_cols:
        no_group = frame[by_cols].isna().any(axis=1)
        if no_group.any():
            logger.warning(
                "%s: %d row(s) with a missing %s are left out.",
                caller,
                int(no_group.sum()),
                "/".join(by_cols),
            )
            frame = frame.loc[~no_group]
    frame["period"] = _period_start(frame["_date"], alias)

    if frame.empty and (start is None or end is None):
        raise ValueError(f"{caller} got no dated responses and no start/end to lay out periods.")
    low = frame["_date"].min() if start is None else pd.Timestamp(start)
    high = frame["_date"].max() if end is None else pd.Timestamp(end)
    if low > high:
        raise ValueError(f"The 'start' parameter of {caller} ({low}) is after 'end' ({high}).")
    periods = _period_range(low, high, alias)
    grid = pd.DataFrame({"period": periods})
    if by_cols:
        combos = frame[by_cols].drop_duplicates()
        combos = combos.sort_values(by_cols, kind="stable").reset_index(drop=True)
        grid = combos.merge(grid, how="cross")
    keys = [*by_cols, "period"]

    frame = frame.loc[frame["period"].isin(periods)]
    rated = frame.loc[frame["_value"].notna()].copy()
    rated["_pos"] = rated["_value"].isin(pos).astype(int)
    rated["_top"] = rated["_value"].isin(top).astype(int)
    groups = rated.groupby(keys, sort=False, observed=True)
    counts = groups.agg(n=("_value", "size"), n_positive=("_pos", "sum"), n_top_box=("_top", "sum"))
    level = ci
    means = []
    for key, grp in groups["_value"]:
        vals = grp.to_numpy(dtype=float)
        if mean_ci == "t":
            m, lo, hi, _ = _stats.mean_ci(vals, level=level)
        else:
            m = float(vals.mean())
            lo, hi = (
                bootstrap_ci(vals, np.mean, level=level, n_boot=n_boot, random_state=random_state)
                if vals.size > 1
                else (np.nan, np.nan)
            )
        means.append((*((key,) if not isinstance(key, tuple) else key), m, lo, hi))
    mean_table = pd.DataFrame(means, columns=[*keys, "mean", "mean_ci_low", "mean_ci_high"])
    out = grid.merge(counts.reset_index(), on=keys, how="left")
    out = out.merge(mean_table, on=keys, how="left")
    n = out["n"].fillna(0).astype("int64").to_numpy()
    n_pos = out["n_positive"].fillna(0).to_numpy(dtype=float)
    n_top = out["n_top_box"].fillna(0).to_numpy(dtype=float)
    empty = n == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        pos_share = np.where(empty, np.nan, n_pos / np.maximum(n, 1))
        top_share = np.where(empty, np.nan, n_top / np.maximum(n, 1))
    pos_low, pos_high = wilson_interval(n_pos, n, level=ci)
    top_low, top_high = wilson_interval(n_top, n, level=ci)

    table = out[["period", *by_cols]].copy()
    table["n"] = n
    table["n_positive"] = pd.array(np.where(empty, np.nan, n_pos), dtype="Float64").astype("Int64")
    table["positive_share"] = pos_share
    table["positive_ci_low"] = pos_low
    table["positive_ci_high"] = pos_high
    table["n_top_box"] = pd.array(np.where(empty, np.nan, n_top), dtype="Float64").astype("Int64")
    table["top_box_share"] = top_share
    table["top_box_ci_low"] = top_low
    table["top_box_ci_high"] = top_high
    table["mean"] = out["mean"].to_numpy(dtype=float)
    table["mean_ci_low"] = out["mean_ci_low"].to_numpy(dtype=float)
    table["mean_ci_high"] = out["mean_ci_high"].to_numpy(dtype=float)
    # The periods of a series are suppressed one by one: they do not add up to a total shown
    # in the same table, and complementary suppression would punch needless holes in it.
    result = suppress_small(
        table,
        count_column="n",
        min_cell_size=min_cell_size,
        value_columns=[c for c in table.columns if c not in ("period", "n", *by_cols)],
        complementary=False,
    )
    result["suppressed"] = result["suppressed"].to_numpy(dtype=bool) | empty
    n_small = int((result["suppressed"].to_numpy() & ~empty).sum())
    if n_small:
        logger.info(
            "%s: %d period(s) with fewer than %d rated responses are suppressed.",
            caller,
            n_small,
            min_cell_size,
        )
    return result.sort_values([*by_cols, "period"], kind="stable").reset_index(drop=True)


@renamed_keywords(date="time_column", period="freq", comment_id="id_column")
def job_rates(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    time_column: str = "received",
    value: str = "rating",
    freq: str = "MS",
    by: str | list[str] | None = None,
    positive: Iterable[float] = (4, 5),
    top_box: Iterable[float] = (5,),
    ci: float = 0.95,
    mean_ci: str = "t",
    min_cell_size: int = 10,
    id_column: str = "comment_id",
    job: str = "job_id",
    polarity: str | None = None,
) -> pd.DataFrame:
    """:func:`rates` per job: ratings of the comments coded to each job, period by period.

    Parameters
    ----------
    feedback : pandas.DataFrame
        One row per comment with ``comment_id``, the date and the rating.
    codes : pandas.DataFrame
        Long table of codes (``coding.code_comments``): ``comment_id``, ``job_id`` and,
        when ``polarity`` is given, ``polarity``. A comment counts once per job.
    time_column, value, freq, by, positive, top_box, ci, mean_ci, min_cell_size
        As in :func:`rates`.
    id_column : str, default "comment_id"
        Comment id column of both tables (called ``comment_id`` in version 0.1).
    job : str, default "job_id"
        Job id column of ``codes``.
    polarity : {"disrupted", "fulfilled", "unclear"}, optional
        Keep only codes of this polarity (an "unclear" code is never a disruption).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rates` with ``job_id`` (named after ``job``) before the ``by``
        columns; one row per job x period over the date range of the whole of ``feedback``,
        so every job shares one time axis.

    Raises
    ------
    TypeError, ValueError
        As :func:`rates`, and when a table lacks a column.

    Notes
    -----
    Comments that mention several jobs count for each of them; the per-job series are not
    independent. Comments coded to no job appear in no series.

    Examples
    --------
    >>> feedback = pd.DataFrame({
    ...     "comment_id": ["c1", "c2", "c3"],
    ...     "received": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-02-01"]),
    ...     "rating": pd.array([5, 2, 4], dtype="Int64"),
    ... })
    >>> codes = pd.DataFrame({"comment_id": ["c1", "c2", "c3"],
    ...                       "job_id": ["gain_clarity", "gain_clarity", "feel_heard"]})
    >>> job_rates(feedback, codes, min_cell_size=1)[["job_id", "period", "n", "positive_share"]]
             job_id     period  n  positive_share
    0    feel_heard 2024-01-01  0             NaN
    1    feel_heard 2024-02-01  1             1.0
    2  gain_clarity 2024-01-01  2             0.5
    3  gain_clarity 2024-02-01  0             NaN
    """
    caller = "job_rates()"
    by_cols = check_names(by, parameter="by", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(
        feedback, [id_column, time_column, value, *by_cols], name="feedback", caller=caller
    )
    coded = _coded(feedback, codes, comment_id=id_column, job=job, polarity=polarity, caller=caller)
    dates = _as_datetime(feedback[time_column], parameter="time_column", caller=caller)
    return rates(
        coded,
        time_column=time_column,
        value=value,
        freq=freq,
        by=[job, *by_cols],
        positive=positive,
        top_box=top_box,
        ci=ci,
        mean_ci=mean_ci,
        min_cell_size=min_cell_size,
        start=dates.min(),
        end=dates.max(),
    )


@renamed_keywords(period="time_column")
def latest_rate(
    data: pd.DataFrame,
    *,
    estimate: str = "positive_share",
    time_column: str = "period",
    percent: bool = True,
) -> pd.Series:
    """The last period of a :func:`rates` table that is not suppressed.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`rates` for one series (no groups).
    estimate : str, default "positive_share"
        Estimate column; its interval is ``<stem>_ci_low``/``_ci_high`` (``mean_ci_*`` for
        ``mean``).
    time_column : str, default "period"
        Period column (called ``period`` in version 0.1).
    percent : bool, default True
        Return the estimate and interval in percentage points (x 100).

    Returns
    -------
    pandas.Series
        ``period``, ``n``, ``estimate``, ``ci_low``, ``ci_high`` (NaN/NaT when every period
        is suppressed).

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> table = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...     "n": pd.array([20, pd.NA], dtype="Int64"), "positive_share": [0.5, np.nan],
    ...     "positive_ci_low": [0.3, np.nan], "positive_ci_high": [0.7, np.nan],
    ...     "suppressed": [False, True]})
    >>> float(latest_rate(table)["estimate"])
    50.0
    """
    caller = "latest_rate()"
    stem = "mean" if estimate == "mean" else estimate.removesuffix("_share")
    low, high = (f"{stem}_ci_low", f"{stem}_ci_high")
    require_columns(data, [time_column, "n", estimate, low, high, "suppressed"], caller=caller)
    shown = data.loc[~data["suppressed"].astype(bool) & data[estimate].notna()]
    shown = shown.sort_values(time_column)
    scale = 100.0 if percent else 1.0
    if shown.empty:
        return pd.Series(
            {"period": pd.NaT, "n": pd.NA, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        )
    last = shown.iloc[-1]
    return pd.Series(
        {
            "period": last[time_column],
            "n": last["n"],
            "estimate": scale * float(last[estimate]),
            "ci_low": scale * float(last[low]),
            "ci_high": scale * float(last[high]),
        }
    )


def record_latest(latest: pd.Series, *, prefix: str, share: str = "positive_share") -> dict:
    """Record a :func:`latest_rate` result; a series with no period shown records nulls.

    Keys: ``<prefix>.latest_period`` (``YYYY-MM-DD`` or null, never ``"NaT"``),
    ``<prefix>.latest_<share>`` (percentage points) and ``<prefix>.latest_<share>_ci``.

    Parameters
    ----------
    latest : pandas.Series
        Output of :func:`latest_rate` (with ``percent=True``).
    prefix : str
        Key prefix, e.g. ``"overall"``.
    share : str, default "positive_share"
        Name of the share in the keys.

    Returns
    -------
    dict
        The recorded keys and values.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> empty = pd.Series({"period": pd.NaT, "n": pd.NA, "estimate": np.nan,
    ...                    "ci_low": np.nan, "ci_high": np.nan})
    >>> record_latest(empty, prefix="overall")["overall.latest_period"] is None
    True
    >>> report.reset()
    """
    period = latest.get("period")
    text = None if period is None or pd.isna(period) else str(pd.Timestamp(period).date())
    stored = {f"{prefix}.latest_period": report.record(f"{prefix}.latest_period", text)}
    key = f"{prefix}.latest_{share}"
    stored[key] = report.record(key, latest.get("estimate"))
    stored[f"{key}_ci"] = report.record(f"{key}_ci", [latest.get("ci_low"), latest.get("ci_high")])
    return stored
