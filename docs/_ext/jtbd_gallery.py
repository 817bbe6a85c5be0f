"""Sphinx extension: draw the gallery of the sample study's figures at build time.

The figures are drawn by the package's own plot functions on the committed sample study
(``data/samples/recovery_study``; generated with ``jtbd sample-study`` when absent), saved as
small PNGs in ``docs/gallery/_generated/`` (not committed) and listed in
``docs/gallery/_generated/figures.rst``, which ``gallery.rst`` includes.
"""

from __future__ import annotations

import logging
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parents[1]
OUT = HERE / "gallery" / "_generated"


def _figures() -> list[tuple[str, str, str, Callable[[Any, Any], Any]]]:
    """(file stem, title, how to read it, draw(study, ax)) for each gallery figure."""
    from jtbd_methods import (
        coding,
        opportunity,
        overview,
        plots,
        recovery,
        segmentation,
        tracking,
        workforce,
    )

    def responses(study, ax):
        counts = overview.responses_by_period(study.feedback, by="site", period="month")
        return plots.plot_responses_over_time(counts, by="site", ax=ax)

    def ratings(study, ax):
        return plots.plot_rating_distribution(overview.rating_distribution(study.feedback), ax=ax)

    def _shares(study):
        codes = coding.code_comments(study.feedback, study.codebook)
        return coding.job_shares(codes, study.feedback, job_ids=study.codebook)

    def job_shares(study, ax):
        return plots.plot_job_shares(_shares(study), labels=study.codebook.labels(), ax=ax)

    def pareto(study, ax):
        return plots.plot_disrupted_pareto(_shares(study), labels=study.codebook.labels(), ax=ax)

    def landscape(study, ax):
        baseline = segmentation.first_responses(study.survey)
        scores = opportunity.opportunity_scores(baseline, outcomes=study.codebook)
        return plots.plot_opportunity_landscape(scores, ax=ax)

    def rates(study, ax):
        overall = tracking.rates(study.feedback, freq="MS")
        return plots.plot_rates(overall, actions=study.actions, ax=ax)

    def spc(study, ax):
        overall = tracking.rates(study.feedback, freq="MS")
        chart = tracking.spc(overall, value="positive_share", n="n", chart="p")
        return plots.plot_spc(chart, actions=study.actions, ax=ax)

    def priorities(study, ax):
        codes = coding.code_comments(study.feedback, study.codebook, rating=None)
        matrix = recovery.priority_matrix(
            study.feedback,
            codes,
            jobs=list(study.codebook.job_ids),
            labels=study.codebook.labels(),
            method="delta",
        )
        return plots.plot_priority_matrix(matrix, ax=ax)

    def engagement(study, ax):
        data = workforce.unit_period_measures(study.feedback, study.staff, lag=0)
        model = workforce.engagement_model(data, method="mixedlm", min_n=study.min_cell_size)
        return plots.plot_engagement_px(model, kind="within", ax=ax)

    return [
        (
            "responses_over_time",
            "Comments over time by site",
            "Monthly count of comments per site (notebook 00). Read it first: a dip in a month "
            "or a site with few comments makes every later share of that month or site uncertain.",
            responses,
        ),
        (
            "rating_distribution",
            "Ratings",
            "Share of comments with each rating, and of comments without one (notebook 00). "
            "Text-only exports show a large 'missing' bar: rating-based methods then use fewer "
            "comments.",
            ratings,
        ),
        (
            "job_shares",
            "Jobs mentioned in the comments",
            "Share of all comments that mention each job, split into disrupted and fulfilled, "
            "with 95% Wilson intervals (notebook 01). Overlapping intervals mean the order of "
            "two jobs is not established.",
            job_shares,
        ),
        (
            "disrupted_pareto",
            "Disrupted jobs, largest first",
            "Pareto chart of disrupted mentions with the cumulative share (notebook 01): the few "
            "jobs on the left carry most of the disruption.",
            pareto,
        ),
        (
            "opportunity_landscape",
            "Opportunity landscape",
            "Importance against satisfaction of each desired outcome (notebook 02). Outcomes in "
            "the orange bands at the upper left are important and poorly served: the "
            "opportunities. The blue area below the diagonal is over-served.",
            landscape,
        ),
        (
            "rates",
            "Positive share over time",
            "Share of positive ratings per month with 95% intervals; vertical lines mark when "
            "actions started (notebook 03).",
            rates,
        ),
        (
            "spc",
            "Control chart",
            "p-chart of the positive share (notebook 03). Points outside the limits or runs of "
            "points on one side of the centre line are signals; the colour says improvement or "
            "concern. Everything else is common-cause variation: do not react to it.",
            spc,
        ),
        (
            "priority_matrix",
            "Service-recovery priorities",
            "How often each job is disrupted (x) against how much a disruption lowers the rating "
            "(y), notebook 04. Jobs in the upper right lose the most rating points per 100 "
            "comments.",
            priorities,
        ),
        (
            "engagement_px",
            "Staff engagement and patient experience",
            "Within-unit association: months in which a unit's staff engagement was above its own "
            "average against its patients' positive share (notebook 05). An association, not a "
            "proof of cause.",
            engagement,
        ),
    ]


def _study() -> Any:
    from jtbd_methods import load_study
    from jtbd_methods.resources import checkout_sample_study

    folder = checkout_sample_study()
    if folder is None:
        from jtbd_methods.samples import write_sample_study

        folder = write_sample_study(Path(tempfile.mkdtemp(prefix="jtbd-docs-")) / "s", seed=2026)
    return load_study(folder)


def build_gallery(app: Any = None) -> None:
    """Draw every figure into ``docs/gallery/_generated`` and write ``figures.rst``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    OUT.mkdir(parents=True, exist_ok=True)
    plots.set_theme()
    study = _study()
    lines = []
    for stem, title, reading, draw in _figures():
        fig, ax = plt.subplots(figsize=(8, 4.5))
        draw(study, ax)
        fig.savefig(OUT / f"{stem}.png", dpi=72, bbox_inches="tight")
        plt.close(fig)
        lines += [
            title,
            "-" * len(title),
            "",
            f".. figure:: /gallery/_generated/{stem}.png",
            f"   :alt: {title} (sample study)",
            "   :width: 100%",
            "",
            textwrap.indent(textwrap.fill(reading, 90), "   "),
            "",
        ]
    (OUT / "figures.rst").write_text("\n".join(lines), encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", build_gallery)
    return {"parallel_read_safe": True, "version": "1"}
