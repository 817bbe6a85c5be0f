"""Coding free-text comments into jobs: deductive (codebook indicators) and supervised.

Two complementary coders turn patient comments into the jobs they are evidence of.

* **Deductive** (:func:`code_comments`): every indicator phrase of the codebook is compiled
  once into a single Aho-Corasick automaton [1]_ together with a small lexicon of negation
  cues [2]_, sentiment cues and clause boundaries. One pass over all comments finds every
  phrase; word boundaries, ``*`` wildcards, negation scope and polarity are then resolved with
  vectorised array operations, never with a Python loop over jobs. The result is a long table
  of codes with the evidence span of each.
* **Supervised** (:class:`TextCoder`): learns a coding frame from hand-coded comments (any label
  set) with TF-IDF word and character n-grams, a class-balanced linear SVM, Platt-calibrated
  probabilities and per-label thresholds tuned by inner cross-validation [3]_ [4]_.

:func:`coded_matrix` and :func:`job_shares` turn the long table into the 0/1 matrix that
reliability statistics need and into job frequencies with Wilson intervals.

References
----------
.. [1] Aho, A. V., & Corasick, M. J. (1975). Efficient string matching: an aid to bibliographic
   search. *Communications of the ACM*, 18(6), 333-340.
.. [2] Chapman, W. W., Bridewell, W., Hanbury, P., Cooper, G. F., & Buchanan, B. G. (2001). A
   simple algorithm for identifying negated findings and diseases in discharge summaries.
   *Journal of Biomedical Informatics*, 34(5), 301-310 (NegEx: negation cues, pseudo-negations
   and scope terminated by conjunctions and punctuation).
.. [3] Platt, J. C. (1999). Probabilistic outputs for support vector machines and comparisons to
   regularized likelihood methods. In *Advances in Large Margin Classifiers* (pp. 61-74). MIT
   Press.
.. [4] Lipton, Z. C., Elkan, C., & Naryanaswamy, B. (2014). Optimal thresholding of classifiers
   to maximize F1 measure. In *Machine Learning and Knowledge Discovery in Databases (ECML PKDD
   2014)*, LNCS 8725 (pp. 225-239). Springer.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np
import pandas as pd

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.codebook import Codebook
from jtbd_methods.errors import JTBDError

__all__ = [
    "CLAUSE_WORDS",
    "NEGATION_CUES",
    "NEGATIVE_CUES",
    "POSITIVE_CUES",
    "PSEUDO_NEGATIONS",
    "CoderEvaluation",
    "CodingInputError",
    "CompiledCodebook",
    "POLARITIES",
    "POLARITY_SOURCES",
    "NgramTfidf",
    "TextCoder",
    "code_comments",
    "code_study",
    "coded_matrix",
    "compile_codebook",
    "evaluate_codes",
    "evaluate_coder_file",
    "job_quotes",
    "job_shares",
    "record_job_shares",
    "shares_for_report",
    "polarity_sources",
    "question_priors",
    "substantive",
    "uncoded_comments",
]

_log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------- lexicons
# the word lists live in jtbd_methods.lexicon; they are re-exported here for compatibility
from jtbd_methods.lexicon import (  # noqa: E402
    BOOSTER_WORDS,
    CAPS_EMPHASIS,
    CLAUSE_WORDS,
    CONTRAST_AFTER,
    CONTRAST_BEFORE,
    CONTRAST_WORDS,
    NEGATION_CUES,
    NEGATION_SCALAR,
    NEGATIVE_CUES,
    POSITIVE_CUES,
    PSEUDO_NEGATIONS,
    REQUEST_OPENING_VALENCE,
    REQUEST_OPENINGS,
    non_answers,
    phrase_variants,
    sentiment_lexicon,
)

_CLAUSE_PUNCTUATION = ".,;:!?()[]{}\u2013\u2014\u2026\n\r\u2028\u2029\x85\x00"
_SEP = "\x00"
_QUOTES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"}

(
    _ROLE_INDICATOR,
    _ROLE_NEGATION,
    _ROLE_PSEUDO,
    _ROLE_SENTIMENT,
    _ROLE_BOOSTER,
    _ROLE_CLAUSE,
    _ROLE_CONTRAST,
    _ROLE_OPENING,
) = range(8)
_POLARITY_CODE = {"disrupted": -1, "fulfilled": 1, None: 0}
_CODE_COLUMNS = (
    "comment_id",
    "job_id",
    "polarity",
    "polarity_source",
    "source",
    "probability",
    "phrase",
    "start",
    "end",
)
_ENGINES = ("pandas", "dask")
#: Polarity of a code: the job disrupted, fulfilled, or not readable from the words.
POLARITIES = ("disrupted", "fulfilled", "unclear")
_POLARITIES = POLARITIES
_BY_SIGN = np.array(["unclear", "fulfilled", "disrupted"], dtype=object)  # index sign % 3
#: Where a code's polarity came from, in the order they are consulted.
POLARITY_SOURCES = ("phrase", "negation", "sentiment", "question", "rating", "none")
(_SRC_PHRASE, _SRC_NEGATION, _SRC_SENTIMENT, _SRC_QUESTION, _SRC_RATING, _SRC_NONE) = range(6)
_PRIOR_CODE = {"positive": 1, "negative": -1, "neutral": 0}
#: Net clause valence below which wording is taken as silent (or mixed).
SENTIMENT_THRESHOLD = 0.3
#: Net valence of the other words of a clause that overrules a phrase's own polarity.
OVERRULE_THRESHOLD = 1.0
#: Valence a polar indicator phrase adds to its clause; a negation cue that negates nothing.
_POLAR_PHRASE_VALENCE = 2.0
_FREE_NEGATION_VALENCE = -1.0
_SENTENCE_PUNCTUATION = ".!?\n\r\u2028\u2029\x85\x00"

_ASCII_WORD = np.array([chr(c).isalnum() or c == 95 for c in range(256)], dtype=bool)
_ASCII_CLAUSE = np.zeros(256, dtype=bool)
_ASCII_CLAUSE[[ord(c) for c in _CLAUSE_PUNCTUATION if ord(c) < 256]] = True
_CLAUSE_CODEPOINTS = np.array(sorted(ord(c) for c in _CLAUSE_PUNCTUATION), dtype=np.uint32)
_SENTENCE_CODEPOINTS = np.array(sorted(ord(c) for c in _SENTENCE_PUNCTUATION), dtype=np.uint32)
_ASCII_SENTENCE = np.zeros(256, dtype=bool)
_ASCII_SENTENCE[[ord(c) for c in _SENTENCE_PUNCTUATION if ord(c) < 256]] = True


def _normalise_phrase(phrase: str) -> str:
    """Lower-case a phrase, unify apostrophes and collapse whitespace (as the text is)."""
    text = phrase.replace("\u0130", "I").lower()
    for old, new in _QUOTES.items():
        text = text.replace(old, new)
    return " ".join(text.split())


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


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


def _comment_scores(texts: list[str], *, negation_window: int = 3) -> np.ndarray:
    """Net sentiment of each whole comment, by the coder's lexicon and rules."""
    if not texts:
        return np.zeros(0)
    nan = np.full(len(texts), np.nan)
    raw = _match_texts(
        texts, nan, np.zeros(len(texts), dtype=np.int8), _sentiment_matcher(),
        negation_window=negation_window,
    )  # fmt: skip
    return raw.row_score


