"""Notebook parameters: what a notebook's ``parameters`` cell declares, and the values a user
gives on the command line (``-p key=value``) or in a YAML file (``-f params.yaml``), checked
against those declarations before anything runs.

``jtbd run`` uses these; :mod:`jtbd_methods.runner` re-exports the public names.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jtbd_methods.errors import UsageError
from jtbd_methods.resources import notebook_dir  # noqa: F401  (used by the doctests)

__all__ = [
    "RENAMED_PARAMETERS",
    "check_parameters",
    "notebook_parameters",
    "parse_parameters",
    "read_parameter_file",
]

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "None": (type(None),),
    "NoneType": (type(None),),
    "list": (list, tuple),
    "dict": (dict,),
    "tuple": (list, tuple),
}


#: Notebook parameters that were renamed (old name -> new name). The old name keeps working
#: for one release, with a FutureWarning that names the new one.
RENAMED_PARAMETERS: Mapping[str, str] = {"n_bootstrap": "n_boot"}  # notebook 02, version 0.2


_ONE_OF = re.compile(r"\bone of:\s*([^;()#]+)")


def _allowed_values(comment: str) -> tuple[Any, ...]:
    """Values listed after ``one of:`` in a parameter's comment (up to ``;``, ``(`` or ``#``)."""
    m = _ONE_OF.search(comment or "")
    if not m:
        return ()
    values: list[Any] = []
    for item in m.group(1).split(","):
        item = item.strip()
        if not item:
            continue
        try:
            values.append(ast.literal_eval(item))
        except (ValueError, SyntaxError):
            values.append(item)
    return tuple(values)


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """Parameters declared in a notebook's ``parameters`` cell.

    Parameters
    ----------
    path : Path
        A notebook with a cell tagged ``parameters``.

    Returns
    -------
    dict
        Parameter name to a dict with ``default`` (the literal), ``types`` (tuple of accepted
        Python types; empty accepts anything), ``declared`` (the type as written),
        ``allowed`` (tuple of allowed values; empty allows any value of the type) and
        ``help`` (the comment).

    Notes
    -----
    ``types`` comes from a type comment (``min_cell_size = None  # type: Optional[int]``) or
    an annotation (``period: str = "month"``) or, without either, from the type of the
    default value (a ``None`` default without a declared type accepts any literal).
    Allowed values are declared in the comment as ``# one of: week, month, quarter`` (the
    list ends at ``;``, ``(`` or the end of the line; each item is a Python literal or a
    bare word).

    Examples
    --------
    >>> params = notebook_parameters(notebook_dir() / "03_satisfaction_tracking.ipynb")
    >>> params["chart"]["default"], params["chart"]["allowed"]
    ('auto', ('auto', 'p', 'laney', 'xmr', 'run'))
    """
    import papermill as pm

    params = pm.inspect_notebook(str(path))
    out: dict[str, dict[str, Any]] = {}
    for name, info in params.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        declared = str(info.get("inferred_type_name") or "None")
        types: tuple[type, ...] = ()
        if declared not in ("None", ""):
            if declared.startswith("Optional["):
                types += (type(None),)
            inner = declared.replace("Optional[", "").replace("Union[", "").replace("]", "")
            for part in re.split(r"[|,]", inner):
                types += _TYPES.get(part.strip(), ())
        if not types:
            types = (type(default),) if default is not None else ()
        comment = str(info.get("help") or "").lstrip("# ").strip()
        out[name] = {
            "default": default,
            "types": types,
            "declared": declared,
            "allowed": _allowed_values(comment),
            "help": comment,
        }
    return out


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read notebook parameters from a YAML file of ``name: value`` pairs (papermill's ``-f``).

    Parameters
    ----------
    path : str or Path
        A YAML file holding one mapping.

    Returns
    -------
    dict
        Parameter name to value.

    Raises
    ------
    UsageError
        When the file cannot be read, is not valid YAML, is not a mapping or has a key that
        is not a valid parameter name; the message names the file (and the key).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "params.yaml"
    >>> _ = f.write_text("chart: laney\\nbaseline: 12\\n")
    >>> read_parameter_file(f)
    {'chart': 'laney', 'baseline': 12}
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"parameter file {path}: cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"parameter file {path}: not valid YAML{where}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(
            f"parameter file {path}: expected a mapping of name: value; got {type(data).__name__}"
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise UsageError(f"parameter file {path}: {key!r} is not a valid parameter name")
        out[key] = value
    return out


def parse_parameters(pairs: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings; values are Python literals, never evaluated code.

    ``ast.literal_eval`` reads numbers, strings, booleans, ``None``, lists and dicts; any other
    text is kept as a plain string (so ``-p period=month`` works without quotes).

    Examples
    --------
    >>> parse_parameters(["k=4", "period=month", "names={'1': 'Back to work'}"])
    {'k': 4, 'period': 'month', 'names': {'1': 'Back to work'}}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"parameter {pair!r} must look like key=value")
        key, raw = pair.split("=", 1)
        key = key.strip()
        if not key.isidentifier():
            raise UsageError(f"parameter name {key!r} is not a valid name")
        try:
            value = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = raw
        out[key] = value
    return out


def check_parameters(
    notebooks: Sequence[Path], params: Mapping[str, Any]
) -> dict[Path, dict[str, Any]]:
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    for nb in declared:
        if "parameters" not in _cell_tags(nb):
            raise UsageError(f"notebook {nb.name} has no cell tagged 'parameters'")
    per_nb: dict[Path, dict[str, Any]] = {nb: {} for nb in notebooks}
    params = _renamed(params)
    for key, value in params.items():
        owners = [nb for nb, decl in declared.items() if key in decl]
        if not owners:
            known = sorted({k for decl in declared.values() for k in decl})
            raise UsageError(f"unknown parameter {key!r}; the notebooks take: {', '.join(known)}")
        for nb in owners:
            types = declared[nb][key]["types"]
            ok = not types or isinstance(value, types)
            if isinstance(value, bool) and bool not in types:
                ok = False
            if not ok:
                names = declared[nb][key]["declared"]
                if names in ("None", ""):
                    names = " or ".join(t.__name__ for t in types)
                raise UsageError(
                    f"parameter {key!r} of {nb.stem} must be {names}; got {value!r} ({type(value).__name__})"
                )
            allowed = declared[nb][key]["allowed"]
            if allowed and value not in allowed:
                raise UsageError(
                    f"parameter {key!r} of {nb.stem} must be one of "
                    f"{', '.join(map(str, allowed))}; got {value!r}"
                )
            per_nb[nb][key] = value
    return per_nb


def _renamed(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with renamed parameters under their new names (see :data:`RENAMED_PARAMETERS`).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _renamed({"n_bootstrap": 20, "k": 3})
    {'n_boot': 20, 'k': 3}
    >>> str(caught[0].message)
    "parameter 'n_bootstrap' is renamed 'n_boot'; use -p n_boot=... (the old name will stop working in the next release)"
    """
    out: dict[str, Any] = {}
    for key, value in params.items():
        new = RENAMED_PARAMETERS.get(key)
        if new is None:
            out[key] = value
            continue
        if new in params:
            raise UsageError(f"parameter {key!r} is renamed {new!r}; give only {new!r}")
        warnings.warn(
            f"parameter {key!r} is renamed {new!r}; use -p {new}=... (the old name will stop "
            "working in the next release)",
            FutureWarning,
            stacklevel=3,
        )
        out[new] = value
    return out


def _cell_tags(path: Path) -> set[str]:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return {t for c in nb.cells for t in c.get("metadata", {}).get("tags", [])}
