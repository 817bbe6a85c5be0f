"""The NHS "Making Data Count" variation and assurance icons, drawn beside a control chart.

Import :func:`draw_icons` from :mod:`jtbd_methods.plots`. The icons' meanings come from
:data:`jtbd_methods.tracking.ICON_TEXT`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from jtbd_methods.tracking.icons import ICON_TEXT

_ICON_COLOURS = {
    "common": "#7F7F7F",
    "improvement": "#0072B2",
    "concern": "#E69F00",
    "neither": "#CC79A7",
    "pass": "#0072B2",
    "fail": "#E69F00",
    "hit": "#7F7F7F",
}


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
