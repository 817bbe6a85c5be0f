"""Tests of jtbd_methods.reliability: percent agreement, Cohen's kappa, Krippendorff's alpha."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa

from jtbd_methods.reliability import (
    agreement_table,
    cohen_kappa,
    disagreements,
    krippendorff_alpha,
    percent_agreement,
    stack_codings,
)

NAN = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Departmental Papers
# (ASC), University of Pennsylvania, section C ("Nominal data, any number of observers,
# missing data"): 4 observers (A-D) x 12 units; blanks are missing values.
KRIPPENDORFF_2011 = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        "C": [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    }
)


def two_coders(n: int, *, seed: int, error: float = 0.2, n_cat: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n_cat, n)
    b = np.where(rng.random(n) < error, rng.integers(0, n_cat, n), a)
    return pd.DataFrame({"comment_id": [f"c{i}" for i in range(n)], "coder_a": a, "coder_b": b})


# --------------------------------------------------------------------- Krippendorff alpha
def test_alpha_reproduces_krippendorff_2011_worked_example():
    out = krippendorff_alpha(KRIPPENDORFF_2011, id_column=None, by=None, n_boot=0)
    # Krippendorff (2011), section C: alpha_nominal = 0.743 (n = 40 pairable values,
    # unit 12 has a single value and is not pairable).
    assert out["alpha"].iloc[0] == pytest.approx(0.743, abs=5e-4)
    assert out["n_values"].iloc[0] == 40
    assert out["n"].iloc[0] == 11


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_equals_krippendorff_package_on_worked_example(level):
    # Reference: krippendorff.alpha (PyPI package "krippendorff", S. Castro), computed here.
    expected = krippendorff.alpha(
        reliability_data=KRIPPENDORFF_2011.T.to_numpy(), level_of_measurement=level
    )
    out = krippendorff_alpha(KRIPPENDORFF_2011, level=level, id_column=None, by=None, n_boot=0)
    assert out["alpha"].iloc[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_equals_krippendorff_package_random_data_with_missing(seed, level):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, 60)
    values = np.array(
        [np.where(rng.random(60) < 0.7, truth, rng.integers(1, 6, 60)) for _ in range(5)],
        dtype=float,
    )
    values[rng.random(values.shape) < 0.25] = np.nan
    # Reference: krippendorff.alpha (PyPI "krippendorff"), coders in rows.
    expected = krippendorff.alpha(reliability_data=values, level_of_measurement=level)
    data = pd.DataFrame(values.T, columns=list("abcde"))
    got = krippendorff_alpha(data, level=level, id_column=None, by=None, n_boot=0)["alpha"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-10)


def test_alpha_nominal_works_on_text_codes_with_none():
    data = KRIPPENDORFF_2011.replace({1: "a", 2: "b", 3: "c", 4: "d", 5: "e"})
    data = data.astype(object).where(data.notna(), None)
    out = krippendorff_alpha(data, id_column=None, by=None, n_boot=0)
    assert out["alpha"].iloc[0] == pytest.approx(0.743421052631579, rel=1e-12)


def test_alpha_bootstrap_interval_brackets_estimate_and_shrinks_with_n():
    small = two_coders(60, seed=3)
    large = two_coders(600, seed=3)
    s = krippendorff_alpha(small, by=None, n_boot=500)
    g = krippendorff_alpha(large, by=None, n_boot=500)
    for t in (s, g):
        assert t["ci_low"].iloc[0] <= t["alpha"].iloc[0] <= t["ci_high"].iloc[0]
    assert (g["ci_high"] - g["ci_low"]).iloc[0] < (s["ci_high"] - s["ci_low"]).iloc[0]


def test_alpha_is_nan_without_variation():
    data = pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, 1]})
    out = krippendorff_alpha(data, id_column=None, by=None, n_boot=100)
    assert np.isnan(out["alpha"].iloc[0]) and np.isnan(out["ci_low"].iloc[0])


# --------------------------------------------------------------------------- Cohen kappa
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [0, 7])
def test_kappa_equals_sklearn(weights, seed):
    data = two_coders(150, seed=seed, n_cat=4)
    # Reference: sklearn.metrics.cohen_kappa_score (scikit-learn 1.9), computed here.
    expected = cohen_kappa_score(data["coder_a"], data["coder_b"], weights=weights)
    got = cohen_kappa(data, by=None, weights=weights, n_boot=0)["kappa"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-12)


def test_kappa_per_job_equals_sklearn_per_job():
    parts = []
    for j, seed in (("feel_heard", 1), ("gain_clarity", 2)):
        d = two_coders(80, seed=seed, n_cat=2)
        d["job_id"] = j
        parts.append(d)
    data = pd.concat(parts, ignore_index=True)
    out = cohen_kappa(data, n_boot=0)
    assert out["job_id"].tolist() == ["feel_heard", "gain_clarity"]
    for j, row in out.set_index("job_id").iterrows():
        part = data[data["job_id"] == j]
        # Reference: sklearn.metrics.cohen_kappa_score, computed here.
        assert row["kappa"] == pytest.approx(cohen_kappa_score(part["coder_a"], part["coder_b"]))
        assert row["n"] == 80


def test_kappa_hand_worked_example():
    # 2x2 table a=(1,1,0,0,1,0), b=(1,0,0,0,1,0): p_o = 5/6; marginals a: 3/6 ones,
    # b: 2/6 ones -> p_e = (3*2 + 3*4)/36 = 0.5; kappa = (5/6 - 1/2)/(1/2) = 2/3.
    data = pd.DataFrame(
        {"comment_id": list("abcdef"), "coder_a": [1, 1, 0, 0, 1, 0], "coder_b": [1, 0, 0, 0, 1, 0]}
    )
    assert cohen_kappa(data, by=None, n_boot=0)["kappa"].iloc[0] == pytest.approx(2 / 3)


def test_kappa_bootstrap_matches_asymptotic_standard_error():
    data = two_coders(500, seed=11, error=0.3, n_cat=2)
    table = pd.crosstab(data["coder_a"], data["coder_b"]).to_numpy()
    # Reference: statsmodels.stats.inter_rater.cohens_kappa (Fleiss, Cohen & Everitt 1969
    # asymptotic variance), computed here; the bootstrap half-width should be close to 1.96 SE.
    se = sm_cohens_kappa(table).std_kappa
    out = cohen_kappa(data, by=None, n_boot=2000)
    half = (out["ci_high"] - out["ci_low"]).iloc[0] / 2
    # Tolerance from the Monte Carlo error of the bootstrap: with B = 2000 resamples the
    # standard error of a 2.5% (or 97.5%) percentile is sqrt(.025 * .975 / B) / phi(1.96)
    # = 0.060 SE of kappa, so that of the half-width is about 0.042 SE, 2.2% of 1.96 SE.
    # rel=0.10 is 4.5 Monte Carlo standard errors (5.2% is observed), leaving room for the
    # second-order (O(1/n)) difference between the bootstrap and the asymptotic variance.
    assert half == pytest.approx(1.959964 * se, rel=0.10)
    assert out["kappa"].iloc[0] == pytest.approx(sm_cohens_kappa(table).kappa)


def test_kappa_drops_units_either_coder_left_uncoded():
    data = pd.DataFrame(
        {"comment_id": list("abcde"), "coder_a": [1, 0, 1, None, 0], "coder_b": [1, 0, None, 1, 1]}
    )
    out = cohen_kappa(data, by=None, n_boot=0)
    assert out["n"].iloc[0] == 3
    assert out["kappa"].iloc[0] == pytest.approx(cohen_kappa_score([1, 0, 0], [1, 0, 1]))


def test_kappa_nan_when_only_one_category():
    data = pd.DataFrame({"comment_id": list("abc"), "coder_a": [0, 0, 0], "coder_b": [0, 0, 0]})
    assert np.isnan(cohen_kappa(data, by=None, n_boot=0)["kappa"].iloc[0])


def test_cluster_bootstrap_is_wider_when_jobs_of_a_comment_move_together():
    # Coder b disagrees on *every* job of 15 % of comments: errors are clustered by comment,
    # so resampling comments (id_column) must give a wider interval than resampling rows (id_column=None).
    rng = np.random.default_rng(5)
    n, jobs = 200, [f"job_{k}" for k in range(6)]
    bad = rng.random(n) < 0.15
    rows = []
    for i in range(n):
        for j in jobs:
            a = int(rng.random() < 0.4)
            rows.append(
                {
                    "comment_id": f"c{i}",
                    "job_id": j,
                    "coder_a": a,
                    "coder_b": 1 - a if bad[i] else a,
                }
            )
    data = pd.DataFrame(rows)
    clustered = cohen_kappa(data, by=None, n_boot=1000)
    naive = cohen_kappa(data, by=None, id_column=None, n_boot=1000)
    assert clustered["kappa"].iloc[0] == pytest.approx(naive["kappa"].iloc[0])
    width_c = (clustered["ci_high"] - clustered["ci_low"]).iloc[0]
    width_n = (naive["ci_high"] - naive["ci_low"]).iloc[0]
    assert width_c > 1.5 * width_n


# ---------------------------------------------------------------------- percent agreement
def test_percent_agreement_hand_worked_example():
    # By hand, per unit: share of agreeing ordered coder pairs sum_c n_c(n_c-1) / m(m-1).
    # Units 1,3,4,5,7,9,10,11 agree fully (1); units 2 and 8 have values (x,x,y,x): 6/12 = .5;
    # unit 6 (1,2,3,4): 0; unit 12 has one value and drops out. Mean = 9/11.
    out = percent_agreement(KRIPPENDORFF_2011, id_column=None, by=None, n_boot=0)
    assert out["agreement"].iloc[0] == pytest.approx(9 / 11)
    assert out["n"].iloc[0] == 11
    assert out["n_coders"].iloc[0] == 4


def test_percent_agreement_two_coders_is_share_of_agreeing_units():
    data = pd.DataFrame(
        {
            "comment_id": [f"c{i}" for i in range(10)],
            "coder_a": [1, 1, 1, 0, 0, 0, 0, 1, 0, 1],
            "coder_b": [1, 1, 0, 0, 0, 1, 0, 1, 0, 1],
        }
    )
    # By hand: units 3 and 6 differ -> 8/10.
    out = percent_agreement(data, by=None, n_boot=500)
    assert out["agreement"].iloc[0] == pytest.approx(0.8)
    assert 0 <= out["ci_low"].iloc[0] <= 0.8 <= out["ci_high"].iloc[0] <= 1


# ------------------------------------------------------------------------- property tests
codes = st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=4, max_size=30)


@settings(max_examples=60, deadline=None)
@given(values=codes)
def test_coder_with_itself_agrees_perfectly(values):
    data = pd.DataFrame({"comment_id": range(len(values)), "a": values, "b": values}, dtype=object)
    present = {v for v in values if v is not None}
    pa = percent_agreement(data, coders=["a", "b"], by=None, n_boot=0)
    ka = cohen_kappa(data, coder_a="a", coder_b="b", by=None, n_boot=0)
    al = krippendorff_alpha(data, coders=["a", "b"], by=None, n_boot=0)
    if len(present) >= 1:
        assert pa["agreement"].iloc[0] == 1.0
    if len(present) >= 2:
        assert ka["kappa"].iloc[0] == pytest.approx(1.0)
        assert al["alpha"].iloc[0] == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(a=codes, seed=st.integers(0, 10_000))
def test_invariant_to_unit_order_and_alpha_within_bounds(a, seed):
    rng = np.random.default_rng(seed)
    b = [v if rng.random() < 0.6 else int(rng.integers(0, 4)) for v in a]
    c = [None if rng.random() < 0.2 else int(rng.integers(0, 4)) for _ in a]
    data = pd.DataFrame(
        {"comment_id": [f"c{i}" for i in range(len(a))], "a": a, "b": b, "c": c}, dtype=object
    )
    shuffled = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    for fn, kw in (
        (krippendorff_alpha, {"coders": ["a", "b", "c"]}),
        (percent_agreement, {"coders": ["a", "b", "c"]}),
        (cohen_kappa, {"coder_a": "a", "coder_b": "b"}),
    ):
        x = fn(data, by=None, n_boot=50, **kw)
        y = fn(shuffled, by=None, n_boot=50, **kw)
        pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12)
    alpha = krippendorff_alpha(data, coders=["a", "b", "c"], by=None, n_boot=0)["alpha"].iloc[0]
    assert np.isnan(alpha) or -1.0 <= alpha <= 1.0
    share = percent_agreement(data, coders=["a", "b", "c"], by=None, n_boot=50)
    for col in ("agreement", "ci_low", "ci_high"):
        v = share[col].iloc[0]
        assert np.isnan(v) or 0.0 <= v <= 1.0


def test_functions_do_not_mutate_input():
    data = two_coders(50, seed=2)
    data["job_id"] = "j"
    before = data.copy()
    percent_agreement(data, coders=["coder_a", "coder_b"], n_boot=20)
    cohen_kappa(data, n_boot=20)
    krippendorff_alpha(data, coders=["coder_a", "coder_b"], n_boot=20)
    pd.testing.assert_frame_equal(data, before)


def test_bootstrap_is_deterministic_given_random_state():
    data = two_coders(80, seed=4)
    x = krippendorff_alpha(data, by=None, n_boot=200, random_state=3)
    y = krippendorff_alpha(data, by=None, n_boot=200, random_state=3)
    pd.testing.assert_frame_equal(x, y)


# ------------------------------------------------------------------------ wide codings
def wide(ids, **jobs):
    frame = pd.DataFrame({"comment_id": ids})
    for j, v in jobs.items():
        frame[f"code_{j}"] = pd.array(v, dtype="Int64")
    return frame


def test_stack_codings_outer_join_and_missing():
    a = wide(["c1", "c2", "c3"], feel_heard=[1, 0, None], gain_clarity=[0, 0, 1], only_a=[1, 1, 1])
    b = wide(["c2", "c1", "c4"], feel_heard=[0, 1, 1], gain_clarity=[1, 0, 0])
    out = stack_codings({"ann": a, "bob": b})
    assert list(out.columns) == ["comment_id", "job_id", "ann", "bob"]
    assert out["job_id"].unique().tolist() == ["feel_heard", "gain_clarity"]
    fh = out[out["job_id"] == "feel_heard"].set_index("comment_id")
    assert fh.loc["c1", "ann"] == 1 and fh.loc["c1", "bob"] == 1
    assert "c3" not in fh.index  # coded by nobody for this job
    assert pd.isna(fh.loc["c4", "ann"]) and fh.loc["c4", "bob"] == 1
    assert out["ann"].dtype == "Int64"
    listed = stack_codings([a, b], jobs=["gain_clarity"])
    assert list(listed.columns) == ["comment_id", "job_id", "coder_1", "coder_2"]
    assert len(listed) == 4


def test_stack_codings_errors():
    a = wide(["c1", "c2"], x=[1, 0])
    with pytest.raises(TypeError, match="mapping of coder name to DataFrame or a list"):
        stack_codings(a)
    with pytest.raises(TypeError, match="got int"):
        stack_codings(3)
    with pytest.raises(ValueError, match="needs at least two coders; got 1"):
        stack_codings([a])
    with pytest.raises(
        TypeError, match=r"'codings\['coder_2'\]' parameter of stack_codings must be"
    ):
        stack_codings([a, "b"])
    with pytest.raises(ValueError, match="share no 'code_<job_id>' column"):
        stack_codings([a, wide(["c1"], y=[1])])
    with pytest.raises(ValueError, match=r"has no column 'code_z'"):
        stack_codings([a, a], jobs=["z"])
    with pytest.raises(ValueError, match=r"repeats comment_id 'c1'"):
        stack_codings([a, wide(["c1", "c1"], x=[1, 0])])
    with pytest.raises(ValueError, match=r"column 'code_x' must hold 0, 1 or missing; got 2"):
        stack_codings([a, wide(["c1", "c2"], x=[1, 2])])
    with pytest.raises(ValueError, match="coder name 'job_id' clashes"):
        stack_codings({"job_id": a, "b": a})
    with pytest.raises(ValueError, match="has missing values in 'comment_id'"):
        stack_codings([a, pd.DataFrame({"comment_id": [None], "code_x": [1]})])


def test_agreement_table_planted_truth_and_consistency():
    rng = np.random.default_rng(8)
    n = 400
    ids = [f"c{i}" for i in range(n)]
    # "common": coder b copies coder a except for 3 % random flips.
    common_a = (rng.random(n) < 0.45).astype(int)
    common_b = np.where(rng.random(n) < 0.03, 1 - common_a, common_a)
    # "rare": 20 positives for coder a; coder b finds only the first 10 of them.
    rare_a = np.zeros(n, dtype=int)
    rare_a[:20] = 1
    rare_b = np.zeros(n, dtype=int)
    rare_b[:10] = 1
    a_codes = {"rare": rare_a, "common": common_a}
    b_codes = {"rare": rare_b, "common": common_b}
    coding_a, coding_b = wide(ids, **a_codes), wide(ids, **b_codes)
    table = agreement_table(coding_a, coding_b, n_boot=300)
    assert table["job_id"].tolist() == ["rare", "common", "all_jobs"]
    t = table.set_index("job_id")
    assert t.loc["rare", "n"] == n and t.loc["all_jobs", "n"] == 2 * n
    assert t.loc["rare", "positive_a"] == a_codes["rare"].sum()
    assert t.loc["common", "verdict"] == "reliable"
    # The kappa paradox, worked by hand for "rare": p_o = 390/400 = .975; marginals
    # .05 (a) and .025 (b), p_e = .05 * .025 + .95 * .975 = .9275;
    # kappa = (.975 - .9275) / (1 - .9275) = .6552 despite 97.5 % agreement.
    assert t.loc["rare", "agreement"] == pytest.approx(0.975)
    assert t.loc["rare", "kappa"] == pytest.approx(0.0475 / 0.0725)
    assert t.loc["rare", "verdict"] in ("tentative", "unreliable")
    # consistent with the single-statistic functions (reference: sklearn for kappa)
    assert t.loc["common", "kappa"] == pytest.approx(
        cohen_kappa_score(a_codes["common"], b_codes["common"])
    )
    long = stack_codings({"coder_a": coding_a, "coder_b": coding_b})
    alpha = krippendorff_alpha(long, coders=["coder_a", "coder_b"], by=None, n_boot=300)
    assert t.loc["all_jobs", "alpha"] == pytest.approx(alpha["alpha"].iloc[0])
    assert t.loc["all_jobs", "alpha_ci_low"] == pytest.approx(alpha["ci_low"].iloc[0])
    for stat in ("agreement", "kappa", "alpha"):
        assert (t[f"{stat}_ci_low"] <= t[stat]).all() and (t[stat] <= t[f"{stat}_ci_high"]).all()


def test_agreement_table_uses_only_comments_both_coded_and_keeps_uncoded_jobs():
    a = wide(["c1", "c2", "c3", "c4"], x=[1, 0, 1, None], y=[0, 0, 0, 0])
    b = wide(["c1", "c2", "c3"], x=[1, 0, 0], y=[0, 0, 0])
    t = agreement_table(a, b, n_boot=0).set_index("job_id")
    assert t.loc["x", "n"] == 3
    assert t.loc["x", "agreement"] == pytest.approx(2 / 3)
    assert t.loc["y", "verdict"] == "undefined"  # no variation: alpha undefined
    empty = agreement_table(wide(["c1"], x=[1]), wide(["c2"], x=[1]), n_boot=0, overall=False)
    assert empty["n"].tolist() == [0] and np.isnan(empty["kappa"].iloc[0])


def test_disagreements_lists_rows_to_resolve_with_redacted_text():
    a = wide(["c1", "c2", "c3"], x=[1, 0, 1], y=[0, 1, None])
    b = wide(["c1", "c2", "c3"], x=[0, 0, 1], y=[1, 1, 0])
    feedback = pd.DataFrame(
        {"comment_id": ["c1", "c2", "c3"], "comment": ["Nurse Ann was kind", "ok", "fine"]}
    )
    before = feedback.copy()
    out = disagreements(
        a, b, texts=feedback, names=("ann", "bob"), redact=lambda s: s.str.replace("Ann", "[NAME]")
    )
    assert out[["comment_id", "job_id", "ann", "bob"]].values.tolist() == [
        ["c1", "x", 1, 0],
        ["c1", "y", 0, 1],
    ]
    assert out["comment"].tolist() == ["Nurse [NAME] was kind"] * 2
    pd.testing.assert_frame_equal(feedback, before)
    none = disagreements(a, a)
    assert none.empty and list(none.columns) == ["comment_id", "job_id", "coder_a", "coder_b"]


def test_disagreements_errors():
    a = wide(["c1"], x=[1])
    with pytest.raises(ValueError, match="'names' parameter of disagreements must be two distinct"):
        disagreements(a, a, names=("x", "x"))
    with pytest.raises(TypeError, match="'redact' parameter of disagreements must be callable"):
        disagreements(a, a, redact="yes")
    with pytest.raises(ValueError, match="'texts' has no column 'comment'"):
        disagreements(a, a, texts=pd.DataFrame({"comment_id": ["c1"], "text": ["t"]}))
    with pytest.raises(ValueError, match="'texts' repeats values of 'comment_id'"):
        disagreements(a, a, texts=pd.DataFrame({"comment_id": ["c1", "c1"], "comment": ["t", "u"]}))


# ------------------------------------------------------------------------------- errors
def test_statistic_errors():
    data = two_coders(20, seed=1)
    data["job_id"] = "j"
    with pytest.raises(TypeError, match="'data' parameter of krippendorff_alpha must be a pandas"):
        krippendorff_alpha(data.to_numpy())
    with pytest.raises(ValueError, match="'level' parameter of krippendorff_alpha must be one of"):
        krippendorff_alpha(data, level="binary")
    with pytest.raises(TypeError, match="'coders' parameter of krippendorff_alpha must be a list"):
        krippendorff_alpha(data, coders="coder_a")
    with pytest.raises(ValueError, match="must name at least 2 distinct coder columns"):
        percent_agreement(data, coders=["coder_a"])
    with pytest.raises(
        ValueError, match="'coders' parameter of percent_agreement lists 'coder_a' twice"
    ):
        percent_agreement(data, coders=["coder_a", "coder_a"])
    with pytest.raises(ValueError, match="'data' has no column 'rater_x'"):
        krippendorff_alpha(data, coders=["coder_a", "rater_x"])
    with pytest.raises(ValueError, match="'data' has no column 'unit'"):
        cohen_kappa(data, id_column="unit")
    with pytest.raises(ValueError, match="'coder_a' and 'coder_b' parameters of cohen_kappa"):
        cohen_kappa(data, coder_a="coder_a", coder_b="coder_a")
    with pytest.raises(ValueError, match="'weights' parameter of cohen_kappa must be one of"):
        cohen_kappa(data, weights="cubic")
    with pytest.raises(ValueError, match="'n_boot' parameter of cohen_kappa must be 0"):
        cohen_kappa(data, n_boot=5)
    with pytest.raises(
        ValueError, match=r"'n_boot' parameter of percent_agreement must be an integer in \[0"
    ):
        percent_agreement(data, n_boot=-1)
    with pytest.raises(
        ValueError, match=r"'ci' parameter of krippendorff_alpha must be in \(0, 1\)"
    ):
        krippendorff_alpha(data, ci=95)
    doubled = pd.concat([data, data])
    with pytest.raises(ValueError, match="each unit must appear once, but 40 rows repeat"):
        krippendorff_alpha(doubled)
    gap = data.assign(job_id=[None] + ["j"] * 19)
    with pytest.raises(ValueError, match="column 'job_id' .* has missing values"):
        cohen_kappa(gap)
    text = data.assign(coder_a="x")
    with pytest.raises(ValueError, match="level other than 'nominal' needs numeric codes"):
        krippendorff_alpha(text, level="interval")


# ---------------------------------------------------------------------------------- plot
def test_plot_agreement_draws_on_given_axes_and_new_figure():
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    a = wide(
        [f"c{i}" for i in range(30)],
        x=[i % 2 for i in range(30)],
        y=[int(i % 3 == 0) for i in range(30)],
        z=[0] * 30,
    )
    b = wide(
        [f"c{i}" for i in range(30)],
        x=[i % 2 for i in range(30)],
        y=[int(i % 5 == 0) for i in range(30)],
        z=[0] * 30,
    )
    table = agreement_table(a, b, n_boot=50)
    fig, ax = plt.subplots()
    out = plots.plot_agreement(table, statistic="kappa", labels={"x": "Job X"}, ax=ax)
    assert out is ax
    ticks = sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])
    # top to bottom: jobs in table order, the pooled row last
    assert [t.get_text() for t in ticks] == ["Job X", "y", "z", "All jobs (pooled)"]
    assert "kappa" in ax.get_title() and ax.get_xlabel()
    plt.close(fig)
    new = plots.plot_agreement(table)
    assert new.figure is not fig
    assert new.get_xlim()[1] == pytest.approx(1.02)
    plt.close(new.figure)
    share = plots.plot_agreement(table, statistic="agreement")
    plt.close(share.figure)
    with pytest.raises(ValueError, match="'statistic' parameter of plot_agreement must be one of"):
        plots.plot_agreement(table, statistic="f1")
    with pytest.raises(ValueError, match="'table' has no column"):
        plots.plot_agreement(table.drop(columns="alpha_ci_low"))


# ------------------------------------------------------------------- sample study (planted)
def test_sample_study_agreement_matches_planted_coder_error_rates(sample_study):
    from jtbd_methods import load_study

    study = load_study(sample_study)
    truth = pd.read_csv(sample_study / "_truth" / "comment_jobs.csv")
    ids = study.second_coding["comment_id"]
    true_codes = pd.DataFrame({"comment_id": ids})
    for j in study.codebook.job_ids:
        true_codes[f"code_{j}"] = ids.isin(truth.loc[truth["job_id"] == j, "comment_id"]).astype(
            int
        )
    # Planted (data/samples/recovery_study/README.md, "Hand coding and reliability"): coder A
    # drops 3 % of true codes and adds about as many wrong ones, coder B drops 15 %. A coder
    # with equal marginals who misses a share d of the positives of a job with prevalence p
    # has, against the truth, kappa ~ alpha ~ 1 - d / (1 - p): by hand from the 2x2 table
    # TP = p(1-d), FN = FP = pd, observed disagreement 2pd, chance disagreement 2p(1-p).
    # Two coders with independent errors disagree on about 2p(d_A + d_B) of the units, so
    # alpha(A, B) ~ 1 - (d_A + d_B) / (1 - p). p is the pooled prevalence in the sample.
    p = true_codes.filter(like="code_").to_numpy().mean()
    expected = {"a": 1 - 0.03 / (1 - p), "b": 1 - 0.15 / (1 - p), "ab": 1 - 0.18 / (1 - p)}
    kw = {"n_boot": 400, "random_state": 1}
    got = {
        "a": agreement_table(study.feedback, true_codes, **kw),
        "b": agreement_table(study.second_coding, true_codes, **kw),
        "ab": agreement_table(study.feedback, study.second_coding, **kw),
    }
    for key, table in got.items():
        pooled = table.set_index("job_id").loc["all_jobs"]
        assert pooled["n"] == 400 * len(study.codebook.job_ids)
        assert pooled["alpha_ci_low"] - 0.01 <= expected[key] <= pooled["alpha_ci_high"] + 0.01, (
            key,
            expected[key],
            pooled[["alpha", "alpha_ci_low", "alpha_ci_high"]].tolist(),
        )
    # coder A is closer to the truth than coder B on (nearly) every job
    a, b = (got[k].set_index("job_id")["alpha"] for k in ("a", "b"))
    assert (a > b).mean() >= 0.8


def test_renamed_id_keyword_still_works_with_a_future_warning():
    data = two_coders(40, seed=2)
    new = cohen_kappa(data, by=None, id_column="comment_id", n_boot=0)
    with pytest.warns(FutureWarning, match="'id' parameter of cohen_kappa.*'id_column'"):
        old = cohen_kappa(data, by=None, id="comment_id", n_boot=0)
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(TypeError, match="got both 'id' and 'id_column'"):
        percent_agreement(data, id="comment_id", id_column="comment_id")
