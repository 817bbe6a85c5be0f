"""Workshop agendas (3 hours, a full day) read from data, and each notebook as a session.

The agendas live in ``templates/teaching/agenda.yaml``: for each length, blocks in order (a
notebook session, a break or a plenary) with their minutes. :func:`load_agenda` checks that
the minutes add up to the length and that every notebook of the pack is taught or set as
take-home; :meth:`Agenda.schedule` gives each block its clock times.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jtbd_methods.errors import UsageError
from jtbd_methods.render import describe_notebook
from jtbd_methods.resources import teaching_template_dir
from jtbd_methods.teach.copies import _read, _source, _tags, exercise_problems

__all__ = [
    "LENGTHS",
    "Agenda",
    "Block",
    "SessionPlan",
    "load_agenda",
    "plan_session",
    "session_minutes",
]

#: The lengths of workshop the shipped agenda offers (``jtbd teach --length``).
LENGTHS = ("3h", "day")
_EXERCISE_MODES = ("in session", "take home")


@dataclass(frozen=True)
class Block:
    """One block of an agenda.

    Attributes
    ----------
    kind : {"notebook", "break", "plenary"}
    title : str
        The break's or plenary's title; the notebook's number for a session.
    minutes : int
    exercise : str
        For a session, ``"in session"`` or ``"take home"``; empty otherwise.
    focus : str
        What to show when time is short (sessions; may be empty).
    notes : str
        Facilitator's notes (may be empty).
    """

    kind: str
    title: str
    minutes: int
    exercise: str = ""
    focus: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Agenda:
    """A workshop of one length: blocks in order, a start time and the notebooks set as homework.

    Attributes
    ----------
    length, title : str
    start : datetime.time
    minutes : int
        Total length; the blocks' minutes add up to it.
    blocks : tuple of Block
    take_home : tuple of str
        Numbers of notebooks not taught in a session, whose exercise is homework.
    """

    length: str
    title: str
    start: dt.time
    minutes: int
    blocks: tuple[Block, ...]
    take_home: tuple[str, ...] = ()

    @property
    def notebooks(self) -> tuple[str, ...]:
        """Numbers of the notebooks taught in a session, in order."""
        return tuple(b.title for b in self.blocks if b.kind == "notebook")

    def schedule(self) -> list[tuple[str, str, Block]]:
        """Each block with its start and end times (``"13:30"``), in order.

        Examples
        --------
        >>> agenda = load_agenda("3h")
        >>> first, *_, last = agenda.schedule()
        >>> first[0], last[1]
        ('13:30', '16:30')
        """
        clock = dt.datetime.combine(dt.date(2000, 1, 1), self.start)
        rows = []
        for block in self.blocks:
            end = clock + dt.timedelta(minutes=block.minutes)
            rows.append((clock.strftime("%H:%M"), end.strftime("%H:%M"), block))
            clock = end
        return rows


def _block(entry: Any, *, where: str) -> Block:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected a mapping; got {entry!r}")
    kinds = [k for k in ("notebook", "break", "plenary") if k in entry]
    if len(kinds) != 1:
        raise UsageError(f"{where}: a block has exactly one of notebook, break, plenary; got {entry!r}")
    kind = kinds[0]
    minutes = entry.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise UsageError(f"{where}: minutes must be a positive whole number; got {minutes!r}")
    exercise = str(entry.get("exercise") or ("in session" if kind == "notebook" else ""))
    if kind == "notebook" and exercise not in _EXERCISE_MODES:
        raise UsageError(
            f"{where}: exercise must be one of {', '.join(_EXERCISE_MODES)}; got {exercise!r}"
        )
    return Block(
        kind=kind,
        title=str(entry[kind]).zfill(2) if kind == "notebook" else str(entry[kind]),
        minutes=minutes,
        exercise=exercise if kind == "notebook" else "",
        focus=str(entry.get("focus") or "").strip(),
        notes=str(entry.get("notes") or "").strip(),
    )


def load_agenda(
    length: str = "3h",
    *,
    path: str | Path | None = None,
    notebooks: Sequence[str] | None = None,
) -> Agenda:
    """Read one length of workshop from the agenda file and check that it adds up.

    Parameters
    ----------
    length : str, default "3h"
        A key of the file's ``lengths`` (the shipped file has ``"3h"`` and ``"day"``).
    path : str or Path, optional
        Default: the shipped ``templates/teaching/agenda.yaml``.
    notebooks : sequence of str, optional
        Numbers of the notebooks in the pack (``"00"``); when given, each must be taught in
        a session or listed under ``take_home``, and the agenda may name no other.

    Returns
    -------
    Agenda

    Raises
    ------
    UsageError
        Unknown length; a block that is not a notebook, break or plenary, or whose minutes are
        not a positive whole number; minutes that do not add up to the length's ``minutes``;
        a notebook of the pack the agenda forgets, or one it names that the pack lacks.

    Examples
    --------
    >>> agenda = load_agenda("day")
    >>> agenda.minutes, sum(b.minutes for b in agenda.blocks)
    (420, 420)
    """
    path = Path(path) if path is not None else teaching_template_dir() / "agenda.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {exc}") from exc
    lengths = data.get("lengths") if isinstance(data, dict) else None
    if not isinstance(lengths, dict) or not lengths:
        raise UsageError(f"{path}: expected a 'lengths' mapping of agendas")
    if length not in lengths:
        raise UsageError(
            f"unknown workshop length {length!r}; {path.name} offers {', '.join(map(str, lengths))}"
        )
    entry = lengths[length] or {}
    where = f"{path}: lengths.{length}"
    blocks = tuple(
        _block(b, where=f"{where}.blocks[{i + 1}]") for i, b in enumerate(entry.get("blocks") or [])
    )
    total = entry.get("minutes")
    added = sum(b.minutes for b in blocks)
    if not blocks or added != total:
        raise UsageError(
            f"{where}: the blocks add up to {added} minutes but the length says {total!r}"
        )
    start = str(entry.get("start") or "09:00")
    try:
        start_time = dt.time.fromisoformat(start)
    except ValueError as exc:
        raise UsageError(f"{where}.start: expected a time such as 09:30; got {start!r}") from exc
    take_home = tuple(str(n).zfill(2) for n in entry.get("take_home") or ())
    agenda = Agenda(
        length=length,
        title=str(entry.get("title") or length),
        start=start_time,
        minutes=added,
        blocks=blocks,
        take_home=take_home,
    )
    taught = agenda.notebooks
    repeated = sorted({n for n in taught + take_home if (taught + take_home).count(n) > 1})
    if repeated:
        raise UsageError(f"{where}: notebook(s) {', '.join(repeated)} appear more than once")
    if notebooks is not None:
        wanted = [str(n) for n in notebooks]
        forgotten = [n for n in wanted if n not in taught + take_home]
        unknown = [n for n in taught + take_home if n not in wanted]
        if forgotten:
            raise UsageError(
                f"{where}: notebook(s) {', '.join(forgotten)} of the pack are neither taught nor "
                "set as take_home"
            )
        if unknown:
            raise UsageError(
                f"{where}: names notebook(s) {', '.join(unknown)} that the pack does not hold"
            )
    return agenda


# =========================================================================== one session


@dataclass(frozen=True)
class SessionPlan:
    """One notebook as a workshop session.

    Attributes
    ----------
    stem, title, description : str
        File stem, report title and one-line description.
    minutes : int
        Estimated length when taught in full (:func:`session_minutes`).
    goals : tuple of str
        Learning goals.
    exercises : tuple of str
        The exercise prompts (first sentence of each).
    problems : tuple of str
        From :func:`~jtbd_methods.teach.exercise_problems`.
    """

    stem: str
    title: str
    description: str
    minutes: int
    goals: tuple[str, ...]
    exercises: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def number(self) -> str:
        """The notebook's number (the first two characters of its stem)."""
        return self.stem[:2]


