"""The data a segmentation clusters: one response per respondent, items as numbers.

:func:`first_responses` picks the one response per respondent that
:func:`~jtbd_methods.segmentation.segment` uses; the private helpers read the item columns
as numbers, replace missing answers by item medians, build the per-outcome opportunity
features and standardise them.

References
----------
.. [1] Ulwick, A. W. (2005). *What Customers Want*. McGraw-Hill (the opportunity score
   ``importance + max(importance - satisfaction, 0)``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import check_names, require_columns, require_dataframe
from jtbd_methods.opportunity import outcome_ids_in

__all__ = ["first_responses"]

#: Feature sets of :func:`~jtbd_methods.segmentation.segment` (its ``profile`` parameter).
_PROFILES: tuple[str, ...] = ("items", "opportunity")
_ITEM = re.compile(r"^(imp|sat)_")


@renamed_keywords(id="id_column")
def first_responses(
    survey: pd.DataFrame,
    *,
    id_column: str = "respondent_id",
    wave: Any = None,
    wave_column: str = "wave",
) -> pd.DataFrame:
    """The one response per respondent that :func:`segment` uses.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey table (not modified).
    id_column : str, default "respondent_id"
        Respondent column (``id`` before 0.2, still accepted with a :class:`FutureWarning`).
    wave : scalar, optional
        Wave to keep; ``None`` keeps each respondent's first (earliest) wave.
    wave_column : str, default "wave"
        Wave column; if absent every row must be a different respondent.

    Returns
    -------
    pandas.DataFrame
        A copy of the selected rows, with their original index.

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame.
    ValueError
        If a column is missing, ``wave`` is not a wave of the survey, a respondent id is
        missing, or a respondent answered twice in the selected wave.

    Examples
    --------
    >>> survey = pd.DataFrame({"respondent_id": ["a", "a", "b"], "wave": [2, 1, 2]})
    >>> first_responses(survey).index.tolist()
    [1, 2]
    """
    caller = "first_responses()"
    require_dataframe(survey, parameter="survey", caller=caller)
    rows = _one_response_per_respondent(survey, id_column, wave, wave_column, caller)
    return survey.iloc[rows].copy()


def _one_response_per_respondent(
    survey: pd.DataFrame, id_column: str, wave: Any, wave_column: str, caller: str
) -> np.ndarray:
    """Row positions of the one response per respondent that is segmented."""
    require_columns(survey, [id_column], name="survey", caller=caller)
    ids = survey[id_column]
    if ids.isna().any():
        raise ValueError(
            f"Column '{id_column}' of 'survey' in {caller} has {int(ids.isna().sum())} missing "
            "respondent id(s); every response needs one."
        )
    positions = np.arange(len(survey))
    if wave_column in survey.columns:
        waves = survey[wave_column]
        if wave is None:
            first = waves.groupby(ids.to_numpy(), sort=False).transform("min")
            keep = (waves == first).to_numpy(dtype=bool)
        else:
            keep = (waves == wave).to_numpy(dtype=bool)
            if not keep.any():
                shown = ", ".join(map(str, pd.unique(waves)[:10]))
                raise ValueError(
                    f"The 'wave' parameter of {caller} must be one of the survey's waves "
                    f"({shown}); got {wave!r}."
                )
    else:
        if wave is not None:
            raise ValueError(
                f"The 'wave' parameter of {caller} was given ({wave!r}) but 'survey' has no "
                f"column '{wave_column}'."
            )
        keep = np.ones(len(survey), dtype=bool)
    chosen = positions[keep]
    dup = ids.iloc[chosen].duplicated(keep=False).to_numpy()
    if dup.any():
        twice = pd.unique(ids.iloc[chosen][dup].astype(str))
        shown = ", ".join(twice[:5]) + (f" and {len(twice) - 5} more" if len(twice) > 5 else "")
        raise ValueError(
            f"{caller} segments one response per respondent, but respondent(s) {shown} have "
            f"more than one response in the same wave ('{wave_column}')."
        )
    return chosen


def _numeric_matrix(frame: pd.DataFrame, caller: str) -> np.ndarray:
    out = np.empty(frame.shape, dtype=float)
    for j, col in enumerate(frame.columns):
        values = frame[col]
        if not (pd.api.types.is_numeric_dtype(values) or values.isna().all()):
            raise TypeError(
                f"Column '{col}' of 'survey' in {caller} must hold numeric answers; got dtype "
                f"{values.dtype}."
            )
        out[:, j] = (
            pd.to_numeric(values, errors="coerce")
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
    return out


def _resolve_items(
    survey: pd.DataFrame, columns: Sequence[str] | None, profile: str, caller: str
) -> tuple[list[str], list[str]]:
    """Item columns to read and feature names."""
    if profile == "items":
        if columns is None:
            ids = outcome_ids_in(survey)
            items = [c for o in ids for c in (f"imp_{o}", f"sat_{o}")]
            if not items:
                items = [str(c) for c in survey.columns if _ITEM.match(str(c))]
        else:
            items = check_names(
                columns, parameter="columns", caller=caller, allow_none=False, allow_single=False
            )
        require_columns(survey, items, name="survey", caller=caller)
        if len(items) < 2:
            raise ValueError(
                f"{caller} needs at least two item columns to segment on; got {items}."
            )
        return items, list(items)
    # profile == "opportunity": columns are outcome ids
    ids = (
        outcome_ids_in(survey)
        if columns is None
        else check_names(
            columns, parameter="columns", caller=caller, allow_none=False, allow_single=False
        )
    )
    items = [c for o in ids for c in (f"imp_{o}", f"sat_{o}")]
    require_columns(survey, items, name="survey", caller=caller)
    if len(ids) < 2:
        raise ValueError(
            f"{caller} with profile='opportunity' needs at least two outcomes (pairs of "
            f"'imp_<id>' and 'sat_<id>' columns); got {ids}."
        )
    return items, [f"opp_{o}" for o in ids]


def _standardise(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    return (x - mean) / sd


def _imputation_table(
    items: Sequence[str], n_missing: np.ndarray, imputed_with: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": pd.array(list(items), dtype="string"),
            "n_missing": n_missing.astype("int64"),
            "imputed_with": imputed_with,
        }
    )


def _median_features(
    raw: np.ndarray, items: Sequence[str], *, profile: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """Standardised features with missing answers replaced by item medians.

    ``raw`` holds one column per item (pairs ``imp_<id>``, ``sat_<id>`` when ``profile`` is
    ``"opportunity"``, which turns each pair into ``imp + max(imp - sat, 0)``). Returns the
    features and the imputation table (``item``, ``n_missing``, ``imputed_with``: the median,
    NaN for items with no missing answer).
    """
    n_missing = np.isnan(raw).sum(axis=0)
    medians = np.nanmedian(raw, axis=0) if len(raw) else np.full(raw.shape[1], np.nan)
    filled = np.where(np.isnan(raw), medians, raw)
    if profile == "opportunity":
        imp, sat = filled[:, 0::2], filled[:, 1::2]
        filled = imp + np.maximum(imp - sat, 0.0)
    imputed_with = np.where(n_missing > 0, medians, np.nan)
    return _standardise(filled), _imputation_table(items, n_missing, imputed_with)
