"""Per-session teaching material: discussion prompts, worked solutions and model answers.

The material is data, in ``templates/teaching/sessions.yaml`` (see the comment at its top):
for each notebook, prompts for the facilitator, the code of a worked solution and a model
answer, a Markdown template whose numbers come from the run. :func:`add_solutions` appends the
solution and a model-answer cell to a notebook (the facilitator's copy); executed, the
model-answer cell shows the answer with the study's numbers (:func:`model_answer`), and
:func:`model_answers` reads the answers back for the facilitator guide.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import yaml

from jtbd_methods.errors import UsageError
from jtbd_methods.resources import teaching_template_dir
from jtbd_methods.teach.copies import _tags

__all__ = ["ModelAnswer", "SessionNotes", "add_solutions", "load_sessions", "model_answer",
           "model_answers"]

MODEL_ANSWER_TAG = "model-answer"


@dataclass(frozen=True)
class SessionNotes:
    """The facilitator's material for one notebook (one entry of ``sessions.yaml``).

    Attributes
    ----------
    number : str
        The notebook's number (``"01"``).
    prompts : tuple of str
        Discussion prompts, in the order of the notebook.
    solution : str
        Code of the worked solution (may be empty).
    answer_template : str
        Markdown (Jinja2) template of the model answer (may be empty).
    answer_values : tuple of str
        Names the template receives from the notebook's namespace.
    answer_when : str
        Python condition under which those names exist (``"ready"``); empty for always.
    """

    number: str
    prompts: tuple[str, ...] = ()
    solution: str = ""
    answer_template: str = ""
    answer_values: tuple[str, ...] = ()
    answer_when: str = ""


def _strings(value: Any, *, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: expected a list of strings; got {value!r}")
    return tuple(value)


def load_sessions(path: str | Path | None = None) -> dict[str, SessionNotes]:
    """Read the per-session material (default: the shipped ``sessions.yaml``).

    Parameters
    ----------
    path : str or Path, optional
        A YAML file laid out as ``templates/teaching/sessions.yaml``.

    Returns
    -------
    dict
        Notebook number -> :class:`SessionNotes`.

    Raises
    ------
    UsageError
        When the file is not a mapping of notebook numbers, or an entry has a wrong type.

    Examples
    --------
    >>> notes = load_sessions()
    >>> sorted(notes) == ["00", "01", "02", "03", "04", "05"]
    True
    >>> all(n.prompts and n.solution and n.answer_template for n in notes.values())
    True
    """
    path = Path(path) if path is not None else teaching_template_dir() / "sessions.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of notebook numbers; got {type(data).__name__}")
    notes = {}
    for number, entry in data.items():
        key = str(number)
        where = f"{path}: {key}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: expected a mapping; got {entry!r}")
        unknown = set(entry) - {"prompts", "solution", "model_answer"}
        if unknown:
            raise UsageError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                "expected prompts, solution, model_answer"
            )
        answer = entry.get("model_answer") or {}
        if not isinstance(answer, dict) or (answer and not isinstance(answer.get("text"), str)):
            raise UsageError(f"{where}: model_answer needs a 'text' template; got {answer!r}")
        solution = entry.get("solution") or ""
        if not isinstance(solution, str):
            raise UsageError(f"{where}: solution must be code (a string); got {solution!r}")
        notes[key] = SessionNotes(
            number=key,
            prompts=_strings(entry.get("prompts"), where=f"{where}: prompts"),
            solution=solution.rstrip(),
            answer_template=str(answer.get("text") or "").strip(),
            answer_values=_strings(answer.get("values"), where=f"{where}: model_answer.values"),
            answer_when=str(answer.get("when") or ""),
        )
    return notes


# --------------------------------------------------------------------------- model answers


def _num(value: Any, digits: int = 1) -> str:
    value = float(value)
    if math.isnan(value):
        return "n/a"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _pct(value: Any, digits: int = 0) -> str:
    return f"{_num(100 * float(value), digits)}%"


def _ci(pair: Sequence[Any], digits: int = 1) -> str:
    low, high = pair
    return f"{_num(low, digits)} to {_num(high, digits)}"


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
_ENV.filters.update(num=_num, pct=_pct, ci=_ci)


@dataclass(frozen=True)
class ModelAnswer:
    """A model answer rendered from the run; shows as Markdown (and HTML) in a notebook.

    Attributes
    ----------
    text : str
        The answer in Markdown.
    """

    text: str

    def _repr_markdown_(self) -> str:
        return f"**Model answer.** {self.text}"

    def _repr_html_(self) -> str:
        from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

        body = MarkdownWithMath(renderer=IPythonRenderer(escape=True)).render(
            self._repr_markdown_()
        )
        return (
            '<div class="jtbd-model-answer" role="note" style="border-left:4px solid #009E73;'
            f'padding:0.5em 1em;margin:0.5em 0;background:#f3f8f5">{body}</div>'
        )

    def __str__(self) -> str:
        return self.text


def model_answer(template: str, /, **values: Any) -> ModelAnswer:
    """Fill a model-answer template with values computed in the run.

    Parameters
    ----------
    template : str
        Markdown with Jinja2 fields. Filters: ``num(d)`` rounds to ``d`` decimals (no
        "-0.0"), ``pct(d)`` shows a 0-1 fraction as a percentage, ``ci(d)`` shows a
        ``(low, high)`` pair as "low to high".
    **values
        The names the template uses.

    Returns
    -------
    ModelAnswer
        Displayed as Markdown in a notebook; ``str()`` gives the text.

    Raises
    ------
    UsageError
        When the template uses a name not given (the message names it).

    Examples
    --------
    >>> str(model_answer("{{ n }} comments, {{ share | pct }} disrupted ({{ ci | ci(2) }}).",
    ...                  n=120, share=0.254, ci=(0.18, 0.331)))
    '120 comments, 25% disrupted (0.18 to 0.33).'
    """
    try:
        text = _ENV.from_string(template).render(**values)
    except jinja2.UndefinedError as exc:
        raise UsageError(f"model_answer: the template uses a value not given ({exc})") from exc
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return ModelAnswer("\n\n".join(p for p in paragraphs if p))


def _answer_cell(notes: SessionNotes) -> Any:
    args = "".join(f"\n    {name}={name}," for name in notes.answer_values)
    call = f'model_answer(\n    """\n{notes.answer_template}\n""",{args}\n)'
    if notes.answer_when:
        body = "\n".join(f"    {line}" if line else line for line in call.splitlines())
        call = f"if {notes.answer_when}:\n    display({body.strip()})"
    source = f"from jtbd_methods.teach import model_answer\n\n{call}"
    return nbformat.v4.new_code_cell(
        source, metadata={"tags": ["solution", MODEL_ANSWER_TAG]}
    )


def add_solutions(notebook: Any, notes: SessionNotes | None) -> Any:
    """The notebook with the session's worked solution and model-answer cells appended.

    The solution goes before the notebook's first ``check`` cell when it has one (so that the
    check prints ``Correct!`` in the facilitator's copy), else at the end; the model answer at
    the end. Both are tagged ``solution``: participants' copies drop them
    (:func:`~jtbd_methods.teach.exercise_notebook`), teaching reports fold them.

    Parameters
    ----------
    notebook : NotebookNode
        Not modified.
    notes : SessionNotes or None
        ``None`` (no material for this notebook) returns an unchanged copy.

    Returns
    -------
    NotebookNode
    """
    nb = copy.deepcopy(notebook)
    if notes is None:
        return nb
    if notes.solution:
        cell = nbformat.v4.new_code_cell(notes.solution, metadata={"tags": ["solution"]})
        checks = [i for i, c in enumerate(nb.cells) if "check" in _tags(c)]
        nb.cells.insert(checks[0] if checks else len(nb.cells), cell)
    if notes.answer_template:
        nb.cells.append(_answer_cell(notes))
    return nb


def model_answers(executed: Any) -> list[str]:
    """The model answers shown by an executed notebook (Markdown, in order).

    Parameters
    ----------
    executed : NotebookNode
        A notebook executed after :func:`add_solutions`.

    Returns
    -------
    list of str
        The Markdown of every model-answer output, without the "Model answer." label.
    """
    found = []
    for cell in executed.cells:
        if cell.cell_type != "code" or MODEL_ANSWER_TAG not in _tags(cell):
            continue
        for output in cell.get("outputs", []):
            text = (output.get("data") or {}).get("text/markdown")
            if text:
                text = "".join(text) if isinstance(text, list) else str(text)
                found.append(text.removeprefix("**Model answer.** ").strip())
    return found

