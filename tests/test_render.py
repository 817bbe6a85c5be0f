"""Client and teaching reports: what is shown, figures, contents, appendix, branding, index."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from conftest import DEFAULT_FILES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from jtbd_methods import render, report
from jtbd_methods.errors import UsageError
from jtbd_methods.render import (
    describe_notebook,
    figure_alt_text,
    parts,
    render_html,
    render_index,
    resolve_branding,
)
from jtbd_methods.render._common import _Ids
from jtbd_methods.render.prepare import _prepare

OVERVIEW = ROOT / "notebooks" / "00_study_overview.ipynb"


# --------------------------------------------------------------------------- helpers


class Page(HTMLParser):
    """Element ids, links, images, tags and visible text of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.toc_links: list[str] = []
        self.images: list[dict[str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._nav = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._nav:
                self.toc_links.append(a["href"])
        if tag == "img":
            self.images.append({k: v or "" for k, v in a.items()})
        if tag == "nav":
            self._nav += 1
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav -= 1
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def attrs_of(fragment: str, tag: str) -> list[dict[str, str]]:
    """Attributes of every ``tag`` element in ``fragment`` (in any attribute order)."""
    found: list[dict[str, str]] = []

    class _P(HTMLParser):
        def handle_starttag(self, t, attrs):
            if t == tag:
                found.append({k: v or "" for k, v in attrs})

    _P().feed(fragment)
    return found


def figures_of(page: str) -> list[dict[str, str]]:
    """Each <figure>: its id, the image's src and alt, and the figcaption's inner HTML."""
    out = []
    for m in re.finditer(r"<figure\b([^>]*)>(.*?)</figure>", page, re.S):
        (fig,) = attrs_of(f"<figure{m.group(1)}>", "figure")
        (img,) = attrs_of(m.group(2), "img")
        cap = re.search(r"<figcaption>(.*?)</figcaption>", m.group(2), re.S)
        out.append(
            {
                "id": fig.get("id", ""),
                "src": img["src"],
                "alt": img.get("alt", ""),
                "caption": cap.group(1) if cap else "",
            }
        )
    return out


def appendix_of(page: str) -> str:
    return re.split(r"<section\b[^>]*jtbd-appendix[^>]*>", page, maxsplit=1)[1]


def png_base64(title: str = "") -> str:
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([1, 2, 3], [1, 3, 2])
    if title:
        ax.set_title(title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def image_output(alt: str | None = None) -> nbformat.NotebookNode:
    metadata = {"image/png": {"alt": alt}} if alt else {}
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": png_base64(), "text/plain": "<Figure>"},
        metadata=metadata,
    )


def text_result(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("execute_result", data={"text/plain": text}, execution_count=1)


def code(source: str, *outputs, tags=()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = list(outputs)
    cell.execution_count = 1
    return cell


def md(source: str, tags=()) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)} if tags else {})


def write_nb(path: Path, cells) -> Path:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


META = {
    "study": "Test study",
    "organisation": "Test Trust",
    "period": "2024-01-01 to 2024-12-31",
    "date": "2025-02-03",
    "run_id": "20250203T101010Z-abc123",
    "notebook": "01_demo",
    "parameters": {"study_dir": "/somewhere/private/test_study", "audience": "client"},
    "min_cell_size": 7,
    "redact": True,
}
MANIFEST = {
    "run_id": "20250203T101010Z-abc123",
    "started": "2025-02-03T10:10:10+00:00",
    "study": {
        "name": "Test study",
        "organisation": "Test Trust",
        "inputs": [
            {"path": "feedback.csv", "bytes": 2048, "sha256": "0123456789abcdef" + "0" * 48}
        ],
    },
    "versions": {
        "python": "3.11.7",
        "packages": {
            "pandas": "3.1.1",
            "jtbd_methods": "0.1.0",
            "scikit-learn": "1.9.1",
            "unrelated": "9.9",
        },
    },
}


@pytest.fixture
def demo(tmp_path) -> Path:
    """An executed notebook with every kind of cell and output a report meets."""
    warning = nbformat.v4.new_output(
        "stream", name="stderr", text="/x.py:3: DeprecationWarning: old API\n"
    )
    error = nbformat.v4.new_output(
        "error",
        ename="ValueError",
        evalue="boom",
        traceback=["Traceback (most recent call last)", "ValueError: boom"],
    )
    styled = report.table(
        pd.DataFrame({"site": ["North", "<b>South</b>"], "n": [1200, 35], "share": [12.5, 3.25]}),
        percent=["share"],
        caption="Sites.",
    )
    table_out = nbformat.v4.new_output(
        "display_data", data={"text/html": styled.to_html(), "text/plain": "<Styler>"}
    )
    cells = [
        md("# Demo report\n\nWhat this report is for. It has a second sentence."),
        code('study_dir = "x"\naudience = "client"\nmin_cell_size = None', tags=["parameters"]),
        code('study_dir = "/abs/secret/path"', tags=["injected-parameters"]),
        md("## Teaching note: MARKER_TEACHING\n\nWhy we do this.", tags=["teaching"]),
        md("## Results"),
        code(
            "import secret_code_marker\nax = plot()",
            text_result("<Axes: title={'center': 'x'}>"),
            warning,
        ),
        code("plot_two()", image_output(), text_result("Text(0.5, 1.0, 'A title')")),
        md("*Figure 9. The first caption, with **bold** words.*"),
        code("plot_three()", image_output(alt="Line chart: volumes by month.")),
        md("**Figure 2:** second caption"),
        md("### Details"),
        code("n_total", text_result("4012")),
        code("report.table(df)", table_out),
        code(
            "print('MARKER_STDOUT <script>alert(1)</script>')",
            nbformat.v4.new_output(
                "stream", name="stdout", text="MARKER_STDOUT <script>alert(1)</script>\n"
            ),
        ),
        code("raise_it()", error),
        md("*Figure 5. A caption whose figure was not drawn.*"),
        md("## Results"),
        code("plot_four()", image_output()),
        md("## Exercise\n\nMARKER_EXERCISE", tags=["exercise"]),
        code("answer = None", tags=["exercise"]),
        code("answer = 3  # MARKER_SOLUTION", tags=["solution"]),
        code(
            'print("Correct!")',
            nbformat.v4.new_output("stream", name="stdout", text="MARKER_CHECK\n"),
            tags=["exercise", "check"],
        ),
        code("hidden()", text_result("MARKER_REMOVED"), tags=["remove"]),
        nbformat.v4.new_raw_cell("MARKER_RAW"),
    ]
    return write_nb(tmp_path / "01_demo.ipynb", cells)


@pytest.fixture
def client_page(demo) -> str:
    return render_html(demo, audience="client", meta=META, manifest=MANIFEST)


@pytest.fixture
def teaching_page(demo) -> str:
    return render_html(demo, audience="teaching", meta=META, manifest=MANIFEST)


# --------------------------------------------------------------------------- what is shown


def test_client_report_hides_code_notes_exercises_and_parameters(client_page):
    page = Page(client_page)
    for marker in (
        "MARKER_TEACHING",
        "MARKER_EXERCISE",
        "MARKER_SOLUTION",
        "MARKER_CHECK",
        "MARKER_REMOVED",
        "MARKER_RAW",
        "secret_code_marker",
        "MARKER_STDOUT",
        "/abs/secret/path",
        "answer = None",
        "min_cell_size = None",
    ):
        assert marker not in client_page, marker
    assert "Teaching note" not in page.visible and "Exercise" not in page.visible
    assert 'class="jtbd-input"' not in client_page and 'class="highlight' not in client_page


def test_client_report_has_no_stray_outputs(client_page):
    text = Page(client_page).visible
    for stray in (
        "<Axes",
        "Text(0.5",
        "DeprecationWarning",
        "Warning:",
        "Traceback",
        "ValueError",
        "4012",
        "<Figure",
    ):
        assert stray not in text, stray


def test_teaching_report_shows_code_notes_and_folds_solutions(teaching_page):
    page = Page(teaching_page)
    text = page.visible
    for marker in (
        "MARKER_TEACHING",
        "MARKER_EXERCISE",
        "MARKER_CHECK",
        "secret_code_marker",
        "4012",
    ):
        assert marker in text, marker
    assert re.search(
        r'<details class="jtbd-solution"><summary>Show the solution</summary>.*MARKER_SOLUTION',
        teaching_page,
        re.S,
    )
    assert "jtbd-box-teaching" in teaching_page and "jtbd-box-exercise" in teaching_page
    assert "jtbd-box-check" in teaching_page and "Your answer" in text
    # object reprs, warnings and injected (machine-specific) parameters stay out of teaching pages too
    for stray in (
        "<Axes",
        "Text(0.5",
        "DeprecationWarning",
        "/abs/secret/path",
        "MARKER_REMOVED",
        "MARKER_RAW",
    ):
        assert stray not in text, stray
    # printed markup is shown as text, never as an element
    assert "MARKER_STDOUT <script>alert(1)</script>" in text
    assert "script" not in page.tags


def test_render_html_does_not_modify_the_notebook(demo):
    before = hashlib.sha256(demo.read_bytes()).hexdigest()
    render_html(demo, audience="client", meta=META)
    render_html(demo, audience="teaching", meta=META)
    assert hashlib.sha256(demo.read_bytes()).hexdigest() == before


def test_unknown_audience(demo):
    with pytest.raises(UsageError, match="audience must be one of client, teaching; got 'board'"):
        render_html(demo, audience="board")


# --------------------------------------------------------------------------- page structure


def test_title_block_and_title_from_first_heading(client_page):
    page = Page(client_page)
    masthead = client_page.split("</header>", 1)[0]
    for value in (
        "Test study",
        "Test Trust",
        "2024-01-01 to 2024-12-31",
        "2025-02-03",
        "20250203T101010Z-abc123",
    ):
        assert value in masthead, value
    assert re.search(r'<h1 id="title">Demo report</h1>', masthead)
    assert client_page.count("<h1") == 1, (
        "the notebook's H1 became the page title, not a second heading"
    )
    assert "<title>Demo report — Test study</title>" in client_page
    assert page.visible.index("What this report is for") < page.visible.index("Contents")


def test_contents_links_resolve_to_unique_ids(client_page, teaching_page):
    for text in (client_page, teaching_page):
        page = Page(text)
        assert len(page.ids) == len(set(page.ids)), "duplicate element ids"
        assert page.toc_links, "no table of contents"
        for href in page.toc_links:
            assert href.startswith("#") and href[1:] in page.ids, href
        internal = [h for h in page.links if h.startswith("#")]
        assert all(h[1:] in page.ids for h in internal)
    client = Page(client_page)
    # both "## Results" headings are listed, with distinct anchors; H3 nested under its H2
    assert client.toc_links[:3] == ["#results", "#details", "#results-2"]
    assert client.toc_links[-1] == "#methods-and-caveats"
    assert re.search(
        r'<a href="#results">Results</a><ol><li><a href="#details">Details</a></li></ol>',
        client_page,
    )
    assert "#teaching-note-marker-teaching" in Page(teaching_page).toc_links


def test_figures_are_numbered_captioned_and_have_alt_text(client_page):
    figures = figures_of(client_page)
    assert [f["id"] for f in figures] == ["figure-1", "figure-2", "figure-3"]
    # 1: caption cell "*Figure 9. ...*" renumbered, emphasis kept, alt from the caption
    assert figures[0]["caption"].startswith('<span class="jtbd-figure-number">Figure 1.</span>')
    assert "<em>The first caption, with <strong>bold</strong> words.</em>" in figures[0]["caption"]
    assert figures[0]["alt"] == "The first caption, with bold words."
    # 2: alt from the image metadata (the chart's own words), caption from "**Figure 2:** ..."
    assert figures[1]["alt"] == "Line chart: volumes by month."
    assert "Figure 2.</span> second caption" in figures[1]["caption"]
    # 3: no caption: alt names the figure and its section
    assert figures[2]["alt"] == "Figure 3: Results"
    for f in figures:
        assert f["src"].startswith("data:image/png;base64,") and f["alt"]
        assert base64.b64decode(f["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    # caption cells are consumed; the orphan caption (its figure was not drawn) is dropped
    assert "Figure 9" not in client_page and "not drawn" not in client_page


def test_tables_align_number_columns_right_and_keep_escaping(client_page):
    table = re.search(r"<table.*?</table>", client_page, re.S).group(0)
    assert "&lt;b&gt;South&lt;/b&gt;" in table and "<b>South" not in table
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    header = re.findall(r"<th\b([^>]*)>", rows[0])
    assert ["jtbd-num" in h for h in header] == [False, True, True]
    cells = re.findall(r"<td\b([^>]*)>(.*?)</td>", rows[1])
    assert [("jtbd-num" in a, v.strip()) for a, v in cells] == [
        (False, "North"),
        (True, "1,200"),
        (True, "12.5%"),
    ]


def test_appendix_from_parameters_and_manifest(client_page):
    text = Page(appendix_of(client_page)).visible
    assert "Methods and caveats" in text
    assert "Groups of fewer than 7 patients" in text, (
        "min_cell_size falls back to the study's default"
    )
    assert "redacted" in text and "[name]" in text
    assert "0123456789ab" in text and "0123456789abc" not in text, (
        "SHA-256 shown as a 12-character prefix"
    )
    assert "feedback.csv" in text and "2.0 KB" in text
    assert "Python 3.11.7" in text and "pandas 3.1.1" in text and "scikit-learn 1.9.1" in text
    assert "unrelated" not in text
    assert "study_dir test_study" in text and "/somewhere/private" not in client_page
    assert "min_cell_size study default (7)" in text, "parameters cell defaults are listed"
    assert "01_demo" in text and "20250203T101010Z-abc123" in text


def test_appendix_warns_when_redaction_is_off(demo):
    page = render_html(demo, meta={**META, "redact": False, "parameters": {"min_cell_size": 12}})
    text = Page(page).visible
    assert "Redaction of quotes is switched off" in text
    assert "Groups of fewer than 12 patients" in text


def test_page_is_self_contained_and_runs_nothing(client_page, teaching_page):
    for text in (client_page, teaching_page):
        page = Page(text)
        assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", text)
        assert "@import" not in text and "url(" not in text
        (csp,) = [
            m for m in attrs_of(text, "meta") if m.get("http-equiv") == "Content-Security-Policy"
        ]
        assert csp["content"].startswith(
            "default-src 'none'; img-src data:; style-src 'unsafe-inline';"
        )
        assert "script-src 'none'" in csp["content"] and "connect-src 'none'" in csp["content"]
        assert all(img["src"].startswith("data:image/") for img in page.images)


def test_markup_in_data_stays_text(tmp_path):
    """A comment that looks like markup, shown through report.table, is escaped text."""
    payload = (
        "<img src=x onerror=\"document.title='PWNED'\"><script>document.title='PWNED'</script>"
    )
    styled = report.table(pd.DataFrame({"comment": [payload], "n": [1]}))
    out = nbformat.v4.new_output(
        "display_data", data={"text/html": styled.to_html(), "text/plain": ""}
    )
    nb = write_nb(tmp_path / "x.ipynb", [md("# X"), code("t", out)])
    page = render_html(nb, meta=META)
    parsed = Page(page)
    assert "script" not in parsed.tags and not parsed.images
    assert payload in parsed.visible


# --------------------------------------------------------------------------- branding


def test_branding_defaults_and_overrides(tmp_path, demo):
    default = resolve_branding()
    assert default["primary_colour"] == "#005EB8" and default["logo"] is None
    assert "suppressed" in default["footer"]
    logo = tmp_path / "logo.png"
    logo.write_bytes(base64.b64decode(png_base64()))
    branding = resolve_branding(
        {
            "logo": "logo.png",
            "primary_colour": "#003087",
            "footer": "Board paper </style><script>x</script>",
        },
        base_dir=tmp_path,
    )
    assert branding["logo"] == logo.resolve()
    assert resolve_branding(branding) == branding, "resolving twice changes nothing"
    page = render_html(demo, meta=META, branding=branding)
    assert "--jtbd-primary: #003087;" in page
    (logo_img,) = [a for a in attrs_of(page, "img") if a.get("class") == "jtbd-logo"]
    assert re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", logo_img["src"])
    assert logo_img["alt"] == "Test Trust"
    assert "Board paper &lt;/style&gt;&lt;script&gt;x&lt;/script&gt;" in page  # footer element
    assert "script" not in Page(page).tags, "the footer cannot leave the stylesheet's CSS string"
    layered = resolve_branding({"footer": "Draft"}, defaults=branding)
    assert layered["footer"] == "Draft" and layered["primary_colour"] == "#003087"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"colour": "#000000"},
            r"study.yaml: report: unknown key\(s\) 'colour'; allowed: logo, logo_alt",
        ),
        (
            {"primary_colour": "blue"},
            r"primary_colour must be a hex colour like '#005EB8'; got 'blue'",
        ),
        ({"primary_colour": "#00308"}, r"primary_colour must be a hex colour"),
        ({"logo": "missing.png"}, r"logo file '.*missing.png' does not exist"),
        ({"logo": "logo.gif"}, r"logo must be a .png, .jpg or .svg file; got '.*logo.gif'"),
        ({"footer": 3}, r"footer must be text; got int"),
        (
            ["logo"],
            r"study.yaml: report must be a mapping with keys logo, logo_alt, primary_colour, footer; got list",
        ),
    ],
)
def test_branding_errors(tmp_path, overrides, message):
    with pytest.raises(UsageError, match=message):
        resolve_branding(overrides, base_dir=tmp_path, source="study.yaml: report")


