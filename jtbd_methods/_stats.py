"""Interval estimates shared by the method modules.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. *Journal of the American Statistical Association*, 22(158), 209-212.
.. [2] Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for interval
   estimation of binomial proportions. *The American Statistician*, 52(2), 119-126.
.. [3] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall,
   ch. 13 (percentile intervals).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from jtbd_methods._validation import check_fraction, check_int

__all__ = ["bootstrap_ci", "mean_ci", "wilson_interval"]


def wilson_interval(successes, n, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes, n : array-like of int
        Number of successes and of trials; broadcast together. ``n == 0`` gives NaN.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    (low, high) : tuple of numpy.ndarray
        Interval bounds as fractions in [0, 1] (scalars come back as 0-d arrays).

    Notes
    -----
    With :math:`\\hat p = x/n` and :math:`z = \\Phi^{-1}(1 - \\alpha/2)`,

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    It keeps its coverage near the nominal level for small ``n`` and shares near 0 or 1,
    where the Wald interval fails [2]_. Computed by
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")`` (vectorised), with
    ``n == 0`` giving NaN rather than an error.

    References
    ----------
    .. [1] Wilson (1927), JASA 22(158):209-212.
    .. [2] Agresti & Coull (1998), The American Statistician 52(2):119-126.

    Examples
    --------
    >>> low, high = wilson_interval(40, 100)
    >>> round(float(low), 4), round(float(high), 4)
    (0.3094, 0.498)
    """
    level = check_fraction(level, parameter="level", caller="wilson_interval")
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("wilson_interval: every count of successes must lie in [0, n].")
    x, n = np.broadcast_arrays(x, n)
    empty = n == 0
    # statsmodels computes the interval; n == 0 has none
    low, high = proportion_confint(
        np.where(empty, 0.0, x), np.where(empty, 1.0, n), alpha=1 - level, method="wilson"
    )
    low = np.where(empty, np.nan, np.clip(low, 0.0, 1.0))
    high = np.where(empty, np.nan, np.clip(high, 0.0, 1.0))
    return low, high


def mean_ci(values, *, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean with a Student-t confidence interval, ignoring missing values.

    Returns
    -------
    (mean, low, high, n) : tuple
        ``low`` and ``high`` are NaN when fewer than two values are present.

    Examples
    --------
    >>> m, lo, hi, n = mean_ci([1, 2, 3, 4, 5])
    >>> (m, round(lo, 3), round(hi, 3), n)
    (3.0, 1.037, 4.963, 5)
    """
    level = check_fraction(level, parameter="level", caller="mean_ci")
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype=float)
    n = int(v.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    m = float(v.mean())
    if n < 2:
        return m, float("nan"), float("nan"), n
    se = float(v.std(ddof=1) / np.sqrt(n))
    t = float(stats.t.ppf(1 - (1 - level) / 2, df=n - 1))
    return m, m - t * se, m + t * se, n


def bootstrap_ci(
    data,
    statistic: Callable[[np.ndarray], float],
    *,
    level: float = 0.95,
    n_boot: int = 2000,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over resampled rows of ``data``.

    ``statistic`` receives an array of row indices' values (``data[idx]``) and returns a
    float. Resampling is with replacement over the first axis.

    Examples
    --------
    >>> lo, hi = bootstrap_ci(np.arange(100.0), np.mean, n_boot=500)
    >>> 40 < lo < 49.5 < hi < 60
    True
    """
    level = check_fraction(level, parameter="level", caller="bootstrap_ci")
    n_boot = check_int(n_boot, parameter="n_boot", caller="bootstrap_ci", minimum=10)
    arr = np.asarray(data)
    if arr.shape[0] == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    idx = rng.integers(0, arr.shape[0], size=(n_boot, arr.shape[0]))
    draws = np.array([statistic(arr[i]) for i in idx], dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    return float(np.quantile(draws, alpha)), float(np.quantile(draws, 1 - alpha))
