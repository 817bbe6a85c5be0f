"""The study folder: loading, typing and validating every input file.

A study folder holds ``study.yaml`` and at least one data file (``feedback.csv``,
``survey.csv``, ``staff.csv``, ``actions.csv``; optional ``second_coding.csv``); any table may
come as ``.xlsx`` instead (first sheet, or the one named under ``sheets:`` in ``study.yaml``). See
``DESIGN.md`` for the contract. :func:`load_study` returns a :class:`Study` of typed pandas
DataFrames; :func:`validate` returns every problem at once, each naming file, spreadsheet
row, column, the value and what was expected.

Loading never writes to the study folder. Files may be UTF-8, UTF-8 with a byte-order mark
or Windows-1252; anything else is reported as an unknown encoding.
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml

from jtbd_methods._io import is_inside
from jtbd_methods.codebook import Codebook, CodebookError, load_codebook
from jtbd_methods.errors import Problem, StudyValidationError

__all__ = [
    "DATA_FILES",
    "MAX_COMMENT_CHARS",
    "Study",
    "StudyConfig",
    "ValidationReport",
    "load_study",
    "validate",
]

log = logging.getLogger(__name__)

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


# --------------------------------------------------------------------------- config & study


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
    >>> study = load_study("data/samples/recovery_study")  # doctest: +SKIP
    >>> study.has("survey"), study.min_cell_size  # doctest: +SKIP
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


# --------------------------------------------------------------------------- reading text


class _Collector:
    """Accumulates problems of one file; groups the same problem over many rows."""

    def __init__(self, file: str, *, date_format: str | None = None) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.date_format = date_format  # study.yaml date_format, for every date column

    def add(
        self,
        expected: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(self.file, row, column, _show(value), expected, severity=severity)
        )

    def rows(
        self,
        mask: np.ndarray,
        values: pd.Series,
        *,
        column: str,
        expected: str,
        severity: str = "error",
    ) -> None:
        """Report the rows where ``mask`` is true (spreadsheet rows = index + 2)."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        rows = tuple(int(i) + 2 for i in idx)
        first = values.iloc[int(idx[0])]
        self.problems.append(
            Problem(
                self.file,
                rows[0],
                column,
                _show(first),
                expected,
                rows=rows if len(rows) > 1 else (),
                severity=severity,
            )
        )


