"""One clustering method at one number of segments: fit, predict, score, renumber.

:class:`_Clusterer` hides the differences between k-means [1]_, the Gaussian mixture and the
latent class model (:mod:`~jtbd_methods.segmentation.lca`), so that the choice of k
(:mod:`~jtbd_methods.segmentation.choosing_k`) treats them alike. The fit criterion is the
mean silhouette width [2]_ for k-means (higher is better) and BIC [3]_ for the mixtures
(lower is better).

References
----------
.. [1] Lloyd, S. P. (1982). Least squares quantization in PCM. *IEEE Transactions on
   Information Theory*, 28(2), 129-137.
.. [2] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
   validation of cluster analysis. *Journal of Computational and Applied Mathematics*, 20,
   53-65.
.. [3] Schwarz, G. (1978). Estimating the dimension of a model. *The Annals of Statistics*,
   6(2), 461-464.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from jtbd_methods.segmentation.lca import _fit_lca

__all__ = ["METHODS"]

#: Clustering methods of :func:`~jtbd_methods.segmentation.segment`.
METHODS: tuple[str, ...] = ("kmeans", "gmm", "lca")
# Variance floor of the Gaussian mixture, in standardised units. Likert answers are discrete:
# without a floor a component can collapse onto one answer value and BIC keeps rewarding
# more components (seen on planted data); 0.1 is a tenth of each item's total variance.
# See segment(), Notes, for why the default covariance is "tied".
_GMM_REG_COVAR = 0.1
_DEFAULT_N_INIT = {"kmeans": 10, "gmm": 3, "lca": 3}
_SILHOUETTE_SAMPLE = 3000


class _Clusterer:
    """Fits one method at one k and scores it; hides the estimators' differences."""

    def __init__(
        self,
        method: str,
        data: np.ndarray,
        n_init: int,
        covariance_type: str,
        lca: tuple[int, int] | None,
    ) -> None:
        self.method = method
        self.data = data
        self.n_init = n_init
        self.covariance_type = covariance_type
        self.lca = lca

    def fit(self, rows: np.ndarray | None, k: int, seed: int) -> Any:
        x = self.data if rows is None else self.data[rows]
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=self.n_init, random_state=seed).fit(x)
        if self.method == "gmm":
            return GaussianMixture(
                n_components=k,
                covariance_type=self.covariance_type,
                n_init=self.n_init,
                reg_covar=_GMM_REG_COVAR,
                random_state=seed,
            ).fit(x)
        n_categories, total_outcomes = self.lca
        return _fit_lca(
            x,
            k=k,
            n_init=self.n_init,
            seed=seed,
            n_categories=n_categories,
            total_outcomes=total_outcomes,
            missing=bool(np.isnan(self.data).any()),
        )

    def predict(self, model: Any, rows: np.ndarray | None = None) -> np.ndarray:
        x = self.data if rows is None else self.data[rows]
        return np.asarray(model.predict(x), dtype=int)

    def criterion(self, model: Any, labels: np.ndarray, seed: int) -> float:
        if self.method == "kmeans":
            if np.unique(labels).size < 2:
                return float("nan")
            return float(
                silhouette_score(
                    self.data,
                    labels,
                    sample_size=min(len(labels), _SILHOUETTE_SAMPLE),
                    random_state=seed,
                )
            )
        return float(model.bic(self.data))


def _canonical(labels: np.ndarray) -> np.ndarray:
    """Renumber 1..k by size (largest first), ties by first appearance."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(values.size), key=lambda i: (-counts[i], first[i]))
    mapping = {values[i]: rank + 1 for rank, i in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=int)
