"""Tests of jtbd_methods.recovery: disruption impact, priorities, key drivers, action plan."""

from __future__ import annotations

import itertools
import json
import logging
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from jtbd_methods import coding, load_study, privacy, recovery, tracking
from jtbd_methods.codebook import codebook_from_dict
from jtbd_methods.recovery import (
    QUADRANTS,
    action_plan,
    close_the_loop,
    disruption_impact,
    export_action_plan,
    key_drivers,
    priority_matrix,
    record_key_drivers,
    text_priorities,
    working_sheet,
)

# --------------------------------------------------------------------------------------------
# Synthetic data with planted truth
# --------------------------------------------------------------------------------------------

#: job -> (share of comments disrupted, rating drop when disrupted)
PLANTED = {
    "feel_heard": (0.20, 1.0),
    "gain_clarity": (0.10, 1.6),
    "manage_side_effects": (0.05, 0.4),
    "keep_routines": (0.30, 0.2),
}


def synthetic_feedback(n: int = 4000, *, seed: int = 0, noise: float = 0.7, integer: bool = False):
    """Comments whose rating drops by the planted amount when a job is disrupted."""
    rng = np.random.default_rng(seed)
    fb = pd.DataFrame(
        {
            "comment_id": [f"c{i:05d}" for i in range(n)],
            "site": rng.choice(["North", "South", "East"], n),
        }
    )
    y = 4.3 + np.where(fb["site"] == "North", 0.2, 0.0)
    rows = []
    for job, (share, drop) in PLANTED.items():
        d = rng.random(n) < share
        y = y - drop * d
        rows += [(cid, job, "disrupted", "phrase", 0, 6) for cid in fb["comment_id"][d]]
    praised = rng.random(n) < 0.15
    rows += [
        (cid, "feel_heard", "fulfilled", "listened", 0, 8) for cid in fb["comment_id"][praised]
    ]
    y = y + 0.1 * praised + rng.normal(0, noise, n)
    if integer:
        fb["rating"] = pd.array(np.clip(np.round(y), 1, 5).astype(int), dtype="Int64")
    else:
        fb["rating"] = y
    codes = pd.DataFrame(
        rows, columns=["comment_id", "job_id", "polarity", "phrase", "start", "end"]
    )
    return fb, codes


@pytest.fixture(scope="module")
def data():
    return synthetic_feedback()


def design_by_hand(fb, codes, jobs, *, sites=False, fulfilled=()):
    """The regression design built independently of the module."""
    y = pd.to_numeric(fb["rating"], errors="coerce").astype(float)
    ok = y.notna()
    x = pd.DataFrame({"const": 1.0}, index=fb.index)
    for j in jobs:
        ids = set(
            codes.loc[(codes["job_id"] == j) & (codes["polarity"] == "disrupted"), "comment_id"]
        )
        x[j] = fb["comment_id"].isin(ids).astype(float)
    for j in fulfilled:
        ids = set(
            codes.loc[(codes["job_id"] == j) & (codes["polarity"] == "fulfilled"), "comment_id"]
        )
        x["f_" + j] = fb["comment_id"].isin(ids).astype(float)
    if sites:
        for s in ("North", "South"):  # "East" is the reference level (first alphabetically)
            x["site_" + s] = (fb["site"] == s).astype(float)
    return y[ok], x[ok]


# --------------------------------------------------------------------------------------------
# disruption_impact
# --------------------------------------------------------------------------------------------


def test_impact_equals_statsmodels_ols_hc3_fitted_directly(data):
    fb, codes = data
    jobs = sorted(PLANTED)
    out = disruption_impact(fb, codes, adjust_for=["site"], fulfilment=True)
    y, x = design_by_hand(fb, codes, jobs, sites=True, fulfilled=["feel_heard"])
    # Reference: statsmodels OLS with HC3 covariance on the same design (statsmodels 0.15).
    ref = sm.OLS(y, x).fit(cov_type="HC3")
    ci = ref.conf_int(alpha=0.05)
    got = out.set_index("job_id")
    for j in jobs:
        assert got.loc[j, "impact"] == pytest.approx(-ref.params[j], abs=1e-10)
        assert got.loc[j, "se"] == pytest.approx(ref.bse[j], rel=1e-8)
        assert got.loc[j, "p"] == pytest.approx(ref.pvalues[j], rel=1e-6, abs=1e-300)
        assert got.loc[j, "ci_low"] == pytest.approx(-ci.loc[j, 1], abs=1e-8)
        assert got.loc[j, "ci_high"] == pytest.approx(-ci.loc[j, 0], abs=1e-8)
    assert (out["n_rated"] == len(y)).all()


def test_impact_without_adjustment_equals_statsmodels(data):
    fb, codes = data
    jobs = sorted(PLANTED)
    out = disruption_impact(fb, codes, ci=0.9).set_index("job_id")
    y, x = design_by_hand(fb, codes, jobs)
    # Reference: statsmodels OLS, HC3, 90% Wald interval.
    ref = sm.OLS(y, x).fit(cov_type="HC3")
    ci = ref.conf_int(alpha=0.10)
    for j in jobs:
        assert out.loc[j, "impact"] == pytest.approx(-ref.params[j], abs=1e-10)
        assert out.loc[j, "ci_low"] == pytest.approx(-ci.loc[j, 1], abs=1e-8)


def test_planted_impacts_recovered_within_ci():
    fb, codes = synthetic_feedback(n=6000, seed=11)
    out = disruption_impact(fb, codes, adjust_for=["site"], fulfilment=True).set_index("job_id")
    for job, (share, drop) in PLANTED.items():
        assert out.loc[job, "ci_low"] <= drop <= out.loc[job, "ci_high"], job
        lo, hi = out.loc[job, "share_ci_low"], out.loc[job, "share_ci_high"]
        assert lo - 0.01 <= share <= hi + 0.01


def test_share_and_wilson_interval(data):
    fb, codes = data
    out = disruption_impact(fb, codes).set_index("job_id")
    for j in PLANTED:
        k = codes.loc[
            (codes["job_id"] == j) & (codes["polarity"] == "disrupted"), "comment_id"
        ].nunique()
        assert out.loc[j, "n_disrupted"] == k
        assert out.loc[j, "disruption_share"] == pytest.approx(k / len(fb))
        # Reference: statsmodels proportion_confint(method="wilson").
        lo, hi = proportion_confint(k, len(fb), alpha=0.05, method="wilson")
        assert out.loc[j, "share_ci_low"] == pytest.approx(lo, rel=1e-9)
        assert out.loc[j, "share_ci_high"] == pytest.approx(hi, rel=1e-9)


