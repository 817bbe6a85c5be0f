"""Figures of inter-coder reliability and of inductive theme discovery."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from jtbd_methods._plotting.theme import CONCERN, IMPROVEMENT, new_axes
from jtbd_methods._validation import one_of, require_columns

__all__ = ["plot_agreement", "plot_theme_stability"]

_NAMES = {
    "alpha": "Krippendorff's alpha",
    "kappa": "Cohen's kappa",
    "agreement": "Percent agreement",
}


def plot_agreement(
    table: pd.DataFrame,
    *,
    statistic: str = "alpha",
    labels: Mapping[str, str] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Agreement of two coders per job, with confidence intervals, against Krippendorff's bars.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`jtbd_methods.reliability.agreement_table`.
    statistic : {"alpha", "kappa", "agreement"}, default "alpha"
        Which statistic to show (columns ``<statistic>``, ``<statistic>_ci_low``,
        ``<statistic>_ci_high``).
    labels : mapping of str to str, optional
        Display names of the jobs (e.g. ``codebook.labels()``); default the job ids.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``statistic`` is not allowed or ``table`` lacks its columns.

    Notes
    -----
    One row per job (the pooled ``all_jobs`` row last, in black); points are the
    estimates, lines the intervals; jobs with no estimate (no variation) are listed but
    left blank. For alpha and kappa, dashed lines mark Krippendorff's (2004) thresholds
    .667 (tentative conclusions) and .800 (reliable).

    Examples
    --------
    >>> from jtbd_methods.reliability import agreement_table
    >>> a = pd.DataFrame({"comment_id": list("abcdef"), "code_feel_heard": [1, 0, 1, 0, 1, 0]})
    >>> b = pd.DataFrame({"comment_id": list("abcdef"), "code_feel_heard": [1, 0, 0, 0, 1, 0]})
    >>> ax = plot_agreement(agreement_table(a, b, n_boot=100), statistic="kappa")
    >>> plt.close(ax.figure)
    """
    caller = "plot_agreement"
    one_of(statistic, tuple(_NAMES), parameter="statistic", caller=caller)
    cols = [statistic, f"{statistic}_ci_low", f"{statistic}_ci_high"]
    require_columns(table, ["job_id", *cols], name="table", caller=caller)
    labels = dict(labels or {})
    data = table.reset_index(drop=True)
    n = len(data)
    ax = new_axes(ax, figsize=(8, max(2.5, 0.45 * n + 1.2)))
    y = np.arange(n)[::-1]
    est = data[statistic].astype(float).to_numpy()
    low = data[cols[1]].astype(float).to_numpy()
    high = data[cols[2]].astype(float).to_numpy()
    pooled = (data["job_id"] == "all_jobs").to_numpy()
    for yi, e, lo, hi, p in zip(y, est, low, high, pooled, strict=True):
        colour = "#000000" if p else IMPROVEMENT
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [yi, yi], color=colour, lw=2, solid_capstyle="butt")
        if np.isfinite(e):
            ax.plot([e], [yi], "o", color=colour, ms=6)
    names = [
        ("All jobs (pooled)" if j == "all_jobs" else labels.get(j, str(j))) for j in data["job_id"]
    ]
    ax.set_yticks(y, names)
    if statistic != "agreement":
        for x, text in ((0.667, "tentative"), (0.800, "reliable")):
            ax.axvline(x, color=CONCERN, ls="--", lw=1)
            ax.annotate(
                text,
                (x, 1.0),
                xycoords=("data", "axes fraction"),
                ha="left",
                va="bottom",
                fontsize="small",
                color=CONCERN,
            )
        finite = np.concatenate([est, low])[np.isfinite(np.concatenate([est, low]))]
        left = min(0.0, float(finite.min()) - 0.05) if finite.size else 0.0
        ax.set_xlim(left, 1.02)
        ax.set_title(
            f"Do two coders agree on each job? {_NAMES[statistic]} with bootstrap "
            "intervals (right of .800 = reliable)"
        )
    else:
        ax.set_xlim(0, 1.02)
        ax.set_title("Do two coders agree on each job? Share of comments coded alike")
    ax.set_xlabel(f"{_NAMES[statistic]} (1 = perfect agreement)")
    ax.set_ylabel("Job")
    return ax


def plot_theme_stability(selection: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Stability of the discovered themes for each candidate number of themes.

    Parameters
    ----------
    selection : pandas.DataFrame
        ``ThemeDiscovery.selection`` (columns ``k``, ``stability``, ``stability_sd``,
        ``chosen``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``selection`` lacks a column.

    Notes
    -----
    The chosen number of themes (highest stability) is marked; error bars are one
    standard deviation over the restarts.

    Examples
    --------
    >>> selection = pd.DataFrame({"k": [3, 4, 5], "stability": [0.81, 0.97, 0.84],
    ...                           "stability_sd": [0.05, 0.01, 0.06],
    ...                           "chosen": [False, True, False]})
    >>> ax = plot_theme_stability(selection)
    >>> plt.close(ax.figure)
    """
    require_columns(
        selection,
        ["k", "stability", "stability_sd", "chosen"],
        name="selection",
        caller="plot_theme_stability",
    )
    ax = new_axes(ax, figsize=(7, 3.5))
    k = selection["k"].to_numpy()
    s = selection["stability"].astype(float).to_numpy()
    sd = selection["stability_sd"].astype(float).fillna(0).to_numpy()
    ax.errorbar(k, s, yerr=sd, marker="o", color=IMPROVEMENT, lw=1.5, capsize=3)
    chosen = selection[selection["chosen"].astype(bool)]
    if len(chosen):
        kc, sc = int(chosen["k"].iloc[0]), float(chosen["stability"].iloc[0])
        ax.plot([kc], [sc], "o", ms=12, mfc="none", mec=CONCERN, mew=2)
        ax.annotate(
            f"chosen: {kc} themes",
            (kc, sc),
            xytext=(8, -14),
            textcoords="offset points",
            color=CONCERN,
            fontsize="small",
        )
    ax.set_xticks(k)
    ax.set_ylim(min(0.5, float(np.nanmin(s - sd)) - 0.05) if len(s) else 0.5, 1.02)
    ax.set_title("How many themes? The most stable number is chosen")
    ax.set_xlabel("Number of themes (k)")
    ax.set_ylabel("Stability over refits (mean cosine, 0-1)")
    return ax
