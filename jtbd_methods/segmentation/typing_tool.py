"""The typing tool: a few questions that assign a new patient to a segment.

:class:`TypingTool` distils a segmentation into the survey items that best predict the
segment and a points table (:meth:`TypingTool.to_frame`), printable as a question sheet
(:meth:`TypingTool.question_sheet`) that a clinic can score by hand.

References
----------
.. [1] Ambroise, C., & McLachlan, G. J. (2002). Selection bias in gene extraction on the
   basis of microarray gene-expression data. *PNAS*, 99(10), 6562-6566.
.. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *JASA*, 22(158), 209-212.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from jtbd_methods._stats import wilson_interval
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    check_names,
    require_columns,
    require_dataframe,
)
from jtbd_methods.segmentation.features import _ITEM, _numeric_matrix

__all__ = ["TypingTool"]


class TypingTool:
    """A short question set that assigns new patients to segments.

    A greedy forward selection picks the ``n_items`` survey items that best predict the
    segment; a multinomial logistic regression on the answers to those items (one indicator
    per answer) then gives every answer a score per segment. Adding up the scores of a
    patient's answers and taking the highest total assigns the segment — a points table a
    consultant can run in a spreadsheet (:meth:`to_frame`).

    Parameters
    ----------
    n_items : int, default 6
        Number of questions to keep.
    columns : list of str, optional
        Candidate items (default every ``imp_*``/``sat_*`` column).
    cv : int, default 5
        Folds of the stratified cross-validation that estimates accuracy.
    random_state : int or numpy.random.Generator, default 0
        Seed of the fold assignment (a Generator gives one seed drawn from it at ``fit``).
    C : float, default 1.0
        Inverse L2 penalty of the logistic regression.
    ci : float, default 0.95
        Confidence level of the Wilson interval of the accuracy.

    Attributes
    ----------
    items_ : list of str
        Selected items, in order of selection.
    selection_ : pandas.DataFrame
        ``step``, ``item``, ``cv_accuracy`` (inner cross-validated accuracy after adding it).
    classes_ : numpy.ndarray
        Segment labels.
    categories_ : dict
        Item -> answer values seen in training.
    weights_ : pandas.DataFrame
        The points table (see :meth:`to_frame`).
    accuracy_ : float
        Cross-validated accuracy (share of respondents assigned to their segment), with the
        item selection repeated inside every fold.
    accuracy_ci_ : tuple of float
        Wilson interval of ``accuracy_`` at level ``ci``.
    baseline_ : float
        Accuracy of always guessing the largest segment (chance level to beat).
    n_ : int
        Respondents used.

    Notes
    -----
    Selection criterion: at each step the item whose addition gives the highest 3-fold
    cross-validated accuracy of a categorical naive Bayes classifier (fast; a skipped answer
    is its own category). The scoring model is then a multinomial logistic regression (L2,
    ``C``) on one-hot answers of the selected items, without a reference category, so that
    a skipped question adds no points. The reported accuracy comes from ``cv``-fold
    stratified cross-validation of the *whole* procedure (selection and scoring refitted
    in every fold), so it is not inflated by having chosen the items on the same data
    (Ambroise & McLachlan 2002).

    References
    ----------
    .. [1] Ambroise, C., & McLachlan, G. J. (2002). Selection bias in gene extraction on the
       basis of microarray gene-expression data. *PNAS*, 99(10), 6562-6566.
    .. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> seg = pd.Series(np.repeat([1, 2], 60))
    >>> survey = pd.DataFrame({"imp_a": np.where(seg == 1, 5, 2), "sat_a": rng.integers(1, 6, 120),
    ...                        "imp_b": rng.integers(1, 6, 120)})
    >>> tool = TypingTool(n_items=1).fit(survey, seg)
    >>> tool.items_, tool.accuracy_
    (['imp_a'], 1.0)
    """

    def __init__(
        self,
        n_items: int = 6,
        *,
        columns: Sequence[str] | None = None,
        cv: int = 5,
        random_state: int | np.random.Generator = 0,
        C: float = 1.0,
        ci: float = 0.95,
    ) -> None:
        self.n_items = n_items
        self.columns = columns
        self.cv = cv
        self.random_state = random_state
        self.C = C
        self.ci = ci

    # -- helpers ----------------------------------------------------------------------------
    def _check_params(self) -> None:
        caller = "TypingTool"
        check_int(self.n_items, parameter="n_items", caller=caller, minimum=1)
        check_int(self.cv, parameter="cv", caller=caller, minimum=2)
        check_fraction(self.ci, parameter="ci", caller=caller)
        if not isinstance(self.random_state, np.random.Generator):
            check_int(self.random_state, parameter="random_state", caller=caller, minimum=0)
        if isinstance(self.C, bool) or not isinstance(self.C, (int, float)) or self.C <= 0:
            raise ValueError(
                f"The 'C' parameter of {caller} must be a positive number; got {self.C!r}."
            )

    @staticmethod
    def _codes(values: np.ndarray, categories: Sequence[float]) -> np.ndarray:
        """0 for missing/unseen answers, 1..L for the known answers."""
        lookup = {v: i + 1 for i, v in enumerate(categories)}
        return np.array([lookup.get(v, 0) for v in values], dtype=int)

    @staticmethod
    def _one_hot(codes: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
        blocks = []
        for j, size in enumerate(sizes):
            block = np.zeros((codes.shape[0], size))
            present = codes[:, j] > 0
            block[np.flatnonzero(present), codes[present, j] - 1] = 1.0
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((codes.shape[0], 0))

    def _select(
        self, codes: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int
    ) -> tuple[list[int], list[float]]:
        """Greedy forward selection by 3-fold cross-validated naive Bayes accuracy.

        Categorical naive Bayes with Laplace smoothing (alpha = 1) and empirical class
        priors, as :class:`sklearn.naive_bayes.CategoricalNB`; its log posterior is a sum
        over items, so each item's contribution is tabulated once per fold and candidate
        sets are scored by adding tables.
        """
        classes, y_index = np.unique(y, return_inverse=True)
        n_classes = classes.size
        n_splits = max(2, min(3, int(np.bincount(y_index).min())))
        folds = list(
            StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(
                codes, y_index
            )
        )
        n_cat = codes.max(axis=0) + 1
        per_fold = []
        for train, test in folds:
            counts = np.bincount(y_index[train], minlength=n_classes).astype(float)
            with np.errstate(divide="ignore"):
                prior = np.log(counts / counts.sum())
            tables = np.empty((codes.shape[1], test.size, n_classes))
            for j in range(codes.shape[1]):
                joint = np.zeros((n_cat[j], n_classes))
                np.add.at(joint, (codes[train, j], y_index[train]), 1.0)
                log_p = np.log((joint + 1.0) / (joint.sum(axis=0) + n_cat[j]))
                tables[j] = log_p[codes[test, j]]
            per_fold.append(
                (np.broadcast_to(prior, (test.size, n_classes)).copy(), tables, y_index[test])
            )
        chosen: list[int] = []
        scores: list[float] = []
        remaining = list(range(len(names)))
        for _ in range(min(self.n_items, len(names))):
            best, best_score = remaining[0], -np.inf
            for j in remaining:
                correct = sum(
                    int((np.argmax(total + tables[j], axis=1) == truth).sum())
                    for total, tables, truth in per_fold
                )
                score = correct / len(y)
                if score > best_score + 1e-12:
                    best, best_score = j, score
            for total, tables, _ in per_fold:
                total += tables[best]
            chosen.append(best)
            scores.append(best_score)
            remaining.remove(best)
        return chosen, scores

    def _fit_scoring(self, raw: np.ndarray, y: np.ndarray, chosen: Sequence[int]):
        categories = [np.unique(raw[~np.isnan(raw[:, j]), j]) for j in chosen]
        codes = np.column_stack(
            [self._codes(raw[:, j], cats) for j, cats in zip(chosen, categories, strict=True)]
        )
        x = self._one_hot(codes, [len(c) for c in categories])
        model = LogisticRegression(C=self.C, max_iter=2000).fit(x, y)
        return model, categories

    def _scores(self, model, categories, raw_selected: np.ndarray) -> np.ndarray:
        codes = np.column_stack(
            [self._codes(raw_selected[:, j], cats) for j, cats in enumerate(categories)]
        )
        x = self._one_hot(codes, [len(c) for c in categories])
        return model.decision_function(x)

    @staticmethod
    def _argmax(model, scores: np.ndarray) -> np.ndarray:
        if scores.ndim == 1:  # two segments: sklearn returns the score of classes_[1]
            return np.where(scores > 0, model.classes_[1], model.classes_[0])
        return model.classes_[np.argmax(scores, axis=1)]

    def _procedure(self, raw: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int):
        codes = np.column_stack(
            [
                self._codes(raw[:, j], np.unique(raw[~np.isnan(raw[:, j]), j]))
                for j in range(raw.shape[1])
            ]
        )
        chosen, scores = self._select(codes, y, names, seed)
        model, categories = self._fit_scoring(raw, y, chosen)
        return chosen, scores, model, categories

    # -- public API -------------------------------------------------------------------------
    def fit(self, survey: pd.DataFrame, labels: Any) -> TypingTool:
        """Select the questions and learn their answer scores.

        Parameters
        ----------
        survey : pandas.DataFrame
            Survey answers (not modified).
        labels : pandas.Series or array-like
            Segment of each row (e.g. ``Segmentation.labels``); rows with ``<NA>`` are
            ignored. A Series is aligned to ``survey`` by index.

        Returns
        -------
        TypingTool
            ``self``, fitted.

        Raises
        ------
        TypeError, ValueError
            If ``survey`` is not a DataFrame, items are missing or not numeric, labels are
            not aligned, fewer than two segments are present, or a segment has fewer
            respondents than ``cv``.
        """
        caller = "TypingTool.fit()"
        self._check_params()
        require_dataframe(survey, parameter="survey", caller=caller)
        if self.columns is None:
            names = [str(c) for c in survey.columns if _ITEM.match(str(c))]
        else:
            names = check_names(
                self.columns,
                parameter="columns",
                caller="TypingTool",
                allow_none=False,
                allow_single=False,
            )
        require_columns(survey, names, name="survey", caller=caller)
        if not names:
            raise ValueError(f"{caller} found no 'imp_*'/'sat_*' item columns in 'survey'.")
        if isinstance(labels, pd.Series):
            if not labels.index.equals(survey.index):
                if not survey.index.isin(labels.index).all():
                    raise ValueError(
                        f"The 'labels' Series given to {caller} must be aligned to the index of "
                        "'survey'."
                    )
                labels = labels.reindex(survey.index)
            y_all = labels
        else:
            y_all = pd.Series(list(labels) if isinstance(labels, Iterable) else [labels])
            if len(y_all) != len(survey):
                raise ValueError(
                    f"The 'labels' parameter of {caller} must have one label per survey row "
                    f"({len(survey)}); got {len(y_all)}."
                )
            y_all.index = survey.index
        keep = y_all.notna().to_numpy()
        y = y_all[keep].to_numpy()
        if y.dtype == object:
            y = np.asarray([v.item() if hasattr(v, "item") else v for v in y], dtype=object)
        raw = _numeric_matrix(survey.loc[keep, names], caller)
        classes, counts = np.unique(y.astype(str) if y.dtype == object else y, return_counts=True)
        if classes.size < 2:
            raise ValueError(f"{caller} needs at least two segments in 'labels'; got {classes}.")
        if counts.min() < self.cv:
            raise ValueError(
                f"{caller}: every segment needs at least cv={self.cv} respondents for "
                f"cross-validation; the smallest has {int(counts.min())}."
            )
        try:
            y = y.astype(int)
        except (TypeError, ValueError):
            y = y.astype(str)

        # honest accuracy: the whole procedure refitted within each fold
        seed = (
            int(self.random_state.integers(0, 2**31 - 1))
            if isinstance(self.random_state, np.random.Generator)
            else int(self.random_state)
        )
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=seed)
        predicted = np.empty(len(y), dtype=y.dtype)
        with threadpool_limits(limits=1):
            for fold, (train, test) in enumerate(folds.split(raw, y)):
                chosen, _, model, categories = self._procedure(
                    raw[train], y[train], names, seed + fold + 1
                )
                scores = self._scores(model, categories, raw[test][:, chosen])
                predicted[test] = self._argmax(model, scores)
            chosen, step_scores, model, categories = self._procedure(raw, y, names, seed)
        correct = int((predicted == y).sum())
        low, high = wilson_interval(correct, len(y), level=self.ci)

        self.items_ = [names[j] for j in chosen]
        self.selection_ = pd.DataFrame(
            {
                "step": np.arange(1, len(chosen) + 1, dtype="int64"),
                "item": pd.array(self.items_, dtype="string"),
                "cv_accuracy": np.asarray(step_scores, dtype=float),
            }
        )
        self.classes_ = model.classes_
        self.categories_ = {self.items_[j]: categories[j] for j in range(len(chosen))}
        self.model_ = model
        self.accuracy_ = correct / len(y)
        self.accuracy_ci_ = (float(low), float(high))
        self.baseline_ = float(counts.max() / counts.sum())
        self.n_ = int(len(y))
        self.weights_ = self._table()
        return self

    def _check_fitted(self, caller: str) -> None:
        if not hasattr(self, "model_"):
            raise ValueError(
                f"This TypingTool is not fitted yet; call fit(survey, labels) before {caller}."
            )

    def _table(self) -> pd.DataFrame:
        model = self.model_
        coef = np.asarray(model.coef_, dtype=float)
        intercept = np.asarray(model.intercept_, dtype=float)
        if coef.shape[0] == 1:  # two classes: split the log-odds symmetrically
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        rows = [
            {
                "item": "(constant)",
                "answer": pd.NA,
                **{f"segment_{c}": intercept[i] for i, c in enumerate(self.classes_)},
            }
        ]
        position = 0
        for item in self.items_:
            for answer in self.categories_[item]:
                rows.append(
                    {
                        "item": item,
                        "answer": answer,
                        **{f"segment_{c}": coef[i, position] for i, c in enumerate(self.classes_)},
                    }
                )
                position += 1
        table = pd.DataFrame(rows)
        table["item"] = table["item"].astype("string")
        table["answer"] = pd.array(
            [
                pd.NA if pd.isna(a) else int(a) if float(a).is_integer() else a
                for a in table["answer"]
            ],
            dtype="object",
        )
        return table

    def to_frame(self, *, decimals: int | None = 2) -> pd.DataFrame:
        """The points table: one row per (item, answer), one score column per segment.

        Parameters
        ----------
        decimals : int or None, default 2
            Rounding of the scores (``None`` keeps full precision).

        Returns
        -------
        pandas.DataFrame
            ``item``, ``answer`` and ``segment_<label>`` columns. The first row,
            ``(constant)``, is added for everybody; a skipped question adds nothing. The
            segment with the highest total is the prediction.

        Raises
        ------
        ValueError
            If the tool is not fitted.
        """
        self._check_fitted("to_frame()")
        table = self.weights_.copy()
        if decimals is not None:
            decimals = check_int(
                decimals, parameter="decimals", caller="TypingTool.to_frame()", minimum=0
            )
            score_cols = [c for c in table.columns if c.startswith("segment_")]
            table[score_cols] = table[score_cols].round(decimals)
        return table

    def question_sheet(
        self,
        *,
        codebook: Any = None,
        names: Mapping[Any, str] | None = None,
        decimals: int = 1,
    ) -> pd.DataFrame:
        """The typing tool as a question sheet a clinic can print: wording, answers, points.

        Parameters
        ----------
        codebook : Codebook, optional
            Gives each ``imp_``/``sat_`` item its desired-outcome wording; without it the item
            id is put in words.
        names : mapping, optional
            Segment number -> name (e.g. ``Segmentation.names``) for the points columns.
        decimals : int, default 1
            Rounding of the points.

        Returns
        -------
        pandas.DataFrame
            One row per answer of each question, in the order the questions were selected:
            ``question`` (number, 0 for the starting points everyone gets), ``wording``,
            ``answer`` (1-5, empty for the starting row) and one points column per segment
            (``points: <name>``). Add up the points of the answers given (a skipped question
            adds nothing); the segment with the most points is the patient's.

        Raises
        ------
        ValueError
            If the tool is not fitted.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> survey = pd.DataFrame({"imp_a": rng.integers(1, 6, 200), "imp_b": rng.integers(1, 6, 200)})
        >>> labels = pd.Series(np.where(survey["imp_a"] > 3, 1, 2))
        >>> sheet = TypingTool(n_items=1, random_state=0).fit(survey, labels).question_sheet()
        >>> print(sheet.loc[1, "wording"])
        How important is this to you? "A." (1 = not at all, 5 = extremely)
        """
        self._check_fitted("question_sheet()")
        decimals = check_int(
            decimals, parameter="decimals", caller="TypingTool.question_sheet()", minimum=0
        )
        texts: dict[str, str] = {}
        if codebook is not None:
            for out in getattr(codebook, "outcomes", ()):
                texts[str(out.id)] = str(out.text).rstrip(" .")

        def wording(item: str) -> str:
            if item == "(constant)":
                return "Everyone starts with these points"
            kind, _, outcome = item.partition("_")
            statement = texts.get(outcome) or outcome.replace("_", " ")
            statement = statement[:1].upper() + statement[1:]
            if kind == "imp":
                return (
                    f'How important is this to you? "{statement}." (1 = not at all, 5 = extremely)'
                )
            if kind == "sat":
                return f'How satisfied are you with this? "{statement}." (1 = not at all, 5 = completely)'
            return item.replace("_", " ")

        table = self.weights_.copy()
        order = {item: k for k, item in enumerate(["(constant)", *self.items_])}
        score_cols = [c for c in table.columns if c.startswith("segment_")]
        renamed = {}
        for col in score_cols:
            label = col.removeprefix("segment_")
            key: Any = int(label) if label.isdigit() else label
            name = (names or {}).get(key, (names or {}).get(str(key), f"segment {label}"))
            renamed[col] = f"points: {name}"
        sheet = pd.DataFrame(
            {
                "question": [order.get(str(i), len(order)) for i in table["item"]],
                "wording": [wording(str(i)) for i in table["item"]],
                "answer": table["answer"].to_numpy(),
            }
        )
        for col in score_cols:
            sheet[renamed[col]] = table[col].astype(float).round(decimals).to_numpy() + 0.0
        return sheet.sort_values(["question", "answer"], kind="stable").reset_index(drop=True)

    def predict(self, new_answers: pd.DataFrame) -> pd.Series:
        """Assign segments to new respondents from their answers to the selected items.

        Parameters
        ----------
        new_answers : pandas.DataFrame
            Must have the columns :attr:`items_` (other columns are ignored); missing answers
            add no points.

        Returns
        -------
        pandas.Series
            Predicted segment, aligned to ``new_answers``' index, named ``segment``.

        Raises
        ------
        ValueError
            If the tool is not fitted or a selected item is missing.
        TypeError
            If ``new_answers`` is not a DataFrame or an item is not numeric.
        """
        self._check_fitted("predict()")
        caller = "TypingTool.predict()"
        require_dataframe(new_answers, parameter="new_answers", caller=caller)
        require_columns(new_answers, self.items_, name="new_answers", caller=caller)
        raw = _numeric_matrix(new_answers[self.items_], caller)
        categories = [self.categories_[i] for i in self.items_]
        scores = self._scores(self.model_, categories, raw)
        return pd.Series(self._argmax(self.model_, scores), index=new_answers.index, name="segment")
