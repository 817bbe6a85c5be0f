"""Readable default names of segments, after each segment's best outcome opportunity.

Each segment is named after its highest-opportunity outcome not already used by a larger
segment — the job's label when a codebook maps the outcome to a job ("Return to routines,
work and family"), else the outcome in words. Segments that share a job get their outcome
too, and identical names the segment number. They are suggestions a consultant overrides
with :meth:`~jtbd_methods.segmentation.Segmentation.rename`.

References
----------
.. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill (segments named after the
   outcomes they find underserved).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jtbd_methods.opportunity import outcome_ids_in

__all__: list[str] = []


def _suggest_names(opportunities: pd.DataFrame, k: int, codebook: Any) -> dict[int, str]:
    """Name each segment after its best, not yet used, opportunity (job label: outcome)."""
    labels: dict[str, str] = {}
    job_of: dict[str, str] = {}
    if codebook is not None:
        for job in getattr(codebook, "jobs", ()):
            labels[job.id] = job.label
        for out in getattr(codebook, "outcomes", ()):
            job_of[out.id] = out.job_id
    names: dict[int, str] = {}
    details: dict[int, str] = {}
    used: set[str] = set()
    for seg in range(1, k + 1):
        rows = opportunities[(opportunities["segment"] == seg) & ~opportunities["suppressed"]]
        rows = rows.sort_values("rank")
        choice = next((o for o in rows["outcome_id"].astype(str) if o not in used), None)
        if choice is None:
            names[seg] = f"Segment {seg}"
            continue
        used.add(choice)
        words = choice.replace("_", " ")
        job = job_of.get(choice)
        if job is None and "job_id" in rows and rows["job_id"].notna().any():
            match = rows.loc[rows["outcome_id"] == choice, "job_id"]
            job = None if match.isna().all() else str(match.iloc[0])
        label = labels.get(job) if job is not None else None
        details[seg] = words
        names[seg] = label if label else words[:1].upper() + words[1:]
    # A job's label alone reads best ("Return to routines, work and family"); when two
    # segments share a job, each gets its outcome too, and identical text its number.
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    for seg, name in list(names.items()):
        if counts[name] > 1 and seg in details and details[seg].lower() != name.lower():
            names[seg] = f"{name}: {details[seg]}"
    seen: dict[str, int] = {}
    for seg, name in names.items():
        if name in seen:
            names[seg] = f"{name} ({seg})"
        seen[name] = seg
    return names


def _codebook_outcomes(survey: pd.DataFrame, codebook: Any) -> Any:
    """Outcomes of the codebook that the survey has items for (None without a codebook)."""
    if codebook is None:
        return None
    present = set(outcome_ids_in(survey))
    chosen = [o for o in getattr(codebook, "outcomes", ()) if o.id in present]
    return chosen or None
