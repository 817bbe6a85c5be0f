"""Tests of jtbd_methods.segmentation (segments, choice of k, cross-tabs, typing tool)."""

from __future__ import annotations

import json
import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import CategoricalNB
from statsmodels.stats.proportion import proportion_confint

from jtbd_methods import plots
from jtbd_methods.codebook import codebook_from_dict
from jtbd_methods.segmentation import (
    Segmentation,
    TypingTool,
    first_responses,
    record_headlines,
    segment,
    segments_vs,
    separating_items,
)

# ---------------------------------------------------------------------------------------------
# Planted truth: four recovery-goal segments of 150 respondents, 12 outcomes. Segment s finds
# outcomes 3s..3s+2 important (mostly 4-5) and unmet (mostly 1-2); the other outcomes are of
# middling importance and satisfaction. 3% of answers are missing at random.
# ---------------------------------------------------------------------------------------------
HIGH = [0.01, 0.02, 0.07, 0.30, 0.60]
MID = [0.15, 0.30, 0.35, 0.15, 0.05]
LOW = [0.50, 0.30, 0.12, 0.05, 0.03]
OK = [0.05, 0.15, 0.35, 0.30, 0.15]
N_OUTCOMES = 12


def planted(
    n_per: int = 150, *, seed: int = 0, missing: float = 0.03
) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    outcomes = [f"o{j}" for j in range(N_OUTCOMES)]
    truth = np.repeat(np.arange(4), n_per)
    data: dict[str, object] = {}
    for o_index, o in enumerate(outcomes):
        owner = o_index // 3
        imp = np.empty(truth.size, dtype=int)
        sat = np.empty(truth.size, dtype=int)
        for s in range(4):
            rows = truth == s
            imp[rows] = rng.choice(5, size=rows.sum(), p=HIGH if s == owner else MID) + 1
            sat[rows] = rng.choice(5, size=rows.sum(), p=LOW if s == owner else OK) + 1
        for name, values in ((f"imp_{o}", imp), (f"sat_{o}", sat)):
            column = pd.array(values, dtype="Int64")
            column[rng.random(truth.size) < missing] = pd.NA
            data[name] = column
    frame = pd.DataFrame(data)
    frame.insert(0, "respondent_id", [f"r{i:04d}" for i in range(truth.size)])
    frame.insert(1, "wave", 1)
    frame.insert(2, "diagnosis_group", rng.choice(["cardiac", "ortho", "onco"], truth.size))
    order = rng.permutation(truth.size)
    return frame.iloc[order].reset_index(drop=True), truth[order]


def planted_underserved(s: int) -> set[str]:
    return {f"o{j}" for j in range(3 * s, 3 * s + 3)}


def matched_truth(seg: Segmentation, truth: np.ndarray) -> dict[int, int]:
    """Segment number -> planted segment holding most of its respondents."""
    labels = seg.labels.to_numpy(dtype=float)
    out = {}
    for s in seg.segments:
        members = truth[labels == s]
        out[s] = int(np.bincount(members).argmax())
    return out


CODEBOOK = codebook_from_dict(
    {
        "name": "planted",
        "jobs": [{"id": f"job_{s}", "label": f"Job {s}", "indicators": ["x"]} for s in range(4)],
        "outcomes": [
            {"id": f"o{j}", "job_id": f"job_{j // 3}", "text": f"Outcome {j}"}
            for j in range(N_OUTCOMES)
        ],
    }
)


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.fixture(scope="module")
def kmeans_result(data):
    survey, _ = data
    return segment(survey, k_range=range(2, 7), n_boot=8, codebook=CODEBOOK)


# ---------------------------------------------------------------------------------------------
# Planted-truth recovery
# ---------------------------------------------------------------------------------------------


def test_kmeans_recovers_planted_segments(data, kmeans_result):
    survey, truth = data
    seg = kmeans_result
    assert seg.k == 4
    assert adjusted_rand_score(truth, seg.labels.to_numpy(dtype=int)) >= 0.8
    assert seg.selection.loc[seg.selection["chosen"], "k"].tolist() == [4]
    assert seg.stability_ari >= 0.9
    assert {"silhouette", "gap", "gap_se", "stability_ari", "admissible"} <= set(
        seg.selection.columns
    )


def test_planted_underserved_outcomes_on_top(data, kmeans_result):
    _, truth = data
    seg = kmeans_result
    mapping = matched_truth(seg, truth)
    assert sorted(mapping.values()) == [0, 1, 2, 3]
    for s, planted_s in mapping.items():
        top = set(seg.top_outcomes(s, n=3)["outcome_id"])
        assert top == planted_underserved(planted_s)
        assert (seg.top_outcomes(s, n=3)["classification"] == "extremely underserved").all()


