"""Tests of jtbd_methods.tracking: rates, SPC charts and rules, ITS, DiD, trajectories, plots.

Reference values carry their source in a comment right above them: published worked examples
(Montgomery's textbook, Anhøj & Olesen's table) or established implementations (statsmodels,
scipy) computed in the test on the same data.
"""

from __future__ import annotations

import json
import logging
from math import factorial

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from jtbd_methods import plots, report, tracking
from jtbd_methods.tracking import (
    ITSResult,
    SegmentChoice,
    action_effects,
    action_its,
    did,
    focus_jobs,
    its,
    job_rates,
    job_summary,
    latest_rate,
    pilot_effects,
    rates,
    record_action_effects,
    record_trajectories,
    repeated_respondents,
    runs_limits,
    segment_labels,
    spc,
    trajectories,
)

matplotlib.use("Agg")


# --------------------------------------------------------------------------- fixtures


def _feedback(
    n: int = 600,
    *,
    seed: int = 0,
    start="2024-01-01",
    end="2024-12-31",
    p_positive: float = 0.6,
    sites=("North", "South"),
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    received = pd.Series(rng.choice(days, n)).sort_values(ignore_index=True)
    positive = rng.random(n) < p_positive
    rating = np.where(positive, rng.choice([4, 5], n), rng.choice([1, 2, 3], n)).astype(float)
    rating[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "comment_id": [f"c{i:05d}" for i in range(n)],
            "received": received,
            "site": rng.choice(list(sites), n),
            "service": "Surgery",
            "rating": pd.array(rating, dtype="Float64").astype("Int64"),
            "comment": "text",
        }
    )


