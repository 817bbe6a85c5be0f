"""Seeded synthetic comments for the benchmarks, written from the shipped codebook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jtbd_methods.codebook import Codebook

FILLER = (
    "the ward was busy and the food was cold",
    "parking took ages",
    "my appointment was on a tuesday",
    "thank you",
    "the nurse on the night shift",
    "after the operation",
    "at the clinic",
    "we waited in the corridor",
)
NEGATORS = ("not", "never", "nobody was")


def _surface(phrase: str, rng: np.random.Generator) -> str:
    """A phrase as a patient could write it: wildcards filled in with a word ending."""
    return phrase.replace("*", rng.choice(["", "ed", "ing", "s"]))


def make_comments(codebook: Codebook, n: int, *, seed: int = 0, max_jobs: int = 3) -> pd.DataFrame:
    """``n`` comments of 0-``max_jobs`` indicator phrases among filler clauses.

    Returns a feedback-shaped DataFrame (comment_id, received, site, service, rating,
    comment) and, in ``attrs["jobs"]``, the list of job sets planted in each comment.
    """
    rng = np.random.default_rng(seed)
    phrases = [(job.id, ind.phrase) for job in codebook.jobs for ind in job.indicators]
    n_jobs = rng.integers(0, max_jobs + 1, size=n)
    picks = rng.integers(0, len(phrases), size=int(n_jobs.sum()))
    filler = rng.integers(0, len(FILLER), size=(n, 2))
    negate = rng.random(int(n_jobs.sum())) < 0.15
    comments = []
    k = 0
    for i in range(n):
        parts = [FILLER[filler[i, 0]]]
        for _ in range(n_jobs[i]):
            _, phrase = phrases[picks[k]]
            text = _surface(phrase, rng)
            parts.append(f"{NEGATORS[k % 3]} {text}" if negate[k] else text)
            k += 1
        parts.append(FILLER[filler[i, 1]])
        comments.append(". ".join(parts).capitalize() + ".")
    start = np.datetime64("2024-01-01")
    return pd.DataFrame(
        {
            "comment_id": [f"C{i:08d}" for i in range(n)],
            "received": (start + rng.integers(0, 700, size=n).astype("timedelta64[D]")).astype(
                "datetime64[ns]"
            ),
            "site": rng.choice([f"Site {c}" for c in "ABCDEF"], size=n),
            "service": rng.choice(["Surgery", "Cardiology", "Oncology", "Orthopaedics"], size=n),
            "rating": pd.array(rng.integers(1, 6, size=n), dtype="Int64"),
            "comment": comments,
        }
    )
