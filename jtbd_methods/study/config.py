"""Reading ``study.yaml`` into a :class:`~jtbd_methods.study.model.StudyConfig`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from jtbd_methods._io import is_inside
from jtbd_methods.study.model import _CONFIG_KEYS, StudyConfig
from jtbd_methods.study.reading import _Collector, _decode, _show


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text: an impossible date (2024-02-30) is then reported
    as a bad ``period`` value instead of crashing the YAML reader."""


_ConfigLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_config(path: Path, out: _Collector) -> tuple[dict[str, Any] | None, StudyConfig | None]:
    if not path.is_file():
        out.add(
            "a study.yaml with name, organisation and period (run 'jtbd new-study DIR' for a skeleton)"
        )
        return None, None
    raw = path.read_bytes()
    text = _decode(raw, out)
    if text is None:
        return None, None
    try:
        data = yaml.load(text, Loader=_ConfigLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        at = f" at character {mark.column + 1} of the line" if mark else ""
        out.add(f"valid YAML ({reason}{at})", row=mark.line + 1 if mark else None)
        return None, None
    if not isinstance(data, dict):
        out.add("a YAML mapping of keys (name:, organisation:, period:)", value=_show(data))
        return None, None
    for key in ("name", "organisation"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            out.add("a non-empty text", column=key, value=data.get(key))
    period = data.get("period")
    start = end = pd.NaT
    if not isinstance(period, dict) or "start" not in period or "end" not in period:
        out.add("period: {start: YYYY-MM-DD, end: YYYY-MM-DD}", column="period", value=period)
    else:
        start = pd.to_datetime(str(period["start"]), errors="coerce", format="ISO8601")
        end = pd.to_datetime(str(period["end"]), errors="coerce", format="ISO8601")
        if pd.isna(start):
            out.add("a date like 2024-01-01", column="period.start", value=period["start"])
        if pd.isna(end):
            out.add("a date like 2025-12-31", column="period.end", value=period["end"])
        if pd.notna(start) and pd.notna(end) and end < start:
            out.add(
                "an end date on or after the start date", column="period.end", value=period["end"]
            )
    mcs = data.get("min_cell_size", 10)
    if isinstance(mcs, bool) or not isinstance(mcs, int) or mcs < 1:
        out.add("a whole number of at least 1 (default 10)", column="min_cell_size", value=mcs)
        mcs = 10
    redact = data.get("redact", True)
    if not isinstance(redact, bool):
        out.add("true or false", column="redact", value=redact)
        redact = True
    unlisted = data.get("redact_unlisted_names", True)
    if not isinstance(unlisted, bool):
        out.add("true or false", column="redact_unlisted_names", value=unlisted)
        unlisted = True
    date_format = data.get("date_format")
    if date_format is not None and (
        not isinstance(date_format, str)
        or not all(part in date_format for part in ("%d", "%m"))
        or not any(part in date_format for part in ("%Y", "%y"))
    ):
        out.add(
            "a date format with day, month and year, such as '%d/%m/%Y' or '%m/%d/%Y'",
            column="date_format",
            value=date_format,
        )
        date_format = None
    names = data.get("redact_names") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        out.add("a list of names to redact", column="redact_names", value=names)
        names = []
    questions = data.get("questions") or {}
    if not isinstance(questions, dict) or not all(
        isinstance(k, str) and v in ("positive", "negative", "neutral")
        for k, v in questions.items()
    ):
        out.add(
            "a mapping of each question to positive, negative or neutral "
            "(questions: {'What did we do well?': positive})",
            column="questions",
            value=_show(questions),
        )
        questions = {}
    cb = data.get("codebook")
    cb_path = None
    if cb is not None:
        if not isinstance(cb, str):
            out.add(
                "the path of the codebook file, relative to the study folder",
                column="codebook",
                value=cb,
            )
        else:
            cb_path = (path.parent / cb).resolve()
            if not is_inside(cb_path, path.parent):
                # never read (nor echo) a file outside the study: study.yaml may come from anyone
                out.add(
                    "a codebook file inside the study folder; this path leads outside it "
                    "(copy the codebook into the study folder)",
                    column="codebook",
                    value=cb,
                )
                cb_path = None
            elif not cb_path.is_file():
                out.add(
                    "an existing codebook file (path relative to the study folder)",
                    column="codebook",
                    value=cb,
                )
                cb_path = None
    for key in sorted(set(data) - _CONFIG_KEYS):
        out.add(
            f"only known keys ({', '.join(sorted(_CONFIG_KEYS))}); '{key}' is kept but not used",
            column=key,
            severity="warning",
        )
    if any(p.severity == "error" for p in out.problems):
        return data, None
    config = StudyConfig(
        name=data["name"].strip(),
        organisation=data["organisation"].strip(),
        period_start=pd.Timestamp(start),
        period_end=pd.Timestamp(end),
        min_cell_size=int(mcs),
        codebook=cb_path,
        redact=redact,
        redact_names=tuple(n.strip() for n in names if n.strip()),
        questions={str(k).strip(): str(v) for k, v in questions.items()},
        redact_unlisted_names=unlisted,
        date_format=date_format,
        extra={k: v for k, v in data.items() if k not in _CONFIG_KEYS or k == "report"},
    )
    return data, config
