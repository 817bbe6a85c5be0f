"""Tests of jtbd_methods.privacy: redaction, small-cell suppression, injection-safe exports."""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from jtbd_methods import privacy
from jtbd_methods.privacy import (
    KINDS,
    escape_html,
    format_suppressed,
    is_valid_nhs_number,
    neutralise_cell,
    neutralise_frame,
    redact,
    redact_with_counts,
    safe_to_csv,
    safe_to_excel,
    suppress_crosstab,
    suppress_small,
    suppression,
    suppression_note,
)

PLACEHOLDER = re.compile(r"\[(?:NHS number|phone|email|postcode|date of birth|name)\]")


def nhs_check_digit(nine: str) -> int | None:
    """Check digit by the NHS Data Dictionary rule, written out independently for the tests."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return {11: 0, 10: None}.get(check, check)


@st.composite
def valid_nhs_numbers(draw) -> str:
    nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    check = nhs_check_digit(nine)
    assume(check is not None)
    digits = nine + str(check)
    style = draw(st.sampled_from(["plain", "spaced", "hyphen"]))
    if style == "spaced":
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if style == "hyphen":
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


@st.composite
def invalid_ten_digit_numbers(draw) -> str:
    # first digit 1-9: a leading 0 could make it a UK landline, which is redacted as a phone
    first = draw(st.sampled_from("123456789"))
    nine = first + draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    check = nhs_check_digit(nine)
    last = draw(st.sampled_from([d for d in "0123456789" if check is None or int(d) != check]))
    return nine + last


# ---------------------------------------------------------------------------------------------
# NHS numbers
# ---------------------------------------------------------------------------------------------


def test_nhs_number_documented_example_is_valid():
    # NHS Data Dictionary, "NHS Number": the documented example 943 476 5919.
    # Hand check: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2
    #           = 90 + 36 + 24 + 28 + 42 + 30 + 20 + 27 + 2 = 299; 299 mod 11 = 2;
    #           11 - 2 = 9, which is the tenth digit, so the number is valid.
    assert is_valid_nhs_number("943 476 5919")
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("943-476-5919")
    assert not is_valid_nhs_number("943 476 5918")


def test_nhs_check_digit_special_cases():
    # 100000040x: 1*10 + 4*3 = 22; 22 mod 11 = 0; 11 - 0 = 11, which the Data Dictionary
    # maps to a check digit of 0, so 1000000400 is valid and 1000000401 is not.
    assert is_valid_nhs_number("1000000400")
    assert not is_valid_nhs_number("1000000401")
    # 100000001x: 1*10 + 1*2 = 12; 12 mod 11 = 1; 11 - 1 = 10, which means "invalid, never
    # issued", whatever the tenth digit.
    assert not any(is_valid_nhs_number(f"100000001{d}") for d in range(10))
    assert not is_valid_nhs_number("94347659")
    assert not is_valid_nhs_number("943476591912")
    assert not is_valid_nhs_number("94347659x9")
    assert not is_valid_nhs_number(9434765919)


@pytest.mark.parametrize("form", ["943 476 5919", "9434765919", "943-476-5919"])
def test_documented_nhs_number_is_redacted_in_every_form(form):
    assert redact(f"My NHS number is {form}.") == "My NHS number is [NHS number]."


@given(
    number=valid_nhs_numbers(),
    before=st.sampled_from(["", "ref ", "(", "NHS: "]),
    after=st.sampled_from(["", ".", " thanks", ")"]),
)
def test_random_valid_nhs_numbers_are_redacted(number, before, after):
    text = f"{before}{number}{after}"
    out = redact(text)
    assert number not in out
    assert out == f"{before}[NHS number]{after}" or "[phone]" in out


@given(number=invalid_ten_digit_numbers())
def test_ten_digit_numbers_with_a_wrong_check_digit_are_kept(number):
    text = f"Order {number} arrived"
    assert redact(text) == text


# ---------------------------------------------------------------------------------------------
# Phones, e-mails, postcodes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "077 0090 0123",
        "+44 7700 900123",
        "+447700900123",
        "0044 7700 900 123",
        "+44 (0)7700 900123",
        "020 7946 0958",
        "(020) 7946 0958",
        "+44 (0)20 7946 0958",
        "+44 20 7946 0958",
        "0161 496 0000",
        "(0161) 496 0000",
        "0161-496-0000",
        "01632 960000",
        "0300 123 4567",
        "016977 1234",
    ],
)
def test_uk_phone_numbers_are_redacted(phone):
    assert redact(f"ring me on {phone} please") == "ring me on [phone] please"


@pytest.mark.parametrize(
    "text",
    [
        "call 999 now",
        "07700 9001 then",
        "score 12345 678901",
        "0800 123 4567",
        "£1,234,567",
        "ext 4567",
        "1-2-3-4-5",
        "on 01-02-2025 10 people",
        "07-700-900-123",
    ],
)
def test_things_that_are_not_uk_personal_phones_are_kept(text):
    # 0800 numbers are organisations' freephone lines, not personal numbers; no UK number
    # breaks after its second digit, so hyphenated dates followed by a number stay.
    assert redact(text, dob_before_year=2024) == text


@pytest.mark.parametrize(
    "email",
    ["john.smith@nhs.net", "JANE_doe+ward7@Example.co.uk", "a.b-c@mail.sub.example.org", "x1@y.io"],
)
def test_email_addresses_are_redacted(email):
    assert redact(f"write to {email}.") == "write to [email]."


@pytest.mark.parametrize("text", ["tweet @handle", "a@b", "meet at 3@home", "user@localhost"])
def test_email_look_alikes_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "postcode",
    [
        "SW1A 1AA",
        "sw1a1aa",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "W1A 0AX",
        "EC1A 1BB",
        "ec1a 1bb",
        "N16 6PS",
        "GIR 0AA",
        "LS1  4AP",
    ],
)
def test_full_postcodes_are_redacted_in_any_case_with_or_without_space(postcode):
    assert redact(f"I live at {postcode}, near the station") == (
        "I live at [postcode], near the station"
    )


@pytest.mark.parametrize(
    "text",
    [
        "the AB1 district",  # outward code alone
        "postcode area SW1A",  # outward code alone
        "AB1 2CD",  # C is never used in the inward code
        "QA1 1AA",  # Q is never the first letter
        "M25 motorway",
        "A&E at 4pm",
        "SW1A 1AAX",  # runs on into another letter
        "covid19 test",
    ],
)
def test_postcode_look_alikes_are_kept(text):
    assert redact(text) == text


# ---------------------------------------------------------------------------------------------
# Dates of birth
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DOB 12/03/1956", "DOB [date of birth]"),
        ("DOB: 12.03.56", "DOB: [date of birth]"),
        ("D.O.B. 12-03-1956", "D.O.B. [date of birth]"),
        ("dob12/03/1956", "dob[date of birth]"),
        ("date of birth is 3rd March 1956", "date of birth is [date of birth]"),
        ("born 3 March 1956", "born [date of birth]"),
        ("born on the 3rd of March, 1956", "born on the [date of birth]"),
        ("born in March 1956", "born in [date of birth]"),
        ("born in 1956", "born in [date of birth]"),
        ("Birthday: March 3, 1956", "Birthday: [date of birth]"),
        ("birth date 1956-03-12", "birth date [date of birth]"),
        ("DOB 3 Mar 56", "DOB [date of birth]"),
        ("my birthday is 3 March, so", "my birthday is [date of birth], so"),
        ("born on the 3rd of March.", "born on the [date of birth]."),
        ("DOB: March 3rd", "DOB: [date of birth]"),
    ],
)
def test_dates_of_birth_after_a_cue_are_redacted_and_the_cue_kept(text, expected):
    assert redact(text, dob_before_year=2024) == expected


@pytest.mark.parametrize(
    "text",
    [
        "seen on 3 March",  # visit date without a year
        "on 12/03/2024 I waited",  # recent full date (not before dob_before_year)
        "on 3 March 2025",
        "back on 3/3",
        "born 3 weeks early",
        "born 3 Marchers",
        "born in 2 days",
        "on 31/02/1950",  # not a real date, and no cue
        "March 1956 was cold",  # month and year without a cue
        "in 1956 the ward opened",  # a year alone without a cue
        "Dobson ward 12",
    ],
)
def test_visit_dates_and_non_dates_are_kept(text):
    assert redact(text, dob_before_year=2024) == text


def test_complete_old_dates_without_a_cue_are_treated_as_dates_of_birth():
    text = "on 4 April 1961, on 1961-04-04 and on 04/04/1961"
    assert redact(text, dob_before_year=2024) == (
        "on [date of birth], on [date of birth] and on [date of birth]"
    )
    # with dob_before_year=0 only cued dates are redacted
    assert redact(text, dob_before_year=0) == text


def test_default_dob_cut_off_is_last_calendar_year():
    year = dt.date.today().year
    assert redact(f"on 3 March {year - 2}") == "on [date of birth]"
    assert redact(f"on 3 March {year - 1}") == f"on 3 March {year - 1}"


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def test_names_are_whole_words_case_insensitive_and_possessive():
    text = "Sarah's nurse, sarah and SARAH; Ann came to the Annual review with Anne and Joanne"
    out = redact(text, names=["Sarah", "Ann"], unlisted_names=False)
    assert out == (
        "[name]'s nurse, [name] and [name]; [name] came to the Annual review with Anne and Joanne"
    )
    assert redact("Sarah\u2019s visit", names=["Sarah"]) == "[name]\u2019s visit"


def test_multi_word_names_punctuation_and_longest_match():
    names = ["Ann", "Ann Marie", "O'Brien", "Dr. Who (jr)"]
    text = "Ann  Marie met O'Brien and Dr. Who (jr) then Ann"
    out, counts = redact_with_counts([text], names=names)
    assert out[0] == "[name] met [name] and [name] then [name]"
    assert counts.set_index("kind").loc["name", "n"] == 4


def test_name_prefix_tree_agrees_with_a_plain_alternation():
    # Reference: the usual regex for a word list, alternatives longest first.
    names = ["Al", "Alan", "Alana", "Bea", "Beatrice", "Bo", "Jo Ann", "Jo"]
    plain = re.compile(
        r"(?<!\w)(?:"
        + "|".join(
            re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)
        )
        + r")(?!\w)",
        re.IGNORECASE,
    )
    texts = [
        "Al met Alan, Alana and alanah",
        "Bea, Beatrice, Beat and BO",
        "Jo Ann and Jo, Joan",
        "al-Alan Alana's",
        "",
    ]
    for text in texts:
        assert redact(text, names=names, unlisted_names=False) == plain.sub("[name]", text)


# ---------------------------------------------------------------------------------------------
# Series, counts, styles
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_series_in_series_out_with_same_index_name_dtype_and_input_unchanged(dtype):
    texts = pd.Series(
        ["Call 07700 900123", None, "all fine"], index=[10, 30, 20], name="comment", dtype=dtype
    )
    before = texts.copy()
    out = redact(texts)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == [10, 30, 20]
    assert out.name == "comment"
    assert out.dtype == texts.dtype
    assert out[10] == "Call [phone]"
    assert pd.isna(out[30])
    assert out[20] == "all fine"
    pd.testing.assert_series_equal(texts, before)


def test_categorical_series_is_redacted():
    texts = pd.Series(["Sarah", "Sarah", "Tom"], dtype="category")
    out = redact(texts, names=["Sarah"])
    assert out.tolist() == ["[name]", "[name]", "Tom"]
    assert isinstance(out.dtype, pd.CategoricalDtype)


def test_redact_with_counts_counts_items_and_texts_per_kind():
    texts = pd.Series(
        [
            "NHS 943 476 5919 and 9434765919, ring 07700 900123",
            "email a@b.org, SW1A 1AA, DOB 12/03/1956, Sarah and Sarah",
            "nothing here",
            None,
        ],
        index=list("wxyz"),
    )
    redacted, counts = redact_with_counts(texts, names=["Sarah"])
    assert counts["kind"].tolist() == list(KINDS)
    got = counts.set_index("kind")
    assert got["n"].to_dict() == {
        "NHS number": 2,
        "phone": 1,
        "email": 1,
        "postcode": 1,
        "date of birth": 1,
        "name": 2,
    }
    assert got["n_texts"].to_dict() == {
        "NHS number": 1,
        "phone": 1,
        "email": 1,
        "postcode": 1,
        "date of birth": 1,
        "name": 1,
    }
    assert counts["n"].dtype == np.int64 and counts["n_texts"].dtype == np.int64
    assert redacted.index.tolist() == list("wxyz")
    assert redacted["y"] == "nothing here"
    assert pd.isna(redacted["z"])


def test_redact_with_counts_zero_counts_for_clean_text():
    redacted, counts = redact_with_counts(["plain words"])
    assert redacted.tolist() == ["plain words"]
    assert counts["n"].sum() == 0 and len(counts) == len(KINDS)


def test_custom_placeholder_style():
    out = redact("Sarah on 07700 900123", names=["Sarah"], placeholder_style="<{kind} removed>")
    assert out == "<name removed> on <phone removed>"
    assert redact(out, names=["Sarah"], placeholder_style="<{kind} removed>") == out


def test_a_name_that_equals_a_placeholder_word_does_not_loop():
    out = redact("name and phone", names=["name", "phone"])
    assert out == "[name] and [name]"
    assert redact(out, names=["name", "phone"]) == out


# ---------------------------------------------------------------------------------------------
# Redaction errors
# ---------------------------------------------------------------------------------------------


def test_redact_errors():
    with pytest.raises(TypeError, match="'text' parameter of redact must be a str or a pandas"):
        redact(5)
    with pytest.raises(TypeError, match="letter by letter"):
        redact("x", names="Sarah")
    with pytest.raises(TypeError, match="must hold only str"):
        redact("x", names=["Sarah", 3])
    with pytest.raises(ValueError, match="must not hold empty names"):
        redact("x", names=["  "])
    with pytest.raises(ValueError, match="must contain '\\{kind\\}'"):
        redact("x", placeholder_style="[redacted]")
    with pytest.raises(ValueError, match="whose only field is"):
        redact("x", placeholder_style="[{kind}{other}]")
    with pytest.raises(TypeError, match="'placeholder_style' parameter of redact must be a str"):
        redact("x", placeholder_style=None)
    with pytest.raises(ValueError, match="'dob_before_year' parameter of redact"):
        redact("x", dob_before_year=-1)
    with pytest.raises(TypeError, match="'dob_before_year' parameter of redact"):
        redact("x", dob_before_year="2020")
    with pytest.raises(TypeError, match="position 1 \\(index 'b'\\) is 5"):
        redact(pd.Series(["ok", 5], index=["a", "b"]))
    with pytest.raises(TypeError, match="'texts' parameter of redact_with_counts"):
        redact_with_counts("one text")
    with pytest.raises(TypeError, match="'texts' parameter of redact_with_counts"):
        redact_with_counts(5)


# ---------------------------------------------------------------------------------------------
# Redaction properties
# ---------------------------------------------------------------------------------------------

# Texts built from fragments of identifiers, placeholders and punctuation, so that the
# properties are tested where the rules meet, not only on random letters.
TRICKY = st.lists(
    st.sampled_from(
        list("0123456789 ()+-./@:'[]\n")
        + list("aAbBdDeEmMnNoOsSwWxX")
        + [
            "07700 ",
            "943 476 5919",
            "DOB ",
            "born ",
            "March ",
            "1956",
            "SW1A",
            " 1AA",
            "@nhs.net",
            "Sarah",
            "[name]",
            "[phone",
            "+44 ",
            "(0)",
            "name",
            "ann",
            "Ann's",
        ]
    ),
    max_size=40,
).map("".join)
NAMES = ["Sarah", "Ann", "Sw1a"]


def _chunks_in_order(output: str, source: str) -> bool:
    """Every piece of ``output`` outside placeholders appears in ``source``, in order."""
    position = 0
    for chunk in PLACEHOLDER.split(output):
        found = source.find(chunk, position)
        if found < 0:
            return False
        position = found + len(chunk)
    return True


@settings(max_examples=200, deadline=None)
@given(text=TRICKY)
def test_redaction_is_idempotent_and_leaves_nothing_to_find(text):
    once = redact(text, names=NAMES, dob_before_year=2024)
    assert redact(once, names=NAMES, dob_before_year=2024) == once
    _, counts = redact_with_counts([once], names=NAMES, dob_before_year=2024)
    assert counts["n"].sum() == 0


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=80), TRICKY))
def test_redaction_never_raises_and_never_introduces_text(text):
    out = redact(text, names=NAMES, dob_before_year=2024)
    assert isinstance(out, str)
    # only placeholders are added; everything else comes from the input, in order
    assert _chunks_in_order(out, text)
    # a text in which nothing was found is returned unchanged
    _, counts = redact_with_counts([text], names=NAMES, dob_before_year=2024)
    if counts["n"].sum() == 0:
        assert out == text


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(
            valid_nhs_numbers(),
            st.sampled_from(
                [
                    "07700 900123",
                    "+44 20 7946 0958",
                    "a.b@nhs.net",
                    "LS1 4AP",
                    "Sarah",
                    "DOB 12/03/1956",
                ]
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    filler=st.lists(
        st.sampled_from(["the", "ward", "was", "kind", "and", "slow", "2", "hours"]),
        min_size=5,
        max_size=5,
    ),
)
def test_planted_identifiers_are_all_removed_and_counted(pieces, filler):
    text = " ".join(f"{w} {p}" for w, p in zip(filler, pieces, strict=False)) + " end"
    redacted, counts = redact_with_counts([text], names=["Sarah"])
    out = redacted[0]
    for piece in pieces:
        core = piece.removeprefix("DOB ")
        assert core not in out
    assert counts["n"].sum() == len(pieces)


# ---------------------------------------------------------------------------------------------
# suppress_small
# ---------------------------------------------------------------------------------------------


def _site_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": ["A", "B", "C", "D", "E"],
            "n": [4, 25, 12, 0, 40],
            "share": [4.9, 30.5, 14.6, 0.0, 48.8],
            "label": ["a", "b", "c", "d", "e"],
        }
    )


def test_suppress_small_primary_complementary_and_zeros():
    table = _site_table()
    before = table.copy()
    out = suppress_small(table, min_cell_size=10)
    pd.testing.assert_frame_equal(table, before)  # input unchanged
    # A (4) is below 10; the smallest other non-zero count, C (12), is hidden with it so
    # A cannot be recovered as total - (25 + 0 + 40).
    assert out["suppressed"].tolist() == [True, False, True, False, False]
    assert out["n"].dtype == "Int64"
    assert out["n"].isna().tolist() == [True, False, True, False, False]
    assert out["share"].isna().tolist() == [True, False, True, False, False]
    assert out.loc[3, "n"] == 0  # a zero describes nobody and is shown
    assert out["site"].tolist() == table["site"].tolist()
    assert out["label"].tolist() == table["label"].tolist()
    assert list(out.columns) == [*table.columns, "suppressed"]


def test_suppress_small_options():
    table = _site_table()
    only_primary = suppress_small(table, complementary=False)
    assert only_primary["suppressed"].tolist() == [True, False, False, False, False]
    with_zeros = suppress_small(table, suppress_zeros=True, complementary=False)
    assert with_zeros["suppressed"].tolist() == [True, False, False, True, False]
    assert pd.isna(with_zeros.loc[3, "n"])
    keep_share = suppress_small(table, value_columns=[])
    assert keep_share["share"].notna().all()
    lower = suppress_small(table, min_cell_size=3)
    assert not lower["suppressed"].any()
    assert lower["n"].tolist() == [4, 25, 12, 0, 40]


def test_suppress_small_groups_protect_each_group_total():
    table = pd.DataFrame(
        {
            "job": ["fear"] * 3 + ["clarity"] * 3 + ["routine"] * 2,
            "site": ["A", "B", "C"] * 2 + ["A", "B"],
            "n": [3, 50, 20, 30, 40, 60, 5, 7],
        }
    )
    out = suppress_small(table, group_columns="job", min_cell_size=10)
    # fear: 3 hidden, then 20 (smallest other); clarity: nothing; routine: both small
    assert out["suppressed"].tolist() == [True, False, True, False, False, False, True, True]


def test_suppress_small_zero_only_complement_and_single_cell_warn(caplog):
    table = pd.DataFrame({"g": ["x", "x", "y"], "n": [4, 0, 6]})
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.privacy"):
        out = suppress_small(table, group_columns="g")
    assert out["suppressed"].tolist() == [True, True, True]
    assert pd.isna(out.loc[1, "n"])  # the zero is hidden, not shown as 0
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "only cells left to protect a hidden count are zeros" in messages
    assert "single, hidden cell" in messages


def test_suppress_small_float_counts_and_numeric_defaults():
    table = pd.DataFrame({"wave": [1, 2, 3], "n": [2.5, 30.0, 45.0], "mean": [3.1, 4.2, 3.9]})
    out = suppress_small(table)
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["wave"].isna().tolist() == [True, True, False]  # numeric: hidden by default
    out2 = suppress_small(table, value_columns=["mean"])
    assert out2["wave"].tolist() == [1, 2, 3]
    assert out2["n"].dtype == np.float64 and np.isnan(out2.loc[0, "n"])


def test_suppress_small_ties_do_not_depend_on_row_order():
    table = pd.DataFrame({"site": list("PQRS"), "n": [3, 15, 15, 40]})
    a = suppress_small(table)
    b = suppress_small(table.iloc[::-1]).sort_index()
    pd.testing.assert_frame_equal(a, b)
    assert a["suppressed"].tolist() == [True, True, False, False]  # tie broken by label "Q"


def test_suppress_small_errors():
    table = _site_table()
    with pytest.raises(TypeError, match="'table' parameter of suppress_small must be a pandas"):
        suppress_small([1, 2])
    with pytest.raises(ValueError, match="no column 'count'"):
        suppress_small(table, count_column="count")
    with pytest.raises(ValueError, match="no column 'region'"):
        suppress_small(table, group_columns=["region"])
    with pytest.raises(ValueError, match="'min_cell_size' parameter of suppress_small"):
        suppress_small(table, min_cell_size=0)
    with pytest.raises(TypeError, match="'min_cell_size' parameter of suppress_small"):
        suppress_small(table, min_cell_size=2.5)
    with pytest.raises(TypeError, match="'count_column' parameter of suppress_small"):
        suppress_small(table, count_column=3)
    with pytest.raises(TypeError, match="'group_columns' parameter of suppress_small"):
        suppress_small(table, group_columns=5)
    with pytest.raises(ValueError, match="must not include the count column"):
        suppress_small(table, group_columns=["n"])
    with pytest.raises(ValueError, match="already has a 'suppressed' column"):
        suppress_small(suppress_small(table))
    with pytest.raises(ValueError, match="must not have missing values"):
        suppress_small(pd.DataFrame({"n": [1.0, np.nan]}))
    with pytest.raises(ValueError, match="finite and non-negative"):
        suppress_small(pd.DataFrame({"n": [1, -2]}))
    with pytest.raises(TypeError, match="must be numeric counts"):
        suppress_small(pd.DataFrame({"n": ["1", "2"]}))
    with pytest.raises(TypeError, match="must be numeric counts"):
        suppress_small(pd.DataFrame({"n": [True, False]}))


@st.composite
def grouped_tables(draw):
    n_groups = draw(st.integers(1, 4))
    rows = []
    for g in range(n_groups):
        for k in range(draw(st.integers(1, 5))):
            rows.append(
                {
                    "group": f"g{g}",
                    "cell": f"c{k}",
                    "n": draw(st.sampled_from([0, 1, 2, 4, 7, 9, 10, 11, 15, 30, 80])),
                }
            )
    table = pd.DataFrame(rows)
    table["share"] = table["n"] / table.groupby("group")["n"].transform("sum").clip(lower=1)
    return table


@settings(max_examples=100, deadline=None)
@given(table=grouped_tables(), min_cell_size=st.sampled_from([5, 10]), seed=st.integers(0, 99))
def test_suppress_small_properties(table, min_cell_size, seed):
    before = table.copy()
    out = suppress_small(table, group_columns="group", min_cell_size=min_cell_size)
    pd.testing.assert_frame_equal(table, before)
    shown = out.loc[~out["suppressed"], "n"]
    # no count below the threshold is shown, and zeros are the only small values left
    assert ((shown == 0) | (shown >= min_cell_size)).all()
    # suppressed rows are missing (never 0) in the count and the derived share
    assert out.loc[out["suppressed"], ["n", "share"]].isna().all().all()
    # no group has exactly one hidden cell unless it has a single cell
    for _, group in out.groupby("group"):
        hidden = int(group["suppressed"].sum())
        assert hidden != 1 or len(group) == 1
    # row order does not matter
    shuffled = table.sample(frac=1, random_state=seed)
    again = suppress_small(shuffled, group_columns="group", min_cell_size=min_cell_size)
    pd.testing.assert_frame_equal(again.sort_index(), out)


# ---------------------------------------------------------------------------------------------
# suppress_crosstab and its audit
# ---------------------------------------------------------------------------------------------


def with_margins(inner: pd.DataFrame, name: str = "All") -> pd.DataFrame:
    ct = inner.copy()
    ct[name] = ct.sum(axis=1)
    ct.loc[name] = ct.sum()
    return ct


def feasible_ranges(full: np.ndarray, hidden: np.ndarray) -> dict[tuple[int, int], float]:
    """Width of the range each hidden entry can take given every shown entry and every total.

    This is the intruder's linear-programming audit of a suppressed table (Hundepool et al.,
    2012, *Statistical Disclosure Control*, Wiley, ch. 5), solved with scipy's HiGHS
    ``linprog``. ``full`` has the totals in its last row and column.
    """
    cells = [tuple(int(x) for x in c) for c in np.argwhere(hidden)]
    index = {c: k for k, c in enumerate(cells)}
    n_rows, n_cols = full.shape
    a_eq, b_eq = [], []
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    for line in lines:
        row, rhs = np.zeros(len(cells)), 0.0
        for position, (i, j) in enumerate(line):
            sign = -1.0 if position == len(line) - 1 else 1.0  # cells minus their total = 0
            if hidden[i, j]:
                row[index[(i, j)]] += sign
            else:
                rhs -= sign * full[i, j]
        a_eq.append(row)
        b_eq.append(rhs)
    widths = {}
    for cell, k in index.items():
        objective = np.zeros(len(cells))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0
        widths[cell] = np.inf if high.status == 3 else (-high.fun) - low.fun
    return widths


def _crosstab_example() -> pd.DataFrame:
    inner = pd.DataFrame(
        [[0, 2, 0], [5, 20, 0], [3, 30, 20]],
        index=pd.Index(["north", "south", "west"], name="site"),
        columns=pd.Index(["fear", "clarity", "routine"], name="job"),
    )
    return with_margins(inner)


def test_line_rule_alone_can_leave_a_recoverable_cell():
    # Planted truth. With only "no row/column has exactly one hidden entry", this table hides
    # {north: clarity, All; south: fear, clarity, All; west: fear, routine; All: fear, routine}.
    # Rows west and All then give fear_west + routine_west = 23 and fear_All + routine_All = 28,
    # column routine gives routine_west = routine_All, so fear_south = fear_All - fear_west = 5
    # is recovered exactly. The audit must find this (width 0).
    full = _crosstab_example().to_numpy(dtype=float)
    line_rule_only = np.zeros_like(full, dtype=bool)
    for i, j in [(0, 1), (0, 3), (1, 0), (1, 1), (1, 3), (2, 0), (2, 2), (3, 0), (3, 2)]:
        line_rule_only[i, j] = True
    widths = feasible_ranges(full, line_rule_only)
    assert widths[(1, 0)] == pytest.approx(0.0, abs=1e-9)


def test_suppress_crosstab_closes_the_gap_and_passes_the_audit():
    ct = _crosstab_example()
    before = ct.copy()
    out = suppress_crosstab(ct, min_cell_size=10)
    pd.testing.assert_frame_equal(ct, before)
    # Planted truth, derived by hand from the rules in the docstring: the line rule hides the
    # cells above; south-fear is then a bridge between the cycles {north, south} x {clarity,
    # All} and {west, All} x {fear, routine}; the smallest shown entry joining the two sides
    # is west-clarity (30), which is hidden too.
    expected_hidden = [
        (0, 1),
        (0, 3),
        (1, 0),
        (1, 1),
        (1, 3),
        (2, 0),
        (2, 1),
        (2, 2),
        (3, 0),
        (3, 2),
    ]
    hidden = out.isna().to_numpy()
    assert sorted(map(tuple, np.argwhere(hidden).tolist())) == expected_hidden
    assert out.index.equals(ct.index) and out.columns.equals(ct.columns)
    assert (out.dtypes == "Int64").all()
    assert out.loc["west", "All"] == 53 and out.loc["All", "clarity"] == 52
    widths = feasible_ranges(ct.to_numpy(dtype=float), hidden)
    assert min(widths.values()) >= 2 - 1e-9


def test_suppress_crosstab_without_margins_and_with_multiindex_columns():
    inner = _crosstab_example().iloc[:-1, :-1]
    out = suppress_crosstab(inner)
    assert out.shape == inner.shape
    assert out.isna().to_numpy().sum() == 6  # the inner hidden cells of the example
    tuples = pd.MultiIndex.from_tuples([("fear", "x"), ("clarity", "y"), ("All", "")])
    ct = pd.DataFrame(
        [[3, 40, 43], [20, 18, 38], [23, 58, 81]], index=["a", "b", "All"], columns=tuples
    )
    out = suppress_crosstab(ct)
    assert out.columns.equals(ct.columns)
    # 3 is hidden; row a and column fear then need partners: 40 and 20, then 18
    assert out.isna().to_numpy().tolist() == [
        [True, True, False],
        [True, True, False],
        [False, False, False],
    ]


def test_suppress_crosstab_float_counts_are_float():
    ct = pd.DataFrame({"a": [2.5, 20.0], "b": [30.0, 40.0]})
    out = suppress_crosstab(ct)
    assert (out.dtypes == "Float64").all()
    assert out.isna().to_numpy().tolist() == [[True, True], [True, True]]


def test_suppress_crosstab_errors():
    good = _crosstab_example()
    with pytest.raises(TypeError, match="'ct' parameter of suppress_crosstab"):
        suppress_crosstab(good.to_numpy())
    with pytest.raises(ValueError, match="'ct' is empty"):
        suppress_crosstab(pd.DataFrame())
    with pytest.raises(TypeError, match="must be numeric counts"):
        suppress_crosstab(pd.DataFrame({"a": ["x", "y"]}))
    with pytest.raises(ValueError, match="must not have missing values"):
        suppress_crosstab(pd.DataFrame({"a": [1.0, np.nan]}))
    with pytest.raises(ValueError, match="finite and non-negative"):
        suppress_crosstab(pd.DataFrame({"a": [1, -1]}))
    with pytest.raises(ValueError, match="'min_cell_size' parameter of suppress_crosstab"):
        suppress_crosstab(good, min_cell_size=0)
    shares = good / 80
    with pytest.raises(ValueError, match="labelled as the total but is not the sum"):
        suppress_crosstab(shares.iloc[:, :-1].assign(All=1.0))
    broken = good.copy()
    broken.loc["All", "fear"] = 9
    with pytest.raises(ValueError, match="last row 'All' is labelled as the total"):
        suppress_crosstab(broken)
    broken = good.copy()
    broken.loc["All", "All"] = 81
    with pytest.raises(ValueError, match="grand total is not the sum"):
        suppress_crosstab(broken)


@st.composite
def crosstabs(draw):
    n_rows = draw(st.integers(2, 5))
    n_cols = draw(st.integers(2, 5))
    values = draw(
        st.lists(
            st.sampled_from([0, 0, 1, 2, 3, 5, 8, 9, 10, 12, 15, 25, 40, 90]),
            min_size=n_rows * n_cols,
            max_size=n_rows * n_cols,
        )
    )
    inner = pd.DataFrame(
        np.array(values).reshape(n_rows, n_cols),
        index=[f"r{i}" for i in range(n_rows)],
        columns=[f"c{j}" for j in range(n_cols)],
    )
    return with_margins(inner)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ct=crosstabs(), min_cell_size=st.sampled_from([5, 10]))
def test_suppress_crosstab_prevents_recovery_from_totals(ct, min_cell_size):
    before = ct.copy()
    warnings = _Collect()
    logger = logging.getLogger("jtbd_methods.privacy")
    logger.addHandler(warnings)
    try:
        out = suppress_crosstab(ct, min_cell_size=min_cell_size)
    finally:
        logger.removeHandler(warnings)
    pd.testing.assert_frame_equal(ct, before)
    hidden = out.isna().to_numpy()
    full = ct.to_numpy(dtype=float)
    shown = full[~hidden]
    # no count below the threshold is shown (zeros excepted) and nothing hidden shows as 0
    assert ((shown == 0) | (shown >= min_cell_size)).all()
    assert np.array_equal(out.fillna(-1).to_numpy(dtype=float)[~hidden], shown)
    # no row or column, totals included, has exactly one hidden entry
    assert 1 not in hidden.sum(axis=0).tolist() and 1 not in hidden.sum(axis=1).tolist()
    # the intruder's LP cannot pin any hidden entry: each can move by at least one each way
    assert not warnings.records  # no zero had to be used as a complement
    if hidden.any():
        widths = feasible_ranges(full, hidden)
        assert min(widths.values()) >= 2 - 1e-6


@settings(max_examples=100, deadline=None)
@given(
    n_nodes=st.integers(2, 8),
    edges=st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=14),
)
def test_bridge_finder_matches_brute_force(n_nodes, edges):
    # Reference: an edge is a bridge iff removing it disconnects its two ends (definition).
    simple = sorted({tuple(sorted(e)) for e in edges if e[0] != e[1] and max(e) < n_nodes})
    found = set(suppression._bridges(n_nodes, simple))
    for k, (u, v) in enumerate(simple):
        reachable = suppression._component(n_nodes, simple, u, skip=k)
        assert (k in found) == (v not in reachable)


# ---------------------------------------------------------------------------------------------
# format_suppressed and the footnote
# ---------------------------------------------------------------------------------------------


def test_format_suppressed_tidy_table():
    table = _site_table()
    table.loc[4, "label"] = None
    out = format_suppressed(suppress_small(table), marker="\u2014")
    assert list(out.columns) == ["site", "n", "share", "label"]
    assert out["n"].tolist() == ["\u2014", "25", "\u2014", "0", "40"]
    assert out["share"].tolist() == ["\u2014", "30.5", "\u2014", "0.0", "48.8"]
    assert out["label"].tolist() == ["a", "b", "c", "d", ""]
    assert all(isinstance(v, str) for v in out.to_numpy().ravel())


def test_format_suppressed_missing_values_outside_suppressed_rows_are_blank():
    table = pd.DataFrame(
        {
            "n": [4, 30, 50],
            "mean": [1.0, np.nan, 2.25],
            "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
        }
    )
    out = format_suppressed(
        suppress_small(table, value_columns=["mean"]), float_format="{:.2f}", missing="n/a"
    )
    assert out["mean"].tolist() == ["*", "*", "2.25"]
    assert out["day"].tolist() == ["2024-01-01", "2024-01-02", "2024-01-03"]
    table2 = pd.DataFrame({"n": [40, 30, 50], "mean": [1.0, np.nan, 2.25]})
    out2 = format_suppressed(suppress_small(table2, value_columns=["mean"]), missing="n/a")
    assert out2["mean"].tolist() == ["1.0", "n/a", "2.2"]


def test_format_suppressed_crosstab_and_note():
    out = format_suppressed(suppress_crosstab(_crosstab_example()))
    assert out.loc["north"].tolist() == ["0", "*", "0", "*"]
    assert out.loc["All"].tolist() == ["*", "52", "*", "80"]
    note = suppression_note(10)
    assert note.startswith("* ") and "fewer than 10" in note
    assert suppression_note(5, marker="\u2014").startswith("\u2014 ")


def test_format_suppressed_errors():
    with pytest.raises(TypeError, match="'table' parameter of format_suppressed"):
        format_suppressed("table")
    with pytest.raises(TypeError, match="'marker' parameter of format_suppressed"):
        format_suppressed(pd.DataFrame({"n": [1]}), marker=0)
    with pytest.raises(TypeError, match="'missing' parameter of format_suppressed"):
        format_suppressed(pd.DataFrame({"n": [1]}), missing=None)
    with pytest.raises(ValueError, match="'float_format' parameter of format_suppressed"):
        format_suppressed(pd.DataFrame({"n": [1]}), float_format="{:.1f} {}")
    with pytest.raises(ValueError, match="'min_cell_size' parameter of suppression_note"):
        suppression_note(0)


# ---------------------------------------------------------------------------------------------
# Formula injection
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tcmd", "\r=x", "=cmd|' /C calc'!A0"]
)
def test_each_dangerous_prefix_is_neutralised(value):
    # OWASP CSV Injection: cells starting with = + - @ tab or carriage return
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "fine",
        "a=b",
        " =1",
        "",
        "'=already",
        5,
        -5,
        -2.5,
        np.int64(-3),
        None,
        pd.Timestamp("2024-01-01"),
    ],
)
def test_harmless_values_are_unchanged(value):
    assert neutralise_cell(value) is value


@pytest.mark.parametrize(
    "value",
    [
        # OWASP CSV Injection payloads behind each trigger, ASCII and full-width
        "-2+3+cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-rm",  # a sign then a letter: read as a name or reference
        "-A1",
        "- =cmd|' /C calc'!A0",  # a bullet whose word is a formula
        "- HYPERLINK(\"http://x\")",
        "- cmd|' /C calc'!A0",
        "- 2+3",  # a sign, a space and digits: an expression
        "-\t=1",
        "--=1",
        "=",
        "= fine",
        "@NHSEngland thanks",
        "\uff1d1+1",  # full-width equals
        "\uff0bcmd",
        "\uff0dA1",
        "\uff20SUM(A1)",
    ],
)
def test_formula_like_texts_are_neutralised(value):
    assert privacy.is_formula_like(value)
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "-",
        "--",
        "+",
        "- ",
        "- fine",
        "- the nurses were kind, thanks",
        "-5",
        "+3",
        "-2.5",
        "-1,234.5",
        "-12%",
        "+1.5e3",
        "\uff0d fine",  # full-width minus, then a bullet
    ],
)
def test_plain_numbers_and_ordinary_text_after_a_sign_are_not_neutralised(value):
    # a lone sign, a number, or a sign, a space and words without formula syntax cannot call
    # a function or another program; a quote before them would be noise in the spreadsheet
    assert not privacy.is_formula_like(value)
    assert neutralise_cell(value) is value


def test_csv_is_strict_about_bullets_but_not_about_numbers_or_lone_signs(tmp_path):
    # every CSV field is parsed by the spreadsheet that opens it: "- fine" is quoted there
    df = pd.DataFrame({"note": ["- fine", "-", "-5", "=1"], "n": [1, 2, 3, 4]})
    assert neutralise_cell("- fine", strict=True) == "'- fine"
    assert neutralise_frame(df, strict=True)["note"].tolist() == ["'- fine", "-", "-5", "'=1"]
    path = safe_to_csv(df, tmp_path / "bullets.csv", index=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["note"].tolist() == ["'- fine", "-", "-5", "'=1"]
    with pytest.raises(TypeError, match="'strict' parameter of neutralise_frame"):
        neutralise_frame(df, strict="yes")


def test_neutralise_frame_text_columns_labels_and_copy():
    df = pd.DataFrame(
        {
            "comment": ['=HYPERLINK("x")', "ok", None],
            "code": pd.array(["-A1", "+2+3", "x"], dtype="str"),
            "cat": pd.Categorical(["@a", "b", "@a"]),
            "n": [-1, 2, 3],
            "=evil": [1.5, -2.0, 3.0],
        },
        index=pd.Index(["=a", "b", "c"], name="@id"),
    )
    before = df.copy()
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out["comment"].tolist()[:2] == ['\'=HYPERLINK("x")', "ok"]
    assert pd.isna(out["comment"].tolist()[2])
    assert out["code"].tolist() == ["'-A1", "'+2+3", "x"]
    assert out["code"].dtype == df["code"].dtype
    assert out["cat"].tolist() == ["'@a", "b", "'@a"]
    assert out["n"].tolist() == [-1, 2, 3]
    assert list(out.columns) == ["comment", "code", "cat", "n", "'=evil"]
    assert out.index.tolist() == ["'=a", "b", "c"] and out.index.name == "'@id"
    with pytest.raises(TypeError, match="'df' parameter of neutralise_frame"):
        neutralise_frame(["=1"])


def test_categorical_whose_neutralised_categories_collide_becomes_text():
    df = pd.DataFrame({"c": pd.Series(["=x", "'=x"], dtype="category")})
    assert neutralise_frame(df)["c"].tolist() == ["'=x", "'=x"]


def _dangerous_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comment": ["=1+1", "+cmd", "-rm", "@SUM(A1)", "\tTab", "\rCR", "plain words " * 8],
            "n": [1, -2, 3, 4, 5, 6, 7],
        }
    )


def test_safe_to_csv_round_trip_shows_neutralised_text(tmp_path):
    df = _dangerous_frame()
    path = safe_to_csv(df, tmp_path / "out.csv", index=False)
    assert path == tmp_path / "out.csv"
    back = pd.read_csv(path, dtype={"comment": str}, keep_default_na=False)
    assert back["comment"].tolist() == [neutralise_cell(v) for v in df["comment"]]
    assert back["n"].tolist() == [1, -2, 3, 4, 5, 6, 7]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
    gz = safe_to_csv(df, tmp_path / "out.csv.gz", index=False)
    assert pd.read_csv(gz, keep_default_na=False)["comment"].iloc[0] == "'=1+1"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot be written")

    __repr__ = __str__


def test_safe_to_csv_quotes_carriage_returns_so_no_row_can_start_with_a_formula(tmp_path):
    # A bare \r is a row break for spreadsheets; pandas' default "\n" terminator leaves such a
    # field unquoted (Python's csv only quotes characters of the terminator).
    df = pd.DataFrame({"comment": ['fine\r=HYPERLINK("http://x")', "two\nlines"], "n": [1, 2]})
    path = safe_to_csv(df, tmp_path / "cr.csv", index=False)
    raw = path.read_bytes()
    assert b'"fine\r=HYPERLINK(""http://x"")"' in raw and b'"two\nlines"' in raw
    assert raw.endswith(b"\r\n")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["comment", "n"], ['fine\r=HYPERLINK("http://x")', "1"], ["two\nlines", "2"]]
    safe_to_csv(df, tmp_path / "all.csv", lineterminator="\n", quoting=csv.QUOTE_ALL)
    with pytest.raises(ValueError, match="would not be quoted"):
        safe_to_csv(df, tmp_path / "lf.csv", lineterminator="\n")
    with pytest.raises(ValueError, match="would not be quoted"):
        safe_to_csv(df, tmp_path / "none.csv", quoting=csv.QUOTE_NONE, escapechar="\\")
    assert not (tmp_path / "lf.csv").exists() and not (tmp_path / "none.csv").exists()


def test_safe_to_csv_failure_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "report.csv"
    bad = pd.DataFrame({"a": ["x", Unprintable()]})
    with pytest.raises(RuntimeError, match="cannot be written"):
        safe_to_csv(bad, target)
    assert list(tmp_path.iterdir()) == []
    target.write_text("old content\n")
    with pytest.raises(RuntimeError, match="cannot be written"):
        safe_to_csv(bad, target)
    assert target.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_safe_to_csv_unwritable_directory_and_argument_errors(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")
    with pytest.raises(OSError):
        safe_to_csv(_dangerous_frame(), blocker / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_dir"]
    with pytest.raises(ValueError, match="'mode' parameter of safe_to_csv must be 'w'"):
        safe_to_csv(_dangerous_frame(), tmp_path / "x.csv", mode="a")
    with pytest.raises(TypeError, match="not 'path_or_buf'"):
        safe_to_csv(_dangerous_frame(), tmp_path / "x.csv", path_or_buf="y.csv")
    with pytest.raises(TypeError, match="'df' parameter of safe_to_csv"):
        safe_to_csv({"a": [1]}, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_safe_to_excel_round_trip_widths_and_frozen_header(tmp_path):
    df = _dangerous_frame()
    summary = pd.DataFrame({"kind": ["phone"], "n": [3]}, index=pd.Index(["=r"], name="row"))
    path = safe_to_excel({"quotes": df, "summary": summary}, tmp_path / "out.xlsx", index=False)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["quotes", "summary"]
    sheet = book["quotes"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + len(df))]
    # XML stores a carriage return as a line feed (end-of-line normalisation)
    assert [c.value for c in cells] == [
        neutralise_cell(v).replace("\r", "\n") for v in df["comment"]
    ]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert [sheet.cell(row=r, column=2).value for r in range(2, 2 + len(df))] == df["n"].tolist()
    assert sheet.freeze_panes == "A2"
    widths = {k: sheet.column_dimensions[k].width for k in ("A", "B")}
    assert widths["A"] == pytest.approx(60)  # 96 characters, capped at 60
    assert widths["B"] == pytest.approx(8)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
    back = pd.read_excel(path, sheet_name="quotes", keep_default_na=False)
    assert back["comment"].tolist()[0] == "'=1+1"


def test_safe_to_excel_single_frame_index_and_multiindex(tmp_path):
    frame = pd.DataFrame({"share": [0.5]}, index=pd.Index(["=site"], name="site"))
    path = safe_to_excel(frame, tmp_path / "one.xlsx")
    sheet = openpyxl.load_workbook(path)["Sheet1"]
    assert sheet.freeze_panes == "B2"
    assert sheet["A2"].value == "'=site" and sheet["A2"].data_type == "s"
    wide = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))
    path = safe_to_excel(wide, tmp_path / "wide.xlsx")
    assert openpyxl.load_workbook(path)["Sheet1"].freeze_panes == "B4"
    assert (
        openpyxl.load_workbook(safe_to_excel(frame, tmp_path / "f.xlsx", freeze_panes=(1, 0)))[
            "Sheet1"
        ].freeze_panes
        == "A2"
    )


def test_safe_to_excel_writes_typed_cells(tmp_path):
    frame = pd.DataFrame(
        {
            "received": pd.to_datetime(["2024-03-01", "2024-03-02", None]),
            "at": pd.to_datetime(["2024-03-01 09:30", "2024-03-02 00:00", "2024-03-03 17:05"]),
            "iso": ["2024-01-05", None, "2025-12-31"],
            "not_a_date": ["2024-13-45", "2024-01-01", "x"],
            "month": pd.period_range("2024-01", periods=3, freq="M"),
            "share": [0.1 + 0.2, 0.456789, -0.0001],
            "score": [12.3456, -0.0, 1234.5678],
            "n": pd.array([3, None, 5], dtype="Int64"),
            "note": ["-", "- fine", "=1+1"],
        }
    )
    before = frame.copy()
    path = safe_to_excel({"data": frame}, tmp_path / "typed.xlsx", index=False)
    pd.testing.assert_frame_equal(frame, before)
    sheet = openpyxl.load_workbook(path)["data"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    cells = {name: [sheet.cell(row=r, column=k + 1) for r in (2, 3, 4)]
             for k, name in enumerate(frame.columns)}
    # whole days are date cells shown as dates; times keep their time
    assert [c.value for c in cells["received"]][:2] == [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 2)]
    assert cells["received"][2].value is None
    assert all(c.is_date and c.number_format == "YYYY-MM-DD" for c in cells["received"][:2])
    assert cells["at"][0].value == dt.datetime(2024, 3, 1, 9, 30)
    assert cells["at"][0].number_format == "YYYY-MM-DD HH:MM"
    assert cells["iso"][0].is_date and cells["iso"][2].value == dt.datetime(2025, 12, 31)
    assert [c.value for c in cells["not_a_date"]] == ["2024-13-45", "2024-01-01", "x"]
    assert [c.value for c in cells["month"]][0] == dt.datetime(2024, 1, 1)
    # three significant digits, at least two decimals; no float noise, no negative zero
    assert [c.value for c in cells["share"]] == [0.3, 0.457, -0.0001]
    assert [c.value for c in cells["score"]] == [12.35, 0, 1234.57]
    assert str(cells["score"][1].value) in ("0", "0.0")
    assert [r[7] for r in rows] == [3, None, 5]
    assert [c.value for c in cells["note"]] == ["-", "- fine", "'=1+1"]
    assert all(c.data_type == "s" for c in cells["note"])
    raw = safe_to_excel({"data": frame}, tmp_path / "raw.xlsx", index=False, digits=None)
    assert openpyxl.load_workbook(raw)["data"]["F3"].value == 0.456789
    with pytest.raises(ValueError, match="'digits' parameter of safe_to_excel"):
        safe_to_excel(frame, tmp_path / "x.xlsx", digits=0)


def test_safe_to_excel_removes_illegal_characters_before_neutralising(tmp_path, caplog):
    frame = pd.DataFrame({"comment": ["\x00=cmd", "bell\x07 ok"]})
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.privacy"):
        path = safe_to_excel(frame, tmp_path / "c.xlsx", index=False)
    sheet = openpyxl.load_workbook(path)["Sheet1"]
    assert sheet["A2"].value == "'=cmd"
    assert sheet["A3"].value == "bell ok"
    assert "removed 2 control character(s)" in caplog.text


def test_safe_to_excel_failure_leaves_no_file(tmp_path):
    bad = pd.DataFrame({"a": ["fine", Unprintable()]})
    with pytest.raises(RuntimeError, match="cannot be written"):
        safe_to_excel(bad, tmp_path / "bad.xlsx")
    assert list(tmp_path.iterdir()) == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        safe_to_excel(_dangerous_frame(), blocker / "out.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_safe_to_excel_argument_errors(tmp_path):
    df = _dangerous_frame()
    with pytest.raises(TypeError, match="'sheets' parameter of safe_to_excel"):
        safe_to_excel([df], tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match="'sheets' parameter of safe_to_excel"):
        safe_to_excel({}, tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match="sheets\\['a'\\]"):
        safe_to_excel({"a": [1]}, tmp_path / "x.xlsx")
    for name in ["", "a" * 32, "a/b", "x[1]", "'quoted'", 3]:
        with pytest.raises(ValueError, match="not allowed by Excel"):
            safe_to_excel({name: df}, tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="used twice"):
        safe_to_excel({"Data": df, "data": df}, tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="must end in .xlsx"):
        safe_to_excel(df, tmp_path / "x.xls")
    assert list(tmp_path.iterdir()) == []


@given(text=st.text(max_size=40))
def test_escape_html_matches_html_escape_with_quotes(text):
    # Reference: the standard library's html.escape(quote=True).
    assert escape_html(text) == html.escape(text, quote=True)


def test_escape_html_other_values():
    assert escape_html('<a href="x">O\'Neil & co</a>') == (
        "&lt;a href=&quot;x&quot;&gt;O&#x27;Neil &amp; co&lt;/a&gt;"
    )
    assert escape_html(None) == "" and escape_html(pd.NA) == "" and escape_html(float("nan")) == ""
    assert escape_html(3) == "3"


# ---------------------------------------------------------------- names nobody listed
# (id, text, expected after redact() with no list): staff and patient names in varied contexts,
# and capitalised words that are not people, which must stay.
UNLISTED_NAME_CASES = [
    ("thanks-to", "Thanks to Priya on reception.", "Thanks to [name] on reception."),
    ("was-lovely", "Bernadette was lovely.", "[name] was lovely."),
    ("dr", "Dr Okafor listened.", "Dr [name] listened."),
    ("dr-dot", "Dr. Xylander was thorough.", "Dr. [name] was thorough."),
    ("mrs", "Mrs Kowalski rang back.", "Mrs [name] rang back."),
    ("sister", "Sister Niamh kept us informed.", "Sister [name] kept us informed."),
    ("nurse-lower", "nurse siobhan was kind.", "nurse [name] was kind."),
    ("cpn", "My CPN Gareth is a lifeline.", "My CPN [name] is a lifeline."),
    ("pair", "Kwame and Olga were brilliant.", "[name] and [name] were brilliant."),
    ("full-name", "I thank Ngozi Mensah for her patience.", "I thank [name] for her patience."),
    ("surname-forename", "Patel, Anita was my named nurse.", "[name] was my named nurse."),
    ("possessive", "Rhys's explanation helped.", "[name]'s explanation helped."),
    ("kin", "My husband Bogdan was not told.", "My husband [name] was not told."),
    ("the-physio", "I saw Tendai the physio.", "I saw [name] the physio."),
    ("on-ward", "Liam on Oak Ward was kind.", "[name] on Oak Ward was kind."),
    ("keep-ward", "Moved to Florence Ward on Tuesday.", "Moved to Florence Ward on Tuesday."),
    ("keep-nhs-god", "Thank God for the NHS and A&E.", "Thank God for the NHS and A&E."),
    (
        "keep-covid",
        "My March appointment was lost to Covid.",
        "My March appointment was lost to Covid.",
    ),
    ("keep-drug", "I was given Oramorph and Paracetamol.", "I was given Oramorph and Paracetamol."),
    ("keep-place", "We drove from Leeds to Chester.", "We drove from Leeds to Chester."),
    ("keep-hospital", "Queen Elizabeth Hospital was clean.", "Queen Elizabeth Hospital was clean."),
    ("keep-saint", "Outpatients at St James was slow.", "Outpatients at St James was slow."),
    ("keep-team", "The Crisis Team came on Sunday.", "The Crisis Team came on Sunday."),
    ("keep-role", "My Nurse Practitioner rang.", "My Nurse Practitioner rang."),
    ("keep-contraction", "I said Don't worry.", "I said Don't worry."),
    ("keep-common-start", "Will you call me? May I ask?", "Will you call me? May I ask?"),
    ("keep-placeholder", "Thanks to [name] on reception.", "Thanks to [name] on reception."),
    ("keep-kin-words", "Mum and Dad were very happy.", "Mum and Dad were very happy."),
    ("keep-title-case", "Had a Cup of Tea after the Friends and Family Test.", None),
    ("dr-initial", "Seen by Dr. J. Smith on Ward 3.", "Seen by Dr. J. [name] on Ward 3."),
    (
        "key-worker-commas",
        "My key worker, Pat, always calls back.",
        "My key worker, [name], always calls back.",
    ),
    ("thanks-short", "Thanks Jo!", "Thanks [name]!"),
    ("title-pair", "Mr and Mrs Brown came to visit.", "Mr and Mrs [name] came to visit."),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in UNLISTED_NAME_CASES],
    ids=[case[0] for case in UNLISTED_NAME_CASES],
)
def test_names_nobody_listed_are_redacted_and_non_names_kept(text, expected):
    expected = text if expected is None else expected
    assert redact(text) == expected
    assert redact(expected) == expected  # idempotent


def test_unlisted_names_can_be_switched_off_and_listed_names_still_go():
    text = "Thanks to Priya and Sam on reception."
    assert redact(text, unlisted_names=False) == text
    assert (
        redact(text, names=["Sam"], unlisted_names=False)
        == "Thanks to Priya and [name] on reception."
    )
    with pytest.raises(
        TypeError, match="'unlisted_names' parameter of redact must be True or False"
    ):
        redact(text, unlisted_names="yes")


def _covered(text: str, word: str, spans: list[tuple[int, int]]) -> list[bool]:
    hits = []
    for match in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text):
        hits.append(any(s < match.end() and match.start() < e for s, e in spans))
    return hits


def test_name_detection_recall_and_false_positive_rate_on_the_labelled_set():
    # tests/data/names_eval.csv: 290 synthetic sentences written for this test (planted staff
    # and patient names in 40 contexts, 50 sentences of capitalised non-names, 10 mixed);
    # targets of issue 14: >= 90% of planted names removed, <= 1 in 50 non-names removed.
    from jtbd_methods.names import find_names

    rows = list(csv.DictReader(open(ROOT / "tests/data/names_eval.csv", encoding="utf-8")))
    n_names = found = n_non = removed = 0
    for row in rows:
        spans = find_names(row["text"])
        for word in filter(None, row["names"].split("|")):
            hits = _covered(row["text"], word, spans)
            assert hits, (word, row["text"])  # the label is in its sentence
            n_names += 1
            found += all(hits)
        for word in filter(None, row["non_names"].split("|")):
            hits = _covered(row["text"], word, spans)
            assert hits, (word, row["text"])
            n_non += 1
            removed += any(hits)
    assert n_names >= 250 and n_non >= 150
    recall = found / n_names
    false_positive_rate = removed / n_non
    assert recall >= 0.90, f"recall {recall:.3f}"
    assert false_positive_rate <= 1 / 50, f"false-positive rate {false_positive_rate:.3f}"
    # and redaction through the public function leaves no planted name behind at that rate
    redacted = redact(pd.Series([r["text"] for r in rows]))
    left = sum(
        word in text.split() or f"{word}." in text or f"{word}," in text
        for row, text in zip(rows, redacted, strict=True)
        for word in filter(None, row["names"].split("|"))
    )
    assert left <= 0.10 * n_names


def test_redact_for_study_follows_redact_unlisted_names():
    from types import SimpleNamespace

    texts = ["Thanks to Priya on reception."]
    on = SimpleNamespace(
        redact=True,
        redact_names=(),
        redact_unlisted_names=True,
        period_start=pd.Timestamp("2024-01-01"),
    )
    off = SimpleNamespace(**{**vars(on), "redact_unlisted_names": False})
    assert privacy.redact_for_study(texts, SimpleNamespace(config=on))[0].tolist() == [
        "Thanks to [name] on reception."
    ]
    assert privacy.redact_for_study(texts, SimpleNamespace(config=off))[0].tolist() == texts


# ---------------------------------------------------------------- identifier variants
# (id, text, expected)
IDENTIFIER_VARIANTS = [
    ("nhs-dots", "NHS 943.476.5919 ok", "NHS [NHS number] ok"),
    ("nhs-slashes", "NHS 943/476/5919 ok", "NHS [NHS number] ok"),
    ("nhs-nbsp", "NHS 943\u00a0476\u00a05919 ok", "NHS [NHS number] ok"),
    ("nhs-narrow-nbsp", "NHS 943\u202f476\u202f5919 ok", "NHS [NHS number] ok"),
    ("nhs-double-space", "NHS 943  476  5919 ok", "NHS [NHS number] ok"),
    (
        "nhs-full-width",
        "NHS \uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19 ok",
        "NHS [NHS number] ok",
    ),
    (
        "nhs-full-width-run",
        "NHS \uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",
        "NHS [NHS number]",
    ),
    ("nhs-bad-check-dots", "ref 943.476.5918 ok", "ref 943.476.5918 ok"),
    ("phone-dots", "ring 07700.900.123 now", "ring [phone] now"),
    ("phone-44-no-plus", "ring 447700 900123 now", "ring [phone] now"),
    ("phone-44-landline", "ring 44 20 7946 0958 now", "ring [phone] now"),
    ("email-brackets", "s.jones [at] nhs.net please", "[email] please"),
    ("email-parens", "s.jones (at) nhs.net please", "[email] please"),
    ("email-spaced", "s.jones @ nhs.net please", "[email] please"),
    ("email-full-width", "s.jones\uff20nhs.net please", "[email] please"),
    ("email-dot-word", "s.jones [at] nhs [dot] net please", "[email] please"),
    ("postcode-hyphen", "lives at SW1A-1AA now", "lives at [postcode] now"),
    ("dr-dot-surname", "Dr. Okonkwo was kind", "Dr. [name] was kind"),
    ("mrs-surname", "Mrs Abernethy-Clarke rang", "Mrs [name] rang"),
    ("surname-forename", "Jones, Sarah was my nurse", "[name] was my nurse"),
    ("keep-version", "version 3.1.2 of the app", "version 3.1.2 of the app"),
    ("keep-at-sign", "meet at 3 @ home", "meet at 3 @ home"),
    ("keep-times", "1.5 mg at 10.30 and 22.15", "1.5 mg at 10.30 and 22.15"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [case[1:] for case in IDENTIFIER_VARIANTS],
    ids=[case[0] for case in IDENTIFIER_VARIANTS],
)
def test_identifier_variants_are_redacted(text, expected):
    assert redact(text) == expected


# ---------------------------------------------------------------- free text reaching outputs
# Identifiers planted in every free-text field that reaches a report: action descriptions and
# owners (HTML tables and the XLSX action plan), study name and organisation (mastheads).
PLANTED = {
    "phone": "07700 900123",
    "email": "s.jones [at] nhs.net",
    "nhs": "943 476 5919",
    "postcode": "SW1A-1AA",
    "name": "Okonkwo",
}


def _actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": ["A1", "A2"],
            "job_id": ["gain_clarity", "feel_heard"],
            "description": [
                f"Call back on {PLANTED['phone']} or {PLANTED['email']}",
                f"Bedside rounds led by Dr {PLANTED['name']} (NHS {PLANTED['nhs']})",
            ],
            "owner": [f"Sister {PLANTED['name']}", f"Ward 3, {PLANTED['postcode']}"],
            "started": pd.to_datetime(["2024-03-01", "2024-05-01"]),
            "status": ["done", "planned"],
        }
    )


def _leaks(text: str) -> list[str]:
    return [kind for kind, value in PLANTED.items() if value in text]


FREE_TEXT_OUTPUTS = [
    ("action-plan", "plan"),
    ("close-the-loop", "loop"),
    ("action-plan-xlsx", "xlsx"),
    ("index-masthead", "index"),
]


@pytest.mark.parametrize(
    "where", [c[1] for c in FREE_TEXT_OUTPUTS], ids=[c[0] for c in FREE_TEXT_OUTPUTS]
)
def test_no_planted_identifier_reaches_an_output(where, tmp_path):
    from jtbd_methods import recovery, render

    actions = _actions()
    before = actions.copy()
    priorities = pd.DataFrame(
        {"job_id": ["gain_clarity", "feel_heard"], "priority": [2.0, 1.0], "rank": [1, 2]}
    )
    if where == "plan":
        shown = recovery.action_plan(priorities, actions).to_string()
    elif where == "loop":
        shown = recovery.close_the_loop(actions).to_string()
    elif where == "xlsx":
        plan = recovery.action_plan(priorities, actions)
        path = recovery.export_action_plan(
            pd.DataFrame({"job_id": ["x"]}), plan, tmp_path / "p.xlsx"
        )
        book = openpyxl.load_workbook(path)
        shown = " ".join(
            str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
        )
    else:
        manifest = {
            "run_id": "r1",
            "started": "2024-06-01T10:00:00",
            "study": {
                "name": f"Audit, contact {PLANTED['email']}",
                "organisation": f"Trust, {PLANTED['phone']}, {PLANTED['postcode']}",
            },
            "notebooks": [],
        }
        shown = render.render_index(manifest, tmp_path)
    assert _leaks(shown) == []
    assert "Dr [name]" in shown or where == "index"
    pd.testing.assert_frame_equal(actions, before)  # inputs never modified


# ---------------------------------------------------------------- overview: no recoverable cell
def _audit(cells: pd.DataFrame, hidden: pd.DataFrame, totals: list[tuple[np.ndarray, float]]):
    """Feasible range of every hidden cell given the shown cells and published totals.

    ``cells`` holds the true counts, ``hidden`` where they are not shown, ``totals`` pairs of
    (0/1 mask over the cells, published value). Returns [(label, low, high)] of hidden cells.
    """
    values = cells.to_numpy(dtype=float).ravel()
    hide = hidden.to_numpy().ravel()
    unknown = np.flatnonzero(hide)
    a_eq, b_eq = [], []
    for mask, value in totals:
        mask = np.asarray(mask, dtype=float).ravel()
        a_eq.append(mask[unknown])
        b_eq.append(value - mask[~hide] @ values[~hide])
    ranges = []
    for k, cell in enumerate(unknown):
        c = np.zeros(len(unknown))
        c[k] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status == 0
        ranges.append((cell, low.fun, -high.fun))
    return ranges


def _feedback(seed: int, sizes: list[int], n_months: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sites = np.repeat([f"S{k}" for k in range(len(sizes))], sizes)
    months = rng.integers(0, n_months, size=len(sites))
    ratings = rng.choice(
        [1, 2, 3, 4, 5, None], p=[0.05, 0.05, 0.1, 0.3, 0.45, 0.05], size=len(sites)
    )
    return pd.DataFrame(
        {
            "site": sites,
            "received": pd.Timestamp("2024-01-01") + pd.to_timedelta(months * 31, unit="D"),
            "rating": pd.array(ratings, dtype="Int64"),
        }
    )


# (id, seed, comments per site, months, min_cell_size): the reported attack (one tiny site
# among large ones), several small sites, and sparse monthly tables.
OVERVIEW_CASES = [
    ("one-tiny-site", 1, [400, 350, 3], 1, 10),
    ("two-tiny-sites", 2, [200, 4, 6, 150], 3, 10),
    ("sparse-months", 3, [40, 25, 12], 6, 10),
    ("single-site", 4, [25], 3, 10),
    ("min-cell-5", 5, [30, 8, 60, 2], 4, 5),
]


@pytest.mark.parametrize(
    ("seed", "sizes", "n_months", "min_cell_size"),
    [c[1:] for c in OVERVIEW_CASES],
    ids=[c[0] for c in OVERVIEW_CASES],
)
def test_overview_tables_leave_no_hidden_count_recoverable_from_a_total(
    seed, sizes, n_months, min_cell_size
):
    from jtbd_methods.overview import rating_distribution, responses_by_period

    fb = _feedback(seed, sizes, n_months)
    total = len(fb)  # published as comments.n
    m = min_cell_size
    # 1. sites x ratings (wide table: n per site and shares); overall distribution and total
    wide = rating_distribution(fb, by="site", wide=True, min_cell_size=m).set_index("site")
    overall = rating_distribution(fb, min_cell_size=m).set_index("rating")
    labels = ["1", "2", "3", "4", "5", "missing"]
    cells = pd.crosstab(fb["site"], fb["rating"].astype("string").fillna("missing")).reindex(
        columns=labels, fill_value=0
    )
    hidden = wide[labels].isna() & (cells > 0) | wide[labels].isna()
    totals = [(np.ones(cells.shape), total)]
    for site in cells.index:
        if pd.notna(wide.loc[site, "n"]):
            totals.append(
                ((cells.index == site)[:, None] * np.ones(cells.shape), wide.loc[site, "n"])
            )
    for rating in labels:
        if pd.notna(overall.loc[rating, "n"]):
            mask = np.zeros(cells.shape)
            mask[:, labels.index(rating)] = 1
            totals.append((mask, overall.loc[rating, "n"]))
    for cell, low, high in _audit(cells, hidden, totals):
        if cells.to_numpy().ravel()[cell] > 0:
            assert high - low >= 1, f"rating cell {cell} pinned to {low}"
    # 2. periods x sites, with the period totals of the same call without groups
    by_period = responses_by_period(fb, by="site", min_cell_size=m)
    period_total = responses_by_period(fb, by=None, min_cell_size=m).set_index("period")
    cells = by_period.assign(true=by_period["n"]).pivot(
        index="period", columns="site", values="true"
    )
    truth = fb.groupby([fb["received"].dt.to_period("M").dt.start_time, "site"]).size()
    cells = truth.unstack(fill_value=0).reindex(
        index=cells.index, columns=cells.columns, fill_value=0
    )
    hidden = by_period.pivot(index="period", columns="site", values="suppressed").astype(bool)
    totals = [(np.ones(cells.shape), total)]
    for period in cells.index:
        if pd.notna(period_total.loc[period, "n"]):
            totals.append(
                (
                    (cells.index == period)[:, None] * np.ones(cells.shape),
                    period_total.loc[period, "n"],
                )
            )
    for cell, low, high in _audit(cells, hidden, totals):
        if cells.to_numpy().ravel()[cell] > 0:
            assert high - low >= 1, f"period cell {cell} pinned to {low}"
    # 3. the periods alone, against the total
    single = period_total["n"]
    hidden_single = period_total["suppressed"].to_numpy()
    true_single = (
        fb["received"]
        .dt.to_period("M")
        .dt.start_time.value_counts()
        .reindex(single.index, fill_value=0)
    )
    for cell, low, high in _audit(
        true_single.to_frame(), pd.DataFrame(hidden_single), [(np.ones((len(single), 1)), total)]
    ):
        if true_single.iloc[cell] > 0:
            assert high - low >= 1, f"period {cell} pinned to {low}"


# ---------------------------------------------------------------- quotes, review sheet, uncoded
# Unlisted names and identifier variants planted in comments of a study whose redact_names is
# empty must not reach the quotes (client HTML), the review sheet or the uncoded comments.
PLANTED_IN_COMMENTS = [
    ("Thanks to Priya on reception, no one explained what happens next.", "Priya"),
    ("Dr. Okonkwo listened to me.", "Okonkwo"),
    ("Sister Bernadette listened and explained what happens next.", "Bernadette"),
    ("nurse siobhan was dismissive.", "siobhan"),
    ("Kwame and Olga were dismissive at first, then listened.", "Kwame"),
    ("Kwame and Olga were dismissive at first, then listened.", "Olga"),
    ("Ring 07700.900.123 if no one explained what happens next.", "07700.900.123"),
    ("Email s.jones [at] nhs.net, they listened.", "s.jones [at] nhs.net"),
    ("NHS 943/476/5919, no one explained what happens next.", "943/476/5919"),
    ("Lives at SW1A-1AA; staff listened.", "SW1A-1AA"),
    ("Okafor, Ngozi was dismissive about the parking.", "Ngozi"),
    ("Ask for Deepak, he was lovely about the parking.", "Deepak"),
]


def test_no_planted_unlisted_name_or_identifier_reaches_quotes_review_or_uncoded(make_study):
    from jtbd_methods import coding, review
    from jtbd_methods.study import load_study

    rows = [
        f'C{k},2024-0{1 + k % 9}-1{k % 9},North,Surgery,{1 + k % 5},"{text}"'
        for k, (text, _) in enumerate(PLANTED_IN_COMMENTS)
    ]
    feedback = "comment_id,received,site,service,rating,comment\n" + "\n".join(rows) + "\n"
    study = load_study(make_study(feedback__csv=feedback))
    assert study.config.redact_names == () and study.config.redact_unlisted_names
    codes = coding.code_comments(study.feedback, study.codebook)
    outputs = {
        "quotes": coding.job_quotes(codes, study.feedback, n=20, redact=study).to_string(),
        "review": review.review_sheet(
            study.feedback, codes, study.codebook, redact=study
        ).to_string(),
        "uncoded": coding.uncoded_comments(codes, study.feedback, redact=study).to_string(),
    }
    assert "[name]" in outputs["review"] and "[phone]" in outputs["review"]
    leaks = [
        (where, value)
        for where, shown in outputs.items()
        for _, value in PLANTED_IN_COMMENTS
        if value in shown
    ]
    assert leaks == []
