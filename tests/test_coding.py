"""Tests of jtbd_methods.coding: deductive coding, code tables and the supervised TextCoder."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import TEMPLATE_CODEBOOK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jtbd_methods.codebook import codebook_from_dict, load_codebook
from jtbd_methods.coding import (
    CoderEvaluation,
    CompiledCodebook,
    NgramTfidf,
    TextCoder,
    code_comments,
    coded_matrix,
    compile_codebook,
    job_shares,
)
from jtbd_methods.coding._calibration import _best_threshold, _platt
from jtbd_methods.coding.supervised import _evaluation
from jtbd_methods.lexicon import phrase_variants

CODEBOOK = codebook_from_dict(
    {
        "name": "test",
        "jobs": [
            {
                "id": "gain_clarity",
                "label": "Understand what comes next",
                "indicators": [
                    "what happens next",
                    {"phrase": "explain*", "polarity": "fulfilled"},
                    {"phrase": "no one explained", "polarity": "disrupted"},
                    {"phrase": "told * nothing", "polarity": "disrupted"},
                ],
            },
            {
                "id": "feel_heard",
                "label": "Feel heard",
                "indicators": [
                    {"phrase": "dismissive", "polarity": "disrupted"},
                    {"phrase": "listened", "polarity": "fulfilled"},
                    {"phrase": "felt rushed", "polarity": "disrupted"},
                    {"phrase": "nobody listened", "polarity": "disrupted"},
                ],
            },
            {
                "id": "follow_care_plan",
                "label": "Follow the plan",
                "indicators": ["medication*", "follow-up appointment*"],
            },
            {
                "id": "manage_side_effects",
                "label": "Manage side effects",
                "indicators": ["*ache", "side effect*"],
            },
        ],
    },
    source="test",
)
JOBS = list(CODEBOOK.job_ids)


def feedback(texts, ratings=None, ids=None) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "comment_id": pd.Series(
                ids if ids is not None else [f"c{i}" for i in range(n)], dtype="str"
            ),
            "rating": pd.array(ratings if ratings is not None else [None] * n, dtype="Int64"),
            "comment": texts,
        }
    )


def coded(texts, ratings=None, **options) -> dict[tuple[str, str], str]:
    """{(comment_id, job_id): polarity}."""
    out = code_comments(feedback(texts, ratings), CODEBOOK, **options)
    return {
        (c, j): p for c, j, p in zip(out["comment_id"], out["job_id"], out["polarity"], strict=True)
    }


def phrase_regex(phrase: str) -> re.Pattern[str]:
    """Independent reference matcher of one indicator phrase (word boundaries, * = \\w*)."""
    words = [re.escape(w).replace(r"\*", r"\w*") for w in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


# ================================================================== deductive: matching
def test_planted_jobs_negation_wildcards_and_spans():
    texts = [
        "The nurse was not dismissive at all and explained everything.",  # 0
        "Nobody listened to me.",  # 1
        "I never felt rushed.",  # 2
        "No one explained what happens next.",  # 3
        "The doctor didn't explain my medication.",  # 4
        "I had a headache for days, side effects nobody mentioned.",  # 5
        "They told me nothing about my follow-up appointments.",  # 6
        "Parking was fine.",  # 7
        "",  # 8
    ]
    got = coded(texts, ratings=[3] * len(texts))
    expected = {
        ("c0", "feel_heard"): "fulfilled",  # "not dismissive": negated disrupted phrase
        ("c0", "gain_clarity"): "fulfilled",
        ("c1", "feel_heard"): "disrupted",  # "nobody listened"
        ("c2", "feel_heard"): "fulfilled",  # "never felt rushed"
        ("c3", "gain_clarity"): "disrupted",  # "no one explained": cue inside the phrase
        ("c4", "gain_clarity"): "disrupted",  # "didn't explain"
        ("c4", "follow_care_plan"): "disrupted",  # neutral phrase, negated wording
        ("c5", "manage_side_effects"): "disrupted",
        ("c6", "gain_clarity"): "disrupted",  # "told * nothing": wildcard inside a phrase
        ("c6", "follow_care_plan"): "disrupted",
    }
    assert got == expected


def test_evidence_spans_slice_the_original_text():
    texts = [
        "I was NOT  told\nwhat   happens next.",
        "Staff EXPLAINED everything; my backache went.",
        "They didn’t listen, the follow-up appointments were never booked",
        "Nobody listened – told me nothing",
    ]
    codes = code_comments(feedback(texts), CODEBOOK)
    # 7: "didn't listen" is an inflected form of the indicator "listened"
    assert len(codes) == 7
    for row in codes.itertuples():
        comment = texts[int(row.comment_id[1:])]
        span = comment[row.start : row.end]
        forms = phrase_variants(row.phrase.lower())
        assert any(phrase_regex(form).fullmatch(span) for form in forms), (row.phrase, span)
    spans = {
        (r.comment_id, r.job_id): texts[int(r.comment_id[1:])][r.start : r.end]
        for r in codes.itertuples()
    }
    assert spans[("c0", "gain_clarity")] == "what   happens next"
    assert spans[("c1", "gain_clarity")] == "EXPLAINED"
    assert spans[("c1", "manage_side_effects")] == "backache"
    assert spans[("c2", "follow_care_plan")] == "follow-up appointments"
    assert spans[("c3", "gain_clarity")] == "told me nothing"
    assert spans[("c2", "feel_heard")] == "listen"
    heard = codes.set_index(["comment_id", "job_id"]).loc[("c2", "feel_heard")]
    assert (heard["polarity"], heard["polarity_source"]) == ("disrupted", "negation")


def test_phrases_match_only_on_word_boundaries():
    got = coded(
        ["The explainer video was unlistened to", "mydismissive", "headaches", "a headache"]
    )
    # "explainer" is explain* (wildcard), "unlistened" is not "listened", "mydismissive" no,
    # "*ache" matches "headache" but not "headaches"; with no wording, rating or question
    # around it the polarity of "a headache" is unclear (never a default)
    assert got == {("c0", "gain_clarity"): "fulfilled", ("c3", "manage_side_effects"): "unclear"}


def test_several_jobs_in_one_comment_and_first_evidence():
    texts = ["They explained my medication clearly but the doctor was dismissive and felt rushed."]
    codes = code_comments(feedback(texts, [4]), CODEBOOK)
    assert codes["job_id"].tolist() == ["gain_clarity", "feel_heard", "follow_care_plan"]
    heard = codes.set_index("job_id").loc["feel_heard"]
    assert heard["phrase"] == "dismissive"  # the first of two disrupted matches


@pytest.mark.parametrize(
    ("text", "rating", "expected"),
    [
        ("My medication was great.", None, "fulfilled"),  # positive cue in the clause
        ("My medication was awful.", None, "disrupted"),  # negative cue
        ("My medication was not helpful.", 5, "disrupted"),  # negated positive cue
        ("No problems with my medication.", 1, "fulfilled"),  # negated negative cue
        ("My medication was never delivered.", 5, "disrupted"),  # negation after the phrase
        ("My medication arrived.", 1, "disrupted"),  # no cue: the rating decides
        ("My medication arrived.", 5, "fulfilled"),
        ("My medication arrived.", 3, "unclear"),  # rating 3: no signal at all
        ("My medication arrived.", None, "unclear"),  # missing rating: no signal at all
        ("Lovely staff, my medication arrived.", 1, "fulfilled"),  # the sentence before rating
        ("Lovely staff. My medication arrived.", 1, "fulfilled"),  # the comment before rating
        ("Lovely staff but my medication arrived late.", 5, "disrupted"),  # its own clause
        ("My MEDICATION was late.", 5, "disrupted"),
        ("Could the medication come sooner? More medication reviews", 5, "disrupted"),
        ("Couldn't fault the team, medication was great", 2, "fulfilled"),  # pseudo-negation
    ],
)
def test_polarity_of_phrases_without_a_polarity(text, rating, expected):
    assert coded([text], [rating]) == {("c0", "follow_care_plan"): expected}


REQUESTS = codebook_from_dict(
    {
        "name": "requests",
        "jobs": [
            {"id": "access_care", "label": "Get seen", "indicators": [
                {"phrase": "short wait*", "polarity": "fulfilled"},
                {"phrase": "wait so long", "polarity": "disrupted"},
            ]},
            {"id": "gain_clarity", "label": "Understand", "indicators": ["explain*"]},
        ],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "job", "expected"),
    [
        # a request opening counts even where a polar phrase starts with it
        ("Shorter waits at the clinic.", "access_care", "disrupted"),
        ("Good staff. Shorter waits please", "access_care", "disrupted"),
        ("A short wait at the clinic.", "access_care", "fulfilled"),
        # a comparison is not a request
        ("Shorter waits than I expected.", "access_care", "fulfilled"),
        ("Better than expected: they explained it all.", "gain_clarity", "fulfilled"),
        ("More than happy with how they explained it.", "gain_clarity", "fulfilled"),
        # "Not to ..." asks for something not to happen again
        ("Not to wait so long for the results.", "access_care", "disrupted"),
        ("We did not wait so long this time, it was great.", "access_care", "fulfilled"),
        # imperatives ask; "better" and "improve" are what is asked for, not praise
        ("Explain things better.", "gain_clarity", "disrupted"),
        ("Be more patient when you explain the plan.", "gain_clarity", "disrupted"),
        ("Communicate and explain what the plan is.", "gain_clarity", "disrupted"),
        ("The nurse should explain more and improve the leaflets.", "gain_clarity", "disrupted"),
        # praise written with a negation and "better", however the modal is written
        ("Couldn't have done any better, they explained it all.", "gain_clarity", "fulfilled"),
        ("I could not wish for a better team to explain things.", "gain_clarity", "fulfilled"),
        ("They explained everything and I feel better.", "gain_clarity", "fulfilled"),
    ],
)
def test_requests_by_their_form(text, job, expected):
    out = code_comments(feedback([text]), REQUESTS, rating=None)
    assert dict(zip(out["job_id"], out["polarity"], strict=True)) == {job: expected}


def test_rating_is_only_a_tie_break_and_polarity_sources():
    assert coded(["My medication arrived."], [1], rating=None) == {
        ("c0", "follow_care_plan"): "unclear"
    }
    codes = code_comments(feedback(["My medication arrived.", "My medication arrived."], [1, 5]),
                          CODEBOOK)  # fmt: skip
    assert codes["polarity"].tolist() == ["disrupted", "fulfilled"]
    assert codes["polarity_source"].tolist() == ["rating", "rating"]
    assert codes["source"].tolist() == ["phrase", "phrase"]
    assert codes["probability"].isna().all()


def test_codebook_polarity_wins_over_wording_and_rating():
    # fulfilled phrase in a complaint with rating 1 stays fulfilled; disrupted one with 5 too
    assert coded(["Terrible day but they listened."], [1]) == {("c0", "feel_heard"): "fulfilled"}
    assert coded(["Lovely day, a bit dismissive."], [5]) == {("c0", "feel_heard"): "disrupted"}


def test_disrupted_evidence_wins_within_a_job_and_polar_before_neutral():
    got = code_comments(feedback(["They listened. Later the consultant was dismissive."]), CODEBOOK)
    assert got[["job_id", "polarity", "phrase"]].values.tolist() == [
        ["feel_heard", "disrupted", "dismissive"]
    ]
    # neutral phrase guessed disrupted loses to a phrase with its own polarity
    got = code_comments(
        feedback(["What happens next is unclear, the staff explained it."], [1]), CODEBOOK
    )
    assert got[["polarity", "phrase"]].values.tolist() == [["fulfilled", "explain*"]]


def test_negation_scope_window_and_clause():
    # four words between the cue and the phrase: outside the default window of 3, so the
    # phrase is not negated; the cue, negating nothing else, still tips its clause
    far = code_comments(feedback(["Not that they really ever listened"]), CODEBOOK)
    assert far[["polarity", "polarity_source"]].values.tolist() == [["disrupted", "sentiment"]]
    near = code_comments(
        feedback(["Not that they really ever listened"]), CODEBOOK, negation_window=4
    )
    assert near[["polarity", "polarity_source"]].values.tolist() == [["disrupted", "negation"]]
    assert coded(["Not that they ever listened"]) == {("c0", "feel_heard"): "disrupted"}
    # a clause boundary (comma, "but") ends the scope
    assert coded(["Not great, they listened"]) == {("c0", "feel_heard"): "fulfilled"}
    assert coded(["Not the best food but they listened"]) == {("c0", "feel_heard"): "fulfilled"}
    assert coded(["Not the best food - listened though"]) == {("c0", "feel_heard"): "fulfilled"}


def test_matches_an_independent_regex_reference_on_random_comments():
    rng = np.random.default_rng(7)
    vocab = [
        "the",
        "nurse",
        "explained",
        "explaining",
        "what",
        "happens",
        "next",
        "dismissive",
        "not",
        "no",
        "one",
        "listened",
        "felt",
        "rushed",
        "medications",
        "follow-up",
        "appointment",
        "headache",
        "side",
        "effects",
        "told",
        "me",
        "nothing",
        ",",
        ".",
        "unexplained",
        "explainer",
        "Nobody",
        "FELT",
        "RUSHED",
    ]
    texts = [" ".join(rng.choice(vocab, rng.integers(0, 14))) for _ in range(400)]
    codes = code_comments(feedback(texts), CODEBOOK)
    got = set(zip(codes["comment_id"], codes["job_id"], strict=True))
    expected = {
        (f"c{i}", job.id)
        for i, t in enumerate(texts)
        for job in CODEBOOK.jobs
        if any(phrase_regex(ind.phrase).search(t) for ind in job.indicators)
    }
    assert got == expected


def test_no_comment_without_job_gets_a_row_and_empty_result_is_dtype_stable():
    out = code_comments(feedback(["Parking was fine.", "", None]), CODEBOOK)
    assert len(out) == 0
    assert list(out.columns) == [
        "comment_id",
        "job_id",
        "polarity",
        "polarity_source",
        "source",
        "probability",
        "phrase",
        "start",
        "end",
    ]
    assert out["start"].dtype == np.int64 and out["end"].dtype == np.int64
    assert out["job_id"].dtype == "str" and out["polarity"].dtype == "str"
    empty = code_comments(feedback([]), CODEBOOK)
    assert list(empty.dtypes) == list(out.dtypes)
    some = code_comments(feedback(["they listened"]), CODEBOOK)
    assert list(some.dtypes) == list(out.dtypes)


def test_chunk_size_and_compiled_codebook_do_not_change_the_result():
    texts = ["No one explained.", "they listened", "medication was late", "x", "dismissive"] * 7
    base = code_comments(feedback(texts), CODEBOOK)
    matcher = compile_codebook(CODEBOOK)
    assert isinstance(matcher, CompiledCodebook)
    pd.testing.assert_frame_equal(code_comments(feedback(texts), matcher, chunk_size=3), base)
    pd.testing.assert_frame_equal(code_comments(feedback(texts), CODEBOOK, chunk_size=1), base)
    # chunks matched by several threads at once come back in order, with the same codes
    one = code_comments(feedback(texts), matcher, chunk_size=4, n_jobs=1)
    pd.testing.assert_frame_equal(one, base)
    pd.testing.assert_frame_equal(
        code_comments(feedback(texts), matcher, chunk_size=4, n_jobs=3), base
    )
    with pytest.raises(ValueError, match="'n_jobs' parameter of code_comments must be -1"):
        code_comments(feedback(texts), matcher, n_jobs=0)


def test_dask_engine_gives_the_pandas_result():
    dd = pytest.importorskip("dask.dataframe")
    texts = ["No one explained.", "they listened", "medication was late", "x"] * 25
    fb = feedback(texts, [1, 5, 3, None] * 25)
    base = code_comments(fb, CODEBOOK)
    pd.testing.assert_frame_equal(code_comments(fb, CODEBOOK, engine="dask", chunk_size=10), base)
    lazy = code_comments(dd.from_pandas(fb, npartitions=4), CODEBOOK, engine="dask")
    assert isinstance(lazy, dd.DataFrame)
    # Dask keeps its own string dtype (string[pyarrow]); values are identical
    pd.testing.assert_frame_equal(lazy.compute().reset_index(drop=True), base, check_dtype=False)


def test_custom_column_names_and_id_dtype_kept():
    fb = pd.DataFrame({"key": [10, 11], "text": ["they listened", "dismissive"]})
    out = code_comments(fb, CODEBOOK, text="text", id_column="key", rating=None)
    # the old keyword still works for one release, with a FutureWarning
    with pytest.warns(
        FutureWarning, match=r"'id' parameter of code_comments\(\) is renamed 'id_column'"
    ):
        old = code_comments(fb, CODEBOOK, text="text", id="key", rating=None)
    pd.testing.assert_frame_equal(old, out)
    with pytest.raises(TypeError, match="got both 'id' and 'id_column'"):
        code_comments(fb, CODEBOOK, text="text", id="key", id_column="key", rating=None)
    with pytest.raises(TypeError, match="unexpected keyword argument 'idd'"):
        code_comments(fb, CODEBOOK, idd="key")
    assert out["comment_id"].tolist() == [10, 11]
    assert out["comment_id"].dtype == fb["key"].dtype


def test_shipped_codebook_examples_from_the_brief():
    codebook = load_codebook(TEMPLATE_CODEBOOK)
    texts = [
        "Staff were not dismissive at all.",
        "Nobody listened to me.",
        "No one explained what happens next.",
        "My appointment was cancelled twice.",
    ]
    out = code_comments(feedback(texts), codebook)
    assert out[["comment_id", "job_id", "polarity"]].values.tolist() == [
        ["c0", "feel_heard", "fulfilled"],
        ["c1", "feel_heard", "disrupted"],
        ["c2", "gain_clarity", "disrupted"],
        ["c3", "keep_routines", "disrupted"],
    ]


# ---------------------------------------------------------------------- errors (deductive)
def test_code_comments_errors():
    fb = feedback(["they listened"])
    with pytest.raises(TypeError, match="'feedback' parameter of code_comments must be a pandas"):
        code_comments(["they listened"], CODEBOOK)
    with pytest.raises(
        TypeError, match="'codebook' parameter of compile_codebook must be a Codebook"
    ):
        code_comments(fb, {"jobs": []})
    with pytest.raises(ValueError, match="'feedback' has no column 'text'"):
        code_comments(fb, CODEBOOK, text="text")
    with pytest.raises(ValueError, match="'engine' parameter of code_comments must be one of"):
        code_comments(fb, CODEBOOK, engine="spark")
    with pytest.raises(ValueError, match="must map to 'positive', 'negative' or 'neutral'"):
        code_comments(fb, CODEBOOK, questions={"What was good?": "good"})
    with pytest.raises(ValueError, match="without a question mapping the values must be"):
        code_comments(fb.assign(question="What was good?"), CODEBOOK)
    with pytest.raises(TypeError, match="'skip_non_answers' parameter of code_comments"):
        code_comments(fb, CODEBOOK, skip_non_answers="yes")
    with pytest.raises(
        ValueError, match=r"'negation_window' parameter of code_comments must be an integer in \[0"
    ):
        code_comments(fb, CODEBOOK, negation_window=-1)
    with pytest.raises(
        TypeError, match="'chunk_size' parameter of code_comments must be an integer"
    ):
        code_comments(fb, CODEBOOK, chunk_size=1.5)
    with pytest.raises(ValueError, match="duplicated ids"):
        code_comments(feedback(["a", "b"], ids=["x", "x"]), CODEBOOK)
    with pytest.raises(ValueError, match="is missing at rows"):
        code_comments(feedback(["a", "b"], ids=["x", None]), CODEBOOK)
    with pytest.raises(ValueError, match="word-list entries must be non-empty"):
        compile_codebook(CODEBOOK, negation_cues=["not", "*"])
    with pytest.raises(ValueError, match="has no column"):
        code_comments(feedback(["a"]).drop(columns="comment"), CODEBOOK, engine="dask")


# ----------------------------------------------------------------- properties (hypothesis)
WORDS = st.sampled_from(
    [
        "the",
        "not",
        "no one",
        "explained",
        "listened",
        "dismissive",
        "medication",
        "felt",
        "rushed",
        "great",
        "awful",
        ",",
        ".",
        "but",
        "what happens next",
        "headache",
        "never",
        "Explain",
        "\n",
        "  ",
    ]
)
COMMENTS = st.lists(st.lists(WORDS, max_size=12).map(" ".join), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=COMMENTS, seed=st.integers(0, 10_000))
def test_property_row_order_independence_and_input_unchanged(texts, seed):
    rng = np.random.default_rng(seed)
    fb = feedback(texts, list(rng.integers(1, 6, len(texts))))
    before = fb.copy(deep=True)
    out = code_comments(fb, CODEBOOK)
    pd.testing.assert_frame_equal(fb, before)
    shuffled = fb.sample(frac=1.0, random_state=seed)
    out2 = code_comments(shuffled, CODEBOOK)
    key = ["comment_id", "job_id"]
    pd.testing.assert_frame_equal(
        out.sort_values(key).reset_index(drop=True), out2.sort_values(key).reset_index(drop=True)
    )
    assert not out.duplicated(key).any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.text(max_size=60), min_size=1, max_size=10))
def test_property_arbitrary_unicode_never_crashes(texts):
    texts = [t + " explained ᵻİ listened" if i % 2 else t for i, t in enumerate(texts)]
    out = code_comments(feedback(texts), CODEBOOK)
    lengths = {f"c{i}": len(t) for i, t in enumerate(texts)}
    assert ((out["start"] >= 0) & (out["start"] < out["end"])).all()
    assert all(e <= lengths[c] for c, e in zip(out["comment_id"], out["end"], strict=True))
    assert set(out["polarity"]) <= {"disrupted", "fulfilled"}


# ======================================================================== code tables
CODES = pd.DataFrame(
    {
        "comment_id": ["a", "a", "b", "c", "d", "z"],
        "job_id": [
            "gain_clarity",
            "feel_heard",
            "gain_clarity",
            "gain_clarity",
            "feel_heard",
            "gain_clarity",
        ],
        "polarity": ["disrupted", "fulfilled", "fulfilled", "disrupted", "disrupted", "disrupted"],
    }
)


def test_coded_matrix_layout_and_polarity_filter():
    m = coded_matrix(CODES, ["a", "b", "c", "d", "e"], ["gain_clarity", "feel_heard", "other"])
    assert m.columns.tolist() == ["comment_id", "gain_clarity", "feel_heard", "other"]
    assert m["gain_clarity"].tolist() == [1, 1, 1, 0, 0]  # "z" is not listed: ignored
    assert m["feel_heard"].tolist() == [1, 0, 0, 1, 0]
    assert m["other"].tolist() == [0] * 5
    d = coded_matrix(CODES, pd.Series(["a", "b"]), CODEBOOK, polarity="disrupted", prefix="code_")
    assert d.columns.tolist() == ["comment_id", *[f"code_{j}" for j in JOBS]]
    assert d["code_gain_clarity"].tolist() == [1, 0]
    assert d["code_feel_heard"].tolist() == [0, 0]


def test_coded_matrix_errors():
    with pytest.raises(ValueError, match="'codes' has no column 'polarity'"):
        coded_matrix(CODES.drop(columns="polarity"), ["a"], ["x"])
    with pytest.raises(ValueError, match="'polarity' parameter of coded_matrix must be one of"):
        coded_matrix(CODES, ["a"], ["x"], polarity="bad")
    with pytest.raises(TypeError, match="'job_ids' parameter of coded_matrix must be a list"):
        coded_matrix(CODES, ["a"], "gain_clarity")
    with pytest.raises(ValueError, match="'job_ids' parameter of coded_matrix lists 'x' twice"):
        coded_matrix(CODES, ["a"], ["x", "x"])
    with pytest.raises(TypeError, match="'comment_ids' parameter of coded_matrix must be"):
        coded_matrix(CODES, 5, ["x"])
    with pytest.raises(ValueError, match="duplicated ids"):
        coded_matrix(CODES, ["a", "a"], ["x"])
    with pytest.raises(ValueError, match="must be 'disrupted', 'fulfilled' or 'unclear'"):
        coded_matrix(CODES.assign(polarity="neutral"), ["a"], ["x"])


def test_job_shares_counts_and_wilson_intervals_match_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    out = job_shares(CODES, ["a", "b", "c", "d", "e"], job_ids=["gain_clarity", "feel_heard"])
    row = out.set_index("job_id").loc["gain_clarity"]
    assert (row["n"], row["n_mentioned"], row["n_disrupted"]) == (5, 3, 2)
    assert row["share"] == pytest.approx(0.6) and row["disrupted_share"] == pytest.approx(2 / 3)
    # reference: statsmodels.stats.proportion.proportion_confint(3, 5, alpha=0.05,
    # method="wilson") and (2, 3, ...): the Wilson (1927) score interval
    lo, hi = proportion_confint(3, 5, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    lo, hi = proportion_confint(2, 3, alpha=0.05, method="wilson")
    assert (row["disrupted_ci_low"], row["disrupted_ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    # published value: Wilson interval for 40/100 is 0.3094-0.4980 (Newcombe 1998, Stat Med
    # 17:857-872, table I method 3, reproduced by statsmodels)
    codes = pd.DataFrame(
        {"comment_id": [f"i{i}" for i in range(40)], "job_id": "j", "polarity": "fulfilled"}
    )
    one = job_shares(codes, [f"i{i}" for i in range(100)]).iloc[0]
    assert (one["ci_low"], one["ci_high"]) == pytest.approx((0.3094, 0.4980), abs=5e-5)


def test_job_shares_by_group_and_zero_mentions():
    comments = pd.DataFrame({"comment_id": list("abcde"), "site": ["N", "N", "S", "S", None]})
    out = job_shares(CODES, comments, by="site", job_ids=["gain_clarity", "feel_heard"])
    assert out.columns[:2].tolist() == ["site", "job_id"]
    assert len(out) == 6  # N, S and missing site, 2 jobs each
    north = out[(out["site"] == "N") & (out["job_id"] == "gain_clarity")].iloc[0]
    assert (north["n"], north["n_mentioned"], north["n_disrupted"]) == (2, 2, 1)
    missing = out[out["site"].isna()]
    assert missing["n"].tolist() == [1, 1] and missing["n_mentioned"].tolist() == [0, 0]
    assert missing["disrupted_share"].isna().all()  # no mention: undefined, never 0


def test_job_shares_errors():
    with pytest.raises(ValueError, match="'ci' parameter of job_shares must be in"):
        job_shares(CODES, ["a"], ci=1.5)
    with pytest.raises(TypeError, match="with 'by', 'comment_ids' must be a DataFrame"):
        job_shares(CODES, ["a"], by="site")
    with pytest.raises(ValueError, match="'comment_ids' has no column 'site'"):
        job_shares(CODES, pd.DataFrame({"comment_id": ["a"]}), by="site")
    with pytest.raises(TypeError, match="'codes' parameter of job_shares must be a pandas"):
        job_shares([1, 2], ["a"])


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    picks=st.lists(
        st.tuples(
            st.integers(0, 39), st.sampled_from(JOBS), st.sampled_from(["disrupted", "fulfilled"])
        ),
        max_size=60,
    ),
    seed=st.integers(0, 1000),
)
def test_property_shares_in_unit_interval_and_order_free(n, picks, seed):
    ids = [f"k{i}" for i in range(n)]
    codes = pd.DataFrame(picks, columns=["comment_id", "job_id", "polarity"])
    codes["comment_id"] = "k" + codes["comment_id"].astype(str)
    codes = codes.drop_duplicates(["comment_id", "job_id"])
    before = codes.copy()
    out = job_shares(codes, ids, job_ids=JOBS)
    pd.testing.assert_frame_equal(codes, before)
    ok = out["share"].between(0, 1) & (out["ci_low"] <= out["share"] + 1e-12)
    ok &= out["share"] <= out["ci_high"] + 1e-12
    assert ok.all()
    assert (out["n_disrupted"] <= out["n_mentioned"]).all()
    shuffled = job_shares(
        codes.sample(frac=1, random_state=seed),
        pd.Series(ids).sample(frac=1, random_state=seed),
        job_ids=JOBS,
    )
    pd.testing.assert_frame_equal(out, shuffled)


# ============================================================== the sample study (planted)
def test_sample_study_deductive_coding_recovers_hand_coding_and_prevalence(sample_study):
    from sklearn.metrics import f1_score

    from jtbd_methods import load_study

    study = load_study(sample_study)
    jobs = list(study.codebook.job_ids)
    codes = code_comments(study.feedback, study.codebook)
    hand = study.hand_coded()
    ours = coded_matrix(codes, hand["comment_id"], jobs, prefix="code_")
    cols = [f"code_{j}" for j in jobs]
    macro = f1_score(hand[cols].to_numpy(), ours[cols].to_numpy(), average="macro")
    assert macro >= 0.85
    truth = json.loads((sample_study / "_truth" / "planted_truth.json").read_text())
    shares = job_shares(codes, study.feedback["comment_id"], job_ids=jobs).set_index("job_id")
    for job in jobs:
        planted = truth["jobs"][job]["prevalence"]
        assert shares.loc[job, "ci_low"] <= planted <= shares.loc[job, "ci_high"], job


# ================================================================== supervised: features
def _corpus(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    vocab = (
        "the nurse doctor explained everything clearly café naïve i a no one what happens "
        "next rude kind wait waited hours x"
    ).split()
    docs = [" ".join(rng.choice(vocab, rng.integers(0, 12))) for _ in range(n)]
    return [*docs, "", "  ", "A\tB  cd\nEF", "Ünïcödé ÉTÉ"]


@pytest.mark.parametrize(
    ("options", "reference"),
    [
        ({"word_ngrams": (1, 2), "char_ngrams": None}, {"ngram_range": (1, 2)}),
        (
            {"word_ngrams": None, "char_ngrams": (2, 5)},
            {"analyzer": "char_wb", "ngram_range": (2, 5)},
        ),
    ],
)
def test_ngram_tfidf_equals_scikit_learn_up_to_column_order(options, reference):
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = _corpus(300, 1)
    mine = NgramTfidf(min_df=2, chunk_size=64, **options).fit(docs)
    x = mine.transform(docs)
    # reference: scikit-learn's TfidfVectorizer with the same n-grams, sublinear tf, min_df
    ref = TfidfVectorizer(sublinear_tf=True, min_df=2, **reference)
    r = ref.fit_transform(docs)
    assert x.shape == r.shape
    # equal up to a permutation of columns <=> equal Gram matrices and equal idf multisets
    np.testing.assert_allclose((x @ x.T).toarray(), (r @ r.T).toarray(), atol=1e-12)
    np.testing.assert_allclose(np.sort(mine.idf_[0]), np.sort(ref.idf_), rtol=1e-12)


#: Discovery's token pattern: words of two or more letters (no digits, no underscore).
_LETTERS = r"(?u)\b[^\W\d_][^\W\d_]+\b"


def _discovery_corpus(seed: int) -> list[str]:
    """Words with digits, underscores, stop words, repeats, accents, CJK and empty texts."""
    rng = np.random.default_rng(seed)
    vocab = (
        "the nurse doctor explained everything clearly café naïve no one what happens next "
        "rude kind wait waited hours ward2 x_ray 24 hrs 東京 病院 ½ x² to and of"
    ).split()
    docs = [" ".join(rng.choice(vocab, rng.integers(0, 12))) for _ in range(400)]
    return [*docs, "", "  ", "A\tB  cd\nEF", "Ünïcödé ÉTÉ", "the and of to"]


@pytest.mark.parametrize("stop_words", ["english", ["nurse", "the", "x_ray"], None])
def test_ngram_tfidf_with_names_equals_scikit_learn_column_for_column(stop_words):
    """Word n-grams of letters, stop words, min_df, max_df and max_features, with readable
    names: the same feature names in the same order and the same matrix as scikit-learn.

    Reference: scikit-learn 1.x (Pedregosa et al. 2011), ``CountVectorizer(binary=True)``
    for the vocabulary (document frequency, ties by name: how discovery ranks terms) and
    ``TfidfVectorizer(vocabulary=..., sublinear_tf=True)`` for the weights.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    docs = _discovery_corpus(3)
    options = {"stop_words": stop_words, "ngram_range": (1, 2), "token_pattern": _LETTERS}
    counts = CountVectorizer(binary=True, min_df=2, max_df=0.5, **options).fit(docs)
    df = np.asarray(counts.transform(docs).sum(axis=0)).ravel()
    names = counts.get_feature_names_out()
    top = np.lexsort((names, -df))[:40]
    vocabulary = sorted(names[top].tolist())
    reference = TfidfVectorizer(vocabulary=vocabulary, sublinear_tf=True, **options)
    r = reference.fit_transform(docs)

    mine = NgramTfidf(
        word_ngrams=(1, 2),
        char_ngrams=None,
        tokens="letters",
        stop_words=stop_words,
        min_df=2,
        max_df=0.5,
        max_features=40,
        names=True,
        chunk_size=64,
    )
    x = mine.fit_transform(docs)
    assert mine.get_feature_names_out().tolist() == vocabulary
    np.testing.assert_allclose(x.toarray(), r.toarray(), atol=1e-12)
    np.testing.assert_allclose(mine.idf_[0], reference.idf_, rtol=1e-12)