def test_missing_ratings_count_in_share_not_in_regression():
    fb, codes = synthetic_feedback(n=1500, seed=2, integer=True)
    fb.loc[fb.index % 7 == 0, "rating"] = pd.NA
    out = disruption_impact(fb, codes)
    assert (out["n"] == 1500).all()
    assert (out["n_rated"] == int(fb["rating"].notna().sum())).all()
    assert (out["n_rated_disrupted"] <= out["n_disrupted"]).all()
    assert out["impact"].notna().all()


def test_jobs_order_and_unseen_jobs():
    fb, codes = synthetic_feedback(n=800, seed=3)
    out = disruption_impact(fb, codes, jobs=["keep_routines", "never_seen", "feel_heard"])
    assert out["job_id"].tolist() == ["keep_routines", "never_seen", "feel_heard"]
    row = out.set_index("job_id").loc["never_seen"]
    assert row["n_disrupted"] == 0 and math.isnan(row["impact"])


def test_rare_job_not_estimated(caplog):
    fb, codes = synthetic_feedback(n=800, seed=4)
    rare = pd.DataFrame(
        {"comment_id": fb["comment_id"][:3], "job_id": "rare_job", "polarity": "disrupted"}
    )
    with caplog.at_level(logging.INFO, logger="jtbd_methods.recovery"):
        out = disruption_impact(fb, pd.concat([codes, rare]), min_n=5).set_index("job_id")
    assert out.loc["rare_job", "n_disrupted"] == 3
    assert math.isnan(out.loc["rare_job", "impact"])
    assert "rare_job" in caplog.text


def test_aliased_jobs_and_leverage_one_rows(caplog):
    fb, codes = synthetic_feedback(n=600, seed=5)
    twin = codes.loc[
        (codes["job_id"] == "gain_clarity") & (codes["polarity"] == "disrupted")
    ].copy()
    twin["job_id"] = "twin_of_clarity"
    lone = fb.iloc[[0]].assign(comment_id="lonely", site="Island")
    fb2 = pd.concat([fb, lone], ignore_index=True)
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.recovery"):
        out = disruption_impact(fb2, pd.concat([codes, twin]), adjust_for=["site"]).set_index(
            "job_id"
        )
    assert "aliased" in caplog.text and "leverage 1" in caplog.text
    # one of the twins is identified, the other is aliased and left NaN
    assert out.loc[["gain_clarity", "twin_of_clarity"], "impact"].notna().sum() == 1
    assert np.isfinite(out.loc["feel_heard", "se"])


def test_unknown_comment_ids_in_codes_are_ignored(caplog):
    fb, codes = synthetic_feedback(n=500, seed=6)
    extra = pd.DataFrame(
        {"comment_id": ["ghost1", "ghost2"], "job_id": "feel_heard", "polarity": "disrupted"}
    )
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.recovery"):
        a = disruption_impact(fb, pd.concat([codes, extra]))
    b = disruption_impact(fb, codes)
    pd.testing.assert_frame_equal(a, b)
    assert "not in 'feedback'" in caplog.text


def test_inputs_not_mutated_and_row_order_irrelevant():
    fb, codes = synthetic_feedback(n=700, seed=7, integer=True)
    fb_copy, codes_copy = fb.copy(deep=True), codes.copy(deep=True)
    a = disruption_impact(fb, codes, adjust_for=["site"])
    pd.testing.assert_frame_equal(fb, fb_copy)
    pd.testing.assert_frame_equal(codes, codes_copy)
    b = disruption_impact(
        fb.sample(frac=1, random_state=1), codes.sample(frac=1, random_state=2), adjust_for=["site"]
    )
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


def test_duplicate_code_rows_count_once(data):
    fb, codes = data
    a = disruption_impact(fb, codes)
    b = disruption_impact(fb, pd.concat([codes, codes.head(50)]))
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"ci": 1.5}, ValueError, "'ci' parameter of disruption_impact"),
        ({"min_n": 1}, ValueError, "'min_n' parameter of disruption_impact"),
        ({"rating": "stars"}, ValueError, "'feedback' has no column 'stars'"),
        ({"adjust_for": ["ward"]}, ValueError, "no column 'ward'"),
        ({"adjust_for": 3}, TypeError, "'adjust_for' parameter of disruption_impact"),
        ({"jobs": "feel_heard"}, TypeError, "'jobs' parameter of disruption_impact"),
        ({"jobs": ["feel_heard", "feel_heard"]}, ValueError, "lists 'feel_heard' twice"),
        ({"jobs": ["feel_heard", 3]}, TypeError, "'jobs' parameter .* must hold names"),
        ({"fulfilment": "yes"}, TypeError, "'fulfilment' parameter of disruption_impact"),
    ],
)
def test_disruption_impact_parameter_errors(data, kwargs, exc, match):
    fb, codes = data
    with pytest.raises(exc, match=match):
        disruption_impact(fb, codes, **kwargs)


