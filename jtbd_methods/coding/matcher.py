"""The compiled matcher: a codebook's indicators and the word lists in one Aho-Corasick automaton."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick
import numpy as np

from jtbd_methods.codebook import Codebook
from jtbd_methods.coding._common import (
    _POLAR_PHRASE_VALENCE,
    _POLARITY_CODE,
    _ROLE_BOOSTER,
    _ROLE_CLAUSE,
    _ROLE_CONTRAST,
    _ROLE_INDICATOR,
    _ROLE_NEGATION,
    _ROLE_OPENING,
    _ROLE_PSEUDO,
    _ROLE_SENTIMENT,
    _is_word_char,
    _normalise_phrase,
)
from jtbd_methods.lexicon import (
    BOOSTER_WORDS,
    CLAUSE_WORDS,
    CONTRAST_WORDS,
    NEGATION_CUES,
    PSEUDO_NEGATIONS,
    REQUEST_OPENING_VALENCE,
    REQUEST_OPENINGS,
    phrase_variants,
    sentiment_lexicon,
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    role: int
    pattern: int
    check_left: bool
    check_right: bool
    extend_left: bool
    extend_right: bool
    regex: re.Pattern[str] | None


class CompiledCodebook:
    """A codebook's indicators and the word lists compiled into one multi-pattern matcher.

    Build it with :func:`compile_codebook`; pass it to :func:`code_comments` instead of a
    :class:`~jtbd_methods.codebook.Codebook` to reuse it across calls or ship it to Dask
    workers (it pickles).

    Attributes
    ----------
    job_ids : tuple of str
        Job ids in codebook order.
    phrases : tuple of str
        Indicator phrases as written in the codebook (reported in the ``phrase`` column).
    n_keys : int
        Number of distinct literal keys in the automaton (word forms included).
    """

    def __init__(
        self,
        job_ids: tuple[str, ...],
        patterns: list[tuple[str, int, int, int, float]],
        *,
        inflect: bool = True,
    ) -> None:
        # patterns: (phrase as written, role, job index or -1, polarity code, valence)
        self.job_ids = job_ids
        # the matcher is a function of its inputs alone: their digest is a stable Dask token
        # (the Aho-Corasick automaton itself cannot be hashed deterministically)
        self._token = hashlib.sha256(
            json.dumps([list(job_ids), [list(p) for p in patterns], inflect]).encode("utf-8")
        ).hexdigest()
        self._phrase = np.array([p[0] for p in patterns], dtype=object)
        self._role = np.array([p[1] for p in patterns], dtype=np.int8)
        self._job = np.array([p[2] for p in patterns], dtype=np.int32)
        self._polarity = np.array([p[3] for p in patterns], dtype=np.int8)
        self._valence = np.array([p[4] for p in patterns], dtype=float)
        self.phrases = tuple(
            p[0] for p, r in zip(patterns, self._role, strict=True) if r == _ROLE_INDICATOR
        )
        keys: dict[str, list[_Entry]] = {}
        for index, (phrase, role, _job, _pol, _val) in enumerate(patterns):
            norm = _normalise_phrase(phrase)
            forms = phrase_variants(norm) if inflect and role == _ROLE_INDICATOR else [norm]
            for form in forms:
                key, entry = _compile_pattern(form, role, index)
                if key:
                    keys.setdefault(key, []).append(entry)
        key_list = sorted(keys)
        self.n_keys = len(key_list)
        entries = [e for k in key_list for e in keys[k]]
        counts = np.array([len(keys[k]) for k in key_list], dtype=np.int64)
        self._key_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._key_len = np.array([len(k) for k in key_list], dtype=np.int64)
        self._entry_role = np.array([e.role for e in entries], dtype=np.int8)
        self._entry_pattern = np.array([e.pattern for e in entries], dtype=np.int64)
        self._entry_left = np.array([e.check_left for e in entries], dtype=bool)
        self._entry_right = np.array([e.check_right for e in entries], dtype=bool)
        self._entry_extend_left = np.array([e.extend_left for e in entries], dtype=bool)
        self._entry_extend_right = np.array([e.extend_right for e in entries], dtype=bool)
        self._entry_regex = [e.regex for e in entries]
        self._entry_complex = np.array([e.regex is not None for e in entries], dtype=bool)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for i, key in enumerate(key_list):
            automaton.add_word(key, i)
        automaton.make_automaton()
        self._automaton = automaton

    def __dask_tokenize__(self) -> str:
        return self._token

    def __repr__(self) -> str:
        return (
            f"CompiledCodebook({len(self.job_ids)} jobs, {len(self.phrases)} indicators, "
            f"{self.n_keys} keys)"
        )


def _wildcard_regex(norm: str, extend_left: bool, extend_right: bool) -> re.Pattern[str]:
    """A regular expression for a phrase with ``*`` inside a word, matching in linear time.

    ``*`` stands for any run of word characters, so a wildcard never leaves its word: the
    word must start with the first literal piece, hold the middle pieces in order and end
    with the last one. Each middle piece is found at its leftmost place and kept there (an
    atomic group; leftmost is always best, since it leaves the most room for what follows),
    so no backtracking is exponential: ``a*a*a*a*a*a*a*a*a*a*a*q`` is checked in time
    proportional to the length of the word it is tried on.
    """
    pieces = norm.split("*")
    body = [re.escape(pieces[0])]
    for i, piece in enumerate(pieces[1:], start=1):
        last = i == len(pieces) - 1
        if not piece:  # a trailing "*" (or "**"): the rest of the word
            body.append(r"\w*")
        elif last and not extend_right:
            body.append(r"\w*" + re.escape(piece))  # the end of the word: one greedy run
        else:
            body.append(r"(?>\w*?" + re.escape(piece) + ")")
    inner = norm.strip("*")
    left = "" if extend_left or not _is_word_char(inner[0]) else r"(?<!\w)"
    right = "" if extend_right or not _is_word_char(inner[-1]) else r"(?!\w)"
    return re.compile(left + "".join(body) + right)


def _compile_pattern(norm: str, role: int, index: int) -> tuple[str, _Entry]:
    """Turn one normalised phrase into an automaton key and how to verify a hit of it."""
    extend_left = norm.startswith("*")
    extend_right = norm.endswith("*")
    inner = norm.strip("*")
    if not inner:
        return "", _Entry(role, index, False, False, False, False, None)
    if "*" in inner:
        segments = [s for s in inner.split("*") if s]
        key = max(segments, key=len)
        regex = _wildcard_regex(norm, extend_left, extend_right)
        return key, _Entry(role, index, False, False, False, False, regex)
    check_left = not extend_left and _is_word_char(inner[0])
    check_right = not extend_right and _is_word_char(inner[-1])
    return inner, _Entry(role, index, check_left, check_right, extend_left, extend_right, None)


def compile_codebook(
    codebook: Codebook,
    *,
    negation_cues: Sequence[str] = NEGATION_CUES,
    pseudo_negations: Sequence[str] = PSEUDO_NEGATIONS,
    sentiment: Mapping[str, float] | None = None,
    boosters: Mapping[str, float] = BOOSTER_WORDS,
    clause_words: Sequence[str] = CLAUSE_WORDS,
    contrast_words: Sequence[str] = CONTRAST_WORDS,
    inflect: bool = True,
) -> CompiledCodebook:
    """Compile a codebook's indicator phrases and the word lists into one matcher.

    Parameters
    ----------
    codebook : Codebook
        Jobs with their indicator phrases (``*`` is a wildcard for word characters).
    negation_cues, pseudo_negations : sequence of str
        Negation cues and phrases that hold one without negating (defaults:
        :data:`~jtbd_methods.lexicon.NEGATION_CUES`, :data:`~jtbd_methods.lexicon.PSEUDO_NEGATIONS`).
    sentiment : mapping of str to float, optional
        Word or phrase to valence (-4 to +4); default
        :func:`~jtbd_methods.lexicon.sentiment_lexicon` (VADER adapted to patient feedback).
    boosters : mapping of str to float
        Intensifiers and dampeners with their increments (VADER's booster words).
    clause_words, contrast_words : sequence of str
        Words that end a clause; the subset whose following clause outweighs the preceding
        one ("but").
    inflect : bool, default True
        Match every inflected form of each indicator word (:func:`~jtbd_methods.lexicon.
        phrase_variants`): "listen" also matches "listened", "listening", "listens".

    Returns
    -------
    CompiledCodebook

    Raises
    ------
    TypeError
        If ``codebook`` is not a :class:`~jtbd_methods.codebook.Codebook`.
    ValueError
        If a word list holds an empty entry.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [
    ...     {"id": "gain_clarity", "label": "Understand", "indicators": ["explain*"]}]})
    >>> compile_codebook(cb).job_ids
    ('gain_clarity',)
    """
    if not isinstance(codebook, Codebook):
        raise TypeError(
            "The 'codebook' parameter of compile_codebook must be a Codebook (see "
            f"jtbd_methods.codebook.load_codebook); got {type(codebook).__name__}."
        )
    patterns: list[tuple[str, int, int, int, float]] = []
    for j, job in enumerate(codebook.jobs):
        for ind in job.indicators:
            pol = _POLARITY_CODE[ind.polarity]
            patterns.append((ind.phrase, _ROLE_INDICATOR, j, pol, pol * _POLAR_PHRASE_VALENCE))
    patterns += _word_list_patterns(
        negation_cues=negation_cues,
        pseudo_negations=pseudo_negations,
        sentiment=sentiment_lexicon() if sentiment is None else dict(sentiment),
        boosters=boosters,
        clause_words=clause_words,
        contrast_words=contrast_words,
    )
    return CompiledCodebook(tuple(codebook.job_ids), patterns, inflect=inflect)


def _word_list_patterns(
    *,
    negation_cues: Sequence[str],
    pseudo_negations: Sequence[str],
    sentiment: Mapping[str, float],
    boosters: Mapping[str, float],
    clause_words: Sequence[str],
    contrast_words: Sequence[str],
    openings: Sequence[str] = REQUEST_OPENINGS,
) -> list[tuple[str, int, int, int, float]]:
    """The matcher patterns of the word lists: (word, role, no job, no polarity, valence)."""
    patterns: list[tuple[str, int, int, int, float]] = []
    lexicon = sentiment
    contrast = set(contrast_words)
    words: list[tuple[Any, int, Any]] = [(w, _ROLE_NEGATION, 0.0) for w in negation_cues]
    words += [(w, _ROLE_PSEUDO, 0.0) for w in pseudo_negations]
    words += [(w, _ROLE_SENTIMENT, v) for w, v in lexicon.items()]
    words += [(w, _ROLE_BOOSTER, v) for w, v in boosters.items()]
    words += [(w, _ROLE_OPENING, REQUEST_OPENING_VALENCE) for w in openings]
    words += [
        (w, _ROLE_CONTRAST if w in contrast else _ROLE_CLAUSE, 0.0)
        for w in dict.fromkeys([*clause_words, *contrast_words])
    ]
    for w, role, valence in words:
        if not isinstance(w, str) or not w.replace("*", "").strip():
            raise ValueError(
                f"compile_codebook: word-list entries must be non-empty phrases; got {w!r}."
            )
        patterns.append((w, role, -1, 0, float(valence)))
    return patterns


@functools.cache
def _sentiment_matcher() -> CompiledCodebook:
    """The default word lists alone (no job), to read the sentiment of whole comments."""
    patterns = _word_list_patterns(
        negation_cues=NEGATION_CUES,
        pseudo_negations=PSEUDO_NEGATIONS,
        sentiment=sentiment_lexicon(),
        boosters=BOOSTER_WORDS,
        clause_words=CLAUSE_WORDS,
        contrast_words=CONTRAST_WORDS,
    )
    return CompiledCodebook((), patterns)
