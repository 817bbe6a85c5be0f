"""Reports of one run agree with each other (issue #16: "the same disrupted count for a job in
every report"; issue #17: notebook 03 uses the segmentation notebook 02 chose)."""

from __future__ import annotations

import json
from pathlib import Path


def _results(out: Path, stem: str) -> dict:
    data = json.loads((out / stem / "results.json").read_text(encoding="utf-8"))
    return data.get("results", data)


def test_discovery_and_service_recovery_count_the_same_disruptions(sample_run):
    discovery = _results(sample_run, "01_job_discovery")
    recovery = _results(sample_run, "04_service_recovery")
    jobs = [k.split(".")[1] for k in recovery if k.endswith(".n_disrupted")]
    assert len(jobs) >= 5
    for job in jobs:
        assert discovery[f"jobs.{job}.n_disrupted"] == recovery[f"priorities.{job}.n_disrupted"], job


def test_tracking_uses_the_segments_of_the_segmentation_report(sample_run):
    segments = _results(sample_run, "02_recovery_segments")
    html = (sample_run / "03_satisfaction_tracking" / "03_satisfaction_tracking.html").read_text(
        encoding="utf-8"
    )
    assert (
        f"Segments as chosen in the segmentation report: {segments['segments.k']} segments by "
        f"{segments['segments.method']}" in html
    )
