"""One executed notebook to one self-contained HTML report (nbconvert with the jtbd template)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter

import jtbd_methods.render.parts as parts
from jtbd_methods.errors import UsageError
from jtbd_methods.render._common import (
    AUDIENCES,
    CSP,
    TEMPLATE_DIR,
    _Ids,
    _plain_text,
    _read_results,
)
from jtbd_methods.render.branding import _stylesheet, resolve_branding
from jtbd_methods.render.prepare import _notebook_parameters, _prepare, describe_notebook

__all__ = ["render_html"]

#: Ids the page shell uses; headings and figures never take them.
_RESERVED_IDS = (
    "title",
    "content",
    "contents",
    "methods-and-caveats",
    "appendix-privacy",
    "appendix-caveats",
    "appendix-reproducibility",
    "key-findings",
    "key-findings-title",
    "cannot-tell",
)


def render_html(
    notebook: str | Path,
    *,
    audience: str = "client",
    meta: Mapping[str, Any] | None = None,
    branding: Mapping[str, Any] | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> str:
    """Render an executed notebook to one self-contained HTML page.

    Parameters
    ----------
    notebook : str or Path
        An executed ``.ipynb`` (not modified).
    audience : {"client", "teaching"}
        ``client`` hides code, prompts, text output, warnings, parameter cells and every
        cell tagged ``teaching``, ``exercise``, ``solution``, ``check`` or ``remove``;
        ``teaching`` shows code and text output, teaching notes, exercises and checks (as
        boxes) and solutions (folded).
    meta : mapping, optional
        Title block and appendix facts: ``study``, ``organisation``, ``period``, ``date``,
        ``run_id``, ``notebook`` (stem), ``parameters``, ``min_cell_size`` (the study's
        default) and ``redact``.
    branding : mapping, optional
        ``logo``, ``logo_alt``, ``primary_colour``, ``footer``; see :func:`resolve_branding`.
    manifest : mapping, optional
        The run's manifest (``study.inputs`` with SHA-256, ``versions``) for the appendix.

    Returns
    -------
    str
        The HTML document: title block, key findings, contents, the notebook's sections with
        numbered figures, the "Methods and caveats" appendix and a footer.

    Raises
    ------
    UsageError
        For an unknown ``audience`` or invalid branding.

    Notes
    -----
    The layout is the nbconvert template ``templates/report/jtbd/index.html.j2`` (cells,
    outputs, figures) and the autoescaped macros of ``parts.html.j2`` (title block, contents,
    appendix, footer). The page embeds its images and stylesheet and carries a
    Content-Security-Policy that blocks every script and network request, so it opens offline
    and nothing in the data can run. Number columns are right-aligned by the classes that
    :func:`jtbd_methods.report.table` gives their cells.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Overview\\n\\n## Volumes")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "00_overview.ipynb"
    >>> nbformat.write(nb, str(path))
    >>> page = render_html(path, meta={"study": "Demo"})
    >>> '<h1 id="title">Overview</h1>' in page and 'href="#volumes"' in page
    True
    """
    if audience not in AUDIENCES:
        raise UsageError(
            f"render_html: audience must be one of {', '.join(AUDIENCES)}; got {audience!r}"
        )
    meta = parts.redacted_meta(meta or {})
    branding = resolve_branding(branding)
    nb = nbformat.read(str(notebook), as_version=4)
    ids = _Ids(_RESERVED_IDS)
    parameters = _notebook_parameters(nb)
    facts = _prepare(nb, audience=audience, path=str(Path(notebook).resolve().parent), ids=ids)
    title_html = (
        Markup(facts["title_html"])
        if facts["title_html"]
        else Markup.escape(describe_notebook(notebook)["title"])
    )
    toc = parts.toc(facts["headings"], appendix=True)
    if facts["first_markdown"] is not None:
        facts["first_markdown"].metadata["jtbd"]["toc_after"] = True
        toc_top = Markup("")
    else:
        toc_top = toc
    study = meta.get("study")
    page_title = _plain_text(title_html) + (f" — {study}" if study else "")
    resources = {
        "jtbd": {
            "csp": Markup.escape(CSP),
            "audience": audience,
            "page_title": Markup.escape(page_title),
            "css": _stylesheet(branding, code=audience == "teaching"),
            "masthead": parts.masthead(
                meta,
                branding,
                title_html,
                kicker=str(study or ""),
                edition="Teaching edition" if audience == "teaching" else "Report",
            ),
            "toc": toc,
            "toc_top": toc_top,
            "back": parts.back_link(meta),
            "findings": parts.findings(_read_results(Path(notebook).parent)),
            "appendix": parts.appendix(meta, manifest, parameters),
            "footer": parts.footer(meta, branding),
        }
    }
    exporter = HTMLExporter(
        template_name="jtbd",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        embed_images=True,
        exclude_anchor_links=True,
    )
    if audience == "client":
        exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