# --------------------------------------------------------------------------- index and descriptions


def test_describe_notebook(tmp_path):
    nb = write_nb(
        tmp_path / "03_segments.ipynb", [md("# Recovery goals\n\nWho wants what. More.\n\n## Part")]
    )
    assert describe_notebook(nb) == {"title": "Recovery goals", "description": "Who wants what."}
    long = (
        "First sentence here is long enough to count as a real sentence for the landing page card. "
        * 5
    )
    nb2 = write_nb(tmp_path / "04_x_y.ipynb", [md("Intro without a title.\n\n" + long)])
    info = describe_notebook(nb2)
    assert info["title"] == "X y" and info["description"] == "Intro without a title."
    nb3 = write_nb(tmp_path / "05_z.ipynb", [md("# T\n\n" + long)])
    assert describe_notebook(nb3)["description"] == long.split(". ")[0] + "."
    nb4 = write_nb(tmp_path / "06_w.ipynb", [md("# T\n\n" + long.replace(". ", ", "))])
    cut = describe_notebook(nb4)["description"]
    assert len(cut) <= 220 and cut.endswith("…") and long.replace(". ", ", ").startswith(cut[:-1])
    loaded = nbformat.read(str(nb), as_version=4)
    loaded.metadata["jtbd"] = {"description": "Custom line."}
    assert describe_notebook(loaded)["description"] == "Custom line."


