"""Key findings in plain language, written from a run's recorded results.

Every client report opens with three to five key findings (each with its numbers and what it
means for the service) and a short list of what the report cannot tell. They are generated
here from the report's ``results.json`` (the values its notebook recorded with
:func:`jtbd_methods.report.record`), never typed by hand, so they always match the figures
below them. One function per notebook:

========================  ===================================================
notebook                  function
========================  ===================================================
00_study_overview         :func:`overview`
01_job_discovery          :func:`job_discovery`
02_recovery_segments      :func:`segments`
03_satisfaction_tracking  :func:`tracking`
04_service_recovery       :func:`recovery`
05_workforce_px           :func:`workforce`
========================  ===================================================

Each takes the flat results mapping (and, where job or outcome ids appear, a mapping of ids
to readable labels) and returns a :class:`Findings`. A missing key never raises: the finding
that needs it is left out, and when the report could not say much the limits say why.
:func:`for_notebook` picks the function from a notebook's stem.

The last cell of each notebook (tagged ``remove``) records them::

    report.key_findings(findings.tracking(report.results(), labels=study.codebook.labels()))

and :mod:`jtbd_methods.render` shows them at the top of the report and on the index card.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Findings",
    "for_notebook",
    "outcome_texts",
    "job_discovery",
    "overview",
    "recovery",
    "segments",
    "tracking",
    "workforce",
]

#: Most key findings a report shows.
MAX_FINDINGS = 5


@dataclass(frozen=True)
class Findings:
    """Key findings of one report and what it cannot tell.

    Attributes
    ----------
    key : tuple of str
        Up to five sentences, most important first, each with its numbers and what it means
        for the service.
    limits : tuple of str
        What the report cannot tell (missing data, unvalidated coding, causal caveats).
    """

    key: tuple[str, ...]
    limits: tuple[str, ...]

    @property
    def headline(self) -> str:
        """The first key finding (the index card's line), or an empty string."""
        return self.key[0] if self.key else ""


# --------------------------------------------------------------------------- helpers


def _num(results: Mapping[str, Any], key: str) -> float | None:
    value = results.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _pair(results: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    value = results.get(key)
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    low, high = value
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (low, high)):
        return None
    return float(low), float(high)


def _pct(value: float) -> str:
    """A share in percentage points as people say it: 10%, 2.5%, <1%."""
    if 0 < abs(value) < 1:
        return "under 1%" if value > 0 else "-" + _pct(-value)
    text = f"{value:.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
    return f"{'0' if text in ('-0', '-0.0') else text}%"


def _pp(value: float) -> str:
    text = f"{value:+.0f}" if abs(value) >= 1 else f"{value:+.1f}"
    return "0" if text in ("+0", "-0", "+0.0", "-0.0") else text


def _label(job_id: Any, labels: Mapping[str, str] | None) -> str:
    text = (labels or {}).get(str(job_id)) or str(job_id).replace("_", " ")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _ids(results: Mapping[str, Any], key: str) -> list[str]:
    value = results.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def _done(key: list[str], limits: list[str]) -> Findings:
    return Findings(key=tuple(key[:MAX_FINDINGS]), limits=tuple(limits))


# --------------------------------------------------------------------------- per notebook


def overview(results: Mapping[str, Any]) -> Findings:
    """Key findings of the study overview (notebook 00).

    Parameters
    ----------
    results : mapping
        The notebook's recorded results: ``comments.n``, ``comments.sites``,
        ``comments.first_date``, ``comments.last_date``, ``ratings.positive_share``,
        ``ratings.missing_share``, ``survey.respondents``, ``survey.n``,
        ``quality.n_warnings`` (all optional).

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = overview({"comments.n": 4000, "comments.sites": 6,
    ...     "comments.first_date": "2024-01-01", "comments.last_date": "2025-12-31",
    ...     "ratings.positive_share": 62.1, "ratings.missing_share": 2.9})
    >>> found.headline
    '4,000 comments from 6 sites, 2024-01-01 to 2025-12-31: the evidence every report rests on.'
    >>> found.key[1]
    '62% of rated comments are positive (4 or 5 out of 5): the baseline the tracking report follows.'
    """
    key: list[str] = []
    limits: list[str] = []
    n = _num(results, "comments.n")
    sites = _num(results, "comments.sites")
    first, last = results.get("comments.first_date"), results.get("comments.last_date")
    if n is not None:
        where = f" from {sites:.0f} site{'s' if sites != 1 else ''}" if sites else ""
        when = f", {first} to {last}" if first and last else ""
        key.append(f"{n:,.0f} comments{where}{when}: the evidence every report rests on.")
    positive = _num(results, "ratings.positive_share")
    missing = _num(results, "ratings.missing_share")
    if positive is not None:
        key.append(
            f"{_pct(positive)} of rated comments are positive (4 or 5 out of 5): the baseline "
            "the tracking report follows."
        )
    elif n is not None:
        key.append(
            "The comments carry no ratings, so every report reads whether a job was done well "
            "or badly from the words alone."
        )
        limits.append(
            "Without ratings, no report can say how much a disrupted job costs in "
            "satisfaction; collect a rating with the comment to measure it."
        )
    if missing is not None and missing >= 20 and positive is not None:
        limits.append(
            f"{_pct(missing)} of comments have no rating: shares of positive ratings describe "
            "the patients who gave one."
        )
    respondents = _num(results, "survey.respondents")
    responses = _num(results, "survey.n")
    if respondents is not None:
        extra = f" ({responses:,.0f} responses over several waves)" if responses else ""
        key.append(
            f"{respondents:,.0f} patients answered the survey{extra}, enough to segment them by "
            "recovery goal."
            if respondents >= 200
            else f"Only {respondents:,.0f} patients answered the survey{extra}: segments will be "
            "broad and uncertain."
        )
    else:
        limits.append("There is no survey, so patients cannot be segmented by recovery goal.")
    warnings = _num(results, "quality.n_warnings")
    if warnings:
        key.append(
            f"{warnings:.0f} data-quality warning{'s' if warnings != 1 else ''} to check with "
            "the data owner before the findings are shared."
        )
    limits.append(
        "The overview says who wrote and when, not which jobs are disrupted: see the job "
        "discovery report."
    )
    return _done(key, limits)


def job_discovery(
    results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None
) -> Findings:
    """Key findings of job discovery (notebook 01).

    Parameters
    ----------
    results : mapping
        Recorded results: ``comments.with_job_share``, ``jobs.ranking``,
        ``jobs.disrupted_ranking``, ``jobs.<id>.share``, ``jobs.<id>.n_disrupted``,
        ``jobs.<id>.disrupted_share``, ``deductive.micro_f1``, ``deductive.n_hand_coded``,
        ``reliability.cohen_kappa``, ``discovery.n_uncoded``, ``discovery.k``.
    labels : mapping, optional
        Job id -> label.

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = job_discovery({"comments.with_job_share": 75.2, "jobs.ranking": ["gain_clarity"],
    ...     "jobs.gain_clarity.share": 21.3, "jobs.disrupted_ranking": ["feel_heard"],
    ...     "jobs.feel_heard.n_disrupted": 391, "jobs.feel_heard.disrupted_share": 59.4},
    ...     labels={"gain_clarity": "Understand what comes next", "feel_heard": "Feel heard"})
    >>> found.key[0]
    '75% of comments speak to at least one job; the most common is understand what comes next (21% of comments).'
    >>> found.key[1]
    'Feel heard is disrupted most often: in 391 comments, 59% of those whose polarity is readable.'
    """
    key: list[str] = []
    limits: list[str] = []
    covered = _num(results, "comments.with_job_share")
    ranking = _ids(results, "jobs.ranking")
    if covered is not None:
        top = ""
        if ranking:
            share = _num(results, f"jobs.{ranking[0]}.share")
            top = f"; the most common is {_label(ranking[0], labels)}" + (
                f" ({_pct(share)} of comments)" if share is not None else ""
            )
        key.append(f"{_pct(covered)} of comments speak to at least one job{top}.")
        if covered < 50:
            limits.append(
                f"{_pct(100 - covered)} of comments match no job of the codebook: what they say "
                "is in the themes section, not in the job figures."
            )
    disrupted = _ids(results, "jobs.disrupted_ranking")
    if disrupted:
        job = disrupted[0]
        n_disrupted = _num(results, f"jobs.{job}.n_disrupted")
        share = _num(results, f"jobs.{job}.disrupted_share")
        # the count itself: the share is of readable mentions (unclear ones left out), so
        # mentions x share would not give the tables' number
        count = f"in {n_disrupted:,.0f} comments, " if n_disrupted else ""
        tail = (
            f"{_pct(share)} of those whose polarity is readable"
            if share is not None
            else "of all jobs"
        )
        name = _label(job, labels)
        key.append(f"{name[:1].upper() + name[1:]} is disrupted most often: {count}{tail}.")
    f1 = _num(results, "deductive.micro_f1")
    n_hand = _num(results, "deductive.n_hand_coded")
    if f1 is not None:
        key.append(
            f"The coding agrees with people's hand coding with an F1 of {f1:.2f}"
            + (f" on {n_hand:,.0f} comments" if n_hand else "")
            + (": good enough to count jobs." if f1 >= 0.8 else ": read job counts as rough.")
        )
    else:
        limits.append(
            "The coding is unvalidated: no hand-coded sample was supplied, so how often the "
            "phrases miss or mislabel a job is unknown. Code the review sheet to measure it."
        )
    kappa = _num(results, "reliability.cohen_kappa")
    if kappa is not None:
        strength = "substantial" if kappa >= 0.6 else "moderate" if kappa >= 0.4 else "weak"
        key.append(f"Two human coders agree with Cohen's κ = {kappa:.2f} ({strength} agreement).")
    uncoded = _num(results, "discovery.n_uncoded")
    themes = _num(results, "discovery.k")
    if uncoded:
        key.append(
            f"{uncoded:,.0f} comments fit no job"
            + (f"; they group into {themes:.0f} themes" if themes else "")
            + " worth reading for jobs the codebook lacks."
        )
    limits.append(
        "Counts show what patients chose to write about, not how many had each experience."
    )
    return _done(key, limits)


def segments(results: Mapping[str, Any], *, outcomes: Mapping[str, str] | None = None) -> Findings:
    """Key findings of recovery-goal segmentation (notebook 02).

    Parameters
    ----------
    results : mapping
        Recorded results: ``segments.k``, ``segments.<i>.name``, ``segments.<i>.share``,
        ``segments.stability_ari``, ``segments.vs_diagnosis_cramers_v_corrected``,
        ``opportunity.ranking``, ``opportunity.<id>.score``, ``typing_tool.accuracy``,
        ``typing_tool.items``, ``typing_tool.chance``.
    outcomes : mapping, optional
        Outcome id -> readable text.

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = segments({"segments.k": 2, "segments.1.name": "Back to work",
    ...     "segments.1.share": 60.0, "segments.2.name": "Feel like myself",
    ...     "segments.2.share": 40.0, "typing_tool.accuracy": 94.8,
    ...     "typing_tool.items": ["a", "b", "c"]})
    >>> found.headline
    'Patients fall into 2 recovery goals; the largest is back to work (60% of respondents).'
    """
    key: list[str] = []
    limits: list[str] = []
    k = _num(results, "segments.k")
    if k is not None:
        names = []
        for i in range(1, int(k) + 1):
            name = results.get(f"segments.{i}.name")
            share = _num(results, f"segments.{i}.share")
            if isinstance(name, str):
                names.append((share if share is not None else -1.0, name))
        names.sort(reverse=True)
        if names:
            share, name = names[0]
            size = f" ({_pct(share)} of respondents)" if share >= 0 else ""
            key.append(
                f"Patients fall into {k:.0f} recovery goals; the largest is "
                f"{name[:1].lower() + name[1:]}{size}."
            )
    else:
        limits.append("No segmentation: the study has no survey with importance items.")
    ranking = _ids(results, "opportunity.ranking")
    if ranking:
        best = ranking[0]
        score = _num(results, f"opportunity.{best}.score")
        text = ((outcomes or {}).get(best) or best.replace("_", " ")).rstrip(" .")
        key.append(
            f"The biggest unmet need is to {text[:1].lower() + text[1:]}"
            + (f" (opportunity score {score:.1f} of 20)" if score is not None else "")
            + ": important to patients and poorly met."
        )
    cramers = _num(results, "segments.vs_diagnosis_cramers_v_corrected")
    if cramers is not None:
        key.append(
            f"Recovery goals cut across diagnoses (Cramér's V = {cramers:.2f}): "
            + (
                "plan services by goal, not by condition."
                if cramers < 0.3
                else "goals and diagnoses overlap strongly."
            )
        )
    accuracy = _num(results, "typing_tool.accuracy")
    items = _ids(results, "typing_tool.items")
    if accuracy is not None:
        key.append(
            f"A {len(items) or 'short'}-question typing tool places new patients in their "
            f"segment {_pct(accuracy)} of the time, so clinics can use the segments."
        )
    stability = _num(results, "segments.stability_ari")
    if stability is not None and stability < 0.6:
        limits.append(
            f"The segments are not stable (adjusted Rand index {stability:.2f} between "
            "resamples): treat them as a sketch."
        )
    limits.append(
        "Segments describe the survey's respondents; patients who did not answer may differ."
    )
    return _done(key, limits)


def tracking(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None) -> Findings:
    """Key findings of satisfaction and job fulfilment over time (notebook 03).

    Parameters
    ----------
    results : mapping
        Recorded results: ``overall.latest_positive_share`` (+ ``_ci``),
        ``overall.latest_period``, ``spc.variation``, ``spc.chart``, ``spc.phases``,
        ``spc.job``, ``spc.job_measure``, ``spc.job_signals``, ``actions.<id>.level_change``
        (+ ``_ci``, ``.verdict``, ``.job``), ``pilots.<id>.did`` (+ ``_ci``, ``.mde``,
        ``.verdict``), ``job_trends.<id>.latest_share``, ``job_trends.<id>.last_signal`` and,
        without ratings, ``text_actions.<id>.share_before``, ``.share_after``,
        ``.level_change`` (+ ``_ci``), ``.verdict``, ``.job``.
    labels : mapping, optional
        Job id -> label.

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = tracking({"overall.latest_positive_share": 71.0,
    ...     "overall.latest_positive_share_ci": [63.0, 78.0], "overall.latest_period": "2025-12-01",
    ...     "spc.variation": "common_cause", "actions.a01.level_change": 21.0,
    ...     "actions.a01.level_change_ci": [12.0, 30.0], "actions.a01.verdict": "improved",
    ...     "actions.a01.job": "gain_clarity"}, labels={"gain_clarity": "Know what comes next"})
    >>> found.key[0]
    '71% of rated comments were positive in 2025-12 (95% CI 63% to 78%); the latest month shows only common-cause variation.'
    >>> found.key[1]
    'Action A01 lifted positive ratings about know what comes next by 21 points (95% CI 12 to 30).'
    """
    key: list[str] = []
    limits: list[str] = []
    latest = _num(results, "overall.latest_positive_share")
    variation = results.get("spc.variation")
    reading = {
        "common_cause": "the latest month shows only common-cause variation",
        "improvement_high": "the latest month signals improvement",
        "improvement_low": "the latest month signals improvement",
        "concern_high": "the latest month signals concern",
        "concern_low": "the latest month signals concern",
    }.get(str(variation), "")
    if latest is not None:
        ci = _pair(results, "overall.latest_positive_share_ci")
        period = str(results.get("overall.latest_period") or "")[:7]
        when = f" in {period}" if period else ""
        interval = f" (95% CI {_pct(ci[0])} to {_pct(ci[1])})" if ci else ""
        key.append(
            f"{_pct(latest)} of rated comments were positive{when}{interval}"
            + (f"; {reading}." if reading else ".")
        )
    else:
        limits.append(
            "The comments carry no ratings: the positive share, and what each action changed "
            "in it, need a rating column; this report follows what the words say instead."
        )
    if results.get("spc.chart") == "laney":
        key.append(
            "Months vary more than chance allows at these numbers of comments, so the charts "
            "use Laney's p′ limits; a plain p chart would have flagged ordinary months."
        )
    actions = sorted(
        {
            k.split(".")[1]
            for k in results
            if k.startswith("actions.") and k.endswith(".level_change")
        }
    )
    for action in actions:
        change = _num(results, f"actions.{action}.level_change")
        ci = _pair(results, f"actions.{action}.level_change_ci")
        verdict = results.get(f"actions.{action}.verdict")
        job = results.get(f"actions.{action}.job")
        about = f" about {_label(job, labels)}" if job else ""
        name = action.upper()
        if change is None or ci is None:
            continue
        bounds = f"95% CI {_pp(ci[0]).lstrip('+')} to {_pp(ci[1]).lstrip('+')}"
        interval = f" ({bounds})"
        if verdict == "improved":
            key.append(
                f"Action {name} lifted positive ratings{about} by {change:.0f} points{interval}."
            )
        elif verdict == "worsened":
            key.append(
                f"Positive ratings{about} fell by {abs(change):.0f} points after action "
                f"{name}{interval}: look at how it was delivered."
            )
        elif verdict == "inconclusive":
            key.append(
                f"The effect of action {name}{about} is inconclusive ({_pp(change)} points, "
                f"{bounds}): the data fit both no change and a worthwhile one."
            )
    pilots = sorted(
        {k.split(".")[1] for k in results if k.startswith("pilots.") and k.endswith(".did")}
    )
    for pilot in pilots:
        did = _num(results, f"pilots.{pilot}.did")
        ci = _pair(results, f"pilots.{pilot}.did_ci")
        mde = _num(results, f"pilots.{pilot}.mde")
        verdict = results.get(f"pilots.{pilot}.verdict")
        if did is None or ci is None:
            continue
        detect = (
            f" At this size the comparison detects only effects of about {mde:.0f} points or more."
            if mde is not None
            else ""
        )
        if verdict in ("improved", "worsened"):
            key.append(
                f"The pilot of {pilot.upper()} changed positive ratings by {_pp(did)} "
                f"points against the other sites (95% CI {_pp(ci[0])} to {_pp(ci[1])})."
            )
        else:
            key.append(
                f"The pilot of {pilot.upper()} is {verdict or 'inconclusive'} against the "
                f"other sites ({_pp(did)} points, 95% CI {_pp(ci[0])} to {_pp(ci[1])})." + detect
            )
    text_actions = sorted(
        {
            k.split(".")[1]
            for k in results
            if k.startswith("text_actions.") and k.endswith(".verdict")
        }
    )
    for action in text_actions:
        before = _num(results, f"text_actions.{action}.share_before")
        after = _num(results, f"text_actions.{action}.share_after")
        change = _num(results, f"text_actions.{action}.level_change")
        ci = _pair(results, f"text_actions.{action}.level_change_ci")
        verdict = results.get(f"text_actions.{action}.verdict")
        job = results.get(f"text_actions.{action}.job")
        if before is None or after is None or change is None or ci is None:
            continue
        about = _label(job, labels) if job else "its job"
        bounds = f"level change {_pp(change)} points, 95% CI {_pp(ci[0])} to {_pp(ci[1])}"
        if verdict == "improved":
            key.append(
                f"After action {action.upper()}, comments about {about} describe it disrupted "
                f"{_pct(after)} of the time, down from {_pct(before)} ({bounds})."
            )
        elif verdict == "worsened":
            key.append(
                f"After action {action.upper()}, comments about {about} describe it disrupted "
                f"more often: {_pct(after)}, up from {_pct(before)} ({bounds})."
            )
        elif verdict == "inconclusive":
            key.append(
                f"The words cannot yet tell whether action {action.upper()} helped {about} "
                f"({bounds}): more months would settle it."
            )
    trends = sorted(
        {
            k.split(".")[1]
            for k in results
            if k.startswith("job_trends.") and k.endswith(".latest_share")
        }
    )
    if trends and latest is None:
        measure = results.get("job_trends.measure", "disrupted_share")
        worst = max(trends, key=lambda j: _num(results, f"job_trends.{j}.latest_share") or -1.0)
        share = _num(results, f"job_trends.{worst}.latest_share")
        if share is not None and measure == "disrupted_share":
            key.append(
                f"{_label(worst, labels)[:1].upper() + _label(worst, labels)[1:]} is the job most "
                f"often disrupted in the latest month: in {_pct(share)} of the comments about it."
            )
        for job in trends:
            signal = results.get(f"job_trends.{job}.last_signal")
            if signal in ("improvement", "concern"):
                verb = "improving" if signal == "improvement" else "getting worse"
                key.append(
                    f"Comments about {_label(job, labels)} show it {verb} "
                    "(a special-cause signal on its control chart)."
                )
    limits.append(
        "A change after an action is evidence, not proof, that the action caused it: other "
        "things changed at the same time."
    )
    return _done(key, limits)


def recovery(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None) -> Findings:
    """Key findings of service recovery (notebook 04).

    Parameters
    ----------
    results : mapping
        Recorded results: ``priorities.top_jobs``, ``priorities.<id>.n_disrupted``,
        ``priorities.<id>.disruption_share``, ``priorities.<id>.impact`` (+ ``_ci``),
        ``priorities.<id>.quadrant``, ``priorities.rated``, ``drivers.ranking``,
        ``drivers.<id>.relative_weight``,
        ``actions.n``, ``actions.improved``, ``actions.gaps``.
    labels : mapping, optional
        Job id -> label.

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = recovery({"priorities.top_jobs": ["gain_clarity"],
    ...     "priorities.gain_clarity.disruption_share": 9.7,
    ...     "priorities.gain_clarity.n_disrupted": 389, "priorities.gain_clarity.impact": 0.9,
    ...     "priorities.gain_clarity.quadrant": "fix first: frequent and damaging"},
    ...     labels={"gain_clarity": "Understand what comes next"})
    >>> found.headline
    'Fix understand what comes next first: it is disrupted in 9.7% of comments (389) and costs 0.9 rating points each time.'
    """
    key: list[str] = []
    limits: list[str] = []
    top = _ids(results, "priorities.top_jobs")
    rated = results.get("priorities.rated", True)
    for rank, job in enumerate(top[:2]):
        share = _num(results, f"priorities.{job}.disruption_share")
        count = _num(results, f"priorities.{job}.n_disrupted")
        impact = _num(results, f"priorities.{job}.impact")
        name = _label(job, labels)
        where = f"in {_pct(share)} of comments" if share is not None else "often"
        where += f" ({count:,.0f})" if count is not None else ""
        cost = (
            f" and costs {impact:.1f} rating points each time"
            if impact is not None and rated
            else ""
        )
        lead = f"Fix {name} first" if rank == 0 else f"Next, {name}"
        key.append(f"{lead}: it is disrupted {where}{cost}.")
    drivers = _ids(results, "drivers.ranking")
    if drivers:
        driver = drivers[0]
        weight = _num(results, f"drivers.{driver}.relative_weight")
        share = f" ({_pct(weight)} of the explained variance)" if weight is not None else ""
        same = bool(top) and driver == top[0]
        key.append(
            f"In the survey, {_label(driver, labels)} drives overall satisfaction most{share}"
            + (
                ", the same job the comments put first."
                if same
                else (
                    ": the survey weighs what matters to everyone, the comments what went "
                    "wrong for those who wrote, so the two rankings can differ."
                    if top
                    else "."
                )
            )
        )
    n_actions = _num(results, "actions.n")
    improved = _ids(results, "actions.improved")
    gaps = _ids(results, "actions.gaps")
    if n_actions:
        parts = [f"{n_actions:.0f} improvement action{'s' if n_actions != 1 else ''} on file"]
        if improved:
            parts.append(
                f"{len(improved)} measurably improved {'its' if len(improved) == 1 else 'their'} job"
            )
        if gaps:
            named = ", ".join(_label(g, labels) for g in gaps[:3])
            parts.append(f"no action yet on {named}")
        key.append("; ".join(parts) + ".")
    if not rated:
        limits.append(
            "The comments carry no ratings, so jobs are ranked by how often they are disrupted, "
            "not by what a disruption costs in satisfaction."
        )
    limits.append(
        "Priorities rest on what patients wrote; a job rarely written about can still matter."
    )
    return _done(key, limits)


def workforce(results: Mapping[str, Any]) -> Findings:
    """Key findings of the staff engagement and patient experience link (notebook 05).

    Parameters
    ----------
    results : mapping
        Recorded results: ``workforce.within_unit_effect`` (+ ``_ci``),
        ``workforce.between_unit_effect`` (+ ``_ci``), ``workforce.n_units``,
        ``workforce.n_unit_periods``.

    Returns
    -------
    Findings

    Examples
    --------
    >>> found = workforce({"workforce.within_unit_effect": 2.1,
    ...     "workforce.within_unit_effect_ci": [0.8, 3.4], "workforce.n_units": 6,
    ...     "workforce.n_unit_periods": 144})
    >>> print(found.headline)
    When a unit's staff engagement rises by one point, its share of positive patient ratings rises by 2.1 percentage points (95% CI 0.8 to 3.4).
    """
    key: list[str] = []
    limits: list[str] = []
    within = _num(results, "workforce.within_unit_effect")
    ci = _pair(results, "workforce.within_unit_effect_ci")
    if within is not None:
        interval = f" (95% CI {ci[0]:.1f} to {ci[1]:.1f})" if ci else ""
        clear = ci is not None and (ci[0] > 0 or ci[1] < 0)
        verb = "rise" if within >= 0 else "fall"
        key.append(
            f"When a unit's staff engagement rises by one point, its share of positive patient "
            f"ratings {verb}s by {abs(within):.1f} percentage points{interval}."
            + ("" if clear or ci is None else " The interval includes no effect.")
        )
    between = _num(results, "workforce.between_unit_effect")
    ci_b = _pair(results, "workforce.between_unit_effect_ci")
    if between is not None:
        interval = f" (95% CI {ci_b[0]:.1f} to {ci_b[1]:.1f})" if ci_b else ""
        key.append(
            f"Units with more engaged staff have {abs(between):.1f} percentage points "
            f"{'more' if between >= 0 else 'fewer'} positive ratings per engagement point"
            f"{interval}, comparing units with each other."
        )
    units = _num(results, "workforce.n_units")
    periods = _num(results, "workforce.n_unit_periods")
    if units is not None:
        key.append(
            f"Based on {units:.0f} units"
            + (f" over {periods:,.0f} unit-months" if periods else "")
            + (": few units, so the between-unit comparison is fragile." if units < 10 else ".")
        )
    if within is None and between is None:
        limits.append(
            "The link to staff experience was not estimated: it needs staff.csv and comments "
            "with ratings."
        )
    limits.append(
        "The link is an association: engagement and patient experience may both follow "
        "staffing or workload."
    )
    return _done(key, limits)


def outcome_texts(codebook: Any) -> dict[str, str]:
    """Outcome id -> desired-outcome statement of a codebook ({} for None).

    Parameters
    ----------
    codebook : jtbd_methods.codebook.Codebook or None
        The study's codebook.

    Returns
    -------
    dict

    Examples
    --------
    >>> outcome_texts(None)
    {}
    """
    if codebook is None:
        return {}
    frame = codebook.outcomes_frame()
    return {str(o): str(t) for o, t in zip(frame["outcome_id"], frame["text"], strict=True)}


_BY_STEM: dict[str, Callable[..., Findings]] = {
    "00": overview,
    "01": job_discovery,
    "02": segments,
    "03": tracking,
    "04": recovery,
    "05": workforce,
}


def for_notebook(stem: str, results: Mapping[str, Any], **kwargs: Any) -> Findings | None:
    """Findings for a notebook named by its stem (``"03_satisfaction_tracking"``).

    Parameters
    ----------
    stem : str
        The notebook's stem or number.
    results : mapping
        Its recorded results.
    **kwargs
        Passed on (``labels=`` or ``outcomes=``) when the function takes them.

    Returns
    -------
    Findings or None
        None for a notebook without a findings function.

    Examples
    --------
    >>> for_notebook("05_workforce_px", {}).limits[0][:8]
    'The link'
    >>> for_notebook("99_other", {}) is None
    True
    """
    func = _BY_STEM.get(str(stem)[:2])
    if func is None:
        return None
    import inspect

    accepted = inspect.signature(func).parameters
    return func(results, **{k: v for k, v in kwargs.items() if k in accepted})
