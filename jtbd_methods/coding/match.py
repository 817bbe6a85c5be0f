"""The matching core: one pass of the automaton, then negation, sentiment and polarity as array operations."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np

from jtbd_methods.coding._common import (
    _FREE_NEGATION_VALENCE,
    _POLAR_PHRASE_VALENCE,
    _QUOTE_BIG,
    _QUOTE_TABLE,
    _ROLE_BOOSTER,
    _ROLE_CLAUSE,
    _ROLE_CONTRAST,
    _ROLE_INDICATOR,
    _ROLE_NEGATION,
    _ROLE_OPENING,
    _ROLE_PSEUDO,
    _ROLE_SENTIMENT,
    _SEP,
    _SPACE_BIG,
    _SPACE_TABLE,
    _SRC_NEGATION,
    _SRC_NONE,
    _SRC_PHRASE,
    _SRC_QUESTION,
    _SRC_RATING,
    _SRC_SENTIMENT,
    OVERRULE_THRESHOLD,
    SENTIMENT_THRESHOLD,
    _clause_mask,
    _codepoints,
    _expand,
    _lexsort_small,
    _lower_keep_length,
    _map_codepoints,
    _sentence_mask,
    _word_mask,
)
from jtbd_methods.coding.matcher import (
    CompiledCodebook,
    _sentiment_matcher,
)
from jtbd_methods.lexicon import (
    CAPS_EMPHASIS,
    CONTRAST_AFTER,
    CONTRAST_BEFORE,
    NEGATION_SCALAR,
)

_log = logging.getLogger(__name__)


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


_THAN = np.array([ord(c) for c in "than"], dtype=np.int64)
_THAN_WINDOW = 3


def _before_than(
    last_word: np.ndarray,
    word_starts: np.ndarray,
    cp: np.ndarray,
    is_word: np.ndarray,
    sentence_end: np.ndarray,
) -> np.ndarray:
    """Whether "than" is one of the three words after each hit's last word, in its sentence
    (which ends before ``sentence_end``): a comparison ("Better than expected", "Shorter
    waits than last time", "More than happy"), not a request."""
    out = np.zeros(last_word.size, dtype=bool)
    for ahead in range(1, _THAN_WINDOW + 1):
        nxt = last_word + ahead
        pos = word_starts[np.minimum(nxt, word_starts.size - 1)]
        span = pos[:, None] + np.arange(_THAN.size + 1)
        inside = span < cp.size
        span = np.minimum(span, cp.size - 1)
        hit = (nxt < word_starts.size) & (pos < sentence_end)
        hit &= (cp[span[:, :-1]] == _THAN).all(axis=1) & inside[:, -2]
        out |= hit & ~(inside[:, -1] & is_word[span[:, -1]])
    return out


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
    opening = np.zeros(role.size, dtype=bool)
    if is_open.any():
        o_idx = np.flatnonzero(is_open)
        s_of = sentence[o_idx]
        s_begin = np.concatenate([[-1], sent_bounds])[s_of] + 1
        first_word = np.searchsorted(word_starts, s_begin, side="left")
        s_end = np.concatenate([sent_bounds, [cp.size]])[s_of]
        at_start = (word_first[o_idx] == first_word) & ~_before_than(
            word_last[o_idx], word_starts, cp, is_word, s_end
        )
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
    # ... but an opening is the form of the sentence, not a word's rating: it still counts
    # when a polar phrase starts with it ("Shorter waits", "Quicker response" ask for them)
    is_sent &= ~(covered_by(is_sent, polar_ind, longer=False) & ~opening)

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
    row_score = np.bincount(row_of[voters], weights=weight[voters] * factor[voters], minlength=n)

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