def test_ngram_tfidf_sample_weight_counts_a_comment_as_copies():
    """Weight w gives what w copies of the comment give: the same vocabulary and idf."""
    docs = _discovery_corpus(4)[:120]
    weights = np.random.default_rng(0).integers(1, 4, len(docs))
    copies = [d for d, w in zip(docs, weights, strict=True) for _ in range(w)]
    options = {
        "word_ngrams": (1, 2),
        "char_ngrams": None,
        "tokens": "letters",
        "min_df": 3,
        "max_df": 0.6,
        "max_features": 25,
        "names": True,
        "stop_words": "english",
    }
    weighted = NgramTfidf(**options).fit(docs, sample_weight=weights)
    repeated = NgramTfidf(**options).fit(copies)
    assert weighted.get_feature_names_out().tolist() == repeated.get_feature_names_out().tolist()
    np.testing.assert_allclose(weighted.idf_[0], repeated.idf_[0], rtol=1e-12)
    np.testing.assert_allclose(
        weighted.transform(docs).toarray(), repeated.transform(docs).toarray(), atol=1e-12
    )
    with pytest.raises(ValueError, match="one weight >= 0 per text"):
        NgramTfidf(**options).fit(docs, sample_weight=weights[:-1])
    with pytest.raises(ValueError, match="names=True needs char_ngrams=None"):
        NgramTfidf(names=True).fit(docs)
    with pytest.raises(ValueError, match="feature names are kept only with names=True"):
        NgramTfidf().fit(docs).get_feature_names_out()
    with pytest.raises(ValueError, match="tokens must be 'word' or 'letters'"):
        NgramTfidf(tokens="chars").fit(docs)
    with pytest.raises(ValueError, match="stop_words must be 'english'"):
        NgramTfidf(stop_words="french").fit(docs)


def test_ngram_tfidf_rows_have_unit_length_and_unseen_ngrams_drop():
    docs = _corpus(200, 2)
    vec = NgramTfidf().fit(docs)
    x = vec.transform(["the nurse explained", "qqqq zzzz", ""])
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, [1.0, 0.0, 0.0], atol=1e-12)


# ============================================================= supervised: calibration
def test_platt_scaling_matches_the_published_maximum_likelihood():
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.3
    f = np.where(y, 1.0, -1.0) * 0.8 + rng.normal(0, 1, 500)
    a, b = _platt(f, y)
    # reference: Platt (1999), section 2.2 -- P(y=1|f) = 1 / (1 + exp(A f + B)) fitted by
    # maximum likelihood to the regularised targets t+ = (N+ + 1)/(N+ + 2) and
    # t- = 1/(N- + 2); minimised here independently with scipy's BFGS
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    t = np.where(y, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def nll(params):
        z = params[0] * f + params[1]  # log-odds of y = 0
        return float(np.sum(t * np.logaddexp(0, z) + (1 - t) * np.logaddexp(0, -z)))

    ref = minimize(nll, x0=[0.0, np.log((n_neg + 1) / (n_pos + 1))], method="BFGS", tol=1e-10)
    assert (a, b) == pytest.approx(tuple(ref.x), abs=1e-4)


def test_best_threshold_maximises_f1_over_all_cuts():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(3)
    y = rng.random(200) < 0.25
    p = np.clip(0.5 * y + rng.normal(0.25, 0.2, 200), 0, 1)
    t, best = _best_threshold(p, y)
    # reference: brute force over every distinct score with scikit-learn's f1_score
    brute = max(f1_score(y, p >= c) for c in np.unique(p))
    assert best == pytest.approx(brute)
    assert f1_score(y, p >= t) == pytest.approx(brute)


# =============================================================== supervised: metrics
def test_evaluation_metrics_equal_scikit_learn():
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    rng = np.random.default_rng(11)
    y_true = rng.random((300, 6)) < [0.4, 0.3, 0.2, 0.1, 0.02, 0.0]
    y_pred = y_true ^ (rng.random((300, 6)) < 0.15)
    ev = _evaluation(y_true, y_pred, list("abcdef"), method="x", folds=5, label_format="multilabel")
    present = y_true.sum(axis=0) > 0
    # reference: scikit-learn's precision_recall_fscore_support / f1_score on the same codes
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    np.testing.assert_allclose(ev.per_label["precision"][present], p[present])
    np.testing.assert_allclose(ev.per_label["recall"][present], r[present])
    np.testing.assert_allclose(ev.per_label["f1"][present], f[present])
    np.testing.assert_array_equal(ev.per_label["support"], s)
    assert ev.per_label["f1"][~present].isna().all()
    assert ev.macro_f1 == pytest.approx(
        f1_score(y_true, y_pred, average="macro", labels=np.flatnonzero(present), zero_division=0)
    )
    assert ev.micro_f1 == pytest.approx(f1_score(y_true, y_pred, average="micro"))
    # multi-class: micro-F1 is accuracy
    truth = rng.integers(0, 4, 200)
    pred = np.where(rng.random(200) < 0.7, truth, rng.integers(0, 4, 200))
    ev = _evaluation(
        np.eye(4, dtype=bool)[truth],
        np.eye(4, dtype=bool)[pred],
        list("wxyz"),
        method="x",
        folds=5,
        label_format="multiclass",
    )
    assert ev.micro_f1 == pytest.approx(f1_score(truth, pred, average="micro"))
    assert ev.macro_f1 == pytest.approx(f1_score(truth, pred, average="macro"))


def test_coder_evaluation_dict_and_summary():
    ev = _evaluation(
        np.array([[1, 0], [0, 1], [1, 1]], bool),
        np.array([[1, 0], [0, 0], [1, 1]], bool),
        ["a", "b"],
        method="cross-validation",
        folds=5,
        label_format="multilabel",
    )
    assert isinstance(ev, CoderEvaluation)
    d = ev.to_dict()
    assert set(d) >= {"macro_f1", "micro_f1", "per_label"}
    json.dumps(d)
    # Wilson intervals as statsmodels computes them:
    # proportion_confint(1, 1, method="wilson") and proportion_confint(1, 2, method="wilson")
    from statsmodels.stats.proportion import proportion_confint

    p_lo, p_hi = proportion_confint(1, 1, alpha=0.05, method="wilson")
    r_lo, r_hi = proportion_confint(1, 2, alpha=0.05, method="wilson")
    assert d["per_label"][1] == {
        "label": "b",
        "support": 2,
        "n_predicted": 1,
        "precision": 1.0,
        "precision_ci_low": pytest.approx(p_lo),
        "precision_ci_high": pytest.approx(p_hi),
        "recall": 0.5,
        "recall_ci_low": pytest.approx(r_lo),
        "recall_ci_high": pytest.approx(r_hi),
        "f1": pytest.approx(2 / 3),
        "rare": True,
    }
    assert ev.rare_labels == ("a", "b")
    s = ev.summary()
    assert s.columns.tolist() == [
        "method",
        "n",
        "n_labels",
        "folds",
        "macro_f1",
        "micro_f1",
        "n_rare",
    ]
    with pytest.raises(AttributeError):
        ev.macro_f1 = 0.0  # frozen


# ================================================================ supervised: TextCoder
THEMES = {
    "waiting": ["waited", "delay", "queue", "hours late"],
    "attitude": ["rude", "dismissive", "unkind", "abrupt"],
    "clarity": ["explained", "informed", "unclear", "confusing"],
    "medicine": ["tablets", "medication", "prescription", "pharmacy"],
}
FILLER = "the a my i was were very and but it on in at to for staff nurse day time".split()


def themed(n: int, seed: int, *, multi: bool = True):
    """Comments with planted themes: each theme is written with one of its words."""
    rng = np.random.default_rng(seed)
    names = list(THEMES)
    if multi:
        y = rng.random((n, len(names))) < [0.4, 0.3, 0.25, 0.15]
    else:
        y = np.eye(len(names), dtype=bool)[rng.choice(len(names), n, p=[0.4, 0.3, 0.2, 0.1])]
    texts = []
    for row in y:
        words = list(rng.choice(FILLER, rng.integers(3, 10)))
        for j in np.flatnonzero(row):
            words.insert(rng.integers(0, len(words) + 1), rng.choice(THEMES[names[j]]))
        texts.append(" ".join(words))
    return texts, pd.DataFrame(y.astype(int), columns=names)


def test_text_coder_recovers_planted_multilabel_themes():
    texts, labels = themed(600, 1)
    coder = TextCoder().fit(texts[:400], labels[:400])
    assert coder.fit(texts[:400], labels[:400]) is coder
    assert coder.label_format_ == "multilabel" and coder.classes_ == list(THEMES)
    pred = coder.predict(pd.Series(texts[400:], index=range(1000, 1200)))
    assert pred.columns.tolist() == list(THEMES) and pred.index[0] == 1000
    from sklearn.metrics import f1_score

    assert f1_score(labels[400:].to_numpy(), pred.to_numpy(), average="macro") > 0.95
    proba = coder.predict_proba(texts[400:])
    assert ((proba >= 0) & (proba <= 1)).all().all()
    assert coder.calibration_["calibrated"].all()
    assert coder.calibration_.columns.tolist() == [
        "label",
        "n_positive",
        "platt_a",
        "platt_b",
        "threshold",
        "inner_f1",
        "calibrated",
    ]


def test_text_coder_label_formats_agree():
    texts, labels = themed(300, 2)
    semicolon = labels.apply(lambda r: ";".join(c for c in labels.columns if r[c]), axis=1)
    a = TextCoder().fit(texts, labels).predict_proba(texts)
    b = TextCoder().fit(texts, semicolon).predict_proba(texts)
    b = b[a.columns]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())
    single_texts, single = themed(300, 3, multi=False)
    cats = single.idxmax(axis=1)
    coder = TextCoder().fit(single_texts, cats)
    assert coder.label_format_ == "multiclass"
    proba = coder.predict_proba(single_texts[:50])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = coder.predict(single_texts[:50])
    assert isinstance(pred, pd.Series) and set(pred) <= set(cats)
    # the decision: the category with the largest weighted probability
    assert (pred == (proba * coder.class_weights_).idxmax(axis=1)).all()
    assert (coder.class_weights_ > 0).all()


def test_text_coder_rare_labels_do_not_crash_and_are_reported():
    texts, labels = themed(200, 4)
    labels = labels.assign(once=0, twice=0, thrice=0)
    labels.loc[0, "once"] = 1
    labels.loc[[1, 2], "twice"] = 1
    labels.loc[[3, 4, 5], "thrice"] = 1
    coder = TextCoder().fit(texts, labels)
    info = coder.calibration_.set_index("label")
    assert not info.loc["once", "calibrated"]
    assert coder.predict(texts)["once"].sum() == 0  # constant, never predicted
    ev = coder.cross_validate(texts, labels, folds=5)
    per = ev.per_label.set_index("label")
    assert per.loc["once", "rare"] and per.loc["thrice", "rare"] and not per.loc["waiting", "rare"]
    assert set(ev.rare_labels) == {"once", "twice", "thrice"}
    assert np.isfinite(ev.macro_f1)
    assert len(ev.per_fold) == 5


def test_text_coder_cross_validate_is_reproducible_and_input_unchanged():
    texts, labels = themed(150, 5)
    before = labels.copy()
    ev1 = TextCoder().cross_validate(texts, labels, folds=3, random_state=1)
    ev2 = TextCoder().cross_validate(texts, labels, folds=3, random_state=1)
    pd.testing.assert_frame_equal(labels, before)
    pd.testing.assert_frame_equal(ev1.per_label, ev2.per_label)
    assert ev1.method == "cross-validation" and ev1.folds == 3 and ev1.n == 150


def test_suggest_next_returns_the_most_uncertain_comments():
    texts, labels = themed(200, 6)
    coder = TextCoder().fit(texts, labels)
    pool = pd.Series(
        ["the nurse was rude", "staff were there", "tablets late", "hmm"], index=list("pqrs")
    )
    out = coder.suggest_next(pool, n=3)
    assert out.columns.tolist() == [
        "position",
        "index",
        "text",
        "label",
        "score",
        "threshold",
        "margin",
    ]
    assert len(out) == 3 and out["margin"].is_monotonic_increasing
    proba = coder.predict_proba(pool)
    for row in out.itertuples():
        assert row.text == pool.iloc[row.position] and row.index == pool.index[row.position]
        assert row.score == pytest.approx(proba.iloc[row.position][row.label])
        assert row.margin == pytest.approx(abs(row.score - row.threshold))
        # the label reported is the one closest to its threshold
        gaps = (proba.iloc[row.position] - coder.thresholds_).abs()
        assert row.margin == pytest.approx(gaps.min())
    assert len(coder.suggest_next(pool, n=50)) == 4


def test_text_coder_follows_the_scikit_learn_contract():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    coder = TextCoder(C=0.3, inner_folds=3)
    assert coder.get_params()["C"] == 0.3
    twin = clone(coder)
    assert twin.get_params() == coder.get_params() and twin is not coder
    assert coder.set_params(C=1.0) is coder and coder.C == 1.0
    assert "C=1.0" in repr(coder) and "inner_folds=3" in repr(coder)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        coder.predict(["x"])
    texts, labels = themed(60, 7)
    coder.fit(texts, labels)
    learned = [k for k in vars(coder) if k.endswith("_")]
    assert {"classes_", "coef_", "thresholds_", "vectorizer_", "calibration_"} <= set(learned)


def test_text_coder_errors():
    texts, labels = themed(40, 8)
    with pytest.raises(ValueError, match="'texts' has 40 comments but 'labels' has 39 rows"):
        TextCoder().fit(texts, labels[:39])
    with pytest.raises(ValueError, match="labels are missing for rows"):
        TextCoder().fit(texts, ["a"] * 39 + [None])
    with pytest.raises(ValueError, match="label column 'waiting' must hold 0/1 codes"):
        TextCoder().fit(texts, labels.assign(waiting=2))
    with pytest.raises(ValueError, match="needs at least two categories"):
        TextCoder().fit(texts, ["a"] * 40)
    with pytest.raises(ValueError, match="'C' parameter of TextCoder.fit must be a positive"):
        TextCoder(C=0).fit(texts, labels)
    with pytest.raises(ValueError, match="'inner_folds' parameter of TextCoder.fit"):
        TextCoder(inner_folds=1).fit(texts, labels)
    with pytest.raises(ValueError, match="need at least 20 comments for folds=10"):
        TextCoder().cross_validate(texts[:19], labels[:19], folds=10)
    with pytest.raises(TypeError, match="'texts' parameter of TextCoder.fit must be a sequence"):
        TextCoder().fit("one comment", ["a"])
    with pytest.raises(ValueError, match="'label_format' parameter of TextCoder.fit"):
        TextCoder().fit(texts, labels, label_format="tags")
    with pytest.raises(ValueError, match="Invalid parameter 'alpha'"):  # scikit-learn's message
        TextCoder().set_params(alpha=1)
    coder = TextCoder().fit(texts, labels)
    with pytest.raises(TypeError, match="'n' parameter of TextCoder.suggest_next"):
        coder.suggest_next(texts, n="5")


# ============================================================ helpers for reports
def test_uncoded_comments_and_redaction():
    fb = feedback(["they listened", "", "Parking was dreadful, ring 07700 900123", None, "food"])
    codes = code_comments(fb, CODEBOOK)
    out = coding_uncoded(codes, fb)
    assert out["comment_id"].tolist() == ["c2", "c4"]
    red = coding_uncoded(codes, fb, redact=lambda s: s.str.replace("07700 900123", "[phone]"))
    assert red["comment"].tolist() == ["Parking was dreadful, ring [phone]", "food"]
    assert fb["comment"][2].endswith("900123")  # input unchanged
    with pytest.raises(TypeError, match="'redact' parameter of uncoded_comments"):
        coding_uncoded(codes, fb, redact="yes")


def coding_uncoded(codes, fb, **kw):
    from jtbd_methods.coding import uncoded_comments

    return uncoded_comments(codes, fb, **kw)


def test_job_quotes_pick_single_job_comments_and_redact_with_study_settings():
    from types import SimpleNamespace

    from jtbd_methods.coding import job_quotes

    texts = [
        "Nobody listened and no one explained anything.",  # two jobs
        "Nobody listened to Dr Okonjo.",  # one job, the name is redacted
        "The consultant was dismissive.",
        "They listened, lovely.",
    ]
    fb = feedback(texts)
    codes = code_comments(fb, CODEBOOK)
    study = SimpleNamespace(
        config=SimpleNamespace(
            redact=True, redact_names=("Okonjo",), period_start=pd.Timestamp("2024-01-01")
        )
    )
    quotes = job_quotes(codes, fb, n=2, job_ids=CODEBOOK, redact=study)
    heard = quotes[(quotes["job_id"] == "feel_heard") & (quotes["polarity"] == "disrupted")]
    assert heard["rank"].tolist() == [1, 2]
    assert heard["comment_id"].tolist()[0] in {"c1", "c2"}  # single-job comments first
    assert "c0" not in heard["comment_id"].tolist()
    assert "Okonjo" not in " ".join(quotes["quote"]) and "[name]" in " ".join(quotes["quote"])
    assert quotes["label"].iloc[0] in {"Feel heard", "Understand what comes next"}
    assert quotes.columns.tolist() == [
        "job_id",
        "label",
        "polarity",
        "rank",
        "comment_id",
        "evidence",
        "quote",
    ]
    only = job_quotes(codes, fb, n=1, polarity="fulfilled")
    assert set(only["polarity"]) == {"fulfilled"} and only["evidence"].tolist() == ["listened"]
    long = feedback(["word " * 200 + "they listened " + "word " * 200])
    cut = job_quotes(code_comments(long, CODEBOOK), long, max_chars=60)
    assert cut["quote"][0].startswith("…") and cut["quote"][0].endswith("…")
    assert "listened" in cut["quote"][0] and len(cut["quote"][0]) <= 62
    with pytest.raises(ValueError, match="'n' parameter of job_quotes must be an integer in"):
        job_quotes(codes, fb, n=0)
    with pytest.raises(ValueError, match="'codes' has no column 'start'"):
        job_quotes(codes.drop(columns="start"), fb)


def test_record_job_shares_writes_percentage_points():
    from jtbd_methods import report
    from jtbd_methods.coding import record_job_shares

    report.reset()
    shares = job_shares(CODES, ["a", "b", "c", "d", "e"], job_ids=["gain_clarity", "feel_heard"])
    out = record_job_shares(shares)
    stored = report.results()
    report.reset()
    assert stored["jobs.gain_clarity.share"] == pytest.approx(60.0)
    lo, hi = stored["jobs.gain_clarity.share_ci"]
    assert lo < 60 < hi and hi <= 100
    assert stored["jobs.gain_clarity.disrupted_share"] == pytest.approx(100 * 2 / 3)
    assert stored["jobs.ranking"] == ["gain_clarity", "feel_heard"]
    assert stored["jobs.disrupted_ranking"] == ["gain_clarity", "feel_heard"]
    assert out["jobs.feel_heard.n_mentioned"] == 2
    by = job_shares(CODES, pd.DataFrame({"comment_id": list("ab"), "site": ["x", "y"]}), by="site")
    with pytest.raises(ValueError, match="several rows per job"):
        record_job_shares(by)


