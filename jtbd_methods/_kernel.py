"""Kernels for ``jtbd run``: private local sockets, one kernel per worker, clean stops.

A run executes its notebooks on ``jobs`` workers. With ``kernels="shared"`` (the default)
each worker starts one kernel and runs its notebooks in it one after another: the
scientific stack (pandas, scipy, statsmodels, scikit-learn, matplotlib) is imported once
per worker instead of once per notebook, which was most of a run on a small study. Before
each notebook the kernel is given the state of a freshly started one
(:func:`jtbd_methods._kernel_state.prepare_notebook`), and the notebook's working folder and
environment. With ``kernels="fresh"`` every notebook gets a kernel of its own, as papermill
does by default.

The kernel is driven by papermill through the engine :data:`ENGINE`, papermill's nbclient
engine plus two things: the preparation above, sent before the first cell, and the kernel
client's channels closed after the last one even when the kernel lives on.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ENGINE",
    "KERNEL_MODES",
    "KernelNotReady",
    "Worker",
    "prepare_code",
    "register_engine",
]

#: Name of the papermill engine registered by :func:`register_engine`.
ENGINE = "jtbd"
#: Values of ``run_notebooks(kernels=...)``.
KERNEL_MODES = ("shared", "fresh")

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

    nbclient leaves the kernels to the run (it is given their managers), so this is how
    every kernel ends: after its notebook (``kernels="fresh"``), after its worker's last
    notebook, or at once when the run is interrupted (Ctrl-C, SIGTERM) and nbclient's own
    clean-up never runs.
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


def _alive(manager: Any) -> bool:
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    return process is not None and process.poll() is None


class Worker:
    """The kernels of one worker: one its notebooks share, or a new one for each notebook.

    Parameters
    ----------
    socket_dir : Path
        Private folder for the kernels' sockets, logs and starting folder.
    mode : {"shared", "fresh"}
        See :data:`KERNEL_MODES`.
    number : int
        The worker's number, for the kernel's log name.
    env : mapping of str to str
        Environment of the kernel process on top of ``os.environ`` (the notebook's own
        variables are set by the preparation, see :func:`prepare_code`).
    cancelled : threading.Event
        Set when the run is interrupted: no kernel starts after that.
    """

    def __init__(
        self,
        socket_dir: Path,
        *,
        mode: str,
        number: int,
        env: Mapping[str, str],
        cancelled: threading.Event,
    ) -> None:
        if mode not in KERNEL_MODES:
            raise ValueError(f"kernel mode must be one of {', '.join(KERNEL_MODES)}; got {mode!r}")
        self.mode = mode
        #: Managers whose kernel may be running (what an interruption stops).
        self.live: list[Any] = []
        self._socket_dir = socket_dir
        self._number = number
        self._env = dict(env)
        self._cancelled = cancelled
        self._shared: Any = None

    def manager(self) -> Any:
        """The kernel manager for the next notebook; its kernel starts with the notebook
        unless the worker's shared kernel is already running."""
        if self._shared is not None and _alive(self._shared):
            return self._shared
        self.stop()  # a shared kernel that died with its notebook is not reused
        manager = _kernel_manager_class(
            self._socket_dir,
            self.live,
            name=f"kernel-{self._number}",
            cwd=self._socket_dir,
            env=self._env,
            cancelled=self._cancelled,
        )(kernel_name="python3")
        if self.mode == "shared":
            self._shared = manager
        return manager

    def done(self, ok: bool) -> None:
        """After a notebook: its own kernel stops; a shared kernel stops too when the
        notebook failed, since what it left behind is unknown."""
        if self.mode == "fresh" or not ok:
            self.stop()

    def stop(self) -> None:
        """Stop every kernel of this worker."""
        self._shared = None
        _stop_kernels(self.live)

    def keep_log(self, target: Path) -> None:
        """Copy the newest kernel's log (for a shared kernel, of every notebook it ran) to
        ``target`` when it says anything."""
        _keep_kernel_log(self.live, target)


class KernelNotReady(RuntimeError):
    """The kernel could not be given a notebook's folder and environment."""


def prepare_code(cwd: Path, env: Mapping[str, str]) -> str:
    """The expression the kernel runs before a notebook's first cell.

    Examples
    --------
    >>> prepare_code(Path("/out/.01.tmp"), {"JTBD_RESULTS_FILE": "/out/.01.tmp/results.json"})
    '__import__("jtbd_methods._kernel_state", fromlist=["prepare_notebook"]).prepare_notebook(\
\\'/out/.01.tmp\\', {\\'JTBD_RESULTS_FILE\\': \\'/out/.01.tmp/results.json\\'})'
    """
    return (
        '__import__("jtbd_methods._kernel_state", fromlist=["prepare_notebook"])'
        f".prepare_notebook({str(cwd)!r}, {dict(env)!r})"
    )


async def _prepare(client: Any, code: str, notebook: Any = None) -> None:
    """nbclient's ``on_notebook_start`` hook: run ``code`` in the kernel and wait for it."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = await client.async_wait_for_reply(msg_id)
    content = (reply or {}).get("content", {})
    if content.get("status") != "ok":
        raise KernelNotReady(
            "the kernel could not be prepared for the notebook: "
            f"{content.get('ename', 'no reply')}: {content.get('evalue', '')}"
        )


def register_engine() -> None:
    """Register the papermill engine :data:`ENGINE` (again: it is a dictionary entry).

    It is papermill's nbclient engine with one more keyword, ``prepare`` (the code of
    :func:`prepare_code`, run in the kernel before the first cell), and it closes the kernel
    client's channels after the notebook also when the kernel lives on (``km=`` given).
    """
    import functools

    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # type: ignore[override]
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            prepare: str | None = None,
            **kwargs: Any,
        ) -> Any:
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            client = PapermillNotebookClient(
                nb_man,
                kernel_name=kernel_name,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            # a kernel stopped by an interruption is noticed at the next poll of the shell
            # channel: every second rather than nbclient's five
            client.shell_timeout_interval = 1
            if prepare is not None:
                client.on_notebook_start = functools.partial(_prepare, client, prepare)
            try:
                return client.execute()
            finally:
                if client.kc is not None and not client.owns_km:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, _Engine)
