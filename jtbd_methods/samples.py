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
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from jtbd_methods._io import replace_folder
from jtbd_methods._validation import check_int
from jtbd_methods.errors import JTBDError
from jtbd_methods.resources import codebook_path

__all__ = [
    "ACTIONS",
    "JOB_PLAN",
    "SEGMENTS",
    "SITES",
    "SampleStudy",
    "SampleStudyExistsError",
    "make_study",
    "template_codebook_path",
    "write_sample_study",
]

log = logging.getLogger(__name__)

# =========================================================================== the design

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

# =========================================================================== the phrase banks
# Each job has clauses expressing a disruption and a fulfilment, in the way patients write.
# Every clause of the "disrupted"/"fulfilled" banks contains at least one indicator phrase of
# that job (possibly inflected through a wildcard, or negated: "staff were not dismissive" is
# a fulfilled feel_heard clause) and no indicator of any other job; the "implicit" clauses
# express the job without any indicator (they make the deductive coder imperfect).

CLAUSES: dict[str, dict[str, tuple[str, ...]]] = {
    "reduce_fear": {
        "disrupted": (
            "I was absolutely terrified before the operation",
            "I was so scared waiting for the scan",
            "the whole thing was frightening",
            "I felt really anxious the whole time",
            "my anxiety went through the roof in the waiting area",
            "I was petrified and shaking",
            "I started to panic when the machine started up",
            "I was worried sick about the results",
            "I was a nervous wreck before the biopsy",
            "I spent two weeks dreading the appointment",
            "I was on edge from start to finish",
            "nobody reassured me at all",
            "I was frightened and nobody noticed",
            "I couldn't sleep for worry before the procedure",
            "I was really worried the night before",
        ),
        "fulfilled": (
            "the nurse put me at ease straight away",
            "the anaesthetist was so reassuring",
            "they calmed me down when I got upset",
            "the radiographer calmed my nerves",
            "a quick chat beforehand settled my nerves",
            "I felt safe the whole time",
            "the consultant eased my mind",
            "the call the day before put my mind at rest",
            "the staff were comforting",
            "I felt calm going into theatre",
            "I was not scared at all",
            "I never felt anxious",
            "they gave me lots of reassurance",
        ),
        "implicit_disrupted": ("my heart was pounding the whole time and no one seemed to notice",),
        "implicit_fulfilled": ("by the time I went in I was completely relaxed",),
    },
    "feel_heard": {
        "disrupted": (
            "the doctor didn't listen to a word I said",
            "the consultant did not listen to my concerns",
            "I told them three times but nobody listened",
            "I felt completely ignored on the ward",
            "the registrar was dismissive",
            "my concerns were dismissed",
            "I was brushed off when I asked for help",
            "one of the nurses was very rude",
            "I was treated like a number",
            "I was talked down to",
            "the doctor spoke over me to my daughter",
            "the reception staff were patronising",
            "the surgeon was condescending",
            "I felt disrespected",
            "I felt invisible on that ward",
            "nobody took my concerns seriously",
            "I was not treated with respect",
        ),
        "fulfilled": (
            "the nurses listened to me",
            "the doctor really listened",
            "the consultant took time to listen",
            "for the first time I felt heard",
            "I was treated with respect throughout",
            "everyone treated me with respect",
            "the team were respectful and kind",
            "they protected my dignity",
            "they took my concerns seriously",
            "I felt valued as a person",
            "the healthcare assistants showed real compassion",
            "the staff were courteous",
            "they treated me like a person",
            "staff were not dismissive at all",
            "I never felt ignored",
        ),
        "implicit_disrupted": ("they talked about me as if I wasn't in the room",),
        "implicit_fulfilled": ("they always made time for me",),
    },
    "gain_clarity": {
        "disrupted": (
            "no one explained what happens next",
            "nobody explained the results to me",
            "I felt lost after discharge",
            "the discharge letter was confusing",
            "I was confused about what I was meant to do",
            "I had no idea what was going on",
            "I didn't know what was happening",
            "we were kept in the dark for hours",
            "we got mixed messages from different doctors",
            "there was conflicting information from the ward and the clinic",
            "the nurses gave conflicting advice",
            "the consultant used too much jargon",
            "I didn't understand the plan",
            "the next steps were unclear",
            "I was left wondering what happens next",
        ),
        "fulfilled": (
            "the nurse explained everything",
            "the doctor explained clearly what had happened",
            "they explained each step before doing it",
            "I got a clear explanation of the results",
            "I knew what to expect at every stage",
            "the team kept me informed",
            "the ward kept me updated",
            "the leaflet gave clear information about what happens next",
            "I understood what was happening",
            "the consultant answered all my questions",
            "they answered my questions patiently",
            "a nurse rang after I got home and explained everything",
            "I was never confused about what to do",
        ),
        "implicit_disrupted": ("I still don't really get what the operation involved",),
        "implicit_fulfilled": ("by the end I understood my options",),
    },
    "keep_routines": {
        "disrupted": (
            "my appointment was cancelled twice",
            "they cancelled on the day",
            "the clinic rescheduled me three times",
            "it was changed at the last minute",
            "I was given very short notice",
            "I wasted a whole day for a ten minute appointment",
            "the appointment took the whole day",
            "we waited for hours past the appointment time",
            "I was waiting for hours with no update",
            "I spent four hours in the waiting room",
            "I had to take time off work again",
            "I had to sort out childcare at short notice",
            "it takes two buses to get there",
            "I was kept waiting for ages",
            "I had to rearrange my whole week",
        ),
        "fulfilled": (
            "the appointment was fitted around my work shifts",
            "they offered a convenient time",
            "I was offered an evening appointment",
            "weekend appointments made it so much easier",
            "I could choose a time that suited me",
            "I was seen on time",
            "I was seen promptly",
            "the clinic is close to home",
            "a phone appointment saved me a trip",
            "the video appointment worked really well",
            "the home visits were a lifesaver",
            "they offered flexible appointments",
            "I was not kept waiting",
        ),
        "implicit_disrupted": ("I lost a day's pay to get to a twenty minute slot",),
        "implicit_fulfilled": ("in and out within half an hour",),
    },
    "trust_team": {
        "disrupted": (
            "I have lost trust in this hospital",
            "I've lost faith in the whole system",
            "I have lost confidence in the surgeons",
            "I don't trust anything they tell me now",
            "I can't trust them after this",
            "someone made a mistake with my records",
            "I was given the wrong drug",
            "they lost my notes twice",
            "they lost my results",
            "I feel really let down",
            "there was no apology",
            "it felt like they covered up what happened",
            "the staff blamed me for the delay",
            "the ward felt unsafe",
            "too many broken promises",
            "nobody apologised",
        ),
        "fulfilled": (
            "the ward manager apologised properly",
            "the doctor apologized for the error",
            "they said sorry straight away",
            "the team owned up to the error",
            "they were honest with me about the error",
            "the way they handled it restored my faith",
            "they regained my trust",
            "I trust the team completely now",
            "I trust the staff here",
            "I knew I was in safe hands",
            "the complaints team put it right",
            "they worked hard to put things right",
        ),
        "implicit_disrupted": (
            "after what happened I will ask for a different hospital next time",
        ),
        "implicit_fulfilled": ("the matron phoned me personally and sorted everything out",),
    },
    "manage_side_effects": {
        "disrupted": (
            "the side effects were unbearable",
            "nobody warned me about the side effects",
            "I was sent home without proper pain relief",
            "the painkillers did nothing",
            "the fatigue has been crushing",
            "the nausea was awful for weeks",
            "I've had terrible brain fog since",
            "I get dizzy every time I stand up",
            "the swelling still hasn't gone down",
            "the wound became red and sore",
            "I was in agony for days at home",
            "I'm in constant pain",
            "I'm still in pain six weeks later",
            "I'm exhausted all the time",
            "I was throwing up all night",
            "I couldn't cope with the pain once home",
        ),
        "fulfilled": (
            "they got my pain under control before I went home",
            "my pain was well managed",
            "pain well controlled throughout",
            "I knew how to manage the side effects",
            "my symptoms settled quickly",
            "the fatigue is manageable now",
            "the pain relief worked well",
            "the nurse gave me good tips for the nausea",
            "the wound is healing nicely",
            "the swelling went down quickly",
        ),
        "implicit_disrupted": ("I've felt rotten ever since the treatment",),
        "implicit_fulfilled": ("the tips they gave me for the tiredness really helped",),
    },
    "return_to_life": {
        "disrupted": (
            "I've been off work for three months",
            "I can't work and nobody will tell me when I can",
            "I couldn't work for weeks longer than I was told",
            "I still can't drive",
            "I couldn't drive for two months, which was hard living rurally",
            "I lost my job because of the delays",
            "there was no advice about going back to work",
            "I can't do the school run",
            "family life has been turned upside down",
            "I miss playing with my grandchildren",
            "I had to give up my hobbies",
            "I just want a normal life again",
            "I can't even walk the dog",
            "my sick note expired and nobody would renew it",
        ),
        "fulfilled": (
            "I was back at work within six weeks",
            "I'm back to normal now",
            "I'm back on my feet",
            "I'm driving again",
            "the phased return plan was excellent",
            "they sorted my fit note quickly",
            "I can do the school run again",
            "I'm enjoying family life again",
            "I'm back to my hobbies",
            "I'm able to return to work next month",
            "I can walk the dog again",
            "they helped me plan returning to work",
        ),
        "implicit_disrupted": ("I've been stuck at home for months unable to earn",),
        "implicit_fulfilled": ("I'm back doing everything I used to",),
    },
    "follow_care_plan": {
        "disrupted": (
            "I ran out of my tablets",
            "it's hard to keep track of all the tablets",
            "I forgot to take my evening dose",
            "I lost track of which medication to take when",
            "the prescription wasn't ready at the pharmacy",
            "the physio exercises were never shown to me",
            "my follow-up appointment was never booked",
            "there was no care plan when I left",
            "I had to chase my prescription three times",
            "the dosage changed and nobody told me",
            "the district nurse didn't come to change my dressings",
            "I couldn't get my injections at the weekend",
            "there was no physio for six weeks",
        ),
        "fulfilled": (
            "the pharmacist made my medication easy to follow",
            "the text reminders kept me on track",
            "the pill organiser has been a great help",
            "a dosette box made it simple",
            "the physio gave me exercises I could actually do",
            "my follow-up appointment was booked before I left",
            "the care plan was easy to follow",
            "the app helped me stay on track with my exercises",
            "the reminders for my injections were really useful",
            "my prescription was ready at the pharmacy the same day",
            "the nurse showed me how to change my dressings",
        ),
        "implicit_disrupted": ("I gave up on the rehab at home because nobody checked in",),
        "implicit_fulfilled": ("I've done every session they set me",),
    },
    "regain_self": {
        "disrupted": (
            "I don't feel like myself anymore",
            "I feel like I've lost myself",
            "I don't recognise myself in the mirror",
            "I'm a shadow of myself",
            "I feel like a burden on my family",
            "I feel useless",
            "I've lost my confidence completely",
            "I feel ashamed of my scar",
            "I hate how I look since the surgery",
            "I've lost my independence",
            "my body image has taken a real knock",
        ),
        "fulfilled": (
            "I finally feel like myself again",
            "I feel myself again",
            "I feel like my old self",
            "I've got my confidence back",
            "I feel normal again",
            "I feel like me again",
            "I'm getting stronger every day",
            "I'm proud of myself",
            "the occupational therapist helped me keep my independence",
            "I'm independent again at home",
        ),
        "implicit_disrupted": ("I'm not the person I was",),
        "implicit_fulfilled": ("I'm starting to recognise the old me",),
    },
    "prevent_recurrence": {
        "disrupted": (
            "I worry constantly that it will come back",
            "nobody told me what to watch for",
            "I wasn't told the warning signs",
            "they missed the signs of infection",
            "I had complications that should have been caught",
            "my check-up was never booked",
            "my screening was delayed",
            "I got no advice on lifestyle changes",
            "I had a relapse and nobody followed up",
            "the recurrence was missed",
            "I don't know how to stay healthy now",
        ),
        "fulfilled": (
            "I know what to watch for now",
            "they told me the warning signs to look out for",
            "they caught it early",
            "I have regular check-ups booked",
            "the screening programme is well organised",
            "the advice on lifestyle has been brilliant",
            "the healthy eating advice really helped",
            "I'm staying well",
            "they explained the signs of infection",
            "the plan to stop it coming back is clear",
            "the cardiac rehab helped me stay healthy",
        ),
        "implicit_disrupted": ("nobody has said whether I need another scan",),
        "implicit_fulfilled": ("I've got a scan booked every six months",),
    },
    "emotional_support": {
        "disrupted": (
            "I felt so lonely after I got home",
            "I've felt isolated since the diagnosis",
            "I've been left to cope on my own",
            "there was no support for my family",
            "I was left alone with the news",
            "I was in tears most days",
            "I've had really low mood",
            "I've been quite depressed since",
            "there was nobody to talk to",
            "I asked for counselling and heard nothing",
            "the wait for psychology is over a year",
            "my mental health has suffered",
            "no one checked on me after discharge",
        ),
        "fulfilled": (
            "the counsellor was amazing",
            "the psychologist helped me make sense of it",
            "the support group has been a lifeline",
            "the peer support was brilliant",
            "the chaplain sat with me",
            "I always had someone to talk to",
            "the nurses were a shoulder to cry on",
            "the specialist nurse checked on me every week",
            "the support worker visited regularly",
            "they really cared about my wellbeing",
            "the emotional support made all the difference",
        ),
        "implicit_disrupted": ("nobody asked how I was coping inside",),
        "implicit_fulfilled": ("having another patient to chat to who'd been through it helped",),
    },
}

