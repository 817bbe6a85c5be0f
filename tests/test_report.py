"""report: results keys and values, tables and cards escape data, export paths."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from jtbd_methods import report


@pytest.fixture(autouse=True)
def _clean():
    report.reset()
    yield
    report.reset()


def test_record_writes_json_atomically(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    monkeypatch.setenv(report.RESULTS_ENV, str(target))
    report.record("jobs.gain_clarity.share", np.float64(14.5))
    report.record("jobs.gain_clarity.share_ci", (12.0, 17.0))
    report.record("segments.1.top_outcomes", pd.Index(["a", "b"]))
    report.record("missing.value", float("nan"))
    assert json.loads(target.read_text()) == {
        "jobs.gain_clarity.share": 14.5,
        "jobs.gain_clarity.share_ci": [12.0, 17.0],
        "segments.1.top_outcomes": ["a", "b"],
        "missing.value": None,
    }


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("Jobs.Share", 1, "lower_snake"),
        ("jobs..share", 1, "lower_snake"),
        ("jobs.share_ci", 3, "pair"),
        ("jobs.share_ci", [1, 2, 3], "pair"),
        ("jobs.share_ci", [5, 1], "low > high"),
    ],
)
def test_record_rejects_bad_keys_and_intervals(key, value, match):
    with pytest.raises(ValueError, match=match):
        report.record(key, value)


def test_record_rejects_objects():
    with pytest.raises(TypeError, match="must be a number"):
        report.record("x.y", object())


def test_table_escapes_text_and_headers():
    df = pd.DataFrame({"<th>": ["<script>alert(1)</script>"], "p": [0.0004], "share": [12.34]})
    page = report.table(df, percent=["share"]).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;th&gt;" in page
    assert "&lt;0.001" in page and "12.3%" in page


def test_table_marks_missing_and_suppressed():
    df = pd.DataFrame({"site": ["A", "B"], "n": pd.array([12, pd.NA], dtype="Int64")})
    styler = report.table(df, min_cell_size=10)
    page = styler.to_html()
    assert "—" in page and "fewer than 10" in page


def test_cards_escape_and_lists():
    df = pd.DataFrame(
        {"t": ["<b>job</b>"], "s": ["statement"], "q": ["- one\n- <two>"], "e": [None]}
    )
    page = report.cards(
        df, title="t", subtitle="s", fields={"q": "Questions", "e": "Empty"}
    )._repr_html_()
    assert "&lt;b&gt;job&lt;/b&gt;" in page and "<li>&lt;two&gt;</li>" in page
    assert "Empty" not in page  # empty sections are left out
    with pytest.raises(ValueError, match="no column"):
        report.cards(df, title="nope", fields={})


def test_output_path_and_key_part(tmp_path, monkeypatch):
    monkeypatch.setenv(report.OUTPUT_ENV, str(tmp_path / "out"))
    assert report.output_path("plan.xlsx") == tmp_path / "out" / "plan.xlsx"
    with pytest.raises(ValueError, match="plain file name"):
        report.output_path("../plan.xlsx")
    assert report.key_part("A01 / pilot!") == "a01_pilot"
    assert report.key_part("***") == "none"


def test_table_rounds_per_column_never_shows_minus_zero_and_puts_headers_in_words():
    df = pd.DataFrame(
        {
            "silhouette": [0.1234, -0.00004],
            "stability_ari": [0.61, -0.04],
            "stability_ari_low": [0.5, -0.02],
            "stability_ari_high": [0.7, 0.01],
        }
    )
    html_text = report.table(
        df,
        decimals={"silhouette": 2},
        ci={"stability_ari": ("stability_ari_low", "stability_ari_high")},
    ).to_html()
    assert ">0.12<" in html_text and ">0.00<" in html_text  # silhouette to 2 decimals
    assert "-0.0" not in html_text  # -0.04 rounds to 0.0, -0.02 to 0.0
    assert "0.6 (0.5 to 0.7)" in html_text and "0.0 (0.0 to 0.0)" in html_text
    assert "stability ari" in html_text and "stability_ari" not in html_text


# --------------------------------------------------------------------------- quotes shown once


def _quotes(rows):
    return pd.DataFrame(rows, columns=["job_id", "polarity", "comment_id", "rank", "quote"])


def test_a_comment_is_quoted_once_across_jobs_and_cells():
    # C1 mentions both jobs and is the best quote of each: it is quoted under the first only,
    # and the second job gets its next candidate
    first = _quotes(
        [
            ("a", "disrupted", "C1", 1, "q1"),
            ("a", "disrupted", "C2", 2, "q2"),
            ("b", "disrupted", "C1", 1, "q1"),
            ("b", "disrupted", "C3", 2, "q3"),
            ("b", "disrupted", "C4", 3, "q4"),
        ]
    )
    before = first.copy()
    shown = report.fresh_quotes(first, n=1, by=["job_id", "polarity"])
    pd.testing.assert_frame_equal(first, before)
    assert shown[["job_id", "comment_id", "rank"]].values.tolist() == [
        ["a", "C1", 1],
        ["b", "C3", 1],
    ]
    assert report.quoted() == {"C1", "C3"}
    # a later cell never repeats them
    later = report.fresh_quotes(first, by="job_id")
    assert later["comment_id"].tolist() == ["C2", "C4"]
    assert later["rank"].tolist() == [1, 1]
    assert report.fresh_quotes(first).empty
    report.reset()
    assert report.quoted() == frozenset()


def test_two_comments_with_the_same_words_are_one_quote():
    # synthetic and real exports hold duplicates ("Thank you", pasted twice): a reader sees the
    # words, not the ids, so the second is a repeat too
    q = _quotes(
        [
            ("a", "fulfilled", "C1", 1, "Staff were kind."),
            ("b", "fulfilled", "C2", 1, "staff were  KIND."),
            ("b", "fulfilled", "C3", 2, "Clear letters."),
        ]
    )
    assert report.fresh_quotes(q, n=1, by="job_id")["comment_id"].tolist() == ["C1", "C3"]
    later = _quotes([("c", "fulfilled", "C9", 1, "…staff were kind.")])
    assert report.fresh_quotes(later).empty
    # without a text column only ids count
    assert len(report.fresh_quotes(q.drop(columns="quote"))) == 1


def test_fresh_quotes_compares_ids_as_text_and_checks_its_input():
    report.mark_quoted([7])
    q = pd.DataFrame({"comment_id": [7, 8], "text": ["x", "y"]})
    assert report.fresh_quotes(q)["comment_id"].tolist() == [8]
    with pytest.raises(ValueError, match="comment_id"):
        report.fresh_quotes(pd.DataFrame({"id": [1]}))
    with pytest.raises(ValueError, match="'n' parameter of report.fresh_quotes"):
        report.fresh_quotes(q, n=0)


def test_table_marks_number_columns_and_ci_estimates():
    df = pd.DataFrame(
        {"job": ["x"], "n": [3], "share": [14.2], "lo": [12.0], "hi": [16.0], "ok": [True]}
    )
    page = report.table(df, ci={"share": ("lo", "hi")}).to_html()
    heads = re.findall(r"<th\b[^>]*class=\"([^\"]*)\"[^>]*>([^<]*)</th>", page)
    assert [(text, "jtbd-num" in cls) for cls, text in heads] == [
        ("job", False),
        ("n", True),
        ("share", True),
        ("ok", False),
    ]


def test_table_shows_shares_as_percentages_with_their_intervals():
    """Frames hold shares as 0-1 (CONTRIBUTING); ``shares=`` shows them as percentages,
    scaling the interval named in ``ci`` too, and leaves a suppressed (missing) share blank."""
    df = pd.DataFrame(
        {
            "share": pd.array([0.1423, None], dtype="Float64"),
            "lo": [0.121, 0.2],
            "hi": [0.165, 0.3],
            "other": [0.5, 0.25],
        }
    )
    html_text = report.table(df, shares=["share", "other"], ci={"share": ("lo", "hi")}).to_html()
    assert "14.2% (12.1 to 16.5)" in html_text
    assert "50.0%" in html_text and "25.0%" in html_text
    assert "—" in html_text
    assert df["share"].iloc[0] == pytest.approx(0.1423)  # the input is not changed
    with pytest.raises(ValueError, match="shares names 'missing'"):
        report.table(df, shares=["missing"])
