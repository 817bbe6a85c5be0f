"""Satisfaction and job fulfilment over time: rates, SPC charts, interrupted time series.

Tracking answers the last question of a Jobs-to-be-Done study: *are the jobs patients hire
care for getting done better since we acted?* The module offers, from the simplest to the
most formal:

* :func:`rates` and :func:`job_rates` - the share of positive (and top-box) ratings and the
  mean rating per week, month or quarter, overall, by group or per job, with Wilson and
  Student-t intervals; small periods are suppressed and empty periods kept as visible gaps.
* :func:`spc` - statistical process control charts (p, Laney p', XmR and run charts) with the
  NHS "Making Data Count" rules (points beyond the limits, runs of seven, trends of seven,
  two of three beyond two sigma) or Anhøj's runs rules, baselines and recalculated phases.
  :func:`runs_limits` gives Anhøj's critical values.
* :func:`its` - interrupted time series by segmented regression with Newey-West standard
  errors, level and slope change at each intervention and the counterfactual.
* :func:`action_effects`, :func:`did` and :func:`pilot_effects` - the effect of each
  improvement action of ``actions.csv`` on the job it targets, and difference-in-differences
  of piloted actions (pilot sites against the others) with a parallel pre-trends check.
* :func:`trajectories` - satisfaction over repeated survey waves per segment with a linear
  mixed model (random intercept per respondent).
* Report helpers for the tracking notebook: :func:`latest_rate`, :func:`job_summary`,
  :func:`focus_jobs`, :func:`action_its`, :func:`record_action_effects`,
  :func:`record_trajectories`, :func:`repeated_respondents`, :func:`segment_labels`.

Every function takes a DataFrame first, keyword-only options and column names with defaults,
never changes its input and returns a new tidy DataFrame (or, for :func:`its`, a frozen
:class:`ITSResult`). Shares are fractions in [0, 1] except in :func:`action_effects` and
:func:`pilot_effects`, which report percentage points as the reports do.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *Journal of the American Statistical Association*, 22(158), 209-212.
.. [2] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control* (6th ed.).
   Wiley, ch. 6-7.
.. [3] Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering*,
   14(4), 531-537.
.. [4] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*; and the
   NHSRplotthedots R package (NHS-R Community).
.. [5] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited: a simulation study of run
   chart rules for detection of non-random variation in health care processes. *PLoS ONE*,
   9(11), e113825.
.. [6] Bernal, J. L., Cummins, S., & Gasparrini, A. (2017). Interrupted time series
   regression for the evaluation of public health interventions: a tutorial. *International
   Journal of Epidemiology*, 46(1), 348-355.
.. [7] Newey, W. K., & West, K. D. (1994). Automatic lag selection in covariance matrix
   estimation. *Review of Economic Studies*, 61(4), 631-653.
.. [8] Wing, C., Simon, K., & Bello-Gomez, R. A. (2018). Designing difference in difference
   studies: best practices for public health policy research. *Annual Review of Public
   Health*, 39, 453-469.
.. [9] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data.
   *Biometrics*, 38(4), 963-974.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jtbd_methods import _stats
from jtbd_methods._stats import bootstrap_ci, wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.privacy import suppress_small
from jtbd_methods.report import key_part as report_key_part

__all__ = [
    "CHARTS",
    "PERIODS",
    "ITSResult",
    "action_effects",
    "ICON_TEXT",
    "OVERDISPERSION_THRESHOLD",
    "action_dates",
    "action_its",
    "chart_icons",
    "choose_chart",
    "did",
    "dispersion",
    "effect_verdict",
    "focus_jobs",
    "has_ratings",
    "its",
    "job_rates",
    "job_summary",
    "latest_rate",
    "mention_rates",
    "minimum_detectable_effect",
    "pilot_effects",
    "pilot_series",
    "pre_trend_sentence",
    "rates",
    "rebase_dates",
    "record_action_effects",
    "record_job_trends",
    "record_latest",
    "record_spc",
    "record_text_action_effects",
    "record_trajectories",
    "repeated_respondents",
    "runs_limits",
    "segment_labels",
    "spc",
    "text_action_effects",
    "trajectories",
]

logger = logging.getLogger(__name__)

#: Period names accepted by ``period=`` and the pandas frequency each stands for.
PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q-DEC"}
#: Chart types of :func:`spc`.
CHARTS: tuple[str, ...] = ("p", "laney", "xmr", "run")
_DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")

#: Scaling constant of the XmR chart, 3 / d2 with d2 = 1.128 for moving ranges of two points,
#: rounded as in NHS "Making Data Count" and NHSRplotthedots.
_XMR_LIMIT = 2.66
#: Upper limit of a moving range, D4 = 3.267 for ranges of two (Montgomery 2009, table VI).
_MR_UPPER = 3.267
_D2 = 1.128
#: Shortest run / trend the Making Data Count rules call a signal.
_RUN_LENGTH = 7
#: Fewer points than this give unreliable limits (Making Data Count: 12 to 15 at least).
_MIN_POINTS = 12


# --------------------------------------------------------------------------- small helpers


def _as_list(value: Any, *, parameter: str, caller: str) -> list[str]:
    """Column name(s) as a list; ``None`` gives an empty list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        out = list(value)
        if not all(isinstance(v, str) for v in out):
            raise TypeError(
                f"The '{parameter}' parameter of {caller} must be a column name or a list of "
                f"column names; got {value!r}."
            )
        return out
    raise TypeError(
        f"The '{parameter}' parameter of {caller} must be a column name or a list of column "
        f"names; got {value!r} ({type(value).__name__})."
    )


def _value_set(values: Any, *, parameter: str, caller: str) -> tuple[float, ...]:
    """A non-empty collection of rating values (e.g. ``(4, 5)``)."""
    if isinstance(values, Real) and not isinstance(values, bool):
        values = (values,)
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(
            f"The '{parameter}' parameter of {caller} must be a collection of rating values "
            f"such as (4, 5); got {values!r}."
        )
    out = tuple(values)
    if not out or not all(isinstance(v, Real) and not isinstance(v, bool) for v in out):
        raise ValueError(
            f"The '{parameter}' parameter of {caller} must be a non-empty collection of "
            f"numbers such as (4, 5); got {values!r}."
        )
    return tuple(float(v) for v in out)


def _as_datetime(series: pd.Series, *, parameter: str, caller: str) -> pd.Series:
    """``series`` as datetime64; strings are parsed, anything unparseable is an error."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
            return pd.to_datetime(series, errors="raise")
    except (ValueError, TypeError) as err:
        raise TypeError(
            f"The '{parameter}' column ({series.name!r}) passed to {caller} must hold dates; "
            f"it could not be read as dates ({err})."
        ) from err


def _as_numeric(series: pd.Series, *, parameter: str, caller: str) -> pd.Series:
    """``series`` as float with NaN for missing; non-numeric columns are an error."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return pd.Series(
            series.to_numpy(dtype=float, na_value=np.nan), index=series.index, name=series.name
        )
    raise TypeError(
        f"The '{parameter}' column ({series.name!r}) passed to {caller} must be numeric; "
        f"got dtype {series.dtype}."
    )


def _period_start(dates: pd.Series, period: str) -> pd.Series:
    """First day of the week (Monday), month or quarter that contains each date."""
    return dates.dt.to_period(PERIODS[period]).dt.start_time


def _period_range(low: Any, high: Any, period: str) -> pd.DatetimeIndex:
    freq = PERIODS[period]
    return pd.period_range(
        pd.Timestamp(low).to_period(freq), pd.Timestamp(high).to_period(freq), freq=freq
    ).start_time