def test_names_come_from_codebook_and_differ(data, kmeans_result):
    _, truth = data
    seg = kmeans_result
    mapping = matched_truth(seg, truth)
    assert len(set(seg.names.values())) == 4
    for s, planted_s in mapping.items():
        # each planted segment has its own job, so its job's label alone names it
        assert seg.names[s] == f"Job {planted_s}"
    assert seg.sizes["name"].tolist() == [seg.names[s] for s in seg.segments]


def test_gmm_recovers_planted_segments(data):
    survey, truth = data
    seg = segment(survey, method="gmm", k_range=range(2, 7), n_boot=6)
    assert seg.k == 4
    assert adjusted_rand_score(truth, seg.labels.to_numpy(dtype=int)) >= 0.8
    assert "bic" in seg.selection.columns
    assert seg.selection.loc[seg.selection["chosen"], "bic"].item() == pytest.approx(
        seg.selection.loc[seg.selection["admissible"], "bic"].min()
    )


def test_lca_recovers_planted_segments_on_likert_items(data):
    survey, truth = data
    seg = segment(survey, method="lca", k_range=range(3, 6), n_boot=2, n_init=1)
    assert seg.k == 4
    assert adjusted_rand_score(truth, seg.labels.to_numpy(dtype=int)) >= 0.8
    # the latent class model handles missing answers itself: nothing imputed
    assert seg.n_imputed == 0 and seg.imputation["n_missing"].sum() > 0


def test_opportunity_profile_recovers_planted_segments(data):
    survey, truth = data
    seg = segment(survey, profile="opportunity", k=4, n_boot=0)
    assert seg.features[0] == "opp_o0" and len(seg.features) == N_OUTCOMES
    assert adjusted_rand_score(truth, seg.labels.to_numpy(dtype=int)) >= 0.8


# ---------------------------------------------------------------------------------------------
# Contract of segment()
# ---------------------------------------------------------------------------------------------


def test_numbering_by_size_sizes_and_profiles(kmeans_result):
    seg = kmeans_result
    sizes = seg.sizes
    assert sizes["segment"].tolist() == [1, 2, 3, 4]
    assert sizes["n"].is_monotonic_decreasing
    assert sizes["n"].sum() == 600 and sizes["share"].sum() == pytest.approx(1.0)
    counts = seg.labels.value_counts()
    assert [counts[s] for s in seg.segments] == sizes["n"].tolist()
    assert not sizes["flagged_small"].any()
    prof = seg.profiles
    assert len(prof) == 4 * 2 * N_OUTCOMES
    assert prof["difference"].to_numpy() == pytest.approx(
        (prof["mean"] - prof["overall_mean"]).to_numpy()
    )
    assert prof["mean"].between(1, 5).all()


def test_imputation_counts_missing_answers(data, kmeans_result):
    survey, _ = data
    items = [c for c in survey.columns if c.startswith(("imp_", "sat_"))]
    assert kmeans_result.n_imputed == int(survey[items].isna().sum().sum())
    table = kmeans_result.imputation.set_index("item")
    assert table.loc["imp_o0", "n_missing"] == survey["imp_o0"].isna().sum()


def test_opportunities_by_segment(kmeans_result):
    opp = kmeans_result.opportunities
    assert opp.columns[0] == "segment"
    assert len(opp) == 4 * N_OUTCOMES
    assert opp["job_id"].notna().all()


def test_determinism_and_input_unchanged(data):
    survey, _ = data
    before = survey.copy(deep=True)
    a = segment(survey, k_range=range(3, 5), n_boot=3, random_state=7)
    b = segment(survey, k_range=range(3, 5), n_boot=3, random_state=7)
    pd.testing.assert_frame_equal(survey, before)
    pd.testing.assert_series_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(a.selection, b.selection)
    pd.testing.assert_frame_equal(a.stability, b.stability)


def test_labels_do_not_depend_on_row_order(data):
    survey, _ = data
    a = segment(survey, k=4, n_boot=0)
    shuffled = survey.sample(frac=1.0, random_state=3)
    b = segment(shuffled, k=4, n_boot=0)
    assert adjusted_rand_score(a.labels, b.labels.reindex(a.labels.index)) >= 0.99
    assert sorted(a.sizes["n"]) == sorted(b.sizes["n"])


def test_first_wave_per_respondent_by_default(data):
    survey, _ = data
    later = survey.iloc[:100].copy()
    later["wave"] = 2
    both = pd.concat([survey, later], ignore_index=True)
    seg = segment(both, k=4, n_boot=0)
    assert seg.labels.index.equals(both.index)
    assert seg.labels.iloc[:600].notna().all()
    assert seg.labels.iloc[600:].isna().all()
    second = segment(both, k=2, n_boot=0, wave=2, min_cell_size=5)
    assert second.labels.notna().sum() == 100


