"""Figures of service recovery and the staff-experience link.

Import them from :mod:`jtbd_methods.plots`.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from jtbd_methods._plotting.theme import CONCERN, NEUTRAL, PALETTE, new_axes
from jtbd_methods._validation import one_of, require_columns

__all__ = ["QUADRANT_COLOURS", "plot_engagement_px", "plot_key_drivers", "plot_priority_matrix"]


#: Colour of each quadrant of the priority matrix (Okabe-Ito), keyed by its first word.
QUADRANT_COLOURS: dict[str, str] = {
    "fix": "#D55E00",  # vermillion: frequent and damaging
    "prevent": "#E69F00",  # orange: rare but damaging
    "streamline": "#0072B2",  # blue: frequent, smaller impact
    "monitor": "#7F7F7F",  # grey
}
_QUADRANT_NAMES = {
    ("high", "high"): "fix first: frequent and damaging",
    ("low", "high"): "prevent: rare but damaging",
    ("high", "low"): "streamline: frequent, smaller impact",
    ("low", "low"): "monitor",
}
_TEXT_QUADRANT_NAMES = {
    ("high", "high"): "fix first: frequent and mostly disrupted",
    ("low", "high"): "prevent: rare but mostly disrupted",
    ("high", "low"): "streamline: frequent, often fulfilled",
    ("low", "low"): "monitor",
}


def _quadrant_colour(quadrant: Any) -> str:
    word = str(quadrant).split(":")[0].split(" ")[0].lower()
    return QUADRANT_COLOURS.get(word, QUADRANT_COLOURS["monitor"])


def _place_labels(ax: plt.Axes, labels: list[tuple[float, float, str, str, str]]) -> None:
    """Label points directly, pushing labels apart vertically so that none overlap.

    Labels go to the right of their point (to the left in the right third of the axes); on
    each side they are sorted by height and spaced at least one text line apart, with a thin
    leader line when a label had to move.
    """
    if not labels:
        return
    fig = ax.figure
    fig.draw_without_rendering()  # settle the (constrained) layout before measuring
    line = 1.4 * plt.rcParams["font.size"] * 0.833 * fig.dpi / 72  # "small" text, in pixels
    x_low, x_high = ax.get_xlim()
    items: list[list[Any]] = []
    for xi, yi, text, colour, quadrant in labels:
        px, py = ax.transData.transform((xi, yi))
        right = xi <= x_low + 0.66 * (x_high - x_low)
        items.append([py, right, py, text, colour, quadrant, xi, yi])
    # One column of heights for all labels: labels on either side of nearby points can
    # cover each other, so every label keeps at least its height from its neighbours.
    items.sort(key=lambda item: item[0])
    for k in range(1, len(items)):
        rows = (items[k][3].count("\n") + items[k - 1][3].count("\n")) / 2 + 1
        items[k][2] = max(items[k][2], items[k - 1][2] + rows * line)
    if items:
        shift = (sum(i[0] for i in items) - sum(i[2] for i in items)) / len(items)
        low_px = ax.transAxes.transform((0, 0))[1] + line / 2
        shift = max(shift, low_px - items[0][2])
        for item in items:
            item[2] += shift
    for py, right, label_py, text, colour, quadrant, xi, yi in items:
        dx = 9 if right else -9
        dy = (label_py - py) * 72 / fig.dpi
        moved = abs(dy) > 2
        ax.annotate(
            text,
            (xi, yi),
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if right else "right",
            va="center",
            fontsize="small",
            color=colour,
            fontweight="bold" if quadrant.startswith("fix") else "normal",
            arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "alpha": 0.7}
            if moved
            else None,
        )


def plot_priority_matrix(
    priorities: pd.DataFrame,
    *,
    label: str = "label",
    share_cutoff: float | None = None,
    impact_cutoff: float | None = None,
    highlight: int | None = None,
    y: str = "impact",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Frequency x impact of disrupted jobs: points coloured by quadrant and labelled directly.

    Parameters
    ----------
    priorities : pandas.DataFrame
        Output of :func:`jtbd_methods.recovery.priority_matrix`; rows without an impact
        (not estimated, or suppressed) are not drawn. Its ``quadrant`` column (the same
        median split as the table) sets each point's colour.
    label : str, default "label"
        Column with the jobs' names (falls back to ``job_id``).
    share_cutoff, impact_cutoff : float, optional
        Quadrant lines; default the cut-offs stored by ``priority_matrix`` (its medians).
    highlight : int, optional
        Ignored (kept for compatibility): colour now follows the quadrant, as in the table.
    y : {"impact", "severity"}, default "impact"
        Vertical axis: the rating drop (:func:`~jtbd_methods.recovery.priority_matrix`) or,
        for a study without ratings, the share of the job's mentions that are disruptions
        (:func:`~jtbd_methods.recovery.text_priorities`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The four quadrants are named in their corners: *fix first* (frequent and damaging,
    upper right), *prevent* (rare but damaging, upper left), *streamline* (frequent, smaller
    impact, lower right) and *monitor* (lower left). Each point carries its priority rank and
    the job's name.

    Examples
    --------
    >>> pm = pd.DataFrame({"job_id": ["a", "b"], "label": ["Feel heard", "Know next steps"],
    ...     "disruption_share": [0.2, 0.05], "share_ci_low": [0.18, 0.04],
    ...     "share_ci_high": [0.22, 0.06], "impact": [0.9, 1.6], "impact_ci_low": [0.8, 1.3],
    ...     "impact_ci_high": [1.0, 1.9], "priority": [18.0, 8.0], "rank": [1, 2],
    ...     "quadrant": ["streamline: frequent, smaller impact", "prevent: rare but damaging"]})
    >>> ax = plot_priority_matrix(pm)
    >>> ax.get_xlabel()
    'Comments in which the job is disrupted (%)'
    >>> sorted(t.get_text() for t in ax.texts)[:2]
    ['1  Feel heard', '2  Know next steps']
    >>> plt.close(ax.figure)
    """

    caller = "plot_priority_matrix"
    one_of(y, ("impact", "severity"), parameter="y", caller=caller)
    cols = [
        "job_id",
        "disruption_share",
        "share_ci_low",
        "share_ci_high",
        y,
        f"{y}_ci_low",
        f"{y}_ci_high",
    ]
    require_columns(priorities, cols, name="priorities", caller=caller)
    scale = 100.0 if y == "severity" else 1.0
    names_of = _QUADRANT_NAMES if y == "impact" else _TEXT_QUADRANT_NAMES
    d = priorities.loc[priorities[y].notna()].reset_index(drop=True)
    names = (d[label] if label in d.columns else d["job_id"]).astype(str).tolist()
    if "rank" in d.columns and d["rank"].notna().all():
        ranks = [int(r) for r in d["rank"]]
    else:
        ranks = list(range(1, len(d) + 1))
    ax = new_axes(ax, figsize=(10, 6))
    s_cut = share_cutoff if share_cutoff is not None else priorities.attrs.get("share_cutoff")
    cut_key = "impact_cutoff" if y == "impact" else "severity_cutoff"
    i_cut = impact_cutoff if impact_cutoff is not None else priorities.attrs.get(cut_key)
    if s_cut is None and len(d):
        s_cut = float(d["disruption_share"].median())
    if i_cut is None and len(d):
        i_cut = float(d[y].median())
    if "quadrant" in d.columns and d["quadrant"].notna().all():
        quadrants = d["quadrant"].astype(str).tolist()
    else:
        quadrants = [
            names_of[
                (
                    "high" if s >= (s_cut or 0) else "low",
                    "high" if i >= (i_cut or 0) else "low",
                )
            ]
            for s, i in zip(d["disruption_share"], d[y], strict=True)
        ]
    x = 100 * d["disruption_share"].to_numpy(float)
    yv = scale * d[y].to_numpy(float)
    xerr = np.vstack(
        [x - 100 * d["share_ci_low"].to_numpy(float), 100 * d["share_ci_high"].to_numpy(float) - x]
    )
    yerr = np.vstack(
        [
            yv - scale * d[f"{y}_ci_low"].to_numpy(float),
            scale * d[f"{y}_ci_high"].to_numpy(float) - yv,
        ]
    )
    labels_to_place: list[tuple[float, float, str, str, str]] = []
    for _k, (xi, yi, xe, ye, r, name, q) in enumerate(
        zip(x, yv, xerr.T, yerr.T, ranks, names, quadrants, strict=True)
    ):
        c = _quadrant_colour(q)
        ax.errorbar(
            xi,
            yi,
            xerr=xe[:, None],
            yerr=ye[:, None],
            fmt="o",
            ms=7,
            color=c,
            ecolor=c,
            elinewidth=1,
            capsize=2,
            alpha=0.9,
        )
        labels_to_place.append((xi, yi, textwrap.fill(f"{r}  {name}", 28), c, q))
    if s_cut is not None:
        ax.axvline(100 * s_cut, color=NEUTRAL, ls="--", lw=1)
    if i_cut is not None:
        ax.axhline(scale * i_cut, color=NEUTRAL, ls="--", lw=1)
    if y == "impact":
        ax.axhline(0, color="black", lw=0.6)
    for (hx, hy), key in (
        ((0.99, 0.99), ("high", "high")),
        ((0.01, 0.99), ("low", "high")),
        ((0.99, 0.01), ("high", "low")),
        ((0.01, 0.01), ("low", "low")),
    ):
        text = names_of[key]
        ax.text(
            hx,
            hy,
            text.replace(": ", "\n"),
            transform=ax.transAxes,
            ha="right" if hx > 0.5 else "left",
            va="top" if hy > 0.5 else "bottom",
            color=_quadrant_colour(text),
            fontweight="bold",
            fontsize="small",
            alpha=0.9,
        )
    if y == "impact":
        ax.set_title("Which disrupted jobs cost most? Fix first: frequent and damaging")
        ax.set_ylabel("Drop in rating when disrupted (points, 1-5 scale)")
    else:
        ax.set_title("Which jobs go wrong most? Fix first: frequent and mostly disrupted")
        ax.set_ylabel("Mentions in which the job is disrupted (%)")
    ax.set_xlabel("Comments in which the job is disrupted (%)")
    ax.set_xlim(left=0, right=max(float(np.nanmax(x + xerr[1])) * 1.15, 1.0) if len(x) else 1)
    if len(yv):
        top = float(np.nanmax(yv + yerr[1]))
        low = min(float(np.nanmin(yv - yerr[0])), 0.0)
        pad = 0.18 * (top - low or 1.0)
        ax.set_ylim(low - pad if y == "impact" else 0.0, top + pad)
    _place_labels(ax, labels_to_place)
    return ax


