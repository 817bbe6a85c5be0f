"""Latent class analysis of Likert answers, the ``method="lca"`` of :func:`segment`.

The answers are treated as categorical indicators of an unobserved class and the model is
fitted by StepMix [1]_; missing answers are handled by full-information likelihood (the
``categorical_nan`` measurement model), never imputed.

References
----------
.. [1] Morin, S., Legault, R., Laliberté, F., Bakk, Z., Giguère, C.-É., de la Sablonnière, R.,
   & Lacourse, É. (2025). StepMix: A Python package for pseudo-likelihood estimation of
   generalized mixture models with external variables. *Journal of Statistical Software*,
   113(8), 1-39.
.. [2] Collins, L. M., & Lanza, S. T. (2010). *Latent Class and Latent Transition Analysis*.
   Wiley (chapter 2: the model and its parameters).
"""

from __future__ import annotations

import numpy as np
from stepmix.stepmix import StepMix

__all__: list[str] = []


def _lca_codes(raw: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Zero-based integer codes of the Likert answers (NaN kept), categories, total outcomes."""
    values = np.unique(raw[~np.isnan(raw)])
    if values.size == 0:
        raise ValueError("segment(method='lca') found no answers to model.")
    lookup = {v: i for i, v in enumerate(values)}
    codes = np.full(raw.shape, np.nan)
    observed = ~np.isnan(raw)
    codes[observed] = [lookup[v] for v in raw[observed]]
    # free parameters: each item has (observed categories - 1) probabilities per class
    total = int(sum(np.unique(codes[~np.isnan(codes[:, j]), j]).size for j in range(raw.shape[1])))
    return codes, int(values.size), total


def _fit_lca(
    x: np.ndarray,
    *,
    k: int,
    n_init: int,
    seed: int,
    n_categories: int,
    total_outcomes: int,
    missing: bool,
) -> StepMix:
    """Fit a k-class model to the codes of :func:`_lca_codes` (rows of ``x``)."""
    return StepMix(
        n_components=k,
        measurement="categorical_nan" if missing else "categorical",
        n_init=n_init,
        random_state=seed,
        verbose=0,
        progress_bar=0,
        abs_tol=1e-6,
        max_iter=500,
        measurement_params={"max_n_outcomes": n_categories, "total_outcomes": total_outcomes},
    ).fit(x)
