"""Figures of :mod:`jtbd_methods.tracking`: rates over time, SPC charts, ITS, trajectories.

Import them from :mod:`jtbd_methods.plots`. Each draws on ``ax`` (or a new figure), returns
the Axes and never shows or saves the figure. Suppressed periods are drawn as gaps (and a
small grey cross on the time axis), never as zeros.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from jtbd_methods._validation import require_columns, require_dataframe

__all__ = ["plot_its", "plot_rates", "plot_spc", "plot_trajectories"]

_LABELS = {
    "positive_share": "Positive ratings (% of rated responses)",
    "top_box_share": "Top-box ratings (% of rated responses)",
    "mean": "Mean rating (scale points)",
}
_CHART_NAMES = {"p": "p chart", "laney": "Laney p' chart", "xmr": "XmR chart", "run": "Run chart"}


def _plots():
    # Imported lazily: jtbd_methods.plots re-exports this module's functions.
    from jtbd_methods import plots

    return plots


def _interval_columns(y: str) -> tuple[str | None, str | None]:
    if y.endswith("_share"):
        stem = y[: -len("_share")]
        return f"{stem}_ci_low", f"{stem}_ci_high"
    if y == "mean":
        return "mean_ci_low", "mean_ci_high"
    return None, None


def _draw_actions(ax: plt.Axes, actions: pd.DataFrame, date: str, label: str, plots: Any) -> None:
    """Improvement actions as labelled vertical lines."""
    require_dataframe(actions, parameter="actions", caller="plot")
    require_columns(actions, [date, label], name="actions", caller="plot")
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    for _, action in actions.dropna(subset=[date]).iterrows():
        when = pd.Timestamp(action[date])
        ax.axvline(when, color=plots.PALETTE[2], linestyle="-.", linewidth=1)
        ax.text(
            when,
            0.98,
            f" {action[label]}",
            rotation=90,
            va="top",
            ha="right",
            fontsize="small",
            color=plots.PALETTE[2],
            transform=trans,
        )


def _time_axis(ax: plt.Axes, values: Any) -> None:
    """Concise date ticks (no overlapping labels) when the time axis holds dates."""
    if pd.api.types.is_datetime64_any_dtype(pd.Series(values)):
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _pct(value: float, percent: bool) -> str:
    if value is None or not np.isfinite(value):
        return "NA"
    return f"{100 * value:.0f}%" if percent else f"{value:.2f}"


def plot_rates(
    data: pd.DataFrame,
    *,
    y: str = "positive_share",
    x: str = "period",
    ci_low: str | None = None,
    ci_high: str | None = None,
    hue: str | None = None,
    groups: Sequence[Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    actions: pd.DataFrame | None = None,
    percent: bool | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Line of a rate over time with its confidence ribbon; suppressed periods are gaps.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`jtbd_methods.tracking.rates` or ``job_rates``.
    y : str, default "positive_share"
        Estimate column.
    x : str, default "period"
        Time column.
    ci_low, ci_high : str, optional
        Interval columns; default ``<stem>_ci_low``/``_ci_high`` for ``<stem>_share`` and
        ``mean_ci_low``/``mean_ci_high`` for ``mean``.
    hue : str, optional
        Group column: one line per group (keep it to a handful).
    groups : sequence, optional
        The groups of ``hue`` to draw, in this order (default: all, sorted).
    labels : mapping, optional
        Legend label of each group (e.g. ``codebook.labels()``).
    actions : pandas.DataFrame, optional
        Improvement actions (``action_id``, ``started``) drawn as labelled vertical lines.
    percent : bool, optional
        Show the axis in percent; default True for ``*_share`` columns.
    title, ylabel : str, optional
        Override the default title (which states the latest value) and axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> table = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=3, freq="MS"),
    ...     "positive_share": [0.5, np.nan, 0.7], "positive_ci_low": [0.4, np.nan, 0.6],
    ...     "positive_ci_high": [0.6, np.nan, 0.8], "suppressed": [False, True, False]})
    >>> ax = plot_rates(table)
    >>> ax.get_title()
    'Positive ratings: latest 70% (95% CI 60% to 80%)'
    >>> plt.close(ax.figure)
    """
    plots = _plots()
    require_dataframe(data, caller="plot_rates()")
    default_low, default_high = _interval_columns(y)
    ci_low = ci_low or (default_low if default_low in data.columns else None)
    ci_high = ci_high or (default_high if default_high in data.columns else None)
    require_columns(data, [x, y, ci_low, ci_high, hue], caller="plot_rates()")
    percent = y.endswith("_share") if percent is None else percent
    ax = plots.new_axes(ax)
    if hue is None:
        parts = [(None, data)]
    else:
        by_group = dict(list(data.groupby(hue, sort=True)))
        order = list(by_group) if groups is None else [g for g in groups if g in by_group]
        parts = [(g, by_group[g]) for g in order]
    labels = dict(labels or {})
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    any_gap = False
    for i, (name, part) in enumerate(parts):
        part = part.sort_values(x)
        colour = plots.PALETTE[i % len(plots.PALETTE)]
        xs = part[x].to_numpy()
        ys = part[y].to_numpy(dtype=float)
        label = None if name is None else labels.get(name, str(name))
        ax.plot(xs, ys, marker="o", ms=4, color=colour, label=label)
        if ci_low and ci_high:
            ax.fill_between(
                xs,
                part[ci_low].to_numpy(dtype=float),
                part[ci_high].to_numpy(dtype=float),
                color=colour,
                alpha=0.2 if len(parts) == 1 else 0.1,
                linewidth=0,
            )
        if "suppressed" in part.columns and part["suppressed"].any():
            gaps = part.loc[part["suppressed"].astype(bool), x]
            ax.plot(
                gaps,
                np.full(len(gaps), 0.02 + 0.025 * i),
                linestyle="none",
                marker="x",
                ms=5,
                color=colour if len(parts) > 1 else "0.55",
                transform=trans,
                label=None if any_gap else "suppressed (too few responses)",
            )
            any_gap = True
    if actions is not None:
        _draw_actions(ax, actions, "started", "action_id", plots)
    _time_axis(ax, data[x])
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    name = _LABELS.get(y, y.replace("_", " ").capitalize())
    ax.set_ylabel(ylabel or name)
    ax.set_xlabel("Period (start date)")
    if title is None:
        short = name.split(" (")[0]
        shown = data.dropna(subset=[y]).sort_values(x)
        if hue is None and not shown.empty:
            last = shown.iloc[-1]
            interval = (
                f" (95% CI {_pct(last[ci_low], percent)} to {_pct(last[ci_high], percent)})"
                if ci_low and ci_high
                else ""
            )
            title = f"{short}: latest {_pct(last[y], percent)}{interval}"
        elif hue is not None:
            title = f"{short} by {hue.removesuffix('_id').replace('_', ' ')} over time"
        else:
            title = f"{short}: every period suppressed"
    ax.set_title(title)
    if hue is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    elif any_gap:
        ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def plot_spc(
    data: pd.DataFrame,
    *,
    actions: pd.DataFrame | None = None,
    action_date: str = "started",
    action_label: str = "action_id",
    job: str | None = None,
    percent: bool | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """SPC chart: values, centre line, limits and signals coloured by improvement/concern.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`jtbd_methods.tracking.spc`.
    actions : pandas.DataFrame, optional
        Improvement actions (``actions.csv``) drawn as labelled vertical lines.
    action_date, action_label : str
        Columns of ``actions`` with the start date and the label.
    job : str, optional
        Draw only the actions on this job (``actions["job_id"]``).
    percent : bool, optional
        Show the axis in percent; default True for p and p' charts.
    title, ylabel : str, optional
        Override the default title (which counts the signals) and axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``data`` or ``actions`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> from jtbd_methods.tracking import spc
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 12, 6, 5, 6, 7]})
    >>> ax = plot_spc(spc(table, value="value", chart="xmr"))
    >>> ax.get_title()
    'XmR chart: 1 point signals improvement, none signal concern'
    >>> plt.close(ax.figure)
    """
    plots = _plots()
    require_dataframe(data, caller="plot_spc()")
    require_columns(
        data,
        ["period", "value", "centre", "lcl", "ucl", "signal_kind", "phase"],
        caller="plot_spc()",
    )
    chart = data.attrs.get("chart", "p")
    percent = chart in ("p", "laney") if percent is None else percent
    ax = plots.new_axes(ax)
    table = data.sort_values("period")
    ax.plot(table["period"], table["value"], color="0.6", linewidth=1, zorder=1)
    colours = {
        "improvement": plots.IMPROVEMENT,
        "concern": plots.CONCERN,
        "neither": plots.PALETTE[3],
    }
    kinds = table["signal_kind"].where(table["signal_kind"].notna(), "common")
    common = kinds == "common"
    ax.scatter(
        table.loc[common, "period"],
        table.loc[common, "value"],
        s=18,
        color=plots.NEUTRAL,
        zorder=2,
        label="common-cause variation",
    )
    for kind, colour in colours.items():
        hit = kinds == kind
        if hit.any():
            ax.scatter(
                table.loc[hit, "period"],
                table.loc[hit, "value"],
                s=40,
                color=colour,
                zorder=3,
                label=f"special cause: {kind}",
            )
    step = "mid" if chart in ("p", "laney") else None
    first = True
    for _, part in table.groupby("phase"):
        xs = part["period"]
        ax.plot(
            xs, part["centre"], color="black", linewidth=1.2, label="centre line" if first else None
        )
        for col, style, width, label in (
            ("ucl", "--", 1.0, "3-sigma limits"),
            ("lcl", "--", 1.0, None),
            ("ucl_2sigma", ":", 0.8, "2-sigma lines"),
            ("lcl_2sigma", ":", 0.8, None),
        ):
            if col not in part or part[col].isna().all():
                continue
            kwargs = {"drawstyle": "steps-mid"} if step else {}
            ax.plot(
                xs,
                part[col],
                color="0.35",
                linestyle=style,
                linewidth=width,
                label=label if first else None,
                **kwargs,
            )
        first = False
    if actions is not None:
        if job is not None:
            require_columns(actions, ["job_id"], name="actions", caller="plot_spc()")
            actions = actions.loc[actions["job_id"].astype(str) == str(job)]
        _draw_actions(ax, actions, action_date, action_label, plots)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _time_axis(ax, table["period"])
    ax.set_ylabel(ylabel or ("Share of responses (%)" if percent else "Value (units of measure)"))
    ax.set_xlabel("Period (start date)")
    if data.attrs.get("warning"):
        ax.text(
            0.01,
            0.02,
            "Caution: fewer than 12 points in a phase; limits are unreliable.",
            transform=ax.transAxes,
            fontsize="small",
            color=plots.CONCERN,
        )
    if title is None:
        n_imp = int((kinds == "improvement").sum())
        n_con = int((kinds == "concern").sum())
        n_nei = int((kinds == "neither").sum())
        title = (
            f"{_CHART_NAMES.get(chart, 'SPC chart')}: {_count_phrase(n_imp, 'point')} "
            f"improvement, {_count_phrase(n_con, None)} concern"
        )
        if n_nei:
            title += f", {n_nei} without a direction"
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def _count_phrase(count: int, noun: str | None) -> str:
    """'no point signals' / '1 point signals' / '3 points signal' ('none signal' without noun)."""
    if count == 0:
        return f"no {noun} signals" if noun else "none signal"
    if count == 1:
        return f"1 {noun} signals" if noun else "1 signals"
    return f"{count} {noun}s signal" if noun else f"{count} signal"


def plot_its(
    result: Any,
    *,
    percent: bool = False,
    title: str | None = None,
    ylabel: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Interrupted time series: observed values, fitted segments and the counterfactual.

    Parameters
    ----------
    result : jtbd_methods.tracking.ITSResult
        Output of :func:`jtbd_methods.tracking.its`.
    percent : bool, default False
        The outcome is a share: show percent and state changes in percentage points.
    title, ylabel : str, optional
        Override the default title (which states the first level change) and axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``result`` is not an :class:`~jtbd_methods.tracking.ITSResult`.

    Examples
    --------
    >>> from jtbd_methods.tracking import its
    >>> series = pd.DataFrame({"period": pd.date_range("2023-01-01", periods=24, freq="MS"),
    ...                        "share": [0.5, 0.52] * 6 + [0.7, 0.72] * 6})
    >>> ax = plot_its(its(series, value="share", interventions=["2024-01-01"]), percent=True)
    >>> ax.get_title()
    'Level change +19.5 pp (95% CI +18.6 to +20.4) at 2024-01-01'
    >>> plt.close(ax.figure)
    """
    from jtbd_methods.tracking import ITSResult

    plots = _plots()
    if not isinstance(result, ITSResult):
        raise TypeError(
            f"The 'result' parameter of plot_its() must be an ITSResult from tracking.its(); "
            f"got {type(result).__name__}."
        )
    ax = plots.new_axes(ax)
    fitted = result.fitted
    time = fitted.columns[0]
    seen = fitted.loc[
        np.isfinite(fitted["value"].to_numpy(dtype=float))
        & np.isfinite(fitted["weight"].to_numpy(dtype=float))
    ]
    weight = seen["weight"].to_numpy(dtype=float)
    top = weight.max() if weight.size else 0.0
    sizes = 12 + 60 * weight / top if top > 0 else 20
    ax.scatter(
        seen[time],
        seen["value"],
        s=sizes,
        color=plots.NEUTRAL,
        alpha=0.8,
        label="observed (size: weight)",
        zorder=2,
    )
    first = True
    for _, part in fitted.groupby("segment"):
        ax.plot(
            part[time],
            part["fitted"],
            color=plots.IMPROVEMENT,
            linewidth=2,
            label="fitted" if first else None,
            zorder=3,
        )
        first = False
    after = fitted.loc[fitted["segment"] >= 1]
    if not after.empty:
        start_row = fitted.index.get_loc(after.index[0])
        cf = fitted.iloc[max(start_row - 1, 0) :]
        ax.plot(
            cf[time],
            cf["counterfactual"],
            color=plots.CONCERN,
            linestyle="--",
            linewidth=1.5,
            label="counterfactual (no intervention)",
            zorder=3,
        )
    changes = result.summary()
    for _, row in changes.iterrows():
        ax.axvline(row["start"], color=plots.PALETTE[2], linestyle="-.", linewidth=1)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _time_axis(ax, fitted[time])
    ax.set_ylabel(ylabel or ("Share (%)" if percent else "Value (units of the outcome)"))
    ax.set_xlabel(
        "Period (start date)"
        if np.issubdtype(fitted[time].dtype, np.datetime64)
        else "Period (index)"
    )
    if title is None:
        if changes.empty:
            title = "Interrupted time series"
        else:
            row = changes.iloc[0]
            scale, unit = (100.0, " pp") if percent else (1.0, "")
            digits = 1 if percent else 2
            est = f"{scale * row['level_change']:+.{digits}f}{unit}"
            low = f"{scale * row['level_change_ci_low']:+.{digits}f}"
            high = f"{scale * row['level_change_ci_high']:+.{digits}f}"
            title = f"Level change {est} (95% CI {low} to {high}) at {row['intervention']}"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def plot_trajectories(
    data: pd.DataFrame,
    *,
    title: str | None = None,
    ylabel: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Model-based satisfaction trajectory of each segment across survey waves.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`jtbd_methods.tracking.trajectories`.
    title, ylabel : str, optional
        Override the default title (which names the steepest rise) and axis label.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> table = pd.DataFrame({"segment": ["a", "a"], "term": ["first_wave_mean",
    ...     "change_per_wave"], "estimate": [3.0, 0.25], "n_waves": [3, 3],
    ...     "suppressed": [False, False]})
    >>> ax = plot_trajectories(table)
    >>> ax.get_title()
    'Satisfaction changes most in a: +0.25 per wave'
    >>> plt.close(ax.figure)
    """
    plots = _plots()
    require_dataframe(data, caller="plot_trajectories()")
    require_columns(
        data, ["segment", "term", "estimate", "n_waves", "suppressed"], caller="plot_trajectories()"
    )
    ax = plots.new_axes(ax)
    shown = data.loc[~data["suppressed"]]
    slopes = {}
    for i, (segment, part) in enumerate(shown.groupby("segment", sort=True)):
        level = float(part.loc[part["term"] == "first_wave_mean", "estimate"].iloc[0])
        slope = float(part.loc[part["term"] == "change_per_wave", "estimate"].iloc[0])
        waves = np.arange(int(part["n_waves"].max()))
        ax.plot(
            waves + 1,
            level + slope * waves,
            marker="o",
            color=plots.PALETTE[i % len(plots.PALETTE)],
            label=str(segment),
        )
        slopes[segment] = slope
    ax.set_xlabel("Survey wave (number)")
    ax.set_ylabel(ylabel or "Model mean satisfaction (scale points)")
    if slopes:
        ax.set_xticks(np.arange(1, int(shown["n_waves"].max()) + 1))
        ax.legend(title="segment", fontsize="small", frameon=False)
    if title is None:
        if slopes:
            best = max(slopes, key=lambda k: slopes[k])
            title = textwrap.fill(
                f"Satisfaction changes most in {best}: {slopes[best]:+.2f} per wave", width=70
            )
        else:
            title = "Every segment is too small to show"
    ax.set_title(title)
    return ax
