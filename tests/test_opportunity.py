"""Tests of jtbd_methods.opportunity (ODI importance / satisfaction / opportunity scores)."""

from __future__ import annotations

import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from jtbd_methods.codebook import Outcome, codebook_from_dict
from jtbd_methods.opportunity import (
    CLASSIFICATIONS,
    classify_opportunity,
    headlines,
    opportunity_scores,
    outcome_ids_in,
)
from jtbd_methods.plots import plot_opportunity_landscape

NA = pd.NA

# ---------------------------------------------------------------------------------------------
# The hand-worked example: 10 respondents, 3 outcomes, top-two box = answers 4 and 5.
#
#            r1  r2  r3  r4  r5  r6  r7  r8  r9  r10
#   imp_a     5   4   4   3   5   2   4   1   5   .    answered 9, top box 6 (r1 r2 r3 r5 r7 r9)
#   sat_a     2   3   1   4   2   5   .   3   2   1    answered 9, top box 2 (r4 r6)
#   imp_b     2   3   2   1   4   3   2   2   3   1    answered 10, top box 1 (r5)
#   sat_b     5   4   4   5   3   4   5   4   2   5    answered 10, top box 8
#   imp_c     5   5   5   4   5   5   4   5   5   5    answered 10, top box 10
#   sat_c     1   2   1   2   3   1   4   1   2   1    answered 10, top box 1 (r7)
#
# Ulwick (2005): importance = 10 x top-box share, satisfaction likewise,
# opportunity = importance + max(importance - satisfaction, 0):
#   a: I = 10 * 6/9 = 6.6667, S = 10 * 2/9 = 2.2222, O = 6.6667 + 4.4444 = 11.1111
#      -> 10 <= O < 12: "appropriately served"
#   b: I = 10 * 1/10 = 1.0, S = 10 * 8/10 = 8.0, O = 1.0 + 0 = 1.0
#      -> O < 10 and S > I: "overserved"
#   c: I = 10 * 10/10 = 10.0, S = 10 * 1/10 = 1.0, O = 10 + 9 = 19.0
#      -> O > 15: "extremely underserved"
# Ranks by opportunity: c = 1, a = 2, b = 3.
# With weight 2 for r1 (others 1), importance of a uses the 9 answering respondents with total
# weight 2 + 8 = 10 and top-box weight 2 (r1) + 5 = 7: I = 10 * 7/10 = 7.0.
# ---------------------------------------------------------------------------------------------


def hand_example() -> pd.DataFrame:
    def col(values):
        return pd.array(values, dtype="Int64")

    return pd.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(1, 11)],
            "site": ["north"] * 5 + ["south"] * 5,
            "imp_a": col([5, 4, 4, 3, 5, 2, 4, 1, 5, NA]),
            "sat_a": col([2, 3, 1, 4, 2, 5, NA, 3, 2, 1]),
            "imp_b": col([2, 3, 2, 1, 4, 3, 2, 2, 3, 1]),
            "sat_b": col([5, 4, 4, 5, 3, 4, 5, 4, 2, 5]),
            "imp_c": col([5, 5, 5, 4, 5, 5, 4, 5, 5, 5]),
            "sat_c": col([1, 2, 1, 2, 3, 1, 4, 1, 2, 1]),
        }
    )


