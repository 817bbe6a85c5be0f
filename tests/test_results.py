"""results: each notebook's fixed results keys, defined once and recorded by one helper."""

from __future__ import annotations

import ast
import inspect
import json
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import ROOT

from jtbd_methods import findings, report, results
from jtbd_methods.overview import rating_distribution


@pytest.fixture(autouse=True)
def _clean():
    report.reset()
    yield
    report.reset()


class _Model:
    n_units, n_unit_periods = 4, 48

    def estimate(self, component):
        return {"within_unit": 1.5, "between_unit": 3.0}[component]

    def interval(self, component):
        return (0.5, 2.5) if component == "within_unit" else (1.0, 5.0)


FEEDBACK = pd.DataFrame(
    {
        "comment_id": ["a", "b", "c", "d", "e"],
        "site": ["North", "South", "North", "", "South"],
        "received": pd.to_datetime(
            ["2024-02-01", "2024-01-05", "2024-03-31", "2024-02-10", "2024-02-11"]
        ),
        "rating": pd.array([5, 4, 1, 2, None], dtype="Int64"),
    }
)
CODES = pd.DataFrame(
    {
        "comment_id": ["a", "a", "c", "d"],
        "source": ["phrase", "model", "phrase", "phrase"],
        "polarity": ["disrupted", "unclear", "fulfilled", "disrupted"],
    }
)

# Each helper with inputs whose headline figures are known by construction, and those figures.
CASES = {
    "record_volume": (
        lambda: results.record_volume(FEEDBACK),
        # 5 comments; "" is no site, so 2 sites; dates are the extremes, not the first row
        [5, 2, "2024-01-05", "2024-03-31"],
    ),
    "record_ratings": (
        lambda: results.record_ratings(FEEDBACK, rating_distribution(FEEDBACK)),
        # 2 of 4 rated comments are 4 or 5; 1 of 5 comments has no rating
        [50.0, 20.0],
    ),
    "record_non_answers": (
        lambda: results.record_non_answers(
            pd.DataFrame({"n_non_answers": [1, 4], "non_answer_share": [0.1, 0.08]})
        ),
        [4, 8.0],  # the last (total) row, as percentage points
    ),
    "record_survey": (
        lambda: results.record_survey(pd.DataFrame({"respondent_id": ["R1", "R1", "R2"]})),
        [3, 2],
    ),
    "record_quality": (lambda: results.record_quality(pd.DataFrame({"check": ["x", "y"]})), [2]),
    "record_coverage": (
        lambda: results.record_coverage(FEEDBACK, CODES),
        [5, 60.0],  # a, c and d of five comments have a code
    ),
    "record_code_sources": (lambda: results.record_code_sources(CODES), [3, 1, 25.0]),
    "record_suppressed": (
        lambda: results.record_suppressed(pd.DataFrame({"suppressed": [True, False, True]})),
        [2],
    ),
    "record_redactions": (
        lambda: results.record_redactions(pd.DataFrame({"n": [2, 5]})),
        [7],
    ),
    "record_codebook_quality": (
        lambda: results.record_codebook_quality(SimpleNamespace(macro_f1=0.7, micro_f1=0.8, n=9)),
        [0.7, 0.8, 9],
    ),
    "record_agreement": (
        lambda: results.record_agreement(
            pd.DataFrame({"job_id": ["x", "all_jobs"], "alpha": [0.1, 0.81], "kappa": [0.2, 0.8]})
        ),
        [0.81, 0.8],
    ),
    "record_coder_quality": (
        lambda: results.record_coder_quality(
            SimpleNamespace(macro_f1=0.6, micro_f1=0.7, rare_labels=("x",))
        ),
        [0.6, 0.7, ["x"]],
    ),
    "record_review": (lambda: results.record_review(pd.DataFrame({"c": [1, 2, 3]})), [3]),
    "record_discovery": (
        lambda: results.record_discovery(pd.DataFrame({"c": range(60)}), SimpleNamespace(k=4)),
        [60, 4],
    ),
    "record_segmented": (lambda: results.record_segmented(pd.DataFrame({"r": [1, 2]})), [2]),
    "record_segments_vs": (
        lambda: results.record_segments_vs(
            SimpleNamespace(cramers_v=0.3, cramers_v_corrected=0.25, p_value=0.01, ari=0.05)
        ),
        [0.3, 0.25, 0.01, 0.05],
    ),
    "record_typing_tool": (
        lambda: results.record_typing_tool(
            SimpleNamespace(accuracy_=0.8, accuracy_ci_=(0.7, 0.9), baseline_=0.4, items_=["imp_a"])
        ),
        [80.0, [70.0, 90.0], 40.0, ["imp_a"]],
    ),
    "record_charted_jobs": (lambda: results.record_charted_jobs(("b", "a")), [["b", "a"]]),
    "record_job_chart": (
        lambda: results.record_job_chart(
            "gain_clarity", pd.DataFrame({"signal": [False, True, True]}), measure="n"
        ),
        ["gain_clarity", 2, "n"],
    ),
    "record_coded_comments": (lambda: results.record_coded_comments(CODES), [3]),
    "record_actions": (
        lambda: results.record_actions(
            pd.DataFrame({"action_id": ["A01", "A02"], "verdict": ["improved", "inconclusive"]})
        ),
        [2, ["A01"]],
    ),
    "record_action_gaps": (
        lambda: results.record_action_gaps(
            pd.DataFrame({"job_id": ["x", "y"], "has_action": [True, False]})
        ),
        [["y"]],
    ),
    "record_engagement": (
        lambda: results.record_engagement(_Model()),
        [4, 48, 1.5, [0.5, 2.5], 3.0, [1.0, 5.0]],
    ),
}


