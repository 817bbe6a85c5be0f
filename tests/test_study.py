"""Loading and validating study folders: every rule, every encoding, inputs never modified."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FEEDBACK_CSV, tree_hashes

from jtbd_methods import StudyValidationError, load_study, validate
from jtbd_methods.study import MAX_COMMENT_CHARS


def test_valid_study_loads_typed_tables(make_study):
    study = load_study(make_study())
    fb = study.feedback
    assert list(fb.columns) == ["comment_id", "received", "site", "service", "rating", "comment"]
    assert str(fb["received"].dtype) == "datetime64[ns]"
    assert str(fb["rating"].dtype) == "Int64"
    assert fb["rating"].isna().sum() == 1
    assert fb.loc[2, "comment"] == ""
    assert study.survey["wave"].dtype == "int64"
    assert str(study.survey["sat_know_next_steps"].dtype) == "Int64"
    assert study.staff["period"].tolist() == list(
        pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"])
    )
    assert study.actions["started"].iloc[0] == pd.Timestamp("2024-02-01")
    assert study.codebook.job_ids == ("gain_clarity", "feel_heard")
    assert study.config.min_cell_size == 5
    assert study.has("feedback") and study.has("codebook") and not study.has("second_coding")


def test_optional_files_may_be_absent(make_study):
    study = load_study(make_study(survey__csv=None, staff__csv=None, actions__csv=None))
    assert study.survey is None and study.staff is None and study.actions is None
    assert study.has("feedback") and not study.has("survey")


def test_study_with_only_survey(make_study):
    study = load_study(make_study(feedback__csv=None, actions__csv=None))
    assert study.feedback is None and len(study.survey) == 3


def test_summary_rows_and_dates(make_study):
    summary = load_study(make_study()).summary()
    row = summary.set_index("file").loc["feedback.csv"]
    assert row["rows"] == 4
    assert row["first_date"] == pd.Timestamp("2024-01-05")
    assert row["last_date"] == pd.Timestamp("2024-03-12")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_load(make_study, encoding):
    text = FEEDBACK_CSV.replace("Staff listened to me", "Staff listened to me – café crème £5")
    study = load_study(make_study(feedback__csv=text.encode(encoding)))
    assert "café crème £5" in study.feedback.loc[1, "comment"]
    assert study.feedback.columns[0] == "comment_id"  # BOM stripped


def _problems(folder):
    report = validate(folder)
    return report, [p for p in report.problems if p.severity == "error"]


# (case id, files to replace, file, row, column, text expected in the message)
BROKEN = [
    (
        "misspelled column",
        {"feedback__csv": FEEDBACK_CSV.replace("received", "recieved", 1)},
        "feedback.csv",
        1,
        "received",
        "misspelled",
    ),
    (
        "missing column",
        {
            "feedback__csv": FEEDBACK_CSV.replace(",service", "", 1)
            .replace(",Surgery", "")
            .replace(",Cardiology", "")
        },
        "feedback.csv",
        1,
        "service",
        "a column named 'service'",
    ),
    (
        "bad date",
        {"feedback__csv": FEEDBACK_CSV.replace("2024-01-09", "2024-13-45")},
        "feedback.csv",
        3,
        "received",
        "YYYY-MM-DD",
    ),
    (
        "future date",
        {"feedback__csv": FEEDBACK_CSV.replace("2024-01-09", "2999-01-09")},
        "feedback.csv",
        3,
        "received",
        "not in the future",
    ),
    (
        "rating out of range",
        {"feedback__csv": FEEDBACK_CSV.replace("Surgery,5,", "Surgery,7,")},
        "feedback.csv",
        3,
        "rating",
        "from 1 to 5",
    ),
    (
        "rating not a number",
        {"feedback__csv": FEEDBACK_CSV.replace("Surgery,5,", "Surgery,five,")},
        "feedback.csv",
        3,
        "rating",
        "from 1 to 5",
    ),
    (
        "rating with decimals",
        {"feedback__csv": FEEDBACK_CSV.replace("Surgery,5,", "Surgery,4.5,")},
        "feedback.csv",
        3,
        "rating",
        "whole number",
    ),
    (
        "duplicate id",
        {"feedback__csv": FEEDBACK_CSV.replace("C2,", "C1,")},
        "feedback.csv",
        2,
        "comment_id",
        "unique",
    ),
    (
        "empty id",
        {"feedback__csv": FEEDBACK_CSV.replace("C2,", ",")},
        "feedback.csv",
        3,
        "comment_id",
        "empty",
    ),
    ("empty file", {"feedback__csv": ""}, "feedback.csv", None, None, "empty"),
    (
        "header only",
        {"feedback__csv": FEEDBACK_CSV.splitlines()[0] + "\n"},
        "feedback.csv",
        1,
        None,
        "only a header",
    ),
    (
        "binary file",
        {"feedback__csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        "feedback.csv",
        None,
        None,
        "binary",
    ),
    (
        "semicolon delimiter",
        {"feedback__csv": FEEDBACK_CSV.replace(",", ";")},
        "feedback.csv",
        1,
        None,
        "semicolons",
    ),
    (
        "unknown encoding",
        {"feedback__csv": FEEDBACK_CSV.encode("utf-8").replace(b"listened", b"listen\x81d")},
        "feedback.csv",
        None,
        None,
        "unknown encoding",
    ),
    (
        "ragged rows",
        {"feedback__csv": FEEDBACK_CSV + "C5,2024-03-13,North,Surgery,4,ok,extra,fields\n"},
        "feedback.csv",
        6,
        None,
        "same number of fields",
    ),
    (
        "very long comment",
        {
            "feedback__csv": FEEDBACK_CSV
            + f"C5,2024-03-13,North,Surgery,4,{'x' * (MAX_COMMENT_CHARS + 1)}\n"
        },
        "feedback.csv",
        6,
        "comment",
        "at most",
    ),
    (
        "unknown job in actions",
        {
            "actions__csv": "action_id,job_id,description,owner,started,status\nA1,be_happy,x,y,2024-02-01,done\n"
        },
        "actions.csv",
        2,
        "job_id",
        "job id of the codebook",
    ),
    (
        "duplicate action",
        {
            "actions__csv": "action_id,job_id,description,owner,started,status\nA1,gain_clarity,x,y,2024-02-01,done\nA1,feel_heard,x,y,2024-02-01,done\n"
        },
        "actions.csv",
        2,
        "action_id",
        "unique",
    ),
    (
        "engagement out of range",
        {"staff__csv": "unit,period,engagement,respondents\nNorth,2024-01,11,20\n"},
        "staff.csv",
        2,
        "engagement",
        "from 0 to 10",
    ),
    (
        "duplicate unit month",
        {
            "staff__csv": "unit,period,engagement,respondents\nNorth,2024-01,5,20\nNorth,2024-01-01,6,20\n"
        },
        "staff.csv",
        2,
        "unit",
        "one row per unit and month",
    ),
    (
        "likert out of range",
        {
            "survey__csv": "respondent_id,wave,diagnosis_group,imp_know_next_steps,overall_satisfaction\nR1,1,cardiac,6,3\n"
        },
        "survey.csv",
        2,
        "imp_know_next_steps",
        "from 1 to 5",
    ),
    (
        "duplicate respondent wave",
        {
            "survey__csv": "respondent_id,wave,diagnosis_group,imp_know_next_steps,overall_satisfaction\nR1,1,cardiac,5,3\nR1,1,cardiac,4,3\n"
        },
        "survey.csv",
        2,
        "respondent_id",
        "one response per respondent and wave",
    ),
    (
        "code column for unknown job",
        {
            "feedback__csv": FEEDBACK_CSV.replace(
                "comment\n", "comment,code_be_happy\n", 1
            ).replace("next\n", "next,1\n", 1)
        },
        "feedback.csv",
        1,
        "code_be_happy",
        "no job 'be_happy'",
    ),
    (
        "code not 0/1",
        {
            "feedback__csv": FEEDBACK_CSV.replace(
                "comment\n", "comment,code_gain_clarity\n", 1
            ).replace("next\n", "next,2\n", 1)
        },
        "feedback.csv",
        2,
        "code_gain_clarity",
        "0 or 1",
    ),
    (
        "study.yaml missing name",
        {"study__yaml": "organisation: X\nperiod: {start: 2024-01-01, end: 2024-12-31}\n"},
        "study.yaml",
        None,
        "name",
        "non-empty text",
    ),
    (
        "study.yaml invalid yaml",
        {"study__yaml": "name: [unclosed\norganisation: X\n"},
        "study.yaml",
        2,
        None,
        "valid YAML",
    ),
    (
        "study.yaml bad min_cell_size",
        {
            "study__yaml": "name: X\norganisation: Y\nperiod: {start: 2024-01-01, end: 2024-12-31}\nmin_cell_size: ten\n"
        },
        "study.yaml",
        None,
        "min_cell_size",
        "whole number",
    ),
    (
        "study.yaml end before start",
        {"study__yaml": "name: X\norganisation: Y\nperiod: {start: 2024-12-01, end: 2024-01-31}\n"},
        "study.yaml",
        None,
        "period.end",
        "on or after",
    ),
    (
        "codebook yaml error",
        {"codebook__yaml": "name: x\njobs:\n  - id: Bad Id\n    label: x\n"},
        "codebook.yaml",
        None,
        None,
        "lower_snake_case",
    ),
    (
        "codebook missing",
        {
            "study__yaml": "name: X\norganisation: Y\nperiod: {start: 2024-01-01, end: 2024-12-31}\ncodebook: nowhere.yaml\n"
        },
        "study.yaml",
        None,
        "codebook",
        "existing codebook",
    ),
]


@pytest.mark.parametrize(
    ("files", "file", "row", "column", "text"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_each_problem_names_file_row_column(make_study, files, file, row, column, text):
    folder = make_study(**files)
    before = tree_hashes(folder)
    report, errors = _problems(folder)
    assert not report.ok
    match = [p for p in errors if p.file == file and text in p.message()]
    assert match, f"no error in {file} mentioning {text!r}: {[p.message() for p in errors]}"
    p = match[0]
    assert p.row == row
    assert p.column == column
    with pytest.raises(StudyValidationError, match=file.replace(".", r"\.")):
        load_study(folder)
    assert tree_hashes(folder) == before, "validation modified an input file"


def test_every_problem_is_reported_at_once(make_study):
    text = FEEDBACK_CSV.replace("received", "recieved", 1)
    survey = "respondent_id,wave,diagnosis_group,imp_know_next_steps,overall_satisfaction\nR1,1,cardiac,6,3\n"
    report, errors = _problems(
        make_study(
            feedback__csv=text,
            survey__csv=survey,
            actions__csv=FEEDBACK_CSV.replace("comment_id", "x"),
        )
    )
    files = {p.file for p in errors}
    assert files == {"feedback.csv", "survey.csv", "actions.csv"}


def test_wrong_column_and_bad_date_both_reported(make_study):
    # the "done means" of the foundation issue: a wrong column name and a bad date
    folder = make_study(
        feedback__csv=FEEDBACK_CSV.replace("site,", "sight,", 1),
        actions__csv="action_id,job_id,description,owner,started,status\nA1,gain_clarity,x,y,2024-02-30,done\n",
    )
    messages = [p.message() for p in _problems(folder)[1]]
    assert any("feedback.csv, row 1, column 'site'" in m for m in messages), messages
    assert any(
        "actions.csv, row 2, column 'started'" in m and "2024-02-30" in m for m in messages
    ), messages


def test_rows_grouped_with_count(make_study):
    lines = ["comment_id,received,site,service,rating,comment"]
    lines += [f"C{i},2024-01-05,North,Surgery,9,text" for i in range(8)]
    errors = _problems(make_study(feedback__csv="\n".join(lines) + "\n"))[1]
    p = next(p for p in errors if p.column == "rating")
    assert p.rows == tuple(range(2, 10))
    assert "rows 2, 3, 4, 5, 6 and 3 more" in p.message()


def test_mixed_date_formats_flag_the_odd_rows(make_study):
    text = FEEDBACK_CSV.replace("2024-01-09", "09/01/2024")
    errors = _problems(make_study(feedback__csv=text))[1]
    p = next(p for p in errors if p.column == "received")
    assert p.row == 3 and "one date format per file" in p.message()


def test_uk_dates_accepted_when_consistent(make_study):
    text = FEEDBACK_CSV
    for iso, uk in [
        ("2024-01-05", "05/01/2024"),
        ("2024-01-09", "09/01/2024"),
        ("2024-02-01", "01/02/2024"),
        ("2024-03-12", "12/03/2024"),
    ]:
        text = text.replace(iso, uk)
    study = load_study(make_study(feedback__csv=text))
    assert study.feedback["received"].iloc[3] == pd.Timestamp("2024-03-12")


def test_quoted_newlines_are_one_row(make_study):
    text = FEEDBACK_CSV + 'C5,2024-03-13,North,Surgery,4,"line one\nline two"\n'
    study = load_study(make_study(feedback__csv=text))
    assert study.feedback["comment"].iloc[-1] == "line one\nline two"


def test_warnings_do_not_block(make_study):
    text = FEEDBACK_CSV.replace("2024-03-12", "2023-06-01")
    report = validate(make_study(feedback__csv=text))
    assert report.ok
    assert any("study period" in w.message() for w in report.warnings)


def test_no_data_file(make_study):
    folder = make_study(feedback__csv=None, survey__csv=None, staff__csv=None, actions__csv=None)
    errors = _problems(folder)[1]
    assert any("at least one data file" in p.message() for p in errors)


def test_not_a_folder(tmp_path):
    report = validate(tmp_path / "nope")
    assert not report.ok and "existing study folder" in report.problems[0].message()


def test_hand_coded_from_code_columns(make_study):
    text = FEEDBACK_CSV.replace("comment\n", "comment,code_gain_clarity,code_feel_heard\n", 1)
    text = text.replace("next\n", "next,1,0\n", 1).replace(
        "listened to me\n", "listened to me,0,1\n"
    )
    text = text.replace("Cardiology,,\n", "Cardiology,,,,\n").replace('next"\n', 'next",,\n')
    study = load_study(make_study(feedback__csv=text))
    coded = study.hand_coded()
    assert coded["comment_id"].tolist() == ["C1", "C2"]
    assert coded[["code_gain_clarity", "code_feel_heard"]].values.tolist() == [[1, 0], [0, 1]]


def test_hand_coded_from_codes_column(make_study):
    text = FEEDBACK_CSV.replace("comment\n", "comment,codes\n", 1)
    text = text.replace("next\n", "next,gain_clarity;feel_heard\n", 1).replace(
        "listened to me\n", "listened to me,\n"
    )
    text = text.replace("Cardiology,,\n", "Cardiology,,,\n").replace('next"\n', 'next",\n')
    coded = load_study(make_study(feedback__csv=text)).hand_coded()
    assert coded["comment_id"].tolist() == ["C1"]
    assert coded[["code_gain_clarity", "code_feel_heard"]].values.tolist() == [[1, 1]]


def test_second_coding_must_match_feedback(make_study):
    folder = make_study(second_coding__csv="comment_id,code_gain_clarity\nC9,1\n")
    errors = _problems(folder)[1]
    assert any(p.file == "second_coding.csv" and p.column == "comment_id" for p in errors)


def test_load_does_not_modify_inputs(make_study):
    folder = make_study()
    before = tree_hashes(folder)
    load_study(folder)
    assert tree_hashes(folder) == before
