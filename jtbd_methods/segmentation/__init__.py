"""Segmentation of patients by recovery goal, and a short typing tool to classify new ones.

Patients are grouped by *what they are trying to get done* — the outcomes that matter to them
and that their care leaves unmet — rather than by diagnosis. :func:`segment` clusters survey
respondents on their importance and satisfaction answers (k-means, a Gaussian mixture or a
latent class model), chooses the number of segments with a stated rule that combines a fit
criterion with bootstrap stability, profiles each segment and scores its outcome
opportunities. :func:`segments_vs` compares the segments with another grouping (diagnosis),
and :class:`TypingTool` distils the segments into a few questions a consultant can ask.

The subpackage has one module per idea: :mod:`~jtbd_methods.segmentation.features` (which
response, which items, imputation and standardising), :mod:`~.clustering` (k-means and the
Gaussian mixture), :mod:`~.lca` (the latent class model), :mod:`~.choosing_k` (fit criterion,
bootstrap stability, gap statistic), :mod:`~.profiles`, :mod:`~.naming`, :mod:`~.result`
(:class:`Segmentation`), :mod:`~.fitting` (:func:`segment`), :mod:`~.crosstab`
(:func:`segments_vs`) and :mod:`~.typing_tool` (:class:`TypingTool`).

References
----------
.. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill (outcome-based segmentation).
.. [2] Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and
   validation of cluster analysis. *Journal of Computational and Applied Mathematics*, 20,
   53-65.
.. [3] Tibshirani, R., Walther, G., & Hastie, T. (2001). Estimating the number of clusters in
   a data set via the gap statistic. *Journal of the Royal Statistical Society B*, 63(2),
   411-423.
.. [4] Schwarz, G. (1978). Estimating the dimension of a model. *The Annals of Statistics*,
   6(2), 461-464 (BIC).
.. [5] Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational
   Statistics & Data Analysis*, 52(1), 258-271.
.. [6] Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*,
   2(1), 193-218 (adjusted Rand index).
.. [7] Morin, S., Legault, R., Laliberté, F., Bakk, Z., Giguère, C.-É., de la Sablonnière, R.,
   & Lacourse, É. (2025). StepMix: A Python package for pseudo-likelihood estimation of
   generalized mixture models with external variables. *Journal of Statistical Software*,
   113(8), 1-39.
"""

from __future__ import annotations

from jtbd_methods.segmentation.clustering import METHODS
from jtbd_methods.segmentation.crosstab import CrossTabResult, segments_vs
from jtbd_methods.segmentation.features import first_responses
from jtbd_methods.segmentation.fitting import segment
from jtbd_methods.segmentation.profiles import separating_items
from jtbd_methods.segmentation.result import Segmentation, record_headlines
from jtbd_methods.segmentation.typing_tool import TypingTool

__all__ = [
    "METHODS",
    "CrossTabResult",
    "Segmentation",
    "TypingTool",
    "first_responses",
    "record_headlines",
    "segment",
    "segments_vs",
    "separating_items",
]
