"""Key findings are written from recorded results: right numbers, no crash on gaps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jtbd_methods import findings, report
from jtbd_methods.findings import Findings

SAMPLE_LABELS = {
    "gain_clarity": "Understand what comes next",
    "feel_heard": "Feel seen and heard",
    "trust_team": "Trust the team again",
}

# Results recorded by the notebooks on the sample study (a subset of the keys, values as the
# run of 2026-12-02 wrote them; the planted truths are in data/samples/recovery_study/_truth).
SAMPLE_03 = {
    "overall.latest_period": "2025-12-01",
    "overall.latest_positive_share": 63.128491620111724,
    "overall.latest_positive_share_ci": [55.854140659738704, 69.85118913971948],
    "spc.variation": "common_cause",
    "spc.chart": "p",
    "actions.a01.job": "gain_clarity",
    "actions.a01.verdict": "improved",
    "actions.a01.level_change": 20.49277868814845,
    "actions.a01.level_change_ci": [13.592748148523782, 27.392809227773125],
    "actions.a02.job": "feel_heard",
    "actions.a02.verdict": "inconclusive",
    "actions.a02.level_change": 11.149719093363796,
    "actions.a02.level_change_ci": [-2.833409502979128, 25.132847689706722],
    "actions.a03.level_change": None,
    "actions.a03.level_change_ci": [None, None],
    "pilots.a02.did": 6.112076831696952,
    "pilots.a02.did_ci": [-7.9739102388035885, 20.198063902197493],
    "pilots.a02.mde": 19.6,
    "pilots.a02.verdict": "inconclusive",
}


def test_tracking_findings_state_the_numbers_and_the_verdicts():
    found = findings.tracking(SAMPLE_03, labels=SAMPLE_LABELS)
    assert 3 <= len(found.key) <= 5
    assert found.key[0].startswith(
        "63% of rated comments were positive in 2025-12 (95% CI 56% to 70%)"
    )
    assert (
        "Action A01 lifted positive ratings about understand what comes next by 20 points"
        in found.key[1]
    )
    assert "inconclusive" in found.key[2] and "feel seen and heard" in found.key[2]
    assert "detects only effects of about 20 points" in found.key[3]
    assert any("evidence, not proof" in lim for lim in found.limits)


def test_tracking_findings_without_ratings_use_the_words():
    results = {
        "job_trends.measure": "disrupted_share",
        "job_trends.gain_clarity.latest_share": 48.0,
        "job_trends.gain_clarity.last_signal": "improvement",
        "job_trends.feel_heard.latest_share": 61.0,
        "job_trends.feel_heard.last_signal": None,
        "overall.latest_period": None,
    }
    found = findings.tracking(results, labels=SAMPLE_LABELS)
    assert found.headline == (
        "Feel seen and heard is the job most often disrupted in the latest month: in 61% of the "
        "comments about it."
    )
    assert any("understand what comes next show it improving" in k for k in found.key)
    assert any("no ratings" in lim for lim in found.limits)
    assert not any("NaT" in k or "None" in k or "nan" in k for k in found.key)


def test_recovery_findings_explain_when_survey_and_comments_disagree():
    results = {
        "priorities.top_jobs": ["gain_clarity", "feel_heard"],
        "priorities.rated": True,
        "priorities.gain_clarity.n_disrupted": 389,
        "priorities.gain_clarity.disruption_share": 9.725,
        "priorities.gain_clarity.impact": 0.93,
        "priorities.feel_heard.n_disrupted": 414,
        "priorities.feel_heard.disruption_share": 10.35,
        "priorities.feel_heard.impact": 0.61,
        "drivers.ranking": ["emotional_support", "gain_clarity"],
        "drivers.emotional_support.relative_weight": 6.4,
        "actions.n": 3,
        "actions.improved": ["A01"],
        "actions.gaps": ["trust_team"],
    }
    found = findings.recovery(results, labels=SAMPLE_LABELS)
    assert found.key[0] == (
        "Fix understand what comes next first: it is disrupted in 9.7% of comments (389) and "
        "costs 0.9 rating points each time."
    )
    assert found.key[1].startswith(
        "Next, feel seen and heard: it is disrupted in 10% of comments (414)"
    )
    assert "the two rankings can differ" in found.key[2]
    assert found.key[3] == (
        "3 improvement actions on file; 1 measurably improved its job; no action yet on trust "
        "the team again."
    )


def test_recovery_findings_without_ratings_drop_the_cost():
    results = {
        "priorities.top_jobs": ["feel_heard"],
        "priorities.rated": False,
        "priorities.feel_heard.n_disrupted": 414,
        "priorities.feel_heard.disruption_share": 10.35,
    }
    found = findings.recovery(results, labels=SAMPLE_LABELS)
    assert (
        found.headline == "Fix feel seen and heard first: it is disrupted in 10% of comments (414)."
    )
    assert any("no ratings" in lim for lim in found.limits)


def test_job_discovery_counts_match_the_recorded_shares():
    results = {
        "comments.with_job_share": 75.2,
        "jobs.ranking": ["gain_clarity"],
        "jobs.gain_clarity.share": 21.25,
        "jobs.disrupted_ranking": ["feel_heard"],
        "jobs.feel_heard.n_mentioned": 697,
        "jobs.feel_heard.n_disrupted": 391,
        "jobs.feel_heard.disrupted_share": 59.3974175035868,
    }
    found = findings.job_discovery(results, labels=SAMPLE_LABELS)
    # the recorded count itself (the tables' number), not mentions x share: the share is of
    # mentions with a readable polarity, so 697 x 59.4% would overstate it
    assert "in 391 comments, 59% of those whose polarity is readable" in found.key[1]
    assert any("unvalidated" in lim for lim in found.limits)


def test_overview_segments_and_workforce_on_sample_figures():
    over = findings.overview(
        {
            "comments.n": 4000,
            "comments.sites": 6,
            "comments.first_date": "2024-01-01",
            "comments.last_date": "2025-12-31",
            "ratings.positive_share": 62.06541334020087,
            "ratings.missing_share": 2.925,
            "survey.n": 2000,
            "survey.respondents": 1200,
            "quality.n_warnings": 4,
        }
    )
    assert len(over.key) == 4 and "62%" in over.key[1] and "1,200 patients" in over.key[2]
    seg = findings.segments(
        {
            "segments.k": 2,
            "segments.1.name": "Return to routines",
            "segments.1.share": 35.0,
            "segments.2.name": "Regain a sense of self",
            "segments.2.share": 65.0,
            "segments.vs_diagnosis_cramers_v_corrected": 0.176,
            "typing_tool.accuracy": 94.75,
            "typing_tool.items": ["a", "b", "c", "d", "e", "f"],
        }
    )
    assert seg.headline.endswith("the largest is regain a sense of self (65% of respondents).")
    assert any("Cramér's V = 0.18" in k for k in seg.key)
    assert any("6-question typing tool" in k and "95%" in k for k in seg.key)
    work = findings.workforce(
        {
            "workforce.within_unit_effect": 3.26304686678716,
            "workforce.within_unit_effect_ci": [1.9895200183981472, 4.536573715176173],
            "workforce.n_units": 6,
        }
    )
    assert "3.3 percentage points (95% CI 2.0 to 4.5)" in work.headline


@pytest.mark.parametrize("stem", ["00", "01", "02", "03", "04", "05"])
def test_every_function_survives_empty_and_broken_results(stem):
    for results in ({}, {"comments.n": None, "segments.k": "four", "jobs.ranking": "x"}):
        found = findings.for_notebook(stem, results)
        assert isinstance(found, Findings)
        assert len(found.key) <= findings.MAX_FINDINGS
        assert found.limits  # says what it cannot tell
        assert not any(word in " ".join(found.key) for word in ("None", "nan", "NaT"))


def test_key_findings_are_recorded_for_the_report():
    report.reset()
    stored = report.key_findings(Findings(key=("A.", "B."), limits=("C.",)))
    assert stored == {"findings.key": ["A.", "B."], "findings.limits": ["C."]}
    assert report.results()["findings.key"] == ["A.", "B."]
    report.reset()
    with pytest.raises(TypeError, match="Findings object"):
        report.key_findings(["A."])


def test_findings_on_a_recorded_sample_run(tmp_path: Path):
    """The findings of a results.json written by a run read back without loss."""
    path = tmp_path / "results.json"
    path.write_text(json.dumps(SAMPLE_03), encoding="utf-8")
    found = findings.for_notebook(
        "03_satisfaction_tracking", json.loads(path.read_text()), labels=SAMPLE_LABELS
    )
    assert found == findings.tracking(SAMPLE_03, labels=SAMPLE_LABELS)
