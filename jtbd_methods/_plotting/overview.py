"""Figures of the study overview."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from jtbd_methods._plotting import plain
from jtbd_methods._validation import require_columns

__all__ = ["plot_rating_distribution", "plot_responses_over_time"]


def plot_responses_over_time(
    counts: pd.DataFrame, *, by: str | None = "site", ax: plt.Axes | None = None
) -> plt.Axes:
    """Comments per period as lines (one per group); suppressed cells are gaps.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`jtbd_methods.overview.responses_by_period`.
    by : str or None
        The grouping column used there.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from jtbd_methods._plotting.theme import PALETTE, new_axes

    require_columns(counts, ["period", "n", by], name="counts", caller="plot_responses_over_time")
    ax = new_axes(ax)
    groups = [None] if by is None else sorted(counts[by].unique())
    for i, g in enumerate(groups):
        part = counts if g is None else counts[counts[by] == g]
        y = part["n"].astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
        ax.plot(
            part["period"],
            y,
            marker="o",
            ms=3,
            lw=1.5,
            color=PALETTE[i % len(PALETTE)],
            label="All comments" if g is None else plain(g),
        )
    ax.set_title("Comments received per period: are volumes steady across sites?")
    ax.set_xlabel("Period")
    ax.set_ylabel("Comments (count)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_ylim(bottom=0)
    if by is not None:
        ax.legend(
            title=plain(by.replace("_", " ").capitalize()), ncols=2, fontsize="small", frameon=False
        )
    return ax


def plot_rating_distribution(dist: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Bar chart of the share of each rating (1-5 and missing).

    Parameters
    ----------
    dist : DataFrame
        Output of :func:`jtbd_methods.overview.rating_distribution` (without ``by``).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from jtbd_methods._plotting.theme import CONCERN, IMPROVEMENT, NEUTRAL, new_axes

    require_columns(dist, ["rating", "share"], name="dist", caller="plot_rating_distribution")
    ax = new_axes(ax, figsize=(7, 3.5))
    colours = {
        "1": CONCERN,
        "2": CONCERN,
        "3": NEUTRAL,
        "4": IMPROVEMENT,
        "5": IMPROVEMENT,
        "missing": "#BBBBBB",
    }
    bars = ax.bar(
        dist["rating"].astype(str),
        100 * dist["share"],
        color=[colours.get(r, NEUTRAL) for r in dist["rating"]],
    )
    ax.bar_label(bars, labels=[f"{100 * v:.0f}%" for v in dist["share"]], fontsize="small")
    ax.set_title("How patients rated their care (share of comments)")
    ax.set_xlabel("Rating (1 = very poor, 5 = very good)")
    ax.set_ylabel("Share of comments (%)")
    return ax
