"""pyproject.toml and environment.yml must list the same dependencies and minimum versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"pyyaml": "pyyaml"}


def _split(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert m is not None, requirement
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(data["project"]["dependencies"])
    for extra in ("dev", "scale"):
        reqs += data["project"]["optional-dependencies"][extra]
    return dict(_split(r) for r in reqs)


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-"):
                    name, spec = _split(pip_dep)
                    if name != "jtbd-methods":  # the package itself
                        out[name] = spec
            continue
        name, spec = _split(dep)
        if name in ("python", "pip"):
            continue
        out[CONDA_TO_PYPI.get(name, name)] = spec
    return out


def test_environment_matches_pyproject():
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), (
        f"only in pyproject.toml: {sorted(set(py) - set(env))}; "
        f"only in environment.yml: {sorted(set(env) - set(py))}"
    )
    assert {k: py[k] for k in py} == {k: env[k] for k in py}


def test_jupyterlab_is_not_a_runtime_dependency():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {_split(r)[0] for r in data["project"]["dependencies"]}
    assert "jupyterlab" not in runtime
    assert "jupyterlab" in {_split(r)[0] for r in data["project"]["optional-dependencies"]["dev"]}


def test_requires_python_311():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == ">=3.11"


def test_environment_installs_the_package_without_a_clone():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    assert not any(dep.startswith("-e") or dep in (".", "./") for dep in pip)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert version["dynamic"]["version"] == {"attr": "jtbd_methods.__version__"}
    from jtbd_methods import __version__

    assert f"jtbd_methods[scale]=={__version__}" in pip


def test_licence_is_mit_spdx():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "version" in data["project"]["dynamic"] and "version" not in data["project"]
