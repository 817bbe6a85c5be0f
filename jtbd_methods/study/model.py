"""The study's objects: :class:`StudyConfig`, :class:`Study`, :class:`ValidationReport`.

Also the contract's constants: the data files (:data:`DATA_FILES`), their required and
known columns, the keys of ``study.yaml`` and the longest comment accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods.codebook import Codebook
from jtbd_methods.errors import Problem

__all__ = ["DATA_FILES", "MAX_COMMENT_CHARS", "Study", "StudyConfig", "ValidationReport"]

#: Data files of the study-folder contract, by short name.
DATA_FILES: dict[str, str] = {
    "feedback": "feedback.csv",
    "survey": "survey.csv",
    "staff": "staff.csv",
    "actions": "actions.csv",
    "second_coding": "second_coding.csv",
}
#: Longest comment accepted; longer text is almost always a pasting or export error.
MAX_COMMENT_CHARS = 20_000

_REQUIRED: dict[str, tuple[str, ...]] = {
    "feedback": ("comment_id", "received", "site", "service", "comment"),
    "survey": ("respondent_id", "wave", "diagnosis_group", "overall_satisfaction"),
    "staff": ("unit", "period", "engagement", "respondents"),
    "actions": ("action_id", "job_id", "description", "owner", "started", "status"),
    "second_coding": ("comment_id",),
}
#: Optional columns each file may have (not suggested as a misspelling of a missing one).
_KNOWN: dict[str, tuple[str, ...]] = {
    "feedback": ("rating", "question", "codes"),
    "survey": ("site",),
    "staff": (),
    "actions": ("sites",),
    "second_coding": (),
}
_CONFIG_KEYS = {
    "name",
    "organisation",
    "period",
    "min_cell_size",
    "codebook",
    "redact",
    "redact_names",
    "redact_unlisted_names",
    "date_format",
    "description",
    "report",
    "questions",
    "sheets",
}
_LIKERT = "a whole number from 1 to 5 (or empty)"


def _split_codes(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


@dataclass(frozen=True)
class StudyConfig:
    """The parsed ``study.yaml``.

    Attributes
    ----------
    name, organisation : str
        Shown on every report's title block.
    period_start, period_end : pandas.Timestamp
        The study period; data outside it are kept and flagged as warnings.
    min_cell_size : int
        Groups with fewer responses are suppressed in every breakdown (default 10).
    codebook : pathlib.Path or None
        Absolute path of the codebook file.
    redact : bool
        Redact identifiers from quotes (default True).
    redact_names : tuple of str
        Extra names (staff, patients) to redact.
    questions : dict
        The prompts of the optional ``question`` column of ``feedback.csv``, each mapped to
        ``positive`` ("What did we do well?"), ``negative`` ("What could we improve?") or
        ``neutral``: a prior for the polarity of what a comment says.
    redact_unlisted_names : bool
        Also redact person names no list holds (default True; see
        :func:`jtbd_methods.names.find_names`).
    date_format : str or None
        ``strftime`` format of every date in the data files (``'%m/%d/%Y'``); default: ISO
        or day-first, guessed per file.
    extra : dict
        Any other keys, kept for notebooks, and ``report`` (branding of the reports).
    """

    name: str
    organisation: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    min_cell_size: int = 10
    codebook: Path | None = None
    redact: bool = True
    redact_names: tuple[str, ...] = ()
    questions: Mapping[str, str] = field(default_factory=dict)
    redact_unlisted_names: bool = True
    date_format: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """A loaded, validated study folder.

    Data tables are ``None`` when their file is absent. Typed columns are documented in
    ``CONTRIBUTING.md``; extra columns in the files are kept as text.

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> from jtbd_methods.study import load_study
    >>> study = load_study(checkout_sample_study())
    >>> study.has("survey"), study.min_cell_size
    (True, 10)
    """

    path: Path
    config: StudyConfig
    codebook: Codebook | None = None
    feedback: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    staff: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None
    second_coding: pd.DataFrame | None = None
    files: Mapping[str, Path] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()

    @property
    def min_cell_size(self) -> int:
        """Smallest group size shown in any breakdown."""
        return self.config.min_cell_size

    def has(self, name: str) -> bool:
        """Whether the table ``name`` (``feedback``, ``survey``, …, or ``codebook``) is present."""
        if name == "codebook":
            return self.codebook is not None
        if name not in DATA_FILES:
            raise ValueError(
                f"Study.has: unknown table {name!r}; expected one of codebook, {', '.join(DATA_FILES)}"
            )
        return getattr(self, name) is not None

    def code_columns(self) -> list[str]:
        """The ``code_<job_id>`` columns of the hand-coded sample in ``feedback``."""
        if self.feedback is None:
            return []
        return [c for c in self.feedback.columns if c.startswith("code_")]

    def hand_coded(self) -> pd.DataFrame | None:
        """Hand-coded comments: ``comment_id``, ``comment`` and one 0/1 column per job.

        Built from ``code_<job_id>`` columns (rows where any code is filled) or from a
        ``codes`` column of ``;``-separated job ids (rows where it is non-empty). Returns
        ``None`` when the study has no hand coding.
        """
        fb = self.feedback
        if fb is None:
            return None
        cols = self.code_columns()
        if cols:
            filled = fb[cols].notna().any(axis=1)
            if not filled.any():
                return None
            out = fb.loc[filled, ["comment_id", "comment", *cols]].copy()
            out[cols] = out[cols].fillna(0).astype("int64")
            return out.reset_index(drop=True)
        if "codes" in fb.columns:
            filled = fb["codes"].fillna("").str.strip() != ""
            if not filled.any():
                return None
            sub = fb.loc[filled, ["comment_id", "comment", "codes"]]
            jobs = (
                self.codebook.job_ids
                if self.codebook is not None
                else sorted({j for s in sub["codes"] for j in _split_codes(s)})
            )
            out = sub[["comment_id", "comment"]].copy()
            sets = sub["codes"].map(lambda s: set(_split_codes(s)))
            for j in jobs:
                out[f"code_{j}"] = sets.map(lambda s, j=j: int(j in s)).astype("int64")
            return out.reset_index(drop=True)
        return None

    def summary(self) -> pd.DataFrame:
        """One row per file present: file, rows, columns, first and last date."""
        rows = []
        for name, fname in DATA_FILES.items():
            df = getattr(self, name)
            if df is None:
                continue
            date_col = {"feedback": "received", "staff": "period", "actions": "started"}.get(name)
            first = last = pd.NaT
            if date_col is not None and len(df):
                first, last = df[date_col].min(), df[date_col].max()
            rows.append(
                {
                    "file": fname,
                    "rows": len(df),
                    "columns": df.shape[1],
                    "first_date": first,
                    "last_date": last,
                }
            )
        return pd.DataFrame(rows, columns=["file", "rows", "columns", "first_date", "last_date"])


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`validate`: problems (errors and warnings) and, when valid, the study."""

    problems: tuple[Problem, ...]
    study: Study | None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Problems as a table: severity, file, row, column, value, expected, n_rows."""
        return pd.DataFrame(
            [
                {
                    "severity": p.severity,
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "expected": p.expected,
                    "n_rows": p.n_rows,
                }
                for p in self.problems
            ],
            columns=["severity", "file", "row", "column", "value", "expected", "n_rows"],
        )
