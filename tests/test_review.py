"""Human review loop: coding sheet out, reviewed sheet back as hand coding."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from jtbd_methods.codebook import codebook_from_dict
from jtbd_methods.coding import code_comments
from jtbd_methods.errors import StudyValidationError
from jtbd_methods.review import export_review_sheet, read_review_sheet, review_sheet

CODEBOOK = codebook_from_dict(
    {
        "name": "t",
        "jobs": [
            {
                "id": "gain_clarity",
                "label": "Clarity",
                "indicators": [{"phrase": "no one explained", "polarity": "disrupted"}],
            },
            {
                "id": "feel_heard",
                "label": "Heard",
                "indicators": [{"phrase": "listened", "polarity": "fulfilled"}],
            },
        ],
    }
)
FEEDBACK = pd.DataFrame(
    {
        "comment_id": ["a", "b", "c", "d"],
        "rating": [2, 5, 3, 1],
        "comment": [
            "No one explained. Call me on 07700 900123",
            "They listened",
            '=HYPERLINK("http://x")',
            "",
        ],
    }
)


@pytest.fixture
def sheet():
    codes = code_comments(FEEDBACK, CODEBOOK)
    return review_sheet(
        FEEDBACK, codes, CODEBOOK, n=None, redact=lambda s: s.str.replace("07700 900123", "[phone]")
    )


def test_sheet_has_suggestions_evidence_and_redaction(sheet):
    assert sheet["comment_id"].tolist() == ["a", "b", "c"]  # empty comment skipped
    row = sheet.set_index("comment_id").loc["a"]
    assert row["suggested_jobs"] == "gain_clarity"
    assert row["evidence"] == 'gain_clarity: "No one explained" (disrupted)'
    assert "07700" not in row["comment"] and "[phone]" in row["comment"]
    assert sheet[["code_gain_clarity", "code_feel_heard"]].values.tolist() == [
        [1, 0],
        [0, 1],
        [0, 0],
    ]


def test_round_trip_with_reviewer_corrections_and_injection_neutralised(sheet, tmp_path):
    path = export_review_sheet(sheet, tmp_path / "review.xlsx", codebook=CODEBOOK)
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=4, column=header.index("comment") + 1).value.startswith("'=")  # neutralised
    ws.cell(
        row=3, column=header.index("code_gain_clarity") + 1, value=1
    )  # reviewer adds a code to "b"
    for col in ("code_gain_clarity", "code_feel_heard"):  # reviewer skips "c"
        ws.cell(row=4, column=header.index(col) + 1).value = None
    wb.save(path)
    coded = read_review_sheet(path, codebook=CODEBOOK)
    assert coded["comment_id"].tolist() == ["a", "b"]
    assert coded[["code_gain_clarity", "code_feel_heard"]].values.tolist() == [[1, 0], [1, 1]]


def test_sample_is_reproducible():
    big = pd.DataFrame({"comment_id": [f"c{i}" for i in range(50)], "comment": ["text"] * 50})
    codes = code_comments(big.assign(rating=3), CODEBOOK)
    first = review_sheet(big, codes, CODEBOOK, n=10, random_state=3)["comment_id"].tolist()
    assert first == review_sheet(big, codes, CODEBOOK, n=10, random_state=3)["comment_id"].tolist()
    assert len(first) == 10


def test_bad_cells_named_with_row_and_column(sheet, tmp_path):
    path = export_review_sheet(sheet, tmp_path / "review.xlsx", codebook=CODEBOOK)
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("code_feel_heard") + 1, value="yes")
    ws.cell(row=4, column=header.index("code_gain_clarity") + 1).value = None  # partly filled row
    wb.save(path)
    with pytest.raises(
        StudyValidationError, match=r"review\.xlsx \[coding\], row 3, column 'code_feel_heard'"
    ) as err:
        read_review_sheet(path)
    assert any(
        "row 4" in p.message() and "every job cell" in p.message() for p in err.value.problems
    )


def test_unknown_job_and_not_xlsx(sheet, tmp_path):
    path = export_review_sheet(
        sheet.rename(columns={"code_feel_heard": "code_be_happy"}),
        tmp_path / "r.xlsx",
        codebook=CODEBOOK,
    )
    with pytest.raises(StudyValidationError, match="code_be_happy"):
        read_review_sheet(path, codebook=CODEBOOK)
    (tmp_path / "x.xlsx").write_text("not a workbook")
    with pytest.raises(StudyValidationError, match=r"x\.xlsx"):
        read_review_sheet(tmp_path / "x.xlsx")


def test_unknown_comment_ids_rejected():
    codes = code_comments(FEEDBACK, CODEBOOK)
    with pytest.raises(ValueError, match="not in feedback: zz"):
        review_sheet(FEEDBACK, codes, CODEBOOK, comment_ids=["a", "zz"])
