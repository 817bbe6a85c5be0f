"""jtbd_methods: Jobs-to-be-Done research methods for patient experience.

Discover the jobs patients hire a care service for in their own words, segment patients by
recovery goal, track job fulfilment over time and turn disrupted jobs into service-recovery
priorities. See ``README.md`` for a tour and ``DESIGN.md`` for the architecture.
"""

from jtbd_methods import report
from jtbd_methods.codebook import Codebook, load_codebook
from jtbd_methods.errors import JTBDError, Problem, StudyValidationError
from jtbd_methods.study import Study, load_study, validate

__version__ = "0.1.0"

__all__ = [
    "Codebook",
    "JTBDError",
    "Problem",
    "Study",
    "StudyValidationError",
    "__version__",
    "load_codebook",
    "load_study",
    "report",
    "validate",
]