def random_survey(
    n: int, n_outcomes: int = 3, *, seed: int = 0, p_missing: float = 0.05
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {
        "respondent_id": [f"r{i}" for i in range(n)],
        "site": rng.choice(["A", "B", "C"], size=n),
    }
    for j in range(n_outcomes):
        for prefix in ("imp", "sat"):
            values = pd.array(rng.integers(1, 6, size=n), dtype="Int64")
            values[rng.random(n) < p_missing] = NA
            data[f"{prefix}_o{j}"] = values
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------------
# Reference values
# ---------------------------------------------------------------------------------------------


def test_hand_worked_example_exact_values():
    scores = opportunity_scores(hand_example(), ci=None, min_cell_size=1).set_index("outcome_id")
    # hand-worked above (Ulwick 2005 formula)
    expected = {
        "a": (6.0 / 9 * 10, 2.0 / 9 * 10, 100.0 / 9, 9, 9, 2, "appropriately served"),
        "b": (1.0, 8.0, 1.0, 10, 10, 3, "overserved"),
        "c": (10.0, 1.0, 19.0, 10, 10, 1, "extremely underserved"),
    }
    for outcome, (imp, sat, opp, n_imp, n_sat, rank, cls) in expected.items():
        row = scores.loc[outcome]
        assert row["importance"] == pytest.approx(imp, abs=1e-12)
        assert row["satisfaction"] == pytest.approx(sat, abs=1e-12)
        assert row["opportunity"] == pytest.approx(opp, abs=1e-12)
        assert row["n"] == 10
        assert row["n_importance"] == n_imp
        assert row["n_satisfaction"] == n_sat
        assert row["rank"] == rank
        assert row["classification"] == cls
        assert not row["suppressed"]


def test_hand_worked_weighted_importance():
    data = hand_example()
    data["w"] = [2.0] + [1.0] * 9
    by_column = opportunity_scores(data, weights="w", ci=None, min_cell_size=1)
    by_array = opportunity_scores(data, weights=data["w"].to_numpy(), ci=None, min_cell_size=1)
    # hand-worked above: 10 * 7 / 10
    assert by_column.loc[by_column["outcome_id"] == "a", "importance"].item() == pytest.approx(7.0)
    pd.testing.assert_frame_equal(by_column, by_array)


def test_unit_weights_equal_unweighted():
    data = hand_example()
    plain = opportunity_scores(data, ci=None, min_cell_size=1)
    weighted = opportunity_scores(data, weights=np.full(10, 3.5), ci=None, min_cell_size=1)
    pd.testing.assert_frame_equal(plain, weighted)


def test_per_item_missing_keeps_respondents():
    data = hand_example()
    scores = opportunity_scores(data, ci=None, min_cell_size=1).set_index("outcome_id")
    # r10 skipped imp_a but still counts for every other item
    assert scores.loc["a", "n_importance"] == 9
    assert scores.loc["b", "n_importance"] == 10
    assert (scores["n"] == 10).all()


def test_custom_top_box():
    data = hand_example()
    # top box = answer 5 only; imp_c has eight 5s -> 8.0 (count in the table above)
    scores = opportunity_scores(data, top_box=(5,), ci=None, min_cell_size=1)
    assert scores.loc[scores["outcome_id"] == "c", "importance"].item() == pytest.approx(8.0)


def test_bootstrap_interval_close_to_normal_interval_for_a_share():
    # A share of 1 000 independent answers: the percentile bootstrap interval of 10 x share
    # should match the Wald interval of statsmodels' proportion_confint(method="normal")
    # (both are first-order accurate). Tolerance from the Monte Carlo error of the bootstrap:
    # the standard error of the share on the 0-10 scale is 10 * sqrt(.6 * .4 / 1000) = 0.155,
    # and with B = 4000 resamples that of a 2.5% percentile is sqrt(.025 * .975 / B) /
    # phi(1.96) = 0.042 of it, 0.0066; abs=0.02 is 3 Monte Carlo standard errors (0.0034 is
    # observed).
    rng = np.random.default_rng(11)
    n = 1000
    data = pd.DataFrame(
        {
            "imp_x": rng.choice([2, 5], size=n, p=[0.4, 0.6]),
            "sat_x": rng.choice([1, 4], size=n, p=[0.7, 0.3]),
        }
    )
    scores = opportunity_scores(data, n_boot=4000, random_state=3, id_column=None)
    successes = int((data["imp_x"] >= 4).sum())
    low, high = proportion_confint(successes, n, alpha=0.05, method="normal")
    assert scores["importance_ci_low"].item() == pytest.approx(10 * low, abs=0.02)
    assert scores["importance_ci_high"].item() == pytest.approx(10 * high, abs=0.02)


def test_bootstrap_interval_coverage_sanity():
    # Planted truth: P(important) = 0.6, P(satisfied) = 0.3 -> I = 6, S = 3, O = 9.
    # 200 simulated surveys of 150 respondents; 95% intervals should cover about 95% of the
    # time (binomial sd of the coverage over 200 runs is 1.5 points).
    rng = np.random.default_rng(2024)
    hits = {"importance": 0, "satisfaction": 0, "opportunity": 0}
    truth = {"importance": 6.0, "satisfaction": 3.0, "opportunity": 9.0}
    runs = 200
    for run in range(runs):
        data = pd.DataFrame(
            {
                "imp_x": np.where(rng.random(150) < 0.6, 5, 2),
                "sat_x": np.where(rng.random(150) < 0.3, 4, 1),
            }
        )
        row = opportunity_scores(data, n_boot=400, random_state=run, id_column=None).iloc[0]
        for name in hits:
            hits[name] += row[f"{name}_ci_low"] <= truth[name] <= row[f"{name}_ci_high"]
    for name, count in hits.items():
        assert 0.89 <= count / runs <= 0.99, (name, count / runs)


def test_cluster_bootstrap_resamples_respondents():
    # Two identical waves per respondent: resampling respondents gives exactly the interval
    # of the single-wave data (each respondent's sums are doubled, shares unchanged), while
    # treating rows as independent understates the uncertainty.
    single = random_survey(80, 2, seed=5, p_missing=0.0)
    double = pd.concat([single, single], ignore_index=True)
    one = opportunity_scores(single, n_boot=500, random_state=1)
    clustered = opportunity_scores(double, n_boot=500, random_state=1)
    naive = opportunity_scores(double, n_boot=500, random_state=1, id_column=None)
    cols = [
        "importance",
        "importance_ci_low",
        "importance_ci_high",
        "opportunity_ci_low",
        "opportunity_ci_high",
    ]
    pd.testing.assert_frame_equal(one[cols], clustered[cols])
    width = clustered["importance_ci_high"] - clustered["importance_ci_low"]
    naive_width = naive["importance_ci_high"] - naive["importance_ci_low"]
    assert (naive_width < width).all()


# ---------------------------------------------------------------------------------------------
# Groups and suppression
# ---------------------------------------------------------------------------------------------


def test_by_column_gives_one_row_per_group_and_outcome():
    data = random_survey(120, 3, seed=1)
    scores = opportunity_scores(data, by="site", n_boot=200)
    assert list(scores.columns[:3]) == ["site", "outcome_id", "job_id"]
    assert len(scores) == 3 * 3
    for site, part in scores.groupby("site"):
        expected = opportunity_scores(data[data["site"] == site], n_boot=200, random_state=0)
        np.testing.assert_allclose(part["opportunity"], expected["opportunity"])
        assert sorted(part["rank"].tolist()) == [1, 2, 3]


def test_by_series_of_labels_and_missing_group():
    data = random_survey(60, 2, seed=2)
    labels = pd.Series(
        [1] * 30 + [2] * 25 + [None] * 5, index=data.index, name="segment", dtype="Int64"
    )
    scores = opportunity_scores(data, by=labels, n_boot=200)
    assert set(scores["segment"]) == {1, 2}
    assert scores.loc[scores["segment"] == 2, "n"].unique().tolist() == [25]


def test_by_unnamed_series_and_several_columns():
    data = random_survey(90, 1, seed=3)
    data["wave"] = np.tile([1, 2, 3], 30)
    unnamed = opportunity_scores(data, by=pd.Series(np.repeat(["x", "y"], 45)), ci=None)
    assert "group" in unnamed.columns
    two = opportunity_scores(data, by=["site", "wave"], ci=None, min_cell_size=1)
    assert len(two) == data.groupby(["site", "wave"]).ngroups


def test_small_groups_are_suppressed_not_zero():
    data = random_survey(40, 2, seed=4, p_missing=0.0)
    data["site"] = ["big"] * 34 + ["small"] * 6
    scores = opportunity_scores(data, by="site", n_boot=200, min_cell_size=10)
    small = scores[scores["site"] == "small"]
    assert small["suppressed"].all()
    estimate_cols = [
        c for c in scores.columns if c.startswith(("importance", "satisfaction", "opportunity"))
    ]
    assert small[estimate_cols].isna().all().all()
    assert small["rank"].isna().all() and small["classification"].isna().all()
    assert not scores.loc[scores["site"] == "big", "suppressed"].any()


def test_item_with_few_answers_is_suppressed():
    data = random_survey(30, 2, seed=6, p_missing=0.0)
    data.loc[5:, "sat_o1"] = NA  # only 5 answers left
    scores = opportunity_scores(data, ci=None, min_cell_size=10).set_index("outcome_id")
    assert scores.loc["o1", "suppressed"] and np.isnan(scores.loc["o1", "opportunity"])
    assert not scores.loc["o0", "suppressed"]


def test_outcome_objects_fill_job_id_and_order():
    data = hand_example()
    outcomes = [Outcome("c", "return_to_life", "text c"), Outcome("a", "gain_clarity", "text a")]
    scores = opportunity_scores(data, outcomes=outcomes, ci=None, min_cell_size=1)
    assert scores["outcome_id"].tolist() == ["c", "a"]
    assert scores["job_id"].tolist() == ["return_to_life", "gain_clarity"]


def test_codebook_outcomes_without_items_are_left_out(caplog):
    codebook = codebook_from_dict(
        {
            "name": "t",
            "jobs": [{"id": "j1", "label": "Job one", "indicators": ["x"]}],
            "outcomes": [
                {"id": "c", "job_id": "j1", "text": "C"},
                {"id": "zzz", "job_id": "j1", "text": "not asked"},
                {"id": "a", "job_id": "j1", "text": "A"},
            ],
        }
    )
    with caplog.at_level(logging.INFO, logger="jtbd_methods.opportunity"):
        scores = opportunity_scores(hand_example(), outcomes=codebook, ci=None, min_cell_size=1)
    assert scores["outcome_id"].tolist() == ["c", "a"]
    assert (scores["job_id"] == "j1").all()
    assert "zzz" in caplog.text


def test_outcome_ids_in_logs_unpaired(caplog):
    data = pd.DataFrame({"imp_a": [1], "sat_a": [2], "imp_b": [3], "sat_c": [4]})
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.opportunity"):
        assert outcome_ids_in(data) == ["a"]
    assert "b, c" in caplog.text


def test_classification_boundaries():
    opp = [15.0001, 15.0, 12.0, 11.999, 10.0, 9.99, 9.0, np.nan]
    imp = [9.0, 8.0, 7.0, 6.5, 5.0, 5.0, 4.5, 5.0]
    sat = [2.0, 1.0, 2.0, 1.0, 0.0, 0.01, 6.0, 1.0]
    out = classify_opportunity(opp, imp, sat).tolist()
    assert out == [
        "extremely underserved",
        "underserved",
        "underserved",
        "appropriately served",
        "appropriately served",
        "served",
        "overserved",
        None,
    ]
    assert set(o for o in out if o) <= set(CLASSIFICATIONS)


def test_headlines_keys_and_ranking():
    scores = opportunity_scores(hand_example(), n_boot=200, min_cell_size=1)
    out = headlines(scores)
    assert out["opportunity.ranking"] == ["c", "a", "b"]
    assert out["opportunity.underserved"] == ["c"]
    assert out["opportunity.c.score"] == pytest.approx(19.0)
    low, high = out["opportunity.c.score_ci"]
    assert low <= 19.0 <= high


def test_headlines_rejects_grouped_scores():
    scores = opportunity_scores(hand_example(), by="site", ci=None, min_cell_size=1)
    with pytest.raises(ValueError, match="one row per outcome"):
        headlines(scores)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

likert = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@st.composite
def surveys(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    n_out = draw(st.integers(min_value=1, max_value=3))
    data = {"respondent_id": [f"r{i}" for i in range(n)]}
    for j in range(n_out):
        for prefix in ("imp", "sat"):
            values = draw(st.lists(likert, min_size=n, max_size=n))
            data[f"{prefix}_o{j}"] = pd.array(values, dtype="Int64")
    return pd.DataFrame(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys(), st.integers(min_value=0, max_value=2**16))
def test_properties_ranges_interval_input_unchanged(survey, seed):
    before = survey.copy(deep=True)
    scores = opportunity_scores(survey, n_boot=100, random_state=seed, min_cell_size=1)
    pd.testing.assert_frame_equal(survey, before)
    ok = scores["opportunity"].notna()
    assert scores.loc[ok, "importance"].between(0, 10).all()
    assert scores.loc[ok, "satisfaction"].between(0, 10).all()
    assert scores.loc[ok, "opportunity"].between(0, 20).all()
    for name in ("importance", "satisfaction", "opportunity"):
        part = scores[ok]
        assert (part[f"{name}_ci_low"] <= part[name] + 1e-12).all()
        assert (part[name] <= part[f"{name}_ci_high"] + 1e-12).all()
    assert (scores.loc[ok, "opportunity"] >= scores.loc[ok, "importance"] - 1e-12).all()


@settings(max_examples=30, deadline=None)
@given(surveys(), st.randoms(use_true_random=False))
def test_property_row_order_invariance(survey, rnd):
    order = list(range(len(survey)))
    rnd.shuffle(order)
    shuffled = survey.iloc[order]
    a = opportunity_scores(survey, ci=None, min_cell_size=1)
    b = opportunity_scores(shuffled, ci=None, min_cell_size=1)
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_error_not_a_dataframe():
    with pytest.raises(TypeError, match="'survey' parameter of opportunity_scores"):
        opportunity_scores([1, 2, 3])


def test_error_no_outcomes():
    with pytest.raises(ValueError, match="found no outcome to score"):
        opportunity_scores(pd.DataFrame({"x": [1, 2]}))


def test_error_missing_outcome_columns():
    with pytest.raises(ValueError, match="no columns 'imp_zzz', 'sat_zzz'"):
        opportunity_scores(hand_example(), outcomes=["a", "zzz"])


def test_error_outcomes_wrong_type():
    with pytest.raises(TypeError, match="'outcomes' parameter"):
        opportunity_scores(hand_example(), outcomes="a")
    with pytest.raises(TypeError, match="outcome ids"):
        opportunity_scores(hand_example(), outcomes=[1, 2])
    with pytest.raises(ValueError, match="lists an outcome twice"):
        opportunity_scores(hand_example(), outcomes=["a", "a"])


def test_error_non_numeric_item():
    data = hand_example()
    data["imp_a"] = ["high"] * 10
    with pytest.raises(TypeError, match="must hold numeric answers"):
        opportunity_scores(data)


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.r_[-1.0, np.ones(9)], "finite and non-negative"),
        (np.ones(3), "one value per survey row"),
        ("nope", "no column 'nope'"),
    ],
)
def test_error_bad_weights(weights, match):
    with pytest.raises(ValueError, match=match):
        opportunity_scores(hand_example(), weights=weights, ci=None)


