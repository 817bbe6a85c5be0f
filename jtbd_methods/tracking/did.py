"""Difference in differences of piloted actions: the pilot sites against the others.

:func:`did` is the two-group, two-period estimate with cluster-robust errors and a parallel
pre-trends check; :func:`pilot_effects` applies it to every action of ``actions.csv`` with
pilot ``sites``, :func:`pilot_series` gives the gap per period for a chart and
:func:`pre_trend_sentence` reads the pre-trends check.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from jtbd_methods._validation import (
    check_fraction,
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.tracking._shared import (
    _as_datetime,
    _as_numeric,
    _coded,
    _period_alias,
    _period_range,
    _period_start,
    _split_sites,
    _value_set,
    renamed_keywords,
)
from jtbd_methods.tracking.verdict import effect_verdict, minimum_detectable_effect

logger = logging.getLogger(__name__)


@renamed_keywords(date="time_column", period="freq")
def did(
    data: pd.DataFrame,
    *,
    value: str,
    treated: Iterable[Hashable],
    start: Any,
    time_column: str = "received",
    group: str = "site",
    freq: str = "MS",
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
    time_column : str, default "received"
        Date column (called ``date`` in version 0.1).
    group : str, default "site"
        Group (cluster) column.
    freq : {"MS", "W", "QS"}, default "MS"
        Period used to place ``start`` and for the pre-trend slope, as in :func:`rates`
        (called ``period`` in version 0.1).
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
    require_columns(data, [value, time_column, group], caller=caller)
    alias = _period_alias(freq, caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    if isinstance(treated, str) or not isinstance(treated, Iterable):
        treated = [treated]
    treated = set(treated)
    y = _as_numeric(data[value], parameter="value", caller=caller)
    dates = _as_datetime(data[time_column], parameter="time_column", caller=caller)
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
    try:
        start_ts = pd.Timestamp(start)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"The 'start' parameter of {caller} must be a date; got {start!r}."
        ) from err
    ordinal = pd.DatetimeIndex(frame["date"]).to_period(alias).asi8
    cut = start_ts.to_period(alias).ordinal
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


@renamed_keywords(period="freq", date="time_column", comment_id="id_column")
def pilot_effects(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    freq: str = "MS",
    time_column: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    ci: float = 0.95,
    min_cell_size: int = 10,
    id_column: str = "comment_id",
    job: str = "job_id",
    worthwhile: float = 5.0,
    power: float = 0.8,
) -> pd.DataFrame:
    """Difference-in-differences of every piloted action: pilot sites against the others.

    Parameters
    ----------
    feedback, codes, actions : pandas.DataFrame
        As in :func:`action_effects`; only actions with a non-empty ``sites`` are used.
    freq, time_column, value, site, positive, ci, id_column, job
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
    require_columns(feedback, [id_column, time_column, value, site], name="feedback", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    pos = _value_set(positive, parameter="positive", caller=caller)
    _period_alias(freq, caller=caller)
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
    coded = _coded(feedback, codes, comment_id=id_column, job=job, polarity=None, caller=caller)
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
                time_column=time_column,
                group=site,
                freq=freq,
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


@renamed_keywords(period="freq", date="time_column", comment_id="id_column")
def pilot_series(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    action_id: str | None = None,
    freq: str = "MS",
    time_column: str = "received",
    value: str = "rating",
    site: str = "site",
    positive: Iterable[float] = (4, 5),
    min_cell_size: int = 10,
    id_column: str = "comment_id",
    job: str = "job_id",
) -> pd.DataFrame:
    """Positive share at the pilot sites and elsewhere, period by period, for a DiD chart.

    Parameters
    ----------
    feedback, codes, actions : pandas.DataFrame
        As in :func:`pilot_effects`.
    action_id : str, optional
        The piloted action (default: the first action with ``sites``).
    freq, time_column, value, site, positive, min_cell_size, id_column, job
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
    require_columns(feedback, [id_column, time_column, value, site], name="feedback", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    pos = _value_set(positive, parameter="positive", caller=caller)
    alias = _period_alias(freq, caller=caller)
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
    coded = _coded(feedback, codes, comment_id=id_column, job=job, polarity=None, caller=caller)
    coded = coded.loc[(coded[job] == action[job]) & coded[value].notna()].copy()
    coded["_positive"] = coded[value].astype(float).isin(pos)
    coded["_pilot"] = coded[site].astype(str).isin(sites)
    dates = _as_datetime(coded[time_column], parameter="time_column", caller=caller)
    coded["period"] = _period_start(dates, alias)
    grouped = coded.groupby(["period", "_pilot"])["_positive"].agg(["size", "mean"]).unstack()
    axis = _period_range(coded["period"].min(), coded["period"].max(), alias) if len(coded) else []
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
