"""Key drivers: relative importance of satisfaction items, robust to correlated drivers.

:func:`key_drivers` attributes the explained variance (R²) of overall satisfaction to its
drivers: Johnson's relative weights [1]_ or the Shapley / LMG decomposition [2]_ [3]_,
with percentile bootstrap intervals [4]_; :func:`record_key_drivers` writes the ranking to
``results.json``.

References
----------
.. [1] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
   predictor variables in multiple regression. *Multivariate Behavioral Research*, 35(1),
   1-19.
.. [2] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
   Multivariate Analysis*. Glenview, IL: Scott, Foresman (p. 119 ff.).
.. [3] Grömping, U. (2006). Relative importance for linear regression in R: the package
   relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
.. [4] Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman &
   Hall (percentile intervals, ch. 13).
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import report
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    check_names,
    one_of,
    require_columns,
    require_dataframe,
)

__all__ = ["key_drivers", "record_key_drivers"]

logger = logging.getLogger(__name__)


_MAX_SHAPLEY_DRIVERS = 15


def _relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights from a correlation matrix (drivers first, outcome last)."""
    rxx = corr[:-1, :-1]
    rxy = corr[:-1, -1]
    eigval, eigvec = np.linalg.eigh(rxx)
    if eigval.min() <= 1e-10 * max(1.0, eigval.max()):
        return np.full(len(rxy), np.nan)
    lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ beta**2


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of drivers, indexed by bit mask (driver j is bit j)."""
    p = corr.shape[0] - 1
    rxx = corr[:-1, :-1]
    rxy = corr[:-1, -1]
    r2 = np.zeros(2**p)
    for k in range(1, p + 1):
        combos = _combinations(p, k)
        sub = rxx[combos[:, :, None], combos[:, None, :]]
        r = rxy[combos]
        try:
            sol = np.linalg.solve(sub, r[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return np.full(2**p, np.nan)
        masks = (1 << combos).sum(axis=1)
        r2[masks] = np.einsum("ij,ij->i", r, sol)
    return r2


@functools.lru_cache(maxsize=64)
def _combinations(p: int, k: int) -> np.ndarray:
    """All k-subsets of range(p) as an array of shape (C(p, k), k)."""
    return np.array(list(itertools.combinations(range(p), k)), dtype=int)


@functools.lru_cache(maxsize=16)
def _shapley_weights(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bit masks 0..2^p-1 and the Shapley weight |S|!(p-|S|-1)!/p! by subset size."""
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    w_by_size = np.array(
        [math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)]
    )
    return masks, size, w_by_size


def _lmg(corr: np.ndarray) -> np.ndarray:
    """Shapley / LMG decomposition of R² from a correlation matrix."""
    p = corr.shape[0] - 1
    r2 = _subset_r2(corr)
    if not np.all(np.isfinite(r2)):
        return np.full(p, np.nan)
    masks, size, w_by_size = _shapley_weights(p)
    out = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        gain = r2[without | (1 << j)] - r2[without]
        out[j] = np.sum(w_by_size[size[without]] * gain)
    return out