def _show(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= 60 else text[:57] + "..."


# A well-formed UTF-8 sequence of two to four bytes: its presence says the file is UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _encoding(raw: bytes, out: _Collector) -> str | None:
    """Name the encoding of ``raw`` (utf-8-sig or cp1252), or report why it has none."""
    if b"\x00" in raw[:65536]:
        out.add(
            "a text file of comma-separated values; this file is binary (it contains NUL bytes)"
        )
        return None
    try:
        raw.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(raw) is not None:
            # mostly UTF-8 with a stray byte (a Windows-1252 character pasted in): decoding
            # the whole file as cp1252 would garble every other accented character silently
            line = raw.count(b"\n", 0, exc.start) + 1
            out.add(
                f"one encoding for the whole file; it is UTF-8 but byte "
                f"{raw[exc.start : exc.start + 1]!r} on line {line} is not (a character from "
                "another program pasted in?): fix that character or re-save the file as 'CSV UTF-8'",
                row=line,
            )
            return None
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        out.add(
            f"text encoded as UTF-8 or Windows-1252; byte {exc.start} ({raw[exc.start : exc.start + 1]!r}) "
            "is neither (unknown encoding: re-save the file as 'CSV UTF-8')"
        )
        return None


def _decode(raw: bytes, out: _Collector) -> str | None:
    encoding = _encoding(raw, out)
    return None if encoding is None else raw.decode(encoding)


def _read_csv(path: Path, out: _Collector) -> pd.DataFrame | None:
    """Read a CSV as strings, reporting an empty, binary, mis-delimited or malformed file."""
    raw = path.read_bytes()
    if not raw[:1_000_000].strip() and not raw.strip():
        out.add("a header row and at least one data row; the file is empty")
        return None
    encoding = _encoding(raw, out)
    if encoding is None:
        return None
    head = raw[:100_000].decode(encoding, errors="ignore")
    first_line = head.split("\n", 1)[0]
    if "," not in first_line:
        for delim, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delim in first_line:
                out.add(
                    f"comma-separated values; the header is separated by {name} "
                    "(re-save as CSV with commas)",
                    row=1,
                    value=first_line,
                )
                return None
    try:
        df = pd.read_csv(
            io.BytesIO(raw),
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
            engine="c",
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        msg = str(exc)
        m = re.search(r"line (\d+)", msg)
        out.add(
            f"a well-formed CSV with the same number of fields on every row ({msg.strip()})",
            row=int(m.group(1)) if m else None,
        )
        return None
    except pd.errors.EmptyDataError:
        out.add("a header row and at least one data row; the file is empty")
        return None
    stripped = [str(c).strip() for c in df.columns]
    twins = sorted({c for c in stripped if stripped.count(c) > 1})
    for c in twins:
        out.add(
            "each column name once; two header cells differ only by spaces around the name",
            row=1,
            column=c,
            value=c,
        )
    if twins:
        return None
    df.columns = stripped
    dupes = [c for c in df.columns if re.search(r"\.\d+$", c) and c.rsplit(".", 1)[0] in df.columns]
    for c in dupes:
        out.add(
            "each column name once", row=1, column=c.rsplit(".", 1)[0], value=c.rsplit(".", 1)[0]
        )
    unnamed = [c for c in df.columns if c.startswith("Unnamed:") or c == ""]
    for c in unnamed:
        out.add("a name for every column in the header row", row=1, column=c)
    if len(df) == 0:
        out.add("at least one data row below the header; the file has only a header", row=1)
        return None
    return df


def _require(df: pd.DataFrame, name: str, out: _Collector) -> bool:
    missing = [c for c in _REQUIRED[name] if c not in df.columns]
    # a missing column was most likely renamed to a column nobody asked for: suggest those,
    # never a required column that is present ('comment_id' is not a misspelled 'comment')
    unknown = [c for c in df.columns if c not in _REQUIRED[name] and c not in _KNOWN[name]]
    unknown = [c for c in unknown if not c.startswith(("code_", "imp_", "sat_"))]
    for c in missing:
        close = difflib.get_close_matches(c, unknown, n=1, cutoff=0.6)
        if close:
            hint = f" (found {close[0]!r}: misspelled?)"
        elif len(missing) == 1 and len(unknown) == 1:
            hint = f" (found {unknown[0]!r}, a column no notebook reads: renamed?)"
        else:
            hint = ""
        out.add(f"a column named '{c}'{hint}", row=1, column=c)
    return not missing


# --------------------------------------------------------------------------- typed columns


def _blank(s: pd.Series) -> np.ndarray:
    return (s.str.strip() == "").to_numpy()


_TZ = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.I)


def _parse_dates(
    s: pd.Series,
    *,
    column: str,
    out: _Collector,
    required: bool = True,
    today: pd.Timestamp | None = None,
    future_ok: bool = False,
) -> pd.Series:
    """Parse a date column in ONE format for the whole file: ISO (YYYY-MM-DD) or UK (DD/MM/YYYY).

    ``study.yaml`` ``date_format`` (a ``strftime`` format such as ``%m/%d/%Y``) overrides the
    guess for dates that are not ISO. Times with a time zone are refused (the day would depend on the zone). When a
    slash-separated file holds month-first dates that cannot be day-first (``01/25/2024``),
    dates that read both ways (``02/03/2024``) are an error naming both readings.
    """
    text = s.str.strip()
    blank = (text == "").to_numpy()
    zoned = text.str.contains(_TZ).to_numpy() & ~blank
    out.rows(
        zoned,
        s,
        column=column,
        expected="a date without a time zone, like 2024-03-01 (export local dates, not "
        "time stamps with an offset)",
    )
    text = text.mask(zoned, "")
    skip = blank | zoned
    if out.date_format:  # ISO dates are never ambiguous; the others follow date_format
        iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
        parsed = iso.fillna(pd.to_datetime(text, format=out.date_format, errors="coerce"))
        bad = parsed.isna().to_numpy() & ~skip
        out.rows(
            bad,
            s,
            column=column,
            expected=f"a date in the format of study.yaml date_format {out.date_format!r}",
        )
    else:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & ~skip
        if bad.any():
            uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
            us = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
            if uk.notna().sum() > parsed.notna().sum():
                parsed, bad = uk, uk.isna().to_numpy() & ~skip
                fmt = "a date in the file's format DD/MM/YYYY, like 01/03/2024"
            else:
                fmt = "a date in the file's format YYYY-MM-DD, like 2024-03-01"
            month_first = (us.notna() & uk.isna()).to_numpy()
            both = (us.notna() & uk.notna() & (us != uk)).to_numpy()
            if month_first.any() and both.any():
                first = int(np.flatnonzero(both)[0])
                example = int(np.flatnonzero(month_first)[0]) + 2
                out.rows(
                    both,
                    s,
                    column=column,
                    expected=(
                        f"an unambiguous date: row {example} has a month-first date, so this "
                        f"one could be {uk.iloc[first]:%d %B %Y} (day first) or "
                        f"{us.iloc[first]:%d %B %Y} (month first); set date_format in "
                        "study.yaml ('%d/%m/%Y' or '%m/%d/%Y')"
                    ),
                )
                bad = bad & ~both
            out.rows(bad, s, column=column, expected=f"{fmt} (one date format per file)")
    if required:
        out.rows(blank, s, column=column, expected="a date; the cell is empty")
    if not future_ok:
        today = today or pd.Timestamp(date.today())
        future = (parsed > today + pd.Timedelta(days=1)).to_numpy()
        out.rows(
            future, s, column=column, expected=f"a date not in the future (today is {today.date()})"
        )
    ancient = (parsed < pd.Timestamp("1900-01-01")).to_numpy()
    out.rows(ancient, s, column=column, expected="a date after 1900")
    parsed = parsed.mask(
        (parsed > pd.Timestamp("2200-01-01")) | (parsed < pd.Timestamp("1900-01-01"))
    )
    # drop any time-of-day/time zone: reports work in whole days
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _parse_int(
    s: pd.Series,
    *,
    column: str,
    out: _Collector,
    lo: float | None = None,
    hi: float | None = None,
    required: bool = False,
    expected: str | None = None,
) -> pd.Series:
    text = s.str.strip()
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank, None), errors="coerce")
    whole = num.notna() & (num == np.floor(num.fillna(0)))
    ok = whole.to_numpy(dtype=bool, copy=True)
    if lo is not None:
        ok &= (num >= lo).fillna(False).to_numpy()
    if hi is not None:
        ok &= (num <= hi).fillna(False).to_numpy()
    bad = ~ok & ~blank
    exp = expected or "a whole number" + (
        f" from {lo:g} to {hi:g}" if lo is not None and hi is not None else ""
    )
    out.rows(bad, s, column=column, expected=exp)
    if required:
        out.rows(blank, s, column=column, expected=exp + "; the cell is empty")
    return _to_int64(num, ok, s.index)


