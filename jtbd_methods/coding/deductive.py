"""Deductive coding of comments and studies with a codebook (:func:`code_comments`, :func:`code_study`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.codebook import Codebook
from jtbd_methods.coding._common import (
    _BY_SIGN,
    _PRIOR_CODE,
    POLARITIES,
    POLARITY_SOURCES,
)
from jtbd_methods.coding.match import (
    _match_texts,
    _RawCodes,
)
from jtbd_methods.coding.matcher import (
    CompiledCodebook,
    compile_codebook,
)
from jtbd_methods.lexicon import (
    non_answers,
)

_log = logging.getLogger(__name__)


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


_MIN_PARALLEL_CHUNK = 50_000


def _workers(n_jobs: int) -> int:
    """Threads for ``n_jobs`` (-1: the cores this process may use)."""
    if n_jobs != -1:
        return n_jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    """``pd.Series(values[index], dtype="str")``, built by pyarrow's take (no Python objects)."""
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
            f"{caller}: each question must map to 'positive', 'negative' or 'neutral'; got {bad!r}."
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
        # a chunk per worker at least, so that every core has work; chunks shrink so that
        # the chunks in flight together hold about what one chunk held (peak memory)
        per_worker = -(-len(texts) // workers)
        chunk_size = max(_MIN_PARALLEL_CHUNK, min(chunk_size // workers, per_worker))

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
        dropped = coded[non_answers(texts_series.iloc[coded])]  # arrow text: no copy
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
            "source": _take_str(("phrase",), np.zeros(row.size, dtype=np.int64)),
            "probability": np.full(row.size, np.nan),
            "phrase": _take_str(matcher._phrase, np.concatenate([p.pattern for p in pieces])),
            "start": np.concatenate([p.start for p in pieces]).astype(np.int64),
            "end": np.concatenate([p.end for p in pieces]).astype(np.int64),
        }
    )
    return out


@renamed_keywords(id="id_column")
def code_comments(
    feedback: pd.DataFrame,
    codebook: Codebook | CompiledCodebook,
    *,
    text: str = "comment",
    id_column: str = "comment_id",
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
    text, id_column : str, default "comment", "comment_id"
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
        per thread at least, each at most ``chunk_size / threads`` comments (at least 50,000),
        so peak memory stays about that of one thread. The result does not depend on it.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (comment, job) with evidence, in input order then codebook
        order; zero rows for comments that mention no job. Columns:

        * ``comment_id`` -- the comment's id (same dtype as ``feedback[id_column]``; the column is
          called ``comment_id`` whatever ``id_column`` is);
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
    id = id_column  # the body reads the id column as `id`
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
