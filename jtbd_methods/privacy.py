"""Privacy: redaction of identifiers, small-cell suppression and injection-safe exports.

Every notebook that shows patients' words or group breakdowns goes through this module:

* :func:`redact` and :func:`redact_with_counts` replace NHS numbers, UK phone numbers, e-mail
  addresses, UK postcodes, dates of birth, listed names and names no list holds
  (:func:`jtbd_methods.names.find_names`) in free text by placeholders such as
  ``[NHS number]``.
* :func:`suppress_small` (tidy tables) and :func:`suppress_crosstab` (wide tables with
  margins) hide counts below ``min_cell_size`` and add complementary suppressions so a hidden
  count cannot be worked out by subtraction from a shown total; :func:`format_suppressed`
  turns the result into display strings with a marker and :func:`suppression_note` words the
  footnote.
* :func:`neutralise_cell`, :func:`neutralise_frame`, :func:`safe_to_csv` and
  :func:`safe_to_excel` stop spreadsheet formula injection and write files atomically;
  :func:`escape_html` escapes data placed into HTML.

References
----------
.. [1] NHS England. *NHS Data Dictionary*, data element "NHS Number" (check digit validated
   by the Modulus 11 algorithm). https://www.datadictionary.nhs.uk/
.. [2] Royal Mail. *Programmers' Guide to the Postcode Address File* (postcode formats), and
   Office for National Statistics, *ONS Postcode Directory User Guide*.
.. [3] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
   *Journal of the American Statistical Association*, 75(370), 377-385.
.. [4] Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
   Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley, ch. 5
   (frequency tables: primary and secondary cell suppression, audit).
.. [5] Office for National Statistics (2021). *Statistical disclosure control policy*; and
   Government Statistical Service (2014). *Disclosure control guidance for tables produced
   from administrative sources*.
.. [6] NHS Digital (2018). *Disclosure control methodology for Hospital Episode Statistics
   (HES) and Emergency Care Data Set (ECDS)*.
.. [7] OWASP Foundation. *CSV Injection*. https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._io import atomic_path
from jtbd_methods._validation import check_int, require_columns, require_dataframe
from jtbd_methods.names import find_names

__all__ = [
    "KINDS",
    "escape_html",
    "format_suppressed",
    "is_valid_nhs_number",
    "neutralise_cell",
    "neutralise_frame",
    "redact",
    "redact_for_study",
    "redaction_statement",
    "redact_with_counts",
    "safe_to_csv",
    "safe_to_excel",
    "suppress_crosstab",
    "suppress_small",
    "suppression_note",
]

log = logging.getLogger(__name__)

#: Kinds of identifier that :func:`redact` replaces, in the order reports list them.
KINDS: tuple[str, ...] = ("NHS number", "phone", "email", "postcode", "date of birth", "name")

# ---------------------------------------------------------------------------------------------
# Patterns (compiled once; the name pattern is cached per list of names)
# ---------------------------------------------------------------------------------------------

# The "@" may be written "[at]", "(at)", " @ " or as the full-width "＠" (spam-proofed
# addresses are still addresses); dots in the domain may be written "[dot]" or "(dot)".
_AT = r"(?:[ \t]?[@\uff20][ \t]?|[ \t]?[\[(]at[\])][ \t]?)"
_DOT = r"(?:\.|[ \t]?[\[(]dot[\])][ \t]?)"
_EMAIL = (
    r"(?<![A-Za-z0-9._%+-])"  # start of the local part, never in the middle of it
    rf"[A-Za-z0-9._%+-]+{_AT}(?:[A-Za-z0-9-]+{_DOT})+[A-Za-z]{{2,}}(?![A-Za-z0-9-])"
)

# Digits, ASCII or full-width ("９４３"); separators: one or two spaces (also no-break and
# narrow no-break spaces), a hyphen, a dot or a slash.
_DIGIT = "[0-9\uff10-\uff19]"
_NHS_SEP = r"(?:[ \u00a0\u2007\u202f]{1,2}|[./-])?"
# Ten digits, optionally grouped 3-3-4; checksum tested later.
_NHS = (
    rf"(?<![0-9\uff10-\uff19])(?P<nhs>{_DIGIT}{{3}}{_NHS_SEP}{_DIGIT}{{3}}{_NHS_SEP}{_DIGIT}{{4}})"
    r"(?![0-9\uff10-\uff19])"
)

# UK numbers: +44 / 0044 / 44 (optionally "(0)") or a national 0 (optionally in brackets), then
# a mobile (7 + 9 digits) or a landline / non-geographic number (1, 2 or 3 + 8 or 9 digits).
# Single spaces, hyphens, dots and the closing bracket of an area code may separate the digits,
# but not right after the first one: no UK area code has two digits, and "01-02-2025 10" is a
# date.
_PHONE = (
    r"(?<![\w+.])"
    r"(?:(?:\+|00)?[ ]?44[ ]?(?:\(0\)[ ]?)?|\(?0)"
    r"(?:7[0-9](?:\)?[ .-]?[0-9]){8}|[123][0-9](?:\)?[ .-]?[0-9]){7,8})"
    r"(?![0-9])"
)

# Royal Mail formats A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA (and GIR 0AA), with
# the letters each position may hold; the space is optional; case-insensitive.
_POSTCODE = (
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ ]{0,2}0AA"
    r"|[A-PR-UWYZ](?:[0-9][A-HJKPSTUW]?|[0-9]{2}|[A-HK-Y][0-9][ABEHMNPRVWXY]?|[A-HK-Y][0-9]{2})"
    r"(?:[ \u00a0]{0,2}|-)[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])"
)

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (  # full names, or abbreviations with an optional full stop ("Sept.")
    r"(?:(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)(?![a-z])|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)(?![a-z])\.?)"
)
_DAY = r"(?<![0-9])(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR4_CORE = r"(?:1[89][0-9]{2}|20[0-9]{2})"
_YEAR4 = _YEAR4_CORE + r"(?![0-9])"
_YEAR_ANY = r"(?:1[89][0-9]{2}|20[0-9]{2}|'?[0-9]{2})(?![0-9])"
_DSEP = r"[ \t/-]+"


def _date_alternatives(year: str, *, partial: bool) -> str:
    """Date forms: numeric d/m/y, ISO y-m-d, '3 March 1956', 'March 3, 1956' (+ partial)."""
    alts = [
        rf"(?<![0-9])[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-]{year}",
        rf"(?<![0-9]){_YEAR4_CORE}-[0-9]{{1,2}}-[0-9]{{1,2}}(?![0-9])",
        rf"{_DAY}{_DSEP}(?:of\s+)?{_MONTH},?{_DSEP}{year}",
        rf"{_MONTH}\s+(?:the\s+)?{_DAY},?\s+{year}",
    ]
    if partial:  # incomplete dates, only after a cue such as "born"
        alts += [
            rf"{_MONTH},?{_DSEP}{year}",  # March 1956
            rf"{_DAY}{_DSEP}(?:of\s+)?{_MONTH}(?![a-z])",  # 3rd of March
            rf"{_MONTH}\s+(?:the\s+)?{_DAY}(?![0-9a-z])",  # March 3rd
            rf"(?<![0-9]){_YEAR4}",  # 1956
        ]
    return "(?:" + "|".join(alts) + ")"


_CUE = (
    r"\b(?:d\.?[ ]?o\.?[ ]?b(?![a-z])\.?|date\s+of\s+birth|birth\s?date|birthday|born)"
    r"(?:\s*(?:is|was|on|in|of)\b)?[\s:=,.-]*(?:the\s+)?"
)
_DOB = (
    # every form starts a word with a digit, a month or a cue: a cheap test rejects the rest
    r"(?<![A-Za-z0-9])(?=[0-9ABDFJMNOSabdfjmnos])"
    rf"(?:(?P<cue>{_CUE})(?P<cued>{_date_alternatives(_YEAR_ANY, partial=True)})"
    rf"|(?P<uncued>{_date_alternatives(_YEAR4, partial=False)}))"
)

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_valid_nhs_number(number: str) -> bool:
    """Whether ``number`` is a ten-digit NHS number with a valid Modulus 11 check digit.

    Parameters
    ----------
    number : str
        Ten digits (ASCII or full-width), optionally separated by spaces (also no-break
        spaces), hyphens, dots or slashes (``"943 476 5919"``, ``"943.476.5919"``).

    Returns
    -------
    bool

    Notes
    -----
    NHS Data Dictionary, "NHS Number" [1]_: multiply the first nine digits by the weights
    10, 9, ..., 2 and add; the check digit is ``11 - (sum mod 11)``, where 11 means 0 and 10
    means the number is invalid. The tenth digit must equal the check digit.

    References
    ----------
    .. [1] NHS England. *NHS Data Dictionary*, data element "NHS Number".

    Examples
    --------
    >>> is_valid_nhs_number("943 476 5919")
    True
    >>> is_valid_nhs_number("943 476 5918")
    False
    """
    if not isinstance(number, str):
        return False
    digits = re.sub(r"[ \u00a0\u2007\u202f./-]", "", number).translate(_FULL_WIDTH)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _name_atoms(name: str) -> list[str]:
    """Regex atoms of a name: escaped characters, whitespace runs as ``\\s+``."""
    atoms: list[str] = []
    for piece in re.split(r"(\s+)", name):
        if not piece:
            continue
        if piece.isspace():
            atoms.append(r"\s+")
        else:
            atoms.extend(re.escape(ch) for ch in piece)
    return atoms


def _trie_regex(names: Iterable[str]) -> str:
    """One regex matching any of ``names``, built as a prefix tree (fast for long lists)."""
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for atom in _name_atoms(name):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class _Redactor:
    """Compiled passes for one placeholder style and one list of names."""

    def __init__(self, style: str, names: tuple[str, ...], unlisted: bool = False) -> None:
        self.unlisted = unlisted
        self.placeholder = {kind: style.format(kind=kind) for kind in KINDS}
        keep = "|".join(
            re.escape(p) for p in sorted(set(self.placeholder.values()), key=len, reverse=True)
        )

        def compile_pass(pattern: str, flags: int = 0) -> re.Pattern[str]:
            return re.compile(rf"(?P<keep>{keep})|(?:{pattern})", flags)

        # (kind, pattern, cheap test a text must pass for the pattern to be worth running)
        digit = re.compile(r"[0-9]")
        passes: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
            (
                "email",
                compile_pass(_EMAIL, re.IGNORECASE),
                re.compile(r"[@\uff20]|[\[(]at[\])]", re.I),
            ),
            ("NHS number", compile_pass(_NHS), re.compile("[0-9\uff10-\uff19]")),
            ("date of birth", compile_pass(_DOB, re.IGNORECASE), digit),
            ("phone", compile_pass(_PHONE), digit),
            ("postcode", compile_pass(_POSTCODE, re.IGNORECASE | re.ASCII), digit),
        ]
        if names:
            name_pattern = rf"(?<!\w){_trie_regex(names)}(?!\w)"
            passes.append(("name", compile_pass(name_pattern, re.IGNORECASE), None))
        self.passes = passes
        self.keep = re.compile(keep)

    def _date_of_birth(self, match: re.Match[str], before_year: int) -> str | None:
        """Replacement for a DOB-pass match, or ``None`` to keep the text."""
        if match.group("cue") is not None:
            if _plausible_date(match.group("cued"), cued=True, before_year=before_year):
                return match.group("cue") + self.placeholder["date of birth"]
            return None
        if _plausible_date(match.group("uncued"), cued=False, before_year=before_year):
            return self.placeholder["date of birth"]
        return None

    def run(self, text: str, before_year: int, counts: Counter[str]) -> str:
        """Apply every pass until nothing more is found (at most a few rounds)."""
        for _ in range(10):
            new = text
            for kind, pattern, needs in self.passes:
                if needs is not None and needs.search(new) is None:
                    continue
                new = pattern.sub(
                    functools.partial(
                        self._replace, kind=kind, before_year=before_year, counts=counts
                    ),
                    new,
                )
            if self.unlisted:
                new = self._unlisted_names(new, counts)
            if new == text:
                break
            text = new
        return text

    def _unlisted_names(self, text: str, counts: Counter[str]) -> str:
        """Replace the names :func:`jtbd_methods.names.find_names` finds outside placeholders."""
        spans = find_names(text)
        if not spans:
            return text
        protected = [m.span() for m in self.keep.finditer(text)]
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            if any(start < p_end and p_start < end for p_start, p_end in protected):
                continue
            pieces += [text[last:start], self.placeholder["name"]]
            counts["name"] += 1
            last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def _replace(
        self, match: re.Match[str], *, kind: str, before_year: int, counts: Counter[str]
    ) -> str:
        if match.group("keep") is not None:
            return match.group(0)
        if kind == "NHS number":
            out = self.placeholder[kind] if is_valid_nhs_number(match.group("nhs")) else None
        elif kind == "date of birth":
            out = self._date_of_birth(match, before_year)
        else:
            out = self.placeholder[kind]
        if out is None:
            return match.group(0)
        counts[kind] += 1
        return out


def _plausible_date(text: str, *, cued: bool, before_year: int) -> bool:
    """Whether a matched date counts as a date of birth (see :func:`redact`, Notes)."""
    numbers = [int(n) for n in re.findall(r"[0-9]+", text)]
    month_name = re.search(r"[A-Za-z]{3}", text)
    if cued and month_name is not None:
        return True  # the pattern already required a month name with a day and/or a year
    candidates: list[tuple[int, int, int | None]] = []  # (year, month, day)
    if month_name is not None and month_name.group(0).lower() in _MONTHS:
        month = _MONTHS[month_name.group(0).lower()]
        if len(numbers) == 2:
            candidates.append((numbers[1], month, numbers[0]))
        elif len(numbers) == 1:
            candidates.append((numbers[0], month, None))
    elif re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text):
        candidates.append((numbers[0], numbers[1], numbers[2]))
    elif len(numbers) == 3:  # d/m/y (UK) or m/d/y
        candidates += [(numbers[2], numbers[1], numbers[0]), (numbers[2], numbers[0], numbers[1])]
    elif len(numbers) == 1:  # a year on its own
        candidates.append((numbers[0], 1, None))
    for year, month, day in candidates:
        if cued:
            if 1 <= month <= 12 and (day is None or 1 <= day <= 31):
                return True
            continue
        if day is None or not 1900 <= year < before_year:
            continue
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


@functools.lru_cache(maxsize=32)
def _redactor(style: str, names: tuple[str, ...], unlisted: bool = False) -> _Redactor:
    return _Redactor(style, names, unlisted)


def _check_style(placeholder_style: Any, caller: str) -> str:
    if not isinstance(placeholder_style, str):
        raise TypeError(
            f"The 'placeholder_style' parameter of {caller} must be a str containing "
            f"'{{kind}}'; got {type(placeholder_style).__name__}."
        )
    try:
        formatted = placeholder_style.format(kind="x")
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(
            f"The 'placeholder_style' parameter of {caller} must be a format string whose only "
            f"field is '{{kind}}', such as '[{{kind}}]'; got {placeholder_style!r} ({err})."
        ) from None
    if "{kind}" not in placeholder_style or not formatted.strip():
        raise ValueError(
            f"The 'placeholder_style' parameter of {caller} must contain '{{kind}}', such as "
            f"'[{{kind}}]'; got {placeholder_style!r}."
        )
    return placeholder_style


def _check_names(names: Any, caller: str) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise TypeError(
            f"The 'names' parameter of {caller} must be a list of names (a str on its own "
            f"would be read letter by letter); got {type(names).__name__}."
        )
    cleaned: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                f"The 'names' parameter of {caller} must hold only str; got {name!r} "
                f"({type(name).__name__})."
            )
        if not name.strip():
            raise ValueError(
                f"The 'names' parameter of {caller} must not hold empty names; got {name!r}."
            )
        cleaned.add(" ".join(name.split()))
    return tuple(sorted(cleaned))


def _prepare(
    names: Any, placeholder_style: Any, dob_before_year: Any, caller: str, unlisted: Any = True
) -> tuple[_Redactor, int]:
    if not isinstance(unlisted, bool):
        raise TypeError(
            f"The 'unlisted_names' parameter of {caller} must be True or False; "
            f"got {unlisted!r} ({type(unlisted).__name__})."
        )
    style = _check_style(placeholder_style, caller)
    name_tuple = _check_names(names, caller)
    before = check_int(
        dob_before_year, parameter="dob_before_year", caller=caller, minimum=0, allow_none=True
    )
    if before is None:
        before = dt.date.today().year - 1
    return _redactor(style, name_tuple, unlisted), before


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _redact_series(
    texts: pd.Series,
    redactor: _Redactor,
    before: int,
    caller: str,
    counts: Counter[str],
    per_text: Counter[str],
) -> pd.Series:
    values: list[Any] = []
    for position, value in enumerate(texts.tolist()):
        if _is_missing(value):
            values.append(value)
            continue
        if not isinstance(value, str):
            raise TypeError(
                f"{caller}: every text must be a str or missing; the value at position "
                f"{position} (index {texts.index[position]!r}) is {value!r} "
                f"({type(value).__name__})."
            )
        found: Counter[str] = Counter()
        values.append(redactor.run(value, before, found))
        counts.update(found)
        per_text.update(found.keys())
    dtype = texts.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(values, index=texts.index, name=texts.name, dtype="category")
    return pd.Series(values, index=texts.index, name=texts.name, dtype=dtype)


def redact(
    text: str | pd.Series,
    *,
    names: Iterable[str] = (),
    placeholder_style: str = "[{kind}]",
    dob_before_year: int | None = None,
    unlisted_names: bool = True,
) -> str | pd.Series:
    """Replace personal identifiers in free text by placeholders.

    Parameters
    ----------
    text : str or pandas.Series
        One text, or a Series of texts (missing values are kept as they are).
    names : iterable of str, default ()
        Names to remove (patients, relatives, staff), matched as whole words, ignoring case;
        a possessive ``'s`` stays after the placeholder (``"[name]'s"``). Whitespace inside a
        name matches any whitespace. Common words used as names (``"May"``, ``"Will"``) are
        removed wherever they occur.
    placeholder_style : str, default "[{kind}]"
        Format string of the replacement; ``{kind}`` is one of :data:`KINDS`:
        ``"NHS number"``, ``"phone"``, ``"email"``, ``"postcode"``, ``"date of birth"``,
        ``"name"``.
    dob_before_year : int, optional
        A full date (day, month, four-digit year) *without* a birth cue is taken for a date
        of birth when its year is in ``[1900, dob_before_year)``. Default: last calendar year
        (``today.year - 1``), so dates from this year and last year stay. Pass the first year
        of the study period for reproducible reports; pass 0 to rely on cues only.

    Returns
    -------
    str or pandas.Series
        The same type as ``text``; a Series keeps its index, name and dtype. The input is
        never modified.

    Raises
    ------
    TypeError
        If ``text`` is neither a str nor a Series, a Series holds a non-text value, ``names``
        is a str or holds non-str, or ``placeholder_style`` is not a str.
    ValueError
        If a name is empty, ``placeholder_style`` lacks ``{kind}`` or has other fields, or
        ``dob_before_year`` is negative.

    Notes
    -----
    Rules, applied in this order (each placeholder is protected from later rules):

    * **e-mail**: ``local@domain.tld``, also written ``local [at] domain.tld``,
      ``local (at) domain (dot) tld``, ``local @ domain.tld`` or with the full-width ``＠``.
    * **NHS number**: ten digits (ASCII or full-width), contiguous or grouped 3-3-4 with one
      or two spaces (no-break spaces too), hyphens, dots or slashes,
      replaced *only* when the Modulus 11 check digit is valid (NHS Data Dictionary [1]_;
      see :func:`is_valid_nhs_number`), so ordinary ten-digit numbers stay.
    * **date of birth**: (a) a date after a cue (``DOB``, ``D.O.B.``, ``date of birth``,
      ``birth date``, ``birthday``, ``born``, ``born on``/``in``), in the forms 12/03/1956,
      12.03.56, 1956-03-12, 3 March 1956, 3rd of Mar 1956, March 3, 1956, March 1956,
      3 March, March 3rd or 1956; the cue is kept ("DOB [date of birth]"). (b) Without a cue, a complete, valid date
      with a four-digit year before ``dob_before_year``. Trade-off: comments mention visit
      dates ("seen on 3 March", "on 12/03/2024") that matter to the story and are not
      identifying on their own, while a complete old date is most often a birth date. Dates
      without a year, or from this or last year, are therefore kept; an older complete date
      of an event ("my operation on 3 March 2015") is redacted too (over-redaction is the
      safe side). A child's date of birth in the last two years is only caught with a cue.
    * **phone**: UK mobiles (07 + 9 digits), landlines and non-geographic numbers (01, 02,
      03 + 8 or 9 digits), in national form or as +44 / 0044 / 44 (optionally ``(0)``), with
      single spaces, hyphens, dots or a bracketed area code.
    * **postcode**: full UK postcodes in the Royal Mail / ONS formats [2]_ (A9 9AA, A99 9AA,
      AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, GIR 0AA), any case, space optional (or a
      hyphen, ``SW1A-1AA``). An outward
      code alone ("AB1", "SW1A") is a district, not an address, and stays.
    * **name**: each listed name as a whole word; then, with ``unlisted_names``, names that
      no list holds (:func:`jtbd_methods.names.find_names`; on a labelled set of synthetic
      sentences, ``tests/data/names_eval.csv``, it removes over 90% of planted names and
      fewer than 1 in 50 capitalised non-names such as wards, places, days and "NHS").

    The rules are re-applied until nothing more is found, so ``redact(redact(x)) ==
    redact(x)``. Missing values in a Series stay missing. Redaction is a safeguard, not a
    guarantee: read quotes before publishing them.

    References
    ----------
    .. [1] NHS England. *NHS Data Dictionary*, data element "NHS Number".
    .. [2] Royal Mail. *Programmers' Guide to the Postcode Address File*; Office for
       National Statistics. *ONS Postcode Directory User Guide*.

    Examples
    --------
    >>> redact("Call Sarah on 07700 900123 or email s.jones@example.org, NHS 943 476 5919.",
    ...        names=["Sarah"])
    'Call [name] on [phone] or email [email], NHS [NHS number].'
    >>> redact("DOB 12/03/1956, lives at SW1A 1AA; seen on 3 March.")
    'DOB [date of birth], lives at [postcode]; seen on 3 March.'
    """
    caller = "redact"
    redactor, before = _prepare(names, placeholder_style, dob_before_year, caller, unlisted_names)
    if isinstance(text, str):
        return redactor.run(text, before, Counter())
    if isinstance(text, pd.Series):
        return _redact_series(text, redactor, before, caller, Counter(), Counter())
    raise TypeError(
        f"The 'text' parameter of {caller} must be a str or a pandas Series; "
        f"got {type(text).__name__}."
    )


def redact_with_counts(
    texts: pd.Series | Iterable[str],
    *,
    names: Iterable[str] = (),
    placeholder_style: str = "[{kind}]",
    dob_before_year: int | None = None,
    unlisted_names: bool = True,
) -> tuple[pd.Series, pd.DataFrame]:
    """Redact texts and count what was removed, so a report can say what it hid.

    Parameters
    ----------
    texts : pandas.Series or iterable of str
        Texts; missing values stay missing. A list becomes a Series with a RangeIndex.
    names, placeholder_style, dob_before_year, unlisted_names
        As in :func:`redact`.

    Returns
    -------
    redacted : pandas.Series
        The redacted texts, with the index, name and dtype of ``texts``.
    counts : pandas.DataFrame
        One row per kind of identifier, in the order of :data:`KINDS` (every kind, zeros
        included), with columns:

        ``kind``
            Kind of identifier (``"NHS number"``, ``"phone"``, ...).
        ``n``
            Number of items of that kind replaced, over all texts.
        ``n_texts``
            Number of texts that had at least one.

    Raises
    ------
    TypeError, ValueError
        As in :func:`redact`; also TypeError if ``texts`` is a single str.

    Notes
    -----
    The rules are those of :func:`redact`. ``counts["n"].sum()`` is the total number of
    items redacted.

    Examples
    --------
    >>> redacted, counts = redact_with_counts(["Ring 020 7946 0958", "Thanks to Ann", None],
    ...                                       names=["Ann"])
    >>> redacted.tolist()
    ['Ring [phone]', 'Thanks to [name]', None]
    >>> counts.set_index("kind").loc[["phone", "name"], "n"].tolist()
    [1, 1]
    """
    caller = "redact_with_counts"
    redactor, before = _prepare(names, placeholder_style, dob_before_year, caller, unlisted_names)
    if isinstance(texts, str) or not isinstance(texts, pd.Series | Iterable):
        raise TypeError(
            f"The 'texts' parameter of {caller} must be a pandas Series or a list of str; "
            f"got {type(texts).__name__}."
        )
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    counts: Counter[str] = Counter()
    per_text: Counter[str] = Counter()
    redacted = _redact_series(series, redactor, before, caller, counts, per_text)
    table = pd.DataFrame(
        {
            "kind": list(KINDS),
            "n": np.array([counts[k] for k in KINDS], dtype="int64"),
            "n_texts": np.array([per_text[k] for k in KINDS], dtype="int64"),
        }
    )
    total = int(table["n"].sum())
    if total:
        log.info("%s: redacted %d identifier(s) in %d text(s).", caller, total, len(series))
    return redacted, table


def redact_for_study(
    texts: pd.Series | Iterable[str], study: Any
) -> tuple[pd.Series, pd.DataFrame]:
    """Redact quotes with a study's settings; the counts say what was removed.

    Uses ``study.config.redact`` (when false the texts are returned unchanged, with zero
    counts), ``study.config.redact_names``, ``study.config.redact_unlisted_names`` (default
    true: names no list holds are removed too), and the first year of the study period as
    ``dob_before_year``, so a report redacts the same items whenever it is re-run.

    Parameters
    ----------
    texts : pandas.Series or iterable of str
    study : Study
        A loaded study (:func:`jtbd_methods.study.load_study`).

    Returns
    -------
    (redacted, counts)
        As :func:`redact_with_counts`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> cfg = SimpleNamespace(redact=True, redact_names=("Ann",),
    ...                       period_start=pd.Timestamp("2024-01-01"))
    >>> redact_for_study(["Ann was kind"], SimpleNamespace(config=cfg))[0].tolist()
    ['[name] was kind']
    """
    config = study.config
    if not config.redact:
        series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
        counts = pd.DataFrame(
            {
                "kind": list(KINDS),
                "n": np.zeros(len(KINDS), dtype="int64"),
                "n_texts": np.zeros(len(KINDS), dtype="int64"),
            }
        )
        return series.copy(), counts
    return redact_with_counts(
        texts,
        names=config.redact_names,
        dob_before_year=int(config.period_start.year),
        unlisted_names=bool(getattr(config, "redact_unlisted_names", True)),
    )


def redaction_statement(counts: pd.DataFrame) -> str:
    """One sentence for a report saying how many identifiers were redacted, by kind.

    Parameters
    ----------
    counts : DataFrame
        The counts table of :func:`redact_with_counts` (``kind``, ``n``).

    Examples
    --------
    >>> counts = pd.DataFrame({"kind": ["phone", "email", "name"], "n": [3, 0, 1]})
    >>> redaction_statement(counts)
    '4 personal identifiers were found in the comments and are replaced by placeholders wherever comments are quoted (3 phone, 1 name).'
    """
    total = int(counts["n"].sum())
    if total == 0:
        return "No personal identifiers were found in the comments."
    parts = ", ".join(
        f"{int(n)} {kind}" for kind, n in zip(counts["kind"], counts["n"], strict=True) if n
    )
    noun = "identifier was" if total == 1 else "identifiers were"
    return (
        f"{total} personal {noun} found in the comments and are replaced by placeholders wherever "
        f"comments are quoted ({parts})."
    )


# ---------------------------------------------------------------------------------------------
# Small-cell suppression
# ---------------------------------------------------------------------------------------------


def _as_list(value: Any, parameter: str, caller: str) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    raise TypeError(
        f"The '{parameter}' parameter of {caller} must be a column name, a list of column "
        f"names or None; got {type(value).__name__}."
    )


def _check_counts(values: pd.Series | pd.DataFrame, what: str, caller: str) -> None:
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise TypeError(
                f"{caller}: {what} must be numeric counts; column {column!r} has dtype {dtype}."
            )
    array = frame.to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(array).any():
        raise ValueError(f"{caller}: {what} must not have missing values.")
    if (array < 0).any() or not np.isfinite(array).all():
        raise ValueError(f"{caller}: {what} must be finite and non-negative counts.")


def _primary(counts: np.ndarray, min_cell_size: int, suppress_zeros: bool) -> np.ndarray:
    return (counts < min_cell_size) & ((counts > 0) | suppress_zeros)


def _blank(series: pd.Series, mask: np.ndarray) -> pd.Series:
    """``series`` with the cells of ``mask`` set to missing (nullable ints stay ints)."""
    if pd.api.types.is_integer_dtype(series.dtype):
        series = series.astype("Int64")
    return series.mask(pd.Series(mask, index=series.index))


def suppress_small(
    table: pd.DataFrame,
    *,
    count_column: str = "n",
    min_cell_size: int = 10,
    value_columns: str | Iterable[str] | None = None,
    group_columns: str | Iterable[str] | None = None,
    complementary: bool = True,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Hide counts below ``min_cell_size``, and complementary cells, in a tidy table.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per cell (for example one row per site and job), with a count column.
    count_column : str, default "n"
        Column holding the number of people (or comments) behind each row.
    min_cell_size : int, default 10
        Smallest count that may be shown.
    value_columns : str or list of str, optional
        Columns derived from the count (shares, means, interval limits) that must be hidden
        with it. Default: every numeric column other than ``count_column`` and
        ``group_columns``; pass ``[]`` to hide the count only, or name the columns when the
        table has numeric labels (such as a wave number) that should stay visible.
    group_columns : str or list of str, optional
        Columns that define sets of cells adding up to a total shown elsewhere (a row of a
        cross-tabulation, the sites of one job). Default: the whole table is one such set.
    complementary : bool, default True
        Add complementary suppressions (see Notes).
    suppress_zeros : bool, default False
        Also hide zero counts (see Notes).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` (same rows, order and columns) in which suppressed rows have
        ``count_column`` and the value columns set to missing (``<NA>``; integer columns
        become the nullable ``Int64``; never 0), plus a column:

        ``suppressed``
            bool; True where the row's values are hidden.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame, the count column is not numeric, or
        ``min_cell_size`` is not an integer.
    ValueError
        If a named column is missing, counts are missing or negative, ``min_cell_size`` is
        below 1, the table already has a ``suppressed`` column, or ``group_columns`` includes
        the count column.

    Notes
    -----
    *Primary suppression*: a count ``n`` with ``0 < n < min_cell_size`` is hidden. Zero
    counts are shown by default: a zero describes nobody, and NHS Digital's HES rules [3]_
    also publish zeros; with ``suppress_zeros=True`` they are hidden as well (use it when a
    zero would itself disclose something, such as "no patient of this unit was satisfied").

    *Complementary suppression* (Cox [1]_; ONS / GSS guidance [2]_): when the cells of a
    group add up to a total that is shown, one hidden cell could be recovered as the total
    minus the shown cells. So whenever a group has exactly one hidden cell, the smallest
    other non-zero cell of the group is hidden too (ties broken by the row's labels, so the
    result does not depend on row order). If the other cells are all zero a zero cell is
    hidden and a warning is logged: the group total then reveals the small count and must
    itself be suppressed where it is shown. Two or more hidden positive cells in a group can
    each move by one without changing the total, so none of them can be recovered. For
    tables with totals in two directions use :func:`suppress_crosstab`.

    Missing-data policy: counts must not be missing; missing values elsewhere are kept.

    References
    ----------
    .. [1] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       *Journal of the American Statistical Association*, 75(370), 377-385.
    .. [2] Government Statistical Service (2014). *Disclosure control guidance for tables
       produced from administrative sources*; Office for National Statistics (2021).
       *Statistical disclosure control policy*.
    .. [3] NHS Digital (2018). *Disclosure control methodology for Hospital Episode
       Statistics (HES) and Emergency Care Data Set (ECDS)*.

    Examples
    --------
    >>> table = pd.DataFrame({"site": ["A", "B", "C", "D"], "n": [4, 25, 40, 0],
    ...                       "share": [10.0, 62.5, 100.0, 0.0]})
    >>> out = suppress_small(table, min_cell_size=10)
    >>> out["n"].tolist(), out["share"].tolist()[2:], out["suppressed"].tolist()
    ([<NA>, <NA>, 40, 0], [100.0, 0.0], [True, True, False, False])
    """
    caller = "suppress_small"
    require_dataframe(table, parameter="table", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    if not isinstance(count_column, str):
        raise TypeError(
            f"The 'count_column' parameter of {caller} must be a column name (str); "
            f"got {type(count_column).__name__}."
        )
    groups = _as_list(group_columns, "group_columns", caller) or []
    values = _as_list(value_columns, "value_columns", caller)
    require_columns(table, [count_column, *groups, *(values or [])], name="table", caller=caller)
    if "suppressed" in table.columns:
        raise ValueError(
            f"{caller}: 'table' already has a 'suppressed' column; suppress the original "
            "table, not one that was suppressed before."
        )
    if count_column in groups:
        raise ValueError(
            f"{caller}: 'group_columns' must not include the count column {count_column!r}."
        )
    _check_counts(table[count_column], f"the '{count_column}' column", caller)
    if values is None:
        values = [
            c
            for c in table.columns
            if c != count_column
            and c not in groups
            and pd.api.types.is_numeric_dtype(table[c].dtype)
            and not pd.api.types.is_bool_dtype(table[c].dtype)
        ]
    counts = table[count_column].to_numpy(dtype="float64")
    suppressed = _primary(counts, min_cell_size, bool(suppress_zeros))

    if complementary and suppressed.any():
        label_columns = [c for c in table.columns if c != count_column and c not in values]
        if groups:
            grouped = table.groupby(groups, dropna=False, sort=False).indices
            members = [np.sort(np.asarray(ix)) for ix in grouped.values()]
        else:
            members = [np.arange(len(table))]
        for ix in members:
            if suppressed[ix].sum() != 1:
                continue
            pick = _pick_complement(table, ix[~suppressed[ix]], counts, label_columns)
            if pick is None:
                log.warning(
                    "%s: a group has a single, hidden cell; its total reveals the count and "
                    "must be suppressed wherever it is shown.",
                    caller,
                )
                continue
            if counts[pick] == 0:
                log.warning(
                    "%s: the only cells left to protect a hidden count are zeros; the group "
                    "total must be suppressed wherever it is shown.",
                    caller,
                )
            suppressed[pick] = True

    out = table.copy()
    for column in [count_column, *values]:
        position = out.columns.get_loc(column)
        out.isetitem(position, _blank(out[column], suppressed))
    out["suppressed"] = suppressed
    n_hidden = int(suppressed.sum())
    if n_hidden:
        log.info(
            "%s: %d of %d row(s) suppressed (min_cell_size=%d).",
            caller,
            n_hidden,
            len(out),
            min_cell_size,
        )
    return out


def _pick_complement(
    table: pd.DataFrame, candidates: np.ndarray, counts: np.ndarray, label_columns: list[str]
) -> int | None:
    """Smallest non-zero candidate (else a zero one); ties broken by the row's labels."""
    if candidates.size == 0:
        return None
    nonzero = candidates[counts[candidates] > 0]
    pool = nonzero if nonzero.size else candidates
    smallest = counts[pool].min()
    tied = pool[counts[pool] == smallest]
    if tied.size == 1 or not label_columns:
        return int(tied[0])

    def key(position: int) -> tuple[str, ...]:
        return tuple(str(v) for v in table.iloc[position][label_columns].tolist())

    return int(min(tied, key=key))


def _is_margin_label(label: Any, margins_name: str) -> bool:
    if isinstance(label, tuple):
        return len(label) > 0 and label[0] == margins_name
    return label == margins_name


def _bridges(n_nodes: int, edges: list[tuple[int, int]]) -> list[int]:
    """Indices of the bridges of an undirected simple graph (iterative Tarjan)."""
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for k, (u, v) in enumerate(edges):
        adjacency[u].append((v, k))
        adjacency[v].append((u, k))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    clock = 0
    bridges: list[int] = []
    for start in range(n_nodes):
        if order[start] != -1 or not adjacency[start]:
            continue
        order[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, parent_edge, neighbours = stack[-1]
            descended = False
            for other, k in neighbours:
                if k == parent_edge:
                    continue
                if order[other] == -1:
                    order[other] = low[other] = clock
                    clock += 1
                    stack.append((other, k, iter(adjacency[other])))
                    descended = True
                    break
                low[node] = min(low[node], order[other])
            if descended:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.append(parent_edge)
    return bridges


def _component(n_nodes: int, edges: list[tuple[int, int]], start: int, skip: int) -> set[int]:
    adjacency: list[list[int]] = [[] for _ in range(n_nodes)]
    for k, (u, v) in enumerate(edges):
        if k != skip:
            adjacency[u].append(v)
            adjacency[v].append(u)
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for other in adjacency[node]:
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen


def _choose_cell(cells: list[tuple[int, int]], values: np.ndarray) -> tuple[int, int] | None:
    """Preferred complementary cell: non-zero interior, then non-zero margin, then zeros."""
    n_rows, n_cols = values.shape

    def rank(cell: tuple[int, int]) -> tuple[int, float, int, int]:
        i, j = cell
        margins = (i == n_rows - 1) + (j == n_cols - 1)
        zero = values[i, j] == 0
        return (3 * zero + margins, float(values[i, j]), i, j)

    return min(cells, key=rank) if cells else None


def _protect(values: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Complementary suppression on a table whose last row and column are its margins.

    Repeats (1) the line rule: no row or column (margins included) has exactly one hidden
    entry; (2) the cycle rule: every hidden entry lies on a cycle of hidden entries in the
    bipartite row-column graph (no bridge), which is what makes it unrecoverable.
    """
    suppressed = suppressed.copy()
    n_rows, n_cols = values.shape
    while True:
        changed = True
        while changed:
            changed = False
            lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
            lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
            for line in lines:
                hidden = [c for c in line if suppressed[c]]
                if len(hidden) != 1:
                    continue
                pick = _choose_cell([c for c in line if not suppressed[c]], values)
                if pick is None:
                    continue
                if values[pick] == 0:
                    log.warning(
                        "suppress_crosstab: a zero cell had to be used as a "
                        "complementary suppression; check the table by hand."
                    )
                suppressed[pick] = True
                changed = True
        cells = [tuple(c) for c in np.argwhere(suppressed)]
        edges = [(int(i), n_rows + int(j)) for i, j in cells]
        bridges = _bridges(n_rows + n_cols, edges)
        if not bridges:
            return suppressed
        k = bridges[0]
        row_node, col_node = edges[k]
        side = _component(n_rows + n_cols, edges, row_node, skip=k)
        rows_a = {n for n in side if n < n_rows}
        cols_a = {n - n_rows for n in side if n >= n_rows}
        rows_b = set(range(n_rows)) - rows_a
        cols_b = set(range(n_cols)) - cols_a
        candidates = [
            (i, j)
            for i in range(n_rows)
            for j in range(n_cols)
            if not suppressed[i, j]
            and ((i in rows_a and j in cols_b) or (i in rows_b and j in cols_a))
        ]
        pick = _choose_cell(candidates, values)
        if pick is None:  # pragma: no cover - impossible once every line has 0 or >= 2
            log.warning("suppress_crosstab: could not protect a hidden cell; check by hand.")
            return suppressed
        if values[pick] == 0:
            log.warning(
                "suppress_crosstab: a zero cell had to be used as a complementary "
                "suppression; check the table by hand."
            )
        suppressed[pick] = True


def suppress_crosstab(
    ct: pd.DataFrame,
    *,
    min_cell_size: int = 10,
    margins_name: str = "All",
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Hide small counts in a cross-tabulation so none can be recovered from its totals.

    Parameters
    ----------
    ct : pandas.DataFrame
        Wide table of counts, as made by ``pd.crosstab(..., margins=True)``: the last row and
        the last column may be the totals, labelled ``margins_name``.
    min_cell_size : int, default 10
        Smallest count that may be shown.
    margins_name : str, default "All"
        Label of the total row and column (for MultiIndex labels, of their first level).
    suppress_zeros : bool, default False
        Also hide zero counts (see :func:`suppress_small`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``ct`` with the same labels in which every hidden cell, margins included,
        is missing (``<NA>``; dtype ``Int64`` for whole-number counts, else ``Float64``).
        Every missing cell is a suppressed cell.

    Raises
    ------
    TypeError
        If ``ct`` is not a DataFrame, holds non-numeric columns, or ``min_cell_size`` is not
        an integer.
    ValueError
        If ``ct`` is empty, has missing or negative counts, or its margins are not the sums
        of its cells.

    Notes
    -----
    1. *Primary*: every entry, totals included, with ``0 < n < min_cell_size`` is hidden
       (zeros too with ``suppress_zeros``).
    2. *Line rule* (Cox [1]_; ONS / GSS guidance [2]_): a row or column (the total row and
       column included) with exactly one hidden entry would give it away by subtraction, so
       the smallest non-zero shown entry of that line is hidden too, preferring inner cells
       to totals.
    3. *Cycle rule* (audit of Hundepool et al. [3]_, ch. 5): the line rule is not always
       enough; a hidden entry that is a *bridge* of the graph whose nodes are rows and
       columns and whose edges are hidden entries equals a sum of shown values and can be
       recovered. For each bridge, the smallest shown entry joining the two sides is hidden.

    Steps 2-3 repeat until neither applies. Then every hidden entry lies on a cycle of
    hidden positive entries; adding and subtracting 1 around the cycle keeps every total,
    so each hidden count has at least three feasible values. If a zero had to be used as a
    complement (logged as a warning) this guarantee can fail. When ``ct`` has no margins,
    they are computed, protected as if they were published, and left out of the result.

    References
    ----------
    .. [1] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       *Journal of the American Statistical Association*, 75(370), 377-385.
    .. [2] Government Statistical Service (2014). *Disclosure control guidance for tables
       produced from administrative sources*; Office for National Statistics (2021).
       *Statistical disclosure control policy*.
    .. [3] Hundepool, A., et al. (2012). *Statistical Disclosure Control*. Wiley.

    Examples
    --------
    >>> ct = pd.DataFrame({"fear": [3, 20, 30], "clarity": [25, 18, 40]},
    ...                   index=["A", "B", "C"])
    >>> suppress_crosstab(ct, min_cell_size=10)
       fear  clarity
    A  <NA>     <NA>
    B  <NA>     <NA>
    C    30       40
    """
    caller = "suppress_crosstab"
    require_dataframe(ct, parameter="ct", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    if ct.shape[0] == 0 or ct.shape[1] == 0:
        raise ValueError(f"{caller}: 'ct' is empty; there is nothing to suppress.")
    _check_counts(ct, "the cells of 'ct'", caller)
    has_row_total = ct.shape[0] > 1 and _is_margin_label(ct.index[-1], margins_name)
    has_col_total = ct.shape[1] > 1 and _is_margin_label(ct.columns[-1], margins_name)
    data = ct.to_numpy(dtype="float64")
    inner = data[: -1 if has_row_total else None, : -1 if has_col_total else None]
    row_totals = inner.sum(axis=1)
    col_totals = inner.sum(axis=0)
    grand = inner.sum()
    if has_col_total and not np.allclose(data[: inner.shape[0], -1], row_totals):
        raise ValueError(
            f"{caller}: the last column {ct.columns[-1]!r} is labelled as the total but is not "
            "the sum of the row; pass counts, not shares, or fix 'margins_name'."
        )
    if has_row_total and not np.allclose(data[-1, : inner.shape[1]], col_totals):
        raise ValueError(
            f"{caller}: the last row {ct.index[-1]!r} is labelled as the total but is not the "
            "sum of the column; pass counts, not shares, or fix 'margins_name'."
        )
    if has_row_total and has_col_total and not np.isclose(data[-1, -1], grand):
        raise ValueError(f"{caller}: the grand total is not the sum of the cells.")
    full = np.zeros((inner.shape[0] + 1, inner.shape[1] + 1))
    full[:-1, :-1] = inner
    full[:-1, -1] = row_totals
    full[-1, :-1] = col_totals
    full[-1, -1] = grand
    suppressed = _protect(full, _primary(full, min_cell_size, bool(suppress_zeros)))
    keep_rows = full.shape[0] if has_row_total else full.shape[0] - 1
    keep_cols = full.shape[1] if has_col_total else full.shape[1] - 1
    mask = suppressed[:keep_rows, :keep_cols]
    whole = bool(np.all(np.mod(data, 1) == 0))
    out = pd.DataFrame(
        {k: pd.array(data[:, k], dtype="Int64" if whole else "Float64") for k in range(ct.shape[1])}
    )
    out = out.mask(pd.DataFrame(mask))
    out.index = ct.index.copy()
    out.columns = ct.columns.copy()
    n_hidden = int(mask.sum())
    if n_hidden:
        log.info(
            "%s: %d of %d entries suppressed (min_cell_size=%d).",
            caller,
            n_hidden,
            mask.size,
            min_cell_size,
        )
    return out


def suppression_note(min_cell_size: int, *, marker: str = "*") -> str:
    """Footnote explaining the suppression marker of :func:`format_suppressed`.

    Parameters
    ----------
    min_cell_size : int
        The threshold that was used.
    marker : str, default "*"
        The marker shown in suppressed cells.

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        If ``min_cell_size`` is not an integer of at least 1.

    Examples
    --------
    >>> suppression_note(10)
    '* Hidden to protect confidentiality: fewer than 10, or hidden so that another small number cannot be worked out from the totals.'
    """
    min_cell_size = check_int(
        min_cell_size, parameter="min_cell_size", caller="suppression_note", minimum=1
    )
    return (
        f"{marker} Hidden to protect confidentiality: fewer than {min_cell_size}, or hidden so "
        "that another small number cannot be worked out from the totals."
    )


def _format_value(value: Any, float_format: str) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return float_format.format(float(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else str(value)
    return str(value)


def format_suppressed(
    table: pd.DataFrame,
    *,
    marker: str = "*",
    missing: str = "",
    float_format: str = "{:.1f}",
    suppressed_column: str = "suppressed",
) -> pd.DataFrame:
    """Turn a suppressed table into display strings, with a marker in hidden cells.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`suppress_small` (with its ``suppressed`` column) or of
        :func:`suppress_crosstab` (where every missing number is a hidden cell).
    marker : str, default "*"
        Text of a hidden cell. Do not use "0" or "<10": a complementary cell can hold any
        count; explain the marker with :func:`suppression_note`.
    missing : str, default ""
        Text of a cell that is missing for another reason.
    float_format : str, default "{:.1f}"
        Format of non-integer numbers.
    suppressed_column : str, default "suppressed"
        Name of the flag column; it is left out of the result.

    Returns
    -------
    pandas.DataFrame
        Same index and columns (without the flag column), every cell a str.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``marker``/``missing`` are not str.
    ValueError
        If ``float_format`` cannot format a number.

    Notes
    -----
    With a flag column, missing numeric cells of flagged rows show ``marker``; without it,
    every missing numeric cell does. Integers print without decimals, dates as ISO dates.

    Examples
    --------
    >>> out = suppress_small(pd.DataFrame({"site": ["A", "B", "C"], "n": [4, 12, 40]}))
    >>> format_suppressed(out).to_dict("list")
    {'site': ['A', 'B', 'C'], 'n': ['*', '*', '40']}
    """
    caller = "format_suppressed"
    require_dataframe(table, parameter="table", caller=caller)
    for parameter, value in (("marker", marker), ("missing", missing)):
        if not isinstance(value, str):
            raise TypeError(
                f"The '{parameter}' parameter of {caller} must be a str; got "
                f"{type(value).__name__}."
            )
    try:
        float_format.format(1.5)
    except (AttributeError, IndexError, KeyError, ValueError) as err:
        raise ValueError(
            f"The 'float_format' parameter of {caller} must format one number, such as "
            f"'{{:.1f}}'; got {float_format!r} ({err})."
        ) from None
    flags: np.ndarray | None = None
    data = table
    if suppressed_column in table.columns:
        flags = table[suppressed_column].fillna(False).astype(bool).to_numpy()
        data = table.drop(columns=suppressed_column)
    columns: dict[int, list[str]] = {}
    for position in range(data.shape[1]):
        s = data.iloc[:, position]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        absent = s.isna().to_numpy()
        texts = []
        for row, value in enumerate(s.tolist()):
            if absent[row]:
                hidden = numeric and (flags is None or bool(flags[row]))
                texts.append(marker if hidden else missing)
            else:
                texts.append(_format_value(value, float_format))
        columns[position] = texts
    out = pd.DataFrame(columns, index=data.index, dtype=object)
    out.columns = data.columns
    return out


# ---------------------------------------------------------------------------------------------
# Injection-safe exports
# ---------------------------------------------------------------------------------------------


def neutralise_cell(value: Any) -> Any:
    """Defuse a spreadsheet formula: prefix risky strings with a single quote.

    Parameters
    ----------
    value : object
        Any cell value.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is a str starting with ``=``, ``+``, ``-``, ``@``, a
        tab or a carriage return; otherwise ``value`` unchanged (numbers, dates, missing).

    Notes
    -----
    OWASP's CSV Injection guidance [1]_: spreadsheet programs execute a cell that starts
    with one of these characters as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``);
    a leading single quote makes them read it as text. A negative number stored as text
    (``"-5"``) is therefore shown as ``'-5``; keep numbers numeric to avoid that.

    References
    ----------
    .. [1] OWASP Foundation. *CSV Injection*.
       https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> neutralise_cell("=1+1"), neutralise_cell("fine"), neutralise_cell(-3)
    ("'=1+1", 'fine', -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutralise_labels(index: pd.Index) -> pd.Index:
    names = [neutralise_cell(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        tuples = [tuple(neutralise_cell(v) for v in t) for t in index.tolist()]
        return pd.MultiIndex.from_tuples(tuples, names=names) if tuples else index.set_names(names)
    if pd.api.types.is_object_dtype(index.dtype) or isinstance(index.dtype, pd.StringDtype):
        return pd.Index(
            [neutralise_cell(v) for v in index.tolist()], dtype=index.dtype, name=names[0]
        )
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


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every text cell and label passed through :func:`neutralise_cell`.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table.

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
    out = df.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _map_text_column(out.iloc[:, position], neutralise_cell))
    out.columns = _neutralise_labels(out.columns)
    out.index = _neutralise_labels(out.index)
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
    The table goes through :func:`neutralise_frame`, is written to a temporary file in the
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
    data = neutralise_frame(df)
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


def _fit_columns(worksheet: Any, *, max_rows: int = 1000) -> None:
    from openpyxl.utils import get_column_letter

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
    **kwargs: Any,
) -> Path:
    """Write one or more tables to an XLSX workbook, formulas neutralised, atomically.

    Parameters
    ----------
    sheets : DataFrame or dict of str to DataFrame
        A single table (sheet "Sheet1") or sheet name -> table, in order.
    path : str or pathlib.Path
        Destination ending in ``.xlsx``.
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
    Each table goes through :func:`neutralise_frame` (OWASP CSV Injection guidance; openpyxl
    would otherwise store a text starting with ``=`` as a formula). Control characters that
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
                data = neutralise_frame(cleaned)
                options = dict(kwargs)
                if "freeze_panes" not in options:
                    header_rows = data.columns.nlevels
                    if isinstance(data.columns, pd.MultiIndex) and index:
                        header_rows += 1  # pandas adds a row for the index names
                    options["freeze_panes"] = (header_rows, data.index.nlevels if index else 0)
                data.to_excel(writer, sheet_name=name, **options)
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
