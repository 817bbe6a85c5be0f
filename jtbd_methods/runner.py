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

import contextlib
import datetime as dt
import importlib.metadata
import itertools
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
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
from jtbd_methods.parameters import (
    check_parameters,
    notebook_parameters,
    parse_parameters,
    read_parameter_file,
)
from jtbd_methods.report import OUTPUT_ENV, RESULTS_ENV
from jtbd_methods.resources import notebook_dir

__all__ = [
    "NotebookFailed",
    "NotebookRun",
    "RunResult",
    "default_jobs",
    "notebook_dir",
    "notebook_parameters",
    "parse_parameters",
    "read_parameter_file",
    "resolve_notebooks",
    "run_notebooks",
]

log = logging.getLogger(__name__)
AUDIENCES = ("client", "teaching")


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


#: Longest socket path left for a kernel's sockets: 107 bytes of ``sun_path`` less the
#: "-<port>" the kernel appends (ports are up to five digits) and a terminating byte.
_MAX_SOCKET_PATH = 100
#: Numbers of kernel sockets; ``next`` on a count is atomic, so threads never share one.
_SOCKET_IDS = itertools.count(1)


def _kernel_manager_class(
    socket_dir: Path,
    live: list[Any],
    *,
    name: str = "kernel",
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    cancelled: threading.Event | None = None,
) -> type:
    """A kernel manager talking to the kernel over local IPC sockets in a private temp folder.

    ipykernel warns on stderr when a kernel listens on TCP without encryption; sockets in a
    folder only this user can read avoid both the exposure and the noise. Every manager is
    appended to ``live`` so that an interrupted run can stop its kernel (see
    :func:`_stop_kernels`). The kernel starts in ``cwd`` with ``os.environ`` updated by
    ``env``, given to the kernel process alone: notebooks run side by side in threads, so
    nothing process-wide (the working folder, ``os.environ``) may change per notebook.
    Once ``cancelled`` is set (the run was interrupted) no kernel starts, and one that was
    starting at that moment is stopped as soon as it has started.
    """
    from jupyter_client.manager import AsyncKernelManager

    class _LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            # a Unix socket path may hold at most 107 bytes (sun_path), and the kernel adds
            # "-<port>": the socket gets a short name, and under a very deep temporary folder
            # the kernel listens on the loopback interface instead
            short = socket_dir / f"k{next(_SOCKET_IDS)}"  # unique: kernels start side by side
            if len(os.fsencode(short)) <= _MAX_SOCKET_PATH:
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", str(short))
            else:
                kwargs.setdefault("transport", "tcp")
                kwargs.setdefault("ip", "127.0.0.1")
            super().__init__(**kwargs)
            self.log_path = socket_dir / f"{name}-{len(live) + 1}.log"
            live.append(self)

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            if cwd is not None:
                kw["cwd"] = str(cwd)
            if env:
                kw["env"] = {**os.environ, **kw.get("env", {}), **env}
            # the kernel's own stdout/stderr (start-up errors, the noise of a kernel stopped
            # mid-cell) go to a log that is kept with a failed notebook, not to the terminal
            if cancelled is not None and cancelled.is_set():
                raise RuntimeError("the run was interrupted; no kernel is started")
            with open(self.log_path, "ab") as log_file:
                kw.setdefault("stdout", log_file)
                kw.setdefault("stderr", log_file)
                await super().start_kernel(**kw)
            if cancelled is not None and cancelled.is_set():
                # interrupted while this kernel was starting: the run's clean-up may have
                # looked before the process existed
                _stop_kernel(self)
                raise RuntimeError("the run was interrupted while a kernel was starting")

    return _LocalKernelManager


def _stop_kernels(live: list[Any]) -> None:
    """Stop every kernel process still running and remove its connection file.

    After a normal run nbclient has shut the kernel down already. When the run is interrupted
    (Ctrl-C, SIGTERM) inside nbclient's event loop, its own clean-up never runs: the kernel
    would linger until it noticed its parent had gone, in a working folder that no longer
    exists.
    """
    while live:
        _stop_kernel(live.pop())


