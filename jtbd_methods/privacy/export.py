"""Injection-safe, atomic exports: CSV and XLSX, and HTML escaping.

:func:`neutralise_cell` and :func:`neutralise_frame` stop spreadsheet formula injection;
:func:`safe_to_csv` and :func:`safe_to_excel` write files atomically through them;
:func:`escape_html` escapes data placed into HTML.

References
----------
.. [1] OWASP Foundation. *CSV Injection*. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods._io import atomic_path
from jtbd_methods._validation import check_int, require_dataframe

__all__ = [
    "escape_html",
    "is_formula_like",
    "neutralise_cell",
    "neutralise_frame",
    "safe_to_csv",
    "safe_to_excel",
]

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Injection-safe exports
# ---------------------------------------------------------------------------------------------


# Characters that make a spreadsheet read a cell as a formula (OWASP [1]), and their
# full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), which East Asian input methods and some
# spreadsheet imports fold to ASCII.
_FULL_WIDTH_SIGNS = str.maketrans("\uff1d\uff0b\uff0d\uff20", "=+-@")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain number, as a spreadsheet reads it: sign, digits (optionally grouped by commas),
# decimals, exponent, per cent. Such a cell is a number, never a formula.
_PLAIN_NUMBER = re.compile(
    r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?%?"
)
# Characters a formula needs to call a function, reach another program (DDE ``cmd|...!A0``)
# or another sheet, or compare; ordinary text after "- " holds none of them.
_FORMULA_SYNTAX = re.compile(r"[=()|!@\"\t\r\n\uff08\uff09\uff1d\uff20\uff5c\uff01]")


def _is_plain_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and _PLAIN_NUMBER.fullmatch(text) is not None


def _is_ordinary_text(text: str, *, strict: bool) -> bool:
    """Text after a leading sign that no spreadsheet can read as a formula.

    Only "-" and "+" qualify: a run of signs alone ("-", "--", "+"), or (unless ``strict``)
    a sign, then whitespace, then a word starting with a letter and no formula syntax
    ("- fine", "- the nurses were kind"): a bulleted phrase, not an expression.
    """
    if text[0] not in "+-":
        return False
    if text.strip("+-").strip() == "":
        return True
    if strict:
        return False
    rest = text[1:]
    if not rest[:1].isspace() or rest[:1] in "\t\r\n":
        return False
    rest = rest.lstrip(" \u00a0")
    return rest[:1].isalpha() and _FORMULA_SYNTAX.search(rest) is None


def is_formula_like(text: str, *, strict: bool = False) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (see :func:`neutralise_cell`).

    Parameters
    ----------
    text : str
        A cell's text.
    strict : bool, default False
        Also count a sign followed by a space and words (``"- fine"``) as formula-like: the
        rule for CSV, whose every field a spreadsheet parses (:func:`neutralise_cell`).

    Returns
    -------
    bool
        True when ``text`` starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return (or the full-width ``＝ ＋ － ＠``) and is neither a plain number (``-5``,
        ``+1.5e3``, ``-12%``) nor ordinary text after a sign (``-``, and unless ``strict``
        ``- fine``).

    Examples
    --------
    >>> [is_formula_like(t) for t in ["=1+1", "-2+3", "-rm", "-5", "-", "- fine", "ok"]]
    [True, True, True, False, False, False, False]
    >>> is_formula_like("- fine", strict=True), is_formula_like("-", strict=True)
    (True, False)
    """
    if not isinstance(text, str) or not text:
        return False
    folded = text[0].translate(_FULL_WIDTH_SIGNS) + text[1:]
    if not folded.startswith(_FORMULA_PREFIXES):
        return False
    if folded[0] in "+-" and (
        _is_plain_number(folded) or _is_ordinary_text(folded, strict=strict)
    ):
        return False
    return True