def _run_ids(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run id of every element and the length of every run of equal consecutive labels."""
    if labels.size == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    change = np.r_[True, labels[1:] != labels[:-1]]
    run_id = np.cumsum(change) - 1
    return run_id, np.bincount(run_id)


def _infer_freq(times: pd.Series) -> str | None:
    """Pandas frequency of a regular series of period starts, or ``None`` when irregular."""
    uniq = pd.DatetimeIndex(times.dropna().unique()).sort_values()
    if uniq.size < 2:
        return "M"
    days = float(np.median(np.diff(uniq.as_unit("s").asi8)) / 86_400)
    if 6.5 <= days <= 7.5:
        return "W-SUN"
    if 27.5 <= days <= 31.5:
        return "M"
    if 88.5 <= days <= 92.5:
        return "Q-DEC"
    if 0.5 <= days <= 1.5:
        return "D"
    return None


def _time_index(times: pd.Series) -> tuple[np.ndarray, str | None, Any]:
    """Whole-period offsets from the first time point, the frequency and the origin.

    Datetime columns are mapped to periods of the inferred frequency (so a missing month
    leaves a gap of one in the index); numeric columns are used as they are, shifted to 0.
    """
    if pd.api.types.is_datetime64_any_dtype(times):
        freq = _infer_freq(times)
        if freq is None:
            raise ValueError(
                "The time column is not regularly spaced (weekly, monthly, quarterly or "
                "daily); aggregate it with rates() first."
            )
        ordinals = pd.DatetimeIndex(times).to_period(freq).asi8.astype(float)
        origin = float(np.nanmin(ordinals))
        return ordinals - origin, freq, origin
    values = times.astype(float).to_numpy()
    origin = float(np.nanmin(values))
    return values - origin, None, origin


def _index_of(moment: Any, freq: str | None, origin: float, caller: str) -> float:
    """Index (as in :func:`_time_index`) of the period that contains ``moment``."""
    try:
        if freq is None:
            return float(moment) - origin
        return float(pd.Timestamp(moment).to_period(freq).ordinal) - origin
    except (ValueError, TypeError) as err:
        kind = "numbers (the time column is numeric)" if freq is None else "dates"
        raise ValueError(
            f"The 'interventions' parameter of {caller} must hold {kind}; got {moment!r}."
        ) from err


def _fmt(value: float, digits: int = 1) -> str:
    return "NA" if value is None or not np.isfinite(value) else f"{value:+.{digits}f}"


# --------------------------------------------------------------------------- rates


def rates(
    data: pd.DataFrame,
    *,
    date: str = "received",
    value: str = "rating",
    period: str = "month",
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
    date : str, default "received"
        Column with the date of each response (datetime64; strings are parsed).
    value : str, default "rating"
        Numeric rating column (e.g. 1-5, pandas ``Int64``); missing ratings are not counted.
    period : {"month", "week", "quarter"}, default "month"
        Length of a period. Weeks start on Monday, quarters in January, April, July, October.
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
        First and last period of the output; default the range of ``data[date]``. Rows outside
        are ignored. Every period in the range appears, even without responses.
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
        If ``data`` is not a DataFrame, ``date`` does not hold dates, ``value`` is not
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
    by_cols = _as_list(by, parameter="by", caller=caller)
    if "period" in by_cols:
        raise ValueError(f"The 'by' parameter of {caller} cannot include 'period'.")
    require_columns(data, [date, value, *by_cols], caller=caller)
    one_of(period, tuple(PERIODS), parameter="period", caller=caller)
    one_of(mean_ci, ("t", "bootstrap"), parameter="mean_ci", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=10)
    pos = _value_set(positive, parameter="positive", caller=caller)
    top = _value_set(top_box, parameter="top_box", caller=caller)

    dates = _as_datetime(data[date], parameter="date", caller=caller)
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
    frame["period"] = _period_start(frame["_date"], period)

    if frame.empty and (start is None or end is None):
        raise ValueError(f"{caller} got no dated responses and no start/end to lay out periods.")
    low = frame["_date"].min() if start is None else pd.Timestamp(start)
    high = frame["_date"].max() if end is None else pd.Timestamp(end)
    if low > high:
        raise ValueError(f"The 'start' parameter of {caller} ({low}) is after 'end' ({high}).")
    periods = _period_range(low, high, period)
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


def _coded(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    comment_id: str,
    job: str,
    polarity: str | None,
    caller: str,
) -> pd.DataFrame:
    """Feedback rows joined to the jobs they are coded to (one row per comment x job)."""
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_dataframe(codes, parameter="codes", caller=caller)
    require_columns(feedback, [comment_id], name="feedback", caller=caller)
    require_columns(codes, [comment_id, job], name="codes", caller=caller)
    pairs = codes
    if polarity is not None:
        one_of(
            polarity, ("disrupted", "fulfilled", "unclear"), parameter="polarity", caller=caller
        )
        require_columns(codes, ["polarity"], name="codes", caller=caller)
        pairs = codes.loc[codes["polarity"] == polarity]
    pairs = pairs[[comment_id, job]].drop_duplicates()
    if job in feedback.columns:
        feedback = feedback.drop(columns=[job])
    return pairs.merge(feedback, on=comment_id, how="inner")


def job_rates(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    date: str = "received",
    value: str = "rating",
    period: str = "month",
    by: str | list[str] | None = None,
    positive: Iterable[float] = (4, 5),
    top_box: Iterable[float] = (5,),
    ci: float = 0.95,
    mean_ci: str = "t",
    min_cell_size: int = 10,
    comment_id: str = "comment_id",
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
    date, value, period, by, positive, top_box, ci, mean_ci, min_cell_size
        As in :func:`rates`.
    comment_id, job : str
        Column names of the comment id (in both tables) and of the job id (in ``codes``).
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
    by_cols = _as_list(by, parameter="by", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [comment_id, date, value, *by_cols], name="feedback", caller=caller)
    coded = _coded(
        feedback, codes, comment_id=comment_id, job=job, polarity=polarity, caller=caller
    )
    dates = _as_datetime(feedback[date], parameter="date", caller=caller)
    return rates(
        coded,
        date=date,
        value=value,
        period=period,
        by=[job, *by_cols],
        positive=positive,
        top_box=top_box,
        ci=ci,
        mean_ci=mean_ci,
        min_cell_size=min_cell_size,
        start=dates.min(),
        end=dates.max(),
    )


# --------------------------------------------------------------------------- SPC


def runs_limits(n_useful: int | Iterable[int]) -> pd.DataFrame:
    """Anhøj's critical values for the longest run and the number of crossings.

    Parameters
    ----------
    n_useful : int or iterable of int
        Number of useful observations: data points not on the centre line.

    Returns
    -------
    pandas.DataFrame
        ``n_useful``; ``longest_run_max`` - a longest run *longer* than this signals a shift;
        ``crossings_min`` - *fewer* crossings than this signal a shift.

    Raises
    ------
    TypeError, ValueError
        If a count is not a positive integer.

    Notes
    -----
    ``longest_run_max = round(log2(n) + 3)`` (Schilling 2012) and ``crossings_min`` is the
    lower 5 % quantile of Binomial(n - 1, 0.5), ``qbinom(0.05, n - 1, 0.5)`` in R (Anhøj &
    Olesen 2014). Together they keep the false-signal rate near 5 % whatever ``n``.

    References
    ----------
    .. [1] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited. *PLoS ONE*, 9(11),
       e113825.
    .. [2] Schilling, M. F. (2012). The surprising predictability of long runs. *Mathematics
       Magazine*, 85(2), 141-149.

    Examples
    --------
    >>> runs_limits([10, 24])
       n_useful  longest_run_max  crossings_min
    0        10                6              2
    1        24                8              8
    """
    caller = "runs_limits()"
    values = [n_useful] if not isinstance(n_useful, Iterable) else list(n_useful)
    ns = [check_int(v, parameter="n_useful", caller=caller, minimum=1) for v in values]
    arr = np.asarray(ns, dtype=int)
    return pd.DataFrame(
        {
            "n_useful": arr,
            "longest_run_max": np.round(np.log2(arr) + 3).astype(int),
            "crossings_min": stats.binom.ppf(0.05, np.maximum(arr - 1, 0), 0.5).astype(int),
        }
    )


def _anhoej_limits(n_useful: int) -> dict[str, int]:
    return {
        "longest_run_max": int(np.round(np.log2(n_useful) + 3)),
        "crossings_min": int(stats.binom.ppf(0.05, max(n_useful - 1, 0), 0.5)),
    }


def _phase_of(periods: pd.Series, recalc_at: Any, caller: str) -> np.ndarray:
    """Phase number (1, 2, ...) of each period; a phase starts at the period holding a date."""
    if recalc_at is None:
        return np.ones(len(periods), dtype=int)
    moments = [recalc_at] if isinstance(recalc_at, (str, pd.Timestamp, Real)) else list(recalc_at)
    if pd.api.types.is_datetime64_any_dtype(periods):
        freq = _infer_freq(periods)
        starts = []
        for m in moments:
            try:
                ts = pd.Timestamp(m)
            except (ValueError, TypeError) as err:
                raise ValueError(
                    f"The 'recalc_at' parameter of {caller} must hold dates; got {m!r}."
                ) from err
            starts.append(ts.to_period(freq).start_time if freq is not None else ts)
        cuts = np.sort(np.asarray(pd.DatetimeIndex(starts).as_unit("s").asi8))
        pos = pd.DatetimeIndex(periods).as_unit("s").asi8
    else:
        cuts = np.sort(np.asarray(moments, dtype=float))
        pos = periods.to_numpy(dtype=float)
    return np.searchsorted(cuts, pos, side="right") + 1


def _mdc_rules(
    y: np.ndarray,
    centre: np.ndarray,
    lcl: np.ndarray,
    ucl: np.ndarray,
    l2: np.ndarray,
    u2: np.ndarray,
) -> dict[str, np.ndarray]:
    """Making Data Count rules on one phase of useful points (in time order)."""
    m = y.size
    side = np.sign(y - centre)
    beyond = (y > ucl) | (y < lcl)
    # Run: seven or more consecutive points on the same side of the centre line; a point on
    # the line ends a run.
    run_id, lengths = _run_ids(side)
    run = (side != 0) & (lengths[run_id] >= _RUN_LENGTH) if m else np.zeros(0, bool)
    # Trend: seven or more consecutive points each higher (or lower) than the one before;
    # equal neighbours end a trend.
    trend = np.zeros(m, dtype=bool)
    trend_dir = np.zeros(m, dtype=int)
    if m >= _RUN_LENGTH:
        steps = np.sign(np.diff(y))
        sid, slen = _run_ids(steps)
        good = (steps != 0) & (slen[sid] >= _RUN_LENGTH - 1)
        for i in np.flatnonzero(good):
            trend[i] = trend[i + 1] = True
            trend_dir[i] = trend_dir[i + 1] = int(steps[i])
    # Two of three: two of three consecutive points beyond the same 2-sigma line (Western
    # Electric); the points beyond are flagged.
    two = np.zeros(m, dtype=bool)
    for hit in (y > u2, y < l2):
        for s in range(max(m - 2, 0)):
            window = hit[s : s + 3]
            if window.sum() >= 2:
                two[s : s + 3] |= window
    return {
        "beyond_limits": beyond,
        "run": run,
        "trend": trend,
        "two_of_three": two,
        "side": side,
        "trend_dir": trend_dir,
    }


def spc(
    data: pd.DataFrame,
    *,
    value: str,
    n: str | None = None,
    period: str = "period",
    chart: str = "p",
    baseline: int | None = None,
    recalc_at: Any = None,
    direction: str = "higher_is_better",
    screen_moving_ranges: bool = False,
    centre: float | None = None,
) -> pd.DataFrame:
    """Statistical process control chart with limits and special-cause signals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period, e.g. the output of :func:`rates` for one group. Rows whose value
        is missing (suppressed periods) stay in the output as gaps and are ignored by the
        limits and the rules.
    value : str
        Column of the plotted statistic: a share in [0, 1] for ``chart="p"``/``"laney"``
        (e.g. ``"positive_share"``), any number for ``"xmr"`` and ``"run"``.
    n : str, optional
        Column of denominators (responses per period); required by p and p' charts.
    period : str, default "period"
        Column of the periods (dates or numbers), one row per period.
    chart : {"p", "laney", "xmr", "run"}, default "p"
        p chart (binomial limits for varying denominators), Laney p' chart (p chart widened
        or narrowed for over- or under-dispersion), XmR chart of individual values, or run
        chart (median, Anhøj's rules).
    baseline : int, optional
        Compute the centre and limits of each phase from its first ``baseline`` points only
        and extend them over the rest of the phase (a "frozen" baseline).
    recalc_at : date or list of dates, optional
        Start a new phase, with its own centre and limits, at the period containing each
        date (e.g. the start of an improvement action).
    direction : {"higher_is_better", "lower_is_better", "neutral"}
        Which way is an improvement; sets ``signal_kind``.
    screen_moving_ranges : bool, default False
        XmR and p' charts: leave out moving ranges above 3.267 x their mean and recompute
        the mean moving range once (Montgomery 2009; NHSRplotthedots' ``screen_outliers``).
    centre : float, optional
        A known centre line (a standard or target, e.g. last year's share) instead of one
        estimated from the data; p charts then use it for the binomial sigma too
        ("standard given", Montgomery 2009, section 7.2.1).

    Returns
    -------
    pandas.DataFrame
        One row per period, in time order:

        * ``period``, ``value`` (float) and, if given, ``n``;
        * ``phase`` (int, from 1);
        * ``centre`` - centre line (weighted mean share, mean or median);
        * ``lcl``, ``ucl`` - 3-sigma control limits (NaN for run charts and for gaps);
        * ``lcl_2sigma``, ``ucl_2sigma`` - 2-sigma lines used by the two-of-three rule;
        * ``beyond_limits`` (bool) - outside ``lcl``/``ucl``;
        * ``run`` (bool) - part of a run of 7 or more points on one side of the centre (run
          charts: a run longer than Anhøj's limit);
        * ``trend`` (bool) - part of 7 or more points each rising (or each falling);
        * ``two_of_three`` (bool) - beyond a 2-sigma line with another of three consecutive
          points beyond the same line;
        * ``crossings`` (bool) - run charts: the phase crosses its median fewer times than
          Anhøj's limit (every useful point of the phase is flagged);
        * ``signal`` (bool) - any of the above;
        * ``signal_kind`` (object) - ``"improvement"``, ``"concern"``, ``"neither"`` (for a
          neutral ``direction`` or a crossings-only signal) or ``None``;
        * ``warning`` (object) - why the limits of this phase are unreliable, or ``None``;
        * run charts only: ``n_useful``, ``longest_run``, ``longest_run_max``,
          ``n_crossings``, ``crossings_min`` of the phase.

        ``attrs["warning"]`` repeats the warnings (or is ``None``).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column is not numeric.
    ValueError
        For a missing column, an unknown option, duplicated periods, p-chart values outside
        [0, 1], p charts without ``n``, or ``baseline`` below 2.

    Notes
    -----
    *p chart*: :math:`\\bar p = \\sum x_i / \\sum n_i` over the baseline points with
    :math:`x_i = p_i n_i`; limits :math:`\\bar p \\pm 3\\sqrt{\\bar p(1-\\bar p)/n_i}`, cut to
    [0, 1] (Montgomery 2009, section 7.2).

    *Laney p'*: :math:`z_i = (p_i - \\bar p)/\\sigma_{p_i}`,
    :math:`\\sigma_z = \\overline{MR}(z)/1.128` and limits
    :math:`\\bar p \\pm 3\\sigma_{p_i}\\sigma_z` (Laney 2002). With equal denominators it is
    the XmR chart of the shares.

    *XmR*: centre :math:`\\bar x`, limits :math:`\\bar x \\pm 2.66\\,\\overline{MR}`, 2-sigma
    lines :math:`\\bar x \\pm 1.773\\,\\overline{MR}` (NHS Making Data Count).

    *Run chart*: centre is the median; a run longer than ``round(log2(n) + 3)`` or fewer
    crossings than ``qbinom(0.05, n - 1, 0.5)`` signals a shift, where ``n`` counts points
    not on the median (Anhøj & Olesen 2014). Points on the median are ignored by these rules
    and, as in NHSRplotthedots, end a run on the control charts.

    ``signal_kind`` follows, per point, the first rule that fires in the order
    beyond limits, two of three, run (side of the centre line) and trend (its direction).
    Each phase is analysed separately. A phase with fewer than 12 points gets a warning
    (logged, in ``warning`` and ``attrs["warning"]``): limits from so few points move a lot.

    Missing data: rows with a missing value (or ``n`` of 0) keep their row with NaN limits
    and no signal; the rules run over the remaining points in time order.

    References
    ----------
    .. [1] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control* (6th ed.).
       Wiley, sections 6.4 and 7.2.
    .. [2] Laney, D. B. (2002). Improved control charts for attributes. *Quality
       Engineering*, 14(4), 531-537.
    .. [3] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*.
    .. [4] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited. *PLoS ONE*, 9(11),
       e113825.

    Examples
    --------
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 12, 6, 5, 6, 7]})
    >>> chart = spc(table, value="value", chart="xmr")
    >>> round(float(chart["centre"].iloc[0]), 3), int(chart["signal"].sum())
    (6.267, 1)
    >>> chart.loc[chart["signal"], ["period", "signal_kind"]]
        period  signal_kind
    10      11  improvement
    """
    return _spc(
        data,
        value=value,
        n=n,
        period=period,
        chart=chart,
        baseline=baseline,
        recalc_at=recalc_at,
        direction=direction,
        screen_moving_ranges=screen_moving_ranges,
        centre=centre,
        log=True,
    )


def _spc(
    data: pd.DataFrame,
    *,
    value: str,
    n: str | None = None,
    period: str = "period",
    chart: str = "p",
    baseline: int | None = None,
    recalc_at: Any = None,
    direction: str = "higher_is_better",
    screen_moving_ranges: bool = False,
    centre: float | None = None,
    log: bool = True,
) -> pd.DataFrame:
    """:func:`spc`; ``log=False`` keeps the short-phase warning out of the log."""
    caller = "spc()"
    require_dataframe(data, caller=caller)
    one_of(chart, CHARTS, parameter="chart", caller=caller)
    one_of(direction, _DIRECTIONS, parameter="direction", caller=caller)
    is_p = chart in ("p", "laney")
    if is_p and n is None:
        raise ValueError(
            f"{caller} with chart={chart!r} needs the denominators: pass n='n' (the column "
            "with the number of responses per period)."
        )
    require_columns(data, [period, value, n], caller=caller)
    baseline = check_int(baseline, parameter="baseline", caller=caller, minimum=2, allow_none=True)
    if centre is not None and (
        isinstance(centre, bool) or not isinstance(centre, Real) or not np.isfinite(centre)
    ):
        raise TypeError(f"The 'centre' parameter of {caller} must be a number; got {centre!r}.")
    if centre is not None and is_p and not 0 < centre < 1:
        raise ValueError(
            f"The 'centre' parameter of {caller} must be a share in (0, 1) for a p chart; "
            f"got {centre!r}."
        )
    if not isinstance(screen_moving_ranges, bool):
        raise TypeError(
            f"The 'screen_moving_ranges' parameter of {caller} must be True or False; got "
            f"{screen_moving_ranges!r}."
        )
    cols = [period, value] + ([n] if n is not None else [])
    table = data[cols].sort_values(period, kind="stable").reset_index(drop=True)
    if table[period].isna().any():
        raise ValueError(f"The '{period}' column passed to {caller} has missing periods.")
    if table[period].duplicated().any():
        dup = table.loc[table[period].duplicated(), period].iloc[0]
        raise ValueError(
            f"The '{period}' column passed to {caller} must have one row per period; "
            f"{dup!r} appears more than once (filter to one group first)."
        )
    y = _as_numeric(table[value], parameter="value", caller=caller).to_numpy()
    if n is not None:
        nn = _as_numeric(table[n], parameter="n", caller=caller).to_numpy()
    else:
        nn = np.full(y.size, np.nan)
    useful = np.isfinite(y)
    if is_p:
        outside = useful & ((y < 0) | (y > 1))
        if outside.any():
            raise ValueError(
                f"{caller} with chart={chart!r} needs shares in [0, 1] in {value!r}; got "
                f"{y[outside][0]!r} (percentages? divide by 100)."
            )
        if (nn[np.isfinite(nn)] < 0).any():
            raise ValueError(f"The '{n}' column passed to {caller} has negative counts.")
        useful &= np.isfinite(nn) & (nn > 0)

    phase = _phase_of(table[period], recalc_at, caller)
    size = y.size
    centre_line = np.full(size, np.nan)
    lcl = np.full(size, np.nan)
    ucl = np.full(size, np.nan)
    l2 = np.full(size, np.nan)
    u2 = np.full(size, np.nan)
    flags = {
        k: np.zeros(size, dtype=bool)
        for k in ("beyond_limits", "run", "trend", "two_of_three", "crossings")
    }
    kind = np.full(size, None, dtype=object)
    warning = np.full(size, None, dtype=object)
    extra = {
        k: np.full(size, np.nan)
        for k in ("n_useful", "longest_run", "longest_run_max", "n_crossings", "crossings_min")
    }
    messages = []
    good_sign = {"higher_is_better": 1, "lower_is_better": -1, "neutral": 0}[direction]

    def _kind(sign: int) -> str:
        if good_sign == 0 or sign == 0:
            return "neither"
        return "improvement" if sign == good_sign else "concern"

    for k in np.unique(phase):
        rows = np.flatnonzero(phase == k)
        use = rows[useful[rows]]
        if use.size < _MIN_POINTS:
            msg = (
                f"phase {k} has {use.size} point(s); limits and rules from fewer than "
                f"{_MIN_POINTS} points are unreliable"
            )
            messages.append(msg)
            warning[rows] = msg
        if use.size == 0:
            continue
        base = use[:baseline] if baseline is not None else use
        yb = y[base]
        if chart in ("p", "laney"):
            pbar = (
                float(np.sum(yb * nn[base]) / np.sum(nn[base])) if centre is None else float(centre)
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                sigma = np.sqrt(pbar * (1 - pbar) / nn[use])
            if chart == "laney":
                with np.errstate(invalid="ignore", divide="ignore"):
                    zb = (yb - pbar) / np.sqrt(pbar * (1 - pbar) / nn[base])
                sigma = sigma * _sigma_from_moving_ranges(zb, screen_moving_ranges)
            centre_line[rows] = pbar
            lcl[use] = np.clip(pbar - 3 * sigma, 0, 1)
            ucl[use] = np.clip(pbar + 3 * sigma, 0, 1)
            l2[use] = np.clip(pbar - 2 * sigma, 0, 1)
            u2[use] = np.clip(pbar + 2 * sigma, 0, 1)
        elif chart == "xmr":
            mean = float(np.mean(yb)) if centre is None else float(centre)
            amr = _sigma_from_moving_ranges(yb, screen_moving_ranges) * _D2
            centre_line[rows] = mean
            lcl[use] = mean - _XMR_LIMIT * amr
            ucl[use] = mean + _XMR_LIMIT * amr
            l2[use] = mean - _XMR_LIMIT * 2 / 3 * amr
            u2[use] = mean + _XMR_LIMIT * 2 / 3 * amr
        else:
            centre_line[rows] = float(np.median(yb)) if centre is None else float(centre)

        yu = y[use]
        if chart == "run":
            side = np.sign(yu - centre_line[use])
            keep = side != 0
            s = side[keep]
            run_id, lengths = _run_ids(s)
            n_useful = int(s.size)
            limits = _anhoej_limits(max(n_useful, 1))
            longest = int(lengths.max()) if lengths.size else 0
            n_cross = int(max(lengths.size - 1, 0))
            long_run = np.zeros(use.size, dtype=bool)
            long_run[keep] = lengths[run_id] > limits["longest_run_max"] if n_useful else False
            few = n_useful > 1 and n_cross < limits["crossings_min"]
            flags["run"][use] = long_run
            flags["crossings"][use] = keep & few
            extra["n_useful"][rows] = n_useful
            extra["longest_run"][rows] = longest
            extra["longest_run_max"][rows] = limits["longest_run_max"]
            extra["n_crossings"][rows] = n_cross
            extra["crossings_min"][rows] = limits["crossings_min"]
            for j, i in enumerate(use):
                if long_run[j]:
                    kind[i] = _kind(int(side[j]))
                elif flags["crossings"][i]:
                    kind[i] = "neither"
            continue

        rules = _mdc_rules(yu, centre_line[use], lcl[use], ucl[use], l2[use], u2[use])
        for name in ("beyond_limits", "run", "trend", "two_of_three"):
            flags[name][use] = rules[name]
        for j, i in enumerate(use):
            if rules["beyond_limits"][j] or rules["two_of_three"][j] or rules["run"][j]:
                kind[i] = _kind(int(rules["side"][j]))
            elif rules["trend"][j]:
                kind[i] = _kind(int(rules["trend_dir"][j]))

    columns: dict[str, Any] = {"period": table[period].to_numpy(), "value": y}
    if n is not None:
        columns["n"] = table[n].to_numpy()
    columns.update(
        {
            "phase": phase,
            "centre": centre_line,
            "lcl": lcl,
            "ucl": ucl,
            "lcl_2sigma": l2,
            "ucl_2sigma": u2,
            **flags,
            "signal": np.logical_or.reduce([flags[k] for k in flags]),
            "signal_kind": pd.Series(kind, dtype=object),
            "warning": pd.Series(warning, dtype=object),
        }
    )
    if chart == "run":
        for name in ("n_useful", "longest_run", "longest_run_max", "n_crossings", "crossings_min"):
            columns[name] = pd.array(extra[name], dtype="Float64").astype("Int64")
    result = pd.DataFrame(columns)
    if messages:
        text = "; ".join(messages)
        if log:
            logger.warning("%s: %s.", caller, text)
        result.attrs["warning"] = text
    else:
        result.attrs["warning"] = None
    result.attrs["chart"] = chart
    result.attrs["direction"] = direction
    return result


def _sigma_from_moving_ranges(values: np.ndarray, screen: bool) -> float:
    """Mean moving range / 1.128, optionally after leaving out ranges above 3.267 x mean."""
    values = values[np.isfinite(values)]
    if values.size < 2:
        return float("nan")
    mr = np.abs(np.diff(values))
    amr = float(mr.mean())
    if screen:
        kept = mr[mr <= _MR_UPPER * amr]
        if kept.size:
            amr = float(kept.mean())
    return amr / _D2


# --------------------------------------------------------------------------- ITS


@dataclass(frozen=True, eq=False)
class ITSResult:
    """Result of :func:`its`: effects, fitted series with counterfactual, and the model.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per model term: ``term`` (``"intercept"``, ``"pre_slope"``,
        ``"level_change"``, ``"slope_change"`` or a seasonal term), ``intervention`` (label,
        or None), ``start`` (the intervention's date, or NaT/NaN), ``estimate``, ``se``
        (Newey-West), ``ci_low``, ``ci_high``, ``p``.
    fitted : pandas.DataFrame
        One row per period: the time column, ``t`` (periods since the first), ``value``,
        ``weight``, ``segment`` (0 before the first intervention, k after the k-th),
        ``fitted`` and ``counterfactual`` (the same model with every level and slope change
        set to 0: the pre-intervention trend carried on).
    design : pandas.DataFrame
        The regression design matrix (rows used in the fit).
    model : statsmodels RegressionResults
        The fitted OLS/WLS model with HAC covariance.
    maxlags : int
        Lags of the Newey-West estimator.
    n_obs : int
        Periods used in the fit.
    """

    effects: pd.DataFrame
    fitted: pd.DataFrame
    design: pd.DataFrame
    model: Any
    maxlags: int
    n_obs: int

    def summary(self) -> pd.DataFrame:
        """One row per intervention: level and slope change with intervals and p-values.

        Columns: ``intervention``, ``start``, ``level_change``, ``level_change_ci_low``,
        ``level_change_ci_high``, ``level_change_p``, ``slope_change``,
        ``slope_change_ci_low``, ``slope_change_ci_high``, ``slope_change_p``, ``n_obs``.
        """
        rows = []
        eff = self.effects
        for label in eff.loc[eff["term"] == "level_change", "intervention"]:
            lv = eff.loc[(eff["term"] == "level_change") & (eff["intervention"] == label)].iloc[0]
            sl = eff.loc[(eff["term"] == "slope_change") & (eff["intervention"] == label)].iloc[0]
            rows.append(
                {
                    "intervention": label,
                    "start": lv["start"],
                    "level_change": lv["estimate"],
                    "level_change_ci_low": lv["ci_low"],
                    "level_change_ci_high": lv["ci_high"],
                    "level_change_p": lv["p"],
                    "slope_change": sl["estimate"],
                    "slope_change_ci_low": sl["ci_low"],
                    "slope_change_ci_high": sl["ci_high"],
                    "slope_change_p": sl["p"],
                    "n_obs": self.n_obs,
                }
            )
        return pd.DataFrame(rows)


def _interventions(interventions: Any, caller: str) -> list[tuple[str, Any]]:
    if isinstance(interventions, Mapping):
        items = [(str(k), v) for k, v in interventions.items()]
    elif isinstance(interventions, (str, pd.Timestamp, Real)) or not isinstance(
        interventions, Iterable
    ):
        items = [(None, interventions)]
    else:
        items = [(None, v) for v in interventions]
    if not items:
        raise ValueError(f"The 'interventions' parameter of {caller} needs at least one date.")
    out = []
    for label, moment in items:
        if moment is None or (isinstance(moment, float) and math.isnan(moment)):
            raise ValueError(f"The 'interventions' parameter of {caller} has a missing date.")
        if label is None:
            if isinstance(moment, Real):
                label = f"{moment:g}"
            else:
                try:
                    label = str(pd.Timestamp(moment).date())
                except (ValueError, TypeError) as err:
                    raise ValueError(
                        f"The 'interventions' parameter of {caller} must hold dates (or "
                        f"numbers for a numeric time column); got {moment!r}."
                    ) from err
        out.append((label, moment))
    return out


def _seasonal_design(
    t: np.ndarray, seasonality: Any, terms: str, harmonics: int, caller: str
) -> pd.DataFrame:
    if seasonality is None or seasonality is False or seasonality == 0:
        return pd.DataFrame(index=range(t.size))
    if seasonality is True:
        seasonality = 12
    season = check_int(seasonality, parameter="seasonality", caller=caller, minimum=2)
    cols: dict[str, np.ndarray] = {}
    if terms == "fourier":
        harmonics = check_int(
            harmonics, parameter="harmonics", caller=caller, minimum=1, maximum=season // 2
        )
        for j in range(1, harmonics + 1):
            angle = 2 * np.pi * j * t / season
            cols[f"sin_{j}"] = np.sin(angle)
            if not (season % 2 == 0 and j == season // 2):
                cols[f"cos_{j}"] = np.cos(angle)
    else:
        position = np.mod(np.round(t).astype(int), season)
        for j in range(1, season):
            cols[f"season_{j + 1}"] = (position == j).astype(float)
    return pd.DataFrame(cols)


def its(
    data: pd.DataFrame,
    *,
    value: str,
    time: str = "period",
    interventions: Any,
    seasonality: int | bool | None = False,
    seasonal_terms: str = "fourier",
    harmonics: int = 2,
    weights: str | None = None,
    maxlags: int | None = None,
    ci: float = 0.95,
) -> ITSResult:
    """Interrupted time series: segmented regression with Newey-West standard errors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (e.g. :func:`rates` output). Rows with a missing value are left
        out of the fit but keep their fitted value.
    value : str
        Outcome column (e.g. ``"positive_share"``).
    time : str, default "period"
        Period column: regular period starts (weekly, monthly, quarterly, daily) or numbers.
    interventions : date, list of dates or dict of {label: date}
        When each intervention started. The period containing the date is the first period
        after it. Labels default to the ISO date.
    seasonality : int or bool, default False
        Season length in periods (12 for months; ``True`` means 12) to add seasonal terms.
    seasonal_terms : {"fourier", "dummies"}, default "fourier"
        Sine/cosine pairs (``harmonics`` of them) or one indicator per season but the first.
    harmonics : int, default 2
        Number of Fourier harmonics.
    weights : str, optional
        Column of weights for weighted least squares (e.g. ``"n"`` for shares).
    maxlags : int, optional
        Lags of the Newey-West estimator; default ``floor(4 (T/100)^(2/9))``.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    ITSResult
        ``effects``, ``fitted`` (with the counterfactual), ``design``, ``model``, ``maxlags``,
        ``n_obs`` and ``summary()``; see :class:`ITSResult`.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column is not numeric.
    ValueError
        For a missing column or option, duplicated periods, an irregular date column,
        interventions out of order, or fewer than two observed periods in a segment.

    Notes
    -----
    With :math:`t` the period index and :math:`T_k` the first period after intervention
    :math:`k`, the model is

    .. math:: y_t = \\beta_0 + \\beta_1 t + \\sum_k \\left[\\gamma_k 1(t \\ge T_k) +
              \\delta_k (t - T_k) 1(t \\ge T_k)\\right] + s(t) + \\varepsilon_t

    so :math:`\\gamma_k` is the immediate level change and :math:`\\delta_k` the change in
    slope per period (Bernal, Cummins & Gasparrini 2017). Standard errors are Newey-West
    (HAC, Bartlett kernel) to allow for autocorrelated errors, with the small-sample factor
    :math:`T/(T-k)` (statsmodels' ``use_correction=True``) because HAC errors are too small
    in short series; inference uses the t distribution with the residual degrees of freedom.
    Segmented regression needs enough periods on each side of an intervention (Wagner et
    al. 2002 suggest 12; with fewer than about 6 after it the slope change, and so the level
    change read against the extrapolated pre-trend, is poorly determined). The counterfactual keeps the
    intercept, pre-intervention slope and seasonal terms and drops every change.

    Missing data: periods with a missing value, weight or a non-positive weight are left out.

    References
    ----------
    .. [1] Bernal, J. L., Cummins, S., & Gasparrini, A. (2017). Interrupted time series
       regression for the evaluation of public health interventions: a tutorial. *Int J
       Epidemiol*, 46(1), 348-355.
    .. [2] Newey, W. K., & West, K. D. (1987). A simple, positive semi-definite,
       heteroskedasticity and autocorrelation consistent covariance matrix. *Econometrica*,
       55(3), 703-708.
    .. [3] Wagner, A. K., Soumerai, S. B., Zhang, F., & Ross-Degnan, D. (2002). Segmented
       regression analysis of interrupted time series studies in medication use research.
       *J Clin Pharm Ther*, 27(4), 299-309.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> series = pd.DataFrame({"period": pd.date_range("2023-01-01", periods=24, freq="MS")})
    >>> series["share"] = 0.5 + 0.2 * (series["period"] >= "2024-01-01") + rng.normal(0, 0.02, 24)
    >>> result = its(series, value="share", interventions=["2024-01-01"])
    >>> round(float(result.summary()["level_change"].iloc[0]), 1)
    0.2
    """
    caller = "its()"
    require_dataframe(data, caller=caller)
    require_columns(data, [time, value, weights], caller=caller)
    one_of(seasonal_terms, ("fourier", "dummies"), parameter="seasonal_terms", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    maxlags = check_int(maxlags, parameter="maxlags", caller=caller, minimum=0, allow_none=True)
    table = data.sort_values(time, kind="stable").reset_index(drop=True)
    if table[time].isna().any():
        raise ValueError(f"The '{time}' column passed to {caller} has missing values.")
    if table[time].duplicated().any():
        raise ValueError(
            f"The '{time}' column passed to {caller} must have one row per period; "
            f"{table.loc[table[time].duplicated(), time].iloc[0]!r} appears more than once."
        )
    if not pd.api.types.is_datetime64_any_dtype(table[time]):
        _as_numeric(table[time], parameter="time", caller=caller)
    y = _as_numeric(table[value], parameter="value", caller=caller).to_numpy()
    w = (
        _as_numeric(table[weights], parameter="weights", caller=caller).to_numpy()
        if weights is not None
        else np.ones(y.size)
    )
    t, freq, origin = _time_index(table[time])
    items = _interventions(interventions, caller)
    starts = [_index_of(m, freq, origin, caller) for _, m in items]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ValueError(
            f"The 'interventions' parameter of {caller} must be in time order, one per period."
        )
    observed = np.isfinite(y) & np.isfinite(w) & (w > 0)
    bounds = [-np.inf, *starts, np.inf]
    for k in range(len(bounds) - 1):
        inside = observed & (t >= bounds[k]) & (t < bounds[k + 1])
        if inside.sum() < 2:
            where = "before the first intervention" if k == 0 else f"after {items[k - 1][0]}"
            raise ValueError(
                f"{caller} needs at least two observed periods {where}; got {int(inside.sum())}."
            )
    columns: dict[str, np.ndarray] = {"const": np.ones(y.size), "time": t}
    for j, start in enumerate(starts, 1):
        after = (t >= start).astype(float)
        columns[f"level_{j}"] = after
        columns[f"slope_{j}"] = (t - start) * after
    design_all = pd.concat(
        [
            pd.DataFrame(columns),
            _seasonal_design(t, seasonality, seasonal_terms, harmonics, caller),
        ],
        axis=1,
    )
    n_obs = int(observed.sum())
    if n_obs <= design_all.shape[1] + 1:
        raise ValueError(
            f"{caller} has {n_obs} observed periods for {design_all.shape[1]} parameters; "
            "use a longer series or fewer seasonal terms."
        )
    if maxlags is None:
        maxlags = int(np.floor(4 * (n_obs / 100) ** (2 / 9)))
    design = design_all.loc[observed].reset_index(drop=True)
    if weights is None:
        model = sm.OLS(y[observed], design)
    else:
        model = sm.WLS(y[observed], design, weights=w[observed])
    fit = model.fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
    )
    conf = fit.conf_int(alpha=1 - ci)
    terms, labels, dates = [], [], []
    for name in design.columns:
        if name == "const":
            terms.append("intercept"), labels.append(None), dates.append(None)
        elif name == "time":
            terms.append("pre_slope"), labels.append(None), dates.append(None)
        elif name.startswith(("level_", "slope_")):
            kind, j = name.split("_")
            terms.append("level_change" if kind == "level" else "slope_change")
            labels.append(items[int(j) - 1][0])
            dates.append(items[int(j) - 1][1])
        else:
            terms.append(name), labels.append(None), dates.append(None)
    start_col = (
        pd.to_datetime(pd.Series(dates, dtype=object))
        if freq is not None
        else pd.Series([np.nan if d is None else float(d) for d in dates])
    )
    effects = pd.DataFrame(
        {
            "term": terms,
            "intervention": pd.Series(labels, dtype=object),
            "start": start_col,
            "estimate": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "ci_low": conf.iloc[:, 0].to_numpy(),
            "ci_high": conf.iloc[:, 1].to_numpy(),
            "p": fit.pvalues.to_numpy(),
        }
    )
    params = fit.params.to_numpy()
    fitted_values = design_all.to_numpy() @ params
    counter = design_all.copy()
    change_cols = [c for c in counter.columns if c.startswith(("level_", "slope_"))]
    counter[change_cols] = 0.0
    segment = np.searchsorted(np.asarray(starts), t, side="right")
    fitted = pd.DataFrame(
        {
            time: table[time].to_numpy(),
            "t": t,
            "value": y,
            "weight": w,
            "segment": segment,
            "fitted": fitted_values,
            "counterfactual": counter.to_numpy() @ params,
        }
    )
    return ITSResult(
        effects=effects, fitted=fitted, design=design, model=fit, maxlags=maxlags, n_obs=n_obs
    )


# --------------------------------------------------------------------------- actions


def _split_sites(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return []
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _action_series(
    coded: pd.DataFrame,
    record: Mapping[str, Any],
    *,
    has_sites: bool,
    date: str,
    value: str,
    site: str,
    job: str,
    period: str,
    positive: tuple[float, ...],
    min_cell_size: int,
    min_periods: int,
    start: Any,
    end: Any,
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Descriptive row of one action and its positive-share series (None if not estimable)."""
    action_id, job_id = record["action_id"], record[job]
    started = pd.Timestamp(record["started"]) if pd.notna(record["started"]) else pd.NaT
    sites = _split_sites(record["sites"]) if has_sites else []
    sub = coded.loc[coded[job] == job_id]
    if sites:
        sub = sub.loc[sub[site].astype(str).isin(sites)]
    row: dict[str, Any] = {
        "action_id": action_id,
        "job_id": job_id,
        "started": started,
        "scope": "pilot sites" if sites else "all sites",
        "sites": ";".join(sites) if sites else None,
    }
    rated = sub.loc[sub[value].notna()]
    before = rated.loc[rated[date] < started] if pd.notna(started) else rated.iloc[:0]
    after = rated.loc[rated[date] >= started] if pd.notna(started) else rated.iloc[:0]
    row["n_before"], row["n_after"] = (
        len(part) if len(part) == 0 or len(part) >= min_cell_size else pd.NA
        for part in (before, after)
    )
    row["n_periods_before"] = row["n_periods_after"] = 0
    for name, part in (("share_before", before), ("share_after", after)):
        ok = len(part) >= min_cell_size
        row[name] = 100 * float(part[value].astype(float).isin(positive).mean()) if ok else np.nan
    row["note"] = None
    if pd.isna(started):
        row["note"] = "no start date"
        return row, None
    if rated.empty:
        row["note"] = "no rated comments coded to this job"
        return row, None
    series = rates(
        sub,
        date=date,
        value=value,
        period=period,
        positive=positive,
        min_cell_size=min_cell_size,
        start=start,
        end=end,
    )
    first_after = started.to_period(PERIODS[period]).start_time
    usable = ~series["suppressed"]
    row["n_periods_before"] = int((usable & (series["period"] < first_after)).sum())
    row["n_periods_after"] = int((usable & (series["period"] >= first_after)).sum())
    if min(row["n_periods_before"], row["n_periods_after"]) < min_periods:
        row["note"] = (
            f"fewer than {min_periods} periods with at least {min_cell_size} ratings before "
            "or after the start"
        )
        return row, None
    return row, series


def action_effects(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    period: str = "month",
    date: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    seasonality: int | bool | None = False,
    maxlags: int | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
    min_periods: int = 6,
    comment_id: str = "comment_id",
    job: str = "job_id",
) -> pd.DataFrame:
    """Effect of each improvement action on the positive share of its job (ITS, in pp).

    For every action, the comments coded to the action's job (at the pilot sites only, for
    an action with ``sites``) are turned into a series of the share of positive ratings per
    period (:func:`rates`); :func:`its` then estimates the level and slope change at the
    action's start, weighting each period by its number of ratings.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Comments with ``comment_id``, date, rating and site.
    codes : pandas.DataFrame
        Long table of codes with ``comment_id`` and ``job_id``.
    actions : pandas.DataFrame
        ``actions.csv``: ``action_id``, ``job_id``, ``started`` and optionally ``sites``
        (``;``-separated pilot sites).
    period : {"month", "week", "quarter"}, default "month"
        Period of the series.
    date, value, site : str
        Column names in ``feedback``.
    positive : collection of numbers, default (4, 5)
        Ratings counted as positive.
    seasonality, maxlags, ci
        Passed to :func:`its`.
    min_cell_size : int, default 10
        Periods with fewer ratings are suppressed and left out of the fit.
    min_periods : int, default 6
        Fewest unsuppressed periods needed on each side of the start; with fewer the effect
        is not estimated (``note`` says so): a level and slope change read from a handful of
        points after the start mostly reflects noise in the extrapolated trend.
    comment_id, job : str
        Column names of the comment id and the job id.

    Returns
    -------
    pandas.DataFrame
        One row per action:

        * ``action_id``, ``job_id``, ``started``;
        * ``scope`` - ``"all sites"`` or ``"pilot sites"``; ``sites`` - the pilot sites;
        * ``n_before``, ``n_after`` (Int64) - rated comments coded to the job before / from
          the start (``<NA>`` when fewer than ``min_cell_size``); ``n_periods_before``,
          ``n_periods_after`` - unsuppressed periods;
        * ``share_before``, ``share_after`` - pooled positive share (percentage points);
        * ``level_change``, ``level_change_ci_low``, ``level_change_ci_high``,
          ``level_change_p`` - immediate change in the positive share (percentage points);
        * ``slope_change``, ``slope_change_ci_low``, ``slope_change_ci_high``,
          ``slope_change_p`` - change in slope (percentage points per period);
        * ``verdict`` - reading of the level change against a worthwhile change of 5 points
          (:func:`effect_verdict`: improved, worsened, inconclusive, no worthwhile change or
          not estimated);
        * ``note`` - why the effect could not be estimated, or None.

    Raises
    ------
    TypeError, ValueError
        When a table or column is missing or an option is invalid.

    Notes
    -----
    The model is that of :func:`its`: weighted least squares with Newey-West errors. An ITS
    attributes to the action any other change that happened at the same time; compare with
    jobs the action did not target, and for pilots see :func:`pilot_effects`.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    >>> received = pd.Series(rng.choice(days, 2400)).sort_values(ignore_index=True)
    >>> p = np.where(received >= "2024-01-01", 0.8, 0.5)
    >>> feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(2400)],
    ...     "received": received, "site": "North",
    ...     "rating": pd.array(np.where(rng.random(2400) < p, 5, 2), dtype="Int64")})
    >>> codes = pd.DataFrame({"comment_id": feedback["comment_id"], "job_id": "gain_clarity"})
    >>> actions = pd.DataFrame({"action_id": ["A1"], "job_id": ["gain_clarity"],
    ...                         "started": pd.to_datetime(["2024-01-01"])})
    >>> effect = action_effects(feedback, codes, actions)
    >>> bool(effect.loc[0, "level_change_ci_low"] < 30 < effect.loc[0, "level_change_ci_high"])
    True
    """
    caller = "action_effects()"
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [comment_id, date, value, site], name="feedback", caller=caller)
    min_periods = check_int(min_periods, parameter="min_periods", caller=caller, minimum=2)
    one_of(period, tuple(PERIODS), parameter="period", caller=caller)
    pos = _value_set(positive, parameter="positive", caller=caller)
    coded = _coded(feedback, codes, comment_id=comment_id, job=job, polarity=None, caller=caller)
    all_dates = _as_datetime(feedback[date], parameter="date", caller=caller)
    coded[date] = _as_datetime(coded[date], parameter="date", caller=caller)
    options = {
        "date": date,
        "value": value,
        "site": site,
        "job": job,
        "period": period,
        "positive": pos,
        "min_cell_size": min_cell_size,
        "min_periods": min_periods,
        "start": all_dates.min(),
        "end": all_dates.max(),
    }
    has_sites = "sites" in actions.columns
    rows = []
    for action in actions.itertuples(index=False):
        record = action._asdict()
        row, series = _action_series(coded, record, has_sites=has_sites, **options)
        row.update({k: np.nan for k in _EFFECT_COLUMNS})
        if series is not None:
            result = its(
                series,
                value="positive_share",
                time="period",
                interventions={str(row["action_id"]): row["started"]},
                weights="n",
                seasonality=seasonality,
                maxlags=maxlags,
                ci=ci,
            )
            summary = result.summary().iloc[0]
            for key in _EFFECT_COLUMNS:
                factor = 1.0 if key.endswith("_p") else 100.0
                row[key] = factor * float(summary[key])
        rows.append(row)
    columns = [
        "action_id",
        "job_id",
        "started",
        "scope",
        "sites",
        "n_before",
        "n_after",
        "n_periods_before",
        "n_periods_after",
        "share_before",
        "share_after",
        *_EFFECT_COLUMNS,
        "note",
    ]
    out = pd.DataFrame(rows, columns=columns)
    out.insert(
        len(columns) - 1,
        "verdict",
        [
            effect_verdict(r.level_change, r.level_change_ci_low, r.level_change_ci_high)
            for r in out.itertuples(index=False)
        ],
    )
    for col in ("sites", "note"):
        out[col] = out[col].astype(object)
    for col in ("n_before", "n_after"):
        out[col] = out[col].astype("Int64")
    return out


def action_its(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    action_id: Hashable | None = None,
    period: str = "month",
    date: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    seasonality: int | bool | None = False,
    maxlags: int | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
    min_periods: int = 6,
    comment_id: str = "comment_id",
    job: str = "job_id",
) -> ITSResult:
    """The interrupted time series behind one row of :func:`action_effects` (for plotting).

    Parameters
    ----------
    feedback, codes, actions : pandas.DataFrame
        As in :func:`action_effects`.
    action_id : hashable, optional
        The action to analyse (a value of ``actions["action_id"]``); default the first
        action, in the order of ``actions``, whose effect can be estimated.
    period, date, value, site, positive, seasonality, maxlags, ci, min_cell_size, min_periods,
    comment_id, job
        As in :func:`action_effects`.

    Returns
    -------
    ITSResult
        The fit of :func:`its` on the action's positive-share series (shares in [0, 1]).

    Raises
    ------
    TypeError, ValueError
        As :func:`action_effects`; also when ``action_id`` is unknown or its effect cannot
        be estimated (the message gives the reason).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    >>> received = pd.Series(rng.choice(days, 2400)).sort_values(ignore_index=True)
    >>> p = np.where(received >= "2024-01-01", 0.8, 0.5)
    >>> feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(2400)],
    ...     "received": received, "site": "North",
    ...     "rating": pd.array(np.where(rng.random(2400) < p, 5, 2), dtype="Int64")})
    >>> codes = pd.DataFrame({"comment_id": feedback["comment_id"], "job_id": "gain_clarity"})
    >>> actions = pd.DataFrame({"action_id": ["A1"], "job_id": ["gain_clarity"],
    ...                         "started": pd.to_datetime(["2024-01-01"])})
    >>> result = action_its(feedback, codes, actions, action_id="A1")
    >>> result.summary()["intervention"].tolist()
    ['A1']
    """
    caller = "action_its()"
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [comment_id, date, value, site], name="feedback", caller=caller)
    min_periods = check_int(min_periods, parameter="min_periods", caller=caller, minimum=2)
    one_of(period, tuple(PERIODS), parameter="period", caller=caller)
    pos = _value_set(positive, parameter="positive", caller=caller)
    if action_id is None:
        chosen = actions
    else:
        chosen = actions.loc[actions["action_id"].astype(str) == str(action_id)]
    if chosen.empty:
        known = ", ".join(map(str, actions["action_id"].head(10)))
        raise ValueError(
            f"The 'action_id' parameter of {caller} must name an action of 'actions'; got "
            f"{action_id!r} (known: {known or 'none'})."
        )
    coded = _coded(feedback, codes, comment_id=comment_id, job=job, polarity=None, caller=caller)
    coded[date] = _as_datetime(coded[date], parameter="date", caller=caller)
    all_dates = _as_datetime(feedback[date], parameter="date", caller=caller)
    notes = []
    for candidate in chosen.itertuples(index=False):
        row, series = _action_series(
            coded,
            candidate._asdict(),
            has_sites="sites" in actions.columns,
            date=date,
            value=value,
            site=site,
            job=job,
            period=period,
            positive=pos,
            min_cell_size=min_cell_size,
            min_periods=min_periods,
            start=all_dates.min(),
            end=all_dates.max(),
        )
        if series is not None:
            break
        notes.append(f"{row['action_id']}: {row['note']}")
    else:
        raise ValueError(f"{caller}: no effect can be estimated ({'; '.join(notes)}).")
    return its(
        series,
        value="positive_share",
        time="period",
        interventions={str(row["action_id"]): row["started"]},
        weights="n",
        seasonality=seasonality,
        maxlags=maxlags,
        ci=ci,
    )


_EFFECT_COLUMNS = (
    "level_change",
    "level_change_ci_low",
    "level_change_ci_high",
    "level_change_p",
    "slope_change",
    "slope_change_ci_low",
    "slope_change_ci_high",
    "slope_change_p",
)


def did(
    data: pd.DataFrame,
    *,
    value: str,
    treated: Iterable[Hashable],
    start: Any,
    date: str = "received",
    group: str = "site",
    period: str = "month",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Difference-in-differences of treated against control groups, with a pre-trends check.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation (e.g. one rated comment), with the outcome, date and group.
    value : str
        Numeric outcome (e.g. 1 for a positive rating, 0 otherwise).
    treated : collection
        Groups (e.g. pilot sites) that received the intervention; every other group is a
        control.
    start : date
        Start of the intervention; the period containing it is the first period after.
    date : str, default "received"
        Date column.
    group : str, default "site"
        Group (cluster) column.
    period : {"month", "week", "quarter"}, default "month"
        Period used to place ``start`` and for the pre-trend slope.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``term``:

        * ``"did"`` - change in the treated groups minus change in the controls, before to
          after (outcome units);
        * ``"pre_trend"`` - difference in slope per period between treated and controls
          before the start; a small p-value questions the parallel-trends assumption.

        and columns ``estimate``, ``se`` (cluster-robust by group), ``ci_low``, ``ci_high``,
        ``p``, ``n_treated_before``, ``n_treated_after``, ``n_control_before``,
        ``n_control_after``, ``n_clusters``, ``note`` (why a row is missing, or None).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or ``value`` is not numeric.
    ValueError
        For a missing column, no treated or no control group among the data, or a start
        outside the data.

    Notes
    -----
    The estimate is :math:`\\delta` of the linear model

    .. math:: y_{ig} = \\alpha + \\beta\\,\\mathrm{treated}_g + \\gamma\\,\\mathrm{post}_i +
              \\delta\\,\\mathrm{treated}_g\\,\\mathrm{post}_i + \\varepsilon_{ig}

    fitted by OLS with standard errors clustered by group and t inference with
    (clusters - 1) degrees of freedom. The pre-trend check fits, before the start only,
    :math:`y = \\alpha + \\beta\\,\\mathrm{treated} + \\gamma t + \\theta\\,\\mathrm{treated}
    \\cdot t` and reports :math:`\\theta`. Cluster-robust errors need many clusters; with
    few sites read the interval as approximate (Wing, Simon & Bello-Gomez 2018).

    Missing data: rows with a missing value, date or group are left out.

    References
    ----------
    .. [1] Wing, C., Simon, K., & Bello-Gomez, R. A. (2018). Designing difference in
       difference studies. *Annual Review of Public Health*, 39, 453-469.
    .. [2] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
       inference. *Journal of Human Resources*, 50(2), 317-372.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rows = pd.DataFrame({"site": np.repeat(list("ABCDEF"), 400),
    ...     "received": np.tile(pd.date_range("2024-01-01", periods=400, freq="D"), 6)})
    >>> effect = np.where(rows["site"].isin(["A", "B", "C"]) & (rows["received"] >= "2024-07-01"),
    ...                   0.2, 0.0)
    >>> rows["positive"] = (rng.random(len(rows)) < 0.5 + effect).astype(int)
    >>> table = did(rows, value="positive", treated=["A", "B", "C"], start="2024-07-01")
    >>> table["term"].tolist()
    ['did', 'pre_trend']
    """
    caller = "did()"
    require_dataframe(data, caller=caller)
    require_columns(data, [value, date, group], caller=caller)
    one_of(period, tuple(PERIODS), parameter="period", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    if isinstance(treated, str) or not isinstance(treated, Iterable):
        treated = [treated]
    treated = set(treated)
    y = _as_numeric(data[value], parameter="value", caller=caller)
    dates = _as_datetime(data[date], parameter="date", caller=caller)
    frame = pd.DataFrame(
        {"y": y.to_numpy(), "date": dates.to_numpy(), "group": data[group].to_numpy()}
    )
    frame = frame.dropna().reset_index(drop=True)
    frame["treated"] = frame["group"].isin(treated).astype(float)
    present = set(frame.loc[frame["treated"] == 1, "group"])
    if not present:
        raise ValueError(
            f"The 'treated' parameter of {caller} names no group found in {group!r}; got "
            f"{sorted(map(str, treated))}."
        )
    if (frame["treated"] == 0).sum() == 0:
        raise ValueError(f"{caller} needs control groups: every row belongs to a treated group.")
    freq = PERIODS[period]
    try:
        start_ts = pd.Timestamp(start)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"The 'start' parameter of {caller} must be a date; got {start!r}."
        ) from err
    ordinal = pd.DatetimeIndex(frame["date"]).to_period(freq).asi8
    cut = start_ts.to_period(freq).ordinal
    frame["post"] = (ordinal >= cut).astype(float)
    frame["t"] = (ordinal - ordinal.min()).astype(float)
    if frame["post"].sum() == 0 or (frame["post"] == 0).sum() == 0:
        raise ValueError(
            f"The 'start' parameter of {caller} ({start_ts.date()}) must fall inside the data, "
            "with observations before and after it."
        )
    groups = pd.factorize(frame["group"])[0]
    counts = {
        "n_treated_before": int(((frame["treated"] == 1) & (frame["post"] == 0)).sum()),
        "n_treated_after": int(((frame["treated"] == 1) & (frame["post"] == 1)).sum()),
        "n_control_before": int(((frame["treated"] == 0) & (frame["post"] == 0)).sum()),
        "n_control_after": int(((frame["treated"] == 0) & (frame["post"] == 1)).sum()),
        "n_clusters": int(np.unique(groups).size),
    }
    rows = []

    def _fit(x: pd.DataFrame, yy: np.ndarray, g: np.ndarray, term: str, coef: str) -> dict:
        fit = sm.OLS(yy, x).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
        conf = fit.conf_int(alpha=1 - ci).loc[coef]
        return {
            "term": term,
            "estimate": float(fit.params[coef]),
            "se": float(fit.bse[coef]),
            "ci_low": float(conf.iloc[0]),
            "ci_high": float(conf.iloc[1]),
            "p": float(fit.pvalues[coef]),
            **counts,
            "note": None,
        }

    x = pd.DataFrame(
        {
            "const": 1.0,
            "treated": frame["treated"],
            "post": frame["post"],
            "treated_post": frame["treated"] * frame["post"],
        }
    )
    empty_cells = [
        k
        for k in ("n_treated_before", "n_treated_after", "n_control_before", "n_control_after")
        if counts[k] == 0
    ]
    if empty_cells:
        rows.append(_missing_row("did", counts, f"no observations in {', '.join(empty_cells)}"))
    else:
        rows.append(_fit(x, frame["y"].to_numpy(), groups, "did", "treated_post"))
    pre = frame.loc[frame["post"] == 0]
    pre_ok = (
        pre.loc[pre["treated"] == 1, "t"].nunique() >= 2
        and pre.loc[pre["treated"] == 0, "t"].nunique() >= 2
    )
    if pre_ok:
        xp = pd.DataFrame(
            {
                "const": 1.0,
                "treated": pre["treated"],
                "t": pre["t"],
                "treated_t": pre["treated"] * pre["t"],
            }
        )
        rows.append(
            _fit(xp, pre["y"].to_numpy(), groups[pre.index.to_numpy()], "pre_trend", "treated_t")
        )
    else:
        rows.append(
            _missing_row("pre_trend", counts, "fewer than two periods before the start in a group")
        )
    out = pd.DataFrame(rows)
    out["note"] = out["note"].astype(object)
    return out


def _missing_row(term: str, counts: dict, note: str) -> dict:
    return {
        "term": term,
        "estimate": np.nan,
        "se": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p": np.nan,
        **counts,
        "note": note,
    }


def pilot_effects(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    period: str = "month",
    date: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    ci: float = 0.95,
    min_cell_size: int = 10,
    comment_id: str = "comment_id",
    job: str = "job_id",
    worthwhile: float = 5.0,
    power: float = 0.8,
) -> pd.DataFrame:
    """Difference-in-differences of every piloted action: pilot sites against the others.

    Parameters
    ----------
    feedback, codes, actions : pandas.DataFrame
        As in :func:`action_effects`; only actions with a non-empty ``sites`` are used.
    period, date, value, site, positive, ci, comment_id, job
        As in :func:`action_effects` and :func:`did`.
    min_cell_size : int, default 10
        An estimate resting on fewer rated comments in any of the four cells (pilot or
        control, before or after) is suppressed.
    worthwhile : float, default 5.0
        Smallest change in the positive share (percentage points) that would matter; an
        interval holding both zero and a change this large is ``"inconclusive"``.
    power : float, default 0.8
        Power of the minimum detectable effect.

    Returns
    -------
    pandas.DataFrame
        Two rows per piloted action (``term`` ``"did"`` and ``"pre_trend"``) with
        ``action_id``, ``job_id``, ``sites``, ``started`` and the columns of :func:`did`;
        ``estimate``, ``se``, ``ci_low`` and ``ci_high`` are in percentage points (per period
        for ``pre_trend``); ``suppressed`` (bool) marks small cells; ``mde`` is the minimum
        detectable effect at this size (:func:`minimum_detectable_effect`, points) and
        ``verdict`` the reading of the ``did`` row (:func:`effect_verdict`; None for
        ``pre_trend``). Empty (with these columns) when no action has sites.

    Raises
    ------
    TypeError, ValueError
        When a table or column is missing or an option is invalid.

    Notes
    -----
    The outcome is 1 for a positive rating and 0 otherwise, among the rated comments coded to
    the action's job, so the estimate is a change in the positive share (linear probability
    model). See :func:`did` for the model and its caveats.

    Examples
    --------
    >>> actions = pd.DataFrame({"action_id": ["A1"], "job_id": ["gain_clarity"],
    ...                         "started": pd.to_datetime(["2024-01-01"]), "sites": [None]})
    >>> pilot_effects(pd.DataFrame({"comment_id": [], "received": [], "rating": [], "site": []}),
    ...               pd.DataFrame({"comment_id": [], "job_id": []}), actions).shape[0]
    0
    """
    caller = "pilot_effects()"
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [comment_id, date, value, site], name="feedback", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    pos = _value_set(positive, parameter="positive", caller=caller)
    columns = [
        "action_id",
        "job_id",
        "sites",
        "started",
        "term",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "p",
        "n_treated_before",
        "n_treated_after",
        "n_control_before",
        "n_control_after",
        "n_clusters",
        "suppressed",
        "mde",
        "verdict",
        "note",
    ]
    if "sites" not in actions.columns:
        return pd.DataFrame(columns=columns)
    pilots = actions.loc[actions["sites"].map(lambda s: bool(_split_sites(s)))]
    if pilots.empty:
        return pd.DataFrame(columns=columns)
    coded = _coded(feedback, codes, comment_id=comment_id, job=job, polarity=None, caller=caller)
    coded = coded.loc[coded[value].notna()].copy()
    coded["_positive"] = coded[value].astype(float).isin(pos).astype(float)
    coded[site] = coded[site].astype(str)
    frames = []
    for action in pilots.itertuples(index=False):
        record = action._asdict()
        sites = _split_sites(record["sites"])
        sub = coded.loc[coded[job] == record[job]]
        base = {
            "action_id": record["action_id"],
            "job_id": record[job],
            "sites": ";".join(sites),
            "started": pd.Timestamp(record["started"]),
        }
        try:
            table = did(
                sub,
                value="_positive",
                treated=sites,
                start=record["started"],
                date=date,
                group=site,
                period=period,
                ci=ci,
            )
        except ValueError as err:
            table = pd.DataFrame(
                [
                    {
                        **_missing_row(
                            term,
                            dict.fromkeys(
                                (
                                    "n_treated_before",
                                    "n_treated_after",
                                    "n_control_before",
                                    "n_control_after",
                                    "n_clusters",
                                ),
                                0,
                            ),
                            str(err),
                        )
                    }
                    for term in ("did", "pre_trend")
                ]
            )
        for col in ("estimate", "se", "ci_low", "ci_high"):
            table[col] = 100 * table[col]
        cells = table[
            ["n_treated_before", "n_treated_after", "n_control_before", "n_control_after"]
        ].min(axis=1)
        table["suppressed"] = (cells < min_cell_size).to_numpy()
        table.loc[table["suppressed"], ["estimate", "se", "ci_low", "ci_high", "p"]] = np.nan
        table["mde"] = [minimum_detectable_effect(se, ci=ci, power=power) for se in table["se"]]
        table["verdict"] = [
            effect_verdict(r.estimate, r.ci_low, r.ci_high, worthwhile=worthwhile)
            if r.term == "did"
            else None
            for r in table.itertuples(index=False)
        ]
        for key, val in base.items():
            table[key] = val
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)[columns]
    out["note"] = out["note"].astype(object)
    return out


# --------------------------------------------------------------------------- trajectories


def _labels_by_respondent(labels: pd.Series, survey: pd.DataFrame, id_column: str) -> pd.Series:
    """Segment label per respondent id, from labels by survey row or by respondent id.

    ``segmentation.segment(...).labels`` is aligned to the survey's rows and labels each
    respondent on one row only (the segmented wave); every other row of that respondent takes
    the same label. A Series indexed by respondent id is used as it is.
    """
    ids = survey[id_column].astype(str)
    by_row = (
        not pd.api.types.is_string_dtype(labels.index)
        and not pd.api.types.is_object_dtype(labels.index)
        and labels.index.isin(survey.index).all()
    )
    if by_row:
        per_row = pd.Series(labels.reindex(survey.index).to_numpy(), index=ids.to_numpy())
        per_row = per_row.dropna()
        conflicting = per_row.groupby(level=0).nunique() > 1
        if conflicting.any():
            logger.warning(
                "trajectories(): %d respondent(s) carry different segments on different rows; "
                "the first is used.",
                int(conflicting.sum()),
            )
        return per_row[~per_row.index.duplicated()]
    out = labels.copy()
    out.index = out.index.astype(str)
    return out[~out.index.duplicated()]


def trajectories(
    survey: pd.DataFrame,
    *,
    value: str = "overall_satisfaction",
    wave: str = "wave",
    id: str = "respondent_id",
    segment: str | pd.Series | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
) -> pd.DataFrame:
    """Satisfaction over survey waves per segment, from a linear mixed model.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response: respondent id, wave and the outcome.
    value : str, default "overall_satisfaction"
        Numeric outcome (e.g. 1-5).
    wave : str, default "wave"
        Wave column: integers (used as they are, shifted so the first wave is 0) or dates
        (numbered 0, 1, 2, ... in time order).
    id : str, default "respondent_id"
        Respondent id; each respondent gets a random intercept.
    segment : str or pandas.Series, optional
        Segment column of ``survey``; or a Series of labels either indexed by respondent id or
        aligned to the rows of ``survey`` (as ``segmentation.segment(survey).labels``, which
        labels each respondent once: the label then applies to all their rows). Without it,
        one trajectory for everyone.
    ci : float, default 0.95
        Confidence level.
    min_cell_size : int, default 10
        Segments with fewer respondents are suppressed.

    Returns
    -------
    pandas.DataFrame
        Two rows per segment (``segment`` is ``"all"`` without segments):

        * ``term`` - ``"first_wave_mean"`` (model mean at the first wave) or
          ``"change_per_wave"`` (slope);
        * ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p`` (p of the slope against 0; of
          the mean against 0 for the first row);
        * ``n_respondents``, ``n`` (responses) - Int64, ``<NA>`` for a suppressed segment;
          ``n_waves``;
        * ``suppressed`` (bool) - fewer than ``min_cell_size`` respondents: estimates NaN.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame, the outcome is not numeric or ``segment`` has the
        wrong type.
    ValueError
        For a missing column, fewer than two waves, or when no respondent answered twice.

    Notes
    -----
    The model (Laird & Ware 1982) is

    .. math:: y_{ij} = \\beta_{0,s(i)} + \\beta_{1,s(i)} w_{ij} + u_i + \\varepsilon_{ij},
              \\quad u_i \\sim N(0, \\tau^2), \\; \\varepsilon_{ij} \\sim N(0, \\sigma^2)

    fitted by REML with ``statsmodels.MixedLM`` as ``value ~ wave * C(segment)`` with a
    random intercept per respondent; segment-specific means and slopes are linear
    combinations of the fixed effects, with Wald (normal) intervals. The random intercept
    accounts for the same patients answering several waves.

    Missing data: responses with a missing outcome, wave or segment are left out; a
    respondent with responses in only some waves still contributes (missing at random).

    References
    ----------
    .. [1] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data.
       *Biometrics*, 38(4), 963-974.
    .. [2] Fitzmaurice, G. M., Laird, N. M., & Ware, J. H. (2011). *Applied Longitudinal
       Analysis* (2nd ed.). Wiley.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> survey = pd.DataFrame({"respondent_id": np.repeat([f"r{i}" for i in range(60)], 3),
    ...                        "wave": np.tile([1, 2, 3], 60)})
    >>> survey["overall_satisfaction"] = (3 + 0.5 * (survey["wave"] - 1)
    ...     + np.repeat(rng.normal(0, 0.5, 60), 3) + rng.normal(0, 0.3, 180))
    >>> table = trajectories(survey)
    >>> round(float(table.loc[table["term"] == "change_per_wave", "estimate"].iloc[0]), 1)
    0.5
    """
    caller = "trajectories()"
    require_dataframe(survey, parameter="survey", caller=caller)
    seg_col = segment if isinstance(segment, str) else None
    require_columns(survey, [value, wave, id, seg_col], name="survey", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    y = _as_numeric(survey[value], parameter="value", caller=caller)
    frame = pd.DataFrame({"y": y.to_numpy(), "id": survey[id].astype(str).to_numpy()})
    waves = survey[wave]
    if pd.api.types.is_datetime64_any_dtype(waves):
        order = {d: i for i, d in enumerate(sorted(waves.dropna().unique()))}
        frame["w"] = waves.map(order).to_numpy(dtype=float)
    else:
        wv = _as_numeric(waves, parameter="wave", caller=caller).to_numpy()
        frame["w"] = wv - np.nanmin(wv)
    if segment is None:
        frame["segment"] = "all"
    elif isinstance(segment, str):
        frame["segment"] = survey[segment].to_numpy()
    elif isinstance(segment, pd.Series):
        frame["segment"] = frame["id"].map(_labels_by_respondent(segment, survey, id)).to_numpy()
    else:
        raise TypeError(
            f"The 'segment' parameter of {caller} must be a column name or a Series of labels "
            f"indexed by respondent id; got {type(segment).__name__}."
        )
    frame = frame.dropna().reset_index(drop=True)
    frame["segment"] = frame["segment"].astype(str)
    if frame["w"].nunique() < 2:
        raise ValueError(
            f"{caller} needs at least two waves with answers; got {frame['w'].nunique()}."
        )
    if not frame["id"].duplicated().any():
        raise ValueError(
            f"{caller}: no respondent answered more than one wave, so a random intercept per "
            "respondent cannot be estimated; compare waves with rates() instead."
        )
    sizes = frame.groupby("segment")["id"].nunique()
    kept = sorted(sizes.index[sizes >= min_cell_size])
    small = sorted(sizes.index[sizes < min_cell_size])
    rows = []
    fit = None
    if kept:
        data = frame.loc[frame["segment"].isin(kept)].copy()
        data["segment"] = pd.Categorical(data["segment"], categories=kept)
        formula = "y ~ w * C(segment)" if len(kept) > 1 else "y ~ w"
        model = sm.MixedLM.from_formula(formula, groups="id", data=data)
        fit = model.fit(reml=True)
        if not fit.converged:
            logger.warning("%s: the mixed model did not converge; read it with care.", caller)
        names = list(fit.fe_params.index)
        cov = fit.cov_params().loc[names, names].to_numpy()
        beta = fit.fe_params.to_numpy()
        z = stats.norm.ppf(1 - (1 - ci) / 2)
        for level in kept:
            part = data.loc[data["segment"] == level]
            for term, base_name in (("first_wave_mean", "Intercept"), ("change_per_wave", "w")):
                contrast = np.zeros(len(names))
                contrast[names.index(base_name)] = 1.0
                if len(kept) > 1 and level != kept[0]:
                    extra = (
                        f"C(segment)[T.{level}]"
                        if base_name == "Intercept"
                        else f"w:C(segment)[T.{level}]"
                    )
                    contrast[names.index(extra)] = 1.0
                est = float(contrast @ beta)
                se = float(np.sqrt(contrast @ cov @ contrast))
                rows.append(
                    {
                        "segment": level,
                        "term": term,
                        "estimate": est,
                        "se": se,
                        "ci_low": est - z * se,
                        "ci_high": est + z * se,
                        "p": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
                        "n_respondents": int(part["id"].nunique()),
                        "n": len(part),
                        "n_waves": int(part["w"].nunique()),
                        "suppressed": False,
                    }
                )
    for level in small:
        part = frame.loc[frame["segment"] == level]
        for term in ("first_wave_mean", "change_per_wave"):
            rows.append(
                {
                    "segment": level,
                    "term": term,
                    "estimate": np.nan,
                    "se": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p": np.nan,
                    "n_respondents": pd.NA,
                    "n": pd.NA,
                    "n_waves": int(part["w"].nunique()),
                    "suppressed": True,
                }
            )
    if small:
        logger.info(
            "%s: %d segment(s) with fewer than %d respondents are suppressed.",
            caller,
            len(small),
            min_cell_size,
        )
    out = pd.DataFrame(rows)
    for col in ("n_respondents", "n"):
        out[col] = out[col].astype("Int64")
    return out


# --------------------------------------------------------------------------- report helpers


def latest_rate(
    data: pd.DataFrame,
    *,
    estimate: str = "positive_share",
    period: str = "period",
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
    period : str, default "period"
        Period column.
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
    require_columns(data, [period, "n", estimate, low, high, "suppressed"], caller=caller)
    shown = data.loc[~data["suppressed"].astype(bool) & data[estimate].notna()]
    shown = shown.sort_values(period)
    scale = 100.0 if percent else 1.0
    if shown.empty:
        return pd.Series(
            {"period": pd.NaT, "n": pd.NA, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        )
    last = shown.iloc[-1]
    return pd.Series(
        {
            "period": last[period],
            "n": last["n"],
            "estimate": scale * float(last[estimate]),
            "ci_low": scale * float(last[low]),
            "ci_high": scale * float(last[high]),
        }
    )


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


def record_action_effects(
    effects: pd.DataFrame | None = None,
    pilots: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Record the headline figures of :func:`action_effects` and :func:`pilot_effects`.

    Keys (``<id>`` is the action id in lower_snake case, e.g. ``a01``), all in percentage
    points: ``actions.<id>.level_change``, ``actions.<id>.level_change_ci``,
    ``actions.<id>.slope_change``, ``actions.<id>.slope_change_ci`` and, for pilots,
    ``pilots.<id>.did``, ``pilots.<id>.did_ci``, ``pilots.<id>.pre_trend_p``. Estimates that
    could not be made are stored as null. When the tables have them, also
    ``actions.<id>.job`` (job id), ``actions.<id>.verdict`` and ``pilots.<id>.mde``,
    ``pilots.<id>.verdict`` (see :func:`effect_verdict`, :func:`minimum_detectable_effect`).

    Parameters
    ----------
    effects : pandas.DataFrame, optional
        Output of :func:`action_effects`.
    pilots : pandas.DataFrame, optional
        Output of :func:`pilot_effects`.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If a table lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> effects = pd.DataFrame({"action_id": ["A01"], "level_change": [25.0],
    ...     "level_change_ci_low": [15.0], "level_change_ci_high": [35.0],
    ...     "slope_change": [0.1], "slope_change_ci_low": [-1.0], "slope_change_ci_high": [1.2]})
    >>> record_action_effects(effects)["actions.a01.level_change_ci"]
    [15.0, 35.0]
    >>> report.reset()
    """
    from jtbd_methods import report

    caller = "record_action_effects()"
    stored: dict[str, Any] = {}
    if effects is not None:
        require_columns(
            effects,
            [
                "action_id",
                "level_change",
                "level_change_ci_low",
                "level_change_ci_high",
                "slope_change",
                "slope_change_ci_low",
                "slope_change_ci_high",
            ],
            name="effects",
            caller=caller,
        )
        for row in effects.itertuples(index=False):
            key = f"actions.{report_key_part(row.action_id)}"
            if "job_id" in effects.columns:
                stored[f"{key}.job"] = report.record(f"{key}.job", str(row.job_id))
            if "verdict" in effects.columns:
                stored[f"{key}.verdict"] = report.record(f"{key}.verdict", row.verdict)
            for name in ("level_change", "slope_change"):
                stored[f"{key}.{name}"] = report.record(f"{key}.{name}", getattr(row, name))
                stored[f"{key}.{name}_ci"] = report.record(
                    f"{key}.{name}_ci",
                    [getattr(row, f"{name}_ci_low"), getattr(row, f"{name}_ci_high")],
                )
    if pilots is not None and not pilots.empty:
        require_columns(
            pilots,
            ["action_id", "term", "estimate", "ci_low", "ci_high", "p"],
            name="pilots",
            caller=caller,
        )
        for row in pilots.itertuples(index=False):
            key = f"pilots.{report_key_part(row.action_id)}"
            if row.term == "did":
                stored[f"{key}.did"] = report.record(f"{key}.did", row.estimate)
                stored[f"{key}.did_ci"] = report.record(f"{key}.did_ci", [row.ci_low, row.ci_high])
                if "mde" in pilots.columns:
                    stored[f"{key}.mde"] = report.record(f"{key}.mde", row.mde)
                if "verdict" in pilots.columns:
                    stored[f"{key}.verdict"] = report.record(f"{key}.verdict", row.verdict)
            elif row.term == "pre_trend":
                stored[f"{key}.pre_trend_p"] = report.record(f"{key}.pre_trend_p", row.p)
    return stored


def record_trajectories(table: pd.DataFrame, *, prefix: str = "trajectories") -> dict[str, Any]:
    """Record each segment's change per wave from :func:`trajectories`.

    Keys: ``<prefix>.<segment>.change_per_wave`` and ``..._ci`` (scale points per wave). A
    label ``"Segment <n>: …"`` (from :func:`segment_labels`) gives ``segment_<n>``, stable when
    a segment is renamed; any other label is put in lower_snake case. Suppressed segments are
    stored as null.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`trajectories`.
    prefix : str, default "trajectories"
        First part of the keys.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``table`` lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> table = pd.DataFrame({"segment": ["Back to work"], "term": ["change_per_wave"],
    ...                       "estimate": [0.3], "ci_low": [0.2], "ci_high": [0.4]})
    >>> record_trajectories(table)
    {'trajectories.back_to_work.change_per_wave': 0.3, 'trajectories.back_to_work.change_per_wave_ci': [0.2, 0.4]}
    >>> report.reset()
    """
    from jtbd_methods import report

    require_columns(
        table,
        ["segment", "term", "estimate", "ci_low", "ci_high"],
        name="table",
        caller="record_trajectories()",
    )
    stored: dict[str, Any] = {}
    for row in table.loc[table["term"] == "change_per_wave"].itertuples(index=False):
        number = re.match(r"segment (\d+)\b", str(row.segment), flags=re.IGNORECASE)
        part = f"segment_{number.group(1)}" if number else report_key_part(row.segment)
        key = f"{prefix}.{part}.change_per_wave"
        stored[key] = report.record(key, row.estimate)
        stored[f"{key}_ci"] = report.record(f"{key}_ci", [row.ci_low, row.ci_high])
    return stored


def repeated_respondents(
    survey: pd.DataFrame, *, wave: str = "wave", id: str = "respondent_id"
) -> int:
    """Number of respondents who answered in more than one wave.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey responses.
    wave, id : str
        Wave and respondent columns.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``survey`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> repeated_respondents(pd.DataFrame({"respondent_id": ["a", "a", "b"], "wave": [1, 2, 1]}))
    1
    """
    require_columns(survey, [wave, id], name="survey", caller="repeated_respondents()")
    waves = survey[[id, wave]].dropna().drop_duplicates()
    return int((waves.groupby(id)[wave].nunique() > 1).sum())


def segment_labels(
    survey: pd.DataFrame,
    *,
    codebook: Any = None,
    k: int | None = None,
    min_cell_size: int = 10,
    random_state: int = 0,
) -> pd.Series | None:
    """Recovery-goal segment names by survey row, or None when the survey cannot be segmented.

    A thin wrapper of :func:`jtbd_methods.segmentation.segment` (without the bootstrap and
    gap statistic, which the segmentation report covers) for :func:`trajectories`.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey with ``imp_``/``sat_`` items.
    codebook : Codebook, optional
        Names the segments after jobs.
    k : int, optional
        Number of segments (chosen from the data when None).
    min_cell_size : int, default 10
        Smallest segment.
    random_state : int, default 0
        Seed.

    Returns
    -------
    pandas.Series or None
        ``"Segment <n>: <suggested name>"`` for each survey row that was segmented (aligned
        to ``survey.index``; the number keeps results keys stable when names change), or
        None when segmentation fails (the reason is logged).

    Examples
    --------
    >>> segment_labels(pd.DataFrame({"respondent_id": ["a"], "wave": [1]})) is None
    True
    """
    from jtbd_methods import segmentation

    try:
        result = segmentation.segment(
            survey,
            k=k,
            codebook=codebook,
            min_cell_size=min_cell_size,
            random_state=random_state,
            n_bootstrap=0,
            gap_references=0,
        )
    except (ValueError, TypeError) as err:
        logger.warning("segment_labels(): the survey could not be segmented (%s).", err)
        return None
    names = dict(result.names)
    return result.labels.map(lambda n: f"Segment {n}: {names[n]}" if pd.notna(n) else pd.NA)


# --------------------------------------------------------------------------- SPC: choosing,
# rebasing and summarising a chart


#: Laney's sigma_z above which a p chart's limits are called too narrow (see :func:`dispersion`).
OVERDISPERSION_THRESHOLD = 1.5


def dispersion(
    data: pd.DataFrame,
    *,
    value: str,
    n: str,
    period: str = "period",
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
    period : str, default "period"
        Column of periods; rows are taken in its order.
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
    require_columns(data, [period, value, n], caller=caller)
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not threshold > 1:
        raise ValueError(
            f"The 'threshold' parameter of {caller} must be a number above 1; got {threshold!r}."
        )
    table = data.sort_values(period, kind="stable")
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


def choose_chart(
    data: pd.DataFrame,
    *,
    value: str,
    n: str,
    period: str = "period",
    chart: str = "auto",
    threshold: float = OVERDISPERSION_THRESHOLD,
) -> tuple[str, str | None]:
    """The chart to draw: ``chart`` itself, or for ``"auto"`` p unless over-dispersed.

    Parameters
    ----------
    data, value, n, period, threshold
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
    check = dispersion(data, value=value, n=n, period=period, threshold=threshold)
    if not check["overdispersed"]:
        return "p", None
    if chart == "auto":
        return "laney", str(check["note"]) + " This chart is Laney's p′ chart."
    return "p", str(check["note"]) + ' Set chart = "laney" (or "auto") to use it.'


def action_dates(
    actions: pd.DataFrame | None,
    *,
    job: str | None = None,
    date: str = "started",
    within: Any = None,
) -> list[pd.Timestamp]:
    """Start dates of the improvement actions: where control limits are recalculated.

    Parameters
    ----------
    actions : pandas.DataFrame or None
        ``actions.csv`` (``started`` and, to filter by job, ``job_id``); None gives ``[]``.
    job : str, optional
        Keep only the actions on this job.
    date : str, default "started"
        Column of start dates.
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
    require_columns(actions, [date], name="actions", caller=caller)
    rows = actions
    if job is not None:
        require_columns(actions, ["job_id"], name="actions", caller=caller)
        rows = actions.loc[actions["job_id"].astype(str) == str(job)]
    dates = _as_datetime(rows[date], parameter="date", caller=caller).dropna()
    if within is not None:
        span = pd.to_datetime(pd.Series(list(within))).dropna()
        if span.empty:
            return []
        dates = dates[(dates > span.min()) & (dates <= span.max())]
    return sorted(set(pd.Timestamp(d) for d in dates))


#: Plain-language names of the Making Data Count icons.
ICON_TEXT: dict[str, str] = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neither_high": "Special cause variation: higher (no direction set)",
    "neither_low": "Special cause variation: lower (no direction set)",
    "pass": "Assurance: the process will consistently meet the target",
    "fail": "Assurance: the process will consistently miss the target",
    "hit_and_miss": "Assurance: the process will hit and miss the target at random",
}


def chart_icons(chart: pd.DataFrame, *, target: float | None = None) -> dict[str, Any]:
    """Making Data Count variation and assurance icons of an :func:`spc` chart.

    Parameters
    ----------
    chart : pandas.DataFrame
        Output of :func:`spc` (``attrs["direction"]`` sets which way is better).
    target : float, optional
        The target on the chart's scale (a share in [0, 1] for p charts); without one there
        is no assurance icon.

    Returns
    -------
    dict
        ``variation`` - one of ``common_cause``, ``improvement_high``, ``improvement_low``,
        ``concern_high``, ``concern_low``, ``neither_high``, ``neither_low`` (None when no
        point is plotted); ``assurance`` - ``pass``, ``fail``, ``hit_and_miss`` or None;
        ``variation_text`` and ``assurance_text`` (from :data:`ICON_TEXT`); ``period`` of
        the last plotted point.

    Raises
    ------
    TypeError, ValueError
        If ``chart`` lacks a column of :func:`spc` or ``target`` is not a number.

    Notes
    -----
    As in NHSRplotthedots, the variation icon describes the *last* plotted point: special
    cause when it is part of a signal (its side of the centre line gives high or low), common
    cause otherwise. The assurance icon compares the target with the control limits of the
    last phase: a target beyond the limits on the wrong side is consistently missed, one
    beyond the limits on the right side consistently met, and one between the limits is hit
    and missed at random. Run charts have no limits and no assurance icon.

    References
    ----------
    .. [1] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*,
       "Variation and assurance icons".
    .. [2] NHS-R Community. NHSRplotthedots (R package, v0.2), ``ptd_calculate_assurance_type``.

    Examples
    --------
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 6, 5, 6, 12]})
    >>> icons = chart_icons(spc(table, value="value", chart="xmr"), target=2)
    >>> icons["variation"], icons["assurance"]
    ('improvement_high', 'pass')
    """
    caller = "chart_icons()"
    require_dataframe(chart, parameter="chart", caller=caller)
    require_columns(
        chart, ["period", "value", "centre", "lcl", "ucl", "phase", "signal_kind"], caller=caller
    )
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, Real) or not np.isfinite(target)
    ):
        raise TypeError(f"The 'target' parameter of {caller} must be a number; got {target!r}.")
    direction = chart.attrs.get("direction", "higher_is_better")
    shown = chart.loc[chart["value"].notna()].sort_values("period")
    result: dict[str, Any] = {
        "variation": None,
        "assurance": None,
        "variation_text": None,
        "assurance_text": None,
        "period": None,
    }
    if shown.empty:
        return result
    last = shown.iloc[-1]
    result["period"] = last["period"]
    kind = last["signal_kind"]
    if kind is None or (isinstance(kind, float) and np.isnan(kind)):
        variation = "common_cause"
    else:
        side = "high" if float(last["value"]) >= float(last["centre"]) else "low"
        if kind == "neither" or direction == "neutral":
            variation = f"neither_{side}"
        else:
            variation = f"{kind}_{side}"
    result["variation"] = variation
    result["variation_text"] = ICON_TEXT[variation]
    phase = shown.loc[shown["phase"] == last["phase"]]
    lcl = phase["lcl"].dropna()
    ucl = phase["ucl"].dropna()
    if target is not None and direction != "neutral" and not lcl.empty and not ucl.empty:
        low, high = float(lcl.min()), float(ucl.max())
        higher = direction == "higher_is_better"
        if low > target:
            assurance = "pass" if higher else "fail"
        elif high < target:
            assurance = "fail" if higher else "pass"
        else:
            assurance = "hit_and_miss"
        result["assurance"] = assurance
        result["assurance_text"] = ICON_TEXT[assurance]
    return result


