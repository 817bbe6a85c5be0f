"""Fitting recovery-goal segments: :func:`segment`.

It ties the parts of the subpackage together: the respondents and features
(:mod:`~jtbd_methods.segmentation.features`), the clustering methods
(:mod:`~jtbd_methods.segmentation.clustering`, :mod:`~jtbd_methods.segmentation.lca`), the
choice of k (:mod:`~jtbd_methods.segmentation.choosing_k`), profiles, names and per-segment
opportunity scores, returned as a :class:`~jtbd_methods.segmentation.Segmentation`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_dataframe,
)
from jtbd_methods.opportunity import opportunity_scores
from jtbd_methods.segmentation.choosing_k import _choose_k, _search_k
from jtbd_methods.segmentation.clustering import (
    _DEFAULT_N_INIT,
    METHODS,
    _canonical,
    _Clusterer,
)
from jtbd_methods.segmentation.features import (
    _PROFILES,
    _imputation_table,
    _median_features,
    _numeric_matrix,
    _one_response_per_respondent,
    _resolve_items,
)
from jtbd_methods.segmentation.lca import _lca_codes
from jtbd_methods.segmentation.naming import _codebook_outcomes, _suggest_names
from jtbd_methods.segmentation.profiles import _profiles
from jtbd_methods.segmentation.result import Segmentation

__all__ = ["segment"]

logger = logging.getLogger(__name__)


def _seed(random_state: Any, *, caller: str) -> int:
    """An int seed from ``random_state`` (a non-negative int or a numpy Generator)."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**31 - 1))
    return check_int(random_state, parameter="random_state", caller=caller, minimum=0)