def plot_key_drivers(
    drivers: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    percent: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Horizontal bars of relative importance with bootstrap intervals.

    Parameters
    ----------
    drivers : pandas.DataFrame
        Output of :func:`jtbd_methods.recovery.key_drivers`.
    labels : dict, optional
        Driver -> label for the axis (e.g. ``study.codebook.labels()`` with ``by_job=True``).
    percent : bool, default True
        Show each driver's share of R² in % (``weight / r_squared``); ``False`` shows the raw
        weights.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> kd = pd.DataFrame({"driver": ["a", "b"], "weight": [0.3, 0.1], "ci_low": [0.2, 0.05],
    ...     "ci_high": [0.4, 0.15], "share_of_r2": [0.75, 0.25], "r_squared": [0.4, 0.4],
    ...     "method": ["relative_weights"] * 2})
    >>> ax = plot_key_drivers(kd)
    >>> ax.get_xlabel()
    'Share of explained variance in overall satisfaction (% of R²)'
    >>> plt.close(ax.figure)
    """
    caller = "plot_key_drivers"
    require_columns(
        drivers,
        ["driver", "weight", "ci_low", "ci_high", "r_squared"],
        name="drivers",
        caller=caller,
    )
    d = drivers.sort_values("weight", ascending=True, kind="mergesort")
    r2 = float(d["r_squared"].iloc[0]) if len(d) else float("nan")
    scale = 100 / r2 if percent and r2 > 0 else 1.0
    values = d["weight"].to_numpy(float) * scale
    low = d["ci_low"].to_numpy(float) * scale
    high = d["ci_high"].to_numpy(float) * scale
    err = np.vstack([values - low, high - values])
    err = np.where(np.isfinite(err), err, 0.0)
    names = [(labels or {}).get(k, k) for k in d["driver"]]
    ax = new_axes(ax, figsize=(8, max(3.0, 0.45 * len(d) + 1.5)))
    ax.barh(
        names,
        values,
        xerr=err,
        color=PALETTE[0],
        ecolor="black",
        capsize=3,
        error_kw={"elinewidth": 1},
    )
    method = str(d["method"].iloc[0]).replace("_", " ") if "method" in d.columns and len(d) else ""
    ax.set_title(f"What drives overall satisfaction most? (R² = {r2:.2f})")
    if percent:
        ax.set_xlabel("Share of explained variance in overall satisfaction (% of R²)")
    else:
        ax.set_xlabel(f"Relative importance ({method}, share of R², 0-1)")
    ax.set_ylabel("Driver")
    ax.set_xlim(left=0)
    return ax


def plot_engagement_px(
    model: Any,
    *,
    kind: str = "within",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Staff engagement against patients' positive share, with the fitted line and its band.

    Parameters
    ----------
    model : EngagementModel
        Output of :func:`jtbd_methods.workforce.engagement_model`.
    kind : {"within", "between"}, default "within"
        ``"within"``: each unit-period as its deviation from the unit's own mean (engagement
        points, positive share in pp), with the within-unit slope and its confidence band.
        ``"between"``: one point per unit (its means), with the between-unit line and band.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from jtbd_methods.workforce import engagement_model
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"unit": np.repeat(list("abcd"), 6),
    ...     "period": np.tile(pd.date_range("2024-01-01", periods=6, freq="MS"), 4),
    ...     "engagement": rng.normal(6, 1, 24), "n": 50})
    >>> d["positive_share"] = np.clip(0.3 + 0.04 * d["engagement"] + rng.normal(0, 0.03, 24), 0, 1)
    >>> ax = plot_engagement_px(engagement_model(d))
    >>> ax.get_xlabel()
    "Staff engagement minus the unit's mean (points, 0-10 scale)"
    >>> plt.close(ax.figure)
    """
    kind = one_of(kind, ("within", "between"), parameter="kind", caller="plot_engagement_px")
    d = model.data
    params = model.params
    cov = model.cov_params
    z = stats.norm.ppf(0.5 + model.ci / 2)
    ax = new_axes(ax, figsize=(7.5, 5))
    units = sorted(d["unit"].unique())
    colour = {u: PALETTE[i % len(PALETTE)] for i, u in enumerate(units)}
    if kind == "within":
        x = d["engagement_within"].to_numpy(float)
        y = (d["positive_share_pp"] - d["positive_share_unit_mean_pp"]).to_numpy(float)
        ax.scatter(x, y, s=14, alpha=0.6, c=[colour[u] for u in d["unit"]], edgecolors="none")
        grid = np.linspace(x.min(), x.max(), 50)
        slope = float(params["within"])
        se = float(np.sqrt(cov.loc["within", "within"]))
        fit = slope * grid
        band = z * se * np.abs(grid)
        ax.plot(
            grid, fit, color=CONCERN, lw=2.5, label=f"within-unit slope {slope:+.1f} pp per point"
        )
        ax.fill_between(
            grid,
            fit - band,
            fit + band,
            color=CONCERN,
            alpha=0.2,
            label=f"{round(100 * model.ci)}% confidence band",
        )
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(
            "In months a unit's staff are more engaged than usual, "
            "do its patients rate care better?"
        )
        ax.set_xlabel("Staff engagement minus the unit's mean (points, 0-10 scale)")
        ax.set_ylabel("Positive share minus the unit's mean (percentage points)")
    else:
        means = d.groupby("unit").agg(
            engagement=("engagement_unit_mean", "first"),
            between=("engagement_between", "first"),
            share=("positive_share_unit_mean_pp", "first"),
        )
        ax.scatter(
            means["engagement"],
            means["share"],
            s=50,
            c=[colour[u] for u in means.index],
            edgecolors="black",
            linewidths=0.5,
            zorder=3,
        )
        for u, row in means.iterrows():
            ax.annotate(
                str(u),
                (row["engagement"], row["share"]),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize="small",
            )
        offset = float((means["engagement"] - means["between"]).iloc[0])
        grid_b = np.linspace(means["between"].min(), means["between"].max(), 50)
        a, b = float(params["intercept"]), float(params["between"])
        fit = a + b * grid_b
        v = (
            cov.loc["intercept", "intercept"]
            + grid_b**2 * cov.loc["between", "between"]
            + 2 * grid_b * cov.loc["intercept", "between"]
        )
        band = z * np.sqrt(np.asarray(v, dtype=float))
        ax.plot(
            grid_b + offset,
            fit,
            color=CONCERN,
            lw=2.5,
            label=f"between-unit slope {b:+.1f} pp per point",
        )
        ax.fill_between(
            grid_b + offset,
            fit - band,
            fit + band,
            color=CONCERN,
            alpha=0.2,
            label=f"{round(100 * model.ci)}% confidence band",
        )
        ax.set_title("Do units with more engaged staff have more positive patients?")
        ax.set_xlabel("Unit's mean staff engagement (points, 0-10 scale)")
        ax.set_ylabel("Unit's mean positive share (%)")
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    return ax
