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

from jtbd_methods._validation import check_int, require_columns, require_dataframe
from jtbd_methods.codebook import Codebook
from jtbd_methods.errors import Problem, StudyValidationError

__all__ = ["export_review_sheet", "read_review_sheet", "review_sheet"]

_SHEET = "coding"
_INSTRUCTIONS = (
    "Read each comment. For every job, put 1 if the comment is evidence of that job "
    "(whether the job was disrupted or fulfilled) and 0 if it is not. The suggested jobs and "
    "the words that triggered them come from the automatic coder: correct them freely. "
    "Leave a row's job cells all empty to skip the comment. Do not edit comment_id."
)


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
    id: str = "comment_id",
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
    text, id : str
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
    >>> fb = pd.DataFrame({"comment_id": ["a", "b"], "comment": ["No one explained", "Fine"]})
    >>> codes = pd.DataFrame({"comment_id": ["a"], "job_id": ["gain_clarity"], "polarity": ["disrupted"],
    ...                       "phrase": ["no one explained"], "start": [0], "end": [16]})
    >>> review_sheet(fb, codes, cb, n=None)[["comment_id", "suggested_jobs", "code_gain_clarity"]]
      comment_id suggested_jobs  code_gain_clarity
    0          a   gain_clarity                  1
    1          b                                 0
    """
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
        base = base[base["comment"].str.strip() != ""]
        if n is not None:
            n = check_int(n, parameter="n", caller=caller, minimum=1)
            if n < len(base):
                rng = np.random.default_rng(random_state)
                base = base.iloc[np.sort(rng.choice(len(base), size=n, replace=False))]
        base = base.reset_index(drop=True)
    texts = dict(zip(base["comment_id"].astype(str), base["comment"], strict=True))
    mine = codes[codes["comment_id"].astype(str).isin(texts)].copy()
    mine["comment_id"] = mine["comment_id"].astype(str)
    mine["evidence"] = [
        f'{job}: "{texts[c][int(s) : int(e)]}" ({pol})'
        for c, job, pol, s, e in zip(
            mine["comment_id"],
            mine["job_id"],
            mine["polarity"],
            mine["start"],
            mine["end"],
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