def test_index_is_a_landing_page(tmp_path):
    out = tmp_path / "out"
    for stem, title in (
        ("00_study_overview", "Study overview"),
        ("04_service_recovery", "Service recovery"),
    ):
        (out / stem).mkdir(parents=True)
        write_nb(
            out / stem / f"{stem}.ipynb",
            [md(f"# {title}\n\nWhat {title.lower()} tells the board.")],
        )
        (out / stem / f"{stem}.html").write_text("<html></html>")
        (out / stem / "results.json").write_text("{}")
    (out / "04_service_recovery" / "04_service_recovery.pdf").write_bytes(b"%PDF-1.4")
    (out / "manifest.json").write_text("{}")
    (out / "05_workforce_px.failed").mkdir()
    write_nb(
        out / "05_workforce_px.failed" / "05_workforce_px.ipynb",
        [md("# Staff experience\n\nJoins.")],
    )
    manifest = {
        **MANIFEST,
        "status": "failed",
        "audience": "client",
        "notebooks": [
            {
                "notebook": "00_study_overview",
                "status": "ok",
                "seconds": 1.0,
                "folder": "00_study_overview",
            },
            {
                "notebook": "04_service_recovery",
                "status": "ok",
                "seconds": 2.0,
                "folder": "04_service_recovery",
            },
            {
                "notebook": "05_workforce_px",
                "status": "failed",
                "seconds": 0.5,
                "folder": "05_workforce_px.failed",
                "error": "notebook 05_workforce_px failed in cell 4: ValueError: <bad>",
            },
            {"notebook": "06_more", "status": "not run", "seconds": None, "folder": None},
        ],
    }
    page = render_index(manifest, out, period="2024-01-01 to 2024-12-31")
    parsed = Page(page)
    text = parsed.visible
    for fragment in (
        "Test study",
        "Test Trust",
        "2024-01-01 to 2024-12-31",
        "20250203T101010Z-abc123",
        "Study overview",
        "What study overview tells the board.",
        "Service recovery",
        "Staff experience",
        "failed: notebook 05_workforce_px failed in cell 4: ValueError: <bad>",
        "2 of 4 reports",
        "More",
    ):
        assert fragment in text, fragment
    local = [h for h in parsed.links if not h.startswith("#")]
    assert "04_service_recovery/04_service_recovery.pdf" in local
    assert "00_study_overview/00_study_overview.pdf" not in local
    for href in local:
        assert (out / href).is_file(), href
    assert "script" not in parsed.tags and "<bad>" not in page


