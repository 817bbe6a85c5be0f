"""The control chart of :func:`jtbd_methods.tracking.spc`, with its signals and icons.

Import :func:`plot_spc` from :mod:`jtbd_methods.plots`.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

from jtbd_methods._plotting import theme as plots
from jtbd_methods._plotting._tracking_common import (
    _CHART_NAMES,
    _count_phrase,
    _draw_actions,
    _no_data,
    _period_text,
    _time_axis,
    _wrap_width,
)
from jtbd_methods._plotting.tracking_icons import draw_icons
from jtbd_methods._validation import require_columns, require_dataframe
from jtbd_methods.tracking.icons import chart_icons


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
