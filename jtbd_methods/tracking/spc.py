"""Statistical process control charts: p, Laney p', XmR and run charts with their rules.

:func:`spc` computes the centre line, control limits and special-cause signals (NHS "Making
Data Count" rules, or Anhøj's runs rules for run charts), with frozen baselines and phases
recalculated at given dates. :func:`runs_limits` gives Anhøj's critical values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from jtbd_methods._validation import (
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.tracking._shared import (
    _DIRECTIONS,
    CHARTS,
    _as_numeric,
    _infer_freq,
    _run_ids,
    renamed_keywords,
)

logger = logging.getLogger(__name__)


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


@renamed_keywords(period="time_column")
def spc(
    data: pd.DataFrame,
    *,
    value: str,
    n: str | None = None,
    time_column: str = "period",
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
    time_column : str, default "period"
        Column of the periods (dates or numbers), one row per period. Called ``period`` in
        version 0.1 (still accepted, with a FutureWarning).
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
        time_column=time_column,
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
    time_column: str = "period",
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
    require_columns(data, [time_column, value, n], caller=caller)
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
    cols = [time_column, value] + ([n] if n is not None else [])
    table = data[cols].sort_values(time_column, kind="stable").reset_index(drop=True)
    if table[time_column].isna().any():
        raise ValueError(f"The '{time_column}' column passed to {caller} has missing periods.")
    if table[time_column].duplicated().any():
        dup = table.loc[table[time_column].duplicated(), time_column].iloc[0]
        raise ValueError(
            f"The '{time_column}' column passed to {caller} must have one row per period; "
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

    phase = _phase_of(table[time_column], recalc_at, caller)
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

    columns: dict[str, Any] = {"period": table[time_column].to_numpy(), "value": y}
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
