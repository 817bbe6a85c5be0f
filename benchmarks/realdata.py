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
* ``jobs`` -- per job: ``recall`` (of comments whose human category maps to the job, the
  share coded with it) [>= 0.60 for feel_heard and gain_clarity] and ``related`` (of
  comments coded with the job that carry any human category, the share whose category maps
  to it) [>= 0.60];
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


def load_mapping(path: Path = MAPPING) -> dict[str, list[str]]:
    """Job id -> the human categories that are evidence of it."""
    if not path.is_file():
        return dict(FALLBACK_MAPPING)
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    jobs = data.get("jobs", data)
    return {str(job): [str(c) for c in (cats or [])] for job, cats in jobs.items()}


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
    # per job: recall against mapped human categories, and the share of coded comments
    # (with a human category) whose category maps to the job
    mapping = load_mapping()
    category = pd.Series(raw["category"].to_numpy(), index=fb["comment_id"])
    has_category = category.notna()
    jobs = {}
    for job_id in matcher.job_ids:
        cats = mapping.get(job_id, [])
        coded_job = set(text_only.loc[text_only["job_id"] == job_id, "comment_id"])
        in_cats = category.isin(cats)
        entry: dict = {"n_coded": len(coded_job)}
        if cats and in_cats.any():
            labelled = category.index[in_cats]
            entry["recall"] = round(float(np.isin(labelled, list(coded_job)).mean()), 4)
            entry["n_labelled"] = int(in_cats.sum())
        coded_with_cat = [c for c in coded_job if has_category.get(c, False)]
        if cats and coded_with_cat:
            entry["related"] = round(float(category.loc[coded_with_cat].isin(cats).mean()), 4)
        jobs[job_id] = entry
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
    model = expanded.codes[expanded.codes["source"] == "model"]
    for job_id, cats in mapping.items():
        coded_job = set(model.loc[model["job_id"] == job_id, "comment_id"]) | set(
            text_only.loc[text_only["job_id"] == job_id, "comment_id"]
        )
        in_cats = category.isin(cats)
        if cats and in_cats.any() and job_id in jobs:
            labelled = category.index[in_cats]
            jobs[job_id]["recall_with_model"] = round(
                float(np.isin(labelled, list(coded_job)).mean()), 4
            )
            with_cat = [c for c in coded_job if has_category.get(c, False)]
            if with_cat:
                jobs[job_id]["related_with_model"] = round(
                    float(category.loc[with_cat].isin(cats).mean()), 4
                )
    out["mapping"] = "realdata_mapping.yaml" if MAPPING.is_file() else "fallback (two jobs)"
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
