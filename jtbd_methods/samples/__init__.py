"""The synthetic sample study: a complete study folder with documented planted truths.

:func:`make_study` builds, from one seed, every table of a fictional two-year recovery-pathway
study (free-text feedback with a hand-coded subsample and a second coder, a job survey with
three waves, monthly staff engagement and improvement actions) together with the *truth*
used to generate it: which jobs each comment expresses and with which polarity, the recovery
segment of each survey respondent, and every planted effect. :func:`write_sample_study`
writes it as a study folder (see ``DESIGN.md``, "The study folder") whose ``_truth/`` folder
and ``README.md`` document the planted truths, so every method of the package can be tested
and taught against a known answer.

Everything is fictional: hospitals, people, identifiers (phone numbers are in the ranges Ofcom
reserves for drama, e-mail addresses use the reserved ``example.org`` domain, NHS numbers are
random numbers with a valid check digit).

The generator uses only :class:`numpy.random.Generator` (one independent child stream per
table, spawned from the seed), so the same seed writes byte-identical files.

Modules: ``design`` (every planted parameter), ``phrases`` (the phrase banks, read from the
package data file ``_data/samples/phrases.yaml``), ``model`` (:class:`SampleStudy`),
``tables`` (drawing each table), ``generate`` (:func:`make_study` and the truth) and
``writing`` (:func:`write_sample_study`; the README's text is the package data file
``_data/samples/README.md.tmpl``). Every public name is importable from here.
"""

from jtbd_methods.samples.design import (
    ACTIONS,
    BASE_POSITIVE,
    BETWEEN_UNIT_EFFECT,
    CODER_A_FLIP,
    CODER_B_FLIP,
    DIAGNOSIS_GROUPS,
    ENGAGEMENT_MONTHLY_SD,
    IMPORTANCE,
    ITEM_NOISE_SD,
    JOB_PLAN,
    N_COMMENTS,
    N_HAND_CODED,
    N_PANEL,
    N_RESPONDENTS,
    ORGANISATION,
    OVERALL_NOISE_SD,
    P_CLIP,
    P_CLOSER,
    P_EMPTY,
    P_FIVE_GIVEN_POSITIVE,
    P_IMPLICIT,
    P_ITEM_MISSING,
    P_LOWERCASE,
    P_NEGATIVE_RATINGS,
    P_NON_ENGLISH,
    P_OPENER,
    P_RATING_MISSING,
    P_TYPO,
    PERIOD_END,
    PERIOD_START,
    REDACT_NAMES,
    SATISFACTION,
    SCALE_USE_SD,
    SEGMENTS,
    SERVICES,
    SITES,
    STUDY_NAME,
    UNDERSERVED_SATISFACTION,
    WITHIN_UNIT_EFFECT,
    JobPlan,
)
from jtbd_methods.samples.generate import make_study
from jtbd_methods.samples.model import (
    SampleStudy,
    SampleStudyExistsError,
    template_codebook_path,
)
from jtbd_methods.samples.phrases import (
    CLAUSES,
    CLOSERS,
    GENERIC_COMMENTS,
    NON_ENGLISH_COMMENTS,
    OPENERS,
)
from jtbd_methods.samples.writing import write_sample_study

__all__ = [
    "ACTIONS",
    "BASE_POSITIVE",
    "BETWEEN_UNIT_EFFECT",
    "CLAUSES",
    "CLOSERS",
    "CODER_A_FLIP",
    "CODER_B_FLIP",
    "DIAGNOSIS_GROUPS",
    "ENGAGEMENT_MONTHLY_SD",
    "GENERIC_COMMENTS",
    "IMPORTANCE",
    "ITEM_NOISE_SD",
    "JOB_PLAN",
    "JobPlan",
    "NON_ENGLISH_COMMENTS",
    "N_COMMENTS",
    "N_HAND_CODED",
    "N_PANEL",
    "N_RESPONDENTS",
    "OPENERS",
    "ORGANISATION",
    "OVERALL_NOISE_SD",
    "PERIOD_END",
    "PERIOD_START",
    "P_CLIP",
    "P_CLOSER",
    "P_EMPTY",
    "P_FIVE_GIVEN_POSITIVE",
    "P_IMPLICIT",
    "P_ITEM_MISSING",
    "P_LOWERCASE",
    "P_NEGATIVE_RATINGS",
    "P_NON_ENGLISH",
    "P_OPENER",
    "P_RATING_MISSING",
    "P_TYPO",
    "REDACT_NAMES",
    "SATISFACTION",
    "SCALE_USE_SD",
    "SEGMENTS",
    "SERVICES",
    "SITES",
    "STUDY_NAME",
    "SampleStudy",
    "SampleStudyExistsError",
    "UNDERSERVED_SATISFACTION",
    "WITHIN_UNIT_EFFECT",
    "make_study",
    "template_codebook_path",
    "write_sample_study",
]