def neutralise_cell(value: Any, *, strict: bool = False) -> Any:
    """Defuse a spreadsheet formula: prefix a text that would be read as one with a quote.

    Parameters
    ----------
    value : object
        Any cell value.
    strict : bool, default False
        Also quote a sign followed by a space and words (``"- fine"``). XLSX stores text in
        typed string cells that a spreadsheet never parses, so a bullet needs no quote
        there (:func:`safe_to_excel`); every field of a CSV is parsed when the file is
        opened, so :func:`safe_to_csv` uses ``strict=True``.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is a str that :func:`is_formula_like`: it starts with
        ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or a full-width ``＝ ＋ － ＠``)
        and is not a plain number or ordinary text; otherwise ``value`` itself (other
        texts, numbers, dates, missing values).

    Notes
    -----
    OWASP's CSV Injection guidance [1]_: a spreadsheet program executes a cell that starts
    with one of these characters as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``,
    ``-2+3+cmd|' /C calc'!A0``, ``@SUM(A1)``); a leading single quote makes it read the
    cell as text. The quote is added only where it is needed, because a quote before
    ordinary text is noise in a client's spreadsheet:

    * a plain number (``"-5"``, ``"+1.5"``, ``"-1,234"``, ``"-12%"``) is read as a number,
      which cannot run anything;
    * a lone sign or a run of them (``"-"``, ``"--"``) is no expression;
    * a sign followed by a space and a word with no formula syntax (``"- fine"``,
      ``"- kind staff, thanks"``: no ``=``, brackets, ``|``, ``!``, ``@`` or double quote)
      is a bullet that cannot call a function or another program. In an XLSX string cell it
      is shown as written. A spreadsheet opening a CSV may still try it as a formula
      (Excel reads a leading ``-`` as the start of one, so ``- fine`` would show an error
      value), hence ``strict=True`` quotes it in CSV.

    Everything else starting with a trigger is neutralised, including a sign directly
    followed by a letter (``"-rm"``, ``"+cmd"``: a spreadsheet would read a name or a
    reference) and any text starting with ``=``, ``@``, a tab or a carriage return. Texts
    starting with a full-width sign are treated like their ASCII forms, because some input
    methods and imports fold them. Where in doubt the rule neutralises.

    References
    ----------
    .. [1] OWASP Foundation. *CSV Injection*.
       https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> neutralise_cell("=1+1"), neutralise_cell("-2+3"), neutralise_cell("- fine")
    ("'=1+1", "'-2+3", '- fine')
    >>> neutralise_cell("-"), neutralise_cell("-5"), neutralise_cell(-3)
    ('-', '-5', -3)
    """
    if isinstance(value, str) and is_formula_like(value, strict=strict):
        return "'" + value
    return value


