"""Staff experience and patient experience: do engaged teams have more satisfied patients?

Patients' positive share (ratings 4-5) per unit and month is joined to the staff
engagement index of the same unit (optionally some months earlier) and modelled with a
random intercept per unit. Engagement is split by group-mean centring into a
**within-unit** component — does a unit have happier patients in the months its staff are
more engaged than usual? — and a **between-unit** component — do units with more engaged
staff have happier patients on average? The two answer different questions and are often
different in size; mixing them in one slope gives an uninterpretable blend.

References
----------
.. [1] Enders, C. K., & Tofighi, D. (2007). Centering predictor variables in cross-sectional
   multilevel models: a new look at an old issue. *Psychological Methods*, 12(2), 121-138.
.. [2] Begg, M. D., & Parides, M. K. (2003). Separation of individual-level and
   cluster-level covariate effects in regression analysis of correlated data. *Statistics
   in Medicine*, 22(16), 2591-2602.
.. [3] Robinson, W. S. (1950). Ecological correlations and the behavior of individuals.
   *American Sociological Review*, 15(3), 351-357.
.. [4] Liang, K.-Y., & Zeger, S. L. (1986). Longitudinal data analysis using generalized
   linear models. *Biometrika*, 73(1), 13-22.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    one_of,
    require_columns,
    require_dataframe,
)

__all__ = ["CAUTION", "EngagementModel", "engagement_model", "unit_period_measures"]

logger = logging.getLogger(__name__)

#: Why the staff-engagement link is an association, not a causal effect (shown in reports).
CAUTION = (
    "These are associations, not causal effects. Reverse causation: a run of good patient "
    "feedback can lift staff morale as much as engaged staff can lift patient experience. "
    "Confounding: workload, staffing levels, vacancies, case mix and leadership change both "
    "engagement and patient experience, and none of them is in the model (the within-unit "
    "effect removes stable differences between units, not changes over time). Ecological "
    "inference: engagement is a unit average from the staff survey, so the model says "
    "nothing about whether the staff who cared for a given patient were engaged; the "
    "between-unit effect rests on few units and is the more exposed to this. Treat the "
    "figures as a reason to look closer, not as the return on an engagement programme."
)

# Period frequencies (pandas aliases) -> pandas Period frequency and months per period.
_FREQ = {"MS": ("M", 1), "QS": ("Q", 3)}
# Values of the ``period`` keyword before 0.2 (``freq`` now takes pandas aliases).
_OLD_FREQ = {"month": "MS", "quarter": "QS"}
_COMPONENTS = ("within_unit", "between_unit", "contextual")


def _period_start(dates: pd.Series, freq: str) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period(freq).dt.to_timestamp()


@renamed_keywords(period="freq", received="time_column")
def unit_period_measures(
    feedback: pd.DataFrame,
    staff: pd.DataFrame,
    *,
    unit: str = "site",
    freq: str = "MS",
    positive: tuple[int, ...] = (4, 5),
    lag: int = 0,
    time_column: str = "received",
    rating: str = "rating",
    staff_unit: str = "unit",
    staff_period: str = "period",
    engagement: str = "engagement",
    respondents: str = "respondents",
) -> pd.DataFrame:
    """Patient positive share per unit and period, joined to the unit's staff engagement.

    Parameters
    ----------
    feedback : pandas.DataFrame
        One row per comment, with the unit (``site``), the date received and the rating.
    staff : pandas.DataFrame
        ``staff.csv``: one row per unit and month with the engagement index (0-10) and the
        number of staff respondents.
    unit : str, default "site"
        Column of ``feedback`` that matches ``staff[staff_unit]``.
    freq : {"MS", "QS"}, default "MS"
        Period of aggregation, as a pandas frequency alias: months or quarters (``period``
        with ``"month"``/``"quarter"`` before 0.2, still accepted with a
        :class:`FutureWarning`). For quarters, staff engagement is the respondent-weighted
        mean of the quarter's months.
    positive : tuple of int, default (4, 5)
        Ratings counted as positive.
    lag : int, default 0
        Number of periods by which staff engagement precedes the patient period (``lag=1``:
        patients in March are joined to staff engagement of February).
    time_column, rating : str
        Columns of ``feedback``: the date received (``received`` before 0.2) and the
        rating.
    staff_unit, staff_period, engagement, respondents : str
        Columns of ``staff``.

    Returns
    -------
    pandas.DataFrame
        One row per unit and period with both patient ratings and staff data, sorted by
        unit and period:

        ``unit``
            The unit (site).
        ``period``
            First day of the patient period.
        ``n``
            Rated comments in the unit and period.
        ``n_positive``
            Of those, ratings in ``positive``.
        ``positive_share``
            ``n_positive / n`` (0-1).
        ``engagement``
            Staff engagement index (0-10) of ``staff_period``.
        ``respondents``
            Staff respondents behind ``engagement``.
        ``staff_period``
            First day of the staff period joined (``period`` minus ``lag`` periods).
        ``lag``
            The lag used.

    Raises
    ------
    TypeError
        If an input is not a DataFrame or ``lag`` is not an integer.
    ValueError
        If columns are missing, ``freq`` is unknown, ``lag`` < 0, ``positive`` is empty
        or ratings outside 1-5 are listed.

    Notes
    -----
    Missing data: comments without a rating are not counted; unit-periods without staff
    data (or without rated comments) are dropped, and the number dropped is logged. The
    table is a breakdown by unit: suppress small cells (``privacy.suppress_small``) before
    showing it to a client.

    Examples
    --------
    >>> feedback = pd.DataFrame({"site": ["North"] * 3 + ["South"] * 2,
    ...     "received": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-02",
    ...                                 "2024-01-05", "2024-01-07"]),
    ...     "rating": pd.array([5, 2, 4, 4, 5], dtype="Int64")})
    >>> staff = pd.DataFrame({"unit": ["North", "North", "South"],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"]),
    ...     "engagement": [6.5, 7.0, 5.5], "respondents": [20, 22, 30]})
    >>> unit_period_measures(feedback, staff)[["unit", "n", "positive_share", "engagement"]]
        unit  n  positive_share  engagement
    0  North  2             0.5         6.5
    1  North  1             1.0         7.0
    2  South  2             1.0         5.5
    """
    caller = "unit_period_measures"
    require_dataframe(feedback, parameter="feedback", caller=caller)
    require_dataframe(staff, parameter="staff", caller=caller)
    require_columns(feedback, [unit, time_column, rating], name="feedback", caller=caller)
    require_columns(
        staff, [staff_unit, staff_period, engagement, respondents], name="staff", caller=caller
    )
    if freq in _OLD_FREQ:
        warnings.warn(
            f"{caller}: freq={freq!r} is the old spelling; use freq={_OLD_FREQ[freq]!r} (a "
            "pandas frequency alias). The old values stop working in the next release.",
            FutureWarning,
            stacklevel=3,
        )
        freq = _OLD_FREQ[freq]
    freq = one_of(freq, tuple(_FREQ), parameter="freq", caller=caller)
    lag = check_int(lag, parameter="lag", caller=caller, minimum=0)
    positive = _check_positive(positive, caller=caller)
    quarterly = freq == "QS"
    freq, months = _FREQ[freq]

    fb = pd.DataFrame(
        {
            "unit": feedback[unit].astype("string"),
            "period": _period_start(feedback[time_column], freq),
            "rating": pd.to_numeric(feedback[rating], errors="coerce"),
        }
    ).dropna(subset=["unit", "period", "rating"])
    fb["positive"] = fb["rating"].isin(positive).astype(int)
    patients = (
        fb.groupby(["unit", "period"], observed=True)
        .agg(n=("positive", "size"), n_positive=("positive", "sum"))
        .reset_index()
    )

    st = pd.DataFrame(
        {
            "unit": staff[staff_unit].astype("string"),
            "staff_period": _period_start(staff[staff_period], freq),
            "engagement": pd.to_numeric(staff[engagement], errors="coerce").astype(float),
            "respondents": pd.to_numeric(staff[respondents], errors="coerce").astype(float),
        }
    ).dropna(subset=["unit", "staff_period", "engagement"])
    st["respondents"] = st["respondents"].fillna(0.0)
    if quarterly:
        st["w"] = st["respondents"].where(st["respondents"] > 0, 1.0)
        st["we"] = st["w"] * st["engagement"]
        g = st.groupby(["unit", "staff_period"], observed=True)
        st = g.agg(
            we=("we", "sum"), w=("w", "sum"), respondents=("respondents", "sum")
        ).reset_index()
        st["engagement"] = st["we"] / st["w"]
        st = st.drop(columns=["we", "w"])
    st["period"] = st["staff_period"] + pd.DateOffset(months=lag * months)

    out = patients.merge(st, on=["unit", "period"], how="inner", validate="one_to_one")
    dropped = len(patients) - len(out)
    if dropped:
        logger.info(
            "%s: %d unit-periods with ratings but no staff data were dropped.", caller, dropped
        )
    out["positive_share"] = out["n_positive"] / out["n"]
    out["respondents"] = out["respondents"].round().astype("int64")
    out["lag"] = lag
    out["unit"] = out["unit"].astype(str)
    cols = [
        "unit",
        "period",
        "n",
        "n_positive",
        "positive_share",
        "engagement",
        "respondents",
        "staff_period",
        "lag",
    ]
    return out[cols].sort_values(["unit", "period"], kind="mergesort").reset_index(drop=True)


def _check_positive(positive: Any, *, caller: str) -> tuple[int, ...]:
    if isinstance(positive, int | np.integer):
        positive = (int(positive),)
    try:
        values = tuple(int(v) for v in positive)
    except (TypeError, ValueError):
        raise TypeError(
            f"The 'positive' parameter of {caller} must be a tuple of ratings (1-5); "
            f"got {positive!r}."
        ) from None
    if not values or any(v < 1 or v > 5 for v in values):
        raise ValueError(
            f"The 'positive' parameter of {caller} must list ratings from 1 to 5; got {positive!r}."
        )
    return values


@dataclass(frozen=True, eq=False)
class EngagementModel:
    """Fitted link between staff engagement and patients' positive share.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per component (``within_unit``, ``between_unit``, ``contextual`` =
        between minus within): ``component``, ``estimate_pp`` (change in patient positive
        share, percentage points, per point of engagement), ``se``, ``ci_low``, ``ci_high``,
        ``p``, ``n_units``, ``n``.
    data : pandas.DataFrame
        The analysed unit-periods with ``positive_share_pp``, ``engagement_unit_mean``,
        ``engagement_between`` (unit mean minus the grand mean of unit means),
        ``engagement_within`` (deviation from the unit mean) and
        ``positive_share_unit_mean_pp``.
    params : pandas.Series
        Fixed effects ``intercept``, ``between``, ``within`` (pp).
    cov_params : pandas.DataFrame
        Their covariance matrix.
    method : str
        ``"mixedlm"`` or ``"gee"``.
    lag : int
        Periods by which engagement precedes patient ratings (added in the model).
    ci : float
        Confidence level.
    n_units, n_unit_periods, n_comments : int
        Sizes of the analysed data.
    unit_sd_pp, residual_sd_pp : float
        Random-intercept and residual standard deviations (``mixedlm``; NaN for ``gee``).
    caution : str
        Why these are associations, not causal effects (:data:`CAUTION`).
    result : object
        The statsmodels results object, for diagnostics.
    """

    effects: pd.DataFrame
    data: pd.DataFrame
    params: pd.Series
    cov_params: pd.DataFrame
    method: str
    lag: int
    ci: float
    n_units: int
    n_unit_periods: int
    n_comments: int
    unit_sd_pp: float
    residual_sd_pp: float
    caution: str = CAUTION
    result: Any = field(default=None, repr=False)

    def estimate(self, component: str = "within_unit") -> float:
        """Estimate (pp per point of engagement) of ``component``."""
        one_of(component, _COMPONENTS, parameter="component", caller="EngagementModel.estimate")
        return float(self.effects.set_index("component").loc[component, "estimate_pp"])

    def interval(self, component: str = "within_unit") -> tuple[float, float]:
        """Confidence interval ``(low, high)`` of ``component`` (pp per point)."""
        one_of(component, _COMPONENTS, parameter="component", caller="EngagementModel.interval")
        row = self.effects.set_index("component").loc[component]
        return float(row["ci_low"]), float(row["ci_high"])

    def summary(self) -> pd.DataFrame:
        """Effects with the model's sizes, method and lag: one row per component."""
        out = self.effects.copy()
        out["n_unit_periods"] = self.n_unit_periods
        out["n_comments"] = self.n_comments
        out["method"] = self.method
        out["lag"] = self.lag
        return out


