"""The run's ``index.html``: a landing page with the key findings and a card per report."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

import jtbd_methods.render.parts as parts
from jtbd_methods.render._common import CSP, _read_results
from jtbd_methods.render.branding import _logo_src, _stylesheet, resolve_branding
from jtbd_methods.render.prepare import describe_notebook

__all__ = ["render_index"]

log = logging.getLogger(__name__)

#: Report headlines shown in the index's key findings.
MAX_HEADLINES = 6


def _card(entry: Mapping[str, Any], out: Path) -> dict[str, Any]:
    """Facts of one notebook's card: title, description, headline finding, links, status."""
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
    ok = bool(status == "ok" and folder)
    found = _read_results(out / str(folder)) if ok else {}
    headline = next((str(k) for k in found.get("findings.key") or [] if str(k).strip()), "")
    href = f"{folder}/{stem}.html"
    links = []
    if ok:
        links.append(("Read the report", href))
        if (out / str(folder) / f"{stem}.pdf").is_file():
            links.append(("PDF", f"{folder}/{stem}.pdf"))
    return {
        "ok": ok,
        "number": ("Report " + number) if number else stem,
        "title": info["title"],
        "description": info["description"],
        "headline": headline,
        "href": href,
        "links": links,
        "status": status,
        "error": str(entry.get("error") or ""),
    }


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
        The HTML document (self-contained, no scripts), laid out by
        ``templates/report/jtbd/run_index.html.j2``.

    Examples
    --------
    >>> import tempfile
    >>> page = render_index({"study": {"name": "Demo <study>"}, "notebooks": []}, tempfile.mkdtemp())
    >>> "Demo &lt;study&gt; — reports" in page
    True
    """
    branding = resolve_branding(branding)
    out = Path(out)
    study = manifest.get("study") or {}
    entries = manifest.get("notebooks", [])
    cards = [_card(entry, out) for entry in entries]
    headlines = [
        {"title": c["title"], "text": c["headline"], "href": c["href"]}
        for c in cards
        if c["headline"]
    ][:MAX_HEADLINES]
    meta = parts.redacted_meta(
        {"study": study.get("name"), "organisation": study.get("organisation")}
    ) | {
        "date": str(manifest.get("started") or "")[:10],
        "run_id": manifest.get("run_id"),
        "period": period,
    }
    audience = str(manifest.get("audience") or "client")
    title = "Jobs-to-be-Done study reports"
    study_title = str(meta.get("study") or title)
    right = [str(meta[k]) for k in ("organisation", "date", "run_id") if meta.get(k)]
    return parts.index_page(
        csp=CSP,
        css=Markup(_stylesheet(branding, code=False)),
        audience=audience,
        meta={k: str(meta.get(k) or "") for k in ("organisation", "period", "date", "run_id")},
        study_title=study_title,
        kicker=title,
        edition="Teaching edition" if audience == "teaching" else "Reports",
        logo_src=_logo_src(branding),
        logo_alt=branding.get("logo_alt") or meta.get("organisation") or "Logo",
        headlines=headlines,
        n_ok=sum(1 for e in entries if e.get("status") == "ok"),
        n_all=len(entries),
        run_status="" if manifest.get("status") in ("ok", None) else str(manifest.get("status")),
        cards=cards,
        footer_left=str(branding.get("footer") or ""),
        footer_right=right,
    )
