"""The documentation site builds without a warning (as `make docs` does) and holds its parts."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def _text(page):
    """The visible text of an HTML page, with spaces normalised."""
    raw = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
    return " ".join(html.unescape(raw).replace("\xa0", " ").split())


def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr[-4000:]
    cli = _text(out / "cli.html")
    for command in ("jtbd run", "jtbd params", "jtbd new-study", "jtbd codebook export"):
        assert command in cli, command
    assert "--parameters-file" in cli
    api = _text(out / "api.html")
    assert "jtbd_methods.study.load_study" in api and "jtbd_methods.resources.notebook_dir" in api
    gallery = (out / "gallery.html").read_text(encoding="utf-8")
    images = sorted((out / "_images").glob("*.png"))
    assert len(images) >= 8
    assert all(image.name in gallery for image in images)
    for page in (
        "getting_started",
        "study_folder",
        "guides/discovery",
        "guides/segmentation",
        "guides/tracking",
        "guides/recovery_workforce",
        "scale",
    ):
        text = (out / f"{page}.html").read_text(encoding="utf-8")
        assert "References" in text or page in ("getting_started", "study_folder", "scale"), page