def _corr(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.corrcoef(values, rowvar=False)


def key_drivers(
    survey: pd.DataFrame,
    *,
    outcome: str = "overall_satisfaction",
    drivers: Sequence[str] | None = None,
    method: str = "relative_weights",
    by_job: bool = False,
    codebook: Any = None,
    prefix: str = "sat_",
    ci: float = 0.95,
    n_boot: int = 1000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Relative importance of satisfaction items (or jobs) for overall satisfaction.

    Splits the R² of the regression of ``outcome`` on the drivers into one non-negative
    share per driver, robust to correlated drivers: Johnson's relative weights [2]_ or the
    Shapley / LMG decomposition [3]_ [4]_, with percentile bootstrap intervals [5]_.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent.
    outcome : str, default "overall_satisfaction"
        Column of the overall measure.
    drivers : sequence of str, optional
        Driver columns. Default: every column starting with ``prefix``.
    method : {"relative_weights", "shapley"}, default "relative_weights"
        ``"shapley"`` is exact (all :math:`2^p` subsets) and limited to 15 drivers.
    by_job : bool, default False
        Aggregate the items to jobs through ``codebook``: each job's driver is the mean of
        its answered ``sat_<outcome_id>`` items; the ``driver`` column then holds job ids.
    codebook : Codebook, optional
        Maps outcome ids to jobs (required with ``by_job=True``; otherwise adds ``job_id``).
    prefix : str, default ``"sat_"``
        Prefix of satisfaction items (``sat_<outcome_id>``).
    ci : float, default 0.95
        Confidence level of the bootstrap intervals.
    n_boot : int, default 1000
        Bootstrap resamples of respondents (0 for no intervals).
    random_state : int or None, default 0
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per driver, most important first:

        ``driver``
            Item column (or job id with ``by_job=True``).
        ``job_id``
            The item's job (``<NA>`` when unknown).
        ``n``
            Respondents used (complete on outcome and every driver).
        ``method``
            ``"relative_weights"`` or ``"shapley"``.
        ``weight``
            Share of R² attributed to the driver; the weights sum to ``r_squared``.
        ``ci_low``, ``ci_high``
            Percentile bootstrap interval of ``weight`` (NaN when ``n_boot=0``).
        ``share_of_r2``
            ``weight / r_squared``, a fraction 0-1 (sums to 1); ``percent_of_r2`` (0-100)
            before 0.2.
        ``r_squared``
            R² of the full regression (same on every row).
        ``rank``
            1 = most important.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame or ``codebook`` lacks outcome mappings.
    ValueError
        If columns are missing, no driver is found, ``method`` is unknown, ``by_job=True``
        without a codebook, too many drivers for ``"shapley"``, fewer complete respondents
        than drivers + 2, or the drivers are perfectly collinear or constant.

    Notes
    -----
    With :math:`R_{xx} = Q\\Lambda Q'` the drivers' correlation matrix, Johnson's
    orthogonal counterparts have loadings :math:`\\Lambda^* = Q\\Lambda^{1/2}Q'`, the
    outcome's weights on them are :math:`\\beta^* = \\Lambda^{*-1} r_{xy}` and the relative
    weight of driver *j* is :math:`\\varepsilon_j = \\sum_k \\lambda^{*2}_{jk}\\beta^{*2}_k`.
    The LMG / Shapley value averages the increase in R² from adding driver *j* over all
    orders of entry: :math:`\\sum_{S \\subseteq N\\setminus\\{j\\}} \\frac{|S|!(p-|S|-1)!}{p!}
    [R^2(S\\cup\\{j\\}) - R^2(S)]`. Both sum to the full-model R² and both equal the squared
    correlations when the drivers are uncorrelated. Equal to R ``relaimpo::calc.relimp(...,
    type = "lmg")`` and ``rwa::rwa()``.

    Missing data: listwise deletion over outcome and drivers (with ``by_job=True`` a job's
    score is the mean of the items answered, so only respondents with none of a job's items
    are dropped). Bootstrap resamples in which a driver is constant are skipped.

    References
    ----------
    .. [2] Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
       predictor variables in multiple regression. *Multivariate Behavioral Research*,
       35(1), 1-19.
    .. [3] Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate
       and Multivariate Analysis*. Scott, Foresman.
    .. [4] Grömping, U. (2006). Relative importance for linear regression in R: the package
       relaimpo. *Journal of Statistical Software*, 17(1), 1-27.
    .. [5] Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 300))
    >>> survey = pd.DataFrame({"sat_a": a, "sat_b": 0.5 * a + b,
    ...                        "overall_satisfaction": a + 0.3 * b + rng.normal(size=300)})
    >>> kd = key_drivers(survey, n_boot=0)
    >>> kd["driver"].tolist()
    ['sat_a', 'sat_b']
    >>> bool(np.isclose(kd["weight"].sum(), kd["r_squared"].iloc[0]))
    True
    """
    caller = "key_drivers"
    require_dataframe(survey, parameter="survey", caller=caller)
    method = one_of(method, ("relative_weights", "shapley"), parameter="method", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    n_boot = check_int(n_boot, parameter="n_boot", caller=caller, minimum=0)
    if 0 < n_boot < 100:
        raise ValueError(
            f"The 'n_boot' parameter of {caller} must be 0 or at least 100; got {n_boot}."
        )
    require_columns(survey, [outcome], name="survey", caller=caller)
    if drivers is None:
        drivers = [c for c in survey.columns if str(c).startswith(prefix) and c != outcome]
    else:
        drivers = check_names(drivers, parameter="drivers", caller=caller)
        require_columns(survey, drivers, name="survey", caller=caller)
    if not drivers:
        raise ValueError(
            f"{caller} found no driver columns: pass 'drivers' or use columns starting with "
            f"{prefix!r}."
        )
    item_job = (
        _item_jobs(codebook, drivers, prefix=prefix, caller=caller) if codebook is not None else {}
    )
    frame = survey[[outcome, *drivers]].apply(pd.to_numeric, errors="coerce").astype(float)
    if by_job:
        if codebook is None:
            raise ValueError(f"{caller}: by_job=True needs the study's codebook ('codebook=').")
        unmapped = [d for d in drivers if d not in item_job]
        if unmapped:
            logger.warning(
                "%s: items with no job in the codebook are left out: %s",
                caller,
                ", ".join(unmapped),
            )
        job_ids = list(dict.fromkeys(item_job[d] for d in drivers if d in item_job))
        if not job_ids:
            raise ValueError(f"{caller}: none of the driver items maps to a job of the codebook.")
        scores = {
            j: frame[[d for d in drivers if item_job.get(d) == j]].mean(axis=1, skipna=True)
            for j in job_ids
        }
        frame = pd.concat([frame[[outcome]], pd.DataFrame(scores)], axis=1)
        names = job_ids
        name_job = {j: j for j in job_ids}
    else:
        names = list(drivers)
        name_job = item_job
    p = len(names)
    if method == "shapley" and p > _MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"The 'shapley' method of {caller} is exact over 2^p subsets and allows at most "
            f"{_MAX_SHAPLEY_DRIVERS} drivers; got {p}. Use by_job=True or "
            f"method='relative_weights'."
        )
    complete = frame.dropna()
    n = len(complete)
    if n < len(frame):
        logger.info(
            "%s: %d of %d respondents dropped for missing answers.",
            caller,
            len(frame) - n,
            len(frame),
        )
    if n < p + 2:
        raise ValueError(
            f"{caller} needs more complete respondents than drivers + 1; got {n} for {p} drivers."
        )
    values = complete[[*names, outcome]].to_numpy(float)
    constant = [names[k] for k in range(p) if np.ptp(values[:, k]) == 0]
    if constant or np.ptp(values[:, -1]) == 0:
        which = ", ".join(constant) if constant else outcome
        raise ValueError(f"{caller}: constant column(s) have no correlation: {which}.")
    fn = _relative_weights if method == "relative_weights" else _lmg
    corr = _corr(values)
    weights = fn(corr)
    if not np.all(np.isfinite(weights)):
        raise ValueError(
            f"{caller}: the drivers are perfectly collinear (their correlation matrix is "
            f"singular); drop or combine redundant drivers."
        )
    rxx_inv_r = np.linalg.solve(corr[:-1, :-1], corr[:-1, -1])
    r2 = float(corr[:-1, -1] @ rxx_inv_r)

    low = np.full(p, np.nan)
    high = np.full(p, np.nan)
    if n_boot:
        rng = np.random.default_rng(random_state)
        draws = np.full((n_boot, p), np.nan)
        for b in range(n_boot):
            idx = rng.integers(0, n, size=n)
            c = _corr(values[idx])
            if np.all(np.isfinite(c)):
                draws[b] = fn(c)
        ok = np.all(np.isfinite(draws), axis=1)
        if ok.sum() < n_boot:
            logger.info(
                "%s: %d bootstrap resamples skipped (constant driver).",
                caller,
                int(n_boot - ok.sum()),
            )
        if ok.sum() >= 10:
            alpha = (1 - ci) / 2
            low, high = np.quantile(draws[ok], [alpha, 1 - alpha], axis=0)

    out = pd.DataFrame(
        {
            "driver": names,
            "job_id": pd.array([name_job.get(d) for d in names], dtype="string"),
            "n": n,
            "method": method,
            "weight": weights,
            "ci_low": low,
            "ci_high": high,
            "share_of_r2": weights / r2 if r2 > 0 else np.nan,
            "r_squared": r2,
        }
    )
    out = out.sort_values(["weight", "driver"], ascending=[False, True], kind="mergesort")
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, p + 1)
    return out


def record_key_drivers(drivers: pd.DataFrame, *, prefix: str = "drivers") -> dict[str, Any]:
    """Record the headline figures of :func:`key_drivers` for ``results.json``.

    Parameters
    ----------
    drivers : pandas.DataFrame
        Output of :func:`key_drivers`.
    prefix : str, default "drivers"
        First part of the keys.

    Returns
    -------
    dict
        The recorded key -> value pairs:

        ``<prefix>.<driver>.relative_weight``
            ``100 * weight``: percentage points of the variance of the outcome attributed to
            the driver (the weights of all drivers add up to ``<prefix>.r_squared``).
        ``<prefix>.<driver>.relative_weight_ci``
            Its bootstrap interval ``[low, high]`` (``[null, null]`` without bootstrap).
        ``<prefix>.r_squared``
            ``100 * R²`` of the full model.
        ``<prefix>.ranking``
            Driver ids, most important first.

    Raises
    ------
    TypeError, ValueError
        If ``drivers`` is not a DataFrame or lacks a column, or a driver id is not a valid
        lower_snake key part.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> kd = pd.DataFrame({"driver": ["gain_clarity"], "weight": [0.12], "ci_low": [0.08],
    ...                    "ci_high": [0.16], "r_squared": [0.12]})
    >>> record_key_drivers(kd)["drivers.gain_clarity.relative_weight"]
    12.0
    >>> report.reset()
    """
    caller = "record_key_drivers"
    require_dataframe(drivers, parameter="drivers", caller=caller)
    require_columns(
        drivers,
        ["driver", "weight", "ci_low", "ci_high", "r_squared"],
        name="drivers",
        caller=caller,
    )
    out: dict[str, Any] = {}
    ranked = drivers.sort_values("weight", ascending=False, kind="mergesort")
    for row in ranked.itertuples(index=False):
        key = f"{prefix}.{row.driver}.relative_weight"
        out[key] = report.record(key, 100 * float(row.weight))
        out[key + "_ci"] = report.record(
            key + "_ci", [100 * float(row.ci_low), 100 * float(row.ci_high)]
        )
    if len(ranked):
        out[f"{prefix}.r_squared"] = report.record(
            f"{prefix}.r_squared", 100 * float(ranked["r_squared"].iloc[0])
        )
    out[f"{prefix}.ranking"] = report.record(
        f"{prefix}.ranking", [str(d) for d in ranked["driver"]]
    )
    return out


def _item_jobs(
    codebook: Any, drivers: Sequence[str], *, prefix: str, caller: str
) -> dict[str, str]:
    """Driver column -> job id through ``codebook.outcome_job()``."""
    mapping = getattr(codebook, "outcome_job", None)
    if not callable(mapping):
        raise TypeError(
            f"The 'codebook' parameter of {caller} must be a Codebook (with outcome_job()); "
            f"got {type(codebook).__name__}."
        )
    outcome_job = mapping()
    out = {}
    for d in drivers:
        oid = d[len(prefix) :] if d.startswith(prefix) else d
        if oid in outcome_job:
            out[d] = outcome_job[oid]
    return out