OPENERS = (
    "Had my hip replaced in March.",
    "I was in for three nights on the surgical ward.",
    "Attended for a scan and a clinic review.",
    "My mum was an inpatient for a week.",
    "Day surgery last month.",
    "Came in through A&E and was admitted.",
    "Knee operation in the spring.",
    "I had a heart procedure here.",
    "Second round of treatment this year.",
    "Outpatient visit with my husband.",
)
CLOSERS = (
    "Thank you.",
    "Overall ok.",
    "Please pass this on.",
    "That's all.",
    "Thanks to the ward team.",
    "Just my experience.",
)
GENERIC_COMMENTS = (
    "Fine.",
    "Good.",
    "ok",
    "All good",
    "Parking was expensive.",
    "The food was cold.",
    "Ward was very clean.",
    "Too hot on the ward at night.",
    "The wifi kept dropping out.",
    "TV rental costs too much.",
    "Nothing to add.",
    "Great staff, great hospital.",
    "Couldn't find the entrance, the signs need updating.",
    "The cafe closed too early.",
    "Very noisy at night.",
    "Lovely clean room.",
    "Good service.",
    "Excellent.",
    "Thanks.",
    "The hand gel dispenser was empty.",
    "Car park machine only took coins.",
    "Average experience.",
    "Would recommend to friends and family.",
    "n/a",
    "The sandwiches were nice.",
    "Bed was uncomfortable.",
    "Lift was out of order again.",
    "Toilets could be cleaner.",
)
NON_ENGLISH_COMMENTS = (
    "Gofal da iawn, diolch i bawb.",
    "Bardzo miła obsługa, dziękuję.",
    "El personal fue muy amable, gracias.",
    "Très bon accueil, merci beaucoup.",
    "Atendimento muito bom, obrigado.",
    "Personal foarte amabil, mulțumesc.",
    "Tutto bene, grazie mille.",
    "Sehr freundliches Personal, danke.",
    "Labai ačiū už pagalbą.",
    "ਬਹੁਤ ਵਧੀਆ ਸੇਵਾ, ਧੰਨਵਾਦ।",
    "شكرا جزيلا على الرعاية",
    "Bahut acha ilaj hua, shukriya.",
)

# =========================================================================== containers


class SampleStudyExistsError(JTBDError, FileExistsError):
    """The target folder exists and is not a sample study that may be overwritten."""


@dataclass(frozen=True)
class SampleStudy:
    """Every table of the synthetic sample study, its configuration and the planted truth.

    Attributes
    ----------
    config : dict
        Contents of ``study.yaml``.
    codebook : dict
        The sample's codebook (``templates/codebooks/recovery_sample.yaml``) as plain data.
    feedback : pandas.DataFrame
        ``comment_id``, ``received`` (datetime), ``site``, ``service``, ``rating`` (Int64,
        may be NA), ``comment`` (str, "" when blank), then ``code_<job_id>`` (Int64 0/1, NA for
        comments not hand-coded; coder A) for every job of the codebook.
    second_coding : pandas.DataFrame
        ``comment_id`` and ``code_<job_id>`` (int 0/1) of coder B over the hand-coded comments.
    survey : pandas.DataFrame
        ``respondent_id``, ``wave`` (1-3), ``site``, ``diagnosis_group``, ``imp_<outcome_id>`` and
        ``sat_<outcome_id>`` (Int64 1-5, may be NA), ``overall_satisfaction`` (Int64 1-5).
    staff : pandas.DataFrame
        ``unit``, ``period`` (datetime, first of month), ``engagement`` (float, 0-10, one
        decimal), ``respondents`` (int).
    actions : pandas.DataFrame
        ``action_id``, ``job_id``, ``description``, ``owner``, ``started`` (datetime),
        ``status``, ``sites`` (";"-separated, "" = all sites).
    comment_jobs : pandas.DataFrame
        Truth: ``comment_id``, ``job_id``, ``polarity`` ("disrupted" | "fulfilled"), one row per
        job a comment expresses.
    comment_meta : pandas.DataFrame
        Truth per comment: ``comment_id``, ``kind`` ("job", "generic", "empty",
        "non_english"), ``n_jobs``, ``implicit_jobs`` (";"-separated jobs written without an
        indicator phrase), ``typo`` (the misspelt word or ""), ``identifier`` (kind of planted
        identifier or ""), ``p_positive`` (the planted probability of a rating of 4 or 5).
    segments : pandas.DataFrame
        Truth: ``respondent_id``, ``segment`` (1-4), ``segment_name``.
    truth : dict
        Every planted number (written to ``_truth/planted_truth.json``).
    seed : int
    """

    config: dict[str, Any]
    codebook: dict[str, Any]
    feedback: pd.DataFrame
    second_coding: pd.DataFrame
    survey: pd.DataFrame
    staff: pd.DataFrame
    actions: pd.DataFrame
    comment_jobs: pd.DataFrame
    comment_meta: pd.DataFrame
    segments: pd.DataFrame
    truth: dict[str, Any] = field(repr=False)
    seed: int = 2026

    def summary(self) -> pd.DataFrame:
        """One row per table: ``table``, ``n_rows``, ``n_columns``."""
        names = (
            "feedback",
            "second_coding",
            "survey",
            "staff",
            "actions",
            "comment_jobs",
            "comment_meta",
            "segments",
        )
        return pd.DataFrame(
            {
                "table": list(names),
                "n_rows": [len(getattr(self, n)) for n in names],
                "n_columns": [getattr(self, n).shape[1] for n in names],
            }
        )


