"""The supervised coder (:class:`TextCoder`) and its cross-validated evaluation."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_int,
)
from jtbd_methods.coding._calibration import (
    _as_text_list,
    _best_threshold,
    _label_scores,
    _labels_to_matrix,
    _platt,
    _sigmoid,
    _stratified_folds,
    _tune_class_weights,
)
from jtbd_methods.coding.features import (
    NgramTfidf,
    _not_fitted,
    _vstack_csr,
)

_log = logging.getLogger(__name__)


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
class TextCoder(BaseEstimator):
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
