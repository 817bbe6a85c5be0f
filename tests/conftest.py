"""Shared fixtures: small study folders written on the fly, and the sample study."""

from __future__ import annotations

import hashlib
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

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
    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.skip("the sample study data/samples/recovery_study has not been generated")
    return SAMPLE_STUDY


os.environ.setdefault("MPLBACKEND", "Agg")
# notebooks run in place (nbval) write their exports here, never into notebooks/
os.environ.setdefault(
    "JTBD_OUTPUT_DIR", __import__("tempfile").mkdtemp(prefix="jtbd-test-exports-")
)
