"""Shared fixtures: small study folders written on the fly, and the sample study."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

try:  # POSIX; elsewhere the shared runs are not locked (run without pytest-xdist there)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

matplotlib.use("Agg")

# Hypothesis profiles. "ci": fixed seed (derandomize), so a CI run never fails on an example
# nobody has seen; failures found while exploring are kept as explicit @example cases.
# "explore": new random examples on every run, more of them, for local bug hunting.
# Choose with HYPOTHESIS_PROFILE; the default is "ci" when CI is set, else "explore".
# (Hypothesis loads a "ci" profile of its own when CI is set: both are based on "default".)
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "explore", parent=settings.get_profile("default"), deadline=None, print_blob=True
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "explore")
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_STUDY = ROOT / "data" / "samples" / "recovery_study"
TEMPLATE_CODEBOOK = ROOT / "templates" / "codebooks" / "healthcare_recovery.yaml"

STUDY_YAML = textwrap.dedent(
    """\
    name: Test study
    organisation: Test Trust
    period: {start: 2024-01-01, end: 2024-12-31}
    min_cell_size: 5
    codebook: codebook.yaml
    """
)
CODEBOOK_YAML = textwrap.dedent(
    """\
    name: Test codebook
    jobs:
      - id: gain_clarity
        label: Understand what comes next
        statement: When I leave hospital, I want to know what happens next, so I can plan.
        dimension: functional
        stage: leaving_care
        indicators: ["what happens next", {phrase: "no one explained", polarity: disrupted}]
      - id: feel_heard
        label: Feel seen and heard
        dimension: emotional
        indicators: ["listened", "dismissive"]
    outcomes:
      - {id: know_next_steps, job_id: gain_clarity, text: Minimise the time it takes to know the next steps}
      - {id: be_listened_to, job_id: feel_heard, text: Increase the likelihood that staff listen}
    """
)
FEEDBACK_CSV = textwrap.dedent(
    """\
    comment_id,received,site,service,rating,comment
    C1,2024-01-05,North,Surgery,2,No one explained what happens next
    C2,2024-01-09,North,Surgery,5,Staff listened to me
    C3,2024-02-01,South,Cardiology,,
    C4,2024-03-12,South,Cardiology,4,"Kind staff, and they told me what happens next"
    """
)
SURVEY_CSV = textwrap.dedent(
    """\
    respondent_id,wave,diagnosis_group,imp_know_next_steps,sat_know_next_steps,imp_be_listened_to,sat_be_listened_to,overall_satisfaction
    R1,1,cardiac,5,2,4,4,3
    R2,1,oncology,4,,5,3,4
    R1,2,cardiac,5,3,4,5,4
    """
)
STAFF_CSV = textwrap.dedent(
    """\
    unit,period,engagement,respondents
    North,2024-01,6.5,20
    North,2024-02,7.0,22
    South,2024-01,5.5,30
    """
)
ACTIONS_CSV = textwrap.dedent(
    """\
    action_id,job_id,description,owner,started,status
    A1,gain_clarity,Discharge call,Ward manager,2024-02-01,completed
    """
)

DEFAULT_FILES = {
    "study.yaml": STUDY_YAML,
    "codebook.yaml": CODEBOOK_YAML,
    "feedback.csv": FEEDBACK_CSV,
    "survey.csv": SURVEY_CSV,
    "staff.csv": STAFF_CSV,
    "actions.csv": ACTIONS_CSV,
}


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Path]:
    """Write a small study folder; keyword arguments replace (str/bytes) or drop (None) files."""

    def _make(name: str = "study", **files: str | bytes | None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        content = dict(DEFAULT_FILES)
        for key, value in files.items():
            content[key.replace("__", ".")] = value
        for fname, text in content.items():
            if text is None:
                continue
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (folder / fname).write_bytes(data)
        return folder

    return _make


def tree_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (to prove inputs are never modified)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def sample_study() -> Path:
    # the sample study is committed: a missing one is a broken checkout, never a skip
    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.fail(f"the sample study is missing: {SAMPLE_STUDY / 'study.yaml'}")
    return SAMPLE_STUDY


os.environ.setdefault("MPLBACKEND", "Agg")
# notebooks run in place (papermill in tests) write their exports here, never into notebooks/
os.environ.setdefault(
    "JTBD_OUTPUT_DIR", __import__("tempfile").mkdtemp(prefix="jtbd-test-exports-")
)


# ----------------------------------------------------------------------------------------
# Runs of every notebook, executed once per test session and shared.
#
# A full `jtbd run all` costs minutes of CPU, so each study below is run once per session
# and the tests read its output folder (``OUT/<stem>/results.json``, ``<stem>.html``,
# ``manifest.json``, ``index.html``). Tests must treat the folder as read-only: copy it
# (``shutil.copytree``) before changing anything. Under pytest-xdist every worker sees the
# same folder: the first worker to need a run builds it under a file lock, the others wait
# and read it, so each run still happens once per session.
# ----------------------------------------------------------------------------------------
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Identifiers planted on top of those the sample generator planted (see
# data/samples/recovery_study/README.md): every kind the redactor knows, in comments that
# express jobs, so they are likely to be quoted (read by test_notebooks' leak test).
PLANTED_IDENTIFIERS = [
    ("date of birth", "DOB 14/02/1951"),
    ("date of birth", "born 3 March 1948"),
    ("NHS number", "943 476 5919"),
    ("phone", "+44 7700 900456"),
    ("email", "rose.tyler1950@example.com"),
    ("postcode", "SW1A 1AA"),
    ("name", "Bartholomew Quince"),
]
N_PLANTED_IDENTIFIERS = 140  # comments that receive one of the identifiers above
# Markup planted in the data (read by test_browser): one site renamed to contain a <script>
# element and some of its comments ending with an <img onerror=...>; both would set the page
# title to PWNED if they ever ran.
PLANTED_MARKUP_SITE = "Westmoor Infirmary"
SCRIPT_PAYLOAD = "<script>document.title='PWNED'</script>"
IMG_PAYLOAD = "<img src=x onerror=document.title='PWNED'>"
PLANTED_SITE = f"Westmoor {SCRIPT_PAYLOAD} Infirmary"
N_PLANTED_MARKUP = 40


def _shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every pytest-xdist worker of this session sees (the session's base temp)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # each worker's basetemp is <session root>/popen-gwN
    root = base / "shared-runs"
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (released by the OS if the holder dies)."""
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def shared_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder ``build(folder)`` filled, built once per test session (across workers).

    ``build`` receives an empty folder; a build that raises leaves no finished folder, so
    every test that needs it fails with that error (and a later worker tries again).
    """
    root = _shared_root(tmp_path_factory)
    folder = root / name
    done = root / f"{name}.done"
    with _file_lock(root / f"{name}.lock"):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.write_text("ok\n")
    return folder


def html_table_column(page: str, header: str) -> list[list[str]]:
    """Rows (cell texts) of every table of a report page with a column headed ``header``,
    each row as ``[first cell, cell under header]``: what a reader sees, to check numbers
    against ``results.json``."""
    from html.parser import HTMLParser

    class _Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[list[list[str]]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.tables[-1].append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None and self.tables:
                self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = _Tables()
    parser.feed(page)
    out = []
    for table in parser.tables:
        rows = [r for r in table if r]
        if rows and header in rows[0]:
            col = rows[0].index(header)
            out.extend([r[0], r[col]] for r in rows[1:] if len(r) > col)
    return out


def copy_sample_study(target: Path, *, files: tuple[str, ...] | None = None) -> Path:
    """Copy the committed sample study (or only ``files`` of it) into ``target``."""
    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.fail(f"the sample study is missing: {SAMPLE_STUDY / 'study.yaml'}")
    if files is None:
        shutil.copytree(SAMPLE_STUDY, target)
    else:
        target.mkdir(parents=True)
        for name in files:
            shutil.copy(SAMPLE_STUDY / name, target / name)
    return target


def drop_hand_codes(study: Path) -> None:
    """Remove the hand-coded ``code_*`` columns of ``feedback.csv`` (a study as first sent)."""
    import pandas as pd

    fb = pd.read_csv(study / "feedback.csv", dtype=str, keep_default_na=False)
    fb[[c for c in fb.columns if not c.startswith("code_")]].to_csv(
        study / "feedback.csv", index=False
    )


def plant_identifiers(study: Path) -> list[str]:
    """Append one of ``PLANTED_IDENTIFIERS`` to comments that express jobs; return every
    identifier the outputs must not show (these, the generator's and ``redact_names``)."""
    import json

    import pandas as pd
    import yaml

    config = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    config["redact_names"] = [*config.get("redact_names", []), "Bartholomew Quince"]
    (study / "study.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    fb = pd.read_csv(study / "feedback.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(SAMPLE_STUDY / "_truth" / "comment_jobs.csv", dtype=str)
    with_jobs = fb.index[fb["comment_id"].isin(truth["comment_id"])][:N_PLANTED_IDENTIFIERS]
    assert len(with_jobs) == N_PLANTED_IDENTIFIERS, "the sample study has too few job comments"
    for i, row in enumerate(with_jobs):
        _, value = PLANTED_IDENTIFIERS[i % len(PLANTED_IDENTIFIERS)]
        fb.loc[row, "comment"] = f"{fb.loc[row, 'comment']} Contact {value} please."
    fb.to_csv(study / "feedback.csv", index=False)
    planted_truth = json.loads((SAMPLE_STUDY / "_truth" / "planted_truth.json").read_text())
    return sorted(
        {value for _, value in PLANTED_IDENTIFIERS}
        | {i["value"] for i in planted_truth["identifiers"]}
        | set(config["redact_names"])
    )


def plant_markup(study: Path) -> int:
    """Rename one site to carry a <script> and end some of its comments with an <img onerror>;
    return how many comments were changed."""
    import csv
    import io

    for path in study.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        if PLANTED_MARKUP_SITE in text:
            path.write_text(text.replace(PLANTED_MARKUP_SITE, PLANTED_SITE), encoding="utf-8")
    fb = study / "feedback.csv"
    rows = list(csv.DictReader(io.StringIO(fb.read_text(encoding="utf-8"))))
    n = 0
    for row in rows:
        if row["site"] == PLANTED_SITE and row["comment"] and n < N_PLANTED_MARKUP:
            row["comment"] = f"{row['comment']} {IMG_PAYLOAD}"
            n += 1
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    fb.write_text(buf.getvalue(), encoding="utf-8")
    return n


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """``OUT`` of every notebook run once on the committed sample study (client audience)."""
    from jtbd_methods.runner import run_notebooks

    def build(folder: Path) -> None:
        run_notebooks(NOTEBOOKS, study=SAMPLE_STUDY, out=folder)

    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.fail(f"the sample study is missing: {SAMPLE_STUDY / 'study.yaml'}")
    return shared_run(tmp_path_factory, "sample", build)


@pytest.fixture(scope="session")
def feedback_only_run(tmp_path_factory) -> Path:
    """``OUT`` of every notebook on a study of study.yaml, codebook and feedback.csv only,
    without hand codes (optional files missing, as a client would first send it)."""
    from jtbd_methods.runner import run_notebooks

    def build(folder: Path) -> None:
        study = copy_sample_study(
            folder / "study", files=("study.yaml", "codebook.yaml", "feedback.csv")
        )
        drop_hand_codes(study)
        run_notebooks(NOTEBOOKS, study=study, out=folder / "out")

    return shared_run(tmp_path_factory, "feedback_only", build) / "out"


@pytest.fixture(scope="session")
def planted_run(tmp_path_factory) -> dict:
    """`jtbd run all` (a subprocess, as a user runs it) on the sample study with planted
    identifiers and planted markup, with ``--pdf`` when headless Chromium is present.

    Returns ``{"out", "study", "needles", "pdf"}``: the output folder, the planted study,
    the identifiers no output may show and whether PDFs were printed.
    """
    import json
    import subprocess
    import sys

    from jtbd_methods.render import find_chromium

    pdf = find_chromium() is not None

    def build(folder: Path) -> None:
        study = copy_sample_study(folder / "study")
        needles = plant_identifiers(study)
        assert plant_markup(study) == N_PLANTED_MARKUP
        (folder / "needles.json").write_text(json.dumps(needles))
        proc = subprocess.run(
            [sys.executable, "-m", "jtbd_methods", "run", "all", "--study", str(study),
             "--out", str(folder / "out"), *(["--pdf"] if pdf else [])],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=1800,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]

    folder = shared_run(tmp_path_factory, "planted", build)
    return {
        "out": folder / "out",
        "study": folder / "study",
        "needles": json.loads((folder / "needles.json").read_text()),
        "pdf": pdf,
    }
