"""A fast hashed TF-IDF of word and character n-grams (:class:`NgramTfidf`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jtbd_methods.coding._common import (
    _codepoints,
    _word_mask,
)

_log = logging.getLogger(__name__)


# ======================================================================= supervised coding
# ---------------------------------------------------------------- vectorised n-gram TF-IDF
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)


_MIX2 = np.uint64(0x94D049BB133111EB)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


_HASH_BASE = 0x100000001B3  # odd, so invertible modulo 2**64


_HASH_BASE_INV = pow(_HASH_BASE, -1, 2**64)


_PACKED_LIMIT = 4000  # code points below it are packed exactly, 12 bits each
_TOP_BIT = np.uint64(1 << 63)  # marks a hashed character n-gram key
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


def _digit_or_underscore_mask(cp: np.ndarray) -> np.ndarray:
    """Word characters that are not letters in the sense of ``[^\\W\\d_]``: decimal digits
    (``str.isdecimal``, what ``\\d`` matches) and the underscore."""
    if cp.dtype == np.uint8:
        return _ASCII_DIGIT_OR_UNDERSCORE[cp]
    values, inverse = np.unique(cp, return_inverse=True)
    flags = np.array(
        [(c < 128 and _ASCII_DIGIT_OR_UNDERSCORE[c]) or chr(int(c)).isdecimal() for c in values],
        dtype=bool,
    )
    return flags[inverse]


_ASCII_DIGIT_OR_UNDERSCORE = np.array(
    [chr(c).isdecimal() or c == 95 for c in range(256)], dtype=bool
)


def _tokens(cp: np.ndarray, *, letters: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, end (code-point offsets) and key of every token of ``cp``.

    Tokens are maximal runs of two or more word characters, the tokens of scikit-learn's
    default ``token_pattern`` ``(?u)\\b\\w\\w+\\b``; with ``letters``, only runs without
    digits or underscores, the tokens of ``(?u)\\b[^\\W\\d_][^\\W\\d_]+\\b``. A token is
    keyed by a polynomial hash modulo 2**64 of its code points, computed for all tokens at
    once from prefix sums; the key does not depend on where the token stands.
    """
    size = cp.size
    w = _word_mask(cp)
    prev = np.concatenate([[False], w[:-1]])
    nxt = np.concatenate([w[1:], [False]])
    t_start = np.flatnonzero(w & ~prev)
    t_end = np.flatnonzero(w & ~nxt) + 1
    keep = t_end - t_start >= 2
    if letters:
        bad = np.concatenate([[0], np.cumsum(_digit_or_underscore_mask(cp), dtype=np.int64)])
        keep &= bad[t_end] == bad[t_start]
    t_start, t_end = t_start[keep], t_end[keep]
    c = cp.astype(np.uint64) + np.uint64(1)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    c *= _powers(_HASH_BASE_INV, size)[1:]
    np.cumsum(c, out=prefix[1:])
    key = _powers(_HASH_BASE, size)[t_end] * (prefix[t_end] - prefix[t_start])
    key = _mix64(key ^ (t_end - t_start).astype(np.uint64))
    return t_start, t_end, key


def _stop_word_keys(words: Any) -> np.ndarray:
    """Keys (:func:`_tokens`) of the stop words: ``"english"`` (scikit-learn's list) or words."""
    if words is None:
        return np.zeros(0, dtype=np.uint64)
    if isinstance(words, str):
        if words != "english":
            raise ValueError(
                f"stop_words must be 'english', a collection of words or None; got {words!r}"
            )
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        words = ENGLISH_STOP_WORDS
    text = " ".join(str(w).lower() for w in words)
    cp = _codepoints(text)
    if cp.size == 0:
        return np.zeros(0, dtype=np.uint64)
    # a stop word is dropped as a whole token, whatever its characters
    t_start, t_end, key = _tokens(cp)
    return np.unique(key)


@dataclass(frozen=True)
class _WordGrams:
    """Word n-grams of a batch of comments, with what is needed to spell any of them."""

    doc: np.ndarray  # comment of each n-gram occurrence
    key: np.ndarray  # its key
    first: np.ndarray  # index of its first token
    length: np.ndarray  # its number of tokens
    text: str  # the comments joined by a space (what the token offsets refer to)
    t_start: np.ndarray
    t_end: np.ndarray

    def spell(self, i: np.ndarray) -> list[str]:
        """The n-grams ``i`` (occurrence indices) as text: tokens joined by one space, as
        scikit-learn writes feature names."""
        out = []
        for j, n in zip(self.first[i].tolist(), self.length[i].tolist(), strict=True):
            out.append(
                " ".join(self.text[self.t_start[q] : self.t_end[q]] for q in range(j, j + n))
            )
        return out