def test_respondents_without_answers_are_excluded(data, caplog):
    survey, _ = data
    blank = survey.copy()
    items = [c for c in blank.columns if c.startswith(("imp_", "sat_"))]
    blank.loc[:2, items] = pd.NA
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.segmentation"):
        seg = segment(blank, k=4, n_boot=0)
    assert seg.n_excluded == 3 and seg.labels.iloc[:3].isna().all()
    assert "answered none of the items" in caplog.text


def test_small_segment_is_flagged_and_suppressed(data):
    survey, _ = data
    # six respondents far from everybody: answers 5 on every importance, 1 on satisfaction
    # except the first outcomes... they form their own (small) segment at k = 5
    odd = survey.iloc[:6].copy()
    odd["respondent_id"] = [f"x{i}" for i in range(6)]
    items = [c for c in survey.columns if c.startswith(("imp_", "sat_"))]
    for c in items:
        odd[c] = pd.array([1 if c.startswith("imp_") else 5] * 6, dtype="Int64")
    both = pd.concat([survey, odd], ignore_index=True)
    seg = segment(both, k=5, n_boot=0, min_cell_size=10)
    small = seg.sizes[seg.sizes["flagged_small"]]
    assert small["n"].tolist() == [6] and small["segment"].tolist() == [5]
    assert seg.profiles.loc[seg.profiles["segment"] == 5, "mean"].isna().all()
    assert seg.opportunities.loc[seg.opportunities["segment"] == 5, "suppressed"].all()
    assert seg.top_outcomes(5).empty
    summary = seg.summary()
    assert summary.loc[summary["segment"] == 5, "n"].isna().all()
    assert summary["suppressed"].sum() == 2  # the small one and its complement
    heads = seg.headlines()
    assert heads["segments.5.size"] is None and heads["segments.5.top_outcomes"] == []
    fig = plots.plot_segment_landscapes(seg)
    assert any(t.get_text() == "Too few respondents to show" for a in fig.axes for t in a.texts)
    plt.close("all")


def test_inadmissible_everywhere_falls_back_with_warning(data, caplog):
    survey, _ = data
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.segmentation"):
        seg = segment(survey, k_range=range(3, 5), n_boot=2, min_cell_size=1000)
    assert not seg.selection["admissible"].any()
    assert seg.k == 4
    assert "alone" in caplog.text and "criterion alone" in seg.selection_rule


def test_top_outcomes_of_every_segment(kmeans_result):
    seg = kmeans_result
    table = seg.top_outcomes(None, n=2)
    assert len(table) == 8 and list(table.columns[:2]) == ["segment", "name"]
    assert table.groupby("segment")["rank"].apply(list).tolist() == [[1, 2]] * 4
    assert table["name"].tolist()[0] == seg.names[1]


def test_first_responses_keeps_earliest_wave():
    survey = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "c", "c"],
            "wave": [2, 1, 3, 1, 2],
            "imp_x": [1, 2, 3, 4, 5],
        }
    )
    before = survey.copy()
    first = first_responses(survey)
    assert first.index.tolist() == [1, 2, 3]
    assert first_responses(survey, wave=2).index.tolist() == [0, 4]
    pd.testing.assert_frame_equal(survey, before)
    with pytest.raises(TypeError, match="'survey' parameter of first_responses"):
        first_responses("survey.csv")
    with pytest.raises(ValueError, match="missing respondent id"):
        first_responses(survey.assign(respondent_id=["a", None, "b", "c", "c"]))


def test_rename_returns_new_object(kmeans_result):
    seg = kmeans_result
    old = dict(seg.names)
    renamed = seg.rename({1: "Back to work fast", "2": "Independent at home"})
    assert renamed.names[1] == "Back to work fast" and renamed.names[2] == "Independent at home"
    assert renamed.names[3] == old[3]
    assert dict(seg.names) == old
    assert renamed.sizes["name"].tolist()[:2] == ["Back to work fast", "Independent at home"]
    assert renamed.summary()["name"].tolist()[0] == "Back to work fast"
    assert dict(seg.rename({}).names) == old


@pytest.mark.parametrize(
    "mapping, error, match",
    [
        ({9: "x"}, ValueError, "segment number in 1..4"),
        ({"one": "x"}, TypeError, "segment number"),
        ({1: ""}, TypeError, "non-empty names"),
        ({1: "same", 2: "same"}, ValueError, "same name"),
        (["x"], TypeError, "must be a mapping"),
    ],
)
def test_rename_errors(kmeans_result, mapping, error, match):
    with pytest.raises(error, match=match):
        kmeans_result.rename(mapping)


def test_top_outcomes_errors(kmeans_result):
    with pytest.raises(ValueError, match="1..4"):
        kmeans_result.top_outcomes(0)
    with pytest.raises(ValueError, match="'n' parameter"):
        kmeans_result.top_outcomes(1, n=0)