def _to_int64(num: pd.Series, ok: np.ndarray, index: pd.Index) -> pd.Series:
    values = num.to_numpy(dtype=float, na_value=np.nan)
    arr = pd.array(np.where(ok, values, 0).astype("int64"), dtype="Int64")
    arr[~ok] = pd.NA
    return pd.Series(arr, index=index)


def _parse_float(s: pd.Series, *, column: str, out: _Collector, lo: float, hi: float) -> pd.Series:
    text = s.str.strip()
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank, None), errors="coerce")
    ok = ((num >= lo) & (num <= hi)).fillna(False).to_numpy()
    out.rows(~ok & ~blank, s, column=column, expected=f"a number from {lo:g} to {hi:g}")
    out.rows(blank, s, column=column, expected=f"a number from {lo:g} to {hi:g}; the cell is empty")
    return num.where(ok).astype("float64")


def _text(s: pd.Series, *, column: str, out: _Collector, required: bool = True) -> pd.Series:
    text = s.str.strip()
    if required:
        out.rows((text == "").to_numpy(), s, column=column, expected="a value; the cell is empty")
    return text


def _unique(s: pd.Series, *, column: str, out: _Collector, what: str) -> None:
    dup = s.duplicated(keep=False).to_numpy() & (s != "").to_numpy()
    if dup.any():
        out.rows(
            dup,
            s,
            column=column,
            expected=f"a unique {what}; the same id appears on more than one row",
        )