def _planted_feedback(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two years of comments on three jobs with planted effects of three actions.

    * A1 (job ``clarity``, all sites, 2025-01-06): positive share 0.40 -> 0.65 (+25 pp);
    * A2 (job ``heard``, pilot sites P1-P3, 2025-04-01): 0.50 -> 0.65 at pilots only;
    * A3 (job ``routines``, 2025-05-01): no effect.
    """
    rng = np.random.default_rng(seed)
    sites = ["P1", "P2", "P3", "C1", "C2", "C3"]
    days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    rows = []
    plans = {"clarity": 2400, "heard": 2400, "routines": 2000}
    k = 0
    for job, n in plans.items():
        when = pd.Series(rng.choice(days, n))
        site = rng.choice(sites, n)
        if job == "clarity":
            p = np.where(when >= "2025-01-06", 0.65, 0.40)
        elif job == "heard":
            p = np.where((when >= "2025-04-01") & np.isin(site, sites[:3]), 0.65, 0.50)
        else:
            p = np.full(n, 0.55)
        positive = rng.random(n) < p
        rating = np.where(positive, 5, 2)
        for i in range(n):
            rows.append((f"c{k:06d}", when.iloc[i], site[i], int(rating[i]), job))
            k += 1
    frame = pd.DataFrame(rows, columns=["comment_id", "received", "site", "rating", "job_id"])
    feedback = frame.drop(columns="job_id").assign(
        rating=lambda d: d["rating"].astype("Int64"), service="Surgery", comment="text"
    )
    codes = frame[["comment_id", "job_id"]].assign(polarity="disrupted", phrase="x", start=0, end=1)
    actions = pd.DataFrame(
        {
            "action_id": ["A1", "A2", "A3"],
            "job_id": ["clarity", "heard", "routines"],
            "description": ["call", "conversation", "texts"],
            "owner": ["x", "y", "z"],
            "started": pd.to_datetime(["2025-01-06", "2025-04-01", "2025-05-01"]),
            "status": ["completed"] * 3,
            "sites": [None, "P1;P2;P3", None],
        }
    )
    return feedback, codes, actions


@pytest.fixture(scope="module")
def planted():
    return _planted_feedback()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- rates


def test_rates_wilson_matches_statsmodels():
    feedback = _feedback(800)
    table = rates(feedback, min_cell_size=1)
    shown = table.loc[~table["suppressed"]]
    counts = shown["n_positive"].to_numpy(dtype=int)
    n = shown["n"].to_numpy(dtype=int)
    # Reference: statsmodels.stats.proportion.proportion_confint(method="wilson") on the
    # same counts (Wilson 1927).
    low, high = proportion_confint(counts, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(shown["positive_ci_low"], low, rtol=1e-12)
    np.testing.assert_allclose(shown["positive_ci_high"], high, rtol=1e-12)
    top = shown["n_top_box"].to_numpy(dtype=int)
    low, high = proportion_confint(top, n, alpha=0.10, method="wilson")
    table90 = rates(feedback, min_cell_size=1, ci=0.90)
    shown90 = table90.loc[~table90["suppressed"]]
    np.testing.assert_allclose(shown90["top_box_ci_low"], low, rtol=1e-12)
    np.testing.assert_allclose(shown90["top_box_ci_high"], high, rtol=1e-12)


def test_rates_counts_and_mean_interval_match_direct_computation():
    feedback = _feedback(500, seed=3)
    table = rates(feedback, min_cell_size=1).set_index("period")
    rated = feedback.dropna(subset=["rating"])
    month = rated["received"].dt.to_period("M").dt.start_time
    for period, part in rated.groupby(month):
        values = part["rating"].to_numpy(dtype=float)
        row = table.loc[period]
        assert row["n"] == len(values)
        assert row["n_positive"] == int(np.isin(values, [4, 5]).sum())
        assert row["n_top_box"] == int((values == 5).sum())
        # Reference: scipy.stats.t.interval (Student t, n - 1 df) on the same ratings.
        low, high = stats.t.interval(
            0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
        )
        assert row["mean"] == pytest.approx(values.mean())
        assert row["mean_ci_low"] == pytest.approx(low)
        assert row["mean_ci_high"] == pytest.approx(high)


def test_rates_bootstrap_interval_is_reproducible_and_brackets_mean():
    feedback = _feedback(400, seed=5)
    one = rates(feedback, mean_ci="bootstrap", n_boot=200, random_state=1, min_cell_size=5)
    two = rates(feedback, mean_ci="bootstrap", n_boot=200, random_state=1, min_cell_size=5)
    pd.testing.assert_frame_equal(one, two)
    shown = one.loc[~one["suppressed"]]
    assert (shown["mean_ci_low"] <= shown["mean"]).all()
    assert (shown["mean"] <= shown["mean_ci_high"]).all()
    # The percentile bootstrap interval of a mean is close to xbar +/- z * s_n / sqrt(n), where
    # s_n divides by n (the plug-in SD; Efron & Tibshirani 1993, An Introduction to the
    # Bootstrap, sections 5.2 and 13.3), so per period its width is that of the t interval
    # times z * sqrt((n - 1) / n) / t_{n-1}: 0.944 on average here (n = 24 to 36).
    t_table = rates(feedback, min_cell_size=5)
    shown_t = t_table.loc[~t_table["suppressed"]]
    n = shown_t["n"].astype(float).to_numpy()
    width_t = (shown_t["mean_ci_high"] - shown_t["mean_ci_low"]).to_numpy()
    factor = stats.norm.ppf(0.975) * np.sqrt((n - 1) / n) / stats.t.ppf(0.975, n - 1)
    expected = float(np.mean(width_t * factor))
    many = rates(feedback, mean_ci="bootstrap", n_boot=2000, random_state=1, min_cell_size=5)
    many = many.loc[~many["suppressed"]]
    width_boot = float((many["mean_ci_high"] - many["mean_ci_low"]).mean())
    # Over 8 seeds, width_boot / expected has mean 0.994 and SD 0.006 with 2,000 resamples
    # (Monte Carlo error of the 2.5 % and 97.5 % quantiles): 3 % is five SDs.
    assert width_boot == pytest.approx(expected, rel=0.03)


def test_rates_empty_and_small_periods_are_suppressed_not_zero():
    feedback = pd.DataFrame(
        {
            "received": pd.to_datetime(["2024-01-05"] * 12 + ["2024-03-02"] * 4),
            "rating": pd.array([5] * 12 + [1, 2, 5, 4], dtype="Int64"),
        }
    )
    table = rates(feedback, min_cell_size=10)
    assert table["period"].tolist() == list(
        pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    )
    assert table["suppressed"].tolist() == [False, True, True]
    # February: no responses at all - a visible row with n = 0, no estimate.
    feb = table.iloc[1]
    assert feb["n"] == 0 and pd.isna(feb["positive_share"]) and pd.isna(feb["n_positive"])
    # March: 4 responses - hidden (NA), never shown as 0.
    mar = table.iloc[2]
    assert pd.isna(mar["n"]) and pd.isna(mar["n_positive"]) and np.isnan(mar["mean"])
    assert table.iloc[0]["positive_share"] == 1.0


def test_rates_by_group_gives_every_group_every_period():
    feedback = _feedback(300, seed=2, sites=("North", "South", "East"))
    feedback = feedback.loc[~((feedback["site"] == "East") & (feedback["received"] < "2024-06-01"))]
    table = rates(feedback, by="site", min_cell_size=1)
    assert len(table) == 3 * 12
    assert table.groupby("site")["period"].nunique().eq(12).all()
    east = table.loc[table["site"] == "East"]
    assert (east.loc[east["period"] < "2024-06-01", "n"] == 0).all()
    assert east.loc[east["period"] < "2024-06-01", "suppressed"].all()
    assert list(table.columns[:2]) == ["period", "site"]


def test_rates_week_and_quarter_periods_and_missing_ratings():
    feedback = pd.DataFrame(
        {
            "received": pd.to_datetime(["2024-01-03", "2024-01-07", "2024-01-08", "2024-05-20"]),
            "rating": pd.array([5, None, 2, 4], dtype="Int64"),
        }
    )
    weekly = rates(feedback, freq="W", min_cell_size=1)
    assert weekly["period"].iloc[0] == pd.Timestamp("2024-01-01")  # a Monday
    assert (weekly["period"].dt.day_of_week == 0).all()
    assert weekly["n"].iloc[0] == 1  # the missing rating of 7 January is not counted
    quarterly = rates(feedback, freq="QS", min_cell_size=1)
    assert quarterly["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-04-01"]))
    assert quarterly["n"].tolist() == [2, 1]


def test_rates_start_end_extend_and_trim():
    feedback = _feedback(200, seed=1)
    table = rates(feedback, start="2023-11-15", end="2024-02-10", min_cell_size=1)
    assert table["period"].min() == pd.Timestamp("2023-11-01")
    assert table["period"].max() == pd.Timestamp("2024-02-01")
    assert (table.loc[table["period"] < "2024-01-01", "n"] == 0).all()


def test_rates_does_not_modify_input_and_logs_dropped_dates(caplog):
    feedback = _feedback(120)
    feedback.loc[3, "received"] = pd.NaT
    before = feedback.copy(deep=True)
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.tracking"):
        rates(feedback, by="site", min_cell_size=2)
    pd.testing.assert_frame_equal(feedback, before)
    assert "without a date" in caplog.text


@st.composite
def _random_feedback(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    days = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    ratings = draw(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n, max_size=n))
    sites = draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "received": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "rating": pd.array(ratings, dtype="Int64"),
            "site": sites,
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_random_feedback(), seed=st.integers(0, 10_000), size=st.integers(1, 4))
def test_rates_properties(data, seed, size):
    before = data.copy(deep=True)
    table = rates(data, by="site", min_cell_size=size)
    pd.testing.assert_frame_equal(data, before)
    shown = table.loc[~table["suppressed"]]
    for stem in ("positive", "top_box"):
        share = shown[f"{stem}_share"]
        assert share.between(0, 1).all()
        assert (shown[f"{stem}_ci_low"] <= share + 1e-12).all()
        assert (share <= shown[f"{stem}_ci_high"] + 1e-12).all()
    assert (shown["n"] >= size).all()
    hidden = table.loc[table["suppressed"]]
    assert hidden["positive_share"].isna().all() and hidden["n_positive"].isna().all()
    shuffled = data.sample(frac=1, random_state=seed).reset_index(drop=True)
    pd.testing.assert_frame_equal(rates(shuffled, by="site", min_cell_size=size), table)


# --------------------------------------------------------------------------- job_rates


def test_job_rates_per_job_on_a_shared_time_axis():
    feedback = _feedback(300, seed=4)
    rng = np.random.default_rng(0)
    codes = pd.DataFrame(
        {
            "comment_id": np.concatenate(
                [feedback["comment_id"][:200], feedback["comment_id"][150:]]
            ),
            "job_id": ["clarity"] * 200 + ["heard"] * 150,
        }
    )
    codes["polarity"] = rng.choice(["disrupted", "fulfilled"], len(codes))
    table = job_rates(feedback, codes, min_cell_size=1)
    assert set(table["job_id"]) == {"clarity", "heard"}
    assert table.groupby("job_id")["period"].nunique().eq(12).all()
    clarity = feedback.loc[
        feedback["comment_id"].isin(codes.loc[codes["job_id"] == "clarity", "comment_id"])
    ]
    assert table.loc[table["job_id"] == "clarity", "n"].sum() == clarity["rating"].notna().sum()
    disrupted = job_rates(feedback, codes, polarity="disrupted", min_cell_size=1)
    n_disrupted = (
        feedback.merge(codes.loc[codes["polarity"] == "disrupted"], on="comment_id")["rating"]
        .notna()
        .sum()
    )
    assert disrupted["n"].sum() == n_disrupted


def test_job_rates_counts_a_comment_once_per_job():
    feedback = _feedback(50, seed=8)
    codes = pd.DataFrame(
        {"comment_id": list(feedback["comment_id"][:10]) * 2, "job_id": ["clarity"] * 20}
    )
    table = job_rates(feedback, codes, min_cell_size=1)
    assert table["n"].sum() == feedback["rating"][:10].notna().sum()


# --------------------------------------------------------------------------- runs_limits


def test_runs_limits_match_anhoej_table():
    # Reference: Anhøj & Olesen (2014), PLoS ONE 9(11):e113825, Table 1 "Critical values for
    # longest run and number of crossings" (longest run > round(log2(n) + 3), crossings <
    # qbinom(0.05, n - 1, 0.5) in R; reproduced in the qicharts2 vignette appendix).
    table = {
        10: (6, 2),
        11: (6, 2),
        12: (7, 3),
        13: (7, 3),
        14: (7, 4),
        15: (7, 4),
        16: (7, 4),
        17: (7, 5),
        18: (7, 5),
        19: (7, 6),
        20: (7, 6),
        21: (7, 6),
        22: (7, 7),
        23: (8, 7),
        24: (8, 8),
        25: (8, 8),
        26: (8, 8),
        27: (8, 9),
        28: (8, 9),
        29: (8, 10),
        30: (8, 10),
        40: (8, 14),
        45: (8, 17),
        46: (9, 17),
        50: (9, 19),
        60: (9, 23),
    }
    result = runs_limits(list(table)).set_index("n_useful")
    for n, (longest, crossings) in table.items():
        assert result.loc[n, "longest_run_max"] == longest, n
        assert result.loc[n, "crossings_min"] == crossings, n


# --------------------------------------------------------------------------- SPC: references

# Montgomery, D. C. (2009), Introduction to Statistical Quality Control, 6th ed., Example 7.1
# (Table 7.1): nonconforming frozen orange-juice cans in 30 samples of n = 50.
ORANGE_JUICE = [
    12,
    15,
    8,
    10,
    4,
    7,
    16,
    9,
    14,
    10,
    5,
    6,
    17,
    12,
    22,
    8,
    10,
    5,
    13,
    11,
    20,
    18,
    24,
    15,
    9,
    12,
    7,
    13,
    9,
    6,
]
# Montgomery, D. C. (2005), Introduction to Statistical Quality Control, 5th ed., section 6.4,
# individuals-chart example: viscosity of 15 batches of aircraft primer paint.
VISCOSITY = [
    33.75,
    33.05,
    34.00,
    33.81,
    33.46,
    34.02,
    33.68,
    33.27,
    33.49,
    33.20,
    33.62,
    33.00,
    33.54,
    33.12,
    33.84,
]


def _orange_juice() -> pd.DataFrame:
    return pd.DataFrame(
        {"period": np.arange(1, 31), "n": 50, "share": np.asarray(ORANGE_JUICE) / 50}
    )


def test_p_chart_matches_montgomery_example_7_1():
    chart = spc(_orange_juice(), value="share", n="n", chart="p")
    # Reference: Montgomery (2009) Example 7.1: p-bar = 0.2313, UCL = 0.4102, LCL = 0.0524;
    # samples 15 and 23 plot above the UCL.
    assert chart["centre"].iloc[0] == pytest.approx(0.2313, abs=1e-4)
    assert chart["ucl"].iloc[0] == pytest.approx(0.4102, abs=1e-4)
    assert chart["lcl"].iloc[0] == pytest.approx(0.0524, abs=1e-4)
    assert chart.loc[chart["beyond_limits"], "period"].tolist() == [15, 23]
    # higher share of defects is worse here
    worse = spc(_orange_juice(), value="share", n="n", chart="p", direction="lower_is_better")
    assert set(worse.loc[worse["beyond_limits"], "signal_kind"]) == {"concern"}


def test_xmr_chart_matches_montgomery_example_6_5():
    chart = spc(pd.DataFrame({"period": range(15), "x": VISCOSITY}), value="x", chart="xmr")
    # Reference: Montgomery (2005) section 6.4, paint-viscosity example: x-bar = 33.52,
    # MR-bar = 0.48, UCL = 34.80, LCL = 32.24 (x-bar +/- 3 MR-bar / 1.128); NHS Making Data
    # Count uses 2.66 MR-bar, the same to two decimals.
    assert chart["centre"].iloc[0] == pytest.approx(33.52, abs=0.005)
    assert chart["ucl"].iloc[0] == pytest.approx(34.80, abs=0.005)
    assert chart["lcl"].iloc[0] == pytest.approx(32.24, abs=0.005)
    assert not chart["beyond_limits"].any()
    mr_bar = np.mean(np.abs(np.diff(VISCOSITY)))
    assert chart["ucl_2sigma"].iloc[0] == pytest.approx(np.mean(VISCOSITY) + 2.66 * 2 / 3 * mr_bar)


def test_p_chart_with_varying_denominators_uses_each_periods_n():
    n = np.array([100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120, 120, 120, 110])
    x = np.array([10, 7, 12, 8, 11, 9, 13, 6, 10, 8, 12, 14, 9, 11, 10])
    chart = spc(
        pd.DataFrame({"period": range(15), "share": x / n, "n": n}), value="share", n="n", chart="p"
    )
    # Reference: Montgomery (2009) section 7.2.2, p chart for variable sample size:
    # p-bar = sum(x) / sum(n), limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n_i).
    pbar = x.sum() / n.sum()
    sigma = np.sqrt(pbar * (1 - pbar) / n)
    np.testing.assert_allclose(chart["centre"], pbar)
    np.testing.assert_allclose(chart["ucl"], pbar + 3 * sigma)
    np.testing.assert_allclose(chart["lcl"], np.clip(pbar - 3 * sigma, 0, 1))
    np.testing.assert_allclose(chart["ucl_2sigma"], pbar + 2 * sigma)
    assert chart.loc[chart["n"] == 80, "ucl"].iloc[0] > chart.loc[chart["n"] == 120, "ucl"].iloc[0]


def test_laney_with_equal_denominators_is_the_xmr_chart_of_the_shares():
    data = _orange_juice()
    laney = spc(data, value="share", n="n", chart="laney")
    xmr = spc(data, value="share", chart="xmr")
    # Reference: Laney (2002), Quality Engineering 14(4):531-537 - with equal subgroup sizes
    # the p' chart reduces to the individuals (XmR) chart of the proportions; Laney's
    # sigma_z uses MR-bar / 1.128, so the limits agree to the rounding of 2.66 = 3 / 1.128.
    np.testing.assert_allclose(laney["centre"], xmr["centre"])
    np.testing.assert_allclose(laney["ucl"], xmr["ucl"], rtol=2e-3)
    # (a share cannot fall below 0, so the p' limit is cut there)
    np.testing.assert_allclose(laney["lcl"], np.clip(xmr["lcl"], 0, 1), rtol=2e-3)
    np.testing.assert_allclose(laney["lcl_2sigma"], np.clip(xmr["lcl_2sigma"], 0, 1), rtol=2e-3)


def test_laney_sigma_z_near_one_for_binomial_and_above_one_when_overdispersed():
    rng = np.random.default_rng(7)
    n = rng.integers(200, 400, 60)
    binomial = rng.binomial(n, 0.3) / n
    p_chart = spc(pd.DataFrame({"period": range(60), "s": binomial, "n": n}), value="s", n="n")
    laney = spc(
        pd.DataFrame({"period": range(60), "s": binomial, "n": n}), value="s", n="n", chart="laney"
    )
    ratio = (laney["ucl"] - laney["centre"]) / (p_chart["ucl"] - p_chart["centre"])
    assert ratio.nunique() == 1 or np.ptp(ratio) < 1e-9
    assert 0.8 < ratio.iloc[0] < 1.2
    # Between-period variation in the true share: the p chart would cry wolf, p' widens.
    over = rng.binomial(n, np.clip(rng.normal(0.3, 0.06, 60), 0.01, 0.99)) / n
    p_over = spc(pd.DataFrame({"period": range(60), "s": over, "n": n}), value="s", n="n")
    l_over = spc(
        pd.DataFrame({"period": range(60), "s": over, "n": n}), value="s", n="n", chart="laney"
    )
    assert (l_over["ucl"] - l_over["centre"]).iloc[0] > 1.5 * (
        p_over["ucl"] - p_over["centre"]
    ).iloc[0]
    assert l_over["beyond_limits"].sum() < p_over["beyond_limits"].sum()


def test_moving_range_screening_drops_ranges_above_3_267_mr_bar():
    values = np.array([10.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 30.0, 10.0, 10.3, 9.7, 10.2, 10.1])
    data = pd.DataFrame({"period": range(values.size), "v": values})
    plain = spc(data, value="v", chart="xmr")
    screened = spc(data, value="v", chart="xmr", screen_moving_ranges=True)
    # Reference: Montgomery (2009) section 6.4 / NHSRplotthedots screen_outliers: moving
    # ranges above D4 * MR-bar = 3.267 MR-bar are excluded and MR-bar is recomputed once.
    mr = np.abs(np.diff(values))
    kept = mr[mr <= 3.267 * mr.mean()]
    assert plain["ucl"].iloc[0] == pytest.approx(values.mean() + 2.66 * mr.mean())
    assert screened["ucl"].iloc[0] == pytest.approx(values.mean() + 2.66 * kept.mean())
    assert screened.loc[7, "beyond_limits"]


# --------------------------------------------------------------------------- SPC: rules


def _flat(values, **kwargs) -> pd.DataFrame:
    return spc(
        pd.DataFrame({"period": range(len(values)), "v": values}), value="v", chart="xmr", **kwargs
    )


def test_run_rule_needs_seven_points_on_one_side_and_a_point_on_the_centre_ends_it():
    base = [1.0, -1.0] * 7
    seven = base + [0.5] * 7 + [-1, 1, -1, 1, -1, 1, -1]
    chart = _flat(seven, centre=0.0)
    assert chart["run"].sum() == 7
    assert chart.loc[14:20, "run"].all()
    six = base + [0.5] * 6 + [-1, 1, -1, 1, -1, 1, -1, 1]
    assert not _flat(six, centre=0.0)["run"].any()
    broken = base + [0.5] * 3 + [0.0] + [0.5] * 4 + [-1, 1, -1, 1, -1, 1]
    assert not _flat(broken, centre=0.0)["run"].any()


def test_trend_rule_needs_seven_rising_points_and_ties_end_it():
    noise = [0.0, 0.3, -0.2, 0.1, -0.3, 0.2, 0.5]
    rising = noise + [0.1 * i for i in range(7)] + noise
    chart = _flat(rising)
    assert chart["trend"].sum() == 7 and chart.loc[7:13, "trend"].all()
    assert set(
        chart.loc[
            chart["trend"] & ~chart["run"] & ~chart["beyond_limits"] & ~chart["two_of_three"],
            "signal_kind",
        ]
    ) <= {"improvement"}
    six = noise + [0.1 * i for i in range(6)] + noise
    assert not _flat(six)["trend"].any()
    tie = noise + [0.0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5] + noise
    assert not _flat(tie)["trend"].any()
    low_end = noise[:-1] + [-0.5]
    falling = _flat(low_end + [-0.1 * i for i in range(8)] + noise)
    assert falling["trend"].sum() == 8
    assert falling.loc[7:14, "trend"].all()


def test_two_of_three_rule_same_side_only():
    base = [0.1, -0.1] * 10
    data = base[:10] + [0.0, 10.0, 0.0, 10.0, 0.0] + base[10:]
    # Fix the limits from the first ten points: sigma = MR-bar / 1.128 = 0.177.
    chart = _flat(data, baseline=10)
    sigma2 = chart["ucl_2sigma"].iloc[0]
    assert sigma2 < 10
    assert chart.loc[[11, 13], "two_of_three"].all()
    assert chart["two_of_three"].sum() == 2
    mixed = base[:10] + [0.0, 10.0, 0.0, -10.0, 0.0] + base[10:]
    assert not _flat(mixed, baseline=10)["two_of_three"].any()


def test_signal_kind_follows_direction():
    values = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 12, 6, 5, 6, 7, 1]
    # limits from the first ten points: 5.8 +/- 2.66 x 1.22 = [2.55, 9.05]
    up = _flat(values, baseline=10)
    assert up.loc[10, "signal_kind"] == "improvement"
    assert up.loc[15, "signal_kind"] == "concern"
    down = _flat(values, baseline=10, direction="lower_is_better")
    assert down.loc[10, "signal_kind"] == "concern" and down.loc[15, "signal_kind"] == "improvement"
    neutral = _flat(values, baseline=10, direction="neutral")
    assert set(neutral.loc[neutral["signal"], "signal_kind"]) == {"neither"}
    assert neutral.loc[~neutral["signal"], "signal_kind"].isna().all()
    assert (
        up["signal"]
        == up[["beyond_limits", "run", "trend", "two_of_three", "crossings"]].any(axis=1)
    ).all()


def test_baseline_and_recalculation_phases():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    values = np.r_[rng.normal(10, 1, 12), rng.normal(14, 1, 12)]
    data = pd.DataFrame({"period": months, "v": values})
    fixed = spc(data, value="v", chart="xmr", baseline=12)
    assert fixed["centre"].iloc[0] == pytest.approx(values[:12].mean())
    assert fixed["signal"].iloc[12:].sum() >= 7
    assert set(fixed.loc[fixed["signal"], "signal_kind"]) == {"improvement"}
    # a date inside January 2025 starts the phase at that month
    phased = spc(data, value="v", chart="xmr", recalc_at="2025-01-15")
    assert phased["phase"].tolist() == [1] * 12 + [2] * 12
    assert phased.loc[phased["phase"] == 2, "centre"].iloc[0] == pytest.approx(values[12:].mean())
    assert phased.loc[phased["phase"] == 1, "centre"].iloc[0] == pytest.approx(values[:12].mean())
    numeric = spc(data.assign(period=range(24)), value="v", chart="xmr", recalc_at=[12])
    assert numeric["phase"].tolist() == [1] * 12 + [2] * 12


def test_short_phase_warns(caplog):
    data = pd.DataFrame({"period": range(8), "v": [1.0, 2, 1, 3, 2, 1, 2, 3]})
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.tracking"):
        chart = spc(data, value="v", chart="xmr")
    assert "fewer than 12" in caplog.text
    assert chart.attrs["warning"].startswith("phase 1 has 8 point(s)")
    assert chart["warning"].notna().all()
    long = spc(
        pd.DataFrame({"period": range(12), "v": np.arange(12.0) % 3}), value="v", chart="xmr"
    )
    assert long.attrs["warning"] is None and long["warning"].isna().all()


def test_gaps_keep_their_rows_without_limits_or_signals():
    table = _orange_juice()
    table.loc[[4, 5], "share"] = np.nan
    chart = spc(table, value="share", n="n", chart="p")
    assert len(chart) == 30
    assert chart.loc[[4, 5], ["lcl", "ucl"]].isna().all().all()
    assert not chart.loc[[4, 5], "signal"].any()
    assert chart.loc[[4, 5], "centre"].notna().all()
    full = spc(_orange_juice().drop(index=[4, 5]), value="share", n="n", chart="p")
    assert chart["centre"].iloc[0] == pytest.approx(full["centre"].iloc[0])


def test_run_chart_anhoej_rules():
    # 20 points: a long run of 10 below the median (longest run 10 > limit 7 for n = 20) and
    # only 2 crossings (< 6): both rules signal.
    values = [5.0] * 10 + [1.0] * 10
    values = [v + 0.01 * i for i, v in enumerate(values)]
    chart = spc(pd.DataFrame({"period": range(20), "v": values}), value="v", chart="run")
    assert chart["centre"].iloc[0] == pytest.approx(np.median(values))
    assert np.isnan(chart["ucl"]).all()
    row = chart.iloc[0]
    assert row["n_useful"] == 20 and row["longest_run"] == 10 and row["n_crossings"] == 1
    assert row["longest_run_max"] == 7 and row["crossings_min"] == 6
    assert chart["run"].all() and chart["crossings"].all()
    assert set(chart.loc[:9, "signal_kind"]) == {"improvement"}
    assert set(chart.loc[10:, "signal_kind"]) == {"concern"}
    # alternating data: no signal; points on the median are not counted
    wiggle = [1.0, 3.0] * 10 + [2.0]
    quiet = spc(pd.DataFrame({"period": range(21), "v": wiggle}), value="v", chart="run")
    assert quiet["centre"].iloc[0] == 2.0
    assert quiet["n_useful"].iloc[0] == 20 and not quiet["signal"].any()


def test_spc_is_independent_of_row_order_and_leaves_input_alone():
    data = _orange_juice()
    before = data.copy(deep=True)
    chart = spc(data, value="share", n="n")
    pd.testing.assert_frame_equal(data, before)
    shuffled = data.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(spc(shuffled, value="share", n="n"), chart)


@settings(max_examples=30, deadline=None)
@given(
    counts=st.lists(st.tuples(st.integers(1, 200), st.floats(0, 1)), min_size=2, max_size=30),
    chart=st.sampled_from(["p", "laney", "xmr", "run"]),
    seed=st.integers(0, 1000),
)
def test_spc_properties(counts, chart, seed):
    n = np.array([c[0] for c in counts])
    share = np.round(np.array([c[1] for c in counts]) * n) / n
    data = pd.DataFrame({"period": np.arange(len(n)), "share": share, "n": n})
    before = data.copy(deep=True)
    result = spc(data, value="share", n="n", chart=chart)
    pd.testing.assert_frame_equal(data, before)
    limits = result.dropna(subset=["ucl"])
    assert (limits["lcl"] <= limits["lcl_2sigma"] + 1e-12).all()
    assert (limits["lcl_2sigma"] <= limits["centre"] + 1e-12).all()
    assert (limits["centre"] <= limits["ucl_2sigma"] + 1e-12).all()
    assert (limits["ucl_2sigma"] <= limits["ucl"] + 1e-12).all()
    if chart in ("p", "laney"):
        assert limits[["lcl", "ucl"]].stack().between(0, 1).all()
    assert (
        result["signal"]
        == result[["beyond_limits", "run", "trend", "two_of_three", "crossings"]].any(axis=1)
    ).all()
    assert result["signal_kind"].notna().eq(result["signal"]).all()
    shuffled = spc(data.sample(frac=1, random_state=seed), value="share", n="n", chart=chart)
    pd.testing.assert_frame_equal(shuffled, result)


def _exact_longest_run_above(n: int, limit: int) -> float:
    """P(longest run of equal symbols > limit) among n fair coin flips (compositions count)."""
    ways = [1] + [0] * n
    for k in range(1, n + 1):
        ways[k] = sum(ways[k - j] for j in range(1, min(limit, k) + 1))
    return 1 - 2 * ways[n] / 2**n


def test_false_signal_rates_on_stable_series():
    """Each rule fires on stable (in-control) data at about the rate its definition implies.

    Normal data with a known centre (0) and 3-sigma limits from the moving ranges.
    """
    rng = np.random.default_rng(20240601)
    n_points, n_series = 100, 300
    flags = {k: [] for k in ("beyond_limits", "run", "trend", "two_of_three")}
    for _ in range(n_series):
        chart = _flat(rng.normal(size=n_points), centre=0.0)
        for key in flags:
            flags[key].append(chart[key].to_numpy())
    rate = {k: float(np.mean(v)) for k, v in flags.items()}
    position = np.arange(n_points)
    # windows of 7 holding each point, and neighbours within distance 2
    windows = np.minimum(position, n_points - 7) - np.maximum(0, position - 6) + 1
    near = np.array([min(n_points - 1, i + 2) - max(0, i - 2) for i in position])
    p2 = stats.norm.sf(2)
    expected = {
        # beyond 3 sigma on either side: 2 (1 - Phi(3)) = 0.0027 per point
        "beyond_limits": 2 * stats.norm.sf(3),
        # beyond 2 sigma with another point beyond the same line within two places
        "two_of_three": float(np.mean(2 * p2 * (1 - (1 - p2) ** near))),
        # inside a run of >= 7 on one side (p = 1/2): union of the 7-windows holding the point
        "run": float(np.mean(2 * (windows / 2**7 - (windows - 1) / 2**8))),
        # inside >= 7 monotone points: each 7-window is increasing with probability 1/7!
        "trend": float(np.mean(2 * (windows / factorial(7) - (windows - 1) / factorial(8)))),
    }
    # Measured (seed above): beyond 0.0028 (expected 0.0027), two of three 0.0043 (0.0039),
    # run 0.061 (0.059), trend 0.0017 (0.0023; trends come in clumps of 7+, so few events).
    assert 0.5 * expected["beyond_limits"] < rate["beyond_limits"] < 1.6 * expected["beyond_limits"]
    assert 0.5 * expected["two_of_three"] < rate["two_of_three"] < 1.6 * expected["two_of_three"]
    assert 0.8 * expected["run"] < rate["run"] < 1.2 * expected["run"]
    assert 0.3 * expected["trend"] < rate["trend"] < 2.0 * expected["trend"]

    # Anhøj's rules on run charts of 24 points: exact rates for fair Bernoulli sequences.
    n, reps = 24, 800
    longest, crossings = [], []
    for _ in range(reps):
        chart = spc(
            pd.DataFrame({"period": range(n), "v": rng.normal(size=n)}),
            value="v",
            chart="run",
            centre=0.0,
        )
        longest.append(chart["run"].any())
        crossings.append(chart["crossings"].any())
    limits = runs_limits(n).iloc[0]
    exact_longest = _exact_longest_run_above(n, int(limits["longest_run_max"]))
    # crossings of n fair flips ~ Binomial(n - 1, 1/2)
    exact_crossings = stats.binom.cdf(limits["crossings_min"] - 1, n - 1, 0.5)
    # Measured: longest run 0.034 (exact 0.033), crossings 0.040 (exact 0.047).
    assert abs(np.mean(longest) - exact_longest) < 0.02
    assert abs(np.mean(crossings) - exact_crossings) < 0.02


# --------------------------------------------------------------------------- ITS


def _series(
    n: int = 48,
    *,
    step: float = 0.2,
    slope: float = 0.0,
    start: int = 24,
    seed: int = 0,
    phi: float = 0.3,
    season: float = 0.0,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    noise = np.zeros(n)
    eps = rng.normal(0, 0.03, n)
    for i in range(n):
        noise[i] = (phi * noise[i - 1] if i else 0) + eps[i]
    after = t >= start
    y = (
        0.5
        + 0.002 * t
        + step * after
        + slope * (t - start) * after
        + season * np.sin(2 * np.pi * t / 12)
        + noise
    )
    return pd.DataFrame(
        {
            "period": pd.date_range("2022-01-01", periods=n, freq="MS"),
            "y": y,
            "n": rng.integers(20, 60, n),
        }
    )


def test_its_equals_statsmodels_ols_with_hac():
    data = _series()
    result = its(data, value="y", interventions=["2024-01-01"], maxlags=3)
    t = np.arange(48.0)
    after = (t >= 24).astype(float)
    design = np.column_stack([np.ones(48), t, after, (t - 24) * after])
    # Reference: statsmodels OLS with Newey-West (HAC) covariance (small-sample corrected)
    # on the same design.
    ref = sm.OLS(data["y"].to_numpy(), design).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True
    )
    np.testing.assert_allclose(result.effects["estimate"], ref.params, rtol=1e-10)
    np.testing.assert_allclose(result.effects["se"], ref.bse, rtol=1e-10)
    np.testing.assert_allclose(result.effects["p"], ref.pvalues, rtol=1e-8)
    np.testing.assert_allclose(result.effects[["ci_low", "ci_high"]], ref.conf_int(), rtol=1e-10)
    assert result.effects["term"].tolist() == [
        "intercept",
        "pre_slope",
        "level_change",
        "slope_change",
    ]
    assert isinstance(result, ITSResult) and result.maxlags == 3 and result.n_obs == 48


def test_its_weighted_equals_statsmodels_wls_and_default_lags():
    data = _series(seed=4)
    data.loc[[3, 30], "y"] = np.nan
    result = its(data, value="y", interventions={"call": "2024-01-10"}, weights="n")
    keep = data["y"].notna().to_numpy()
    t = np.arange(48.0)
    after = (t >= 24).astype(float)
    design = np.column_stack([np.ones(48), t, after, (t - 24) * after])[keep]
    lags = int(np.floor(4 * (keep.sum() / 100) ** (2 / 9)))
    # Reference: statsmodels WLS (weights n) with HAC covariance, Newey-West (1994) lag rule.
    ref = sm.WLS(data["y"].to_numpy()[keep], design, weights=data["n"].to_numpy()[keep]).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    np.testing.assert_allclose(result.effects["estimate"], ref.params, rtol=1e-10)
    np.testing.assert_allclose(result.effects["se"], ref.bse, rtol=1e-10)
    assert result.maxlags == lags and result.n_obs == 46
    summary = result.summary()
    assert summary["intervention"].tolist() == ["call"]
    assert summary["start"].iloc[0] == pd.Timestamp("2024-01-10")
    assert np.isnan(result.fitted.loc[3, "value"]) and np.isfinite(result.fitted.loc[3, "fitted"])


def test_its_recovers_a_planted_step_and_counterfactual():
    result = its(_series(step=0.2, seed=0), value="y", interventions=["2024-01-01"])
    summary = result.summary().iloc[0]
    assert summary["level_change_ci_low"] < 0.2 < summary["level_change_ci_high"]
    assert summary["slope_change_ci_low"] < 0 < summary["slope_change_ci_high"]
    fitted = result.fitted
    params = result.model.params
    np.testing.assert_allclose(
        fitted["counterfactual"], params["const"] + params["time"] * fitted["t"]
    )
    np.testing.assert_allclose(fitted.loc[:23, "fitted"], fitted.loc[:23, "counterfactual"])
    assert fitted["segment"].tolist() == [0] * 24 + [1] * 24
    np.testing.assert_allclose(fitted["fitted"], result.model.fittedvalues)


def test_its_interval_coverage_on_white_noise():
    hits = 0
    for seed in range(120):
        res = (
            its(_series(step=0.1, seed=seed, phi=0.0), value="y", interventions=["2024-01-01"])
            .summary()
            .iloc[0]
        )
        hits += res["level_change_ci_low"] < 0.1 < res["level_change_ci_high"]
    # nominal 95 %; Newey-West with 48 points is mildly liberal
    assert 0.85 <= hits / 120 <= 0.995


def test_its_seasonality_and_two_interventions():
    data = _series(step=0.15, seed=2, season=0.1, n=60)
    plain = its(data, value="y", interventions=["2024-01-01"])
    seasonal = its(data, value="y", interventions=["2024-01-01"], seasonality=12)
    assert {"sin_1", "cos_1", "sin_2", "cos_2"} <= set(seasonal.effects["term"])
    s = seasonal.summary().iloc[0]
    assert s["level_change_ci_low"] < 0.15 < s["level_change_ci_high"]
    width = lambda r: r["level_change_ci_high"] - r["level_change_ci_low"]  # noqa: E731
    assert width(s) < width(plain.summary().iloc[0])
    dummies = its(
        data, value="y", interventions=["2024-01-01"], seasonality=12, seasonal_terms="dummies"
    )
    assert sum(dummies.effects["term"].str.startswith("season_")) == 11
    rng = np.random.default_rng(5)
    t = np.arange(60)
    y = 1 + 0.3 * (t >= 20) - 0.2 * (t >= 40) + rng.normal(0, 0.05, 60)
    two = its(pd.DataFrame({"period": t, "y": y}), value="y", interventions=[20, 40])
    rows = two.summary()
    assert rows["intervention"].tolist() == ["20", "40"]
    assert rows.loc[0, "level_change_ci_low"] < 0.3 < rows.loc[0, "level_change_ci_high"]
    assert rows.loc[1, "level_change_ci_low"] < -0.2 < rows.loc[1, "level_change_ci_high"]
    assert two.fitted["segment"].max() == 2


def test_its_leaves_input_alone_and_ignores_row_order():
    data = _series(seed=1)
    before = data.copy(deep=True)
    result = its(data, value="y", interventions=["2024-01-01"])
    pd.testing.assert_frame_equal(data, before)
    shuffled = its(data.sample(frac=1, random_state=2), value="y", interventions=["2024-01-01"])
    pd.testing.assert_frame_equal(result.effects, shuffled.effects)


# --------------------------------------------------------------------------- actions, DiD


def test_action_effects_recover_planted_steps(planted):
    feedback, codes, actions = planted
    before = (feedback.copy(deep=True), codes.copy(deep=True), actions.copy(deep=True))
    table = action_effects(feedback, codes, actions).set_index("action_id")
    pd.testing.assert_frame_equal(feedback, before[0])
    pd.testing.assert_frame_equal(codes, before[1])
    pd.testing.assert_frame_equal(actions, before[2])
    a1 = table.loc["A1"]
    assert a1["scope"] == "all sites" and pd.isna(a1["note"])
    assert a1["level_change_ci_low"] < 25 < a1["level_change_ci_high"]
    assert a1["level_change"] > 10
    a2 = table.loc["A2"]
    assert a2["scope"] == "pilot sites" and a2["sites"] == "P1;P2;P3"
    assert a2["level_change_ci_low"] < 15 < a2["level_change_ci_high"]
    a3 = table.loc["A3"]
    assert a3["level_change_ci_low"] < 0 < a3["level_change_ci_high"]
    # counts match the comments themselves
    clarity = feedback.merge(codes.loc[codes["job_id"] == "clarity"], on="comment_id")
    assert a1["n_before"] == (clarity["received"] < "2025-01-06").sum()
    assert a1["n_after"] == (clarity["received"] >= "2025-01-06").sum()
    assert a1["n_periods_before"] == 12 and a1["n_periods_after"] == 12


def test_action_effects_notes_when_it_cannot_estimate(planted):
    feedback, codes, _ = planted
    actions = pd.DataFrame(
        {
            "action_id": ["X1", "X2", "X3"],
            "job_id": ["clarity", "clarity", "nothing"],
            "started": pd.to_datetime(["2025-12-30", None, "2025-01-01"]),
        }
    )
    table = action_effects(feedback, codes, actions).set_index("action_id")
    assert "fewer than 6 periods" in table.loc["X1", "note"]
    assert table.loc["X2", "note"] == "no start date"
    assert table.loc["X3", "note"] == "no rated comments coded to this job"
    assert table[["level_change", "slope_change"]].isna().all().all()
    # a handful of comments after the start: the count is hidden, never shown as a small number
    clarity = feedback.merge(codes.loc[codes["job_id"] == "clarity"], on="comment_id")
    assert 0 < (clarity["received"] >= "2025-12-30").sum() < 10
    assert pd.isna(table.loc["X1", "n_after"]) and table.loc["X3", "n_after"] == 0


def test_did_equals_statsmodels_cluster_robust_ols(planted):
    feedback, codes, actions = planted
    heard = feedback.merge(codes.loc[codes["job_id"] == "heard"], on="comment_id")
    heard["positive"] = (heard["rating"] >= 4).astype(float)
    table = did(heard, value="positive", treated=["P1", "P2", "P3"], start="2025-04-01")
    treated = heard["site"].isin(["P1", "P2", "P3"]).astype(float).to_numpy()
    post = (heard["received"] >= "2025-04-01").astype(float).to_numpy()
    design = np.column_stack([np.ones(len(heard)), treated, post, treated * post])
    groups = pd.factorize(heard["site"])[0]
    # Reference: statsmodels OLS with cluster-robust covariance by site (t with G - 1 df).
    ref = sm.OLS(heard["positive"].to_numpy(), design).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    row = table.set_index("term").loc["did"]
    assert row["estimate"] == pytest.approx(ref.params[3], rel=1e-10)
    assert row["se"] == pytest.approx(ref.bse[3], rel=1e-10)
    assert row["p"] == pytest.approx(ref.pvalues[3], rel=1e-8)
    assert row["ci_low"] == pytest.approx(ref.conf_int()[3, 0], rel=1e-10)
    assert row["n_clusters"] == 6
    assert row["n_treated_before"] + row["n_treated_after"] == treated.sum()
    # planted +15 pp at the pilots only
    assert row["ci_low"] < 0.15 < row["ci_high"]
    pre = heard.loc[post == 0]
    month = pre["received"].dt.to_period("M").astype("int64")
    t = (month - heard["received"].dt.to_period("M").astype("int64").min()).to_numpy(float)
    tr = pre["site"].isin(["P1", "P2", "P3"]).astype(float).to_numpy()
    ref_pre = sm.OLS(
        pre["positive"].to_numpy(), np.column_stack([np.ones(len(pre)), tr, t, tr * t])
    ).fit(cov_type="cluster", cov_kwds={"groups": groups[post == 0]}, use_t=True)
    pre_row = table.set_index("term").loc["pre_trend"]
    assert pre_row["estimate"] == pytest.approx(ref_pre.params[3], rel=1e-10)
    assert pre_row["p"] == pytest.approx(ref_pre.pvalues[3], rel=1e-8)


def test_did_pre_trend_check_flags_diverging_groups():
    rng = np.random.default_rng(1)
    sites = [f"S{i}" for i in range(12)]
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    rows = pd.DataFrame({"site": np.repeat(sites, 500), "received": rng.choice(days, 6000)})
    treated = rows["site"].isin(sites[:6])
    month = rows["received"].dt.month.to_numpy()
    p = 0.5 + np.where(treated, 0.03 * (month - 6), 0.0)
    rows["y"] = (rng.random(6000) < np.clip(p, 0, 1)).astype(float)
    table = did(rows, value="y", treated=sites[:6], start="2024-09-01").set_index("term")
    assert table.loc["pre_trend", "p"] < 0.01
    # planted: the treated sites' share rises 0.03 a month faster before the start; the
    # cluster-robust 95% interval (t with clusters - 1 df) holds it (SE about 0.006 here)
    pre = table.loc["pre_trend"]
    assert pre["ci_low"] < 0.03 < pre["ci_high"]


def test_pilot_effects_in_percentage_points(planted):
    feedback, codes, actions = planted
    table = pilot_effects(feedback, codes, actions)
    assert table["action_id"].unique().tolist() == ["A2"]
    assert table["term"].tolist() == ["did", "pre_trend"]
    heard = feedback.merge(codes.loc[codes["job_id"] == "heard"], on="comment_id")
    heard["positive"] = heard["rating"].isin([4, 5]).astype(float)
    raw = did(heard, value="positive", treated=["P1", "P2", "P3"], start="2025-04-01")
    np.testing.assert_allclose(table["estimate"], 100 * raw["estimate"])
    np.testing.assert_allclose(table["p"], raw["p"])
    assert not table["suppressed"].any()
    small = pilot_effects(feedback, codes, actions, min_cell_size=10_000)
    assert small["suppressed"].all() and small["estimate"].isna().all()
    none = pilot_effects(feedback, codes, actions.assign(sites=None))
    assert none.empty and "estimate" in none.columns


def test_action_its_is_the_fit_behind_action_effects(planted):
    feedback, codes, actions = planted
    effects = action_effects(feedback, codes, actions).set_index("action_id")
    fit = action_its(feedback, codes, actions, action_id="A2")
    summary = fit.summary().iloc[0]
    assert summary["intervention"] == "A2"
    assert 100 * summary["level_change"] == pytest.approx(effects.loc["A2", "level_change"])
    assert 100 * summary["slope_change_ci_high"] == pytest.approx(
        effects.loc["A2", "slope_change_ci_high"]
    )
    # default: the first action whose effect can be estimated
    late = pd.concat(
        [actions.assign(action_id="L0", started=pd.Timestamp("2025-12-15")).iloc[:1], actions],
        ignore_index=True,
    )
    assert action_its(feedback, codes, late).summary()["intervention"].iloc[0] == "A1"


# --------------------------------------------------------------------------- report helpers


def test_latest_rate_job_summary_and_focus_jobs(planted):
    feedback, codes, actions = planted
    overall = rates(feedback, min_cell_size=10)
    latest = latest_rate(overall)
    last = overall.loc[~overall["suppressed"]].iloc[-1]
    assert latest["period"] == last["period"]
    assert latest["estimate"] == pytest.approx(100 * last["positive_share"])
    assert latest["ci_low"] == pytest.approx(100 * last["positive_ci_low"])
    means = latest_rate(overall, estimate="mean", percent=False)
    assert means["estimate"] == pytest.approx(last["mean"])
    empty = latest_rate(overall.assign(suppressed=True))
    assert pd.isna(empty["period"]) and np.isnan(empty["estimate"])

    per_job = job_rates(feedback, codes, min_cell_size=10)
    summary = job_summary(per_job, labels={"clarity": "Know what comes next"})
    assert summary["job_id"].tolist() == ["clarity", "heard", "routines"]  # by n, descending
    assert summary.loc[0, "label"] == "Know what comes next"
    assert summary.loc[1, "label"] == "heard"
    clarity = summary.set_index("job_id").loc["clarity"]
    chart = spc(per_job.query("job_id == 'clarity'"), value="positive_share", n="n")
    assert clarity["improvement_points"] == (chart["signal_kind"] == "improvement").sum()
    assert clarity["last_signal"] == "improvement" and not clarity["few_points"]
    assert clarity["n"] == per_job.query("job_id == 'clarity'")["n"].sum()
    assert focus_jobs(summary, actions=actions.iloc[[2, 0]], top=2) == ["routines", "clarity"]
    assert focus_jobs(summary, top=2) == ["clarity", "heard"]
    assert focus_jobs(summary, actions=actions.assign(job_id="unknown")) == [
        "clarity",
        "heard",
        "routines",
    ]


def test_record_helpers_write_stable_keys(planted):
    feedback, codes, actions = planted
    report.reset()
    try:
        effects = action_effects(feedback, codes, actions)
        pilots = pilot_effects(feedback, codes, actions)
        stored = record_action_effects(effects, pilots)
        assert stored["actions.a1.level_change"] == pytest.approx(effects["level_change"][0])
        assert stored["actions.a1.level_change_ci"] == pytest.approx(
            [effects["level_change_ci_low"][0], effects["level_change_ci_high"][0]]
        )
        assert set(stored) >= {"pilots.a2.did", "pilots.a2.did_ci", "pilots.a2.pre_trend_p"}
        paths = trajectories(_survey(), segment="segment")
        traj = record_trajectories(paths)
        assert set(traj) == {
            f"trajectories.{s}.change_per_wave{e}" for s in ("fast", "slow") for e in ("", "_ci")
        }
        assert report.results()["trajectories.fast.change_per_wave"] == pytest.approx(
            paths.query("segment == 'fast' and term == 'change_per_wave'")["estimate"].iloc[0]
        )
        skipped = record_action_effects(
            effects.assign(
                level_change=np.nan, level_change_ci_low=np.nan, level_change_ci_high=np.nan
            )
        )
        assert skipped["actions.a1.level_change"] is None
        assert skipped["actions.a1.level_change_ci"] == [None, None]
    finally:
        report.reset()


def test_repeated_respondents_and_segment_labels(sample_study):
    survey = _survey()
    assert repeated_respondents(survey) == 200
    assert repeated_respondents(survey.query("wave == 1")) == 0
    assert segment_labels(survey) is None  # no imp_/sat_ items to segment on
    from jtbd_methods import load_study

    study = load_study(sample_study)
    labels = segment_labels(study.survey, codebook=study.codebook, choice=SegmentChoice(k=3))
    assert labels.index.equals(study.survey.index)
    assert labels.dropna().nunique() == 3
    table = trajectories(study.survey, segment=labels)
    assert table["segment"].nunique() == 3


# --------------------------------------------------------------------------- trajectories


def _survey(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"R{i:04d}" for i in range(300)]
    segment = np.where(np.arange(300) < 150, "fast", "slow")
    gain = np.where(segment == "fast", 0.4, 0.1)
    frames = []
    person = rng.normal(0, 0.5, 300)
    for wave in (1, 2, 3):
        keep = np.arange(300) if wave == 1 else np.flatnonzero(np.arange(300) % 3 != 0)
        frames.append(
            pd.DataFrame(
                {
                    "respondent_id": np.asarray(ids)[keep],
                    "wave": wave,
                    "segment": segment[keep],
                    "overall_satisfaction": 3
                    + gain[keep] * (wave - 1)
                    + person[keep]
                    + rng.normal(0, 0.4, keep.size),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_trajectories_equal_mixedlm_fitted_directly():
    survey = _survey()
    table = trajectories(survey, segment="segment").set_index(["segment", "term"])
    data = survey.assign(w=survey["wave"] - 1, y=survey["overall_satisfaction"])
    # Reference: statsmodels MixedLM (REML, random intercept per respondent) fitted directly.
    ref = sm.MixedLM.from_formula("y ~ w * C(segment)", groups="respondent_id", data=data).fit(
        reml=True
    )
    fe = ref.fe_params
    cov = ref.cov_params()
    assert table.loc[("fast", "change_per_wave"), "estimate"] == pytest.approx(fe["w"], rel=1e-6)
    assert table.loc[("fast", "change_per_wave"), "se"] == pytest.approx(ref.bse["w"], rel=1e-5)
    slow = fe["w"] + fe["w:C(segment)[T.slow]"]
    slow_se = np.sqrt(
        cov.loc["w", "w"]
        + cov.loc["w:C(segment)[T.slow]", "w:C(segment)[T.slow]"]
        + 2 * cov.loc["w", "w:C(segment)[T.slow]"]
    )
    assert table.loc[("slow", "change_per_wave"), "estimate"] == pytest.approx(slow, rel=1e-6)
    assert table.loc[("slow", "change_per_wave"), "se"] == pytest.approx(slow_se, rel=1e-5)
    assert table.loc[("fast", "first_wave_mean"), "estimate"] == pytest.approx(
        fe["Intercept"], rel=1e-6
    )
    # planted gains 0.4 and 0.1 per wave
    for seg, gain in (("fast", 0.4), ("slow", 0.1)):
        row = table.loc[(seg, "change_per_wave")]
        assert row["ci_low"] < gain < row["ci_high"]
    assert table.loc[("fast", "change_per_wave"), "n_respondents"] == 150
    assert table.loc[("fast", "change_per_wave"), "n_waves"] == 3


def test_trajectories_accept_labels_by_row_or_by_respondent_and_suppress_small():
    survey = _survey(1)
    by_column = trajectories(survey, segment="segment")
    first = survey["wave"] == 1
    by_row = survey["segment"].where(first)  # labelled once, like Segmentation.labels
    pd.testing.assert_frame_equal(trajectories(survey, segment=by_row), by_column)
    by_id = survey.loc[first].set_index("respondent_id")["segment"]
    pd.testing.assert_frame_equal(trajectories(survey, segment=by_id), by_column)
    everyone = trajectories(survey)
    assert everyone["segment"].unique().tolist() == ["all"]
    small = trajectories(survey, segment="segment", min_cell_size=200)
    assert small["suppressed"].all() and small["estimate"].isna().all()
    assert small["n_respondents"].isna().all() and small["n"].isna().all()
    dated = survey.assign(
        wave=survey["wave"].map(
            {
                1: pd.Timestamp("2024-01-01"),
                2: pd.Timestamp("2024-06-01"),
                3: pd.Timestamp("2025-01-01"),
            }
        )
    )
    pd.testing.assert_frame_equal(trajectories(dated, segment="segment"), by_column)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rates([1, 2]), TypeError, "must be a pandas DataFrame"),
        (lambda: rates(_feedback(10), value="score"), ValueError, "no column 'score'"),
        (lambda: rates(_feedback(10), freq="D"), ValueError, "'freq' parameter"),
        (lambda: rates(_feedback(10), mean_ci="wald"), ValueError, "'mean_ci' parameter"),
        (lambda: rates(_feedback(10), ci=95), ValueError, "'ci' parameter"),
        (lambda: rates(_feedback(10), min_cell_size=0), ValueError, "'min_cell_size'"),
        (lambda: rates(_feedback(10), min_cell_size=2.5), TypeError, "'min_cell_size'"),
        (lambda: rates(_feedback(10), positive="4,5"), TypeError, "'positive' parameter"),
        (lambda: rates(_feedback(10), top_box=()), ValueError, "'top_box' parameter"),
        (lambda: rates(_feedback(10), by=3), TypeError, "'by' parameter"),
        (lambda: rates(_feedback(10), by="period"), ValueError, "cannot include 'period'"),
        (lambda: rates(_feedback(10), value="comment"), TypeError, "must be numeric"),
        (
            lambda: rates(_feedback(10).assign(received="soon"), time_column="received"),
            TypeError,
            "could not be read as dates",
        ),
        (
            lambda: rates(_feedback(10), start="2025-01-01", end="2024-01-01"),
            ValueError,
            "is after 'end'",
        ),
        (lambda: rates(_feedback(10).iloc[:0]), ValueError, "no dated responses"),
        (
            lambda: job_rates(_feedback(10), pd.DataFrame({"comment_id": []})),
            ValueError,
            "'codes' has no column 'job_id'",
        ),
        (
            lambda: job_rates(
                _feedback(10), pd.DataFrame({"comment_id": [], "job_id": []}), polarity="angry"
            ),
            ValueError,
            "'polarity' parameter",
        ),
        (lambda: runs_limits(0), ValueError, "'n_useful' parameter"),
        (lambda: runs_limits(2.5), TypeError, "'n_useful' parameter"),
        (lambda: spc(_orange_juice(), value="share"), ValueError, "needs the denominators"),
        (
            lambda: spc(_orange_juice(), value="share", n="n", chart="u"),
            ValueError,
            "'chart' parameter",
        ),
        (
            lambda: spc(_orange_juice(), value="share", n="n", direction="up"),
            ValueError,
            "'direction' parameter",
        ),
        (
            lambda: spc(
                _orange_juice().assign(share=lambda d: d["share"] * 100), value="share", n="n"
            ),
            ValueError,
            "shares in \\[0, 1\\]",
        ),
        (
            lambda: spc(_orange_juice().assign(n=-1), value="share", n="n"),
            ValueError,
            "negative counts",
        ),
        (
            lambda: spc(pd.concat([_orange_juice()] * 2), value="share", n="n"),
            ValueError,
            "one row per period",
        ),
        (
            lambda: spc(_orange_juice(), value="share", n="n", baseline=1),
            ValueError,
            "'baseline' parameter",
        ),
        (
            lambda: spc(_orange_juice(), value="share", n="n", centre="high"),
            TypeError,
            "'centre' parameter",
        ),
        (
            lambda: spc(_orange_juice(), value="share", n="n", centre=1.5),
            ValueError,
            "'centre' parameter",
        ),
        (
            lambda: spc(_orange_juice(), value="share", n="n", screen_moving_ranges="yes"),
            TypeError,
            "'screen_moving_ranges'",
        ),
        (
            lambda: spc(_orange_juice().assign(period=pd.NaT), value="share", n="n"),
            ValueError,
            "missing periods",
        ),
        (
            lambda: spc(
                pd.DataFrame(
                    {"period": pd.date_range("2024-01-01", periods=12, freq="MS"), "v": range(12)}
                ),
                value="v",
                chart="xmr",
                recalc_at=["not a date"],
            ),
            ValueError,
            "'recalc_at' parameter",
        ),
        (
            lambda: its(_series(), value="y", interventions=["2022-01-01"]),
            ValueError,
            "at least two observed periods before",
        ),
        (
            lambda: its(_series(), value="y", interventions=["2025-12-01"]),
            ValueError,
            "at least two observed periods after",
        ),
        (
            lambda: its(_series(), value="y", interventions=["2023-06-01", "2023-01-01"]),
            ValueError,
            "in time order",
        ),
        (lambda: its(_series(), value="y", interventions=[]), ValueError, "at least one date"),
        (lambda: its(_series(), value="y", interventions=[None]), ValueError, "missing date"),
        (
            lambda: its(_series(), value="y", interventions=["someday"]),
            ValueError,
            "must hold dates",
        ),
        (
            lambda: its(
                _series().assign(period=range(48)), value="y", interventions=["2024-01-01"]
            ),
            ValueError,
            "must hold numbers",
        ),
        (
            lambda: its(pd.concat([_series()] * 2), value="y", interventions=["2024-01-01"]),
            ValueError,
            "one row per period",
        ),
        (
            lambda: its(
                _series().assign(period=pd.date_range("2022-01-01", periods=48, freq="10D")),
                value="y",
                interventions=["2023-01-01"],
            ),
            ValueError,
            "not regularly spaced",
        ),
        (
            lambda: its(
                _series(), value="y", interventions=["2024-01-01"], seasonal_terms="splines"
            ),
            ValueError,
            "'seasonal_terms' parameter",
        ),
        (
            lambda: its(_series(), value="y", interventions=["2024-01-01"], seasonality=1),
            ValueError,
            "'seasonality' parameter",
        ),
        (
            lambda: its(_series(), value="y", interventions=["2024-01-01"], maxlags=-1),
            ValueError,
            "'maxlags' parameter",
        ),
        (
            lambda: its(
                _series(n=8, start=4),
                value="y",
                interventions=["2022-05-01"],
                seasonality=12,
                seasonal_terms="dummies",
            ),
            ValueError,
            "observed periods for",
        ),
        (
            lambda: its(_series(), value="y", weights="w", interventions=["2024-01-01"]),
            ValueError,
            "no column 'w'",
        ),
        (
            lambda: action_effects(
                _feedback(10),
                pd.DataFrame({"comment_id": [], "job_id": []}),
                pd.DataFrame({"action_id": ["A"]}),
            ),
            ValueError,
            "'actions' has no columns 'job_id', 'started'",
        ),
        (
            lambda: action_effects(
                _feedback(10),
                pd.DataFrame({"comment_id": [], "job_id": []}),
                pd.DataFrame({"action_id": [], "job_id": [], "started": []}),
                min_periods=1,
            ),
            ValueError,
            "'min_periods' parameter",
        ),
        (
            lambda: did(_feedback(100), value="rating", treated=["Nowhere"], start="2024-06-01"),
            ValueError,
            "names no group",
        ),
        (
            lambda: did(
                _feedback(100), value="rating", treated=["North", "South"], start="2024-06-01"
            ),
            ValueError,
            "needs control groups",
        ),
        (
            lambda: did(_feedback(100), value="rating", treated=["North"], start="2030-01-01"),
            ValueError,
            "must fall inside the data",
        ),
        (
            lambda: did(_feedback(100), value="rating", treated=["North"], start="whenever"),
            ValueError,
            "'start' parameter",
        ),
        (
            lambda: pilot_effects(
                _feedback(10),
                pd.DataFrame({"comment_id": [], "job_id": []}),
                pd.DataFrame({"action_id": ["A"], "job_id": ["x"], "started": ["2024-01-01"]}),
                min_cell_size=0,
            ),
            ValueError,
            "'min_cell_size' parameter",
        ),
        (lambda: trajectories(_survey(), segment=3), TypeError, "'segment' parameter"),
        (lambda: trajectories(_survey(), segment="cohort"), ValueError, "no column 'cohort'"),
        (lambda: trajectories(_survey().query("wave == 1")), ValueError, "at least two waves"),
        (
            lambda: trajectories(
                _survey()
                .drop_duplicates("respondent_id")
                .assign(wave=lambda d: np.arange(len(d)) % 2)
            ),
            ValueError,
            "no respondent answered more",
        ),
        (
            lambda: action_its(
                _feedback(10),
                pd.DataFrame({"comment_id": [], "job_id": []}),
                pd.DataFrame(
                    {"action_id": ["A"], "job_id": ["x"], "started": pd.to_datetime(["2024-06-01"])}
                ),
                action_id="B",
            ),
            ValueError,
            "must name an action",
        ),
        (
            lambda: action_its(
                _feedback(10),
                pd.DataFrame({"comment_id": [], "job_id": []}),
                pd.DataFrame(
                    {"action_id": ["A"], "job_id": ["x"], "started": pd.to_datetime(["2024-06-01"])}
                ),
            ),
            ValueError,
            "no effect can be estimated \\(A: no rated comments",
        ),
        (lambda: latest_rate(pd.DataFrame({"period": []})), ValueError, "no columns"),
        (
            lambda: job_summary(pd.DataFrame({"period": []}), chart="c"),
            ValueError,
            "'chart' parameter",
        ),
        (lambda: job_summary(pd.DataFrame({"period": []})), ValueError, "no columns"),
        (lambda: focus_jobs(pd.DataFrame({"job_id": ["a"]}), top=0), ValueError, "'top' parameter"),
        (lambda: focus_jobs(pd.DataFrame({"job": ["a"]})), ValueError, "no column 'job_id'"),
        (
            lambda: record_action_effects(pd.DataFrame({"action_id": ["A"]})),
            ValueError,
            "'effects' has no columns",
        ),
        (
            lambda: record_action_effects(None, pd.DataFrame({"action_id": ["A"]})),
            ValueError,
            "'pilots' has no columns",
        ),
        (
            lambda: record_trajectories(pd.DataFrame({"segment": []})),
            ValueError,
            "'table' has no columns",
        ),
        (
            lambda: repeated_respondents(pd.DataFrame({"wave": []})),
            ValueError,
            "no column 'respondent_id'",
        ),
        (lambda: plots.plot_its("result"), TypeError, "must be an ITSResult"),
        (
            lambda: plots.plot_rates(pd.DataFrame({"period": []})),
            ValueError,
            "no column 'positive_share'",
        ),
        (lambda: plots.plot_spc(pd.DataFrame({"period": []})), ValueError, "no columns"),
        (lambda: plots.plot_trajectories([]), TypeError, "must be a pandas DataFrame"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- plots


def test_plot_rates_gaps_ribbon_and_title():
    feedback = _feedback(150, seed=6)
    table = rates(feedback, min_cell_size=12)
    assert table["suppressed"].any() and not table["suppressed"].all()
    ax = plots.plot_rates(table)
    line = ax.get_lines()[0]
    ydata = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(ydata[table["suppressed"].to_numpy()]).all()  # gaps, never zeros
    assert ax.collections, "confidence ribbon drawn"
    assert ax.get_title().startswith("Positive ratings: latest ")
    assert "%" in ax.get_ylabel() and ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "suppressed (too few responses)" in labels
    fig, own = plt.subplots()
    assert (
        plots.plot_rates(rates(feedback, by="site", min_cell_size=1), hue="site", y="mean", ax=own)
        is own
    )
    assert own.get_title() == "Mean rating by site over time"
    picked = plots.plot_rates(
        rates(feedback, by="site", min_cell_size=1),
        hue="site",
        groups=["South"],
        labels={"South": "South site"},
        actions=pd.DataFrame({"action_id": ["A1"], "started": [pd.Timestamp("2024-05-01")]}),
    )
    # lines are labelled directly at their ends, not in a legend
    assert picked.get_legend() is None
    assert "South site" in [t.get_text() for t in picked.texts]
    assert any(t.get_text().strip() == "A1" for t in picked.texts)


def test_plot_spc_colours_signals_and_marks_actions():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    n = rng.integers(30, 50, 24)
    share = np.r_[rng.binomial(n[:12], 0.4) / n[:12], rng.binomial(n[12:], 0.7) / n[12:]]
    chart = spc(pd.DataFrame({"period": months, "s": share, "n": n}), value="s", n="n")
    actions = pd.DataFrame({"action_id": ["A01"], "started": [pd.Timestamp("2025-01-06")]})
    ax = plots.plot_spc(chart, actions=actions)
    n_improve = int((chart["signal_kind"] == "improvement").sum())
    assert ax.get_title().startswith(f"p chart: {n_improve} points signal improvement")
    colours = {
        tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in ax.collections if len(c.get_offsets())
    }
    assert tuple(np.round(matplotlib.colors.to_rgb(plots.IMPROVEMENT), 3)) in colours
    assert any(t.get_text().strip() == "A01" for t in ax.texts)
    assert ax.get_ylabel() == "Share of responses (%)"
    other = pd.DataFrame(
        {
            "action_id": ["A01", "A02"],
            "job_id": ["clarity", "heard"],
            "started": pd.to_datetime(["2024-06-01", "2024-09-01"]),
        }
    )
    only = plots.plot_spc(chart, actions=other, job="heard")
    assert [t.get_text().strip() for t in only.texts if t.get_text().strip()] == ["A02"]


def test_plot_its_and_trajectories():
    gappy = _series(seed=3).astype({"n": float})
    gappy.loc[[5, 30], ["y", "n"]] = np.nan  # suppressed periods
    result = its(gappy, value="y", interventions=["2024-01-01"], weights="n")
    ax = plots.plot_its(result, percent=True)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "counterfactual (no intervention)" in labels
    assert ax.get_title().startswith("Level change +")
    table = trajectories(_survey(), segment="segment")
    ax2 = plots.plot_trajectories(table)
    assert ax2.get_title().startswith("Satisfaction changes most in fast")
    assert len(ax2.get_lines()) == 2


# --------------------------------------------------------------------------- sample study


def test_sample_study_planted_action_effects(sample_study):
    from jtbd_methods import coding, load_study

    study = load_study(sample_study)
    truth = json.loads((sample_study / "_truth" / "planted_truth.json").read_text())["actions"]
    codes = coding.code_comments(study.feedback, study.codebook)
    effects = action_effects(
        study.feedback, codes, study.actions, min_cell_size=study.min_cell_size
    ).set_index("action_id")
    for action_id in ("A01", "A02"):
        expected = truth[action_id]["expected_positive_share_change_pp"]
        row = effects.loc[action_id]
        assert row["level_change_ci_low"] < expected < row["level_change_ci_high"], action_id
    # A03 (planted null) started four months before the end of the data: too early to judge
    a03 = effects.loc["A03"]
    assert "fewer than 6 periods" in a03["note"] and np.isnan(a03["level_change"])
    assert effects.loc["A01", "level_change_ci_low"] > 0  # A01 is detected
    # the SPC rules see the A01 step in the gain_clarity series
    series = job_rates(study.feedback, codes, min_cell_size=study.min_cell_size)
    clarity = series.loc[series["job_id"] == truth["A01"]["job_id"]]
    chart = spc(clarity, value="positive_share", n="n", chart="p")
    after = chart["period"] >= pd.Timestamp(truth["A01"]["started"]).to_period("M").start_time
    assert (chart.loc[after, "signal_kind"] == "improvement").sum() >= 7
    assert not (chart.loc[after, "signal_kind"] == "concern").any()
    # the pilot of A02: difference in differences recovers the planted pilot-only effect
    pilots = pilot_effects(study.feedback, codes, study.actions).set_index("term")
    a02 = truth["A02"]["expected_positive_share_change_pp"]
    assert pilots.loc["did", "ci_low"] < a02 < pilots.loc["did", "ci_high"]


def test_module_all_is_importable():
    for name in tracking.__all__:
        assert hasattr(tracking, name)


def test_trajectory_keys_use_segment_numbers_not_names():
    from jtbd_methods import report
    from jtbd_methods.tracking import record_trajectories

    table = pd.DataFrame(
        {
            "segment": ["Segment 2: back to work fast", "Other group"],
            "term": ["change_per_wave"] * 2,
            "estimate": [0.3, 0.1],
            "ci_low": [0.2, 0.0],
            "ci_high": [0.4, 0.2],
        }
    )
    stored = record_trajectories(table)
    report.reset()
    assert "trajectories.segment_2.change_per_wave" in stored
    assert "trajectories.other_group.change_per_wave_ci" in stored
