"""Constants and small helpers shared by the report renderers (no HTML layout here)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from jtbd_methods.resources import report_template_dir

#: Folder of the report templates, stylesheet and default branding.
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


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


class _TextOf(HTMLParser):
    """Collects the text of an HTML fragment (character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")


def _plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


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


class _Renderer(IPythonRenderer):
    """nbconvert's Markdown renderer whose headings get stable unique ids as they are made.

    Level-2 and level-3 headings are collected (for the contents); with ``take_title``, the
    first level-1 heading is kept as the page title instead of being rendered.
    """

    def __init__(
        self,
        *,
        ids: _Ids | None,
        kind: str = "",
        take_title: bool = False,
        inline: bool = False,
        attachments: Any = None,
        path: str = "",
    ) -> None:
        super().__init__(
            escape=False,
            attachments=attachments or {},
            embed_images=True,
            path=path,
            exclude_anchor_links=True,
        )
        self.ids = ids
        self.kind = kind
        self.take_title = take_title
        self.inline = inline
        self.title_html = ""
        self.headings: list[dict[str, Any]] = []

    def paragraph(self, text: str) -> str:
        # a caption is one paragraph set inline after its figure number
        return text if self.inline else super().paragraph(text)

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        inner = text.strip()
        if self.take_title and level == 1:
            self.take_title = False
            self.title_html = inner
            return ""
        self.take_title = False
        if self.ids is None:
            return f"<h{level}>{inner}</h{level}>\n"
        plain = _plain_text(inner)
        hid = self.ids.take(_slug(plain))
        if level in (2, 3):
            self.headings.append(
                {"level": level, "id": hid, "html": inner, "text": plain, "kind": self.kind}
            )
        return f'<h{level} id="{_esc(hid)}">{inner}</h{level}>\n'


def _markdown(
    source: str,
    *,
    ids: _Ids | None = None,
    kind: str = "",
    take_title: bool = False,
    inline: bool = False,
    attachments: Any = None,
    path: str = "",
) -> tuple[str, _Renderer]:
    """Render Markdown to HTML with :class:`_Renderer`; returns the HTML and the renderer."""
    renderer = _Renderer(
        ids=ids,
        kind=kind,
        take_title=take_title,
        inline=inline,
        attachments=attachments,
        path=path,
    )
    return MarkdownWithMath(renderer=renderer).render(source), renderer


def _markdown_html(
    source: str, *, attachments: Any = None, path: str = "", inline: bool = False
) -> str:
    return _markdown(source, attachments=attachments, path=path, inline=inline)[0]


def _read_results(folder: Path) -> dict[str, Any]:
    """The ``results.json`` of a report folder ({} when absent or unreadable)."""
    path = Path(folder) / "results.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
