"""Outcome opportunity scores (Ulwick's opportunity algorithm) with bootstrap intervals.

A desired-outcome survey asks every respondent, for each outcome, how *important* it is and
how *satisfied* they are with how well their care gets it done (1-5 Likert). Outcome-Driven
Innovation (ODI) turns the answers into three scores per outcome:

* importance = 10 x (share of respondents answering in the top boxes of importance),
* satisfaction = 10 x (share answering in the top boxes of satisfaction),
* opportunity = importance + max(importance - satisfaction, 0),

so importance and satisfaction lie in [0, 10] and opportunity in [0, 20]. Outcomes that
matter to many patients and that few of them feel are done well score highest: these are
the *underserved* outcomes, where service improvement pays off most.

References
----------
.. [1] Ulwick, A. W. (2005). *What Customers Want: Using Outcome-Driven Innovation to Create
   Breakthrough Products and Services*. McGraw-Hill.
.. [2] Ulwick, A. W., & Bettencourt, L. A. (2008). Giving customers a fair hearing. *MIT Sloan
   Management Review*, 49(3), 62-68.
.. [3] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
   Hall, ch. 13 (percentile intervals).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import check_fraction, check_int, require_columns, require_dataframe
from jtbd_methods.privacy import suppress_small

__all__ = [
    "CLASSIFICATIONS",
    "classify_opportunity",
    "headlines",
    "opportunity_scores",
    "outcome_ids_in",
]

logger = logging.getLogger(__name__)

_CALLER = "opportunity_scores()"

#: Classes of :func:`classify_opportunity`, from most to least in need of improvement.
CLASSIFICATIONS: tuple[str, ...] = (
    "extremely underserved",
    "underserved",
    "appropriately served",
    "served",
    "overserved",
)

# Bootstrap replicates are drawn in blocks so that the (replicates x respondents) count
# matrix stays below this many cells, whatever the size of the survey.
_MAX_CELLS = 4_000_000


def outcome_ids_in(
    survey: pd.DataFrame,
    *,
    importance_prefix: str = "imp_",
    satisfaction_prefix: str = "sat_",
) -> list[str]:
    """Outcome ids that have both an importance and a satisfaction column, in column order.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey table with ``imp_<outcome_id>`` and ``sat_<outcome_id>`` columns.
    importance_prefix, satisfaction_prefix : str, default ``"imp_"`` and ``"sat_"``
        Prefixes of the importance and satisfaction items.

    Returns
    -------
    list of str
        Outcome ids in the order of their importance columns. Importance items without a
        satisfaction partner (or the reverse) are left out with a logged warning.

    Examples
    --------
    >>> df = pd.DataFrame({"imp_a": [5], "sat_a": [2], "imp_b": [4], "sat_b": [4]})
    >>> outcome_ids_in(df)
    ['a', 'b']
    """
    require_dataframe(survey, parameter="survey", caller="outcome_ids_in()")
    columns = [str(c) for c in survey.columns]
    imp = [c[len(importance_prefix) :] for c in columns if c.startswith(importance_prefix)]
    sat = {c[len(satisfaction_prefix) :] for c in columns if c.startswith(satisfaction_prefix)}
    ids = [o for o in imp if o in sat]
    unpaired = sorted(set(imp) ^ sat)
    if unpaired:
        logger.warning(
            "Outcomes without both an importance and a satisfaction column are left out: %s",
            ", ".join(unpaired),
        )
    return ids


def classify_opportunity(opportunity, importance, satisfaction) -> np.ndarray:
    """Classify outcomes by opportunity score with the ODI thresholds.

    Parameters
    ----------
    opportunity, importance, satisfaction : array-like of float
        Scores on ODI's scales (opportunity 0-20, importance and satisfaction 0-10),
        broadcast together.

    Returns
    -------
    numpy.ndarray of object
        One of :data:`CLASSIFICATIONS` per element, ``None`` where a score is missing.

    Notes
    -----
    Thresholds after Ulwick (2005) [1]_, also published as Strategyn's guidance on reading
    opportunity scores:

    ========================  ===========================================================
    class                     rule
    ========================  ===========================================================
    extremely underserved     opportunity > 15 (an opportunity not to be ignored)
    underserved               12 <= opportunity <= 15 ("low-hanging fruit")
    appropriately served      10 <= opportunity < 12 (worth considering)
    overserved                opportunity < 10 and satisfaction > importance
    served                    opportunity < 10 otherwise (unattractive to invest in)
    ========================  ===========================================================

    An outcome whose satisfaction exceeds its importance always has
    opportunity = importance < 10, so the overserved rule never conflicts with the bands
    above it. The published bands are stated as "between 12 and 15" and "between 10 and 12";
    the boundaries are assigned here to the band above (15 itself is *underserved*, because
    the top band is "greater than 15").

    References
    ----------
    .. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill.

    Examples
    --------
    >>> classify_opportunity([16.0, 13.0, 11.0, 8.0, 4.0], [9, 7, 6, 5, 4], [2, 1, 1, 3, 6]).tolist()
    ['extremely underserved', 'underserved', 'appropriately served', 'served', 'overserved']
    """
    o, i, s = np.broadcast_arrays(
        np.asarray(opportunity, dtype=float),
        np.asarray(importance, dtype=float),
        np.asarray(satisfaction, dtype=float),
    )
    out = np.full(o.shape, None, dtype=object)
    known = np.isfinite(o) & np.isfinite(i) & np.isfinite(s)
    out[known & (o > 15)] = "extremely underserved"
    out[known & (o >= 12) & (o <= 15)] = "underserved"
    out[known & (o >= 10) & (o < 12)] = "appropriately served"
    low = known & (o < 10)
    out[low & (s > i)] = "overserved"
    out[low & ~(s > i)] = "served"
    return out


def _resolve_outcomes(
    survey: pd.DataFrame, outcomes: Any, importance_prefix: str, satisfaction_prefix: str
) -> tuple[list[str], dict[str, str]]:
    """Outcome ids to score and a mapping outcome id -> job id (where known)."""
    job_of: dict[str, str] = {}
    if outcomes is None:
        ids = outcome_ids_in(
            survey, importance_prefix=importance_prefix, satisfaction_prefix=satisfaction_prefix
        )
    else:
        items = getattr(outcomes, "outcomes", outcomes)  # a Codebook gives its outcomes
        if hasattr(outcomes, "outcomes") and not isinstance(outcomes, (list, tuple)):
            # a codebook may describe outcomes this survey did not ask about: keep the asked
            present = set(
                outcome_ids_in(
                    survey,
                    importance_prefix=importance_prefix,
                    satisfaction_prefix=satisfaction_prefix,
                )
            )
            absent = [o.id for o in items if o.id not in present]
            if absent:
                logger.info(
                    "%s: codebook outcomes without survey items are left out: %s",
                    _CALLER,
                    ", ".join(absent),
                )
            items = [o for o in items if o.id in present]
        if isinstance(items, str) or not isinstance(items, Iterable):
            raise TypeError(
                f"The 'outcomes' parameter of {_CALLER} must be None, a list of outcome ids, "
                f"a list of Outcome objects or a Codebook; got {type(outcomes).__name__}."
            )
        ids = []
        for item in items:
            oid = getattr(item, "id", item)
            if not isinstance(oid, str):
                raise TypeError(
                    f"The 'outcomes' parameter of {_CALLER} must hold outcome ids (str) or "
                    f"Outcome objects; got {item!r}."
                )
            ids.append(oid)
            job = getattr(item, "job_id", None)
            if job is not None:
                job_of[oid] = str(job)
        if len(set(ids)) != len(ids):
            raise ValueError(f"The 'outcomes' parameter of {_CALLER} lists an outcome twice.")
        wanted = [f"{p}{o}" for o in ids for p in (importance_prefix, satisfaction_prefix)]
        require_columns(survey, wanted, name="survey", caller=_CALLER)
    if not ids:
        raise ValueError(
            f"{_CALLER} found no outcome to score: 'survey' needs pairs of columns "
            f"'{importance_prefix}<outcome_id>' and '{satisfaction_prefix}<outcome_id>'."
        )
    return ids, job_of


def _item_matrix(survey: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Float matrix of the item columns, NaN for missing; TypeError for non-numeric items."""
    out = np.empty((len(survey), len(columns)), dtype=float)
    for j, col in enumerate(columns):
        values = survey[col]
        if not (pd.api.types.is_numeric_dtype(values) or values.isna().all()):
            raise TypeError(
                f"Column '{col}' of 'survey' in {_CALLER} must hold numeric answers "
                f"(e.g. 1-5); got dtype {values.dtype}."
            )
        out[:, j] = (
            pd.to_numeric(values, errors="coerce")
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
    return out


def _resolve_weights(survey: pd.DataFrame, weights: Any) -> np.ndarray:
    if weights is None:
        return np.ones(len(survey))
    if isinstance(weights, str):
        require_columns(survey, [weights], name="survey", caller=_CALLER)
        w = pd.to_numeric(survey[weights], errors="coerce")
    elif isinstance(weights, pd.Series):
        if not weights.index.equals(survey.index):
            if len(weights) != len(survey) or not weights.index.isin(survey.index).all():
                raise ValueError(
                    f"The 'weights' Series given to {_CALLER} must be aligned to the index of "
                    "'survey' (same labels)."
                )
            weights = weights.reindex(survey.index)
        w = pd.to_numeric(weights, errors="coerce")
    else:
        w = pd.Series(np.asarray(weights, dtype=float).ravel())
        if len(w) != len(survey):
            raise ValueError(
                f"The 'weights' parameter of {_CALLER} must have one value per survey row "
                f"({len(survey)}); got {len(w)}."
            )
    arr = np.asarray(w, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(
            f"The 'weights' parameter of {_CALLER} must be finite and non-negative for every "
            "row; found missing, infinite or negative weights."
        )
    return arr


def _resolve_groups(survey: pd.DataFrame, by: Any) -> tuple[list[str], pd.DataFrame | None]:
    """Group columns (names) and a frame of group keys aligned to ``survey`` (or None)."""
    if by is None:
        return [], None
    if isinstance(by, pd.Series):
        name = str(by.name) if by.name is not None else "group"
        if not by.index.equals(survey.index):
            if not by.index.is_unique or not survey.index.isin(by.index).all():
                raise ValueError(
                    f"The 'by' Series given to {_CALLER} must be aligned to the index of "
                    "'survey' (every survey row needs a label, <NA> to leave a row out)."
                )
            by = by.reindex(survey.index)
        return [name], pd.DataFrame({name: by.to_numpy()}, index=survey.index)
    cols = [by] if isinstance(by, Hashable) and not isinstance(by, (list, tuple)) else list(by)
    if not cols:
        return [], None
    require_columns(survey, cols, name="survey", caller=_CALLER)
    return [str(c) for c in cols], survey[cols].set_axis([str(c) for c in cols], axis=1)


def _shares(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _scores(top_imp, ans_imp, top_sat, ans_sat):
    importance = 10.0 * _shares(top_imp, ans_imp)
    satisfaction = 10.0 * _shares(top_sat, ans_sat)
    opportunity = importance + np.maximum(importance - satisfaction, 0.0)
    return importance, satisfaction, opportunity


def _score_group(
    imp: np.ndarray,
    sat: np.ndarray,
    w: np.ndarray,
    clusters: np.ndarray,
    top_box: np.ndarray,
    *,
    ci: float | None,
    n_boot: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Scores (and percentile intervals) of every outcome for one group of rows."""
    ans_i, ans_s = ~np.isnan(imp), ~np.isnan(sat)
    top_i = np.isin(imp, top_box) & ans_i
    top_s = np.isin(sat, top_box) & ans_s
    # Per-respondent (cluster) weighted sums: the bootstrap resamples respondents, so every
    # response of a resampled respondent comes along with them.
    codes, cluster_index = np.unique(clusters, return_inverse=True)
    n_clusters = len(codes)
    blocks = np.hstack([top_i, ans_i, top_s, ans_s]).astype(float) * w[:, None]
    sums = np.zeros((n_clusters, blocks.shape[1]))
    np.add.at(sums, cluster_index, blocks)
    m = imp.shape[1]
    total = sums.sum(axis=0)
    importance, satisfaction, opportunity = _scores(
        total[:m], total[m : 2 * m], total[2 * m : 3 * m], total[3 * m :]
    )
    out = {
        "n_importance": ans_i.sum(axis=0),
        "n_satisfaction": ans_s.sum(axis=0),
        "importance": importance,
        "satisfaction": satisfaction,
        "opportunity": opportunity,
    }
    if ci is None or n_clusters == 0:
        for name in ("importance", "satisfaction", "opportunity"):
            out[f"{name}_ci_low"] = np.full(m, np.nan)
            out[f"{name}_ci_high"] = np.full(m, np.nan)
        return out
    draws = {name: [] for name in ("importance", "satisfaction", "opportunity")}
    block = max(1, _MAX_CELLS // max(n_clusters, 1))
    probabilities = np.full(n_clusters, 1.0 / n_clusters)
    done = 0
    while done < n_boot:
        size = min(block, n_boot - done)
        counts = rng.multinomial(n_clusters, probabilities, size=size).astype(float)
        boot = counts @ sums
        i_b, s_b, o_b = _scores(
            boot[:, :m], boot[:, m : 2 * m], boot[:, 2 * m : 3 * m], boot[:, 3 * m :]
        )
        draws["importance"].append(i_b)
        draws["satisfaction"].append(s_b)
        draws["opportunity"].append(o_b)
        done += size
    alpha = (1.0 - ci) / 2.0
    for name, parts in draws.items():
        replicates = np.vstack(parts)
        estimate = out[name]
        usable = np.isfinite(replicates).any(axis=0) & np.isfinite(estimate)
        low = np.full(m, np.nan)
        high = np.full(m, np.nan)
        if usable.any():
            q = np.nanquantile(replicates[:, usable], [alpha, 1.0 - alpha], axis=0)
            # A percentile interval of the non-smooth opportunity score can, at small n,
            # exclude its own point estimate; widen it to include the estimate.
            low[usable] = np.minimum(q[0], estimate[usable])
            high[usable] = np.maximum(q[1], estimate[usable])
        out[f"{name}_ci_low"] = low
        out[f"{name}_ci_high"] = high
    return out


@renamed_keywords(id="id_column")
def opportunity_scores(
    survey: pd.DataFrame,
    *,
    outcomes: Any = None,
    weights: Any = None,
    by: Any = None,
    top_box: Iterable[Real] = (4, 5),
    ci: float | None = 0.95,
    n_boot: int = 2000,
    random_state: int | np.random.Generator | None = 0,
    min_cell_size: int = 10,
    id_column: str | None = "respondent_id",
    importance_prefix: str = "imp_",
    satisfaction_prefix: str = "sat_",
) -> pd.DataFrame:
    """Importance, satisfaction and opportunity score of each desired outcome.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per survey response with ``imp_<outcome_id>`` and ``sat_<outcome_id>``
        columns (Likert answers, missing allowed).
    outcomes : None, list of str, list of Outcome or Codebook, optional
        Outcomes to score, in this order. ``None`` scores every outcome with both columns in
        ``survey``. :class:`~jtbd_methods.codebook.Outcome` objects (or a codebook) also fill
        ``job_id``; a codebook's outcomes without survey items are left out (logged), while
        a listed outcome without its columns is an error.
    weights : None, str, array-like or Series, optional
        Survey weights: a column name, or one non-negative value per row. Shares become
        weighted shares, ``sum(w * top_box) / sum(w)`` over the respondents who answered.
    by : None, str, list of str or Series, optional
        Grouping column(s), or a Series of labels aligned to ``survey`` (e.g. segment labels;
        its name, or ``"group"``, names the column). Rows with a missing group are left out.
    top_box : iterable of numbers, default (4, 5)
        Answers that count as "important" / "satisfied" (top-two box on a 1-5 scale).
    ci : float or None, default 0.95
        Confidence level of the bootstrap percentile intervals; ``None`` skips the bootstrap.
    n_boot : int, default 2000
        Number of bootstrap resamples.
    random_state : int, numpy.random.Generator or None, default 0
        Seed (or generator) of the bootstrap.
    min_cell_size : int, default 10
        Estimates resting on fewer answers than this (for importance or satisfaction) are
        suppressed: set to NaN and flagged in ``suppressed``.
    id_column : str or None, default "respondent_id"
        Respondent column (``id`` before 0.2, still accepted with a
        :class:`FutureWarning`). When present, the bootstrap resamples respondents with all their
        responses (a cluster bootstrap, for surveys with repeated waves); otherwise each row
        is a respondent.
    importance_prefix, satisfaction_prefix : str, default ``"imp_"`` and ``"sat_"``
        Prefixes of the item columns.

    Returns
    -------
    pandas.DataFrame
        One row per group (if ``by``) x outcome, in outcome order within each group:

        * the ``by`` column(s), if given;
        * ``outcome_id`` (str), ``job_id`` (str, ``<NA>`` unless known from ``outcomes``);
        * ``n`` — responses (rows) in the group;
        * ``n_importance``, ``n_satisfaction`` — responses that answered each item;
        * ``importance``, ``importance_ci_low``, ``importance_ci_high`` — 0-10;
        * ``satisfaction``, ``satisfaction_ci_low``, ``satisfaction_ci_high`` — 0-10;
        * ``opportunity``, ``opportunity_ci_low``, ``opportunity_ci_high`` — 0-20;
        * ``rank`` (Int64) — 1 = highest opportunity within the group;
        * ``classification`` (str) — see :func:`classify_opportunity`;
        * ``suppressed`` (bool) — True where estimates were withheld (small cell).

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame, an item column is not numeric, or ``outcomes``
        has the wrong type.
    ValueError
        If an outcome lacks its columns, no outcome is found, weights are negative or
        missing, ``by`` or ``weights`` are not aligned to ``survey``, or an option is out
        of range.

    Notes
    -----
    With :math:`T` the top-box answers and :math:`w` the weights, for each outcome

    .. math::

        I = 10\\,\\frac{\\sum_{i \\in A_I} w_i [x_i \\in T]}{\\sum_{i \\in A_I} w_i},\\quad
        S = 10\\,\\frac{\\sum_{i \\in A_S} w_i [y_i \\in T]}{\\sum_{i \\in A_S} w_i},\\quad
        O = I + \\max(I - S, 0)

    where :math:`A_I` and :math:`A_S` are the respondents who answered the importance and
    the satisfaction item (Ulwick 2005 [1]_; Ulwick & Bettencourt 2008 [2]_).

    *Missing data*: each score uses the respondents who answered that item (available-case
    analysis); a respondent who skipped one item still counts for every other item, and
    ``n_importance`` / ``n_satisfaction`` report the bases. No respondent is dropped.

    *Intervals*: percentile bootstrap [3]_ over respondents, resampled within each group;
    the three scores of a replicate come from the same resample, so the opportunity interval
    reflects the correlation of importance and satisfaction. Replicates in which nobody
    answered an item are ignored. Because ``max(I - S, 0)`` is not smooth, the percentile
    interval can, rarely and at small n, exclude its own estimate; it is then widened to
    include it.

    *Classification*: :func:`classify_opportunity` (ODI thresholds 15 / 12 / 10, and
    overserved when satisfaction exceeds importance).

    References
    ----------
    .. [1] Ulwick, A. W. (2005). *What Customers Want: Using Outcome-Driven Innovation to
       Create Breakthrough Products and Services*. McGraw-Hill.
    .. [2] Ulwick, A. W., & Bettencourt, L. A. (2008). Giving customers a fair hearing.
       *MIT Sloan Management Review*, 49(3), 62-68.
    .. [3] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
       Chapman & Hall, ch. 13.

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_id": ["r1", "r2", "r3", "r4"],
    ...     "imp_back_to_work": [5, 5, 4, 2], "sat_back_to_work": [1, 2, 4, 5]})
    >>> scores = opportunity_scores(survey, ci=None, min_cell_size=1)
    >>> scores[["outcome_id", "importance", "satisfaction", "opportunity"]]
         outcome_id  importance  satisfaction  opportunity
    0  back_to_work         7.5           5.0         10.0
    """
    caller = _CALLER
    require_dataframe(survey, parameter="survey", caller=caller)
    if ci is not None:
        ci = check_fraction(ci, parameter="ci", caller=caller)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=100)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    if random_state is not None and not isinstance(random_state, np.random.Generator):
        random_state = check_int(random_state, parameter="random_state", caller=caller, minimum=0)
    if isinstance(top_box, (str, bytes)) or not isinstance(top_box, Iterable):
        raise TypeError(
            f"The 'top_box' parameter of {caller} must be a collection of answer values such "
            f"as (4, 5); got {top_box!r}."
        )
    top = np.asarray(list(top_box), dtype=object)
    if top.size == 0 or not all(isinstance(v, Real) and not isinstance(v, bool) for v in top):
        raise ValueError(
            f"The 'top_box' parameter of {caller} must hold one or more numeric answer values "
            f"such as (4, 5); got {top_box!r}."
        )
    top = top.astype(float)

    ids, job_of = _resolve_outcomes(survey, outcomes, importance_prefix, satisfaction_prefix)
    imp_all = _item_matrix(survey, [f"{importance_prefix}{o}" for o in ids])
    sat_all = _item_matrix(survey, [f"{satisfaction_prefix}{o}" for o in ids])
    w_all = _resolve_weights(survey, weights)
    group_cols, keys = _resolve_groups(survey, by)
    if id_column is not None and id_column in survey.columns:
        clusters_all = pd.factorize(survey[id_column], use_na_sentinel=False)[0]
    else:
        clusters_all = np.arange(len(survey))

    rng = np.random.default_rng(random_state)
    positions = np.arange(len(survey))
    if keys is None:
        groups: list[tuple[tuple, np.ndarray]] = [((), positions)]
    else:
        missing = keys.isna().any(axis=1).to_numpy()
        if missing.any():
            logger.info(
                "%s: %d row(s) without a group label are left out.", caller, int(missing.sum())
            )
        grouped = keys.reset_index(drop=True)[~missing].groupby(group_cols, sort=True)
        groups = [
            ((k if isinstance(k, tuple) else (k,)), np.asarray(v))
            for k, v in grouped.indices.items()
        ]
        groups.sort(key=lambda item: tuple(_sort_key(x) for x in item[0]))

    frames = []
    for key, rows in groups:
        res = _score_group(
            imp_all[rows],
            sat_all[rows],
            w_all[rows],
            clusters_all[rows],
            top,
            ci=ci,
            n_boot=n_boot,
            rng=rng,
        )
        frame = pd.DataFrame(res)
        frame.insert(0, "n", len(rows))
        frame.insert(0, "job_id", pd.array([job_of.get(o) for o in ids], dtype="string"))
        frame.insert(0, "outcome_id", pd.array(ids, dtype="string"))
        for name, value in reversed(list(zip(group_cols, key, strict=True))):
            frame.insert(0, name, [value] * len(ids))
        frames.append(frame)

    columns = [
        *group_cols,
        "outcome_id",
        "job_id",
        "n",
        "n_importance",
        "n_satisfaction",
        "importance",
        "importance_ci_low",
        "importance_ci_high",
        "satisfaction",
        "satisfaction_ci_low",
        "satisfaction_ci_high",
        "opportunity",
        "opportunity_ci_low",
        "opportunity_ci_high",
    ]
    if frames:
        result = pd.concat(frames, ignore_index=True)[columns]
    else:
        result = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    for c in ("n", "n_importance", "n_satisfaction"):
        result[c] = result[c].astype("int64")

    estimates = [c for c in columns if c.startswith(("importance", "satisfaction", "opportunity"))]
    # Small-cell rule of the privacy module: an estimate resting on fewer than min_cell_size
    # answers (importance or satisfaction) is withheld. No complementary suppression: the
    # scores are shares, and the group sizes are protected where they are shown.
    result["_n_answered"] = np.minimum(result["n_importance"], result["n_satisfaction"])
    result = suppress_small(
        result,
        count_column="_n_answered",
        value_columns=estimates,
        min_cell_size=min_cell_size,
        complementary=False,
    ).drop(columns="_n_answered")
    suppressed = result.pop("suppressed").to_numpy(dtype=bool)
    result["rank"] = _ranks(result, group_cols)
    result["classification"] = pd.array(
        classify_opportunity(result["opportunity"], result["importance"], result["satisfaction"]),
        dtype="string",
    )
    result["suppressed"] = suppressed
    return result


def headlines(scores: pd.DataFrame, *, prefix: str = "opportunity") -> dict[str, Any]:
    """Headline figures of an (ungrouped) opportunity table, with stable keys.

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`opportunity_scores` without ``by`` (one row per outcome).
    prefix : str, default "opportunity"
        First part of every key.

    Returns
    -------
    dict
        ``<prefix>.<outcome_id>.score``, ``.importance``, ``.satisfaction`` (``None`` when
        suppressed) and ``.score_ci`` (``[low, high]``) per outcome; ``<prefix>.ranking``
        (outcome ids, best opportunity first) and ``<prefix>.underserved`` (ids classified
        underserved or extremely underserved, best first).

    Raises
    ------
    ValueError
        If ``scores`` lacks the columns of :func:`opportunity_scores` or holds an outcome
        twice (a grouped table).

    Examples
    --------
    >>> survey = pd.DataFrame({"imp_a": [5, 5, 4, 2], "sat_a": [1, 2, 4, 5]})
    >>> out = headlines(opportunity_scores(survey, ci=None, min_cell_size=1))
    >>> out["opportunity.a.score"], out["opportunity.ranking"]
    (10.0, ['a'])
    """
    caller = "headlines()"
    require_columns(
        scores,
        [
            "outcome_id",
            "importance",
            "satisfaction",
            "opportunity",
            "opportunity_ci_low",
            "opportunity_ci_high",
            "rank",
            "classification",
        ],
        name="scores",
        caller=caller,
    )
    if scores["outcome_id"].duplicated().any():
        raise ValueError(
            f"{caller} needs one row per outcome; 'scores' holds outcomes more than once "
            "(scores by group?). Filter it to one group first."
        )

    def plain(value: Any) -> float | None:
        return None if pd.isna(value) else float(value)

    out: dict[str, Any] = {}
    for _, row in scores.iterrows():
        key = f"{prefix}.{row['outcome_id']}"
        out[f"{key}.score"] = plain(row["opportunity"])
        out[f"{key}.importance"] = plain(row["importance"])
        out[f"{key}.satisfaction"] = plain(row["satisfaction"])
        out[f"{key}.score_ci"] = [
            plain(row["opportunity_ci_low"]),
            plain(row["opportunity_ci_high"]),
        ]
    ranked = scores[scores["rank"].notna()].sort_values("rank")
    out[f"{prefix}.ranking"] = [str(o) for o in ranked["outcome_id"]]
    under = ranked["classification"].isin(["extremely underserved", "underserved"])
    out[f"{prefix}.underserved"] = [str(o) for o in ranked.loc[under.to_numpy(), "outcome_id"]]
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    """Sort numbers numerically and everything else as text, numbers first."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return (0, float(value))
    return (1, str(value))


def _ranks(result: pd.DataFrame, group_cols: list[str]) -> pd.Series:
    """1 = highest opportunity in the group; ties broken by importance, then outcome order."""
    order = pd.DataFrame(
        {
            "g": pd.factorize(result[group_cols].astype(str).agg("\x1f".join, axis=1))[0]
            if group_cols
            else np.zeros(len(result), dtype=int),
            "o": -result["opportunity"].to_numpy(dtype=float),
            "i": -result["importance"].to_numpy(dtype=float),
            "pos": np.arange(len(result)),
        }
    )
    valid = np.isfinite(order["o"].to_numpy())
    ranks = pd.array([pd.NA] * len(result), dtype="Int64")
    ordered = order[valid].sort_values(["g", "o", "i", "pos"], kind="mergesort")
    values = ordered.groupby("g").cumcount().to_numpy() + 1
    ranks[ordered.index.to_numpy()] = values
    return pd.Series(ranks, index=result.index)
