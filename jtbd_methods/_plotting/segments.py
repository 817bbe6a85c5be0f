"""Figures of outcome opportunity scoring and recovery-goal segmentation."""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from jtbd_methods._plotting.theme import CONCERN, IMPROVEMENT, new_axes
from jtbd_methods._validation import check_int, one_of, require_columns, require_dataframe
from jtbd_methods.segmentation.profiles import separating_items

__all__ = [
    "plot_k_selection",
    "plot_opportunity_landscape",
    "plot_segment_landscapes",
    "plot_segment_profiles",
    "plot_segments_vs",
]

# Region colours: orange shades (Okabe-Ito orange / vermillion) for unmet need, blue for
# overserved, so the landscape reads the same for colour-blind readers.
_UNDER_LIGHT = "#E69F00"
_UNDER_DARK = "#D55E00"
_OVER = "#56B4E9"


def _region_handles() -> list[Patch]:
    """Legend entries of the shaded ODI regions."""
    return [
        Patch(facecolor=_UNDER_DARK, alpha=0.30, label="extremely underserved (> 15)"),
        Patch(facecolor=_UNDER_LIGHT, alpha=0.30, label="underserved (12-15)"),
        Patch(facecolor=_UNDER_LIGHT, alpha=0.12, label="appropriately served (10-12)"),
        Patch(facecolor=_OVER, alpha=0.18, label="overserved (satisfaction > importance)"),
    ]


def _shade_regions(ax: plt.Axes) -> None:
    """Shade the ODI regions of an importance (y) x satisfaction (x) plane on 0-10."""
    s = np.linspace(0.0, 10.0, 201)

    def band(low: float) -> np.ndarray:
        # opportunity = 2 I - S when I >= S, so opportunity >= o  <=>  I >= (o + S) / 2
        return np.clip((low + s) / 2.0, 0.0, 10.0)

    ax.fill_between(s, 0.0, s, color=_OVER, alpha=0.18, lw=0, zorder=0)
    ax.fill_between(s, band(10), band(12), color=_UNDER_LIGHT, alpha=0.12, lw=0, zorder=0)
    ax.fill_between(s, band(12), band(15), color=_UNDER_LIGHT, alpha=0.30, lw=0, zorder=0)
    ax.fill_between(
        s, band(15), 10.0, where=band(15) < 10.0, color=_UNDER_DARK, alpha=0.30, lw=0, zorder=0
    )
    ax.plot([0, 10], [0, 10], color="#7F7F7F", lw=0.8, ls="--", zorder=1)


