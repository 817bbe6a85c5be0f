"""Service recovery: which disrupted jobs to fix first, what drives satisfaction, and the loop.

A complaint is evidence that a job the patient hired the service for was disrupted. This
module turns coded comments and survey answers into the improvement team's priorities:

* :func:`disruption_impact` — how much lower patients rate their care when a comment shows a
  job was disrupted (OLS with heteroscedasticity-robust HC3 standard errors);
* :func:`priority_matrix` — frequency x impact: rating points lost per 100 comments, with a
  confidence interval, a rank and a quadrant;
* :func:`key_drivers` — relative importance of satisfaction items (or jobs) for overall
  satisfaction, robust to correlated drivers: Johnson's relative weights and the
  Shapley / LMG decomposition of R²;
* :func:`working_sheet`, :func:`action_plan`, :func:`close_the_loop` and
  :func:`export_action_plan` — the improvement team's sheet, the actions under way for the
  top jobs, each action's measured effect on its job, and an XLSX to hand over.

The subpackage has one module per idea: :mod:`~jtbd_methods.recovery.impact`,
:mod:`~.quadrants`, :mod:`~.priorities`, :mod:`~.text_matrix` (priorities without ratings),
:mod:`~.drivers` and :mod:`~.actions`.

References
----------
.. [1] Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors
   in the linear regression model. *The American Statistician*, 54(3), 217-224.
.. [2] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
   predictor variables in multiple regression. *Multivariate Behavioral Research*, 35(1),
   1-19.
.. [3] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
   Multivariate Analysis*. Glenview, IL: Scott, Foresman (p. 119 ff.).
.. [4] Grömping, U. (2006). Relative importance for linear regression in R: the package
   relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
.. [5] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
   Hall (percentile intervals, ch. 13).
"""

from __future__ import annotations

from jtbd_methods.recovery.actions import (
    action_plan,
    close_the_loop,
    export_action_plan,
    working_sheet,
)
from jtbd_methods.recovery.drivers import key_drivers, record_key_drivers
from jtbd_methods.recovery.impact import disruption_impact
from jtbd_methods.recovery.priorities import priority_matrix, record_priorities
from jtbd_methods.recovery.quadrants import QUADRANTS, TEXT_QUADRANTS
from jtbd_methods.recovery.text_matrix import text_priorities

__all__ = [
    "QUADRANTS",
    "TEXT_QUADRANTS",
    "action_plan",
    "close_the_loop",
    "disruption_impact",
    "export_action_plan",
    "key_drivers",
    "priority_matrix",
    "record_key_drivers",
    "record_priorities",
    "text_priorities",
    "working_sheet",
]
