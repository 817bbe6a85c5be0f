"""Every notebook: stored clean, parameterised, and runs top to bottom through `jtbd run`
on the sample study and on a study with only feedback.csv (optional files missing).

The runs are the session's shared ones (``sample_run``, ``feedback_only_run`` and
``planted_run`` in conftest.py): each study is executed once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import N_PLANTED_IDENTIFIERS, NOTEBOOKS, SAMPLE_STUDY, html_table_column

from jtbd_methods.runner import notebook_parameters

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


def test_all_notebooks_run_on_sample(sample_run):
    out = sample_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert [n["notebook"] for n in manifest["notebooks"]] == [nb.stem for nb in NOTEBOOKS]
    for nb in NOTEBOOKS:
        results = json.loads((out / nb.stem / "results.json").read_text())
        assert results, f"{nb.stem} recorded no headline figures"


def test_all_notebooks_run_with_only_feedback(feedback_only_run):
    out = feedback_only_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    for nb in NOTEBOOKS:
        assert (out / nb.stem / f"{nb.stem}.html").is_file()


def test_results_keys_are_stable_format(sample_run):
    import re

    out = sample_run
    for nb in NOTEBOOKS:
        for key, value in json.loads((out / nb.stem / "results.json").read_text()).items():
            assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", key), key
            if key.endswith("_ci"):
                assert isinstance(value, list) and len(value) == 2, key


@pytest.mark.slow
def test_notebooks_run_in_place_with_their_defaults_and_reproduce_the_run(sample_run, tmp_path):
    """Each notebook as `make lab` runs it (working folder notebooks/, its own default
    parameters, no `jtbd run`) finishes without error, and gives the same results.json as the
    session's `jtbd run` of the sample study: runs are reproducible across processes, a kernel
    shared by several notebooks (the run's default) gives what a kernel of their own gives,
    and the default ``study_dir`` is the sample study."""
    import os

    import papermill as pm

    from jtbd_methods.report import OUTPUT_ENV, RESULTS_ENV

    for nb in NOTEBOOKS:
        folder = tmp_path / nb.stem
        folder.mkdir()
        results = folder / "results.json"
        env = {RESULTS_ENV: str(results), OUTPUT_ENV: str(folder), "MPLBACKEND": "Agg"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            pm.execute_notebook(
                str(nb),
                str(folder / nb.name),
                parameters={},
                kernel_name="python3",
                cwd=str(nb.parent),
                progress_bar=False,
            )
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        assert results.read_text() == (sample_run / nb.stem / "results.json").read_text(), nb.stem


def _scan(folder: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(file, identifier) for every identifier found in any HTML, notebook, JSON or XLSX output.

    Each identifier matches as whole words with any whitespace between its words, in any
    case; embedded images (base64 data URIs, which hold no whitespace, ``@`` or ``.``) are
    left out of the search, so the scan reads the text, not megabytes of pixels.
    """
    import re
    import zipfile

    words = [r"\s*".join(map(re.escape, needle.split())) for needle in needles]
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(f"(?P<n{i}>{w})" for i, w in enumerate(words)) + r")(?![\w])",
        flags=re.IGNORECASE,
    )
    data_uri = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
    found = []
    for path in sorted(folder.rglob("*")):
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
        text = data_uri.sub(" ", text)
        hits = {needles[int(m.lastgroup[1:])] for m in pattern.finditer(text)}
        found += [(str(path.relative_to(folder)), needle) for needle in sorted(hits)]
    return found


def test_scan_finds_identifiers_across_whitespace_and_case_but_not_inside_words(tmp_path):
    (tmp_path / "a.html").write_text(
        '<p>call SW1A\n1aa now</p><img src="data:image/png;base64,SW1A1AA">'
    )
    (tmp_path / "b.json").write_text('{"x": "xBartholomew Quincey", "y": "DOB 14/02/1951"}')
    (tmp_path / "c.png").write_text("SW1A 1AA")  # not an output the scan reads
    needles = ["SW1A 1AA", "Bartholomew Quince", "DOB 14/02/1951"]
    assert _scan(tmp_path, needles) == [("a.html", "SW1A 1AA"), ("b.json", "DOB 14/02/1951")]


def test_no_planted_identifier_reaches_any_output(planted_run):
    out = planted_run["out"]
    leaks = _scan(out, planted_run["needles"])
    assert not leaks, f"identifiers found in outputs: {leaks[:10]}"
    redacted = json.loads((out / "01_job_discovery" / "results.json").read_text())[
        "privacy.redacted_items"
    ]
    planted_truth = json.loads((SAMPLE_STUDY / "_truth" / "planted_truth.json").read_text())
    assert redacted >= N_PLANTED_IDENTIFIERS + len(planted_truth["identifiers"])


def test_non_answer_share_is_shown_as_the_percentage_results_record(sample_run):
    """``non_answer_summary`` holds fractions (0-1); the overview's table shows the
    percentage that results.json records (it once showed 0.1% for 7.8%)."""
    folder = sample_run / "00_study_overview"
    page = (folder / "00_study_overview.html").read_text()
    results = json.loads((folder / "results.json").read_text())
    rows = html_table_column(page, "share")
    shown = [cell for first, cell in rows if first.replace(",", "").isdigit()]
    assert shown, rows
    assert shown[-1] == f"{results['comments.non_answer_share']:,.1f}%"