# --------------------------------------------------------------------------- figures in the kernel


def test_figure_alt_text_describes_the_chart():
    import seaborn as sns

    fig, ax = plt.subplots()
    ax.plot([1, 2], label="North")
    ax.plot([2, 1], label="South")
    ax.set_title("Comments per month", loc="left")
    ax.set_xlabel("month")
    ax.set_ylabel("comments")
    ax.legend()
    fig.suptitle("Volumes")
    assert figure_alt_text(fig) == (
        "Volumes. Line chart: Comments per month. Horizontal axis: month; "
        "vertical axis: comments. Series: North, South."
    )
    plt.close(fig)
    fig, (a1, a2) = plt.subplots(1, 2)
    a1.bar(["a", "b"], [1, 2])
    a1.set_title("Ratings")
    sns.scatterplot(x=[1, 2], y=[2, 1], ax=a2)
    assert figure_alt_text(fig) == "Bar chart: Ratings. Scatter plot."
    plt.close(fig)
    fig = plt.figure()
    assert figure_alt_text(fig) == ""
    plt.close(fig)


def test_enable_figure_alt_text_outside_ipython():
    assert render.enable_figure_alt_text() is False


def test_alt_text_from_a_real_kernel(tmp_path):
    """In a kernel, enable_figure_alt_text puts the chart's words into the PNG's metadata."""
    import papermill as pm

    source = write_nb(
        tmp_path / "k.ipynb",
        [
            md("# Kernel"),
            code(
                "import matplotlib.pyplot as plt\nfrom jtbd_methods import render\nrender.enable_figure_alt_text()"
            ),
            code(
                'fig, ax = plt.subplots()\nax.plot([1, 2])\nax.set_title("Waiting times")\nax.set_ylabel("days");'
            ),
        ],
    )
    executed = tmp_path / "k_out.ipynb"
    from jtbd_methods.runner import _env

    with _env(MPLBACKEND="module://matplotlib_inline.backend_inline"):
        pm.execute_notebook(
            str(source), str(executed), kernel_name="python3", progress_bar=False, cwd=str(tmp_path)
        )
    outputs = nbformat.read(str(executed), as_version=4).cells[2].outputs
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert (
        images[0].metadata["image/png"]["alt"] == "Line chart: Waiting times. Vertical axis: days."
    )
    page = render_html(executed, meta=META)
    assert [f["alt"] for f in figures_of(page)] == [
        "Line chart: Waiting times. Vertical axis: days."
    ]


