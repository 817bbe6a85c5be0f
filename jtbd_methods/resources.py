"""Where the package's data lives: notebooks, the study skeleton, codebooks, report templates.

Every other module asks here. The repository keeps one copy of each, in the top-level
``notebooks/`` and ``templates/`` folders; ``pyproject.toml`` maps them into the package as
``jtbd_methods._resources.notebooks`` and ``jtbd_methods._resources.templates``, so a wheel
ships them under ``jtbd_methods/_resources/``, found with :func:`importlib.resources.files`.
A source checkout or an editable install has no copy there and uses the repository's folders
(``make report`` and ``make lab`` therefore run the notebooks you are editing).

The environment variable ``JTBD_NOTEBOOKS`` points :func:`notebook_dir` at another folder of
notebooks (tests and custom report sets use it).
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from jtbd_methods.errors import JTBDError

__all__ = [
    "checkout_sample_study",
    "codebook_path",
    "notebook_dir",
    "report_template_dir",
    "study_template_dir",
    "teaching_template_dir",
]

_PACKAGE = "jtbd_methods._resources"
#: The repository root, when this module runs from a checkout (source or editable install).
_CHECKOUT = Path(__file__).resolve().parents[1]


def _folder(relative: str) -> Path:
    """The folder ``relative`` (``notebooks``, ``templates/report`` …) of the package data.

    An installed wheel holds it under ``jtbd_methods/_resources/``. A checkout (and an editable
    install, which imports the checkout) has no copy there: its one copy is the top-level
    folder of the same name, which the build maps into the wheel.
    """
    root = importlib.resources.files(_PACKAGE)
    shipped = root.joinpath(*relative.split("/"))
    if shipped.is_dir():
        if not isinstance(shipped, Path):
            # a zipped install: the data is not a folder on disk that papermill could read
            raise JTBDError(
                f"package data {relative} is inside an archive ({shipped}); "
                "install jtbd_methods unzipped (pip install does)"
            )
        return shipped
    checkout = _CHECKOUT / relative
    if checkout.is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return checkout
    raise JTBDError(
        f"package data {relative}/ is missing from this installation (looked in {shipped} "
        f"and {checkout}); reinstall jtbd_methods"
    )


def notebook_dir() -> Path:
    """Folder of the shipped notebooks (``JTBD_NOTEBOOKS`` overrides it).

    Returns
    -------
    Path
        The repository's ``notebooks/`` in a checkout or editable install, the package's copy
        in an installed wheel.

    Examples
    --------
    >>> sorted(p.name for p in notebook_dir().glob("0[01]_*.ipynb"))
    ['00_study_overview.ipynb', '01_job_discovery.ipynb']
    """
    env = os.environ.get("JTBD_NOTEBOOKS")
    if env:
        return Path(env)
    return _folder("notebooks")


def study_template_dir() -> Path:
    """Folder of the study skeleton that ``jtbd new-study`` copies (``templates/study``).

    Examples
    --------
    >>> (study_template_dir() / "study.yaml").is_file()
    True
    """
    return _folder("templates/study")


def report_template_dir() -> Path:
    """Folder of the report template, stylesheet and default branding (``templates/report``).

    Examples
    --------
    >>> (report_template_dir() / "report.css").is_file()
    True
    """
    return _folder("templates/report")


def teaching_template_dir() -> Path:
    """Folder of the workshop agendas, session notes, guide and slide templates (``templates/teaching``).

    Examples
    --------
    >>> (teaching_template_dir() / "agenda.yaml").is_file()
    True
    """
    return _folder("templates/teaching")


def codebook_path(name: str = "healthcare_recovery") -> Path:
    """Path of a shipped codebook in ``templates/codebooks``.

    Parameters
    ----------
    name : str, default "healthcare_recovery"
        File name without ``.yaml``.

    Raises
    ------
    JTBDError
        When no shipped codebook has that name; the message lists those that exist.

    Examples
    --------
    >>> codebook_path().name
    'healthcare_recovery.yaml'
    """
    folder = _folder("templates/codebooks")
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise JTBDError(f"no shipped codebook named {name!r}; the package has: {known}")
    return path


def checkout_sample_study() -> Path | None:
    """The repository's sample study ``data/samples/recovery_study``, or ``None``.

    A wheel does not ship the sample study (``jtbd sample-study`` writes it from code); a
    checkout holds the committed copy, which ``jtbd teach`` copies rather than regenerates.

    Examples
    --------
    >>> study = checkout_sample_study()
    >>> study is None or (study / "study.yaml").is_file()
    True
    """
    folder = _CHECKOUT / "data" / "samples" / "recovery_study"
    if (_CHECKOUT / "pyproject.toml").is_file() and (folder / "study.yaml").is_file():
        return folder
    return None