def test_headlines_and_record(kmeans_result):
    from jtbd_methods import report

    heads = kmeans_result.headlines()
    assert heads["segments.k"] == 4
    assert 0 <= heads["segments.stability_ari"] <= 1
    assert heads["segments.1.size"] == int(kmeans_result.sizes["n"].iloc[0])
    assert len(heads["segments.1.top_outcomes"]) == 3
    report.reset()
    stored = record_headlines(heads)
    assert report.results()["segments.1.top_outcomes"] == stored["segments.1.top_outcomes"]
    report.reset()
    with pytest.raises(TypeError, match="mapping"):
        record_headlines([1, 2])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"method": "ward"}, ValueError, "'method' parameter of segment"),
        ({"profile": "x"}, ValueError, "'profile' parameter"),
        ({"method": "lca", "profile": "opportunity"}, ValueError, "must be 'items' with"),
        ({"k": 1}, ValueError, "'k' parameter"),
        ({"k_range": []}, ValueError, "must not be empty"),
        ({"k_range": 5}, TypeError, "'k_range' parameter"),
        ({"n_boot": -1}, ValueError, "'n_boot' parameter"),
        ({"min_stability": 2.0}, ValueError, "'min_stability' parameter"),
        ({"columns": ["imp_o0"]}, ValueError, "at least two item columns"),
        ({"columns": ["imp_o0", "nope"]}, ValueError, "no column 'nope'"),
        ({"columns": "imp_o0"}, TypeError, "'columns' parameter"),
        ({"columns": ["imp_o0", "imp_o0"]}, ValueError, "lists 'imp_o0' twice"),
        ({"id_column": "patient"}, ValueError, "no column 'patient'"),
        ({"random_state": -1}, ValueError, "'random_state' parameter"),
        ({"wave": 9}, ValueError, "'wave' parameter of segment"),
        ({"covariance_type": "weird"}, ValueError, "'covariance_type'"),
    ],
)
def test_segment_errors(data, kwargs, error, match):
    survey, _ = data
    with pytest.raises(error, match=match):
        segment(survey, **{"n_boot": 0, **kwargs})


def test_renamed_keywords_still_work_with_a_future_warning(data):
    survey, _ = data
    new = segment(survey, k=3, n_boot=2, id_column="respondent_id")
    with pytest.warns(FutureWarning, match=r"'n_bootstrap' parameter of segment\(\) is renamed"):
        old = segment(survey, k=3, n_bootstrap=2)
    pd.testing.assert_frame_equal(old.stability, new.stability)
    with pytest.warns(FutureWarning, match="'id' parameter of first_responses"):
        assert first_responses(survey, id="respondent_id").equals(first_responses(survey))
    with pytest.raises(TypeError, match="got both 'n_bootstrap' and 'n_boot'"):
        segment(survey, k=3, n_boot=2, n_bootstrap=2)


def test_segment_accepts_a_generator_as_random_state(data):
    survey, _ = data
    a = segment(survey, k=3, n_boot=0, random_state=np.random.default_rng(5))
    b = segment(survey, k=3, n_boot=0, random_state=np.random.default_rng(5))
    assert a.labels.equals(b.labels)


def test_segment_error_duplicate_respondent_and_type(data):
    survey, _ = data
    twice = pd.concat([survey.iloc[:5], survey.iloc[:5]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one response in the same wave"):
        segment(twice, k=2, n_boot=0)
    with pytest.raises(TypeError, match="'survey' parameter of segment"):
        segment(survey.to_numpy())
    with pytest.raises(ValueError, match="more respondents"):
        segment(survey.iloc[:3], k=4, n_boot=0)
    no_wave = survey.drop(columns="wave")
    with pytest.raises(ValueError, match="has no column 'wave'"):
        segment(no_wave, wave=1, n_boot=0)
    text = survey.copy()
    text["imp_o0"] = "often"
    with pytest.raises(TypeError, match="numeric answers"):
        segment(text, k=2, n_boot=0)


# ---------------------------------------------------------------------------------------------
# segments_vs
# ---------------------------------------------------------------------------------------------

# Hand-worked cross-table (Bergsma 2013 bias correction):
#              a    b    c   | total
#   seg 1     12    5    3   |   20
#   seg 2      4   15    6   |   25
#   total     16   20    9   |   45
# expected = row x col / 45: [7.111 8.889 4; 8.889 11.111 5]
# chi2 = 3.3611 + 1.7014 + 0.25 + 2.6889 + 1.3611 + 0.2 = 9.5625 (df 2)
# V = sqrt(9.5625 / (45 * 1)) = sqrt(0.2125) = 0.460977
# phi2~ = 0.2125 - (1 * 2) / 44 = 0.1670455; r~ = 2 - 1/44 = 1.977273; c~ = 3 - 4/44 = 2.909091
# V~ = sqrt(0.1670455 / min(0.977273, 1.909091)) = sqrt(0.1709302) = 0.413437
HAND_SEGMENT = np.repeat([1, 1, 1, 2, 2, 2], [12, 5, 3, 4, 15, 6])
HAND_OTHER = np.repeat(["a", "b", "c", "a", "b", "c"], [12, 5, 3, 4, 15, 6])


def test_segments_vs_hand_worked_values():
    res = segments_vs(
        pd.Series(HAND_SEGMENT, name="segment"), pd.Series(HAND_OTHER, name="diagnosis_group")
    )
    assert res.n == 45 and res.dof == 2
    assert res.chi2 == pytest.approx(9.5625, abs=1e-10)
    assert res.cramers_v == pytest.approx(0.460977, abs=1e-6)
    assert res.cramers_v_corrected == pytest.approx(0.413437, abs=1e-6)
    assert res.table.to_numpy().tolist() == [[12, 5, 3], [4, 15, 6]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from("wxyz")), min_size=8, max_size=80))
