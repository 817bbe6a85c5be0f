"""The entry points: :func:`validate` a study folder, :func:`load_study` it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from jtbd_methods._io import is_inside
from jtbd_methods.codebook import Codebook, CodebookError, load_codebook
from jtbd_methods.errors import Problem, StudyValidationError
from jtbd_methods.study.config import _read_config
from jtbd_methods.study.model import _REQUIRED, DATA_FILES, Study, ValidationReport
from jtbd_methods.study.reading import _Collector, _find_data_files, _read_table, _require, _show
from jtbd_methods.study.schema import (
    _actions,
    _contract,
    _feedback,
    _second,
    _staff,
    _survey,
)

__all__ = ["iter_problem_lines", "load_study", "validate"]

log = logging.getLogger(__name__)


def _check_present_columns(
    name: str,
    raw: pd.DataFrame,
    out: _Collector,
    job_ids: set[str] | None,
    outcome_ids: set[str] | None,
) -> None:
    """Check the columns a file has when required ones are missing, so that every problem
    is reported at once (a bad date in row 8 as well as a renamed column)."""
    missing = [c for c in _REQUIRED[name] if c not in raw.columns]
    probe = _Collector(out.file, date_format=out.date_format)
    filled = raw.assign(**{c: "" for c in missing})
    try:
        if name == "feedback":
            _feedback(filled, probe, job_ids)
        elif name == "survey":
            _survey(filled, probe, outcome_ids)
        elif name == "staff":
            _staff(filled, probe)
        elif name == "actions":
            _actions(filled, probe, job_ids, None)
        else:
            _second(filled, probe, job_ids, None)
    except (KeyError, ValueError, TypeError):  # pragma: no cover - a check needing the column
        log.debug("partial check of %s stopped", out.file, exc_info=True)
    out.problems += [p for p in probe.problems if p.column not in missing]


def validate(path: str | Path) -> ValidationReport:
    """Check a study folder and report every problem at once.

    Parameters
    ----------
    path : str or Path
        The study folder.

    Returns
    -------
    ValidationReport
        ``problems`` (errors and warnings, each with file, 1-based spreadsheet row, column,
        value and what was expected) and ``study`` (the loaded :class:`Study` when there are
        no errors, else ``None``).

    Notes
    -----
    Checks: ``study.yaml`` present, valid YAML, with name, organisation and period; the
    codebook valid; at least one data file; per file: not empty, not binary, known
    encoding, comma-delimited, well-formed, has data rows, required columns present (with a
    "misspelled?" hint), ids present and unique, dates parseable in one format per file and
    not in the future, ratings and Likert items whole numbers from 1 to 5, engagement from
    0 to 10, job ids of actions and hand codes known to the codebook, comments at most
    :data:`MAX_COMMENT_CHARS` characters. Warnings (not errors): dates outside the study
    period, survey items for outcomes not in the codebook, pilot sites absent from
    ``feedback.csv``, unknown keys in ``study.yaml``.

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> report = validate(checkout_sample_study())
    >>> report.ok, len(report.errors), report.study.feedback.shape[0] > 0
    (True, 0, True)
    """
    root = Path(path)
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(str(root), None, None, None, "an existing study folder"))
        return ValidationReport(tuple(problems), None)
    cfg_out = _Collector("study.yaml")
    if (root / "study.yaml").exists() and not is_inside(root / "study.yaml", root):
        cfg_out.add(
            "a study.yaml inside the study folder; this one is a link to a file outside it"
        )
        cfg_data, config = None, None
    else:
        cfg_data, config = _read_config(root / "study.yaml", cfg_out)
    files_out = _Collector(str(root.name))
    sheets = cfg_data.get("sheets") if isinstance(cfg_data, dict) else None
    found = _find_data_files(root, sheets, files_out, config_out=cfg_out)
    problems += cfg_out.problems + files_out.problems

    codebook: Codebook | None = None
    if config is not None and config.codebook is not None:
        try:
            codebook = load_codebook(config.codebook)
        except CodebookError as exc:
            for msg in exc.problems:
                problems.append(Problem(config.codebook.name, None, None, None, msg))
    if codebook is not None:
        parents = {job.parent for job in codebook.jobs if job.parent}
        for job in codebook.jobs:
            if not job.indicators and job.id not in parents:
                # notebook 01 finds jobs in comments by their indicator phrases
                problems.append(
                    Problem(
                        config.codebook.name,
                        None,
                        "indicators",
                        job.id,
                        "at least one indicator phrase for every job that has no sub-jobs "
                        "(comments are coded by them)",
                    )
                )
    job_ids = set(codebook.job_ids) if codebook is not None else None
    outcome_ids = set(codebook.outcome_ids) if codebook is not None and codebook.outcomes else None

    files = {name: file for name, (file, _sheet) in found.items()}
    for name, file in list(files.items()):
        if not is_inside(file, root):
            problems.append(
                Problem(
                    file.name,
                    None,
                    None,
                    None,
                    "a file inside the study folder; this one is a link to a file outside it "
                    "(copy the file into the study folder)",
                )
            )
            del files[name]
    if not set(files) - {"second_coding"}:
        problems.append(
            Problem(
                str(root.name),
                None,
                None,
                None,
                "at least one data file: feedback, survey, staff or actions (.csv or .xlsx)",
            )
        )
    tables: dict[str, pd.DataFrame] = {}
    order = ["feedback", "survey", "staff", "actions", "second_coding"]
    for name in order:
        if name not in files:
            continue
        out = _Collector(
            files[name].name, date_format=config.date_format if config is not None else None
        )
        raw = _read_table(files[name], out, sheet=found[name][1])
        if raw is not None and not _require(raw, name, out):
            _check_present_columns(name, raw, out, job_ids, outcome_ids)
        elif raw is not None:
            if name == "feedback":
                tables[name] = _feedback(raw, out, job_ids)
            elif name == "survey":
                tables[name] = _survey(raw, out, outcome_ids)
            elif name == "staff":
                tables[name] = _staff(raw, out)
            elif name == "actions":
                sites = set(tables["feedback"]["site"]) if "feedback" in tables else None
                tables[name] = _actions(raw, out, job_ids, sites)
            else:
                ids = set(tables["feedback"]["comment_id"]) if "feedback" in tables else None
                tables[name] = _second(raw, out, job_ids, ids)
            if config is not None and name in ("feedback", "actions"):
                col = "received" if name == "feedback" else "started"
                d = tables[name][col]
                outside = (
                    (d < config.period_start) | (d > config.period_end + pd.Timedelta(days=1))
                ).to_numpy()
                out.rows(
                    outside,
                    raw[col],
                    column=col,
                    severity="warning",
                    expected=f"a date in the study period {config.period_start.date()} to {config.period_end.date()} (kept)",
                )
        problems += out.problems
    if config is not None and "feedback" in tables and "question" in tables["feedback"]:
        asked = tables["feedback"]["question"].fillna("").astype(str).str.strip()
        allowed = set(config.questions) or {"positive", "negative", "neutral"}
        unmapped = sorted(set(asked[asked != ""]) - allowed)
        if unmapped:
            shown = ", ".join(repr(q[:40]) for q in unmapped[:3])
            problems.append(
                Problem(
                    DATA_FILES["feedback"],
                    None,
                    "question",
                    None,
                    f"each question mapped in study.yaml 'questions:' to positive, negative or "
                    f"neutral; not mapped: {shown} (their comments get no prior)",
                    severity="warning",
                )
            )
    if (
        "second_coding" in tables
        and "feedback" in tables
        and not any(c.startswith("code_") for c in tables["feedback"].columns)
    ):
        problems.append(
            Problem(
                "second_coding.csv",
                None,
                None,
                None,
                "a first coder's code_<job_id> columns in feedback.csv to compare with",
                severity="warning",
            )
        )
    if any(p.severity == "error" for p in problems) or config is None:
        return ValidationReport(tuple(problems), None)
    for name, df in tables.items():
        try:
            tables[name] = _contract(name, df)
        except pa.errors.SchemaErrors as exc:  # pragma: no cover - guards our own typing code
            for _, fc in exc.failure_cases.head(20).iterrows():
                idx = fc.get("index")
                problems.append(
                    Problem(
                        DATA_FILES[name],
                        int(idx) + 2 if pd.notna(idx) else None,
                        str(fc.get("column")),
                        _show(fc.get("failure_case")),
                        str(fc.get("check")),
                    )
                )
            return ValidationReport(tuple(problems), None)
    study = Study(
        path=root.resolve(),
        config=config,
        codebook=codebook,
        files={
            **{n: p.resolve() for n, p in files.items()},
            "study": (root / "study.yaml").resolve(),
            **({"codebook": config.codebook} if config.codebook else {}),
        },
        warnings=tuple(p for p in problems if p.severity == "warning"),
        **tables,
    )
    return ValidationReport(tuple(problems), study)


def load_study(path: str | Path) -> Study:
    """Load a study folder into typed, validated tables.

    Parameters
    ----------
    path : str or Path
        The study folder (``study.yaml`` plus data files).

    Returns
    -------
    Study

    Raises
    ------
    StudyValidationError
        When the folder has any error; ``.problems`` lists every one (run ``jtbd validate``
        for the table). Warnings are logged and kept in ``Study.warnings``.

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> study = load_study(checkout_sample_study())
    >>> study.feedback.dtypes["rating"]
    Int64Dtype()
    """
    report = validate(path)
    if report.study is None:
        raise StudyValidationError(list(report.errors), study=str(path))
    for w in report.warnings:
        log.warning("%s", w.message())
    return report.study


def iter_problem_lines(problems: Iterable[Problem]) -> Iterable[str]:
    """One line per problem, for logs and the CLI."""
    for p in problems:
        yield f"{p.severity}: {p.message()}"
