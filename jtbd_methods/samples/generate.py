"""Building the sample study from one seed, with the truth it realises (:func:`make_study`)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import yaml

from jtbd_methods._validation import check_int
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
    P_CLIP,
    P_EMPTY,
    P_FIVE_GIVEN_POSITIVE,
    P_IMPLICIT,
    P_ITEM_MISSING,
    P_NEGATIVE_RATINGS,
    P_NON_ENGLISH,
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
)
from jtbd_methods.samples.model import (
    SampleStudy,
    template_codebook_path,
)
from jtbd_methods.samples.tables import (
    _engagement_terms,
    _hand_coding,
    _make_actions,
    _make_feedback,
    _make_staff,
    _make_survey,
)

log = logging.getLogger(__name__)


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
