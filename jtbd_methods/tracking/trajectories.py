"""Satisfaction across repeated survey waves per segment, from a linear mixed model.

:func:`trajectories` fits a random intercept per respondent; :func:`repeated_respondents`
counts the respondents who answered more than one wave and :func:`record_trajectories`
records each segment's change per wave.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from jtbd_methods import report
from jtbd_methods._validation import (
    check_fraction,
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.report import key_part as report_key_part
from jtbd_methods.tracking._shared import (
    _as_numeric,
    renamed_keywords,
)

logger = logging.getLogger(__name__)


def _labels_by_respondent(labels: pd.Series, survey: pd.DataFrame, id_column: str) -> pd.Series:
    """Segment label per respondent id, from labels by survey row or by respondent id.

    ``segmentation.segment(...).labels`` is aligned to the survey's rows and labels each
    respondent on one row only (the segmented wave); every other row of that respondent takes
    the same label. A Series indexed by respondent id is used as it is.
    """
    ids = survey[id_column].astype(str)
    by_row = (
        not pd.api.types.is_string_dtype(labels.index)
        and not pd.api.types.is_object_dtype(labels.index)
        and labels.index.isin(survey.index).all()
    )
    if by_row:
        per_row = pd.Series(labels.reindex(survey.index).to_numpy(), index=ids.to_numpy())
        per_row = per_row.dropna()
        conflicting = per_row.groupby(level=0).nunique() > 1
        if conflicting.any():
            logger.warning(
                "trajectories(): %d respondent(s) carry different segments on different rows; "
                "the first is used.",
                int(conflicting.sum()),
            )
        return per_row[~per_row.index.duplicated()]
    out = labels.copy()
    out.index = out.index.astype(str)
    return out[~out.index.duplicated()]


@renamed_keywords(id="id_column")
def trajectories(
    survey: pd.DataFrame,
    *,
    value: str = "overall_satisfaction",
    wave: str = "wave",
    id_column: str = "respondent_id",
    segment: str | pd.Series | None = None,
    ci: float = 0.95,
    min_cell_size: int = 10,
) -> pd.DataFrame:
    """Satisfaction over survey waves per segment, from a linear mixed model.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per response: respondent id, wave and the outcome.
    value : str, default "overall_satisfaction"
        Numeric outcome (e.g. 1-5).
    wave : str, default "wave"
        Wave column: integers (used as they are, shifted so the first wave is 0) or dates
        (numbered 0, 1, 2, ... in time order).
    id_column : str, default "respondent_id"
        Respondent id; each respondent gets a random intercept. Called ``id`` in version 0.1
        (still accepted, with a FutureWarning).
    segment : str or pandas.Series, optional
        Segment column of ``survey``; or a Series of labels either indexed by respondent id or
        aligned to the rows of ``survey`` (as ``segmentation.segment(survey).labels``, which
        labels each respondent once: the label then applies to all their rows). Without it,
        one trajectory for everyone.
    ci : float, default 0.95
        Confidence level.
    min_cell_size : int, default 10
        Segments with fewer respondents are suppressed.

    Returns
    -------
    pandas.DataFrame
        Two rows per segment (``segment`` is ``"all"`` without segments):

        * ``term`` - ``"first_wave_mean"`` (model mean at the first wave) or
          ``"change_per_wave"`` (slope);
        * ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p`` (p of the slope against 0; of
          the mean against 0 for the first row);
        * ``n_respondents``, ``n`` (responses) - Int64, ``<NA>`` for a suppressed segment;
          ``n_waves``;
        * ``suppressed`` (bool) - fewer than ``min_cell_size`` respondents: estimates NaN.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame, the outcome is not numeric or ``segment`` has the
        wrong type.
    ValueError
        For a missing column, fewer than two waves, or when no respondent answered twice.

    Notes
    -----
    The model (Laird & Ware 1982) is

    .. math:: y_{ij} = \\beta_{0,s(i)} + \\beta_{1,s(i)} w_{ij} + u_i + \\varepsilon_{ij},
              \\quad u_i \\sim N(0, \\tau^2), \\; \\varepsilon_{ij} \\sim N(0, \\sigma^2)

    fitted by REML with ``statsmodels.MixedLM`` as ``value ~ wave * C(segment)`` with a
    random intercept per respondent; segment-specific means and slopes are linear
    combinations of the fixed effects, with Wald (normal) intervals. The random intercept
    accounts for the same patients answering several waves.

    Missing data: responses with a missing outcome, wave or segment are left out; a
    respondent with responses in only some waves still contributes (missing at random).

    References
    ----------
    .. [1] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data.
       *Biometrics*, 38(4), 963-974.
    .. [2] Fitzmaurice, G. M., Laird, N. M., & Ware, J. H. (2011). *Applied Longitudinal
       Analysis* (2nd ed.). Wiley.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> survey = pd.DataFrame({"respondent_id": np.repeat([f"r{i}" for i in range(60)], 3),
    ...                        "wave": np.tile([1, 2, 3], 60)})
    >>> survey["overall_satisfaction"] = (3 + 0.5 * (survey["wave"] - 1)
    ...     + np.repeat(rng.normal(0, 0.5, 60), 3) + rng.normal(0, 0.3, 180))
    >>> table = trajectories(survey)
    >>> round(float(table.loc[table["term"] == "change_per_wave", "estimate"].iloc[0]), 1)
    0.5
    """
    caller = "trajectories()"
    require_dataframe(survey, parameter="survey", caller=caller)
    seg_col = segment if isinstance(segment, str) else None
    require_columns(survey, [value, wave, id_column, seg_col], name="survey", caller=caller)
    ci = check_fraction(ci, parameter="ci", caller=caller)
    min_cell_size = check_int(min_cell_size, parameter="min_cell_size", caller=caller, minimum=1)
    y = _as_numeric(survey[value], parameter="value", caller=caller)
    frame = pd.DataFrame({"y": y.to_numpy(), "id": survey[id_column].astype(str).to_numpy()})
    waves = survey[wave]
    if pd.api.types.is_datetime64_any_dtype(waves):
        order = {d: i for i, d in enumerate(sorted(waves.dropna().unique()))}
        frame["w"] = waves.map(order).to_numpy(dtype=float)
    else:
        wv = _as_numeric(waves, parameter="wave", caller=caller).to_numpy()
        frame["w"] = wv - np.nanmin(wv)
    if segment is None:
        frame["segment"] = "all"
    elif isinstance(segment, str):
        frame["segment"] = survey[segment].to_numpy()
    elif isinstance(segment, pd.Series):
        frame["segment"] = (
            frame["id"].map(_labels_by_respondent(segment, survey, id_column)).to_numpy()
        )
    else:
        raise TypeError(
            f"The 'segment' parameter of {caller} must be a column name or a Series of labels "
            f"indexed by respondent id; got {type(segment).__name__}."
        )
    frame = frame.dropna().reset_index(drop=True)
    frame["segment"] = frame["segment"].astype(str)
    if frame["w"].nunique() < 2:
        raise ValueError(
            f"{caller} needs at least two waves with answers; got {frame['w'].nunique()}."
        )
    if not frame["id"].duplicated().any():
        raise ValueError(
            f"{caller}: no respondent answered more than one wave, so a random intercept per "
            "respondent cannot be estimated; compare waves with rates() instead."
        )
    sizes = frame.groupby("segment")["id"].nunique()
    kept = sorted(sizes.index[sizes >= min_cell_size])
    small = sorted(sizes.index[sizes < min_cell_size])
    rows = []
    fit = None
    if kept:
        data = frame.loc[frame["segment"].isin(kept)].copy()
        data["segment"] = pd.Categorical(data["segment"], categories=kept)
        formula = "y ~ w * C(segment)" if len(kept) > 1 else "y ~ w"
        model = sm.MixedLM.from_formula(formula, groups="id", data=data)
        fit = model.fit(reml=True)
        if not fit.converged:
            logger.warning("%s: the mixed model did not converge; read it with care.", caller)
        names = list(fit.fe_params.index)
        cov = fit.cov_params().loc[names, names].to_numpy()
        beta = fit.fe_params.to_numpy()
        z = stats.norm.ppf(1 - (1 - ci) / 2)
        for level in kept:
            part = data.loc[data["segment"] == level]
            for term, base_name in (("first_wave_mean", "Intercept"), ("change_per_wave", "w")):
                contrast = np.zeros(len(names))
                contrast[names.index(base_name)] = 1.0
                if len(kept) > 1 and level != kept[0]:
                    extra = (
                        f"C(segment)[T.{level}]"
                        if base_name == "Intercept"
                        else f"w:C(segment)[T.{level}]"
                    )
                    contrast[names.index(extra)] = 1.0
                est = float(contrast @ beta)
                se = float(np.sqrt(contrast @ cov @ contrast))
                rows.append(
                    {
                        "segment": level,
                        "term": term,
                        "estimate": est,
                        "se": se,
                        "ci_low": est - z * se,
                        "ci_high": est + z * se,
                        "p": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
                        "n_respondents": int(part["id"].nunique()),
                        "n": len(part),
                        "n_waves": int(part["w"].nunique()),
                        "suppressed": False,
                    }
                )
    for level in small:
        part = frame.loc[frame["segment"] == level]
        for term in ("first_wave_mean", "change_per_wave"):
            rows.append(
                {
                    "segment": level,
                    "term": term,
                    "estimate": np.nan,
                    "se": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p": np.nan,
                    "n_respondents": pd.NA,
                    "n": pd.NA,
                    "n_waves": int(part["w"].nunique()),
                    "suppressed": True,
                }
            )
    if small:
        logger.info(
            "%s: %d segment(s) with fewer than %d respondents are suppressed.",
            caller,
            len(small),
            min_cell_size,
        )
    out = pd.DataFrame(rows)
    for col in ("n_respondents", "n"):
        out[col] = out[col].astype("Int64")
    return out


def record_trajectories(table: pd.DataFrame, *, prefix: str = "trajectories") -> dict[str, Any]:
    """Record each segment's change per wave from :func:`trajectories`.

    Keys: ``<prefix>.<segment>.change_per_wave`` and ``..._ci`` (scale points per wave). A
    label ``"Segment <n>: …"`` (from :func:`segment_labels`) gives ``segment_<n>``, stable when
    a segment is renamed; any other label is put in lower_snake case. Suppressed segments are
    stored as null.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`trajectories`.
    prefix : str, default "trajectories"
        First part of the keys.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``table`` lacks a column.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> table = pd.DataFrame({"segment": ["Back to work"], "term": ["change_per_wave"],
    ...                       "estimate": [0.3], "ci_low": [0.2], "ci_high": [0.4]})
    >>> record_trajectories(table)
    {'trajectories.back_to_work.change_per_wave': 0.3, 'trajectories.back_to_work.change_per_wave_ci': [0.2, 0.4]}
    >>> report.reset()
    """
    require_columns(
        table,
        ["segment", "term", "estimate", "ci_low", "ci_high"],
        name="table",
        caller="record_trajectories()",
    )
    stored: dict[str, Any] = {}
    for row in table.loc[table["term"] == "change_per_wave"].itertuples(index=False):
        number = re.match(r"segment (\d+)\b", str(row.segment), flags=re.IGNORECASE)
        part = f"segment_{number.group(1)}" if number else report_key_part(row.segment)
        key = f"{prefix}.{part}.change_per_wave"
        stored[key] = report.record(key, row.estimate)
        stored[f"{key}_ci"] = report.record(f"{key}_ci", [row.ci_low, row.ci_high])
    return stored


@renamed_keywords(id="id_column")
def repeated_respondents(
    survey: pd.DataFrame, *, wave: str = "wave", id_column: str = "respondent_id"
) -> int:
    """Number of respondents who answered in more than one wave.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey responses.
    wave, id_column : str
        Wave and respondent id columns (``id_column`` was called ``id`` in version 0.1).

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``survey`` is not a DataFrame or lacks a column.

    Examples
    --------
    >>> repeated_respondents(pd.DataFrame({"respondent_id": ["a", "a", "b"], "wave": [1, 2, 1]}))
    1
    """
    require_columns(survey, [wave, id_column], name="survey", caller="repeated_respondents()")
    waves = survey[[id_column, wave]].dropna().drop_duplicates()
    return int((waves.groupby(id_column)[wave].nunique() > 1).sum())
