"""Smoke test: every benchmark runs at a tiny size and prints its JSON line (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from benchmarks.__main__ import NAMES


@pytest.mark.slow
def test_every_benchmark_runs_at_tiny_size(sample_study):  # run_all_sample needs it
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--scale", "0.002"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [line["benchmark"] for line in lines] == list(NAMES)
    for line in lines:
        for key in ("n", "seconds", "per_second", "peak_rss_mb"):
            assert key in line and line[key] is not None, (line["benchmark"], key)
    coding = lines[0]
    assert "speedup_vs_baseline" in coding and 0.5 <= coding["agreement_with_baseline"] <= 1
