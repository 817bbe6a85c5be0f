"""The effect of each improvement action on the job it targets (interrupted time series).

:func:`action_effects` turns the comments coded to an action's job into a series of positive
shares and fits :func:`~jtbd_methods.tracking.its` at the action's start; :func:`action_its`
returns the fit behind one row for plotting and :func:`record_action_effects` records them.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import report
from jtbd_methods._validation import (
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.report import key_part as report_key_part
from jtbd_methods.tracking._shared import (
    FREQS,
    _as_datetime,
    _coded,
    _period_alias,
    _split_sites,
    _value_set,
    renamed_keywords,
)
from jtbd_methods.tracking.its import ITSResult, its
from jtbd_methods.tracking.rates import rates
from jtbd_methods.tracking.verdict import effect_verdict

logger = logging.getLogger(__name__)


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


def _action_inputs(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    caller: str,
    freq: str,
    time_column: str,
    value: str,
    site: str,
    positive: Iterable[float],
    min_cell_size: int,
    min_periods: int,
    id_column: str,
    job: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check the inputs of an action's ITS; return the coded comments and the options of
    :func:`_action_series` (the study's first and last dates bound every series)."""
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, ["action_id", job, "started"], name="actions", caller=caller)
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [id_column, time_column, value, site], name="feedback", caller=caller)
    min_periods = check_int(min_periods, parameter="min_periods", caller=caller, minimum=2)
    _period_alias(freq, caller=caller)
    pos = _value_set(positive, parameter="positive", caller=caller)
    coded = _coded(feedback, codes, comment_id=id_column, job=job, polarity=None, caller=caller)
    all_dates = _as_datetime(feedback[time_column], parameter="time_column", caller=caller)
    coded[time_column] = _as_datetime(coded[time_column], parameter="time_column", caller=caller)
    options = {
        "date": time_column,
        "value": value,
        "site": site,
        "job": job,
        "freq": freq,
        "positive": pos,
        "min_cell_size": min_cell_size,
        "min_periods": min_periods,
        "start": all_dates.min(),
        "end": all_dates.max(),
    }
    return coded, options


def _action_series(
    coded: pd.DataFrame,
    record: Mapping[str, Any],
    *,
    has_sites: bool,
    date: str,
    value: str,
    site: str,
    job: str,
    freq: str,
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
        time_column=date,
        value=value,
        freq=freq,
        positive=positive,
        min_cell_size=min_cell_size,
        start=start,
        end=end,
    )
    first_after = started.to_period(FREQS[freq]).start_time
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


@renamed_keywords(period="freq", date="time_column", comment_id="id_column")
def action_effects(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    freq: str = "MS",
    time_column: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    seasonality: int | bool | None = False,
    maxlags: int | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
    min_periods: int = 6,
    id_column: str = "comment_id",
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
    freq : {"MS", "W", "QS"}, default "MS"
        Period of the series, as in :func:`rates` (called ``period`` in version 0.1).
    time_column, value, site : str
        Column names in ``feedback`` (``time_column`` was called ``date`` in version 0.1).
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
    id_column, job : str
        Column names of the comment id (called ``comment_id`` in version 0.1) and the job id.

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
    coded, options = _action_inputs(
        feedback,
        codes,
        actions,
        caller="action_effects()",
        freq=freq,
        time_column=time_column,
        value=value,
        site=site,
        positive=positive,
        min_cell_size=min_cell_size,
        min_periods=min_periods,
        id_column=id_column,
        job=job,
    )
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
                time_column="period",
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


@renamed_keywords(period="freq", date="time_column", comment_id="id_column")
def action_its(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    action_id: Hashable | None = None,
    freq: str = "MS",
    time_column: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    seasonality: int | bool | None = False,
    maxlags: int | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
    min_periods: int = 6,
    id_column: str = "comment_id",
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
    freq, time_column, value, site, positive, seasonality, maxlags, ci, min_cell_size,
    min_periods, id_column, job
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
    coded, options = _action_inputs(
        feedback,
        codes,
        actions,
        caller=caller,
        freq=freq,
        time_column=time_column,
        value=value,
        site=site,
        positive=positive,
        min_cell_size=min_cell_size,
        min_periods=min_periods,
        id_column=id_column,
        job=job,
    )
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
    notes = []
    for candidate in chosen.itertuples(index=False):
        row, series = _action_series(
            coded, candidate._asdict(), has_sites="sites" in actions.columns, **options
        )
        if series is not None:
            break
        notes.append(f"{row['action_id']}: {row['note']}")
    else:
        raise ValueError(f"{caller}: no effect can be estimated ({'; '.join(notes)}).")
    return its(
        series,
        value="positive_share",
        time_column="period",
        interventions={str(row["action_id"]): row["started"]},
        weights="n",
        seasonality=seasonality,
        maxlags=maxlags,
        ci=ci,
    )


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