# ------------------------------------------------------------------------ the matching core
def _expand(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR expansion: for each row r, the items ptr[r]..ptr[r+1]; returns (owner, item)."""
    counts = ptr[rows + 1] - ptr[rows]
    owner = np.repeat(np.arange(rows.size), counts)
    first = np.repeat(ptr[rows] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return owner, first + np.arange(owner.size)


def _codepoints(text: str) -> np.ndarray:
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _word_mask(cp: np.ndarray) -> np.ndarray:
    if cp.dtype == np.uint8:
        return _ASCII_WORD[cp]
    small = cp < 256
    out = np.zeros(cp.shape, dtype=bool)
    out[small] = _ASCII_WORD[cp[small]]
    big = ~small
    if big.any():
        values, inverse = np.unique(cp[big], return_inverse=True)
        flags = np.array([_is_word_char(chr(int(v))) for v in values], dtype=bool)
        out[big] = flags[inverse]
    return out


def _sentence_mask(cp: np.ndarray) -> np.ndarray:
    if cp.dtype == np.uint8:
        return _ASCII_SENTENCE[cp]
    return np.isin(cp, _SENTENCE_CODEPOINTS)


def _clause_mask(cp: np.ndarray) -> np.ndarray:
    if cp.dtype == np.uint8:
        return _ASCII_CLAUSE[cp]
    return np.isin(cp, _CLAUSE_CODEPOINTS)


def _lower_keep_length(text: str) -> str:
    low = text.replace("\u0130", "I").lower()
    if len(low) != len(text):  # a character whose lower case is longer: keep it as it is
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low


_MIN_PARALLEL_CHUNK = 50_000


def _workers(n_jobs: int) -> int:
    """Threads for ``n_jobs`` (-1: the cores this process may use)."""
    if n_jobs != -1:
        return n_jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _lexsort_small(keys: Sequence[np.ndarray]) -> np.ndarray:
    """:func:`numpy.lexsort` of non-negative integer keys (last key primary), packed into one
    64-bit key and sorted once when their ranges fit (several times faster)."""
    widths = [int(k.max(initial=0)).bit_length() for k in keys]
    if sum(widths) > 63 or any(k.size and k.min() < 0 for k in keys):
        return np.lexsort(keys)
    packed = np.zeros(keys[0].size, dtype=np.uint64)
    shift = 0
    for key, width in zip(keys, widths, strict=True):
        packed |= key.astype(np.uint64) << np.uint64(shift)
        shift += width
    return np.argsort(packed, kind="stable")


def _code_table(mapping: Mapping[str, str]) -> tuple[np.ndarray, dict[int, int]]:
    """A code-point translation: a 256-entry table and the few larger code points."""
    table = np.arange(256, dtype=np.uint32)
    big: dict[int, int] = {}
    for old, new in mapping.items():
        if ord(old) < 256:
            table[ord(old)] = ord(new)
        else:
            big[ord(old)] = ord(new)
    return table, big


def _map_codepoints(cp: np.ndarray, table: np.ndarray, big: Mapping[int, int]) -> np.ndarray:
    """Translate code points (a new array; one table look-up, not a Python loop)."""
    if cp.dtype == np.uint8:  # ASCII text: every key below 128 maps below 128
        return table.astype(np.uint8)[cp]
    out = cp.copy()
    small = cp < 256
    out[small] = table[cp[small]]
    if big:
        keys = np.fromiter(big, dtype=np.uint32)
        hit = np.isin(cp, keys)
        if hit.any():
            values = np.fromiter(big.values(), dtype=np.uint32)
            order = np.argsort(keys)
            out[hit] = values[order][np.searchsorted(keys[order], cp[hit])]
    return out


_QUOTE_TABLE, _QUOTE_BIG = _code_table(_QUOTES)
# every character str.split() treats as whitespace becomes a plain space
_SPACE_TABLE, _SPACE_BIG = _code_table(
    {chr(c): " " for c in range(0x3001) if chr(c).isspace() and chr(c) != " "}
)


@dataclass
class _RawCodes:
    row: np.ndarray
    job: np.ndarray
    sign: np.ndarray  # -1 disrupted, +1 fulfilled, 0 unclear
    source: np.ndarray  # index into POLARITY_SOURCES
    pattern: np.ndarray
    start: np.ndarray
    end: np.ndarray
    row_score: np.ndarray  # net sentiment of each comment of the chunk


def _match_texts(
    texts: list[str],
    ratings: np.ndarray,
    priors: np.ndarray,
    matcher: CompiledCodebook,
    *,
    negation_window: int,
) -> _RawCodes:
    """Code a list of comments; the vectorised heart of :func:`code_comments`."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    if n > 1:
        starts[1:] = np.cumsum(lengths + 1)[:-1]
    joined = _SEP.join(texts)
    norm = _lower_keep_length(joined)
    low = _codepoints(norm)
    # apostrophe variants become "'" (before the masks, like the phrases); then every
    # whitespace character becomes a space, after the clause mask has seen line breaks
    cp = _map_codepoints(low, _QUOTE_TABLE, _QUOTE_BIG)
    size = cp.size
    is_word = _word_mask(cp)
    hard = np.flatnonzero(_clause_mask(cp))
    if size > 2:  # a hyphen with a space on each side is a dash
        dash = np.flatnonzero((cp[1:-1] == 45) & (cp[:-2] == 32) & (cp[2:] == 32)) + 1
        if dash.size:
            hard = np.sort(np.concatenate([hard, dash]), kind="stable")
    spaced = _map_codepoints(cp, _SPACE_TABLE, _SPACE_BIG)
    # collapse runs of spaces so that multi-word phrases match across them; `kept` maps a
    # position of the collapsed text back to the original
    is_space = spaced == 32
    repeat = np.zeros(size, dtype=bool)
    repeat[1:] = is_space[1:] & is_space[:-1]
    kept = None
    if repeat.any():
        kept = np.flatnonzero(~repeat)
        spaced = spaced[kept]
    collapsed = spaced.tobytes().decode("ascii" if spaced.dtype == np.uint8 else "utf-32-le")

    def to_original(pos: np.ndarray) -> np.ndarray:
        return pos if kept is None else kept[pos]

    def to_collapsed(pos: np.ndarray) -> np.ndarray:
        return pos if kept is None else np.searchsorted(kept, pos, side="left")

    flat = np.fromiter(
        itertools.chain.from_iterable(matcher._automaton.iter(collapsed)), dtype=np.int64
    )
    hits = flat.reshape(-1, 2)
    end_c = hits[:, 0] + 1
    key = hits[:, 1]
    start_c = end_c - matcher._key_len[key]
    owner, entry = _expand(matcher._key_ptr, key)
    start_c, end_c = start_c[owner], end_c[owner]
    start = to_original(start_c)
    end = to_original(end_c - 1) + 1

    simple = ~matcher._entry_complex[entry]
    ok = simple.copy()
    e_left = matcher._entry_left[entry]
    e_right = matcher._entry_right[entry]
    before = np.maximum(start - 1, 0)
    ok &= ~e_left | (start == 0) | ~is_word[before]
    after = np.minimum(end, size - 1)
    ok &= ~e_right | (end >= size) | ~is_word[after]
    ext_r = matcher._entry_extend_right[entry] & ok
    ext_l = matcher._entry_extend_left[entry] & ok
    if ext_r.any() or ext_l.any():  # the non-word positions, and the end of the text
        nonword = np.append(np.flatnonzero(~is_word), size)
    if ext_r.any():
        j = np.searchsorted(nonword, end[ext_r])
        end[ext_r] = nonword[j]
    if ext_l.any():
        j = np.searchsorted(nonword, start[ext_l]) - 1
        start[ext_l] = np.where(j >= 0, nonword[np.maximum(j, 0)] + 1, 0)
    parts_start = [start[ok]]
    parts_end = [end[ok]]
    parts_entry = [entry[ok]]

    # wildcard inside a phrase: verify candidate comments with the phrase's regex
    cand = ~simple
    if cand.any():
        c_entry = entry[cand]
        c_row = np.searchsorted(starts, start[cand], side="right") - 1
        pairs = np.unique(np.stack([c_entry, c_row], axis=1), axis=0)
        row_lo = to_collapsed(starts)
        row_hi = to_collapsed(starts + lengths)
        found_s, found_e, found_entry = [], [], []
        for ent, row in pairs:
            rx = matcher._entry_regex[int(ent)]
            for m in rx.finditer(collapsed, int(row_lo[row]), int(row_hi[row])):
                found_s.append(m.start())
                found_e.append(m.end())
                found_entry.append(int(ent))
        if found_s:
            fs = np.array(found_s, dtype=np.int64)
            fe = np.array(found_e, dtype=np.int64)
            parts_start.append(to_original(fs))
            parts_end.append(to_original(fe - 1) + 1)
            parts_entry.append(np.array(found_entry, dtype=np.int64))
    start = np.concatenate(parts_start)
    end = np.concatenate(parts_end)
    entry = np.concatenate(parts_entry)
    role = matcher._entry_role[entry]
    pattern = matcher._entry_pattern[entry]
    row_of = np.searchsorted(starts, start, side="right") - 1

    # clauses end at punctuation, line breaks, comment separators and contrast words;
    # sentences only at . ! ? line breaks and comment separators
    is_clause_word = (role == _ROLE_CLAUSE) | (role == _ROLE_CONTRAST)
    bounds = np.sort(np.concatenate([hard, start[is_clause_word]]), kind="stable")
    clause = np.searchsorted(bounds, start, side="right")
    sent_bounds = np.flatnonzero(_sentence_mask(cp))
    sentence = np.searchsorted(sent_bounds, start, side="right")
    word_starts = np.flatnonzero(is_word & ~np.concatenate([[False], is_word[:-1]]))
    word_first = np.searchsorted(word_starts, start, side="right") - 1
    word_last = np.searchsorted(word_starts, np.maximum(end - 1, 0), side="right") - 1

    def covered_by(candidates: np.ndarray, covers: np.ndarray, *, longer: bool) -> np.ndarray:
        """Whether each hit of ``candidates`` lies inside a hit of ``covers`` (another one,
        strictly longer when ``longer``)."""
        out = np.zeros(role.size, dtype=bool)
        if not candidates.any() or not covers.any():
            return out
        c_idx = np.flatnonzero(covers)
        c_idx = c_idx[np.argsort(start[c_idx], kind="stable")]
        c_start = start[c_idx]
        c_maxend = np.maximum.accumulate(end[c_idx])
        q = np.flatnonzero(candidates)
        # a cover starting at or before the candidate and ending at or after it; with
        # `longer`, one that is not the same span: it starts before and ends at or after, or
        # starts at or before and ends after
        at_or_before = np.searchsorted(c_start, start[q], side="right") - 1
        max_at_or_before = c_maxend[np.maximum(at_or_before, 0)]
        if not longer:
            hit = (at_or_before >= 0) & (max_at_or_before >= end[q])
        else:
            before = np.searchsorted(c_start, start[q], side="left") - 1
            max_before = c_maxend[np.maximum(before, 0)]
            hit = ((before >= 0) & (max_before >= end[q])) | (
                (at_or_before >= 0) & (max_at_or_before > end[q])
            )
        out[q] = hit
        return out

    # negation cues, minus those inside a pseudo-negation or praise idiom ("couldn't fault")
    is_neg = role == _ROLE_NEGATION
    is_pseudo = role == _ROLE_PSEUDO
    is_ind = role == _ROLE_INDICATOR
    is_sent = role == _ROLE_SENTIMENT
    valence = matcher._valence[pattern]
    # a request opening counts only as the first words of its sentence ("To be listened
    # to", "More staff"): no word between the sentence boundary and the hit
    is_open = role == _ROLE_OPENING
    if is_open.any():
        o_idx = np.flatnonzero(is_open)
        s_of = sentence[o_idx]
        s_begin = np.concatenate([[-1], sent_bounds])[s_of] + 1
        first_word = np.searchsorted(word_starts, s_begin, side="left")
        at_start = word_first[o_idx] == first_word
        opening = np.zeros(role.size, dtype=bool)
        opening[o_idx[at_start]] = True
        # the opening replaces the rating of its own words ("Better ..." is a request)
        is_sent = (is_sent & ~covered_by(is_sent, opening, longer=False)) | opening
    phrase_like = is_pseudo | (is_sent & (end - start > 0))
    is_neg &= ~covered_by(is_neg, phrase_like & ~is_neg, longer=True)
    in_phrase = is_neg & covered_by(is_neg, is_ind, longer=False)
    # a sentiment word inside a longer sentiment phrase, or inside a polar indicator, is
    # counted once, through the longer phrase ("could be better" is a request, not "better")
    ind_pol0 = matcher._polarity[pattern].astype(np.int64)
    polar_ind = is_ind & (ind_pol0 != 0)
    is_sent &= ~covered_by(is_sent, is_sent, longer=True)
    is_sent &= ~covered_by(is_sent, polar_ind, longer=False)

    neg_all = np.flatnonzero(is_neg)
    neg_order = neg_all[np.argsort(end[neg_all], kind="stable")]  # hit index, sorted by end
    neg_end = end[neg_order]
    neg_clause = clause[neg_order]
    neg_word = word_last[neg_order]
    consumed = in_phrase.copy()

    def negated(mask: np.ndarray, *, consume: bool) -> np.ndarray:
        """Whether each hit of ``mask`` is negated; optionally mark the cues used up."""
        if neg_end.size == 0:
            return np.zeros(int(mask.sum()), dtype=bool)
        j = np.searchsorted(neg_end, start[mask], side="right") - 1
        jj = np.maximum(j, 0)
        gap = word_first[mask] - neg_word[jj] - 1
        out = (j >= 0) & (neg_clause[jj] == clause[mask]) & (gap <= negation_window)
        if consume:
            consumed[neg_order[jj[out]]] = True
        return out

    # polar indicators: the phrase's own polarity, flipped when negated
    ind_neg = negated(polar_ind, consume=True)
    sign_polar = np.where(ind_neg, -ind_pol0[polar_ind], ind_pol0[polar_ind])
    weight = np.zeros(role.size, dtype=float)
    weight[polar_ind] = sign_polar * _POLAR_PHRASE_VALENCE

    # sentiment words (VADER's rules): negation scales by -0.74, a booster word up to two
    # words before adds its increment, capitals in a comment not all in capitals add 0.733
    w = valence[is_sent].copy()
    w = np.where(negated(is_sent, consume=True), w * NEGATION_SCALAR, w)
    is_boost = role == _ROLE_BOOSTER
    if is_boost.any() and is_sent.any():
        b_idx = np.flatnonzero(is_boost)
        b_idx = b_idx[np.argsort(end[b_idx], kind="stable")]
        s_idx = np.flatnonzero(is_sent)
        j = np.searchsorted(end[b_idx], start[s_idx], side="right") - 1
        jj = np.maximum(j, 0)
        gap = word_first[s_idx] - word_last[b_idx[jj]] - 1
        near = (j >= 0) & (gap <= 1) & (clause[b_idx[jj]] == clause[s_idx])
        w = w + np.where(near, np.sign(w) * valence[b_idx[jj]] * (1.0 - 0.05 * gap), 0.0)
    if is_sent.any():
        # a word in capitals ("RUDE") in a comment that is not all in capitals; checked in
        # Python only for the few words whose first letter is a capital
        s_idx = np.flatnonzero(is_sent)
        at = start[s_idx]
        first = _codepoints(joined)[at].astype(np.uint32)
        lowered = low[at].astype(np.uint32)
        for k in np.flatnonzero(first != lowered):
            i = s_idx[k]
            word = joined[start[i] : end[i]]
            if len(word) >= 2 and word.isupper() and not texts[row_of[i]].isupper():
                w[k] += np.sign(w[k]) * CAPS_EMPHASIS
    weight[is_sent] = w
    # a negation cue that negates nothing is a complaint of its own ("no follow-up call")
    free_neg = is_neg & ~consumed
    weight[free_neg] = _FREE_NEGATION_VALENCE

    # contrast ("but"): within a sentence, what follows it counts 1.5, what precedes 0.5
    is_contrast = role == _ROLE_CONTRAST
    factor = np.ones(role.size, dtype=float)
    if is_contrast.any():
        c_idx = np.flatnonzero(is_contrast)
        c_start = np.sort(start[c_idx])
        c_sent = sentence[c_idx][np.argsort(start[c_idx], kind="stable")]
        j = np.searchsorted(c_start, start, side="right") - 1  # last contrast before
        after = (j >= 0) & (c_sent[np.maximum(j, 0)] == sentence)
        k = np.searchsorted(c_start, end, side="left")  # first contrast after
        kk = np.minimum(k, c_start.size - 1)
        before = (k < c_start.size) & (c_sent[kk] == sentence)
        factor = np.where(after, CONTRAST_AFTER, np.where(before, CONTRAST_BEFORE, 1.0))
    voters = np.flatnonzero(weight != 0)
    n_clauses = bounds.size + 1
    clause_score = np.bincount(clause[voters], weights=weight[voters], minlength=n_clauses)
    sent_score = np.bincount(
        sentence[voters], weights=weight[voters] * factor[voters], minlength=sent_bounds.size + 1
    )
    row_score = np.bincount(
        row_of[voters], weights=weight[voters] * factor[voters], minlength=n
    )

    # every indicator: its polarity and where it came from
    ind = np.flatnonzero(is_ind)
    row = row_of[ind]
    polar = polar_ind[ind]
    sign = np.zeros(ind.size, dtype=np.int64)
    source = np.full(ind.size, _SRC_NONE, dtype=np.int8)
    sign[polar] = sign_polar
    source[polar] = np.where(ind_neg, _SRC_NEGATION, _SRC_PHRASE)
    # a polar phrase yields to its clause when the other words there clearly say the
    # opposite: "I wish they would listen to me" (a request), "helped with my anxiety"
    context = clause_score[clause[ind[polar]]] - weight[ind[polar]]
    overruled = (np.sign(context) == -sign_polar) & (np.abs(context) >= OVERRULE_THRESHOLD)
    if overruled.any():
        p_idx = np.flatnonzero(polar)[overruled]
        sign[p_idx] = -sign_polar[overruled]
        source[p_idx] = _SRC_SENTIMENT
    open_ = ~polar
    t = SENTIMENT_THRESHOLD
    steps = (
        (clause_score[clause[ind]], _SRC_SENTIMENT),
        (sent_score[sentence[ind]], _SRC_SENTIMENT),
        (priors[row].astype(float), _SRC_QUESTION),
        (row_score[row], _SRC_SENTIMENT),
        (
            np.where(ratings[row] <= 2, -1.0, np.where(ratings[row] >= 4, 1.0, 0.0)),
            _SRC_RATING,
        ),
    )
    for score, src in steps:
        decided = open_ & (np.abs(score) >= t)
        sign[decided] = np.sign(score[decided]).astype(np.int64)
        source[decided] = src
        open_ &= ~decided

    job = matcher._job[pattern[ind]]
    pat = pattern[ind]
    ind_start, ind_end = start[ind], end[ind]
    length = ind_end - ind_start
    # evidence order: phrases with a polarity of their own first, then disrupted, fulfilled,
    # unclear; then the earliest, the longest
    rank = np.where(sign < 0, 0, np.where(sign > 0, 1, 2))
    rel_start = ind_start - starts[row]
    order = _lexsort_small(
        (pat, length.max(initial=0) - length, rel_start, rank, (~polar).astype(np.int64), job, row)
    )
    row, job, sign, source = row[order], job[order], sign[order], source[order]
    pat, ind_start, ind_end = pat[order], ind_start[order], ind_end[order]
    first = np.ones(row.size, dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (job[1:] != job[:-1])
    row = row[first]
    return _RawCodes(
        row=row,
        job=job[first],
        sign=sign[first],
        source=source[first],
        pattern=pat[first],
        start=ind_start[first] - starts[row],
        end=ind_end[first] - starts[row],
        row_score=row_score,
    )


def _empty_codes(id_dtype: Any = "str") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comment_id": pd.Series([], dtype=id_dtype),
            "job_id": pd.Series([], dtype="str"),
            "polarity": pd.Series([], dtype="str"),
            "polarity_source": pd.Series([], dtype="str"),
            "source": pd.Series([], dtype="str"),
            "probability": pd.Series([], dtype="float64"),
            "phrase": pd.Series([], dtype="str"),
            "start": pd.Series([], dtype="int64"),
            "end": pd.Series([], dtype="int64"),
        }
    )


