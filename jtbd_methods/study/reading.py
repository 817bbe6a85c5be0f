"""Reading a data file as text: encodings, delimiters, malformed CSV, Excel sheets.

Every table is read as strings first (CSV in UTF-8, UTF-8 with a byte-order mark or
Windows-1252; XLSX cells as the text a CSV export would hold), so the same typed checks of
:mod:`jtbd_methods.study.schema` apply to both. Problems are collected per file by a
:class:`_Collector`, never raised one at a time.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods.errors import Problem
from jtbd_methods.study.model import _KNOWN, _REQUIRED, DATA_FILES


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
    import openpyxl  # imported when a workbook is read: it takes most of a second to import

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