@renamed_keywords(id="id_column", n_bootstrap="n_boot")
def segment(
    survey: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    profile: str = "items",
    method: str = "kmeans",
    k: int | None = None,
    k_range: Iterable[int] = range(2, 9),
    random_state: int | np.random.Generator = 0,
    n_boot: int = 50,
    min_cell_size: int = 10,
    min_stability: float = 0.75,
    id_column: str = "respondent_id",
    wave: Any = None,
    wave_column: str = "wave",
    codebook: Any = None,
    n_init: int | None = None,
    covariance_type: str = "tied",
    gap_references: int = 10,
) -> Segmentation:
    """Segment respondents by recovery goal and choose the number of segments.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey table (``respondent_id``, ``wave``, ``imp_<outcome_id>``,
        ``sat_<outcome_id>``, ...). Not modified.
    columns : list of str, optional
        With ``profile="items"``: the item columns to cluster on (default: every
        ``imp_*``/``sat_*`` item). With ``profile="opportunity"``: the outcome ids (default:
        every outcome with both items).
    profile : {"items", "opportunity"}, default "items"
        Features. ``"items"``: the importance and satisfaction answers themselves.
        ``"opportunity"``: one feature per outcome, the respondent's own opportunity
        ``imp + max(imp - sat, 0)`` on the 1-5 answers (range 1-9), which puts importance
        and unmet need into one number per outcome (not available with ``"lca"``).
    method : {"kmeans", "gmm", "lca"}, default "kmeans"
        k-means on standardised features; a Gaussian mixture on standardised features
        (``covariance_type``; see Notes); or a latent class model of the Likert answers as
        categorical indicators, fitted by StepMix [7]_ (missing answers handled by
        full-information likelihood, not imputed).
    k : int, optional
        Number of segments; ``None`` chooses it from ``k_range`` (see Notes).
    k_range : iterable of int, default range(2, 9)
        Candidate numbers of segments.
    random_state : int or numpy.random.Generator, default 0
        Seed of every random step (initialisations, bootstrap, gap references); a Generator
        gives one seed drawn from it.
    n_boot : int, default 50
        Bootstrap resamples for the stability of each candidate k (0 skips stability; k is
        then chosen by the fit criterion alone).
    min_cell_size : int, default 10
        Segments smaller than this are flagged (``sizes.flagged_small``), their profiles and
        opportunity scores suppressed, and a candidate k producing one is not admissible.
    min_stability : float, default 0.75
        Mean bootstrap adjusted Rand index a candidate k needs to be admissible.
    id_column : str, default "respondent_id"
        Respondent column.
    wave : scalar, optional
        Wave to segment. ``None`` (default) takes each respondent's first wave, so every
        respondent is segmented once, on their earliest response.
    wave_column : str, default "wave"
        Wave column; if absent, every row must be a different respondent.
    codebook : Codebook, optional
        Codebook whose job labels name the segments and fill ``job_id`` in the opportunities.
    n_init : int, optional
        Initialisations per fit (default 10 for k-means, 3 for gmm and lca).
    covariance_type : {"tied", "diag", "spherical", "full"}, default "tied"
        Covariance of the Gaussian mixture (``method="gmm"`` only).
    gap_references : int, default 10
        Uniform reference data sets of the gap statistic (k-means only; 0 skips it).

    Returns
    -------
    Segmentation
        Labels, sizes, profiles, k-selection table, stability, per-segment opportunity
        scores, suggested names; see :class:`Segmentation`.

        ``selection`` has one row per candidate k: ``k``; ``silhouette`` (k-means; mean
        silhouette width, higher is better) or ``bic`` (gmm, lca; lower is better); for
        k-means ``gap`` and ``gap_se``; ``stability_ari`` (mean bootstrap ARI) with
        ``stability_ari_low``/``stability_ari_high`` (2.5 and 97.5 percentiles);
        ``smallest_n`` (size of the smallest segment); ``admissible`` (bool) and ``chosen``
        (bool).

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame, items are not numeric, or options have the wrong
        type.
    ValueError
        If columns are missing, options are out of range, a respondent has two responses in
        the segmented wave, or there are too few respondents for the largest k.

    Notes
    -----
    *Data*: one response per respondent (see ``wave``). Missing item answers are replaced by
    the item's median for k-means and gmm (counted in ``imputation``); the latent class
    model uses the answers as they are. Respondents who answered none of the items are not
    segmented (``labels`` is ``<NA>``; counted in ``n_excluded``). Features are
    standardised (z-scores) for k-means and gmm.

    *Gaussian mixture*: the default ``"tied"`` covariance lets all segments share one full
    covariance matrix — the response style common to everybody (some patients answer every
    item higher than others) — while the segments differ in their means. With per-segment
    diagonal covariances that shared correlation is unmodelled and BIC keeps adding
    components (seen on the sample study). A variance floor of 0.1 (standardised units;
    scikit-learn's ``reg_covar``) stops a component from collapsing onto one answer value of
    a discrete Likert item.

    *Run time*: every candidate k is fitted ``n_boot + 1`` times. k-means and gmm take
    seconds for a few thousand respondents; the latent class model is much slower (about
    two seconds per fit for 1,200 respondents and 32 items), so use a short ``k_range`` or a
    smaller ``n_boot`` with ``method="lca"``. Fits run single-threaded (many small fits
    are faster that way).

    *Choice of k* (``k=None``): for every candidate k the method is fitted to all respondents
    and to ``n_boot`` resamples drawn with replacement; stability is the mean adjusted
    Rand index [6]_ between the full-sample segments and each resample's segments, over the
    respondents in the resample [5]_. A k is *admissible* when its mean ARI is at least
    ``min_stability`` and its smallest segment has at least ``min_cell_size`` respondents.
    Among admissible k the best fit criterion wins: the highest mean silhouette width [2]_
    for k-means, the lowest BIC [4]_ for gmm and lca. If no k is admissible, the criterion
    alone decides and a warning is logged. For k-means the gap statistic [3]_ (uniform
    references over the range of each feature) is reported and its own choice — the
    smallest k with Gap(k) >= Gap(k+1) - s(k+1) — is stated in ``selection_rule``.

    *Numbering*: segments are numbered 1..k by size, largest first (ties by first row), so
    results do not depend on the estimator's arbitrary label order.

    *Names*: each segment is named after its highest-opportunity outcome not already used by
    a larger segment, as "job label: outcome" when a codebook is given. They are
    suggestions; :meth:`Segmentation.rename` overrides them.

    References
    ----------
    .. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill.
    .. [2] Rousseeuw, P. J. (1987). Silhouettes. *J. Comput. Appl. Math.*, 20, 53-65.
    .. [3] Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters
       in a data set via the gap statistic. *JRSS B*, 63(2), 411-423.
    .. [4] Schwarz, G. (1978). Estimating the dimension of a model. *Ann. Stat.*, 6(2),
       461-464.
    .. [5] Hennig, C. (2007). Cluster-wise assessment of cluster stability. *CSDA*, 52(1),
       258-271.
    .. [6] Hubert, L., & Arabie, P. (1985). Comparing partitions. *J. Classif.*, 2, 193-218.
    .. [7] Morin, S., et al. (2025). StepMix: A Python package for pseudo-likelihood
       estimation of generalized mixture models with external variables. *Journal of
       Statistical Software*, 113(8).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> goal = np.repeat([0, 1], 40)
    >>> def answers(if_work, if_calm):
    ...     return np.where(goal == 0, if_work, if_calm) + rng.integers(-1, 2, 80)
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"r{i}" for i in range(80)],
    ...     "imp_work": answers(4, 2), "sat_work": answers(2, 4),
    ...     "imp_calm": answers(2, 4), "sat_calm": answers(4, 2)})
    >>> seg = segment(survey, k_range=range(2, 5), n_boot=5)
    >>> seg.k, seg.sizes["n"].tolist()
    (2, [40, 40])
    """
    caller = "segment()"
    require_dataframe(survey, parameter="survey", caller=caller)
    method = one_of(method, METHODS, parameter="method", caller=caller)
    profile = one_of(profile, _PROFILES, parameter="profile", caller=caller)
    if method == "lca" and profile != "items":
        raise ValueError(
            f"The 'profile' parameter of {caller} must be 'items' with method='lca' (the latent "
            f"class model treats the Likert answers as categories); got {profile!r}."
        )
    covariance_type = one_of(
        covariance_type,
        ("diag", "spherical", "tied", "full"),
        parameter="covariance_type",
        caller=caller,
    )
    random_state = _seed(random_state, caller=caller)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=0)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    min_stability = check_fraction(
        min_stability, parameter="min_stability", caller=caller, inclusive=True
    )
    gap_references = check_int(gap_references, parameter="gap_references", caller=caller, minimum=0)
    n_init = check_int(n_init, parameter="n_init", caller=caller, minimum=1, allow_none=True)
    n_init = _DEFAULT_N_INIT[method] if n_init is None else n_init
    if k is not None:
        ks = [check_int(k, parameter="k", caller=caller, minimum=2)]
    else:
        if isinstance(k_range, (str, bytes)) or not isinstance(k_range, Iterable):
            raise TypeError(
                f"The 'k_range' parameter of {caller} must be an iterable of integers such as "
                f"range(2, 9); got {k_range!r}."
            )
        ks = sorted({check_int(v, parameter="k_range", caller=caller, minimum=2) for v in k_range})
        if not ks:
            raise ValueError(f"The 'k_range' parameter of {caller} must not be empty.")

    rows = _one_response_per_respondent(survey, id_column, wave, wave_column, caller)
    items, feature_names = _resolve_items(survey, columns, profile, caller)
    raw = _numeric_matrix(survey.iloc[rows][items], caller)
    answered = ~np.isnan(raw).all(axis=1)
    n_excluded = int((~answered).sum())
    if n_excluded:
        logger.warning(
            "%s: %d respondent(s) answered none of the items and are not segmented.",
            caller,
            n_excluded,
        )
    rows, raw = rows[answered], raw[answered]
    n = len(rows)
    if n <= max(ks):
        raise ValueError(
            f"{caller} needs more respondents ({n}) than the largest number of segments "
            f"({max(ks)})."
        )

    if method == "lca":
        data, n_categories, total_outcomes = _lca_codes(raw)
        lca: tuple[int, int] | None = (n_categories, total_outcomes)
        imputation = _imputation_table(
            items, np.isnan(raw).sum(axis=0), np.full(raw.shape[1], np.nan)
        )
    else:
        data, imputation = _median_features(raw, items, profile=profile)
        lca = None
        imputed = imputation["imputed_with"].notna()
        if imputed.any():
            logger.info(
                "%s: %d missing answer(s) replaced by item medians.",
                caller,
                int(imputation.loc[imputed, "n_missing"].sum()),
            )

    clusterer = _Clusterer(method, data, n_init, covariance_type, lca)
    seeds = np.random.SeedSequence(random_state).generate_state(2)
    boot_rng = np.random.default_rng(seeds[0])
    boot_rows = [boot_rng.integers(0, n, size=n) for _ in range(n_boot)]

    # Many small fits: one thread each is much faster than OpenMP/BLAS thread start-up and
    # spinning on every fit, especially when other processes share the cores.
    with threadpool_limits(limits=1):
        selection, fits, replicate_ari = _search_k(
            clusterer,
            ks,
            random_state,
            boot_rows,
            method,
            gap_references,
            k is None,
            int(seeds[1] % (2**31)),
        )
    selection, chosen_k, rule = _choose_k(
        selection,
        ks=ks,
        method=method,
        n_boot=n_boot,
        min_stability=min_stability,
        min_cell_size=min_cell_size,
        fixed=k is not None,
        caller=caller,
    )

    model, raw_labels = fits[chosen_k]
    final = _canonical(raw_labels)
    stability = replicate_ari[chosen_k]

    label_series = pd.Series(
        pd.array([pd.NA] * len(survey), dtype="Int64"), index=survey.index, name="segment"
    )
    label_series.iloc[rows] = final
    counts = np.bincount(final, minlength=chosen_k + 1)[1:]

    used = survey.iloc[rows]
    opportunities = opportunity_scores(
        used,
        by=label_series.iloc[rows],
        outcomes=_codebook_outcomes(used, codebook),
        random_state=random_state,
        min_cell_size=min_cell_size,
        id_column=None,
    )
    names = _suggest_names(opportunities, chosen_k, codebook)
    sizes = pd.DataFrame(
        {
            "segment": np.arange(1, chosen_k + 1, dtype="int64"),
            "name": pd.array([names[s] for s in range(1, chosen_k + 1)], dtype="string"),
            "n": counts.astype("int64"),
            "share": counts / counts.sum(),
            "flagged_small": counts < min_cell_size,
        }
    )
    profiles = _profiles(raw, items, final, chosen_k, counts, min_cell_size)
    return Segmentation(
        labels=label_series,
        k=chosen_k,
        method=method,
        profile=profile,
        features=tuple(feature_names),
        sizes=sizes,
        profiles=profiles,
        selection=selection.reset_index(drop=True),
        stability=stability,
        opportunities=opportunities,
        names=MappingProxyType(names),
        imputation=imputation,
        selection_rule=rule,
        min_cell_size=min_cell_size,
        n_excluded=n_excluded,
        model=model,
    )
