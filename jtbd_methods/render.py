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

Branding (logo, primary colour, footer) comes from ``templates/report/branding.yaml`` and is
overridden per study by the ``report:`` key of ``study.yaml`` (see :func:`resolve_branding`).
"""

from __future__ import annotations

import base64
import html
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jtbd_methods._io import is_inside
from jtbd_methods.errors import JTBDError, UsageError
from jtbd_methods.privacy import redact
from jtbd_methods.resources import report_template_dir

__all__ = [
    "BRANDING_KEYS",
    "CLIENT_HIDDEN_TAGS",
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

log = logging.getLogger(__name__)

#: Folder of the report template, stylesheet and default branding.
TEMPLATE_DIR = report_template_dir()
#: Cell tags never shown to a client.
CLIENT_HIDDEN_TAGS = ("teaching", "exercise", "solution", "check", "remove")
#: Cell tags shown to nobody (``injected-parameters`` holds machine-specific paths).
ALWAYS_HIDDEN_TAGS = ("remove", "injected-parameters")
#: Keys allowed in ``branding.yaml`` and under ``report:`` in ``study.yaml``.
BRANDING_KEYS = ("logo", "logo_alt", "primary_colour", "footer")
#: Packages whose versions the appendix lists (all versions are in ``manifest.json``).
KEY_PACKAGES = (
    "jtbd_methods",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "stepmix",
    "papermill",
    "nbconvert",
)
AUDIENCES = ("client", "teaching")
#: Content-Security-Policy of every page: inline styles and data: images only.
CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; "
    "script-src 'none'; connect-src 'none'; object-src 'none'; frame-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

_IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
_LOGO_MIMES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
_DROPPED_MIMES = (
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "application/pdf",
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Plain-text reprs that leak from a cell's last expression: <Axes: ...>, Text(...), [<matplotlib...>]
_REPR = re.compile(
    r"^\s*(?:<[A-Za-z_][\w.]*(?:[ :][^\n]*)?>|(?:Text|Line2D|Axes|AxesSubplot|Figure|Legend|Rectangle)"
    r"\(.*\)|[\[(]\s*<[\w.]+[ :].*|<Figure size [^\n]*>)\s*$",
    re.S,
)
_CAPTION = re.compile(r"^\s*(\*\*|\*|__|_)?\s*(?:Figure|Fig\.)\s*(?:\d+[A-Za-z]?)?\s*[.:]\s*", re.S)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</\1>", re.S | re.I)
_NUMBER = re.compile(
    r"^[−–+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?\s*(?:%|pp|p\.p\.)?"
    r"(?:\s*\([^()]*\))?$",
    re.I,
)
_BLANK = re.compile(r"^(?:|—|–|-|NA|N/A|nan|<NA>|NaN|\*|suppressed)$", re.I)


# =========================================================================== branding


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with keys {', '.join(BRANDING_KEYS)}")
    return data


def resolve_branding(
    overrides: Mapping[str, Any] | None = None,
    *,
    base_dir: str | Path | None = None,
    source: str = "report",
    defaults: Mapping[str, Any] | None = None,
    confine: bool = False,
) -> dict[str, Any]:
    """Merge report branding over the defaults of ``templates/report/branding.yaml``.

    Parameters
    ----------
    overrides : mapping, optional
        Any of :data:`BRANDING_KEYS`, usually the ``report:`` mapping of ``study.yaml``.
        Missing or ``None`` values keep the default.
    base_dir : str or Path, optional
        Folder that a relative ``logo`` path is read from (the study folder for
        ``study.yaml``); default the current folder.
    source : str, default "report"
        Named in error messages (``"study.yaml: report"``).
    defaults : mapping, optional
        An already resolved branding to merge over instead of ``branding.yaml`` (to layer a
        caller's branding over a study's).
    confine : bool, default False
        Refuse a ``logo`` outside ``base_dir`` (links followed): a study's ``study.yaml``
        must not pull files from elsewhere into a report.

    Returns
    -------
    dict
        ``logo`` (absolute :class:`~pathlib.Path` or ``None``), ``logo_alt`` (str or ``None``),
        ``primary_colour`` (``#RRGGBB``) and ``footer`` (str). Passing the result back in
        returns it unchanged.

    Raises
    ------
    UsageError
        For an unknown key, a colour that is not ``#RRGGBB``, a logo that is missing or not a
        PNG, JPEG or SVG file, or a non-text footer.

    Examples
    --------
    >>> resolve_branding({"primary_colour": "#003087"})["primary_colour"]
    '#003087'
    """
    merged: dict[str, Any] = {
        "logo": None,
        "logo_alt": None,
        "primary_colour": "#005EB8",
        "footer": "Prepared with jtbd_methods.",
    }
    if defaults is None:
        defaults_file = TEMPLATE_DIR / "branding.yaml"
        defaults = _read_yaml(defaults_file) if defaults_file.is_file() else {}
        merged.update({k: v for k, v in defaults.items() if k in BRANDING_KEYS and v is not None})
        if merged["logo"] is not None:
            merged["logo"] = (TEMPLATE_DIR / str(merged["logo"])).resolve()
    else:
        merged.update({k: v for k, v in defaults.items() if k in BRANDING_KEYS})
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise UsageError(
            f"{source} must be a mapping with keys {', '.join(BRANDING_KEYS)}; "
            f"got {type(overrides).__name__}"
        )
    unknown = sorted(set(overrides) - set(BRANDING_KEYS))
    if unknown:
        raise UsageError(
            f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(BRANDING_KEYS)}"
        )
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    for key, value in overrides.items():
        if value is None:
            continue
        if key == "logo":
            value = Path(value) if Path(value).is_absolute() else (base / str(value)).resolve()
            if confine and not is_inside(value, base):
                raise UsageError(
                    f"{source}: logo must be a file inside {base}; {str(overrides[key])!r} "
                    "leads outside it"
                )
        merged[key] = value
    colour = merged["primary_colour"]
    if not isinstance(colour, str) or not _COLOUR.match(colour):
        raise UsageError(
            f"{source}: primary_colour must be a hex colour like '#005EB8'; got {colour!r}"
        )
    for key in ("footer", "logo_alt"):
        if merged[key] is not None and not isinstance(merged[key], str):
            raise UsageError(f"{source}: {key} must be text; got {type(merged[key]).__name__}")
    logo = merged["logo"]
    if logo is not None:
        if Path(logo).suffix.lower() not in _LOGO_MIMES:
            raise UsageError(f"{source}: logo must be a .png, .jpg or .svg file; got {str(logo)!r}")
        if not Path(logo).is_file():
            raise UsageError(f"{source}: logo file {str(logo)!r} does not exist")
    return merged


def _logo_html(branding: Mapping[str, Any], organisation: str) -> str:
    logo = branding.get("logo")
    if not logo:
        return ""
    path = Path(logo)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = branding.get("logo_alt") or organisation or "Logo"
    return (
        f'<img class="jtbd-logo" src="data:{_LOGO_MIMES[path.suffix.lower()]};base64,{data}" '
        f'alt="{_esc(alt)}">'
    )


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the ``<style>`` element."""
    out = []
    for ch in text:
        if ch.isalnum() and ch.isascii() or ch in " .,:;!?()'-_/&":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def _stylesheet(branding: Mapping[str, Any], *, code: bool) -> str:
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    colour = branding["primary_colour"]
    css += f"\n:root {{ --jtbd-primary: {colour}; }}\n"
    footer = str(branding.get("footer") or "")
    if footer:
        css += (
            "@page { @bottom-left { content: "
            + _css_string(footer[:160])
            + "; font-size: 7.5pt; color: #545b64; } }\n"
        )
    if code:
        from pygments.formatters import HtmlFormatter

        css += HtmlFormatter(style="default").get_style_defs(".jtbd-input .highlight") + "\n"
    return css


# =========================================================================== helpers


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = "section-" + slug if slug else "section"
    return slug[:60].rstrip("-")


class _Ids:
    """Unique element ids for one page."""

    def __init__(self, reserved: Sequence[str] = ()) -> None:
        self.used = set(reserved)

    def take(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _markdown_html(source: str, *, attachments: Any = None, path: str = "") -> str:
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    renderer = IPythonRenderer(
        escape=False,
        attachments=attachments or {},
        embed_images=True,
        path=path,
        exclude_anchor_links=True,
    )
    return MarkdownWithMath(renderer=renderer).render(source)


# =========================================================================== outputs


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


# =========================================================================== preparation


def _parameters_as_run(source: str, injected: Mapping[str, Any]) -> str:
    """The ``parameters`` cell with the values this run actually used (teaching edition).

    Each top-level assignment whose name papermill injected gets the injected literal and a
    ``# this run`` comment; ``study_dir`` keeps its text (the run's absolute path is
    machine-specific) and names the study folder in the comment. Assignments spanning several
    lines, and cells that do not parse, are left as they are.
    """
    import ast

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
            heads = re.findall(r"^#{1,3}\s+(.+?)\s*#*\s*$", _source(cell), re.M)
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
                caption_html = _markdown_html(own, path=path).strip()
                caption_html = re.sub(r"^<p>(.*)</p>$", r"\1", caption_html, flags=re.S)
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
        rendered = _markdown_html(_source(cell), attachments=cell.get("attachments"), path=path)
        if first_markdown is None:
            first_markdown = cell
            m = _HEADING.match(rendered.strip())
            if m and m.group(1) == "1":
                title_html = m.group(2).strip()
                rendered = rendered.strip()[m.end() :]

        def _heading(m: re.Match[str], box: str | None = box) -> str:
            level, inner = int(m.group(1)), m.group(2).strip()
            hid = ids.take(_slug(_plain_text(inner)))
            if level in (2, 3):
                headings.append(
                    {
                        "level": level,
                        "id": hid,
                        "html": inner,
                        "text": _plain_text(inner),
                        "kind": box or "",
                    }
                )
            return f'<h{level} id="{hid}">{inner}</h{level}>'

        rendered = _HEADING.sub(_heading, rendered)
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


# =========================================================================== page parts


def _toc_html(headings: Sequence[Mapping[str, Any]], *, appendix: bool) -> str:
    entries = [h for h in headings]
    if appendix:
        entries.append(
            {
                "level": 2,
                "id": "methods-and-caveats",
                "html": "Methods and caveats",
                "text": "Methods and caveats",
                "kind": "",
            }
        )
    if not entries:
        return ""
    long = " jtbd-toc-long" if len(entries) > 6 else ""
    parts = [
        f'<nav class="jtbd-toc{long}" aria-labelledby="contents"><h2 id="contents">Contents</h2><ol>'
    ]
    open_sub = False
    top_open = False
    for h in entries:
        if h["level"] == 3 and top_open:
            if not open_sub:
                parts.append("<ol>")
                open_sub = True
        else:
            if open_sub:
                parts.append("</ol>")
                open_sub = False
            if top_open:
                parts.append("</li>")
            top_open = True
        inner = _plain_text(h["html"])
        link = f'<a href="#{_esc(h["id"])}">{_esc(inner)}</a>'
        parts.append(f"<li>{link}</li>" if h["level"] == 3 and open_sub else f"<li>{link}")
    if open_sub:
        parts.append("</ol>")
    if top_open:
        parts.append("</li>")
    parts.append("</ol></nav>")
    return "".join(parts)


def _masthead(
    meta: Mapping[str, Any],
    branding: Mapping[str, Any],
    title_html: str,
    *,
    kicker: str,
    edition: str,
) -> str:
    organisation = str(meta.get("organisation") or "")
    rows = [  # study and organisation head the block already
        ("Study period", meta.get("period"), ""),
        ("Report date", meta.get("date"), ""),
        ("Run", meta.get("run_id"), "jtbd-run"),
    ]
    items = "".join(
        f'<div><dt>{_esc(k)}</dt><dd class="{cls}">{_esc(v)}</dd></div>'
        if cls
        else f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>"
        for k, v, cls in rows
        if v
    )
    return (
        '<header class="jtbd-masthead"><div class="jtbd-masthead-inner">'
        f'<div class="jtbd-brand">{_logo_html(branding, organisation)}'
        f'<span class="jtbd-organisation">{_esc(organisation)}</span>'
        f'<span class="jtbd-edition">{_esc(edition)}</span></div>'
        + (f'<p class="jtbd-kicker">{_esc(kicker)}</p>' if kicker else "")
        + f'<h1 id="title">{title_html}</h1>'
        f'<dl class="jtbd-meta">{items}</dl></div></header>'
    )


def _table(
    caption: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    numeric: Sequence[int] = (),
    code: Sequence[int] = (),
) -> str:
    num = ' class="jtbd-num"'
    head = "".join(
        f'<th scope="col"{num if i in numeric else ""}>{_esc(h)}</th>' for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            cls = "jtbd-num" if i in numeric else ("jtbd-hash" if i in code else "")
            cells.append(f'<td class="{cls}">{_esc(v)}</td>' if cls else f"<td>{_esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _size(n: Any) -> str:
    try:
        n = int(n)
    except (TypeError, ValueError):
        return ""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""  # pragma: no cover


def _notebook_parameters(nb: Any) -> dict[str, Any]:
    """Effective parameters: the literals of the ``parameters`` cell, then papermill's injected values."""
    import ast

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


def _appendix(
    meta: Mapping[str, Any],
    manifest: Mapping[str, Any] | None,
    parameters: Mapping[str, Any] | None = None,
) -> str:
    manifest = manifest or {}
    params = dict(parameters or {})
    params.update(meta.get("parameters") or {})
    mcs = params.get("min_cell_size")
    if mcs is None:
        mcs = meta.get("min_cell_size")
    redact = meta.get("redact", True)
    versions = manifest.get("versions") or {}
    packages = versions.get("packages") or {}
    version = packages.get("jtbd_methods") or packages.get("jtbd-methods") or ""
    stem = meta.get("notebook") or ""
    what = f"the notebook <code>{_esc(stem)}</code>" if stem else "this notebook"
    study = meta.get("study")
    made = (
        f"<p>This report was produced by running {what} of jtbd_methods{' ' + _esc(version) if version else ''}"
        + (f" on the files of the study “{_esc(study)}”" if study else "")
        + (f" ({_esc(meta.get('organisation'))})" if meta.get("organisation") else "")
        + (f", study period {_esc(meta.get('period'))}" if meta.get("period") else "")
        + (f", on {_esc(meta.get('date'))}" if meta.get("date") else "")
        + (f" (run <code>{_esc(meta.get('run_id'))}</code>)" if meta.get("run_id") else "")
        + ". Running the same notebook with the same parameters on the same files reproduces every "
        "figure; the SHA-256 fingerprints below identify the files.</p>"
    )
    cell_rule = (
        f"fewer than <strong>{_esc(mcs)}</strong> patients, comments or responses"
        if mcs is not None
        else "fewer patients, comments or responses than the study's minimum cell size"
    )
    privacy = [
        f"Groups of {cell_rule} are suppressed in every breakdown: their cells show “—”, never 0, "
        "and a second cell is hidden where a total would otherwise give the first away, so no small "
        "group can be identified.",
        "Patients' comments quoted in this report have been redacted before display: NHS numbers, phone "
        "numbers, e-mail addresses, postcodes, dates of birth and listed names are replaced by "
        "placeholders such as [name]."
        if redact
        else "<strong>Redaction of quotes is switched off for this study</strong> (<code>redact: false</code> in "
        "study.yaml): check every quote before this report is shared.",
    ]
    caveats = [
        "Comments come from patients who chose to give feedback; shares describe them, not every patient.",
        "Ranges in brackets and shaded bands are 95% confidence intervals unless a table or caption says "
        "otherwise; an interval that excludes zero shows a change, not its cause.",
        "Jobs are coded from comments by the study's codebook; read the quoted evidence before acting on a "
        "single job.",
    ]
    parts = [
        '<section class="jtbd-appendix" aria-labelledby="methods-and-caveats">',
        '<h2 id="methods-and-caveats">Methods and caveats</h2>',
        made,
        '<h3 id="appendix-privacy">Privacy and disclosure control</h3><ul>'
        + "".join(f"<li>{p}</li>" for p in privacy)
        + "</ul>",
        '<h3 id="appendix-caveats">Reading the results</h3><ul>'
        + "".join(f"<li>{_esc(c)}</li>" for c in caveats)
        + "</ul>",
    ]
    tables = []
    shown = {}
    for key, value in params.items():
        if key == "study_dir":
            value = Path(str(value)).name
        elif key == "min_cell_size" and value is None:
            value = (
                f"study default ({meta.get('min_cell_size')})"
                if meta.get("min_cell_size")
                else "study default"
            )
        shown[key] = value
    if shown:
        tables.append(
            _table("Parameters", ["parameter", "value"], [(k, v) for k, v in shown.items()])
        )
    inputs = (manifest.get("study") or {}).get("inputs") or []
    if inputs:
        tables.append(
            _table(
                "Input files (SHA-256: first 12 characters)",
                ["file", "size", "SHA-256"],
                [
                    (f.get("path"), _size(f.get("bytes")), str(f.get("sha256", ""))[:12])
                    for f in inputs
                ],
                numeric=(1,),
                code=(2,),
            )
        )
    if versions:
        rows = [("Python", versions.get("python", ""))]
        rows += [(name, packages[name]) for name in KEY_PACKAGES if name in packages]
        tables.append(_table("Software", ["package", "version"], rows, code=(1,)))
    if tables:
        parts.append(
            '<h3 id="appendix-reproducibility">Parameters, inputs and software</h3>'
            '<div class="jtbd-appendix-tables">' + "".join(tables) + "</div>"
        )
        parts.append(
            "<p>Every input's full fingerprint and every installed package are in the run's "
            "<code>manifest.json</code>.</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _redacted_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` with identifiers (NHS numbers, phones, e-mail, postcodes) removed from the
    free-text fields shown in every masthead and footer: the study name and organisation."""
    out = dict(meta)
    for key in ("study", "organisation"):
        if isinstance(out.get(key), str):
            out[key] = redact(out[key], dob_before_year=0, unlisted_names=False)
    return out


def _footer(meta: Mapping[str, Any], branding: Mapping[str, Any]) -> str:
    left = _esc(branding.get("footer") or "")
    right = " · ".join(
        _esc(v) for v in (meta.get("organisation"), meta.get("date"), meta.get("run_id")) if v
    )
    return (
        f'<footer class="jtbd-footer"><div class="jtbd-footer-inner"><span>{left}</span>'
        f"<span>{right}</span></div></footer>"
    )


# =========================================================================== tables


def _align_table(table: str) -> str:
    """Mark the columns of a table whose body cells are all numbers (or blank) as ``jtbd-num``."""
    rows = list(_ROW.finditer(table))
    if not rows:
        return table
    body_start = table.lower().find("<tbody")
    grid = []
    for r in rows:
        cells = list(_CELL.finditer(r.group(1)))
        in_body = (
            body_start >= 0
            and r.start() > body_start
            or (body_start < 0 and any(c.group(1).lower() == "td" for c in cells))
        )
        grid.append((r, cells, in_body))
    body = [cells for _, cells, in_body in grid if in_body]
    if not body:
        return table
    width = max(len(c) for c in body)
    if any(len(c) != width or any("colspan" in x.group(2).lower() for x in c) for c in body):
        return table
    numeric = []
    for j in range(width):
        texts = [_plain_text(cells[j].group(3)).replace("\xa0", " ") for cells in body]
        values = [t for t in texts if not _BLANK.match(t)]
        if (
            values
            and all(_NUMBER.match(t) for t in values)
            and any(cells[j].group(1).lower() == "td" for cells in body)
        ):
            numeric.append(j)
    if not numeric:
        return table

    def mark(attrs: str) -> str:
        if re.search(r'\bclass\s*=\s*"', attrs, re.I):
            return re.sub(r'\bclass\s*=\s*"', 'class="jtbd-num ', attrs, count=1, flags=re.I)
        return attrs + ' class="jtbd-num"'

    out, last = [], 0
    for r, cells, in_body in grid:
        if not in_body and (
            len(cells) != width or any("colspan" in x.group(2).lower() for x in cells)
        ):
            continue
        inner_offset = r.start(1)
        for j, c in enumerate(cells):
            if j in numeric:
                start = inner_offset + c.start(2)
                out.append(table[last:start])
                out.append(mark(c.group(2)))
                last = inner_offset + c.end(2)
    out.append(table[last:])
    return "".join(out)


def _align_numbers(page: str) -> str:
    return _TABLE.sub(lambda m: _align_table(m.group(0)), page)


# =========================================================================== public API


def _read_results(folder: Path) -> dict[str, Any]:
    """The ``results.json`` of a report folder ({} when absent or unreadable)."""
    import json

    path = Path(folder) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _findings_html(results: Mapping[str, Any]) -> str:
    """The "Key findings" block from a report's recorded findings ('' when there are none)."""
    key = [str(k) for k in results.get("findings.key") or [] if str(k).strip()]
    limits = [str(k) for k in results.get("findings.limits") or [] if str(k).strip()]
    if not key and not limits:
        return ""
    items = "".join(f"<li>{_esc(k)}</li>" for k in key)
    tail = "".join(f"<li>{_esc(k)}</li>" for k in limits)
    return (
        '<section class="jtbd-findings" id="key-findings" aria-labelledby="key-findings-title">'
        '<h2 id="key-findings-title">Key findings</h2>'
        + (f'<ol class="jtbd-findings-list">{items}</ol>' if items else "")
        + (
            '<h3 id="cannot-tell">What this report cannot tell</h3>'
            f'<ul class="jtbd-limits">{tail}</ul>'
            if tail
            else ""
        )
        + "</section>"
    )


def _back_link(meta: Mapping[str, Any]) -> str:
    """Link back to the run's index (reports of a run live in ``OUT/<stem>/``)."""
    if not meta.get("run_id"):
        return ""
    return '<p class="jtbd-back"><a href="../index.html">&larr; All reports of this study</a></p>'


def _index_findings(headlines: Sequence[tuple[str, str, str]]) -> str:
    """Key findings of the run: the headline finding of each report, linked to it."""
    if not headlines:
        return ""
    items = "".join(
        f'<li>{_esc(text)} <a href="{_esc(href)}">({_esc(title)})</a></li>'
        for title, text, href in headlines[:6]
    )
    return (
        '<section class="jtbd-findings" id="key-findings"><h2>Key findings</h2>'
        f'<ol class="jtbd-findings-list">{items}</ol>'
        '<p class="jtbd-limits-note">Each report lists what it cannot tell under its own key '
        "findings.</p></section>"
    )


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
    import nbformat

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
        The HTML document: title block, contents, the notebook's sections with numbered
        figures, the "Methods and caveats" appendix and a footer.

    Raises
    ------
    UsageError
        For an unknown ``audience`` or invalid branding.

    Notes
    -----
    The page embeds its images and stylesheet and carries a Content-Security-Policy that
    blocks every script and network request, so it opens offline and nothing in the data
    can run. Table cells are right-aligned in columns whose values are all numbers.
    """
    import nbformat
    from nbconvert import HTMLExporter

    if audience not in AUDIENCES:
        raise UsageError(
            f"render_html: audience must be one of {', '.join(AUDIENCES)}; got {audience!r}"
        )
    meta = _redacted_meta(meta or {})
    branding = resolve_branding(branding)
    nb = nbformat.read(str(notebook), as_version=4)
    ids = _Ids(
        [
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
        ]
    )
    parameters = _notebook_parameters(nb)
    facts = _prepare(nb, audience=audience, path=str(Path(notebook).resolve().parent), ids=ids)
    title_html = facts["title_html"] or _esc(describe_notebook(notebook)["title"])
    toc = _toc_html(facts["headings"], appendix=True)
    if facts["first_markdown"] is not None:
        facts["first_markdown"].metadata["jtbd"]["toc_after"] = True
        toc_top = ""
    else:
        toc_top = toc
    study = meta.get("study")
    page_title = _plain_text(title_html) + (f" — {study}" if study else "")
    resources = {
        "jtbd": {
            "csp": CSP,
            "audience": audience,
            "page_title": _esc(page_title),
            "css": _stylesheet(branding, code=audience == "teaching"),
            "masthead": _masthead(
                meta,
                branding,
                title_html,
                kicker=str(study or ""),
                edition="Teaching edition" if audience == "teaching" else "Report",
            ),
            "toc": toc,
            "toc_top": toc_top,
            "back": _back_link(meta),
            "findings": _findings_html(_read_results(Path(notebook).parent)),
            "appendix": _appendix(meta, manifest, parameters),
            "footer": _footer(meta, branding),
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
    return _align_numbers(body)


def render_index(
    manifest: Mapping[str, Any],
    out: str | Path,
    *,
    branding: Mapping[str, Any] | None = None,
    period: str | None = None,
) -> str:
    """The run's ``index.html``: a landing page that links each notebook's report.

    Parameters
    ----------
    manifest : mapping
        The run's manifest (study, run id, audience, status and one entry per notebook).
    out : str or Path
        The run's output folder; each report's title and one-line description are read from
        its executed notebook there (see :func:`describe_notebook`).
    branding : mapping, optional
        See :func:`resolve_branding`.
    period : str, optional
        The study period, shown in the title block.

    Returns
    -------
    str
        The HTML document (self-contained, no scripts).
    """
    branding = resolve_branding(branding)
    out = Path(out)
    study = manifest.get("study") or {}
    cards = []
    headlines: list[tuple[str, str, str]] = []
    for entry in manifest.get("notebooks", []):
        stem = str(entry.get("notebook"))
        status = str(entry.get("status"))
        folder = entry.get("folder")
        candidates = [out / str(folder) / f"{stem}.ipynb"] if folder else []
        candidates.append(out / f"{stem}.failed" / f"{stem}.ipynb")
        info = {
            "title": re.sub(r"^\d+[_-]", "", stem).replace("_", " ").capitalize(),
            "description": "",
        }
        for c in candidates:
            if c.is_file():
                try:
                    info = describe_notebook(c)
                except Exception:  # a half-written notebook must not break the index
                    log.warning("could not read %s for the index", c)
                break
        number = stem.split("_", 1)[0] if stem[:2].isdigit() else ""
        ok = status == "ok" and folder
        found = _read_results(out / str(folder)) if ok else {}
        headline = next((str(k) for k in found.get("findings.key") or [] if str(k).strip()), "")
        if headline:
            headlines.append((info["title"], headline, f"{folder}/{stem}.html"))
        href = f"{folder}/{stem}.html"
        title = f'<a href="{_esc(href)}">{_esc(info["title"])}</a>' if ok else _esc(info["title"])
        links = []
        if ok:
            links.append(f'<a href="{_esc(href)}">Read the report</a>')
            if (out / str(folder) / f"{stem}.pdf").is_file():
                links.append(f'<a href="{_esc(folder)}/{_esc(stem)}.pdf">PDF</a>')
        state = (
            ""
            if ok
            else (
                f'<p class="jtbd-status jtbd-status-failed">{_esc(status)}'
                + (f": {_esc(entry.get('error'))}" if entry.get("error") else "")
                + "</p>"
            )
        )
        cards.append(
            f'<li class="jtbd-card{"" if ok else " jtbd-card-failed"}">'
            f'<span class="jtbd-card-number">{_esc(("Report " + number) if number else stem)}</span>'
            f"<h2>{title}</h2>"
            + (
                f'<p class="jtbd-card-finding"><strong>Finding:</strong> {_esc(headline)}</p>'
                if headline
                else ""
            )
            + (f"<p>{_esc(info['description'])}</p>" if info["description"] else "")
            + state
            + (f'<p class="jtbd-card-links">{" · ".join(links)}</p>' if links else "")
            + "</li>"
        )
    date = str(manifest.get("started") or "")[:10]
    meta = _redacted_meta(
        {"study": study.get("name"), "organisation": study.get("organisation")}
    ) | {
        "date": date,
        "run_id": manifest.get("run_id"),
        "period": period,
    }
    audience = str(manifest.get("audience") or "client")
    n_ok = sum(1 for e in manifest.get("notebooks", []) if e.get("status") == "ok")
    n_all = len(manifest.get("notebooks", []))
    lead = (
        f"{n_ok} of {n_all} {'teaching ' if audience == 'teaching' else ''}report"
        f"{'s' if n_all != 1 else ''} from this run"
        + (
            ""
            if manifest.get("status") in ("ok", None)
            else f" (run status: {_esc(manifest.get('status'))})"
        )
        + ". Each report opens offline in any browser and prints to PDF."
    )
    title = "Jobs-to-be-Done study reports"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{_esc(meta.get('study') or title)} — reports</title>"
        f"<style>{_stylesheet(branding, code=False)}</style></head>"
        f'<body class="jtbd-index" data-audience="{_esc(audience)}">'
        + _masthead(
            meta,
            branding,
            _esc(meta.get("study") or title),
            kicker=title,
            edition="Teaching edition" if audience == "teaching" else "Reports",
        )
        + f'<main id="content">{_index_findings(headlines)}<p>{lead}</p>'
        + f'<ol class="jtbd-cards">{"".join(cards)}</ol>'
        + '<p class="jtbd-index-note">For analysts: each report\'s headline figures are in '
        "<code>results.json</code> in its folder; inputs, parameters and software versions of "
        'this run are in <a href="manifest.json">manifest.json</a>.</p></main>'
        + _footer(meta, branding)
        + "</body></html>"
    )


# =========================================================================== figures in the kernel


def figure_alt_text(fig: Any) -> str:
    """Alt text for a matplotlib figure from its own words: chart type, titles, axes, series.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        For example ``"Line chart: Comments per month. Horizontal axis: month; vertical
        axis: comments. Series: North, South."``; empty when the figure has no axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], label="North"); _ = ax.set_title("Comments per month")
    >>> _ = ax.set_xlabel("month"); _ = ax.set_ylabel("comments"); _ = ax.legend()
    >>> figure_alt_text(fig)
    'Line chart: Comments per month. Horizontal axis: month; vertical axis: comments. Series: North.'
    >>> plt.close(fig)
    """
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip() + ".")
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    for ax in axes:
        title = " ".join(
            t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t.strip()
        )
        if any(isinstance(c, BarContainer) for c in ax.containers):
            kind = "Bar chart"
        elif any(isinstance(c, PathCollection) for c in ax.collections):
            kind = "Scatter plot"
        elif ax.get_lines():
            kind = "Line chart"
        else:
            kind = "Chart"
        text = f"{kind}: {title}." if title else f"{kind}."
        labels = []
        if ax.get_xlabel().strip():
            labels.append(f"horizontal axis: {ax.get_xlabel().strip()}")
        if ax.get_ylabel().strip():
            labels.append(f"vertical axis: {ax.get_ylabel().strip()}")
        if labels:
            text += " " + "; ".join(labels)[0].upper() + "; ".join(labels)[1:] + "."
        legend = ax.get_legend()
        if legend is not None:
            names = [t.get_text() for t in legend.get_texts() if t.get_text().strip()]
            if names:
                more = f" and {len(names) - 8} more" if len(names) > 8 else ""
                text += " Series: " + ", ".join(names[:8]) + more + "."
        parts.append(text)
    return " ".join(parts)


def enable_figure_alt_text() -> bool:
    """Store each figure's :func:`figure_alt_text` in its PNG output's metadata (``alt``).

    Call once in a notebook kernel (``plots.set_theme()`` is the natural place), after the
    inline backend is active; :func:`render_html` then uses it as the image's alt text.

    Returns
    -------
    bool
        ``True`` when installed, ``False`` outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    ip = get_ipython()
    if ip is None:
        return False
    import matplotlib
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    kwargs: dict[str, Any] = {"bbox_inches": "tight"}
    if "inline" in str(matplotlib.get_backend()):
        import matplotlib_inline.backend_inline  # noqa: F401  (finishes the backend's own set-up first)
        from matplotlib_inline.config import InlineBackend

        kwargs = dict(InlineBackend.instance(parent=ip).print_figure_kwargs)

    def _png(fig: Figure) -> tuple[str | None, dict[str, str]]:
        data = print_figure(fig, "png", base64=True, **kwargs)
        return data, {"alt": figure_alt_text(fig)}

    ip.display_formatter.formatters["image/png"].for_type(Figure, _png)
    return True


# =========================================================================== PDF


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class ChromiumMissing(JTBDError):
    """Headless Chromium is needed (PDF, browser checks) but not installed."""


def chromium_command(exe: str, profile: str | Path) -> list[str]:
    """The headless, offline Chromium command line (append the action and the URL)."""
    return [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--mute-audio",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]


def require_chromium() -> str:
    """Path of Chromium, or :class:`ChromiumMissing` saying how to install it.

    Raises
    ------
    ChromiumMissing
        When no Chromium is installed.
    """
    exe = find_chromium()
    if exe is None:
        raise ChromiumMissing(
            "--pdf needs headless Chromium, which is not installed: run 'sudo apt-get install "
            "chromium' (or 'make chromium'), or leave out --pdf"
        )
    return exe


def render_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML report to PDF (A4, page numbers, footer) with headless Chromium.

    Raises
    ------
    ChromiumMissing
        When no Chromium is installed (install it with ``apt-get install chromium`` or
        ``make chromium``).
    JTBDError
        When Chromium fails.
    """
    exe = require_chromium()
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="jtbd-chromium-") as profile:
        cmd = chromium_command(exe, profile) + [
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            Path(html_path).resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not pdf_path.is_file():
        raise JTBDError(f"Chromium could not print {html_path} to PDF: {proc.stderr.strip()[:200]}")
    return pdf_path
