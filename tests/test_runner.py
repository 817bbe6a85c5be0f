"""jtbd run: outputs, manifest, atomicity, failures and interruptions."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, tree_hashes

from jtbd_methods.errors import UsageError
from jtbd_methods.runner import NotebookFailed, run_notebooks

OVERVIEW = ROOT / "notebooks" / "00_study_overview.ipynb"


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'study_dir: str = "x"\naudience: str = "client"\nmin_cell_size = None  # type: Optional[int]',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell("from jtbd_methods import report"),
        nbformat.v4.new_code_cell(source),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def overview_run(tmp_path_factory):
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import DEFAULT_FILES

    study = tmp_path_factory.mktemp("study")
    for name, text in DEFAULT_FILES.items():
        (study / name).write_text(text)
    out = tmp_path_factory.mktemp("out")
    before = tree_hashes(study)
    result = run_notebooks([OVERVIEW], study=study, out=out, parameters={"min_cell_size": 2})
    return study, out, result, before


def test_outputs_per_notebook(overview_run):
    _, out, result, _ = overview_run
    folder = out / "00_study_overview"
    assert result.ok
    for name in ("00_study_overview.ipynb", "00_study_overview.html", "results.json"):
        assert (folder / name).is_file(), name
    assert (out / "manifest.json").is_file() and (out / "index.html").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary folders left behind"


def test_results_json_flat_with_stable_keys(overview_run):
    _, out, _, _ = overview_run
    results = json.loads((out / "00_study_overview" / "results.json").read_text())
    assert results["comments.n"] == 4
    assert results["comments.sites"] == 2
    assert all(isinstance(v, int | float | str | list | None) for v in results.values())


def test_manifest_has_inputs_versions_and_status(overview_run):
    study, out, _, _ = overview_run
    manifest = json.loads((out / "manifest.json").read_text())
    inputs = {f["path"]: f["sha256"] for f in manifest["study"]["inputs"]}
    assert set(inputs) == {
        "study.yaml",
        "codebook.yaml",
        "feedback.csv",
        "survey.csv",
        "staff.csv",
        "actions.csv",
    }
    import hashlib

    assert (
        inputs["feedback.csv"] == hashlib.sha256((study / "feedback.csv").read_bytes()).hexdigest()
    )
    assert manifest["versions"]["python"].count(".") == 2
    assert "pandas" in manifest["versions"]["packages"]
    assert manifest["parameters"] == {"min_cell_size": 2}
    assert manifest["notebooks"][0]["status"] == "ok"
    assert manifest["status"] == "ok" and manifest["finished"] >= manifest["started"]


def test_client_html_has_no_code(overview_run):
    _, out, _, _ = overview_run
    page = (out / "00_study_overview" / "00_study_overview.html").read_text()
    assert "load_study(" not in page
    assert "Teaching note" not in page and "Exercise" not in page
    assert "Test study" in page and "Test Trust" in page


def test_inputs_unchanged(overview_run):
    study, _, _, before = overview_run
    assert tree_hashes(study) == before


def test_teaching_html_shows_code_and_same_inputs_give_same_results(overview_run, tmp_path):
    # one second run checks both: the teaching edition, and that results.json does not
    # depend on the run (nor on the audience, which changes only the page)
    study, out, _, _ = overview_run
    run_notebooks(
        [OVERVIEW], study=study, out=tmp_path, audience="teaching", parameters={"min_cell_size": 2}
    )
    page = (tmp_path / "00_study_overview" / "00_study_overview.html").read_text()
    assert "load_study" in page and "Teaching note" in page
    first = (out / "00_study_overview" / "results.json").read_text()
    assert (tmp_path / "00_study_overview" / "results.json").read_text() == first


def test_failure_keeps_earlier_reports_and_names_cell(overview_run, tmp_path):
    study, _, _, _ = overview_run
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    ok = _notebook(nbdir / "10_ok.ipynb", 'report.record("x.value", 1)')
    bad = _notebook(nbdir / "11_bad.ipynb", 'raise ValueError("boom")')
    out = tmp_path / "out"
    run_notebooks([ok], study=study, out=out)
    previous = (out / "10_ok" / "results.json").read_text()
    _notebook(nbdir / "11_bad.ipynb", 'report.record("y", 2)')
    run_notebooks([bad], study=study, out=out)
    earlier_bad = tree_hashes(out / "11_bad")
    _notebook(nbdir / "11_bad.ipynb", 'raise ValueError("boom")')
    with pytest.raises(NotebookFailed, match=r"11_bad failed in cell 3 .*ValueError: boom"):
        run_notebooks([ok, bad], study=study, out=out)
    assert (out / "10_ok" / "results.json").read_text() == previous
    assert tree_hashes(out / "11_bad") == earlier_bad, (
        "the failed run touched the previous good report"
    )
    assert (out / "11_bad.failed" / "11_bad.ipynb").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert [n["status"] for n in manifest["notebooks"]] == ["ok", "failed"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_interrupt_leaves_no_partial_output(overview_run, tmp_path, monkeypatch):
    import papermill

    study, _, _, _ = overview_run

    def interrupted(*args, **kwargs):
        Path(args[1]).write_text("{half")
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_notebooks([OVERVIEW], study=study, out=out)
    assert list(out.iterdir()) == []


def test_unwritable_output_folder(overview_run, tmp_path):
    import os

    if os.geteuid() == 0:
        target = Path("/proc/jtbd-cannot-write-here")
    else:
        target = tmp_path / "ro"
        target.mkdir()
        target.chmod(0o500)
    study = overview_run[0]
    with pytest.raises(UsageError, match="not writable"):
        run_notebooks([OVERVIEW], study=study, out=target)


def test_unknown_audience(overview_run, tmp_path):
    with pytest.raises(UsageError, match="audience"):
        run_notebooks([OVERVIEW], study=overview_run[0], out=tmp_path, audience="board")


def test_a_notebook_starts_after_the_notebooks_it_needs(overview_run, tmp_path):
    study, _, _, _ = overview_run
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    # 10_first takes a while; 11_second reads its results (its working folder is a temporary
    # folder inside OUT, so ../10_first is the finished report) and declares that it needs it
    first = _notebook(nbdir / "10_first.ipynb", 'import time\ntime.sleep(3)\nreport.record("x", 1)')
    second = _notebook(
        nbdir / "11_second.ipynb",
        "import json, pathlib\n"
        'done = json.loads(pathlib.Path("../10_first/results.json").read_text())\n'
        'report.record("y", done["x"] + 1)',
    )
    nb = nbformat.read(str(second), as_version=4)
    nb.metadata["jtbd"] = {"needs": ["10_first"]}
    nbformat.write(nb, str(second))
    out = tmp_path / "out"
    result = run_notebooks([first, second], study=study, out=out, jobs=2)
    assert [r.status for r in result.runs] == ["ok", "ok"]
    assert json.loads((out / "11_second" / "results.json").read_text()) == {"y": 2}


def test_jobs_must_be_a_positive_whole_number(overview_run, tmp_path):
    for jobs in (0, -1, 1.5, True):
        with pytest.raises(UsageError, match="jobs must be a whole number"):
            run_notebooks([OVERVIEW], study=overview_run[0], out=tmp_path, jobs=jobs)


def test_after_a_failure_no_further_notebook_starts(overview_run, tmp_path):
    study, _, _, _ = overview_run
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    bad = _notebook(nbdir / "10_bad.ipynb", 'raise ValueError("boom")')
    needs_bad = _notebook(nbdir / "11_after.ipynb", 'report.record("x", 1)')
    nb = nbformat.read(str(needs_bad), as_version=4)
    nb.metadata["jtbd"] = {"needs": ["10_bad"]}
    nbformat.write(nb, str(needs_bad))
    out = tmp_path / "out"
    with pytest.raises(NotebookFailed, match="10_bad failed"):
        run_notebooks([bad, needs_bad], study=study, out=out, jobs=2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["failed", "not run"]
    assert not (out / "11_after").exists()


def test_kernel_sockets_fit_the_unix_path_limit(tmp_path):
    """A Unix socket path holds at most 107 bytes: a kernel under a deep temporary folder (a
    long TMPDIR, e.g. pytest's or macOS's) listens on the loopback interface instead of
    failing with "File name too long"; otherwise it uses a short socket name."""
    from jtbd_methods._kernel import _MAX_SOCKET_PATH, _kernel_manager_class

    live: list = []
    shallow = _kernel_manager_class(tmp_path, live, name="kernel-00_study_overview")()
    assert shallow.transport == "ipc" and len(shallow.ip) <= _MAX_SOCKET_PATH
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    far = _kernel_manager_class(deep, live, name="kernel-00_study_overview")()
    assert far.transport == "tcp" and far.ip == "127.0.0.1"


#: Two notebooks run one after the other in one worker: the first changes everything a
#: notebook can change in its kernel, the second records what it finds.
_CHANGES = """
import os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, pandas as pd
leak = 1
mpl.rcParams["lines.linewidth"] = 9.0
pd.set_option("display.max_rows", 3)
os.environ["JTBD_LEAK"] = "1"
sys.path.append("/nowhere")
warnings.filterwarnings("ignore", message="shown once")
plt.figure()
report.record("first", 1)
report.mark_quoted("C1")
"""
_FINDS = """
import json, os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, pandas as pd
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("default")
    warnings.warn("shown once")
