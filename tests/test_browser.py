"""Client reports as a browser shows them: `jtbd run all --pdf` once, then each page in Chromium.

The study is the session's planted run (``planted_run`` in conftest.py): a copy of the sample
study with markup planted in the data (one site renamed to contain a ``<script>`` element, some
comments ending with an ``<img onerror=...>``; both would set the page title to PWNED if they
ever ran) and identifiers the redactor must remove. Chromium's ``--dump-dom`` gives the DOM
after loading, ``--screenshot`` a PNG per page in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import PLANTED_SITE, ROOT

from jtbd_methods.render import chromium_command, find_chromium

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
STRAY = (
    "Traceback",
    "Warning:",
    "DeprecationWarning",
    "FutureWarning",
    "UserWarning",
    "RuntimeWarning",
    "<Axes",
    "<matplotlib",
    "Text(0",
    "<Figure size",
    "Error:",
    "Exception",
)
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/svg+xml": b"<svg"}


class Dom(HTMLParser):
    """What the tests need from a dumped DOM."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.title = ""
        self._text: list[str] = []
        self._skip = 0
        self._in_title = False
        self._nav = 0
        self.toc: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav":
            self._nav += 1
        if tag == "a" and self._nav and a.get("href", "").startswith("#"):
            self.toc.append(a["href"])
        if tag in ("style", "script", "title"):
            self._skip += 1
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav -= 1
        if tag in ("style", "script", "title"):
            self._skip -= 1
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]


