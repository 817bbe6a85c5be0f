"""A study whose comments carry no ratings (common in real exports): tracking and recovery
reports still show data in every chart, say what needs ratings, and write no NaT."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from conftest import ROOT, SAMPLE_STUDY, html_table_column

from jtbd_methods.runner import run_notebooks

pytestmark = pytest.mark.notebook
NOTEBOOKS = [
    ROOT / "notebooks" / "03_satisfaction_tracking.ipynb",
    ROOT / "notebooks" / "04_service_recovery.ipynb",
]


@pytest.fixture(scope="module")
def text_only_run(tmp_path_factory):
    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.skip("sample study not generated")
    study = tmp_path_factory.mktemp("text_only")
    for name in ("study.yaml", "codebook.yaml", "feedback.csv", "actions.csv"):
        shutil.copy(SAMPLE_STUDY / name, study / name)
    fb = pd.read_csv(study / "feedback.csv", dtype=str, keep_default_na=False)
    fb = fb[[c for c in fb.columns if not c.startswith("code_")]]
    fb["rating"] = ""  # the column is there, every rating empty
    fb.to_csv(study / "feedback.csv", index=False)
    out = tmp_path_factory.mktemp("reports_text_only")
    result = run_notebooks(NOTEBOOKS, study=study, out=out)
    return out, result


def test_reports_without_ratings_run_and_record_no_nat(text_only_run):
    out, result = text_only_run
    assert result.ok, result
    for nb in NOTEBOOKS:
        text = (out / nb.stem / "results.json").read_text()
        assert "NaT" not in text and "NaN" not in text, nb.stem
        findings = json.loads(text)["findings.key"]
        assert 2 <= len(findings) <= 5, (nb.stem, findings)


def test_every_chart_has_data_and_the_report_says_what_needs_ratings(text_only_run):
    out, _ = text_only_run
    tracking = (out / "03_satisfaction_tracking" / "03_satisfaction_tracking.html").read_text()
    recovery = (out / "04_service_recovery" / "04_service_recovery.html").read_text()
    for page in (tracking, recovery):
        assert "carry no ratings" in page
        assert "too few responses" not in page.lower()  # no empty chart anywhere
        assert "1970" not in page
    # tracking: small multiples of the disrupted share and of the mentions, the job's SPC
    # chart, and the actions measured on the words
    assert len(re.findall(r"<img ", tracking)) >= 3
    assert "disrupted before" in tracking
    results = json.loads((out / "03_satisfaction_tracking" / "results.json").read_text())
    # the planted effect of A01 (a clearer follow-up call) shows in the words alone
    assert results["text_actions.a01.verdict"] == "improved"
    assert results["text_actions.a01.level_change"] < -20
    # recovery: the priority matrix is drawn from the words and its top jobs are recorded
    assert len(re.findall(r"<img ", recovery)) >= 1
    rec = json.loads((out / "04_service_recovery" / "results.json").read_text())
    assert rec["priorities.rated"] is False and rec["priorities.top_jobs"]
    top = rec["priorities.top_jobs"][0]
    assert rec[f"priorities.{top}.n_disrupted"] > 0


def test_action_shares_are_shown_as_the_percentages_results_record(text_only_run):
    """The frame holds fractions (0-1) and results.json percentage points: the table must
    show the latter (it once showed 0.7% for 70%)."""
    out, _ = text_only_run
    page = (out / "03_satisfaction_tracking" / "03_satisfaction_tracking.html").read_text()
    results = json.loads((out / "03_satisfaction_tracking" / "results.json").read_text())
    for column, field in (("disrupted before", "share_before"), ("disrupted after", "share_after")):
        rows = html_table_column(page, column)
        assert rows, column
        for action, shown in rows:
            recorded = results.get(f"text_actions.{action.lower()}.{field}")
            if recorded is None:
                assert shown == "—", (action, shown)
            else:
                assert shown == f"{recorded:,.1f}%", (action, column, shown, recorded)