def _take_str(values: Sequence[str], index: np.ndarray) -> pd.Series:
    """``pd.Series(values[index], dtype="str")``, built by pyarrow's take when available."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is installed with the 'scale' extra
        return pd.Series(np.asarray(values, dtype=object)[index], dtype="str")
    taken = pa.array(list(values), type=pa.large_string()).take(pa.array(index))
    return pd.Series(taken, dtype="str")


def question_priors(
    values: Any, mapping: Mapping[str, str] | None = None, *, caller: str = "question_priors"
) -> np.ndarray:
    """Turn the question each comment answers into a polarity prior: +1, -1 or 0.

    Parameters
    ----------
    values : sequence or Series
        The question (or its code) per comment; missing values give 0.
    mapping : mapping of str to str, optional
        Question (as it appears in ``values``) to ``"positive"`` ("What did we do well?"),
        ``"negative"`` ("What could we improve?") or ``"neutral"``. Without a mapping the
        values themselves must be those three words (or missing).

    Returns
    -------
    numpy.ndarray of int8
        +1 positive prompt, -1 negative prompt, 0 neutral or unknown.

    Raises
    ------
    ValueError
        If a mapping value is not one of the three words, or (without a mapping) a value is.

    Examples
    --------
    >>> question_priors(["best", "improve", None], {"best": "positive", "improve": "negative"})
    array([ 1, -1,  0], dtype=int8)
    """
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    table = dict(mapping) if mapping is not None else {k: k for k in _PRIOR_CODE}
    bad = {k: v for k, v in table.items() if v not in _PRIOR_CODE}
    if bad:
        raise ValueError(
            f"{caller}: each question must map to 'positive', 'negative' or 'neutral'; got "
            f"{bad!r}."
        )
    text = series.where(series.notna(), None)
    if mapping is None:
        unknown = sorted({str(v) for v in text.dropna().unique() if str(v) not in table})
        if unknown:
            raise ValueError(
                f"{caller}: without a question mapping the values must be 'positive', "
                f"'negative' or 'neutral'; got {unknown[:5]} (map them in study.yaml "
                "'questions:')."
            )
    codes = {k: _PRIOR_CODE[v] for k, v in table.items()}
    out = text.map(lambda v: codes.get(str(v).strip(), 0) if v is not None else 0)
    return out.to_numpy(dtype=np.int8)


def _code_frame(
    frame: pd.DataFrame,
    matcher: CompiledCodebook,
    *,
    text: str,
    id: str,
    rating: str | None,
    question: str | None,
    questions: Mapping[str, str] | None,
    negation_window: int,
    skip_non_answers: bool,
    chunk_size: int,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Pure per-DataFrame core of :func:`code_comments` (also run per Dask partition)."""
    ids = frame[id]
    if len(frame) == 0:
        return _empty_codes(ids.dtype)
    texts_series = frame[text]
    texts = texts_series.where(texts_series.notna(), "").astype(str).tolist()
    if rating is None or rating not in frame.columns:
        ratings = np.full(len(frame), np.nan)
    else:
        ratings = pd.to_numeric(frame[rating], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    if question is not None and question in frame.columns:
        priors = question_priors(frame[question], questions, caller="code_comments")
    else:
        priors = np.zeros(len(frame), dtype=np.int8)
    workers = _workers(n_jobs)
    if workers > 1 and len(texts) >= 2 * _MIN_PARALLEL_CHUNK:
        # a chunk per worker at least, so that both cores have work
        per_worker = -(-len(texts) // workers)
        chunk_size = min(chunk_size, max(per_worker, _MIN_PARALLEL_CHUNK))

    def match(lo: int) -> _RawCodes:
        raw = _match_texts(
            texts[lo : lo + chunk_size],
            ratings[lo : lo + chunk_size],
            priors[lo : lo + chunk_size],
            matcher,
            negation_window=negation_window,
        )
        raw.row += lo
        return raw

    starts = range(0, len(texts), chunk_size)
    if workers > 1 and len(starts) > 1:
        # threads, not processes: the array work (numpy, pyarrow) releases the GIL, and the
        # matcher and texts are shared rather than copied
        with ThreadPoolExecutor(max_workers=min(workers, len(starts))) as pool:
            pieces = list(pool.map(match, starts))
    else:
        pieces = [match(lo) for lo in starts]
    if skip_non_answers:  # only comments with a code can lose it: check just those
        all_rows = np.concatenate([p.row for p in pieces])
        coded = np.flatnonzero(np.bincount(all_rows, minlength=len(texts)))
        dropped = coded[non_answers([texts[i] for i in coded])]
        if dropped.size:
            for p in pieces:
                keep = ~np.isin(p.row, dropped)
                for name in ("row", "job", "sign", "source", "pattern", "start", "end"):
                    setattr(p, name, getattr(p, name)[keep])
    row = np.concatenate([p.row for p in pieces])
    if row.size == 0:
        return _empty_codes(ids.dtype)
    sign = np.concatenate([p.sign for p in pieces])
    out = pd.DataFrame(
        {
            "comment_id": ids.take(row).reset_index(drop=True),
            "job_id": _take_str(matcher.job_ids, np.concatenate([p.job for p in pieces])),
            "polarity": _take_str(_BY_SIGN, sign % 3),
            "polarity_source": _take_str(
                POLARITY_SOURCES, np.concatenate([p.source for p in pieces]).astype(np.int64)
            ),
            "source": pd.Series(np.full(row.size, "phrase", dtype=object), dtype="str"),
            "probability": np.full(row.size, np.nan),
            "phrase": _take_str(matcher._phrase, np.concatenate([p.pattern for p in pieces])),
            "start": np.concatenate([p.start for p in pieces]).astype(np.int64),
            "end": np.concatenate([p.end for p in pieces]).astype(np.int64),
        }
    )
    return out


def code_comments(
    feedback: pd.DataFrame,
    codebook: Codebook | CompiledCodebook,
    *,
    text: str = "comment",
    id: str = "comment_id",
    rating: str | None = "rating",
    question: str | None = "question",
    questions: Mapping[str, str] | None = None,
    engine: str = "pandas",
    negation_window: int = 3,
    skip_non_answers: bool = True,
    chunk_size: int = 200_000,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """Code free-text comments into jobs with the codebook's indicator phrases.

    Parameters
    ----------
    feedback : pandas.DataFrame or dask.dataframe.DataFrame
        One row per comment. Not modified.
    codebook : Codebook or CompiledCodebook
        The jobs and their indicator phrases (compiled once per call when a ``Codebook`` is
        given; pass :func:`compile_codebook`'s result to reuse it).
    text, id : str, default "comment", "comment_id"
        Columns holding the comment text (missing text codes to nothing) and a unique id.
    rating : str or None, default "rating"
        Column of the 1-5 rating (5 best, may be missing or absent), the last tie-break for
        the polarity of a phrase the wording leaves open; ``None`` to ignore ratings.
    question : str or None, default "question"
        Column naming the prompt each comment answers (ignored when absent): a prior for the
        polarity of phrases the wording around them leaves open.
    questions : mapping of str to str, optional
        Prompt (as in ``question``) to ``"positive"``, ``"negative"`` or ``"neutral"``
        (``study.yaml`` ``questions:``); without it the column must hold those words.
    engine : {"pandas", "dask"}, default "pandas"
        ``"dask"`` applies the same per-DataFrame core to every partition of a Dask DataFrame
        (``dask.dataframe.from_pandas`` is used for a pandas input) and returns a lazy Dask
        DataFrame for a Dask input, a computed pandas DataFrame for a pandas input.
    negation_window : int, default 3
        Largest number of words allowed between a negation cue and the word it negates.
    skip_non_answers : bool, default True
        Give no codes to non-answers ("nothing", "n/a", "all of it": see
        :func:`~jtbd_methods.lexicon.non_answers`).
    chunk_size : int, default 200_000
        Comments matched per pass (bounds peak memory; does not change the result).
    n_jobs : int, default -1
        Threads that match chunks at the same time (``-1``: one per available core; ``1``:
        none). With more than one, inputs of 100,000 comments or more are cut into a chunk
        per thread at least. The result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (comment, job) with evidence, in input order then codebook
        order; zero rows for comments that mention no job. Columns:

        * ``comment_id`` -- the comment's id (same dtype as ``feedback[id]``; the column is
          called ``comment_id`` whatever ``id`` is);
        * ``job_id`` (str) -- the job;
        * ``polarity`` (str) -- ``"disrupted"``, ``"fulfilled"`` or ``"unclear"``;
        * ``polarity_source`` (str) -- where the polarity came from: ``"phrase"`` (the
          indicator's own), ``"negation"`` (its own, negated), ``"sentiment"`` (the words
          around it), ``"question"`` (the prompt answered), ``"rating"`` or ``"none"``
          (unclear: no signal, or signals that cancel out);
        * ``source`` (str) -- ``"phrase"`` (an indicator matched; see
          :func:`expand_codes` for ``"model"`` codes);
        * ``probability`` (float) -- NaN for phrase codes;
        * ``phrase`` (str) -- the indicator as written in the codebook (e.g. ``"explain*"``);
        * ``start``, ``end`` (int64) -- character offsets of the evidence span in the
          original comment, so ``comment[start:end]`` is the matched wording.

    Raises
    ------
    TypeError
        If ``feedback`` is not a DataFrame or ``codebook`` is not a codebook.
    ValueError
        If a column is missing, ids are missing or duplicated, or an option is out of range.

    Notes
    -----
    *Matching.* Text and phrases are lower-cased, typographic apostrophes become ``'`` and every
    run of whitespace counts as one space; offsets still refer to the original text. A phrase
    matches on word boundaries (it cannot start or end inside a word) in every inflected form
    of its words ("listen to me" also matches "listened to me", see
    :func:`~jtbd_methods.lexicon.phrase_variants`); ``*`` matches any run of word characters
    (``explain*``: explain, explained, explaining), in time linear in the text. All phrases
    and words of the lexicons are found in one Aho-Corasick pass [1]_ over the concatenated
    comments; everything after it is vectorised array arithmetic, never a loop over comments.

    *Clauses and sentences.* A clause ends at ``. , ; : ! ?``, brackets, dashes (also a hyphen
    with a space on each side), line breaks and at the words in
    :data:`~jtbd_methods.lexicon.CLAUSE_WORDS` ("but", "however", ...); a sentence at
    ``. ! ?`` and line breaks.

    *Negation* (after NegEx [2]_). A word is negated when a cue of
    :data:`~jtbd_methods.lexicon.NEGATION_CUES` ends before it in the same clause with at
    most ``negation_window`` words between them; cues inside a pseudo-negation ("not only")
    or a praise idiom ("couldn't fault") do not count, nor a cue inside the phrase itself
    ("no one explained").

    *Sentiment* (VADER's lexicon and rules [3]_, applied in the same pass): each word of
    :func:`~jtbd_methods.lexicon.sentiment_lexicon` adds its valence to its clause, times
    -0.74 when negated, plus VADER's increment when a booster ("very", "extremely") stands
    one or two words before it, plus 0.733 when written in capitals in a comment that is not;
    a phrase with a polarity of its own adds +/-2; a negation cue that negates nothing adds
    -1 ("no follow-up call"). In the sentence and comment sums, what follows "but" counts
    1.5 and what precedes it 0.5. A longer phrase hides the words inside it.

    *Polarity* of each match, the first rule that decides:

    1. a phrase with a codebook polarity keeps it (source ``phrase``), or takes the opposite
       when negated (``negation``: "not dismissive" is fulfilled), unless the other words of
       its clause say the opposite with a net valence of at least
       :data:`OVERRULE_THRESHOLD` (``sentiment``: "I wish they would listen to me" is a
       request, so disrupted; "she helped with my anxiety" fulfilled);
    2. otherwise the net sentiment of the phrase's clause, then of its sentence, when it
       reaches :data:`SENTIMENT_THRESHOLD` in size (``sentiment``);
    3. the question answered: a positive prompt gives fulfilled, a negative one disrupted
       (``question``; a prior where the words are silent, not a label);
    4. the net sentiment of the whole comment (``sentiment``);
    5. the rating: 1-2 disrupted, 4-5 fulfilled (``rating``);
    6. otherwise ``unclear`` (``none``): no signal, or signals that cancel. Unclear codes
       count as mentions, never as disruptions.

    *One row per (comment, job).* When a job has several matches in a comment, the evidence
    reported is chosen in this order: phrases with a codebook polarity first; disrupted,
    then fulfilled, then unclear (a complaint is what service recovery must act on); then
    the earliest, then the longest match.

    *Missing data.* Missing text is treated as an empty comment (no codes); so are
    non-answers unless ``skip_non_answers=False``. Missing ratings and questions leave their
    step to the next.

    References
    ----------
    .. [1] Aho, A. V., & Corasick, M. J. (1975). Efficient string matching: an aid to
       bibliographic search. *Communications of the ACM*, 18(6), 333-340.
    .. [2] Chapman, W. W., Bridewell, W., Hanbury, P., Cooper, G. F., & Buchanan, B. G. (2001).
       A simple algorithm for identifying negated findings and diseases in discharge
       summaries. *Journal of Biomedical Informatics*, 34(5), 301-310.
    .. [3] Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for
       sentiment analysis of social media text. *ICWSM-14*, 216-225.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [
    ...     {"id": "gain_clarity", "label": "Understand", "indicators": ["explain"]},
    ...     {"id": "feel_heard", "label": "Feel heard", "indicators": [
    ...         {"phrase": "dismissive", "polarity": "disrupted"}]}]})
    >>> fb = pd.DataFrame({"comment_id": ["a", "b", "c"],
    ...                    "comment": ["Nobody explained anything.", "Not dismissive at all",
    ...                                "They explained it clearly"]})
    >>> code_comments(fb, cb, rating=None)[["comment_id", "job_id", "polarity",
    ...                                     "polarity_source", "start", "end"]]
      comment_id        job_id   polarity polarity_source  start  end
    0          a  gain_clarity  disrupted       sentiment      7   16
    1          b    feel_heard  fulfilled        negation      4   14
    2          c  gain_clarity  fulfilled       sentiment      5   14
    """
    caller = "code_comments"
    engine = one_of(engine, _ENGINES, parameter="engine", caller=caller)
    negation_window = check_int(
        negation_window, parameter="negation_window", caller=caller, minimum=0
    )
    chunk_size = check_int(chunk_size, parameter="chunk_size", caller=caller, minimum=1)
    n_jobs = check_int(n_jobs, parameter="n_jobs", caller=caller, minimum=-1)
    if n_jobs == 0:
        raise ValueError(
            f"The 'n_jobs' parameter of {caller} must be -1 (every core) or a positive number "
            "of threads; got 0."
        )
    if not isinstance(skip_non_answers, bool):
        raise TypeError(
            f"The 'skip_non_answers' parameter of {caller} must be True or False; got "
            f"{skip_non_answers!r}."
        )
    if questions is not None:
        question_priors([], questions, caller=caller)  # check the mapping before any work
    matcher = codebook if isinstance(codebook, CompiledCodebook) else compile_codebook(codebook)
    options = dict(
        text=text,
        id=id,
        rating=rating,
        question=question,
        questions=questions,
        negation_window=negation_window,
        skip_non_answers=skip_non_answers,
        chunk_size=chunk_size,
    )
    if engine == "dask":
        return _code_with_dask(feedback, matcher, options)
    options["n_jobs"] = n_jobs
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_columns(feedback, [text, id], name="feedback", caller=caller)
    if rating is not None and rating != "rating":
        require_columns(feedback, [rating], name="feedback", caller=caller)
    _check_ids(feedback[id], caller=caller)
    return _code_frame(feedback, matcher, **options)


def code_study(
    study: Any,
    *,
    rating: str | None = None,
    codebook: Codebook | CompiledCodebook | None = None,
) -> pd.DataFrame:
    """Code a study's feedback with its codebook, its question prompts and (optionally) ratings.

    Parameters
    ----------
    study : Study
        From :func:`~jtbd_methods.study.load_study`; needs ``feedback.csv`` and a codebook.
    rating : str or None, default None
        Rating column to use as the last tie-break of polarity. By default polarity comes
        from the wording and the question alone, so that every report counts the same
        disruptions and the service-recovery priorities, which regress ratings on
        disruptions, do not let the rating explain itself.
    codebook : Codebook or CompiledCodebook, optional
        Instead of the study's codebook (pass a compiled one to reuse it).

    Returns
    -------
    pandas.DataFrame
        The codes of :func:`code_comments`.

    Raises
    ------
    ValueError
        If the study has no feedback or no codebook.

    Notes
    -----
    The optional ``question`` column of ``feedback.csv`` is used with the prompts mapped in
    ``study.yaml`` ``questions:``; without a mapping it is used only when it already holds
    ``positive``/``negative``/``neutral``.

    Examples
    --------
    >>> from jtbd_methods.study import load_study
    >>> codes = code_study(load_study("data/samples/recovery_study"))
    >>> sorted(codes["polarity"].unique())
    ['disrupted', 'fulfilled', 'unclear']
    """
    caller = "code_study"
    feedback = getattr(study, "feedback", None)
    if feedback is None:
        raise ValueError(f"{caller}: the study has no feedback.csv to code.")
    book = codebook if codebook is not None else getattr(study, "codebook", None)
    if book is None:
        raise ValueError(f"{caller}: the study has no codebook (study.yaml 'codebook:').")
    mapping = dict(getattr(study.config, "questions", {}) or {})
    question: str | None = "question" if "question" in feedback.columns else None
    if question is not None and not mapping:
        values = set(feedback[question].dropna().astype(str).str.strip()) - {""}
        if not values <= set(_PRIOR_CODE):
            question = None  # prompts not mapped in study.yaml: no prior (validate warns)
    if rating is not None and rating not in feedback.columns:
        rating = None
    return code_comments(
        feedback,
        book,
        rating=rating,
        question=question,
        questions=mapping or None,
    )


def substantive(feedback: pd.DataFrame, *, text: str = "comment") -> pd.DataFrame:
    """The comments that say something: ``feedback`` without its non-answers.

    The denominator of every job share: "nothing", "n/a" or a blank tell no job, so they
    must not make jobs look rare (see :func:`~jtbd_methods.lexicon.non_answers`).

    Examples
    --------
    >>> fb = pd.DataFrame({"comment_id": ["a", "b", "c"],
    ...                    "comment": ["Nothing.", "They listened", ""]})
    >>> substantive(fb)["comment_id"].tolist()
    ['b']
    """
    require_columns(feedback, [text], name="feedback", caller="substantive")
    return feedback.loc[~non_answers(feedback[text])]


def polarity_sources(codes: pd.DataFrame) -> pd.DataFrame:
    """Where the polarity of the codes came from: codes per source, source and polarity.

    Returns
    -------
    pandas.DataFrame
        One row per (``source``, ``polarity_source``): ``n_codes``, ``n_disrupted``,
        ``n_fulfilled``, ``n_unclear`` and ``share`` (of all codes, 0-1), largest first.

    Examples
    --------
    >>> codes = pd.DataFrame({"source": ["phrase", "phrase", "model"],
    ...                       "polarity_source": ["phrase", "sentiment", "question"],
    ...                       "polarity": ["disrupted", "fulfilled", "unclear"]})
    >>> polarity_sources(codes)[["source", "polarity_source", "n_codes"]].values.tolist()
    [['model', 'question', 1], ['phrase', 'phrase', 1], ['phrase', 'sentiment', 1]]
    """
    require_columns(codes, ["source", "polarity_source", "polarity"], name="codes",
                    caller="polarity_sources")  # fmt: skip
    table = pd.crosstab([codes["source"], codes["polarity_source"]], codes["polarity"])
    for pol in POLARITIES:
        if pol not in table:
            table[pol] = 0
    out = table[list(POLARITIES)].add_prefix("n_").reset_index().rename_axis(columns=None)
    out.insert(2, "n_codes", out[[f"n_{p}" for p in POLARITIES]].sum(axis=1))
    out["share"] = out["n_codes"] / max(len(codes), 1)
    return out.sort_values(["n_codes", "source", "polarity_source"],
                           ascending=[False, True, True], ignore_index=True)  # fmt: skip


def _check_ids(ids: pd.Series, *, caller: str) -> None:
    if ids.isna().any():
        rows = np.flatnonzero(ids.isna().to_numpy())[:5].tolist()
        raise ValueError(
            f"{caller}: the id column {ids.name!r} is missing at rows {rows} (0-based)."
        )
    if not ids.is_unique:
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"{caller}: the id column {ids.name!r} has duplicated ids, e.g. {dup}.")


def _code_with_dask(feedback: Any, matcher: CompiledCodebook, options: dict) -> Any:
    import dask.dataframe as dd

    caller = "code_comments"
    lazy = isinstance(feedback, dd.DataFrame)
    id_dtype = feedback[options["id"]].dtype if not lazy else None
    if not lazy:
        require_dataframe(feedback, parameter="feedback", caller=caller)
        require_columns(feedback, [options["text"], options["id"]], name="feedback", caller=caller)
        _check_ids(feedback[options["id"]], caller=caller)
        nparts = max(1, min(64, len(feedback) // max(1, options["chunk_size"]) + 1))
        feedback = dd.from_pandas(feedback, npartitions=nparts, sort=False)
    else:
        missing = [
            c
            for c in (options["text"], options["id"])
            if c is not None and c not in feedback.columns
        ]
        if missing:
            raise ValueError(f"'feedback' has no column(s) {missing} (in {caller}).")
    meta = _empty_codes(feedback[options["id"]].dtype)
    result = feedback.map_partitions(_code_frame, matcher, meta=meta, **options)
    if lazy:
        return result
    out = result.compute().reset_index(drop=True)
    return out.astype(
        {
            "comment_id": id_dtype,
            "job_id": "str",
            "polarity": "str",
            "polarity_source": "str",
            "source": "str",
            "phrase": "str",
        }
    )


# --------------------------------------------------------------------- tables of the codes
def _ids_of(comment_ids: Any, *, id_column: str, caller: str) -> pd.Series:
    if isinstance(comment_ids, pd.DataFrame):
        require_columns(comment_ids, [id_column], name="comment_ids", caller=caller)
        ids = comment_ids[id_column]
    elif isinstance(comment_ids, pd.Series | pd.Index | np.ndarray | list | tuple):
        ids = pd.Series(
            np.asarray(comment_ids, dtype=object)
            if not isinstance(comment_ids, pd.Series)
            else comment_ids
        )
    else:
        raise TypeError(
            f"The 'comment_ids' parameter of {caller} must be a Series, list or array of ids, "
            f"or a DataFrame with a {id_column!r} column; got {type(comment_ids).__name__}."
        )
    _check_ids(ids.rename(id_column), caller=caller)
    return ids.reset_index(drop=True)


def _job_list(job_ids: Any, *, caller: str) -> list[str]:
    if isinstance(job_ids, Codebook | CompiledCodebook):
        return list(job_ids.job_ids)
    if isinstance(job_ids, str) or not isinstance(job_ids, Iterable):
        raise TypeError(
            f"The 'job_ids' parameter of {caller} must be a sequence of job ids or a Codebook; "
            f"got {type(job_ids).__name__}."
        )
    out = [str(j) for j in job_ids]
    if len(set(out)) != len(out):
        raise ValueError(f"{caller}: 'job_ids' has duplicates: {out}.")
    return out


def _check_codes(codes: Any, *, caller: str) -> pd.DataFrame:
    require_dataframe(codes, parameter="codes", caller=caller)
    require_columns(codes, ["comment_id", "job_id", "polarity"], name="codes", caller=caller)
    bad = ~codes["polarity"].isin(_POLARITIES)
    if bad.any():
        raise ValueError(
            f"{caller}: 'codes.polarity' must be 'disrupted', 'fulfilled' or 'unclear'; got "
            f"{codes['polarity'][bad].unique()[:5].tolist()}."
        )
    return codes


def coded_matrix(
    codes: pd.DataFrame,
    comment_ids: Any,
    job_ids: Any,
    *,
    polarity: str | None = None,
    prefix: str = "",
    id_column: str = "comment_id",
) -> pd.DataFrame:
    """Wide 0/1 table of codes: one row per comment, one column per job.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments` (``comment_id``, ``job_id``, ``polarity``).
    comment_ids : Series, list, array or DataFrame
        Every comment coded (comments without codes get zeros), in the order wanted; or a
        DataFrame with an ``id_column`` column.
    job_ids : sequence of str or Codebook
        The jobs, in the column order wanted.
    polarity : {"disrupted", "fulfilled", "unclear"} or None, default None
        Count only codes of this polarity (``None``: any mention).
    prefix : str, default ""
        Prefix of the job columns (``"code_"`` gives the hand-coding layout).
    id_column : str, default "comment_id"
        Name of the id column in the output (and in ``comment_ids`` when a DataFrame).

    Returns
    -------
    pandas.DataFrame
        ``id_column`` followed by one ``int64`` 0/1 column per job (``prefix + job_id``).
        Codes of comments or jobs not listed are ignored.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``codes`` lacks a column, ids are missing or duplicated, or ``polarity`` is unknown.

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"],
    ...                       "polarity": ["disrupted"]})
    >>> coded_matrix(codes, ["a", "b"], ["gain_clarity", "feel_heard"])
      comment_id  gain_clarity  feel_heard
    0          a             1           0
    1          b             0           0
    """
    caller = "coded_matrix"
    codes = _check_codes(codes, caller=caller)
    if polarity is not None:
        one_of(polarity, _POLARITIES, parameter="polarity", caller=caller)
        codes = codes[codes["polarity"] == polarity]
    ids = _ids_of(comment_ids, id_column=id_column, caller=caller)
    jobs = _job_list(job_ids, caller=caller)
    rows = pd.Index(ids).get_indexer(codes["comment_id"])
    cols = pd.Index(jobs).get_indexer(codes["job_id"])
    keep = (rows >= 0) & (cols >= 0)
    matrix = np.zeros((len(ids), len(jobs)), dtype=np.int64)
    matrix[rows[keep], cols[keep]] = 1
    out = pd.DataFrame(matrix, columns=[f"{prefix}{j}" for j in jobs])
    out.insert(0, id_column, ids.to_numpy())
    if isinstance(comment_ids, pd.DataFrame | pd.Series):
        out[id_column] = out[id_column].astype(ids.dtype)
    return out


def job_shares(
    codes: pd.DataFrame,
    comment_ids: Any,
    *,
    by: str | Sequence[str] | None = None,
    ci: float = 0.95,
    job_ids: Any = None,
    id_column: str = "comment_id",
) -> pd.DataFrame:
    """Share of comments that mention each job, and how often the job was disrupted.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments`.
    comment_ids : Series, list, array or DataFrame
        Every comment coded (the denominator). With ``by``, a DataFrame holding
        ``id_column`` and the ``by`` columns (e.g. the study's feedback table).
    by : str or list of str, optional
        Grouping columns of ``comment_ids`` (e.g. ``"site"``); one row per group and job.
    ci : float, default 0.95
        Confidence level of the Wilson intervals.
    job_ids : sequence of str or Codebook, optional
        Jobs to report, in order (default: the jobs present in ``codes``, sorted); jobs with no
        code get zero counts.
    id_column : str, default "comment_id"
        Id column of ``comment_ids`` when it is a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per (group, job): the ``by`` columns, then

        * ``job_id`` -- the job;
        * ``n`` -- comments in the group (the denominator);
        * ``n_mentioned`` -- comments that mention the job;
        * ``share``, ``ci_low``, ``ci_high`` -- ``n_mentioned / n`` with its Wilson interval
          (fractions 0-1);
        * ``n_disrupted`` -- comments where the job was disrupted;
        * ``n_unclear`` -- comments that mention the job with no readable polarity;
        * ``disrupted_share``, ``disrupted_ci_low``, ``disrupted_ci_high`` --
          ``n_disrupted / (n_mentioned - n_unclear)``: of the comments that mention the job
          with a readable polarity, the share that report it disrupted, with its Wilson
          interval (NaN when there are none). Unclear mentions are never counted as
          disruptions, nor do they dilute the share.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type, a column is missing, ids are missing or duplicated,
        or ``ci`` is not in (0, 1).

    Notes
    -----
    Wilson score intervals [1]_ keep their coverage for small groups and shares near 0 or 1.
    Each comment counts at most once per job (the long table has one row per comment and job).
    Rows with a missing ``by`` value form their own group (shown as missing). Groups are not
    suppressed here; pass the result through ``privacy.suppress_small`` before publishing.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *Journal of the American Statistical Association*, 22(158), 209-212.

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a", "b"], "job_id": ["gain_clarity"] * 2,
    ...                       "polarity": ["disrupted", "fulfilled"]})
    >>> out = job_shares(codes, ["a", "b", "c", "d"])
    >>> out[["job_id", "n", "n_mentioned", "share", "disrupted_share"]]
             job_id  n  n_mentioned  share  disrupted_share
    0  gain_clarity  4            2    0.5              0.5
    """
    caller = "job_shares"
    codes = _check_codes(codes, caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if by_cols and not isinstance(comment_ids, pd.DataFrame):
        raise TypeError(
            f"{caller}: with 'by', 'comment_ids' must be a DataFrame holding {id_column!r} and "
            f"{by_cols}; got {type(comment_ids).__name__}."
        )
    if by_cols:
        require_columns(comment_ids, [id_column, *by_cols], name="comment_ids", caller=caller)
    ids = _ids_of(comment_ids, id_column=id_column, caller=caller)
    jobs = (
        sorted(codes["job_id"].astype(str).unique().tolist())
        if job_ids is None
        else _job_list(job_ids, caller=caller)
    )
    keys = None
    if by_cols:
        grouped = (
            comment_ids[by_cols]
            .reset_index(drop=True)
            .groupby(by_cols, dropna=False, sort=True, observed=True)
        )
        group_index = grouped.ngroup().to_numpy(dtype=np.int64)
        keys = grouped.size().reset_index()[by_cols]
    else:
        group_index = np.zeros(len(ids), dtype=np.int64)
    n_groups = len(keys) if keys is not None else 1
    n_jobs = len(jobs)
    totals = np.bincount(group_index, minlength=n_groups).astype(np.int64)
    rows = pd.Index(ids).get_indexer(codes["comment_id"])
    cols = pd.Index(jobs).get_indexer(codes["job_id"].astype(str))
    keep = (rows >= 0) & (cols >= 0)
    cell = group_index[rows[keep]] * n_jobs + cols[keep]
    # one count per comment and job even if the long table were to repeat a pair
    pair = rows[keep].astype(np.int64) * n_jobs + cols[keep]
    _, first = np.unique(pair, return_index=True)
    mentioned = np.bincount(cell[first], minlength=n_groups * n_jobs)
    pol = codes["polarity"].to_numpy()[keep]

    def per_cell(value: str) -> np.ndarray:
        # a comment counts once per job: disrupted wins over fulfilled over unclear
        pairs = np.unique(pair[pol == value])
        if value == "unclear":
            pairs = np.setdiff1d(pairs, pair[pol != "unclear"])
        cells = group_index[pairs // n_jobs] * n_jobs + pairs % n_jobs
        return np.bincount(cells, minlength=n_groups * n_jobs)

    disrupted = per_cell("disrupted")
    unclear = per_cell("unclear")
    readable = mentioned - unclear
    n = np.repeat(totals, n_jobs)
    lo, hi = wilson_interval(mentioned, n, level=ci)
    dlo, dhi = wilson_interval(disrupted, readable, level=ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, mentioned / np.maximum(n, 1), np.nan)
        dshare = np.where(readable > 0, disrupted / np.maximum(readable, 1), np.nan)
    out = pd.DataFrame(
        {
            "job_id": pd.Series(np.tile(np.array(jobs, dtype=object), n_groups), dtype="str"),
            "n": n,
            "n_mentioned": mentioned.astype(np.int64),
            "share": share,
            "ci_low": np.asarray(lo, dtype=float),
            "ci_high": np.asarray(hi, dtype=float),
            "n_disrupted": disrupted.astype(np.int64),
            "n_unclear": unclear.astype(np.int64),
            "disrupted_share": dshare,
            "disrupted_ci_low": np.asarray(dlo, dtype=float),
            "disrupted_ci_high": np.asarray(dhi, dtype=float),
        }
    )
    if keys is not None:
        expanded = keys.loc[np.repeat(np.arange(len(keys)), n_jobs)].reset_index(drop=True)
        out = pd.concat([expanded, out], axis=1)
    return out


# ======================================================================= supervised coding
# ---------------------------------------------------------------- vectorised n-gram TF-IDF
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_HASH_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_HASH_BASE_INV = pow(_HASH_BASE, -1, 2**64)
_CHAR_BITS = 12  # a character n-gram of up to 5 characters is packed exactly into 60 bits


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (Steele, Lea & Flood 2014), elementwise on uint64, wrapping."""
    x = x ^ (x >> np.uint64(30))
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    return x


def _powers(base: int, n: int) -> np.ndarray:
    p = np.full(n + 1, base, dtype=np.uint64)
    p[0] = 1
    return np.cumprod(p, dtype=np.uint64)


def _word_ngram_keys(
    docs: list[str], ngram_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(document, key) of every word n-gram; tokens are runs of two or more word characters.

    The tokens are those of scikit-learn's default ``token_pattern`` ``(?u)\\b\\w\\w+\\b``; a
    token is keyed by a polynomial hash modulo 2**64 computed for all tokens at once from
    prefix sums, an n-gram by mixing the keys of its tokens.
    """
    n = len(docs)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n)
    cp = _codepoints(" ".join(docs))
    size = cp.size
    if size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    w = _word_mask(cp)
    prev = np.concatenate([[False], w[:-1]])
    nxt = np.concatenate([w[1:], [False]])
    t_start = np.flatnonzero(w & ~prev)
    t_end = np.flatnonzero(w & ~nxt) + 1
    keep = t_end - t_start >= 2
    t_start, t_end = t_start[keep], t_end[keep]
    c = cp.astype(np.uint64) + np.uint64(1)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    c *= _powers(_HASH_BASE_INV, size)[1:]
    np.cumsum(c, out=prefix[1:])
    key = _powers(_HASH_BASE, size)[t_end] * (prefix[t_end] - prefix[t_start])
    key = _mix64(key ^ (t_end - t_start).astype(np.uint64))
    doc_starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    t_doc = np.searchsorted(doc_starts, t_start, side="right") - 1
    out_doc, out_key = [], []
    lo, hi = ngram_range
    if lo <= 1:
        out_doc.append(t_doc)
        out_key.append(key)
    m = key.size
    for k in range(max(2, lo), hi + 1):
        if m < k:
            break
        same = t_doc[k - 1 :] == t_doc[: m - k + 1]
        g = key[: m - k + 1].copy()
        for j in range(1, k):
            g = _mix64(g * _GOLDEN + key[j : m - k + 1 + j] + np.uint64(k))
        out_doc.append(t_doc[: m - k + 1][same])
        out_key.append(g[same])
    return np.concatenate(out_doc), np.concatenate(out_key)


def _char_wb_keys(docs: list[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(document, key) of every character n-gram inside word boundaries.

    The n-grams are exactly those of scikit-learn's ``analyzer="char_wb"``: each
    whitespace-separated word is padded with one space on each side and every substring of
    length ``lo..hi`` of the padded word is an n-gram. A key packs the code points (12 bits
    each; characters beyond U+0F9F share 94 codes), so keys of different n-grams differ.
    """
    padded = [" " + "  ".join(d.split()) + " " if d and not d.isspace() else "" for d in docs]
    n = len(padded)
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=n)
    cp = _codepoints("".join(padded))
    size = cp.size
    if size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    space = cp == 32
    starts_word = space & np.concatenate([~space[1:], [False]])
    word_id = np.cumsum(starts_word, dtype=np.int32)
    code = cp.astype(np.uint64) + np.uint64(1)
    if cp.dtype != np.uint8:
        rare = cp >= 4000
        if rare.any():
            code[rare] = np.uint64(4001) + (cp[rare] % 94).astype(np.uint64)
    lo, hi = ngram_range
    out_pos, out_key = [], []
    key = code
    for m in range(1, hi + 1):
        if m > 1:
            key = key[:-1] | (code[m - 1 :] << np.uint64(_CHAR_BITS * (m - 1)))
        if m < lo:
            continue
        valid = word_id[: size - m + 1] == word_id[m - 1 :]
        out_pos.append(np.flatnonzero(valid))
        out_key.append(key[valid])
    pos_doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
    return pos_doc[np.concatenate(out_pos)], np.concatenate(out_key)


class _KeyTable:
    """Exact lookup of uint64 keys -> column (open addressing, linear probing, vectorised).

    Slots are found by Fibonacci hashing (Knuth, *TAOCP* vol. 3, 6.4).
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.asarray(keys, dtype=np.uint64)
        n = self.keys.size
        bits = max(4, int(np.ceil(np.log2(2 * n + 1))))
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        slot_keys = np.zeros(1 << bits, dtype=np.uint64)
        slot_cols = np.full(1 << bits, -1, dtype=np.int64)
        pos = self._home(self.keys)
        pending = np.arange(n)
        placed = np.zeros(n, dtype=bool)
        while pending.size:
            where = pos[pending]
            free = slot_cols[where] < 0
            slot_free, first = np.unique(where[free], return_index=True)
            winners = pending[free][first]
            slot_keys[slot_free] = self.keys[winners]
            slot_cols[slot_free] = winners
            placed[winners] = True
            pending = pending[~placed[pending]]
            pos[pending] = (pos[pending] + 1) & self.mask
        self.slot_keys = slot_keys
        self.slot_cols = slot_cols

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * _GOLDEN) >> self.shift).view(np.int64)

    def lookup(self, query: np.ndarray) -> np.ndarray:
        """Column of each query key, -1 when the key is not in the table."""
        if self.keys.size == 0 or query.size == 0:
            return np.full(query.size, -1, dtype=np.int64)
        pos = self._home(query)
        col = self.slot_cols[pos]
        hit = self.slot_keys[pos] == query
        miss = ~hit
        col[miss & (col >= 0)] = -2  # occupied by another key: probe on
        active = np.flatnonzero(col == -2)
        col[miss & (col == -2)] = -1
        while active.size:  # collisions: probe the following slots
            p = (pos[active] + 1) & self.mask
            pos[active] = p
            c = self.slot_cols[p]
            found = (c >= 0) & (self.slot_keys[p] == query[active])
            col[active[found]] = c[found]
            active = active[(c >= 0) & ~found]
        return col


def _counts_matrix(doc: np.ndarray, col: np.ndarray, n_docs: int, n_cols: int):
    """CSR matrix of counts of (doc, col) pairs (columns sorted within rows)."""
    from scipy import sparse

    keep = col >= 0
    pair = (doc[keep].astype(np.int64) << 32) | col[keep]
    pair.sort()
    if pair.size:
        new = np.empty(pair.size, dtype=bool)
        new[0] = True
        np.not_equal(pair[1:], pair[:-1], out=new[1:])
        idx = np.flatnonzero(new)
        counts = np.diff(idx, append=pair.size).astype(np.float64)
        uniq = pair[idx]
    else:
        counts = np.zeros(0)
        uniq = pair
    rows = uniq >> 32
    cols = (uniq & 0xFFFFFFFF).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_docs))])
    return sparse.csr_matrix((counts, cols, indptr), shape=(n_docs, n_cols))


class NgramTfidf:
    """TF-IDF features of word and character n-grams, computed with vectorised array code.

    The n-grams are those of scikit-learn's ``TfidfVectorizer`` with ``ngram_range=word_ngrams``
    (default token pattern) and with ``analyzer="char_wb", ngram_range=char_ngrams``, both on
    lower-cased text; weights are ``sublinear_tf`` and smoothed idf as there, each block is
    L2-normalised and the two blocks are concatenated with weight ``1/sqrt(2)`` each, so every
    non-empty row has unit length. It is many times faster than the pure-Python analyzers
    because every n-gram of every comment is formed and looked up with array operations.

    Parameters
    ----------
    word_ngrams, char_ngrams : tuple of int, default (1, 2) and (2, 5)
        N-gram ranges; ``None`` leaves a block out.
    min_df : int, default 2
        Keep n-grams that occur in at least this many training comments.
    chunk_size : int, default 2048
        Comments processed per pass (small passes stay in the processor's cache; the result
        does not depend on it).

    Attributes
    ----------
    n_features_ : int
        Number of columns.
    idf_ : numpy.ndarray
        Inverse document frequency of each column.
    """

    def __init__(
        self,
        *,
        word_ngrams: tuple[int, int] | None = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        chunk_size: int = 2048,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.chunk_size = chunk_size

    def _blocks(self) -> list[tuple[str, Any, tuple[int, int]]]:
        out = []
        if self.word_ngrams is not None:
            out.append(("word", _word_ngram_keys, tuple(self.word_ngrams)))
        if self.char_ngrams is not None:
            out.append(("char", _char_wb_keys, tuple(self.char_ngrams)))
        if not out:
            raise ValueError("NgramTfidf: at least one of word_ngrams and char_ngrams is needed.")
        return out

    def fit(self, texts: Sequence[str]) -> NgramTfidf:
        """Learn the vocabulary (n-grams in at least ``min_df`` comments) and the idf."""
        docs = _lower_docs(texts)
        n = len(docs)
        self.tables_, self.idf_ = [], []
        for _, keys_of, ngram_range in self._blocks():
            uniq_parts, count_parts = [], []
            for lo in range(0, n, self.chunk_size):
                d, k = keys_of(docs[lo : lo + self.chunk_size], ngram_range)
                # one count per (document, n-gram): sort pairs, keep the first of each
                order = np.lexsort((d, k))
                k, d = k[order], d[order]
                first = np.concatenate([[True], (k[1:] != k[:-1]) | (d[1:] != d[:-1])])
                ku, kc = np.unique(k[first], return_counts=True)
                uniq_parts.append(ku)
                count_parts.append(kc)
            keys = np.concatenate(uniq_parts) if uniq_parts else np.zeros(0, np.uint64)
            counts = np.concatenate(count_parts) if count_parts else np.zeros(0, np.int64)
            order = np.argsort(keys, kind="stable")
            keys, counts = keys[order], counts[order]
            if keys.size:
                new = np.concatenate([[True], keys[1:] != keys[:-1]])
                idx = np.flatnonzero(new)
                df = np.add.reduceat(counts, idx)
                keys = keys[idx]
            else:
                df = counts
            keep = df >= self.min_df
            self.tables_.append(_KeyTable(keys[keep]))
            self.idf_.append(np.log((1.0 + n) / (1.0 + df[keep])) + 1.0)
        self.n_features_ = int(sum(t.keys.size for t in self.tables_))
        return self

    def transform(self, texts: Sequence[str]):
        """TF-IDF matrix (``scipy.sparse.csr_matrix``, one row per comment)."""
        from scipy import sparse
        from sklearn.preprocessing import normalize

        if not hasattr(self, "tables_"):
            raise _not_fitted("NgramTfidf")
        docs = _lower_docs(texts)
        blocks = self._blocks()
        weight = 1.0 / np.sqrt(len(blocks))
        parts = []
        for lo in range(0, max(len(docs), 1), self.chunk_size):
            chunk = docs[lo : lo + self.chunk_size]
            mats = []
            for (_, keys_of, ngram_range), table, idf in zip(
                blocks, self.tables_, self.idf_, strict=True
            ):
                d, k = keys_of(chunk, ngram_range)
                x = _counts_matrix(d, table.lookup(k), len(chunk), table.keys.size)
                np.log(x.data, out=x.data)
                x.data += 1.0
                x.data *= idf[x.indices]
                normalize(x, norm="l2", copy=False)
                x.data *= weight
                mats.append(x)
            parts.append(sparse.hstack(mats, format="csr"))
        return _vstack_csr(parts, self.n_features_)

    def fit_transform(self, texts: Sequence[str]):
        """``fit(texts).transform(texts)``."""
        return self.fit(texts).transform(texts)


def _vstack_csr(parts: list[Any], n_cols: int):
    """Stack CSR matrices by rows (plain concatenation of their arrays)."""
    from scipy import sparse

    if len(parts) == 1:
        return parts[0]
    indptr = [np.zeros(1, dtype=np.int64)]
    offset = 0
    for part in parts:
        indptr.append(part.indptr[1:].astype(np.int64) + offset)
        offset += int(part.indptr[-1])
    return sparse.csr_matrix(
        (
            np.concatenate([p.data for p in parts]),
            np.concatenate([p.indices for p in parts]),
            np.concatenate(indptr),
        ),
        shape=(sum(p.shape[0] for p in parts), n_cols),
    )


def _lower_docs(texts: Sequence[str]) -> list[str]:
    return [t.lower() if isinstance(t, str) else "" for t in texts]


def _not_fitted(name: str) -> Exception:
    from sklearn.exceptions import NotFittedError

    return NotFittedError(f"This {name} instance is not fitted yet; call 'fit' first.")


# ------------------------------------------------------------------- labels, folds, metrics
_LABEL_FORMATS = ("auto", "multiclass", "multilabel")


def _as_text_list(texts: Any, *, caller: str) -> list[str]:
    if isinstance(texts, pd.DataFrame) or isinstance(texts, str):
        raise TypeError(
            f"The 'texts' parameter of {caller} must be a sequence of comments (a Series, list "
            f"or 1-D array); got {type(texts).__name__}."
        )
    if isinstance(texts, pd.Series | pd.Index):
        values = texts.tolist()
    else:
        arr = np.asarray(texts, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"{caller}: 'texts' must be one-dimensional; got shape {arr.shape}.")
        values = arr.tolist()
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _labels_to_matrix(
    labels: Any, *, label_format: str = "auto", caller: str
) -> tuple[np.ndarray, list[Any], str]:
    """Indicator matrix (n x L, int8), label names and the format of ``labels``.

    * a DataFrame or 2-D array: one 0/1 column per label (multi-label);
    * 1-D values containing ``;``: ``;``-separated codes (multi-label; empty = no label);
    * other 1-D values: one category per comment (multi-class).
    """
    one_of(label_format, _LABEL_FORMATS, parameter="label_format", caller=caller)
    if isinstance(labels, pd.DataFrame) or (isinstance(labels, np.ndarray) and labels.ndim == 2):
        frame = labels if isinstance(labels, pd.DataFrame) else pd.DataFrame(labels)
        if label_format == "multiclass":
            raise ValueError(
                f"{caller}: label_format='multiclass' needs one label per comment, "
                f"got a table of {frame.shape[1]} label columns."
            )
        values = frame.apply(pd.to_numeric, errors="coerce")
        bad = values.isna() | ~values.isin([0, 1])
        if bad.to_numpy().any():
            col = frame.columns[np.flatnonzero(bad.to_numpy().any(axis=0))[0]]
            rows = np.flatnonzero(bad[col].to_numpy())[:5].tolist()
            raise ValueError(
                f"{caller}: label column {col!r} must hold 0/1 codes; rows {rows} (0-based) "
                f"hold {frame[col].iloc[rows].tolist()}."
            )
        return values.to_numpy(dtype=np.int8), list(frame.columns), "multilabel"
    arr = (
        labels.tolist()
        if isinstance(labels, pd.Series | pd.Index)
        else list(np.asarray(labels, dtype=object))
    )
    missing = [i for i, v in enumerate(arr) if _is_missing(v)]
    semicolon = any(isinstance(v, str) and ";" in v for v in arr)
    fmt = label_format if label_format != "auto" else ("multilabel" if semicolon else "multiclass")
    if fmt == "multiclass":
        if missing:
            raise ValueError(
                f"{caller}: labels are missing for rows {missing[:5]} (0-based, "
                f"{len(missing)} in all); drop uncoded comments first."
            )
        classes = sorted(set(arr), key=lambda v: (str(type(v)), v))
        index = {c: i for i, c in enumerate(classes)}
        y = np.zeros((len(arr), len(classes)), dtype=np.int8)
        y[np.arange(len(arr)), [index[v] for v in arr]] = 1
        return y, classes, "multiclass"
    codes = [
        [] if _is_missing(v) else [c.strip() for c in str(v).split(";") if c.strip()] for v in arr
    ]
    classes = sorted({c for row in codes for c in row})
    index = {c: i for i, c in enumerate(classes)}
    y = np.zeros((len(arr), len(classes)), dtype=np.int8)
    for i, row in enumerate(codes):
        y[i, [index[c] for c in row]] = 1
    return y, classes, "multilabel"


def _stratified_folds(
    y: np.ndarray, folds: int, random_state: int | None, names: Sequence[Any] | None = None
) -> np.ndarray:
    """Fold number of each row, stratified on the row's rarest label (or 'none').

    Ties between equally frequent labels are broken by label name, so the folds do not depend
    on the order of the label columns.
    """
    import warnings

    from sklearn.model_selection import StratifiedKFold

    n, n_labels = y.shape
    freq = y.sum(axis=0)
    names = [str(c) for c in (names if names is not None else range(n_labels))]
    by_name = np.argsort(np.argsort(np.array(names, dtype=object), kind="stable"))
    order = np.lexsort((by_name, freq))  # label columns from rarest to most common
    rank = np.empty(n_labels, dtype=np.int64)
    rank[order] = np.arange(n_labels)
    ranked = np.where(y > 0, rank[None, :], n_labels)
    best = ranked.min(axis=1) if n_labels else np.zeros(n, dtype=np.int64)
    stratum = np.where(best < n_labels, order[np.minimum(best, max(n_labels - 1, 0))], -1)
    stratum = np.unique(stratum, return_inverse=True)[1]
    out = np.zeros(n, dtype=np.int64)
    counts = np.bincount(stratum)
    if counts.max() < folds:  # every stratum smaller than folds: plain shuffled k-fold
        rng = np.random.default_rng(random_state)
        out[rng.permutation(n)] = np.arange(n) % folds
        return out
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # strata smaller than folds are expected
        for f, (_, test) in enumerate(splitter.split(np.zeros(n), stratum)):
            out[test] = f
    return out


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid ``p = 1 / (1 + exp(a f + b))`` fitted by Newton's method.

    Regularised targets as in Platt (1999); the Newton iteration with backtracking line
    search is the algorithm of Lin, Lin & Weng (2007).
    """
    f = np.asarray(decision, dtype=float)
    y = np.asarray(y) > 0
    n_pos = float(y.sum())
    n_neg = float(y.size - n_pos)
    hi, lo = (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0)
    t = np.where(y, hi, lo)
    a, b = 0.0, float(np.log((n_neg + 1.0) / (n_pos + 1.0)))

    def objective(a: float, b: float) -> float:
        z = a * f + b
        # t*log(1+exp(z)) + (1-t)*log(1+exp(-z)) written stably
        return float(np.sum(t * z + np.logaddexp(0.0, -z)))

    fval = objective(a, b)
    sigma = 1e-12
    for _ in range(100):
        z = a * f + b
        p = np.where(z >= 0, np.exp(-z) / (1.0 + np.exp(-z)), 1.0 / (1.0 + np.exp(z)))
        q = 1.0 - p
        d2 = p * q
        h11 = sigma + float(np.sum(f * f * d2))
        h22 = sigma + float(np.sum(d2))
        h21 = float(np.sum(f * d2))
        d1 = t - p
        g1 = float(np.sum(f * d1))
        g2 = float(np.sum(d1))
        if abs(g1) < 1e-5 and abs(g2) < 1e-5:
            break
        det = h11 * h22 - h21 * h21
        da = -(h22 * g1 - h21 * g2) / det
        db = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * da + g2 * db
        step = 1.0
        while step >= 1e-10:
            new = objective(a + step * da, b + step * db)
            if new < fval + 1e-4 * step * gd:
                a, b, fval = a + step * da, b + step * db, new
                break
            step /= 2.0
        else:
            break
    return a, b


def _sigmoid(decision: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    z = decision * a + b
    return np.exp(-np.logaddexp(0.0, z))


def _best_threshold(prob: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Threshold on ``prob`` that maximises F1 (predict ``prob >= threshold``), and the F1."""
    y = np.asarray(y) > 0
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.size:
        return 0.5, float("nan")
    order = np.argsort(-prob, kind="stable")
    p, t = prob[order], y[order]
    tp = np.cumsum(t)
    k = np.arange(1, p.size + 1)
    f1 = 2.0 * tp / (k + n_pos)
    distinct = np.concatenate([p[1:] < p[:-1], [True]])  # cut only between different scores
    f1 = np.where(distinct, f1, -1.0)
    i = int(np.argmax(f1))
    threshold = (p[i] + p[i + 1]) / 2.0 if i + 1 < p.size else p[i] / 2.0
    return float(threshold), float(f1[i])


def _macro_f1_of_classes(truth: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    cm = np.bincount(truth * n_classes + pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    present = cm.sum(axis=1) > 0
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    return float(f1[present].mean()) if present.any() else 0.0


def _tune_class_weights(prob: np.ndarray, truth: np.ndarray, *, sweeps: int = 2) -> np.ndarray:
    """Per-class weights w so that ``argmax(prob * w)`` maximises macro-F1 (coordinate ascent).

    The multi-class counterpart of per-label thresholds: weights start at 1 (plain argmax)
    and a change is kept only when it raises the macro-F1 of the out-of-fold predictions.
    """
    n_classes = prob.shape[1]
    weights = np.ones(n_classes)
    if prob.shape[0] == 0 or n_classes < 2:
        return weights
    grid = np.exp(np.linspace(-1.5, 1.5, 25))
    best = _macro_f1_of_classes(truth, prob.argmax(axis=1), n_classes)
    for _ in range(sweeps):
        improved = False
        for k in range(n_classes):
            current = weights[k]
            for g in grid:
                weights[k] = g
                score = _macro_f1_of_classes(truth, (prob * weights).argmax(axis=1), n_classes)
                if score > best + 1e-12:
                    best, current, improved = score, g, True
            weights[k] = current
        if not improved:
            break
    return weights


def _label_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, np.ndarray]:
    tp = (y_true & y_pred).sum(axis=0).astype(float)
    fp = (~y_true & y_pred).sum(axis=0).astype(float)
    fn = (y_true & ~y_pred).sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


@dataclass(frozen=True)
class CoderEvaluation:
    """Quality of a coder against hand coding.

    Attributes
    ----------
    per_label : pandas.DataFrame
        One row per label: ``label``, ``support`` (hand-coded comments with the label),
        ``n_predicted``, ``precision`` with ``precision_ci_low`` and ``precision_ci_high``,
        ``recall`` with ``recall_ci_low`` and ``recall_ci_high`` (95% Wilson intervals over
        the predicted and the true codes), ``f1`` (NaN for labels with no support), ``rare``
        (support smaller than the number of folds: estimates are unstable).
    macro_f1 : float
        Unweighted mean of ``f1`` over labels with support > 0.
    micro_f1 : float
        F1 of all (comment, label) decisions pooled (equals accuracy for one label per
        comment).
    n : int
        Comments evaluated.
    method : str
        ``"cross-validation"`` or ``"held-out test"``.
    folds : int or None
        Number of cross-validation folds.
    label_format : str
        ``"multiclass"`` or ``"multilabel"``.
    per_fold : pandas.DataFrame or None
        With cross-validation: ``fold``, ``n``, ``macro_f1``, ``micro_f1`` of each fold.
    """

    per_label: pd.DataFrame
    macro_f1: float
    micro_f1: float
    n: int
    method: str
    folds: int | None
    label_format: str
    per_fold: pd.DataFrame | None = None

    @property
    def rare_labels(self) -> tuple[str, ...]:
        """Labels whose support is smaller than the number of folds."""
        return tuple(str(v) for v in self.per_label.loc[self.per_label["rare"], "label"])

    def summary(self) -> pd.DataFrame:
        """One-row table: ``method``, ``n``, ``n_labels``, ``folds``, ``macro_f1``,
        ``micro_f1``, ``n_rare``."""
        return pd.DataFrame(
            [
                {
                    "method": self.method,
                    "n": self.n,
                    "n_labels": len(self.per_label),
                    "folds": self.folds,
                    "macro_f1": self.macro_f1,
                    "micro_f1": self.micro_f1,
                    "n_rare": len(self.rare_labels),
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: ``macro_f1``, ``micro_f1``, ``per_label`` (list of records),
        ``n``, ``method``, ``folds``, ``label_format``, ``rare_labels``."""

        def plain(v: Any) -> Any:
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and np.isnan(v):
                return None
            return v

        return {
            "macro_f1": plain(self.macro_f1),
            "micro_f1": plain(self.micro_f1),
            "per_label": [
                {k: plain(v) for k, v in rec.items()}
                for rec in self.per_label.astype(object).to_dict(orient="records")
            ],
            "n": self.n,
            "method": self.method,
            "folds": self.folds,
            "label_format": self.label_format,
            "rare_labels": list(self.rare_labels),
        }


def _evaluation(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[Any],
    *,
    method: str,
    folds: int | None,
    label_format: str,
    per_fold: pd.DataFrame | None = None,
) -> CoderEvaluation:
    yt, yp = y_true.astype(bool), y_pred.astype(bool)
    s = _label_scores(yt, yp)
    support = yt.sum(axis=0)
    present = support > 0
    f1 = np.where(present, s["f1"], np.nan)
    per_label = pd.DataFrame(
        {
            "label": pd.Series([str(c) for c in classes], dtype="str"),
            "support": support.astype(np.int64),
            "n_predicted": yp.sum(axis=0).astype(np.int64),
            "precision": np.where(present, s["precision"], np.nan),
            "recall": np.where(present, s["recall"], np.nan),
            "f1": f1,
            "rare": support < (folds if folds else 1),
        }
    )
    # 95% Wilson intervals: precision over the predicted codes, recall over the true ones
    p_lo, p_hi = wilson_interval(s["tp"], yp.sum(axis=0))
    r_lo, r_hi = wilson_interval(s["tp"], support)
    per_label.insert(4, "precision_ci_low", np.asarray(p_lo, dtype=float))
    per_label.insert(5, "precision_ci_high", np.asarray(p_hi, dtype=float))
    per_label.insert(7, "recall_ci_low", np.where(present, r_lo, np.nan))
    per_label.insert(8, "recall_ci_high", np.where(present, r_hi, np.nan))
    tp, fp, fn = s["tp"].sum(), s["fp"].sum(), s["fn"].sum()
    micro = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) > 0 else float("nan")
    macro = float(np.mean(f1[present])) if present.any() else float("nan")
    return CoderEvaluation(
        per_label=per_label,
        macro_f1=macro,
        micro_f1=float(micro),
        n=int(y_true.shape[0]),
        method=method,
        folds=folds,
        label_format=label_format,
        per_fold=per_fold,
    )


# ------------------------------------------------------------------------------ TextCoder
class TextCoder:
    """Supervised coder: learns a coding frame from hand-coded comments.

    Works with any label set: several 0/1 columns (multi-label), one category per comment
    (multi-class) or ``;``-separated codes (multi-label).

    Parameters
    ----------
    C : float, default 0.5
        Inverse regularisation strength of the linear SVMs.
    word_ngrams, char_ngrams : tuple of int, default (1, 2) and (2, 5)
        Word and character (within word boundaries) n-gram ranges of the TF-IDF features.
    min_df : int, default 2
        Keep n-grams seen in at least this many training comments.
    inner_folds : int, default 2
        Folds of the inner cross-validation that yields the SVMs and their out-of-fold scores
        for calibration and threshold tuning.
    tune_thresholds : bool, default True
        Tune one threshold per label to maximise F1 (multi-label) or one weight per category
        to maximise macro-F1 (multi-class); otherwise thresholds of 0.5 and equal weights.
    n_jobs : int or None, default -1
        Threads that compute features and score comments in parallel (``-1``: all cores;
        ``None`` or 1: one thread). The SVMs are fitted one after another so that results
        are reproducible.
    random_state : int or None, default 0
        Seed of the inner folds and of the SVM solver (``None`` uses 0: fits are always
        reproducible).

    Attributes
    ----------
    classes_ : list
        Label names, in column order of :meth:`predict_proba`.
    label_format_ : str
        ``"multiclass"`` or ``"multilabel"``.
    thresholds_ : numpy.ndarray
        Decision threshold on the calibrated probability of each label (multi-label).
    class_weights_ : numpy.ndarray
        Weight of each category's probability in the multi-class decision (ones otherwise).
    calibration_ : pandas.DataFrame
        Per label: ``label``, ``n_positive``, ``platt_a``, ``platt_b``, ``threshold``,
        ``inner_f1`` (out-of-fold F1 at the threshold), ``calibrated`` (False when there were
        too few positives for out-of-fold calibration: scores fitted in-sample instead).
    vectorizer_ : NgramTfidf
        The fitted features.

    Notes
    -----
    *Features.* TF-IDF of word 1-2-grams and character 2-5-grams within word boundaries
    (sublinear term frequency, smoothed idf, each block L2-normalised), computed by
    :class:`NgramTfidf`, which yields the same n-grams as scikit-learn's ``TfidfVectorizer``.

    *Model.* One linear SVM per label (one-vs-rest; ``LinearSVC`` with
    ``class_weight="balanced"`` so rare labels weigh as much as common ones).

    *Calibration.* The training comments are split into ``inner_folds`` stratified folds; each
    label's SVM is fitted without each fold and scores it. Platt's sigmoid [1]_ (fitted as in
    Lin, Lin & Weng 2007 [2]_) maps these out-of-fold scores to probabilities. For a
    multi-label frame, the threshold of each label is then set where the out-of-fold F1 is
    largest [3]_. For a multi-class frame the category with the largest weighted probability
    is predicted, with one weight per category tuned the same way (coordinate ascent on the
    out-of-fold macro-F1, starting from equal weights, so rare categories are not crowded out).
    The coder scores new comments with the average of the ``inner_folds`` SVMs (an ensemble,
    as scikit-learn's ``CalibratedClassifierCV`` does by default), so no model is fitted
    twice. The TF-IDF vocabulary of the inner folds is the one
    of all training comments (it uses no labels).

    *Rare labels.* A label with fewer than two positive comments (or no negative one) in the
    training data gets a constant probability equal to its prevalence. A label whose
    positives are too few for every inner fold to contain some is calibrated in-sample and
    keeps threshold 0.5 (``calibration_.calibrated`` is False).

    *Missing data.* Missing comments are treated as empty text; missing labels are an error
    (drop uncoded comments first, as :func:`evaluate_coder_file` does).

    References
    ----------
    .. [1] Platt, J. C. (1999). Probabilistic outputs for support vector machines and
       comparisons to regularized likelihood methods. In *Advances in Large Margin
       Classifiers* (pp. 61-74). MIT Press.
    .. [2] Lin, H.-T., Lin, C.-J., & Weng, R. C. (2007). A note on Platt's probabilistic
       outputs for support vector machines. *Machine Learning*, 68(3), 267-276.
    .. [3] Lipton, Z. C., Elkan, C., & Naryanaswamy, B. (2014). Optimal thresholding of
       classifiers to maximize F1 measure. *ECML PKDD 2014*, LNCS 8725, 225-239.

    Examples
    --------
    >>> texts = ["no one explained", "nobody told me anything", "kind nurse", "lovely staff"] * 5
    >>> labels = ["clarity", "clarity", "kindness", "kindness"] * 5
    >>> coder = TextCoder().fit(texts, labels)
    >>> coder.predict(["nobody explained the plan"]).tolist()
    ['clarity']
    """

    def __init__(
        self,
        *,
        C: float = 0.5,
        word_ngrams: tuple[int, int] | None = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        inner_folds: int = 2,
        tune_thresholds: bool = True,
        n_jobs: int | None = -1,
        random_state: int | None = 0,
    ) -> None:
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.inner_folds = inner_folds
        self.tune_thresholds = tune_thresholds
        self.n_jobs = n_jobs
        self.random_state = random_state

    # scikit-learn's parameter protocol (so clone() and grid search work)
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this coder (scikit-learn protocol)."""
        return {
            k: getattr(self, k)
            for k in (
                "C",
                "word_ngrams",
                "char_ngrams",
                "min_df",
                "inner_folds",
                "tune_thresholds",
                "n_jobs",
                "random_state",
            )
        }

    def set_params(self, **params: Any) -> TextCoder:
        """Set parameters (scikit-learn protocol); returns self."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"TextCoder.set_params: unknown parameter {key!r}; allowed: {', '.join(valid)}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != TextCoder().get_params()[k]}
        return f"TextCoder({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _check_params(self, caller: str) -> None:
        if isinstance(self.C, bool) or not isinstance(self.C, int | float) or not self.C > 0:
            raise ValueError(
                f"The 'C' parameter of {caller} must be a positive number; got {self.C!r}."
            )
        check_int(self.min_df, parameter="min_df", caller=caller, minimum=1)
        check_int(self.inner_folds, parameter="inner_folds", caller=caller, minimum=2)
        check_int(self.n_jobs, parameter="n_jobs", caller=caller, allow_none=True)

    def _new_vectorizer(self) -> NgramTfidf:
        return NgramTfidf(
            word_ngrams=self.word_ngrams, char_ngrams=self.char_ngrams, min_df=self.min_df
        )

    def _fit_svm(self, x: Any, y: np.ndarray) -> tuple[np.ndarray, float] | None:
        """Weights and intercept of one label's SVM, or None when y has one class only."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        n_pos = int(y.sum())
        if n_pos == 0 or n_pos == y.size:
            return None
        svm = LinearSVC(
            C=self.C,
            class_weight="balanced",
            dual=True,
            tol=1e-3,
            max_iter=2000,
            random_state=0 if self.random_state is None else self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(x, y)
        return svm.coef_.ravel().astype(np.float64), float(svm.intercept_[0])

    def _threads(self) -> int:
        from joblib import effective_n_jobs

        return 1 if self.n_jobs is None else max(1, int(effective_n_jobs(self.n_jobs)))

    def _parallel(self, func: Any, items: Iterable[Any]) -> list[Any]:
        """``[func(i) for i in items]`` on ``n_jobs`` threads (the heavy work frees the GIL)."""
        from concurrent.futures import ThreadPoolExecutor

        items = list(items)
        threads = min(self._threads(), len(items))
        if threads <= 1:
            return [func(i) for i in items]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(func, items))

    def _chunks(self, docs: list[str]) -> list[list[str]]:
        step = self.vectorizer_.chunk_size
        return [docs[lo : lo + step] for lo in range(0, len(docs), step)] or [[]]

    def _features(self, docs: list[str]):
        parts = self._parallel(self.vectorizer_.transform, self._chunks(docs))
        return _vstack_csr(parts, self.vectorizer_.n_features_)

    def fit(self, texts: Any, labels: Any, *, label_format: str = "auto") -> TextCoder:
        """Learn features, one calibrated SVM per label and the per-label thresholds.

        Parameters
        ----------
        texts : sequence of str
            Comments (missing values are treated as empty text).
        labels : DataFrame, 2-D array or sequence
            0/1 columns (multi-label), one category per comment (multi-class), or
            ``;``-separated codes (multi-label).
        label_format : {"auto", "multiclass", "multilabel"}, default "auto"
            Force how 1-D labels are read (``"auto"``: ``;`` anywhere means multi-label).

        Returns
        -------
        TextCoder
            self, fitted.

        Raises
        ------
        ValueError
            If texts and labels differ in length, labels are missing or not 0/1, fewer than
            two labels occur, or a parameter is invalid.
        TypeError
            If texts is not a sequence of comments.
        """
        caller = "TextCoder.fit"
        self._check_params(caller)
        docs = _as_text_list(texts, caller=caller)
        y, classes, fmt = _labels_to_matrix(labels, label_format=label_format, caller=caller)
        if y.shape[0] != len(docs):
            raise ValueError(
                f"{caller}: 'texts' has {len(docs)} comments but 'labels' has {y.shape[0]} rows."
            )
        if fmt == "multiclass" and len(classes) < 2:
            raise ValueError(
                f"{caller}: a multi-class frame needs at least two categories; got {classes}."
            )
        if len(docs) < 2 * self.inner_folds:
            raise ValueError(
                f"{caller}: need at least {2 * self.inner_folds} comments for "
                f"inner_folds={self.inner_folds}; got {len(docs)}."
            )
        self.vectorizer_ = self._new_vectorizer().fit(docs)
        x = self._features(docs)
        n, n_labels = y.shape
        fold = _stratified_folds(y, self.inner_folds, self.random_state, classes)
        oof = np.full((n, n_labels), np.nan)
        tasks = [(f, j) for f in range(self.inner_folds) for j in range(n_labels)]
        train_rows = [np.flatnonzero(fold != f) for f in range(self.inner_folds)]
        test_rows = [np.flatnonzero(fold == f) for f in range(self.inner_folds)]
        x_train = [x[r] for r in train_rows]
        x_test = [x[r] for r in test_rows]

        def inner(task: tuple[int, int]) -> tuple[int, int, tuple[np.ndarray, float] | None]:
            f, j = task
            return f, j, self._fit_svm(x_train[f], y[train_rows[f], j])

        weights = np.zeros((n_labels, x.shape[1]))
        bias = np.zeros(n_labels)
        n_models = np.zeros(n_labels, dtype=np.int64)
        # one SVM at a time: liblinear's dual solver draws from one process-wide random
        # generator, so fits in parallel threads would not be reproducible
        for f, j, model in map(inner, tasks):
            if model is not None:
                w, b0 = model
                oof[test_rows[f], j] = x_test[f] @ w + b0
                weights[j] += w
                bias[j] += b0
                n_models[j] += 1
        coef = weights / np.maximum(n_models, 1)[:, None]
        intercept = bias / np.maximum(n_models, 1)
        a = np.zeros(n_labels)
        b = np.zeros(n_labels)
        thresholds = np.full(n_labels, 0.5)
        inner_f1 = np.full(n_labels, np.nan)
        calibrated = np.zeros(n_labels, dtype=bool)
        constant = np.zeros(n_labels, dtype=bool)
        n_pos = y.sum(axis=0).astype(np.int64)
        for j in range(n_labels):
            if n_models[j] == 0 or n_pos[j] < 2:
                constant[j] = True
                prevalence = (n_pos[j] + 0.5) / (n + 1.0)
                b[j] = float(np.log((1 - prevalence) / prevalence))
                continue
            ok = ~np.isnan(oof[:, j])
            yj = y[ok, j]
            if ok.all() and yj.sum() >= 1 and yj.sum() < yj.size:
                a[j], b[j] = _platt(oof[ok, j], yj)
                calibrated[j] = True
                if self.tune_thresholds and fmt == "multilabel":
                    prob = _sigmoid(oof[ok, j], a[j], b[j])
                    thresholds[j], inner_f1[j] = _best_threshold(prob, yj)
            else:
                a[j], b[j] = _platt(x @ coef[j] + intercept[j], y[:, j])
        class_weights = np.ones(n_labels)
        if fmt == "multiclass" and self.tune_thresholds:
            scored = ~np.isnan(oof).any(axis=1)
            decision = np.where(constant, 0.0, oof[scored])
            prob = _sigmoid(decision, a, b)
            class_weights = _tune_class_weights(prob, y[scored].argmax(axis=1))
        self.class_weights_ = class_weights
        self.classes_ = list(classes)
        self.label_format_ = fmt
        self.coef_ = coef
        self.intercept_ = intercept
        self.platt_ = np.stack([a, b], axis=1)
        self.thresholds_ = thresholds
        self.constant_ = constant
        self.calibration_ = pd.DataFrame(
            {
                "label": pd.Series([str(c) for c in classes], dtype="str"),
                "n_positive": n_pos,
                "platt_a": a,
                "platt_b": b,
                "threshold": thresholds,
                "inner_f1": inner_f1,
                "calibrated": calibrated,
            }
        )
        self.n_features_ = x.shape[1]
        return self

    def _check_fitted(self, caller: str) -> None:
        if not hasattr(self, "coef_"):
            raise _not_fitted(f"TextCoder ({caller})")

    def _probabilities(self, docs: list[str]) -> np.ndarray:
        def score(chunk: list[str]) -> np.ndarray:
            x = self.vectorizer_.transform(chunk)
            decision = np.asarray(x @ self.coef_.T) + self.intercept_
            decision[:, self.constant_] = 0.0
            return _sigmoid(decision, self.platt_[:, 0], self.platt_[:, 1])

        if not docs:
            return np.zeros((0, len(self.classes_)))
        out = np.concatenate(self._parallel(score, self._chunks(docs)))
        if self.label_format_ == "multiclass":
            total = out.sum(axis=1, keepdims=True)
            out = np.where(total > 0, out / np.where(total > 0, total, 1.0), 1.0 / out.shape[1])
        return out

    def _decide(self, prob: np.ndarray) -> np.ndarray:
        """Boolean matrix of predicted codes from calibrated probabilities."""
        if self.label_format_ == "multiclass":
            out = np.zeros(prob.shape, dtype=bool)
            out[np.arange(prob.shape[0]), (prob * self.class_weights_).argmax(axis=1)] = True
            return out
        return prob >= self.thresholds_

    def _index(self, texts: Any) -> pd.Index:
        if isinstance(texts, pd.Series):
            return texts.index
        return pd.RangeIndex(len(texts))

    def predict_proba(self, texts: Any) -> pd.DataFrame:
        """Calibrated probability of each label for each comment.

        Returns
        -------
        pandas.DataFrame
            One row per comment (index of ``texts`` when a Series), one column per label
            (``classes_``). Rows sum to 1 for a multi-class frame.
        """
        self._check_fitted("predict_proba")
        docs = _as_text_list(texts, caller="TextCoder.predict_proba")
        return pd.DataFrame(
            self._probabilities(docs), index=self._index(texts), columns=self.classes_
        )

    def predict(self, texts: Any) -> pd.Series | pd.DataFrame:
        """Predicted codes.

        Returns
        -------
        pandas.Series or pandas.DataFrame
            Multi-class: a Series with the predicted category of each comment. Multi-label:
            a DataFrame of 0/1 (``int64``) columns, one per label (``classes_``), 1 where the
            calibrated probability reaches the label's threshold. Index as ``texts``.
        """
        self._check_fitted("predict")
        docs = _as_text_list(texts, caller="TextCoder.predict")
        decided = self._decide(self._probabilities(docs))
        index = self._index(texts)
        if self.label_format_ == "multiclass":
            classes = np.array(self.classes_, dtype=object)
            return pd.Series(classes[decided.argmax(axis=1)], index=index, name="label")
        return pd.DataFrame(decided.astype(np.int64), index=index, columns=self.classes_)

    def _predict_matrix(self, docs: list[str]) -> np.ndarray:
        return self._decide(self._probabilities(docs))

    def suggest_next(self, texts: Any, n: int = 20) -> pd.DataFrame:
        """Uncoded comments the coder is least sure about (uncertainty sampling).

        Hand-coding these next teaches the coder most per comment coded.

        Parameters
        ----------
        texts : sequence of str
            Comments not yet hand-coded.
        n : int, default 20
            Number of comments to return.

        Returns
        -------
        pandas.DataFrame
            The ``n`` most uncertain comments, most uncertain first: ``position`` (0-based
            position in ``texts``), ``index`` (index label when ``texts`` is a Series),
            ``text``, ``label`` (the label whose decision is closest to flipping), ``score``
            (its calibrated probability; multi-class: the weighted probability of the predicted
            category), ``threshold`` (multi-label: the label's threshold; multi-class: the
            weighted probability of the runner-up), ``margin`` (``|score - threshold|``).

        Notes
        -----
        Margin-based uncertainty sampling (Lewis & Gale 1994; Settles 2012, ch. 2). Labels
        with a constant score (too rare to learn) are ignored. Texts are returned unredacted:
        pass them through ``privacy.redact`` before showing them in a report.

        References
        ----------
        .. [1] Lewis, D. D., & Gale, W. A. (1994). A sequential algorithm for training text
           classifiers. *Proceedings of SIGIR '94*, 3-12.
        .. [2] Settles, B. (2012). *Active Learning*. Morgan & Claypool.
        """
        caller = "TextCoder.suggest_next"
        self._check_fitted("suggest_next")
        n = check_int(n, parameter="n", caller=caller, minimum=1)
        docs = _as_text_list(texts, caller=caller)
        prob = self._probabilities(docs)
        classes = np.array([str(c) for c in self.classes_], dtype=object)
        if self.label_format_ == "multiclass":
            weighted = prob * self.class_weights_
            weighted /= np.maximum(weighted.sum(axis=1, keepdims=True), 1e-300)
            order = np.argsort(-weighted, axis=1, kind="stable")
            top, second = order[:, 0], order[:, 1]
            rows = np.arange(prob.shape[0])
            margin = weighted[rows, top] - weighted[rows, second]
            label, score = top, weighted[rows, top]
            threshold = weighted[rows, second]
        else:
            distance = np.abs(prob - self.thresholds_)
            distance[:, self.constant_] = np.inf
            label = distance.argmin(axis=1)
            rows = np.arange(prob.shape[0])
            margin = distance[rows, label]
            score = prob[rows, label]
            threshold = self.thresholds_[label]
        keep = np.isfinite(margin)
        order = np.lexsort((np.arange(len(docs)), margin))
        order = order[keep[order]][:n]
        index = self._index(texts)
        return pd.DataFrame(
            {
                "position": order.astype(np.int64),
                "index": np.asarray(index, dtype=object)[order],
                "text": pd.Series([docs[i] for i in order], dtype="str"),
                "label": pd.Series(classes[label[order]], dtype="str"),
                "score": score[order],
                "threshold": np.asarray(threshold, dtype=float)[order],
                "margin": margin[order],
            }
        )

    def cross_validate(
        self,
        texts: Any,
        labels: Any,
        *,
        folds: int = 5,
        random_state: int | None = 0,
        label_format: str = "auto",
    ) -> CoderEvaluation:
        """Cross-validated quality of this coder's settings against the hand coding.

        Each fold is coded by a coder fitted (features, SVMs, calibration, thresholds) on the
        other folds only; the out-of-fold codes of all comments are then compared with the hand
        codes.

        Parameters
        ----------
        texts, labels
            As for :meth:`fit`.
        folds : int, default 5
            Number of stratified folds (stratified on each comment's rarest label).
        random_state : int or None, default 0
            Seed of the fold assignment.
        label_format : {"auto", "multiclass", "multilabel"}, default "auto"
            As for :meth:`fit`.

        Returns
        -------
        CoderEvaluation
            Per-label precision, recall, F1 and support of the pooled out-of-fold codes,
            macro- and micro-F1, and the scores of each fold. Labels with support below
            ``folds`` are flagged ``rare``; they never make the evaluation fail.

        Raises
        ------
        ValueError
            If there are fewer comments than ``2 * folds`` or the inputs are invalid.

        Notes
        -----
        Stratifying on the rarest label of each comment approximates iterative stratification
        for multi-label data (Sechidis, Tsoumakas & Vlahavas 2011): every label, however rare,
        is spread over the folds as evenly as its count allows. F1, precision and recall follow
        scikit-learn's definitions (0 when undefined); the macro average is over labels with
        support.
        """
        caller = "TextCoder.cross_validate"
        self._check_params(caller)
        folds = check_int(folds, parameter="folds", caller=caller, minimum=2)
        docs = _as_text_list(texts, caller=caller)
        y, classes, fmt = _labels_to_matrix(labels, label_format=label_format, caller=caller)
        if y.shape[0] != len(docs):
            raise ValueError(
                f"{caller}: 'texts' has {len(docs)} comments but 'labels' has {y.shape[0]} rows."
            )
        if len(docs) < 2 * folds:
            raise ValueError(
                f"{caller}: need at least {2 * folds} comments for folds={folds}; got {len(docs)}."
            )
        if fmt == "multiclass" and len(classes) < 2:
            raise ValueError(
                f"{caller}: a multi-class frame needs at least two categories; got {classes}."
            )
        assignment = _stratified_folds(y, folds, random_state, classes)
        pred = np.zeros(y.shape, dtype=bool)
        fold_rows = []
        frame = pd.DataFrame(y, columns=range(y.shape[1]))
        for f in range(folds):
            train = np.flatnonzero(assignment != f)
            test = np.flatnonzero(assignment == f)
            coder = TextCoder(**self.get_params())
            if fmt == "multiclass":
                train_labels = [classes[i] for i in y[train].argmax(axis=1)]
            else:
                train_labels = frame.iloc[train]
            if fmt == "multiclass" and len(set(train_labels)) < 2:
                # the other folds hold a single category: predicting it is all one can learn
                pred[test, classes.index(train_labels[0])] = True
            else:
                coder.fit([docs[i] for i in train], train_labels, label_format=fmt)
                part = coder._predict_matrix([docs[i] for i in test])
                cols = [
                    list(coder.classes_).index(c) if c in coder.classes_ else -1
                    for c in (classes if fmt == "multiclass" else range(y.shape[1]))
                ]
                for j, c in enumerate(cols):
                    if c >= 0:
                        pred[test, j] = part[:, c]
            ev = _evaluation(
                y[test], pred[test], classes, method="fold", folds=None, label_format=fmt
            )
            fold_rows.append(
                {"fold": f, "n": len(test), "macro_f1": ev.macro_f1, "micro_f1": ev.micro_f1}
            )
        return _evaluation(
            y,
            pred,
            classes,
            method="cross-validation",
            folds=folds,
            label_format=fmt,
            per_fold=pd.DataFrame(fold_rows),
        )


# ------------------------------------------------------------------ evaluating a coded file
class CodingInputError(JTBDError, ValueError):
    """A labelled file cannot be used to train or evaluate a coder (one-line message)."""


def _read_table(data: Any, *, parameter: str, caller: str) -> tuple[pd.DataFrame, str]:
    """A DataFrame as is, or a CSV path read as text (UTF-8, UTF-8 with BOM or Windows-1252)."""
    if isinstance(data, pd.DataFrame):
        return data, parameter
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.is_file():
            raise CodingInputError(f"{caller}: {parameter} file {str(path)!r} not found.")
        raw = path.read_bytes()
        try:
            text_data = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text_data = raw.decode("cp1252", errors="replace")
        try:
            frame = pd.read_csv(io.StringIO(text_data), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "empty file"
            raise CodingInputError(
                f"{caller}: {path.name} is not a readable CSV ({first})."
            ) from exc
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, path.name
    raise TypeError(
        f"The '{parameter}' parameter of {caller} must be a DataFrame or the path of a CSV "
        f"file; got {type(data).__name__}."
    )


def _blank(values: pd.Series) -> np.ndarray:
    return (values.isna() | values.astype(str).str.strip().eq("")).to_numpy()


def _label_columns(labels: str | Sequence[str], *, caller: str) -> list[str]:
    if isinstance(labels, str):
        cols = [c.strip() for c in labels.split(",") if c.strip()]
    elif isinstance(labels, Iterable):
        cols = [str(c) for c in labels]
    else:
        raise TypeError(
            f"The 'labels' parameter of {caller} must be a column name or a list "
            f"of column names; got {type(labels).__name__}."
        )
    if not cols:
        raise CodingInputError(f"{caller}: 'labels' names no column.")
    if len(set(cols)) != len(cols):
        raise CodingInputError(f"{caller}: 'labels' names a column twice: {cols}.")
    return cols


def _binary(values: pd.Series) -> pd.Series:
    """0/1 codes as floats (NaN where blank, -1 where neither 0 nor 1)."""
    num = pd.to_numeric(
        values.where(~pd.Series(_blank(values), index=values.index)), errors="coerce"
    )
    num = num.where(num.isna() | num.isin([0, 1]), -1.0)
    bad_text = ~pd.Series(_blank(values), index=values.index) & num.isna()
    return num.mask(bad_text, -1.0)


def _coded_rows(
    frame: pd.DataFrame, *, text: str, label_cols: list[str], name: str, caller: str
) -> tuple[list[str], Any, str, int]:
    """Texts, labels (in a form TextCoder accepts), the format and rows dropped as uncoded."""
    require_columns(frame, [text, *label_cols], name=name, caller=caller)
    docs = _as_text_list(frame[text], caller=caller)
    if len(label_cols) > 1:
        codes = pd.DataFrame({c: _binary(frame[c]) for c in label_cols})
        bad = (codes == -1).to_numpy()
        if bad.any():
            j = int(np.flatnonzero(bad.any(axis=0))[0])
            col = label_cols[j]
            rows = (np.flatnonzero(bad[:, j]) + 2)[:5].tolist()
            raise CodingInputError(
                f"{caller}: {name}, column {col!r}, rows {rows}: expected 0 or 1 (or empty for "
                f"comments not coded); got {frame[col].iloc[rows[0] - 2]!r}."
            )
        coded = codes.notna().all(axis=1).to_numpy()
        labels = codes[coded].astype(np.int8)
        prefix = "code_"
        if all(c.startswith(prefix) and len(c) > len(prefix) for c in label_cols):
            labels.columns = [c[len(prefix) :] for c in label_cols]
        return (
            [d for d, k in zip(docs, coded, strict=True) if k],
            labels.reset_index(drop=True),
            "multilabel",
            int((~coded).sum()),
        )
    col = label_cols[0]
    values = frame[col]
    blank = _blank(values)
    as_text = values.astype(str)
    if as_text[~blank].str.contains(";", regex=False).any():
        # ';'-separated codes: a blank cell is a comment coded with no label
        return docs, pd.Series(np.where(blank, "", as_text), dtype=object), "multilabel", 0
    binary = _binary(values)
    if (~blank).any() and binary[~blank].isin([0, 1]).all():
        keep = ~blank
        name_ = col[len("code_") :] if col.startswith("code_") and len(col) > 5 else col
        labels = pd.DataFrame({name_: binary[keep].astype(np.int8).to_numpy()})
        return (
            [d for d, k in zip(docs, keep, strict=True) if k],
            labels,
            "multilabel",
            int(blank.sum()),
        )
    keep = ~blank
    cats = pd.Series(as_text[keep].str.strip().to_numpy(), dtype=object)
    return [d for d, k in zip(docs, keep, strict=True) if k], cats, "multiclass", int(blank.sum())


def evaluate_coder_file(
    data: pd.DataFrame | str | Path,
    *,
    text: str,
    labels: str | Sequence[str],
    folds: int = 5,
    test: pd.DataFrame | str | Path | None = None,
    coder: TextCoder | None = None,
    random_state: int | None = 0,
) -> CoderEvaluation:
    """Evaluate the supervised coder on any hand-coded table of comments.

    Parameters
    ----------
    data : DataFrame or path of a CSV file
        Hand-coded comments (CSV read as text: UTF-8, UTF-8 with BOM or Windows-1252).
    text : str
        Column holding the comments.
    labels : str or list of str
        Label column(s); a comma-separated string is split (``"code_a,code_b"``). How they are
        read:

        * several columns: one 0/1 column per label (multi-label). Rows with a blank code are
          taken as not coded and dropped; a ``code_`` prefix shared by all columns is removed
          from the label names;
        * one column whose values contain ``;`` anywhere: ``;``-separated codes (multi-label);
          a blank cell is a comment coded with no label;
        * one column of 0/1 values: a single yes/no label (blank rows dropped);
        * any other single column: one category per comment (multi-class; blank rows
          dropped).
    folds : int, default 5
        Cross-validation folds (ignored when ``test`` is given).
    test : DataFrame or path of a CSV file, optional
        Held-out comments with the same columns: the coder is fitted on ``data`` and scored
        on ``test`` instead of cross-validated.
    coder : TextCoder, optional
        Settings to evaluate (default: ``TextCoder()``).
    random_state : int or None, default 0
        Seed of the fold assignment.

    Returns
    -------
    CoderEvaluation
        ``per_label`` (label, support, n_predicted, precision, recall, f1, rare),
        ``macro_f1``, ``micro_f1``; ``to_dict()`` gives the JSON written by
        ``jtbd coder evaluate``.

    Raises
    ------
    CodingInputError
        (a ``ValueError``) If a file is missing or unreadable, a column is missing, 0/1 label
        columns hold other values, or there are too few coded comments.
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    With ``test``, a label is flagged ``rare`` when it has fewer than ``folds`` training
    comments. Comments with missing text count as empty.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["no one explained", "kind nurse", "nobody told me",
    ...                                "lovely staff"] * 6,
    ...                    "theme": ["clarity", "kindness", "clarity", "kindness"] * 6})
    >>> ev = evaluate_coder_file(df, text="comment", labels="theme", folds=3)
    >>> ev.macro_f1
    1.0
    """
    caller = "evaluate_coder_file"
    folds = check_int(folds, parameter="folds", caller=caller, minimum=2)
    coder = TextCoder() if coder is None else coder
    if not isinstance(coder, TextCoder):
        raise TypeError(
            f"The 'coder' parameter of {caller} must be a TextCoder; got {type(coder).__name__}."
        )
    label_cols = _label_columns(labels, caller=caller)
    frame, name = _read_table(data, parameter="data", caller=caller)
    docs, y, fmt, dropped = _coded_rows(
        frame, text=text, label_cols=label_cols, name=name, caller=caller
    )
    if dropped:
        _log.info("%s: %d rows of %s have no code and were left out", caller, dropped, name)
    if test is None:
        if len(docs) < 2 * folds:
            raise CodingInputError(
                f"{caller}: {name} has {len(docs)} coded comments; "
                f"{folds}-fold cross-validation needs at least {2 * folds}."
            )
        return coder.cross_validate(
            docs, y, folds=folds, random_state=random_state, label_format=fmt
        )
    test_frame, test_name = _read_table(test, parameter="test", caller=caller)
    test_docs, test_y, test_fmt, _ = _coded_rows(
        test_frame, text=text, label_cols=label_cols, name=test_name, caller=caller
    )
    if test_fmt != fmt:
        raise CodingInputError(
            f"{caller}: the labels of {name} read as {fmt} but those of "
            f"{test_name} as {test_fmt}; use the same coding in both."
        )
    try:
        fitted = TextCoder(**coder.get_params()).fit(docs, y, label_format=fmt)
    except ValueError as exc:
        raise CodingInputError(f"{caller}: cannot train on {name}: {exc}") from exc
    y_train, classes, _ = _labels_to_matrix(y, label_format=fmt, caller=caller)
    y_test, test_classes, _ = _labels_to_matrix(test_y, label_format=fmt, caller=caller)
    all_classes = list(classes) + [c for c in test_classes if c not in classes]
    truth = np.zeros((len(test_docs), len(all_classes)), dtype=bool)
    for j, c in enumerate(test_classes):
        truth[:, all_classes.index(c)] = y_test[:, j] > 0
    part = fitted._predict_matrix(test_docs)
    pred = np.zeros_like(truth)
    for j, c in enumerate(fitted.classes_):
        pred[:, all_classes.index(c)] = part[:, j]
    train_support = np.zeros(len(all_classes), dtype=np.int64)
    train_support[: len(classes)] = y_train.sum(axis=0)
    ev = _evaluation(truth, pred, all_classes, method="held-out test", folds=None, label_format=fmt)
    per_label = ev.per_label.assign(rare=train_support < folds)
    return CoderEvaluation(
        per_label=per_label,
        macro_f1=ev.macro_f1,
        micro_f1=ev.micro_f1,
        n=ev.n,
        method=ev.method,
        folds=None,
        label_format=fmt,
    )


def uncoded_comments(
    codes: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    text: str = "comment",
    id: str = "comment_id",
    redact: Any = None,
) -> pd.DataFrame:
    """Comments with text that no job of the codebook explains (for inductive discovery).

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments`.
    feedback : pandas.DataFrame
        The comments coded (not modified).
    text, id : str, default "comment", "comment_id"
        Columns of ``feedback``.
    redact : None, callable or Study, default None
        Remove personal identifiers from the returned text column (as in
        :func:`job_quotes`), so nothing downstream (theme quotes) can show them.

    Returns
    -------
    pandas.DataFrame
        The rows of ``feedback`` (all columns, original order, new index) whose text is not
        blank and whose id has no code; ``text`` redacted when ``redact`` is given.

    Raises
    ------
    TypeError, ValueError
        If an argument is not a DataFrame or a column is missing.

    Examples
    --------
    >>> fb = pd.DataFrame({"comment_id": ["a", "b", "c"], "comment": ["x", "", "y"]})
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["j"], "polarity": ["fulfilled"]})
    >>> uncoded_comments(codes, fb)["comment_id"].tolist()
    ['c']
    """
    caller = "uncoded_comments"
    codes = _check_codes(codes, caller=caller)
    require_columns(feedback, [text, id], name="feedback", caller=caller)
    redactor = _redactor(redact, caller)
    has_text = ~_blank(feedback[text])
    coded_ids = feedback[id].isin(codes["comment_id"]).to_numpy()
    out = feedback.loc[has_text & ~coded_ids].reset_index(drop=True)
    if redactor is not None and len(out):
        out[text] = pd.Series(redactor(out[text].astype(str)).to_numpy(), dtype="str")
    return out


def _redactor(redact: Any, caller: str) -> Any:
    """A function Series -> Series from ``redact`` (None, a callable or a Study)."""
    if redact is None:
        return None
    if callable(redact):
        return redact
    if hasattr(redact, "config") and hasattr(redact.config, "redact"):
        from jtbd_methods import privacy

        return lambda texts: privacy.redact_for_study(texts, redact)[0]
    raise TypeError(
        f"The 'redact' parameter of {caller} must be None, a function of a Series of texts or "
        f"a Study (its redaction settings are used); got {type(redact).__name__}."
    )


def job_quotes(
    codes: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    n: int = 3,
    polarity: str | None = None,
    job_ids: Any = None,
    redact: Any = None,
    text: str = "comment",
    id: str = "comment_id",
    max_chars: int = 300,
) -> pd.DataFrame:
    """Representative quotes of each job, for reports and workshops.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments`.
    feedback : pandas.DataFrame
        The comments (not modified).
    n : int, default 3
        Quotes per job (and polarity, when ``polarity`` is None).
    polarity : {"disrupted", "fulfilled"} or None, default None
        Only quotes of this polarity; ``None`` gives ``n`` of each.
    job_ids : sequence of str or Codebook, optional
        Jobs and their order (default: jobs in ``codes``, sorted).
    redact : None, callable or Study, default None
        How to remove personal identifiers before quoting: a function taking and returning a
        Series of texts (e.g. ``privacy.redact``), or a Study, whose settings
        (``redact``, ``redact_names``) are applied with ``privacy.redact_for_study``. Pass one
        whenever quotes leave the research team.
    text, id : str, default "comment", "comment_id"
        Columns of ``feedback``.
    max_chars : int, default 300
        Longer comments are shortened around the evidence, with ``…`` marking the cuts.

    Returns
    -------
    pandas.DataFrame
        One row per quote: ``job_id``, ``label`` (the job's label when ``job_ids`` is a
        Codebook, else the id), ``polarity``, ``rank`` (1 = most representative),
        ``comment_id``, ``evidence`` (the words that matched, redacted like the quote) and
        ``quote``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type, a column is missing or ``n`` is below 1.

    Notes
    -----
    A quote is representative when it is about the job alone: comments that mention fewer
    other jobs come first, then comments whose length is closest to the median length of the
    job's comments (neither a fragment nor an essay), then comment id (reproducible).
    Redaction runs on the quoted text and the evidence after shortening.

    Examples
    --------
    >>> fb = pd.DataFrame({"comment_id": ["a", "b"], "comment": ["No one explained.", "Fine"]})
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"],
    ...                       "polarity": ["disrupted"], "phrase": ["no one explained"],
    ...                       "start": [0], "end": [16]})
    >>> job_quotes(codes, fb)[["job_id", "rank", "quote"]].values.tolist()
    [['gain_clarity', 1, 'No one explained.']]
    """
    caller = "job_quotes"
    codes = _check_codes(codes, caller=caller)
    require_columns(codes, ["start", "end"], name="codes", caller=caller)
    require_columns(feedback, [text, id], name="feedback", caller=caller)
    n = check_int(n, parameter="n", caller=caller, minimum=1)
    max_chars = check_int(max_chars, parameter="max_chars", caller=caller, minimum=20)
    if polarity is not None:
        one_of(polarity, _POLARITIES, parameter="polarity", caller=caller)
    redactor = _redactor(redact, caller)
    jobs = (
        sorted(codes["job_id"].astype(str).unique().tolist())
        if job_ids is None
        else _job_list(job_ids, caller=caller)
    )
    texts = pd.Series(feedback[text].to_numpy(), index=feedback[id].to_numpy())
    sel = codes[codes["job_id"].isin(jobs)]
    if polarity is not None:
        sel = sel[sel["polarity"] == polarity]
    sel = sel[sel["comment_id"].isin(texts.index)]
    n_jobs = codes.groupby("comment_id").size()
    length = texts.reindex(sel["comment_id"]).astype(str).str.len().to_numpy()
    frame = pd.DataFrame(
        {
            "job_id": sel["job_id"].astype(str).to_numpy(),
            "polarity": sel["polarity"].astype(str).to_numpy(),
            "comment_id": sel["comment_id"].to_numpy(),
            "start": sel["start"].to_numpy(dtype=np.int64),
            "end": sel["end"].to_numpy(dtype=np.int64),
            "others": n_jobs.reindex(sel["comment_id"]).to_numpy() - 1,
            "length": length,
            # a quote with the words that triggered it first; model codes have no span
            "no_span": sel["start"].to_numpy(dtype=np.int64) < 0,
        }
    )
    median = frame.groupby(["job_id", "polarity"])["length"].transform("median")
    frame["distance"] = (frame["length"] - median).abs()
    frame["job_order"] = frame["job_id"].map({j: i for i, j in enumerate(jobs)})
    frame["comment_key"] = frame["comment_id"].astype(str)
    frame = frame.sort_values(
        ["job_order", "polarity", "no_span", "others", "distance", "comment_key"], kind="stable"
    )
    frame = frame.groupby(["job_id", "polarity"], sort=False).head(n).reset_index(drop=True)
    frame["rank"] = frame.groupby(["job_id", "polarity"], sort=False).cumcount() + 1
    full = texts.reindex(frame["comment_id"]).astype(str).to_numpy()
    quotes, evidence = [], []
    for body, s, e in zip(full, frame["start"], frame["end"], strict=True):
        if s < 0:  # a model code: the comment itself is the evidence
            s, e = 0, 0
        evidence.append(body[s:e])
        if len(body) <= max_chars:
            quotes.append(body)
            continue
        half = max(0, (max_chars - (e - s)) // 2)
        lo, hi = max(0, s - half), min(len(body), e + half)
        quotes.append(
            ("…" if lo > 0 else "") + body[lo:hi].strip() + ("…" if hi < len(body) else "")
        )
    names = job_ids.labels() if isinstance(job_ids, Codebook) else {}
    out = pd.DataFrame(
        {
            "job_id": pd.Series(frame["job_id"].to_numpy(), dtype="str"),
            "label": pd.Series([names.get(j, j) for j in frame["job_id"]], dtype="str"),
            "polarity": pd.Series(frame["polarity"].to_numpy(), dtype="str"),
            "rank": frame["rank"].to_numpy(dtype=np.int64),
            "comment_id": frame["comment_id"].to_numpy(),
            "evidence": pd.Series(evidence, dtype="str"),
            "quote": pd.Series(quotes, dtype="str"),
        }
    )
    if redactor is not None and len(out):
        out["quote"] = pd.Series(redactor(out["quote"]).to_numpy(), dtype="str")
        out["evidence"] = pd.Series(redactor(out["evidence"]).to_numpy(), dtype="str")
    return out


def record_job_shares(shares: pd.DataFrame, *, prefix: str = "jobs") -> dict[str, Any]:
    """Record each job's share of comments for ``results.json`` (``report.record``).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`job_shares` without ``by``.
    prefix : str, default "jobs"
        First part of the keys.

    Returns
    -------
    dict
        The recorded keys and values: ``<prefix>.<job_id>.share`` and ``.share_ci`` (percentage
        points of all comments), ``.disrupted_share`` and ``.disrupted_share_ci`` (percentage
        points of the comments that mention the job), ``.n_mentioned``; and
        ``<prefix>.ranking`` (job ids, most mentioned first) and
        ``<prefix>.disrupted_ranking`` (job ids, most comments with the job disrupted first).

    Raises
    ------
    ValueError
        If ``shares`` lacks a column or has one row per group (``by``).

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"],
    ...                       "polarity": ["disrupted"]})
    >>> out = record_job_shares(job_shares(codes, ["a", "b"]))
    >>> out["jobs.gain_clarity.share"], out["jobs.ranking"]
    (50.0, ['gain_clarity'])
    >>> from jtbd_methods import report; report.reset()
    """
    from jtbd_methods import report

    caller = "record_job_shares"
    require_columns(
        shares,
        [
            "job_id",
            "n_mentioned",
            "share",
            "ci_low",
            "ci_high",
            "n_disrupted",
            "disrupted_share",
            "disrupted_ci_low",
            "disrupted_ci_high",
        ],
        name="shares",
        caller=caller,
    )
    if shares["job_id"].duplicated().any():
        raise ValueError(
            f"{caller}: 'shares' has several rows per job; pass the result of "
            "job_shares without 'by'."
        )
    out: dict[str, Any] = {}

    def pp(v: Any) -> float:
        return float(100.0 * v)

    for row in shares.itertuples(index=False):
        key = f"{prefix}.{row.job_id}"
        out[f"{key}.share"] = report.record(f"{key}.share", pp(row.share))
        out[f"{key}.share_ci"] = report.record(f"{key}.share_ci", [pp(row.ci_low), pp(row.ci_high)])
        out[f"{key}.n_mentioned"] = report.record(f"{key}.n_mentioned", int(row.n_mentioned))
        out[f"{key}.disrupted_share"] = report.record(
            f"{key}.disrupted_share", pp(row.disrupted_share)
        )
        out[f"{key}.disrupted_share_ci"] = report.record(
            f"{key}.disrupted_share_ci", [pp(row.disrupted_ci_low), pp(row.disrupted_ci_high)]
        )
    ranking = shares.sort_values(["share", "job_id"], ascending=[False, True], kind="stable")
    out[f"{prefix}.ranking"] = report.record(
        f"{prefix}.ranking", ranking["job_id"].astype(str).tolist()
    )
    disrupted = shares.sort_values(
        ["n_disrupted", "job_id"], ascending=[False, True], kind="stable"
    )
    out[f"{prefix}.disrupted_ranking"] = report.record(
        f"{prefix}.disrupted_ranking", disrupted["job_id"].astype(str).tolist()
    )
    return out


def shares_for_report(shares: pd.DataFrame, *, labels: Any = None) -> pd.DataFrame:
    """Job shares in percent, with job labels, ready for ``report.table``.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`job_shares` (with or without ``by``; not modified).
    labels : mapping of str to str or Codebook, optional
        Job id -> label (a Codebook gives its labels).

    Returns
    -------
    pandas.DataFrame
        The same rows with ``label`` inserted after ``job_id`` and ``share``, ``ci_low``,
        ``ci_high``, ``disrupted_share``, ``disrupted_ci_low``, ``disrupted_ci_high``
        multiplied by 100 (percent); other columns unchanged.

    Examples
    --------
    >>> shares = pd.DataFrame({"job_id": ["x"], "share": [0.25], "ci_low": [0.2],
    ...                        "ci_high": [0.3]})
    >>> shares_for_report(shares, labels={"x": "Job X"})[["label", "share"]].values.tolist()
    [['Job X', 25.0]]
    """
    caller = "shares_for_report"
    require_columns(shares, ["job_id"], name="shares", caller=caller)
    names = labels.labels() if isinstance(labels, Codebook) else dict(labels or {})
    out = shares.copy()
    for col in (
        "share",
        "ci_low",
        "ci_high",
        "disrupted_share",
        "disrupted_ci_low",
        "disrupted_ci_high",
    ):
        if col in out.columns:
            out[col] = 100.0 * pd.to_numeric(out[col], errors="coerce").astype("Float64")
    position = list(out.columns).index("job_id") + 1
    out.insert(
        position,
        "label",
        pd.Series([names.get(j, j) for j in out["job_id"]], index=out.index, dtype="str"),
    )
    return out


def evaluate_codes(
    codes: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    job_ids: Any = None,
    prefix: str = "code_",
    id_column: str = "comment_id",
) -> CoderEvaluation:
    """Agreement of deductive codes with a hand coding, as precision, recall and F1 per job.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments` (any polarity counts as a mention).
    reference : pandas.DataFrame
        Hand coding: ``id_column`` and one 0/1 column ``<prefix><job_id>`` per job (e.g.
        ``study.hand_coded()``). Only these comments are compared.
    job_ids : sequence of str or Codebook, optional
        Jobs to compare (default: every ``<prefix>`` column of ``reference``).
    prefix : str, default ``"code_"``
        Prefix of the hand-coded columns.
    id_column : str, default "comment_id"
        Id column of ``reference``.

    Returns
    -------
    CoderEvaluation
        ``method == "against hand coding"``; per-label ``precision`` (share of the coder's
        codes the hand coder also gave), ``recall`` (share of hand codes found), ``f1``,
        ``support`` (hand-coded comments with the job); ``macro_f1``, ``micro_f1``.

    Raises
    ------
    TypeError, ValueError
        If a table is malformed, a job has no hand-coded column, or the hand codes are not
        0/1.

    Notes
    -----
    The hand coding is treated as the truth, so the scores are those of a classifier; when
    the hand coding itself is uncertain, compare with the agreement of two hand coders
    (``reliability.agreement_table``): a coder cannot be expected to agree with one human
    more than two humans agree with each other.

    Examples
    --------
    >>> codes = pd.DataFrame({"comment_id": ["a", "b"], "job_id": ["x", "x"],
    ...                       "polarity": ["disrupted", "fulfilled"]})
    >>> hand = pd.DataFrame({"comment_id": ["a", "b", "c"], "code_x": [1, 0, 1]})
    >>> ev = evaluate_codes(codes, hand)
    >>> ev.per_label[["label", "precision", "recall"]].values.tolist()
    [['x', 0.5, 0.5]]
    """
    caller = "evaluate_codes"
    codes = _check_codes(codes, caller=caller)
    require_dataframe(reference, parameter="reference", caller=caller)
    if job_ids is None:
        jobs = [
            c[len(prefix) :]
            for c in reference.columns
            if isinstance(c, str) and c.startswith(prefix)
        ]
        if not jobs:
            raise ValueError(f"{caller}: 'reference' has no {prefix}<job_id> columns.")
    else:
        jobs = _job_list(job_ids, caller=caller)
    cols = [f"{prefix}{j}" for j in jobs]
    require_columns(reference, [id_column, *cols], name="reference", caller=caller)
    truth, _, _ = _labels_to_matrix(reference[cols], caller=caller)
    ours = coded_matrix(codes, reference[id_column], jobs, id_column=id_column)
    pred = ours[jobs].to_numpy(dtype=bool)
    return _evaluation(
        truth.astype(bool),
        pred,
        jobs,
        method="against hand coding",
        folds=None,
        label_format="multilabel",
    )
