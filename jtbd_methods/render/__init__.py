"""Turn executed notebooks into client and teaching reports (HTML, PDF) and the run's index.

A **client report** is what a hospital board member reads: no code, no prompts, no warnings,
no parameter cells and no cell tagged ``teaching``, ``exercise``, ``solution``, ``check`` or
``remove``; only rich outputs (tables, figures, notes, Markdown) are kept, so stray values
such as ``<Axes: ...>`` or ``Text(0.5, 1.0, ...)`` never reach the page. A **teaching report**
keeps the code and its text output and shows teaching notes, exercises and checks as boxes,
with each solution folded under "Show the solution".

Both are one self-contained HTML file: images are embedded as ``data:`` URIs, the stylesheet
(``templates/report/report.css``) is inlined, and a Content-Security-Policy forbids scripts
and every network request, so a report opens offline and data that looks like markup can never
run. Each page has a title block (study, organisation, period, report date, run id), a table
of contents built from the notebook's headings, numbered figures with captions and alt text,
and an appendix "Methods and caveats" written from the parameters and the run's manifest.

Conventions for notebook authors
--------------------------------
Title and description
    The first Markdown cell starts with the report's title as a level-1 heading (``# ...``),
    followed by a paragraph that says what the report is for; that paragraph is the one-line
    description on ``index.html`` (``notebook.metadata["jtbd"]["description"]`` overrides it).
Sections
    Level-2 and level-3 headings (``##``, ``###``) make the table of contents.
Figure captions
    The Markdown cell right after a cell that draws a figure is its caption when it starts
    with ``Figure`` (emphasis allowed): ``*Figure 1. What the figure shows ...*``. Figures are
    numbered in order of appearance, whatever number the caption gives. A caption whose
    figure was not drawn (its section was skipped) is dropped.
Alt text
    Taken, in this order, from the image output's metadata (``{"image/png": {"alt": ...}}``,
    which :func:`enable_figure_alt_text` fills from the chart's title, axis labels and
    series when called once in the kernel), from the caption, or from the figure's number and
    section heading.
Tags
    ``parameters`` (hidden from clients), ``teaching`` (note for learners), ``exercise`` (a task,
    with ``answer = None``), ``check`` (tells the learner whether the answer is right),
    ``solution`` (the worked answer; folded in teaching reports, removed from workshop copies by
    :mod:`jtbd_methods.teach`), ``remove`` (never shown).

Layout
    The report page is the nbconvert template ``templates/report/jtbd/index.html.j2``
    (extends nbconvert's ``display_priority.j2``): cells, outputs and figures. The title
    block, contents, key findings, appendix and footer of every page, and the run's
    ``index.html`` (``run_index.html.j2``), are macros of ``parts.html.j2`` rendered with
    autoescape on. Number columns are marked where tables are built
    (:func:`jtbd_methods.report.table`), never by rewriting finished HTML.

Modules
    :mod:`~jtbd_methods.render.prepare` (which cells and outputs a reader sees, figure
    numbers, captions, headings), :mod:`~jtbd_methods.render.parts` (page parts),
    :mod:`~jtbd_methods.render.html` (:func:`render_html`), :mod:`~jtbd_methods.render.index`
    (:func:`render_index`), :mod:`~jtbd_methods.render.branding`,
    :mod:`~jtbd_methods.render.pdf`; alt text comes from :mod:`jtbd_methods._plotting.alt_text`.

Branding (logo, primary colour, footer) comes from ``templates/report/branding.yaml`` and is
overridden per study by the ``report:`` key of ``study.yaml`` (see :func:`resolve_branding`).
"""

from __future__ import annotations

from jtbd_methods._plotting.alt_text import enable_figure_alt_text, figure_alt_text
from jtbd_methods.render._common import (
    BRANDING_KEYS,
    CLIENT_HIDDEN_TAGS,
    CSP,
    TEMPLATE_DIR,
)
from jtbd_methods.render.branding import resolve_branding
from jtbd_methods.render.html import render_html
from jtbd_methods.render.index import render_index
from jtbd_methods.render.pdf import (
    ChromiumMissing,
    chromium_command,
    find_chromium,
    render_pdf,
    require_chromium,
)
from jtbd_methods.render.prepare import describe_notebook

__all__ = [
    "BRANDING_KEYS",
    "CLIENT_HIDDEN_TAGS",
    "CSP",
    "TEMPLATE_DIR",
    "ChromiumMissing",
    "chromium_command",
    "describe_notebook",
    "enable_figure_alt_text",
    "figure_alt_text",
    "find_chromium",
    "render_html",
    "render_index",
    "render_pdf",
    "require_chromium",
    "resolve_branding",
]
