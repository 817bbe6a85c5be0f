"""Print a report to PDF with headless Chromium (A4, page numbers, footer).

Page breaks are the stylesheet's work (``templates/report/report.css``, ``@media print``):
headings stay with what follows them, figures and table rows are never split, and a table's
header row repeats on every page it spans.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from jtbd_methods.errors import JTBDError

__all__ = [
    "ChromiumMissing",
    "chromium_command",
    "find_chromium",
    "render_pdf",
    "require_chromium",
]


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
