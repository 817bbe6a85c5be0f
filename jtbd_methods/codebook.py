"""The codebook: jobs patients hire a service for, and their desired outcomes.

A codebook is a YAML file (see ``templates/codebooks/healthcare_recovery.yaml``)::

    name: Healthcare recovery jobs
    version: "1.0"
    jobs:
      - id: gain_clarity
        label: Understand what is happening and what comes next
        statement: When I leave hospital, I want to know what happens next, so I can ...
        dimension: functional            # functional | emotional | social
        stage: leaving_care
        indicators:
          - "what happens next"
          - {phrase: "no one explained", polarity: disrupted}
          - "explain*"                   # * matches word characters inside a word
        root_cause_questions: [...]
        barriers: {emotional: [...], functional: [...]}
        enablers: [...]
    outcomes:
      - {id: know_next_steps, job_id: gain_clarity, text: "Minimise the time it takes to ..."}

:func:`load_codebook` parses and validates it, reporting every problem at once. REFI-QDA
exchange (``.qdc``/``.qdpx``, the format of NVivo, ATLAS.ti, MAXQDA and QualCoder) lives in
:mod:`jtbd_methods.refi_qda`.

References
----------
.. [1] Christensen, C. M., Hall, T., Dillon, K., & Duncan, D. S. (2016). *Competing Against
   Luck: The Story of Innovation and Customer Choice*. HarperBusiness.
.. [2] Ulwick, A. W. (2016). *Jobs to be Done: Theory to Practice*. Idea Bite Press
   (job statements and desired-outcome statements).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from jtbd_methods import refi_qda
from jtbd_methods._codebook_model import (
    DIMENSIONS,
    POLARITIES,
    Codebook,
    CodebookError,
    Indicator,
    Job,
    Outcome,
    codebook_from_dict,
)

__all__ = [
    "DIMENSIONS",
    "POLARITIES",
    "Codebook",
    "CodebookError",
    "Indicator",
    "Job",
    "Outcome",
    "codebook_from_dict",
    "load_codebook",
]


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook.

    Parameters
    ----------
    path : str or Path
        A ``.yaml``/``.yml`` codebook, or a REFI-QDA ``.qdc``/``.qdpx`` file (read through
        :mod:`jtbd_methods.refi_qda`).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        When the file is missing, is not valid YAML (with line and column) or fails
        validation (every problem listed).

    Examples
    --------
    >>> from jtbd_methods.resources import checkout_sample_study
    >>> cb = load_codebook(checkout_sample_study() / "codebook.yaml")
    >>> len(cb.jobs)
    11
    """
    path = Path(path)
    source = path.name
    if path.suffix.lower() in {".qdc", ".qdpx"}:
        reader = (
            refi_qda.codebook_from_qdpx
            if path.suffix.lower() == ".qdpx"
            else refi_qda.codebook_from_qdc
        )
        return reader(path)
    if not path.is_file():
        raise CodebookError(str(path), ["file not found; expected a YAML codebook"])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CodebookError(source, [f"{where}not valid YAML ({reason})"]) from exc
    return codebook_from_dict(data, source=source)
