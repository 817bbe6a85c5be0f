"""The ``jtbd`` command.

Errors a user can cause end in a one-line message on stderr and a non-zero exit code
(1: bad input or a failed notebook; 2: bad usage); ``--debug`` shows the traceback. ``jtbd``
alone prints the help and exits 0.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from jtbd_methods.errors import JTBDError, UsageError

app = typer.Typer(
    name="jtbd",
    help="Jobs-to-be-Done methods for patient experience: validate a study folder and run its reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
coder_app = typer.Typer(
    help="Train and evaluate the supervised comment coder.", no_args_is_help=True
)
codebook_app = typer.Typer(
    help="Move codebooks between YAML and REFI-QDA (.qdc, .qdpx).", no_args_is_help=True
)
app.add_typer(coder_app, name="coder")
app.add_typer(codebook_app, name="codebook")

_STATE: dict[str, Any] = {"debug": False, "interrupted": None}
_QUIET_LOGGERS = ("nbclient", "papermill", "traitlets", "asyncio", "distributed", "dask")


def _show_version(value: bool) -> None:
    if value:
        from jtbd_methods import __version__

        typer.echo(f"jtbd_methods {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    _STATE["debug"] = debug
    if not verbose:
        # Dask's scheduler and workers (also in their own processes) log at INFO by default
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )
    if not verbose:
        # the notebook machinery reports a failed or stopped kernel through the exception
        # that the runner turns into one line; its own log records would repeat it as noise
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command("validate")
def validate_cmd(
    study: Annotated[Path, typer.Argument(help="The study folder.")],
) -> None:
    """Check a study folder and print every problem; exit 1 if there is any error."""
    from jtbd_methods.study import validate

    report = validate(study)
    if report.problems:
        frame = report.to_frame()
        frame["row"] = frame["row"].map(lambda r: "" if r is None or r != r else str(int(r)))
        frame = frame.fillna("")
        frame["value"] = frame["value"].map(lambda v: v if len(v) <= 40 else v[:37] + "...")
        with _pandas_wide():
            typer.echo(frame.to_string(index=False))
    if not report.ok:
        n = len(report.errors)
        _err(
            f"jtbd: {study}: {n} error{'s' if n != 1 else ''} found; fix them and run 'jtbd validate' again"
        )
        raise typer.Exit(1)
    s = report.study
    assert s is not None  # for type checkers: ok implies a study
    typer.echo(f"{s.config.name} ({s.config.organisation}): valid")
    summary = s.summary()
    for col in ("first_date", "last_date"):
        summary[col] = summary[col].map(
            lambda d: "" if d != d or d is None else str(getattr(d, "date", lambda: d)())
        )
    typer.echo(summary.to_string(index=False))
    if report.warnings:
        typer.echo(f"{len(report.warnings)} warning(s) listed above; they do not stop a run.")


class _pandas_wide:
    def __enter__(self) -> None:
        import pandas as pd

        self._ctx = pd.option_context(
            "display.width", 200, "display.max_colwidth", 80, "display.max_rows", 500
        )
        self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


@app.command("run")
def run_cmd(
    notebook: Annotated[str, typer.Argument(help="'all', a notebook number (01), stem or path.")],
    study: Annotated[Path, typer.Option("--study", help="The study folder.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for reports.")] = Path(
        "reports"
    ),
    param: Annotated[
        list[str] | None,
        typer.Option("-p", "--param", help="Notebook parameter key=value (repeatable)."),
    ] = None,
    parameters_file: Annotated[
        Path | None,
        typer.Option(
            "-f",
            "--parameters-file",
            help="YAML file of notebook parameters (name: value); -p values override it.",
        ),
    ] = None,
    audience: Annotated[
        str, typer.Option("--audience", help="client (no code) or teaching (code and notes).")
    ] = "client",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each report to PDF (needs Chromium).")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "-j",
            "--jobs",
            min=1,
            help="Notebooks run at once (default 2, or 1 on one core).",
        ),
    ] = None,
    timeout: Annotated[
        int,
        typer.Option(
            "--timeout", min=1, help="Seconds one cell may run before the notebook fails."
        ),
    ] = 1200,
    fresh_kernels: Annotated[
        bool,
        typer.Option(
            "--fresh-kernels",
            help="A new kernel for every notebook, instead of one per worker that each "
            "notebook gets back in a fresh kernel's state (same results, slower).",
        ),
    ] = False,
) -> None:
    """Execute notebooks on a study with papermill and write reports, results and a manifest."""
    from jtbd_methods.runner import (
        parse_parameters,
        read_parameter_file,
        resolve_notebooks,
        run_notebooks,
    )

    notebooks = resolve_notebooks(notebook)
    params = read_parameter_file(parameters_file) if parameters_file is not None else {}
    params.update(parse_parameters(param or []))
    result = run_notebooks(
        notebooks,
        study=study,
        out=out,
        parameters=params,
        audience=audience,
        pdf=pdf,
        progress=lambda line: typer.echo(line, err=True),
        cell_progress=True,
        jobs=jobs,
        timeout=timeout,
        kernels="fresh" if fresh_kernels else "shared",
    )
    typer.echo(f"{len(result.runs)} report(s) in {result.out} (index: {result.out / 'index.html'})")


@app.command("params")
def params_cmd(
    notebook: Annotated[str, typer.Argument(help="'all', a notebook number (01), stem or path.")],
) -> None:
    """List a notebook's parameters: name, type, default, allowed values and description."""
    from jtbd_methods.runner import notebook_parameters, resolve_notebooks

    for i, path in enumerate(resolve_notebooks(notebook)):
        rows = []
        for name, info in notebook_parameters(path).items():
            if name in ("study_dir", "audience"):
                continue  # set with --study and --audience
            declared = info["declared"]
            if declared in ("None", ""):
                declared = info["types"][0].__name__ if info["types"] else "any"
            rows.append(
                (
                    name,
                    declared,
                    repr(info["default"]),
                    ", ".join(map(str, info["allowed"])),
                    re.sub(r";?\s*\bone of:[^;()#]*", "", info["help"]).strip(" ;"),
                )
            )
        width = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(_PARAM_HEADER)]
        if i:
            typer.echo("")
        typer.echo(f"{path.stem}  (set with -p name=value or -f params.yaml)")
        for row in (_PARAM_HEADER, *rows):
            typer.echo("  ".join(c.ljust(w) for c, w in zip(row, width, strict=True)).rstrip())