report.record("state.names", sorted(k for k in globals() if not k.startswith("_") and k not in ("In", "Out", "exit", "quit", "open", "get_ipython")))
report.record("state.linewidth", float(mpl.rcParams["lines.linewidth"]))
report.record("state.max_rows", int(pd.get_option("display.max_rows")))
report.record("state.env", "JTBD_LEAK" in os.environ)
report.record("state.path", "/nowhere" in sys.path)
report.record("state.ignored", any(f[1] is not None and f[1].pattern == "shown once" for f in warnings.filters))
report.record("state.figures", len(plt.get_fignums()))
report.record("state.count", get_ipython().execution_count)
report.record("state.quoted", sorted(report.quoted()))
report.record("state.cwd", os.path.basename(os.getcwd()).startswith(".11_finds."))
plt.plot([1, 2]);
"""


def test_shared_kernel_gives_each_notebook_a_fresh_kernels_state(overview_run, tmp_path):
    """One worker runs both notebooks in one kernel (``kernels="shared"``); the second must
    find what it would in a kernel of its own (``kernels="fresh"``): no variable, figure,
    rcParam, pandas option, environment variable, path entry, warning filter, recorded
    result or quoted comment of the first, the same execution count and its own working
    folder; and its figures are shown (the inline backend's interactive mode is not undone)."""
    study = overview_run[0]
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    first = _notebook(nbdir / "10_changes.ipynb", _CHANGES)
    second = _notebook(nbdir / "11_finds.ipynb", _FINDS)
    found = {}
    for mode in ("shared", "fresh"):
        out = tmp_path / mode
        run_notebooks([first, second], study=study, out=out, jobs=1, kernels=mode)
        found[mode] = json.loads((out / "11_finds" / "results.json").read_text())
        executed = nbformat.read(str(out / "11_finds" / "11_finds.ipynb"), as_version=4)
        shown = [o for o in executed.cells[-1].outputs if "image/png" in o.get("data", {})]
        assert len(shown) == 1, f"{mode}: the figure was not shown"
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["execution"] == {"jobs": 1, "kernels": mode}
    assert found["shared"] == found["fresh"]
    state = found["shared"]
    assert "first" not in state and "leak" not in state["state.names"]
    assert state["state.linewidth"] != 9.0 and state["state.max_rows"] != 3
    assert not state["state.env"] and not state["state.path"] and not state["state.ignored"]
    assert state["state.figures"] == 0 and state["state.quoted"] == [] and state["state.cwd"]


def test_unknown_kernel_mode(overview_run, tmp_path):
    with pytest.raises(UsageError, match="kernels must be one of shared, fresh"):
        run_notebooks([OVERVIEW], study=overview_run[0], out=tmp_path, kernels="pooled")


@pytest.mark.parametrize("kernels", ["shared", "fresh"])
def test_a_cell_over_the_time_limit_fails_its_notebook_cleanly(overview_run, tmp_path, kernels):
    """nbclient's CellTimeoutError is a failed notebook (kept, in the manifest, one line),
    not a crash that leaves no manifest."""
    study = overview_run[0]
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    slow = _notebook(nbdir / "10_slow.ipynb", "import time\ntime.sleep(60)")
    out = tmp_path / "out"
    with pytest.raises(NotebookFailed, match=r"a cell ran longer than 2 s, the limit of one cell"):
        run_notebooks([slow], study=study, out=out, timeout=2, kernels=kernels)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [n["status"] for n in manifest["notebooks"]] == ["failed"]
    assert (out / "10_slow.failed" / "10_slow.ipynb").is_file()
