"""The two copies of a notebook in a workshop pack: the participant's and the facilitator's.

Exercise convention (see also :mod:`jtbd_methods.render`)
---------------------------------------------------------
* A Markdown cell tagged ``exercise`` states the task.
* A code cell tagged ``exercise`` holds ``answer = None`` for the learner to replace.
* A code cell tagged ``solution`` holds the worked answer (``answer = ...``), and one tagged
  ``solution`` and ``model-answer`` the model answer (see :mod:`jtbd_methods.teach.sessions`).
  Participants' copies lose both; where a solution assigns a name that a check cell reads and
  no exercise cell already offers ``name = None``, a blank exercise cell takes its place.
* A code cell tagged ``exercise`` and ``check`` prints ``Correct!`` or a hint.
"""

from __future__ import annotations

import ast
import copy
import os
from typing import Any

import nbformat

__all__ = ["exercise_notebook", "exercise_problems", "solution_notebook"]


def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _assigned_names(source: str) -> list[str]:
    """Names assigned at the top level of ``source`` (in order, without repeats)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else [])
        )
        for t in targets:
            if isinstance(t, ast.Name) and t.id not in names:
                names.append(t.id)
    return names


def _blank_names(nb: Any) -> set[str]:
    """Names that some exercise cell already sets to ``None`` (``answer = None``)."""
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "exercise" not in _tags(cell) or "solution" in _tags(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and node.value.value is None
            ):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _checked_names(nb: Any) -> set[str]:
    """Names that the ``check`` cells read."""
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "check" not in _tags(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        names.update(
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        )
    return names


def _clean(nb: Any) -> Any:
    """A copy without outputs, execution counts or papermill's records."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("jtbd", None)
    out.metadata.pop("papermill", None)
    out.cells = [c for c in out.cells if "injected-parameters" not in _tags(c)]
    return out


def _read(notebook: Any) -> Any:
    if isinstance(notebook, str | os.PathLike):
        return nbformat.read(str(notebook), as_version=4)
    return notebook


def solution_notebook(notebook: Any) -> Any:
    """The facilitator's copy: every cell kept, outputs cleared.

    Parameters
    ----------
    notebook : str, Path or NotebookNode
        Not modified.

    Returns
    -------
    NotebookNode
    """
    return _clean(_read(notebook))


def exercise_notebook(notebook: Any) -> Any:
    """The learner's copy: solutions blanked, outputs cleared.

    Each cell tagged ``solution`` (worked solutions and model answers) is removed; when it
    assigns ``answer`` or a name that a check cell reads, and no exercise cell already sets that
    name to ``None``, it is replaced by an exercise cell that does (``answer = None``), so the
    check cell still runs. Helper names of a solution (``top_job = ...``) leave no blank.

    Parameters
    ----------
    notebook : str, Path or NotebookNode
        Not modified.

    Returns
    -------
    NotebookNode

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("answer = 3", metadata={"tags": ["solution"]})])
    >>> exercise_notebook(nb).cells[0].source
    '# Your answer: replace None, then run the check cell below.\\nanswer = None'
    """
    nb = _clean(_read(notebook))
    offered = _blank_names(nb)
    wanted = _checked_names(nb) | {"answer"}
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if "solution" not in tags:
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue
        names = [
            n for n in _assigned_names(_source(cell)) if n in wanted and n not in offered
        ]
        if names:
            offered.update(names)
            lines = ["# Your answer: replace None, then run the check cell below."]
            lines += [f"{n} = None" for n in names]
            cells.append(
                nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["exercise"]})
            )
    nb.cells = cells
    return nb


def exercise_problems(notebook: Any) -> list[str]:
    """What keeps a notebook's exercises from working in a workshop (empty when none).

    Every exercise needs a worked solution (a ``solution`` cell) for the facilitator's copy.
    An exercise with code to fill in (a code cell tagged ``exercise``) also needs a code cell
    that offers ``answer = None`` (or a solution that can be blanked to one) and a ``check``
    cell. A discussion exercise (a Markdown cell tagged ``exercise`` and no code to fill in)
    needs only the solution, whose model answer says what a good participant concludes.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("answer = None", metadata={"tags": ["exercise"]})])
    >>> exercise_problems(nb)
    ['an exercise has no solution cell (tag solution)', 'an exercise has no check cell (tags exercise + check)']
    """
    nb = _read(notebook)
    tags = [_tags(c) for c in nb.cells]
    kinds = list(zip(nb.cells, tags, strict=True))
    to_fill = any(c.cell_type == "code" and "exercise" in t and "solution" not in t for c, t in kinds)
    asked = to_fill or any(c.cell_type == "markdown" and "exercise" in t for c, t in kinds)
    has_solution = any("solution" in t for t in tags)
    if not asked and not has_solution:
        return []
    problems = []
    if not has_solution:
        problems.append("an exercise has no solution cell (tag solution)")
    if not to_fill:
        return problems
    if not any("check" in t for t in tags):
        problems.append("an exercise has no check cell (tags exercise + check)")
    blanks = _blank_names(nb) | {
        n for c, t in kinds if "solution" in t for n in _assigned_names(_source(c))
    }
    if "answer" not in blanks:
        problems.append("no exercise cell offers 'answer = None'")
    return problems
