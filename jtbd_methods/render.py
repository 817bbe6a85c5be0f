"""Turn executed notebooks into client and teaching reports (HTML, PDF) and the run index.

Client reports hide code, prompts, stderr (warnings) and every cell tagged ``teaching``,
``exercise``, ``solution`` or ``remove``; teaching reports keep code and teaching notes.
Images are embedded, so each report is one self-contained HTML file.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jtbd_methods.errors import JTBDError

__all__ = ["CLIENT_HIDDEN_TAGS", "find_chromium", "render_html", "render_index", "render_pdf"]

#: Cell tags never shown to a client.
CLIENT_HIDDEN_TAGS = ("teaching", "exercise", "solution", "check", "remove")


def _strip_for_client(nb: Any) -> Any:
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & set(CLIENT_HIDDEN_TAGS):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                and o.get("output_type") != "error"
            ]
            if "parameters" in tags or "injected-parameters" in tags:
                cell.outputs = []
        cells.append(cell)
    nb.cells = cells
    return nb


def _title_block(meta: Mapping[str, Any]) -> str:
    rows = [
        ("Organisation", meta.get("organisation")),
        ("Study period", meta.get("period")),
        ("Report date", meta.get("date")),
        ("Run", meta.get("run_id")),
    ]
    items = "".join(
        f"<div><dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd></div>" for k, v in rows if v
    )
    title = html.escape(str(meta.get("study", "")))
    return f'<header class="jtbd-title"><p class="jtbd-study">{title}</p><dl>{items}</dl></header>'


def render_html(
    notebook: str | Path,
    *,
    audience: str = "client",
    meta: Mapping[str, Any] | None = None,
    branding: Mapping[str, Any] | None = None,
) -> str:
    """Render an executed notebook to one self-contained HTML page.

    Parameters
    ----------
    notebook : str or Path
        An executed ``.ipynb``.
    audience : {"client", "teaching"}
        ``client`` hides code, prompts, stderr and teaching/exercise cells.
    meta : mapping, optional
        Title-block fields: study, organisation, period, date, run_id.
    branding : mapping, optional
        ``footer`` text and ``primary_colour``.

    Returns
    -------
    str
        The HTML document.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    if audience == "client":
        nb = _strip_for_client(nb)
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    meta = dict(meta or {})
    branding = dict(branding or {})
    colour = html.escape(str(branding.get("primary_colour", "#005EB8")))
    footer = html.escape(str(branding.get("footer", "Produced with jtbd_methods")))
    style = (
        "<style>.jtbd-title{border-bottom:4px solid %s;margin:1em 2em;padding-bottom:.5em}"
        ".jtbd-study{font-size:1.1em;color:%s;font-weight:600;margin:0}"
        ".jtbd-title dl{display:flex;flex-wrap:wrap;gap:1.5em;margin:.5em 0 0}"
        ".jtbd-title dt{font-size:.8em;color:#555}.jtbd-title dd{margin:0}"
        ".jtbd-footer{margin:2em;color:#555;font-size:.85em;border-top:1px solid #ccc;padding-top:.5em}</style>"
    ) % (colour, colour)
    body = body.replace("</head>", style + "</head>", 1)
    body = body.replace("<body", "<body data-audience=\"%s\"" % html.escape(audience), 1)
    head_end = body.find(">", body.find("<body")) + 1
    body = body[:head_end] + _title_block(meta) + body[head_end:]
    body = body.replace("</body>", f'<footer class="jtbd-footer">{footer}</footer></body>', 1)
    return body


def render_index(manifest: Mapping[str, Any], out: Path) -> str:
    """The run's ``index.html``: study, run id, and a link to each notebook's report."""
    rows = []
    for nb in manifest.get("notebooks", []):
        stem = html.escape(str(nb["notebook"]))
        status = html.escape(str(nb["status"]))
        folder = nb.get("folder")
        link = f'<a href="{html.escape(folder)}/{stem}.html">{stem}</a>' if nb["status"] == "ok" and folder else stem
        seconds = "" if nb.get("seconds") is None else f"{nb['seconds']:.1f} s"
        err = html.escape(nb.get("error") or "")
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{seconds}</td><td>{err}</td></tr>")
    study = manifest.get("study", {})
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(str(study.get('name', 'jtbd run')))}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}"
        "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}</style>"
        "</head><body>"
        f"<h1>{html.escape(str(study.get('name', '')))}</h1>"
        f"<p>{html.escape(str(study.get('organisation', '')))} · run {html.escape(str(manifest.get('run_id')))}"
        f" · {html.escape(str(manifest.get('audience')))} reports · status {html.escape(str(manifest.get('status')))}</p>"
        "<table><thead><tr><th>Report</th><th>Status</th><th>Time</th><th>Error</th></tr></thead><tbody>"
        + "".join(rows)
        + '</tbody></table><p><a href="manifest.json">manifest.json</a> (inputs, versions, parameters)</p>'
        "</body></html>"
    )


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class ChromiumMissing(JTBDError):
    """Headless Chromium is needed (PDF, browser checks) but not installed."""


def render_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = 120) -> Path:
    """Print an HTML report to PDF with headless Chromium.

    Raises
    ------
    ChromiumMissing
        When no Chromium is installed (install it with ``apt-get install chromium`` or
        ``make chromium``).
    """
    exe = find_chromium()
    if exe is None:
        raise ChromiumMissing(
            "--pdf needs headless Chromium, which is not installed: run 'sudo apt-get install chromium' "
            "(or 'make chromium')"
        )
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="jtbd-chromium-") as profile:
        cmd = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0 or not pdf_path.is_file():
        raise JTBDError(f"Chromium could not print {html_path} to PDF: {proc.stderr.strip()[:200]}")
    return pdf_path