def _chromium(
    exe: str, action: list[str], page: Path, timeout: int = 90
) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="jtbd-browser-test-") as profile:
        return subprocess.run(
            chromium_command(exe, profile) + action + [page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip(
            "headless Chromium not found (install it with 'make chromium' or 'apt-get install chromium')"
        )
    return exe


@pytest.fixture(scope="module")
def site(planted_run, chromium):
    """The session's `jtbd run all --pdf` on the planted study; every page dumped and
    screenshotted once."""
    assert planted_run["pdf"], "Chromium is present, so the shared run printed PDFs"
    out = planted_run["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    pages = [out / "index.html"] + [
        out / e["folder"] / f"{e['notebook']}.html" for e in manifest["notebooks"]
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def visit(page: Path) -> tuple[Path, str]:
        dump = _chromium(chromium, ["--dump-dom"], page)
        assert dump.returncode == 0 and "<html" in dump.stdout, dump.stderr[-500:]
        shot = SCREENSHOTS / f"{page.stem}.png"
        _chromium(chromium, ["--window-size=1280,2400", f"--screenshot={shot}"], page)
        return page, dump.stdout

    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = dict(pool.map(visit, pages))
    return {"out": out, "manifest": manifest, "doms": doms, "study": planted_run["study"]}


def _reports(site):
    return {p: Dom(d) for p, d in site["doms"].items() if p.name != "index.html"}


def test_every_notebook_has_a_report(site):
    reports = _reports(site)
    assert len(reports) == len(site["manifest"]["notebooks"]) >= 1
    assert all(e["status"] == "ok" for e in site["manifest"]["notebooks"])


def test_planted_markup_is_shown_as_text_and_never_runs(site):
    shown = False
    for page, text in site["doms"].items():
        dom = Dom(text)
        assert "PWNED" not in dom.title, f"a planted script ran in {page.name}"
        assert not [t for t, _ in dom.tags if t == "script"], f"script element in {page.name}"
        assert not [a for _, a in dom.tags if any(k.startswith("on") for k in a)], (
            f"event handler in {page.name}"
        )
        assert not [a for a in dom.all("img") if a.get("src") == "x"], (
            f"planted image became an element in {page.name}"
        )
        shown = shown or PLANTED_SITE in dom.text
    assert shown, "the planted site name should appear (as text) in at least one report"


def test_client_reports_show_no_code_and_no_teaching_material(site):
    for page, dom in _reports(site).items():
        classes = " ".join(a.get("class", "") for _, a in dom.tags)
        assert "jtbd-input" not in classes and "highlight" not in classes, page.name
        assert "celltag_teaching" not in classes and "celltag_exercise" not in classes, page.name
        for code in (
            "load_study(",
            "import ",
            "report.record(",
            "answer = None",
            "min_cell_size = None",
        ):
            assert code not in dom.text, (page.name, code)
        assert "Teaching note" not in dom.text and "Exercise" not in dom.text, page.name


def test_no_warnings_tracebacks_or_reprs_are_visible(site):
    for page, dom in _reports(site).items():
        for stray in STRAY:
            assert stray not in dom.text, (page.name, stray)


def test_every_image_is_embedded_and_has_alt_text(site):
    n_images = 0
    for page, dom in _reports(site).items():
        for img in dom.all("img"):
            n_images += 1
            m = re.fullmatch(
                r"data:(image/(?:png|jpeg|svg\+xml));base64,([A-Za-z0-9+/=]+)", img.get("src", "")
            )
            assert m, (page.name, img.get("src", "")[:40])
            data = base64.b64decode(m.group(2), validate=True)
            assert data.lstrip().startswith(MAGIC[m.group(1)]) or b"<svg" in data[:300], page.name
            assert img.get("alt", "").strip(), f"image without alt text in {page.name}"
    assert n_images >= 2


def test_figures_are_numbered_in_order(site):
    for page, dom in _reports(site).items():
        numbers = [int(n) for n in re.findall(r"Figure (\d+)\.", dom.text)]
        figures = [a for a in dom.all("figure")]
        assert numbers == list(range(1, len(figures) + 1)), page.name
        assert [a.get("id") for a in figures] == [
            f"figure-{i}" for i in range(1, len(figures) + 1)
        ], page.name


def test_contents_links_resolve(site):
    for page, dom in _reports(site).items():
        assert dom.toc and dom.toc[-1] == "#methods-and-caveats", page.name
        for href in dom.toc:
            assert href[1:] in dom.ids, (page.name, href)
        for a in dom.all("a"):
            href = a.get("href", "")
            assert not href.startswith(("http:", "https:", "//")), (page.name, href)
            if href.startswith("#"):
                assert href[1:] in dom.ids, (page.name, href)


def test_title_block_and_appendix(site):
    manifest = site["manifest"]
    sha = {f["path"]: f["sha256"] for f in manifest["study"]["inputs"]}["feedback.csv"][:12]
    for page, dom in _reports(site).items():
        for fragment in (
            manifest["study"]["name"],
            manifest["study"]["organisation"],
            "2024-01-01 to 2025-12-31",
            manifest["run_id"],
            "Methods and caveats",
            sha,
            "Groups of fewer than 10",
            f"pandas {manifest['versions']['packages']['pandas']}",
        ):
            assert fragment in dom.text, (page.name, fragment)


def test_index_links_every_report(site):
    out = site["out"]
    dom = Dom(site["doms"][out / "index.html"])
    links = [a["href"] for a in dom.all("a") if a.get("href", "").endswith(".html")]
    assert len(set(links)) == len(site["manifest"]["notebooks"])
    for href in links:
        assert (out / href).is_file(), href
    for entry in site["manifest"]["notebooks"]:
        title = Dom(site["doms"][out / entry["folder"] / f"{entry['notebook']}.html"]).all("h1")
        assert title, entry["notebook"]
    assert "manifest.json" in [a.get("href") for a in dom.all("a")]


def test_pdf_of_every_report(site):
    out = site["out"]
    index = Dom(site["doms"][out / "index.html"])
    pdf_links = {a["href"] for a in index.all("a") if a.get("href", "").endswith(".pdf")}
    for entry in site["manifest"]["notebooks"]:
        pdf = out / entry["folder"] / f"{entry['notebook']}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), pdf
        assert f"{entry['folder']}/{entry['notebook']}.pdf" in pdf_links


def test_screenshots_were_taken(site):
    from PIL import Image

    for page in site["doms"]:
        shot = SCREENSHOTS / f"{page.stem}.png"
        assert shot.is_file(), shot
        with Image.open(shot) as im:
            assert im.size == (1280, 2400)
            lo, hi = im.convert("L").getextrema()
            assert hi - lo > 100, f"{shot.name} looks blank"
