"""The number of segments: fit criterion, bootstrap stability and the gap statistic.

For every candidate k the method is fitted to all respondents and to bootstrap resamples;
stability is the mean adjusted Rand index [3]_ between the full-sample segments and each
resample's segments on the respondents in the resample [2]_. :func:`_choose_k` applies the
stated rule of :func:`~jtbd_methods.segmentation.segment` (Notes, *Choice of k*) and says
in words which k each criterion preferred, including the gap statistic's [1]_.

References
----------
.. [1] Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters in
   a data set via the gap statistic. *Journal of the Royal Statistical Society B*, 63(2),
   411-423.
.. [2] Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational
   Statistics & Data Analysis*, 52(1), 258-271.
.. [3] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*,
   2(1), 193-218 (adjusted Rand index).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from jtbd_methods.segmentation.clustering import _Clusterer

__all__: list[str] = []

logger = logging.getLogger(__name__)


def _gap(
    data: np.ndarray, ks: Sequence[int], inertia: Mapping[int, float], n_references: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gap statistic and its standard error s_k for each k (Tibshirani et al. 2001)."""
    rng = np.random.default_rng(seed)
    low, high = data.min(axis=0), data.max(axis=0)
    log_ref = np.empty((n_references, len(ks)))
    for b in range(n_references):
        reference = rng.uniform(low, high, size=data.shape)
        for j, k in enumerate(ks):
            fit = KMeans(n_clusters=k, n_init=3, random_state=seed + b).fit(reference)
            log_ref[b, j] = np.log(fit.inertia_)
    observed = np.log([inertia[k] for k in ks])
    gap = log_ref.mean(axis=0) - observed
    s = log_ref.std(axis=0, ddof=0) * np.sqrt(1.0 + 1.0 / n_references)
    return gap, s


def _search_k(
    clusterer: _Clusterer,
    ks: Sequence[int],
    random_state: int,
    boot_rows: Sequence[np.ndarray],
    method: str,
    gap_references: int,
    with_gap: bool,
    gap_seed: int,
) -> tuple[pd.DataFrame, dict[int, tuple[Any, np.ndarray]], dict[int, pd.DataFrame]]:
    """Fit every candidate k to all respondents and to the bootstrap resamples."""
    n_boot = len(boot_rows)
    records = []
    fits: dict[int, tuple[Any, np.ndarray]] = {}
    inertia: dict[int, float] = {}
    replicate_ari: dict[int, pd.DataFrame] = {}
    for kk in ks:
        model = clusterer.fit(None, kk, random_state)
        labels = clusterer.predict(model)
        fits[kk] = (model, labels)
        if method == "kmeans":
            inertia[kk] = float(model.inertia_)
        aris, overlap = [], []
        for b, sample in enumerate(boot_rows):
            unique = np.unique(sample)
            boot_model = clusterer.fit(sample, kk, random_state + b + 1)
            aris.append(adjusted_rand_score(labels[unique], clusterer.predict(boot_model, unique)))
            overlap.append(unique.size)
        replicate_ari[kk] = pd.DataFrame(
            {
                "replicate": np.arange(1, n_boot + 1, dtype="int64"),
                "n_overlap": np.asarray(overlap, dtype="int64"),
                "ari": np.asarray(aris, dtype=float),
            }
        )
        counts = np.bincount(labels, minlength=kk)
        records.append(
            {
                "k": kk,
                ("silhouette" if method == "kmeans" else "bic"): clusterer.criterion(
                    model, labels, random_state
                ),
                "stability_ari": float(np.mean(aris)) if aris else float("nan"),
                "stability_ari_low": float(np.quantile(aris, 0.025)) if aris else float("nan"),
                "stability_ari_high": float(np.quantile(aris, 0.975)) if aris else float("nan"),
                "smallest_n": int(counts.min()),
            }
        )
    selection = pd.DataFrame(records)
    if method == "kmeans" and gap_references > 0 and with_gap:
        gap, gap_se = _gap(clusterer.data, ks, inertia, gap_references, gap_seed)
        selection["gap"], selection["gap_se"] = gap, gap_se
    return selection, fits, replicate_ari


def _choose_k(
    selection: pd.DataFrame,
    *,
    ks: Sequence[int],
    method: str,
    n_boot: int,
    min_stability: float,
    min_cell_size: int,
    fixed: bool,
    caller: str,
) -> tuple[pd.DataFrame, int, str]:
    """Apply the rule of :func:`segment` to the table of :func:`_search_k`.

    Returns the selection table with ``admissible`` and ``chosen`` columns (in the documented
    column order), the chosen k and the rule in words. ``fixed`` means the analyst gave k.
    """
    selection = selection.copy()
    criterion = "silhouette" if method == "kmeans" else "bic"
    gap_note = ""
    if "gap" in selection:
        gap, gap_se = selection["gap"].to_numpy(), selection["gap_se"].to_numpy()
        gap_k = next(
            (ks[j] for j in range(len(ks) - 1) if gap[j] >= gap[j + 1] - gap_se[j + 1]), ks[-1]
        )
        gap_note = f" The gap statistic's rule (Tibshirani et al. 2001) would choose k = {gap_k}."
    stable = (
        selection["stability_ari"] >= min_stability
        if n_boot > 0
        else pd.Series(True, index=selection.index)
    )
    selection["admissible"] = (stable & (selection["smallest_n"] >= min_cell_size)).astype(bool)
    pool = selection[selection["admissible"]]
    if pool.empty:
        logger.warning(
            "%s: no k in %s has stability >= %.2f and all segments >= %d respondents; k is "
            "chosen by %s alone.",
            caller,
            ks,
            min_stability,
            min_cell_size,
            criterion,
        )
        pool = selection
    values = pool[criterion].to_numpy(dtype=float)
    if np.isfinite(values).any():
        best = int(np.nanargmax(values) if criterion == "silhouette" else np.nanargmin(values))
    else:
        best = 0
    chosen_k = int(pool["k"].iloc[best])
    selection["chosen"] = selection["k"] == chosen_k
    direction = "highest mean silhouette width" if criterion == "silhouette" else "lowest BIC"
    if fixed:
        rule = f"k = {chosen_k} was fixed by the analyst."
    else:
        rule = (
            f"Among k in {ks} whose bootstrap stability (mean adjusted Rand index over "
            f"{n_boot} resamples) is at least {min_stability:g} and whose smallest segment "
            f"has at least {min_cell_size} respondents, the {direction} chose k = {chosen_k}."
            + gap_note
        )
        if selection["admissible"].sum() == 0:
            rule += " No k met the stability and size conditions, so the criterion alone chose."
    columns_order = [
        "k",
        criterion,
        *(["gap", "gap_se"] if "gap" in selection else []),
        "stability_ari",
        "stability_ari_low",
        "stability_ari_high",
        "smallest_n",
        "admissible",
        "chosen",
    ]
    selection = selection[columns_order]
    return selection, chosen_k, rule