def plot_opportunity_landscape(
    scores: pd.DataFrame,
    *,
    label: str = "outcome_id",
    max_labels: int | None = 10,
    show_ci: bool = False,
    title: str | None = None,
    legend: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Opportunity landscape: importance against satisfaction, with the ODI regions shaded.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`jtbd_methods.opportunity.opportunity_scores` for one group (one row
        per outcome). Suppressed rows are not drawn.
    label : str, default "outcome_id"
        Column whose values label the points.
    max_labels : int or None, default 10
        Label at most this many points, those with the highest opportunity (or, without an
        ``opportunity`` column, the highest importance); ``None`` considers every point. A
        label that would overlap one already drawn is left out.
    show_ci : bool, default False
        Draw the bootstrap intervals of importance and satisfaction as error bars.
    title : str, optional
        Overrides the default title.
    legend : bool, default True
        Show the legend of the shaded regions.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If columns are missing or ``label`` values repeat (filter grouped scores first).

    Notes
    -----
    Satisfaction is on x and importance on y, both 0-10 (share of top-two-box answers x 10),
    as in Ulwick's opportunity landscape. Because opportunity = 2 x importance - satisfaction
    above the diagonal, the lines of equal opportunity 10, 12 and 15 are straight:
    importance = (opportunity + satisfaction) / 2. Below the diagonal outcomes are
    overserved.

    Examples
    --------
    >>> scores = pd.DataFrame({"outcome_id": ["a", "b"], "importance": [8.0, 3.0],
    ...     "satisfaction": [2.0, 6.0], "opportunity": [14.0, 3.0], "suppressed": [False, False]})
    >>> ax = plot_opportunity_landscape(scores)
    >>> ax.get_xlabel()
    'Satisfaction (0-10: share satisfied x 10)'
    >>> plt.close(ax.figure)
    """
    caller = "plot_opportunity_landscape()"
    require_columns(scores, [label, "importance", "satisfaction"], name="scores", caller=caller)
    shown = scores
    if "suppressed" in scores.columns:
        shown = scores[~scores["suppressed"].astype(bool)]
    shown = shown[shown["importance"].notna() & shown["satisfaction"].notna()]
    if shown[label].duplicated().any():
        raise ValueError(
            f"{caller}: the '{label}' column repeats values; pass the scores of one group "
            "(e.g. filter a by-segment table to one segment)."
        )
    ax = new_axes(ax, figsize=(7.0, 7.5))
    _shade_regions(ax)
    x = shown["satisfaction"].to_numpy(dtype=float)
    y = shown["importance"].to_numpy(dtype=float)
    if show_ci and {"importance_ci_low", "satisfaction_ci_low"} <= set(shown.columns):
        xerr = np.vstack(
            [
                x - shown["satisfaction_ci_low"].to_numpy(dtype=float),
                shown["satisfaction_ci_high"].to_numpy(dtype=float) - x,
            ]
        )
        yerr = np.vstack(
            [
                y - shown["importance_ci_low"].to_numpy(dtype=float),
                shown["importance_ci_high"].to_numpy(dtype=float) - y,
            ]
        )
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="none", ecolor="#7F7F7F", lw=0.8, zorder=2)
    ax.scatter(x, y, s=36, color=IMPROVEMENT, edgecolor="white", lw=0.6, zorder=3)
    if max_labels is not None:
        max_labels = check_int(max_labels, parameter="max_labels", caller=caller, minimum=0)
    order_by = shown["opportunity"] if "opportunity" in shown.columns else shown["importance"]
    ranked = np.argsort(-order_by.to_numpy(dtype=float), kind="stable")
    keep = ranked if max_labels is None else ranked[:max_labels]
    texts = shown[label].astype(str).to_numpy()
    placed: list[tuple[float, float]] = []  # label anchors in data units
    for i in keep:
        # above the point, else below it; skip a label that would sit on top of one already
        # drawn (the table lists every outcome)
        for dy in (0.12, -0.42):
            spot = (x[i] + 0.08, y[i] + dy)
            if not any(abs(spot[0] - px) < 1.8 and abs(spot[1] - py) < 0.3 for px, py in placed):
                placed.append(spot)
                ax.annotate(
                    texts[i], (x[i], y[i]), xytext=spot, textcoords="data", fontsize=8, zorder=4
                )
                break
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.set_xlabel("Satisfaction (0-10: share satisfied x 10)")
    ax.set_ylabel("Importance (0-10: share rating it important x 10)")
    ax.set_title(title or "Opportunity landscape: orange bands are underserved")
    if legend:
        ax.legend(
            handles=_region_handles(),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=2,
            fontsize="small",
            frameon=False,
        )
    return ax


def _selection_table(data: Any) -> pd.DataFrame:
    selection = getattr(data, "selection", data)
    require_dataframe(selection, parameter="segmentation", caller="plot_k_selection()")
    return selection


def plot_k_selection(segmentation: Any, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Fit criterion and bootstrap stability against the number of segments k.

    Parameters
    ----------
    segmentation : Segmentation or pandas.DataFrame
        A :class:`~jtbd_methods.segmentation.Segmentation`, or its ``selection`` table.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes of the criterion; stability is drawn on a twin Axes sharing its x axis.

    Raises
    ------
    ValueError
        If the table has neither a ``silhouette`` nor a ``bic`` column.
    """
    selection = _selection_table(segmentation)
    criterion = next((c for c in ("silhouette", "bic") if c in selection.columns), None)
    if criterion is None:
        raise ValueError(
            "plot_k_selection(): the selection table needs a 'silhouette' or a 'bic' column."
        )
    require_columns(
        selection,
        ["k", "stability_ari", "chosen"],
        name="segmentation",
        caller="plot_k_selection()",
    )
    ax = new_axes(ax, figsize=(8.0, 4.5))
    k = selection["k"].to_numpy(dtype=int)
    ax.plot(
        k,
        selection[criterion].to_numpy(dtype=float),
        marker="o",
        color=IMPROVEMENT,
        label="mean silhouette width (higher is better)"
        if criterion == "silhouette"
        else "BIC (lower is better)",
    )
    ax.set_xlabel("Number of segments k")
    ax.set_ylabel("Mean silhouette width" if criterion == "silhouette" else "BIC")
    ax.set_xticks(k)
    twin = ax.twinx()
    stab = selection["stability_ari"].to_numpy(dtype=float)
    twin.plot(k, stab, marker="s", color=CONCERN, ls="--", label="bootstrap stability (mean ARI)")
    if {"stability_ari_low", "stability_ari_high"} <= set(selection.columns):
        twin.fill_between(
            k,
            selection["stability_ari_low"].to_numpy(dtype=float),
            selection["stability_ari_high"].to_numpy(dtype=float),
            color=CONCERN,
            alpha=0.15,
            lw=0,
        )
    twin.set_ylim(min(0.0, float(np.nanmin(stab)) if np.isfinite(stab).any() else 0.0), 1.05)
    twin.set_ylabel("Stability (adjusted Rand index, 0-1)")
    twin.grid(False)
    chosen = selection.loc[selection["chosen"].astype(bool), "k"]
    if len(chosen):
        kc = int(chosen.iloc[0])
        ax.axvline(kc, color="#7F7F7F", lw=1, ls=":")
        title = f"Choice of k: {kc} segments balance fit and stability"
    else:
        title = "Choice of k: fit and stability by number of segments"
    ax.set_title(title)
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="best", fontsize="small")
    return ax


