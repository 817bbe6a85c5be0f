"""Run the benchmarks: ``python -m benchmarks [--only NAME ...] [--scale F]``.

Every benchmark runs in a fresh subprocess, so ``peak_rss_mb`` is the peak resident memory of
that benchmark alone (data generation included). Output: one JSON line per benchmark.

Targets on the 2-core reference machine (see README): coding_1m <= 10 s with <= 2 GB and
>= 10x a fair baseline (lower-cased text, one plain str.contains per phrase); coder_predict >= 50,000 comments/s; run_all_sample <= 30 s;
validate_1m <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "templates" / "codebooks" / "healthcare_recovery.yaml"
SAMPLE = ROOT / "data" / "samples" / "recovery_study"
NAMES = (
    "coding_1m",
    "coder_train_50k",
    "coder_predict",
    "run_all_sample",
    "validate_1m",
    "coding_dask",
    "discovery_150k",
)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _line(name: str, n: int, seconds: float, **extra: object) -> dict:
    out = {
        "benchmark": name,
        "n": n,
        "seconds": round(seconds, 3),
        "per_second": round(n / seconds, 1) if seconds > 0 else None,
        "peak_rss_mb": _peak_mb(),
    }
    out.update(extra)
    return out


def _baseline_codes(feedback, codebook) -> set[tuple[str, str]]:
    """What a consultant would write: lower-case the text once, then one ``str.contains``
    per indicator phrase (a plain substring; a regular expression only for ``*`` phrases)."""
    import pandas as pd

    found: set[tuple[str, str]] = set()
    text = feedback["comment"].str.lower().str.replace("\u2019", "'", regex=False)
    for job in codebook.jobs:
        hit = pd.Series(False, index=feedback.index)
        for ind in job.indicators:
            phrase = ind.phrase.lower()
            if "*" in phrase:
                hit |= text.str.contains(re.escape(phrase).replace(r"\*", r"\w*"), regex=True)
            else:
                hit |= text.str.contains(phrase, regex=False)
        found.update((cid, job.id) for cid in feedback.loc[hit, "comment_id"])
    return found


def bench_coding(n: int) -> dict:
    from benchmarks.synthetic import make_comments
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.coding import code_comments, compile_codebook

    codebook = load_codebook(CODEBOOK)
    feedback = make_comments(codebook, n, seed=1)
    t0 = time.perf_counter()
    matcher = compile_codebook(codebook)
    codes = code_comments(feedback, matcher)
    seconds = time.perf_counter() - t0
    extra: dict = {"codes": len(codes)}
    m = min(n, 100_000)
    head = feedback.iloc[:m]
    t1 = time.perf_counter()
    ours = code_comments(head, matcher)
    ours_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    base = _baseline_codes(head, codebook)
    base_s = time.perf_counter() - t2
    ours_set = set(zip(ours["comment_id"], ours["job_id"], strict=True))
    # not identical by design: the coder matches whole words in every inflected form, leaves
    # non-answers uncoded and reads negation; substrings also match inside words
    both = len(ours_set & base)
    extra.update(
        baseline_n=m,
        baseline_seconds=round(base_s, 3),
        coder_seconds_on_baseline_n=round(ours_s, 3),
        speedup_vs_baseline=round(base_s / ours_s, 1),
        agreement_with_baseline=round(both / max(len(ours_set | base), 1), 4),
        only_coder=len(ours_set - base),
        only_baseline=len(base - ours_set),
    )
    return _line("coding_1m", n, seconds, **extra)


def _labelled(n: int, seed: int):
    import numpy as np

    from benchmarks.synthetic import make_comments
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.coding import code_comments

    codebook = load_codebook(CODEBOOK)
    fb = make_comments(codebook, n, seed=seed)
    codes = code_comments(fb, codebook)
    labels = np.zeros((n, len(codebook.job_ids)), dtype=int)
    pos = {c: i for i, c in enumerate(fb["comment_id"])}
    col = {j: k for k, j in enumerate(codebook.job_ids)}
    for cid, job in zip(codes["comment_id"], codes["job_id"], strict=True):
        labels[pos[cid], col[job]] = 1
    import pandas as pd

    return fb["comment"].tolist(), pd.DataFrame(labels, columns=list(codebook.job_ids))


def bench_coder_train(n: int) -> dict:
    from jtbd_methods.coding import TextCoder

    texts, labels = _labelled(n, seed=2)
    t0 = time.perf_counter()
    TextCoder(random_state=0).fit(texts, labels)
    return _line("coder_train_50k", n, time.perf_counter() - t0, labels=labels.shape[1])


def bench_coder_predict(n: int) -> dict:
    from jtbd_methods.coding import TextCoder

    texts, labels = _labelled(min(n, 20_000), seed=3)
    coder = TextCoder(random_state=0).fit(texts, labels)
    new_texts, _ = _labelled(n, seed=4)
    t0 = time.perf_counter()
    coder.predict(new_texts)
    return _line("coder_predict", n, time.perf_counter() - t0, trained_on=len(texts))


def bench_run_all(n: int, *, which: str = "all") -> dict:
    with tempfile.TemporaryDirectory(prefix="jtbd-bench-") as out:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "jtbd_methods",
                "run",
                which,
                "--study",
                str(SAMPLE),
                "--out",
                out,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"run_all_sample failed: {proc.stderr.strip()[-300:]}")
        manifest = json.loads((Path(out) / "manifest.json").read_text())
    per_nb = {nb["notebook"]: nb["seconds"] for nb in manifest["notebooks"]}
    line = _line("run_all_sample", len(per_nb), seconds, per_notebook_seconds=per_nb)
    line["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    return line


def bench_validate(n: int) -> dict:
    from benchmarks.synthetic import make_comments
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.study import validate

    fb = make_comments(load_codebook(CODEBOOK), n, seed=5)
    with tempfile.TemporaryDirectory(prefix="jtbd-bench-") as folder:
        fb.assign(received=fb["received"].dt.strftime("%Y-%m-%d")).to_csv(
            Path(folder) / "feedback.csv", index=False
        )
        (Path(folder) / "study.yaml").write_text(
            "name: Benchmark\norganisation: Synthetic\nperiod: {start: 2024-01-01, end: 2025-12-31}\n"
        )
        del fb
        t0 = time.perf_counter()
        report = validate(folder)
        seconds = time.perf_counter() - t0
        if not report.ok:
            raise SystemExit(f"validate_1m: synthetic study invalid: {report.errors[0].message()}")
    return _line("validate_1m", n, seconds)


def bench_discovery(n: int) -> dict:
    """Theme discovery on n comments (the issue's target: 150,000 in <= 30 s)."""
    from benchmarks.synthetic import make_comments
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.discovery import discover_themes

    texts = make_comments(load_codebook(CODEBOOK), n, seed=6)["comment"]
    steps: list[str] = []
    t0 = time.perf_counter()
    result = discover_themes(texts, progress=steps.append)
    return _line(
        "discovery_150k", n, time.perf_counter() - t0, k=result.k, progress_lines=len(steps)
    )


def bench_coding_dask(n: int) -> dict:
    """Code n comments in 8 Parquet partitions with a local Dask cluster of 1 and of 2 workers."""
    from benchmarks.synthetic import make_comments
    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.scale import code_corpus

    codebook = load_codebook(CODEBOOK)
    fb = make_comments(codebook, n, seed=6)
    with tempfile.TemporaryDirectory(prefix="jtbd-bench-") as folder:
        src = Path(folder) / "corpus"
        src.mkdir()
        step = -(-n // 8)
        for i, lo in enumerate(range(0, n, step)):
            fb.iloc[lo : lo + step].to_parquet(src / f"part-{i}.parquet", index=False)
        del fb
        timings = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            code_corpus(
                src, codebook, Path(folder) / f"out{workers}", engine="dask", n_workers=workers
            )
            timings[workers] = time.perf_counter() - t0
    return _line(
        "coding_dask",
        n,
        timings[2],
        seconds_1_worker=round(timings[1], 3),
        per_second_1_worker=round(n / timings[1], 1),
        seconds_2_workers=round(timings[2], 3),
        per_second_2_workers=round(n / timings[2], 1),
    )


BENCHMARKS = {
    "coding_1m": (bench_coding, 1_000_000),
    "coder_train_50k": (bench_coder_train, 50_000),
    "coder_predict": (bench_coder_predict, 200_000),
    "run_all_sample": (bench_run_all, 1),
    "validate_1m": (bench_validate, 1_000_000),
    "coding_dask": (bench_coding_dask, 1_000_000),
    "discovery_150k": (bench_discovery, 150_000),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--only", nargs="*", choices=NAMES, help="run only these benchmarks")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (smoke tests)"
    )
    parser.add_argument("--child", choices=NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        func, n = BENCHMARKS[args.child]
        if args.child == "run_all_sample":
            # at smoke-test scale only the overview notebook runs (the cold start is still measured)
            print(json.dumps(func(n, which="all" if args.scale >= 1 else "00")), flush=True)
        else:
            print(json.dumps(func(max(200, int(n * args.scale)))), flush=True)
        return 0
    status = 0
    for name in args.only or NAMES:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--child", name, "--scale", str(args.scale)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            status = 1
            print(
                json.dumps(
                    {"benchmark": name, "error": (proc.stderr or proc.stdout).strip()[-500:]}
                ),
                flush=True,
            )
        else:
            print(proc.stdout.strip().splitlines()[-1], flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
