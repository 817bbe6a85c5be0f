"""The built wheel works on its own: install it into a fresh virtual environment and run every
command from an unrelated folder, far from the repository's notebooks/ and templates/.

To stay fast and offline, the wheel is built without build isolation (setuptools comes from
the project's venv, installed by `make`), and the fresh venv borrows the project's installed
dependencies through a ``.pth`` file instead of downloading them; only jtbd_methods itself is
installed from the wheel (``--no-deps --no-index``).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from jtbd_methods import __version__
from jtbd_methods.render import find_chromium

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

# what a wheel is built from (a copy, so no build/ folder is left in the repository)
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "jtbd_methods", "notebooks", "templates")


def _run(args: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: int = 900):
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build the wheel, install it into a new venv; return (wheel, venv bin, env, work folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JTBD_NOTEBOOKS")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src],
        cwd=tmp,
        env=env,
    )
    (wheel,) = dist.glob("jtbd_methods-*.whl")

    started = time.perf_counter()
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp, env=env)
    purelib = Path(
        subprocess.check_output(
            [
                venv / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            text=True,
        ).strip()
    )
    (purelib / "_jtbd_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        [*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel],
        cwd=tmp,
        env=env,
    )
    log.info(
        "installed %s (%d kB) in %.1f s",
        wheel.name,
        wheel.stat().st_size // 1024,
        time.perf_counter() - started,
    )
    # the borrowed dependencies keep their Jupyter data (nbconvert's base templates) under
    # the project's prefix, not the new venv's
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = tmp / "elsewhere"
    work.mkdir()
    return wheel, venv / "bin", env, work


def test_wheel_ships_package_data_and_licence(installed):
    wheel, *_ = installed
    assert wheel.name == f"jtbd_methods-{__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.split("_resources/", 1)[1] for n in names if "/_resources/" in n}
    for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert f"notebooks/{path.name}" in shipped
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file():
            assert path.relative_to(ROOT).as_posix() in shipped, path
    assert not [n for n in names if n.startswith(("tests/", "data/", "docs/", "notebooks/"))]
    metadata = (
        zipfile.ZipFile(wheel).read(f"jtbd_methods-{__version__}.dist-info/METADATA").decode()
    )
    assert "License-Expression: MIT" in metadata
    assert any(n.endswith("dist-info/licenses/LICENSE") for n in names)


def test_every_command_works_from_an_unrelated_folder(installed):
    _, bin_dir, env, work = installed
    jtbd = bin_dir / "jtbd"
    where = _run(
        [bin_dir / "python", "-c", "import jtbd_methods; print(jtbd_methods.__file__)"],
        cwd=work,
        env=env,
    ).stdout
    assert str(bin_dir.parent) in where and str(ROOT) not in where

    assert _run([jtbd, "--version"], cwd=work, env=env).stdout.strip() == (
        f"jtbd_methods {__version__}"
    )
    _run([jtbd, "sample-study", "s"], cwd=work, env=env)
    _run([jtbd, "new-study", "n"], cwd=work, env=env)
    assert (work / "n" / "GUIDE.md").is_file() and (work / "n" / "codebook.yaml").is_file()
    _run([jtbd, "validate", "s"], cwd=work, env=env)
    assert "laney" in _run([jtbd, "params", "03"], cwd=work, env=env).stdout
    # the workshop pack without its run (the run is `jtbd run`, tested below), then the
    # participants' set-up check of its SETUP.md, from inside the pack, with only the wheel
    _run([jtbd, "teach", "--out", "t", "--no-run"], cwd=work, env=env)
    assert (work / "t" / "FACILITATOR.html").is_file()
    assert len(list((work / "t" / "notebooks").glob("*.ipynb"))) == len(
        list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    )
    check = "jtbd run 00 --study data/samples/recovery_study --out setup_check"
    assert check in (work / "t" / "SETUP.md").read_text()
    _run([jtbd, *check.split()[1:]], cwd=work / "t", env=env)
    assert (work / "t" / "setup_check" / "index.html").is_file()

    # one run of every notebook (with PDFs when Chromium is here) serves all the checks
    pdf = ["--pdf"] if find_chromium() else []
    _run([jtbd, "run", "all", "--study", "s", "--out", "r", *pdf], cwd=work, env=env)
    stems = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    for stem in stems:
        assert (work / "r" / stem / f"{stem}.html").is_file(), stem
        if pdf:
            assert (work / "r" / stem / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-", stem
    assert "report.css" not in os.listdir(work / "r")
    assert sorted(p.name for p in work.iterdir()) == ["n", "r", "s", "t"], "stray files"
