"""Writing the sample study as a study folder (:func:`write_sample_study`) with its README."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods._io import replace_folder
from jtbd_methods._validation import check_int
from jtbd_methods.samples.design import (
    ACTIONS,
    CODER_A_FLIP,
    CODER_B_FLIP,
    ENGAGEMENT_MONTHLY_SD,
    ITEM_NOISE_SD,
    N_COMMENTS,
    N_HAND_CODED,
    N_PANEL,
    N_RESPONDENTS,
    P_EMPTY,
    P_IMPLICIT,
    P_ITEM_MISSING,
    P_NON_ENGLISH,
    P_RATING_MISSING,
    P_TYPO,
    SCALE_USE_SD,
    UNDERSERVED_SATISFACTION,
)
from jtbd_methods.samples.generate import (
    make_study,
)
from jtbd_methods.samples.model import (
    SampleStudy,
    SampleStudyExistsError,
    template_codebook_path,
)

log = logging.getLogger(__name__)


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