def test_segments_vs_matches_scipy_and_sklearn(pairs):
    left = pd.Series([p[0] for p in pairs], name="segment")
    right = pd.Series([p[1] for p in pairs], name="dx")
    res = segments_vs(left, right)
    table = pd.crosstab(left, right).to_numpy()
    # reference: scipy.stats.contingency.association (plain Cramér's V, no correction) and
    # sklearn.metrics.adjusted_rand_score
    if min(table.shape) >= 2:
        assert res.cramers_v == pytest.approx(association(table, method="cramer"), abs=1e-12)
        ref = chi2_contingency(table, correction=False)
        assert res.chi2 == pytest.approx(ref.statistic, rel=1e-10, abs=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10, abs=1e-12)
        assert 0 <= res.cramers_v_corrected <= res.cramers_v + 1e-12
    assert res.ari == pytest.approx(adjusted_rand_score(left, right), abs=1e-12)
    assert isinstance(res.reading, str) and res.reading


def test_segments_vs_reading_and_alignment(data, kmeans_result):
    survey, truth = data
    res = segments_vs(kmeans_result.labels, survey["diagnosis_group"])
    assert "negligible" in res.reading and "tells you little" in res.reading
    assert f"{res.cramers_v:.2f}" in res.reading
    same = segments_vs(kmeans_result.labels, pd.Series(truth, index=survey.index, name="truth"))
    assert same.ari >= 0.8 and "strongly associated" in same.reading
    assert "agreement is excellent" in same.reading or "agreement is good" in same.reading
    shuffled = survey["diagnosis_group"].sample(frac=1.0, random_state=1)
    aligned = segments_vs(kmeans_result.labels, shuffled)
    assert aligned.chi2 == pytest.approx(res.chi2)
    corrected = segments_vs(kmeans_result.labels, survey["diagnosis_group"], bias_correction=True)
    assert "bias-corrected" in corrected.reading
    assert corrected.summary()["cramers_v_corrected"].item() == pytest.approx(
        res.cramers_v_corrected
    )


def test_segments_vs_display_table_suppresses_small_cells():
    res = segments_vs(pd.Series(HAND_SEGMENT), pd.Series(HAND_OTHER), min_cell_size=5)
    shown = res.display_table()
    assert shown.loc["All", "All"] == 45
    # 3 and 4 are below 5; hidden, never 0
    assert pd.isna(shown.loc[1, "c"]) and pd.isna(shown.loc[2, "a"])
    assert not (shown.fillna(-1) == 0).any().any()
    counts = res.display_table(margins=False)
    rows = res.display_table(normalize="row", margins=False)
    assert rows.shape == (2, 3)
    assert (rows.isna() == counts.isna()).all().all()
    # nothing is small when every count is tripled: plain row percentages, 15 / 25 = 60%
    big = segments_vs(
        pd.Series(np.tile(HAND_SEGMENT, 3)), pd.Series(np.tile(HAND_OTHER, 3)), min_cell_size=5
    )
    assert big.display_table(normalize="row").loc[2, "b"] == pytest.approx(60.0)
    assert big.display_table(normalize="column").loc[1, "a"] == pytest.approx(75.0)
    with pytest.raises(ValueError, match="'normalize' parameter"):
        res.display_table(normalize="all")


def test_segments_vs_errors():
    with pytest.raises(ValueError, match="same length"):
        segments_vs([1, 2, 3], ["a", "b"])
    with pytest.raises(TypeError, match="'labels' parameter"):
        segments_vs(5, ["a"])
    with pytest.raises(TypeError, match="'bias_correction'"):
        segments_vs([1, 2], ["a", "b"], bias_correction="yes")
    with pytest.raises(ValueError, match="no respondent has both"):
        segments_vs(pd.Series([None, None]), pd.Series(["a", "b"]))


