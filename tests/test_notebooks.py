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
    assert code and "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "stored with outputs"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown", "a notebook opens with a markdown purpose cell"
    params = notebook_parameters(path)
    for name in ("study_dir", "audience", "min_cell_size"):
        assert name in params, f"parameter {name} missing or not parseable by papermill"
    for cell in code:
        assert "def " not in cell.source and "class " not in cell.source, "logic belongs in the package"


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
    fb[[c for c in fb.columns if not c.startswith("code_")]].to_csv(study / "feedback.csv", index=False)
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
