"""Helpers shared by the tracking modules: frequencies, date and number checks, old keywords.

Nothing here is public; :mod:`jtbd_methods.tracking` re-exports :data:`PERIODS`, :data:`FREQS`
and :data:`CHARTS`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords  # noqa: F401 (used by the tracking modules)
from jtbd_methods._validation import one_of, require_columns, require_dataframe

logger = logging.getLogger(__name__)


#: Period names of earlier releases and the pandas period each stands for.
PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q-DEC"}

#: Values accepted by ``freq=`` (pandas aliases, or the period names of :data:`PERIODS`) and
#: the pandas period each stands for: weeks run Monday to Sunday, quarters start in January,
#: April, July and October.
FREQS: dict[str, str] = {
    "W": "W-SUN",
    "W-SUN": "W-SUN",
    "MS": "M",
    "M": "M",
    "ME": "M",
    "QS": "Q-DEC",
    "QS-JAN": "Q-DEC",
    "Q": "Q-DEC",
    "QE": "Q-DEC",
    "Q-DEC": "Q-DEC",
    **PERIODS,
}

#: Chart types of :func:`~jtbd_methods.tracking.spc`.
CHARTS: tuple[str, ...] = ("p", "laney", "xmr", "run")


def _period_alias(freq: Any, *, caller: str) -> str:
    """The pandas period alias of ``freq`` (``"MS"`` -> ``"M"``), or a ValueError."""
    if not isinstance(freq, str) or freq not in FREQS:
        allowed = ", ".join(repr(f) for f in ("W", "MS", "QS", "week", "month", "quarter"))
        raise ValueError(
            f"The 'freq' parameter of {caller} must be a pandas frequency such as {allowed}; "
            f"got {freq!r}."
        )
    return FREQS[freq]


_DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")


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


def _period_start(dates: pd.Series, alias: str) -> pd.Series:
    """First day of the week (Monday), month or quarter that contains each date.

    ``alias`` is a pandas period alias (a value of :data:`FREQS`).
    """
    return dates.dt.to_period(alias).dt.start_time


def _period_range(low: Any, high: Any, alias: str) -> pd.DatetimeIndex:
    """First days of every period (of pandas period alias ``alias``) from ``low`` to ``high``."""
    return pd.period_range(
        pd.Timestamp(low).to_period(alias), pd.Timestamp(high).to_period(alias), freq=alias
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
        one_of(polarity, ("disrupted", "fulfilled", "unclear"), parameter="polarity", caller=caller)
        require_columns(codes, ["polarity"], name="codes", caller=caller)
        pairs = codes.loc[codes["polarity"] == polarity]
    pairs = pairs[[comment_id, job]].drop_duplicates()
    if job in feedback.columns:
        feedback = feedback.drop(columns=[job])
    return pairs.merge(feedback, on=comment_id, how="inner")


def _split_sites(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return []
    return [s.strip() for s in str(value).split(";") if s.strip()]