def _period_step_months(periods: pd.Series) -> int:
    """Smallest gap in months between distinct periods (1 for monthly, 3 for quarterly)."""
    p = pd.to_datetime(pd.Series(periods.unique())).sort_values()
    if len(p) < 2:
        return 1
    months = np.diff(p.dt.year.to_numpy() * 12 + p.dt.month.to_numpy())
    months = months[months > 0]
    return int(months.min()) if months.size else 1


def _fit_mixedlm(endog: pd.Series, exog: pd.DataFrame, groups: pd.Series, *, caller: str) -> Any:
    """REML fit of the random-intercept model; retries with Powell then L-BFGS.

    statsmodels' default gradient optimiser can step into a singular region when the
    between-unit variance is estimated at (or near) zero; a derivative-free start finds the
    boundary solution, which is then polished by L-BFGS.
    """
    model = sm.MixedLM(endog, exog, groups=groups)
    try:
        result = model.fit(reml=True)
        if bool(getattr(result, "converged", True)):
            return result
    except (np.linalg.LinAlgError, ValueError) as exc:
        logger.info("%s: default optimiser failed (%s); retrying with Powell.", caller, exc)
    try:
        return model.fit(reml=True, method=["powell", "lbfgs"])
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise ValueError(
            f"{caller}: the mixed model could not be fitted ({exc}); try method='gee' or "
            f"check that engagement varies within and between units."
        ) from exc


