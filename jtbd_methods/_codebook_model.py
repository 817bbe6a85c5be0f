"""The codebook model: jobs, indicators, desired outcomes, and their validation.

The dataclasses and :func:`codebook_from_dict` live here, below both readers of codebook
files: :func:`jtbd_methods.codebook.load_codebook` (YAML) and :mod:`jtbd_methods.refi_qda`
(REFI-QDA ``.qdc``/``.qdpx``), so neither imports the other's module to get them. Users
import every name from :mod:`jtbd_methods.codebook`, which re-exports them.

References
----------
.. [1] Ulwick, A. W. (2016). *Jobs to be Done: Theory to Practice*. Idea Bite Press
   (job statements and desired-outcome statements).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from jtbd_methods._io import atomic_write_text
from jtbd_methods.errors import JTBDError

__all__ = [
    "DIMENSIONS",
    "POLARITIES",
    "Codebook",
    "CodebookError",
    "Indicator",
    "Job",
    "Outcome",
    "codebook_from_dict",
]

DIMENSIONS = ("functional", "emotional", "social")
POLARITIES = ("disrupted", "fulfilled")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CodebookError(JTBDError, ValueError):
    """A codebook file has problems; ``problems`` lists every one of them."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        head = f"{source}: {self.problems[0]}" if self.problems else source
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(head + more)


@dataclass(frozen=True)
class Indicator:
    """A phrase that signals a job in a comment.

    ``phrase`` is matched case-insensitively on word boundaries; ``*`` stands for any run of
    word characters inside a word. ``polarity`` is ``"disrupted"``, ``"fulfilled"`` or
    ``None`` when the phrase is neutral and polarity comes from context.
    """

    phrase: str
    polarity: str | None = None


