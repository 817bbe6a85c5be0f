"""The jtbd command: through typer's runner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import FEEDBACK_CSV, ROOT, tree_hashes

from jtbd_methods.cli import main
from jtbd_methods.errors import UsageError
from jtbd_methods.runner import parse_parameters, resolve_notebooks


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jtbd_methods", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_validate_ok(make_study, capsys):
    code = main(["validate", str(make_study())])
    out = capsys.readouterr().out
    assert code == 0
    assert "Test study (Test Trust): valid" in out
    assert "feedback.csv" in out and "2024-01-05" in out


def test_validate_wrong_column_and_bad_date_exit_1(make_study, capsys):
    folder = make_study(
        feedback__csv=FEEDBACK_CSV.replace("site,", "sight,", 1),
        actions__csv="action_id,job_id,description,owner,started,status\nA1,gain_clarity,x,y,2024-02-30,done\n",
    )
    code = main(["validate", str(folder)])
    captured = capsys.readouterr()
    assert code == 1
    assert "feedback.csv" in captured.out and "site" in captured.out
    assert "actions.csv" in captured.out and "2024-02-30" in captured.out
    assert "2 errors found" in captured.err


def test_validate_subprocess_one_line_error_no_traceback(make_study):
    folder = make_study(feedback__csv=FEEDBACK_CSV.replace("Surgery,5,", "Surgery,9,"))
    proc = run_cli("validate", str(folder))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "row 3" not in proc.stderr  # details go to the table on stdout
    assert "rating" in proc.stdout


def test_run_unknown_notebook_is_one_line(make_study):
    proc = run_cli("run", "99", "--study", str(make_study()), "--out", "/tmp/never")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown notebook '99'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_debug_shows_traceback(make_study):
    proc = run_cli("--debug", "run", "99", "--study", str(make_study()), "--out", "/tmp/never")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_run_invalid_study_is_one_line(make_study, tmp_path):
    folder = make_study(feedback__csv=FEEDBACK_CSV.replace("Surgery,5,", "Surgery,9,"))
    before = tree_hashes(folder)
    code = main(["run", "00", "--study", str(folder), "--out", str(tmp_path / "out")])
    assert code == 1
    assert not (tmp_path / "out").exists()
    assert tree_hashes(folder) == before


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("nonsense=1", "unknown parameter 'nonsense'"),
        ("min_cell_size=ten", "parameter 'min_cell_size'"),
        ("period=3", "parameter 'period'"),
        ("study_dir=/etc", "--study"),
        ("novalue", "key=value"),
    ],
)
def test_bad_parameters_rejected_before_running(make_study, tmp_path, capsys, param, message):
    out = tmp_path / "out"
    code = main(["run", "00", "--study", str(make_study()), "--out", str(out), "-p", param])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert not out.exists() or not any(out.iterdir())


def test_parameters_are_literals_never_code():
    params = parse_parameters(["x=__import__('os').system('echo hacked')", "y=[1, 2]", "z=True"])
    assert params["x"] == "__import__('os').system('echo hacked')"
    assert params["y"] == [1, 2] and params["z"] is True


def test_resolve_notebooks_by_number_stem_and_all():
    assert resolve_notebooks("00")[0].stem == "00_study_overview"
    assert resolve_notebooks("0")[0].stem == "00_study_overview"
    assert resolve_notebooks("00_study_overview")[0].stem == "00_study_overview"
    assert (
        resolve_notebooks(str(ROOT / "notebooks" / "00_study_overview.ipynb"))[0].name
        == "00_study_overview.ipynb"
    )
    assert [p.stem for p in resolve_notebooks("all")][0] == "00_study_overview"
    with pytest.raises(UsageError, match="unknown notebook"):
        resolve_notebooks("nope")


def test_new_study_creates_skeleton(tmp_path, capsys):
    target = tmp_path / "new"
    assert main(["new-study", str(target)]) == 0
    assert (target / "study.yaml").is_file() and (target / "GUIDE.md").is_file()
    assert main(["new-study", str(target)]) == 1
    assert "not empty" in capsys.readouterr().err


def test_help_lists_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("validate", "run", "new-study", "sample-study", "coder", "codebook"):
        assert command in proc.stdout


def test_sample_study_command_reproduces_committed_folder(sample_study, tmp_path, capsys):
    from conftest import tree_hashes

    target = tmp_path / "sample"
    assert main(["sample-study", str(target), "--seed", "2026"]) == 0
    assert "planted truths" in capsys.readouterr().out
    assert tree_hashes(target) == tree_hashes(sample_study)
    assert main(["validate", str(target)]) == 0


# --------------------------------------------------------------------------- usage and version


def test_version_matches_package(capsys):
    from jtbd_methods import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"jtbd_methods {__version__}"


def test_no_arguments_prints_help_and_exits_0():
    proc = run_cli()
    assert proc.returncode == 0, proc.stderr
    assert "Usage: jtbd" in proc.stdout and "run" in proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bogus",), "No such command 'bogus'"),
        (("run",), "Missing argument 'notebook'"),
        (("run", "00", "--bogus"), "No such option: --bogus"),
        (("run", "00", "--study"), "requires an argument"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith("jtbd: error: ") and message in proc.stderr
    assert "unexpected" not in proc.stderr and "Traceback" not in proc.stderr


def test_params_lists_type_default_and_allowed_values(capsys):
    assert main(["params", "03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    chart = next(line for line in lines if line.startswith("chart "))
    assert chart.split()[:3] == ["chart", "str", "'auto'"]
    assert "auto, p, laney, xmr, run" in chart
    assert not any(line.startswith(("study_dir", "audience")) for line in lines)


def test_allowed_values_checked_before_running(make_study, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "03", "--study", str(make_study()), "--out", str(out), "-p", "chart=bar"])
    err = capsys.readouterr().err
    assert code == 2
    assert "parameter 'chart' of 03_satisfaction_tracking must be one of auto, p, laney, xmr, run" in err
    assert not out.exists() or not any(out.iterdir())


def test_parameter_file_is_read_and_checked(make_study, tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("chart: bar\n")
    out = tmp_path / "out"
    args = ["run", "03", "--study", str(make_study()), "--out", str(out), "-f", str(params)]
    assert main(args) == 2
    assert "must be one of auto, p, laney, xmr, run; got 'bar'" in capsys.readouterr().err
    # -p overrides the file: the bad file value is replaced, then an unknown name is refused
    assert main([*args, "-p", "chart=laney", "-p", "nonsense=1"]) == 2
    assert "unknown parameter 'nonsense'" in capsys.readouterr().err
    params.write_text("- not\n- a mapping\n")
    assert main(args) == 2
    assert f"parameter file {params}: expected a mapping" in capsys.readouterr().err
    params.write_text("chart: [unclosed\n")
    assert main(args) == 2
    assert "not valid YAML at line" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_union_type_comment_accepts_each_type():
    from jtbd_methods.runner import notebook_parameters

    params = notebook_parameters(ROOT / "notebooks" / "03_satisfaction_tracking.ipynb")
    assert params["seasonality"]["types"] == (bool, int)
    assert params["chart"]["allowed"] == ("auto", "p", "laney", "xmr", "run")


def test_fresh_kernels_flag_reaches_the_run(make_study, tmp_path):
    out = tmp_path / "out"
    code = main(["run", "00", "--study", str(make_study()), "--out", str(out), "--fresh-kernels"])
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["execution"]["kernels"] == "fresh"
    assert manifest["notebooks"][0]["status"] == "ok"


def test_renamed_notebook_parameter_still_works_with_a_warning(make_study, tmp_path, capsys):
    """Notebook 02's ``n_bootstrap`` is now ``n_boot`` (one name per idea, CONTRIBUTING); the
    old name is mapped to the new one with a one-line warning, and giving both is an error."""
    from jtbd_methods.parameters import check_parameters, notebook_parameters

    nb = ROOT / "notebooks" / "02_recovery_segments.ipynb"
    assert "n_boot" in notebook_parameters(nb) and "n_bootstrap" not in notebook_parameters(nb)
    with pytest.warns(FutureWarning, match="'n_bootstrap' is renamed 'n_boot'"):
        per_nb = check_parameters([nb], {"n_bootstrap": 20})
    assert per_nb[nb] == {"n_boot": 20}
    out = tmp_path / "out"
    args = ["run", "02", "--study", str(make_study()), "--out", str(out)]
    assert main([*args, "-p", "n_bootstrap=20", "-p", "n_boot=20"]) == 2
    assert "parameter 'n_bootstrap' is renamed 'n_boot'; give only 'n_boot'" in capsys.readouterr().err
    assert main([*args, "-p", "n_bootstrap=20", "-p", "nonsense=1"]) == 2
    err = capsys.readouterr().err
    assert "jtbd: warning: parameter 'n_bootstrap' is renamed 'n_boot'" in err
    assert "unknown parameter 'nonsense'" in err
    assert not out.exists() or not any(out.iterdir())
