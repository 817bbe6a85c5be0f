"""Figures of rates over time: one or more series with intervals, or one panel per group.

Import them from :mod:`jtbd_methods.plots`. Each draws on ``ax`` (or a new figure), returns
the Axes (or Figure) and never shows or saves it. Suppressed periods are drawn as gaps (and a
small grey cross on the time axis), never as zeros.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from jtbd_methods._plotting import theme as plots
from jtbd_methods._plotting._tracking_common import (
    _LABELS,
    _draw_actions,
    _interval_columns,
    _no_data,
    _pct,
    _time_axis,
)
from jtbd_methods._validation import check_int, require_columns, require_dataframe


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
    require_dataframe(data, caller="plot_rates()")
    default_low, default_high = _interval_columns(y)
    ci_low = ci_low or (default_low if default_low in data.columns else None)
    ci_high = ci_high or (default_high if default_high in data.columns else None)
    require_columns(data, [x, y, ci_low, ci_high, hue], caller="plot_rates()")
    percent = y.endswith("_share") if percent is None else percent
    ax = plots.new_axes(ax)
    if not pd.to_numeric(data[y], errors="coerce").notna().any():
        name = _LABELS.get(y, y.replace("_", " ").capitalize()).split(" (")[0]
        _no_data(
            ax,
            title or f"{name}: too few responses to show",
            "Too few responses in every period to show (each period is suppressed).",
        )
        return ax
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
            title = f"{short}: too few responses to show"
    ax.set_title(title)
    if hue is not None:
        _direct_labels(ax, parts, x, y, labels, plots)
    elif any_gap:
        ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def _direct_labels(ax: plt.Axes, parts: list, x: str, y: str, labels: Mapping, plots: Any) -> None:
    """Label each line at its last shown point, nudged apart so labels never overlap."""
    ends = []
    for i, (name, part) in enumerate(parts):
        shown = part.dropna(subset=[y]).sort_values(x)
        if shown.empty:
            continue
        last = shown.iloc[-1]
        label = labels.get(name, str(name))
        ends.append([float(last[y]), last[x], textwrap.shorten(label, 30), i])
    if not ends:
        return
    low, high = ax.get_ylim()
    gap = 0.06 * (high - low)
    ends.sort(key=lambda e: e[0])
    for k in range(1, len(ends)):
        ends[k][0] = max(ends[k][0], ends[k - 1][0] + gap)
    for ypos, _, label, i in ends:
        ax.annotate(
            label,
            xy=(1.01, ypos),
            xycoords=("axes fraction", "data"),
            va="center",
            ha="left",
            fontsize="small",
            color=plots.PALETTE[i % len(plots.PALETTE)],
            annotation_clip=False,
        )


def plot_rates_grid(
    data: pd.DataFrame,
    *,
    hue: str,
    y: str = "positive_share",
    x: str = "period",
    groups: Sequence[Any] | None = None,
    labels: Mapping[Any, str] | None = None,
    actions: pd.DataFrame | None = None,
    ncols: int = 2,
    title: str | None = None,
    ylabel: str | None = None,
) -> plt.Figure:
    """Small multiples: one panel per group, each titled with its name, on a shared axis.

    Four or more lines on one axis cannot be told apart; one small panel per group, with the
    same scales, can (Tufte 1983). Each panel is drawn by :func:`plot_rates`.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`jtbd_methods.tracking.rates` with ``by``, ``job_rates`` or
        ``mention_rates``.
    hue : str
        Group column (e.g. ``"job_id"``).
    y, x : str
        Estimate and time columns (intervals as in :func:`plot_rates`).
    groups : sequence, optional
        Groups to draw, in this order (default: all, sorted).
    labels : mapping, optional
        Panel title of each group (e.g. ``codebook.labels()``).
    actions : pandas.DataFrame, optional
        Improvement actions; each panel shows those on its group when ``actions`` has a
        column named ``hue``, all of them otherwise.
    ncols : int, default 2
        Panels per row.
    title, ylabel : str, optional
        Figure title and y-axis label.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame or lacks a column, or ``ncols`` is below 1.

    References
    ----------
    .. [1] Tufte, E. R. (1983). *The Visual Display of Quantitative Information*. Graphics
       Press, ch. 8 ("small multiples").

    Examples
    --------
    >>> table = pd.DataFrame({"period": list(pd.date_range("2024-01-01", periods=3,
    ...     freq="MS")) * 2, "job_id": ["a"] * 3 + ["b"] * 3,
    ...     "positive_share": [0.5, 0.6, 0.7, 0.4, 0.4, 0.5]})
    >>> fig = plot_rates_grid(table, hue="job_id", labels={"a": "Feel heard"})
    >>> [ax.get_title() for ax in fig.axes if ax.get_visible()]
    ['Feel heard', 'b']
    >>> plt.close(fig)
    """
    caller = "plot_rates_grid()"
    require_dataframe(data, caller=caller)
    require_columns(data, [x, y, hue], caller=caller)
    ncols = check_int(ncols, parameter="ncols", caller=caller, minimum=1)
    present = sorted(data[hue].dropna().unique(), key=str)
    order = present if groups is None else [g for g in groups if g in set(present)]
    labels = dict(labels or {})
    n = max(len(order), 1)
    cols = min(ncols, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.6 * cols, 2.9 * rows + 0.6), sharex=True, sharey=True, squeeze=False
    )
    percent = y.endswith("_share")
    for k, ax in enumerate(axes.flat):
        if k >= len(order):
            ax.set_visible(False)
            continue
        group = order[k]
        part = data.loc[data[hue] == group]
        own = actions
        if actions is not None and hue in actions.columns:
            own = actions.loc[actions[hue].astype(str) == str(group)]
        name = textwrap.fill(str(labels.get(group, group)), 34 if cols > 1 else 80)
        plot_rates(part, y=y, x=x, actions=own, title=name, ax=ax)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.title.set_fontsize("medium")
    if percent:
        axes.flat[0].set_ylim(bottom=0)
    name = _LABELS.get(y, y.replace("_", " ").capitalize())
    fig.supylabel(ylabel or name, fontsize="medium")
    fig.supxlabel("Period (start date)", fontsize="medium")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    return fig