def _word_grams(
    docs: list[str],
    ngram_range: tuple[int, int],
    *,
    letters: bool = False,
    stop_keys: np.ndarray | None = None,
) -> _WordGrams:
    """Every word n-gram of ``docs`` (see :func:`_tokens`), stop words removed first.

    As in scikit-learn, stop words are taken out of the token sequence before the n-grams
    are formed, so an n-gram may join the words on either side of a stop word. An n-gram is
    keyed by mixing the keys of its tokens.
    """
    n = len(docs)
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n)
    text = " ".join(docs)
    cp = _codepoints(text)
    empty_i = np.zeros(0, dtype=np.int64)
    if cp.size == 0:
        return _WordGrams(empty_i, np.zeros(0, np.uint64), empty_i, empty_i, text, empty_i, empty_i)
    t_start, t_end, key = _tokens(cp, letters=letters)
    if stop_keys is not None and stop_keys.size:
        kept = ~np.isin(key, stop_keys)
        t_start, t_end, key = t_start[kept], t_end[kept], key[kept]
    doc_starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    t_doc = np.searchsorted(doc_starts, t_start, side="right") - 1
    out_doc, out_key, out_first, out_len = [], [], [], []
    lo, hi = ngram_range
    m = key.size
    if lo <= 1:
        out_doc.append(t_doc)
        out_key.append(key)
        out_first.append(np.arange(m, dtype=np.int64))
        out_len.append(np.ones(m, dtype=np.int64))
    for k in range(max(2, lo), hi + 1):
        if m < k:
            break
        same = t_doc[k - 1 :] == t_doc[: m - k + 1]
        g = key[: m - k + 1].copy()
        for j in range(1, k):
            g = _mix64(g * _GOLDEN + key[j : m - k + 1 + j] + np.uint64(k))
        out_doc.append(t_doc[: m - k + 1][same])
        out_key.append(g[same])
        out_first.append(np.flatnonzero(same))
        out_len.append(np.full(int(same.sum()), k, dtype=np.int64))
    if not out_doc:
        return _WordGrams(empty_i, np.zeros(0, np.uint64), empty_i, empty_i, text, t_start, t_end)
    return _WordGrams(
        np.concatenate(out_doc),
        np.concatenate(out_key),
        np.concatenate(out_first),
        np.concatenate(out_len),
        text,
        t_start,
        t_end,
    )


