"""Prepare an executed notebook for its report: which cells and outputs are shown, figures
numbered with captions and alt text, Markdown rendered with stable heading ids."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from jtbd_methods.render._common import (
    ALWAYS_HIDDEN_TAGS,
    CLIENT_HIDDEN_TAGS,
    _esc,
    _Ids,
    _markdown,
    _markdown_html,
    _plain_text,
    _source,
    _tags,
)

__all__ = ["describe_notebook"]

log = logging.getLogger(__name__)

_DROPPED_MIMES = (
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "application/pdf",
)
# Plain-text reprs that leak from a cell's last expression: <Axes: ...>, Text(...), [<matplotlib...>]
_REPR = re.compile(
    r"^\s*(?:<[A-Za-z_][\w.]*(?:[ :][^\n]*)?>|(?:Text|Line2D|Axes|AxesSubplot|Figure|Legend|Rectangle)"
    r"\(.*\)|[\[(]\s*<[\w.]+[ :].*|<Figure size [^\n]*>)\s*$",
    re.S,
)
_CAPTION = re.compile(r"^\s*(\*\*|\*|__|_)?\s*(?:Figure|Fig\.)\s*(?:\d+[A-Za-z]?)?\s*[.:]\s*", re.S)
_TITLE_LINE = re.compile(r"^\s*#\s+\S")
_SECTION = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.M)


def _keep_output(output: Any, audience: str) -> bool:
    kind = output.get("output_type")
    if kind == "stream":
        return audience == "teaching" and output.get("name") == "stdout"
    if kind == "error":
        return audience == "teaching"
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        for mime in _DROPPED_MIMES:
            data.pop(mime, None)
        rich = [m for m in data if m != "text/plain"]
        if rich:
            return True
        text = data.get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        # Clients never see bare Python values; learners do, except object reprs.
        return audience == "teaching" and bool(text.strip()) and not _REPR.match(text)
    return False


def _image_mime(output: Any) -> str | None:
    if output.get("output_type") not in ("execute_result", "display_data"):
        return None
    for mime in ("image/svg+xml", "image/png", "image/jpeg"):
        if mime in output.get("data", {}):
            return mime
    return None


def _caption_source(source: str) -> str | None:
    """The caption text of a ``Figure N. ...`` Markdown cell without its label, or ``None``."""
    m = _CAPTION.match(source)
    if not m:
        return None
    rest = source[m.end() :].strip()
    marker = m.group(1)
    if marker:
        if rest.startswith(marker):  # *Figure 1.* Caption text
            rest = rest[len(marker) :].lstrip()
        elif rest.endswith(marker):  # *Figure 1. Caption text*
            rest = rest[: -len(marker)].rstrip()
            rest = f"{marker}{rest}{marker}" if rest else rest
    return rest


def _parameters_as_run(source: str, injected: Mapping[str, Any]) -> str:
    """The ``parameters`` cell with the values this run actually used (teaching edition).

    Each top-level assignment whose name papermill injected gets the injected literal and a
    ``# this run`` comment; ``study_dir`` keeps its text (the run's absolute path is
    machine-specific) and names the study folder in the comment. Assignments spanning several
    lines, and cells that do not parse, are left as they are.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.split("\n")
    for node in tree.body:
        target = (
            node.targets[0]
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            else (node.target if isinstance(node, ast.AnnAssign) else None)
        )
        value = getattr(node, "value", None)
        if not isinstance(target, ast.Name) or value is None or target.id not in injected:
            continue
        if value.lineno != value.end_lineno:
            continue
        row = value.lineno - 1
        line = lines[row]
        if target.id == "study_dir":
            folder = Path(str(injected[target.id])).name
            lines[row] = f"{line.split('  #')[0].rstrip()}  # this run: study folder {folder!r}"
            continue
        new_value = repr(injected[target.id])
        default = line[value.col_offset : value.end_col_offset]
        if new_value == default:
            continue
        head = line[: value.col_offset] + new_value
        lines[row] = f"{head}  # this run (default {default})"
    return "\n".join(lines)


