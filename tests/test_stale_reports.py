"""A finished run leaves OUT as its manifest lists it: stale report folders go, a user's stay."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import DEFAULT_FILES

from jtbd_methods._io import OUTPUT_MARKER
from jtbd_methods.runner import NotebookFailed, run_notebooks


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'study_dir: str = "x"\naudience: str = "client"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(source),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def test_rerun_removes_only_stale_report_folders(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    for name, text in DEFAULT_FILES.items():
        (study / name).write_text(text)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    first = _notebook(nbs / "10_first.ipynb", "x = 1")
    second = _notebook(nbs / "11_second.ipynb", "y = 2")
    out = tmp_path / "out"
    run_notebooks([first, second], study=study, out=out)
    assert (out / "11_second" / OUTPUT_MARKER).is_file()
    (out / "mine").mkdir()
    (out / "mine" / "notes.txt").write_text("the user's own folder")
    (out / "empty").mkdir()
    (out / "notes.txt").write_text("the user's own file")

    bad = _notebook(nbs / "12_bad.ipynb", "raise ValueError('boom')")
    with pytest.raises(NotebookFailed):
        run_notebooks([first, bad], study=study, out=out)
    assert (out / "11_second").is_dir(), "a failed run must not remove earlier reports"

    lines: list[str] = []
    run_notebooks([first], study=study, out=out, progress=lines.append)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["10_first", "empty", "index.html", "manifest.json", "mine", "notes.txt"]
    assert (out / "mine" / "notes.txt").read_text() == "the user's own folder"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["removed_stale"] == ["11_second", "12_bad.failed"]
    assert any("removed 2 report folder(s) of earlier runs" in line for line in lines)