def _segment_labels(segmentation: Any, width: int = 22) -> dict[int, str]:
    names = dict(getattr(segmentation, "names", {}))
    return {
        s: textwrap.shorten(f"{s}: {names.get(s, '')}".rstrip(": "), width=width, placeholder="...")
        for s in range(1, int(segmentation.k) + 1)
    }


def _item_words(item: str) -> str:
    """``imp_return_to_work_time`` -> "importance: return to work time"."""
    for prefix, word in (("imp_", "importance"), ("sat_", "satisfaction")):
        if item.startswith(prefix):
            return f"{word}: {item[len(prefix) :].replace('_', ' ')}"
    return item.replace("_", " ")


def plot_segment_profiles(
    segmentation: Any,
    *,
    value: str = "difference",
    top: int | None = 12,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heatmap of each segment's answers: items (rows) by segments (columns).

    Parameters
    ----------
    segmentation : Segmentation
        Result of :func:`jtbd_methods.segmentation.segment`.
    value : {"difference", "mean"}, default "difference"
        ``"difference"``: segment mean minus the overall mean (1-5 scale points), diverging
        colours; ``"mean"``: the segment mean answer (1-5). Suppressed (small) segments are
        blank.
    top : int or None, default 12
        Show only the items that separate the segments most: the largest spread (max minus
        min) of the segments' differences from the overall mean; None shows every item.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``value`` is not one of the allowed values or ``top`` is below 1.

    Notes
    -----
    Items are named in words (``imp_return_to_work_time`` reads "importance: return to work
    time"), kept in the survey's order, and annotated with one decimal; a value that rounds
    to zero is shown as 0.0, never -0.0.
    """
    value = one_of(
        value, ("difference", "mean"), parameter="value", caller="plot_segment_profiles()"
    )
    profiles = segmentation.profiles
    wide = profiles.pivot(index="item", columns="segment", values=value)
    wide = wide.loc[pd.unique(profiles["item"])]  # keep the survey's item order
    wide = wide.rename(columns=_segment_labels(segmentation)).astype(float)
    if top is not None:
        wide = wide.loc[separating_items(profiles, top=top, caller="plot_segment_profiles()")]
    wide = wide + 0.0  # no negative zeros
    wide.index = [_item_words(str(i)) for i in wide.index]
    annotations = wide.map(
        lambda v: "" if not np.isfinite(v) else f"{v:.1f}".replace("-0.0", "0.0")
    )
    ax = new_axes(ax, figsize=(1.6 * wide.shape[1] + 3.0, 0.32 * wide.shape[0] + 1.8))
    if value == "difference":
        limit = float(np.nanmax(np.abs(wide.to_numpy()))) if np.isfinite(wide).any().any() else 1
        sns.heatmap(
            wide,
            ax=ax,
            cmap="RdBu_r",
            center=0,
            vmin=-limit,
            vmax=limit,
            annot=annotations.to_numpy(),
            fmt="",
            annot_kws={"fontsize": 7},
            cbar_kws={"label": "Segment mean minus overall mean (scale points)"},
        )
        title = "What sets the segments apart: red is rated higher than average"
    else:
        sns.heatmap(
            wide,
            ax=ax,
            cmap="cividis",
            vmin=1,
            vmax=5,
            annot=annotations.to_numpy(),
            fmt="",
            annot_kws={"fontsize": 7},
            cbar_kws={"label": "Mean answer (1-5)"},
        )
        title = "Segment profiles: mean answer to each item"
    ax.set_title(title)
    ax.grid(False)
    ax.set_xlabel("Segment")
    ax.set_ylabel("Survey item" + (f" (the {len(wide)} that differ most)" if top else ""))
    ax.tick_params(axis="x", labelrotation=0, labelsize=8)
    ax.tick_params(axis="y", labelsize=8)
    return ax


def plot_segments_vs(
    result: Any, *, normalize: str = "row", ax: plt.Axes | None = None
) -> plt.Axes:
    """Heatmap of a segment x other-grouping cross-table (e.g. segment x diagnosis).

    Parameters
    ----------
    result : CrossTabResult
        Result of :func:`jtbd_methods.segmentation.segments_vs`.
    normalize : {"row", "column"}, default "row"
        ``"row"``: percentage of each segment in each category; ``"column"``: percentage of
        each category in each segment.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Suppressed cells (small counts) are hatched and marked ``*``, never shown as 0.

    Raises
    ------
    ValueError
        If ``normalize`` is not one of the allowed values.
    """
    normalize = one_of(
        normalize, ("row", "column"), parameter="normalize", caller="plot_segments_vs()"
    )
    table = result.display_table(normalize=normalize, margins=False)
    values = table.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    annot = np.where(
        np.isnan(values), "*", np.vectorize(lambda v: f"{v:.0f}%")(np.nan_to_num(values))
    )
    frame = pd.DataFrame(
        values, index=[str(i) for i in table.index], columns=[str(c) for c in table.columns]
    )
    ax = new_axes(ax, figsize=(1.2 * frame.shape[1] + 3.0, 0.5 * frame.shape[0] + 2.0))
    ax.set_facecolor("#FFFFFF")
    sns.heatmap(
        frame,
        ax=ax,
        cmap="cividis",
        vmin=0,
        vmax=100,
        annot=annot,
        fmt="",
        annot_kws={"fontsize": 8},
        cbar_kws={
            "label": "Percent of " + (result.row_name if normalize == "row" else result.column_name)
        },
    )
    for (i, j), missing in np.ndenumerate(np.isnan(values)):
        if missing:
            ax.add_patch(
                plt.Rectangle((j, i), 1, 1, fill=False, hatch="///", edgecolor="#7F7F7F", lw=0)
            )
    ax.set_xlabel(result.column_name.replace("_", " "))
    ax.set_ylabel(result.row_name.replace("_", " "))
    ax.set_title(
        f"{result.row_name.replace('_', ' ').capitalize()} mix by "
        f"{result.column_name.replace('_', ' ')}: alike rows = little association\n"
        f"(Cramér's V = {result.cramers_v:.2f}; hatched cells hidden, too few respondents)"
    )
    ax.grid(False)
    ax.tick_params(axis="y", labelrotation=0)
    return ax


def plot_segment_landscapes(
    segmentation: Any,
    *,
    label: str = "outcome_id",
    max_labels: int | None = 6,
    ncols: int = 2,
) -> plt.Figure:
    """One opportunity landscape per segment (figure-level: one panel per segment).

    Parameters
    ----------
    segmentation : Segmentation
        Result of :func:`jtbd_methods.segmentation.segment`.
    label : str, default "outcome_id"
        Column of ``segmentation.opportunities`` that labels the points.
    max_labels : int or None, default 6
        Points labelled per panel (highest opportunity first); ``None`` labels all.
    ncols : int, default 2
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        Suppressed (small) segments get an empty panel with a note.

    Raises
    ------
    TypeError, ValueError
        If ``ncols`` is not a positive integer.
    """
    ncols = check_int(ncols, parameter="ncols", caller="plot_segment_landscapes()", minimum=1)
    k = int(segmentation.k)
    ncols = min(ncols, k)
    nrows = int(np.ceil(k / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5.2 * ncols, 5.0 * nrows + 0.8), squeeze=False, layout="constrained"
    )
    names = dict(getattr(segmentation, "names", {}))
    labels = {
        s: textwrap.fill(f"{s}: {names.get(s, '')}".rstrip(": "), width=36) for s in range(1, k + 1)
    }
    scores = segmentation.opportunities
    for seg, ax in zip(range(1, k + 1), axes.ravel(), strict=False):
        part = scores[scores["segment"] == seg]
        if part["suppressed"].all():
            ax.text(
                0.5,
                0.5,
                "Too few respondents to show",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_axis_off()
            ax.set_title(labels[seg], fontsize="medium")
            continue
        plot_opportunity_landscape(
            part, label=label, max_labels=max_labels, title=labels[seg], legend=False, ax=ax
        )
        ax.title.set_fontsize("medium")
    for ax in axes.ravel()[k:]:
        ax.set_axis_off()
    fig.legend(
        handles=_region_handles(),
        loc="outside lower center",
        ncols=2,
        fontsize="small",
        frameon=False,
        title="Regions (opportunity)",
    )
    fig.suptitle("Each segment's underserved outcomes (orange bands) differ", fontweight="bold")
    return fig
