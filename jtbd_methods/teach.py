"""Workshop packs: the notebooks as exercises, their solutions, a study and a facilitator guide.

``jtbd teach --out DIR`` (:func:`write_workshop_pack`) writes::

    DIR/
      FACILITATOR.md, FACILITATOR.html   one-page guide: agenda, timings, learning goals, set-up
      notebooks/NN_*.ipynb               for learners: solutions blanked, outputs cleared
      solutions/NN_*.ipynb               the same notebooks with their worked solutions
      data/samples/recovery_study/       the synthetic sample study (or a copy of --study)

The notebooks keep their ``parameters`` cell, so ``study_dir = "../data/samples/recovery_study"``
works from both ``notebooks/`` and ``solutions/``.

Exercise convention (see also :mod:`jtbd_methods.render`)
---------------------------------------------------------
* A Markdown cell tagged ``exercise`` states the task.
* A code cell tagged ``exercise`` holds ``answer = None`` for the learner to replace.
* A code cell tagged ``solution`` holds the worked answer (``answer = ...``). Learners' copies
  lose it; where no exercise cell already offers ``answer = None``, it is replaced by one.
* A code cell tagged ``exercise`` and ``check`` prints ``Correct!`` or a hint.

Optional notebook metadata ``{"jtbd": {"teach": {"minutes": 40, "goals": ["..."]}}}`` sets the
session's length and learning goals; without it the guide estimates the length (see
:func:`session_minutes`) and takes the goals from the teaching notes' headings.
"""

from __future__ import annotations

import ast
import copy
import logging
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jtbd_methods._io import check_separate, is_own_output, make_temp_dir, replace_folder
from jtbd_methods.errors import UsageError
from jtbd_methods.resources import checkout_sample_study

__all__ = [
    "SessionPlan",
    "exercise_notebook",
    "exercise_problems",
    "facilitator_guide",
    "plan_session",
    "session_minutes",
    "solution_notebook",
    "write_workshop_pack",
]

log = logging.getLogger(__name__)