def test_disruption_impact_data_errors(data):
    fb, codes = data
    with pytest.raises(TypeError, match="'feedback' parameter of disruption_impact"):
        disruption_impact(fb.to_dict(), codes)
    with pytest.raises(TypeError, match="'codes' parameter of disruption_impact"):
        disruption_impact(fb, [1, 2])
    bad = codes.assign(polarity="negative")
    with pytest.raises(
        ValueError, match="must hold 'disrupted', 'fulfilled' or 'unclear'; got 'negative'"
    ):
        disruption_impact(fb, bad)
    with pytest.raises(ValueError, match="'codes' has no column 'job_id'"):
        disruption_impact(fb, codes.drop(columns="job_id"))
    dup = pd.concat([fb, fb.head(2)])
    with pytest.raises(ValueError, match="identify each comment once"):
        disruption_impact(dup, codes)
    tiny = pd.DataFrame(
        {"comment_id": ["a", "b", "c"], "rating": [5.0, 1.0, 2.0], "site": ["N", "S", "E"]}
    )
    tiny_codes = pd.DataFrame({"comment_id": ["a", "b"], "job_id": "j", "polarity": "disrupted"})
    with pytest.raises(ValueError, match="not enough rated comments"):
        disruption_impact(tiny, tiny_codes, min_n=2, adjust_for=["site"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(min_value=40, max_value=150),
    seed=st.integers(min_value=0, max_value=10_000),
    shares=st.lists(st.floats(min_value=0.05, max_value=0.6), min_size=1, max_size=3),
)
def test_property_shares_and_intervals(n, seed, shares):
    rng = np.random.default_rng(seed)
    fb = pd.DataFrame(
        {
            "comment_id": [f"c{i}" for i in range(n)],
            "rating": pd.array(rng.integers(1, 6, n), dtype="Int64"),
        }
    )
    rows = []
    for k, s in enumerate(shares):
        hit = rng.random(n) < s
        rows += [(c, f"job{k}", "disrupted") for c in fb["comment_id"][hit]]
    codes = pd.DataFrame(rows, columns=["comment_id", "job_id", "polarity"])
    out = disruption_impact(fb, codes, min_n=2)
    assert out["disruption_share"].between(0, 1).all()
    assert (out["share_ci_low"] <= out["disruption_share"] + 1e-12).all()
    assert (out["disruption_share"] <= out["share_ci_high"] + 1e-12).all()
    est = out.dropna(subset=["impact"])
    assert (est["ci_low"] <= est["impact"]).all() and (est["impact"] <= est["ci_high"]).all()
    shuffled = disruption_impact(fb.iloc[rng.permutation(n)], codes, min_n=2)
    pd.testing.assert_frame_equal(out, shuffled, check_exact=False, rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------------------------
# priority_matrix
# --------------------------------------------------------------------------------------------


def test_priority_is_share_times_impact_with_delta_interval(data):
    fb, codes = data
    pm = priority_matrix(fb, codes).set_index("job_id")
    base = disruption_impact(fb, codes).set_index("job_id")
    for j in PLANTED:
        s, b, se_b = base.loc[j, "disruption_share"], base.loc[j, "impact"], base.loc[j, "se"]
        assert pm.loc[j, "priority"] == pytest.approx(100 * s * b)
        # Delta method for a product of independent estimates (first order):
        # Var(s*b) = b^2 Var(s) + s^2 Var(b), Var(s) = s(1-s)/n.
        se = 100 * math.sqrt(b**2 * s * (1 - s) / len(fb) + s**2 * se_b**2)
        assert pm.loc[j, "ci_low"] == pytest.approx(100 * s * b - 1.959963984540054 * se)
        assert pm.loc[j, "ci_high"] == pytest.approx(100 * s * b + 1.959963984540054 * se)


def test_planted_priority_ranking_recovered(data):
    fb, codes = data
    truth = sorted(PLANTED, key=lambda j: -PLANTED[j][0] * PLANTED[j][1])
    for method in ("delta", "bootstrap"):
        pm = priority_matrix(fb, codes, method=method, n_boot=300)
        assert pm["job_id"].tolist() == truth
        assert pm["rank"].tolist() == [1, 2, 3, 4]
        got = pm.set_index("job_id")
        for j, (s, b) in PLANTED.items():
            assert got.loc[j, "ci_low"] <= 100 * s * b * 1.05
            assert got.loc[j, "ci_high"] >= 100 * s * b * 0.95


def test_bootstrap_interval_agrees_with_delta_on_large_sample(data):
    fb, codes = data
    d = priority_matrix(fb, codes).set_index("job_id")
    b = priority_matrix(fb, codes, method="bootstrap", n_boot=400, random_state=3).set_index(
        "job_id"
    )
    width_d = d["ci_high"] - d["ci_low"]
    width_b = b["ci_high"] - b["ci_low"]
    assert ((width_b / width_d) - 1).abs().max() < 0.25
    again = priority_matrix(fb, codes, method="bootstrap", n_boot=400, random_state=3)
    pd.testing.assert_frame_equal(b, again.set_index("job_id"))


def test_quadrants_cutoffs_and_labels(data):
    fb, codes = data
    pm = priority_matrix(
        fb,
        codes,
        share_cutoff=0.15,
        impact_cutoff=0.9,
        labels={"feel_heard": "Feel seen and heard"},
    )
    got = pm.set_index("job_id")
    assert got.loc["feel_heard", "quadrant"] == QUADRANTS[("high", "high")]
    assert got.loc["gain_clarity", "quadrant"] == QUADRANTS[("low", "high")]
    assert got.loc["keep_routines", "quadrant"] == QUADRANTS[("high", "low")]
    assert got.loc["manage_side_effects", "quadrant"] == QUADRANTS[("low", "low")]
    assert got.loc["feel_heard", "label"] == "Feel seen and heard"
    assert got.loc["gain_clarity", "label"] == "gain_clarity"
    default = priority_matrix(fb, codes)
    assert default.attrs["share_cutoff"] == pytest.approx(default["disruption_share"].median())
    assert (default["frequency"] == "high").sum() == 2


def test_unestimable_jobs_rank_last(data):
    fb, codes = data
    pm = priority_matrix(fb, codes, jobs=[*PLANTED, "never_seen"])
    assert pm["job_id"].iloc[-1] == "never_seen"
    assert pm["rank"].isna().iloc[-1] and pd.isna(pm["quadrant"].iloc[-1])
    assert str(pm["rank"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"method": "jackknife"}, ValueError, "'method' parameter of priority_matrix"),
        ({"n_boot": 20}, ValueError, "'n_boot' parameter of priority_matrix"),
        ({"labels": ["a"]}, TypeError, "'labels' parameter of priority_matrix"),
    ],
)
def test_priority_matrix_errors(data, kwargs, exc, match):
    fb, codes = data
    with pytest.raises(exc, match=match):
        priority_matrix(fb, codes, **kwargs)


# --------------------------------------------------------------------------------------------
# key_drivers: reference values
# --------------------------------------------------------------------------------------------

