"""Attacks on the file system through the command line (issue: privacy and safety, round 2).

Each case is one row of a table: the output folder placed on or around the inputs, paths in
``study.yaml`` and links that leave the study folder, folders the package did not write.
Every case must fail with one line on stderr, a non-zero exit code, and leave every file it
did not create byte-for-byte as it was; no content of a file outside the study is echoed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, tree_hashes

from jtbd_methods._io import OUTPUT_MARKER, make_temp_dir, replace_folder
from jtbd_methods.cli import main
from jtbd_methods.errors import UsageError

SECRET = "root:x:0:0:SECRET-CONTENT-NEVER-ECHOED"


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


def _outside_secret(tmp_path: Path, name: str = "secret.txt") -> Path:
    path = tmp_path / "elsewhere" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(SECRET + "\n")
    return path


# ------------------------------------------------------------------ output folder vs inputs
# (id, how to lay out the folders given (tmp_path, study) -> (study, out), exit code, hint)
def _out_inside(tmp: Path, study: Path) -> tuple[Path, Path]:
    return study, study / "reports"


def _out_is_study(tmp: Path, study: Path) -> tuple[Path, Path]:
    return study, study


def _out_contains_study(tmp: Path, study: Path) -> tuple[Path, Path]:
    # the reported attack: the study lives where a report folder would be written
    out = tmp / "OUT"
    out.mkdir()
    moved = out / "00_study_overview"
    study.rename(moved)
    return moved, out


def _out_is_parent(tmp: Path, study: Path) -> tuple[Path, Path]:
    return study, study.parent


def _out_via_symlink(tmp: Path, study: Path) -> tuple[Path, Path]:
    link = tmp / "link-to-study"
    link.symlink_to(study, target_is_directory=True)
    return study, link / "reports"


def _out_with_foreign_index(tmp: Path, study: Path) -> tuple[Path, Path]:
    out = tmp / "mine"
    out.mkdir()
    (out / "index.html").write_text("<p>my own page</p>")
    return study, out


def _out_with_foreign_manifest(tmp: Path, study: Path) -> tuple[Path, Path]:
    out = tmp / "mine"
    out.mkdir()
    (out / "manifest.json").write_text('{"mine": true}')
    return study, out


OUT_CASES = [
    ("out inside study", _out_inside, 2, "lies inside the study folder"),
    ("out is study", _out_is_study, 2, "is the study folder"),
    ("out contains study", _out_contains_study, 2, "contains the study folder"),
    ("out is study's parent", _out_is_parent, 2, "contains the study folder"),
    ("out inside study via a link", _out_via_symlink, 2, "lies inside the study folder"),
    ("foreign index.html in out", _out_with_foreign_index, 2, "did not write"),
    ("foreign manifest.json in out", _out_with_foreign_manifest, 2, "did not write"),
]


@pytest.mark.parametrize(
    ("layout", "code", "hint"), [c[1:] for c in OUT_CASES], ids=[c[0] for c in OUT_CASES]
)
def test_output_folder_never_touches_inputs(make_study, tmp_path, capsys, layout, code, hint):
    study, out = layout(tmp_path, make_study())
    before = tree_hashes(tmp_path)
    assert main(["run", "00", "--study", str(study), "--out", str(out)]) == code
    assert hint in _one_line(capsys.readouterr().err)
    assert tree_hashes(tmp_path) == before, "a file was changed or removed"


# ---------------------------------------------------------------- paths leaving the study
def _codebook_etc_passwd(tmp: Path, study: Path) -> None:
    text = (study / "study.yaml").read_text().replace("codebook.yaml", "/etc/passwd")
    (study / "study.yaml").write_text(text)


def _codebook_dotdot(tmp: Path, study: Path) -> None:
    secret = _outside_secret(tmp, "codebook.yaml")
    rel = os.path.relpath(secret, study)
    text = (study / "study.yaml").read_text().replace("codebook.yaml", rel)
    (study / "study.yaml").write_text(text)


def _codebook_symlink_out(tmp: Path, study: Path) -> None:
    secret = _outside_secret(tmp, "codebook.yaml")
    (study / "codebook.yaml").unlink()
    (study / "codebook.yaml").symlink_to(secret)


def _data_symlink_out(tmp: Path, study: Path) -> None:
    secret = _outside_secret(tmp, "staff.csv")
    (study / "staff.csv").unlink()
    (study / "staff.csv").symlink_to(secret)


def _study_yaml_symlink_out(tmp: Path, study: Path) -> None:
    secret = _outside_secret(tmp, "study.yaml")
    (study / "study.yaml").unlink()
    (study / "study.yaml").symlink_to(secret)


PATH_CASES = [
    ("codebook: /etc/passwd", _codebook_etc_passwd, "leads outside"),
    ("codebook: ../elsewhere", _codebook_dotdot, "leads outside"),
    ("codebook.yaml links outside", _codebook_symlink_out, "leads outside"),
    ("staff.csv links outside", _data_symlink_out, "link to a file outside"),
    ("study.yaml links outside", _study_yaml_symlink_out, "link to a file outside"),
]


@pytest.mark.parametrize(
    ("arrange", "hint"), [c[1:] for c in PATH_CASES], ids=[c[0] for c in PATH_CASES]
)
def test_paths_leaving_the_study_are_refused(make_study, tmp_path, capsys, arrange, hint):
    study = make_study()
    arrange(tmp_path, study)
    before = tree_hashes(tmp_path)
    assert main(["validate", str(study)]) == 1
    captured = capsys.readouterr()
    _one_line(captured.err)
    assert hint in captured.out
    assert "SECRET" not in captured.out + captured.err and "root:" not in captured.out
    out = tmp_path / "reports"
    assert main(["run", "00", "--study", str(study), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "SECRET" not in captured.err and "root:" not in captured.err
    assert not out.exists()
    assert tree_hashes(tmp_path) == before


def test_logo_outside_the_study_is_refused(make_study, tmp_path, capsys):
    study = make_study()
    logo = tmp_path / "elsewhere" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    with open(study / "study.yaml", "a") as fh:
        fh.write(f"report:\n  logo: {os.path.relpath(logo, study)}\n")
    assert main(["run", "00", "--study", str(study), "--out", str(tmp_path / "o")]) == 2
    assert "leads outside" in _one_line(capsys.readouterr().err)


# ------------------------------------------------------ other commands' output folders
def test_teach_out_inside_study_refused(make_study, tmp_path, capsys):
    study = make_study()
    before = tree_hashes(study)
    assert main(["teach", "--study", str(study), "--out", str(study / "pack")]) == 2
    assert "lies inside the study folder" in _one_line(capsys.readouterr().err)
    assert tree_hashes(study) == before


def test_teach_overwrite_never_replaces_a_foreign_folder(make_study, tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    assert main(["teach", "--out", str(out), "--overwrite"]) == 2
    assert "not written by jtbd" in _one_line(capsys.readouterr().err)
    assert (out / "thesis.docx").read_text() == "years of work"


def test_sample_study_overwrite_never_replaces_a_foreign_folder(tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    assert main(["sample-study", str(out), "--overwrite"]) == 1
    assert "not a sample study" in _one_line(capsys.readouterr().err)
    assert (out / "thesis.docx").read_text() == "years of work"


def test_code_out_equal_to_input_refused(tmp_path, capsys):
    import pandas as pd

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pd.DataFrame(
        {
            "comment_id": ["a"],
            "received": pd.to_datetime(["2024-01-01"]),
            "site": ["N"],
            "rating": [3],
            "comment": ["x"],
        }
    ).to_parquet(corpus / "part.parquet")
    before = tree_hashes(corpus)
    args = ["code", "--input", str(corpus), "--codebook", str(ROOT / "templates/study/codebook.yaml")]
    assert main([*args, "--out", str(corpus), "--overwrite", "--engine", "pandas"]) == 2
    assert "is the input corpus" in _one_line(capsys.readouterr().err)
    assert main([*args, "--out", str(tmp_path), "--overwrite", "--engine", "pandas"]) == 2
    assert "contains the input corpus" in _one_line(capsys.readouterr().err)
    assert tree_hashes(corpus) == before


# ----------------------------------------------------------- the folder-replacing helper
def test_replace_folder_refuses_folders_it_did_not_write(tmp_path):
    new = make_temp_dir(prefix="new", dir=tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    with pytest.raises(UsageError, match="not written by jtbd"):
        replace_folder(new, target)
    assert (target / "keep.txt").read_text() == "keep"
    (target / "keep.txt").unlink()  # an empty folder may be replaced
    assert replace_folder(new, target) == target
    assert (target / OUTPUT_MARKER).is_file()
    newer = make_temp_dir(prefix="newer", dir=tmp_path)
    (newer / "report.html").write_text("v2")
    replace_folder(newer, target)  # a folder it wrote may be replaced
    assert (target / "report.html").read_text() == "v2"


def test_replace_folder_never_follows_a_link(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / OUTPUT_MARKER).write_text("")  # even one that looks like ours
    (victim / "data.csv").write_text("precious")
    link = tmp_path / "report"
    link.symlink_to(victim, target_is_directory=True)
    with pytest.raises(UsageError, match="not written by jtbd"):
        replace_folder(make_temp_dir(prefix="n", dir=tmp_path), link)
    assert (victim / "data.csv").read_text() == "precious"


def test_output_folders_readable_by_the_group(tmp_path):
    old = os.umask(0o002)
    try:
        folder = make_temp_dir(prefix="r", dir=tmp_path)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o775


# ------------------------------------------------------------------------- interruption
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_run_leaves_nothing_behind(sample_study, tmp_path, sig):
    out = tmp_path / "out"
    kernels = tmp_path / "tmp"
    kernels.mkdir()
    env = {**os.environ, "TMPDIR": str(kernels)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jtbd_methods", "run", "all", "--study", str(sample_study),
         "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        # a shell without job control starts background commands with SIGINT ignored, and
        # Python then keeps ignoring it (as it should); the run under test gets Ctrl-C's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until a kernel is running
        if any(kernels.glob("jtbd-kernel-*/kernel*")):
            break
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig.value, err
    lines = err.strip().splitlines()  # progress lines, then one line for the interruption
    assert lines[-1] == f"jtbd: interrupted ({sig.name}); no partial output was left in place", err
    assert all(line.startswith("[") and "/6]" in line for line in lines[:-1]), err
    assert "Traceback" not in err and "[IPKernelApp]" not in err, "the kernel outlived the run"
    leftovers = [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".failed"))]
    assert leftovers == []
    assert list(kernels.iterdir()) == [], "kernel folders left in the temporary folder"
    ps = subprocess.run(["ps", "-eo", "ppid,args"], capture_output=True, text=True).stdout
    assert not [row for row in ps.splitlines() if row.split()[0] == str(proc.pid)]
