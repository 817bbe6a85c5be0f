"""``jtbd teach``: write a workshop pack.

:func:`write_workshop_pack` writes::

    DIR/
      SETUP.md, SETUP.html               for participants: one pip install and a check command
      FACILITATOR.md, FACILITATOR.html   agenda with times (3 hours or a day), sessions,
                                         discussion prompts, exercises and model answers
      notebooks/NN_*.ipynb               for participants: solutions removed, outputs cleared
      solutions/NN_*.ipynb               the same with a worked solution and model answer each
      facilitator/                       the solutions executed on the study: teaching edition
                                         (HTML with code, notes, parameters used, solutions)
      slides/NN_*.slides.html, index.html  slides of the executed notebooks, without solutions
      data/samples/recovery_study/       the synthetic sample study (or a copy of --study)

The notebooks keep their ``parameters`` cell, so ``study_dir = "../data/samples/recovery_study"``
works from both ``notebooks/`` and ``solutions/``. Without running (``run=False``) the pack
has no ``facilitator/`` or ``slides/`` and the guide says how to see the model answers.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat

from jtbd_methods._io import check_separate, is_own_output, make_temp_dir, replace_folder
from jtbd_methods.errors import UsageError
from jtbd_methods.resources import checkout_sample_study
from jtbd_methods.runner import resolve_notebooks, run_notebooks
from jtbd_methods.samples import write_sample_study
from jtbd_methods.teach.agenda import LENGTHS, load_agenda, plan_session
from jtbd_methods.teach.copies import (
    _read,
    _source,
    _tags,
    exercise_notebook,
    exercise_problems,
    solution_notebook,
)
from jtbd_methods.teach.guide import facilitator_guide, page_html, setup_page
from jtbd_methods.teach.sessions import add_solutions, load_sessions, model_answers
from jtbd_methods.teach.slides import notebook_slides, slides_index

__all__ = ["write_workshop_pack"]

log = logging.getLogger(__name__)

_SAMPLE_RELATIVE = Path("data") / "samples" / "recovery_study"
_STUDY_DIR_LINE = re.compile(r"^(study_dir\s*(?::\s*str\s*)?=\s*)(['\"]).*?\2", re.M)


def _default_study(scratch: Path) -> Path:
    repo_sample = checkout_sample_study()
    if repo_sample is not None:
        return repo_sample
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
    length: str = "3h",
    agenda: str | Path | None = None,
    sessions: str | Path | None = None,
    run: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write a workshop pack: notebooks, solutions, slides, a study, set-up and facilitator guide.

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
    length : str, default "3h"
        Which agenda of ``agenda``: ``"3h"`` or ``"day"`` in the shipped file.
    agenda : str or Path, optional
        Agenda file (default ``templates/teaching/agenda.yaml``).
    sessions : str or Path, optional
        Prompts, solutions and model answers (default ``templates/teaching/sessions.yaml``).
    run : bool, default True
        Execute the facilitator's notebooks on the study: the teaching edition in
        ``facilitator/``, the slides, and the model answers in the guide come from this run.
    overwrite : bool, default False
        Replace an existing workshop pack at ``out`` (never a folder of something else).

    Returns
    -------
    Path
        The pack folder.

    Raises
    ------
    UsageError
        When ``out`` exists and is not empty (without ``overwrite``), when no notebook is
        found, when ``study`` has no ``study.yaml``, or when the agenda does not add up or
        does not cover the notebooks (see :func:`~jtbd_methods.teach.load_agenda`).
    NotebookFailed
        When a notebook fails in the run; no pack is written.

    Notes
    -----
    The pack is written to a temporary folder beside ``out`` and moved into place only when
    complete, so a failure leaves no half-written pack. Inputs are never modified.
    """
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
    numbers = [p.stem[:2] for p in paths]
    plan = load_agenda(length, path=agenda, notebooks=numbers)
    others = [n for n in LENGTHS if n != length] if agenda is None else []
    other = load_agenda(others[0], notebooks=numbers) if others else None
    notes = load_sessions(sessions)

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
        plans, exercises = [], {}
        for path in paths:
            nb = _read(path)
            number = path.stem[:2]
            participant = _set_study_dir(exercise_notebook(nb), study_dir)
            facilitator = _set_study_dir(add_solutions(solution_notebook(nb), notes.get(number)), study_dir)
            nbformat.write(participant, str(tmp / "notebooks" / path.name))
            nbformat.write(facilitator, str(tmp / "solutions" / path.name))
            # the facilitator's copy holds the solutions: check that one
            session = replace(plan_session(path), problems=tuple(exercise_problems(facilitator)))
            for problem in session.problems:
                log.warning("%s: %s", path.name, problem)
            plans.append(session)
            exercises[number] = [
                re.sub(r"^#+\s.*$", "", _source(c), flags=re.M).strip()
                for c in nb.cells
                if c.cell_type == "markdown" and "exercise" in _tags(c)
            ]
        answers: dict[str, list[str]] = {}
        if run:
            answers = _run_and_slide(tmp, relative, paths, plans, notes)
        label = (
            "the synthetic sample study" if study is None else f"the study in data/{source_study.name}"
        )
        guide = facilitator_guide(
            plan,
            plans,
            sessions=notes,
            answers=answers,
            exercises=exercises,
            ran=run,
            other_length=other,
            study_label=label,
            study_path=relative.as_posix(),
        )
        (tmp / "FACILITATOR.md").write_text(guide, encoding="utf-8")
        (tmp / "FACILITATOR.html").write_text(
            page_html(guide, title="Facilitator guide"), encoding="utf-8"
        )
        setup = setup_page(study_path=relative.as_posix())
        (tmp / "SETUP.md").write_text(setup, encoding="utf-8")
        (tmp / "SETUP.html").write_text(page_html(setup, title="Set-up"), encoding="utf-8")
        shutil.rmtree(scratch)
        replace_folder(tmp, out, is_ours=_is_pack)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _run_and_slide(
    tmp: Path, relative: Path, paths: Sequence[Path], plans: Sequence[Any], notes: dict
) -> dict[str, list[str]]:
    """Execute the facilitator's copies (teaching edition), write slides; return model answers."""
    solutions = [tmp / "solutions" / p.name for p in paths]
    log.info("running %d notebook(s) on the study for the facilitator's edition", len(solutions))
    run_notebooks(solutions, study=tmp / relative, out=tmp / "facilitator", audience="teaching")
    (tmp / "slides").mkdir()
    answers, entries = {}, []
    for path, plan in zip(paths, plans, strict=True):
        executed = _read(tmp / "facilitator" / path.stem / f"{path.stem}.ipynb")
        answers[plan.number] = model_answers(executed)
        prompts = notes[plan.number].prompts if plan.number in notes else ()
        name = f"{path.stem}.slides.html"
        (tmp / "slides" / name).write_text(
            notebook_slides(executed, title=plan.title, notes=prompts), encoding="utf-8"
        )
        entries.append((name, f"{plan.number} {plan.title}"))
    (tmp / "slides" / "index.html").write_text(slides_index(entries), encoding="utf-8")
    return answers