# R datasets::mtcars (Henderson & Velleman 1981, Motor Trend 1974), columns mpg, cyl, disp,
# hp, vs, am, gear, as printed by R's write.csv(mtcars); public domain.
MTCARS = pd.DataFrame(
    [
        (21.0, 6, 160.0, 110, 0, 1, 4),
        (21.0, 6, 160.0, 110, 0, 1, 4),
        (22.8, 4, 108.0, 93, 1, 1, 4),
        (21.4, 6, 258.0, 110, 1, 0, 3),
        (18.7, 8, 360.0, 175, 0, 0, 3),
        (18.1, 6, 225.0, 105, 1, 0, 3),
        (14.3, 8, 360.0, 245, 0, 0, 3),
        (24.4, 4, 146.7, 62, 1, 0, 4),
        (22.8, 4, 140.8, 95, 1, 0, 4),
        (19.2, 6, 167.6, 123, 1, 0, 4),
        (17.8, 6, 167.6, 123, 1, 0, 4),
        (16.4, 8, 275.8, 180, 0, 0, 3),
        (17.3, 8, 275.8, 180, 0, 0, 3),
        (15.2, 8, 275.8, 180, 0, 0, 3),
        (10.4, 8, 472.0, 205, 0, 0, 3),
        (10.4, 8, 460.0, 215, 0, 0, 3),
        (14.7, 8, 440.0, 230, 0, 0, 3),
        (32.4, 4, 78.7, 66, 1, 1, 4),
        (30.4, 4, 75.7, 52, 1, 1, 4),
        (33.9, 4, 71.1, 65, 1, 1, 4),
        (21.5, 4, 120.1, 97, 1, 0, 3),
        (15.5, 8, 318.0, 150, 0, 0, 3),
        (15.2, 8, 304.0, 150, 0, 0, 3),
        (13.3, 8, 350.0, 245, 0, 0, 3),
        (19.2, 8, 400.0, 175, 0, 0, 3),
        (27.3, 4, 79.0, 66, 1, 1, 4),
        (26.0, 4, 120.3, 91, 0, 1, 5),
        (30.4, 4, 95.1, 113, 1, 1, 5),
        (15.8, 8, 351.0, 264, 0, 1, 5),
        (19.7, 6, 145.0, 175, 0, 1, 5),
        (15.0, 8, 301.0, 335, 0, 1, 5),
        (21.4, 4, 121.0, 109, 1, 1, 4),
    ],
    columns=["mpg", "cyl", "disp", "hp", "vs", "am", "gear"],
)


def test_lmg_matches_relaimpo_on_mtcars():
    # Reference: R relaimpo 2.2, relaimpo::calc.relimp(mpg ~ am + vs + cyl, data = mtcars,
    # type = "lmg"), output printed in the README of the domir R package (J. Luchman,
    # github.com/jluchman/domir): "Proportion of variance explained by model: 76.2%"
    #   am 0.1774892, vs 0.2027032, cyl 0.3817849; domir overall value 0.7619773.
    out = key_drivers(
        MTCARS, outcome="mpg", drivers=["am", "vs", "cyl"], method="shapley", n_boot=0
    ).set_index("driver")
    assert out.loc["am", "weight"] == pytest.approx(0.1774892, abs=5e-8)
    assert out.loc["vs", "weight"] == pytest.approx(0.2027032, abs=5e-8)
    assert out.loc["cyl", "weight"] == pytest.approx(0.3817849, abs=5e-8)
    assert out["r_squared"].iloc[0] == pytest.approx(0.7619773, abs=5e-8)
    # domir's general dominance "Standardized" column = share of R²: 0.2329324 0.2660226 0.5010450
    assert out.loc["cyl", "share_of_r2"] == pytest.approx(0.5010450, abs=5e-7)
    assert out.loc["cyl", "rank"] == 1


def test_relative_weights_match_rwa_on_mtcars():
    # Reference: R package rwa (M. Chan), README "Basic example":
    # rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp", "gear"))
    #   $rsquare 0.7791896; Raw.RelWeight cyl 0.2284797, disp 0.2221469, hp 0.2321744,
    #   gear 0.0963886; Rescaled.RelWeight cyl 29.32274, disp 28.50999, hp 29.79691, gear 12.37037
    out = key_drivers(
        MTCARS, outcome="mpg", drivers=["cyl", "disp", "hp", "gear"], n_boot=0
    ).set_index("driver")
    ref = {"cyl": 0.2284797, "disp": 0.2221469, "hp": 0.2321744, "gear": 0.0963886}
    pct = {"cyl": 29.32274, "disp": 28.50999, "hp": 29.79691, "gear": 12.37037}
    for k in ref:
        assert out.loc[k, "weight"] == pytest.approx(ref[k], abs=5e-8)
        # a share (0-1) in the frame; rwa's Rescaled.RelWeight is in percent
        assert 100 * out.loc[k, "share_of_r2"] == pytest.approx(pct[k], abs=5e-6)
    assert out["r_squared"].iloc[0] == pytest.approx(0.7791896, abs=5e-8)
    assert out.index.tolist() == ["hp", "cyl", "disp", "gear"]


def _ols_r2(y, x) -> float:
    if x.shape[1] == 0:
        return 0.0
    return float(sm.OLS(y, sm.add_constant(x, has_constant="add")).fit().rsquared)


def test_shapley_equals_brute_force_subset_r2_with_statsmodels():
    rng = np.random.default_rng(42)
    z = rng.normal(size=(250, 3))
    x = pd.DataFrame(
        {"sat_a": z[:, 0], "sat_b": 0.6 * z[:, 0] + z[:, 1], "sat_c": -0.4 * z[:, 1] + z[:, 2]}
    )
    y = x @ np.array([0.5, 0.3, 0.8]) + rng.normal(size=250)
    survey = x.assign(overall_satisfaction=y)
    out = key_drivers(survey, method="shapley", n_boot=0).set_index("driver")
    # Reference: Shapley value of R² over all orderings, each R² from statsmodels OLS.
    names = list(x.columns)
    for j in names:
        others = [k for k in names if k != j]
        total = 0.0
        for perm in itertools.permutations(names):
            before = list(perm[: perm.index(j)])
            total += _ols_r2(y, x[[*before, j]]) - _ols_r2(y, x[before])
        assert out.loc[j, "weight"] == pytest.approx(total / math.factorial(3), abs=1e-10)
        assert others  # three drivers
    assert out["weight"].sum() == pytest.approx(_ols_r2(y, x), abs=1e-10)


def test_relative_weights_equal_lmg_and_squared_correlations_on_orthogonal_drivers():
    rng = np.random.default_rng(5)
    raw = rng.normal(size=(200, 3))
    raw -= raw.mean(axis=0)
    q, _ = np.linalg.qr(raw)  # exactly uncorrelated, centred columns
    x = pd.DataFrame(q * 10, columns=["sat_a", "sat_b", "sat_c"])
    y = x @ np.array([0.4, 0.1, 0.25]) + rng.normal(scale=0.3, size=200)
    survey = x.assign(overall_satisfaction=y)
    rw = key_drivers(survey, n_boot=0).set_index("driver")["weight"]
    lmg = key_drivers(survey, method="shapley", n_boot=0).set_index("driver")["weight"]
    r2 = pd.Series({c: np.corrcoef(x[c], y)[0, 1] ** 2 for c in x.columns})
    pd.testing.assert_series_equal(rw.sort_index(), lmg.sort_index(), check_names=False, atol=1e-10)
    pd.testing.assert_series_equal(rw.sort_index(), r2.sort_index(), check_names=False, atol=1e-10)