# --------------------------------------------------------------------------- through the runner


@pytest.fixture(scope="module")
def branded_run(tmp_path_factory):
    from jtbd_methods.runner import run_notebooks

    study = tmp_path_factory.mktemp("branded_study")
    for name, text in DEFAULT_FILES.items():
        (study / name).write_text(text)
    (study / "brand").mkdir()
    (study / "brand" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#003087"/></svg>'
    )
    with open(study / "study.yaml", "a") as fh:
        fh.write(
            'report:\n  logo: brand/logo.svg\n  logo_alt: Test Trust logo\n  primary_colour: "#003087"\n'
            "  footer: Board paper, March\n"
        )
    out = tmp_path_factory.mktemp("branded_out")
    run_notebooks([OVERVIEW], study=study, out=out, parameters={"min_cell_size": 2})
    return study, out


def test_runner_applies_study_branding_and_writes_appendix(branded_run):
    study, out = branded_run
    page = (out / "00_study_overview" / "00_study_overview.html").read_text()
    assert "--jtbd-primary: #003087;" in page and "Board paper, March" in page
    (logo_img,) = [a for a in attrs_of(page, "img") if a.get("class") == "jtbd-logo"]
    assert (
        logo_img["src"].startswith("data:image/svg+xml;base64,")
        and logo_img["alt"] == "Test Trust logo"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    sha = {f["path"]: f["sha256"] for f in manifest["study"]["inputs"]}["feedback.csv"]
    appendix = Page(appendix_of(page)).visible
    assert sha[:12] in appendix and "Groups of fewer than 2 patients" in appendix
    assert f"pandas {manifest['versions']['packages']['pandas']}" in appendix
    index = (out / "index.html").read_text()
    assert "--jtbd-primary: #003087;" in index and "Study overview" in index
    assert "2024-01-01 to 2024-12-31" in index


def test_runner_client_report_has_figures_and_no_teaching_or_exercise(branded_run):
    _, out = branded_run
    page = (out / "00_study_overview" / "00_study_overview.html").read_text()
    parsed = Page(page)
    assert "Teaching note" not in parsed.visible and "Exercise" not in parsed.visible
    assert "celltag_teaching" not in page and "celltag_exercise" not in page
    assert len(parsed.images) == 2 + 1, "two figures and the logo"
    assert all(img["alt"] for img in parsed.images)
    assert "Figure 1." in parsed.visible and "Figure 2." in parsed.visible


def test_runner_rejects_bad_branding_before_running(tmp_path):
    from jtbd_methods.runner import run_notebooks

    study = tmp_path / "study"
    study.mkdir()
    for name, text in DEFAULT_FILES.items():
        (study / name).write_text(text)
    with open(study / "study.yaml", "a") as fh:
        fh.write("report:\n  colour: red\n")
    with pytest.raises(UsageError, match=r"study.yaml: report: unknown key\(s\) 'colour'"):
        run_notebooks([OVERVIEW], study=study, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- PDF


def test_render_pdf_says_how_to_install_chromium(tmp_path, monkeypatch):
    monkeypatch.setattr(render.pdf, "find_chromium", lambda: None)
    with pytest.raises(render.ChromiumMissing, match=r"apt-get install chromium.*make chromium"):
        render.render_pdf(tmp_path / "x.html", tmp_path / "x.pdf")


def test_run_with_pdf_but_no_chromium_fails_before_running(tmp_path, monkeypatch):
    from jtbd_methods.runner import run_notebooks

    study = tmp_path / "study"
    study.mkdir()
    for name, text in DEFAULT_FILES.items():
        (study / name).write_text(text)
    monkeypatch.setattr(render.pdf, "find_chromium", lambda: None)
    with pytest.raises(render.ChromiumMissing, match="sudo apt-get install chromium"):
        run_notebooks([OVERVIEW], study=study, out=tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists(), "nothing ran"


@pytest.mark.browser
def test_render_pdf_prints_a_report(demo, tmp_path):
    if render.find_chromium() is None:
        pytest.skip("Chromium is not installed (make chromium)")
    html_file = tmp_path / "demo.html"
    html_file.write_text(render_html(demo, meta=META))
    pdf = render.render_pdf(html_file, tmp_path / "demo.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000


# --------------------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=20), min_size=1, max_size=12))
def test_heading_ids_are_unique_and_contents_links_resolve(titles):
    nb = nbformat.v4.new_notebook(cells=[md("# Title")] + [md(f"## {t or 'x'}") for t in titles])
    ids = _Ids(["title"])
    facts = _prepare(nb, audience="client", path=".", ids=ids)
    anchors = [h["id"] for h in facts["headings"]]
    assert len(anchors) == len(set(anchors))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", a) for a in anchors)
    toc = str(parts.toc(facts["headings"], appendix=False))
    assert re.findall(r'href="#([^"]+)"', toc) == anchors
    rendered = "".join(c.metadata["jtbd"]["html"] for c in nb.cells)
    assert re.findall(r'<h2 id="([^"]+)"', rendered) == anchors


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="ab <>&-", max_size=8),
            st.integers(-(10**6), 10**6),
            st.floats(-1e4, 1e4, allow_nan=False),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_tables_mark_number_columns_where_they_are_built(rows):
    df = pd.DataFrame(rows, columns=["label", "count", "value"])
    html_text = report.table(df).to_html()
    header = re.findall(r"<th\b([^>]*)>", html_text)
    assert ["jtbd-num" in h for h in header] == [False, True, True]
    cells = re.findall(r"<td\b([^>]*)>(.*?)</td>", html_text, re.S)
    assert [("jtbd-num" in a) for a, _ in cells] == [False, True, True] * len(rows)
    # the classes change nothing that the table says: labels stay escaped, numbers formatted
    assert [v for _, v in cells[0::3]] == [html.escape(label) for label, _, _ in rows]
    assert [v for _, v in cells[1::3]] == [f"{n:,}" for _, n, _ in rows]


# --------------------------------------------------------------------------- findings first


def test_key_findings_open_the_report_and_it_links_back_to_the_index(demo):
    (demo.parent / "results.json").write_text(
        json.dumps(
            {
                "findings.key": ["Fix <b>clarity</b> first: 10% of comments.", "Second."],
                "findings.limits": ["The coding is unvalidated."],
            }
        )
    )
    page = render_html(demo, audience="client", meta=META, manifest=MANIFEST)
    parsed = Page(page)
    text = parsed.visible
    # the findings come before the report's own first paragraph and its contents
    assert text.index("Key findings") < text.index("What this report is for")
    assert text.index("Key findings") < text.index("Contents")
    assert "Fix <b>clarity</b> first" in text  # escaped, shown as text
    assert "<b>clarity</b>" not in page
    assert "What this report cannot tell" in text and "The coding is unvalidated." in text
    assert 'href="../index.html"' in page
    # without a run id (a notebook rendered on its own) there is no index to go back to
    alone = render_html(demo, audience="client", meta={**META, "run_id": None})
    assert "../index.html" not in alone


def test_a_report_without_recorded_findings_has_no_empty_block(demo):
    (demo.parent / "results.json").write_text("{}")
    page = render_html(demo, audience="client", meta=META, manifest=MANIFEST)
    assert "Key findings" not in Page(page).visible


def test_index_cards_carry_each_reports_headline(tmp_path):
    out = tmp_path / "out"
    stem = "04_service_recovery"
    (out / stem).mkdir(parents=True)
    write_nb(out / stem / f"{stem}.ipynb", [md("# Service recovery\n\nWhat to fix.")])
    (out / stem / f"{stem}.html").write_text("<html></html>")
    (out / stem / "results.json").write_text(
        json.dumps({"findings.key": ["Fix clarity first.", "Then listening."]})
    )
    manifest = {
        **MANIFEST,
        "audience": "client",
        "notebooks": [{"notebook": stem, "status": "ok", "seconds": 1.0, "folder": stem}],
    }
    text = Page(render_index(manifest, out)).visible
    assert text.index("Key findings") < text.index("Service recovery")
    assert text.count("Fix clarity first.") == 2  # the run's findings and the card
    assert "Then listening." not in text  # only the headline


def test_teaching_edition_shows_the_parameters_this_run_used(demo):
    nb = nbformat.read(str(demo), as_version=4)
    nb.metadata["papermill"] = {
        "parameters": {"study_dir": "/abs/secret/runs/my_study", "min_cell_size": 5}
    }
    nbformat.write(nb, str(demo))
    page = render_html(demo, audience="teaching", meta=META, manifest=MANIFEST)
    text = Page(page).visible
    assert re.search(r"min_cell_size = 5\s+# this run \(default None\)", text)
    assert "study folder 'my_study'" in text and "/abs/secret" not in page
    assert 'audience = "client"' in text  # not injected: the cell's own value


# --------------------------------------------------------------------------- print layout


def _print_rules() -> dict[str, dict[str, str]]:
    """``{selector: {property: value}}`` of the stylesheet's ``@media print`` blocks."""
    css = re.sub(r"/\*.*?\*/", "", (render.TEMPLATE_DIR / "report.css").read_text(), flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    for start in [m.end() for m in re.finditer(r"@media print\s*\{", css)]:
        depth, i = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css[start : i - 1]):
            decls = dict(
                (p.strip(), v.strip())
                for p, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
            )
            for selector in re.split(r",(?![^()]*\))", selectors):
                rules.setdefault(" ".join(selector.split()), {}).update(decls)
    return rules


def test_print_keeps_headings_with_their_content_and_tables_readable(client_page):
    rules = _print_rules()
    for heading in ("h2", "h3"):
        assert rules[heading]["break-after"] == "avoid"
    # a Markdown cell holding a heading stays with the figure or table that follows it
    section = rules[".jtbd-cell-markdown:has(:is(h2, h3, h4))"]
    assert section["break-after"] == "avoid" and section["break-inside"] == "avoid"
    assert rules[".jtbd-figure"]["break-inside"] == "avoid"
    assert rules["tr"]["break-inside"] == "avoid"
    # header rows repeat on every page and are never the last thing on one
    assert rules["thead"]["display"] == "table-header-group"
    assert rules["thead"]["break-after"] == "avoid"
    assert rules["tbody tr:first-child"]["break-before"] == "avoid"
    # a whole table that may not break is pushed to the next page, leaving a blank one behind
    # (the blank first page under the title): tables break between rows, and the key findings
    # and contents may continue on the next page
    assert rules["table"]["break-inside"] == "auto"
    assert rules[".jtbd-findings"]["break-inside"] == "auto"
    assert rules[".jtbd-toc"]["break-inside"] == "auto"
    # the page gives these rules something to hold on to: headings in Markdown cells,
    # figures, and tables with a header row in <thead>
    assert re.search(
        r'<div class="jtbd-cell jtbd-cell-markdown[^"]*">\s*<h2 id="results">', client_page
    )
    assert '<figure class="jtbd-figure"' in client_page
    table = re.search(r"<table\b.*?</table>", client_page, re.S).group(0)
    assert re.search(r"<thead>\s*<tr>\s*<th", table) and "<tbody>" in table