def _split_codes(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


# --------------------------------------------------------------------------- per file


def _type_codes(
    df: pd.DataFrame, raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None
) -> None:
    for c in [c for c in raw.columns if c.startswith("code_")]:
        job = c[len("code_") :]
        if job_ids is not None and job not in job_ids:
            out.add(
                f"code_<job_id> columns for jobs of the codebook; no job {job!r}",
                row=1,
                column=c,
                value=c,
            )
        df[c] = _parse_int(
            raw[c],
            column=c,
            out=out,
            lo=0,
            hi=1,
            expected="0 or 1 (or empty for comments not hand-coded)",
        )
    if "codes" in raw.columns and job_ids is not None:
        codes = raw["codes"].str.strip()
        unknown = codes.map(lambda v: any(j not in job_ids for j in _split_codes(v))).to_numpy()
        out.rows(
            unknown,
            raw["codes"],
            column="codes",
            expected=f"job ids of the codebook separated by ';' (known: {', '.join(sorted(job_ids))})",
        )


def _feedback(raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None) -> pd.DataFrame:
    df = raw.copy()
    df["comment_id"] = _text(raw["comment_id"], column="comment_id", out=out)
    _unique(raw["comment_id"].str.strip(), column="comment_id", out=out, what="comment_id")
    df["received"] = _parse_dates(raw["received"], column="received", out=out)
    df["site"] = _text(raw["site"], column="site", out=out)
    df["service"] = _text(raw["service"], column="service", out=out)
    # real exports are often text-only: a missing rating column is a column of empty ratings
    ratings = raw["rating"] if "rating" in raw else pd.Series("", index=raw.index, dtype="str")
    df["rating"] = _parse_int(ratings, column="rating", out=out, lo=1, hi=5, expected=_LIKERT)
    comment = raw["comment"]
    long = (comment.str.len() > MAX_COMMENT_CHARS).to_numpy()
    out.rows(
        long,
        comment.str.slice(0, 40) + "…",
        column="comment",
        expected=f"a comment of at most {MAX_COMMENT_CHARS:,} characters (is a whole document pasted in?)",
    )
    df["comment"] = comment.str.strip()
    _type_codes(df, raw, out, job_ids)
    return df


def _survey(raw: pd.DataFrame, out: _Collector, outcome_ids: set[str] | None) -> pd.DataFrame:
    df = raw.copy()
    df["respondent_id"] = _text(raw["respondent_id"], column="respondent_id", out=out)
    wave_txt = raw["wave"].str.strip()
    if pd.to_numeric(wave_txt, errors="coerce").notna().all():
        df["wave"] = _parse_int(
            raw["wave"],
            column="wave",
            out=out,
            lo=0,
            hi=10_000,
            required=True,
            expected="a wave number (whole number) or a date",
        ).astype("int64")
    else:
        df["wave"] = _parse_dates(raw["wave"], column="wave", out=out)
    key = df["respondent_id"].astype(str) + "\x1f" + wave_txt
    dup = key.duplicated(keep=False).to_numpy()
    out.rows(
        dup,
        raw["respondent_id"],
        column="respondent_id",
        expected="one response per respondent and wave; this respondent_id repeats within a wave",
    )
    df["diagnosis_group"] = _text(raw["diagnosis_group"], column="diagnosis_group", out=out)
    items = [c for c in raw.columns if c.startswith(("imp_", "sat_"))]
    if not items:
        out.add(
            "importance and satisfaction items named imp_<outcome_id> and sat_<outcome_id>",
            row=1,
            column="imp_<outcome_id>",
            severity="warning",
        )
    for c in items:
        df[c] = _parse_int(raw[c], column=c, out=out, lo=1, hi=5, expected=_LIKERT)
        oid = c[4:]
        if outcome_ids is not None and oid not in outcome_ids:
            out.add(
                f"an outcome id of the codebook after '{c[:4]}'; no outcome {oid!r}",
                row=1,
                column=c,
                value=c,
                severity="warning",
            )
    df["overall_satisfaction"] = _parse_int(
        raw["overall_satisfaction"],
        column="overall_satisfaction",
        out=out,
        lo=1,
        hi=5,
        expected=_LIKERT,
    )
    return df


def _staff(raw: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    df = raw.copy()
    df["unit"] = _text(raw["unit"], column="unit", out=out)
    txt = raw["period"].str.strip()
    month_only = txt.str.fullmatch(r"\d{4}-\d{1,2}")
    period_txt = txt.where(~month_only, txt + "-01")
    df["period"] = (
        _parse_dates(period_txt, column="period", out=out).dt.to_period("M").dt.to_timestamp()
    )
    key = df["unit"].astype(str) + "\x1f" + df["period"].astype(str)
    out.rows(
        key.duplicated(keep=False).to_numpy(),
        raw["unit"],
        column="unit",
        expected="one row per unit and month; this unit repeats within a month",
    )
    df["engagement"] = _parse_float(raw["engagement"], column="engagement", out=out, lo=0, hi=10)
    df["respondents"] = _parse_int(
        raw["respondents"],
        column="respondents",
        out=out,
        lo=0,
        hi=1e7,
        required=True,
        expected="a whole number of staff respondents (0 or more)",
    )
    return df


def _actions(
    raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None, sites: set[str] | None
) -> pd.DataFrame:
    df = raw.copy()
    for c in ("action_id", "job_id", "description", "owner", "status"):
        df[c] = _text(raw[c], column=c, out=out, required=c in ("action_id", "job_id"))
    _unique(raw["action_id"].str.strip(), column="action_id", out=out, what="action_id")
    if job_ids is not None:
        unknown = ~df["job_id"].isin(job_ids).to_numpy() & (df["job_id"] != "").to_numpy()
        out.rows(
            unknown,
            raw["job_id"],
            column="job_id",
            expected=f"a job id of the codebook ({', '.join(sorted(job_ids))})",
        )
    df["started"] = _parse_dates(raw["started"], column="started", out=out)
    if "sites" in raw.columns:
        df["sites"] = raw["sites"].str.strip()
        if sites is not None:
            bad = (
                raw["sites"].map(lambda v: any(s not in sites for s in _split_codes(v))).to_numpy()
            )
            out.rows(
                bad,
                raw["sites"],
                column="sites",
                expected="sites of feedback.csv separated by ';'",
                severity="warning",
            )
    return df


def _second(
    raw: pd.DataFrame, out: _Collector, job_ids: set[str] | None, comment_ids: set[str] | None
) -> pd.DataFrame:
    df = raw.copy()
    df["comment_id"] = _text(raw["comment_id"], column="comment_id", out=out)
    _unique(raw["comment_id"].str.strip(), column="comment_id", out=out, what="comment_id")
    if comment_ids is not None:
        unknown = ~df["comment_id"].isin(comment_ids).to_numpy()
        out.rows(
            unknown,
            raw["comment_id"],
            column="comment_id",
            expected="a comment_id that exists in feedback.csv",
        )
    if not any(c.startswith("code_") for c in raw.columns):
        out.add(
            "code_<job_id> columns with the second coder's 0/1 codes", row=1, column="code_<job_id>"
        )
    _type_codes(df, raw, out, job_ids)
    return df


# --------------------------------------------------------------------------- pandera contracts

_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "feedback": pa.DataFrameSchema(
        {
            "comment_id": pa.Column(str, unique=True),
            "received": pa.Column("datetime64[ns]"),
            "site": pa.Column(str),
            "service": pa.Column(str),
            "rating": pa.Column("Int64", pa.Check.in_range(1, 5), nullable=True),
            "comment": pa.Column(str),
        }
    ),
    "survey": pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(str),
            "diagnosis_group": pa.Column(str),
            "overall_satisfaction": pa.Column("Int64", pa.Check.in_range(1, 5), nullable=True),
            r"^(imp|sat)_.+$": pa.Column(
                "Int64", pa.Check.in_range(1, 5), nullable=True, regex=True, required=False
            ),
        },
        unique=["respondent_id", "wave"],
    ),
    "staff": pa.DataFrameSchema(
        {
            "unit": pa.Column(str),
            "period": pa.Column("datetime64[ns]"),
            "engagement": pa.Column(float, pa.Check.in_range(0, 10)),
            "respondents": pa.Column("Int64", pa.Check.ge(0)),
        },
        unique=["unit", "period"],
    ),
    "actions": pa.DataFrameSchema(
        {
            "action_id": pa.Column(str, unique=True),
            "job_id": pa.Column(str),
            "started": pa.Column("datetime64[ns]"),
            "status": pa.Column(str),
        }
    ),
}