def effect_verdict(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    worthwhile: float = 5.0,
) -> str:
    """Plain reading of an estimated change and its interval against a worthwhile effect.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The change and its confidence interval (e.g. percentage points).
    worthwhile : float, default 5.0
        The smallest change that would matter to the service, in the same units.

    Returns
    -------
    str
        ``"improved"`` or ``"worsened"`` when the interval excludes zero; ``"inconclusive"``
        when it includes zero and a worthwhile change (the data cannot tell); ``"no
        worthwhile change"`` when it includes zero and excludes any worthwhile change in both
        directions; ``"not estimated"`` when a value is missing.

    Raises
    ------
    ValueError
        If ``worthwhile`` is not positive.

    Notes
    -----
    "No clear change" is not evidence of no effect: an interval from -10 to +15 points is
    compatible with a large improvement. Reading the interval against the smallest worthwhile
    effect separates an inconclusive study from a reassuring null (Altman & Bland 1995;
    equivalence reasoning as in Walker & Nowacki 2011).

    References
    ----------
    .. [1] Altman, D. G., & Bland, J. M. (1995). Absence of evidence is not evidence of
       absence. *BMJ*, 311(7003), 485.
    .. [2] Walker, E., & Nowacki, A. S. (2011). Understanding equivalence and noninferiority
       testing. *Journal of General Internal Medicine*, 26(2), 192-196.

    Examples
    --------
    >>> effect_verdict(3.0, -6.0, 12.0), effect_verdict(20.0, 9.0, 31.0)
    ('inconclusive', 'improved')
    >>> effect_verdict(0.5, -2.0, 3.0)
    'no worthwhile change'
    """
    if isinstance(worthwhile, bool) or not isinstance(worthwhile, Real) or not worthwhile > 0:
        raise ValueError(
            f"The 'worthwhile' parameter of effect_verdict() must be a positive number; got "
            f"{worthwhile!r}."
        )
    values = [estimate, ci_low, ci_high]
    if any(v is None or pd.isna(v) for v in values):
        return "not estimated"
    low, high = float(ci_low), float(ci_high)
    if low > 0:
        return "improved"
    if high < 0:
        return "worsened"
    if high >= worthwhile or low <= -worthwhile:
        return "inconclusive"
    return "no worthwhile change"