def test_weights_sum_to_statsmodels_r2_and_bootstrap_intervals():
    rng = np.random.default_rng(8)
    z = rng.normal(size=(400, 4))
    survey = pd.DataFrame(z + 0.5 * z[:, [0]], columns=[f"sat_o{k}" for k in range(4)])
    survey["overall_satisfaction"] = survey.to_numpy() @ [0.6, 0.3, 0.0, 0.2] + rng.normal(size=400)
    ref = _ols_r2(survey["overall_satisfaction"], survey.drop(columns="overall_satisfaction"))
    for method in ("relative_weights", "shapley"):
        out = key_drivers(survey, method=method, n_boot=300, random_state=1)
        assert out["weight"].sum() == pytest.approx(ref, abs=1e-10)
        assert out["share_of_r2"].sum() == pytest.approx(1.0)
        assert (out["ci_low"] <= out["weight"]).all() and (out["weight"] <= out["ci_high"]).all()
        assert out["driver"].iloc[0] == "sat_o0"
        assert out["rank"].tolist() == [1, 2, 3, 4]
        again = key_drivers(survey, method=method, n_boot=300, random_state=1)
        pd.testing.assert_frame_equal(out, again)


CODEBOOK = codebook_from_dict(
    {
        "name": "test",
        "jobs": [
            {
                "id": "gain_clarity",
                "label": "Understand what comes next",
                "statement": "When I leave hospital, I want to know the next steps, so I can plan.",
                "root_cause_questions": ["What did the patient need to know?", "Who tells them?"],
                "barriers": {"emotional": ["Fear of asking"], "functional": ["No written plan"]},
                "enablers": ["Teach-back", "Discharge call"],
            },
            {"id": "feel_heard", "label": "Feel seen and heard", "dimension": "emotional"},
            {"id": "keep_routines", "label": "Keep daily routines"},
        ],
        "outcomes": [
            {"id": "know_next", "job_id": "gain_clarity", "text": "Know next steps"},
            {"id": "know_who", "job_id": "gain_clarity", "text": "Know who to call"},
            {"id": "listened", "job_id": "feel_heard", "text": "Be listened to"},
            {"id": "routine", "job_id": "keep_routines", "text": "Keep routines"},
        ],
    }
)


def survey_items(n=300, seed=0):
    rng = np.random.default_rng(seed)
    clarity, heard, routine = rng.normal(size=(3, n))
    s = pd.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(n)],
            "sat_know_next": clarity + rng.normal(scale=0.5, size=n),
            "sat_know_who": clarity + rng.normal(scale=0.5, size=n),
            "sat_listened": heard,
            "sat_routine": routine,
        }
    )
    s["overall_satisfaction"] = 0.8 * clarity + 0.4 * heard + 0.1 * routine + rng.normal(size=n)
    return s


def test_by_job_aggregates_items_through_codebook():
    survey = survey_items()
    survey.loc[0, "sat_know_next"] = np.nan  # job score = mean of answered items
    out = key_drivers(survey, by_job=True, codebook=CODEBOOK, n_boot=0)
    assert set(out["driver"]) == {"gain_clarity", "feel_heard", "keep_routines"}
    assert out["driver"].iloc[0] == "gain_clarity"
    assert (out["job_id"] == out["driver"]).all()
    manual = pd.DataFrame(
        {
            "gain_clarity": survey[["sat_know_next", "sat_know_who"]].mean(axis=1),
            "feel_heard": survey["sat_listened"],
            "keep_routines": survey["sat_routine"],
            "overall_satisfaction": survey["overall_satisfaction"],
        }
    )
    ref = key_drivers(manual, drivers=["gain_clarity", "feel_heard", "keep_routines"], n_boot=0)
    pd.testing.assert_series_equal(
        out.set_index("driver")["weight"], ref.set_index("driver")["weight"]
    )
    assert out["n"].iloc[0] == 300


def test_item_drivers_get_job_ids_and_listwise_deletion():
    survey = survey_items()
    survey.loc[:9, "sat_listened"] = np.nan
    before = survey.copy(deep=True)
    out = key_drivers(survey, codebook=CODEBOOK, n_boot=0).set_index("driver")
    pd.testing.assert_frame_equal(survey, before)
    assert out.loc["sat_know_who", "job_id"] == "gain_clarity"
    assert out["n"].iloc[0] == 290


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(2, 5),
    method=st.sampled_from(["relative_weights", "shapley"]),
)
def test_property_weights_nonnegative_sum_to_r2_row_order_free(seed, p, method):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(60, p))
    survey = pd.DataFrame(z + rng.normal(size=(60, 1)), columns=[f"sat_{k}" for k in range(p)])
    survey["overall_satisfaction"] = z @ rng.normal(size=p) + rng.normal(size=60)
    out = key_drivers(survey, method=method, n_boot=0)
    assert (out["weight"] >= -1e-12).all()
    assert out["weight"].sum() == pytest.approx(out["r_squared"].iloc[0], abs=1e-9)
    assert 0 <= out["r_squared"].iloc[0] <= 1
    shuffled = key_drivers(survey.iloc[rng.permutation(60)], method=method, n_boot=0)
    pd.testing.assert_frame_equal(out, shuffled, check_exact=False, atol=1e-10)