def _neutralise_labels(index: pd.Index, function: Any) -> pd.Index:
    names = [function(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        tuples = [tuple(function(v) for v in t) for t in index.tolist()]
        return pd.MultiIndex.from_tuples(tuples, names=names) if tuples else index.set_names(names)
    if pd.api.types.is_object_dtype(index.dtype) or isinstance(index.dtype, pd.StringDtype):
        return pd.Index([function(v) for v in index.tolist()], dtype=index.dtype, name=names[0])
    return index.set_names(names)


def _map_text_column(series: pd.Series, function: Any) -> pd.Series:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        new = [function(c) for c in dtype.categories]
        if len(set(new)) == len(new):
            return series.cat.rename_categories(new)
        return _map_text_column(series.astype(object), function)
    if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
        return pd.Series(
            [function(v) for v in series.tolist()],
            index=series.index,
            name=series.name,
            dtype=dtype,
        )
    return series


def neutralise_frame(df: pd.DataFrame, *, strict: bool = False) -> pd.DataFrame:
    """Copy of ``df`` with every text cell and label passed through :func:`neutralise_cell`.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table.
    strict : bool, default False
        Passed to :func:`neutralise_cell` (``True`` for CSV).

    Returns
    -------
    pandas.DataFrame
        A copy; text columns (object, string and categorical dtypes), text column labels,
        index labels and index/column names are neutralised. Other columns are unchanged.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.

    Notes
    -----
    Column and index labels are included because they are written as header cells.
    See :func:`neutralise_cell` for the rule and its source.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"comment": ["=SUM(A1)", "ok"], "n": [-1, 2]}))
         comment  n
    0  '=SUM(A1) -1
    1         ok  2
    """
    require_dataframe(df, parameter="df", caller="neutralise_frame")
    if not isinstance(strict, bool):
        raise TypeError(
            f"The 'strict' parameter of neutralise_frame must be True or False; got {strict!r}."
        )

    def function(value: Any) -> Any:
        return neutralise_cell(value, strict=strict)

    out = df.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _map_text_column(out.iloc[:, position], function))
    out.columns = _neutralise_labels(out.columns, function)
    out.index = _neutralise_labels(out.index, function)
    return out


def safe_to_csv(df: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write ``df`` as CSV with formulas neutralised, atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to write (not modified).
    path : str or pathlib.Path
        Destination; compression is inferred from its suffix as in pandas.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``index=False``, ``encoding=...``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame or ``path_or_buf`` is passed.
    ValueError
        If ``mode`` is not ``"w"`` (appending cannot be atomic), or ``quoting`` and
        ``lineterminator`` would leave line breaks inside texts unquoted.
    OSError
        If the directory cannot be created or written; no file is left behind.

    Notes
    -----
    The table goes through :func:`neutralise_frame` with ``strict=True`` (a bullet such as
    ``- fine`` is quoted too, since a spreadsheet parses every CSV field), is written to a temporary file in the
    destination folder and moved into place with :func:`os.replace`, so a reader never
    sees a half-written file and a failure leaves any earlier file as it was.

    Rows end in CRLF (RFC 4180, section 2.1). This also matters for safety: Python's csv
    writer quotes a field only when it holds a character of the line terminator, so with
    pandas' default ``"\\n"`` a text holding a bare carriage return (``"ok\\r=cmd"``) is
    written unquoted, and a spreadsheet starts a new row at the ``\\r`` whose first cell is
    a live formula. Another terminator is accepted only with ``quoting=csv.QUOTE_ALL`` or
    ``csv.QUOTE_NONNUMERIC``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written = safe_to_csv(pd.DataFrame({"comment": ["=1+1"]}), folder / "c.csv",
    ...                       index=False)
    >>> written.read_bytes()
    b"comment\\r\\n'=1+1\\r\\n"
    """
    caller = "safe_to_csv"
    require_dataframe(df, parameter="df", caller=caller)
    if "path_or_buf" in kwargs:
        raise TypeError(f"{caller}: pass the destination as 'path', not 'path_or_buf'.")
    if kwargs.get("mode", "w") != "w":
        raise ValueError(
            f"The 'mode' parameter of {caller} must be 'w' (appending cannot be atomic); "
            f"got {kwargs['mode']!r}."
        )
    options = dict(kwargs)
    options.setdefault("lineterminator", "\r\n")
    quoting = options.get("quoting", csv.QUOTE_MINIMAL)
    if quoting == csv.QUOTE_NONE or (
        options["lineterminator"] != "\r\n" and quoting not in (csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC)
    ):
        raise ValueError(
            f"{caller}: with quoting={quoting!r} and lineterminator="
            f"{options['lineterminator']!r} a carriage return or line break inside a text "
            "would not be quoted and could start a new row whose first cell is a formula; keep "
            "the default lineterminator '\\r\\n' or pass quoting=csv.QUOTE_ALL."
        )
    path = Path(path)
    data = neutralise_frame(df, strict=True)
    with atomic_path(path, suffix=".tmp" + path.suffix) as tmp:
        data.to_csv(tmp, **options)
    return path


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _check_sheets(sheets: Any, caller: str) -> dict[str, pd.DataFrame]:
    if isinstance(sheets, pd.DataFrame):
        return {"Sheet1": sheets}
    if not isinstance(sheets, Mapping) or not sheets:
        raise TypeError(
            f"The 'sheets' parameter of {caller} must be a DataFrame or a non-empty dict of "
            f"sheet name -> DataFrame; got {type(sheets).__name__}."
        )
    seen: set[str] = set()
    for name, frame in sheets.items():
        if (
            not isinstance(name, str)
            or not name
            or len(name) > 31
            or name.startswith("'")
            or name.endswith("'")
            or _SHEET_FORBIDDEN.search(name)
        ):
            raise ValueError(
                f"{caller}: sheet name {name!r} is not allowed by Excel; use 1-31 characters, "
                "none of [ ] : * ? / \\, not starting or ending with an apostrophe."
            )
        if name.casefold() in seen:
            raise ValueError(f"{caller}: sheet name {name!r} is used twice (Excel ignores case).")
        seen.add(name.casefold())
        require_dataframe(frame, parameter=f"sheets[{name!r}]", caller=caller)
    return dict(sheets)


def _clean_illegal(df: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Remove control characters that XLSX cannot store (before neutralising)."""
    # openpyxl is imported when a workbook is written: it takes most of a second to import
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    removed = 0

    def clean(value: Any) -> Any:
        nonlocal removed
        if isinstance(value, str):
            new, n = ILLEGAL_CHARACTERS_RE.subn("", value)
            removed += n
            return new
        return value

    out = df.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _map_text_column(out.iloc[:, position], clean))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.Index([clean(c) for c in out.columns.tolist()])
    return out, removed


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _round_sensibly(value: float, digits: int) -> float:
    """``value`` with ``digits`` significant digits but at least two decimals, no ``-0.0``."""
    if not math.isfinite(value) or value == 0:
        return value + 0.0
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(2, digits - 1 - magnitude)
    return round(value, decimals) + 0.0


def _typed_column(series: pd.Series, digits: int | None) -> pd.Series:
    """A column as the spreadsheet should type it: dates as dates, floats without noise."""
    dtype = series.dtype
    if isinstance(dtype, pd.PeriodDtype):
        series = series.dt.to_timestamp()
        dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
        dtype = series.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        present = series.dropna()
        if (present == present.dt.normalize()).all():  # whole days: write dates, not times
            dates = [None if pd.isna(v) else v.date() for v in series.tolist()]
            return pd.Series(dates, index=series.index, name=series.name, dtype=object)
        return series
    if pd.api.types.is_float_dtype(dtype) and digits is not None:
        values = [
            v if pd.isna(v) else _round_sensibly(float(v), digits) for v in series.tolist()
        ]
        return pd.Series(values, index=series.index, name=series.name, dtype=dtype)
    if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
        present = [v for v in series.tolist() if not (v is None or v is pd.NA or v != v)]
        if present and all(isinstance(v, str) and _ISO_DATE.fullmatch(v) for v in present):
            try:
                parsed = [
                    None if not isinstance(v, str) else dt.date.fromisoformat(v)
                    for v in series.tolist()
                ]
            except ValueError:  # "2024-13-45" is text, not a date
                return series
            return pd.Series(parsed, index=series.index, name=series.name, dtype=object)
    return series


def _typed_frame(df: pd.DataFrame, digits: int | None) -> pd.DataFrame:
    out = df.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _typed_column(out.iloc[:, position], digits))
    return out


