"""The phrase banks of the sample study, read from ``jtbd_methods/_data/samples/phrases.yaml``.

The texts patients "write" in the synthetic comments are data, not code: one YAML file
shipped with the package (``package-data`` in ``pyproject.toml``) holds, per job of the
sample codebook, the clauses expressing a disruption, a fulfilment, and each of them
without any indicator phrase, plus openers, closers, generic and non-English comments.
They are read once, when this module is imported, into tuples (in file order, which the
generator's random draws depend on).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

__all__ = ["CLAUSES", "CLOSERS", "GENERIC_COMMENTS", "NON_ENGLISH_COMMENTS", "OPENERS"]

#: Where the phrase banks live inside the package.
PHRASES_FILE = ("_data", "samples", "phrases.yaml")
_BANKS = ("disrupted", "fulfilled", "implicit_disrupted", "implicit_fulfilled")


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{'/'.join(PHRASES_FILE)}: {where} must be a non-empty list of texts.")
    return tuple(value)


def _parse(text: str) -> dict[str, Any]:
    """The phrase banks in ``text`` (YAML), checked: every bank a non-empty list of texts."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    data = yaml.load(text, Loader=loader)
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), dict):
        raise ValueError(f"{'/'.join(PHRASES_FILE)}: expected a mapping with 'clauses'.")
    clauses = {}
    for job, banks in data["clauses"].items():
        if not isinstance(banks, dict) or set(banks) != set(_BANKS):
            raise ValueError(
                f"{'/'.join(PHRASES_FILE)}: clauses.{job} must have exactly the banks "
                f"{', '.join(_BANKS)}."
            )
        clauses[job] = {bank: _texts(texts, f"clauses.{job}.{bank}") for bank, texts in banks.items()}
    return {
        "clauses": clauses,
        **{
            key: _texts(data.get(key), key)
            for key in ("openers", "closers", "generic_comments", "non_english_comments")
        },
    }


def _load() -> dict[str, Any]:
    source = resources.files("jtbd_methods").joinpath(*PHRASES_FILE)
    return _parse(source.read_text(encoding="utf-8"))


_PHRASES = _load()

#: Per job: ``disrupted``, ``fulfilled``, ``implicit_disrupted``, ``implicit_fulfilled`` clauses.
CLAUSES: dict[str, dict[str, tuple[str, ...]]] = _PHRASES["clauses"]
#: Sentences that may open a comment.
OPENERS: tuple[str, ...] = _PHRASES["openers"]
#: Sentences that may close a comment.
CLOSERS: tuple[str, ...] = _PHRASES["closers"]
#: Comments about no job.
GENERIC_COMMENTS: tuple[str, ...] = _PHRASES["generic_comments"]
#: Short comments in other languages.
NON_ENGLISH_COMMENTS: tuple[str, ...] = _PHRASES["non_english_comments"]
