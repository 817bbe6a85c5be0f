"""Quotes for reports: uncoded comments and the evidence of each job."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_int,
    one_of,
    require_columns,
)
from jtbd_methods.codebook import Codebook
from jtbd_methods.coding._common import (
    _POLARITIES,
)
from jtbd_methods.coding.evaluate import (
    _blank,
)
from jtbd_methods.coding.shares import (
    _check_codes,
    _job_list,
)

_log = logging.getLogger(__name__)


@renamed_keywords(id="id_column")
def uncoded_comments(
    codes: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    text: str = "comment",
    id_column: str = "comment_id",
    redact: Any = None,
) -> pd.DataFrame:
    """Comments with text that no job of the codebook explains (for inductive discovery).

    Parameters
    ----------
    codes : pandas.DataFrame
        Long table of :func:`code_comments`.
    feedback : pandas.DataFrame
        The comments coded (not modified).
    text, id_column : str, default "comment", "comment_id"
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
    id = id_column  # the body reads the id column as `id`
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


@renamed_keywords(id="id_column")
def job_quotes(
    codes: pd.DataFrame,
    feedback: pd.DataFrame,
    *,
    n: int = 3,
    polarity: str | None = None,
    job_ids: Any = None,
    redact: Any = None,
    text: str = "comment",
    id_column: str = "comment_id",
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
    text, id_column : str, default "comment", "comment_id"
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
    id = id_column  # the body reads the id column as `id`
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
