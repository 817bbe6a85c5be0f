"""Execute notebooks on a study with papermill and write reports, results and a manifest.

For each notebook, ``OUT/<stem>/`` receives the executed ``<stem>.ipynb``, ``<stem>.html``
(client: no code; teaching: code and teaching notes) and ``results.json``. ``OUT/`` receives
``manifest.json`` (parameters, SHA-256 of every input, versions, times, status per notebook)
and ``index.html``.

Each notebook runs in a temporary folder inside ``OUT`` that is moved into place only when
the notebook succeeds, so earlier reports stay intact when a run fails or is interrupted; a
failed notebook is kept as ``OUT/<stem>.failed/`` for inspection. A run that succeeds removes
the report folders of earlier runs that it did not rewrite (only folders holding the output
marker), so ``OUT`` holds exactly what its ``manifest.json`` lists.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import importlib.metadata
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jtbd_methods._io import (
    atomic_write_json,
    atomic_write_text,
    check_separate,
    is_own_output,
    make_temp_dir,
    replace_folder,
    sha256_file,
)
from jtbd_methods.errors import JTBDError, UsageError
from jtbd_methods.report import OUTPUT_ENV, RESULTS_ENV
from jtbd_methods.resources import notebook_dir

__all__ = [
    "NotebookFailed",
    "NotebookRun",
    "RunResult",
    "notebook_dir",
    "notebook_parameters",
    "parse_parameters",
    "read_parameter_file",
    "resolve_notebooks",
    "run_notebooks",
]

log = logging.getLogger(__name__)
AUDIENCES = ("client", "teaching")
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


class NotebookFailed(JTBDError):
    """A notebook raised an error; the message names the notebook and the cell."""


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of one notebook: stem, status (``ok``/``failed``), seconds, folder, error."""

    stem: str
    status: str
    seconds: float
    folder: Path
    error: str | None = None


@dataclass(frozen=True)
class RunResult:
    """Outcome of ``jtbd run``: the output folder, the manifest path and each notebook run."""

    out: Path
    manifest: Path
    runs: tuple[NotebookRun, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.runs)


def resolve_notebooks(spec: str, *, directory: Path | None = None) -> list[Path]:
    """Turn ``all``, a number (``01``), a stem (``01_job_discovery``) or a path into notebooks.

    Raises
    ------
    UsageError
        When nothing matches; the message lists the notebooks that exist.
    """
    directory = directory or notebook_dir()
    available = sorted(p for p in directory.glob("[0-9][0-9]_*.ipynb"))
    if spec == "all":
        if not available:
            raise UsageError(f"no notebooks found in {directory}")
        return available
    path = Path(spec)
    if path.suffix == ".ipynb":
        if path.is_file():
            return [path.resolve()]
        raise UsageError(f"notebook {spec!r} not found")
    matches = [p for p in available if p.stem == spec or p.stem.split("_", 1)[0] == spec.zfill(2)]
    if not matches:
        names = ", ".join(p.stem for p in available) or "none"
        raise UsageError(f"unknown notebook {spec!r}; expected 'all', a number or one of: {names}")
    return matches


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
    ('p', ('p', 'laney', 'xmr', 'run'))
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


def _check_parameters(
    notebooks: Sequence[Path], params: Mapping[str, Any]
) -> dict[Path, dict[str, Any]]:
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    for nb in declared:
        if "parameters" not in _cell_tags(nb):
            raise UsageError(f"notebook {nb.name} has no cell tagged 'parameters'")
    per_nb: dict[Path, dict[str, Any]] = {nb: {} for nb in notebooks}
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


def _cell_tags(path: Path) -> set[str]:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return {t for c in nb.cells for t in c.get("metadata", {}).get("tags", [])}


def _study_inputs(study: Path) -> list[dict[str, Any]]:
    files = []
    for p in sorted(study.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(study).parts):
            files.append(
                {
                    "path": p.relative_to(study).as_posix(),
                    "bytes": p.stat().st_size,
                    "sha256": sha256_file(p),
                }
            )
    return files


