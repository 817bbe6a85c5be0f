"""The headline figures of each report, recorded under stable ``results.json`` keys.

Notebooks record their headline figures through these helpers instead of writing keys inline,
so every key is defined once, here, next to the figure it holds, and :mod:`jtbd_methods.findings`
(which turns them into sentences) and scripts reading ``results.json`` can rely on them. Each
helper records a fixed list of keys (its ``Records`` section, and :data:`KEYS`) with
:func:`jtbd_methods.report.record` and returns them as a dict. Shares are in percentage points
(0-100), intervals are ``[low, high]`` pairs under keys ending in ``_ci``.

Keys that depend on data (one per job, segment or action) are recorded by the area modules'
own ``record_*`` functions (``coding.record_job_shares``, ``recovery.record_priorities``,
``tracking.record_spc`` ...); this module holds the fixed keys of each notebook.

========================  =====================================================================
notebook                  helpers
========================  =====================================================================
00_study_overview         :func:`record_volume`, :func:`record_ratings`,
                          :func:`record_non_answers`, :func:`record_survey`,
                          :func:`record_quality`
01_job_discovery          :func:`record_volume` (``dates=False``), :func:`record_coverage`,
                          :func:`record_code_sources`, :func:`record_suppressed`,
                          :func:`record_redactions`, :func:`record_codebook_quality`,
                          :func:`record_agreement`, :func:`record_coder_quality`,
                          :func:`record_review`, :func:`record_discovery`
02_recovery_segments      :func:`record_segmented`, :func:`record_segments_vs`,
                          :func:`record_typing_tool`
03_satisfaction_tracking  :func:`record_charted_jobs`, :func:`record_job_chart`
04_service_recovery       :func:`record_coded_comments`, :func:`record_actions`,
                          :func:`record_action_gaps`
05_workforce_px           :func:`record_engagement`
========================  =====================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from jtbd_methods import report
from jtbd_methods.overview import positive_share

__all__ = [
    "KEYS",
    "record_action_gaps",
    "record_actions",
    "record_agreement",
    "record_charted_jobs",
    "record_code_sources",
    "record_codebook_quality",
    "record_coded_comments",
    "record_coder_quality",
    "record_coverage",
    "record_discovery",
    "record_engagement",
    "record_job_chart",
    "record_non_answers",
    "record_quality",
    "record_ratings",
    "record_redactions",
    "record_review",
    "record_segmented",
    "record_segments_vs",
    "record_survey",
    "record_suppressed",
    "record_typing_tool",
    "record_volume",
]

log = logging.getLogger(__name__)

#: The keys each helper records (``record_volume`` without dates records only ``comments.n``;
#: ``record_discovery`` records ``discovery.k`` only when themes were found).
KEYS: dict[str, tuple[str, ...]] = {
    "record_volume": (
        "comments.n",
        "comments.sites",
        "comments.first_date",
        "comments.last_date",
    ),
    "record_ratings": ("ratings.positive_share", "ratings.missing_share"),
    "record_non_answers": ("comments.n_non_answers", "comments.non_answer_share"),
    "record_survey": ("survey.n", "survey.respondents"),
    "record_quality": ("quality.n_warnings",),
    "record_coverage": ("comments.n_substantive", "comments.with_job_share"),
    "record_code_sources": (
        "coding.n_phrase_codes",
        "coding.n_model_codes",
        "coding.unclear_share",
    ),
    "record_suppressed": ("jobs.by_site.n_suppressed",),
    "record_redactions": ("privacy.redacted_items",),
    "record_codebook_quality": (
        "deductive.macro_f1",
        "deductive.micro_f1",
        "deductive.n_hand_coded",
    ),
    "record_agreement": ("reliability.krippendorff_alpha", "reliability.cohen_kappa"),
    "record_coder_quality": ("coder.macro_f1", "coder.micro_f1", "coder.rare_labels"),
    "record_review": ("review.n_comments",),
    "record_discovery": ("discovery.n_uncoded", "discovery.k"),
    "record_segmented": ("survey.segmented_respondents",),
    "record_segments_vs": (
        "segments.vs_diagnosis_cramers_v",
        "segments.vs_diagnosis_cramers_v_corrected",
        "segments.vs_diagnosis_p_value",
        "segments.vs_diagnosis_ari",
    ),
    "record_typing_tool": (
        "typing_tool.accuracy",
        "typing_tool.accuracy_ci",
        "typing_tool.chance",
        "typing_tool.items",
    ),
    "record_charted_jobs": ("jobs.charted",),
    "record_job_chart": ("spc.job", "spc.job_signals", "spc.job_measure"),
    "record_coded_comments": ("priorities.n_coded_comments",),
    "record_actions": ("actions.n", "actions.improved"),
    "record_action_gaps": ("actions.gaps",),
    "record_engagement": (
        "workforce.n_units",
        "workforce.n_unit_periods",
        "workforce.within_unit_effect",
        "workforce.within_unit_effect_ci",
        "workforce.between_unit_effect",
        "workforce.between_unit_effect_ci",
    ),
}


def _store(name: str, values: Sequence[Any]) -> dict[str, Any]:
    """Record ``values`` under the keys of helper ``name``, in order."""
    keys = KEYS[name]
    return {key: report.record(key, value) for key, value in zip(keys, values, strict=False)}


def _column(data: pd.DataFrame, column: str, *, caller: str) -> pd.Series:
    if not isinstance(data, pd.DataFrame) or column not in data.columns:
        raise ValueError(
            f"{caller}: expected a DataFrame with a {column!r} column; got "
            + (
                f"columns {list(map(str, data.columns))}"
                if isinstance(data, pd.DataFrame)
                else type(data).__name__
            )
        )
    return data[column]


# --------------------------------------------------------------------------- 00 overview


def record_volume(feedback: pd.DataFrame, *, dates: bool = True) -> dict[str, Any]:
    """Record how many comments the study has, from how many sites, over which dates.

    Parameters
    ----------
    feedback : DataFrame
        ``study.feedback`` (``site`` and ``received`` are read when ``dates`` is true).
    dates : bool, default True
        Also record the number of sites and the first and last dates.

    Returns
    -------
    dict
        Records ``comments.n``; with ``dates``, also ``comments.sites`` (distinct non-empty
        sites), ``comments.first_date`` and ``comments.last_date`` (ISO dates).

    Examples
    --------
    >>> fb = pd.DataFrame({"site": ["A", "B", "A"],
    ...                    "received": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-02-01"])})
    >>> record_volume(fb)["comments.last_date"]
    '2024-03-01'
    >>> report.reset()
    """
    if not dates:
        return _store("record_volume", [len(feedback)])
    received = pd.to_datetime(_column(feedback, "received", caller="record_volume"))
    sites = _column(feedback, "site", caller="record_volume")
    first, last = received.min(), received.max()
    return _store(
        "record_volume",
        [
            len(feedback),
            int(sites.replace("", pd.NA).dropna().nunique()),
            None if pd.isna(first) else str(first.date()),
            None if pd.isna(last) else str(last.date()),
        ],
    )


def record_ratings(feedback: pd.DataFrame, distribution: pd.DataFrame) -> dict[str, Any]:
    """Record the share of positive ratings (4 or 5) and the share of comments without one.

    Parameters
    ----------
    feedback : DataFrame
        ``study.feedback``.
    distribution : DataFrame
        :func:`jtbd_methods.overview.rating_distribution` of the same comments (long form,
        with a ``missing`` row).

    Returns
    -------
    dict
        Records ``ratings.positive_share`` (of rated comments) and ``ratings.missing_share``
        (of all comments), both in percentage points.

    Examples
    --------
    >>> from jtbd_methods.overview import rating_distribution
    >>> fb = pd.DataFrame({"rating": pd.array([5, 4, 1, 2, None], dtype="Int64")})
    >>> record_ratings(fb, rating_distribution(fb))
    {'ratings.positive_share': 50.0, 'ratings.missing_share': 20.0}
    >>> report.reset()
    """
    ratings = _column(distribution, "rating", caller="record_ratings")
    missing = distribution.loc[ratings == "missing", "share"]
    return _store(
        "record_ratings",
        [positive_share(feedback), 100 * float(missing.iloc[0]) if len(missing) else 0.0],
    )


def record_non_answers(summary: pd.DataFrame) -> dict[str, Any]:
    """Record the comments that say nothing about the care (non-answers).

    Parameters
    ----------
    summary : DataFrame
        :func:`jtbd_methods.overview.non_answer_summary`; its last row is the total.

    Returns
    -------
    dict
        Records ``comments.n_non_answers`` and ``comments.non_answer_share`` (pp).

    Examples
    --------
    >>> summary = pd.DataFrame({"n_non_answers": [3], "non_answer_share": [0.06]})
    >>> record_non_answers(summary)
    {'comments.n_non_answers': 3, 'comments.non_answer_share': 6.0}
    >>> report.reset()
    """
    n = _column(summary, "n_non_answers", caller="record_non_answers")
    share = _column(summary, "non_answer_share", caller="record_non_answers")
    return _store("record_non_answers", [int(n.iloc[-1]), 100 * float(share.iloc[-1])])


def record_survey(survey: pd.DataFrame) -> dict[str, Any]:
    """Record the number of survey responses and of distinct respondents.

    Returns
    -------
    dict
        Records ``survey.n`` (responses) and ``survey.respondents``.

    Examples
    --------
    >>> record_survey(pd.DataFrame({"respondent_id": ["R1", "R1", "R2"]}))
    {'survey.n': 3, 'survey.respondents': 2}
    >>> report.reset()
    """
    ids = _column(survey, "respondent_id", caller="record_survey")
    return _store("record_survey", [len(survey), int(ids.nunique())])


def record_quality(warnings: pd.DataFrame) -> dict[str, Any]:
    """Record the number of data-quality warnings (:func:`overview.quality_warnings` rows).

    Returns
    -------
    dict
        Records ``quality.n_warnings``.

    Examples
    --------
    >>> record_quality(pd.DataFrame({"check": ["empty comment"]}))
    {'quality.n_warnings': 1}
    >>> report.reset()
    """
    return _store("record_quality", [len(warnings)])


# --------------------------------------------------------------------------- 01 job discovery


def record_coverage(substantive: pd.DataFrame, codes: pd.DataFrame) -> dict[str, Any]:
    """Record how many comments have content and what share of them the codebook explains.

    Parameters
    ----------
    substantive : DataFrame
        ``coding.substantive(feedback)``: the comments that are not non-answers.
    codes : DataFrame
        Long table of codes (``comment_id`` per code).

    Returns
    -------
    dict
        Records ``comments.n_substantive`` and ``comments.with_job_share`` (pp of the
        substantive comments with at least one job; 0 when there are none).

    Examples
    --------
    >>> said = pd.DataFrame({"comment_id": ["a", "b", "c", "d"]})
    >>> record_coverage(said, pd.DataFrame({"comment_id": ["a", "a", "c"]}))
    {'comments.n_substantive': 4, 'comments.with_job_share': 50.0}
    >>> report.reset()
    """
    ids = _column(substantive, "comment_id", caller="record_coverage")
    coded = _column(codes, "comment_id", caller="record_coverage")
    share = 100 * float(ids.isin(coded).mean()) if len(ids) else 0.0
    return _store("record_coverage", [len(substantive), share])


def record_code_sources(codes: pd.DataFrame) -> dict[str, Any]:
    """Record how the codes were made: by phrase or model, and how many are unclear.

    Returns
    -------
    dict
        Records ``coding.n_phrase_codes``, ``coding.n_model_codes`` and
        ``coding.unclear_share`` (pp of all codes whose polarity is unclear).

    Examples
    --------
    >>> codes = pd.DataFrame({"source": ["phrase", "phrase", "model", "phrase"],
    ...                       "polarity": ["disrupted", "unclear", "fulfilled", "disrupted"]})
    >>> record_code_sources(codes)
    {'coding.n_phrase_codes': 3, 'coding.n_model_codes': 1, 'coding.unclear_share': 25.0}
    >>> report.reset()
    """
    source = _column(codes, "source", caller="record_code_sources")
    polarity = _column(codes, "polarity", caller="record_code_sources")
    unclear = 100 * float((polarity == "unclear").mean()) if len(codes) else 0.0
    return _store(
        "record_code_sources",
        [int((source == "phrase").sum()), int((source == "model").sum()), unclear],
    )


def record_suppressed(by_site: pd.DataFrame) -> dict[str, Any]:
    """Record how many cells of the jobs-by-site table were suppressed as small.

    Returns
    -------
    dict
        Records ``jobs.by_site.n_suppressed``.

    Examples
    --------
    >>> record_suppressed(pd.DataFrame({"suppressed": [True, False, True]}))
    {'jobs.by_site.n_suppressed': 2}
    >>> report.reset()
    """
    flags = _column(by_site, "suppressed", caller="record_suppressed")
    return _store("record_suppressed", [int(flags.astype(bool).sum())])


def record_redactions(redactions: pd.DataFrame) -> dict[str, Any]:
    """Record how many identifiers redaction removed (``privacy.redact_for_study`` counts).

    Returns
    -------
    dict
        Records ``privacy.redacted_items``.

    Examples
    --------
    >>> record_redactions(pd.DataFrame({"kind": ["phone", "name"], "n": [2, 5]}))
    {'privacy.redacted_items': 7}
    >>> report.reset()
    """
    return _store(
        "record_redactions", [int(_column(redactions, "n", caller="record_redactions").sum())]
    )


def record_codebook_quality(evaluation: Any) -> dict[str, Any]:
    """Record the codebook coding against the hand coding (``coding.evaluate_codes``).

    Parameters
    ----------
    evaluation : object
        Has ``macro_f1``, ``micro_f1`` and ``n`` (hand-coded comments).

    Returns
    -------
    dict
        Records ``deductive.macro_f1``, ``deductive.micro_f1``, ``deductive.n_hand_coded``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> record_codebook_quality(SimpleNamespace(macro_f1=0.7, micro_f1=0.8, n=120))
    {'deductive.macro_f1': 0.7, 'deductive.micro_f1': 0.8, 'deductive.n_hand_coded': 120}
    >>> report.reset()
    """
    return _store(
        "record_codebook_quality", [evaluation.macro_f1, evaluation.micro_f1, evaluation.n]
    )


def record_agreement(agreement: pd.DataFrame) -> dict[str, Any]:
    """Record the two hand coders' agreement over all jobs (``reliability.agreement_table``).

    Returns
    -------
    dict
        Records ``reliability.krippendorff_alpha`` and ``reliability.cohen_kappa`` of the
        ``all_jobs`` row.

    Examples
    --------
    >>> table = pd.DataFrame({"job_id": ["x", "all_jobs"], "alpha": [0.5, 0.81],
    ...                       "kappa": [0.4, 0.8]})
    >>> record_agreement(table)
    {'reliability.krippendorff_alpha': 0.81, 'reliability.cohen_kappa': 0.8}
    >>> report.reset()
    """
    jobs = _column(agreement, "job_id", caller="record_agreement")
    if not (jobs == "all_jobs").any():
        raise ValueError("record_agreement: expected a row with job_id 'all_jobs'; found none")
    row = agreement.loc[jobs == "all_jobs"].iloc[0]
    return _store("record_agreement", [row["alpha"], row["kappa"]])


def record_coder_quality(evaluation: Any) -> dict[str, Any]:
    """Record the cross-validated supervised coder (``coding.evaluate_coder_file``).

    Returns
    -------
    dict
        Records ``coder.macro_f1``, ``coder.micro_f1`` and ``coder.rare_labels`` (labels
        with too few examples to learn).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> record_coder_quality(SimpleNamespace(macro_f1=0.6, micro_f1=0.7, rare_labels=("x",)))
    {'coder.macro_f1': 0.6, 'coder.micro_f1': 0.7, 'coder.rare_labels': ['x']}
    >>> report.reset()
    """
    return _store(
        "record_coder_quality",
        [evaluation.macro_f1, evaluation.micro_f1, list(evaluation.rare_labels)],
    )


def record_review(sheet: pd.DataFrame) -> dict[str, Any]:
    """Record how many comments the reviewers' coding sheet holds.

    Returns
    -------
    dict
        Records ``review.n_comments``.

    Examples
    --------
    >>> record_review(pd.DataFrame({"comment_id": ["a", "b"]}))
    {'review.n_comments': 2}
    >>> report.reset()
    """
    return _store("record_review", [len(sheet)])


def record_discovery(uncoded: pd.DataFrame, themes: Any = None) -> dict[str, Any]:
    """Record the comments no job explains and, when themes were sought, how many were found.

    Parameters
    ----------
    uncoded : DataFrame
        ``coding.uncoded_comments``.
    themes : object, optional
        ``discovery.discover_themes`` result (its ``k``); ``None`` when too few comments.

    Returns
    -------
    dict
        Records ``discovery.n_uncoded`` and, with ``themes``, ``discovery.k``.

    Examples
    --------
    >>> record_discovery(pd.DataFrame({"comment": ["a", "b"]}))
    {'discovery.n_uncoded': 2}
    >>> report.reset()
    """
    values: list[Any] = [len(uncoded)]
    if themes is not None:
        values.append(themes.k)
    return _store("record_discovery", values)


# --------------------------------------------------------------------------- 02 segments


def record_segmented(baseline: pd.DataFrame) -> dict[str, Any]:
    """Record how many respondents (first responses) the segmentation used.

    Returns
    -------
    dict
        Records ``survey.segmented_respondents``.

    Examples
    --------
    >>> record_segmented(pd.DataFrame({"respondent_id": ["R1", "R2"]}))
    {'survey.segmented_respondents': 2}
    >>> report.reset()
    """
    return _store("record_segmented", [len(baseline)])


def record_segments_vs(comparison: Any) -> dict[str, Any]:
    """Record how far the segments follow diagnosis (``segmentation.segments_vs``).

    Returns
    -------
    dict
        Records ``segments.vs_diagnosis_cramers_v``,
        ``segments.vs_diagnosis_cramers_v_corrected``, ``segments.vs_diagnosis_p_value`` and
        ``segments.vs_diagnosis_ari``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> vs = SimpleNamespace(cramers_v=0.3, cramers_v_corrected=0.25, p_value=0.01, ari=0.05)
    >>> record_segments_vs(vs)["segments.vs_diagnosis_ari"]
    0.05
    >>> report.reset()
    """
    return _store(
        "record_segments_vs",
        [comparison.cramers_v, comparison.cramers_v_corrected, comparison.p_value, comparison.ari],
    )


def record_typing_tool(tool: Any) -> dict[str, Any]:
    """Record a fitted ``segmentation.TypingTool``: accuracy, its interval, chance and items.

    Returns
    -------
    dict
        Records ``typing_tool.accuracy`` and ``typing_tool.accuracy_ci`` (pp),
        ``typing_tool.chance`` (pp: the largest segment's share) and ``typing_tool.items``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> tool = SimpleNamespace(accuracy_=0.8, accuracy_ci_=(0.7, 0.9), baseline_=0.4,
    ...                        items_=["imp_a", "sat_b"])
    >>> record_typing_tool(tool)["typing_tool.accuracy_ci"]
    [70.0, 90.0]
    >>> report.reset()
    """
    low, high = tool.accuracy_ci_
    return _store(
        "record_typing_tool",
        [100 * tool.accuracy_, [100 * low, 100 * high], 100 * tool.baseline_, list(tool.items_)],
    )


# --------------------------------------------------------------------------- 03 tracking


def record_charted_jobs(focus: Sequence[str]) -> dict[str, Any]:
    """Record the jobs drawn in the per-job charts (``tracking.focus_jobs``), in order.

    Returns
    -------
    dict
        Records ``jobs.charted``.

    Examples
    --------
    >>> record_charted_jobs(["gain_clarity", "feel_heard"])
    {'jobs.charted': ['gain_clarity', 'feel_heard']}
    >>> report.reset()
    """
    return _store("record_charted_jobs", [list(focus)])


def record_job_chart(job: str, chart: pd.DataFrame, *, measure: str) -> dict[str, Any]:
    """Record the job followed in detail, its control chart's signals and what it measures.

    Parameters
    ----------
    job : str
        The job's id.
    chart : DataFrame
        ``tracking.spc`` of the job (its ``signal`` column).
    measure : str
        The charted column (``positive_share`` or ``disrupted_share``).

    Returns
    -------
    dict
        Records ``spc.job``, ``spc.job_signals`` (periods with a signal) and
        ``spc.job_measure``.

    Examples
    --------
    >>> chart = pd.DataFrame({"signal": [False, True, True]})
    >>> record_job_chart("gain_clarity", chart, measure="positive_share")["spc.job_signals"]
    2
    >>> report.reset()
    """
    signals = _column(chart, "signal", caller="record_job_chart")
    return _store("record_job_chart", [str(job), int(signals.astype(bool).sum()), measure])


# --------------------------------------------------------------------------- 04 recovery


def record_coded_comments(codes: pd.DataFrame) -> dict[str, Any]:
    """Record how many comments carry at least one code (the base of the priorities).

    Returns
    -------
    dict
        Records ``priorities.n_coded_comments``.

    Examples
    --------
    >>> record_coded_comments(pd.DataFrame({"comment_id": ["a", "a", "b"]}))
    {'priorities.n_coded_comments': 2}
    >>> report.reset()
    """
    ids = _column(codes, "comment_id", caller="record_coded_comments")
    return _store("record_coded_comments", [int(ids.nunique())])


def record_actions(loop: pd.DataFrame) -> dict[str, Any]:
    """Record the actions followed up and those that improved their job (``close_the_loop``).

    Returns
    -------
    dict
        Records ``actions.n`` and ``actions.improved`` (ids of actions whose verdict is
        "improved").

    Examples
    --------
    >>> loop = pd.DataFrame({"action_id": ["A01", "A02"], "verdict": ["improved", "no clear change"]})
    >>> record_actions(loop)
    {'actions.n': 2, 'actions.improved': ['A01']}
    >>> report.reset()
    """
    verdict = _column(loop, "verdict", caller="record_actions")
    ids = _column(loop, "action_id", caller="record_actions")
    return _store("record_actions", [len(loop), ids[verdict == "improved"].tolist()])


def record_action_gaps(plan: pd.DataFrame) -> dict[str, Any]:
    """Record the top jobs that no action addresses yet (``recovery.action_plan``).

    Returns
    -------
    dict
        Records ``actions.gaps``.

    Examples
    --------
    >>> plan = pd.DataFrame({"job_id": ["x", "y"], "has_action": [True, False]})
    >>> record_action_gaps(plan)
    {'actions.gaps': ['y']}
    >>> report.reset()
    """
    has = _column(plan, "has_action", caller="record_action_gaps").astype(bool)
    jobs = _column(plan, "job_id", caller="record_action_gaps")
    return _store("record_action_gaps", [jobs[~has].tolist()])


# --------------------------------------------------------------------------- 05 workforce


def record_engagement(model: Any) -> dict[str, Any]:
    """Record the staff-engagement model (``workforce.engagement_model``).

    Returns
    -------
    dict
        Records ``workforce.n_units``, ``workforce.n_unit_periods``,
        ``workforce.within_unit_effect``, ``workforce.within_unit_effect_ci``,
        ``workforce.between_unit_effect`` and ``workforce.between_unit_effect_ci`` (effects in
        pp of positive ratings per engagement point, intervals as ``[low, high]``).

    Examples
    --------
    >>> class Model:
    ...     n_units, n_unit_periods = 4, 48
    ...     def estimate(self, component): return {"within_unit": 1.5, "between_unit": 3.0}[component]
    ...     def interval(self, component): return (0.5, 2.5) if component == "within_unit" else (1.0, 5.0)
    >>> record_engagement(Model())["workforce.between_unit_effect_ci"]
    [1.0, 5.0]
    >>> report.reset()
    """
    return _store(
        "record_engagement",
        [
            model.n_units,
            model.n_unit_periods,
            model.estimate("within_unit"),
            model.interval("within_unit"),
            model.estimate("between_unit"),
            model.interval("between_unit"),
        ],
    )