# =========================================================================== helpers


def template_codebook_path() -> Path:
    """Path of the sample study's codebook ``recovery_sample.yaml``.

    The sample is written against this frozen 11-job codebook (version 1.0.0 of
    ``healthcare_recovery``), not against the default codebook for real studies, so that its
    clause banks and planted truths stay fixed when the default codebook grows. Found by
    :func:`jtbd_methods.resources.codebook_path` (the package data of a wheel, or the
    repository's ``templates/codebooks/`` in a checkout).

    Raises
    ------
    FileNotFoundError
        When the installation holds no such file.
    """
    try:
        return codebook_path("recovery_sample")
    except JTBDError as exc:
        raise FileNotFoundError(
            f"The sample study's codebook recovery_sample.yaml was not found: {exc}"
        ) from exc


def _nhs_check_digit(nine: str) -> int | None:
    """Modulus-11 check digit of the first nine digits (``None`` when the number is invalid).

    NHS Data Dictionary, "NHS Number": weights 10..2, check = 11 - (sum mod 11); 11 -> 0 and
    10 -> invalid.
    """
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def _nhs_number(rng: np.random.Generator) -> str:
    while True:
        nine = "".join(str(d) for d in rng.integers(0, 10, size=9))
        if nine[0] == "0":
            continue
        check = _nhs_check_digit(nine)
        if check is not None:
            return nine + str(check)


