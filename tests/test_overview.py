"""Study overview tables: counts, suppression, rating distribution, data-quality checks."""

from __future__ import annotations

import pandas as pd
import pytest

from jtbd_methods import load_study
from jtbd_methods.overview import (
    by_design_note,
    missing_data,
    positive_share,
    quality_warnings,
    rating_distribution,
    responses_by_period,
)


@pytest.fixture
def feedback() -> pd.DataFrame:
    dates = pd.to_datetime(["2024-01-02"] * 12 + ["2024-01-20"] * 3 + ["2024-03-05"] * 2)
    return pd.DataFrame(
        {
            "received": dates,
            "site": ["A"] * 12 + ["B"] * 3 + ["A"] * 2,
            "rating": pd.array([5] * 8 + [1] * 4 + [4, None, 2] + [3, 3], dtype="Int64"),
        }
    )


def test_every_period_present_and_small_cells_suppressed(feedback):
    before = feedback.copy()
    out = responses_by_period(feedback, by="site", min_cell_size=5)
    assert out["period"].dt.strftime("%Y-%m").unique().tolist() == ["2024-01", "2024-02", "2024-03"]
    b_jan = out[(out["site"] == "B") & (out["period"] == "2024-01-01")].iloc[0]
    assert pd.isna(b_jan["n"]) and b_jan["suppressed"], (
        "3 comments < 5 must be hidden, never shown as 0"
    )
    # A's 12 January comments are hidden too: January's total minus A would give B's 3
    a_jan = out[(out["site"] == "A") & (out["period"] == "2024-01-01")].iloc[0]
    assert pd.isna(a_jan["n"]) and a_jan["suppressed"]
    a_feb = out[(out["site"] == "A") & (out["period"] == "2024-02-01")].iloc[0]
    assert a_feb["n"] == 0 and not a_feb["suppressed"], "a month without comments is a true zero"
    pd.testing.assert_frame_equal(feedback, before)


def test_total_counts_add_up(feedback):
    out = responses_by_period(feedback, by=None, min_cell_size=1)
    assert out["n"].sum() == len(feedback)


def test_rating_distribution_shares(feedback):
    dist = rating_distribution(feedback).set_index("rating")
    assert dist["n"].sum() == len(feedback)
    assert dist.loc["5", "n"] == 8 and dist.loc["missing", "n"] == 1
    assert dist["share"].sum() == pytest.approx(1)  # fractions, as every frame
    assert dist.loc["5", "share"] == pytest.approx(8 / len(feedback))


def test_rating_distribution_by_group_suppresses_small_groups(feedback):
    wide = rating_distribution(feedback, by="site", wide=True, min_cell_size=5).set_index("site")
    assert wide.loc["B", "suppressed"] and wide.loc["B", ["5", "missing"]].isna().all()
    # with two sites and the total shown, hiding B's 3 comments means hiding A's 14 as well
    assert pd.isna(wide.loc["A", "n"]) and pd.isna(wide.loc["B", "n"])
    long = rating_distribution(feedback, by="site", min_cell_size=5)
    assert long.loc[long["site"] == "B", "n"].isna().all()
    shown = rating_distribution(feedback, by="site", wide=True, min_cell_size=1).set_index("site")
    assert shown.loc["A", "n"] == 14
    assert shown.loc["A", ["1", "2", "3", "4", "5", "missing"]].sum() == pytest.approx(1)


def test_positive_share_ignores_missing(feedback):
    # 8 fives + one four out of 16 rated comments
    assert positive_share(feedback) == pytest.approx(100 * 9 / 16)
    assert pd.isna(positive_share(feedback.assign(rating=pd.array([None] * 17, dtype="Int64"))))


def test_bad_period_named(feedback):
    with pytest.raises(ValueError, match="'period' parameter of responses_by_period"):
        responses_by_period(feedback, period="fortnight")


def test_missing_data_and_quality_warnings(make_study):
    study = load_study(make_study())
    missing = missing_data(study).set_index(["file", "column"])
    assert missing.loc[("feedback.csv", "rating"), "n_missing"] == 1
    assert missing.loc[("feedback.csv", "comment"), "n_missing"] == 1
    n_rows = missing.loc[("feedback.csv", "rating"), "n_rows"]
    assert missing.loc[("feedback.csv", "rating"), "missing_share"] == pytest.approx(1 / n_rows)
    checks = set(quality_warnings(study)["check"])
    assert {"empty comment", "missing rating", "small site"} <= checks


HAND_CODED = (
    "comment_id,received,site,service,rating,comment,code_feel_heard,codes\n"
    "C1,2024-01-05,North,Surgery,2,No one explained what happens next,1,feel_heard\n"
    "C2,2024-01-09,North,Surgery,5,Staff listened to me,,\n"
    "C3,2024-02-01,South,Cardiology,,,,\n"
)
ACTIONS_NO_SITES = (
    "action_id,job_id,description,owner,started,status,sites\n"
    "A1,gain_clarity,Discharge call,Ward manager,2024-02-01,completed,\n"
    "A2,feel_heard,Bedside chats,Matron,2024-03-01,planned,\n"
)


def test_missing_data_leaves_out_what_is_empty_by_design(make_study):
    # hand coding covers one comment of three, and no action names its sites: the only gaps
    # that matter are the missing rating and the empty comment
    study = load_study(make_study(feedback__csv=HAND_CODED, actions__csv=ACTIONS_NO_SITES))
    every = missing_data(study).set_index(["file", "column"])
    assert every.loc[("actions.csv", "sites"), "by_design"] == "not collected"
    assert every.loc[("feedback.csv", "code_feel_heard"), "by_design"] == "hand coding"
    assert every.loc[("feedback.csv", "codes"), "by_design"] == "hand coding"
    assert every.loc[("feedback.csv", "rating"), "by_design"] == ""
    assert every.loc[("feedback.csv", "comment"), "by_design"] == ""
    shown = missing_data(study, by_design="drop")
    gaps = shown[(shown["n_missing"] > 0) & shown["file"].isin(["feedback.csv", "actions.csv"])]
    assert set(gaps["column"]) == {"rating", "comment"}
    # a gap in one survey answer is a real gap, listed
    assert "sat_know_next_steps" in set(shown.loc[shown["n_missing"] > 0, "column"])
    note = by_design_note(study)
    assert note == (
        "Not listed: hand-coding columns (feedback.csv: codes, 1 code_* column, filled only for "
        "hand-coded comments); columns this study does not collect (actions.csv: sites)."
    )


def test_an_empty_comment_column_is_never_by_design(make_study):
    # comments are what the study is about: even when every one is empty it is a data problem
    empty = "comment_id,received,site,service,rating,comment\nC1,2024-01-05,North,Surgery,2,\n"
    study = load_study(make_study(feedback__csv=empty))
    every = missing_data(study).set_index(["file", "column"])
    assert every.loc[("feedback.csv", "comment"), "by_design"] == ""
    assert every.loc[("feedback.csv", "comment"), "n_missing"] == 1


def test_by_design_note_is_empty_when_nothing_is_left_out(make_study):
    study = load_study(make_study())
    assert by_design_note(study) == ""
    assert len(missing_data(study, by_design="drop")) == len(missing_data(study))


def test_missing_data_by_design_names_the_allowed_values(make_study):
    study = load_study(make_study())
    with pytest.raises(ValueError, match="by_design.*missing_data"):
        missing_data(study, by_design="hide")