def _contract(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check a typed table against its pandera schema (a programming-error guard)."""
    schema = _SCHEMAS.get(name)
    if schema is None:
        return df
    return schema.validate(df, lazy=True)


# --------------------------------------------------------------------------- config


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text: an impossible date (2024-02-30) is then reported
    as a bad ``period`` value instead of crashing the YAML reader."""


_ConfigLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_config(path: Path, out: _Collector) -> tuple[dict[str, Any] | None, StudyConfig | None]:
    if not path.is_file():
        out.add(
            "a study.yaml with name, organisation and period (run 'jtbd new-study DIR' for a skeleton)"
        )
        return None, None
    raw = path.read_bytes()
    text = _decode(raw, out)
    if text is None:
        return None, None
    try:
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" at character {mark.column + 1} of the line" if mark else ""
        out.add(f"valid YAML ({reason}{at})", row=mark.line + 1 if mark else None)
        return None, None
    if not isinstance(data, dict):
        out.add("a YAML mapping of keys (name:, organisation:, period:)", value=_show(data))
        return None, None
    for key in ("name", "organisation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            out.add("a non-empty text", column=key, value=data.get(key))
    period = data.get("period")
    start = end = pd.NaT
    if not isinstance(period, dict) or "start" not in period or "end" not in period:
        out.add("period: {start: YYYY-MM-DD, end: YYYY-MM-DD}", column="period", value=period)
    else:
        start = pd.to_datetime(str(period["start"]), errors="coerce", format="ISO8601")
        end = pd.to_datetime(str(period["end"]), errors="coerce", format="ISO8601")
        if pd.isna(start):
            out.add("a date like 2024-01-01", column="period.start", value=period["start"])
        if pd.isna(end):
            out.add("a date like 2025-12-31", column="period.end", value=period["end"])
        if pd.notna(start) and pd.notna(end) and end < start:
            out.add(
                "an end date on or after the start date", column="period.end", value=period["end"]
            )
    mcs = data.get("min_cell_size", 10)
    if isinstance(mcs, bool) or not isinstance(mcs, int) or mcs < 1:
        out.add("a whole number of at least 1 (default 10)", column="min_cell_size", value=mcs)
        mcs = 10
    redact = data.get("redact", True)
    if not isinstance(redact, bool):
        out.add("true or false", column="redact", value=redact)
        redact = True
    unlisted = data.get("redact_unlisted_names", True)
    if not isinstance(unlisted, bool):
        out.add("true or false", column="redact_unlisted_names", value=unlisted)
        unlisted = True
    date_format = data.get("date_format")
    if date_format is not None and (
        not isinstance(date_format, str)
        or not all(part in date_format for part in ("%d", "%m"))
        or not any(part in date_format for part in ("%Y", "%y"))
    ):
        out.add(
            "a date format with day, month and year, such as '%d/%m/%Y' or '%m/%d/%Y'",
            column="date_format",
            value=date_format,
        )
        date_format = None
    names = data.get("redact_names") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        out.add("a list of names to redact", column="redact_names", value=names)
        names = []
    questions = data.get("questions") or {}
    if not isinstance(questions, dict) or not all(
        isinstance(k, str) and v in ("positive", "negative", "neutral")
        for k, v in questions.items()
    ):
        out.add(
            "a mapping of each question to positive, negative or neutral "
            "(questions: {'What did we do well?': positive})",
            column="questions",
            value=_show(questions),
        )
        questions = {}
    cb = data.get("codebook")
    cb_path = None
    if cb is not None:
        if not isinstance(cb, str):
            out.add(
                "the path of the codebook file, relative to the study folder",
                column="codebook",
                value=cb,
            )
        else:
            cb_path = (path.parent / cb).resolve()
            if not is_inside(cb_path, path.parent):
                # never read (nor echo) a file outside the study: study.yaml may come from anyone
                out.add(
                    "a codebook file inside the study folder; this path leads outside it "
                    "(copy the codebook into the study folder)",
                    column="codebook",
                    value=cb,
                )
                cb_path = None
            elif not cb_path.is_file():
                out.add(
                    "an existing codebook file (path relative to the study folder)",
                    column="codebook",
                    value=cb,
                )
                cb_path = None
    for key in sorted(set(data) - _CONFIG_KEYS):
        out.add(
            f"only known keys ({', '.join(sorted(_CONFIG_KEYS))}); '{key}' is kept but not used",
            column=key,
            severity="warning",
        )
    if any(p.severity == "error" for p in out.problems):
        return data, None
    config = StudyConfig(
        name=data["name"].strip(),
        organisation=data["organisation"].strip(),
        period_start=pd.Timestamp(start),
        period_end=pd.Timestamp(end),
        min_cell_size=int(mcs),
        codebook=cb_path,
        redact=redact,
        redact_names=tuple(n.strip() for n in names if n.strip()),
        questions={str(k).strip(): str(v) for k, v in questions.items()},
        redact_unlisted_names=unlisted,
        date_format=date_format,
        extra={k: v for k, v in data.items() if k not in _CONFIG_KEYS or k == "report"},
    )
    return data, config


# --------------------------------------------------------------------------- Excel tables


def _find_data_files(
    root: Path, sheets: Any, out: _Collector, *, config_out: _Collector
) -> dict[str, tuple[Path, str | int | None]]:
    """Each data table present: its file (``NAME.csv``, else ``NAME.xlsx``) and sheet.

    ``sheets`` is the ``sheets:`` mapping of ``study.yaml`` (table name to sheet name or
    0-based position); a table read from ``.xlsx`` without one uses the first sheet. A table
    present as both ``.csv`` and ``.xlsx`` is read from the ``.csv`` (with a warning); an old
    ``.xls`` workbook is reported as an error. Problems of the ``sheets:`` mapping go to
    ``config_out`` (``study.yaml``), those of the files to ``out``.
    """
    if sheets is None:
        sheets = {}
    if not isinstance(sheets, dict):
        config_out.add(
            "sheets: a mapping of table name to sheet name, like {feedback: Responses}",
            column="sheets",
            value=sheets,
        )
        sheets = {}
    for key, value in sheets.items():
        if key not in DATA_FILES:
            config_out.add(
                f"a table name ({', '.join(DATA_FILES)})", column=f"sheets.{key}", value=key
            )
        elif isinstance(value, bool) or not isinstance(value, str | int):
            config_out.add(
                "a sheet name or a 0-based sheet position", column=f"sheets.{key}", value=value
            )
    found: dict[str, tuple[Path, str | int | None]] = {}
    for name, csv_name in DATA_FILES.items():
        stem = csv_name.removesuffix(".csv")
        csv_path, xlsx_path, xls_path = (root / f"{stem}{ext}" for ext in (".csv", ".xlsx", ".xls"))
        sheet = sheets.get(name)
        sheet = sheet if isinstance(sheet, str | int) and not isinstance(sheet, bool) else None
        if csv_path.is_file():
            found[name] = (csv_path, None)
            if xlsx_path.is_file():
                out.add(
                    f"one file per table; {csv_path.name} is read and {xlsx_path.name} ignored "
                    "(remove one of them)",
                    severity="warning",
                )
        elif xlsx_path.is_file():
            found[name] = (xlsx_path, sheet)
        elif xls_path.is_file():
            out.add(
                f"{stem}.csv or {stem}.xlsx; {xls_path.name} is an old Excel format "
                "(open it in Excel and save as .xlsx or CSV UTF-8)"
            )
    return found


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, pd.Timestamp | date):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(
    path: Path, out: _Collector, *, sheet: str | int | None = None
) -> pd.DataFrame | None:
    """Read one sheet of an Excel workbook as text, like :func:`_read_csv` reads a CSV.

    The first row is the header; cells become the text a CSV export would hold (dates
    ``YYYY-MM-DD``, whole numbers without ``.0``, empty cells ``""``), so the same checks
    apply. Problems name the workbook and sheet (in ``out.file``), the spreadsheet row and
    the column.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` workbook.
    out : _Collector
        Receives the problems; its ``file`` is set to ``"<name>.xlsx, sheet '<sheet>'"``.
    sheet : str or int, optional
        Sheet name or 0-based position; default the first sheet.

    Returns
    -------
    DataFrame or None
        Every column as ``str``; ``None`` when the sheet cannot be read (reported in ``out``).
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        out.add(
            f"an Excel workbook (.xlsx) that opens; this one does not ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})"
        )
        return None
    try:
        names = book.sheetnames
        if sheet is None:
            sheet = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                out.add(
                    f"a sheet position from 0 to {len(names) - 1} (the workbook has: "
                    f"{', '.join(names)})",
                    column="sheets",
                    value=sheet,
                )
                return None
            sheet = names[sheet]
        elif sheet not in names:
            out.add(
                f"a sheet named '{sheet}' (the workbook has: {', '.join(names)})",
                column="sheets",
                value=sheet,
            )
            return None
        out.file = f"{path.name}, sheet '{sheet}'"
        rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and all(_cell_text(v).strip() == "" for v in rows[-1]):
        rows.pop()  # formatting often reaches far below the data
    if not rows:
        out.add("a header row and at least one data row; the sheet is empty")
        return None
    header = [_cell_text(v).strip() for v in rows[0]]
    while (
        header
        and header[-1] == ""
        and all(len(r) < len(header) or _cell_text(r[len(header) - 1]) == "" for r in rows[1:])
    ):
        header.pop()  # empty trailing columns
    for i, name in enumerate(header):
        if name == "":
            out.add("a name for every column in the header row", row=1, column=f"column {i + 1}")
        elif header.index(name) != i:
            out.add("each column name once", row=1, column=name, value=name)
    if any(p.severity == "error" for p in out.problems):
        return None
    body = [[_cell_text(v) for v in r[: len(header)]] for r in rows[1:]]
    body = [r + [""] * (len(header) - len(r)) for r in body]
    if not body:
        out.add("at least one data row below the header; the sheet has only a header", row=1)
        return None
    return pd.DataFrame(body, columns=header, dtype=str)


def _read_table(
    path: Path, out: _Collector, *, sheet: str | int | None = None
) -> pd.DataFrame | None:
    """Read a data table from ``.csv`` or ``.xlsx`` as text."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, out, sheet=sheet)
    return _read_csv(path, out)


# --------------------------------------------------------------------------- entry points


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
    >>> report = validate("data/samples/recovery_study")  # doctest: +SKIP
    >>> report.ok  # doctest: +SKIP
    True
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
    >>> study = load_study("data/samples/recovery_study")  # doctest: +SKIP
    >>> study.feedback.dtypes["rating"]  # doctest: +SKIP
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
