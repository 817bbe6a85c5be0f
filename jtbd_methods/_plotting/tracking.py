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

__all__ = [
    "draw_icons",
    "plot_did",
    "plot_its",
    "plot_rates",
    "plot_rates_grid",
    "plot_spc",
    "plot_trajectories",
]

_LABELS = {
    "positive_share": "Positive ratings (% of rated responses)",
    "top_box_share": "Top-box ratings (% of rated responses)",
    "mean": "Mean rating (scale points)",
}
_CHART_NAMES = {"p": "p chart", "laney": "Laney p' chart", "xmr": "XmR chart", "run": "Run chart"}


def _plots():
    # Imported lazily: jtbd_methods.plots re-exports this module's functions.
    from jtbd_methods._plotting import theme as plots

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


def _period_text(value: Any) -> str:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).strftime("%b %Y")
    return str(value)


def _no_data(ax: plt.Axes, title: str, message: str | None = None) -> None:
    """An honest empty chart: a message in the middle, no axis ticks that mean nothing."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        message or "Too few responses in every period to show.",
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="0.35",
    )
    ax.set_title(title)


_ICON_COLOURS = {
    "common": "#7F7F7F",
    "improvement": "#0072B2",
    "concern": "#E69F00",
    "neither": "#CC79A7",
    "pass": "#0072B2",
    "fail": "#E69F00",
    "hit": "#7F7F7F",
}


def _wrap_width(ax: plt.Axes) -> int:
    """Characters of small text that fit across the axes."""
    width = ax.get_position().width * ax.figure.get_size_inches()[0]
    return max(40, int(width * 13))


_ICON_SHORT = {
    "common_cause": "common cause",
    "improvement_high": "improving",
    "improvement_low": "improving",
    "concern_high": "concern",
    "concern_low": "concern",
    "neither_high": "higher",
    "neither_low": "lower",
    "pass": "meets target",
    "fail": "misses target",
    "hit_and_miss": "hit and miss",
}


def _aspect(ax: plt.Axes) -> float:
    bbox = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    return (bbox.width * fig_w) / max(bbox.height * fig_h, 1e-9)


def _icon(
    ax: plt.Axes, kind: str, *, left: float, bottom: float, size: float, assurance: bool
) -> plt.Axes:
    """One Making Data Count style icon: a ringed circle with a sketch of the process."""
    from matplotlib.patches import Circle

    inset = ax.inset_axes([left, bottom, size, size * _aspect(ax)], transform=ax.transAxes)
    inset.set_xlim(-1.1, 1.1)
    inset.set_ylim(-1.1, 1.1)
    inset.set_aspect("equal", adjustable="box")
    inset.axis("off")
    family = kind.split("_")[0]
    colour = _ICON_COLOURS.get(family, "#7F7F7F")
    inset.add_patch(Circle((0, 0), 1.0, facecolor="white", edgecolor=colour, linewidth=2.2))
    xs = np.linspace(-0.6, 0.6, 7)
    if assurance:
        # a limit band with a target line: above it (pass), below it (fail) or through it
        inset.fill_between([-0.6, 0.6], -0.25, 0.25, color=colour, alpha=0.25, linewidth=0)
        level = {"pass": -0.55, "fail": 0.55, "hit": 0.0}[family]
        inset.plot([-0.7, 0.7], [level, level], color="black", linewidth=1.4)
        letter = {"pass": "P", "fail": "F", "hit": "?"}[family]
        inset.text(
            0,
            0.62 if family != "fail" else -0.72,
            letter,
            ha="center",
            va="center",
            fontsize=7,
            fontweight="bold",
            color=colour,
        )
        return inset
    if family == "common":
        ys = np.array([0.0, 0.15, -0.1, 0.1, -0.15, 0.05, 0.0])
        inset.plot(xs, ys, color=colour, linewidth=1, marker="o", ms=2.2)
        return inset
    high = kind.endswith("high")
    ys = np.array([-0.25, -0.15, -0.3, -0.2, 0.25, 0.35, 0.3]) * (1 if high else -1)
    inset.plot(xs, ys, color="#7F7F7F", linewidth=1)
    inset.plot(xs[4:], ys[4:], linestyle="none", marker="o", ms=2.6, color=colour)
    inset.text(
        0,
        0.62 if not high else -0.65,
        "H" if high else "L",
        ha="center",
        va="center",
        fontsize=7,
        fontweight="bold",
        color=colour,
    )
    return inset


def draw_icons(
    ax: plt.Axes,
    *,
    variation: str | None,
    assurance: str | None = None,
    size: float = 0.1,
) -> list[plt.Axes]:
    """Draw the variation (and assurance) icon to the right of ``ax``, at its top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The chart.
    variation : str or None
        A variation icon of :func:`jtbd_methods.tracking.chart_icons` (``common_cause``,
        ``improvement_high``, ...); None draws nothing.
    assurance : str, optional
        ``pass``, ``fail`` or ``hit_and_miss``.
    size : float, default 0.1
        Icon width as a fraction of the axes' width.

    Returns
    -------
    list of matplotlib.axes.Axes
        The icons' inset axes; each carries its meaning as its label (for alt text).

    Notes
    -----
    Drawn with matplotlib after the NHS "Making Data Count" icon set (no image files): the
    ring's colour is grey for common cause, blue for improvement, orange for concern; H or L
    marks a special cause above or below the centre line. Assurance icons show the limits as
    a band and the target as a line: P (consistently met), F (consistently missed) and ?
    (hit and miss).

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> [i.get_label() for i in draw_icons(ax, variation="improvement_high", assurance="pass")]
    ['Special cause variation: improvement (higher)', 'Assurance: the process will consistently meet the target']
    >>> plt.close(fig)
    """
    from jtbd_methods.tracking import ICON_TEXT

    # Icons are square: their height in axes units follows the axes' aspect ratio.
    bottom = 1.0 - size * _aspect(ax)
    drawn = []
    if variation is not None:
        icon = _icon(ax, variation, left=1.02, bottom=bottom, size=size, assurance=False)
        icon.set_label(ICON_TEXT[variation])
        icon.set_title(_ICON_SHORT[variation], fontsize=7, y=-0.32, fontweight="normal")
        drawn.append(icon)
    if assurance is not None:
        kind = "hit" if assurance == "hit_and_miss" else assurance
        icon = _icon(ax, kind, left=1.04 + size, bottom=bottom, size=size, assurance=True)
        icon.set_label(ICON_TEXT[assurance])
        icon.set_title(_ICON_SHORT[assurance], fontsize=7, y=-0.32, fontweight="normal")
        drawn.append(icon)
    return drawn


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


def plot_spc(
    data: pd.DataFrame,
    *,
    actions: pd.DataFrame | None = None,
    action_date: str = "started",
    action_label: str = "action_id",
    job: str | None = None,
    percent: bool | None = None,
    icons: bool = True,
    target: float | None = None,
    note: str | None = None,
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
    icons : bool, default True
        Draw the NHS "Making Data Count" variation icon (and, with a ``target``, the
        assurance icon) at the top right, from :func:`jtbd_methods.tracking.chart_icons`.
    target : float, optional
        Target on the chart's scale, drawn as a line and used by the assurance icon.
    note : str, optional
        A sentence shown under the chart (e.g. why Laney's p' chart was chosen); default
        ``data.attrs["note"]`` when set.
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

    Notes
    -----
    Each phase (limits recalculated at ``recalc_at`` of :func:`~jtbd_methods.tracking.spc`)
    has its own centre line and limits, drawn as separate segments. A chart with no plotted
    point says so instead of drawing an empty time axis.

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
    if not np.isfinite(pd.to_numeric(table["value"], errors="coerce").to_numpy(float)).any():
        _no_data(ax, title or "Control chart: no period has enough responses to plot")
        return ax
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
    if target is not None:
        ax.axhline(target, color=plots.PALETTE[2], linestyle="-", linewidth=1.2, label="target")
    captions = []
    if data.attrs.get("warning"):
        captions.append("Caution: fewer than 12 points in a phase; limits are unreliable.")
    note = note if note is not None else data.attrs.get("note")
    if note:
        captions.append(str(note))
    n_phases = int(pd.Series(table["phase"]).nunique())
    if n_phases > 1:
        starts = table.groupby("phase")["period"].min().iloc[1:]
        when = ", ".join(_period_text(v) for v in starts)
        captions.append(f"Limits recalculated from {when} (a new phase after each change).")
    if captions:
        ax.text(
            0.0,
            -0.16,
            textwrap.fill(" ".join(captions), _wrap_width(ax)),
            transform=ax.transAxes,
            fontsize="small",
            va="top",
            color="0.25",
        )
    if icons:
        from jtbd_methods.tracking import chart_icons

        found = chart_icons(data, target=target)
        draw_icons(ax, variation=found["variation"], assurance=found["assurance"])
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
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize="small", frameon=False)
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
    from jtbd_methods._validation import check_int

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


def plot_did(
    series: pd.DataFrame,
    *,
    estimate: float | None = None,
    ci: tuple[float, float] | None = None,
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
    ci : tuple of float, optional
        Its interval.
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
    plots = _plots()
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
            interval = f" (95% CI {ci[0]:+.0f} to {ci[1]:+.0f})" if ci is not None else ""
            title = f"Difference in differences {estimate:+.0f} points{interval}"
        elif not before.empty and not after.empty:
            step = float(after["difference"].mean() - before["difference"].mean())
            verb = "rose" if step >= 0 else "fell"
            title = f"Pilot sites against the others: the gap {verb} by {abs(step):.0f} points"
        else:
            title = "Pilot sites against the others"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax
