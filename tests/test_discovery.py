"""Tests of jtbd_methods.discovery: inductive theme discovery with TF-IDF + NMF."""

from __future__ import annotations

import re
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jtbd_methods.discovery import ThemeDiscovery, discover_themes


def _word(i: int, prefix: str) -> str:
    """Distinct letters-only pseudo-words: prefix + base-26 letters."""
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = string.ascii_lowercase[r] + s
    return prefix + s


def planted_corpus(
    n_topics: int = 5,
    n: int = 300,
    *,
    seed: int = 0,
    shuffle: bool = False,
    words_per_topic: int = 8,
    topic_share: float = 0.6,
):
    """Comments drawn from planted themes: 60 % of words from the theme, the rest background.

    With ``shuffle`` the words are shuffled across comments, which keeps every word's
    frequency but destroys the co-occurrence structure (noise with the same vocabulary).
    """
    rng = np.random.default_rng(seed)
    themes = [
        [_word(k * words_per_topic + i, "th") for i in range(words_per_topic)]
        for k in range(n_topics)
    ]
    background = [_word(i, "bg") for i in range(150)]
    docs, labels = [], []
    for _ in range(n):
        k = int(rng.integers(n_topics))
        length = int(rng.integers(8, 25))
        docs.append(
            " ".join(
                rng.choice(themes[k]) if rng.random() < topic_share else rng.choice(background)
                for _ in range(length)
            )
        )
        labels.append(k)
    if shuffle:
        words = " ".join(docs).split()
        rng.shuffle(words)
        out, i = [], 0
        for d in docs:
            m = len(d.split())
            out.append(" ".join(words[i : i + m]))
            i += m
        docs = out
    return docs, np.array(labels), themes


FAST = {"candidates": range(3, 9), "n_restarts": 4}


@pytest.fixture(scope="module")
def planted():
    docs, labels, themes = planted_corpus(5, seed=1)
    ids = [f"c{i:03d}" for i in range(len(docs))]
    return docs, ids, labels, themes, discover_themes(docs, ids=ids, **FAST)


def test_planted_number_of_themes_is_recovered(planted):
    *_, result = planted
    # planted truth: 5 themes; the criterion must choose k within +-1 (here it is exact)
    assert abs(result.k - 5) <= 1
    assert result.k == 5
    sel = result.selection
    assert sel["chosen"].sum() == 1
    assert int(sel.loc[sel["stability"].idxmax(), "k"]) == result.k
    assert list(sel["k"]) == list(range(3, 9))


def test_planted_top_terms_and_members_are_recovered(planted):
    docs, ids, labels, themes, result = planted
    terms = result.terms[result.terms["rank"] <= 8]
    assign = result.assignments.set_index("comment_id")["topic"]
    for k, words in enumerate(themes):
        # each planted theme has one discovered theme whose top 8 terms hold >= 6 of its words
        overlap = terms.assign(hit=terms["term"].isin(words)).groupby("topic")["hit"].sum()
        topic = int(overlap.idxmax())
        assert overlap.max() >= 6, (k, overlap.to_dict())
        # and the comments of that planted theme are assigned to it (>= 90 %)
        members = [i for i, lab in zip(ids, labels, strict=True) if lab == k]
        assert (assign.loc[members] == topic).mean() >= 0.9
    assert result.topics["stability"].min() > 0.95


def test_stability_is_higher_for_structure_than_for_shuffled_noise(planted):
    *_, result = planted
    noise_docs, _, _ = planted_corpus(5, seed=1, shuffle=True)
    noise = discover_themes(noise_docs, max_iter=150, **FAST)  # noise never converges
    real, shuffled = (r.selection.set_index("k")["stability"] for r in (result, noise))
    # at the planted k, and across all candidates, structure is clearly more stable
    assert real.loc[5] > shuffled.loc[5] + 0.1
    assert real.max() > shuffled.max() + 0.05
    assert shuffled.max() < 0.95


def test_result_tables_are_consistent(planted):
    docs, ids, _, _, result = planted
    assert isinstance(result, ThemeDiscovery)
    topics = result.topics
    assert topics["topic"].tolist() == list(range(1, result.k + 1))
    assert topics["size"].is_monotonic_decreasing
    assert topics["size"].sum() == result.n_documents == len(docs)
    assert topics["share"].between(0, 1).all()
    assert topics["share"].sum() == pytest.approx(1.0)
    assert topics["stability"].between(0, 1 + 1e-9).all()
    assert (result.selection["stability"].between(0, 1 + 1e-9)).all()
    # quotes are the members with the highest weights, their text is the input comment
    q = result.quotes
    assert set(q.columns) == {"topic", "rank", "comment_id", "weight", "text"}
    lookup = dict(zip(ids, docs, strict=True))
    assert all(lookup[i] == t for i, t in zip(q["comment_id"], q["text"], strict=True))
    a = result.assignments
    for topic, group in q.groupby("topic"):
        members = a[a["topic"] == topic]
        assert group["weight"].tolist() == sorted(members["weight"], reverse=True)[:3]
    assert len(a) == len(docs) and a["comment_id"].tolist() == ids
    summary = result.summary()
    assert list(summary.columns) == [
        "topic",
        "label",
        "size",
        "share",
        "stability",
        "top_terms",
        "example",
    ]
    assert summary["label"].str.count(" / ").eq(2).all()


def test_candidate_jobs(planted):
    *_, result = planted
    cand = result.candidate_jobs()
    assert len(cand) == result.k
    assert cand["suggested_id"].is_unique
    assert cand["suggested_id"].map(lambda s: bool(re.fullmatch(r"theme_[a-z0-9_]+", s))).all()
    first_terms = result.terms[result.terms["rank"] == 1].set_index("topic")["term"]
    for _, row in cand.iterrows():
        assert row["indicators"].split("; ")[0] == first_terms[row["topic"]]
        assert len(row["indicators"].split("; ")) == 5
        assert len(row["example_ids"].split("; ")) == 3
    assert cand["n_comments"].tolist() == result.topics["size"].tolist()
    custom = result.candidate_jobs(prefix="new_", n_indicators=2)
    assert custom["suggested_id"].str.startswith("new_").all()
    assert custom["indicators"].str.count("; ").eq(1).all()


def test_candidate_jobs_errors(planted):
    *_, result = planted
    with pytest.raises(ValueError, match="'prefix' parameter of ThemeDiscovery.candidate_jobs"):
        result.candidate_jobs(prefix="New Theme")
    with pytest.raises(ValueError, match="'n_indicators' parameter of ThemeDiscovery"):
        result.candidate_jobs(n_indicators=0)


def test_deterministic_with_random_state():
    docs, _, _ = planted_corpus(4, n=150, seed=3)
    a = discover_themes(docs, candidates=[3, 4, 5], n_restarts=3, random_state=7)
    b = discover_themes(docs, candidates=[3, 4, 5], n_restarts=3, random_state=7)
    for name in ("selection", "topics", "terms", "quotes", "assignments"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    # stability of one k does not depend on the other candidates
    c = discover_themes(docs, candidates=[4], n_restarts=3, random_state=7)
    assert c.selection["stability"].iloc[0] == pytest.approx(
        a.selection.set_index("k").loc[4, "stability"]
    )


def test_input_unchanged_and_series_index_used_as_ids():
    docs, _, _ = planted_corpus(3, n=90, seed=4)
    docs[5] = ""
    series = pd.Series(docs, index=[f"id{i}" for i in range(len(docs))])
    series.iloc[7] = None
    before = series.copy()
    result = discover_themes(series, n_topics=3, n_restarts=2)
    pd.testing.assert_series_equal(series, before)
    a = result.assignments.set_index("comment_id")
    assert list(a.index) == list(series.index)
    assert pd.isna(a.loc["id5", "topic"]) and pd.isna(a.loc["id7", "topic"])
    assert a.loc["id5", "weight"] == 0
    assert result.n_documents == 88
    assert result.k == 3 and len(result.selection) == 1
    assert "fixed at 3" in result.criterion


def test_redact_is_applied_to_quotes_and_summary():
    docs, _, _ = planted_corpus(3, n=90, seed=5)
    result = discover_themes(
        docs,
        n_topics=3,
        n_restarts=2,
        id_name="row",
        redact=lambda s: s.str.replace(r"\w+", "X", regex=True),
    )
    assert result.quotes["text"].str.fullmatch(r"X( X)*").all()
    assert result.summary()["example"].str.startswith("X").all()
    assert "row" in result.assignments.columns and "row" in result.quotes.columns


def test_english_comments():
    rng = np.random.default_rng(2)
    themes = {
        "parking": [
            "car park was full",
            "parking charges are too high",
            "no parking spaces",
            "drove around the car park",
            "parking machine broken",
        ],
        "food": [
            "food was cold",
            "meals arrived cold and late",
            "tasteless food",
            "no vegetarian meals",
            "food trolley came late",
        ],
        "noise": [
            "noisy ward at night",
            "could not sleep for the noise",
            "night staff were loud",
            "alarms beeping all night",
            "too noisy to sleep",
        ],
    }
    fillers = ["on tuesday", "my husband said", "overall", "honestly", "again"]
    docs = []
    for name in themes:
        for _ in range(40):
            parts = list(rng.choice(themes[name], size=2, replace=False))
            docs.append(f"{rng.choice(fillers)} {parts[0]} and {parts[1]}")
    result = discover_themes(docs, candidates=[2, 3, 4, 5], n_restarts=4)
    assert result.k == 3
    tops = set(result.topics["top_terms"].str.split(", ").map(lambda t: t[0]))
    assert any("park" in t for t in tops) and any(t in ("food", "cold", "meals") for t in tops)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 60))
def test_invariants_on_random_corpora(seed, n):
    rng = np.random.default_rng(seed)
    vocab = [_word(i, "w") for i in range(30)]
    docs = [" ".join(rng.choice(vocab, size=int(rng.integers(3, 10)))) for _ in range(n)]
    result = discover_themes(docs, candidates=[2, 3], n_restarts=2, random_state=seed)
    assert result.topics["share"].between(0, 1).all()
    assert result.topics["size"].sum() == result.assignments["topic"].notna().sum()
    assert result.selection["stability"].between(-1e-9, 1 + 1e-9).all()
    assert len(result.assignments) == n


# ------------------------------------------------------------------------------ errors
def test_empty_and_tiny_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="no non-empty comment among the 0 texts"):
        discover_themes([])
    with pytest.raises(ValueError, match="no non-empty comment among the 3 texts"):
        discover_themes(["", "  ", None])
    with pytest.raises(ValueError, match="too few for any of the candidates"):
        discover_themes(["pain relief slow", "pain relief fast", "slow pain"])
    with pytest.raises(ValueError, match="too few for n_topics"):
        discover_themes(["pain relief slow", "pain relief fast", "slow pain"], n_topics=2)
    with pytest.raises(ValueError, match="no term occurs in at least min_df=5"):
        discover_themes(["pain", "relief", "slow", "fast"], min_df=5)


def test_parameter_errors():
    docs = ["pain relief slow"] * 10
    with pytest.raises(TypeError, match="'texts' parameter of discover_themes must be a sequence"):
        discover_themes("pain relief")
    with pytest.raises(TypeError, match="got a DataFrame"):
        discover_themes(pd.DataFrame({"comment": docs}))
    with pytest.raises(TypeError, match="got int"):
        discover_themes(5)
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        discover_themes(["a b", 3])
    with pytest.raises(ValueError, match="must have one id per text; got 2 ids for 10 texts"):
        discover_themes(docs, ids=["a", "b"])
    with pytest.raises(ValueError, match="'ids' of discover_themes must be unique"):
        discover_themes(docs, ids=["a"] * 10)
    with pytest.raises(TypeError, match="'redact' parameter of discover_themes must be callable"):
        discover_themes(docs, redact=True)
    with pytest.raises(
        ValueError, match=r"'n_restarts' parameter of discover_themes must be an integer in \[1"
    ):
        discover_themes(docs, n_restarts=0)
    with pytest.raises(
        ValueError, match="'candidates' parameter of discover_themes must be an integer in"
    ):
        discover_themes(docs, candidates=[1, 2])
    with pytest.raises(ValueError, match="'candidates' parameter of discover_themes is empty"):
        discover_themes(docs, candidates=[])
    with pytest.raises(
        TypeError, match="'candidates' parameter of discover_themes must be an iterable"
    ):
        discover_themes(docs, candidates=5)
    with pytest.raises(
        ValueError, match=r"'max_df' parameter of discover_themes must be in \[0, 1\]"
    ):
        discover_themes(docs, max_df=1.5)
    with pytest.raises(
        TypeError, match="'n_topics' parameter of discover_themes must be an integer"
    ):
        discover_themes(docs, n_topics=2.5)


def test_plot_theme_stability(planted):
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    *_, result = planted
    fig, ax = plt.subplots()
    assert plots.plot_theme_stability(result.selection, ax=ax) is ax
    assert [int(t) for t in ax.get_xticks()] == list(range(3, 9))
    assert "themes" in ax.get_title() and ax.get_ylabel()
    plt.close(fig)
    new = plots.plot_theme_stability(result.selection)
    assert new.figure is not fig
    plt.close(new.figure)
    with pytest.raises(ValueError, match="'selection' has no column 'chosen'"):
        plots.plot_theme_stability(result.selection.drop(columns="chosen"))


def test_sample_study_generic_comments_give_their_planted_themes(sample_study):
    from jtbd_methods import load_study, privacy

    study = load_study(sample_study)
    kinds = pd.read_csv(sample_study / "_truth" / "comments.csv")
    # planted: comments that express no job are generic ("Parking was expensive.", "The wifi
    # kept dropping out.", ...); discovery on them must surface those themes
    generic = kinds.loc[kinds["kind"] == "generic", "comment_id"]
    comments = study.feedback.set_index("comment_id").loc[generic, "comment"]
    result = discover_themes(comments, candidates=range(6, 11), n_restarts=3, redact=privacy.redact)
    top = result.terms[result.terms["rank"] <= 5]
    for planted_word in ("parking", "wifi", "night"):
        assert (top["term"].str.contains(planted_word)).any(), planted_word
    assert result.quotes["comment_id"].isin(generic).all()
    assert result.candidate_jobs()["suggested_id"].is_unique


def test_non_answers_never_become_a_theme_and_duplicates_count():
    # the reported case: 1,189 identical "Did not answer" came back as a candidate new job
    parking = [f"car park full no parking spaces on day {i}" for i in range(20)]
    food = [f"food cold and tasteless meals on ward {i}" for i in range(20)]
    texts = parking + food + ["Did not answer"] * 300 + ["N/A"] * 50 + ["wifi kept dropping"] * 40
    result = discover_themes(texts, candidates=[2, 3, 4], n_restarts=3)
    terms = set(result.terms["term"])
    assert not {"answer", "did", "n/a"} & terms
    assert result.assignments["topic"].iloc[40:390].isna().all()  # non-answers: no theme
    # the 40 identical wifi comments weigh as 40, and every copy is assigned
    topics = result.summary()
    assert topics["size"].sum() == 80
    wifi = topics[topics["top_terms"].str.contains("wifi")]
    assert wifi["size"].tolist() == [40]


def test_large_inputs_are_fitted_on_a_sample_and_all_assigned():
    rng = np.random.default_rng(3)
    words = {"parking": ["car", "park", "parking", "spaces"], "food": ["food", "meals", "cold"]}
    texts = [
        " ".join(rng.choice(words[kind], 3)) + f" {i % 97}"
        for i, kind in enumerate(["parking", "food"] * 3000)
    ]
    lines: list[str] = []
    result = discover_themes(texts, candidates=[2, 3], n_restarts=2, max_fit=500,
                             progress=lines.append)  # fmt: skip
    assert result.assignments["topic"].notna().all() and len(result.assignments) == 6000
    assert len(lines) == 2 and "trying 2 themes" in lines[0]
