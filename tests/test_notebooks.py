"""Every notebook: stored clean, parameterised, and runs top to bottom through `jtbd run`
on the sample study and on a study with only feedback.csv (optional files missing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SAMPLE_STUDY

from jtbd_methods.runner import notebook_parameters, run_notebooks

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_clean_and_parameterised(path: Path):
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "parameters" in code[0].metadata.get("tags", []), (
        "first code cell must be tagged parameters"
    )
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
        "stored with outputs"
    )
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with a markdown purpose cell"
    params = notebook_parameters(path)
    for name in ("study_dir", "audience", "min_cell_size"):
        assert name in params, f"parameter {name} missing or not parseable by papermill"
    for cell in code:
        assert "def " not in cell.source and "class " not in cell.source, (
            "logic belongs in the package"
        )


def _require_sample():
    if not (SAMPLE_STUDY / "study.yaml").is_file():
        pytest.skip("sample study not generated")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    _require_sample()
    out = tmp_path_factory.mktemp("reports")
    result = run_notebooks(NOTEBOOKS, study=SAMPLE_STUDY, out=out)
    return out, result


@pytest.fixture(scope="module")
def feedback_only_run(tmp_path_factory):
    _require_sample()
    study = tmp_path_factory.mktemp("feedback_only")
    for name in ("study.yaml", "codebook.yaml", "feedback.csv"):
        shutil.copy(SAMPLE_STUDY / name, study / name)
    # drop the hand-coded columns too: a study as a client would first send it
    import pandas as pd

    fb = pd.read_csv(study / "feedback.csv", dtype=str, keep_default_na=False)
    fb[[c for c in fb.columns if not c.startswith("code_")]].to_csv(
        study / "feedback.csv", index=False
    )
    out = tmp_path_factory.mktemp("reports_fb")
    return out, run_notebooks(NOTEBOOKS, study=study, out=out)


def test_all_notebooks_run_on_sample(sample_run):
    out, result = sample_run
    assert result.ok
    for nb in NOTEBOOKS:
        results = json.loads((out / nb.stem / "results.json").read_text())
        assert results, f"{nb.stem} recorded no headline figures"


def test_all_notebooks_run_with_only_feedback(feedback_only_run):
    out, result = feedback_only_run
    assert result.ok
    for nb in NOTEBOOKS:
        assert (out / nb.stem / f"{nb.stem}.html").is_file()


def test_results_keys_are_stable_format(sample_run):
    import re

    out, _ = sample_run
    for nb in NOTEBOOKS:
        for key, value in json.loads((out / nb.stem / "results.json").read_text()).items():
            assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", key), key
            if key.endswith("_ci"):
                assert isinstance(value, list) and len(value) == 2, key


def test_same_study_same_results(sample_run, tmp_path):
    """Reproducibility: a second run of every notebook gives identical results.json."""
    out, _ = sample_run
    again = run_notebooks(NOTEBOOKS, study=SAMPLE_STUDY, out=tmp_path)
    assert again.ok
    for nb in NOTEBOOKS:
        first = (out / nb.stem / "results.json").read_text()
        assert (tmp_path / nb.stem / "results.json").read_text() == first, nb.stem


# Identifiers planted by this test on top of those the sample generator planted (see
# data/samples/recovery_study/README.md): every kind the redactor knows, in comments that
# express jobs, so they are likely to be quoted.
PLANTED = [
    ("date of birth", "DOB 14/02/1951"),
    ("date of birth", "born 3 March 1948"),
    ("NHS number", "943 476 5919"),
    ("phone", "+44 7700 900456"),
    ("email", "rose.tyler1950@example.com"),
    ("postcode", "SW1A 1AA"),
    ("name", "Bartholomew Quince"),
]


def _scan(folder: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(file, identifier) for every identifier found in any HTML, notebook, JSON or XLSX output."""
    import re
    import zipfile

    found = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.suffix not in {
            ".html",
            ".ipynb",
            ".json",
            ".xlsx",
            ".csv",
            ".md",
        }:
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                text = " ".join(
                    zf.read(n).decode("utf-8", "replace")
                    for n in zf.namelist()
                    if n.endswith(".xml")
                )
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        for needle in needles:
            pattern = r"(?<![\w])" + r"\s*".join(map(re.escape, needle.split())) + r"(?![\w])"
            if re.search(pattern, text, flags=re.IGNORECASE):
                found.append((str(path.relative_to(folder)), needle))
    return found


def test_no_planted_identifier_reaches_any_output(tmp_path_factory):
    _require_sample()
    import pandas as pd
    import yaml

    study = tmp_path_factory.mktemp("planted")
    for path in SAMPLE_STUDY.iterdir():
        if path.is_file():
            shutil.copy(path, study / path.name)
    config = yaml.safe_load((study / "study.yaml").read_text())
    config["redact_names"] = [*config.get("redact_names", []), "Bartholomew Quince"]
    (study / "study.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    fb = pd.read_csv(study / "feedback.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(SAMPLE_STUDY / "_truth" / "comment_jobs.csv", dtype=str)
    with_jobs = fb.index[fb["comment_id"].isin(truth["comment_id"])][:140]
    for i, row in enumerate(with_jobs):
        kind, value = PLANTED[i % len(PLANTED)]
        fb.loc[row, "comment"] = f"{fb.loc[row, 'comment']} Contact {value} please."
    fb.to_csv(study / "feedback.csv", index=False)
    planted_truth = json.loads((SAMPLE_STUDY / "_truth" / "planted_truth.json").read_text())
    needles = sorted(
        {value for _, value in PLANTED}
        | {i["value"] for i in planted_truth["identifiers"]}
        | set(config["redact_names"])
    )
    out = tmp_path_factory.mktemp("planted_reports")
    assert run_notebooks(NOTEBOOKS, study=study, out=out).ok
    leaks = _scan(out, needles)
    assert not leaks, f"identifiers found in outputs: {leaks[:10]}"
    redacted = json.loads((out / "01_job_discovery" / "results.json").read_text())[
        "privacy.redacted_items"
    ]
    assert redacted >= 140 + len(planted_truth["identifiers"])
