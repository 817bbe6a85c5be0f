"""Exceptions raised by jtbd_methods.

Every error a user can cause derives from :class:`JTBDError`, so the command line can turn it
into a one-line message and a non-zero exit code instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class JTBDError(Exception):
    """Base class of the errors a user can cause (bad input, bad parameters)."""

    exit_code: int = 1


class UsageError(JTBDError, ValueError):
    """A command or function was called with an invalid parameter."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in a study folder.

    Attributes
    ----------
    file : str
        File name relative to the study folder (``feedback.csv``).
    row : int or None
        1-based row as a spreadsheet shows it (the header is row 1), or ``None`` when the
        problem concerns the whole file or a column.
    column : str or None
        Column name, or ``None``.
    value : str or None
        The offending value as read (shortened to 60 characters).
    expected : str
        What was expected instead, in plain words.
    rows : tuple of int
        Every row with the same problem (the first five are listed in messages).
    severity : str
        ``"error"`` (the study cannot be used) or ``"warning"`` (kept, but worth a look).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    rows: tuple[int, ...] = field(default=())
    severity: str = "error"

    @property
    def n_rows(self) -> int:
        """Number of rows that have this problem (1 when only ``row`` is set)."""
        return max(len(self.rows), 1 if self.row is not None else 0)

    def where(self) -> str:
        """Location as ``file, row N, column 'c'``."""
        parts = [self.file]
        if self.rows and len(self.rows) > 1:
            shown = ", ".join(str(r) for r in self.rows[:5])
            more = f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else ""
            parts.append(f"rows {shown}{more}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def message(self) -> str:
        """One-line description naming file, row(s), column, value and what was expected."""
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{self.where()}{got}; expected {self.expected}"


class StudyValidationError(JTBDError, ValueError):
    """A study folder has one or more problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem], *, study: str = "") -> None:
        self.problems = list(problems)
        self.study = study
        n = len(self.problems)
        first = self.problems[0].message() if self.problems else "no details"
        extra = (
            f" (and {n - 1} more problem{'s' if n > 2 else ''}; run 'jtbd validate')"
            if n > 1
            else ""
        )
        super().__init__(f"{first}{extra}")
