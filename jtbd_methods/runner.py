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

Notebooks run on ``jobs`` workers; each worker runs its notebooks in one kernel, given a
fresh kernel's state before each notebook (or a new kernel per notebook with
``kernels="fresh"``; see :mod:`jtbd_methods._kernel`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.metadata
import json
import logging
import os
import platform
import shutil
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
from jtbd_methods._kernel import (
    ENGINE,
    KERNEL_MODES,
    KernelNotReady,
    Worker,
    _stop_kernel,
    prepare_code,
    register_engine,
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
    kernels: str = "shared",
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
        (stems of other notebooks) starts after those have finished; notebooks that others
        wait for start first.
    kernels : {"shared", "fresh"}, default "shared"
        ``"shared"``: each worker runs its notebooks one after another in one kernel, which
        imports the scientific stack once, and gives every notebook a fresh kernel's state
        (namespace, figures, rcParams, warning filters, environment, working folder; see
        :mod:`jtbd_methods._kernel_state`). ``"fresh"``: a new kernel for every notebook.
        Both give the same results.

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
    if kernels not in KERNEL_MODES:
        raise UsageError(f"kernels must be one of {', '.join(KERNEL_MODES)}; got {kernels!r}")
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
        "execution": {"jobs": jobs, "kernels": kernels},
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
            kernels=kernels,
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
    kernels: str = "shared"


def default_jobs() -> int:
    """Notebooks run at once by default: two, or one on a single-core machine.

    Each worker has its own kernel (a process importing the scientific stack, about
    400 MB); two at a time roughly halve a run on two cores without needing more memory
    than a laptop has.
    """
    return max(1, min(2, os.cpu_count() or 1))


def _needs(path: Path) -> tuple[str, ...]:
    """Stems of the notebooks ``path`` reads outputs of (notebook metadata ``jtbd.needs``)."""
    import nbformat

    meta = nbformat.read(str(path), as_version=4).metadata.get("jtbd", {})
    return tuple(str(stem) for stem in meta.get("needs", ()))


def _start_order(notebooks: Sequence[Path], needs: Mapping[str, tuple[str, ...]]) -> list[Path]:
    """Notebooks in the order they should start: those at the head of the longest chain of
    ``jtbd.needs`` first (a notebook others wait for should not queue behind independent
    ones), otherwise in notebook order.

    Examples
    --------
    >>> nbs = [Path(f"{s}.ipynb") for s in ("00_a", "01_b", "02_c", "03_d")]
    >>> [p.stem for p in _start_order(nbs, {"03_d": ("02_c",)})]
    ['02_c', '00_a', '01_b', '03_d']
    """
    stems = {nb.stem for nb in notebooks}
    waiting_on: dict[str, set[str]] = {stem: set() for stem in stems}
    for stem in stems:
        for need in needs.get(stem, ()):
            if need in stems:
                waiting_on[need].add(stem)

    @functools.cache
    def chain(stem: str, seen: frozenset[str] = frozenset()) -> int:
        after = [s for s in waiting_on[stem] if s not in seen]
        return 1 + max((chain(s, seen | {stem}) for s in after), default=0)

    return sorted(notebooks, key=lambda nb: -chain(nb.stem))


class _Scheduler:
    """Hands the next notebook whose needs have finished to a free worker.

    After a failure, or once the run is interrupted, no notebook starts; a notebook whose
    need failed is not run.
    """

    def __init__(self, notebooks: Sequence[Path], stop: threading.Event) -> None:
        self._needs = {nb.stem: _needs(nb) for nb in notebooks}
        self._stems = set(self._needs)
        self._waiting = _start_order(notebooks, self._needs)
        self._done: dict[str, bool] = {}
        self._stop = stop
        self._cond = threading.Condition()

    def next(self) -> Path | None:
        with self._cond:
            while True:
                if self._stop.is_set():
                    return None
                for nb in list(self._waiting):
                    needs = [s for s in self._needs[nb.stem] if s in self._stems]
                    if any(self._done.get(s) is False for s in needs):
                        self._waiting.remove(nb)  # a need failed: never runs
                        self._done[nb.stem] = False
                        self._cond.notify_all()
                    elif all(s in self._done for s in needs):
                        self._waiting.remove(nb)
                        return nb
                if not self._waiting:
                    return None
                self._cond.wait()

    def finished(self, nb: Path, ok: bool) -> None:
        with self._cond:
            self._done[nb.stem] = ok
            if not ok:
                self._stop.set()
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


def _run_each(
    notebooks: Sequence[Path], ctx: _RunContext, runs: list[NotebookRun]
) -> NotebookFailed | None:
    """Run the notebooks on ``ctx.jobs`` workers, moving each finished folder into place.

    Each worker takes the next notebook that may start (see :class:`_Scheduler` and
    :func:`_start_order`) and runs it in the worker's kernel (``ctx.kernels``, see
    :mod:`jtbd_methods._kernel`). After a failure no further notebook starts; those already
    running finish. ``runs`` receives the notebooks that ran, in notebook order.

    On Ctrl-C or SIGTERM (a ``KeyboardInterrupt`` in the main thread) every kernel is
    stopped, each running notebook discards its temporary folder, and the interrupt is
    raised again once the workers have finished.
    """
    from concurrent.futures import ThreadPoolExecutor

    register_engine()
    stop = threading.Event()  # a notebook failed or the run was interrupted: start no other
    interrupted = threading.Event()
    scheduler = _Scheduler(notebooks, stop)
    order = {nb: i for i, nb in enumerate(notebooks, start=1)}
    done: dict[Path, NotebookRun] = {}
    workers = [
        Worker(
            ctx.sockets,
            mode=ctx.kernels,
            number=n,
            env={
                "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            },
            cancelled=interrupted,
        )
        for n in range(1, max(1, min(ctx.jobs, len(notebooks))) + 1)
    ]

    def work(worker: Worker) -> None:
        try:
            while (nb := scheduler.next()) is not None:
                run = None
                try:
                    run = _run_one(order[nb], nb, ctx, worker, interrupted, len(notebooks))
                finally:
                    ok = run is not None and run.status == "ok"
                    worker.done(ok)
                    scheduler.finished(nb, ok)
                if run is not None:
                    done[nb] = run
        finally:
            worker.stop()

    pool = ThreadPoolExecutor(max_workers=len(workers), thread_name_prefix="jtbd-notebook")
    futures = [pool.submit(work, worker) for worker in workers]
    try:
        for future in futures:
            future.result()
    except BaseException:
        # Ctrl-C / SIGTERM arrive here, in the main thread (or a worker raised): stop every
        # kernel so the running notebooks end now, let them clean up, then re-raise
        interrupted.set()
        stop.set()
        scheduler.wake()
        for worker in workers:
            for manager in list(worker.live):  # each worker stops its own list again
                _stop_kernel(manager)
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    runs.extend(done[nb] for nb in notebooks if nb in done)
    failed = [r for r in runs if r.status == "failed"]
    if not failed:
        return None
    return NotebookFailed(f"{failed[0].error} (executed notebook kept in {failed[0].folder})")


def _run_one(
    i: int,
    nb: Path,
    ctx: _RunContext,
    worker: Worker,
    interrupted: threading.Event,
    total: int,
) -> NotebookRun | None:
    """Execute one notebook in a temporary folder and move it into place (``None`` when the
    run was interrupted meanwhile: nothing is kept)."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

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
        error: BaseException | None = None
        try:
            pm.execute_notebook(
                str(nb),
                str(executed),
                parameters=nb_params,
                engine_name=ENGINE,
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
                km=worker.manager(),
                prepare=prepare_code(tmp, {RESULTS_ENV: str(results_file), OUTPUT_ENV: str(tmp)}),
            )
        except (pm.PapermillExecutionError, KernelNotReady, DeadKernelError) as exc:
            error = exc
        except CellTimeoutError as exc:
            error = exc
            error.evalue = (  # type: ignore[attr-defined]
                f"a cell ran longer than {ctx.timeout} s, the limit of one cell (--timeout)"
            )
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
            worker.keep_log(tmp / "kernel.log")
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
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
