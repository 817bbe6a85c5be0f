"""Slides from executed notebooks, with nbconvert's reveal.js exporter, readable offline.

:func:`mark_slides` gives each cell nbconvert's slide metadata (``slideshow.slide_type``): a
heading starts a slide, a figure or table a subslide below it, its caption stays with it.
:func:`notebook_slides` exports with :class:`nbconvert.exporters.SlidesExporter`.

Offline: nbconvert (7.x) ships the reveal template and one stylesheet, but loads reveal.js,
RequireJS, jQuery, MathJax and Mermaid from CDNs (``reveal_url_prefix`` defaults to unpkg),
and no package this project installs ships a copy of reveal.js. So the exporter runs with
our template ``templates/teaching/jtbd_slides`` (it extends nbconvert's ``reveal`` base, which
turns the slide metadata into ``<section>`` elements) whose page inlines the lab stylesheet and
a small navigator written for this package instead of loading reveal.js; its
Content-Security-Policy blocks every request, so the slides cannot depend on a network.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Sequence
from typing import Any

import nbformat
from nbconvert.exporters import SlidesExporter

from jtbd_methods.resources import teaching_template_dir
from jtbd_methods.teach.copies import _read, _source, _tags

__all__ = ["mark_slides", "notebook_slides", "slides_index"]

#: Cells never shown on slides: solutions and checks stay in the facilitator's copy.
HIDDEN_TAGS = frozenset(
    {"parameters", "injected-parameters", "solution", "check", "remove", "model-answer"}
)
_HEADING = re.compile(r"^\s*(#{1,3})\s+\S")


def _has_output(cell: Any) -> bool:
    return any(
        o.get("output_type") in ("display_data", "execute_result")
        or (o.get("output_type") == "stream" and o.get("name") == "stdout")
        for o in cell.get("outputs", [])
    )


def mark_slides(notebook: Any, *, notes: Sequence[str] = ()) -> Any:
    """A copy of an executed notebook with slide metadata on every cell.

    Parameters
    ----------
    notebook : NotebookNode or path
        Not modified.
    notes : sequence of str
        Speaker notes (the facilitator's discussion prompts) added as a last cell of type
        ``notes``: hidden on screen, shown with the "n" key.

    Returns
    -------
    NotebookNode
        Cells tagged ``parameters``, ``solution``, ``check``, ``remove`` and code cells
        without output are ``skip``; Markdown headings (#, ##, ###) start a slide; every code
        cell with output starts a subslide below the current slide; other Markdown (text,
        captions, exercises) continues the current one.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# Title"),
    ...     nbformat.v4.new_code_cell("x = 1"),
    ...     nbformat.v4.new_markdown_cell("Some text")])
    >>> [c.metadata.slideshow.slide_type for c in mark_slides(nb).cells]
    ['slide', 'skip', '-']
    """
    nb = copy.deepcopy(_read(notebook))
    if notes:
        text = "**Discussion prompts**\n\n" + "\n".join(f"- {p}" for p in notes)
        nb.cells.append(nbformat.v4.new_markdown_cell(text))
        nb.cells[-1].metadata["slideshow"] = {"slide_type": "notes"}
    seen_slide = False
    for cell in nb.cells[: len(nb.cells) - (1 if notes else 0)]:
        tags = _tags(cell)
        if tags & HIDDEN_TAGS or (cell.cell_type == "code" and not _has_output(cell)):
            kind = "skip"
        elif cell.cell_type == "markdown" and _HEADING.match(_source(cell)):
            kind = "slide"
        elif cell.cell_type == "code":
            kind = "subslide" if seen_slide else "slide"
        elif cell.cell_type == "markdown":
            kind = "-" if seen_slide else "slide"
        else:
            kind = "skip"
        seen_slide = seen_slide or kind in ("slide", "subslide")
        cell.metadata["slideshow"] = {"slide_type": kind}
    return nb


def notebook_slides(notebook: Any, *, title: str | None = None, notes: Sequence[str] = ()) -> str:
    """Slides (one self-contained HTML page) of an executed notebook.

    Parameters
    ----------
    notebook : NotebookNode or path
        Executed notebook; not modified.
    title : str, optional
        Page title (default: the notebook's name).
    notes : sequence of str
        Speaker notes, see :func:`mark_slides`.

    Returns
    -------
    str
        HTML with nothing loaded from elsewhere: stylesheet and script are inline and the
        page's Content-Security-Policy forbids requests.
    """
    nb = mark_slides(notebook, notes=notes)
    exporter = SlidesExporter(
        extra_template_basedirs=[str(teaching_template_dir())],
        template_name="jtbd_slides",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title or "Workshop"}}
    )
    return body


def slides_index(entries: Sequence[tuple[str, str]], *, title: str = "Workshop slides") -> str:
    """A page listing the slides: ``entries`` are (file name, session title) pairs."""
    items = "".join(
        f'<li><a href="{html.escape(name)}">{html.escape(label)}</a></li>' for name, label in entries
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title><style>body{{font:18px/1.5 system-ui,sans-serif;"
        "max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><ol>{items}</ol>"
        "<p>Open a session's slides; move with the arrow keys or space, "
        "show the facilitator's discussion prompts with <kbd>n</kbd>.</p></body></html>"
    )
