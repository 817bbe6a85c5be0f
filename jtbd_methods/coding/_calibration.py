"""Labels, folds, Platt scaling and threshold tuning for the supervised coder."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._validation import (
    one_of,
)

_log = logging.getLogger(__name__)


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
