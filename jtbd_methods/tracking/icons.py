"""The NHS "Making Data Count" variation and assurance icons of a control chart.

:data:`ICON_TEXT` names the icons in plain language (the plots draw them with it);
:func:`chart_icons` reads them off an :func:`~jtbd_methods.tracking.spc` chart and
:func:`record_spc` records a chart's headline figures.
"""

from __future__ import annotations

import logging
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods import report
from jtbd_methods._validation import (
    require_columns,
    require_dataframe,
)

logger = logging.getLogger(__name__)


#: Plain-language names of the Making Data Count icons.
ICON_TEXT: dict[str, str] = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher)",
    "improvement_low": "Special cause variation: improvement (lower)",
    "concern_high": "Special cause variation: concern (higher)",
    "concern_low": "Special cause variation: concern (lower)",
    "neither_high": "Special cause variation: higher (no direction set)",
    "neither_low": "Special cause variation: lower (no direction set)",
    "pass": "Assurance: the process will consistently meet the target",
    "fail": "Assurance: the process will consistently miss the target",
    "hit_and_miss": "Assurance: the process will hit and miss the target at random",
}


def chart_icons(chart: pd.DataFrame, *, target: float | None = None) -> dict[str, Any]:
    """Making Data Count variation and assurance icons of an :func:`spc` chart.

    Parameters
    ----------
    chart : pandas.DataFrame
        Output of :func:`spc` (``attrs["direction"]`` sets which way is better).
    target : float, optional
        The target on the chart's scale (a share in [0, 1] for p charts); without one there
        is no assurance icon.

    Returns
    -------
    dict
        ``variation`` - one of ``common_cause``, ``improvement_high``, ``improvement_low``,
        ``concern_high``, ``concern_low``, ``neither_high``, ``neither_low`` (None when no
        point is plotted); ``assurance`` - ``pass``, ``fail``, ``hit_and_miss`` or None;
        ``variation_text`` and ``assurance_text`` (from :data:`ICON_TEXT`); ``period`` of
        the last plotted point.

    Raises
    ------
    TypeError, ValueError
        If ``chart`` lacks a column of :func:`spc` or ``target`` is not a number.

    Notes
    -----
    As in NHSRplotthedots, the variation icon describes the *last* plotted point: special
    cause when it is part of a signal (its side of the centre line gives high or low), common
    cause otherwise. The assurance icon compares the target with the control limits of the
    last phase: a target beyond the limits on the wrong side is consistently missed, one
    beyond the limits on the right side consistently met, and one between the limits is hit
    and missed at random. Run charts have no limits and no assurance icon.

    References
    ----------
    .. [1] NHS England and NHS Improvement (2019). *Making Data Count: Getting Started*,
       "Variation and assurance icons".
    .. [2] NHS-R Community. NHSRplotthedots (R package, v0.2), ``ptd_calculate_assurance_type``.

    Examples
    --------
    >>> from jtbd_methods.tracking import spc
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 6, 5, 6, 12]})
    >>> icons = chart_icons(spc(table, value="value", chart="xmr"), target=2)
    >>> icons["variation"], icons["assurance"]
    ('improvement_high', 'pass')
    """
    caller = "chart_icons()"
    require_dataframe(chart, parameter="chart", caller=caller)
    require_columns(
        chart, ["period", "value", "centre", "lcl", "ucl", "phase", "signal_kind"], caller=caller
    )
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, Real) or not np.isfinite(target)
    ):
        raise TypeError(f"The 'target' parameter of {caller} must be a number; got {target!r}.")
    direction = chart.attrs.get("direction", "higher_is_better")
    shown = chart.loc[chart["value"].notna()].sort_values("period")
    result: dict[str, Any] = {
        "variation": None,
        "assurance": None,
        "variation_text": None,
        "assurance_text": None,
        "period": None,
    }
    if shown.empty:
        return result
    last = shown.iloc[-1]
    result["period"] = last["period"]
    kind = last["signal_kind"]
    if kind is None or (isinstance(kind, float) and np.isnan(kind)):
        variation = "common_cause"
    else:
        side = "high" if float(last["value"]) >= float(last["centre"]) else "low"
        if kind == "neither" or direction == "neutral":
            variation = f"neither_{side}"
        else:
            variation = f"{kind}_{side}"
    result["variation"] = variation
    result["variation_text"] = ICON_TEXT[variation]
    phase = shown.loc[shown["phase"] == last["phase"]]
    lcl = phase["lcl"].dropna()
    ucl = phase["ucl"].dropna()
    if target is not None and direction != "neutral" and not lcl.empty and not ucl.empty:
        low, high = float(lcl.min()), float(ucl.max())
        higher = direction == "higher_is_better"
        if low > target:
            assurance = "pass" if higher else "fail"
        elif high < target:
            assurance = "fail" if higher else "pass"
        else:
            assurance = "hit_and_miss"
        result["assurance"] = assurance
        result["assurance_text"] = ICON_TEXT[assurance]
    return result


def record_spc(chart: pd.DataFrame, *, prefix: str = "spc") -> dict[str, Any]:
    """Record the headline figures of an :func:`spc` chart.

    Keys: ``<prefix>.signals``, ``<prefix>.improvement_points``, ``<prefix>.concern_points``
    (points), ``<prefix>.chart`` (chart type), ``<prefix>.phases`` (number of phases) and
    ``<prefix>.variation`` (the Making Data Count variation icon of :func:`chart_icons`).

    Parameters
    ----------
    chart : pandas.DataFrame
        Output of :func:`spc`.
    prefix : str, default "spc"
        Key prefix.

    Returns
    -------
    dict
        The recorded keys and values.

    Raises
    ------
    ValueError
        If ``chart`` lacks a column of :func:`spc`.

    Examples
    --------
    >>> from jtbd_methods import report
    >>> from jtbd_methods.tracking import spc
    >>> table = pd.DataFrame({"period": range(1, 16),
    ...                       "value": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 6, 5, 6, 12]})
    >>> record_spc(spc(table, value="value", chart="xmr"))["spc.variation"]
    'improvement_high'
    >>> report.reset()
    """
    require_columns(chart, ["signal", "signal_kind", "phase"], name="chart", caller="record_spc()")
    kinds = chart["signal_kind"]
    values = {
        "signals": int(chart["signal"].sum()),
        "improvement_points": int((kinds == "improvement").sum()),
        "concern_points": int((kinds == "concern").sum()),
        "chart": str(chart.attrs.get("chart", "p")),
        "phases": int(chart["phase"].max()) if len(chart) else 1,
        "variation": chart_icons(chart)["variation"],
    }
    return {f"{prefix}.{k}": report.record(f"{prefix}.{k}", v) for k, v in values.items()}