def test_every_helper_is_tested_and_listed():
    helpers = {n for n in results.__all__ if n.startswith("record_")}
    assert helpers == set(results.KEYS) == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_helper_records_its_documented_keys(name):
    call, expected = CASES[name]
    stored = call()
    assert list(stored) == list(results.KEYS[name])
    assert list(stored.values()) == expected  # exact: every expected value is a binary fraction
    assert report.results() == stored
    # the docstring names every key it records (the helper's documentation is the key list)
    doc = inspect.getdoc(getattr(results, name))
    for key in results.KEYS[name]:
        assert f"``{key}``" in doc, (name, key)


def test_volume_without_dates_and_discovery_without_themes_record_less():
    assert results.record_volume(FEEDBACK, dates=False) == {"comments.n": 5}
    assert results.record_discovery(pd.DataFrame({"c": [1]})) == {"discovery.n_uncoded": 1}


def test_helpers_name_the_missing_column():
    with pytest.raises(
        ValueError, match=r"record_coverage: expected a DataFrame with a 'comment_id'"
    ):
        results.record_coverage(pd.DataFrame({"id": ["a"]}), CODES)
    with pytest.raises(ValueError, match="expected a row with job_id 'all_jobs'"):
        results.record_agreement(pd.DataFrame({"job_id": ["x"], "alpha": [1.0], "kappa": [1.0]}))
    with pytest.raises(ValueError, match="record_volume: expected a DataFrame with a 'received'"):
        results.record_volume(pd.DataFrame({"site": ["a"]}))


def _code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_notebooks_record_through_helpers_only():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    called = set()
    for path in notebooks:
        for source in _code_cells(path):
            assert "report.record(" not in source, f"{path.name}: inline report.record"
            called |= set(re.findall(r"\bresults\.(record_\w+)\(", source))
    assert called == set(results.KEYS), "every helper is used by a notebook, none is unknown"


def test_findings_read_only_keys_that_are_recorded():
    # every fixed key that findings.py reads (a dotted literal) is defined by a results helper
    # or written by an area's own record_* function or by report.key_findings
    tree = ast.parse(inspect.getsource(findings))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[a-z_]+\.[a-z0-9_]+(\.[a-z0-9_]+)*", node.value)
    }
    defined = {key for keys in results.KEYS.values() for key in keys}
    from_areas = re.compile(
        r"^(jobs|drivers|opportunity|priorities|segments|overall|spc|job_trends|actions|pilots|"
        r"text_actions|trajectories|findings)\."
    )
    unknown = sorted(k for k in literals if k not in defined and not from_areas.match(k))
    assert unknown == []
    # and the keys of the fixed helpers that findings reads are among them
    assert {"comments.n", "ratings.positive_share", "workforce.within_unit_effect_ci"} <= literals