def _word_ngram_keys(
    docs: list[str],
    ngram_range: tuple[int, int],
    *,
    letters: bool = False,
    stop_keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(document, key) of every word n-gram (see :func:`_word_grams`)."""
    grams = _word_grams(docs, ngram_range, letters=letters, stop_keys=stop_keys)
    return grams.doc, grams.key


def _char_wb_keys(docs: list[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(document, key) of every character n-gram inside word boundaries.

    The n-grams are exactly those of scikit-learn's ``analyzer="char_wb"``: each
    whitespace-separated word is padded with one space on each side and every substring of
    length ``lo..hi`` of the padded word is an n-gram. The key of an n-gram of characters
    below U+0FA0 packs their code points exactly (12 bits each, at most 60 bits); an n-gram
    holding a larger code point (CJK, emoji, ...) gets a 64-bit polynomial hash of its code
    points with the top bit set, so it never meets a packed key and two such n-grams share a
    key only by a hash collision (probability about 2**-63 per pair).
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
    rare = (cp >= _PACKED_LIMIT) if cp.dtype != np.uint8 else None
    if rare is not None and not rare.any():
        rare = None
    if rare is not None:
        code[rare] = 0  # packed keys of n-grams with a rare character are replaced below
        n_rare = np.concatenate([[0], np.cumsum(rare, dtype=np.int64)])
        wide = cp.astype(np.uint64) + np.uint64(1)
    lo, hi = ngram_range
    out_pos, out_key = [], []
    key = code
    poly = wide if rare is not None else None
    for m in range(1, hi + 1):
        if m > 1:
            key = key[:-1] | (code[m - 1 :] << np.uint64(_CHAR_BITS * (m - 1)))
            if poly is not None:
                poly = poly[:-1] * np.uint64(_HASH_BASE) + wide[m - 1 :]  # wraps mod 2**64
        if m < lo:
            continue
        valid = word_id[: size - m + 1] == word_id[m - 1 :]
        if poly is not None:
            has_rare = (n_rare[m:] - n_rare[: size - m + 1]) > 0
            hashed = _mix64(poly + np.uint64(m)) | _TOP_BIT
            out_key.append(np.where(has_rare, hashed, key)[valid])
        else:
            out_key.append(key[valid])
        out_pos.append(np.flatnonzero(valid))
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
    The supervised coder uses both blocks; theme discovery uses word n-grams of letters with
    stop words removed and readable feature names.

    Parameters
    ----------
    word_ngrams, char_ngrams : tuple of int, default (1, 2) and (2, 5)
        N-gram ranges; ``None`` leaves a block out.
    min_df : int, default 2
        Keep n-grams that occur in at least this many training comments (weighted by
        ``sample_weight`` when given).
    max_df : float, default 1.0
        Drop n-grams that occur in more than this share of the training comments.
    max_features : int, optional
        Keep only this many n-grams per block, those in most comments (ties: by feature name
        with ``names``, otherwise by key). Unlike ``TfidfVectorizer``, which ranks by total
        count, the rank is by document frequency.
    tokens : {"word", "letters"}, default "word"
        Word tokens: runs of two or more word characters (``(?u)\\b\\w\\w+\\b``, scikit-learn's
        default), or runs of two or more letters with no digit or underscore
        (``(?u)\\b[^\\W\\d_][^\\W\\d_]+\\b``).
    stop_words : "english", collection of str or None, default None
        Words dropped before word n-grams are formed, as scikit-learn does (``"english"`` is
        its list).
    names : bool, default False
        Keep the text of every word n-gram, for :meth:`get_feature_names_out`; columns are
        then in the order of their names, as in scikit-learn. Needs ``char_ngrams=None``.
    chunk_size : int, default 2048
        Comments processed per pass (small passes stay in the processor's cache; the result
        does not depend on it).

    Attributes
    ----------
    n_features_ : int
        Number of columns.
    idf_ : list of numpy.ndarray
        Inverse document frequency of each column, per block.

    References
    ----------
    .. [1] Pedregosa, F. et al. (2011). Scikit-learn: Machine learning in Python. *JMLR*
       12, 2825-2830 (``TfidfVectorizer``: smoothed idf ``ln((1 + n) / (1 + df)) + 1``,
       sublinear tf ``1 + ln(tf)``, stop words removed before n-grams).

    Examples
    --------
    >>> vec = NgramTfidf(word_ngrams=(1, 2), char_ngrams=None, tokens="letters",
    ...                  stop_words="english", names=True, min_df=2)
    >>> x = vec.fit_transform(["The nurse listened", "nurse listened to me", "no parking"])
    >>> vec.get_feature_names_out().tolist()
    ['listened', 'nurse', 'nurse listened']
    >>> x.shape
    (3, 3)
    """

    def __init__(
        self,
        *,
        word_ngrams: tuple[int, int] | None = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        min_df: int = 2,
        max_df: float = 1.0,
        max_features: int | None = None,
        tokens: str = "word",
        stop_words: str | Collection[str] | None = None,
        names: bool = False,
        chunk_size: int = 2048,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.tokens = tokens
        self.stop_words = stop_words
        self.names = names
        self.chunk_size = chunk_size

    def _blocks(self) -> list[tuple[str, Any, tuple[int, int]]]:
        if self.tokens not in ("word", "letters"):
            raise ValueError(f"NgramTfidf: tokens must be 'word' or 'letters'; got {self.tokens!r}")
        if self.names and self.char_ngrams is not None:
            raise ValueError("NgramTfidf: names=True needs char_ngrams=None (word n-grams only).")
        out = []
        if self.word_ngrams is not None:
            words = functools.partial(
                _word_grams,
                letters=self.tokens == "letters",
                stop_keys=_stop_word_keys(self.stop_words),
            )
            out.append(("word", words, tuple(self.word_ngrams)))
        if self.char_ngrams is not None:
            chars = lambda docs, r: _as_grams(*_char_wb_keys(docs, r))  # noqa: E731
            out.append(("char", chars, tuple(self.char_ngrams)))
        if not out:
            raise ValueError("NgramTfidf: at least one of word_ngrams and char_ngrams is needed.")
        return out

    def _chunks(self, docs: list[str], grams_of: Any, ngram_range: tuple[int, int]) -> Any:
        for lo in range(0, len(docs), self.chunk_size):
            yield lo, grams_of(docs[lo : lo + self.chunk_size], ngram_range)

    def fit(self, texts: Sequence[str], sample_weight: Sequence[float] | None = None) -> NgramTfidf:
        """Learn the vocabulary and the idf.

        Parameters
        ----------
        texts : sequence of str
        sample_weight : sequence of float, optional
            Weight of each comment in the document frequencies and the idf: a comment with
            weight 3 counts as three copies of it (how theme discovery fits each distinct
            wording once).
        """
        docs = _lower_docs(texts)
        n = len(docs)
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if weight.shape != (n,) or (weight < 0).any():
            raise ValueError("NgramTfidf.fit: sample_weight needs one weight >= 0 per text.")
        total = float(weight.sum())
        self.tables_, self.idf_, self.feature_names_ = [], [], []
        for _, grams_of, ngram_range in self._blocks():
            key_parts, df_parts = [], []
            for lo, grams in self._chunks(docs, grams_of, ngram_range):
                # one count per (document, n-gram): sort pairs, keep the first of each
                d, k = grams.doc, grams.key
                order = np.lexsort((d, k))
                k, d = k[order], d[order]
                first = np.concatenate([[True], (k[1:] != k[:-1]) | (d[1:] != d[:-1])])
                ku, inverse = np.unique(k[first], return_inverse=True)
                key_parts.append(ku)
                df_parts.append(
                    np.bincount(inverse, weights=weight[lo + d[first]], minlength=ku.size)
                )
            keys = np.concatenate(key_parts) if key_parts else np.zeros(0, np.uint64)
            dfs = np.concatenate(df_parts) if df_parts else np.zeros(0)
            order = np.argsort(keys, kind="stable")
            keys, dfs = keys[order], dfs[order]
            if keys.size:
                idx = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
                df = np.add.reduceat(dfs, idx)
                keys = keys[idx]
            else:
                df = dfs
            keep = df >= self.min_df - 1e-9
            if self.max_df < 1.0:
                keep &= df <= self.max_df * total + 1e-9
            keys, df = keys[keep], df[keep]
            names = None
            if self.max_features is not None and keys.size > self.max_features:
                cutoff = np.sort(df)[::-1][self.max_features - 1]
                keys, df = keys[df >= cutoff], df[df >= cutoff]  # the ties at the cut, too
            if self.names:
                names = self._spell(docs, grams_of, ngram_range, keys)
            if self.max_features is not None and keys.size > self.max_features:
                tie = names if names is not None else keys
                top = np.lexsort((tie, -df))[: self.max_features]
                keys, df = keys[top], df[top]
                names = names[top] if names is not None else None
            if names is not None:  # columns in the order of their names, as scikit-learn
                order = np.argsort(names, kind="stable")
                keys, df, names = keys[order], df[order], names[order]
            else:
                order = np.argsort(keys, kind="stable")
                keys, df = keys[order], df[order]
            self.tables_.append(_KeyTable(keys))
            self.idf_.append(np.log((1.0 + total) / (1.0 + df)) + 1.0)
            self.feature_names_.append(names)
        self.n_features_ = int(sum(t.keys.size for t in self.tables_))
        return self

    def _spell(
        self, docs: list[str], grams_of: Any, ngram_range: tuple[int, int], keys: np.ndarray
    ) -> np.ndarray:
        """The text of each of ``keys``, from its first occurrence in ``docs``."""
        names = np.empty(keys.size, dtype=object)
        wanted = np.ones(keys.size, dtype=bool)
        for _, grams in self._chunks(docs, grams_of, ngram_range):
            if not wanted.any():
                break
            pos = np.searchsorted(keys, grams.key)  # keys are sorted
            pos[pos == keys.size] = 0
            hit = (keys[pos] == grams.key) & wanted[pos]
            found, first = np.unique(pos[hit], return_index=True)
            names[found] = grams.spell(np.flatnonzero(hit)[first])
            wanted[found] = False
        return names.astype(str)

    def get_feature_names_out(self) -> np.ndarray:
        """The text of each column (word n-grams; needs ``names=True``)."""
        if not hasattr(self, "tables_"):
            raise _not_fitted("NgramTfidf")
        if not self.names:
            raise ValueError("NgramTfidf: feature names are kept only with names=True.")
        return np.asarray(self.feature_names_[0], dtype=object)

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
            for (_, grams_of, ngram_range), table, idf in zip(
                blocks, self.tables_, self.idf_, strict=True
            ):
                grams = grams_of(chunk, ngram_range)
                x = _counts_matrix(grams.doc, table.lookup(grams.key), len(chunk), table.keys.size)
                np.log(x.data, out=x.data)
                x.data += 1.0
                x.data *= idf[x.indices]
                normalize(x, norm="l2", copy=False)
                x.data *= weight
                mats.append(x)
            parts.append(sparse.hstack(mats, format="csr"))
        return _vstack_csr(parts, self.n_features_)

    def fit_transform(self, texts: Sequence[str], sample_weight: Sequence[float] | None = None):
        """``fit(texts, sample_weight).transform(texts)``."""
        return self.fit(texts, sample_weight).transform(texts)


@dataclass(frozen=True)
class _Grams:
    """(document, key) of n-gram occurrences (character n-grams: no spelling)."""

    doc: np.ndarray
    key: np.ndarray


def _as_grams(doc: np.ndarray, key: np.ndarray) -> _Grams:
    return _Grams(doc, key)


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
