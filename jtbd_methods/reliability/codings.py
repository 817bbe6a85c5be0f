"""Wide codings of two or more coders: stacking, the per-job agreement table, disagreements.

Wide codings are one frame per coder keyed by ``comment_id`` with 0/1 ``code_<job_id>``
columns; :func:`stack_codings` turns them into reliability data, :func:`agreement_table`
reports every statistic per job with Krippendorff's verdict [1]_, and
:func:`disagreements` lists what the coders must resolve.

References
----------
.. [1] Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*
   (2nd ed.). Sage, ch. 11 (pp. 241-243 for the .800 / .667 thresholds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_names,
    require_columns,
    require_dataframe,
)
from jtbd_methods.reliability.coefficients import (
    _check_boot,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
)

__all__ = ["agreement_table", "disagreements", "stack_codings"]

logger = logging.getLogger(__name__)

#: Krippendorff's (2004, p. 241) thresholds: rely on alpha >= .800, draw only tentative
#: conclusions for .667 <= alpha < .800.
RELIABLE, TENTATIVE = 0.800, 0.667
_PREFIX = "code_"
_ALL = "all_jobs"


# ------------------------------------------------------------------------ wide codings
def _job_columns(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [c[len(prefix) :] for c in frame.columns if isinstance(c, str) and c.startswith(prefix)]


def _named(codings: Any, caller: str) -> dict[str, pd.DataFrame]:
    if isinstance(codings, pd.DataFrame):
        raise TypeError(
            f"The 'codings' parameter of {caller} must be a mapping of coder name "
            "to DataFrame or a list of DataFrames (one per coder); got one DataFrame."
        )
    if isinstance(codings, Mapping):
        named = {str(k): v for k, v in codings.items()}
    elif isinstance(codings, Sequence) and not isinstance(codings, str):
        named = {f"coder_{i + 1}": v for i, v in enumerate(codings)}
    else:
        raise TypeError(
            f"The 'codings' parameter of {caller} must be a mapping of coder name "
            f"to DataFrame or a list of DataFrames; got {type(codings).__name__}."
        )
    if len(named) < 2:
        raise ValueError(
            f"The 'codings' parameter of {caller} needs at least two coders; got {len(named)}."
        )
    for name, frame in named.items():
        require_dataframe(frame, parameter=f"codings[{name!r}]", caller=caller)
    return named


@renamed_keywords(id="id_column")
def stack_codings(
    codings: Mapping[str, pd.DataFrame] | Sequence[pd.DataFrame],
    *,
    id_column: str = "comment_id",
    jobs: Sequence[str] | None = None,
    prefix: str = _PREFIX,
    job: str = "job_id",
) -> pd.DataFrame:
    """Turn wide 0/1 codings of several coders into reliability data (one row per unit).

    Parameters
    ----------
    codings : mapping of str to DataFrame, or list of DataFrame
        One frame per coder, keyed by ``id_column``, with 0/1 columns ``<prefix><job_id>``
        (``<NA>`` where the coder did not code the comment). A list names the coders
        ``coder_1``, ``coder_2``, ...
    id_column : str, default "comment_id"
        Key column of the frames.
    jobs : list of str, optional
        Jobs to keep; default the jobs with a column in every frame (others are logged).
    prefix : str, default ``"code_"``
        Prefix of the code columns.
    job : str, default "job_id"
        Name of the job column of the result.

    Returns
    -------
    pandas.DataFrame
        Columns ``id_column``, ``job`` and one nullable-integer (``Int64``) column per coder
        holding 0, 1 or ``<NA>``. One row per (comment, job) coded by at least one coder,
        jobs in the order of ``jobs``, comments in order of first appearance. Comments
        missing from a coder's frame are ``<NA>`` for that coder.

    Raises
    ------
    TypeError
        If ``codings`` is not a mapping or list of DataFrames.
    ValueError
        If fewer than two coders, a frame lacks ``id_column`` or a job column, repeats a comment,
        holds codes other than 0/1, or the coders share no job; or a coder is named like
        the ``id_column`` or ``job`` column.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2"], "code_gain_clarity": [1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c2", "c1"], "code_gain_clarity": [0, 0]})
    >>> stack_codings({"coder_a": a, "coder_b": b})
      comment_id        job_id  coder_a  coder_b
    0         c1  gain_clarity        1        0
    1         c2  gain_clarity        0        0
    """
    caller = "stack_codings"
    named = _named(codings, caller)
    for name in named:
        if name in (id_column, job):
            raise ValueError(
                f"{caller}: coder name {name!r} clashes with the {id_column!r}/{job!r} "
                "columns; rename the coder."
            )
    frames = list(named.items())
    if jobs is None:
        common = _job_columns(frames[0][1], prefix)
        for _, f in frames[1:]:
            have = set(_job_columns(f, prefix))
            common = [j for j in common if j in have]
        every = {j for _, f in frames for j in _job_columns(f, prefix)}
        left_out = sorted(every - set(common))
        if left_out:
            logger.info(
                "%s: jobs not coded by every coder left out: %s", caller, ", ".join(left_out)
            )
        if not common:
            raise ValueError(
                f"{caller}: the coders share no '{prefix}<job_id>' column; each "
                "frame needs one 0/1 column per job."
            )
        jobs = common
    else:
        jobs = check_names(jobs, parameter="jobs", caller=caller, allow_none=False)
    ids: list[Any] = []
    seen: set[Any] = set()
    values: dict[str, pd.DataFrame] = {}
    for name, f in frames:
        where = f"codings[{name!r}]"
        require_columns(f, [id_column] + [f"{prefix}{j}" for j in jobs], name=where, caller=caller)
        if f[id_column].isna().any():
            raise ValueError(f"{caller}: {where} has missing values in {id_column!r}.")
        dup = f[id_column].duplicated(keep=False)
        if dup.any():
            shown = ", ".join(map(repr, pd.unique(f.loc[dup, id_column])[:5].tolist()))
            raise ValueError(f"{caller}: {where} repeats {id_column} {shown}; one row per comment.")
        block = f.set_index(id_column)[[f"{prefix}{j}" for j in jobs]]
        for col in block.columns:
            num = pd.to_numeric(block[col], errors="coerce")
            bad = block[col].notna() & ~num.isin([0, 1])
            if bad.any():
                shown = ", ".join(map(repr, pd.unique(block.loc[bad, col])[:5].tolist()))
                raise ValueError(
                    f"{caller}: {where} column {col!r} must hold 0, 1 or missing; got {shown}."
                )
            block[col] = num.astype("Int64")
        values[name] = block
        for key in f[id_column]:
            if key not in seen:
                seen.add(key)
                ids.append(key)
    index = pd.Index(ids, name=id_column)
    parts = []
    for j in jobs:
        part = pd.DataFrame({id_column: index, job: j})
        for name, block in values.items():
            part[name] = block[f"{prefix}{j}"].reindex(index).to_numpy()
            part[name] = part[name].astype("Int64")
        coded = part[list(values)].notna().any(axis=1)
        parts.append(part[coded.to_numpy()])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[id_column, job])
    return out


def _verdict(alpha: float) -> str:
    if not np.isfinite(alpha):
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    return "tentative" if alpha >= TENTATIVE else "unreliable"


@renamed_keywords(id="id_column")
def agreement_table(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    *,
    id_column: str = "comment_id",
    jobs: Sequence[str] | None = None,
    overall: bool = True,
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Agreement of two coders per job: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Wide 0/1 codings keyed by ``id_column`` with ``code_<job_id>`` columns (e.g. the hand-coded
        columns of ``study.feedback`` and ``study.second_coding``).
    id_column : str, default "comment_id"
        Key column.
    jobs : list of str, optional
        Jobs to compare; default every job both frames code.
    overall : bool, default True
        Add a last row ``job_id == "all_jobs"`` pooling every (comment, job) unit, with the
        bootstrap resampling whole comments.
    ci : float, default 0.95
        Confidence level of the intervals.
    n_boot : int, default 1000
        Bootstrap resamples (0: no intervals).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per job: ``job_id``; ``n`` comments coded by both; ``positive_a``,
        ``positive_b`` comments each coder coded 1 (prevalence drives kappa);
        ``agreement`` (0-1) with ``agreement_ci_low``/``agreement_ci_high``; ``kappa`` with
        ``kappa_ci_low``/``kappa_ci_high``; ``alpha`` (nominal Krippendorff's alpha) with
        ``alpha_ci_low``/``alpha_ci_high``; ``verdict`` from alpha following Krippendorff
        (2004): ``"reliable"`` (>= .800), ``"tentative"`` (.667-.800), ``"unreliable"``,
        or ``"undefined"`` when a job has no variation.

    Raises
    ------
    TypeError, ValueError
        As :func:`stack_codings` (bad frames or codes) and the statistic functions.

    Notes
    -----
    Only comments coded by both coders count (listwise). Kappa and alpha of two coders
    differ only in how chance agreement is estimated (each coder's own marginals for kappa,
    pooled marginals for alpha) and in alpha's small-sample correction; a job with few
    positive codes gives wide intervals whatever its percent agreement.

    References
    ----------
    .. [1] Cohen, J. (1960). *Educational and Psychological Measurement*, 20(1), 37-46.
    .. [2] Krippendorff, K. (2004). *Content Analysis* (2nd ed.). Sage, pp. 241-243.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"], "code_feel_heard": [1, 0, 1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"], "code_feel_heard": [1, 0, 0, 0]})
    >>> t = agreement_table(a, b, n_boot=0, overall=False)
    >>> t[["job_id", "n", "agreement", "kappa"]]
           job_id  n  agreement  kappa
    0  feel_heard  4       0.75    0.5
    """
    caller = "agreement_table"
    n_boot, ci = _check_boot(n_boot, ci, caller)
    long = stack_codings({"coder_a": coding_a, "coder_b": coding_b}, id_column=id_column, jobs=jobs)
    both = long[long["coder_a"].notna() & long["coder_b"].notna()]
    kw = {"id_column": id_column, "ci": ci, "n_boot": n_boot, "random_state": random_state}
    job_order = list(dict.fromkeys(long["job_id"]))
    if jobs is not None:
        job_order = list(jobs)
    tables = []
    for by in ["job_id"] + ([None] if overall else []):
        agree = percent_agreement(both, coders=["coder_a", "coder_b"], by=by, **kw)
        kappa = cohen_kappa(both, by=by, **kw)
        alpha = krippendorff_alpha(both, coders=["coder_a", "coder_b"], by=by, **kw)
        if by is None:
            for t in (agree, kappa, alpha):
                t.insert(0, "job_id", _ALL)
            pos = pd.DataFrame(
                {
                    "job_id": [_ALL],
                    "positive_a": [int(both["coder_a"].sum())],
                    "positive_b": [int(both["coder_b"].sum())],
                }
            )
        else:
            pos = (
                both.groupby("job_id", sort=False)[["coder_a", "coder_b"]]
                .sum()
                .rename(columns={"coder_a": "positive_a", "coder_b": "positive_b"})
                .reset_index()
            )
        t = (
            agree[["job_id", "n", "agreement", "ci_low", "ci_high"]]
            .rename(columns={"ci_low": "agreement_ci_low", "ci_high": "agreement_ci_high"})
            .merge(pos, on="job_id", how="left")
            .merge(
                kappa[["job_id", "kappa", "ci_low", "ci_high"]].rename(
                    columns={"ci_low": "kappa_ci_low", "ci_high": "kappa_ci_high"}
                ),
                on="job_id",
                how="left",
            )
            .merge(
                alpha[["job_id", "alpha", "ci_low", "ci_high"]].rename(
                    columns={"ci_low": "alpha_ci_low", "ci_high": "alpha_ci_high"}
                ),
                on="job_id",
                how="left",
            )
        )
        if by is not None:
            # jobs nobody coded on a shared comment still get a row, with n = 0
            t = t.set_index("job_id").reindex(job_order).reset_index()
        tables.append(t)
    out = pd.concat(tables, ignore_index=True)
    out["n"] = out["n"].fillna(0).astype("int64")
    for c in ("positive_a", "positive_b"):
        out[c] = out[c].fillna(0).astype("int64")
    out["verdict"] = out["alpha"].map(_verdict)
    return out[
        [
            "job_id",
            "n",
            "positive_a",
            "positive_b",
            "agreement",
            "agreement_ci_low",
            "agreement_ci_high",
            "kappa",
            "kappa_ci_low",
            "kappa_ci_high",
            "alpha",
            "alpha_ci_low",
            "alpha_ci_high",
            "verdict",
        ]
    ]


