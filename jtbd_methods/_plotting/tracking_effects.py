"""Figures of effects over time: interrupted time series, pilots (DiD) and survey trajectories.

Import them from :mod:`jtbd_methods.plots`. Each draws on ``ax`` (or a new figure), returns
the Axes and never shows or saves the figure.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from jtbd_methods._plotting import theme as plots
from jtbd_methods._plotting._tracking_common import (
    _no_data,
    _time_axis,
)
from jtbd_methods._validation import require_columns, require_dataframe
from jtbd_methods.tracking._shared import renamed_keywords
from jtbd_methods.tracking.its import ITSResult


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


@renamed_keywords(ci="interval")
def plot_did(
    series: pd.DataFrame,
    *,
    estimate: float | None = None,
    interval: tuple[float, float] | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Difference in differences as a picture: the pilot-minus-other gap, before and after.

    Parameters
    ----------
    series : pandas.DataFrame
        Output of :func:`jtbd_methods.tracking.pilot_series` (``period``, ``difference``
        in percentage points, ``attrs["started"]``).
    estimate : float, optional
        The model's difference-in-differences estimate (points), stated in the title.
    interval : tuple of float, optional
        Its 95% confidence interval, ``(low, high)`` in points. Called ``ci`` in version 0.1
        (still accepted, with a FutureWarning: ``ci`` is a confidence level elsewhere).
    title : str, optional
        Override the default title.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError, ValueError
        If ``series`` is not a DataFrame or lacks a column.

    Notes
    -----
    Each point is the pilot sites' positive share minus the other sites' in one period. The
    horizontal lines are the mean gap before and after the start; the step between them is
    the difference in differences (the table's estimate adjusts for site and period, so it
    can differ a little from the step of these unweighted means). Parallel pre-trends show as
    a flat gap before the start.

    Examples
    --------
    >>> s = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=6, freq="MS"),
    ...                   "difference": [1.0, -1.0, 0.0, 20.0, 19.0, 21.0]})
    >>> s.attrs["started"] = pd.Timestamp("2024-04-01")
    >>> plot_did(s).get_title()
    'Pilot sites against the others: the gap rose by 20 points'
    >>> plt.close("all")
    """
    caller = "plot_did()"
    require_dataframe(series, parameter="series", caller=caller)
    require_columns(series, ["period", "difference"], name="series", caller=caller)
    ax = plots.new_axes(ax)
    shown = series.dropna(subset=["difference"]).sort_values("period")
    if shown.empty:
        _no_data(ax, title or "Pilot sites against the others: too few responses to compare")
        return ax
    started = series.attrs.get("started")
    started = (
        pd.Timestamp(started) if started is not None else shown["period"].iloc[len(shown) // 2]
    )
    before = shown.loc[shown["period"] < started]
    after = shown.loc[shown["period"] >= started]
    ax.axhline(0, color="black", linewidth=0.6)
    colours = {True: plots.PALETTE[0], False: plots.NEUTRAL}
    for part, is_after in ((before, False), (after, True)):
        if part.empty:
            continue
        ax.plot(
            part["period"],
            part["difference"],
            marker="o",
            ms=4,
            lw=1,
            color=colours[is_after],
            label="after the start" if is_after else "before",
        )
        mean = float(part["difference"].mean())
        ax.hlines(
            mean,
            part["period"].min(),
            part["period"].max(),
            colors=colours[is_after],
            linestyles="--",
            linewidth=2,
        )
        ax.annotate(
            f"mean {mean:+.0f}",
            (part["period"].max(), mean),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize="small",
            color=colours[is_after],
        )
    ax.axvline(started, color=plots.PALETTE[2], linestyle="-.", linewidth=1)
    _time_axis(ax, shown["period"])
    ax.set_xlabel("Period (start date)")
    ax.set_ylabel("Pilot minus other sites (points)")
    if title is None:
        if estimate is not None and np.isfinite(estimate):
            bounds = ""
            if interval is not None:
                bounds = f" (95% CI {interval[0]:+.0f} to {interval[1]:+.0f})"
            title = f"Difference in differences {estimate:+.0f} points{bounds}"
        elif not before.empty and not after.empty:
            step = float(after["difference"].mean() - before["difference"].mean())
            verb = "rose" if step >= 0 else "fell"
            title = f"Pilot sites against the others: the gap {verb} by {abs(step):.0f} points"
        else:
            title = "Pilot sites against the others"
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
