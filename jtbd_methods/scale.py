"""Coding national volumes: partitioned Parquet in, tidy codes and job counts out, with Dask.

A national programme (all Friends-and-Family-Test comments of a health system, tens of
millions a year) does not fit in memory. :func:`code_corpus` runs the same per-DataFrame core
as :func:`jtbd_methods.coding.code_comments` on every partition of a Parquet dataset with
``dask.dataframe.map_partitions``, on a local cluster by default or on an existing scheduler,
and writes

* ``OUT/codes/`` — the long table of codes (``comment_id``, ``job_id``, ``polarity``,
  ``phrase``, ``start``, ``end``) plus the comment's ``period`` and ``site``, as Parquet;
* ``OUT/job_counts.parquet`` — comments per period × site × job × polarity;
* ``OUT/comment_counts.parquet`` — comments per period × site (the denominators).

``engine="pandas"`` reads everything into memory and gives exactly the same files; it is the
reference the Dask path is tested against.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods._io import check_separate, is_own_output, make_temp_dir, replace_folder
from jtbd_methods._validation import one_of
from jtbd_methods.codebook import Codebook, load_codebook
from jtbd_methods.errors import JTBDError

__all__ = ["CorpusResult", "code_corpus", "count_codes"]

log = logging.getLogger(__name__)
_PERIODS = {"week": "W-MON", "month": "M", "quarter": "Q", "year": "Y"}
_COUNT_KEYS = ["period", "site", "job_id", "polarity"]


def _is_corpus_output(folder: Path) -> bool:
    """A folder written by :func:`code_corpus` (marker, or the files of version 0.1)."""
    return is_own_output(folder) or (
        (folder / "job_counts.parquet").is_file() and (folder / "codes").is_dir()
    )


@dataclass(frozen=True)
class CorpusResult:
    """Where :func:`code_corpus` wrote its outputs, and their sizes."""

    codes: Path
    job_counts: Path
    comment_counts: Path
    n_comments: int
    n_codes: int
    engine: str
    seconds: float


def _period_start(dates: pd.Series, period: str) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period(_PERIODS[period]).dt.start_time


def _codes_with_context(
    part: pd.DataFrame,
    matcher: Any,
    *,
    text: str,
    id: str,
    rating: str | None,
    date: str,
    site: str,
    period: str,
) -> pd.DataFrame:
    """Code one partition and attach each code's period and site."""
    from jtbd_methods.coding import code_comments

    codes = code_comments(part, matcher, text=text, id_column=id, rating=rating)
    context = pd.DataFrame(
        {
            "comment_id": part[id].to_numpy(),
            "period": _period_start(part[date], period).to_numpy(),
            "site": part[site].astype(str).to_numpy(),
        }
    )
    out = codes.merge(context, on="comment_id", how="left", validate="many_to_one")
    return out.astype({"comment_id": "str", "period": "datetime64[ns]", "site": "str"})


def count_codes(codes: pd.DataFrame) -> pd.DataFrame:
    """Comments per period × site × job × polarity from codes with context.

    Returns
    -------
    DataFrame
        ``period``, ``site``, ``job_id``, ``polarity``, ``n`` (int64), sorted by the keys.

    Examples
    --------
    >>> codes = pd.DataFrame({"period": pd.to_datetime(["2024-01-01"] * 3), "site": ["A", "A", "B"],
    ...                       "job_id": ["x", "x", "x"], "polarity": ["disrupted"] * 3})
    >>> count_codes(codes)["n"].tolist()
    [2, 1]
    """
    out = codes.groupby(_COUNT_KEYS, observed=True, sort=True).size().rename("n").reset_index()
    return out.astype({"n": "int64"})


