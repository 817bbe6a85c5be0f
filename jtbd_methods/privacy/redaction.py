"""Redaction of personal identifiers in free text.

:func:`redact` and :func:`redact_with_counts` replace NHS numbers, UK phone numbers, e-mail
addresses, UK postcodes, dates of birth, listed names and names no list holds
(:func:`jtbd_methods.names.find_names`) by placeholders such as ``[NHS number]``;
:func:`redact_for_study` applies a study's settings and :func:`redaction_statement` words
what was removed for a report.

References
----------
.. [1] NHS England. *NHS Data Dictionary*, data element "NHS Number" (check digit validated
   by the Modulus 11 algorithm). https://www.datadictionary.nhs.uk/
.. [2] Royal Mail. *Programmers' Guide to the Postcode Address File* (postcode formats), and
   Office for National Statistics, *ONS Postcode Directory User Guide*.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._validation import check_int
from jtbd_methods.names import find_names

__all__ = [
    "KINDS",
    "is_valid_nhs_number",
    "redact",
    "redact_for_study",
    "redact_with_counts",
    "redaction_statement",
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