def _format_dates(worksheet: Any) -> None:
    """Show date cells as ``YYYY-MM-DD`` and date-times as ``YYYY-MM-DD HH:MM``."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, dt.datetime | dt.date) and getattr(cell, "is_date", False):
                whole_day = not isinstance(cell.value, dt.datetime) or (
                    cell.value.time() == dt.time(0)
                )
                cell.number_format = "YYYY-MM-DD" if whole_day else "YYYY-MM-DD HH:MM"


def _fit_columns(worksheet: Any, *, max_rows: int = 1000) -> None:
    from openpyxl.utils import get_column_letter  # see _clean_illegal

    last = min(worksheet.max_row, max_rows)
    for k, column in enumerate(worksheet.iter_cols(min_row=1, max_row=last), start=1):
        longest = 0
        for cell in column:
            if cell.value is not None:
                longest = max(
                    longest, *(len(line) for line in str(cell.value).splitlines() or [""])
                )
        worksheet.column_dimensions[get_column_letter(k)].width = min(max(longest + 2, 8), 60)


def safe_to_excel(
    sheets: Mapping[str, pd.DataFrame] | pd.DataFrame,
    path: str | Path,
    *,
    digits: int | None = 3,
    **kwargs: Any,
) -> Path:
    """Write one or more tables to an XLSX workbook with typed cells, formulas neutralised.

    Parameters
    ----------
    sheets : DataFrame or dict of str to DataFrame
        A single table (sheet "Sheet1") or sheet name -> table, in order.
    path : str or pathlib.Path
        Destination ending in ``.xlsx``.
    digits : int or None, default 3
        Floats are rounded to this many significant digits, keeping at least two decimals
        (``0.456789`` -> ``0.457``, ``12.3456`` -> ``12.35``, ``0.000123`` stays), which
        removes float noise (``0.30000000000000004`` -> ``0.3``) and ``-0.0``. ``None``
        writes floats as they are.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_excel` for every sheet (``index=False``, ...).
        By default the header row(s) and index column(s) are frozen (``freeze_panes``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    TypeError
        If ``sheets`` is not a DataFrame or a dict of DataFrames.
    ValueError
        If a sheet name is not valid in Excel or repeats, or ``path`` does not end in
        ``.xlsx``; a cell value openpyxl cannot store also raises (no file is left behind).
    OSError
        If the directory cannot be created or written.

    Notes
    -----
    Cells are typed: numbers are numbers, dates are date cells shown as ``YYYY-MM-DD``
    (datetime columns whose values are whole days, period columns, and text columns whose
    every value is an ISO date such as ``"2024-03-01"``), date-times are shown as
    ``YYYY-MM-DD HH:MM`` (a time zone is dropped: XLSX has none), and text stays text.
    Each table goes through :func:`neutralise_frame` (OWASP CSV Injection guidance; openpyxl
    would otherwise store a text starting with ``=`` as a formula), which quotes only texts
    that a spreadsheet could read as a formula, never ordinary text such as ``"-"``. Control characters that
    XLSX cannot hold are removed first (and counted in a warning). Column widths follow the
    longest text of the first 1,000 rows (8 to 60 characters). The workbook is written to a
    temporary file beside ``path`` and moved into place with :func:`os.replace`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> safe_to_excel({"quotes": pd.DataFrame({"comment": ["@SUM(1)"]})},
    ...               folder / "q.xlsx", index=False).name
    'q.xlsx'
    """
    caller = "safe_to_excel"
    tables = _check_sheets(sheets, caller)
    if digits is not None:
        digits = check_int(digits, parameter="digits", caller=caller, minimum=1, maximum=15)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{caller}: 'path' must end in .xlsx; got {str(path)!r}.")
    index = kwargs.get("index", True)
    with atomic_path(path, suffix=".tmp.xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in tables.items():
                cleaned, removed = _clean_illegal(frame)
                if removed:
                    log.warning(
                        "%s: removed %d control character(s) that XLSX cannot store from sheet %r.",
                        caller,
                        removed,
                        name,
                    )
                data = neutralise_frame(_typed_frame(cleaned, digits))
                options = dict(kwargs)
                if "freeze_panes" not in options:
                    header_rows = data.columns.nlevels
                    if isinstance(data.columns, pd.MultiIndex) and index:
                        header_rows += 1  # pandas adds a row for the index names
                    options["freeze_panes"] = (header_rows, data.index.nlevels if index else 0)
                data.to_excel(writer, sheet_name=name, **options)
                _format_dates(writer.sheets[name])
                _fit_columns(writer.sheets[name])
    return path


def escape_html(text: Any) -> str:
    """Escape a value for HTML text or attribute values.

    Parameters
    ----------
    text : object
        A str, or any value (converted with ``str``); missing values give ``""``.

    Returns
    -------
    str
        ``html.escape(str(text), quote=True)``: ``& < > " '`` become entities.

    Examples
    --------
    >>> escape_html('<b onclick="x">Tom & Jerry\\'s</b>')
    '&lt;b onclick=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;'
    """
    if (
        text is None
        or text is pd.NA
        or text is pd.NaT
        or (isinstance(text, float) and math.isnan(text))
    ):
        return ""
    return html.escape(str(text), quote=True)