def test_evaluate_codes_equals_scikit_learn_against_hand_coding():
    from sklearn.metrics import f1_score

    from jtbd_methods.coding import evaluate_codes

    texts = [
        "they listened",
        "no one explained",
        "dismissive and felt rushed",
        "medication",
        "nothing here",
        "what happens next?",
    ]
    fb = feedback(texts)
    codes = code_comments(fb, CODEBOOK)
    hand = pd.DataFrame(
        {
            "comment_id": fb["comment_id"],
            "code_gain_clarity": [0, 1, 0, 0, 1, 1],
            "code_feel_heard": [1, 0, 1, 0, 0, 0],
            "code_follow_care_plan": [0, 0, 0, 0, 0, 0],
            "code_manage_side_effects": [0, 0, 0, 1, 0, 0],
        }
    )
    ev = evaluate_codes(codes, hand, job_ids=CODEBOOK)
    ours = coded_matrix(codes, fb["comment_id"], JOBS)[JOBS].to_numpy()
    truth = hand[[f"code_{j}" for j in JOBS]].to_numpy()
    present = truth.sum(axis=0) > 0
    # reference: scikit-learn's f1_score on the same 0/1 matrices
    assert ev.macro_f1 == pytest.approx(
        f1_score(truth, ours, average="macro", labels=np.flatnonzero(present))
    )
    assert ev.micro_f1 == pytest.approx(f1_score(truth, ours, average="micro"))
    assert ev.method == "against hand coding" and ev.n == 6
    assert evaluate_codes(codes, hand).per_label["label"].tolist() == JOBS
    with pytest.raises(ValueError, match="has no code_<job_id> columns"):
        evaluate_codes(codes, hand[["comment_id"]])
    with pytest.raises(ValueError, match="'reference' has no column 'code_other'"):
        evaluate_codes(codes, hand, job_ids=["other"])


def test_shares_for_report_converts_to_percent_and_labels():
    from jtbd_methods.coding import shares_for_report

    shares = job_shares(CODES, ["a", "b", "c", "d", "e"], job_ids=CODEBOOK)
    out = shares_for_report(shares, labels=CODEBOOK)
    assert out.columns[:2].tolist() == ["job_id", "label"]
    assert out.loc[0, "label"] == "Understand what comes next"
    np.testing.assert_allclose(out["share"], 100 * shares["share"])
    assert shares["share"].max() <= 1  # input unchanged


# ===================================================================== plots
@pytest.fixture
def sample_shares():
    rng = np.random.default_rng(0)
    texts = rng.choice(
        [
            "they listened",
            "no one explained",
            "dismissive",
            "medication late",
            "a headache",
            "fine",
        ],
        300,
    )
    fb = feedback(list(texts), list(rng.integers(1, 6, 300)))
    fb["site"] = rng.choice(["North", "South", "Tiny"], 300, p=[0.5, 0.47, 0.03])
    codes = code_comments(fb, CODEBOOK)
    return fb, codes, job_shares(codes, fb, job_ids=CODEBOOK)


def test_plots_draw_on_given_axes_with_titles_and_labels(sample_shares):
    import matplotlib.pyplot as plt

    from jtbd_methods import plots, privacy

    fb, codes, shares = sample_shares
    for func in (plots.plot_job_shares, plots.plot_disrupted_pareto):
        fig, ax = plt.subplots()
        assert func(shares, labels=CODEBOOK.labels(), ax=ax) is ax
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        plt.close(fig)
    ax = plots.plot_job_shares(shares)
    assert "%" in ax.get_xlabel()
    widths = sorted(p.get_width() for p in ax.patches)
    assert max(widths) <= 100 * shares["share"].max() + 1e-9
    plt.close(ax.figure)
    by = job_shares(codes, fb, by="site", job_ids=CODEBOOK)
    shown = privacy.suppress_small(
        by, count_column="n_mentioned", min_cell_size=5, group_columns="job_id"
    )
    assert shown["suppressed"].any()
    ax = plots.plot_jobs_by_group(shown, by="site", labels=CODEBOOK.labels())
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("*") == int(shown["suppressed"].sum())  # hidden, never drawn as 0
    assert "site" in ax.get_title().lower()
    plt.close(ax.figure)
    ev = evaluate_codes_for_plot(codes, fb)
    ax = plots.plot_coder_quality(ev)
    assert ax.get_xlim()[1] <= 1.05 and ax.get_title()
    plt.close(ax.figure)


def evaluate_codes_for_plot(codes, fb):
    from jtbd_methods.coding import evaluate_codes

    hand = coded_matrix(codes, fb["comment_id"], JOBS, prefix="code_")
    return evaluate_codes(codes, hand)


def test_plot_errors(sample_shares):
    from jtbd_methods import plots

    _, _, shares = sample_shares
    with pytest.raises(ValueError, match="'shares' has no column 'share'"):
        plots.plot_job_shares(shares.drop(columns="share"))
    with pytest.raises(ValueError, match="'value' parameter of plot_jobs_by_group"):
        plots.plot_jobs_by_group(shares.assign(site="x"), by="site", value="n")
    with pytest.raises(TypeError, match="'evaluation' parameter of plot_coder_quality"):
        plots.plot_coder_quality(shares)


def test_more_error_paths_and_rare_categories():
    texts, labels = themed(40, 9)
    with pytest.raises(ValueError, match="at least one of word_ngrams and char_ngrams"):
        NgramTfidf(word_ngrams=None, char_ngrams=None).fit(texts)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="NgramTfidf instance is not fitted"):
        NgramTfidf().transform(texts)
    with pytest.raises(ValueError, match="label_format='multiclass' needs one label per comment"):
        TextCoder().fit(texts, labels, label_format="multiclass")
    with pytest.raises(ValueError, match="'min_df' parameter of TextCoder.fit"):
        TextCoder(min_df=0).fit(texts, labels)
    with pytest.raises(TypeError, match="'n_jobs' parameter of TextCoder.fit"):
        TextCoder(n_jobs=1.5).fit(texts, labels)
    with pytest.raises(ValueError, match="need at least 6 comments for inner_folds=3"):
        TextCoder(inner_folds=3).fit(texts[:5], labels[:5])
    with pytest.raises(ValueError, match="'texts' must be one-dimensional"):
        TextCoder().fit(np.array([texts[:20], texts[20:]]), labels)
    with pytest.raises(ValueError, match="'texts' has 40 comments but 'labels' has 30 rows"):
        TextCoder().cross_validate(texts, labels[:30])
    with pytest.raises(ValueError, match="needs at least two categories"):
        TextCoder().cross_validate(texts, ["a"] * 40)
    # a category with one comment: the fold that holds it still gets a prediction, no crash
    cats = ["a"] * 39 + ["b"]
    ev = TextCoder().cross_validate(texts, cats, folds=5)
    assert ev.per_label.set_index("label").loc["b", "rare"]
    # a lazy Dask frame is checked for its columns too
    dd = pytest.importorskip("dask.dataframe")
    lazy = dd.from_pandas(feedback(["they listened"]), npartitions=1)
    with pytest.raises(ValueError, match="'feedback' has no column"):
        code_comments(lazy, CODEBOOK, engine="dask", text="body")


# ------------------------------------------------ polarity from the words, forms, non-answers
def test_unclear_is_a_mention_never_a_disruption():
    codes = pd.DataFrame(
        {
            "comment_id": ["a", "b", "c", "d"],
            "job_id": ["gain_clarity"] * 4,
            "polarity": ["disrupted", "fulfilled", "unclear", "unclear"],
        }
    )
    out = job_shares(codes, ["a", "b", "c", "d", "e"]).iloc[0]
    # 4 of 5 mention the job; of the 2 with a readable polarity, 1 is disrupted
    assert (out["n_mentioned"], out["n_disrupted"], out["n_unclear"]) == (4, 1, 2)
    assert out["share"] == pytest.approx(0.8) and out["disrupted_share"] == pytest.approx(0.5)
    matrix = coded_matrix(codes, ["a", "b", "c", "d"], JOBS, polarity="disrupted")
    assert matrix["gain_clarity"].tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize(
    ("text", "question", "expected", "source"),
    [
        # signal-free phrase: the question answered is the prior
        ("Medication.", "positive", "fulfilled", "question"),
        ("Medication.", "negative", "disrupted", "question"),
        ("Medication.", "neutral", "unclear", "none"),
        # the words beat the prior: praise in an improve answer, complaint in a best answer
        ("The medication reviews were excellent", "negative", "fulfilled", "sentiment"),
        ("Medication always late", "positive", "disrupted", "sentiment"),
        # requests say the job is not done yet
        ("More information about my medication would be helpful", "positive", "disrupted",
         "sentiment"),
        # VADER's rules: negation flips, "but" weights what follows
        ("The medication was not bad", "neutral", "fulfilled", "sentiment"),
    ],
)  # fmt: skip
def test_question_is_a_prior_not_a_label(text, question, expected, source):
    fb = feedback([text]).assign(question=question)
    codes = code_comments(fb, CODEBOOK, rating=None)
    assert codes[["polarity", "polarity_source"]].values.tolist() == [[expected, source]]


def test_question_mapping_from_study_prompts():
    fb = feedback(["Medication.", "Medication."]).assign(
        question=["What did we do well?", "What could we do better?"]
    )
    codes = code_comments(
        fb,
        CODEBOOK,
        questions={"What did we do well?": "positive", "What could we do better?": "negative"},
    )
    assert codes["polarity"].tolist() == ["fulfilled", "disrupted"]


def test_a_polar_phrase_yields_to_a_clear_request_in_its_clause():
    # "listened" is a fulfilled phrase, but a wish for it is a request: not done yet
    assert coded(["I wish the doctor listened to me"]) == {("c0", "feel_heard"): "disrupted"}
    assert coded(["The doctor listened to me"]) == {("c0", "feel_heard"): "fulfilled"}


