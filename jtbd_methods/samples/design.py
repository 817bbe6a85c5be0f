"""The design of the synthetic sample study: sizes, sites, planted effects, segments.

Every planted number of the sample lives here; :mod:`jtbd_methods.samples.generate` draws
the tables from them and writes them, with what was realised, into the planted truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

STUDY_NAME = "Recovery pathway study (synthetic sample)"
ORGANISATION = "Northfield Health NHS Trust (fictional)"
PERIOD_START = pd.Timestamp("2024-01-01")
PERIOD_END = pd.Timestamp("2025-12-31")
N_COMMENTS = 4000
N_HAND_CODED = 400
N_RESPONDENTS = 1200
N_PANEL = 400  # respondents who also answer waves 2 and 3

#: Fictional sites: (name, share of comments, staff-engagement unit mean on the 0-10 index).
SITES: tuple[tuple[str, float, float], ...] = (
    ("Northfield General Hospital", 0.24, 6.6),
    ("Riverside Community Hospital", 0.14, 5.4),
    ("St Aldhelm's Hospital", 0.18, 7.3),
    ("Westmoor Infirmary", 0.16, 4.8),
    ("Kingsbridge Treatment Centre", 0.12, 6.0),
    ("Ashcombe Memorial Hospital", 0.16, 5.8),
)
SERVICES: tuple[tuple[str, float], ...] = (
    ("Orthopaedics", 0.30),
    ("Cardiology", 0.25),
    ("Oncology", 0.20),
    ("General Surgery", 0.25),
)
DIAGNOSIS_GROUPS = ("orthopaedic", "cardiac", "oncology", "general_surgery")

#: Comment kinds without jobs: probabilities over all comments.
P_EMPTY = 0.03
P_NON_ENGLISH = 0.02
P_RATING_MISSING = 0.03
P_TYPO = 0.05
P_IMPLICIT = 0.02  # a job mention written without any indicator phrase
P_OPENER = 0.30
P_CLOSER = 0.20
P_LOWERCASE = 0.08

#: Rating model: P(rating is 4 or 5) = BASE + staff terms - penalties + bonuses, clipped.
BASE_POSITIVE = 0.72
P_CLIP = (0.02, 0.98)
P_FIVE_GIVEN_POSITIVE = 0.55  # rating 5 vs 4 among positive ratings
P_NEGATIVE_RATINGS = (0.30, 0.30, 0.40)  # ratings 1, 2, 3 among non-positive ratings
WITHIN_UNIT_EFFECT = 0.03  # per engagement point above the unit's own mean
BETWEEN_UNIT_EFFECT = 0.05  # per engagement point of the unit mean above the mean of units
ENGAGEMENT_MONTHLY_SD = 0.8


@dataclass(frozen=True)
class JobPlan:
    """Planted parameters of one job in the feedback comments.

    ``prevalence`` is the share of all comments expressing the job (exactly
    ``round(prevalence * N_COMMENTS)`` comments); ``disruption`` the probability that a mention
    is a disruption; ``penalty`` the drop and ``bonus`` the rise in P(rating 4-5) when the job
    is disrupted / fulfilled in a comment.
    """

    prevalence: float
    disruption: float
    penalty: float
    bonus: float


JOB_PLAN: dict[str, JobPlan] = {
    "reduce_fear": JobPlan(0.16, 0.55, 0.18, 0.05),
    "feel_heard": JobPlan(0.18, 0.70, 0.25, 0.06),
    "gain_clarity": JobPlan(0.22, 0.76, 0.36, 0.06),
    "keep_routines": JobPlan(0.12, 0.65, 0.12, 0.04),
    "trust_team": JobPlan(0.07, 0.75, 0.40, 0.05),
    "manage_side_effects": JobPlan(0.14, 0.50, 0.17, 0.05),
    "return_to_life": JobPlan(0.10, 0.45, 0.08, 0.05),
    "follow_care_plan": JobPlan(0.13, 0.40, 0.10, 0.04),
    "regain_self": JobPlan(0.05, 0.40, 0.10, 0.06),
    "prevent_recurrence": JobPlan(0.04, 0.35, 0.07, 0.04),
    "emotional_support": JobPlan(0.08, 0.55, 0.15, 0.06),
}

#: Improvement actions. ``disruption_after`` replaces the job's disruption probability from
#: ``started`` on (only at ``sites`` when given); ``None`` = no effect (planted null).
ACTIONS: tuple[dict[str, Any], ...] = (
    {
        "action_id": "A01",
        "job_id": "gain_clarity",
        "description": "Nurse-led follow-up call within 48 hours of discharge",
        "owner": "Lead nurse, discharge team",
        "started": "2025-01-06",
        "status": "completed",
        "sites": (),
        "disruption_after": 0.16,
    },
    {
        "action_id": "A02",
        "job_id": "feel_heard",
        "description": "'What matters to you' conversation at admission, recorded on the bedside board",
        "owner": "Head of patient experience",
        "started": "2025-04-01",
        "status": "completed",
        "sites": (
            "Northfield General Hospital",
            "Westmoor Infirmary",
            "Kingsbridge Treatment Centre",
        ),
        "disruption_after": 0.22,
    },
    {
        "action_id": "A03",
        "job_id": "keep_routines",
        "description": "Text-message booking and rescheduling for outpatient appointments",
        "owner": "Outpatients service manager",
        "started": "2025-09-01",
        "status": "in progress",
        "sites": (),
        "disruption_after": None,
    },
)

_ACTION_JOBS = frozenset(a["job_id"] for a in ACTIONS)

#: Survey outcomes (16, from the post-treatment jobs and gain_clarity) and, per segment
#: (1-4), the mean importance on the 1-5 scale.
IMPORTANCE: dict[str, tuple[float, float, float, float]] = {
    "know_next_steps_at_discharge": (3.8, 3.8, 3.6, 3.8),
    "know_warning_signs": (2.8, 3.0, 2.8, 4.6),
    "know_who_to_contact": (2.8, 4.6, 3.0, 3.2),
    "control_pain_at_home": (3.2, 4.6, 2.8, 2.6),
    "manage_fatigue_daily": (4.6, 2.8, 3.2, 2.6),
    "return_to_work_time": (4.7, 1.8, 2.2, 1.8),
    "resume_driving_time": (4.5, 3.0, 2.2, 2.2),
    "resume_family_roles": (3.6, 2.6, 4.4, 2.4),
    "take_medicines_correctly": (2.4, 4.4, 2.4, 4.4),
    "keep_up_exercises": (3.2, 4.5, 2.6, 3.0),
    "feel_like_myself": (2.6, 2.4, 4.7, 2.4),
    "regain_confidence_body": (2.8, 3.2, 4.5, 2.4),
    "spot_complications_early": (2.4, 2.8, 2.6, 4.7),
    "reduce_recurrence_risk": (2.2, 2.4, 3.0, 4.6),
    "access_emotional_support": (2.0, 2.4, 4.6, 2.4),
    "talk_to_someone_like_me": (1.8, 2.0, 4.4, 2.2),
}
#: Mean satisfaction (1-5) of each outcome for respondents for whom it is not underserved.
SATISFACTION: dict[str, float] = {
    "know_next_steps_at_discharge": 3.4,
    "know_warning_signs": 3.5,
    "know_who_to_contact": 3.4,
    "control_pain_at_home": 3.6,
    "manage_fatigue_daily": 3.3,
    "return_to_work_time": 3.4,
    "resume_driving_time": 3.6,
    "resume_family_roles": 3.7,
    "take_medicines_correctly": 4.0,
    "keep_up_exercises": 3.7,
    "feel_like_myself": 3.4,
    "regain_confidence_body": 3.5,
    "spot_complications_early": 3.6,
    "reduce_recurrence_risk": 3.5,
    "access_emotional_support": 3.3,
    "talk_to_someone_like_me": 3.2,
}
UNDERSERVED_SATISFACTION = 1.9
ITEM_NOISE_SD = 0.75
SCALE_USE_SD = 0.15  # respondent-level shift of all answers (acquiescence)
OVERALL_NOISE_SD = 0.45
P_ITEM_MISSING = 0.03

#: Recovery-goal segments: share, wave-on-wave satisfaction gain, underserved outcomes,
#: diagnosis mix (orthopaedic, cardiac, oncology, general_surgery).
SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "segment": 1,
        "name": "back to work fast",
        "share": 0.35,
        "wave_gain": 0.35,
        "underserved": ("return_to_work_time", "manage_fatigue_daily"),
        "diagnosis_mix": (0.35, 0.20, 0.15, 0.30),
    },
    {
        "segment": 2,
        "name": "independent at home",
        "share": 0.25,
        "wave_gain": 0.20,
        "underserved": ("control_pain_at_home", "know_who_to_contact"),
        "diagnosis_mix": (0.30, 0.30, 0.15, 0.25),
    },
    {
        "segment": 3,
        "name": "feel like myself again",
        "share": 0.22,
        "wave_gain": 0.05,
        "underserved": ("access_emotional_support", "feel_like_myself", "talk_to_someone_like_me"),
        "diagnosis_mix": (0.20, 0.20, 0.35, 0.25),
    },
    {
        "segment": 4,
        "name": "stay well and on track",
        "share": 0.18,
        "wave_gain": 0.30,
        "underserved": ("know_warning_signs", "spot_complications_early"),
        "diagnosis_mix": (0.15, 0.35, 0.30, 0.20),
    },
)

#: Hand coding: share of true codes each coder drops (and adds about as many spurious codes).
CODER_A_FLIP = 0.03
CODER_B_FLIP = 0.15

#: Fictional names planted in comments (also the study's ``redact_names``).
REDACT_NAMES = (
    "Margaret Thistlewood",
    "Dr Okonjo",
    "Nurse Penhaligon",
    "Kasia Brennan",
    "Sister Adebayo",
)
