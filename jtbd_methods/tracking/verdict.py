"""Reading an estimated change: against a worthwhile effect, and the smallest detectable one.

:func:`effect_verdict` says whether an interval shows an improvement, a worsening, no
worthwhile change or nothing conclusive; :func:`minimum_detectable_effect` gives the effect an
estimate of that precision would detect.
"""

from __future__ import annotations

import logging
from numbers import Real

import pandas as pd
from scipy import stats

from jtbd_methods._validation import (
    check_fraction,
)

logger = logging.getLogger(__name__)


def effect_verdict(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    worthwhile: float = 5.0,
) -> str:
    """Plain reading of an estimated change and its interval against a worthwhile effect.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The change and its confidence interval (e.g. percentage points).
    worthwhile : float, default 5.0
        The smallest change that would matter to the service, in the same units.

    Returns
    -------
    str
        ``"improved"`` or ``"worsened"`` when the interval excludes zero; ``"inconclusive"``
        when it includes zero and a worthwhile change (the data cannot tell); ``"no
        worthwhile change"`` when it includes zero and excludes any worthwhile change in both
        directions; ``"not estimated"`` when a value is missing.

    Raises
    ------
    ValueError
        If ``worthwhile`` is not positive.

    Notes
    -----
    "No clear change" is not evidence of no effect: an interval from -10 to +15 points is
    compatible with a large improvement. Reading the interval against the smallest worthwhile
    effect separates an inconclusive study from a reassuring null (Altman & Bland 1995;
    equivalence reasoning as in Walker & Nowacki 2011).

    References
    ----------
    .. [1] Altman, D. G., & Bland, J. M. (1995). Absence of evidence is not evidence of
       absence. *BMJ*, 311(7003), 485.
    .. [2] Walker, E., & Nowacki, A. S. (2011). Understanding equivalence and noninferiority
       testing. *Journal of General Internal Medicine*, 26(2), 192-196.

    Examples
    --------
    >>> effect_verdict(3.0, -6.0, 12.0), effect_verdict(20.0, 9.0, 31.0)
    ('inconclusive', 'improved')
    >>> effect_verdict(0.5, -2.0, 3.0)
    'no worthwhile change'
    """
    if isinstance(worthwhile, bool) or not isinstance(worthwhile, Real) or not worthwhile > 0:
        raise ValueError(
            f"The 'worthwhile' parameter of effect_verdict() must be a positive number; got "
            f"{worthwhile!r}."
        )
    values = [estimate, ci_low, ci_high]
    if any(v is None or pd.isna(v) for v in values):
        return "not estimated"
    low, high = float(ci_low), float(ci_high)
    if low > 0:
        return "improved"
    if high < 0:
        return "worsened"
    if high >= worthwhile or low <= -worthwhile:
        return "inconclusive"
    return "no worthwhile change"


def minimum_detectable_effect(se: float, *, ci: float = 0.95, power: float = 0.8) -> float:
    """Smallest true effect an estimate with this standard error detects with given power.

    Parameters
    ----------
    se : float
        Standard error of the estimate (e.g. a difference in differences, in points).
    ci : float, default 0.95
        Confidence level of the two-sided test (alpha = 1 - ci).
    power : float, default 0.8
        Probability of detecting an effect of that size.

    Returns
    -------
    float
        :math:`(z_{1-\\alpha/2} + z_{power})\\,SE`; NaN when ``se`` is missing.

    Raises
    ------
    ValueError
        If ``ci`` or ``power`` is not in (0, 1).

    Notes
    -----
    Bloom (1995): with alpha = 0.05 and 80 % power the multiplier is 1.96 + 0.84 = 2.80. The
    standard error is the one the analysis actually has (cluster-robust for a difference in
    differences), so the figure is the detectable effect at the data's size.

    References
    ----------
    .. [1] Bloom, H. S. (1995). Minimum detectable effects: a simple way to report the
       statistical power of experimental designs. *Evaluation Review*, 19(5), 547-556.

    Examples
    --------
    >>> round(minimum_detectable_effect(5.0), 2)
    14.01
    """
    caller = "minimum_detectable_effect()"
    ci = check_fraction(ci, parameter="ci", caller=caller)
    power = check_fraction(power, parameter="power", caller=caller)
    if se is None or pd.isna(se):
        return float("nan")
    multiplier = stats.norm.ppf(1 - (1 - ci) / 2) + stats.norm.ppf(power)
    return float(multiplier * float(se))