def test_key_drivers_errors():
    survey = survey_items(n=50)
    with pytest.raises(ValueError, match="'method' parameter of key_drivers"):
        key_drivers(survey, method="dominance")
    with pytest.raises(ValueError, match="found no driver columns"):
        key_drivers(survey, prefix="imp_")
    with pytest.raises(ValueError, match="by_job=True needs the study's codebook"):
        key_drivers(survey, by_job=True)
    with pytest.raises(TypeError, match="'codebook' parameter of key_drivers"):
        key_drivers(survey, codebook={"a": 1})
    with pytest.raises(
        ValueError, match="'n_boot' parameter of key_drivers must be 0 or at least 100"
    ):
        key_drivers(survey, n_boot=50)
    with pytest.raises(ValueError, match="'survey' has no column 'nps'"):
        key_drivers(survey, outcome="nps")
    wide = pd.DataFrame(
        np.random.default_rng(0).normal(size=(60, 17)),
        columns=[f"sat_{k}" for k in range(16)] + ["overall_satisfaction"],
    )
    with pytest.raises(ValueError, match="allows at most 15 drivers; got 16"):
        key_drivers(wide, method="shapley", n_boot=0)
    twin = survey.assign(sat_twin=survey["sat_listened"] * 2)
    with pytest.raises(ValueError, match="perfectly collinear"):
        key_drivers(twin, n_boot=0)
    with pytest.raises(ValueError, match="constant column"):
        key_drivers(survey.assign(sat_const=3.0), n_boot=0)
    with pytest.raises(ValueError, match="more complete respondents than drivers"):
        key_drivers(survey.head(4), n_boot=0)
    with pytest.raises(ValueError, match="none of the driver items maps to a job"):
        key_drivers(
            survey.rename(columns=lambda c: c.replace("sat_", "sat_x")),
            by_job=True,
            codebook=CODEBOOK,
        )


def test_record_key_drivers_writes_results():
    from jtbd_methods import report

    report.reset()
    kd = key_drivers(survey_items(), by_job=True, codebook=CODEBOOK, n_boot=200)
    recorded = record_key_drivers(kd)
    results = report.results()
    report.reset()
    got = kd.set_index("driver")
    assert results["drivers.gain_clarity.relative_weight"] == pytest.approx(
        100 * got.loc["gain_clarity", "weight"]
    )
    low, high = results["drivers.feel_heard.relative_weight_ci"]
    assert low == pytest.approx(100 * got.loc["feel_heard", "ci_low"])
    assert high == pytest.approx(100 * got.loc["feel_heard", "ci_high"])
    assert results["drivers.ranking"] == kd["driver"].tolist()
    assert results["drivers.r_squared"] == pytest.approx(100 * kd["r_squared"].iloc[0])
    assert recorded == {k: v for k, v in results.items() if k.startswith("drivers.")}
    with pytest.raises(ValueError, match="'drivers' has no column 'ci_low'"):
        record_key_drivers(kd.drop(columns="ci_low"))


# --------------------------------------------------------------------------------------------
# Working sheet, action plan, closing the loop, export
# --------------------------------------------------------------------------------------------

PRIORITIES = pd.DataFrame(
    {
        "rank": pd.array([1, 2, 3, pd.NA], dtype="Int64"),
        "job_id": ["gain_clarity", "feel_heard", "unknown_job", "keep_routines"],
        "priority": [12.0, 8.0, 2.0, np.nan],
        "ci_low": [9.0, 5.0, 0.5, np.nan],
        "ci_high": [15.0, 11.0, 3.5, np.nan],
        "disruption_share": [0.1, 0.2, 0.05, 0.0],
        "impact": [1.2, 0.4, 0.4, np.nan],
    }
)
ACTIONS = pd.DataFrame(
    {
        "action_id": ["A2", "A1", "A3"],
        "job_id": ["gain_clarity", "gain_clarity", "keep_routines"],
        "description": ["Written plan", "=cmd|' /C calc'!A0", "Flexible slots"],
        "owner": ["Ward 3", "Discharge team", "Outpatients"],
        "started": pd.to_datetime(["2024-05-01", "2024-03-01", "2024-04-01"]),
        "status": ["planned", "completed", "in progress"],
    }
)


def test_working_sheet_top_jobs_from_codebook(caplog):
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.recovery"):
        sheet = working_sheet(CODEBOOK, PRIORITIES, top=5)
    assert sheet["job_id"].tolist() == ["gain_clarity", "feel_heard", "unknown_job"]
    first = sheet.iloc[0]
    assert first["label"] == "Understand what comes next"
    assert first["statement"].startswith("When I leave hospital")
    assert (
        first["root_cause_questions"] == "- What did the patient need to know?\n- Who tells them?"
    )
    assert first["emotional_barriers"] == "- Fear of asking"
    assert first["functional_barriers"] == "- No written plan"
    assert first["enablers"] == "- Teach-back\n- Discharge call"
    assert (sheet["owner_next_step"] == "").all()
    assert sheet.iloc[2]["label"] == "unknown_job" and "not in the codebook" in caplog.text
    assert working_sheet(CODEBOOK, PRIORITIES, top=1)["job_id"].tolist() == ["gain_clarity"]
    assert list(sheet.columns) == recovery.actions._SHEET_COLUMNS


def test_working_sheet_errors():
    with pytest.raises(TypeError, match="'codebook' parameter of working_sheet"):
        working_sheet({"jobs": []}, PRIORITIES)
    with pytest.raises(ValueError, match="'top' parameter of working_sheet"):
        working_sheet(CODEBOOK, PRIORITIES, top=0)
    with pytest.raises(ValueError, match="'priorities' has no column 'priority'"):
        working_sheet(CODEBOOK, PRIORITIES.drop(columns="priority"))


def test_action_plan_lists_actions_and_gaps():
    plan = action_plan(PRIORITIES, ACTIONS, codebook=CODEBOOK, top=2)
    assert plan["job_id"].tolist() == ["gain_clarity", "gain_clarity", "feel_heard"]
    assert plan["action_id"].tolist()[:2] == ["A1", "A2"]  # in order of start
    assert plan["has_action"].tolist() == [True, True, False]
    assert plan.loc[2, "label"] == "Feel seen and heard"
    assert pd.isna(plan.loc[2, "action_id"])
    no_file = action_plan(PRIORITIES, None, top=2)
    assert not no_file["has_action"].any() and len(no_file) == 2
    with pytest.raises(ValueError, match="'actions' has no column 'owner'"):
        action_plan(PRIORITIES, ACTIONS.drop(columns="owner"))


