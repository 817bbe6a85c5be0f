"""Satisfaction and job fulfilment over time: rates, SPC charts, interrupted time series.

Tracking answers the last question of a Jobs-to-be-Done study: *are the jobs patients hire
care for getting done better since we acted?* The subpackage offers, from the simplest to the
most formal (one module per idea; every public name is importable from here):

* ``rates`` - :func:`rates` and :func:`job_rates`: the share of positive (and top-box)
  ratings and the mean rating per week, month or quarter, overall, by group or per job, with
  Wilson and Student-t intervals; small periods are suppressed and empty periods kept as
  visible gaps. :func:`latest_rate` and :func:`record_latest` report the last period.
* ``spc`` - :func:`spc`: statistical process control charts (p, Laney p', XmR and run charts)
  with the NHS "Making Data Count" rules or Anhøj's runs rules, baselines and phases;
  :func:`runs_limits` gives Anhøj's critical values.
* ``rebasing`` - choosing and rebasing a chart: :func:`dispersion`, :func:`choose_chart`,
  :func:`action_dates`, :func:`rebase_dates`.
* ``icons`` - the Making Data Count variation and assurance icons (:func:`chart_icons`,
  :data:`ICON_TEXT`) and :func:`record_spc`.
* ``its`` - :func:`its`: interrupted time series by segmented regression with Newey-West
  standard errors (:class:`ITSResult`).
* ``actions`` - :func:`action_effects` and :func:`action_its`: the effect of each improvement
  action of ``actions.csv`` on the job it targets; :func:`record_action_effects`.
* ``did`` - :func:`did`, :func:`pilot_effects`, :func:`pilot_series` and
  :func:`pre_trend_sentence`: difference-in-differences of piloted actions.
* ``verdict`` - :func:`effect_verdict` and :func:`minimum_detectable_effect`: reading an
  estimated change against a worthwhile one.
* ``summary`` - :func:`job_summary`, :func:`focus_jobs`, :func:`record_job_trends`: one row per
  job for the report.
* ``trajectories`` - :func:`trajectories`: satisfaction over repeated survey waves per segment
  with a linear mixed model; :func:`repeated_respondents`, :func:`record_trajectories`.
* ``segments`` - the segments of the segmentation report for the trajectories:
  :func:`segmentation_choice`, :func:`segment_labels`, :func:`segments_note`.
* ``text_only`` - studies without ratings: :func:`has_ratings`, :func:`mention_rates`,
  :func:`text_action_effects`, :func:`record_text_action_effects`.

Every function takes a DataFrame first, keyword-only options and column names with defaults,
never changes its input and returns a new tidy DataFrame (or, for :func:`its`, a frozen
:class:`ITSResult`). Shares are fractions in [0, 1] except where a share stands beside an
estimated change of it: :func:`action_effects`, :func:`pilot_effects` and :func:`job_summary`
(its latest share and interval, read from the control chart's estimates) report percentage
points, as the changes are. Keyword names follow
the package's conventions: ``time_column`` (a date column), ``freq`` (a pandas frequency such
as ``"MS"``), ``id_column``, ``ci=0.95``, ``n_boot``; the names of version 0.1 (``date``,
``period``, ``time``, ``comment_id``, ``id``) still work, with a :class:`FutureWarning`.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *Journal of the American Statistical Association*, 22(158), 209-212.
.. [2] Montgomery, D. C. (2009). *Introduction to Statistical Quality Control* (6th ed.).
   Wiley, ch. 6-7.
.. [3] Laney, D. B. (2002). Improved control charts for attributes. *Quality Engineering*,
   14(4), 531-537.
.. [4] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*; and the
   NHSRplotthedots R package (NHS-R Community).
.. [5] Anhøj, J., & Olesen, A. V. (2014). Run charts revisited: a simulation study of run
   chart rules for detection of non-random variation in health care processes. *PLoS ONE*,
   9(11), e113825.
.. [6] Bernal, J. L., Cummins, S., & Gasparrini, A. (2017). Interrupted time series
   regression for the evaluation of public health interventions: a tutorial. *International
   Journal of Epidemiology*, 46(1), 348-355.
.. [7] Newey, W. K., & West, K. D. (1994). Automatic lag selection in covariance matrix
   estimation. *Review of Economic Studies*, 61(4), 631-653.
.. [8] Wing, C., Simon, K., & Bello-Gomez, R. A. (2018). Designing difference in difference
   studies: best practices for public health policy research. *Annual Review of Public
   Health*, 39, 453-469.
.. [9] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data.
   *Biometrics*, 38(4), 963-974.
"""

from __future__ import annotations

from jtbd_methods.tracking._shared import CHARTS, FREQS, PERIODS
from jtbd_methods.tracking.actions import action_effects, action_its, record_action_effects
from jtbd_methods.tracking.did import did, pilot_effects, pilot_series, pre_trend_sentence
from jtbd_methods.tracking.icons import ICON_TEXT, chart_icons, record_spc
from jtbd_methods.tracking.its import ITSResult, its
from jtbd_methods.tracking.rates import job_rates, latest_rate, rates, record_latest
from jtbd_methods.tracking.rebasing import (
    OVERDISPERSION_THRESHOLD,
    action_dates,
    choose_chart,
    dispersion,
    rebase_dates,
    recalculation_dates,
)
from jtbd_methods.tracking.segments import (
    SEGMENTATION_DEFAULTS,
    SegmentChoice,
    segment_labels,
    segmentation_choice,
    segments_note,
)
from jtbd_methods.tracking.spc import runs_limits, spc
from jtbd_methods.tracking.summary import focus_jobs, job_summary, record_job_trends
from jtbd_methods.tracking.text_only import (
    has_ratings,
    mention_rates,
    record_text_action_effects,
    text_action_effects,
)
from jtbd_methods.tracking.trajectories import (
    record_trajectories,
    repeated_respondents,
    trajectories,
)
from jtbd_methods.tracking.verdict import effect_verdict, minimum_detectable_effect

__all__ = [
    "CHARTS",
    "FREQS",
    "ICON_TEXT",
    "ITSResult",
    "OVERDISPERSION_THRESHOLD",
    "PERIODS",
    "SEGMENTATION_DEFAULTS",
    "SegmentChoice",
    "action_dates",
    "action_effects",
    "action_its",
    "chart_icons",
    "choose_chart",
    "did",
    "dispersion",
    "effect_verdict",
    "focus_jobs",
    "has_ratings",
    "its",
    "job_rates",
    "job_summary",
    "latest_rate",
    "mention_rates",
    "minimum_detectable_effect",
    "pilot_effects",
    "pilot_series",
    "pre_trend_sentence",
    "rates",
    "rebase_dates",
    "recalculation_dates",
    "record_action_effects",
    "record_job_trends",
    "record_latest",
    "record_spc",
    "record_text_action_effects",
    "record_trajectories",
    "repeated_respondents",
    "runs_limits",
    "segment_labels",
    "segmentation_choice",
    "segments_note",
    "spc",
    "text_action_effects",
    "trajectories",
]
