"""Study tables from Excel workbooks: read directly, validated with sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import FEEDBACK_CSV, STUDY_YAML, SURVEY_CSV, tree_hashes

from jtbd_methods.study import load_study, validate


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _rows(csv_text: str) -> list[list[object]]:
    """CSV text as spreadsheet rows: numbers as numbers, dates as dates, blanks as None."""
    frame = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    rows: list[list[object]] = [list(frame.columns)]
    for record in frame.itertuples(index=False):
        row: list[object] = []
        for value in record:
            if value == "":
                row.append(None)
            elif value.isdigit():
                row.append(int(value))
            elif len(value) == 10 and value[4] == "-":
                row.append(dt.datetime.fromisoformat(value))
            else:
                row.append(value)
        rows.append(row)
    return rows


def test_xlsx_in_place_of_csv_loads_the_same_tables(make_study):
    from_csv = load_study(make_study("csv"))
    folder = make_study("xlsx", feedback__csv=None, survey__csv=None)
    _xlsx(folder / "feedback.xlsx", {"Export": _rows(FEEDBACK_CSV)})
    _xlsx(folder / "survey.xlsx", {"Sheet1": _rows(SURVEY_CSV)})
    before = tree_hashes(folder)
    study = load_study(folder)
    pd.testing.assert_frame_equal(study.feedback, from_csv.feedback)
    pd.testing.assert_frame_equal(study.survey, from_csv.survey)
    assert study.files["feedback"].name == "feedback.xlsx"
    assert tree_hashes(folder) == before


def test_named_sheet_from_study_yaml(make_study):
    folder = make_study(
        study__yaml=STUDY_YAML + "sheets: {feedback: Responses}\n", feedback__csv=None
    )
    _xlsx(folder / "feedback.xlsx", {"Notes": [["read me"]], "Responses": _rows(FEEDBACK_CSV)})
    assert len(load_study(folder).feedback) == 4

    folder = make_study(
        "other", study__yaml=STUDY_YAML + "sheets: {feedback: Replies}\n", feedback__csv=None
    )
    _xlsx(folder / "feedback.xlsx", {"Notes": [["read me"]], "Responses": _rows(FEEDBACK_CSV)})
    report = validate(folder)
    problem = next(p for p in report.errors if p.file == "feedback.xlsx")
    assert "a sheet named 'Replies' (the workbook has: Notes, Responses)" in problem.expected


def test_problems_name_sheet_row_and_column(make_study):
    folder = make_study(feedback__csv=None)
    rows = _rows(FEEDBACK_CSV)
    rows[2][4] = 9  # spreadsheet row 3, column rating
    _xlsx(folder / "feedback.xlsx", {"Export": rows})
    report = validate(folder)
    assert not report.ok
    problem = next(p for p in report.errors if p.column == "rating")
    assert problem.file == "feedback.xlsx, sheet 'Export'"
    assert problem.row == 3 and problem.value == "9"


def test_missing_column_and_empty_sheet(make_study):
    folder = make_study(feedback__csv=None, survey__csv=None)
    rows = [
        [c if c != "site" else "sight" for c in _rows(FEEDBACK_CSV)[0]],
        *_rows(FEEDBACK_CSV)[1:],
    ]
    _xlsx(folder / "feedback.xlsx", {"Export": rows})
    _xlsx(folder / "survey.xlsx", {"Empty": []})
    errors = validate(folder).errors
    site = next(p for p in errors if p.column == "site")
    assert site.file == "feedback.xlsx, sheet 'Export'" and "misspelled" in site.expected
    assert any(p.file == "survey.xlsx, sheet 'Empty'" and "empty" in p.expected for p in errors)


def test_csv_beside_xlsx_is_read_with_a_warning(make_study):
    folder = make_study()
    _xlsx(folder / "feedback.xlsx", {"Export": [["nothing", "useful"]]})
    report = validate(folder)
    assert report.ok
    assert any(
        "feedback.csv is read and feedback.xlsx ignored" in p.expected for p in report.warnings
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("feedback.xls", b"\xd0\xcf\x11\xe0", "old Excel format"),
        ("feedback.xlsx", b"not a zip file at all", "an Excel workbook (.xlsx) that opens"),
    ],
)
def test_unreadable_workbooks_are_reported(make_study, name, content, expected):
    folder = make_study(feedback__csv=None)
    (folder / name).write_bytes(content)
    report = validate(folder)
    assert any(expected in p.expected for p in report.errors), report.errors


def test_only_xlsx_is_not_reported_as_missing_data(make_study):
    folder = make_study(feedback__csv=None, survey__csv=None, staff__csv=None, actions__csv=None)
    assert any("at least one data file" in p.expected for p in validate(folder).errors)
    _xlsx(folder / "feedback.xlsx", {"Export": _rows(FEEDBACK_CSV)})
    report = validate(folder)
    assert report.ok, report.errors


def test_bad_sheets_mapping_names_study_yaml(make_study):
    folder = make_study(study__yaml=STUDY_YAML + "sheets: {comments: Export, survey: [1]}\n")
    errors = validate(folder).errors
    assert {(p.file, p.column) for p in errors} >= {
        ("study.yaml", "sheets.comments"),
        ("study.yaml", "sheets.survey"),
    }
