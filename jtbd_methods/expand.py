"""Weakly supervised expansion: a model, taught by the phrase codes, codes what they miss.

Indicator phrases are precise but miss the many ways patients say the same thing. The
phrase codes of a study are used as (noisy) labels to train the supervised
:class:`~jtbd_methods.coding.TextCoder`, which then codes the substantive comments that no
phrase matched. This is weak supervision in the sense of Ratner et al. [1]_: heuristic
labelling functions (here, the codebook) label a corpus that trains a discriminative model
that generalises beyond them.

The phrases' own words would teach the model nothing new (it would learn that "listened"
means *feel heard*, which the phrase already says), so the evidence span of every phrase
code is blanked out of its comment before training: the model must learn the job from the
*other* words of the comment, which is what it needs on comments without a phrase. The same
masking gives an honest validation: on held-out phrase-coded comments with their evidence
blanked out, the model's precision and recall against the phrase codes estimate how it
does on comments the phrases miss.

References
----------
.. [1] Ratner, A., Bach, S. H., Ehrenberg, H., Fries, J., Wu, S., & Ré, C. (2017). Snorkel:
   rapid training data creation with weak supervision. *Proceedings of the VLDB Endowment*,
   11(3), 269-282.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.codebook import Codebook
from jtbd_methods.coding import (
    SENTIMENT_THRESHOLD,
    CompiledCodebook,
    TextCoder,
    compile_codebook,
    question_priors,
)
from jtbd_methods.lexicon import non_answers

__all__ = ["ExpansionResult", "expand_codes", "expand_study"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpansionResult:
    """Phrase codes plus the model's codes, with the model's validation.

    Attributes
    ----------
    codes : pandas.DataFrame
        The phrase codes followed by the model's, in the layout of
        :func:`~jtbd_methods.coding.code_comments`; model rows have ``source == "model"``,
        their ``probability``, an empty ``phrase`` and ``start == end == -1`` (no span).
    validation : pandas.DataFrame
        Per job: ``job_id``, ``n_train`` (phrase-coded training comments), ``n_test``
        (held-out phrase-coded comments), ``precision``, ``precision_ci_low``,
        ``precision_ci_high``, ``recall``, ``recall_ci_low``, ``recall_ci_high`` of the
        model on held-out comments with their evidence blanked out, against the phrase codes
        (95% Wilson intervals), ``label_frequency`` (the positive-unlabelled correction
        ``c``); and, when a hand coding was given, ``hand_precision``,
        ``hand_n`` (model codes on hand-coded comments) with its interval.
    n_candidates : int
        Substantive comments without a phrase code that the model scored.
    n_model_codes : int
        Codes the model added.
    threshold : float
        Probability from which a model code is kept.
    """

    codes: pd.DataFrame
    validation: pd.DataFrame
    n_candidates: int
    n_model_codes: int
    threshold: float
    notes: tuple[str, ...] = field(default=())

    def summary(self) -> pd.DataFrame:
        """Codes per job by source: ``job_id``, ``phrase``, ``model``."""
        table = pd.crosstab(self.codes["job_id"], self.codes["source"])
        for col in ("phrase", "model"):
            if col not in table:
                table[col] = 0
        return table[["phrase", "model"]].reset_index().rename_axis(columns=None)


def _masked(texts: list[str], spans: dict[int, list[tuple[int, int]]]) -> list[str]:
    """The texts with the given character spans replaced by spaces."""
    out = list(texts)
    for i, pieces in spans.items():
        chars = list(out[i])
        for start, end in pieces:
            chars[start:end] = " " * (end - start)
        out[i] = "".join(chars)
    return out


def _comment_signs(
    feedback: pd.DataFrame, rows: np.ndarray, *, text: str, rating: str | None, priors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Polarity (-1/0/+1) and its source for whole comments: words, then question, rating."""
    from jtbd_methods.coding.match import _comment_scores  # the matcher's own sentiment sums

    texts = feedback[text].iloc[rows].fillna("").astype(str).tolist()
    score = _comment_scores(texts)
    sign = np.zeros(rows.size, dtype=np.int64)
    source = np.full(rows.size, "none", dtype=object)
    open_ = np.ones(rows.size, dtype=bool)
    ratings = (
        pd.to_numeric(feedback[rating].iloc[rows], errors="coerce").to_numpy(dtype=float)
        if rating is not None and rating in feedback.columns
        else np.full(rows.size, np.nan)
    )
    by_rating = np.where(ratings <= 2, -1.0, np.where(ratings >= 4, 1.0, 0.0))
    for values, name in (
        (score, "sentiment"),
        (priors[rows].astype(float), "question"),
        (by_rating, "rating"),
    ):
        decided = open_ & (np.abs(values) >= SENTIMENT_THRESHOLD)
        sign[decided] = np.sign(values[decided]).astype(np.int64)
        source[decided] = name
        open_ &= ~decided
    return sign, source