@renamed_keywords(id="id_column")
def disagreements(
    coding_a: pd.DataFrame,
    coding_b: pd.DataFrame,
    *,
    id_column: str = "comment_id",
    jobs: Sequence[str] | None = None,
    names: tuple[str, str] = ("coder_a", "coder_b"),
    texts: pd.DataFrame | None = None,
    text: str = "comment",
    redact: Callable[[pd.Series], pd.Series] | None = None,
) -> pd.DataFrame:
    """The (comment, job) pairs on which two coders differ, for them to resolve.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Wide 0/1 codings keyed by ``id_column`` with ``code_<job_id>`` columns.
    id_column : str, default "comment_id"
        Key column.
    jobs : list of str, optional
        Jobs to compare; default every job both frames code.
    names : tuple of two str, default ("coder_a", "coder_b")
        Column names of the two coders' codes in the result.
    texts : pandas.DataFrame, optional
        Frame with ``id_column`` and ``text`` columns (e.g. ``study.feedback``); adds the comment.
    text : str, default "comment"
        Text column of ``texts``.
    redact : callable, optional
        Applied to the text column before it is returned, e.g. ``privacy.redact``; pass it
        whenever the table leaves the coding team.

    Returns
    -------
    pandas.DataFrame
        One row per disagreement, ordered by job then comment: ``id_column``, ``job_id``, the two
        coders' codes (``Int64``) and, when ``texts`` is given, ``text``. Empty (same
        columns) when the coders agree everywhere.

    Raises
    ------
    TypeError, ValueError
        As :func:`stack_codings`; also when ``names`` is not two distinct names, ``texts``
        lacks a column or repeats a comment, or ``redact`` is not callable.

    Examples
    --------
    >>> a = pd.DataFrame({"comment_id": ["c1", "c2"], "code_feel_heard": [1, 0]})
    >>> b = pd.DataFrame({"comment_id": ["c1", "c2"], "code_feel_heard": [0, 0]})
    >>> disagreements(a, b)
      comment_id      job_id  coder_a  coder_b
    0         c1  feel_heard        1        0
    """
    caller = "disagreements"
    if (
        not isinstance(names, (tuple, list))
        or len(names) != 2
        or names[0] == names[1]
        or not all(isinstance(n, str) for n in names)
    ):
        raise ValueError(
            f"The 'names' parameter of {caller} must be two distinct column names; got {names!r}."
        )
    if redact is not None and not callable(redact):
        raise TypeError(
            f"The 'redact' parameter of {caller} must be callable or None; got "
            f"{type(redact).__name__}."
        )
    long = stack_codings({names[0]: coding_a, names[1]: coding_b}, id_column=id_column, jobs=jobs)
    a, b = long[names[0]], long[names[1]]
    out = long[(a.notna() & b.notna() & (a != b)).fillna(False).to_numpy()].reset_index(drop=True)
    if texts is not None:
        require_columns(texts, [id_column, text], name="texts", caller=caller)
        if texts[id_column].duplicated().any():
            raise ValueError(
                f"{caller}: 'texts' repeats values of {id_column!r}; one row per comment."
            )
        lookup = texts.set_index(id_column)[text]
        values = out[id_column].map(lookup).fillna("").astype(str)
        if redact is not None:
            values = pd.Series(redact(values), index=out.index)
        out[text] = values
    return out