def test_close_the_loop_verdicts_and_effects_passthrough():
    # columns as tracking.action_effects names them: level_change(_ci_low/_ci_high), in pp
    effects = pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3"],
            "job_id": ["gain_clarity", "gain_clarity", "keep_routines"],
            "level_change": [6.0, 1.0, -4.0],
            "level_change_ci_low": [3.0, -2.0, -7.0],
            "level_change_ci_high": [9.0, 4.0, -1.0],
            "n_after": [120, 40, 80],
            "note": [None, None, None],
        }
    )
    before = effects.copy()
    loop = close_the_loop(ACTIONS, effects, codebook=CODEBOOK)
    pd.testing.assert_frame_equal(effects, before)
    assert loop["action_id"].tolist() == ["A1", "A3", "A2"]
    verdict = dict(zip(loop["action_id"], loop["verdict"], strict=True))
    assert verdict == {"A1": "improved", "A2": "no clear change", "A3": "worsened"}
    assert loop.set_index("action_id").loc["A1", "ci_low"] == 3.0
    assert loop.loc[0, "label"] == "Understand what comes next"
    assert {"n_after", "note"} <= set(loop.columns)
    assert list(loop.columns[:11]) == [
        "action_id",
        "job_id",
        "label",
        "description",
        "owner",
        "started",
        "status",
        "level_change",
        "ci_low",
        "ci_high",
        "verdict",
    ]
    # a disruption rate: lower is better, plain ci_low / ci_high columns
    rate = pd.DataFrame(
        {"action_id": ["A1"], "level_change": [-5.0], "ci_low": [-8.0], "ci_high": [-2.0]}
    )
    assert (
        close_the_loop(ACTIONS, rate, higher_is_better=False)
        .set_index("action_id")
        .loc["A1", "verdict"]
        == "improved"
    )
    unmeasured = close_the_loop(ACTIONS)
    assert (unmeasured["verdict"] == "not measured").all()
    assert unmeasured["level_change"].isna().all()
    with pytest.raises(ValueError, match="must name each action once"):
        close_the_loop(ACTIONS, pd.concat([effects, effects.head(1)]))
    with pytest.raises(ValueError, match="'effects' has no column 'ci_high'"):
        close_the_loop(ACTIONS, effects.drop(columns="level_change_ci_high"))
    with pytest.raises(TypeError, match="'actions' parameter of close_the_loop"):
        close_the_loop(None)
    with pytest.raises(TypeError, match="'higher_is_better' parameter of close_the_loop"):
        close_the_loop(ACTIONS, higher_is_better="yes")


def test_close_the_loop_accepts_tracking_action_effects(tmp_path):
    fb, codes = synthetic_feedback(n=3000, seed=9, integer=True)
    fb["received"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.random.default_rng(0).integers(0, 700, len(fb)), unit="D"
    )
    actions = ACTIONS.assign(
        job_id=["gain_clarity", "feel_heard", "keep_routines"],
        started=pd.to_datetime(["2024-09-01", "2024-06-01", "2024-10-01"]),
    )
    effects = tracking.action_effects(fb, codes, actions)
    loop = close_the_loop(actions, effects)
    assert len(loop) == 3
    assert loop["verdict"].isin(["improved", "worsened", "no clear change", "not measured"]).all()
    ref = effects.set_index("action_id")
    got = loop.set_index("action_id")
    for a in ref.index:
        assert got.loc[a, "level_change"] == pytest.approx(ref.loc[a, "level_change"], nan_ok=True)
        assert got.loc[a, "ci_high"] == pytest.approx(
            ref.loc[a, "level_change_ci_high"], nan_ok=True
        )


def test_export_action_plan_xlsx_neutralised_and_atomic(tmp_path):
    sheet = working_sheet(CODEBOOK, PRIORITIES)
    plan = action_plan(PRIORITIES, ACTIONS, codebook=CODEBOOK)
    loop = close_the_loop(ACTIONS)
    path = export_action_plan(sheet, plan, tmp_path / "out" / "action_plan.xlsx", loop=loop)
    assert path == tmp_path / "out" / "action_plan.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Working sheet", "Action plan", "Closing the loop"]
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
    assert privacy.neutralise_cell("=cmd|' /C calc'!A0") in cells
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["action_plan.xlsx"]
    # headers in words, numbers rounded for people (not 8.82478140456399)
    headers = [c.value for c in wb["Action plan"][1]]
    assert "job id" in headers and not any("_" in str(h) for h in headers)
    numbers = [v for v in cells if isinstance(v, float)]
    assert numbers and all(round(v, 3) == v for v in numbers)


def test_export_failure_leaves_existing_file(tmp_path, monkeypatch):
    target = tmp_path / "action_plan.xlsx"
    target.write_bytes(b"previous")

    original = pd.DataFrame.to_excel
    calls = []

    def fail_midway(self, *args, **kwargs):  # the first sheet is written, the second fails
        calls.append(1)
        if len(calls) > 1:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_excel", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        export_action_plan(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]}), target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["action_plan.xlsx"]


def test_export_errors(tmp_path):
    with pytest.raises(ValueError, match="must end in '.xlsx'"):
        export_action_plan(pd.DataFrame(), pd.DataFrame(), tmp_path / "plan.csv")
    with pytest.raises(TypeError, match="'plan' parameter of export_action_plan"):
        export_action_plan(pd.DataFrame(), "plan", tmp_path / "plan.xlsx")


# --------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------


def test_plot_priority_matrix_and_key_drivers(data):
    from jtbd_methods import plots

    fb, codes = data
    pm = priority_matrix(fb, codes, labels={"feel_heard": "Feel seen and heard"})
    ax = plots.plot_priority_matrix(pm)
    assert "frequent and damaging" in ax.get_title()
    assert "%" in ax.get_xlabel() and "points" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.texts]
    # points labelled directly with rank and name; all four quadrants named
    assert "1  Feel seen and heard" in texts and "2  gain_clarity" in texts
    for word in ("fix first", "prevent", "streamline", "monitor"):
        assert any(t.startswith(word) for t in texts)
    # each point's colour is its quadrant's colour in the table (the same median split)
    from matplotlib.colors import to_hex

    from jtbd_methods._plotting.recovery import QUADRANT_COLOURS

    drawn = pm.loc[pm["impact"].notna()].reset_index(drop=True)
    colours = [to_hex(line.get_color()) for line in ax.lines if line.get_marker() == "o"]
    expected = [QUADRANT_COLOURS[q.split(":")[0].split(" ")[0]] for q in drawn["quadrant"]]
    assert [c.lower() for c in colours] == [c.lower() for c in expected]
    plt.close(ax.figure)
    fig, given_ax = plt.subplots()
    kd = key_drivers(survey_items(), by_job=True, codebook=CODEBOOK, n_boot=200)
    out = plots.plot_key_drivers(kd, labels=CODEBOOK.labels(), ax=given_ax)
    assert out is given_ax and len(plt.get_fignums()) == 1
    labels = [t.get_text() for t in out.get_yticklabels()]
    assert labels[-1] == "Understand what comes next"  # most important on top
    assert "R²" in out.get_xlabel()
    plt.close(fig)