def test_error_misaligned_series():
    data = hand_example()
    with pytest.raises(ValueError, match="'by' Series"):
        opportunity_scores(data, by=pd.Series([1, 2], index=[100, 101]), ci=None)
    with pytest.raises(ValueError, match="'weights' Series"):
        opportunity_scores(data, weights=pd.Series([1.0, 2.0], index=[100, 101]), ci=None)


def test_error_by_missing_column():
    with pytest.raises(ValueError, match="no column 'ward'"):
        opportunity_scores(hand_example(), by="ward")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"ci": 1.5}, ValueError, "'ci' parameter of opportunity_scores"),
        ({"n_boot": 10}, ValueError, "'n_boot' parameter"),
        ({"min_cell_size": 0}, ValueError, "'min_cell_size' parameter"),
        ({"random_state": "x"}, TypeError, "'random_state' parameter"),
        ({"top_box": 4}, TypeError, "'top_box' parameter"),
        ({"top_box": ()}, ValueError, "'top_box' parameter"),
        ({"top_box": ("4",)}, ValueError, "'top_box' parameter"),
    ],
)
def test_error_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        opportunity_scores(hand_example(), **kwargs)


# ---------------------------------------------------------------------------------------------
# Plot
# ---------------------------------------------------------------------------------------------


def test_plot_opportunity_landscape():
    scores = opportunity_scores(hand_example(), n_boot=200, min_cell_size=1)
    ax = plot_opportunity_landscape(scores, show_ci=True)
    assert ax.get_title() and "Satisfaction" in ax.get_xlabel()
    assert "Importance" in ax.get_ylabel()
    assert ax.get_xlim() == (0.0, 10.0) and ax.get_ylim() == (0.0, 10.0)
    assert {t.get_text() for t in ax.texts} == {"a", "b", "c"}
    plt.close(ax.figure)
    fig, given_ax = plt.subplots()
    assert plot_opportunity_landscape(scores, ax=given_ax) is given_ax
    plt.close(fig)


def test_plot_landscape_skips_suppressed_and_rejects_groups():
    data = hand_example()
    scores = opportunity_scores(data, by="site", ci=None, min_cell_size=1)
    with pytest.raises(ValueError, match="repeats values"):
        plot_opportunity_landscape(scores)
    suppressed = opportunity_scores(data, ci=None, min_cell_size=10)  # a has 9 answers
    ax = plot_opportunity_landscape(suppressed)
    assert {t.get_text() for t in ax.texts} == {"b", "c"}
    plt.close(ax.figure)


def test_renamed_id_keyword_and_generator_random_state():
    survey = random_survey(60, 2, seed=3)
    new = opportunity_scores(survey, n_boot=100, random_state=np.random.default_rng(1))
    with pytest.warns(FutureWarning, match="'id' parameter of opportunity_scores.*'id_column'"):
        old = opportunity_scores(
            survey, n_boot=100, random_state=np.random.default_rng(1), id="respondent_id"
        )
    pd.testing.assert_frame_equal(old, new)
