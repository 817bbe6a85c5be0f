"""The parts every page shares, laid out by the Jinja macros of ``parts.html.j2``.

Masthead (title block), contents, key findings, the "Methods and caveats" appendix and the
footer of a report, and the cards of the run's index. Python gathers the facts; the templates
in ``templates/report/jtbd/`` do the layout, in an environment with autoescape on, so text
from data is always escaped. Only HTML that jtbd_methods made itself from the notebook's
Markdown (titles, headings) is passed in as :class:`markupsafe.Markup`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from jtbd_methods.privacy import redact
from jtbd_methods.render._common import KEY_PACKAGES, TEMPLATE_DIR
from jtbd_methods.render.branding import _logo_src


@functools.cache
def environment() -> jinja2.Environment:
    """The autoescaping Jinja environment of the page templates (``templates/report/jtbd``)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR / "jtbd")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=False,
    )


def _macro(name: str) -> Any:
    return getattr(environment().get_template("parts.html.j2").module, name)


def redacted_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` with identifiers (NHS numbers, phones, e-mail, postcodes) removed from the
    free-text fields shown in every masthead and footer: the study name and organisation."""
    out = dict(meta)
    for key in ("study", "organisation"):
        if isinstance(out.get(key), str):
            out[key] = redact(out[key], dob_before_year=0, unlisted_names=False)
    return out


def _meta_view(meta: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("study", "organisation", "period", "date", "run_id")
    return {k: (str(meta[k]) if meta.get(k) not in (None, "") else "") for k in keys}


def masthead(
    meta: Mapping[str, Any],
    branding: Mapping[str, Any],
    title_html: Markup | str,
    *,
    kicker: str,
    edition: str,
) -> Markup:
    """The title block: logo, organisation, edition, kicker, title and the run's facts.

    ``title_html`` is escaped unless it is :class:`~markupsafe.Markup`.
    """
    view = _meta_view(meta)
    alt = branding.get("logo_alt") or view["organisation"] or "Logo"
    return Markup(_macro("masthead")(view, title_html, kicker, edition, _logo_src(branding), alt))


def toc_entries(headings: Sequence[Mapping[str, Any]], *, appendix: bool) -> list[dict[str, Any]]:
    """Level-2 headings with their level-3 headings as children (an H3 before any H2 is
    listed at the top level); with ``appendix``, "Methods and caveats" last."""
    entries = list(headings)
    if appendix:
        entries.append({"level": 2, "id": "methods-and-caveats", "text": "Methods and caveats"})
    tree: list[dict[str, Any]] = []
    for h in entries:
        node = {"id": h["id"], "text": h["text"], "children": []}
        if h["level"] == 3 and tree:
            tree[-1]["children"].append(node)
        else:
            tree.append(node)
    return tree


def toc(headings: Sequence[Mapping[str, Any]], *, appendix: bool) -> Markup:
    """The contents: a nested, numbered list linking each heading ('' without headings)."""
    return Markup(_macro("toc")(toc_entries(headings, appendix=appendix)))


def findings(results: Mapping[str, Any]) -> Markup:
    """The "Key findings" block from a report's recorded findings ('' when there are none)."""
    key = [str(k) for k in results.get("findings.key") or [] if str(k).strip()]
    limits = [str(k) for k in results.get("findings.limits") or [] if str(k).strip()]
    return Markup(_macro("findings")(key, limits))


def back_link(meta: Mapping[str, Any]) -> Markup:
    """Link back to the run's index (reports of a run live in ``OUT/<stem>/``)."""
    return Markup(_macro("back_link")(bool(meta.get("run_id"))))


def footer(meta: Mapping[str, Any], branding: Mapping[str, Any]) -> Markup:
    """Branding footer on the left; organisation, date and run id on the right."""
    right = [str(meta[k]) for k in ("organisation", "date", "run_id") if meta.get(k)]
    return Markup(_macro("footer")(str(branding.get("footer") or ""), right))


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


def appendix(
    meta: Mapping[str, Any],
    manifest: Mapping[str, Any] | None,
    parameters: Mapping[str, Any] | None = None,
) -> Markup:
    """The "Methods and caveats" appendix from the parameters and the run's manifest."""
    manifest = manifest or {}
    params = dict(parameters or {})
    params.update(meta.get("parameters") or {})
    mcs = params.get("min_cell_size")
    if mcs is None:
        mcs = meta.get("min_cell_size")
    versions = manifest.get("versions") or {}
    packages = versions.get("packages") or {}
    shown = []
    for key, value in params.items():
        if key == "study_dir":
            value = Path(str(value)).name
        elif key == "min_cell_size" and value is None:
            value = (
                f"study default ({meta.get('min_cell_size')})"
                if meta.get("min_cell_size")
                else "study default"
            )
        shown.append((key, value))
    inputs = [
        (f.get("path"), _size(f.get("bytes")), str(f.get("sha256", ""))[:12])
        for f in (manifest.get("study") or {}).get("inputs") or []
    ]
    software = []
    if versions:
        software = [("Python", versions.get("python", ""))]
        software += [(name, packages[name]) for name in KEY_PACKAGES if name in packages]
    facts = {
        "notebook": meta.get("notebook") or "",
        "version": packages.get("jtbd_methods") or packages.get("jtbd-methods") or "",
        "study": meta.get("study") or "",
        "organisation": meta.get("organisation") or "",
        "period": meta.get("period") or "",
        "date": meta.get("date") or "",
        "run_id": meta.get("run_id") or "",
        "min_cell_size": mcs,
        "redact": meta.get("redact", True),
        "parameters": shown,
        "inputs": inputs,
        "software": software,
    }
    return Markup(_macro("appendix")(facts))


def index_page(**context: Any) -> str:
    """The run's ``index.html`` from ``run_index.html.j2`` (see :func:`render_index`)."""
    return environment().get_template("run_index.html.j2").render(**context)
