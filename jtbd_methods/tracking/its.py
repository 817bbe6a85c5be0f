"""Interrupted time series: segmented regression with Newey-West standard errors.

:func:`its` estimates the level and slope change at each intervention, with the
counterfactual of the pre-intervention trend carried on, and returns an :class:`ITSResult`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)
from jtbd_methods.tracking._shared import (
    _as_numeric,
    _index_of,
    _time_index,
    renamed_keywords,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ITSResult:
    """Result of :func:`its`: effects, fitted series with counterfactual, and the model.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per model term: ``term`` (``"intercept"``, ``"pre_slope"``,
        ``"level_change"``, ``"slope_change"`` or a seasonal term), ``intervention`` (label,
        or None), ``start`` (the intervention's date, or NaT/NaN), ``estimate``, ``se``
        (Newey-West), ``ci_low``, ``ci_high``, ``p``.
    fitted : pandas.DataFrame
        One row per period: the time column, ``t`` (periods since the first), ``value``,
        ``weight``, ``segment`` (0 before the first intervention, k after the k-th),
        ``fitted`` and ``counterfactual`` (the same model with every level and slope change
        set to 0: the pre-intervention trend carried on).
    design : pandas.DataFrame
        The regression design matrix (rows used in the fit).
    model : statsmodels RegressionResults
        The fitted OLS/WLS model with HAC covariance.
    maxlags : int
        Lags of the Newey-West estimator.
    n_obs : int
        Periods used in the fit.
    """

    effects: pd.DataFrame
    fitted: pd.DataFrame
    design: pd.DataFrame
    model: Any
    maxlags: int
    n_obs: int

    def summary(self) -> pd.DataFrame:
        """One row per intervention: level and slope change with intervals and p-values.

        Columns: ``intervention``, ``start``, ``level_change``, ``level_change_ci_low``,
        ``level_change_ci_high``, ``level_change_p``, ``slope_change``,
        ``slope_change_ci_low``, ``slope_change_ci_high``, ``slope_change_p``, ``n_obs``.
        """
        rows = []
        eff = self.effects
        for label in eff.loc[eff["term"] == "level_change", "intervention"]:
            lv = eff.loc[(eff["term"] == "level_change") & (eff["intervention"] == label)].iloc[0]
            sl = eff.loc[(eff["term"] == "slope_change") & (eff["intervention"] == label)].iloc[0]
            rows.append(
                {
                    "intervention": label,
                    "start": lv["start"],
                    "level_change": lv["estimate"],
                    "level_change_ci_low": lv["ci_low"],
                    "level_change_ci_high": lv["ci_high"],
                    "level_change_p": lv["p"],
                    "slope_change": sl["estimate"],
                    "slope_change_ci_low": sl["ci_low"],
                    "slope_change_ci_high": sl["ci_high"],
                    "slope_change_p": sl["p"],
                    "n_obs": self.n_obs,
                }
            )
        return pd.DataFrame(rows)


def _interventions(interventions: Any, caller: str) -> list[tuple[str, Any]]:
    if isinstance(interventions, Mapping):
        items = [(str(k), v) for k, v in interventions.items()]
    elif isinstance(interventions, (str, pd.Timestamp, Real)) or not isinstance(
        interventions, Iterable
    ):
        items = [(None, interventions)]
    else:
        items = [(None, v) for v in interventions]
    if not items:
        raise ValueError(f"The 'interventions' parameter of {caller} needs at least one date.")
    out = []
    for label, moment in items:
        if moment is None or (isinstance(moment, float) and math.isnan(moment)):
            raise ValueError(f"The 'interventions' parameter of {caller} has a missing date.")
        if label is None:
            if isinstance(moment, Real):
                label = f"{moment:g}"
            else:
                try:
                    label = str(pd.Timestamp(moment).date())
                except (ValueError, TypeError) as err:
                    raise ValueError(
                        f"The 'interventions' parameter of {caller} must hold dates (or "
                        f"numbers for a numeric time column); got {moment!r}."
                    ) from err
        out.append((label, moment))
    return out


def _seasonal_design(
    t: np.ndarray, seasonality: Any, terms: str, harmonics: int, caller: str
) -> pd.DataFrame:
    if seasonality is None or seasonality is False or seasonality == 0:
        return pd.DataFrame(index=range(t.size))
    if seasonality is True:
        seasonality = 12
    season = check_int(seasonality, parameter="seasonality", caller=caller, minimum=2)
    cols: dict[str, np.ndarray] = {}
    if terms == "fourier":
        harmonics = check_int(
            harmonics, parameter="harmonics", caller=caller, minimum=1, maximum=season // 2
        )
        for j in range(1, harmonics + 1):
            angle = 2 * np.pi * j * t / season
            cols[f"sin_{j}"] = np.sin(angle)
            if not (season % 2 == 0 and j == season // 2):
                cols[f"cos_{j}"] = np.cos(angle)
    else:
        position = np.mod(np.round(t).astype(int), season)
        for j in range(1, season):
            cols[f"season_{j + 1}"] = (position == j).astype(float)
    return pd.DataFrame(cols)


@renamed_keywords(time="time_column")
def its(
    data: pd.DataFrame,
    *,
    value: str,
    time_column: str = "period",
    interventions: Any,
    seasonality: int | bool | None = False,
    seasonal_terms: str = "fourier",
    harmonics: int = 2,
    weights: str | None = None,
    maxlags: int | None = None,
    ci: float = 0.95,
) -> ITSResult:
    """Interrupted time series: segmented regression with Newey-West standard errors.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (e.g. :func:`rates` output). Rows with a missing value are left
        out of the fit but keep their fitted value.
    value : str
        Outcome column (e.g. ``"positive_share"``).
    time_column : str, default "period"
        Period column: regular period starts (weekly, monthly, quarterly, daily) or numbers.
        Called ``time`` in version 0.1 (still accepted, with a FutureWarning).
    interventions : date, list of dates or dict of {label: date}
        When each intervention started. The period containing the date is the first period
        after it. Labels default to the ISO date.
    seasonality : int or bool, default False
        Season length in periods (12 for months; ``True`` means 12) to add seasonal terms.
    seasonal_terms : {"fourier", "dummies"}, default "fourier"
        Sine/cosine pairs (``harmonics`` of them) or one indicator per season but the first.
    harmonics : int, default 2
        Number of Fourier harmonics.
    weights : str, optional
        Column of weights for weighted least squares (e.g. ``"n"`` for shares).
    maxlags : int, optional
        Lags of the Newey-West estimator; default ``floor(4 (T/100)^(2/9))``.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    ITSResult
        ``effects``, ``fitted`` (with the counterfactual), ``design``, ``model``, ``maxlags``,
        ``n_obs`` and ``summary()``; see :class:`ITSResult`.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or a column is not numeric.
    ValueError
        For a missing column or option, duplicated periods, an irregular date column,
        interventions out of order, or fewer than two observed periods in a segment.

    Notes
    -----
    With :math:`t` the period index and :math:`T_k` the first period after intervention
    :math:`k`, the model is

    .. math:: y_t = \\beta_0 + \\beta_1 t + \\sum_k \\left[\\gamma_k 1(t \\ge T_k) +
              \\delta_k (t - T_k) 1(t \\ge T_k)\\right] + s(t) + \\varepsilon_t

    so :math:`\\gamma_k` is the immediate level change and :math:`\\delta_k` the change in
    slope per period (Bernal, Cummins & Gasparrini 2017). Standard errors are Newey-West
    (HAC, Bartlett kernel) to allow for autocorrelated errors, with the small-sample factor
    :math:`T/(T-k)` (statsmodels' ``use_correction=True``) because HAC errors are too small
    in short series; inference uses the t distribution with the residual degrees of freedom.
    Segmented regression needs enough periods on each side of an intervention (Wagner et
    al. 2002 suggest 12; with fewer than about 6 after it the slope change, and so the level
    change read against the extrapolated pre-trend, is poorly determined). The counterfactual keeps the
    intercept, pre-intervention slope and seasonal terms and drops every change.

    Missing data: periods with a missing value, weight or a non-positive weight are left out.

    References
    ----------
    .. [1] Bernal, J. L., Cummins, S., & Gasparrini, A. (2017). Interrupted time series
       regression for the evaluation of public health interventions: a tutorial. *Int J
       Epidemiol*, 46(1), 348-355.
    .. [2] Newey, W. K., & West, K. D. (1987). A simple, positive semi-definite,
       heteroskedasticity and autocorrelation consistent covariance matrix. *Econometrica*,
       55(3), 703-708.
    .. [3] Wagner, A. K., Soumerai, S. B., Zhang, F., & Ross-Degnan, D. (2002). Segmented
       regression analysis of interrupted time series studies in medication use research.
       *J Clin Pharm Ther*, 27(4), 299-309.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> series = pd.DataFrame({"period": pd.date_range("2023-01-01", periods=24, freq="MS")})
    >>> series["share"] = 0.5 + 0.2 * (series["period"] >= "2024-01-01") + rng.normal(0, 0.02, 24)
    >>> result = its(series, value="share", interventions=["2024-01-01"])
    >>> round(float(result.summary()["level_change"].iloc[0]), 1)
    0.2
    """
    caller = "its()"
    require_dataframe(data, caller=caller)
    require_columns(data, [time_column, value, weights], caller=caller)
    one_of(seasonal_terms, ("fourier", "dummies"), parameter="seasonal_terms", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    maxlags = check_int(maxlags, parameter="maxlags", caller=caller, minimum=0, allow_none=True)
    table = data.sort_values(time_column, kind="stable").reset_index(drop=True)
    if table[time_column].isna().any():
        raise ValueError(f"The '{time_column}' column passed to {caller} has missing values.")
    if table[time_column].duplicated().any():
        raise ValueError(
            f"The '{time_column}' column passed to {caller} must have one row per period; "
            f"{table.loc[table[time_column].duplicated(), time_column].iloc[0]!r} appears more than once."
        )
    if not pd.api.types.is_datetime64_any_dtype(table[time_column]):
        _as_numeric(table[time_column], parameter="time_column", caller=caller)
    y = _as_numeric(table[value], parameter="value", caller=caller).to_numpy()
    w = (
        _as_numeric(table[weights], parameter="weights", caller=caller).to_numpy()
        if weights is not None
        else np.ones(y.size)
    )
    t, freq, origin = _time_index(table[time_column])
    items = _interventions(interventions, caller)
    starts = [_index_of(m, freq, origin, caller) for _, m in items]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise ValueError(
            f"The 'interventions' parameter of {caller} must be in time order, one per period."
        )
    observed = np.isfinite(y) & np.isfinite(w) & (w > 0)
    bounds = [-np.inf, *starts, np.inf]
    for k in range(len(bounds) - 1):
        inside = observed & (t >= bounds[k]) & (t < bounds[k + 1])
        if inside.sum() < 2:
            where = "before the first intervention" if k == 0 else f"after {items[k - 1][0]}"
            raise ValueError(
                f"{caller} needs at least two observed periods {where}; got {int(inside.sum())}."
            )
    columns: dict[str, np.ndarray] = {"const": np.ones(y.size), "time": t}
    for j, start in enumerate(starts, 1):
        after = (t >= start).astype(float)
        columns[f"level_{j}"] = after
        columns[f"slope_{j}"] = (t - start) * after
    design_all = pd.concat(
        [
            pd.DataFrame(columns),
            _seasonal_design(t, seasonality, seasonal_terms, harmonics, caller),
        ],
        axis=1,
    )
    n_obs = int(observed.sum())
    if n_obs <= design_all.shape[1] + 1:
        raise ValueError(
            f"{caller} has {n_obs} observed periods for {design_all.shape[1]} parameters; "
            "use a longer series or fewer seasonal terms."
        )
    if maxlags is None:
        maxlags = int(np.floor(4 * (n_obs / 100) ** (2 / 9)))
    design = design_all.loc[observed].reset_index(drop=True)
    if weights is None:
        model = sm.OLS(y[observed], design)
    else:
        model = sm.WLS(y[observed], design, weights=w[observed])
    fit = model.fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
    )
    conf = fit.conf_int(alpha=1 - ci)
    terms, labels, dates = [], [], []
    for name in design.columns:
        if name == "const":
            terms.append("intercept"), labels.append(None), dates.append(None)
        elif name == "time":
            terms.append("pre_slope"), labels.append(None), dates.append(None)
        elif name.startswith(("level_", "slope_")):
            kind, j = name.split("_")
            terms.append("level_change" if kind == "level" else "slope_change")
            labels.append(items[int(j) - 1][0])
            dates.append(items[int(j) - 1][1])
        else:
            terms.append(name), labels.append(None), dates.append(None)
    start_col = (
        pd.to_datetime(pd.Series(dates, dtype=object))
        if freq is not None
        else pd.Series([np.nan if d is None else float(d) for d in dates])
    )
    effects = pd.DataFrame(
        {
            "term": terms,
            "intervention": pd.Series(labels, dtype=object),
            "start": start_col,
            "estimate": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "ci_low": conf.iloc[:, 0].to_numpy(),
            "ci_high": conf.iloc[:, 1].to_numpy(),
            "p": fit.pvalues.to_numpy(),
        }
    )
    params = fit.params.to_numpy()
    fitted_values = design_all.to_numpy() @ params
    counter = design_all.copy()
    change_cols = [c for c in counter.columns if c.startswith(("level_", "slope_"))]
    counter[change_cols] = 0.0
    segment = np.searchsorted(np.asarray(starts), t, side="right")
    fitted = pd.DataFrame(
        {
            time_column: table[time_column].to_numpy(),
            "t": t,
            "value": y,
            "weight": w,
            "segment": segment,
            "fitted": fitted_values,
            "counterfactual": counter.to_numpy() @ params,
        }
    )
    return ITSResult(
        effects=effects, fitted=fitted, design=design, model=fit, maxlags=maxlags, n_obs=n_obs
    )
