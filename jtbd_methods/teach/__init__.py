"""Workshop packs: the notebooks as exercises, worked solutions and model answers, slides,
an agenda of three hours or a day, a facilitator guide and a participants' set-up page.

``jtbd teach --out DIR [--length 3h|day]`` (:func:`write_workshop_pack`). The material is
data in ``templates/teaching/``: ``agenda.yaml`` (the agendas), ``sessions.yaml`` (discussion
prompts, solutions and model-answer templates per notebook), ``FACILITATOR.md.j2`` and
``SETUP.md.j2`` (the pages) and ``jtbd_slides/`` (the slide template).

Modules: :mod:`~jtbd_methods.teach.copies` (participants' and facilitator's copies of a
notebook), :mod:`~jtbd_methods.teach.agenda` (agendas and sessions),
:mod:`~jtbd_methods.teach.sessions` (prompts, solutions, model answers),
:mod:`~jtbd_methods.teach.slides`, :mod:`~jtbd_methods.teach.guide` and
:mod:`~jtbd_methods.teach.pack`. Every public name is importable from here; each module is
imported when one of its names is first used, so that the model-answer cell of a notebook
(``from jtbd_methods.teach import model_answer``) does not load the pack writer, the runner
and nbconvert's exporters.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> the module of this package that defines it
_WHERE = {
    "LENGTHS": "agenda",
    "Agenda": "agenda",
    "Block": "agenda",
    "SessionPlan": "agenda",
    "load_agenda": "agenda",
    "plan_session": "agenda",
    "session_minutes": "agenda",
    "exercise_notebook": "copies",
    "exercise_problems": "copies",
    "solution_notebook": "copies",
    "facilitator_guide": "guide",
    "page_html": "guide",
    "setup_page": "guide",
    "write_workshop_pack": "pack",
    "ModelAnswer": "sessions",
    "SessionNotes": "sessions",
    "add_solutions": "sessions",
    "load_sessions": "sessions",
    "model_answer": "sessions",
    "model_answers": "sessions",
    "mark_slides": "slides",
    "notebook_slides": "slides",
    "slides_index": "slides",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'jtbd_methods.teach' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"jtbd_methods.teach.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