def _versions() -> dict[str, Any]:
    packages = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            packages[name.lower()] = dist.version
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": dict(sorted(packages.items())),
    }


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _kernel_manager_class(socket_dir: Path, live: list[Any]) -> type:
    """A kernel manager talking to the kernel over local IPC sockets in a private temp folder.

    ipykernel warns on stderr when a kernel listens on TCP without encryption; sockets in a
    folder only this user can read avoid both the exposure and the noise. Every manager is
    appended to ``live`` so that an interrupted run can stop its kernel (see
    :func:`_stop_kernels`).
    """
    from jupyter_client.manager import AsyncKernelManager

    class _LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(socket_dir / "kernel"))
            super().__init__(**kwargs)
            self.log_path = socket_dir / f"kernel-{len(live) + 1}.log"
            live.append(self)

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            # the kernel's own stdout/stderr (start-up errors, the noise of a kernel stopped
            # mid-cell) go to a log that is kept with a failed notebook, not to the terminal
            with open(self.log_path, "ab") as log_file:
                kw.setdefault("stdout", log_file)
                kw.setdefault("stderr", log_file)
                await super().start_kernel(**kw)

    return _LocalKernelManager


def _stop_kernels(live: list[Any]) -> None:
    """Stop every kernel process still running and remove its connection file.

    After a normal run nbclient has shut the kernel down already. When the run is interrupted
    (Ctrl-C, SIGTERM) inside nbclient's event loop, its own clean-up never runs: the kernel
    would linger until it noticed its parent had gone, in a working folder that no longer
    exists.
    """
    while live:
        manager = live.pop()
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        with contextlib.suppress(Exception):
            manager.cleanup_connection_file()


def _keep_kernel_log(live: list[Any], target: Path) -> None:
    """Copy the newest kernel's log beside a failed notebook, when it says anything."""
    logs = [m.log_path for m in live if getattr(m, "log_path", None) is not None]
    if logs and logs[-1].is_file() and logs[-1].stat().st_size:
        shutil.copyfile(logs[-1], target)


def _failure_message(stem: str, exc: BaseException) -> str:
    cell = getattr(exc, "cell_index", None)
    count = getattr(exc, "exec_count", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f" in cell {cell}" if cell is not None else ""
    if count is not None:
        where += f" (execution count {count})"
    first = str(evalue).strip().splitlines()[0] if str(evalue).strip() else ""
    return f"notebook {stem} failed{where}: {ename}: {first}"


def run_notebooks(
    notebooks: Sequence[Path],
    *,
    study: str | Path,
    out: str | Path,
    parameters: Mapping[str, Any] | None = None,
    audience: str = "client",
    pdf: bool = False,
    branding: Mapping[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
    cell_progress: bool = False,
    timeout: int = 1200,
) -> RunResult:
    """Execute ``notebooks`` on ``study`` and write every output under ``out``.

    Parameters
    ----------
    notebooks : sequence of Path
        From :func:`resolve_notebooks`.
    study : str or Path
        The study folder; validated before anything runs.
    out : str or Path
        Output folder (created).
    parameters : mapping, optional
        Values for the notebooks' ``parameters`` cells, checked against their declared types.
    audience : {"client", "teaching"}
        Client reports hide code, teaching notes and exercises; teaching reports show them.
    pdf : bool
        Also print each report to PDF with headless Chromium.
    branding : mapping, optional
        Report branding (logo, primary colour, footer), merged over ``templates/report/branding.yaml``
        and the study's ``report:`` key of ``study.yaml`` (see :func:`jtbd_methods.render.resolve_branding`).
    progress : callable, optional
        Receives one line per event (notebook started, finished).
    cell_progress : bool, default False
        Show a progress bar of each notebook's cells on stderr (papermill's tqdm bar; shown
        only when stderr is a terminal).
    timeout : int
        Seconds a single cell may run.

    Returns
    -------
    RunResult

    Raises
    ------
    UsageError
        Unknown audience, unknown parameter or wrong parameter type (before anything runs).
    StudyValidationError
        When the study has errors (before anything runs).
    NotebookFailed
        When a notebook fails; earlier notebooks' outputs are in place, the failed one is
        kept in ``OUT/<stem>.failed/`` and the manifest records the failure.
    """

    from jtbd_methods.render import render_index, require_chromium, resolve_branding
    from jtbd_methods.study import load_study

    if audience not in AUDIENCES:
        raise UsageError(f"audience must be one of {', '.join(AUDIENCES)}; got {audience!r}")
    say = progress or (lambda line: log.info("%s", line))
    study_path = Path(study).resolve()
    # before anything is read or written: the outputs must never land in the inputs
    check_separate(out, {"the study folder": study_path})
    loaded = load_study(study_path)
    params = dict(parameters or {})
    reserved = {"study_dir", "audience"} & set(params)
    if reserved:
        raise UsageError(f"set {', '.join(sorted(reserved))} with --study/--audience, not -p")
    per_nb = _check_parameters(notebooks, params)
    if pdf:
        require_chromium()  # say how to install it before anything runs
    # Report branding: templates/report/branding.yaml < study.yaml `report:` < the branding argument.
    report_branding = resolve_branding(
        loaded.config.extra.get("report"),
        base_dir=study_path,
        source="study.yaml: report",
        confine=True,
    )
    if branding:
        report_branding = resolve_branding(branding, defaults=report_branding, source="branding")
    branding = report_branding
    out_path = Path(out).resolve()
    try:
        out_path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_path, prefix=".jtbd-write-test-", delete=True)
        probe.close()
    except OSError as exc:
        raise UsageError(
            f"output folder {out_path} is not writable ({exc.strerror or exc})"
        ) from exc
    _claim_output(out_path)

    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    started = dt.datetime.now(dt.UTC)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "started": started.isoformat(),
        "finished": None,
        "status": "running",
        "study": {
            "path": str(study_path),
            "name": loaded.config.name,
            "organisation": loaded.config.organisation,
            "inputs": _study_inputs(study_path),
        },
        "audience": audience,
        "parameters": params,
        "notebooks": [],
        "versions": _versions(),
        "command": " ".join(sys.argv),
    }
    runs: list[NotebookRun] = []
    failure: NotebookFailed | None = None
    sockets = Path(tempfile.mkdtemp(prefix="jtbd-kernel-"))
    try:
        context = _RunContext(
            out=out_path,
            study_path=study_path,
            study=loaded,
            parameters=per_nb,
            audience=audience,
            pdf=pdf,
            branding=branding,
            say=say,
            timeout=timeout,
            run_id=run_id,
            started=started,
            sockets=sockets,
            manifest=manifest,
            cell_progress=cell_progress,
        )
        failure = _run_each(notebooks, context, runs)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if failure is None:
        # a finished run leaves OUT as its manifest describes it: report folders of earlier
        # runs (another notebook selection, a renamed notebook, an old failure) go
        manifest["removed_stale"] = _remove_stale_reports(out_path, runs, say)
    finished = dt.datetime.now(dt.UTC)
    manifest["finished"] = finished.isoformat()
    manifest["seconds"] = round((finished - started).total_seconds(), 3)
    manifest["status"] = "ok" if failure is None else "failed"
    manifest["notebooks"] = [
        {
            "notebook": r.stem,
            "status": r.status,
            "seconds": round(r.seconds, 3),
            "folder": r.folder.relative_to(out_path).as_posix(),
            "error": r.error,
        }
        for r in runs
    ] + [
        {"notebook": nb.stem, "status": "not run", "seconds": None, "folder": None, "error": None}
        for nb in notebooks[len(runs) :]
    ]
    manifest_path = atomic_write_json(out_path / "manifest.json", manifest)
    atomic_write_text(
        out_path / "index.html",
        render_index(
            manifest,
            out_path,
            branding=branding,
            period=f"{loaded.config.period_start.date()} to {loaded.config.period_end.date()}",
        ),
    )
    if failure is not None:
        raise failure
    return RunResult(out=out_path, manifest=manifest_path, runs=tuple(runs))