# ---------------------------------------------------------------------------------------------
# Typing tool
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def typing_tool(data, kmeans_result):
    survey, _ = data
    return TypingTool(n_items=4).fit(survey, kmeans_result.labels)


def test_typing_tool_accuracy_above_chance(typing_tool, kmeans_result):
    tool = typing_tool
    assert len(tool.items_) == 4 and tool.selection_["step"].tolist() == [1, 2, 3, 4]
    # the baseline is the share of the largest segment (four planted segments of 150: ~0.25)
    assert tool.baseline_ == pytest.approx(kmeans_result.sizes["n"].max() / 600, rel=1e-12)
    assert tool.baseline_ < 0.27
    assert tool.accuracy_ > tool.baseline_ + 0.4
    low, high = tool.accuracy_ci_
    assert low <= tool.accuracy_ <= high
    assert tool.n_ == 600


def test_typing_tool_interval_level_and_generator_seed(data, kmeans_result, typing_tool):
    survey, _ = data
    # Reference: statsmodels.stats.proportion.proportion_confint(count, nobs, alpha=1 - ci,
    # method="wilson"), computed here.
    correct = round(typing_tool.accuracy_ * typing_tool.n_)
    low, high = proportion_confint(correct, typing_tool.n_, alpha=0.05, method="wilson")
    assert typing_tool.accuracy_ci_ == pytest.approx((low, high), rel=1e-12)
    a = TypingTool(n_items=1, ci=0.8, random_state=np.random.default_rng(4))
    b = TypingTool(n_items=1, ci=0.8, random_state=np.random.default_rng(4))
    a.fit(survey, kmeans_result.labels)
    b.fit(survey, kmeans_result.labels)
    assert a.items_ == b.items_ and a.accuracy_ == b.accuracy_
    correct = round(a.accuracy_ * a.n_)
    low, high = proportion_confint(correct, a.n_, alpha=0.2, method="wilson")
    assert a.accuracy_ci_ == pytest.approx((low, high), rel=1e-12)
    with pytest.raises(ValueError, match="'ci' parameter of TypingTool"):
        TypingTool(ci=95).fit(survey, kmeans_result.labels)


def test_typing_tool_points_table_reproduces_predict(data, typing_tool):
    survey, _ = data
    tool = typing_tool
    table = tool.to_frame(decimals=None)
    n_answers = sum(len(tool.categories_[i]) for i in tool.items_)
    assert len(table) == 1 + n_answers
    assert table["item"].iloc[0] == "(constant)"
    # spreadsheet arithmetic: constant + the score of each given answer, highest total wins
    score_cols = [c for c in table.columns if c.startswith("segment_")]
    totals = np.tile(table.loc[0, score_cols].to_numpy(dtype=float), (len(survey), 1))
    for item in tool.items_:
        rows = table[table["item"] == item].set_index("answer")[score_cols]
        answers = survey[item]
        for answer, scores in rows.iterrows():
            hit = (answers == answer).fillna(False).to_numpy()
            totals[hit] += scores.to_numpy(dtype=float)
    by_hand = np.array([int(c.split("_")[1]) for c in score_cols])[totals.argmax(axis=1)]
    predicted = tool.predict(survey)
    assert predicted.index.equals(survey.index)
    np.testing.assert_array_equal(by_hand, predicted.to_numpy())
    assert tool.to_frame()[score_cols].round(2).equals(tool.to_frame()[score_cols])


def test_typing_tool_selection_matches_sklearn_categorical_nb(data, kmeans_result):
    # Reference: sklearn.naive_bayes.CategoricalNB (alpha=1) with the same folds gives the
    # first step's cross-validated accuracy of the selected item.
    survey, _ = data
    tool = TypingTool(n_items=1, random_state=3).fit(survey, kmeans_result.labels)
    item = tool.items_[0]
    y = kmeans_result.labels.to_numpy(dtype=int)
    values = survey[item].to_numpy(dtype=float, na_value=np.nan)
    cats = np.unique(values[~np.isnan(values)])
    codes = np.array([0 if np.isnan(v) else int(np.searchsorted(cats, v)) + 1 for v in values])
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=3).split(codes, y)
    correct = 0
    for train, test in folds:
        model = CategoricalNB(min_categories=codes.max() + 1).fit(codes[train, None], y[train])
        correct += int((model.predict(codes[test, None]) == y[test]).sum())
    assert tool.selection_["cv_accuracy"].iloc[0] == pytest.approx(correct / len(y))