_PARAM_HEADER = ("parameter", "type", "default", "allowed", "description")


@app.command("new-study")
def new_study_cmd(
    directory: Annotated[
        Path, typer.Argument(help="Folder to create (must not exist or be empty).")
    ],
) -> None:
    """Create a study skeleton with a guide and a job-focused question bank."""
    from jtbd_methods.resources import study_template_dir

    src = study_template_dir()
    if directory.exists() and any(directory.iterdir()):
        raise JTBDError(f"{directory} already exists and is not empty; choose a new folder")
    shutil.copytree(src, directory, dirs_exist_ok=True)
    typer.echo(f"Study skeleton created in {directory}: read {directory / 'GUIDE.md'} first.")


@app.command("sample-study")
def sample_study_cmd(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the synthetic sample study into.")
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed (same seed, same files).")
    ] = 2026,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing folder.")
    ] = False,
) -> None:
    """Regenerate the synthetic sample study with its documented planted truths."""
    from jtbd_methods.samples import write_sample_study

    path = write_sample_study(directory, seed=seed, overwrite=overwrite)
    typer.echo(
        f"Sample study written to {path} (seed {seed}); planted truths in {path / 'README.md'}"
    )


@app.command("code")
def code_cmd(
    input: Annotated[
        Path, typer.Option("--input", help="Parquet file or folder of the feedback corpus.")
    ],
    codebook: Annotated[Path, typer.Option("--codebook", help="Codebook (YAML, .qdc or .qdpx).")],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (codes/, job_counts.parquet, ...).")
    ],
    engine: Annotated[
        str, typer.Option("--engine", help="dask (parallel, out of core) or pandas (in memory).")
    ] = "dask",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Workers of the local Dask cluster.")
    ] = None,
    period: Annotated[
        str, typer.Option("--period", help="Period of the counts: week, month, quarter, year.")
    ] = "month",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output folder.")
    ] = False,
) -> None:
    """Code a corpus too large for memory; write tidy codes and job counts by period and site."""
    from jtbd_methods.scale import code_corpus

    if engine not in ("dask", "pandas"):
        raise UsageError(f"--engine must be dask or pandas; got {engine!r}")
    result = code_corpus(
        input,
        codebook,
        out,
        engine=engine,
        scheduler=scheduler,
        n_workers=workers,
        period=period,
        overwrite=overwrite,
        progress=sys.stdout.isatty(),
    )
    typer.echo(
        f"{result.n_comments:,} comments coded into {result.n_codes:,} codes with {result.engine} "
        f"in {result.seconds:.1f} s; outputs in {out}"
    )