def minimum_detectable_effect(se: float, *, ci: float = 0.95, power: float = 0.8) -> float:
    """Smallest true effect an estimate with this standard error detects with given power.

    Parameters
    ----------
    se : float
        Standard error of the estimate (e.g. a difference in differences, in points).
    ci : float, default 0.95
        Confidence level of the two-sided test (alpha = 1 - ci).
    power : float, default 0.8
        Probability of detecting an effect of that size.

    Returns
    -------
    float
        :math:`(z_{1-\\alpha/2} + z_{power})\\,SE`; NaN when ``se`` is missing.

    Raises
    ------
    ValueError
        If ``ci`` or ``power`` is not in (0, 1).

    Notes
    -----
    Bloom (1995): with alpha = 0.05 and 80 % power the multiplier is 1.96 + 0.84 = 2.80. The
    standard error is the one the analysis actually has (cluster-robust for a difference in
    differences), so the figure is the detectable effect at the data's size.

    References
    ----------
    .. [1] Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the
       statistical power of experimental designs. *Evaluation Review*, 19(5), 547-556.

    Examples
    --------
    >>> round(minimum_detectable_effect(5.0), 2)
    14.01
    """
    caller = "minimum_detectable_effect()"
    ci = check_fraction(ci, parameter="ci", caller=caller)
    power = check_fraction(power, parameter="power", caller=caller)
    if se is None or pd.isna(se):
        return float("nan")
    multiplier = stats.norm.ppf(1 - (1 - ci) / 2) + stats.norm.ppf(power)
    return float(multiplier * float(se))