def test_inflected_forms_match_base_form_indicators():
    cb = codebook_from_dict(
        {
            "name": "forms",
            "jobs": [
                {"id": "feel_heard", "label": "Heard", "indicators": ["listen to me"]},
                {"id": "gain_clarity", "label": "Clear", "indicators": ["explain", "inform"]},
                {"id": "reduce_fear", "label": "Calm", "indicators": ["reassure"]},
            ],
        },
        source="test",
    )
    texts = ["She explains things", "listening to me", "well informed", "I felt reassured"]
    codes = code_comments(feedback(texts), cb)
    got = {(r.comment_id, r.job_id, texts[int(r.comment_id[1:])][r.start : r.end])
           for r in codes.itertuples()}  # fmt: skip
    assert got == {
        ("c0", "gain_clarity", "explains"),
        ("c1", "feel_heard", "listening to me"),
        ("c2", "gain_clarity", "informed"),
        ("c3", "reduce_fear", "reassured"),
    }
    plain = code_comments(feedback(texts), compile_codebook(cb, inflect=False))
    assert plain.empty  # without word forms none of them matches


def test_non_answers_get_no_codes():
    texts = ["Nothing.", "N/A", "All of it!", "Can't think of anything", "-", "Medication."]
    codes = code_comments(feedback(texts).assign(question="positive"), CODEBOOK)
    assert codes["comment_id"].tolist() == ["c5"]
    kept = code_comments(feedback(["All of it, medication"]).assign(question="positive"), CODEBOOK)
    assert len(kept) == 1  # a non-answer phrase inside a longer comment is not a non-answer


def test_wildcards_match_in_time_linear_in_the_text():
    # the reported attack: before, 13 wildcards on a 40-character comment ran for minutes
    hostile = codebook_from_dict(
        {"name": "h", "jobs": [{"id": "x", "label": "X", "indicators": ["a*a*a*a*a*a*a*a*a*a*a*a*q"]}]},
        source="test",
    )  # fmt: skip
    texts = ["a" * 40, "a" * 5000, "aaaaaaaaaaaaaq", "aaaq aaaaaaaaaaaaq" + "a" * 2000]
    import time

    t0 = time.process_time()
    codes = code_comments(feedback(texts), hostile)
    # correctness: a word that starts with a, holds 12 more a and ends with q
    assert codes["comment_id"].tolist() == ["c2"]
    # a bound of seconds on CPU time, not a benchmark: exponential backtracking takes hours
    assert time.process_time() - t0 < 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("To be listened to by the doctor", "disrupted"),  # a wish, by its form
        ("More medication reviews please", "disrupted"),
        ("Better medication reviews", "disrupted"),
        ("The medication reviews were more than good", "fulfilled"),  # not at the start
        ("My medication is better now, thank you", "fulfilled"),
    ],
)
def test_request_openings_count_only_at_the_start_of_a_sentence(text, expected):
    codes = code_comments(feedback([text]), CODEBOOK, rating=None)
    assert codes["polarity"].tolist() == [expected]


def test_expand_codes_codes_what_phrases_miss_and_never_non_answers():
    from jtbd_methods.expand import expand_codes

    cb = codebook_from_dict(
        {
            "name": "d",
            "jobs": [
                {"id": "feel_heard", "label": "Heard", "indicators": ["listened"]},
                {"id": "eat_well", "label": "Food", "indicators": ["food"]},
            ],
        },
        source="test",
    )
    # planted: the last comments mean the two jobs without their phrases
    days = [f"on day {i}" for i in range(30)]  # distinct wordings (held out by wording)
    texts = (
        [f"they listened and cared about my views {d}" for d in days]
        + [f"the food was hot and tasty {d}" for d in days]
        + [f"parking was easy {d}" for d in days]
        + ["Nothing.", "n/a", "the nurse cared about my views", "hot and tasty meals"]
    )
    fb = pd.DataFrame({"comment_id": [f"c{i}" for i in range(len(texts))], "comment": texts})
    phrase = code_comments(fb, cb, rating=None)
    result = expand_codes(fb, phrase, cb, rating=None)
    model = result.codes[result.codes["source"] == "model"]
    assert model[["comment_id", "job_id"]].values.tolist() == [
        ["c92", "feel_heard"],
        ["c93", "eat_well"],
    ]
    assert (model["start"] == -1).all() and (model["probability"] >= result.threshold).all()
    assert set(model["polarity"]) <= {"disrupted", "fulfilled", "unclear"}
    assert len(result.codes) == len(phrase) + 2 and result.n_model_codes == 2
    assert {"precision", "recall", "label_frequency"} <= set(result.validation.columns)
    # a job whose held-out precision does not reach min_precision gets no model codes
    strict = expand_codes(fb, phrase, cb, rating=None, min_precision=1.0)
    low = result.validation.loc[result.validation["precision"] < 1.0, "job_id"].tolist()
    assert not set(strict.codes.loc[strict.codes["source"] == "model", "job_id"]) & set(low)
    # the model's settings can be given; the coder passed in is cloned, never fitted in place
    mine = TextCoder(word_ngrams=(1, 1), char_ngrams=None, tune_thresholds=False)
    custom = expand_codes(fb, phrase, cb, rating=None, coder=mine)
    assert not hasattr(mine, "coef_") and custom.n_model_codes >= 1
    with pytest.raises(TypeError, match="'coder' parameter of expand_codes must be a TextCoder"):
        expand_codes(fb, phrase, cb, rating=None, coder="svm")


def test_character_ngrams_of_other_scripts_keep_their_own_columns():
    """Characters beyond U+0F9F used to share 94 codes, so n-grams of different CJK words
    collided; now each n-gram is its own column, as in scikit-learn's TfidfVectorizer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    # U+4F60 and U+4FBE are 94 code points apart: the old folding gave them one code
    docs = ["\u4f60\u597d \u8c22\u8c22", "\u4fbe\u597d\u5417", "\u8c22\u8c22 \U0001f600 nurse",
            "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 nurse", "\u4f60\u597d"] * 2  # fmt: skip
    mine = NgramTfidf(word_ngrams=None, char_ngrams=(2, 4), min_df=1).fit(docs)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1)
    r = ref.fit_transform(docs)
    x = mine.transform(docs)
    assert x.shape == r.shape
    np.testing.assert_allclose((x @ x.T).toarray(), (r @ r.T).toarray(), atol=1e-12)


def test_expansion_holds_out_copies_of_a_comment_together():
    """Copies of one comment must not be both trained on and tested on: with every coded
    comment duplicated, the held-out set shares no wording with the training set."""
    from jtbd_methods.codebook import codebook_from_dict
    from jtbd_methods.expand import expand_codes

    cb = codebook_from_dict({"name": "d", "jobs": [
        {"id": "feel_heard", "label": "Heard", "indicators": ["listened"]},
        {"id": "eat_well", "label": "Food", "indicators": ["food"]}]})  # fmt: skip
    rng = np.random.default_rng(3)
    words = ["kind", "busy", "calm", "quick", "warm", "late", "clean", "loud", "slow", "bright"]
    texts = []
    for i in range(60):
        extra = " ".join(rng.choice(words, 3))
        texts += [f"they listened {extra} {i}"] * 3 + [f"the food was {extra} {i}"] * 3
    texts += [f"parking {w} {i}" for i in range(40) for w in words[:2]]
    fb = pd.DataFrame({"comment_id": [str(i) for i in range(len(texts))], "comment": texts})
    seen: dict[str, list] = {}
    original = TextCoder.fit

    def spy(self, docs, labels, **kw):
        seen["train"] = list(docs)
        return original(self, docs, labels, **kw)

    original_proba = TextCoder.predict_proba

    def spy_proba(self, docs):
        seen.setdefault("scored", []).append(list(docs))
        return original_proba(self, docs)

    import unittest.mock as mock

    with (
        mock.patch.object(TextCoder, "fit", spy),
        mock.patch.object(TextCoder, "predict_proba", spy_proba),
    ):
        result = expand_codes(fb, code_comments(fb, cb, rating=None), cb, rating=None)
    held_out = {" ".join(t.split()) for t in seen["scored"][0]}
    trained = {" ".join(t.split()) for t in seen["train"]}
    assert held_out and not held_out & trained
    assert result.validation["n_test"].sum() > 0


def test_jobs_by_group_heat_map_draws_the_largest_groups_only():
    """A real export can name hundreds of teams: the figure keeps the 30 with most comments
    and says so (the table keeps them all)."""
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    rows = []
    for g in range(40):
        for job in ("feel_heard", "gain_clarity"):
            rows.append({"site": f"team {g:02d}", "job_id": job, "n": 100 + g,
                         "n_mentioned": 10, "share": 0.1})  # fmt: skip
    ax = plots.plot_jobs_by_group(pd.DataFrame(rows), by="site")
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert len(shown) == 30 and "team 39" in shown and "team 09" not in shown
    assert "30 of 40 sites" in ax.get_title(loc="right")
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="max_groups"):
        plots.plot_jobs_by_group(pd.DataFrame(rows), by="site", max_groups=0)