@contextlib.contextmanager
def _client(scheduler: str | None, n_workers: int | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - the 'scale' extra is part of dev
        raise JTBDError(
            "engine='dask' needs the scale extra: pip install 'jtbd_methods[scale]'"
        ) from exc
    if scheduler:
        with Client(scheduler, timeout="20s") as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def code_corpus(
    input: str | Path,
    codebook: str | Path | Codebook,
    out: str | Path,
    *,
    engine: str = "dask",
    scheduler: str | None = None,
    n_workers: int | None = None,
    text: str = "comment",
    id: str = "comment_id",
    rating: str | None = "rating",
    date: str = "received",
    site: str = "site",
    period: str = "month",
    overwrite: bool = False,
    progress: bool = False,
) -> CorpusResult:
    """Code a partitioned Parquet corpus and write codes and job counts by period and site.

    Parameters
    ----------
    input : str or Path
        A Parquet file or a folder of Parquet files (one dataset) with the feedback columns.
    codebook : str, Path or Codebook
        The codebook (YAML or REFI-QDA) whose indicators code the comments.
    out : str or Path
        Output folder; must not exist unless ``overwrite``. Written atomically: the folder
        appears only when everything is written.
    engine : {"dask", "pandas"}
        ``"dask"``: partitions are coded in parallel by a Dask cluster (a local one with
        ``n_workers`` processes by default, or the scheduler at ``scheduler``). ``"pandas"``:
        in memory, for corpora that fit.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``).
    n_workers : int, optional
        Workers of the local cluster (default 2).
    text, id, rating, date, site : str
        Column names.
    period : {"week", "month", "quarter", "year"}
        Period of the counts.
    overwrite : bool
        Replace an existing output folder.
    progress : bool, default False
        With ``engine="dask"``, show Dask's progress bar of the coding and counting tasks on
        stdout (``jtbd code`` turns it on when stdout is a terminal).

    Returns
    -------
    CorpusResult

    Notes
    -----
    The Dask path reads only the needed columns, codes each partition with the same core as
    :func:`~jtbd_methods.coding.code_comments` (so results equal the pandas path exactly),
    streams the codes to Parquet, then aggregates the written codes. Memory per worker is
    bounded by one partition; choose partitions of ~100k-1M comments.
    """
    import time

    engine = one_of(engine, ("dask", "pandas"), parameter="engine", caller="code_corpus")
    one_of(period, tuple(_PERIODS), parameter="period", caller="code_corpus")
    src, dest = Path(input), Path(out)
    if not src.exists():
        raise JTBDError(f"{src}: no such Parquet file or folder")
    check_separate(dest, {"the input corpus": src})
    if dest.exists() and not overwrite:
        raise JTBDError(f"{dest} already exists; choose a new folder or pass overwrite")
    if dest.exists() and not _is_corpus_output(dest):
        raise JTBDError(
            f"{dest} exists and is not a folder written by 'jtbd code'; it is left untouched "
            "(choose a new folder)"
        )
    from jtbd_methods.coding import compile_codebook

    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    matcher = compile_codebook(cb)
    columns = [c for c in dict.fromkeys([id, text, rating, date, site]) if c is not None]
    options = {
        "text": text,
        "id": id,
        "rating": rating,
        "date": date,
        "site": site,
        "period": period,
    }
    try:
        import pyarrow.dataset as pads

        _require(pads.dataset(str(src), format="parquet").schema.names, columns, src)
    except (OSError, ValueError) as exc:
        if isinstance(exc, JTBDError):
            raise
        raise JTBDError(f"{src}: not a readable Parquet file or dataset ({exc})") from exc
    t0 = time.perf_counter()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        if engine == "pandas":
            feedback = pd.read_parquet(src, columns=columns)
            codes = _codes_with_context(feedback, matcher, **options)
            (tmp / "codes").mkdir()
            codes.to_parquet(tmp / "codes" / "part.0.parquet", index=False)
            comment_counts = _comment_counts(feedback, date=date, site=site, period=period)
            n_comments = len(feedback)
        else:
            import dask.dataframe as dd

            with _client(scheduler, n_workers) as client:
                feedback = dd.read_parquet(str(src), columns=columns)
                meta = _codes_with_context(feedback._meta, matcher, **options)
                lazy = feedback.map_partitions(
                    _codes_with_context, matcher, meta=meta, **options
                )
                write = lazy.to_parquet(str(tmp / "codes"), write_index=False, compute=False)
                counting = (
                    feedback.map_partitions(
                        _comment_counts,
                        date=date,
                        site=site,
                        period=period,
                        meta=_comment_counts(feedback._meta, date=date, site=site, period=period),
                    )
                    .groupby(["period", "site"])
                    .sum()
                )
                futures = client.compute([write, counting])
                if progress:
                    from distributed import progress as dask_progress

                    dask_progress(futures)  # Dask's own text progress bar; returns when done
                comment_counts = client.gather(futures)[1].reset_index()
                comment_counts = comment_counts.sort_values(
                    ["period", "site"], ignore_index=True
                )
                n_comments = int(comment_counts["n"].sum())
        codes_all = pd.read_parquet(tmp / "codes", columns=_COUNT_KEYS)
        counts = count_codes(codes_all)
        counts.to_parquet(tmp / "job_counts.parquet", index=False)
        comment_counts.astype({"n": "int64"}).to_parquet(
            tmp / "comment_counts.parquet", index=False
        )
        n_codes = len(codes_all)
        replace_folder(tmp, dest, is_ours=_is_corpus_output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - t0
    log.info(
        "coded %d comments into %d codes with %s in %.1f s", n_comments, n_codes, engine, seconds
    )
    return CorpusResult(
        dest / "codes",
        dest / "job_counts.parquet",
        dest / "comment_counts.parquet",
        n_comments,
        n_codes,
        engine,
        seconds,
    )


def _require(have: Any, columns: list[str], src: Path) -> None:
    missing = [c for c in columns if c not in list(have)]
    if missing:
        raise JTBDError(
            f"{src}: no column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"expected the feedback columns {', '.join(columns)}"
        )


def _comment_counts(frame: pd.DataFrame, *, date: str, site: str, period: str) -> pd.DataFrame:
    keys = pd.DataFrame(
        {
            "period": _period_start(frame[date], period).to_numpy(),
            "site": frame[site].astype(str).to_numpy(),
        }
    )
    out = keys.groupby(["period", "site"], sort=True).size().rename("n").reset_index()
    return out.astype({"period": "datetime64[ns]", "site": "str", "n": "int64"})