_SAMPLE_RELATIVE = Path("data") / "samples" / "recovery_study"
_STUDY_DIR_LINE = re.compile(r"^(study_dir\s*(?::\s*str\s*)?=\s*)(['\"]).*?\2", re.M)
_BREAK_AFTER = 90  # minutes of teaching before a break is scheduled
_BREAK = 15


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
    import nbformat

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

    Each cell tagged ``solution`` is removed; when it assigns names (``answer = 3``) that no
    exercise cell already sets to ``None``, it is replaced by an exercise cell that does
    (``answer = None``), so the check cell still runs.

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
    import nbformat

    nb = _clean(_read(notebook))
    offered = _blank_names(nb)
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if "solution" not in tags:
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue
        names = [n for n in _assigned_names(_source(cell)) if n not in offered]
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

    An exercise with code needs a code cell that offers ``answer = None`` (or a solution that
    can be blanked to one), a ``check`` cell, and a ``solution`` cell for the facilitator's
    copy. A discussion exercise (a Markdown cell tagged ``exercise`` and no code) needs none.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("answer = None", metadata={"tags": ["exercise"]})])
    >>> exercise_problems(nb)
    ['an exercise has no check cell (tags exercise + check)', 'an exercise has no solution cell (tag solution)']
    """
    nb = _read(notebook)
    tags = [_tags(c) for c in nb.cells]
    coded = any(
        c.cell_type == "code" and ("exercise" in t or "solution" in t)
        for c, t in zip(nb.cells, tags, strict=True)
    )
    if not coded:  # no exercise, or a discussion question without code
        return []
    problems = []
    if not any("check" in t for t in tags):
        problems.append("an exercise has no check cell (tags exercise + check)")
    has_solution = any("solution" in t for t in tags)
    if not has_solution:
        problems.append("an exercise has no solution cell (tag solution)")
    blanks = _blank_names(nb) | {
        n
        for c, t in zip(nb.cells, tags, strict=True)
        if "solution" in t
        for n in _assigned_names(_source(c))
    }
    if "answer" not in blanks:
        problems.append("no exercise cell offers 'answer = None'")
    return problems


# =========================================================================== the guide


@dataclass(frozen=True)
class SessionPlan:
    """One notebook as a workshop session.

    Attributes
    ----------
    stem, title, description : str
        File stem, report title and one-line description.
    minutes : int
        Planned length.
    goals : tuple of str
        Learning goals.
    exercises : tuple of str
        The exercise prompts (first sentence of each).
    problems : tuple of str
        From :func:`exercise_problems`.
    """

    stem: str
    title: str
    description: str
    minutes: int
    goals: tuple[str, ...]
    exercises: tuple[str, ...]
    problems: tuple[str, ...]


def session_minutes(notebook: Any) -> int:
    """Planned minutes of a session: ``metadata.jtbd.teach.minutes`` or an estimate.

    The estimate is 10 minutes to introduce the report, 5 per teaching note, 15 per exercise
    and 1 per other code cell, rounded up to 5 minutes.

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
    from jtbd_methods.render import describe_notebook

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


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def facilitator_guide(
    plans: Sequence[SessionPlan],
    *,
    study_label: str = "the synthetic sample study",
    study_path: str = "data/samples/recovery_study",
) -> str:
    """The one-page facilitator guide (Markdown): agenda, timings, goals and how to run.

    Parameters
    ----------
    plans : sequence of SessionPlan
        One per notebook, in teaching order.
    study_label : str
        How the guide names the study the pack works on.
    study_path : str
        The study's folder inside the pack.

    Returns
    -------
    str
    """
    rows, clock, since_break = [], 0, 0
    for plan in plans:
        if since_break >= _BREAK_AFTER:
            rows.append(f"| {_clock(clock)}–{_clock(clock + _BREAK)} | Break | {_BREAK} | | |")
            clock += _BREAK
            since_break = 0
        exercise = "; ".join(plan.exercises) if plan.exercises else "—"
        goals = "; ".join(plan.goals) or plan.description
        cells = [f"**{plan.stem[:2]}** {plan.title}", str(plan.minutes), goals, exercise]
        rows.append(
            f"| {_clock(clock)}–{_clock(clock + plan.minutes)} | "
            + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells)
            + " |"
        )
        clock += plan.minutes
        since_break += plan.minutes
    total = clock
    lines = [
        "# Facilitator guide: Jobs-to-be-Done for patient experience",
        "",
        f"A hands-on workshop on {study_label}: {len(plans)} session{'s' if len(plans) != 1 else ''}, "
        f"about {total // 60} h {total % 60:02d} min including breaks. Each session is one notebook: "
        "learners run it top to bottom, read the teaching notes, then do its exercise.",
        "",
        "## Agenda",
        "",
        "| time | session | minutes | learning goals | exercise |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Times are estimates (10 minutes to introduce a session, 5 per teaching note, 15 per "
        "exercise); a notebook's `metadata.jtbd.teach.minutes` overrides them.",
        "",
        "## How to run the workshop",
        "",
        "1. **Before the day** install the package on every machine (`make lab` in a checkout of the "
        "repository, or `python -m pip install -e '.[dev]'` there), copy this folder, and run `jtbd run all --study "
        f"{study_path} --out check_reports` once to see that every notebook runs.",
        "2. **Learners** open `notebooks/` with `jupyter lab notebooks/`, run each notebook top to bottom "
        "(Run ▸ Run All Cells), then do the exercise: replace `answer = None` with their answer and run "
        "the check cell, which prints `Correct!` or a hint.",
        "3. **Solutions** are in `solutions/`: the same notebooks with the worked answers. Hand them "
        "out after each exercise, not before.",
        f"4. **Reading version**: `jtbd run all --study {study_path} --out teaching_reports "
        "--audience teaching` writes HTML pages with the code, the teaching notes as boxes and each "
        "solution folded; the same command with `--audience client` shows what a client would receive.",
        (
            "5. **The data** in `data/samples/recovery_study/` are synthetic. Its `README.md` and "
            "`_truth/` folder list the planted truths (which jobs, segments and effects were built "
            "in): use them to discuss whether a method found what was planted. Remove `_truth/` from "
            "learners' copies if the answers should stay hidden."
            if study_path == _SAMPLE_RELATIVE.as_posix()
            else f"5. **The data** are in `{study_path}/`: check with the study's owner that they "
            "may be used in a workshop, and that quotes are redacted."
        ),
    ]
    problems = [(plan, p) for plan in plans for p in plan.problems]
    if problems:
        lines += ["", "## Check before the day", ""]
        lines += [f"- **{plan.stem}**: {problem}." for plan, problem in problems]
    return "\n".join(lines).rstrip() + "\n"


def _guide_html(markdown: str) -> str:
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    from jtbd_methods.render import CSP, TEMPLATE_DIR

    body = MarkdownWithMath(
        renderer=IPythonRenderer(escape=True, exclude_anchor_links=True)
    ).render(markdown)
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    css += (
        ".jtbd-guide table{border-collapse:collapse;font-size:.92rem}.jtbd-guide th,.jtbd-guide td"
        "{padding:.35rem .6rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}"
        ".jtbd-guide thead th{border-bottom:2px solid #1f2328}"
        ".jtbd-guide tbody tr:nth-child(even){background:#f3f5f8}main.jtbd-guide>*{max-width:62rem}"
        ".jtbd-guide td:first-child{white-space:nowrap}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>Facilitator guide</title><style>{css}</style></head>"
        f'<body><main class="jtbd-guide" style="padding-top:1.5rem">{body}</main></body></html>'
    )


