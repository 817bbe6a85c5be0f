"""Job discovery on real patient feedback: ``python -m benchmarks.realdata [CSV]``.

Runs the shipped default codebook over the real NHS comments of ``../shared/realdata/`` (a
development copy that lives beside the project, never inside it) and prints one JSON line of
figures. Nothing of the comments is printed: counts and shares only. When the file is absent
(a user's clone) it prints a line saying so and exits 0.

Figures (the targets of the job-discovery issue in brackets):

* ``coverage`` -- share of substantive comments (non-answers left out) with at least one
  job [>= 0.50];
* ``non_answer_share`` and ``non_answers_coded`` -- share of comments that are non-answers,
  and share of those that got a code [<= 0.15];
* ``polarity`` -- agreement of code polarity with the human reading, for codes of clearly
  positive comments (answers to "what did we do best?") and clearly negative ones (answers
  to "what could we improve?" with criticality 2 or 3), **with the question withheld from
  the coder** (``text_only``: polarity from the words alone, as on exports without a
  question column) and with it as a prior (``with_question``) [>= 0.85 on text only]; the
  share of codes left unclear;
* ``jobs`` -- per job: ``recall`` (of substantive comments whose human label maps to the
  job -- for feel_heard and gain_clarity the mapping's ``targets`` label sets -- the share
  coded with it) [>= 0.60 for feel_heard and gain_clarity]; ``related`` (of its codes on
  labelled comments, the share whose label lists the job: a lower bound, since a comment has
  one label) and ``related_loose`` (the share whose super-category is one of the job's
  related families) [>= 0.60];
* ``expansion`` -- the weakly supervised model (:func:`jtbd_methods.expand.expand_codes`):
  codes added, coverage with them, held-out precision per job; per job ``recall_with_model``
  and ``related_with_model``;
* ``seconds`` -- wall time of coding.

The mapping of the file's human categories to jobs is ``realdata_mapping.yaml`` beside this
file (category names are labels, not comments).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "realdata" / "nottshc_suce_2010_2012.csv.gz"
CODEBOOK = ROOT / "templates" / "codebooks" / "healthcare_recovery.yaml"
MAPPING = Path(__file__).with_name("realdata_mapping.yaml")
#: The two jobs the issue names, if the mapping file is missing.
FALLBACK_MAPPING = {
    "feel_heard": ["Being listened to"],
    "gain_clarity": [
        "Availability of information",
        "Quality of written information",
        "Advice/Support",
    ],
}
QUESTIONS = {"best": "positive", "improve": "negative"}


def load_mapping(path: Path = MAPPING) -> dict:
    """The mapping file: ``categories`` (label -> jobs), ``targets`` (job -> labels) and
    ``related_super_categories`` (job -> super-categories), see ``realdata_mapping.yaml``."""
    if not path.is_file():
        return {"categories": {}, "targets": dict(FALLBACK_MAPPING), "related_super_categories": {}}
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        "categories": {str(k): list(v or []) for k, v in (data.get("categories") or {}).items()},
        "targets": {str(k): list(v or []) for k, v in (data.get("targets") or {}).items()},
        "related_super_categories": {
            str(k): list(v or []) for k, v in (data.get("related_super_categories") or {}).items()
        },
    }


def _job_figures(codes, labels, supers, mapping, job_ids, substantive_ids) -> dict:
    """Recall per job (target label sets for the target jobs, else every label listing the
    job) and the strict and loose precision proxies of its codes on labelled comments."""
    import numpy as np

    out = {}
    labelled = labels.notna() & labels.index.isin(substantive_ids)
    for job_id in job_ids:
        coded = set(codes.loc[codes["job_id"] == job_id, "comment_id"])
        target = mapping["targets"].get(job_id)
        listed = [k for k, jobs in mapping["categories"].items() if job_id in jobs]
        wanted = target if target else listed
        entry: dict = {"n_coded": len(coded)}
        in_wanted = labelled & labels.isin(wanted)
        if in_wanted.any():
            entry["recall"] = round(float(np.isin(labels.index[in_wanted], list(coded)).mean()), 4)
            entry["n_labelled"] = int(in_wanted.sum())
        coded_labelled = [c for c in coded if labelled.get(c, False)]
        if coded_labelled and listed:
            entry["related"] = round(float(labels.loc[coded_labelled].isin(listed).mean()), 4)
        loose = mapping["related_super_categories"].get(job_id)
        if coded_labelled and loose:
            entry["related_loose"] = round(
                float(supers.loc[coded_labelled].isin(loose).mean()), 4
            )
        out[job_id] = entry
    return out


def evaluate(data_path: Path = DEFAULT_DATA) -> dict:
    import numpy as np
    import pandas as pd

    from jtbd_methods.codebook import load_codebook
    from jtbd_methods.coding import code_comments, compile_codebook
    from jtbd_methods.lexicon import non_answers

    raw = pd.read_csv(data_path)
    fb = pd.DataFrame(
        {
            "comment_id": raw["key_comment"].astype(str),
            "comment": raw["comment_txt"].fillna("").astype(str),
            "question": raw["comment_type"].astype(str),
        }
    )
    matcher = compile_codebook(load_codebook(CODEBOOK))
    t0 = time.perf_counter()
    text_only = code_comments(fb, matcher, rating=None, question=None)
    seconds = time.perf_counter() - t0
    with_question = code_comments(fb, matcher, rating=None, questions=QUESTIONS)

    non = non_answers(fb["comment"])
    ids = fb["comment_id"].to_numpy()
    coded_ids = set(text_only["comment_id"])
    is_coded = np.isin(ids, list(coded_ids))
    substantive = ~non
    out: dict = {
        "benchmark": "realdata",
        "file": data_path.name,
        "n_comments": int(len(fb)),
        "n_substantive": int(substantive.sum()),
        "coverage": round(float(is_coded[substantive].mean()), 4),
        "non_answer_share": round(float(non.mean()), 4),
        "non_answers_coded": round(float(is_coded[non].mean()) if non.any() else 0.0, 4),
        "seconds": round(seconds, 3),
    }
    # polarity against the human reading of clearly positive / negative comments
    crit = pd.to_numeric(raw["crit"], errors="coerce")
    expected = pd.Series(
        np.where(
            raw["comment_type"].eq("best"),
            "fulfilled",
            np.where(raw["comment_type"].eq("improve") & (crit >= 2), "disrupted", ""),
        ),
        index=fb["comment_id"],
    )
    polarity = {}
    for name, codes in (("text_only", text_only), ("with_question", with_question)):
        exp = expected.reindex(codes["comment_id"]).to_numpy()
        clear = exp != ""
        pol = codes["polarity"].to_numpy()
        known = clear & (pol != "unclear")
        polarity[name] = {
            "agreement": round(float((pol[known] == exp[known]).mean()), 4),
            "agreement_positive": round(
                float((pol[known & (exp == "fulfilled")] == "fulfilled").mean()), 4
            ),
            "agreement_negative": round(
                float((pol[known & (exp == "disrupted")] == "disrupted").mean()), 4
            ),
            "unclear_share": round(float((pol[clear] == "unclear").mean()), 4),
            "n_codes": int(clear.sum()),
        }
    out["polarity"] = polarity
    # per job: recall against mapped human labels and the precision proxies
    mapping = load_mapping()
    labels = pd.Series(
        (raw["super_category"].astype(str) + " / " + raw["category"].astype(str))
        .where(raw["category"].notna())
        .to_numpy(),
        index=fb["comment_id"],
    )
    supers = pd.Series(raw["super_category"].to_numpy(), index=fb["comment_id"])
    substantive_ids = set(ids[substantive])
    jobs = _job_figures(text_only, labels, supers, mapping, matcher.job_ids, substantive_ids)
    out["jobs"] = jobs
    # weak supervision: the model trained on phrase codes codes what phrases miss
    from jtbd_methods.expand import expand_codes

    t1 = time.perf_counter()
    expanded = expand_codes(fb, with_question, matcher, rating=None, questions=QUESTIONS)
    out["expansion"] = {
        "seconds": round(time.perf_counter() - t1, 3),
        "model_codes": expanded.n_model_codes,
        "coverage_with_model": round(
            float(np.isin(ids[substantive], list(set(expanded.codes["comment_id"]))).mean()), 4
        ),
        "heldout_precision": expanded.validation.set_index("job_id")["precision"]
        .round(3)
        .to_dict(),
    }
    with_model = _job_figures(
        expanded.codes, labels, supers, mapping, matcher.job_ids, substantive_ids
    )
    for job_id, entry in with_model.items():
        for key in ("recall", "related", "related_loose"):
            if key in entry:
                jobs[job_id][f"{key}_with_model"] = entry[key]
    out["mapping"] = "realdata_mapping.yaml" if MAPPING.is_file() else "fallback (two jobs)"
    out["targets"] = {
        job: {k: jobs[job].get(k) for k in ("recall", "related", "related_loose")}
        for job in ("feel_heard", "gain_clarity")
        if job in jobs
    }
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else DEFAULT_DATA
    if not path.is_file():
        print(json.dumps({"benchmark": "realdata", "skipped": f"{path} not found"}))
        return 0
    print(json.dumps(evaluate(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