def _stop_kernel(manager: Any) -> None:
    """Stop one manager's kernel process, if running, and remove its connection file
    (safe to call twice, from any thread)."""
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
    jobs: int | None = None,
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
    jobs : int, optional
        Notebooks run at once, each in its own kernel (default :func:`default_jobs`: two, or
        one on a single-core machine). A notebook whose metadata lists ``jtbd.needs``
        (stems of other notebooks) starts after those have finished.

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
    per_nb = check_parameters(notebooks, params)
    if jobs is None:
        jobs = default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"jobs must be a whole number of at least 1; got {jobs!r}")
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
            jobs=jobs,
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
    ran = {r.stem: r for r in runs}
    manifest["notebooks"] = [
        {
            "notebook": r.stem,
            "status": r.status,
            "seconds": round(r.seconds, 3),
            "folder": r.folder.relative_to(out_path).as_posix(),
            "error": r.error,
        }
        if (r := ran.get(nb.stem)) is not None
        else {
            "notebook": nb.stem,
            "status": "not run",
            "seconds": None,
            "folder": None,
            "error": None,
        }
        for nb in notebooks
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
    jobs: int = 1


def default_jobs() -> int:
    """Notebooks run at once by default: two, or one on a single-core machine.

    Each notebook has its own kernel (a process importing the scientific stack, about
    400 MB); two at a time roughly halve a run on two cores without needing more memory
    than a laptop has.
    """
    return max(1, min(2, os.cpu_count() or 1))


def _needs(path: Path) -> tuple[str, ...]:
    """Stems of the notebooks ``path`` reads outputs of (notebook metadata ``jtbd.needs``)."""
    import nbformat

    meta = nbformat.read(str(path), as_version=4).metadata.get("jtbd", {})
    return tuple(str(stem) for stem in meta.get("needs", ()))


def _run_each(
    notebooks: Sequence[Path], ctx: _RunContext, runs: list[NotebookRun]
) -> NotebookFailed | None:
    """Run the notebooks, ``ctx.jobs`` at a time, moving each finished folder into place.

    Notebooks start in order; one that declares ``jtbd.needs`` in its metadata starts only
    after those notebooks (when they are part of this run) have finished. After a failure
    no further notebook starts; those already running finish. ``runs`` receives the
    notebooks that ran, in notebook order.

    On Ctrl-C or SIGTERM (a ``KeyboardInterrupt`` in the main thread) every kernel is
    stopped, each running notebook discards its temporary folder, and the interrupt is
    raised again once the workers have finished.
    """
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()  # a notebook failed: start no other
    interrupted = threading.Event()
    finished = {nb.stem: threading.Event() for nb in notebooks}
    ok: set[str] = set()
    registry: list[list[Any]] = []  # each notebook's kernel managers, for an interruption
    lock = threading.Lock()

    def one(i: int, nb: Path) -> NotebookRun | None:
        try:
            for stem in _needs(nb):
                if stem in finished:
                    finished[stem].wait()
                    if stem not in ok:
                        return None
            if stop.is_set() or interrupted.is_set():
                return None
            kernels: list[Any] = []
            with lock:
                registry.append(kernels)
            run = _run_one(i, nb, ctx, kernels, interrupted, len(notebooks))
            if run is not None and run.status == "ok":
                ok.add(nb.stem)
            elif run is not None:
                stop.set()
            return run
        finally:
            finished[nb.stem].set()

    workers = max(1, min(ctx.jobs, len(notebooks)))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jtbd-notebook")
    futures = [pool.submit(one, i, nb) for i, nb in enumerate(notebooks, start=1)]
    try:
        results = [future.result() for future in futures]
    except BaseException:
        # Ctrl-C / SIGTERM arrive here, in the main thread (or a worker raised): stop every
        # kernel so the running notebooks end now, let them clean up, then re-raise
        interrupted.set()
        for future in futures:
            future.cancel()
        with lock:
            for kernels in registry:
                for manager in list(kernels):  # each worker stops its own list again
                    _stop_kernel(manager)
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    runs.extend(r for r in results if r is not None)
    failed = [r for r in runs if r.status == "failed"]
    if not failed:
        return None
    return NotebookFailed(f"{failed[0].error} (executed notebook kept in {failed[0].folder})")


def _run_one(
    i: int,
    nb: Path,
    ctx: _RunContext,
    kernels: list[Any],
    interrupted: threading.Event,
    total: int,
) -> NotebookRun | None:
    """Execute one notebook in a temporary folder and move it into place (``None`` when the
    run was interrupted meanwhile: nothing is kept)."""
    import papermill as pm

    from jtbd_methods.render import render_html, render_pdf

    stem = nb.stem
    ctx.say(f"[{i}/{total}] {stem} …")
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
        kernel_env = {
            RESULTS_ENV: str(results_file),
            OUTPUT_ENV: str(tmp),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        error: BaseException | None = None
        try:
            pm.execute_notebook(
                str(nb),
                str(executed),
                parameters=nb_params,
                kernel_name="python3",
                progress_bar=(
                    {
                        "desc": f"[{i}/{total}] {stem}",
                        "leave": False,
                        "disable": None,
                        "file": sys.stderr,
                    }
                    if ctx.cell_progress
                    else False
                ),
                execution_timeout=ctx.timeout,
                log_output=False,
                report_mode=False,
                kernel_manager_class=_kernel_manager_class(
                    ctx.sockets,
                    kernels,
                    name=f"kernel-{stem}",
                    cwd=tmp,
                    env=kernel_env,
                    cancelled=interrupted,
                ),
            )
        except pm.PapermillExecutionError as exc:
            error = exc
        except Exception:
            if interrupted.is_set():  # the kernel was stopped by an interruption
                return None
            raise
        if interrupted.is_set():
            return None
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
            ctx.say(f"[{i}/{total}] {stem} FAILED after {seconds:.1f} s: {message}")
            return NotebookRun(stem, "failed", seconds, failed_dir, message)
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
        if interrupted.is_set():
            return None
        final = replace_folder(tmp, ctx.out / stem, is_ours=_is_report)
        _remove_report(ctx.out / f"{stem}.failed")
        ctx.say(f"[{i}/{total}] {stem} ok ({seconds:.1f} s)")
        return NotebookRun(stem, "ok", seconds, final)
    finally:
        _stop_kernels(kernels)  # before the kernel's working folder goes
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