def test_typing_tool_missing_answers_add_nothing(data, typing_tool):
    survey, _ = data
    blank = survey.iloc[:3][typing_tool.items_].copy()
    blank.loc[:, :] = pd.NA
    predicted = typing_tool.predict(blank)
    constant = typing_tool.to_frame(decimals=None).iloc[0]
    score_cols = [c for c in constant.index if c.startswith("segment_")]
    best = int(score_cols[int(np.argmax(constant[score_cols].to_numpy(dtype=float)))].split("_")[1])
    assert (predicted == best).all()


def test_typing_tool_errors(data, kmeans_result):
    survey, _ = data
    with pytest.raises(ValueError, match="not fitted"):
        TypingTool().predict(survey)
    with pytest.raises(ValueError, match="not fitted"):
        TypingTool().to_frame()
    with pytest.raises(ValueError, match="at least two segments"):
        TypingTool().fit(survey, pd.Series(1, index=survey.index))
    with pytest.raises(ValueError, match="at least cv=5"):
        TypingTool().fit(survey.iloc[:8], pd.Series([1, 2] * 4, index=survey.index[:8]))
    with pytest.raises(ValueError, match="one label per survey row"):
        TypingTool().fit(survey, [1, 2])
    with pytest.raises(ValueError, match="'n_items' parameter of TypingTool"):
        TypingTool(n_items=0).fit(survey, kmeans_result.labels)
    with pytest.raises(ValueError, match="'C' parameter"):
        TypingTool(C=-1).fit(survey, kmeans_result.labels)
    tool = TypingTool(n_items=1).fit(survey, kmeans_result.labels)
    with pytest.raises(ValueError, match="no column"):
        tool.predict(survey.drop(columns=tool.items_))


def test_typing_tool_input_unchanged_and_array_labels(data, kmeans_result):
    survey, _ = data
    before = survey.copy(deep=True)
    tool = TypingTool(n_items=2).fit(survey, kmeans_result.labels.to_numpy(dtype=int))
    pd.testing.assert_frame_equal(survey, before)
    assert tool.accuracy_ > 0.5


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------


def test_plots_return_axes_with_titles(data, kmeans_result):
    survey, _ = data
    seg = kmeans_result
    for ax in (
        plots.plot_k_selection(seg),
        plots.plot_k_selection(seg.selection),
        plots.plot_segment_profiles(seg),
        plots.plot_segment_profiles(seg, value="mean"),
        plots.plot_segments_vs(segments_vs(seg.labels, survey["diagnosis_group"])),
    ):
        assert isinstance(ax, plt.Axes) and ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)
    assert "4 segments" in plots.plot_k_selection(seg).get_title()
    fig = plots.plot_segment_landscapes(seg)
    assert len([a for a in fig.axes if a.get_title()]) == 4
    plt.close("all")
    fig, ax = plt.subplots()
    assert plots.plot_segment_profiles(seg, ax=ax) is ax
    plt.close(fig)
    with pytest.raises(ValueError, match="'value' parameter"):
        plots.plot_segment_profiles(seg, value="median")


# ---------------------------------------------------------------------------------------------
# The sample study
# ---------------------------------------------------------------------------------------------


def test_sample_study_planted_segments_recovered(sample_study):
    from jtbd_methods import load_study

    study = load_study(sample_study)
    seg = segment(study.survey, codebook=study.codebook, n_boot=5, gap_references=0)
    truth_table = pd.read_csv(sample_study / "_truth" / "segments.csv")
    planted_truth = json.loads((sample_study / "_truth" / "planted_truth.json").read_text())
    used = seg.labels.dropna()
    ids = study.survey.loc[used.index, "respondent_id"]
    truth = truth_table.set_index("respondent_id").loc[ids, "segment"].to_numpy()
    assert seg.k == 4
    assert adjusted_rand_score(truth, used.to_numpy(dtype=int)) >= 0.8
    planted = {s["segment"]: set(s["underserved_outcomes"]) for s in planted_truth["segments"]}
    for s in seg.segments:
        members = truth[used.to_numpy(dtype=int) == s]
        planted_s = int(np.bincount(members).argmax())
        top = set(seg.top_outcomes(s, n=len(planted[planted_s]))["outcome_id"])
        assert top == planted[planted_s]


def test_default_names_are_job_labels_with_the_outcome_only_when_jobs_repeat():
    from types import SimpleNamespace

    from jtbd_methods.segmentation.naming import _suggest_names

    codebook = SimpleNamespace(
        jobs=[
            SimpleNamespace(id="work", label="Return to work"),
            SimpleNamespace(id="self", label="Feel like myself"),
        ],
        outcomes=[
            SimpleNamespace(id="back_fast", job_id="work"),
            SimpleNamespace(id="keep_income", job_id="work"),
            SimpleNamespace(id="feel_like_me", job_id="self"),
        ],
    )
    opportunities = pd.DataFrame(
        {
            "segment": [1, 2, 3],
            "outcome_id": ["back_fast", "keep_income", "feel_like_me"],
            "rank": [1, 1, 1],
            "suppressed": False,
        }
    )
    assert _suggest_names(opportunities, 3, codebook) == {
        1: "Return to work: back fast",
        2: "Return to work: keep income",
        3: "Feel like myself",
    }