@renamed_keywords(period="time_column")
def engagement_model(
    data: pd.DataFrame,
    *,
    lag: int = 0,
    ci: float = 0.95,
    method: str = "mixedlm",
    min_n: int = 5,
    unit: str = "unit",
    time_column: str = "period",
    engagement: str = "engagement",
    share: str = "positive_share",
    n: str = "n",
) -> EngagementModel:
    """Multilevel model of patients' positive share on staff engagement, within and between units.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`unit_period_measures` (one row per unit and period).
    lag : int, default 0
        Further lag, in periods, of engagement within each unit (use 0 when ``data`` was
        built with the lag already). Periods with no engagement ``lag`` periods earlier are
        dropped.
    ci : float, default 0.95
        Confidence level.
    method : {"mixedlm", "gee"}, default "mixedlm"
        ``"mixedlm"``: linear mixed model with a random intercept per unit (REML),
        unit-periods weighted equally. ``"gee"``: Gaussian GEE with an exchangeable working
        correlation within unit, weighted by ``n`` (rated comments), with robust
        (sandwich) standard errors [4]_.
    min_n : int, default 5
        Unit-periods with fewer rated comments are left out (their share is too noisy).
    unit, time_column, engagement, share, n : str
        Column names in ``data`` (``time_column``, the period start, was ``period`` before
        0.2).

    Returns
    -------
    EngagementModel
        ``effects`` (component, estimate_pp, se, ci_low, ci_high, p, n_units, n), the
        analysed ``data``, fitted ``params``, ``summary()`` and ``caution``.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or ``lag``/``min_n`` are not integers.
    ValueError
        If columns are missing, ``method`` is unknown, or fewer than 3 units (or no
        variation of engagement within units) remain.

    Notes
    -----
    With :math:`x_{ut}` the engagement of unit *u* in period *t*, :math:`\\bar x_u` its mean
    over the unit's periods and :math:`\\bar{\\bar x}` the mean of the unit means, the model
    is

    .. math:: 100\\,p_{ut} = \\gamma_0 + \\gamma_B(\\bar x_u - \\bar{\\bar x})
              + \\gamma_W(x_{ut} - \\bar x_u) + u_u + e_{ut},

    with :math:`u_u \\sim N(0, \\tau^2)`. Centring within cluster makes :math:`\\gamma_W`
    the pure within-unit slope and :math:`\\gamma_B` the between-unit slope [1]_ [2]_;
    :math:`\\gamma_B - \\gamma_W` is the contextual effect. Wald intervals use the normal
    distribution. The outcome is the positive share in percentage points, so the
    coefficients are percentage points per point of engagement — a linear probability
    scale chosen for interpretability; shares between about 20 % and 80 % keep it close to
    a logistic model.

    Why a linear mixed model by default: units are few (often under 20), which makes the
    cluster-robust errors of GEE anti-conservative, while the random intercept gives
    model-based errors that hold with few clusters. MixedLM has no case weights, so
    unit-periods count equally and the noisiest (``n < min_n``) are dropped; ``"gee"``
    weights by ``n`` when units are many.

    Missing data: rows with a missing share, engagement or ``n < min_n`` are dropped;
    units with a single remaining period add to the between-unit slope only.

    References
    ----------
    .. [1] Enders, C. K., & Tofighi, D. (2007). Centering predictor variables in
       cross-sectional multilevel models: a new look at an old issue. *Psychological
       Methods*, 12(2), 121-138.
    .. [2] Begg, M. D., & Parides, M. K. (2003). Separation of individual-level and
       cluster-level covariate effects in regression analysis of correlated data.
       *Statistics in Medicine*, 22(16), 2591-2602.
    .. [4] Liang, K.-Y., & Zeger, S. L. (1986). Longitudinal data analysis using generalized
       linear models. *Biometrika*, 73(1), 13-22.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> units = np.repeat([f"u{i}" for i in range(12)], 18)
    >>> unit_mean = np.repeat(rng.normal(6.5, 1.0, 12), 18)
    >>> eng = unit_mean + rng.normal(0, 0.8, units.size)
    >>> p = 0.6 + 0.05 * (unit_mean - 6.5) + 0.03 * (eng - unit_mean)
    >>> data = pd.DataFrame({"unit": units, "period": np.tile(pd.date_range("2023-01-01",
    ...     periods=18, freq="MS"), 12), "n": 200, "engagement": eng})
    >>> data["positive_share"] = rng.binomial(200, p) / 200
    >>> model = engagement_model(data)
    >>> model.effects["component"].tolist()
    ['within_unit', 'between_unit', 'contextual']
    >>> lo, hi = model.interval("within_unit")
    >>> bool(lo < 3 < hi)
    True
    """
    caller = "engagement_model"
    require_dataframe(data, parameter="data", caller=caller)
    require_columns(data, [unit, time_column, engagement, share, n], name="data", caller=caller)
    lag = check_int(lag, parameter="lag", caller=caller, minimum=0)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    method = one_of(method, ("mixedlm", "gee"), parameter="method", caller=caller)
    min_n = check_int(min_n, parameter="min_n", caller=caller, minimum=1)

    d = pd.DataFrame(
        {
            "unit": data[unit].astype(str),
            "period": pd.to_datetime(data[time_column]),
            "n": pd.to_numeric(data[n], errors="coerce"),
            "positive_share": pd.to_numeric(data[share], errors="coerce").astype(float),
            "engagement": pd.to_numeric(data[engagement], errors="coerce").astype(float),
        }
    )
    if d.duplicated(["unit", "period"]).any():
        raise ValueError(f"'data' (in {caller}) must have one row per unit and period.")
    if lag:
        step = _period_step_months(d["period"])
        shifted = d[["unit", "period", "engagement"]].copy()
        shifted["period"] = shifted["period"] + pd.DateOffset(months=lag * step)
        d = d.drop(columns="engagement").merge(shifted, on=["unit", "period"], how="inner")
    d = d.dropna(subset=["positive_share", "engagement", "n"])
    small = d["n"] < min_n
    if small.any():
        logger.info(
            "%s: %d unit-periods with fewer than %d rated comments left out.",
            caller,
            int(small.sum()),
            min_n,
        )
    d = d.loc[~small].sort_values(["unit", "period"], kind="mergesort").reset_index(drop=True)
    n_units = d["unit"].nunique()
    if n_units < 3:
        raise ValueError(
            f"{caller} needs at least 3 units with data to separate within- and between-unit "
            f"effects; got {n_units}."
        )
    d["positive_share_pp"] = 100 * d["positive_share"]
    d["engagement_unit_mean"] = d.groupby("unit")["engagement"].transform("mean")
    unit_means = d.groupby("unit")["engagement"].mean()
    grand = float(unit_means.mean())
    d["engagement_between"] = d["engagement_unit_mean"] - grand
    d["engagement_within"] = d["engagement"] - d["engagement_unit_mean"]
    d["positive_share_unit_mean_pp"] = d.groupby("unit")["positive_share_pp"].transform("mean")
    if np.allclose(d["engagement_within"], 0):
        raise ValueError(f"{caller}: engagement does not vary within any unit.")
    if np.allclose(d["engagement_between"], 0):
        raise ValueError(f"{caller}: the units' mean engagement does not differ.")

    exog = pd.DataFrame(
        {"intercept": 1.0, "between": d["engagement_between"], "within": d["engagement_within"]}
    )
    endog = d["positive_share_pp"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "mixedlm":
            result = _fit_mixedlm(endog, exog, d["unit"], caller=caller)
            unit_sd = float(np.sqrt(max(float(result.cov_re.iloc[0, 0]), 0.0)))
            resid_sd = float(np.sqrt(result.scale))
        else:
            result = sm.GEE(
                endog,
                exog,
                groups=d["unit"],
                family=sm.families.Gaussian(),
                cov_struct=sm.cov_struct.Exchangeable(),
                weights=d["n"].to_numpy(float),
            ).fit()
            unit_sd = resid_sd = float("nan")
    converged = bool(getattr(result, "converged", True))
    for w in caught:
        # optimiser retries that end in a converged fit are routine; report them quietly
        (logger.info if converged else logger.warning)("%s: %s", caller, w.message)
    if not converged:
        logger.warning("%s: the model did not converge; treat the intervals with care.", caller)
    names = ["intercept", "between", "within"]
    params = pd.Series(np.asarray(result.params)[:3], index=names, dtype=float)
    cov = pd.DataFrame(np.asarray(result.cov_params())[:3, :3], index=names, columns=names)
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    contrasts = {
        "within_unit": np.array([0.0, 0.0, 1.0]),
        "between_unit": np.array([0.0, 1.0, 0.0]),
        "contextual": np.array([0.0, 1.0, -1.0]),
    }
    for comp, c in contrasts.items():
        est = float(c @ params.to_numpy())
        se = float(np.sqrt(c @ cov.to_numpy() @ c))
        p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")
        rows.append(
            {
                "component": comp,
                "estimate_pp": est,
                "se": se,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "p": p,
                "n_units": n_units,
                "n": len(d),
            }
        )
    effects = pd.DataFrame(rows)
    return EngagementModel(
        effects=effects,
        data=d,
        params=params,
        cov_params=cov,
        method=method,
        lag=lag,
        ci=ci,
        n_units=int(n_units),
        n_unit_periods=len(d),
        n_comments=int(d["n"].sum()),
        unit_sd_pp=unit_sd,
        residual_sd_pp=resid_sd,
        result=result,
    )
