"""The pack's pages: the facilitator guide and the participants' set-up, in Markdown and HTML.

Both are Jinja2 templates in ``templates/teaching/`` (``FACILITATOR.md.j2``, ``SETUP.md.j2``);
this module gathers what they show (agenda, sessions, prompts, model answers) and renders them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from jtbd_methods import __version__
from jtbd_methods.render import CSP, TEMPLATE_DIR
from jtbd_methods.resources import teaching_template_dir
from jtbd_methods.teach.agenda import Agenda, SessionPlan
from jtbd_methods.teach.sessions import SessionNotes

__all__ = ["facilitator_guide", "page_html", "setup_page"]

SAMPLE_PATH = "data/samples/recovery_study"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(teaching_template_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda text: " ".join(str(text).replace("|", "/").split())
    env.filters["oneline"] = lambda text: " ".join(str(text).split())
    return env


def facilitator_guide(
    agenda: Agenda,
    plans: Sequence[SessionPlan],
    *,
    sessions: Mapping[str, SessionNotes] | None = None,
    answers: Mapping[str, Sequence[str]] | None = None,
    exercises: Mapping[str, Sequence[str]] | None = None,
    ran: bool = True,
    other_length: Agenda | None = None,
    study_label: str = "the synthetic sample study",
    study_path: str = SAMPLE_PATH,
) -> str:
    """The facilitator guide (Markdown): agenda with times, sessions, prompts, model answers.

    Parameters
    ----------
    agenda : Agenda
        From :func:`~jtbd_methods.teach.load_agenda`.
    plans : sequence of SessionPlan
        One per notebook of the pack.
    sessions : mapping, optional
        Notebook number -> :class:`~jtbd_methods.teach.SessionNotes` (prompts).
    answers : mapping, optional
        Notebook number -> model answers read from the executed notebook.
    exercises : mapping, optional
        Notebook number -> full text of its exercises (default: their first sentences).
    ran : bool, default True
        Whether the notebooks were executed (otherwise the guide says how to see the answers).
    other_length : Agenda, optional
        The other length on offer, mentioned in the introduction.
    study_label, study_path : str
        How the guide names the study, and its folder inside the pack.

    Returns
    -------
    str
    """
    by_number = {p.number: p for p in plans}
    in_session = [b for b in agenda.blocks if b.kind == "notebook" and b.exercise == "in session"]
    take_home = list(agenda.take_home) + [
        b.title for b in agenda.blocks if b.kind == "notebook" and b.exercise == "take home"
    ]
    homework = [n for n in dict.fromkeys(take_home) if n in by_number]
    synthetic = study_path == SAMPLE_PATH
    data_note = (
        f"**The data** in `{study_path}/` are synthetic. Its `README.md` and `_truth/` folder list "
        "the planted truths (which jobs, segments and effects were built in): use them to discuss "
        "whether a method found what was planted. Remove `_truth/` from participants' copies if "
        "the answers should stay hidden."
        if synthetic
        else f"**The data** are in `{study_path}/`: check with the study's owner that they may be "
        "used in a workshop, and that quotes are redacted."
    )
    text = (
        _environment()
        .get_template("FACILITATOR.md.j2")
        .render(
            agenda=agenda,
            plans=by_number,
            sessions=dict(sessions or {}),
            answers={k: list(v) for k, v in (answers or {}).items()},
            exercises={
                p.number: list((exercises or {}).get(p.number, p.exercises)) for p in plans
            },
            blocks={b.title: b for b in agenda.blocks if b.kind == "notebook"},
            take_home=homework,
            order=[n for n in agenda.notebooks if n in by_number and n not in homework] + homework,
            n_in_session=sum(len(by_number[b.title].exercises) for b in in_session),
            ran=ran,
            other_length=other_length,
            study_label=study_label,
            study_path=study_path,
            data_note=data_note,
            problems=[(p.stem, problem) for p in plans for problem in p.problems],
        )
    )
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def setup_page(*, study_path: str = SAMPLE_PATH, wheel_name: str | None = None) -> str:
    """The participants' set-up page (Markdown): one ``pip install``, a check, the day.

    Parameters
    ----------
    study_path : str
        The study's folder inside the pack.
    wheel_name : str, optional
        File name of a wheel handed out instead of the package index.

    Returns
    -------
    str

    Examples
    --------
    >>> page = setup_page()
    >>> "pip install" in page and "jtbd run 00 --study data/samples/recovery_study" in page
    True
    """
    text = (
        _environment()
        .get_template("SETUP.md.j2")
        .render(
            study_path=study_path,
            synthetic=study_path == SAMPLE_PATH,
            wheel_name=wheel_name or f"jtbd_methods-{__version__}-py3-none-any.whl",
            version=__version__,
        )
    )
    return text.strip() + "\n"


def page_html(markdown: str, *, title: str) -> str:
    """A self-contained HTML page (the report stylesheet, no script) of a Markdown page."""
    body = MarkdownWithMath(
        renderer=IPythonRenderer(escape=True, exclude_anchor_links=True)
    ).render(markdown)
    css = (Path(TEMPLATE_DIR) / "report.css").read_text(encoding="utf-8")
    css += (
        ".jtbd-guide table{border-collapse:collapse;font-size:.92rem}.jtbd-guide th,.jtbd-guide td"
        "{padding:.35rem .6rem;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top}"
        ".jtbd-guide thead th{border-bottom:2px solid #1f2328}"
        ".jtbd-guide tbody tr:nth-child(even){background:#f3f5f8}main.jtbd-guide>*{max-width:62rem}"
        ".jtbd-guide td:first-child{white-space:nowrap}"
        ".jtbd-guide blockquote{border-left:4px solid #009E73;background:#f3f8f5;margin:.5rem 0;"
        "padding:.4rem 1rem}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{title}</title><style>{css}</style></head>"
        f'<body><main class="jtbd-guide" style="padding-top:1.5rem">{body}</main></body></html>'
    )