# --------------------------------------------------------------------------------------------
# The sample study: planted disrupted-job ranking
# --------------------------------------------------------------------------------------------


def _sample_truth(sample_study: Path) -> dict:
    # The sample study ships its planted truth: missing, it is a failure, never a skip.
    path = sample_study / "_truth" / "planted_truth.json"
    assert path.is_file(), f"{path} is missing"
    return json.loads(path.read_text(encoding="utf-8"))


def test_sample_study_planted_priority_ranking(sample_study):
    truth = _sample_truth(sample_study)
    planted = truth["expected_priority_ranking"]
    assert len(planted) >= 5
    study = load_study(sample_study)
    # polarity from the wording only (rating=None), as notebook 04 codes: a rating tie-breaker
    # would put the rating on both sides of the regression
    codes = coding.code_comments(study.feedback, study.codebook, rating=None)
    pm = priority_matrix(study.feedback, codes, jobs=list(study.codebook.job_ids))
    ranked = pm["job_id"].tolist()
    # the most damaging disrupted jobs come out in the planted order ...
    assert ranked[:5] == planted[:5]
    # ... and each of the top planted priorities (share x rating drop, here per 100 comments)
    # lies inside its interval
    got = pm.set_index("job_id")
    for job in planted[:4]:
        expected = 100 * truth["jobs"][job]["priority"]
        assert got.loc[job, "ci_low"] <= expected <= got.loc[job, "ci_high"], job


# --------------------------------------------------------------------------------------------
# Studies without ratings: priorities from the words
# --------------------------------------------------------------------------------------------


def _text_only(seed: int = 8) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Planted truth: "wait" is mentioned in 30% of comments and disrupted in 80% of its
    # mentions; "kind" in 20%, disrupted in 10%; "info" in 5%, disrupted in 90%. A quarter of
    # "kind" codes are unclear (never counted as disrupted).
    rng = np.random.default_rng(seed)
    n = 4000
    feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(n)]})
    rows = []
    for cid in feedback["comment_id"]:
        for job, p_men, p_dis in (("wait", 0.3, 0.8), ("kind", 0.2, 0.1), ("info", 0.05, 0.9)):
            if rng.random() < p_men:
                pol = "disrupted" if rng.random() < p_dis else "fulfilled"
                if job == "kind" and pol == "fulfilled" and rng.random() < 0.25:
                    pol = "unclear"
                rows.append((cid, job, pol))
    return feedback, pd.DataFrame(rows, columns=["comment_id", "job_id", "polarity"])


def test_text_priorities_recover_the_planted_ranking_and_quadrants():
    feedback, codes = _text_only()
    before = codes.copy()
    out = text_priorities(feedback, codes, labels={"wait": "Get seen on time"})
    # disrupted in 24%, 4.5% and 2% of all comments
    assert out["job_id"].tolist() == ["wait", "info", "kind"]
    wait = out.set_index("job_id").loc["wait"]
    # Tolerances from coverage, not by eye: 3 binomial standard errors of the planted
    # proportion at this sample size (a correct estimator strays further with probability
    # 0.0027, two-sided normal tail). 4000 comments; "wait" is mentioned in about 1200.
    n_mentions = int(wait["n_mentioned"])
    assert wait["disruption_share"] == pytest.approx(0.24, abs=3 * math.sqrt(0.24 * 0.76 / 4000))
    assert wait["severity"] == pytest.approx(0.8, abs=3 * math.sqrt(0.8 * 0.2 / n_mentions))
    assert wait["quadrant"].startswith("fix first")
    assert out.set_index("job_id").loc["kind", "quadrant"] == "monitor"
    # unclear codes are mentions, not disruptions: the count equals the disrupted codes
    kind = out.set_index("job_id").loc["kind"]
    assert (
        kind["n_disrupted"]
        == ((codes["job_id"] == "kind") & (codes["polarity"] == "disrupted")).sum()
    )
    assert kind["n_mentioned"] == (codes["job_id"] == "kind").sum()
    assert out.attrs["rated"] is False
    pd.testing.assert_frame_equal(codes, before)


def test_priority_matrix_counts_the_same_disruptions_and_ignores_unclear():
    feedback, codes = _text_only(3)
    feedback = feedback.assign(rating=pd.array([pd.NA] * len(feedback), dtype="Int64"))
    rated = priority_matrix(feedback, codes)
    words = text_priorities(feedback, codes)
    merged = rated.merge(words, on="job_id", suffixes=("_r", "_w"))
    assert (merged["n_disrupted_r"] == merged["n_disrupted_w"]).all()
    assert rated["impact"].isna().all()  # no ratings: no impact, and the report uses words


def test_plot_priority_matrix_of_text_priorities_names_its_axis():
    from jtbd_methods import plots

    feedback, codes = _text_only()
    priorities = text_priorities(feedback, codes)
    ax = plots.plot_priority_matrix(priorities, y="severity")
    assert ax.get_ylabel() == "Mentions in which the job is disrupted (%)"
    assert any(t.get_text().startswith("fix first") for t in ax.texts)
    ys = [line.get_ydata()[0] for line in ax.lines if line.get_marker() == "o"]
    # percent, not a fraction: the highest point is the largest severity (a 0-1 share) x 100
    assert max(ys) == pytest.approx(100 * priorities["severity"].max(), rel=1e-12)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="'y'"):
        plots.plot_priority_matrix(text_priorities(feedback, codes), y="rating")


def test_renamed_id_keyword_still_works_with_a_future_warning():
    feedback, codes = _text_only(5)
    new = text_priorities(feedback, codes, id_column="comment_id")
    with pytest.warns(FutureWarning, match="'id' parameter of text_priorities.*'id_column'"):
        old = text_priorities(feedback, codes, id="comment_id")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match="'id' parameter of close_the_loop"):
        loop = close_the_loop(ACTIONS, id="action_id")
    pd.testing.assert_frame_equal(loop, close_the_loop(ACTIONS))
    with pytest.raises(TypeError, match="got both 'id' and 'id_column'"):
        priority_matrix(feedback, codes, id="comment_id", id_column="comment_id")
    with pytest.raises(ValueError, match="'adjust_for' parameter of disruption_impact.*twice"):
        disruption_impact(feedback.assign(rating=4, site="a"), codes, adjust_for=["site", "site"])