def _prepare(nb: Any, *, audience: str, path: str, ids: _Ids) -> dict[str, Any]:
    """Filter cells and outputs, number figures, render Markdown; returns page facts."""
    injected = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    cells = []
    for cell in nb.cells:
        tags = _tags(cell)
        if tags & set(ALWAYS_HIDDEN_TAGS):
            continue
        if audience == "client" and tags & (set(CLIENT_HIDDEN_TAGS) | {"parameters"}):
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if _keep_output(o, audience)]
            if audience == "client" and not cell.outputs:
                continue
            if audience == "teaching" and not _source(cell).strip() and not cell.outputs:
                continue
        elif cell.cell_type == "markdown":
            if not _source(cell).strip():
                continue
        else:  # raw cells are never shown
            continue
        cells.append(cell)

    # Figures: number them, attach the caption cell that follows, derive alt text.
    figures: list[dict[str, Any]] = []
    captions_used: set[int] = set()
    section = ""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            heads = _SECTION.findall(_source(cell))
            if heads:
                section = heads[-1]
            continue
        images = [o for o in cell.outputs if _image_mime(o)]
        if not images:
            continue
        caption = None
        if i + 1 < len(cells) and cells[i + 1].cell_type == "markdown":
            caption = _caption_source(_source(cells[i + 1]))
            if caption is not None:
                captions_used.add(i + 1)
        for k, output in enumerate(images):
            number = len(figures) + 1
            mime = _image_mime(output)
            own = caption if k == len(images) - 1 else None
            caption_html = ""
            if own:
                caption_html = _markdown_html(own, path=path, inline=True).strip()
            meta_alt = (
                output.get("metadata", {}).get(mime, {}).get("alt")
                if isinstance(output.get("metadata", {}).get(mime), Mapping)
                else None
            )
            alt = (str(meta_alt).strip() if meta_alt else "") or _plain_text(caption_html)
            if not alt:
                alt = f"Figure {number}" + (f": {section}" if section else "")
            if not caption_html and meta_alt:
                caption_html = _esc(meta_alt)
            if mime == "image/png" or mime == "image/jpeg":
                data = output["data"][mime]
                output["data"][mime] = "".join(data.split()) if isinstance(data, str) else data
            fig_id = ids.take(f"figure-{number}")
            output.setdefault("metadata", {})["jtbd_figure"] = {
                "id": fig_id,
                "number": number,
                "alt": alt,
                "caption_html": caption_html,
            }
            figures.append({"id": fig_id, "number": number, "alt": alt})
    orphans = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown"
        and i not in captions_used
        and _caption_source(_source(c)) is not None
    ]
    for i in orphans:
        log.info("caption without a figure dropped: %s", _source(cells[i])[:60])
    cells = [c for i, c in enumerate(cells) if i not in captions_used and i not in orphans]

    # Markdown: render once, with stable unique heading ids; the first H1 is the title.
    title_html = ""
    headings: list[dict[str, Any]] = []
    first_markdown = None
    for cell in cells:
        tags = _tags(cell)
        box, label = None, None
        if audience == "teaching":
            for tag, name in (
                ("teaching", "Teaching note"),
                ("exercise", "Exercise"),
                ("check", "Check your answer"),
            ):
                if tag in tags:
                    box, label = tag, name
            if "parameters" in tags:
                box, label = "parameters", "Parameters"
        if box == "exercise" and cell.cell_type == "code":
            label = "Your answer"
        jtbd: dict[str, Any] = {}
        if box:
            jtbd.update(box=box, label=label)
        if cell.cell_type == "code":
            if audience == "teaching" and "solution" in tags:
                jtbd["solution"] = True
            if audience == "teaching" and "parameters" in tags:
                cell.source = _parameters_as_run(_source(cell), injected)
            cell.metadata["jtbd"] = jtbd
            continue
        source = _source(cell)
        first = first_markdown is None
        if first:
            first_markdown = cell
        rendered, renderer = _markdown(
            source,
            ids=ids,
            kind=box or "",
            take_title=first and bool(_TITLE_LINE.match(source)),
            attachments=cell.get("attachments"),
            path=path,
        )
        if first:
            title_html = renderer.title_html
        headings.extend(renderer.headings)
        # A label box whose heading already names it ("## Exercise") needs no second label.
        if label and label.lower().split()[0] in _plain_text(rendered)[:40].lower():
            jtbd["label"] = None
        jtbd["html"] = rendered
        cell.metadata["jtbd"] = jtbd
    nb.cells = cells
    return {
        "title_html": title_html,
        "headings": headings,
        "figures": figures,
        "first_markdown": first_markdown,
    }


def _notebook_parameters(nb: Any) -> dict[str, Any]:
    """Effective parameters: the literals of the ``parameters`` cell, then papermill's injected values."""
    params: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in _tags(cell):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            break
        for node in tree.body:
            target = (
                node.targets[0]
                if isinstance(node, ast.Assign) and len(node.targets) == 1
                else (node.target if isinstance(node, ast.AnnAssign) else None)
            )
            if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
                try:
                    params[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    params[target.id] = ast.unparse(node.value)
        break
    params.update((nb.metadata.get("papermill") or {}).get("parameters") or {})
    return params


def describe_notebook(notebook: str | Path | Any) -> dict[str, str]:
    """Title and one-line description of a notebook, from its first Markdown cell.

    Parameters
    ----------
    notebook : str, Path or NotebookNode

    Returns
    -------
    dict
        ``title`` (the first level-1 heading, else the file name in words) and
        ``description`` (``metadata.jtbd.description``, else the first sentence of the
        first paragraph after the title; at most 220 characters).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Overview\\n\\nWhat is here.")])
    >>> describe_notebook(nb)
    {'title': 'Overview', 'description': 'What is here.'}
    """
    if isinstance(notebook, str | Path):
        path = Path(notebook)
        nb = nbformat.read(str(path), as_version=4)
        fallback = re.sub(r"^\d+[_-]", "", path.stem).replace("_", " ").capitalize()
    else:
        nb, fallback = notebook, "Report"
    title, description = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown" or _tags(cell) & set(CLIENT_HIDDEN_TAGS):
            continue
        text = _source(cell)
        m = re.match(r"^\s*#\s+(.+?)\s*#*\s*$", text, re.M)
        if m and not title and text.lstrip().startswith("#"):
            title = _plain_text(_markdown_html(m.group(1)))
            text = text[m.end() :]
        paragraphs = [
            p.strip()
            for p in re.split(r"\n\s*\n", text)
            if p.strip() and not p.strip().startswith("#")
        ]
        if paragraphs:
            description = _plain_text(_markdown_html(paragraphs[0]))
            first = re.match(r"^(.+?[.?!])\s+(?=[A-Z“\"'(])", description)
            description = first.group(1) if first else description
        break
    custom = (nb.metadata.get("jtbd") or {}).get("description")
    if custom:
        description = str(custom)
    if len(description) > 220:
        description = description[:217].rsplit(" ", 1)[0] + "…"
    return {"title": title or fallback, "description": description}