def mention_rates(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    date: str = "received",
    period: str = "month",
    by_job: bool = True,
    ci: float = 0.95,
    min_cell_size: int = 10,
    comment_id: str = "comment_id",
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
    date : str, default "received"
        Date column of ``feedback``.
    period : {"month", "week", "quarter"}, default "month"
        Length of a period.
    by_job : bool, default True
        One series per job; False gives one series over all jobs (a comment counts once:
        mentioned when it has any code, disrupted when any of its codes is disrupted).
    ci : float, default 0.95
        Level of the Wilson intervals.
    min_cell_size : int, default 10
        Periods with fewer comments (for the mention share) are suppressed, and the
        disrupted share is suppressed when fewer than this many comments mention the job.
    comment_id, job : str
        Column names of the comment id and the job id.
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
    require_columns(feedback, [comment_id, date, substantive], name="feedback", caller=caller)
    require_columns(codes, [comment_id, job, "polarity"], name="codes", caller=caller)
    one_of(period, tuple(PERIODS), parameter="period", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    rows = feedback
    if substantive is not None:
        rows = feedback.loc[feedback[substantive].fillna(True).astype(bool)]
    dates = _as_datetime(rows[date], parameter="date", caller=caller)
    base = pd.DataFrame(
        {comment_id: rows[comment_id].astype(str).to_numpy(), "period": dates.to_numpy()}
    ).dropna(subset=["period"])
    base["period"] = _period_start(base["period"], period)
    axis = _period_range(base["period"].min(), base["period"].max(), period)
    totals = base.groupby("period").size().reindex(axis, fill_value=0)
    pairs = codes[[comment_id, job, "polarity"]].copy()
    pairs[comment_id] = pairs[comment_id].astype(str)
    pairs["_disrupted"] = pairs["polarity"].astype(str).eq("disrupted")
    if not by_job:
        pairs[job] = "all"
    per = pairs.groupby([comment_id, job], as_index=False)["_disrupted"].any()
    per = per.merge(base, on=comment_id, how="inner")
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


def pilot_series(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    action_id: str | None = None,
    period: str = "month",
    date: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    min_cell_size: int = 10,
    comment_id: str = "comment_id",
    job: str = "job_id",
) -> pd.DataFrame:
    """Positive share at the pilot sites and elsewhere, period by period, for a DiD chart.

    Parameters
    ----------
    feedback, codes, actions : pandas.DataFrame
        As in :func:`pilot_effects`.
    action_id : str, optional
        The piloted action (default: the first action with ``sites``).
    period, date, value, site, positive, min_cell_size, comment_id, job
        As in :func:`pilot_effects`; a period with fewer rated comments than
        ``min_cell_size`` in either group has no difference.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``n_pilot``, ``pilot_share``, ``n_other``, ``other_share`` and
        ``difference`` (pilot minus other, percentage points); ``attrs`` hold
        ``action_id``, ``job_id``, ``sites`` and ``started``. Empty when no action has sites.

    Raises
    ------
    TypeError, ValueError
        When a table or column is missing, or ``action_id`` is not a piloted action.

    Examples
    --------
    >>> actions = pd.DataFrame({"action_id": ["A1"], "job_id": ["j"],
    ...                         "started": pd.to_datetime(["2024-01-01"]), "sites": [None]})
    >>> pilot_series(pd.DataFrame({"comment_id": [], "received": [], "rating": [], "site": []}),
    ...              pd.DataFrame({"comment_id": [], "job_id": []}), actions).empty
    True
    """
    caller = "pilot_series()"
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [comment_id, date, value, site], name="feedback", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    pos = _value_set(positive, parameter="positive", caller=caller)
    columns = ["period", "n_pilot", "pilot_share", "n_other", "other_share", "difference"]
    if "sites" not in actions.columns:
        return pd.DataFrame(columns=columns)
    pilots = actions.loc[actions["sites"].map(lambda s: bool(_split_sites(s)))]
    if action_id is not None:
        pilots = pilots.loc[pilots["action_id"].astype(str) == str(action_id)]
        if pilots.empty:
            raise ValueError(
                f"The 'action_id' parameter of {caller} must name an action with pilot sites; "
                f"got {action_id!r}."
            )
    if pilots.empty:
        return pd.DataFrame(columns=columns)
    action = pilots.iloc[0]
    sites = _split_sites(action["sites"])
    coded = _coded(feedback, codes, comment_id=comment_id, job=job, polarity=None, caller=caller)
    coded = coded.loc[(coded[job] == action[job]) & coded[value].notna()].copy()
    coded["_positive"] = coded[value].astype(float).isin(pos)
    coded["_pilot"] = coded[site].astype(str).isin(sites)
    dates = _as_datetime(coded[date], parameter="date", caller=caller)
    coded["period"] = _period_start(dates, period)
    grouped = coded.groupby(["period", "_pilot"])["_positive"].agg(["size", "mean"]).unstack()
    axis = _period_range(coded["period"].min(), coded["period"].max(), period) if len(coded) else []
    grouped = grouped.reindex(axis)
    out = pd.DataFrame({"period": pd.DatetimeIndex(axis)})
    for flag, name in ((True, "pilot"), (False, "other")):
        size = grouped[("size", flag)] if ("size", flag) in grouped else pd.Series(np.nan, axis)
        mean = grouped[("mean", flag)] if ("mean", flag) in grouped else pd.Series(np.nan, axis)
        size = size.fillna(0).to_numpy(dtype=int)
        share = np.where(size >= min_cell_size, mean.to_numpy(dtype=float), np.nan)
        out[f"n_{name}"] = size
        out[f"{name}_share"] = share
    out["difference"] = 100 * (out["pilot_share"] - out["other_share"])
    out = out[columns]
    out.attrs.update(
        {
            "action_id": str(action["action_id"]),
            "job_id": str(action[job]),
            "sites": ";".join(sites),
            "started": pd.Timestamp(action["started"]),
        }
    )
    return out


def rebase_dates(
    data: pd.DataFrame,
    *,
    value: str,
    candidates: Iterable[Any],
    n: str | None = None,
    period: str = "period",
    chart: str = "p",
    window: int = 9,
    tolerance: int = 1,
) -> list[pd.Timestamp]:
    """The dated changes after which the process really shifted: where to recalculate limits.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (as for :func:`spc`).
    value, n, period, chart
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
    require_columns(data, [period, value, n], caller=caller)
    table = data.sort_values(period, kind="stable").reset_index(drop=True)
    is_dates = pd.api.types.is_datetime64_any_dtype(table[period])
    kept: list[Any] = []
    for moment in sorted(candidates):
        chart_table = _spc(
            table,
            value=value,
            n=n,
            period=period,
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
    from jtbd_methods import report

    period = latest.get("period")
    text = None if period is None or pd.isna(period) else str(pd.Timestamp(period).date())
    stored = {f"{prefix}.latest_period": report.record(f"{prefix}.latest_period", text)}
    key = f"{prefix}.latest_{share}"
    stored[key] = report.record(key, latest.get("estimate"))
    stored[f"{key}_ci"] = report.record(f"{key}_ci", [latest.get("ci_low"), latest.get("ci_high")])
    return stored


def record_spc(chart: pd.DataFrame, *, prefix: str = "spc") -> dict[str, Any]:
    """Record the headline figures of an :func:`spc` chart.

    Keys: ``<prefix>.signals``, ``<prefix>.improvement_points``, ``<prefix>.concern_points``
    (points), ``<prefix>.chart`` (chart type), ``<prefix>.phases`` (number of phases) and
    ``<prefix>.variation`` (the Making Data Count variation icon of :func:`chart_icons`).

    Parameters
    ----------
    chart : pandas.DataFrame
        Output of :func:`spc`.
    prefix : str, default "spc"
        Key prefix.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``chart`` lacks a column of :func:`spc`.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 6, 5, 6, 12]})
    >>> record_spc(spc(table, value="value", chart="xmr"))["spc.variation"]
    'improvement_high'
    >>> report.reset()
    """
    from jtbd_methods import report

    require_columns(chart, ["signal", "signal_kind", "phase"], name="chart", caller="record_spc()")
    kinds = chart["signal_kind"]
    values = {
        "signals": int(chart["signal"].sum()),
        "improvement_points": int((kinds == "improvement").sum()),
        "concern_points": int((kinds == "concern").sum()),
        "chart": str(chart.attrs.get("chart", "p")),
        "phases": int(chart["phase"].max()) if len(chart) else 1,
        "variation": chart_icons(chart)["variation"],
    }
    return {f"{prefix}.{k}": report.record(f"{prefix}.{k}", v) for k, v in values.items()}


def pre_trend_sentence(pre_trends: pd.DataFrame) -> str:
    """One sentence on the parallel pre-trends check of :func:`pilot_effects`.

    Parameters
    ----------
    pre_trends : pandas.DataFrame
        The ``term == "pre_trend"`` rows of :func:`pilot_effects`.

    Returns
    -------
    str
        Whether the pilot sites and the others moved in parallel before each pilot.

    Examples
    --------
    >>> pre = pd.DataFrame({"action_id": ["A02"], "estimate": [0.4], "p": [0.61]})
    >>> pre_trend_sentence(pre)
    'Before A02, the pilot sites and the others moved in parallel (difference in monthly slope +0.4 points, p = 0.61), which supports the comparison.'
    """
    require_columns(pre_trends, ["action_id", "estimate", "p"], caller="pre_trend_sentence()")
    parts = []
    for row in pre_trends.itertuples(index=False):
        if pd.isna(row.estimate) or pd.isna(row.p):
            parts.append(f"Before {row.action_id}, there were too few months to check the trends.")
        elif row.p < 0.05:
            parts.append(
                f"Before {row.action_id}, the pilot sites and the others did not move in "
                f"parallel (difference in monthly slope {row.estimate:+.1f} points, p = "
                f"{row.p:.2g}): read the difference in differences with caution."
            )
        else:
            parts.append(
                f"Before {row.action_id}, the pilot sites and the others moved in parallel "
                f"(difference in monthly slope {row.estimate:+.1f} points, p = {row.p:.2g}), "
                "which supports the comparison."
            )
    return " ".join(parts) if parts else "No pilot to check."


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
    from jtbd_methods import report

    require_columns(
        summary, [job, "latest_share", "last_signal"], name="summary", caller="record_job_trends()"
    )
    stored = {"job_trends.measure": report.record("job_trends.measure", measure)}
    for row in summary.itertuples(index=False):
        key = f"job_trends.{report_key_part(getattr(row, job))}"
        stored[f"{key}.latest_share"] = report.record(f"{key}.latest_share", row.latest_share)
        stored[f"{key}.last_signal"] = report.record(f"{key}.last_signal", row.last_signal)
    return stored


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
    from jtbd_methods import report

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
