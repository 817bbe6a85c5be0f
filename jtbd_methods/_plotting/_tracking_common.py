"""Helpers shared by the tracking figures: axis labels, action lines, dates, empty charts."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd

from jtbd_methods._validation import require_columns, require_dataframe

_LABELS = {
    "positive_share": "Positive ratings (% of rated responses)",
    "top_box_share": "Top-box ratings (% of rated responses)",
    "mean": "Mean rating (scale points)",
}


_CHART_NAMES = {"p": "p chart", "laney": "Laney p' chart", "xmr": "XmR chart", "run": "Run chart"}


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


def _wrap_width(ax: plt.Axes) -> int:
    """Characters of small text that fit across the axes."""
    width = ax.get_position().width * ax.figure.get_size_inches()[0]
    return max(40, int(width * 13))


def _count_phrase(count: int, noun: str | None) -> str:
    """'no point signals' / '1 point signals' / '3 points signal' ('none signal' without noun)."""
    if count == 0:
        return f"no {noun} signals" if noun else "none signal"
    if count == 1:
        return f"1 {noun} signals" if noun else "1 signals"
    return f"{count} {noun}s signal" if noun else f"{count} signal"
