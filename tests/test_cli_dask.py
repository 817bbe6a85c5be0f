"""`jtbd code --engine dask` as a real command: Dask's INFO log stays quiet unless -v."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT, TEMPLATE_CODEBOOK

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow


def _code(folder, out, *flags):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "jtbd_methods",
            *flags,
            "code",
            "--input",
            str(folder),
            "--codebook",
            str(TEMPLATE_CODEBOOK),
            "--out",
            str(out),
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


def test_dask_logging_only_with_verbose(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    pd.DataFrame(
        {
            "comment_id": ["c1", "c2"],
            "comment": ["No one explained what happens next", "Kind staff"],
            "rating": [2, 5],
            "received": pd.to_datetime(["2024-01-05", "2024-02-05"]),
            "site": ["North", "South"],
        }
    ).to_parquet(folder / "part-0.parquet", index=False)
    quiet = _code(folder, tmp_path / "quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert "2 comments coded" in quiet.stdout
    assert "INFO" not in quiet.stderr, quiet.stderr
    loud = _code(folder, tmp_path / "loud", "-v")
    assert loud.returncode == 0, loud.stderr
    assert "INFO: Scheduler" in loud.stderr, loud.stderr
