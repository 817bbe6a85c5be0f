"""The word lists and the non-answer test of :mod:`jtbd_methods.lexicon`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from jtbd_methods import lexicon


def _one_by_one(values: list[object]) -> np.ndarray:
    """The rule of :func:`lexicon.non_answers` written plainly with Python's ``re``: the
    reference the vectorised (pyarrow/RE2) version must agree with."""
    out = []
    for v in values:
        if not isinstance(v, str):
            out.append(True)
            continue
        if len(v) > lexicon._NON_ANSWER_MAX:
            out.append(False)
            continue
        clean = " ".join(v.lower().translate(lexicon._NON_ANSWER_TABLE).split())
        out.append(clean == "" or bool(lexicon.NON_ANSWER_PATTERN.fullmatch(clean)))
    return np.array(out, dtype=bool)


CASES = [
    "Nothing.", "N/A", "n / a", "can't think of anything", "Can\u2019t think of anything else",
    "All of it!", "everything", "-", "- ", "--", "?", "x", "9", "\u0663", "  ", "\u3000",
    "\tnothing\n", "No comment", "did not answer", "Nothing to improve, the staff were lovely",
    "The nurse listened to me", "ok", "OK!!", "fine", "İ", "", "nothing" * 20, "Keep up the good work",
    "i don't know", "I dont know what to say about the parking",
]  # fmt: skip


def test_vectorised_non_answers_agree_with_the_plain_rule():
    values: list[object] = [*CASES, None, float("nan"), 3]
    expected = _one_by_one(values)
    assert lexicon.non_answers(values).tolist() == expected.tolist()
    # the same through an arrow-backed text column and an object column
    as_text = pd.Series(CASES, dtype="str")
    assert lexicon.non_answers(as_text).tolist() == _one_by_one(CASES).tolist()
    assert lexicon.non_answers(pd.Series(values, dtype=object)).tolist() == expected.tolist()
    assert expected[CASES.index("Nothing to improve, the staff were lovely")] == np.False_
    assert expected[CASES.index("\u0663")]  # a digit in any script is a number alone


@given(
    st.lists(
        st.text(alphabet="nothig /a-?.*x'\u2019 \t\n\u3000\u00a0NOTHIG\u0663okfe,!;", max_size=14)
    )
)
def test_non_answers_agree_on_generated_text(values):
    assert lexicon.non_answers(values).tolist() == _one_by_one(values).tolist()


def test_non_answers_of_nothing():
    assert lexicon.non_answers([]).shape == (0,)
    assert lexicon.non_answers(pd.Series([], dtype="str")).shape == (0,)


def test_shipped_word_forms_are_current():
    """The table of word forms covers every word of the shipped codebooks and holds what
    LemmInflect gives (rebuild it with tools/build_word_forms.py after a codebook change)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build", root / "tools" / "build_word_forms.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    table = lexicon._shipped_word_forms()
    words = build.codebook_words()
    assert len(words) > 500
    missing = [w for w in words if w not in table]
    assert not missing, f"rebuild the word forms: {missing[:10]}"
    stale = [w for w in words if table[w] != lexicon.lemminflect_forms(w)]
    assert not stale, f"rebuild the word forms: {stale[:10]}"


def test_words_outside_the_table_still_get_their_forms():
    assert "triaged" not in lexicon._shipped_word_forms()
    assert lexicon._word_forms("reassure") == ("reassure", "reassured", "reassures", "reassuring")
    forms = lexicon._word_forms("triaged")  # not in the table: LemmInflect is asked
    assert "triage" in forms and "triaging" in forms
