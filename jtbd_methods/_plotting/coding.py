"""Figures of job discovery: job frequencies, the Pareto of disrupted jobs, jobs by group and
the quality of a coder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from jtbd_methods._plotting import plain
from jtbd_methods._validation import check_int, one_of, require_columns, require_dataframe

__all__ = ["plot_coder_quality", "plot_disrupted_pareto", "plot_job_shares", "plot_jobs_by_group"]


def _names(
    job_ids: pd.Series, labels: Mapping[str, str] | None, width: int | None = None
) -> list[str]:
    import textwrap

    labels = labels or {}
    names = [plain(labels.get(j, j)) for j in job_ids]
    return names if width is None else [textwrap.fill(n, width) for n in names]


def _float(values: pd.Series) -> np.ndarray:
    return (
        pd.to_numeric(values, errors="coerce")
        .astype("Float64")
        .to_numpy(dtype=float, na_value=np.nan)
    )


def plot_job_shares(
    shares: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Horizontal bars of the share of comments mentioning each job, with Wilson intervals.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`jtbd_methods.coding.job_shares` without ``by`` (``job_id``,
        ``share``, ``ci_low``, ``ci_high`` as fractions, ``n_disrupted``, ``n_mentioned``).
    labels : mapping of str to str, optional
        Job id -> label shown on the axis (e.g. ``codebook.labels()``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Each bar is split into the comments where the job was disrupted (orange) and fulfilled
    (blue); the black whisker is the 95% (or chosen) Wilson interval of the total share.
    Jobs are sorted, most mentioned at the top.
    """
    from jtbd_methods._plotting.theme import CONCERN, IMPROVEMENT, new_axes

    caller = "plot_job_shares"
    require_columns(
        shares,
        ["job_id", "share", "ci_low", "ci_high", "n_mentioned", "n_disrupted"],
        name="shares",
        caller=caller,
    )
    data = shares.sort_values(["share", "job_id"], ascending=[True, False], kind="stable")
    share = 100 * _float(data["share"])
    mentioned = _float(data["n_mentioned"])
    with np.errstate(invalid="ignore", divide="ignore"):
        disrupted = share * np.where(mentioned > 0, _float(data["n_disrupted"]) / mentioned, 0)
    ax = new_axes(ax, figsize=(8, 0.45 * len(data) + 1.5))
    y = np.arange(len(data))
    ax.barh(y, disrupted, color=CONCERN, label="disrupted")
    ax.barh(y, share - disrupted, left=disrupted, color=IMPROVEMENT, label="fulfilled")
    low, high = 100 * _float(data["ci_low"]), 100 * _float(data["ci_high"])
    ax.errorbar(
        share,
        y,
        xerr=[share - low, high - share],
        fmt="none",
        ecolor="black",
        elinewidth=1,
        capsize=3,
        label="95% interval",
    )
    ax.set_yticks(y, _names(data["job_id"], labels))
    ax.set_xlim(left=0)
    ax.set_title("Which jobs do patients write about?")
    ax.set_xlabel("Comments mentioning the job (% of all comments)")
    ax.set_ylabel("Job")
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    return ax