def session_minutes(notebook: Any) -> int:
    """Minutes to teach a notebook in full: ``metadata.jtbd.teach.minutes`` or an estimate.

    The estimate is 10 minutes to introduce the report, 5 per teaching note, 15 per exercise
    and 1 per other code cell, rounded up to 5 minutes. The agenda's blocks, not this
    estimate, fix the timings of a workshop; the guide shows both.

    Examples
    --------
    >>> import nbformat
    >>> session_minutes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    15
    """
    nb = _read(notebook)
    teach = (nb.metadata.get("jtbd") or {}).get("teach") or {}
    if isinstance(teach.get("minutes"), int) and teach["minutes"] > 0:
        return int(teach["minutes"])
    n_teaching = sum(1 for c in nb.cells if c.cell_type == "markdown" and "teaching" in _tags(c))
    n_exercises = sum(1 for c in nb.cells if c.cell_type == "markdown" and "exercise" in _tags(c))
    n_code = sum(
        1
        for c in nb.cells
        if c.cell_type == "code" and not _tags(c) & {"parameters", "exercise", "solution", "check"}
    )
    minutes = 10 + 5 * n_teaching + 15 * n_exercises + n_code
    return int(-(-minutes // 5) * 5)


def _first_sentence(markdown: str) -> str:
    """The task of an exercise cell: its first sentence, or first two when the first is short."""
    text = re.sub(r"^#+\s.*$", "", markdown, flags=re.M)
    text = " ".join(re.sub(r"[*_`]", "", text).split())
    sentences = re.findall(r"[^.?!]+[.?!]+(?=\s|$)", text) or [text]
    task = sentences[0].strip()
    if len(task) < 40 and len(sentences) > 1:
        task = f"{task} {sentences[1].strip()}"
    return task[:200]


def plan_session(notebook: str | Path) -> SessionPlan:
    """Title, description, length, goals and exercises of one notebook.

    Parameters
    ----------
    notebook : str or Path

    Returns
    -------
    SessionPlan
    """
    path = Path(notebook)
    nb = _read(path)
    info = describe_notebook(path)
    teach = (nb.metadata.get("jtbd") or {}).get("teach") or {}
    goals = tuple(str(g) for g in teach.get("goals") or ())
    if not goals:
        found = []
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "teaching" in _tags(cell):
                m = re.search(r"^#+\s+(.+?)\s*$", _source(cell), re.M)
                if m:
                    goal = re.sub(r"^teaching note\s*[:—–-]\s*", "", m.group(1), flags=re.I).strip()
                    found.append(goal[:1].upper() + goal[1:])
        goals = tuple(found)
    exercises = tuple(
        _first_sentence(_source(c))
        for c in nb.cells
        if c.cell_type == "markdown" and "exercise" in _tags(c)
    )
    return SessionPlan(
        stem=path.stem,
        title=info["title"],
        description=info["description"],
        minutes=session_minutes(nb),
        goals=goals,
        exercises=exercises,
        problems=tuple(exercise_problems(nb)),
    )
