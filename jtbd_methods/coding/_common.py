"""Constants and code-point helpers shared by the deductive coder's modules."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

_log = logging.getLogger(__name__)


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
