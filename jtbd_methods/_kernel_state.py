"""Kernel side of a shared kernel: give each notebook the state of a freshly started kernel.

``jtbd run`` lets one kernel execute several notebooks in turn (see
:mod:`jtbd_methods._kernel`), so that the scientific stack is imported once per worker
rather than once per notebook. Before each notebook the runner calls
:func:`prepare_notebook` in the kernel. The first call records the state every notebook
starts from, right after start-up; later calls put it back:

- the user namespace, ``In``/``Out`` and the execution count (IPython's ``reset``);
- open figures and matplotlib's ``rcParams`` (recorded once the inline backend has set
  itself up, as it does after a notebook's first ``import`` in a fresh kernel);
- the warning filters, and which warnings were already shown (so a warning an earlier
  notebook raised is shown again in the next one's teaching report);
- ``os.environ``, ``sys.path``, pandas' display options and the working folder;
- the results and quotes :mod:`jtbd_methods.report` has collected.

Imported modules stay imported; that is the point. The package's only per-report state,
the results recorded and comments quoted by :mod:`jtbd_methods.report`, is cleared; its
other module-level objects are constants and pure caches (``functools.cache`` on compiled
codebooks and lexicons). A test runs the sample study with a kernel per notebook and with shared kernels and compares
every ``results.json``.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["KernelState", "prepare_notebook"]


#: rcParams that belong to the kernel's backend, not to a notebook: the inline backend turns
#: interactive mode on after the first figure; turning it off again would hide every figure
#: of the next notebook.
_BACKEND_RC = frozenset({"backend", "interactive"})


@dataclass(frozen=True)
class KernelState:
    """What a notebook may change in its kernel besides imported modules, to put back later.

    Examples
    --------
    >>> state = KernelState.capture()
    >>> os.environ["JTBD_EXAMPLE"] = "1"
    >>> state.restore()
    >>> "JTBD_EXAMPLE" in os.environ
    False
    """

    environ: dict[str, str]
    path: list[str]
    filters: list[Any]
    rc: dict[str, Any]

    @classmethod
    def capture(cls) -> KernelState:
        """The state now (rcParams except the backend's own, see ``_BACKEND_RC``)."""
        import matplotlib as mpl
        import matplotlib.pyplot  # loads the inline backend, which applies its rc

        return cls(
            environ=dict(os.environ),
            path=list(sys.path),
            filters=list(warnings.filters),
            rc={k: v for k, v in mpl.rcParams.items() if k not in _BACKEND_RC},
        )

    def restore(self) -> None:
        """Close every figure; put back rcParams, pandas' options, the warning filters
        (forgetting which warnings were shown), ``sys.path`` and ``os.environ``; forget the
        results recorded and comments quoted by :mod:`jtbd_methods.report`."""
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        plt.close("all")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mpl.rcParams.update(self.rc)
            if "pandas" in sys.modules:
                sys.modules["pandas"].reset_option("all")
        # resetwarnings() invalidates every module's record of warnings already shown;
        # "once" warnings are kept in a registry of their own
        warnings.resetwarnings()
        warnings.filters[:] = self.filters
        warnings.onceregistry.clear()
        sys.path[:] = self.path
        os.environ.clear()
        os.environ.update(self.environ)
        if "jtbd_methods.report" in sys.modules:  # results recorded, comments quoted
            sys.modules["jtbd_methods.report"].reset()


#: The state recorded by the first call of :func:`prepare_notebook` in this kernel.
_baseline: KernelState | None = None


def prepare_notebook(cwd: str, env: Mapping[str, str]) -> None:
    """Give the next notebook a fresh kernel's state, in folder ``cwd`` with ``env`` set.

    The runner calls this in the kernel before each notebook; never call it from a notebook,
    since it clears IPython's user namespace. The first call in a kernel records the state
    (:meth:`KernelState.capture`), later calls restore it.

    Parameters
    ----------
    cwd : str
        The notebook's working folder.
    env : mapping of str to str
        Environment variables for this notebook (where ``results.json`` and exports go),
        set on top of the kernel's environment at start-up.

    Examples
    --------
    The runner sends the kernel one expression before a notebook's first cell (no name is
    left in the notebook's namespace)::

        __import__("jtbd_methods._kernel_state", fromlist=["prepare_notebook"]).prepare_notebook(
            "/reports/.01_job_discovery.x.tmp", {"JTBD_RESULTS_FILE": "..."}
        )
    """
    global _baseline
    if _baseline is None:
        _baseline = KernelState.capture()
    else:
        _baseline.restore()
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        ip = None
    else:
        ip = get_ipython()
    if ip is not None:
        ip.reset(new_session=True)  # also sets the execution count back to 1
    gc.collect()  # the previous notebook's frames and figures, before the next one allocates
    os.environ.update(env)
    os.chdir(cwd)
