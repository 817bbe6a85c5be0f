"""Writing the sample study as a study folder (:func:`write_sample_study`) with its README."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import string
import tempfile
from importlib import resources
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


#: The README's text, with ``${name}`` fields for the numbers (:class:`string.Template`).
README_TEMPLATE = ("_data", "samples", "README.md.tmpl")


def _job_row(job: str, v: dict[str, Any]) -> str:
    d = f"{v['disruption_probability']:.2f}"
    if abs(v["expected_disruption_probability"] - v["disruption_probability"]) > 1e-9:
        d += f" before its action ({v['expected_disruption_probability']:.2f} over the period)"
    return (
        f"| `{job}` | {_fmt_pct(v['prevalence'])} | {d} | "
        f"{100 * v['expected_disrupted_share']:.1f}% | {v['positive_share_penalty_pp']:.0f} pp | "
        f"{v['rating_impact']:.2f} | {v['positive_share_bonus_pp']:.0f} pp | {v['priority']:.4f} |"
    )


def _action_row(action: dict[str, Any], e: dict[str, Any]) -> str:
    sites = "; ".join(action["sites"]) if action["sites"] else "all"
    if action["disruption_after"] is None:
        effect = "none (a planted null: the disruption probability does not change)"
    else:
        effect = (
            f"P(disrupted) {e['disruption_probability_before']:.2f} → "
            f"{e['disruption_probability_after']:.2f}, so the share of ratings 4–5 among "
            f"comments expressing the job rises by about "
            f"{e['expected_positive_share_change_pp']:.0f} pp"
            + (" at the pilot sites only" if action["sites"] else "")
            + f" (realised: {e['realised_positive_share_before_pp']:.0f}% → "
            f"{e['realised_positive_share_after_pp']:.0f}%)"
        )
    return (
        f"| {action['action_id']} ({action['description']}) | `{action['job_id']}` | "
        f"{action['started']} | {sites} | {effect} |"
    )


def _segment_row(s: dict[str, Any]) -> str:
    return (
        f"| {s['segment']} | {s['name']} | {_fmt_pct(s['planned_share'])} ({s['n_respondents']}) | "
        f"{', '.join(s['important_outcomes'])} | {', '.join(s['underserved_outcomes'])} | "
        f"+{s['satisfaction_gain_per_wave']:.2f} |"
    )


def _readme(study: SampleStudy) -> str:
    """The sample's README: the template's text with the planted and realised numbers."""
    t = study.truth
    rm = t["feedback"]["rating_model"]
    st = t["staff"]
    fields = {
        "seed": study.seed,
        "n_comments": f"{N_COMMENTS:,}",
        "n_respondents": f"{N_RESPONDENTS:,}",
        "n_panel": N_PANEL,
        "n_survey_rows": f"{t['survey']['n_rows']:,}",
        "p_empty": _fmt_pct(P_EMPTY),
        "p_non_english": _fmt_pct(P_NON_ENGLISH),
        "p_implicit": _fmt_pct(P_IMPLICIT),
        "p_typo": _fmt_pct(P_TYPO),
        "job_rows": "\n".join(
            _job_row(j, t["jobs"][j]) for j in t["expected_priority_ranking"]
        ),
        "base_positive": f"{rm['base_positive']:.2f}",
        "points_per_10pp": f"{rm['rating_points_per_unit_probability'] / 10:.3f}",
        "p_rating_missing": _fmt_pct(P_RATING_MISSING),
        "n_hand_coded": N_HAND_CODED,
        "coder_a_flip": _fmt_pct(CODER_A_FLIP),
        "coder_b_flip": _fmt_pct(CODER_B_FLIP),
        "n_identifiers": len(t["identifiers"]),
        "identifier_rows": "\n".join(
            f"| {d['comment_id']} | {d['kind']} | {d['value']} |" for d in t["identifiers"]
        ),
        "action_rows": "\n".join(_action_row(a, t["actions"][a["action_id"]]) for a in ACTIONS),
        "step_a01_pp": f"{t['time_effects']['overall_step_a01_pp']:.1f}",
        "step_a02_pp": f"{t['time_effects']['pilot_site_step_a02_pp']:.1f}",
        "item_noise_sd": ITEM_NOISE_SD,
        "scale_use_sd": SCALE_USE_SD,
        "p_item_missing": _fmt_pct(P_ITEM_MISSING),
        "underserved_satisfaction": UNDERSERVED_SATISFACTION,
        "segment_rows": "\n".join(_segment_row(s) for s in t["segments"]),
        "engagement_monthly_sd": ENGAGEMENT_MONTHLY_SD,
        "within_unit_effect_pp": f"{st['within_unit_effect_pp']:.0f}",
        "between_unit_effect_pp": f"{st['between_unit_effect_pp']:.0f}",
        "unit_rows": "\n".join(f"| {u} | {v:.2f} |" for u, v in st["unit_means"].items()),
    }
    text = resources.files("jtbd_methods").joinpath(*README_TEMPLATE).read_text(encoding="utf-8")
    return string.Template(text).substitute(fields)


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