@codebook_app.command("export")
def codebook_export_cmd(
    codebook: Annotated[Path, typer.Argument(help="Codebook to export (YAML, .qdc or .qdpx).")],
    to: Annotated[Path, typer.Option("--to", help="REFI-QDA codebook file to write (.qdc).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing file.")
    ] = False,
) -> None:
    """Write a codebook as a REFI-QDA .qdc file for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.refi_qda import codebook_to_qdc

    if to.suffix.lower() != ".qdc":
        raise UsageError(f"--to must name a .qdc file (a REFI-QDA codebook); got {str(to)!r}")
    if to.exists() and not overwrite:
        raise UsageError(f"{to} already exists; pass --overwrite to replace it")
    cb = load_codebook(codebook)
    path = codebook_to_qdc(cb, to)
    typer.echo(
        f"{len(cb.jobs)} jobs and {len(cb.outcomes)} desired outcomes of {cb.name!r} "
        f"written to {path}; import it as a codebook in your QDA program."
    )


@codebook_app.command("import")
def codebook_import_cmd(
    source: Annotated[Path, typer.Argument(help="REFI-QDA codebook (.qdc) or project (.qdpx).")],
    to: Annotated[Path, typer.Option("--to", help="Codebook YAML file to write.")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing file.")
    ] = False,
) -> None:
    """Read the codebook of a REFI-QDA .qdc or .qdpx file and write it as YAML."""
    from jtbd_methods.refi_qda import codebook_from_qdc, codebook_from_qdpx

    readers = {".qdc": codebook_from_qdc, ".qdpx": codebook_from_qdpx}
    reader = readers.get(source.suffix.lower())
    if reader is None:
        raise UsageError(f"SOURCE must be a .qdc codebook or a .qdpx project; got {str(source)!r}")
    if to.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(f"--to must name a .yaml file; got {str(to)!r}")
    if to.exists() and not overwrite:
        raise UsageError(f"{to} already exists; pass --overwrite to replace it")
    cb = reader(source)
    path = cb.to_yaml(to)
    typer.echo(
        f"{len(cb.jobs)} jobs and {len(cb.outcomes)} desired outcomes of {cb.name!r} "
        f"written to {path}; review jobs imported without a jtbd_methods description."
    )


@app.command("teach")
def teach_cmd(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the workshop pack (new or empty).")
    ],
    study: Annotated[
        Path | None,
        typer.Option("--study", help="Study to teach on (default: the synthetic sample)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing pack.")
    ] = False,
    length: Annotated[
        str, typer.Option("--length", help="Workshop length: 3h (default) or day.")
    ] = "3h",
    agenda: Annotated[
        Path | None,
        typer.Option("--agenda", help="Agenda YAML (default: the shipped 3h and day agendas)."),
    ] = None,
    run: Annotated[
        bool,
        typer.Option(
            "--run/--no-run",
            help="Execute the notebooks for slides, model answers and the facilitator's edition.",
        ),
    ] = True,
) -> None:
    """Write a workshop pack: notebooks, solutions, slides, a study, set-up and facilitator guide."""
    from jtbd_methods.teach import write_workshop_pack

    pack = write_workshop_pack(
        out, study=study, overwrite=overwrite, length=length, agenda=agenda, run=run
    )
    typer.echo(f"Workshop pack written to {pack}: start with {pack / 'FACILITATOR.md'}")


@coder_app.command("evaluate")
def coder_evaluate_cmd(
    data: Annotated[Path, typer.Option("--data", help="Hand-coded comments (CSV).")],
    text: Annotated[str, typer.Option("--text", help="Column holding the comments.")],
    labels: Annotated[
        str,
        typer.Option(
            "--labels",
            help="One label column (categories or ';'-separated codes) or several 0/1 columns, comma-separated.",
        ),
    ],
    folds: Annotated[
        int | None, typer.Option("--folds", help="Cross-validation folds (default 5).")
    ] = None,
    test: Annotated[
        Path | None,
        typer.Option("--test", help="Held-out coded comments (CSV) instead of cross-validation."),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write macro_f1, micro_f1 and per_label to this JSON file."),
    ] = None,
) -> None:
    """Cross-validate (or test on a held-out file) the supervised coder and print per-label quality."""
    from jtbd_methods._io import atomic_write_json
    from jtbd_methods.coding import evaluate_coder_file
    from jtbd_methods.errors import UsageError

    if folds is not None and test is not None:
        raise UsageError(
            "use either --folds (cross-validation) or --test (a held-out file), not both"
        )
    ev = evaluate_coder_file(
        data, text=text, labels=labels, folds=5 if folds is None else folds, test=test
    )
    table = ev.per_label.copy()
    for col in ("precision", "recall", "f1"):
        table[col] = table[col].map(lambda v: "" if v != v else f"{v:.3f}")
    table["rare"] = table["rare"].map(lambda r: "rare" if r else "")
    with _pandas_wide():
        typer.echo(table.to_string(index=False))
    how = f"{ev.folds}-fold cross-validation" if ev.folds else "held-out test"
    rare = f"; {len(ev.rare_labels)} rare label(s) flagged" if ev.rare_labels else ""
    typer.echo(
        f"macro-F1 {ev.macro_f1:.3f}, micro-F1 {ev.micro_f1:.3f} ({how}, {ev.n} comments, "
        f"{ev.label_format}{rare})"
    )
    if json_path is not None:
        atomic_write_json(json_path, ev.to_dict())
        typer.echo(f"Results written to {json_path}")


def _on_sigterm_interrupt() -> Any:
    """Treat SIGTERM like Ctrl-C, so a stopped run cleans up (temporary folders, the kernel).

    Returns the previous handler, or ``None`` when not in the main thread (where signal
    handlers cannot be set).
    """

    def interrupt(signum: int, frame: Any) -> None:
        _STATE["interrupted"] = signal.Signals(signum).name
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``jtbd`` command; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    previous = _on_sigterm_interrupt()
    try:
        code = _dispatch(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if argv is None and code > 128:
        # interrupted as a command: everything was cleaned up in `finally` blocks; leave now,
        # before the interpreter's shutdown reports the notebook client's abandoned tasks
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _click_exceptions() -> dict[str, tuple[type, ...]]:
    """Click's exception classes, from typer's bundled copy (typer >= 0.2x) and/or click.

    Typer 0.29 ships its own click under ``typer._click``; its exceptions are not those of the
    ``click`` package, so both are checked.
    """
    import importlib

    names = ("NoArgsIsHelpError", "Abort", "UsageError", "ClickException")
    found: dict[str, tuple[type, ...]] = {name: () for name in names}
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        for name in names:
            cls = getattr(mod, name, None)
            if isinstance(cls, type):
                found[name] += (cls,)
    found["Abort"] += (typer.Abort,)
    return found


def _one_line_warning(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
    """Show a warning as ``jtbd: warning: <message>`` (``--debug`` keeps Python's form)."""
    _err(f"jtbd: warning: {' '.join(str(message).split())}")


def _dispatch(args: list[str]) -> int:
    """Run the command; turn the errors a user can cause into one line and an exit code,
    and warnings into one line each."""
    debug = "--debug" in args
    if debug:
        return _dispatch_errors(args, debug)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning
        return _dispatch_errors(args, debug)


def _dispatch_errors(args: list[str], debug: bool) -> int:
    _STATE["interrupted"] = None
    try:
        rv = app(args=args, prog_name="jtbd", standalone_mode=False)
        if _STATE["interrupted"] or rv == 130:  # typer turns Ctrl-C into a silent 130
            raise KeyboardInterrupt
        if isinstance(rv, int):
            return rv
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except JTBDError as exc:
        if debug:
            raise
        _err(f"jtbd: error: {exc}")
        return getattr(exc, "exit_code", 1)
    except KeyboardInterrupt:
        how = _STATE["interrupted"] or "SIGINT"
        _err(f"jtbd: interrupted ({how}); no partial output was left in place")
        return 128 + signal.Signals[how].value
    except Exception as exc:  # click usage errors and anything unexpected
        click = _click_exceptions()
        if isinstance(exc, click["NoArgsIsHelpError"]):
            # `jtbd` (or `jtbd coder`) alone: the help is what was asked for
            typer.echo(exc.format_message())
            return 0
        if isinstance(exc, click["Abort"]):
            _err("jtbd: aborted")
            return 130
        if isinstance(exc, click["UsageError"]):
            if debug:
                raise
            ctx = getattr(exc, "ctx", None)
            command = ctx.command_path if ctx is not None else "jtbd"
            message = " ".join(exc.format_message().split())
            _err(f"jtbd: error: {message} (see '{command} --help')")
            return 2
        if isinstance(exc, click["ClickException"]):
            if debug:
                raise
            _err(f"jtbd: error: {' '.join(exc.format_message().split())}")
            return int(getattr(exc, "exit_code", 1) or 1)
        if debug:
            raise
        if isinstance(
            exc, ValueError | TypeError | KeyError | FileNotFoundError | PermissionError | OSError
        ):
            _err(
                f"jtbd: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                "(run with --debug for details)"
            )
            return 1
        _err(f"jtbd: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
