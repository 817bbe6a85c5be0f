"""Evaluating codes against a hand coding: a coded file, or the codes of a study."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._validation import (
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.coding._calibration import (
    _as_text_list,
    _labels_to_matrix,
)
from jtbd_methods.coding.shares import (
    _check_codes,
    _job_list,
    coded_matrix,
)
from jtbd_methods.coding.supervised import (
    CoderEvaluation,
    TextCoder,
    _evaluation,
)
from jtbd_methods.errors import JTBDError

_log = logging.getLogger(__name__)


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
