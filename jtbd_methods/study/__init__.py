"""The study folder: loading, typing and validating every input file.

A study folder holds ``study.yaml`` and at least one data file (``feedback.csv``,
``survey.csv``, ``staff.csv``, ``actions.csv``; optional ``second_coding.csv``); any table may
come as ``.xlsx`` instead (first sheet, or the one named under ``sheets:`` in ``study.yaml``). See
``DESIGN.md`` for the contract. :func:`load_study` returns a :class:`Study` of typed pandas
DataFrames; :func:`validate` returns every problem at once, each naming file, spreadsheet
row, column, the value and what was expected.

Loading never writes to the study folder. Files may be UTF-8, UTF-8 with a byte-order mark
or Windows-1252; anything else is reported as an unknown encoding.

Modules: ``model`` (:class:`Study`, :class:`StudyConfig`, :class:`ValidationReport`, the
contract's constants), ``reading`` (encodings, CSV and XLSX as text), ``schema`` (typed
columns per file, pandera contracts), ``config`` (``study.yaml``) and ``loader``
(:func:`validate`, :func:`load_study`); every public name is importable from here.
"""

from jtbd_methods.study.loader import iter_problem_lines, load_study, validate
from jtbd_methods.study.model import (
    DATA_FILES,
    MAX_COMMENT_CHARS,
    Study,
    StudyConfig,
    ValidationReport,
)

__all__ = [
    "DATA_FILES",
    "MAX_COMMENT_CHARS",
    "Study",
    "StudyConfig",
    "ValidationReport",
    "iter_problem_lines",
    "load_study",
    "validate",
]