# =========================================================================== the pack


def _default_study(scratch: Path) -> Path:
    repo_sample = checkout_sample_study()
    if repo_sample is not None:
        return repo_sample
    from jtbd_methods.samples import write_sample_study

    log.info("the sample study is not in the repository; generating it (seed 2026)")
    return write_sample_study(scratch / "recovery_study", seed=2026)


def _set_study_dir(nb: Any, relative: str) -> Any:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in _tags(cell):
            cell.source = _STUDY_DIR_LINE.sub(
                lambda m: f'{m.group(1)}"{relative}"', _source(cell), count=1
            )
    return nb


def _is_pack(folder: Path) -> bool:
    """An empty folder or a workshop pack (recognised by its facilitator guide)."""
    return is_own_output(folder) or (folder / "FACILITATOR.md").is_file()


def write_workshop_pack(
    out: str | Path,
    *,
    notebooks: Sequence[str | Path] | None = None,
    study: str | Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a workshop pack: exercise notebooks, solutions, a study and the facilitator guide.

    Parameters
    ----------
    out : str or Path
        Folder to create; it must not exist or be empty unless ``overwrite``.
    notebooks : sequence of paths, optional
        Default: every shipped notebook (``jtbd run all``'s list).
    study : str or Path, optional
        Study folder to copy; default the synthetic sample study (generated when the
        repository does not hold it). Another study is copied to ``data/<its name>/`` and
        the notebooks' ``study_dir`` is pointed at it.
    overwrite : bool, default False
        Replace an existing, non-empty ``out``.

    Returns
    -------
    Path
        The pack folder.

    Raises
    ------
    UsageError
        When ``out`` exists and is not empty (without ``overwrite``), when no notebook is
        found, or when ``study`` has no ``study.yaml``.

    Notes
    -----
    The pack is written to a temporary folder beside ``out`` and moved into place only when
    complete, so a failure leaves no half-written pack. Inputs are never modified.
    """
    import nbformat

    from jtbd_methods.runner import resolve_notebooks

    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise UsageError(
            f"{out} already exists and is not empty; choose a new folder or pass --overwrite"
        )
    paths = [Path(p) for p in notebooks] if notebooks is not None else resolve_notebooks("all")
    if not paths:
        raise UsageError("write_workshop_pack: no notebooks to pack")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"write_workshop_pack: notebook(s) not found: {', '.join(missing)}")
    if study is not None and not (Path(study) / "study.yaml").is_file():
        raise UsageError(f"write_workshop_pack: {study} is not a study folder (no study.yaml)")
    if study is not None:
        check_separate(out, {"the study folder": Path(study)})

    out.parent.mkdir(parents=True, exist_ok=True)
    # no marker: the pack goes to participants, and its FACILITATOR.md identifies it
    tmp = make_temp_dir(prefix=f".{out.name}.", dir=out.parent, marker=False)
    try:
        scratch = tmp / ".scratch"
        scratch.mkdir()
        source_study = Path(study).resolve() if study is not None else _default_study(scratch)
        relative = _SAMPLE_RELATIVE if study is None else Path("data") / source_study.name
        shutil.copytree(source_study, tmp / relative)
        study_dir = "../" + relative.as_posix()
        (tmp / "notebooks").mkdir()
        (tmp / "solutions").mkdir()
        plans = []
        for path in paths:
            nb = _read(path)
            exercise = _set_study_dir(exercise_notebook(nb), study_dir)
            solution = _set_study_dir(solution_notebook(nb), study_dir)
            nbformat.write(exercise, str(tmp / "notebooks" / path.name))
            nbformat.write(solution, str(tmp / "solutions" / path.name))
            plan = plan_session(path)
            for problem in plan.problems:
                log.warning("%s: %s", path.name, problem)
            plans.append(plan)
        label = (
            "the synthetic sample study"
            if study is None
            else f"the study in data/{source_study.name}"
        )
        guide = facilitator_guide(plans, study_label=label, study_path=relative.as_posix())
        (tmp / "FACILITATOR.md").write_text(guide, encoding="utf-8")
        (tmp / "FACILITATOR.html").write_text(_guide_html(guide), encoding="utf-8")
        shutil.rmtree(scratch)
        replace_folder(tmp, out, is_ours=_is_pack)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out
