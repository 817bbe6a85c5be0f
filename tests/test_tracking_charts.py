"""Chart choice, rebasing, Making Data Count icons, verdicts and text-only tracking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jtbd_methods.tracking import (
    action_dates,
    chart_icons,
    choose_chart,
    dispersion,
    effect_verdict,
    mention_rates,
    minimum_detectable_effect,
    pilot_series,
    rebase_dates,
    spc,
)

# Mohammed et al. (2013), BMJ Qual Saf 22:362-368: attendances seen within 4 hours in 20
# weeks, as shipped in qicharts2 (dataset nhs_accidents: r seen, n attendances).
NHS_R = [
    266501,
    264225,
    276532,
    281461,
    269071,
    261215,
    270409,
    279778,
    270483,
    270320,
    267923,
    271478,
    255353,
    256820,
    261835,
    259144,
    255910,
    260863,
    264465,
    260989,
]
NHS_N = [
    280443,
    276823,
    291681,
    296155,
    282343,
    275888,
    283867,
    295251,
    284468,
    282529,
    279618,
    283932,
    266629,
    268091,
    276803,
    271578,
    266005,
    273520,
    278574,
    273772,
]


def _nhs() -> pd.DataFrame:
    return pd.DataFrame(
        {"period": range(1, 21), "share": np.array(NHS_R) / np.array(NHS_N), "n": NHS_N}
    )


def test_laney_limits_match_qicharts2_on_the_nhs_accidents_example():
    chart = spc(_nhs(), value="share", n="n", chart="laney")
    # qicharts2 0.8.1: qic(i, r, n, data = nhs_accidents, chart = "pp", return.data = TRUE)
    # with options(qic.screenedmr = FALSE); cl and lcl of weeks 1, 2 and 13 (values as
    # recorded in the PowerBI-SPC test fixture test/fixtures/qicharts2.ts, case "nhs pp").
    assert chart["centre"].iloc[0] == pytest.approx(0.95289971134419116, rel=1e-12)
    assert chart["lcl"].iloc[0] == pytest.approx(0.9401296441775141, rel=1e-9)
    assert chart["lcl"].iloc[1] == pytest.approx(0.94004641862513627, rel=1e-9)
    assert chart["lcl"].iloc[12] == pytest.approx(0.93980301398912502, rel=1e-9)
    # the p chart on the same data: qicharts2 "nhs p" lcl of week 1 is 0.95169956464601502
    p_chart = spc(_nhs(), value="share", n="n", chart="p")
    assert p_chart["lcl"].iloc[0] == pytest.approx(0.95169956464601502, rel=1e-9)


def test_dispersion_flags_the_large_denominator_example_and_auto_switches_to_laney():
    check = dispersion(_nhs(), value="share", n="n")
    assert check["overdispersed"] and check["sigma_z"] > 5
    chart, note = choose_chart(_nhs(), value="share", n="n")
    assert chart == "laney" and "Laney" in note
    kept, offer = choose_chart(_nhs(), value="share", n="n", chart="p")
    assert kept == "p" and 'chart = "laney"' in offer
    # The p chart flags most weeks; Laney's chart flags none of them.
    assert spc(_nhs(), value="share", n="n", chart="p")["signal"].sum() >= 15
    assert spc(_nhs(), value="share", n="n", chart="laney")["signal"].sum() == 0


def test_binomial_series_is_not_overdispersed():
    rng = np.random.default_rng(4)
    n = rng.integers(40, 120, 48)
    share = rng.binomial(n, 0.7) / n
    table = pd.DataFrame({"period": range(48), "share": share, "n": n})
    check = dispersion(table, value="share", n="n")
    assert not check["overdispersed"] and 0.7 < check["sigma_z"] < 1.3
    assert choose_chart(table, value="share", n="n") == ("p", None)


def test_dispersion_rejects_a_threshold_of_one():
    with pytest.raises(ValueError, match="'threshold'.*above 1"):
        dispersion(_nhs(), value="share", n="n", threshold=1)


def test_recalculating_at_the_action_removes_the_false_concern_before_a_step():
    # Planted truth: 18 months at 60 % then 18 months at 80 %, binomial, 100 ratings a month.
    rng = np.random.default_rng(11)
    periods = pd.date_range("2023-01-01", periods=36, freq="MS")
    p = np.r_[np.full(18, 0.6), np.full(18, 0.8)]
    share = rng.binomial(100, p) / 100
    table = pd.DataFrame({"period": periods, "share": share, "n": 100})
    actions = pd.DataFrame({"job_id": ["j"], "started": [periods[18]]})
    one = spc(table, value="share", n="n")
    assert (one["signal_kind"] == "concern").sum() >= 7  # the baseline looks like a concern
    cuts = action_dates(actions, within=table["period"])
    split = spc(table, value="share", n="n", recalc_at=cuts)
    assert split["phase"].tolist() == [1] * 18 + [2] * 18
    assert (split["signal_kind"] == "concern").sum() <= 1
    assert split["centre"].iloc[0] == pytest.approx(share[:18].mean())


def test_action_dates_filters_by_job_and_range():
    actions = pd.DataFrame(
        {
            "job_id": ["a", "b", "a"],
            "started": pd.to_datetime(["2024-03-01", "2024-05-01", "2030-01-01"]),
        }
    )
    within = pd.date_range("2024-01-01", periods=12, freq="MS")
    assert action_dates(actions, job="a", within=within) == [pd.Timestamp("2024-03-01")]
    assert action_dates(None) == []
    with pytest.raises(ValueError, match="started"):
        action_dates(actions.drop(columns="started"))


def test_icons_follow_the_last_point_and_the_target():
    # NHSRplotthedots' rules: the last point's signal sets the variation icon; a target
    # below the lower limit of a higher-is-better measure is consistently met.
    values = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 6, 5, 6, 12]
    chart = spc(pd.DataFrame({"period": range(1, 16), "value": values}), value="value", chart="xmr")
    icons = chart_icons(chart, target=2)
    assert icons["variation"] == "improvement_high" and icons["assurance"] == "pass"
    assert chart_icons(chart, target=100)["assurance"] == "fail"
    assert chart_icons(chart, target=6)["assurance"] == "hit_and_miss"
    assert chart_icons(chart)["assurance"] is None
    low = spc(
        pd.DataFrame({"period": range(1, 16), "value": values}),
        value="value",
        chart="xmr",
        direction="lower_is_better",
    )
    assert chart_icons(low, target=2)["variation"] == "concern_high"
    assert chart_icons(low, target=2)["assurance"] == "fail"
    common = spc(
        pd.DataFrame({"period": range(1, 16), "value": values[:-1] + [6]}),
        value="value",
        chart="xmr",
    )
    assert chart_icons(common)["variation"] == "common_cause"
    with pytest.raises(TypeError, match="'target'"):
        chart_icons(chart, target="high")


@pytest.mark.parametrize(
    ("estimate", "low", "high", "expected"),
    [
        (20.0, 9.0, 31.0, "improved"),
        (-8.0, -14.0, -2.0, "worsened"),
        (3.0, -6.0, 12.0, "inconclusive"),
        (-1.0, -7.0, 4.0, "inconclusive"),
        (0.5, -2.0, 3.0, "no worthwhile change"),
        (np.nan, np.nan, np.nan, "not estimated"),
    ],
)
def test_effect_verdict(estimate, low, high, expected):
    assert effect_verdict(estimate, low, high, worthwhile=5) == expected


def test_effect_verdict_rejects_a_zero_worthwhile_change():
    with pytest.raises(ValueError, match="'worthwhile'"):
        effect_verdict(1, 0, 2, worthwhile=0)


def test_minimum_detectable_effect_uses_bloom_multiplier():
    # Bloom (1995), Evaluation Review 19(5):547-556, table 1: 2.80 standard errors for a
    # two-sided test at alpha = 0.05 with 80 % power.
    assert minimum_detectable_effect(1.0) == pytest.approx(2.8016, abs=1e-4)
    assert np.isnan(minimum_detectable_effect(np.nan))
    with pytest.raises(ValueError, match="'power'"):
        minimum_detectable_effect(1.0, power=1.5)


def _text_only_study(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Planted truth: job "wait" is in 30 % of comments, disrupted in 80 % of its mentions
    # until June 2024 and 40 % after; "kind" in 20 %, never disrupted (fulfilled or unclear).
    n = 2400
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    feedback = pd.DataFrame({"comment_id": [f"c{i}" for i in range(n)], "received": dates})
    rows = []
    for cid, when in zip(feedback["comment_id"], dates, strict=True):
        if rng.random() < 0.3:
            p = 0.8 if when < pd.Timestamp("2024-07-01") else 0.4
            rows.append((cid, "wait", "disrupted" if rng.random() < p else "fulfilled"))
        if rng.random() < 0.2:
            rows.append((cid, "kind", "unclear" if rng.random() < 0.5 else "fulfilled"))
    codes = pd.DataFrame(rows, columns=["comment_id", "job_id", "polarity"])
    return feedback, codes


def test_mention_rates_recover_the_planted_shares_without_ratings():
    feedback, codes = _text_only_study(np.random.default_rng(2))
    table = mention_rates(feedback, codes)
    wait = table.loc[table["job_id"] == "wait"]
    before = wait.loc[wait["period"] < "2024-07-01"]
    after = wait.loc[wait["period"] >= "2024-07-01"]

    # Each pooled share is binomial around its planted value: within three standard errors
    # sqrt(p (1 - p) / n) with probability 0.997 (normal approximation; Agresti 2013,
    # Categorical Data Analysis, 3rd ed., section 1.3). Here n = 2,400 comments and about
    # 360 mentions on each side of July: 3 SE = 0.028 for the mention share and 0.06 / 0.08
    # for the disrupted shares.
    def within_3_se(successes: int, n: int, planted: float) -> bool:
        return abs(successes / n - planted) < 3 * np.sqrt(planted * (1 - planted) / n)

    assert within_3_se(int(wait["n"].sum()), int(wait["n_comments"].sum()), 0.30)
    assert within_3_se(int(before["n_disrupted"].sum()), int(before["n"].sum()), 0.8)
    assert within_3_se(int(after["n_disrupted"].sum()), int(after["n"].sum()), 0.4)
    # unclear codes are mentions, never disruptions
    kind = table.loc[table["job_id"] == "kind"]
    assert kind["n"].sum() > 0 and kind["n_disrupted"].sum() == 0
    assert table["period"].min() == pd.Timestamp("2024-01-01")
    assert (table["mention_ci_low"] <= table["mention_share"]).all()


def test_mention_rates_overall_counts_each_comment_once_and_leaves_inputs_alone():
    feedback = pd.DataFrame(
        {
            "comment_id": ["c1", "c2", "c3"],
            "received": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-09"]),
            "answer": [True, True, False],
        }
    )
    codes = pd.DataFrame(
        {
            "comment_id": ["c1", "c1", "c2", "c3"],
            "job_id": ["a", "b", "a", "a"],
            "polarity": ["disrupted", "fulfilled", "unclear", "disrupted"],
        }
    )
    before = (feedback.copy(), codes.copy())
    out = mention_rates(feedback, codes, by_job=False, min_cell_size=1, substantive="answer")
    assert out[["n_comments", "n", "n_disrupted"]].iloc[0].tolist() == [2, 2, 1]
    pd.testing.assert_frame_equal(feedback, before[0])
    pd.testing.assert_frame_equal(codes, before[1])


def test_mention_rates_suppresses_small_periods_and_names_missing_columns():
    feedback, codes = _text_only_study(np.random.default_rng(3))
    table = mention_rates(feedback, codes, freq="W", min_cell_size=60)
    assert table.loc[table["suppressed"], "mention_share"].isna().all()
    assert table.loc[table["disrupted_suppressed"], "disrupted_share"].isna().all()
    with pytest.raises(ValueError, match="polarity"):
        mention_rates(feedback, codes.drop(columns="polarity"))


def test_pilot_series_gives_the_gap_between_pilot_and_other_sites():
    rng = np.random.default_rng(5)
    n = 12000
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    site = rng.choice(["A", "B", "C", "D"], n)
    after = dates >= pd.Timestamp("2024-07-01")
    # Planted truth: +20 points at the pilot site A after July.
    p = 0.5 + 0.2 * ((site == "A") & after)
    feedback = pd.DataFrame(
        {
            "comment_id": [f"c{i}" for i in range(n)],
            "received": dates,
            "site": site,
            "rating": np.where(rng.random(n) < p, 5, 2),
        }
    )
    codes = pd.DataFrame({"comment_id": feedback["comment_id"], "job_id": "j"})
    actions = pd.DataFrame(
        {
            "action_id": ["A1"],
            "job_id": ["j"],
            "started": [pd.Timestamp("2024-07-01")],
            "sites": ["A"],
        }
    )
    series = pilot_series(feedback, codes, actions)
    before = series.loc[series["period"] < "2024-07-01"]
    after = series.loc[series["period"] >= "2024-07-01"]
    step = after["difference"].mean() - before["difference"].mean()
    # Standard error of the step from the planted shares and the counts of each month: a
    # month's difference has variance 100^2 (p_A (1 - p_A) / n_A + p_o (1 - p_o) / n_o) and
    # each side averages six independent months. The step lies within three standard errors
    # of the planted 20 points with probability 0.997 (normal approximation); here 3 SE is
    # about 6 points.
    def variance(part: pd.DataFrame, p_pilot: float) -> float:
        month = p_pilot * (1 - p_pilot) / part["n_pilot"] + 0.25 / part["n_other"]
        return float(1e4 * month.sum() / len(part) ** 2)

    se = np.sqrt(variance(before, 0.5) + variance(after, 0.7))
    assert abs(step - 20) < 3 * se
    assert series.attrs["sites"] == "A"
    with pytest.raises(ValueError, match="'action_id'"):
        pilot_series(feedback, codes, actions, action_id="A9")


# --------------------------------------------------------------------------- figures


def test_plot_spc_draws_phases_icons_and_the_note():
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    rng = np.random.default_rng(11)
    periods = pd.date_range("2023-01-01", periods=36, freq="MS")
    share = rng.binomial(100, np.r_[np.full(18, 0.6), np.full(18, 0.8)]) / 100
    table = pd.DataFrame({"period": periods, "share": share, "n": 100})
    chart = spc(table, value="share", n="n", recalc_at=[periods[18]])
    ax = plots.plot_spc(chart, target=0.7, note="Laney's p′ chart was chosen.")
    insets = [child for child in ax.child_axes]
    assert [i.get_label() for i in insets] == [
        chart_icons(chart)["variation_text"],
        chart_icons(chart, target=0.7)["assurance_text"],
    ]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "Laney" in texts and "Limits recalculated from Jul 2024" in texts
    flat = {
        round(float(np.nanmean(line.get_ydata())), 6)
        for line in ax.lines
        if np.ptp(np.asarray(line.get_ydata(), dtype=float)) == 0
    }
    for centre in chart["centre"].unique():  # one centre line per phase
        assert round(float(centre), 6) in flat
    plt.close(ax.figure)


def test_charts_without_data_say_so_instead_of_drawing_empty_axes():
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    periods = pd.date_range("2024-01-01", periods=6, freq="MS")
    empty = pd.DataFrame(
        {
            "period": periods,
            "positive_share": np.nan,
            "positive_ci_low": np.nan,
            "positive_ci_high": np.nan,
            "suppressed": True,
        }
    )
    ax = plots.plot_rates(empty)
    assert "too few responses" in ax.get_title()
    assert list(ax.get_yticks()) == [] and list(ax.get_xticks()) == []  # no -4%..4% axis
    plt.close(ax.figure)
    chart = spc(empty.assign(n=0), value="positive_share", n="n")
    ax = plots.plot_spc(chart)
    assert "no period" in ax.get_title() and list(ax.get_xticks()) == []  # no 1970 axis
    plt.close(ax.figure)


def test_small_multiples_and_did_chart():
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    feedback, codes = _text_only_study(np.random.default_rng(2))
    table = mention_rates(feedback, codes)
    fig = plots.plot_rates_grid(
        table, hue="job_id", y="disrupted_share", labels={"wait": "Get seen on time"}
    )
    titles = [a.get_title() for a in fig.axes if a.get_visible() and a.get_title()]
    assert titles == ["kind", "Get seen on time"]
    plt.close(fig)
    series = pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=8, freq="MS"),
            "difference": [1.0, -2.0, 0.0, 1.0, 18.0, 22.0, 19.0, 21.0],
        }
    )
    series.attrs["started"] = pd.Timestamp("2024-05-01")
    ax = plots.plot_did(series, estimate=20.0, interval=(12.0, 28.0))
    assert ax.get_title() == "Difference in differences +20 points (95% CI +12 to +28)"
    assert ax.get_ylabel() == "Pilot minus other sites (points)"
    plt.close(ax.figure)


def test_rebase_dates_keeps_a_sustained_shift_despite_a_transitional_month_and_drops_noise():
    # Planted truth: a step from 60 % to 80 % at month 18; the first month after the action
    # is still at the old level (the action takes a month to reach patients). A second
    # "action" at month 26 changes nothing.
    rng = np.random.default_rng(21)
    periods = pd.date_range("2023-01-01", periods=36, freq="MS")
    p = np.r_[np.full(19, 0.6), np.full(17, 0.8)]
    share = rng.binomial(400, p) / 400
    table = pd.DataFrame({"period": periods, "share": share, "n": 400})
    kept = rebase_dates(table, value="share", n="n", candidates=[periods[18], periods[26]])
    assert kept == [periods[18]]
    # the strict rule (seven in a row from the change) is broken by the transitional month
    assert (
        rebase_dates(table, value="share", n="n", candidates=[periods[18]], window=7, tolerance=0)
        == []
    )
    noise = pd.DataFrame({"period": periods, "share": rng.binomial(400, 0.6, 36) / 400, "n": 400})
    assert rebase_dates(noise, value="share", n="n", candidates=[periods[18]]) == []
    with pytest.raises(ValueError, match="'tolerance'"):
        rebase_dates(table, value="share", n="n", candidates=[], window=4, tolerance=2)
