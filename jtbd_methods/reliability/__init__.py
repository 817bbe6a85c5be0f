"""Inter-coder reliability: percent agreement, Cohen's kappa, Krippendorff's alpha.

Before the deductive coder or a trained model is trusted, two people code the same
subsample of comments by hand and their agreement is measured per job. This module takes
their codings, computes one statistic per function with a bootstrap confidence interval,
and lists the disagreements the coders must resolve.

Two input shapes are used:

* **wide codings**, one frame per coder, keyed by ``comment_id`` with one 0/1 column
  ``code_<job_id>`` per job (the hand-coded columns of ``feedback.csv`` and
  ``second_coding.csv``; ``<NA>`` = comment not coded by that coder);
* **reliability data**, one row per unit (a comment for one job) and one column per coder,
  with a ``job_id`` column to compute a statistic per job and a ``comment_id`` column to
  bootstrap by comment. :func:`stack_codings` turns wide codings into this shape; any other
  units × coders matrix (values of any nominal, ordinal or numeric kind, missing allowed)
  can be passed straight in.

Confidence intervals are percentile bootstrap intervals over resampled comments (a
cluster bootstrap: all jobs of a resampled comment come along, which matters for the
pooled, all-jobs estimates) [5]_.

The subpackage has two modules: :mod:`~jtbd_methods.reliability.coefficients` (one
statistic per function) and :mod:`~jtbd_methods.reliability.codings` (wide codings of
several coders, the agreement table and the disagreements).

References
----------
.. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
   Psychological Measurement*, 20(1), 37-46.
.. [2] Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for scaled
   disagreement or partial credit. *Psychological Bulletin*, 70(4), 213-220.
.. [3] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Departmental
   Papers (ASC), University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
.. [4] Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*
   (2nd ed.). Sage, ch. 11 (pp. 241-243 for the .800 / .667 thresholds).
.. [5] Zapf, A., Castell, S., Morawietz, L., & Karch, A. (2016). Measuring inter-rater
   reliability for nominal data - which coefficients and confidence intervals are
   appropriate? *BMC Medical Research Methodology*, 16, 93.
.. [6] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
   *Psychological Bulletin*, 76(5), 378-382 (observed agreement of several raters).
"""

from __future__ import annotations

from jtbd_methods.reliability.codings import agreement_table, disagreements, stack_codings
from jtbd_methods.reliability.coefficients import (
    LEVELS,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
)

__all__ = [
    "LEVELS",
    "agreement_table",
    "cohen_kappa",
    "disagreements",
    "krippendorff_alpha",
    "percent_agreement",
    "stack_codings",
]