def test_profile_heatmap_keeps_the_items_that_separate_segments(kmeans_result):
    seg = kmeans_result
    ax = plots.plot_segment_profiles(seg, top=6)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 6
    assert all(r.startswith(("importance: ", "satisfaction: ")) for r in rows)
    spread = seg.profiles.pivot(index="item", columns="segment", values="difference")
    spread = spread.max(axis=1) - spread.min(axis=1)
    widest = spread.idxmax()
    assert any(widest.split("_", 1)[1].replace("_", " ") in r for r in rows)
    assert not any(t.get_text() == "-0.0" for t in ax.texts)
    plt.close(ax.figure)
    everything = plots.plot_segment_profiles(seg, top=None)
    assert len(everything.get_yticklabels()) == seg.profiles["item"].nunique()
    plt.close(everything.figure)
    with pytest.raises(ValueError, match="'top'"):
        plots.plot_segment_profiles(seg, top=0)


def test_separating_items_keeps_the_widest_spreads_in_survey_order():
    # Planted spreads (highest minus lowest segment difference): imp_a 0.2, sat_a 2.0,
    # imp_b 1.1, sat_b 0.0 (segment 3 is suppressed: NaN does not count), imp_c 1.1 (a tie
    # with imp_b, broken by survey order).
    diffs = {
        "imp_a": [0.1, -0.1, np.nan],
        "sat_a": [1.0, -1.0, np.nan],
        "imp_b": [0.6, -0.5, np.nan],
        "sat_b": [0.0, 0.0, np.nan],
        "imp_c": [-0.6, 0.5, np.nan],
    }
    profiles = pd.DataFrame(
        [
            {"segment": s + 1, "item": item, "difference": d[s]}
            for s in range(3)
            for item, d in diffs.items()
        ]
    )
    assert separating_items(profiles, top=1) == ["sat_a"]
    assert separating_items(profiles, top=2) == ["sat_a", "imp_b"]
    assert separating_items(profiles, top=3) == ["sat_a", "imp_b", "imp_c"]
    assert separating_items(profiles, top=99) == list(diffs)
    assert separating_items(profiles, top=None) == list(diffs)
    with pytest.raises(ValueError, match="'top' parameter of separating_items"):
        separating_items(profiles, top=0)
    with pytest.raises(ValueError, match="no column 'difference'"):
        separating_items(profiles.drop(columns="difference"))


def test_question_sheet_scores_give_the_tools_own_predictions(data, kmeans_result):
    survey, _ = data
    seg = kmeans_result
    tool = TypingTool(n_items=4, random_state=0).fit(survey, seg.labels)
    sheet = tool.question_sheet(codebook=CODEBOOK, names=seg.names, decimals=6)
    points = [c for c in sheet.columns if c.startswith("points: ")]
    assert points == [f"points: {seg.names[s]}" for s in sorted(seg.names)]
    assert sheet.loc[0, "wording"] == "Everyone starts with these points"
    assert sheet["wording"].iloc[1].startswith('How important is this to you? "')
    assert list(dict.fromkeys(sheet["question"])) == list(range(len(tool.items_) + 1))
    # scoring by hand from the printed sheet gives the tool's prediction
    answers = survey[tool.items_].head(25)
    start = sheet.loc[sheet["question"] == 0, points].to_numpy()[0]
    for (_, row), predicted in zip(answers.iterrows(), tool.predict(answers), strict=True):
        total = start.copy()
        for q, item in enumerate(tool.items_, start=1):
            hit = sheet.loc[(sheet["question"] == q) & (sheet["answer"] == row[item]), points]
            if len(hit):
                total = total + hit.to_numpy()[0]
        assert sorted(seg.names)[int(np.argmax(total))] == int(predicted)


def test_summary_share_is_a_fraction_and_results_keep_percentage_points(kmeans_result):
    """Frames hold shares as 0-1 (CONTRIBUTING); results.json keeps percentage points."""
    seg = kmeans_result
    summary = seg.summary()
    shown = summary["share"].dropna()
    assert shown.between(0, 1).all()
    assert summary["share"].sum() == pytest.approx(1.0)  # nothing suppressed in this fixture
    expected = seg.sizes.set_index("segment")["share"]  # n / total, as sizes holds it
    heads = seg.headlines()
    for segment_id in seg.segments:
        assert heads[f"segments.{segment_id}.share"] == pytest.approx(100 * expected[segment_id])