@renamed_keywords(id="id_column")
def expand_codes(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    codebook: Codebook | CompiledCodebook,
    *,
    text: str = "comment",
    id_column: str = "comment_id",
    rating: str | None = "rating",
    question: str | None = "question",
    questions: dict[str, str] | None = None,
    hand_coded: pd.DataFrame | None = None,
    threshold: float = 0.6,
    min_precision: float = 0.7,
    max_train: int = 20_000,
    test_size: float = 0.2,
    random_state: int = 0,
    progress: Any = None,
    coder: TextCoder | None = None,
) -> ExpansionResult:
    """Code the comments the indicator phrases miss with a model the phrase codes taught.

    Parameters
    ----------
    feedback : pandas.DataFrame
        The comments (not modified).
    codes : pandas.DataFrame
        Phrase codes of ``feedback`` from :func:`~jtbd_methods.coding.code_comments`.
    codebook : Codebook or CompiledCodebook
        The codebook (its job ids are the labels).
    text, id_column, rating, question : str
        Columns of ``feedback``; ``rating`` and ``question`` may be ``None`` or absent.
    questions : dict, optional
        Prompt to ``"positive"``/``"negative"``/``"neutral"``, as for ``code_comments``.
    hand_coded : pandas.DataFrame, optional
        ``id_column`` and ``code_<job_id>`` 0/1 columns of a hand-coded sample: its codes join the
        training labels, and the model's codes on it are checked against it.
    threshold : float, default 0.6
        Calibrated probability from which a model code is kept.
    min_precision : float, default 0.7
        A job gets model codes only when the model's held-out precision for it (see Notes)
        reaches this; jobs below it are listed in ``notes``.
    max_train : int, default 20_000
        Most training comments (phrase-coded ones first, then as many uncoded ones), drawn
        at random with ``random_state``.
    test_size : float, default 0.2
        Share of phrase-coded training comments held out for validation.
    random_state : int, default 0
        Seed of the sampling and of the model.
    progress : callable, optional
        Receives one line per step (training, scoring).
    coder : TextCoder, optional
        Settings of the model (a :class:`~jtbd_methods.coding.TextCoder`, cloned, never
        fitted in place); default: word 1-2-grams only, thresholds not tuned (the expansion
        applies its own), ``random_state`` as given.

    Returns
    -------
    ExpansionResult

    Raises
    ------
    TypeError, ValueError
        For a wrong type, a missing column or an option out of range.

    Notes
    -----
    *Training.* Labels: a comment's phrase codes (any polarity), plus its hand codes where
    there is a hand coding. Negatives: substantive comments without a phrase code (some of
    them are positives the phrases missed; the SVM's regularisation and class balancing
    tolerate that noise). Evidence spans are blanked out of the training texts (see the
    module notes). Non-answers are never used nor coded.

    *Polarity* of a model code is the comment's: its net sentiment (the coder's lexicon and
    rules), else the question answered, else the rating, else ``unclear``.

    *Positive-unlabelled correction* (Elkan & Noto [2]_). Uncoded comments are unlabelled,
    not negative. The model estimates the probability that a comment is phrase-coded with a
    job; divided by the job's label frequency ``c`` (the mean of that probability over
    held-out phrase-coded comments with their evidence blanked out), it estimates the
    probability that the comment is evidence of the job. ``c`` is reported per job.

    *Validation.* Precision and recall on held-out phrase-coded comments whose evidence is
    blanked out estimate how the model does where phrases are silent; they are computed
    against phrase codes, which miss some true codes, so precision is a lower bound. Comments
    are held out by distinct wording, so that copies of a comment never sit on both sides. A
    hand-coded sample gives a direct precision.

    References
    ----------
    .. [1] Ratner, A., Bach, S. H., Ehrenberg, H., Fries, J., Wu, S., & Ré, C. (2017). Snorkel:
       rapid training data creation with weak supervision. *PVLDB*, 11(3), 269-282.
    .. [2] Elkan, C., & Noto, K. (2008). Learning classifiers from only positive and
       unlabeled data. In *Proceedings of the 14th ACM SIGKDD International Conference on
       Knowledge Discovery and Data Mining* (pp. 213-220).

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> from jtbd_methods.coding import code_comments
    >>> cb = codebook_from_dict({"name": "d", "jobs": [
    ...     {"id": "feel_heard", "label": "Heard", "indicators": ["listened"]},
    ...     {"id": "eat_well", "label": "Food", "indicators": ["food"]}]})
    >>> days = [f" on day {i}" for i in range(30)]
    >>> texts = (["they listened and cared about my views" + d for d in days]
    ...          + ["the food was hot and tasty" + d for d in days]
    ...          + ["parking was easy" + d for d in days]
    ...          + ["the nurse cared about my views", "hot and tasty meals", "easy to find"])
    >>> fb = pd.DataFrame({"comment_id": [str(i) for i in range(len(texts))],
    ...                    "comment": texts})
    >>> result = expand_codes(fb, code_comments(fb, cb, rating=None), cb, rating=None)
    >>> result.codes.query("source == 'model'")[["comment_id", "job_id"]].values.tolist()
    [['90', 'feel_heard'], ['91', 'eat_well']]
    """
    id = id_column  # the body reads the id column as `id`
    caller = "expand_codes"
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_dataframe(codes, parameter="codes", caller=caller)
    require_columns(feedback, [text, id], name="feedback", caller=caller)
    require_columns(codes, ["comment_id", "job_id", "polarity", "start", "end"], name="codes",
                    caller=caller)  # fmt: skip
    threshold = check_fraction(threshold, parameter="threshold", caller=caller)
    min_precision = check_fraction(
        min_precision, parameter="min_precision", caller=caller, inclusive=True
    )
    test_size = check_fraction(test_size, parameter="test_size", caller=caller)
    max_train = check_int(max_train, parameter="max_train", caller=caller, minimum=10)
    matcher = codebook if isinstance(codebook, CompiledCodebook) else compile_codebook(codebook)
    jobs = list(matcher.job_ids)
    say = progress or (lambda line: _log.info("%s", line))
    rng = np.random.default_rng(random_state)

    texts = feedback[text].where(feedback[text].notna(), "").astype(str).tolist()
    ids = feedback[id].reset_index(drop=True)
    index = pd.Index(ids)
    substantive = ~non_answers(texts)
    phrase = codes[codes.get("source", pd.Series("phrase", index=codes.index)) == "phrase"]
    rows = index.get_indexer(phrase["comment_id"])
    known = rows >= 0
    phrase, rows = phrase[known], rows[known]
    cols = pd.Index(jobs).get_indexer(phrase["job_id"].astype(str))
    labels = np.zeros((len(texts), len(jobs)), dtype=np.int8)
    labels[rows[cols >= 0], cols[cols >= 0]] = 1
    spans: dict[int, list[tuple[int, int]]] = {}
    for r, s, e in zip(rows, phrase["start"].to_numpy(), phrase["end"].to_numpy(), strict=True):
        if s >= 0:
            spans.setdefault(int(r), []).append((int(s), int(e)))
    hand = None
    if hand_coded is not None:
        require_columns(hand_coded, [id], name="hand_coded", caller=caller)
        hand_cols = [f"code_{j}" for j in jobs if f"code_{j}" in hand_coded.columns]
        hand = hand_coded[[id, *hand_cols]].dropna()
        h_rows = index.get_indexer(hand[id])
        for j, job in enumerate(jobs):
            col = f"code_{job}"
            if col in hand.columns:
                pos = (h_rows >= 0) & (pd.to_numeric(hand[col]).to_numpy() == 1)
                labels[h_rows[pos], j] = 1

    coded = substantive & (labels.sum(axis=1) > 0)
    uncoded = substantive & (labels.sum(axis=1) == 0)
    coded_rows = np.flatnonzero(coded)
    uncoded_rows = np.flatnonzero(uncoded)
    notes: list[str] = []
    validation_columns = [
        "job_id", "n_train", "label_frequency", "n_test", "precision", "precision_ci_low", "precision_ci_high",
        "recall", "recall_ci_low", "recall_ci_high",
    ]  # fmt: skip
    if coded_rows.size < 20 or uncoded_rows.size == 0:
        notes.append(
            f"Too few phrase-coded comments ({coded_rows.size}) or none left to code: the "
            "model was not trained."
        )
        return ExpansionResult(
            codes=codes.copy(),
            validation=pd.DataFrame(columns=validation_columns),
            n_candidates=int(uncoded_rows.size),
            n_model_codes=0,
            threshold=threshold,
            notes=tuple(notes),
        )
    n_pos = min(coded_rows.size, max_train // 2)
    pos_rows = rng.choice(coded_rows, size=n_pos, replace=False)
    neg_rows = rng.choice(uncoded_rows, size=min(uncoded_rows.size, max_train - n_pos),
                          replace=False)  # fmt: skip
    # held out by distinct wording: copies of one comment ("Very helpful staff") fall on
    # the same side, or the model would be tested on comments it was trained on
    wording, first = np.unique(
        [" ".join(texts[r].lower().split()) for r in pos_rows], return_inverse=True
    )
    test_mask = (rng.random(wording.size) < test_size)[first]
    train_rows = np.concatenate([pos_rows[~test_mask], neg_rows])
    test_rows = pos_rows[test_mask]
    masked = _masked(texts, {r: spans[r] for r in pos_rows if r in spans})
    say(f"training the expansion model on {train_rows.size:,} comments")
    if coder is None:
        # word n-grams only: on 18,980 real comments the held-out precision was the same as
        # with character 2-5-grams added (mean over jobs 0.31 both) for a fifth of the time
        coder = TextCoder(char_ngrams=None, random_state=random_state, tune_thresholds=False)
    elif isinstance(coder, TextCoder):
        coder = clone(coder)
    else:
        raise TypeError(
            f"The 'coder' parameter of {caller} must be a TextCoder or None; got "
            f"{type(coder).__name__}."
        )
    train_labels = pd.DataFrame(labels[train_rows], columns=jobs)
    usable = [j for j in jobs if 2 <= train_labels[j].sum() < len(train_labels)]
    coder.fit([masked[r] for r in train_rows], train_labels[usable])

    # Elkan & Noto: the model learnt P(phrase-coded | x); dividing by c, the mean of that
    # probability over held-out coded comments, gives P(job | x) (PU learning)
    records = []
    c = np.ones(len(usable))
    if test_rows.size:
        test_prob = coder.predict_proba([masked[r] for r in test_rows])[usable].to_numpy()
        truth = labels[test_rows][:, [jobs.index(j) for j in usable]]
        for k in range(len(usable)):
            positives = truth[:, k] == 1
            if positives.sum() >= 5:
                c[k] = float(np.clip(test_prob[positives, k].mean(), 0.05, 1.0))
        pred = np.minimum(test_prob / c, 1.0) >= threshold
    for k, job in enumerate(usable):
        entry: dict[str, Any] = {
            "job_id": job,
            "n_train": int(train_labels[job].sum()),
            "label_frequency": float(c[k]),
        }
        if test_rows.size:
            tp = int((pred[:, k] & (truth[:, k] == 1)).sum())
            n_pred, n_true = int(pred[:, k].sum()), int((truth[:, k] == 1).sum())
            plo, phi = wilson_interval(tp, n_pred)
            rlo, rhi = wilson_interval(tp, n_true)
            entry.update(
                n_test=n_true,
                precision=tp / n_pred if n_pred else np.nan,
                precision_ci_low=float(plo),
                precision_ci_high=float(phi),
                recall=tp / n_true if n_true else np.nan,
                recall_ci_low=float(rlo),
                recall_ci_high=float(rhi),
            )
        records.append(entry)
    validation = pd.DataFrame(records).reindex(columns=validation_columns)

    say(f"coding {uncoded_rows.size:,} comments no phrase matched")
    proba = coder.predict_proba([texts[r] for r in uncoded_rows])
    prob = np.minimum(proba[usable].to_numpy() / c, 1.0)
    trusted = np.array(
        [
            bool(
                (validation.set_index("job_id")["precision"].get(job, np.nan) or 0) >= min_precision
            )
            for job in usable
        ]
    )
    weak = [job for job, ok in zip(usable, trusted, strict=True) if not ok]
    if weak:
        notes.append(
            f"No model codes for {len(weak)} job(s) whose held-out precision is below "
            f"{min_precision:.0%}: {', '.join(weak)}."
        )
    hit_r, hit_j = np.nonzero((prob >= threshold) & trusted[None, :])
    model_rows = uncoded_rows[hit_r]
    priors = (
        question_priors(feedback[question], questions, caller=caller)
        if question is not None and question in feedback.columns
        else np.zeros(len(texts), dtype=np.int8)
    )
    sign, source = _comment_signs(feedback, model_rows, text=text, rating=rating, priors=priors)
    names = np.array(["unclear", "fulfilled", "disrupted"], dtype=object)
    model = pd.DataFrame(
        {
            "comment_id": ids.iloc[model_rows].to_numpy(),
            "job_id": pd.Series(np.array(usable, dtype=object)[hit_j], dtype="str"),
            "polarity": pd.Series(names[sign % 3], dtype="str"),
            "polarity_source": pd.Series(source, dtype="str"),
            "source": pd.Series(["model"] * model_rows.size, dtype="str"),
            "probability": prob[hit_r, hit_j],
            "phrase": pd.Series([""] * model_rows.size, dtype="str"),
            "start": np.full(model_rows.size, -1, dtype=np.int64),
            "end": np.full(model_rows.size, -1, dtype=np.int64),
        }
    )
    if hand is not None and len(model):
        h = hand.set_index(id)
        checks = [
            (cid, job)
            for cid, job in zip(model["comment_id"], model["job_id"], strict=True)
            if cid in h.index and f"code_{job}" in h.columns
        ]
        if checks:
            hits = [int(pd.to_numeric(h.at[cid, f"code_{job}"]) == 1) for cid, job in checks]
            validation["hand_precision"] = float(np.mean(hits))
            validation["hand_n"] = len(hits)
    combined = pd.concat([codes, model.astype({"comment_id": codes["comment_id"].dtype})],
                         ignore_index=True) if len(model) else codes.copy()  # fmt: skip
    if len(combined) and len(model):
        order = pd.Index(ids).get_indexer(combined["comment_id"])
        combined = combined.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    return ExpansionResult(
        codes=combined,
        validation=validation,
        n_candidates=int(uncoded_rows.size),
        n_model_codes=int(len(model)),
        threshold=threshold,
        notes=tuple(notes),
    )


def expand_study(
    study: Any,
    codes: pd.DataFrame,
    *,
    min_precision: float = 0.7,
    progress: Any = None,
) -> ExpansionResult:
    """:func:`expand_codes` with a study's own settings: the one call every report makes.

    Notebooks 01 (job discovery), 03 (tracking) and 04 (service recovery) all count the
    same codes only if they expand them the same way; this function fixes the arguments
    (the study's hand coding, its question prompts, no rating, the default model and seed),
    and the result is deterministic.

    Parameters
    ----------
    study : Study
        From :func:`~jtbd_methods.study.load_study`, with feedback and a codebook.
    codes : pandas.DataFrame
        Its phrase codes (:func:`~jtbd_methods.coding.code_study`).
    min_precision : float, default 0.7
        As in :func:`expand_codes`.
    progress : callable, optional
        As in :func:`expand_codes`.

    Returns
    -------
    ExpansionResult

    Raises
    ------
    ValueError
        If the study has no feedback or no codebook.

    Examples
    --------
    >>> from jtbd_methods.coding import code_study
    >>> from jtbd_methods.study import load_study
    >>> study = load_study("data/samples/recovery_study")
    >>> result = expand_study(study, code_study(study))
    >>> bool((result.codes["source"] == "phrase").any())
    True
    """
    caller = "expand_study"
    feedback = getattr(study, "feedback", None)
    codebook = getattr(study, "codebook", None)
    if feedback is None or codebook is None:
        raise ValueError(f"{caller}: the study needs feedback.csv and a codebook.")
    return expand_codes(
        feedback,
        codes,
        codebook,
        rating=None,
        questions=dict(getattr(study.config, "questions", {}) or {}) or None,
        hand_coded=study.hand_coded(),
        min_precision=min_precision,
        progress=progress,
    )