@dataclass(frozen=True)
class Job:
    """A job to be done, with what the coder and the improvement team need to know about it."""

    id: str
    label: str
    statement: str = ""
    dimension: str = "functional"
    stage: str = ""
    indicators: tuple[Indicator, ...] = ()
    root_cause_questions: tuple[str, ...] = ()
    barriers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    enablers: tuple[str, ...] = ()
    parent: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A desired-outcome statement of a job (the unit of importance/satisfaction items)."""

    id: str
    job_id: str
    text: str


@dataclass(frozen=True)
class Codebook:
    """Jobs and desired outcomes of a study.

    Examples
    --------
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [
    ...     {"id": "gain_clarity", "label": "Understand what comes next",
    ...      "indicators": ["what happens next", {"phrase": "felt lost", "polarity": "disrupted"}]}],
    ...     "outcomes": [{"id": "know_next", "job_id": "gain_clarity",
    ...                   "text": "Minimise the time it takes to know what happens next"}]})
    >>> cb.job_ids
    ('gain_clarity',)
    >>> cb.job("gain_clarity").indicators[1].polarity
    'disrupted'
    """

    name: str
    jobs: tuple[Job, ...]
    outcomes: tuple[Outcome, ...] = ()
    version: str = ""
    description: str = ""
    source: str = ""

    @property
    def job_ids(self) -> tuple[str, ...]:
        """Ids of the jobs, in codebook order."""
        return tuple(j.id for j in self.jobs)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """Ids of the desired outcomes, in codebook order."""
        return tuple(o.id for o in self.outcomes)

    def job(self, job_id: str) -> Job:
        """Return the job with id ``job_id`` (``KeyError`` naming the known ids if absent)."""
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise KeyError(
            f"No job {job_id!r} in codebook {self.name!r}; jobs: {', '.join(self.job_ids)}"
        )

    def outcomes_for(self, job_id: str) -> tuple[Outcome, ...]:
        """Desired outcomes of one job."""
        return tuple(o for o in self.outcomes if o.job_id == job_id)

    def outcome_job(self) -> dict[str, str]:
        """Mapping outcome id → job id."""
        return {o.id: o.job_id for o in self.outcomes}

    def labels(self) -> dict[str, str]:
        """Mapping job id → label, for tables and plots."""
        return {j.id: j.label for j in self.jobs}

    def jobs_frame(self) -> pd.DataFrame:
        """One row per job: id, label, statement, dimension, stage, n_indicators, n_outcomes."""
        return pd.DataFrame(
            {
                "job_id": [j.id for j in self.jobs],
                "label": [j.label for j in self.jobs],
                "statement": [j.statement for j in self.jobs],
                "dimension": [j.dimension for j in self.jobs],
                "stage": [j.stage for j in self.jobs],
                "n_indicators": [len(j.indicators) for j in self.jobs],
                "n_outcomes": [len(self.outcomes_for(j.id)) for j in self.jobs],
            }
        )

    def outcomes_frame(self) -> pd.DataFrame:
        """One row per desired outcome: outcome_id, job_id, text."""
        return pd.DataFrame(
            {
                "outcome_id": [o.id for o in self.outcomes],
                "job_id": [o.job_id for o in self.outcomes],
                "text": [o.text for o in self.outcomes],
            },
            columns=["outcome_id", "job_id", "text"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, the inverse of :func:`codebook_from_dict`."""
        jobs = []
        for j in self.jobs:
            d: dict[str, Any] = {
                "id": j.id,
                "label": j.label,
                "statement": j.statement,
                "dimension": j.dimension,
                "stage": j.stage,
            }
            d["indicators"] = [
                i.phrase if i.polarity is None else {"phrase": i.phrase, "polarity": i.polarity}
                for i in j.indicators
            ]
            d["root_cause_questions"] = list(j.root_cause_questions)
            d["barriers"] = {k: list(v) for k, v in j.barriers.items()}
            d["enablers"] = list(j.enablers)
            if j.parent is not None:
                d["parent"] = j.parent
            if j.color is not None:
                d["color"] = j.color
            jobs.append(d)
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "jobs": jobs,
            "outcomes": [{"id": o.id, "job_id": o.job_id, "text": o.text} for o in self.outcomes],
        }

    def to_yaml(self, path: str | Path) -> Path:
        """Write the codebook as YAML, atomically; returns the path."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)
        return atomic_write_text(Path(path), text)


def _str_list(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: expected a list of texts, got {_short(value)}")
        return ()
    return tuple(v.strip() for v in value if v.strip())


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _indicators(value: Any, where: str, problems: list[str]) -> tuple[Indicator, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: expected a list of phrases, got {_short(value)}")
        return ()
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        if isinstance(item, str):
            phrase, polarity = item, None
        elif isinstance(item, Mapping) and isinstance(item.get("phrase"), str):
            phrase, polarity = item["phrase"], item.get("polarity")
            if polarity is not None and polarity not in POLARITIES:
                problems.append(
                    f"{w}.polarity: expected one of {', '.join(POLARITIES)}, got {_short(polarity)}"
                )
                polarity = None
        else:
            problems.append(
                f"{w}: expected a phrase or {{phrase: ..., polarity: ...}}, got {_short(item)}"
            )
            continue
        phrase = " ".join(phrase.split())
        if not phrase.replace("*", "").strip():
            problems.append(f"{w}: the phrase is empty")
            continue
        out.append(Indicator(phrase=phrase, polarity=polarity))
    return tuple(out)


def codebook_from_dict(data: Any, *, source: str = "<codebook>") -> Codebook:
    """Build and validate a :class:`Codebook` from plain data (parsed YAML).

    Parameters
    ----------
    data : mapping
        With ``name``, ``jobs`` (list of mappings) and optional ``outcomes``, ``version``,
        ``description``.
    source : str
        Name used in error messages (the file name).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every problem: missing or duplicate ids, ids that are not lower_snake_case,
        unknown dimension, malformed indicators, outcomes naming an unknown job, parents that
        do not exist.
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise CodebookError(
            source, [f"expected a mapping with 'name' and 'jobs', got {_short(data)}"]
        )
    raw_jobs = data.get("jobs")
    if not isinstance(raw_jobs, list) or not raw_jobs:
        problems.append("'jobs': expected a non-empty list of jobs")
        raw_jobs = []
    jobs: list[Job] = []
    seen: set[str] = set()
    for i, rj in enumerate(raw_jobs):
        where = f"jobs[{i}]"
        if not isinstance(rj, Mapping):
            problems.append(f"{where}: expected a mapping with id and label, got {_short(rj)}")
            continue
        jid = rj.get("id")
        if not isinstance(jid, str) or not _ID.match(jid):
            problems.append(
                f"{where}.id: expected a lower_snake_case id (a-z, 0-9, _), got {_short(jid)}"
            )
            continue
        where = f"jobs[{i}] ({jid})"
        if jid in seen:
            problems.append(f"{where}.id: duplicate job id {jid!r}")
        seen.add(jid)
        label = rj.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{where}.label: expected a non-empty text")
            label = jid
        dimension = rj.get("dimension", "functional")
        if dimension not in DIMENSIONS:
            problems.append(
                f"{where}.dimension: expected one of {', '.join(DIMENSIONS)}, got {_short(dimension)}"
            )
        barriers_raw = rj.get("barriers") or {}
        if isinstance(barriers_raw, list):
            barriers = {"general": _str_list(barriers_raw, f"{where}.barriers", problems)}
        elif isinstance(barriers_raw, Mapping):
            barriers = {
                str(k): _str_list(v, f"{where}.barriers.{k}", problems)
                for k, v in barriers_raw.items()
            }
        else:
            problems.append(
                f"{where}.barriers: expected a mapping of emotional/functional lists, got {_short(barriers_raw)}"
            )
            barriers = {}
        statement = rj.get("statement", "")
        stage = rj.get("stage", "")
        for key, val in (("statement", statement), ("stage", stage)):
            if val is not None and not isinstance(val, str):
                problems.append(f"{where}.{key}: expected a text, got {_short(val)}")
        parent = rj.get("parent")
        color = rj.get("color")
        jobs.append(
            Job(
                id=jid,
                label=str(label).strip(),
                statement=str(statement or "").strip(),
                dimension=str(dimension),
                stage=str(stage or ""),
                indicators=_indicators(rj.get("indicators"), f"{where}.indicators", problems),
                root_cause_questions=_str_list(
                    rj.get("root_cause_questions"), f"{where}.root_cause_questions", problems
                ),
                barriers=barriers,
                enablers=_str_list(rj.get("enablers"), f"{where}.enablers", problems),
                parent=str(parent) if parent is not None else None,
                color=str(color) if color is not None else None,
            )
        )
    for j in jobs:
        if j.parent is not None and j.parent not in seen:
            problems.append(f"jobs ({j.id}).parent: no job with id {j.parent!r}")
    outcomes: list[Outcome] = []
    raw_outcomes = data.get("outcomes") or []
    if not isinstance(raw_outcomes, list):
        problems.append(f"'outcomes': expected a list, got {_short(raw_outcomes)}")
        raw_outcomes = []
    seen_o: set[str] = set()
    for i, ro in enumerate(raw_outcomes):
        where = f"outcomes[{i}]"
        if not isinstance(ro, Mapping):
            problems.append(
                f"{where}: expected a mapping with id, job_id and text, got {_short(ro)}"
            )
            continue
        oid, job_id, text = ro.get("id"), ro.get("job_id"), ro.get("text")
        if not isinstance(oid, str) or not _ID.match(oid):
            problems.append(f"{where}.id: expected a lower_snake_case id, got {_short(oid)}")
            continue
        if oid in seen_o:
            problems.append(f"{where}.id: duplicate outcome id {oid!r}")
        seen_o.add(oid)
        if job_id not in seen:
            problems.append(
                f"{where} ({oid}).job_id: expected one of the job ids, got {_short(job_id)}"
            )
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where} ({oid}).text: expected a non-empty desired-outcome statement")
            text = ""
        outcomes.append(Outcome(id=oid, job_id=str(job_id), text=str(text).strip()))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("'name': expected the codebook's name")
        name = Path(source).stem
    if problems:
        raise CodebookError(source, problems)
    return Codebook(
        name=name.strip(),
        jobs=tuple(jobs),
        outcomes=tuple(outcomes),
        version=str(data.get("version", "") or ""),
        description=str(data.get("description", "") or "").strip(),
        source=source,
    )
