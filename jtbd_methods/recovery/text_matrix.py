"""Priorities from the words alone, for studies whose comments carry no rating.

:func:`text_priorities` ranks jobs by how often comments show them disrupted and, as
severity, how much of a job's readable mentions are disruptions, each with a Wilson
interval [1]_; unclear mentions count as neither.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *JASA*, 22(158), 209-212.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    require_columns,
)
from jtbd_methods.recovery.impact import (
    _indicator_table,
)
from jtbd_methods.recovery.quadrants import TEXT_QUADRANTS, _assign_quadrants

__all__ = ["text_priorities"]

logger = logging.getLogger(__name__)


@renamed_keywords(id="id_column")
def text_priorities(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    id_column: str = "comment_id",
    job: str = "job_id",
    polarity: str = "polarity",
    jobs: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    share_cutoff: float | None = None,
    severity_cutoff: float | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Rank disrupted jobs from the words alone, for studies whose comments have no rating.

    Parameters
    ----------
    feedback, codes, id_column, job, polarity, jobs
        As in :func:`priority_matrix`; ``feedback`` needs only the id column.
    labels : mapping of str to str, optional
        Job id -> label for a ``label`` column.
    share_cutoff, severity_cutoff : float, optional
        Cut-offs (fractions) between low and high frequency and severity; default the
        medians over the jobs mentioned at least once.
    ci : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per job, most disrupted first: ``rank`` (Int64), ``job_id``, ``label``,
        ``n`` (comments), ``n_mentioned``, ``n_disrupted``, ``disruption_share`` (share of
        all comments in which the job is disrupted) with ``share_ci_low``/``share_ci_high``,
        ``severity`` (share of the job's mentions that are disruptions) with
        ``severity_ci_low``/``severity_ci_high``, ``priority`` (disrupted comments per 100
        comments), ``frequency``, ``severity_level`` and ``quadrant`` (one of
        :data:`TEXT_QUADRANTS`). ``attrs`` hold the cut-offs and ``rated = False``.

    Raises
    ------
    TypeError, ValueError
        As :func:`priority_matrix`.

    Notes
    -----
    Without ratings there is no impact to estimate: the priority is how often a job is
    disrupted, and the second axis is how often it goes wrong when patients mention it.
    Only ``polarity == "disrupted"`` counts as a disruption; ``unclear`` codes count as
    mentions. The same counts as :func:`priority_matrix` (``n_disrupted``) and as the job
    discovery report, because both count comments with at least one disrupted code.

    Examples
    --------
    >>> feedback = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"]})
    >>> codes = pd.DataFrame({"comment_id": ["c1", "c2", "c3"], "job_id": ["a", "a", "b"],
    ...                       "polarity": ["disrupted", "unclear", "disrupted"]})
    >>> text_priorities(feedback, codes)[["rank", "job_id", "n_mentioned", "n_disrupted",
    ...                                   "severity"]]
       rank job_id  n_mentioned  n_disrupted  severity
    0     1      b            1            1       1.0
    1     1      a            2            1       0.5
    """
    caller = "text_priorities()"
    require_columns(feedback, [id_column], name="feedback", caller=caller)
    job_list, disrupted, _ = _indicator_table(
        feedback, codes, id_column=id_column, job=job, polarity=polarity, jobs=jobs, caller=caller
    )
    known = codes.loc[codes[id_column].isin(set(feedback[id_column]))]
    mentioned = known[[id_column, job]].drop_duplicates()
    mentioned = mentioned.assign(**{job: mentioned[job].astype(str)})
    n_mentioned = mentioned.groupby(job).size().reindex(job_list, fill_value=0)
    if jobs is None:
        job_list = sorted(set(job_list) | set(n_mentioned.index[n_mentioned > 0]))
        n_mentioned = mentioned.groupby(job).size().reindex(job_list, fill_value=0)
        disrupted = disrupted.reindex(columns=job_list, fill_value=0)
    n = len(feedback)
    n_dis = disrupted.sum(axis=0).reindex(job_list).to_numpy(int)
    n_men = n_mentioned.to_numpy(int)
    out = pd.DataFrame({"job_id": job_list, "n": n, "n_mentioned": n_men, "n_disrupted": n_dis})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["disruption_share"] = n_dis / n if n else np.nan
        out["severity"] = np.where(n_men > 0, n_dis / np.maximum(n_men, 1), np.nan)
    low, high = wilson_interval(n_dis, np.full(len(out), n), level=ci)
    out["share_ci_low"], out["share_ci_high"] = low, high
    low, high = wilson_interval(n_dis, n_men, level=ci)
    out["severity_ci_low"], out["severity_ci_high"] = low, high
    out["priority"] = 100 * out["disruption_share"]
    seen = out["n_mentioned"] > 0
    s_cut, v_cut = _assign_quadrants(
        out, seen, "severity", "severity_level", share_cutoff, severity_cutoff, TEXT_QUADRANTS
    )
    out["label"] = [(labels or {}).get(j, j) for j in out["job_id"]]
    out = out.sort_values(
        ["priority", "severity", "job_id"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    out["rank"] = pd.array(
        out["priority"].where(seen).rank(method="min", ascending=False), dtype="Int64"
    )
    cols = [
        "rank",
        "job_id",
        "label",
        "n",
        "n_mentioned",
        "n_disrupted",
        "disruption_share",
        "share_ci_low",
        "share_ci_high",
        "severity",
        "severity_ci_low",
        "severity_ci_high",
        "priority",
        "frequency",
        "severity_level",
        "quadrant",
    ]
    out = out[cols]
    out.attrs.update({"share_cutoff": s_cut, "severity_cutoff": v_cut, "rated": False})
    return out
