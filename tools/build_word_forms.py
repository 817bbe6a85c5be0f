"""Build ``jtbd_methods/_data/word_forms.json``: the word forms of the shipped codebooks.

:func:`jtbd_methods.lexicon.phrase_variants` matches every inflection of an indicator's
words. LemmInflect gives them, but loading its tables takes a few seconds in every new
process; the forms of the words in the codebooks we ship are therefore computed once, here,
and read from a small table. Words of other codebooks still go to LemmInflect. Run this
after editing a codebook under ``templates/codebooks/`` (a test fails when the table
misses a word of a shipped codebook or disagrees with LemmInflect)::

    .venv/bin/python tools/build_word_forms.py
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from jtbd_methods import lexicon
from jtbd_methods.codebook import load_codebook
from jtbd_methods.coding._common import _normalise_phrase

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "jtbd_methods" / "_data" / lexicon.WORD_FORMS_FILE


def codebook_words() -> list[str]:
    """The words of every indicator phrase of the shipped codebooks that get inflected."""
    words: set[str] = set()
    for path in sorted((ROOT / "templates" / "codebooks").glob("*.yaml")):
        for job in load_codebook(path).jobs:
            for indicator in job.indicators:
                for word in _normalise_phrase(indicator.phrase).split(" "):
                    if "*" in word or len(word) < 3 or not word.isalpha():
                        continue
                    if word not in lexicon._FUNCTION_WORDS:
                        words.add(word)
    return sorted(words)


def main() -> None:
    forms = {word: list(lexicon.lemminflect_forms(word)) for word in codebook_words()}
    rows = ",\n".join(f"  {json.dumps(w)}: {json.dumps(f)}" for w, f in forms.items())
    built = json.dumps(f"lemminflect {version('lemminflect')}")
    OUT.write_text(f'{{"built_with": {built},\n "forms": {{\n{rows}\n}}}}\n', encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(forms)} words")


if __name__ == "__main__":
    main()