def plot_disrupted_pareto(
    shares: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Pareto chart of disrupted jobs: bars of counts, largest first, and the cumulative share.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`jtbd_methods.coding.job_shares` without ``by`` (``job_id``,
        ``n_disrupted``).
    labels : mapping of str to str, optional
        Job id -> label shown on the axis.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Horizontal bars, largest at the top, so long job names stay readable. Each bar is labelled
    with its count and the cumulative share of disrupted (comment, job) codes; the dotted
    line separates the few jobs that account for 80% of disruptions (Juran's "vital few").

    Examples
    --------
    >>> shares = pd.DataFrame({"job_id": ["a", "b", "c"], "n_disrupted": [50, 30, 20]})
    >>> ax = plot_disrupted_pareto(shares)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b', 'c']
    >>> plt.close(ax.figure)
    """
    from jtbd_methods._plotting.theme import CONCERN, NEUTRAL, new_axes

    caller = "plot_disrupted_pareto"
    require_columns(shares, ["job_id", "n_disrupted"], name="shares", caller=caller)
    data = shares.assign(_n=_float(shares["n_disrupted"])).sort_values(
        ["_n", "job_id"], ascending=[False, True], kind="stable"
    )
    counts = np.nan_to_num(data["_n"].to_numpy(dtype=float))
    total = counts.sum()
    cumulative = 100 * np.cumsum(counts) / total if total > 0 else np.zeros_like(counts)
    ax = new_axes(ax, figsize=(9, 0.45 * len(data) + 1.6))
    y = np.arange(len(data))
    ax.barh(y, counts, color=CONCERN)
    ax.set_yticks(y, _names(data["job_id"], labels, width=40), fontsize="small")
    ax.invert_yaxis()  # most often disrupted at the top
    ax.set_xlabel("Disrupted comments (count)")
    ax.set_ylabel("Job (most often disrupted first)")
    ax.set_title("Which disrupted jobs account for most complaints?")
    ax.set_xlim(0, max(float(counts.max()), 1.0) * 1.28 if len(counts) else 1.0)
    vital = int(np.searchsorted(cumulative, 80.0) + 1) if total > 0 else 0
    for yi, (c, cum) in enumerate(zip(counts, cumulative, strict=True)):
        ax.text(
            c,
            yi,
            f"  {c:,.0f} · {cum:.0f}% cumulative",
            va="center",
            ha="left",
            fontsize="small",
            color="black" if yi < vital else NEUTRAL,
        )
    if 0 < vital < len(data):
        ax.axhline(vital - 0.5, color=NEUTRAL, ls=":", lw=1)
        ax.text(
            ax.get_xlim()[1],
            vital - 0.5,
            f"above: {vital} job{'s' if vital != 1 else ''}, 80% of disruptions ",
            ha="right",
            va="bottom",
            fontsize="small",
            color=NEUTRAL,
        )
    ax.grid(axis="y", visible=False)
    return ax


def plot_jobs_by_group(
    table: pd.DataFrame,
    *,
    by: str,
    value: str = "share",
    labels: Mapping[str, str] | None = None,
    max_groups: int = 30,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heat map of a job statistic by group (site, service), suppressed cells marked.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`jtbd_methods.coding.job_shares` with ``by``, usually passed through
        ``privacy.suppress_small`` (its ``suppressed`` column marks hidden cells).
    by : str
        The group column.
    value : {"share", "disrupted_share"}, default "share"
        Statistic shown (fractions in the table, percent in the figure).
    labels : mapping of str to str, optional
        Job id -> label shown on the axis.
    max_groups : int, default 30
        Most groups drawn: those with the most comments (column ``n``, else mentions); the
        title says how many of how many are shown. A real export can have hundreds of teams,
        which no reader can compare in one figure (the table keeps them all).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Suppressed cells (too few comments to show) are grey and hatched, marked ``*``; they are
    never drawn as zero.
    """
    from jtbd_methods._plotting.theme import new_axes

    caller = "plot_jobs_by_group"
    require_dataframe(table, parameter="table", caller=caller)
    one_of(value, ("share", "disrupted_share"), parameter="value", caller=caller)
    require_columns(table, [by, "job_id", value], name="table", caller=caller)
    frame = table.assign(
        _v=100 * _float(table[value]),
        _g=table[by].astype(object).where(table[by].notna(), "(missing)").astype(str),
    )
    if "suppressed" in table.columns:
        frame.loc[frame["suppressed"].fillna(False).astype(bool).to_numpy(), "_v"] = np.nan
    max_groups = check_int(max_groups, parameter="max_groups", caller=caller, minimum=1)
    jobs = list(dict.fromkeys(frame["job_id"].astype(str)))
    groups = sorted(dict.fromkeys(frame["_g"]))
    n_groups = len(groups)
    if n_groups > max_groups:
        size = frame.groupby("_g")["n" if "n" in frame.columns else "n_mentioned"]
        largest = (size.max() if "n" in frame.columns else size.sum()).sort_values(
            ascending=False, kind="stable"
        )
        groups = sorted(largest.index[:max_groups])
        frame = frame[frame["_g"].isin(groups)]
    grid = frame.pivot_table(
        index="job_id", columns="_g", values="_v", aggfunc="first", dropna=False
    ).reindex(index=jobs, columns=groups)
    values = grid.to_numpy(dtype=float)
    ax = new_axes(ax, figsize=(1.1 * len(groups) + 4, 0.45 * len(jobs) + 1.8))
    cmap = plt.get_cmap("Blues" if value == "share" else "Oranges").with_extremes(bad="#DDDDDD")
    image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap=cmap, vmin=0)
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    for (i, j), v in np.ndenumerate(values):
        if np.isnan(v):
            ax.add_patch(
                plt.Rectangle(
                    (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#999999", lw=0
                )
            )
            ax.text(j, i, "*", ha="center", va="center", color="#555555")
        else:
            ax.text(
                j,
                i,
                f"{v:.0f}",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if v > 0.6 * top else "black",
            )
    ax.set_xticks(np.arange(len(groups)), [plain(g) for g in groups], rotation=30, ha="right")
    ax.set_yticks(np.arange(len(jobs)), _names(pd.Series(jobs), labels))
    ax.grid(False)
    what = "mentioning each job" if value == "share" else "disrupted, of the job's mentions"
    ax.set_title(f"Jobs by {by.replace('_', ' ')}: % {what}")
    if n_groups > len(groups):
        ax.set_title(
            f"the {len(groups)} of {n_groups} {by.replace('_', ' ')}s with most comments",
            loc="right",
            fontsize="small",
        )
    ax.set_xlabel(plain(by.replace("_", " ").capitalize()))
    ax.set_ylabel("Job")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04)
    bar.set_label(
        ("Share of comments (%)" if value == "share" else "Share of the job's comments (%)")
        + "; * suppressed"
    )
    return ax


def plot_coder_quality(
    evaluation: Any,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Per-label precision, recall and F1 of a coder (deductive or supervised).

    Parameters
    ----------
    evaluation : CoderEvaluation
        From :func:`jtbd_methods.coding.evaluate_codes`,
        :func:`~jtbd_methods.coding.evaluate_coder_file` or ``TextCoder.cross_validate``.
    labels : mapping of str to str, optional
        Label -> name shown on the axis.
    title : str, optional
        Figure title (default says what to look for).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Bars are F1 (0-1), markers precision and recall; labels flagged rare (too few examples
    for a stable estimate) are marked with ``(rare)``. The dashed line is the macro-F1.
    """
    from jtbd_methods._plotting.theme import CONCERN, IMPROVEMENT, NEUTRAL, new_axes

    per = getattr(evaluation, "per_label", None)
    if not isinstance(per, pd.DataFrame):
        raise TypeError(
            "The 'evaluation' parameter of plot_coder_quality must be a "
            f"CoderEvaluation; got {type(evaluation).__name__}."
        )
    data = per.sort_values(
        ["f1", "label"], ascending=[True, False], na_position="first", kind="stable"
    )
    y = np.arange(len(data))
    ax = new_axes(ax, figsize=(8, 0.4 * len(data) + 1.5))
    ax.barh(y, _float(data["f1"]), color=NEUTRAL, alpha=0.6, label="F1")
    ax.plot(_float(data["precision"]), y, "o", color=IMPROVEMENT, label="precision")
    ax.plot(_float(data["recall"]), y, "D", color=CONCERN, ms=5, label="recall")
    ax.axvline(
        evaluation.macro_f1,
        color="black",
        ls="--",
        lw=1,
        label=f"macro-F1 {evaluation.macro_f1:.2f}",
    )
    names = [
        f"{n} (rare)" if r else n
        for n, r in zip(_names(data["label"], labels), data["rare"], strict=True)
    ]
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("Score (0-1, higher is better)")
    ax.set_ylabel("Label")
    ax.set_title(title or "Where does the coder miss or over-code?")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return ax