def _choice(rng: np.random.Generator, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?":
        text += "."
    return text


_WORD = re.compile(r"[A-Za-z]{4,}")


def _typo(rng: np.random.Generator, text: str) -> tuple[str, str]:
    """Misspell one word of at least four letters (swap, drop or double a letter)."""
    words = list(_WORD.finditer(text))
    if not words:
        return text, ""
    m = words[int(rng.integers(len(words)))]
    w = m.group(0)
    i = int(rng.integers(1, len(w) - 1))
    kind = int(rng.integers(3))
    if kind == 0:
        new = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        if new == w:  # swapped identical letters: drop one instead
            new = w[:i] + w[i + 1 :]
    elif kind == 1:
        new = w[:i] + w[i + 1 :]
    else:
        new = w[:i] + w[i] + w[i:]
    return text[: m.start()] + new + text[m.end() :], w


# =========================================================================== staff


def _month_starts() -> pd.DatetimeIndex:
    return pd.date_range(PERIOD_START, PERIOD_END, freq="MS")


def _make_staff(rng: np.random.Generator) -> pd.DataFrame:
    months = _month_starts()
    starts = sorted({pd.Timestamp(a["started"]).to_period("M").to_timestamp() for a in ACTIONS})
    phases = np.searchsorted(
        np.array(starts, dtype="datetime64[ns]"), months.to_numpy(), side="right"
    )
    rows = []
    for name, _, mean in SITES:
        dev = rng.normal(0.0, ENGAGEMENT_MONTHLY_SD, size=len(months))
        # centre within each phase between action start dates, so the unit's mean is exactly
        # its planted mean and engagement swings are uncorrelated with the planted steps
        for phase in np.unique(phases):
            dev[phases == phase] -= dev[phases == phase].mean()
        eng = np.clip(np.round(mean + dev, 1), 0.0, 10.0)
        resp = rng.integers(15, 61, size=len(months))
        for m, e, r in zip(months, eng, resp, strict=True):
            rows.append({"unit": name, "period": m, "engagement": float(e), "respondents": int(r)})
    return pd.DataFrame(rows)


def _engagement_terms(staff: pd.DataFrame) -> pd.DataFrame:
    """Per unit-month: within and between components of the planted engagement effect."""
    unit_mean = staff.groupby("unit")["engagement"].transform("mean")
    grand = staff.groupby("unit")["engagement"].mean().mean()
    out = staff[["unit", "period"]].copy()
    out["within"] = staff["engagement"] - unit_mean
    out["between"] = unit_mean - grand
    out["term"] = WITHIN_UNIT_EFFECT * out["within"] + BETWEEN_UNIT_EFFECT * out["between"]
    return out


# =========================================================================== feedback


def _disruption_probability(job: str, when: pd.Timestamp, site: str) -> float:
    p = JOB_PLAN[job].disruption
    for a in ACTIONS:
        if a["job_id"] != job or a["disruption_after"] is None:
            continue
        if when >= pd.Timestamp(a["started"]) and (not a["sites"] or site in a["sites"]):
            p = a["disruption_after"]
    return p


def _systematic_draw(
    rng: np.random.Generator, p: np.ndarray, sites: np.ndarray, month: pd.DatetimeIndex
) -> np.ndarray:
    """Bernoulli(p) draws made by systematic sampling within each site-month.

    Each comment is positive with exactly its probability ``p``, and the number of positives
    in a site-month is ``sum(p)`` rounded up or down (Madow's systematic sampling over a random
    order of the comments), so site-month shares carry no extra binomial noise.
    """
    out = np.zeros(len(p), dtype=bool)
    cells = pd.factorize(pd.MultiIndex.from_arrays([sites, month]))[0]
    for cell in range(cells.max() + 1):
        idx = np.flatnonzero(cells == cell)
        order = idx[rng.permutation(len(idx))]
        u = rng.random()
        cum = np.floor(np.concatenate([[0.0], np.cumsum(p[order])]) + u)
        out[order] = np.diff(cum) > 0
    return out


def _compose(rng: np.random.Generator, mentions: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """Write a comment expressing ``mentions`` [(job, polarity)]; return text and implicit jobs."""
    order = rng.permutation(len(mentions))
    clauses: list[str] = []
    implicit: list[str] = []
    for k in order:
        job, pol = mentions[int(k)]
        bank = CLAUSES[job]
        if rng.random() < P_IMPLICIT:
            clauses.append(_choice(rng, bank[f"implicit_{pol}"]))
            implicit.append(job)
        else:
            clauses.append(_choice(rng, bank[pol]))
    sentences: list[str] = []
    i = 0
    while i < len(clauses):
        # sometimes join two clauses in one sentence
        if i + 1 < len(clauses) and rng.random() < 0.25:
            joiner = _choice(rng, (", and ", " and ", ", but ", " - "))
            sentences.append(_sentence(clauses[i] + joiner + clauses[i + 1]))
            i += 2
        else:
            sentences.append(_sentence(clauses[i]))
            i += 1
    if rng.random() < P_OPENER:
        sentences.insert(0, _choice(rng, OPENERS))
    if rng.random() < P_CLOSER:
        sentences.append(_choice(rng, CLOSERS))
    text = " ".join(sentences)
    if rng.random() < P_LOWERCASE:
        text = text.lower()
    elif rng.random() < 0.05:
        text = text.rstrip(".")
    return text, implicit


def _identifier_sentences(rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """(kind, identifier, sentence) for the planted identifiers."""
    items: list[tuple[str, str, str]] = []
    for k in range(6):
        nhs = _nhs_number(rng)
        shown = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if k % 2 == 0 else nhs
        items.append(("nhs_number", shown, f"My NHS number is {shown} if you need it."))
    for k in range(6):
        if k % 2 == 0:
            num = f"07700 900{int(rng.integers(0, 1000)):03d}"
        elif k % 4 == 1:
            num = f"0161 496 0{int(rng.integers(0, 1000)):03d}"
        else:
            num = f"020 7946 0{int(rng.integers(0, 1000)):03d}"
        items.append(("phone", num, f"Please ring me on {num} to discuss."))
    users = ("m.thistlewood", "kasia.b", "john.patient", "d.evans1962", "sunflower_lady")
    for u in users:
        email = f"{u}@example.org"
        items.append(("email", email, f"You can email me at {email} about this."))
    for _ in range(5):
        area = _choice(rng, ("NF", "NW", "WM", "KB", "AS"))
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        pc = (
            f"{area}{int(rng.integers(1, 20))} {int(rng.integers(1, 10))}"
            f"{letters[int(rng.integers(len(letters)))]}{letters[int(rng.integers(len(letters)))]}"
        )
        items.append(("postcode", pc, f"My postcode is {pc} for your records."))
    name_sentences = (
        ("Nurse Penhaligon", "Nurse Penhaligon was wonderful with me."),
        ("Dr Okonjo", "Dr Okonjo deserves a medal."),
        ("Margaret Thistlewood", "My name is Margaret Thistlewood, please get in touch."),
        ("Kasia Brennan", "Ask my daughter Kasia Brennan, she was with me."),
        ("Sister Adebayo", "Sister Adebayo runs a brilliant ward."),
        ("Nurse Penhaligon", "Thank Nurse Penhaligon from me."),
        ("Dr Okonjo", "I saw Dr Okonjo in clinic."),
        ("Sister Adebayo", "Sister Adebayo's team were great."),
    )
    for name, s in name_sentences:
        items.append(("name", name, s))
    return items


def _make_feedback(
    rng: np.random.Generator, staff_terms: pd.DataFrame, job_ids: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[dict[str, str]]]:
    n = N_COMMENTS
    n_days = (PERIOD_END - PERIOD_START).days + 1
    received = np.sort(PERIOD_START + pd.to_timedelta(rng.integers(0, n_days, size=n), unit="D"))
    received = pd.DatetimeIndex(received)
    site_names = [s[0] for s in SITES]
    site_w = np.array([s[1] for s in SITES])
    sites = np.array(site_names, dtype=object)[
        rng.choice(len(SITES), size=n, p=site_w / site_w.sum())
    ]
    serv_w = np.array([s[1] for s in SERVICES])
    services = np.array([s[0] for s in SERVICES], dtype=object)[
        rng.choice(len(SERVICES), size=n, p=serv_w / serv_w.sum())
    ]
    ids = [f"C{i + 1:05d}" for i in range(n)]

    # kind of comment: empty / non-English / regular (jobs or generic)
    u = rng.random(n)
    kind = np.where(
        u < P_EMPTY, "empty", np.where(u < P_EMPTY + P_NON_ENGLISH, "non_english", "regular")
    )
    regular = np.flatnonzero(kind == "regular")

    # jobs: exactly round(prevalence * n) comments per job, drawn among regular comments
    # (jobs with an improvement action never share a comment, so the positive share among one
    # such job's comments moves only with its own action)
    has = np.zeros((n, len(job_ids)), dtype=bool)
    tracked = [k for k, j in enumerate(job_ids) if j in _ACTION_JOBS]
    for j, job in enumerate(job_ids):
        k = int(round(JOB_PLAN[job].prevalence * n))
        pool = regular
        if job in _ACTION_JOBS:
            pool = regular[~has[np.ix_(regular, tracked)].any(1)]
        has[rng.choice(pool, size=k, replace=False), j] = True
    disrupted = np.zeros_like(has)
    draws = rng.random(has.shape)
    for i in range(n):
        for j in np.flatnonzero(has[i]):
            p = _disruption_probability(job_ids[j], received[i], sites[i])
            disrupted[i, j] = draws[i, j] < p

    # rating: P(4-5) additive in staff terms, penalties and bonuses
    month = received.to_period("M").to_timestamp()
    terms = staff_terms.set_index(["unit", "period"])["term"]
    staff_term = terms.reindex(pd.MultiIndex.from_arrays([sites, month])).to_numpy()
    pen = np.array([JOB_PLAN[j].penalty for j in job_ids])
    bon = np.array([JOB_PLAN[j].bonus for j in job_ids])
    p_pos = (
        BASE_POSITIVE + staff_term - (disrupted * pen).sum(1) + ((has & ~disrupted) * bon).sum(1)
    )
    p_pos = np.clip(p_pos, *P_CLIP)
    positive = _systematic_draw(rng, p_pos, sites, month)
    five = rng.random(n) < P_FIVE_GIVEN_POSITIVE
    low = rng.choice(np.array([1, 2, 3]), size=n, p=np.array(P_NEGATIVE_RATINGS))
    rating = np.where(positive, np.where(five, 5, 4), low).astype("int64")
    rating_missing = rng.random(n) < P_RATING_MISSING

    # text
    text_rng = rng.spawn(1)[0]
    comments: list[str] = []
    implicit: list[str] = []
    for i in range(n):
        if kind[i] == "empty":
            comments.append("")
            implicit.append("")
        elif kind[i] == "non_english":
            comments.append(_choice(text_rng, NON_ENGLISH_COMMENTS))
            implicit.append("")
        elif not has[i].any():
            c = _choice(text_rng, GENERIC_COMMENTS)
            if text_rng.random() < 0.15:
                c = _choice(text_rng, OPENERS) + " " + c
            comments.append(c)
            implicit.append("")
        else:
            mentions = [
                (job_ids[j], "disrupted" if disrupted[i, j] else "fulfilled")
                for j in np.flatnonzero(has[i])
            ]
            c, imp = _compose(text_rng, mentions)
            comments.append(c)
            implicit.append(";".join(sorted(imp)))
    is_job = has.any(1)
    kind = np.where(
        (kind == "regular") & is_job, "job", np.where(kind == "regular", "generic", kind)
    )

    # typos in ~5% of the non-empty English comments
    typo = [""] * n
    english = np.flatnonzero((kind == "job") | (kind == "generic"))
    for i in english[text_rng.random(len(english)) < P_TYPO / (1 - P_EMPTY - P_NON_ENGLISH)]:
        comments[i], typo[i] = _typo(text_rng, comments[i])

    # planted identifiers appended to some English comments
    ident = [""] * n
    planted: list[dict[str, str]] = []
    items = _identifier_sentences(text_rng)
    where = np.sort(text_rng.choice(english, size=len(items), replace=False))
    for (kind_i, value, sentence), i in zip(items, where, strict=True):
        comments[i] = (comments[i] + " " + sentence).strip()
        ident[i] = kind_i
        planted.append({"comment_id": ids[i], "kind": kind_i, "value": value})
    planted.sort(key=lambda d: d["comment_id"])

    feedback = pd.DataFrame(
        {
            "comment_id": ids,
            "received": received.astype("datetime64[ns]"),
            "site": sites.astype(object),
            "service": services.astype(object),
            "rating": pd.array(np.where(rating_missing, 0, rating), dtype="Int64"),
            "comment": pd.Series(comments, dtype=object),
        }
    )
    feedback.loc[rating_missing, "rating"] = pd.NA

    rows = [
        {
            "comment_id": ids[i],
            "job_id": job_ids[j],
            "polarity": "disrupted" if disrupted[i, j] else "fulfilled",
        }
        for i in range(n)
        for j in np.flatnonzero(has[i])
    ]
    comment_jobs = pd.DataFrame(rows, columns=["comment_id", "job_id", "polarity"])
    meta = pd.DataFrame(
        {
            "comment_id": ids,
            "kind": kind.astype(object),
            "n_jobs": has.sum(1).astype("int64"),
            "implicit_jobs": implicit,
            "typo": typo,
            "identifier": ident,
            "p_positive": np.round(p_pos, 6),
        }
    )
    return feedback, comment_jobs, meta, planted


def _hand_coding(
    rng: np.random.Generator,
    feedback: pd.DataFrame,
    comment_jobs: pd.DataFrame,
    job_ids: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coder A's codes (as columns of feedback) and coder B's codes over the same comments."""
    nonempty = np.flatnonzero(feedback["comment"].str.len().to_numpy() > 0)
    chosen = np.sort(rng.choice(nonempty, size=N_HAND_CODED, replace=False))
    ids = feedback["comment_id"].to_numpy()[chosen]
    truth = np.zeros((len(chosen), len(job_ids)), dtype=int)
    pos = {c: k for k, c in enumerate(ids)}
    col = {j: k for k, j in enumerate(job_ids)}
    for c, j in zip(comment_jobs["comment_id"], comment_jobs["job_id"], strict=True):
        if c in pos:
            truth[pos[c], col[j]] = 1
    prev = np.array([JOB_PLAN[j].prevalence for j in job_ids])

    def code(flip: float) -> np.ndarray:
        p_flip = np.where(truth == 1, flip, flip * prev / (1 - prev))
        return np.where(rng.random(truth.shape) < p_flip, 1 - truth, truth)

    a, b = code(CODER_A_FLIP), code(CODER_B_FLIP)
    fb = feedback.copy()
    for k, j in enumerate(job_ids):
        colname = f"code_{j}"
        values = pd.array([pd.NA] * len(fb), dtype="Int64")
        values[chosen] = a[:, k]
        fb[colname] = values
    second = pd.DataFrame({"comment_id": ids})
    for k, j in enumerate(job_ids):
        second[f"code_{j}"] = b[:, k].astype("int64")
    return fb, second


# =========================================================================== survey


def _likert(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 1, 5).astype("int64")


def _make_survey(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    outcomes = list(IMPORTANCE)
    n = N_RESPONDENTS
    sizes = [int(round(s["share"] * n)) for s in SEGMENTS]
    sizes[0] += n - sum(sizes)
    seg = rng.permutation(np.repeat(np.arange(len(SEGMENTS)), sizes))
    imp_mean = np.array([IMPORTANCE[o] for o in outcomes]).T  # segment x outcome
    sat_mean = np.tile(np.array([SATISFACTION[o] for o in outcomes]), (len(SEGMENTS), 1))
    for s, spec in enumerate(SEGMENTS):
        for o in spec["underserved"]:
            sat_mean[s, outcomes.index(o)] = UNDERSERVED_SATISFACTION
    site_w = np.array([s[1] for s in SITES])
    site = np.array([s[0] for s in SITES], dtype=object)[
        rng.choice(len(SITES), size=n, p=site_w / site_w.sum())
    ]
    diag = np.empty(n, dtype=object)
    for s, spec in enumerate(SEGMENTS):
        idx = np.flatnonzero(seg == s)
        mix = np.array(spec["diagnosis_mix"])
        diag[idx] = np.array(DIAGNOSIS_GROUPS, dtype=object)[
            rng.choice(4, size=len(idx), p=mix / mix.sum())
        ]
    scale_use = rng.normal(0, SCALE_USE_SD, size=n)
    panel = np.zeros(n, dtype=bool)
    panel[rng.choice(n, size=N_PANEL, replace=False)] = True
    gain = np.array([s["wave_gain"] for s in SEGMENTS])

    frames = []
    for wave in (1, 2, 3):
        who = np.arange(n) if wave == 1 else np.flatnonzero(panel)
        m = len(who)
        imp = _likert(
            imp_mean[seg[who]]
            + scale_use[who, None]
            + rng.normal(0, ITEM_NOISE_SD, (m, len(outcomes)))
        )
        sat_latent = (
            sat_mean[seg[who]]
            + gain[seg[who], None] * (wave - 1)
            + scale_use[who, None]
            + rng.normal(0, ITEM_NOISE_SD, (m, len(outcomes)))
        )
        sat = _likert(sat_latent)
        weight = imp - 1.0
        weight[weight.sum(1) == 0] = 1.0
        overall_latent = (weight * sat).sum(1) / weight.sum(1) + rng.normal(0, OVERALL_NOISE_SD, m)
        overall = _likert(overall_latent)
        frame = pd.DataFrame(
            {
                "respondent_id": [f"R{i + 1:04d}" for i in who],
                "wave": np.full(m, wave, dtype="int64"),
                "site": site[who],
                "diagnosis_group": diag[who],
            }
        )
        miss_imp = rng.random((m, len(outcomes))) < P_ITEM_MISSING
        miss_sat = rng.random((m, len(outcomes))) < P_ITEM_MISSING
        for k, o in enumerate(outcomes):
            v = pd.array(imp[:, k], dtype="Int64")
            v[miss_imp[:, k]] = pd.NA
            frame[f"imp_{o}"] = v
        for k, o in enumerate(outcomes):
            v = pd.array(sat[:, k], dtype="Int64")
            v[miss_sat[:, k]] = pd.NA
            frame[f"sat_{o}"] = v
        frame["overall_satisfaction"] = pd.array(overall, dtype="Int64")
        frames.append(frame)
    survey = pd.concat(frames, ignore_index=True)
    segments = pd.DataFrame(
        {
            "respondent_id": [f"R{i + 1:04d}" for i in range(n)],
            "segment": (seg + 1).astype("int64"),
            "segment_name": [SEGMENTS[s]["name"] for s in seg],
        }
    )
    return survey, segments


# =========================================================================== actions


def _make_actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": [a["action_id"] for a in ACTIONS],
            "job_id": [a["job_id"] for a in ACTIONS],
            "description": [a["description"] for a in ACTIONS],
            "owner": [a["owner"] for a in ACTIONS],
            "started": pd.to_datetime([a["started"] for a in ACTIONS]).astype("datetime64[ns]"),
            "status": [a["status"] for a in ACTIONS],
            "sites": [";".join(a["sites"]) for a in ACTIONS],
        }
    )


# =========================================================================== truth


def _rating_gap() -> float:
    """Mean rating of a positive minus a non-positive response (rating points per unit of P)."""
    e_pos = 4 + P_FIVE_GIVEN_POSITIVE
    e_neg = float(np.dot([1, 2, 3], P_NEGATIVE_RATINGS))
    return e_pos - e_neg


def _expected_disruption(job: str) -> float:
    """Design-expected disruption probability of a mention of ``job`` over the study period.

    Averages the probability over the days of the period (comments arrive uniformly) and the
    sites (weighted by their share of comments).
    """
    days = (PERIOD_END - PERIOD_START).days + 1
    dates = PERIOD_START + pd.to_timedelta(np.arange(days), unit="D")
    w = np.array([s[1] for s in SITES])
    w = w / w.sum()
    total = 0.0
    for k, (site, _, _) in enumerate(SITES):
        probs = np.full(days, JOB_PLAN[job].disruption)
        for a in ACTIONS:
            if (
                a["job_id"] == job
                and a["disruption_after"] is not None
                and (not a["sites"] or site in a["sites"])
            ):
                probs[np.asarray(dates >= pd.Timestamp(a["started"]))] = a["disruption_after"]
        total += w[k] * probs.mean()
    return float(total)


def _realised_impacts(
    feedback: pd.DataFrame, comment_jobs: pd.DataFrame, job_ids: tuple[str, ...]
) -> dict[str, dict[str, float]]:
    """OLS (HC3) of rating on true disruption indicators: what the sample itself shows."""
    import statsmodels.api as sm

    pos = {c: i for i, c in enumerate(feedback["comment_id"])}
    col = {j: k for k, j in enumerate(job_ids)}
    d = np.zeros((len(feedback), len(job_ids)))
    dis = comment_jobs[comment_jobs["polarity"] == "disrupted"]
    for c, j in zip(dis["comment_id"], dis["job_id"], strict=True):
        d[pos[c], col[j]] = 1.0
    ok = feedback["rating"].notna().to_numpy()
    y = feedback["rating"].to_numpy(dtype=float, na_value=np.nan)[ok]
    fit = sm.OLS(y, sm.add_constant(d[ok], has_constant="add")).fit(cov_type="HC3")
    ci = np.asarray(fit.conf_int(0.05))
    params = np.asarray(fit.params)
    return {
        j: {
            "realised_rating_impact": round(float(-params[k + 1]), 4),
            "realised_rating_impact_ci": [
                round(float(-ci[k + 1, 1]), 4),
                round(float(-ci[k + 1, 0]), 4),
            ],
        }
        for k, j in enumerate(job_ids)
    }


def _truth(
    *,
    seed: int,
    job_ids: tuple[str, ...],
    feedback: pd.DataFrame,
    comment_jobs: pd.DataFrame,
    meta: pd.DataFrame,
    staff: pd.DataFrame,
    survey: pd.DataFrame,
    segments: pd.DataFrame,
    second: pd.DataFrame,
    planted_ids: list[dict[str, str]],
) -> dict[str, Any]:
    gap = _rating_gap()
    jobs: dict[str, Any] = {}
    for j in job_ids:
        plan = JOB_PLAN[j]
        d_exp = _expected_disruption(j)
        impact = plan.penalty * gap
        rows = comment_jobs[comment_jobs["job_id"] == j]
        jobs[j] = {
            "prevalence": plan.prevalence,
            "n_comments": int(len(rows)),
            "disruption_probability": plan.disruption,
            "expected_disruption_probability": round(d_exp, 4),
            "expected_disrupted_share": round(plan.prevalence * d_exp, 4),
            "realised_disrupted_share": round(
                float((rows["polarity"] == "disrupted").sum()) / N_COMMENTS, 4
            ),
            "positive_share_penalty_pp": round(100 * plan.penalty, 2),
            "positive_share_bonus_pp": round(100 * plan.bonus, 2),
            "rating_impact": round(impact, 4),
            "priority": round(plan.prevalence * d_exp * impact, 5),
        }
    ranking = sorted(job_ids, key=lambda j: -jobs[j]["priority"])
    realised = _realised_impacts(feedback, comment_jobs, job_ids)
    for j in job_ids:
        jobs[j].update(realised[j])
        jobs[j]["realised_priority"] = round(
            jobs[j]["realised_disrupted_share"] * realised[j]["realised_rating_impact"], 5
        )
    realised_ranking = sorted(job_ids, key=lambda j: -jobs[j]["realised_priority"])

    # realised positive shares (true job labels) before/after each action
    fb = feedback[["comment_id", "received", "site", "rating"]].merge(comment_jobs, on="comment_id")
    fb = fb[fb["rating"].notna()]
    actions: dict[str, Any] = {}
    for a in ACTIONS:
        job = a["job_id"]
        plan = JOB_PLAN[job]
        start = pd.Timestamp(a["started"])
        rows = fb[fb["job_id"] == job]
        pilot = rows["site"].isin(a["sites"]) if a["sites"] else pd.Series(True, index=rows.index)

        def share(mask: pd.Series, rows: pd.DataFrame = rows) -> float:
            r = rows.loc[mask, "rating"].astype(float)
            return round(float((r >= 4).mean()) * 100, 2) if len(r) else float("nan")

        before, after = rows["received"] < start, rows["received"] >= start
        after_p = a["disruption_after"] if a["disruption_after"] is not None else plan.disruption
        expected = (plan.disruption - after_p) * (plan.penalty + plan.bonus) * 100
        entry = {
            "job_id": job,
            "started": a["started"],
            "status": a["status"],
            "sites": list(a["sites"]),
            "disruption_probability_before": plan.disruption,
            "disruption_probability_after": after_p,
            "expected_positive_share_change_pp": round(expected, 2),
            "realised_positive_share_before_pp": share(before & pilot),
            "realised_positive_share_after_pp": share(after & pilot),
            "effect_elsewhere_pp": 0.0,
        }
        if a["sites"]:
            entry["realised_positive_share_before_elsewhere_pp"] = share(before & ~pilot)
            entry["realised_positive_share_after_elsewhere_pp"] = share(after & ~pilot)
        actions[a["action_id"]] = entry

    unit_means = staff.groupby("unit", sort=False)["engagement"].mean()
    seg_truth = []
    for s in SEGMENTS:
        k = s["segment"] - 1
        seg_truth.append(
            {
                "segment": s["segment"],
                "name": s["name"],
                "planned_share": s["share"],
                "n_respondents": int((segments["segment"] == s["segment"]).sum()),
                "important_outcomes": [o for o, v in IMPORTANCE.items() if v[k] >= 4.0],
                "underserved_outcomes": list(s["underserved"]),
                "satisfaction_gain_per_wave": s["wave_gain"],
                "diagnosis_mix": dict(zip(DIAGNOSIS_GROUPS, s["diagnosis_mix"], strict=True)),
                "importance_means": {o: v[k] for o, v in IMPORTANCE.items()},
            }
        )
    kinds = meta["kind"].value_counts()
    return {
        "seed": seed,
        "generator": "jtbd_methods.samples.make_study",
        "feedback": {
            "n_comments": N_COMMENTS,
            "n_sites": len(SITES),
            "sites": [s[0] for s in SITES],
            "services": [s[0] for s in SERVICES],
            "n_by_kind": {
                k: int(kinds.get(k, 0)) for k in ("job", "generic", "empty", "non_english")
            },
            "p_empty": P_EMPTY,
            "p_non_english": P_NON_ENGLISH,
            "p_rating_missing": P_RATING_MISSING,
            "p_typo": P_TYPO,
            "n_typos": int((meta["typo"] != "").sum()),
            "p_implicit_mention": P_IMPLICIT,
            "n_implicit_mentions": int(meta["implicit_jobs"].str.len().gt(0).sum()),
            "rating_model": {
                "description": (
                    "P(rating 4-5) = base + within-unit engagement term + between-unit engagement "
                    "term - sum of penalties of disrupted jobs + sum of bonuses of fulfilled jobs, "
                    "clipped to [0.02, 0.98]; a positive response is 5 with probability 0.55 "
                    "(else 4), a non-positive one is 1, 2, 3 with probabilities 0.3, 0.3, 0.4"
                ),
                "base_positive": BASE_POSITIVE,
                "clip": list(P_CLIP),
                "p_five_given_positive": P_FIVE_GIVEN_POSITIVE,
                "p_1_2_3_given_not_positive": list(P_NEGATIVE_RATINGS),
                "rating_points_per_unit_probability": round(gap, 4),
            },
        },
        "jobs": jobs,
        "expected_priority_ranking": ranking,
        "realised_priority_ranking": realised_ranking,
        "realised_definition": (
            "realised_* values are computed from the generated data with the TRUE job labels: "
            "realised_rating_impact and its 95% CI are minus the coefficients of an OLS "
            "regression of rating on the 0/1 disruption indicators of all jobs (HC3 standard "
            "errors, comments with a rating); they show what a perfect coder could recover "
            "from this sample, as opposed to the planted design values"
        ),
        "priority_definition": (
            "expected_disrupted_share (share of all comments expressing the job as disrupted, "
            "over the whole period) x rating_impact (expected drop in mean rating when the job "
            "is disrupted = penalty x rating_points_per_unit_probability)"
        ),
        "actions": actions,
        "time_effects": {
            "overall_step_a01_pp": round(
                JOB_PLAN["gain_clarity"].prevalence
                * actions["A01"]["expected_positive_share_change_pp"],
                2,
            ),
            "pilot_site_step_a02_pp": round(
                JOB_PLAN["feel_heard"].prevalence
                * actions["A02"]["expected_positive_share_change_pp"],
                2,
            ),
            "definition": (
                "expected change in the share of ratings 4-5 among ALL comments (of all sites for "
                "A01, of the pilot sites for A02) when the action starts; no trend or seasonality"
            ),
        },
        "hand_coding": {
            "n_comments": N_HAND_CODED,
            "coder_a_flip_rate": CODER_A_FLIP,
            "coder_b_flip_rate": CODER_B_FLIP,
            "flip_definition": (
                "each true code is dropped with the flip rate, and each absent code of job j is "
                "added with probability flip rate x prevalence_j / (1 - prevalence_j), so a "
                "coder adds about as many spurious codes as it drops"
            ),
            "comment_ids": second["comment_id"].tolist(),
        },
        "segments": seg_truth,
        "survey": {
            "n_respondents": N_RESPONDENTS,
            "n_panel": N_PANEL,
            "n_rows": int(len(survey)),
            "outcomes": list(IMPORTANCE),
            "underserved_satisfaction_mean": UNDERSERVED_SATISFACTION,
            "satisfaction_means": dict(SATISFACTION),
            "item_noise_sd": ITEM_NOISE_SD,
            "scale_use_sd": SCALE_USE_SD,
            "p_item_missing": P_ITEM_MISSING,
            "overall_satisfaction": (
                "rounded importance-weighted mean of the respondent's satisfaction answers "
                "(weights = importance - 1) plus normal noise sd 0.45, clipped to 1-5"
            ),
        },
        "staff": {
            "within_unit_effect_pp": round(100 * WITHIN_UNIT_EFFECT, 2),
            "between_unit_effect_pp": round(100 * BETWEEN_UNIT_EFFECT, 2),
            "monthly_sd": ENGAGEMENT_MONTHLY_SD,
            "unit_means": {u: round(float(v), 4) for u, v in unit_means.items()},
            "planned_unit_means": {s[0]: s[2] for s in SITES},
            "definition": (
                "P(rating 4-5) rises by within_unit_effect_pp per engagement point above the "
                "unit's own mean in that month, and by between_unit_effect_pp per point of the "
                "unit's mean above the unweighted mean of the six unit means; there is no other "
                "site effect"
            ),
        },
        "identifiers": planted_ids,
        "redact_names": list(REDACT_NAMES),
    }


# =========================================================================== public API


def make_study(seed: int = 2026) -> SampleStudy:
    """Build the synthetic sample study in memory.

    Parameters
    ----------
    seed : int, default 2026
        Seed of the random generator; the same seed gives identical tables.

    Returns
    -------
    SampleStudy
        All tables (see :class:`SampleStudy` for every column), the ``study.yaml`` content, the
        codebook and the planted truth.

    Raises
    ------
    TypeError
        When ``seed`` is not an integer.
    ValueError
        When ``seed`` is negative.
    FileNotFoundError
        When the sample study's codebook cannot be found.

    Notes
    -----
    *Feedback*: 4,000 comments uniformly over 2024-01-01 to 2025-12-31 at six sites and four
    services. About 3% are empty and 2% are not in English (no job); every other comment
    expresses each job ``j`` independently so that exactly ``round(prevalence_j * 4000)``
    comments express it (see :data:`JOB_PLAN`), and comments with no job are generic ("Parking
    was expensive."). A mention is a disruption with the job's disruption probability (changed by
    actions A01 and A02, see :data:`ACTIONS`). Comments are composed from per-job clause banks
    (:data:`CLAUSES`) that contain the codebook's indicator phrases, with 2% of mentions written
    without any indicator, about 5% of comments with one misspelt word and a few planted
    identifiers. The rating is drawn so that

    .. math:: P(\\text{rating} \\ge 4) = b + 0.03\\,(e_{um} - \\bar e_u) + 0.05\\,(\\bar e_u -
              \\bar e) - \\sum_{j \\in D} \\pi_j + \\sum_{j \\in F} \\beta_j

    (clipped to [0.02, 0.98]); with the fixed distributions of ratings within positive and
    non-positive answers, the expected rating drop of a disrupted job is
    ``penalty * 2.45`` rating points. About 3% of ratings are missing completely at random.

    *Hand coding*: 400 random non-empty comments coded by coder A (``code_<job_id>`` columns of
    feedback) and by coder B (``second_coding``), each from the truth with label flips.

    *Survey*: 1,200 respondents in four recovery-goal segments (:data:`SEGMENTS`) answer
    importance and satisfaction of 16 outcomes (wave 1); 400 of them answer again in waves 2
    and 3 with satisfaction rising by the segment's ``wave_gain`` per wave. Items are
    rounded normal draws around the segment means plus a respondent scale-use shift; 3% of
    each item is missing completely at random.

    *Staff*: monthly engagement per site around the site's planted mean (monthly sd 0.8,
    centred so the site's 24-month mean is its planted mean), 15-60 staff respondents.

    References
    ----------
    .. [1] Madow, W. G. (1949). On the theory of systematic sampling, II. *Annals of
       Mathematical Statistics*, 20(3), 333-354 (the systematic draw of positive ratings).
    .. [2] Enders, C. K., & Tofighi, D. (2007). Centering predictor variables in cross-sectional
       multilevel models. *Psychological Methods*, 12(2), 121-138 (within- and between-unit
       engagement components).
    .. [3] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill (importance and satisfaction
       of desired outcomes; underserved = important and unsatisfied).
    .. [4] NHS Data Dictionary, "NHS Number" (modulus-11 check digit of the planted numbers).
    .. [5] Ofcom, "Telephone numbers for use in TV and radio drama programmes" (the planted
       phone numbers).

    Examples
    --------
    >>> study = make_study(seed=1)
    >>> study.summary().set_index("table").loc[["feedback", "survey", "staff"], "n_rows"].tolist()
    [4000, 2000, 144]
    >>> study.truth["expected_priority_ranking"][:2]
    ['gain_clarity', 'feel_heard']
    """
    seed = check_int(seed, parameter="seed", caller="make_study", minimum=0)
    cb_path = template_codebook_path()
    codebook = yaml.safe_load(cb_path.read_text(encoding="utf-8"))
    job_ids = tuple(j["id"] for j in codebook["jobs"])
    missing = [j for j in job_ids if j not in JOB_PLAN] + [j for j in JOB_PLAN if j not in job_ids]
    outcome_ids = {o["id"] for o in codebook.get("outcomes", [])}
    missing += [o for o in IMPORTANCE if o not in outcome_ids]
    if missing:
        raise ValueError(
            f"make_study: the sample codebook {cb_path} and the sample design disagree on "
            f"job or outcome ids: {', '.join(missing)}"
        )
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    staff = _make_staff(streams[0])
    feedback, comment_jobs, meta, planted = _make_feedback(
        streams[1], _engagement_terms(staff), job_ids
    )
    feedback, second = _hand_coding(streams[2], feedback, comment_jobs, job_ids)
    survey, segments = _make_survey(streams[3])
    actions = _make_actions()
    config = {
        "name": STUDY_NAME,
        "organisation": ORGANISATION,
        "period": {"start": str(PERIOD_START.date()), "end": str(PERIOD_END.date())},
        "min_cell_size": 10,
        "codebook": "codebook.yaml",
        "redact": True,
        "redact_names": list(REDACT_NAMES),
    }
    truth = _truth(
        seed=seed,
        job_ids=job_ids,
        feedback=feedback,
        comment_jobs=comment_jobs,
        meta=meta,
        staff=staff,
        survey=survey,
        segments=segments,
        second=second,
        planted_ids=planted,
    )
    log.info(
        "Sample study built (seed %d): %d comments, %d survey rows",
        seed,
        len(feedback),
        len(survey),
    )
    return SampleStudy(
        config=config,
        codebook=codebook,
        feedback=feedback,
        second_coding=second,
        survey=survey,
        staff=staff,
        actions=actions,
        comment_jobs=comment_jobs,
        comment_meta=meta,
        segments=segments,
        truth=truth,
        seed=seed,
    )


# --------------------------------------------------------------------------- writing


def _csv(df: pd.DataFrame) -> str:
    """CSV text with ISO dates, empty cells for missing values and '\\n' line ends."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(s):
            out[c] = s.map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
        else:
            out[c] = s.astype(object).where(s.notna(), "")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _study_yaml(config: dict[str, Any]) -> str:
    names = "\n".join(f"  - {json.dumps(n, ensure_ascii=False)}" for n in config["redact_names"])
    return (
        "# Synthetic sample study written by jtbd_methods.samples.write_sample_study.\n"
        "# Everything in this folder is fictional; planted truths are in README.md and _truth/.\n"
        f"name: {json.dumps(config['name'])}\n"
        f"organisation: {json.dumps(config['organisation'])}\n"
        "period:\n"
        f"  start: {config['period']['start']}\n"
        f"  end: {config['period']['end']}\n"
        f"min_cell_size: {config['min_cell_size']}\n"
        f"codebook: {config['codebook']}\n"
        f"redact: {'true' if config['redact'] else 'false'}\n"
        "redact_names:\n"
        f"{names}\n"
    )


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _readme(study: SampleStudy) -> str:
    t = study.truth
    jobs = t["jobs"]
    lines = [
        "# Recovery pathway study (synthetic sample)",
        "",
        "A complete, **entirely fictional** study folder for trying, testing and teaching "
        "`jtbd_methods`. It was written by `jtbd sample-study` "
        f"(`jtbd_methods.samples.write_sample_study`, seed {study.seed}); the same seed rewrites "
        "the same bytes, so do not edit these files by hand: change the generator instead.",
        "",
        "Every effect below was *planted* by the generator, so each method can be checked "
        "against a known answer. Exact numbers are in `_truth/planted_truth.json`.",
        "",
        "## Files",
        "",
        "| file | one row is | notes |",
        "|---|---|---|",
        "| `study.yaml` | — | name, organisation, period 2024-01-01 to 2025-12-31, "
        "`min_cell_size: 10`, codebook, `redact: true`, `redact_names` (the planted names) |",
        "| `codebook.yaml` | — | a copy of `templates/codebooks/recovery_sample.yaml` "
        "(11 jobs, 44 desired outcomes) |",
        f"| `feedback.csv` | a comment | {N_COMMENTS:,} comments, 6 sites, 4 services, rating 1–5 "
        "(about 3% empty), comment; `code_<job_id>` columns filled for the 400 hand-coded "
        "comments (coder A), empty for the others |",
        "| `second_coding.csv` | a hand-coded comment | coder B's `code_<job_id>` over the same "
        "400 comments |",
        f"| `survey.csv` | a response | {N_RESPONDENTS:,} respondents at wave 1, {N_PANEL} of them "
        f"again at waves 2 and 3 ({t['survey']['n_rows']:,} rows); `imp_`/`sat_` items for 16 "
        "outcomes, `overall_satisfaction` |",
        "| `staff.csv` | a site in a month | staff engagement index 0–10 and number of staff "
        "respondents, 6 sites × 24 months |",
        "| `actions.csv` | an improvement action | A01–A03 (below) |",
        "| `_truth/comment_jobs.csv` | a job expressed in a comment | comment_id, job_id, polarity "
        "(disrupted / fulfilled): the true coding of every comment |",
        "| `_truth/comments.csv` | a comment | kind (job, generic, empty, non_english), n_jobs, "
        "jobs written without any indicator phrase, misspelt word, planted identifier kind, "
        "the planted probability of a rating of 4–5 |",
        "| `_truth/segments.csv` | a respondent | true recovery-goal segment (1–4) and its name |",
        "| `_truth/planted_truth.json` | — | every planted number |",
        "",
        "Files in `_truth/` are not part of the study-folder contract: the loader ignores them. "
        "Use them only to check results.",
        "",
        "## Feedback comments",
        "",
        f"Comments arrive uniformly over the 24 months. {_fmt_pct(P_EMPTY)} are empty and "
        f"{_fmt_pct(P_NON_ENGLISH)} are written in another language (Welsh, Polish, Spanish, "
        "Punjabi, Arabic and others); neither expresses a job. Each other comment expresses each "
        "job independently, with exactly `round(prevalence × 4000)` comments per job, so the "
        "true share of comments expressing a job equals its planted prevalence. Comments with "
        'no job are generic ("Fine.", "Parking was expensive.").',
        "",
        "Comments are written from per-job clause banks in patients' words that use the "
        'codebook\'s indicator phrases, inflected ("cancelled" for `cancel*`) or negated '
        '("staff were not dismissive" is *feel_heard, fulfilled*; "no one explained what '
        'happens next" is *gain_clarity, disrupted*). Several jobs can share one comment. '
        f"To keep coding imperfect: {_fmt_pct(P_IMPLICIT)} of job mentions are written without any "
        f"indicator phrase, about {_fmt_pct(P_TYPO)} of comments have one misspelt word, and some "
        "comments are all lower case.",
        "",
        "### Planted jobs",
        "",
        "| job | prevalence | P(disrupted) | expected disrupted share | P(4–5) drop if disrupted "
        "| rating drop if disrupted | P(4–5) rise if fulfilled | priority |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for j in t["expected_priority_ranking"]:
        v = jobs[j]
        d = f"{v['disruption_probability']:.2f}"
        if abs(v["expected_disruption_probability"] - v["disruption_probability"]) > 1e-9:
            d += f" before its action ({v['expected_disruption_probability']:.2f} over the period)"
        lines.append(
            f"| `{j}` | {_fmt_pct(v['prevalence'])} | {d} | {100 * v['expected_disrupted_share']:.1f}% | "
            f"{v['positive_share_penalty_pp']:.0f} pp | {v['rating_impact']:.2f} | "
            f"{v['positive_share_bonus_pp']:.0f} pp | {v['priority']:.4f} |"
        )
    rm = t["feedback"]["rating_model"]
    lines += [
        "",
        "Rows are in the expected priority order (`expected_priority_ranking`): priority = "
        'expected disrupted share × rating drop, the "frequency × impact" of a service-recovery '
        "priority matrix.",
        "",
        "### Ratings",
        "",
        f"The probability that a rating is 4 or 5 is {rm['base_positive']:.2f} plus the staff "
        "engagement terms (below), minus the penalty of every disrupted job in the comment, plus "
        "the bonus of every fulfilled job, clipped to [0.02, 0.98]. A positive rating is 5 with "
        "probability 0.55 (else 4); a non-positive rating is 1, 2 or 3 with probabilities 0.3, 0.3 "
        "and 0.4. Because those two distributions are fixed, the mean rating is linear in the "
        f"probability: each 10 pp of P(4–5) is worth {rm['rating_points_per_unit_probability'] / 10:.3f} "
        "rating points, so a regression of rating on 0/1 disruption indicators recovers the "
        '"rating drop" column (up to a small upward bias from the fulfilment bonuses and a '
        "downward one from the clipping, both well inside the standard errors). Sites differ "
        "only through staff engagement; there is no other site effect. Positive ratings are "
        "drawn by systematic sampling within each site-month: every comment keeps exactly its "
        "planted probability, but the number of positive ratings in a site-month equals the "
        "sum of those probabilities (rounded up or down), so site-month shares carry no extra "
        "binomial noise. `realised_*` values in `planted_truth.json` (e.g. "
        "`realised_rating_impact` with its 95% CI, `realised_priority_ranking`) are what the "
        "generated sample itself shows with the true job labels. "
        f"{_fmt_pct(P_RATING_MISSING)} of ratings are missing completely at random.",
        "",
        "### Hand coding and reliability",
        "",
        f"{N_HAND_CODED} random non-empty comments were coded twice. Coder A "
        "(`code_<job_id>` in `feedback.csv`) drops "
        f"{_fmt_pct(CODER_A_FLIP)} of the true codes and adds about as many wrong ones; coder B "
        f"(`second_coding.csv`) drops {_fmt_pct(CODER_B_FLIP)} and adds about as many. The "
        "resulting agreement is realistic for trained coders (Krippendorff's alpha around 0.8 "
        "over all jobs, lower for rare jobs).",
        "",
        "### Planted identifiers",
        "",
        f"{len(t['identifiers'])} comments carry one fictional identifier each, for testing "
        "redaction (`privacy.redact`):",
        "",
        "| comment_id | kind | value |",
        "|---|---|---|",
    ]
    for d in t["identifiers"]:
        lines.append(f"| {d['comment_id']} | {d['kind']} | {d['value']} |")
    lines += [
        "",
        "NHS numbers are random with a valid modulus-11 check digit; phone numbers are in "
        "Ofcom's ranges reserved for drama (07700 900xxx, 0161 496 0xxx, 020 7946 0xxx); e-mail "
        "addresses use the reserved `example.org` domain; postcodes have the UK format with "
        "invented areas; names are the `redact_names` of `study.yaml`.",
        "",
        "## Improvement actions (tracking truth)",
        "",
        "| action | job | started | sites | planted effect |",
        "|---|---|---|---|---|",
    ]
    for a in ACTIONS:
        e = t["actions"][a["action_id"]]
        sites = "; ".join(a["sites"]) if a["sites"] else "all"
        if a["disruption_after"] is None:
            eff = "none (a planted null: the disruption probability does not change)"
        else:
            eff = (
                f"P(disrupted) {e['disruption_probability_before']:.2f} → "
                f"{e['disruption_probability_after']:.2f}, so the share of ratings 4–5 among "
                f"comments expressing the job rises by about "
                f"{e['expected_positive_share_change_pp']:.0f} pp"
                + (" at the pilot sites only" if a["sites"] else "")
                + f" (realised: {e['realised_positive_share_before_pp']:.0f}% → "
                f"{e['realised_positive_share_after_pp']:.0f}%)"
            )
        lines.append(
            f"| {a['action_id']} ({a['description']}) | `{a['job_id']}` | {a['started']} | "
            f"{sites} | {eff} |"
        )
    lines += [
        "",
        "Each step is immediate (a level change, no slope change). `gain_clarity`, `feel_heard` "
        "and `keep_routines` never share a comment, so the positive share among one of these "
        "jobs' comments moves only with its own action. Diluted over all comments, A01 raises "
        f"the overall share of ratings 4–5 by about {t['time_effects']['overall_step_a01_pp']:.1f} pp "
        "from January 2025, and A02 raises it by about "
        f"{t['time_effects']['pilot_site_step_a02_pp']:.1f} pp at the pilot sites from April 2025; "
        "comments of other jobs that also mention `gain_clarity` or `feel_heard` improve with "
        "them. Nothing else changes over time (no trend, no seasonality), so any other signal "
        "on an SPC chart is a false alarm.",
        "",
        "## Survey and recovery-goal segments",
        "",
        "Four segments with distinct importance profiles over the 16 outcomes (segment on the "
        "wave-1 answers). Items are rounded normal draws (sd "
        f"{ITEM_NOISE_SD}) around the segment's mean plus a respondent scale-use shift (sd "
        f"{SCALE_USE_SD}); {_fmt_pct(P_ITEM_MISSING)} of every item is missing completely at random. "
        "Satisfaction of an underserved outcome averages "
        f"{UNDERSERVED_SATISFACTION} in its segment (others 3.2–4.0). Diagnosis groups are only "
        "loosely related to segments: segments cut across diagnoses.",
        "",
        "| segment | name | share | important outcomes (mean ≥ 4) | underserved | "
        "satisfaction gain per wave |",
        "|---|---|---|---|---|---|",
    ]
    for s in t["segments"]:
        lines.append(
            f"| {s['segment']} | {s['name']} | {_fmt_pct(s['planned_share'])} ({s['n_respondents']}) | "
            f"{', '.join(s['important_outcomes'])} | {', '.join(s['underserved_outcomes'])} | "
            f"+{s['satisfaction_gain_per_wave']:.2f} |"
        )
    st = t["staff"]
    lines += [
        "",
        "`overall_satisfaction` is the importance-weighted mean of the respondent's "
        "satisfaction answers (weights = importance − 1) plus noise (sd 0.45), rounded to 1–5, "
        "so it rises over the waves with the segment's gain.",
        "",
        "## Staff engagement",
        "",
        "Each site's monthly engagement varies around its own mean (sd "
        f"{ENGAGEMENT_MONTHLY_SD}, centred within each period between action start dates, so "
        "the 24-month mean is the planted mean and engagement swings are unrelated to the "
        "planted steps; values rounded to one decimal). "
        f"Within a site, each engagement point above the site's own mean raises P(rating 4–5) "
        f"by {st['within_unit_effect_pp']:.0f} pp in that month (the within-unit effect); each "
        f"point of a site's mean above the mean of the six site means raises it by "
        f"{st['between_unit_effect_pp']:.0f} pp (the between-unit effect).",
        "",
        "| site | mean engagement |",
        "|---|---|",
    ]
    for u, v in st["unit_means"].items():
        lines.append(f"| {u} | {v:.2f} |")
    lines += [
        "",
        "## Regenerate",
        "",
        "```",
        f"jtbd sample-study data/samples/recovery_study --seed {study.seed} --overwrite",
        "```",
        "",
    ]
    return "\n".join(lines)


def _write_folder(study: SampleStudy, folder: Path) -> None:
    (folder / "_truth").mkdir(parents=True, exist_ok=True)
    files = {
        "study.yaml": _study_yaml(study.config),
        "feedback.csv": _csv(study.feedback),
        "second_coding.csv": _csv(study.second_coding),
        "survey.csv": _csv(study.survey),
        "staff.csv": _csv(study.staff),
        "actions.csv": _csv(study.actions),
        "_truth/comment_jobs.csv": _csv(study.comment_jobs),
        "_truth/comments.csv": _csv(
            study.comment_meta.assign(
                p_positive=study.comment_meta["p_positive"].map(lambda v: f"{v:.4f}")
            )
        ),
        "_truth/segments.csv": _csv(study.segments),
        "_truth/planted_truth.json": json.dumps(
            study.truth, indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n",
        "README.md": _readme(study),
    }
    for name, text in files.items():
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    shutil.copyfile(template_codebook_path(), folder / "codebook.yaml")


def _is_sample_study(folder: Path) -> bool:
    """An empty folder or a sample study (recognised by its planted truth)."""
    return not any(folder.iterdir()) or (folder / "_truth" / "planted_truth.json").is_file()


def write_sample_study(
    path: str | os.PathLike[str], *, seed: int = 2026, overwrite: bool = False
) -> Path:
    """Write the synthetic sample study as a complete study folder.

    Parameters
    ----------
    path : str or path-like
        Folder to create. It must not exist, be empty, or (with ``overwrite=True``) be a
        previously written sample study (it holds ``_truth/planted_truth.json``).
    seed : int, default 2026
        Seed of the random generator; the same seed writes byte-identical files.
    overwrite : bool, default False
        Replace an existing sample study at ``path``.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    SampleStudyExistsError
        When ``path`` exists, is not empty and ``overwrite`` is false, or when ``overwrite``
        is true but the folder is not a sample study (it is never deleted then).
    TypeError, ValueError
        When ``seed`` is not a non-negative integer or ``overwrite`` is not a bool.

    Notes
    -----
    Files: ``study.yaml``, ``codebook.yaml`` (copy of the sample codebook), ``feedback.csv``,
    ``second_coding.csv``, ``survey.csv``, ``staff.csv``, ``actions.csv``, ``README.md`` and
    ``_truth/`` (``comment_jobs.csv``, ``comments.csv``, ``segments.csv``,
    ``planted_truth.json``). All text is UTF-8 with ``\\n`` line ends. The folder is built in
    a temporary sibling folder and moved into place only when complete.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = write_sample_study(pathlib.Path(tempfile.mkdtemp()) / "demo", seed=1)
    >>> sorted(p.name for p in out.iterdir())[:4]
    ['README.md', '_truth', 'actions.csv', 'codebook.yaml']
    """
    if not isinstance(overwrite, bool):
        raise TypeError(
            f"The 'overwrite' parameter of write_sample_study must be True or False; got {overwrite!r}."
        )
    seed = check_int(seed, parameter="seed", caller="write_sample_study", minimum=0)
    target = Path(path)
    if target.exists():
        if not target.is_dir():
            raise SampleStudyExistsError(
                f"{target} exists and is not a folder; choose another path"
            )
        nonempty = any(target.iterdir())
        if nonempty and not overwrite:
            raise SampleStudyExistsError(
                f"{target} already exists and is not empty; pass overwrite=True (--overwrite) to "
                "replace a sample study, or choose a new folder"
            )
        if nonempty and not _is_sample_study(target):
            raise SampleStudyExistsError(
                f"{target} is not a sample study (no _truth/planted_truth.json); it is not "
                "overwritten - choose a new folder"
            )
    study = make_study(seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _write_folder(study, tmp)
        tmp.chmod(0o755)
        replace_folder(tmp, target, is_ours=_is_sample_study)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise
    log.info("Sample study written to %s", target)
    return target
