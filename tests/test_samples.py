"""Tests of the synthetic sample study, the shipped codebook and the study skeleton.

The sample study is the answer key of every planted-truth test of the package, so these tests
check that (1) the generator is deterministic and the committed folder is exactly what it
writes, (2) the files follow the study-folder contract, and (3) every planted property holds
empirically in the generated data (with the TRUE labels), at stated tolerances.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import tomllib
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats.contingency import association
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler

from jtbd_methods import resources, samples
from jtbd_methods.codebook import load_codebook
from jtbd_methods.samples import phrases, writing
from jtbd_methods.samples import tables as sample_tables
from jtbd_methods.study import load_study, validate

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "samples" / "recovery_study"
# the sample is written against its own frozen 11-job codebook; the study skeleton ships the
# default codebook for real studies
TEMPLATE = REPO / "templates" / "codebooks" / "recovery_sample.yaml"
DEFAULT_CODEBOOK = REPO / "templates" / "codebooks" / "healthcare_recovery.yaml"
SKELETON = REPO / "templates" / "study"

JOB_IDS = (
    "reduce_fear",
    "feel_heard",
    "gain_clarity",
    "keep_routines",
    "trust_team",
    "manage_side_effects",
    "return_to_life",
    "follow_care_plan",
    "regain_self",
    "prevent_recurrence",
    "emotional_support",
)


# --------------------------------------------------------------------------- helpers


def _phrase_regex(phrase: str) -> str:
    """Indicator phrase -> regex: case-insensitive words on word boundaries, '*' = word chars."""
    words = [re.escape(w).replace(r"\*", r"\w*") for w in phrase.lower().split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def _job_patterns(codebook: dict) -> dict[str, re.Pattern[str]]:
    out = {}
    for job in codebook["jobs"]:
        phrases = [i if isinstance(i, str) else i["phrase"] for i in job["indicators"]]
        out[job["id"]] = re.compile("|".join(_phrase_regex(p) for p in phrases))
    return out


def _jobs_in(text: str, patterns: dict[str, re.Pattern[str]]) -> set[str]:
    low = text.lower()
    return {j for j, rx in patterns.items() if rx.search(low)}


def _diff_ci(x1: np.ndarray, x0: np.ndarray) -> tuple[float, float, float]:
    """Difference of two proportions (pp) with a 95% Wald interval."""
    p1, p0 = x1.mean(), x0.mean()
    se = np.sqrt(p1 * (1 - p1) / len(x1) + p0 * (1 - p0) / len(x0))
    d = p1 - p0
    return 100 * d, 100 * (d - 1.96 * se), 100 * (d + 1.96 * se)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def study() -> samples.SampleStudy:
    return samples.make_study(2026)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return samples.write_sample_study(
        tmp_path_factory.mktemp("sample") / "recovery_study", seed=2026
    )


@pytest.fixture(scope="module")
def codebook() -> dict:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default_codebook() -> dict:
    return yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rated_jobs(study: samples.SampleStudy) -> pd.DataFrame:
    """One row per (comment, true job) with the rating: the truth joined to feedback."""
    fb = study.feedback[["comment_id", "received", "site", "rating"]]
    out = fb.merge(study.comment_jobs, on="comment_id")
    out = out[out["rating"].notna()].copy()
    out["positive"] = (out["rating"] >= 4).astype(float)
    return out


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- determinism


def test_same_seed_writes_identical_bytes(written: Path, tmp_path: Path) -> None:
    (tmp_path / "again").mkdir()  # an existing empty folder is fine
    again = samples.write_sample_study(tmp_path / "again", seed=2026)
    assert again == tmp_path / "again"
    assert _files(again) == _files(written)
    for name in _files(written):
        assert (again / name).read_bytes() == (written / name).read_bytes(), name


def test_committed_sample_equals_generator_output(written: Path) -> None:
    if not COMMITTED.is_dir():
        pytest.skip("data/samples/recovery_study is absent: run 'jtbd sample-study' to create it")
    assert _files(COMMITTED) == _files(written)
    _, mismatch, errors = filecmp.cmpfiles(COMMITTED, written, _files(written), shallow=False)
    assert mismatch == [] and errors == [], (
        "the committed sample study drifted from write_sample_study(seed=2026); regenerate it "
        f"with 'jtbd sample-study data/samples/recovery_study --overwrite': {mismatch + errors}"
    )


def test_different_seed_gives_different_data(study: samples.SampleStudy) -> None:
    other = samples.make_study(7)
    assert not other.feedback["comment"].equals(study.feedback["comment"])
    assert not other.survey.equals(study.survey)
    assert not other.staff["engagement"].equals(study.staff["engagement"])
    # ...but the same design: same sizes and the same planted numbers
    assert len(other.feedback) == len(study.feedback)
    assert other.truth["expected_priority_ranking"] == study.truth["expected_priority_ranking"]


def test_make_study_does_not_depend_on_global_random_state(study: samples.SampleStudy) -> None:
    np.random.seed(99)  # noqa: NPY002 - the legacy global state must not matter
    again = samples.make_study(2026)
    for name in ("feedback", "second_coding", "survey", "staff", "comment_jobs", "segments"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(study, name))
    assert again.truth == study.truth


# --------------------------------------------------------------------------- sizes & contract


def test_sizes(study: samples.SampleStudy, written: Path) -> None:
    fb = study.feedback
    assert len(fb) == 4000
    assert fb["comment_id"].is_unique and fb["comment_id"].iloc[0] == "C00001"
    assert fb["received"].min() >= pd.Timestamp("2024-01-01")
    assert fb["received"].max() <= pd.Timestamp("2025-12-31")
    assert fb["received"].is_monotonic_increasing
    assert fb["site"].nunique() == 6 and fb["service"].nunique() == 4
    # binomial tolerances: +-4 standard errors around the planned shares
    kinds = study.comment_meta["kind"].value_counts(normalize=True)
    for kind, p in (("empty", 0.03), ("non_english", 0.02)):
        assert abs(kinds[kind] - p) < 4 * np.sqrt(p * (1 - p) / 4000), kind
    assert abs(fb["rating"].isna().mean() - 0.03) < 4 * np.sqrt(0.03 * 0.97 / 4000)
    assert (fb.loc[study.comment_meta["kind"].eq("empty").to_numpy(), "comment"] == "").all()
    coded = fb[[f"code_{j}" for j in JOB_IDS]].notna().all(axis=1)
    assert coded.sum() == 400
    assert set(study.second_coding["comment_id"]) == set(fb.loc[coded, "comment_id"])
    sv = study.survey
    assert len(sv) == 2000
    assert (sv["wave"] == 1).sum() == 1200
    assert (sv["wave"] == 2).sum() == 400 and (sv["wave"] == 3).sum() == 400
    assert set(sv.loc[sv["wave"] == 3, "respondent_id"]) == set(
        sv.loc[sv["wave"] == 2, "respondent_id"]
    )
    assert len(study.staff) == 6 * 24
    assert len(study.actions) == 3
    size = sum(p.stat().st_size for p in written.rglob("*") if p.is_file())
    assert size < 5_000_000
    summary = study.summary()
    assert list(summary.columns) == ["table", "n_rows", "n_columns"]
    assert summary.set_index("table").loc["feedback", "n_rows"] == 4000


def test_written_folder_follows_the_study_contract(written: Path) -> None:
    report = validate(written)
    assert report.ok, report.to_frame().to_string()
    assert report.warnings == ()
    s = load_study(written)
    assert s.config.name == "Recovery pathway study (synthetic sample)"
    assert s.config.organisation == "Northfield Health NHS Trust (fictional)"
    assert s.config.period_start == pd.Timestamp("2024-01-01")
    assert s.config.period_end == pd.Timestamp("2025-12-31")
    assert s.min_cell_size == 10 and s.config.redact is True
    assert s.config.redact_names == samples.REDACT_NAMES
    assert s.codebook is not None and s.codebook.job_ids == JOB_IDS
    assert list(s.feedback.columns[:6]) == [
        "comment_id",
        "received",
        "site",
        "service",
        "rating",
        "comment",
    ]
    assert s.feedback["rating"].dtype == "Int64"
    assert s.code_columns() == [f"code_{j}" for j in JOB_IDS]
    assert s.hand_coded().shape == (400, 2 + len(JOB_IDS))
    assert s.second_coding is not None and len(s.second_coding) == 400
    items = [c for c in s.survey.columns if c.startswith(("imp_", "sat_"))]
    assert len(items) == 32
    assert {c[4:] for c in items} <= set(s.codebook.outcome_ids)
    assert set(s.survey["diagnosis_group"]) == {
        "orthopaedic",
        "cardiac",
        "oncology",
        "general_surgery",
    }
    assert set(s.staff["unit"]) == set(s.feedback["site"])
    a = s.actions.set_index("action_id")
    assert a.loc["A01", "job_id"] == "gain_clarity" and a.loc["A01", "status"] == "completed"
    assert a.loc["A01", "started"] == pd.Timestamp("2025-01-06")
    assert a.loc["A01", "description"] == "Nurse-led follow-up call within 48 hours of discharge"
    assert a.loc["A02", "started"] == pd.Timestamp("2025-04-01")
    assert len(a.loc["A02", "sites"].split(";")) == 3
    assert set(a.loc["A02", "sites"].split(";")) <= set(s.feedback["site"])
    assert a.loc["A03", "status"] == "in progress" and a.loc["A03", "started"] == pd.Timestamp(
        "2025-09-01"
    )
    assert (written / "codebook.yaml").read_bytes() == TEMPLATE.read_bytes()
    truth = json.loads((written / "_truth" / "planted_truth.json").read_text(encoding="utf-8"))
    for key in ("jobs", "expected_priority_ranking", "actions", "segments", "staff", "identifiers"):
        assert key in truth
    cj = pd.read_csv(written / "_truth" / "comment_jobs.csv")
    assert list(cj.columns) == ["comment_id", "job_id", "polarity"]
    seg = pd.read_csv(written / "_truth" / "segments.csv")
    assert list(seg.columns) == ["respondent_id", "segment", "segment_name"]


def test_csv_files_are_utf8_with_unix_line_ends(written: Path) -> None:
    for p in written.glob("*.csv"):
        raw = p.read_bytes()
        raw.decode("utf-8")
        assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf"), p.name


# --------------------------------------------------------------------------- codebook


def test_codebook_structure(codebook: dict) -> None:
    assert {"name", "version", "description", "jobs", "outcomes"} <= set(codebook)
    assert tuple(j["id"] for j in codebook["jobs"]) == JOB_IDS
    for job in codebook["jobs"]:
        assert job["dimension"] in ("functional", "emotional", "social")
        assert job["stage"] in ("before_care", "during_care", "leaving_care", "after_treatment")
        assert re.match(
            r"^When I .+, I want to .+, so I can .+\.$", " ".join(job["statement"].split())
        ), job["id"]
        assert 15 <= len(job["indicators"]) <= 30, job["id"]
        for ind in job["indicators"]:
            if isinstance(ind, dict):
                assert set(ind) == {"phrase", "polarity"}
                assert ind["polarity"] in ("disrupted", "fulfilled")
            else:
                assert isinstance(ind, str) and ind.strip()
        assert len(job["root_cause_questions"]) >= 3
        assert set(job["barriers"]) == {"emotional", "functional"}
        assert all(len(v) >= 2 for v in job["barriers"].values())
        assert len(job["enablers"]) >= 3
    ids = [o["id"] for o in codebook["outcomes"]]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,31}", i) for i in ids)
    per_job = pd.Series([o["job_id"] for o in codebook["outcomes"]]).value_counts()
    assert set(per_job.index) == set(JOB_IDS)
    assert per_job.between(3, 6).all()
    assert all(o["text"].startswith(("Minimise", "Increase")) for o in codebook["outcomes"])
    # the package's own loader accepts it
    assert load_codebook(TEMPLATE).job_ids == JOB_IDS


def test_no_indicator_phrase_belongs_to_two_jobs(codebook: dict) -> None:
    phrases = {
        j["id"]: [i if isinstance(i, str) else i["phrase"] for i in j["indicators"]]
        for j in codebook["jobs"]
    }
    clashes = []
    for a, pa in phrases.items():
        for b, pb in phrases.items():
            if a == b:
                continue
            for p in pa:
                rx = re.compile(_phrase_regex(p))
                # a phrase of job a that matches inside a phrase of job b (wildcards expanded)
                clashes += [
                    (a, p, b, q)
                    for q in pb
                    if rx.search(q.lower().replace("*", ""))
                    or rx.search(q.lower().replace("*", "ed"))
                ]
    assert clashes == []


def test_phrase_banks_and_readme_template_are_package_data() -> None:
    # the texts are data files inside the package; pyproject's package-data must ship them
    folder = REPO / "jtbd_methods" / "_data" / "samples"
    shipped = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["jtbd_methods"]
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert {p.name for p in files} >= {"phrases.yaml", "README.md.tmpl"}
    for path in files:
        relative = path.relative_to(REPO / "jtbd_methods").as_posix()
        assert any(Path(relative).match(pattern) for pattern in shipped), relative
    assert (folder / phrases.PHRASES_FILE[-1]).is_file()
    assert (folder / writing.README_TEMPLATE[-1]).is_file()
    # the banks keep the file's order (the random draws depend on it) and are tuples
    text = (folder / "phrases.yaml").read_text(encoding="utf-8")
    assert list(samples.CLAUSES)[0] == "reduce_fear"
    assert samples.CLAUSES["reduce_fear"]["disrupted"][0] in text
    assert all(isinstance(b, tuple) for bank in samples.CLAUSES.values() for b in bank.values())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("- just a list\n", "expected a mapping with 'clauses'"),
        ("clauses:\n  job: {disrupted: [a]}\n", "clauses.job must have exactly the banks"),
        (
            "clauses:\n  job: {disrupted: [], fulfilled: [a], implicit_disrupted: [a],"
            " implicit_fulfilled: [a]}\n",
            "clauses.job.disrupted must be a non-empty list of texts",
        ),
        (
            "clauses:\n  job: {disrupted: [a], fulfilled: [a], implicit_disrupted: [a],"
            " implicit_fulfilled: [a]}\nopeners: [a]\ncloser: [a]\n",
            "closers must be a non-empty list of texts",
        ),
    ],
)
def test_malformed_phrase_banks_are_reported(text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        phrases._parse(text)


def test_clause_banks_use_only_their_own_jobs_indicators(codebook: dict) -> None:
    patterns = _job_patterns(codebook)
    problems = []
    for job, bank in samples.CLAUSES.items():
        for pol in ("disrupted", "fulfilled"):
            assert len(bank[pol]) >= 10, (job, pol)
            problems += [(job, pol, c) for c in bank[pol] if _jobs_in(c, patterns) != {job}]
        for pol in ("implicit_disrupted", "implicit_fulfilled"):
            problems += [(job, pol, c) for c in bank[pol] if _jobs_in(c, patterns)]
    neutral = (
        samples.OPENERS + samples.CLOSERS + samples.GENERIC_COMMENTS + samples.NON_ENGLISH_COMMENTS
    )
    problems += [("none", "neutral", c) for c in neutral if _jobs_in(c, patterns)]
    assert problems == []


# --------------------------------------------------------------------------- comments & truth


def test_planted_prevalences_hold_exactly(study: samples.SampleStudy) -> None:
    counts = study.comment_jobs["job_id"].value_counts()
    for j in JOB_IDS:
        p = samples.JOB_PLAN[j].prevalence
        assert 0.03 <= p <= 0.25
        assert counts[j] == round(p * 4000), j
        assert study.truth["jobs"][j]["prevalence"] == p
    assert len(set(samples.JOB_PLAN[j].prevalence for j in JOB_IDS)) == len(JOB_IDS)
    # the three jobs with actions never share a comment
    tracked = study.comment_jobs[
        study.comment_jobs["job_id"].isin(["gain_clarity", "feel_heard", "keep_routines"])
    ]
    assert tracked["comment_id"].is_unique
    # several jobs in one comment happen
    assert (study.comment_meta["n_jobs"] >= 2).mean() > 0.2
    # comments without jobs: empty, non-English or generic
    meta = study.comment_meta.set_index("comment_id")
    no_job = meta["n_jobs"] == 0
    assert set(meta.loc[no_job, "kind"]) == {"empty", "non_english", "generic"}
    assert (meta.loc[~no_job, "kind"] == "job").all()


def test_comments_are_mostly_but_not_always_codable(
    study: samples.SampleStudy, codebook: dict
) -> None:
    """Indicator phrases cover most true mentions; typos and paraphrases leave some out."""
    patterns = _job_patterns(codebook)
    found = {
        c: _jobs_in(t, patterns)
        for c, t in zip(study.feedback["comment_id"], study.feedback["comment"], strict=True)
    }
    hit = np.array(
        [
            j in found[c]
            for c, j in zip(
                study.comment_jobs["comment_id"], study.comment_jobs["job_id"], strict=True
            )
        ]
    )
    assert 0.93 <= hit.mean() <= 0.995
    # no indicator of a job that the comment does not express (comment text is clean)
    true = study.comment_jobs.groupby("comment_id")["job_id"].agg(set).to_dict()
    false_hits = sum(len(found[c] - true.get(c, set())) for c in found)
    assert false_hits <= 20
    meta = study.comment_meta
    english = meta["kind"].isin(["job", "generic"])
    assert 0.03 <= (meta.loc[english, "typo"] != "").mean() <= 0.07
    assert (meta.loc[meta["kind"].isin(["empty", "non_english"]), "typo"] == "").all()
    # negated phrasing is present (e.g. "not dismissive" as feel_heard fulfilled)
    assert study.feedback["comment"].str.contains(r"\bnot dismissive\b", case=False).any()
    assert (
        study.feedback["comment"]
        .str.contains(r"\bno one explained what happens next\b", case=False)
        .any()
    )


def test_hand_coding_disagreement_is_realistic(study: samples.SampleStudy) -> None:
    fb = study.feedback
    coded = fb[[f"code_{j}" for j in JOB_IDS]].notna().all(axis=1)
    a = fb.loc[coded, [f"code_{j}" for j in JOB_IDS]].astype(int).to_numpy()
    b = study.second_coding.set_index("comment_id").loc[fb.loc[coded, "comment_id"]].to_numpy()
    truth = np.zeros_like(a)
    row = {c: i for i, c in enumerate(fb.loc[coded, "comment_id"])}
    for c, j in zip(study.comment_jobs["comment_id"], study.comment_jobs["job_id"], strict=True):
        if c in row:
            truth[row[c], JOB_IDS.index(j)] = 1
    # Krippendorff's alpha (nominal) from the reference implementation, the `krippendorff`
    # package (Castro, github.com/pln-fing-udelar/fast-krippendorff), over all cells
    alpha = krippendorff.alpha(
        reliability_data=np.vstack([a.ravel(), b.ravel()]), level_of_measurement="nominal"
    )
    assert 0.70 <= alpha <= 0.85
    # coder A is close to the truth, coder B further away
    miss_a = ((truth == 1) & (a == 0)).sum() / truth.sum()
    miss_b = ((truth == 1) & (b == 0)).sum() / truth.sum()
    assert miss_a < 0.07 and 0.08 < miss_b < 0.25
    assert (a != truth).mean() < (b != truth).mean()


def test_planted_identifiers(study: samples.SampleStudy) -> None:
    fb = study.feedback.set_index("comment_id")["comment"]
    ids = study.truth["identifiers"]
    kinds = pd.Series([d["kind"] for d in ids]).value_counts()
    assert set(kinds.index) == {"nhs_number", "phone", "email", "postcode", "name"}
    for d in ids:
        assert d["value"] in fb[d["comment_id"]]
        if d["kind"] == "nhs_number":
            digits = d["value"].replace(" ", "")
            assert len(digits) == 10 and sample_tables._nhs_check_digit(digits[:9]) == int(digits[9])
        if d["kind"] == "name":
            assert d["value"] in study.config["redact_names"]
    assert set(study.config["redact_names"]) == {d["value"] for d in ids if d["kind"] == "name"}


def test_nhs_check_digit_reference() -> None:
    # NHS Data Dictionary, "NHS Number": 943 476 5919 is the documented valid example.
    # weights 10..2 on 9,4,3,4,7,6,5,9,1: 90+36+24+28+42+30+20+27+2 = 299; 299 mod 11 = 2;
    # 11 - 2 = 9 = the tenth digit
    assert sample_tables._nhs_check_digit("943476591") == 9
    # remainder 1 gives check 10: invalid (never issued); 000000006 -> sum 6 x 2 = 12, 12 mod 11 = 1
    assert sample_tables._nhs_check_digit("000000006") is None
    # remainder 0 gives check 11 -> 0
    assert sample_tables._nhs_check_digit("000000000") == 0


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_generated_nhs_numbers_are_valid(seed: int) -> None:
    n = sample_tables._nhs_number(np.random.default_rng(seed))
    assert len(n) == 10 and n.isdigit() and n[0] != "0"
    assert sample_tables._nhs_check_digit(n[:9]) == int(n[9])


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="abcdefghij .,'", min_size=0, max_size=60), st.integers(0, 2**16))
def test_typo_changes_one_word(text: str, seed: int) -> None:
    out, word = sample_tables._typo(np.random.default_rng(seed), text)
    if word == "":
        assert out == text
    else:
        assert len(word) >= 4 and out != text
        assert abs(len(out) - len(text)) <= 1
        assert out.split() != text.split()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40), st.integers(0, 2**16))
def test_systematic_draw_keeps_cell_totals(p: list[float], seed: int) -> None:
    probs = np.array(p)
    cells = np.array(["a", "b"] * len(p))[: len(p)]
    month = pd.DatetimeIndex([pd.Timestamp("2024-01-01")] * len(p))
    draw = sample_tables._systematic_draw(np.random.default_rng(seed), probs, cells, month)
    assert draw.dtype == bool
    assert not draw[probs == 0].any() and draw[probs == 1].all()
    for c in np.unique(cells):
        total = probs[cells == c].sum()
        assert np.floor(total) - 1e-9 <= draw[cells == c].sum() <= np.ceil(total) + 1e-9


def test_systematic_draw_has_the_planted_marginal_probabilities() -> None:
    rng = np.random.default_rng(1)
    p = np.array([0.1, 0.5, 0.9, 0.3])
    reps = 4000
    cells = np.repeat(np.arange(reps).astype(str), len(p))  # 4,000 cells of the same 4 comments
    month = pd.DatetimeIndex([pd.Timestamp("2024-01-01")] * (reps * len(p)))
    draws = sample_tables._systematic_draw(rng, np.tile(p, reps), cells, month).reshape(reps, len(p))
    # +-4 binomial standard errors
    assert np.all(np.abs(draws.mean(0) - p) < 4 * np.sqrt(p * (1 - p) / 4000))


# --------------------------------------------------------------------------- ratings


def _disruption_matrix(study: samples.SampleStudy) -> np.ndarray:
    pos = {c: i for i, c in enumerate(study.feedback["comment_id"])}
    d = np.zeros((len(study.feedback), len(JOB_IDS)))
    dis = study.comment_jobs[study.comment_jobs["polarity"] == "disrupted"]
    for c, j in zip(dis["comment_id"], dis["job_id"], strict=True):
        d[pos[c], JOB_IDS.index(j)] = 1.0
    return d


def test_planted_probability_model_has_the_planted_penalties(study: samples.SampleStudy) -> None:
    """Regressing the planted P(4-5) on disruption indicators returns the penalties.

    Only the fulfilment bonuses of the comparison group and the clipping move the estimates,
    by less than 2 pp.
    """
    d = _disruption_matrix(study)
    fit = sm.OLS(study.comment_meta["p_positive"].to_numpy(), sm.add_constant(d)).fit()
    planted = np.array([samples.JOB_PLAN[j].penalty for j in JOB_IDS])
    np.testing.assert_allclose(-fit.params[1:], planted, atol=0.02)


def test_rating_impacts_are_recovered_by_regression(study: samples.SampleStudy) -> None:
    d = _disruption_matrix(study)
    ok = study.feedback["rating"].notna().to_numpy()
    y = study.feedback["rating"].to_numpy(dtype=float, na_value=np.nan)[ok]
    fit = sm.OLS(y, sm.add_constant(d[ok])).fit(cov_type="HC3")
    ci = np.asarray(fit.conf_int(0.05))
    n_disrupted = d.sum(0)
    for k, j in enumerate(JOB_IDS):
        planted = study.truth["jobs"][j]["rating_impact"]
        assert planted == pytest.approx(samples.JOB_PLAN[j].penalty * 2.45)
        assert study.truth["jobs"][j]["realised_rating_impact"] == pytest.approx(
            -fit.params[k + 1], abs=1e-4
        )
        # jobs with enough disrupted comments for a precise estimate: planted inside the CI
        if n_disrupted[k] >= 150:
            assert -ci[k + 1, 1] <= planted <= -ci[k + 1, 0], j
    ranking = study.truth["expected_priority_ranking"]
    assert ranking[:3] == ["gain_clarity", "feel_heard", "trust_team"]
    assert study.truth["realised_priority_ranking"][:8] == ranking[:8]
    priorities = [study.truth["jobs"][j]["priority"] for j in ranking]
    assert all(a > b for a, b in zip(priorities, priorities[1:], strict=False))


def test_a01_step_on_gain_clarity(study: samples.SampleStudy, rated_jobs: pd.DataFrame) -> None:
    r = rated_jobs[rated_jobs["job_id"] == "gain_clarity"]
    after = r["received"] >= pd.Timestamp("2025-01-06")
    d, lo, hi = _diff_ci(r.loc[after, "positive"].to_numpy(), r.loc[~after, "positive"].to_numpy())
    expected = study.truth["actions"]["A01"]["expected_positive_share_change_pp"]
    assert expected == pytest.approx(25, abs=1)
    assert lo <= expected <= hi and lo > 0
    # mean rating of the job rises too
    assert r.loc[after, "rating"].mean() > r.loc[~after, "rating"].mean() + 0.4


def test_a02_effect_only_at_pilot_sites(
    study: samples.SampleStudy, rated_jobs: pd.DataFrame
) -> None:
    pilot_sites = samples.ACTIONS[1]["sites"]
    r = rated_jobs[rated_jobs["job_id"] == "feel_heard"].copy()
    r["pilot"] = r["site"].isin(pilot_sites).astype(float)
    r["after"] = (r["received"] >= pd.Timestamp("2025-04-01")).astype(float)
    expected = study.truth["actions"]["A02"]["expected_positive_share_change_pp"]
    assert expected == pytest.approx(15, abs=1)
    p = r[r["pilot"] == 1]
    d, lo, hi = _diff_ci(
        p.loc[p["after"] == 1, "positive"].to_numpy(), p.loc[p["after"] == 0, "positive"].to_numpy()
    )
    assert lo <= expected <= hi and lo > 0
    e = r[r["pilot"] == 0]
    d, lo, hi = _diff_ci(
        e.loc[e["after"] == 1, "positive"].to_numpy(), e.loc[e["after"] == 0, "positive"].to_numpy()
    )
    assert lo <= 0 <= hi
    # difference-in-differences (linear probability model, HC3)
    fit = smf.ols("positive ~ pilot * after", data=r).fit(cov_type="HC3")
    lo, hi = 100 * fit.conf_int().loc["pilot:after"]
    assert lo <= expected <= hi


def test_a03_is_a_null(study: samples.SampleStudy, rated_jobs: pd.DataFrame) -> None:
    r = rated_jobs[rated_jobs["job_id"] == "keep_routines"]
    after = r["received"] >= pd.Timestamp("2025-09-01")
    d, lo, hi = _diff_ci(r.loc[after, "positive"].to_numpy(), r.loc[~after, "positive"].to_numpy())
    assert lo <= 0 <= hi
    assert study.truth["actions"]["A03"]["expected_positive_share_change_pp"] == 0


def test_other_jobs_have_no_step(rated_jobs: pd.DataFrame) -> None:
    # a job with no action and no shared comments with gain_clarity/feel_heard keeps its
    # disruption rate, so its disrupted share does not move at the action dates
    fb = rated_jobs[rated_jobs["job_id"] == "trust_team"]
    after = fb["received"] >= pd.Timestamp("2025-01-06")
    x1 = (fb.loc[after, "polarity"] == "disrupted").to_numpy(float)
    x0 = (fb.loc[~after, "polarity"] == "disrupted").to_numpy(float)
    d, lo, hi = _diff_ci(x1, x0)
    assert lo <= 0 <= hi


# --------------------------------------------------------------------------- staff


def test_staff_engagement_design(study: samples.SampleStudy) -> None:
    s = study.staff
    assert s["engagement"].between(0, 10).all()
    assert s["respondents"].between(15, 60).all()
    assert (s["period"] == s["period"].dt.to_period("M").dt.to_timestamp()).all()
    means = s.groupby("unit")["engagement"].mean()
    assert means.max() - means.min() > 2
    within_sd = (s["engagement"] - s.groupby("unit")["engagement"].transform("mean")).std()
    assert 0.6 <= within_sd <= 1.0


def test_engagement_effects_are_recovered(study: samples.SampleStudy) -> None:
    fb = study.feedback[study.feedback["rating"].notna()].copy()
    fb["period"] = fb["received"].dt.to_period("M").dt.to_timestamp()
    fb["positive"] = (fb["rating"] >= 4).astype(float)
    um = (
        fb.groupby(["site", "period"])
        .agg(positive=("positive", "mean"), n=("positive", "size"))
        .reset_index()
        .merge(study.staff.rename(columns={"unit": "site"}), on=["site", "period"])
    )
    um["unit_mean"] = um.groupby("site")["engagement"].transform("mean")
    um["within"] = um["engagement"] - um["unit_mean"]
    um["between"] = um["unit_mean"] - um.groupby("site")["unit_mean"].first().mean()
    # within- and between-unit components (group-mean centring; Enders & Tofighi 2007)
    fit = smf.wls("positive ~ within + between", data=um, weights=um["n"]).fit()
    ci = 100 * fit.conf_int()
    assert ci.loc["within", 0] <= 3.0 <= ci.loc["within", 1] and ci.loc["within", 0] > 0
    assert ci.loc["between", 0] <= 5.0 <= ci.loc["between", 1] and ci.loc["between", 0] > 0
    assert study.truth["staff"]["within_unit_effect_pp"] == 3.0
    assert study.truth["staff"]["between_unit_effect_pp"] == 5.0


# --------------------------------------------------------------------------- survey


def test_segments_are_recoverable_and_cut_across_diagnoses(study: samples.SampleStudy) -> None:
    sv = study.survey[study.survey["wave"] == 1].reset_index(drop=True)
    items = [c for c in sv.columns if c.startswith(("imp_", "sat_"))]
    x = sv[items].astype(float)
    z = StandardScaler().fit_transform(x.fillna(x.median()))
    truth = study.segments.set_index("respondent_id").loc[sv["respondent_id"], "segment"].to_numpy()
    labels = {k: KMeans(k, n_init=3, random_state=0).fit_predict(z) for k in (3, 4, 5)}
    assert adjusted_rand_score(truth, labels[4]) >= 0.8
    sil = {k: silhouette_score(z, lab) for k, lab in labels.items()}
    assert max(sil, key=sil.get) == 4
    sizes = pd.Series(truth).value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(sizes.to_numpy(), [0.35, 0.25, 0.22, 0.18], atol=0.002)
    v = association(pd.crosstab(truth, sv["diagnosis_group"]).to_numpy(), method="cramer")
    assert v < 0.3
    for seg in range(1, 5):
        assert set(sv.loc[truth == seg, "diagnosis_group"]) == {
            "orthopaedic",
            "cardiac",
            "oncology",
            "general_surgery",
        }


def test_underserved_outcomes_stand_out_per_segment(study: samples.SampleStudy) -> None:
    sv = study.survey[study.survey["wave"] == 1]
    seg = study.segments.set_index("respondent_id")["segment"]
    outcomes = list(samples.IMPORTANCE)
    for spec in samples.SEGMENTS:
        sub = sv[sv["respondent_id"].map(seg) == spec["segment"]]
        # top-two-box importance and satisfaction on a 0-10 scale, opportunity = imp + max(imp - sat, 0)
        imp = {o: 10 * (sub[f"imp_{o}"].dropna() >= 4).mean() for o in outcomes}
        sat = {o: 10 * (sub[f"sat_{o}"].dropna() >= 4).mean() for o in outcomes}
        opp = {o: imp[o] + max(imp[o] - sat[o], 0.0) for o in outcomes}
        top = sorted(outcomes, key=lambda o: -opp[o])[: len(spec["underserved"])]
        assert set(top) == set(spec["underserved"]), spec["name"]
        assert min(opp[o] for o in spec["underserved"]) > 15
    truth = {s["name"]: s["underserved_outcomes"] for s in study.truth["segments"]}
    assert truth["back to work fast"] == ["return_to_work_time", "manage_fatigue_daily"]


def test_survey_missingness_and_waves(study: samples.SampleStudy) -> None:
    sv = study.survey
    items = [c for c in sv.columns if c.startswith(("imp_", "sat_"))]
    rates = sv[items].isna().mean()
    assert rates.between(0.015, 0.05).all()
    assert sv["overall_satisfaction"].notna().all()
    assert sv[items].stack().between(1, 5).all()
    seg = study.segments.set_index("respondent_id")["segment"]
    means = (
        sv.assign(segment=sv["respondent_id"].map(seg))
        .groupby(["segment", "wave"])["overall_satisfaction"]
        .mean()
        .unstack()
    )
    for spec in samples.SEGMENTS:
        gain = means.loc[spec["segment"], 3] - means.loc[spec["segment"], 1]
        if spec["wave_gain"] >= 0.2:
            assert gain > 0.3, spec["name"]
        else:
            assert abs(gain) < 0.3, spec["name"]


# --------------------------------------------------------------------------- errors


def test_make_study_rejects_bad_seed() -> None:
    with pytest.raises(ValueError, match="'seed' parameter of make_study"):
        samples.make_study(-1)
    with pytest.raises(TypeError, match="'seed' parameter of make_study must be an integer"):
        samples.make_study("2026")  # type: ignore[arg-type]


def test_write_refuses_to_clobber(tmp_path: Path) -> None:
    user = tmp_path / "user_folder"
    user.mkdir()
    (user / "notes.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(samples.SampleStudyExistsError, match="already exists and is not empty"):
        samples.write_sample_study(user)
    with pytest.raises(samples.SampleStudyExistsError, match="is not a sample study"):
        samples.write_sample_study(user, overwrite=True)
    assert (user / "notes.txt").read_text(encoding="utf-8") == "precious"
    afile = tmp_path / "file.csv"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(samples.SampleStudyExistsError, match="is not a folder"):
        samples.write_sample_study(afile)
    with pytest.raises(TypeError, match="'overwrite' parameter of write_sample_study"):
        samples.write_sample_study(tmp_path / "new", overwrite="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'seed' parameter of write_sample_study"):
        samples.write_sample_study(tmp_path / "new", seed=-5)
    assert not (tmp_path / "new").exists()


def test_overwrite_replaces_a_sample_study(written: Path, tmp_path: Path) -> None:
    target = tmp_path / "study"
    shutil.copytree(written, target)
    (target / "stale.txt").write_text("old", encoding="utf-8")
    samples.write_sample_study(target, seed=2026, overwrite=True)
    assert not (target / "stale.txt").exists()
    assert _files(target) == _files(written)
    assert [p.name for p in tmp_path.iterdir()] == ["study"]  # no temporary folders left


def test_missing_template_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # a checkout without templates/ and no package data: nothing to find
    monkeypatch.setattr(resources, "_CHECKOUT", tmp_path)
    with pytest.raises(FileNotFoundError, match="recovery_sample.yaml was not found"):
        samples.template_codebook_path()


# --------------------------------------------------------------------------- study skeleton


def test_skeleton_files(default_codebook: dict) -> None:
    expected = {
        "study.yaml",
        "codebook.yaml",
        "feedback.csv",
        "survey.csv",
        "staff.csv",
        "actions.csv",
        "GUIDE.md",
    }
    assert expected <= {p.name for p in SKELETON.iterdir()}
    assert (SKELETON / "codebook.yaml").read_bytes() == DEFAULT_CODEBOOK.read_bytes()
    headers = {p.stem: p.read_text(encoding="utf-8").splitlines() for p in SKELETON.glob("*.csv")}
    assert all(len(lines) == 1 for lines in headers.values())
    assert headers["feedback"][0] == "comment_id,received,site,service,rating,comment"
    assert headers["staff"][0] == "unit,period,engagement,respondents"
    assert headers["actions"][0] == "action_id,job_id,description,owner,started,status,sites"
    cols = headers["survey"][0].split(",")
    outcomes = [o["id"] for o in default_codebook["outcomes"]]
    assert cols == (
        ["respondent_id", "wave", "site", "diagnosis_group"]
        + [f"imp_{o}" for o in outcomes]
        + [f"sat_{o}" for o in outcomes]
        + ["overall_satisfaction"]
    )
    config = yaml.safe_load((SKELETON / "study.yaml").read_text(encoding="utf-8"))
    assert {
        "name",
        "organisation",
        "period",
        "min_cell_size",
        "codebook",
        "redact",
        "redact_names",
    } <= set(config)
    text = (SKELETON / "study.yaml").read_text(encoding="utf-8")
    for key in config:
        assert re.search(rf"^# {key}:", text, flags=re.MULTILINE), (
            f"study.yaml does not explain '{key}'"
        )


def test_guide_has_an_item_pair_for_every_outcome(default_codebook: dict) -> None:
    guide = (SKELETON / "GUIDE.md").read_text(encoding="utf-8")
    for o in default_codebook["outcomes"]:
        row = re.search(
            rf"^\| `{o['id']}` \| (How important [^|]+\?) \| (How satisfied [^|]+\?) \|$",
            guide,
            flags=re.MULTILINE,
        )
        assert row, o["id"]
    for cmd in ("jtbd validate", "jtbd run all"):
        assert cmd in guide


def test_skeleton_validates_once_a_row_is_added(tmp_path: Path) -> None:
    study = tmp_path / "new_study"
    shutil.copytree(SKELETON, study)
    for name in ("survey.csv", "staff.csv", "actions.csv"):
        (study / name).unlink()
    with open(study / "feedback.csv", "a", encoding="utf-8") as fh:
        fh.write("C1,2025-03-01,Site A,Cardiology,4,The nurse explained everything.\n")
    report = validate(study)
    assert report.ok, report.to_frame().to_string()
    assert report.study is not None and report.study.codebook is not None
