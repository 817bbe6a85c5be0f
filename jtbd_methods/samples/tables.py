"""Drawing the tables of the sample study: staff, feedback, hand coding, survey, actions.

Each ``_make_*`` function takes its own random stream, so one table can change without
changing the others.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jtbd_methods.samples.design import (
    _ACTION_JOBS,
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
    SATISFACTION,
    SCALE_USE_SD,
    SEGMENTS,
    SERVICES,
    SITES,
    UNDERSERVED_SATISFACTION,
    WITHIN_UNIT_EFFECT,
)
from jtbd_methods.samples.phrases import (
    CLAUSES,
    CLOSERS,
    GENERIC_COMMENTS,
    NON_ENGLISH_COMMENTS,
    OPENERS,
)


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