def _is_report(folder: Path) -> bool:
    """A folder a run wrote: the output marker, or (reports of 0.1) an executed notebook and
    ``results.json`` side by side."""
    if is_own_output(folder):
        return True
    stem = folder.name.removesuffix(".failed")
    return (folder / "results.json").is_file() and (folder / f"{stem}.ipynb").is_file()


def _claim_output(out: Path) -> None:
    """Refuse an output folder whose ``index.html`` or ``manifest.json`` a run did not write.

    Both are replaced by every run; in a folder of someone else's they could be a user's own
    files. A run's manifest is recognised by its keys.
    """
    manifest = out / "manifest.json"
    for name in ("manifest.json", "index.html"):
        if (out / name).exists() and not _is_run_manifest(manifest):
            raise UsageError(
                f"{out} holds {name}, which jtbd did not write; choose an empty or new output "
                "folder (nothing was changed)"
            )


def _is_run_manifest(path: Path) -> bool:
    """Whether ``path`` is a manifest written by :func:`run_notebooks`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"run_id", "notebooks", "versions"} <= set(data)


def _remove_report(folder: Path) -> None:
    """Delete ``folder`` if a run wrote it; leave anything else alone."""
    if folder.exists() and not folder.is_symlink() and _is_report(folder):
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_reports(
    out: Path, runs: Sequence[NotebookRun], say: Callable[[str], None]
) -> list[str]:
    """Delete report folders in ``out`` that this run did not write; return their names.

    Only folders a run wrote (the output marker, or a report of 0.1) are touched; a user's
    own folders, files and hidden entries stay.
    """
    keep = {r.folder.name for r in runs}
    removed = []
    for folder in sorted(out.iterdir()):
        if folder.name in keep or folder.name.startswith(".") or folder.is_symlink():
            continue
        if folder.is_dir() and any(folder.iterdir()) and _is_report(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        say(f"removed {len(removed)} report folder(s) of earlier runs: {', '.join(removed)}")
    return removed


@dataclass(frozen=True)
class _RunContext:
    """What every notebook of one ``jtbd run`` shares."""

    out: Path
    study_path: Path
    study: Any
    parameters: Mapping[Path, Mapping[str, Any]]
    audience: str
    pdf: bool
    branding: Mapping[str, Any] | None
    say: Callable[[str], None]
    timeout: int
    run_id: str
    started: dt.datetime
    sockets: Path
    manifest: Mapping[str, Any]
    cell_progress: bool = False


def _run_each(
    notebooks: Sequence[Path], ctx: _RunContext, runs: list[NotebookRun]
) -> NotebookFailed | None:
    """Run the notebooks in order, moving each finished folder into place; stop at a failure."""
    import papermill as pm

    from jtbd_methods.render import render_html, render_pdf

    failure = None
    kernels: list[Any] = []
    for i, nb in enumerate(notebooks, start=1):
        stem = nb.stem
        ctx.say(f"[{i}/{len(notebooks)}] {stem} …")
        t0 = time.perf_counter()
        tmp = make_temp_dir(prefix=f".{stem}.", suffix=".tmp", dir=ctx.out)
        try:
            executed = tmp / f"{stem}.ipynb"
            results_file = tmp / "results.json"
            atomic_write_json(results_file, {})
            nb_params = {
                "study_dir": str(ctx.study_path),
                "audience": ctx.audience,
                **ctx.parameters[nb],
            }
            error: BaseException | None = None
            with _env(
                **{
                    RESULTS_ENV: str(results_file),
                    OUTPUT_ENV: str(tmp),
                    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                }
            ):
                try:
                    pm.execute_notebook(
                        str(nb),
                        str(executed),
                        parameters=nb_params,
                        kernel_name="python3",
                        progress_bar=(
                            {
                                "desc": f"[{i}/{len(notebooks)}] {stem}",
                                "leave": False,
                                "disable": None,
                                "file": sys.stderr,
                            }
                            if ctx.cell_progress
                            else False
                        ),
                        cwd=str(tmp),
                        execution_timeout=ctx.timeout,
                        log_output=False,
                        report_mode=False,
                        kernel_manager_class=_kernel_manager_class(ctx.sockets, kernels),
                    )
                except pm.PapermillExecutionError as exc:
                    error = exc
            seconds = time.perf_counter() - t0
            meta = {
                "run_id": ctx.run_id,
                "study": ctx.study.config.name,
                "organisation": ctx.study.config.organisation,
                "period": f"{ctx.study.config.period_start.date()} to {ctx.study.config.period_end.date()}",
                "notebook": stem,
                "audience": ctx.audience,
                "parameters": nb_params,
                "date": ctx.started.date().isoformat(),
                "min_cell_size": ctx.study.min_cell_size,
                "redact": ctx.study.config.redact,
            }
            if error is not None:
                message = _failure_message(stem, error)
                _keep_kernel_log(kernels, tmp / "kernel.log")
                failed_dir = replace_folder(tmp, ctx.out / f"{stem}.failed", is_ours=_is_report)
                runs.append(NotebookRun(stem, "failed", seconds, failed_dir, message))
                ctx.say(f"[{i}/{len(notebooks)}] {stem} FAILED after {seconds:.1f} s: {message}")
                failure = NotebookFailed(message + f" (executed notebook kept in {failed_dir})")
                break
            html_text = render_html(
                executed,
                audience=ctx.audience,
                meta=meta,
                branding=ctx.branding,
                manifest=ctx.manifest,
            )
            atomic_write_text(tmp / f"{stem}.html", html_text)
            if ctx.pdf:
                render_pdf(tmp / f"{stem}.html", tmp / f"{stem}.pdf")
            final = replace_folder(tmp, ctx.out / stem, is_ours=_is_report)
            _remove_report(ctx.out / f"{stem}.failed")
            runs.append(NotebookRun(stem, "ok", seconds, final))
            ctx.say(f"[{i}/{len(notebooks)}] {stem} ok ({seconds:.1f} s)")
        finally:
            _stop_kernels(kernels)  # before the kernel's working folder goes
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return failure
