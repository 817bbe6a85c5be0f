"""The human review loop: a coding sheet for reviewers, and its re-import as hand coding.

The deductive coder suggests jobs with evidence; people decide. :func:`review_sheet` lays
out, for a sample of comments, the (redacted) comment, the suggested jobs with the words that
triggered them, and one 0/1 column per job pre-filled with the suggestion. Reviewers correct
the 0/1 cells in Excel (or LibreOffice) and the corrected file comes back through
:func:`read_review_sheet` as a hand-coded sample (``comment_id`` + ``code_<job_id>``), ready
for :mod:`jtbd_methods.reliability` and for training :class:`~jtbd_methods.coding.TextCoder`.

Text from patients is redacted of identifiers and neutralised against formula injection
before it reaches the spreadsheet (:func:`jtbd_methods.privacy.safe_to_excel`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import check_int, require_columns, require_dataframe
from jtbd_methods.codebook import Codebook
from jtbd_methods.errors import Problem, StudyValidationError
from jtbd_methods.lexicon import non_answers

__all__ = [
    "export_review_sheet",
    "read_review_sheet",
    "review_sheet",
    "validation_sample",
    "validation_sample_size",
]

_SHEET = "coding"
_INSTRUCTIONS = (
    "Read each comment. For every job, put 1 if the comment is evidence of that job "
    "(whether the job was disrupted or fulfilled) and 0 if it is not. The suggested jobs and "
    "the words that triggered them come from the automatic coder: correct them freely. "
    "Leave a row's job cells all empty to skip the comment. Do not edit comment_id."
)


@renamed_keywords(id="id_column")
def review_sheet(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    codebook: Codebook,
    *,
    comment_ids: Any = None,
    n: int | None = 200,
    random_state: int = 0,
    redact: Any = None,
    text: str = "comment",
    id_column: str = "comment_id",
) -> pd.DataFrame:
    """A coding sheet: comments, suggested jobs with evidence, and 0/1 cells to correct.

    Parameters
    ----------
    feedback : DataFrame
        The comments (not modified).
    codes : DataFrame
        Long table of :func:`jtbd_methods.coding.code_comments`.
    codebook : Codebook
        Its jobs become the ``code_<job_id>`` columns, in codebook order.
    comment_ids : sequence, optional
        Comments to review; by default a random sample of ``n`` non-empty comments.
    n : int or None, default 200
        Sample size when ``comment_ids`` is not given (``None``: every comment).
    random_state : int, default 0
        Seed of the sample.
    redact : None, callable or Study
        Identifier redaction of the comment text: a function of a Series, or a Study whose
        settings are applied (:func:`jtbd_methods.privacy.redact_for_study`). Pass one
        whenever the sheet leaves the research team.
    text, id_column : str
        Columns of ``feedback``.

    Returns
    -------
    DataFrame
        One row per comment: ``comment_id``, ``comment``, ``suggested_jobs`` (``;``-separated
        job ids), ``evidence`` (``job_id: "matched words" (polarity)`` per suggestion), one
        ``code_<job_id>`` column per job (1 where suggested, else 0) and an empty
        ``reviewer_note``.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "d", "jobs": [{"id": "gain_clarity", "label": "Clarity"}]})
    >>> fb = pd.DataFrame({"comment_id": ["a", "b"], "comment": ["No one explained", "Easy parking"]})
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"], "polarity": ["disrupted"],
    ...                       "phrase": ["no one explained"], "start": [0], "end": [16]})
    >>> review_sheet(fb, codes, cb, n=None)[["comment_id", "suggested_jobs", "code_gain_clarity"]]
      comment_id suggested_jobs  code_gain_clarity
    0          a   gain_clarity                  1
    1          b                                 0
    """
    id = id_column  # the body reads the id column as `id`
    caller = "review_sheet"
    require_columns(feedback, [id, text], name="feedback", caller=caller)
    require_columns(
        codes, ["comment_id", "job_id", "polarity", "start", "end"], name="codes", caller=caller
    )
    if not isinstance(codebook, Codebook):
        raise TypeError(
            f"The 'codebook' parameter of {caller} must be a Codebook; got {type(codebook).__name__}."
        )
    base = feedback[[id, text]].rename(columns={id: "comment_id", text: "comment"})
    base = base.assign(comment=base["comment"].fillna("").astype(str))
    if comment_ids is not None:
        wanted = pd.Index(pd.Series(list(comment_ids)).astype(str))
        unknown = wanted.difference(base["comment_id"].astype(str))
        if len(unknown):
            raise ValueError(
                f"{caller}: comment ids not in feedback: {', '.join(map(str, unknown[:5]))}"
            )
        base = base.set_index(base["comment_id"].astype(str)).loc[wanted].reset_index(drop=True)
    else:
        base = base[~non_answers(base["comment"])]  # blanks and "nothing" need no review
        if n is not None:
            n = check_int(n, parameter="n", caller=caller, minimum=1)
            if n < len(base):
                rng = np.random.default_rng(random_state)
                base = base.iloc[np.sort(rng.choice(len(base), size=n, replace=False))]
        base = base.reset_index(drop=True)
    texts = dict(zip(base["comment_id"].astype(str), base["comment"], strict=True))
    mine = codes[codes["comment_id"].astype(str).isin(texts)].copy()
    mine["comment_id"] = mine["comment_id"].astype(str)
    prob = mine["probability"] if "probability" in mine else pd.Series(np.nan, index=mine.index)
    mine["evidence"] = [
        f'{job}: "{texts[c][int(s) : int(e)]}" ({pol})'
        if s >= 0
        else f"{job}: model, probability {p:.2f} ({pol})"
        for c, job, pol, s, e, p in zip(
            mine["comment_id"],
            mine["job_id"],
            mine["polarity"],
            mine["start"],
            mine["end"],
            prob,
            strict=True,
        )
    ]
    grouped = mine.groupby("comment_id", sort=False)
    suggested = grouped["job_id"].agg(lambda v: ";".join(map(str, v)))
    evidence = grouped["evidence"].agg(lambda v: "; ".join(map(str, v)))
    out = pd.DataFrame({"comment_id": base["comment_id"].astype(str), "comment": base["comment"]})
    out["suggested_jobs"] = [suggested.get(c, "") for c in out["comment_id"]]
    out["evidence"] = [evidence.get(c, "") for c in out["comment_id"]]
    hits = set(zip(mine["comment_id"], mine["job_id"], strict=True))
    for job in codebook.job_ids:
        out[f"code_{job}"] = [int((c, job) in hits) for c in out["comment_id"]]
    out["reviewer_note"] = ""
    if redact is not None:
        from jtbd_methods import privacy

        if callable(redact):
            out["comment"] = redact(out["comment"])
            out["evidence"] = redact(out["evidence"])
        else:
            out["comment"] = privacy.redact_for_study(out["comment"], redact)[0]
            out["evidence"] = privacy.redact_for_study(out["evidence"], redact)[0]
    return out


def validation_sample_size(
    n_coded: int, *, margin: float = 0.10, level: float = 0.95, proportion: float = 0.5
) -> int:
    """Comments to review so that a job's precision is estimated to within ``margin``.

    Parameters
    ----------
    n_coded : int
        Comments coded with the job (the population sampled from).
    margin : float, default 0.10
        Half-width of the confidence interval wanted (0.10: plus or minus 10 points).
    level : float, default 0.95
        Confidence level.
    proportion : float, default 0.5
        Expected precision; 0.5 is the worst case (largest sample).

    Returns
    -------
    int
        ``min(n_coded, ceil(n0 / (1 + (n0 - 1) / n_coded)))`` with
        ``n0 = z^2 p (1 - p) / margin^2``.

    Notes
    -----
    Cochran's sample size for a proportion with the finite population correction [1]_:
    ``n0`` = 96.04 for z = 1.96, p = 0.5 and a margin of 0.10, so 96 comments for a job coded
    10,000 times, 59 for one coded 150 times and 29 of a job coded 40 times.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. Eqs. 4.2 and 4.4.

    Examples
    --------
    >>> validation_sample_size(10_000), validation_sample_size(150), validation_sample_size(40)
    (96, 59, 29)
    """
    from scipy.stats import norm

    n_coded = check_int(n_coded, parameter="n_coded", caller="validation_sample_size", minimum=0)
    if n_coded == 0:
        return 0
    z = float(norm.ppf(0.5 + level / 2))
    n0 = z**2 * proportion * (1 - proportion) / margin**2
    return int(min(n_coded, np.ceil(n0 / (1 + (n0 - 1) / n_coded))))


@renamed_keywords(id="id_column")
def validation_sample(
    feedback: pd.DataFrame,
    codes: pd.DataFrame,
    codebook: Codebook,
    *,
    margin: float = 0.10,
    level: float = 0.95,
    n_uncoded: int = 100,
    random_state: int = 0,
    text: str = "comment",
    id_column: str = "comment_id",
) -> pd.Series:
    """Comments to hand-check: a sample per job sized for its precision, plus uncoded ones.

    Parameters
    ----------
    feedback, codes, codebook
        The comments, their codes (any source) and the codebook.
    margin, level : float
        Precision wanted per job: the interval half-width and its confidence level (see
        :func:`validation_sample_size`).
    n_uncoded : int, default 100
        Substantive comments without any code added to the sample, so that reviewers can
        find what the coding missed (recall).
    random_state : int, default 0
        Seed.
    text, id_column : str
        Columns of ``feedback``.

    Returns
    -------
    pandas.Series
        Comment ids, sorted in feedback order, without duplicates (a comment drawn for two
        jobs serves both). Non-answers are never drawn.

    Notes
    -----
    Stratified sampling by job: each job's stratum is the comments coded with it, and its
    sample is drawn at random within the stratum with the size of
    :func:`validation_sample_size`, so that every job's precision, not only the common
    jobs', can be estimated once the sheet is reviewed.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "d", "jobs": [{"id": "a", "label": "A"}]})
    >>> fb = pd.DataFrame({"comment_id": [str(i) for i in range(300)],
    ...                    "comment": ["they explained it"] * 300})
    >>> codes = pd.DataFrame({"comment_id": fb["comment_id"][:200], "job_id": "a"})
    >>> len(validation_sample(fb, codes, cb, n_uncoded=10))  # 66 for job a, 10 uncoded
    76
    """
    id = id_column  # the body reads the id column as `id`
    caller = "validation_sample"
    require_columns(feedback, [id, text], name="feedback", caller=caller)
    require_columns(codes, ["comment_id", "job_id"], name="codes", caller=caller)
    rng = np.random.default_rng(random_state)
    ids = feedback[id].astype(str)
    substantive = ~non_answers(feedback[text])
    eligible = set(ids[substantive])
    coded = codes[codes["comment_id"].astype(str).isin(eligible)]
    chosen: set[str] = set()
    for job in codebook.job_ids:
        pool = np.array(sorted(set(coded.loc[coded["job_id"] == job, "comment_id"].astype(str))))
        size = validation_sample_size(len(pool), margin=margin, level=level)
        if size:
            chosen.update(rng.choice(pool, size=size, replace=False).tolist())
    uncoded = np.array(sorted(eligible - set(coded["comment_id"].astype(str))))
    if n_uncoded and uncoded.size:
        chosen.update(rng.choice(uncoded, size=min(n_uncoded, uncoded.size), replace=False))
    return ids[ids.isin(chosen)].reset_index(drop=True)


def export_review_sheet(sheet: pd.DataFrame, path: str | Path, *, codebook: Codebook) -> Path:
    """Write a coding sheet to XLSX for reviewers, with the codebook and instructions.

    Sheets: ``coding`` (the sheet), ``codebook`` (job id, label, statement) and
    ``instructions``. Every text cell is neutralised against formula injection and the file
    is written atomically (:func:`jtbd_methods.privacy.safe_to_excel`).

    Returns
    -------
    pathlib.Path
    """
    from jtbd_methods import privacy

    require_dataframe(sheet, parameter="sheet", caller="export_review_sheet")
    require_columns(sheet, ["comment_id"], name="sheet", caller="export_review_sheet")
    jobs = codebook.jobs_frame()[["job_id", "label", "statement"]]
    instructions = pd.DataFrame({"instructions": [_INSTRUCTIONS]})
    return privacy.safe_to_excel(
        {_SHEET: sheet, "codebook": jobs, "instructions": instructions}, path, index=False
    )


def read_review_sheet(path: str | Path, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Re-import a reviewed coding sheet as a hand-coded sample.

    Parameters
    ----------
    path : str or Path
        The XLSX written by :func:`export_review_sheet` and corrected by reviewers.
    codebook : Codebook, optional
        When given, every ``code_<job_id>`` column must name one of its jobs.

    Returns
    -------
    DataFrame
        ``comment_id`` and one ``code_<job_id>`` column (int64 0/1) per job, for the rows
        whose job cells were filled; rows left all empty are skipped. Same shape as
        :meth:`jtbd_methods.study.Study.hand_coded` minus the comment text.

    Raises
    ------
    StudyValidationError
        Listing every problem: missing sheet or columns, empty or duplicated comment ids,
        cells that are not 0 or 1, rows only partly filled, unknown jobs; each names the
        file, the spreadsheet row, the column and the value.
    """
    path = Path(path)
    name = path.name
    try:
        raw = pd.read_excel(path, sheet_name=_SHEET, dtype=object, engine="openpyxl")
    except FileNotFoundError:
        raise StudyValidationError(
            [Problem(name, None, None, None, "an existing coding sheet (.xlsx)")]
        ) from None
    except ValueError as exc:
        raise StudyValidationError(
            [Problem(name, None, None, None, f"a workbook with a sheet named '{_SHEET}' ({exc})")]
        ) from exc
    except Exception as exc:  # zip/openpyxl errors for files that are not XLSX
        raise StudyValidationError(
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"an .xlsx workbook written by export_review_sheet ({type(exc).__name__})",
                )
            ]
        ) from exc
    problems: list[Problem] = []
    where = f"{name} [{_SHEET}]"
    code_cols = [c for c in raw.columns if isinstance(c, str) and c.startswith("code_")]
    if "comment_id" not in raw.columns:
        problems.append(Problem(where, 1, "comment_id", None, "a column named 'comment_id'"))
    if not code_cols:
        problems.append(
            Problem(where, 1, "code_<job_id>", None, "one code_<job_id> column per job")
        )
    if codebook is not None:
        for c in code_cols:
            if c[len("code_") :] not in codebook.job_ids:
                problems.append(
                    Problem(
                        where, 1, c, c, f"a job of the codebook ({', '.join(codebook.job_ids)})"
                    )
                )
    if problems:
        raise StudyValidationError(problems, study=str(path))
    ids = raw["comment_id"].map(lambda v: "" if pd.isna(v) else str(v).strip().lstrip("'"))
    values = raw[code_cols].apply(lambda s: pd.to_numeric(s, errors="coerce"))
    filled = raw[code_cols].notna()
    bad = filled & ~values.isin([0, 1])
    for c in code_cols:
        rows = tuple(int(i) + 2 for i in np.flatnonzero(bad[c].to_numpy()))
        if rows:
            problems.append(
                Problem(
                    where,
                    rows[0],
                    c,
                    str(raw[c].iloc[rows[0] - 2]),
                    "0 or 1",
                    rows=rows if len(rows) > 1 else (),
                )
            )
    partial = filled.any(axis=1) & ~filled.all(axis=1)
    rows = tuple(int(i) + 2 for i in np.flatnonzero(partial.to_numpy()))
    if rows:
        problems.append(
            Problem(
                where,
                rows[0],
                None,
                None,
                "every job cell of a reviewed row filled with 0 or 1 (or all left empty to skip it)",
                rows=rows if len(rows) > 1 else (),
            )
        )
    used = filled.any(axis=1)
    empty_id = (ids == "") & used
    rows = tuple(int(i) + 2 for i in np.flatnonzero(empty_id.to_numpy()))
    if rows:
        problems.append(
            Problem(
                where,
                rows[0],
                "comment_id",
                "",
                "the comment's id; the cell is empty",
                rows=rows if len(rows) > 1 else (),
            )
        )
    dup = ids.duplicated(keep=False) & used & (ids != "")
    rows = tuple(int(i) + 2 for i in np.flatnonzero(dup.to_numpy()))
    if rows:
        problems.append(
            Problem(
                where,
                rows[0],
                "comment_id",
                ids.iloc[rows[0] - 2],
                "each comment once",
                rows=rows if len(rows) > 1 else (),
            )
        )
    if problems:
        raise StudyValidationError(problems, study=str(path))
    out = pd.DataFrame({"comment_id": ids[used].to_numpy()})
    for c in code_cols:
        out[c] = values.loc[used, c].astype("int64").to_numpy()
    return out
