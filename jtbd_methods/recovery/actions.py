"""The improvement team's sheet, the action plan, closing the loop and its XLSX export.

:func:`working_sheet` turns the top jobs into the improvement team's sheet (root-cause
questions, barriers, enablers from the codebook); :func:`action_plan` lists the actions
under way for them; :func:`close_the_loop` joins each action to its measured effect on its
job; :func:`export_action_plan` writes all three to one XLSX workbook.

References
----------
.. [1] Langley, G. J., Moen, R. D., Nolan, K. M., Nolan, T. W., Norman, C. L., & Provost,
   L. P. (2009). *The Improvement Guide* (2nd ed.). Jossey-Bass (plan-do-study-act).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jtbd_methods._keywords import renamed_keywords
from jtbd_methods._validation import (
    check_int,
    require_columns,
    require_dataframe,
)
from jtbd_methods.privacy import redact, safe_to_excel

__all__ = ["action_plan", "close_the_loop", "export_action_plan", "working_sheet"]

logger = logging.getLogger(__name__)


_SHEET_COLUMNS = [
    "rank",
    "job_id",
    "label",
    "statement",
    "priority",
    "ci_low",
    "ci_high",
    "disruption_share",
    "impact",
    "root_cause_questions",
    "emotional_barriers",
    "functional_barriers",
    "enablers",
    "owner_next_step",
]


def _lines(items: Any) -> str:
    return "\n".join(f"- {s}" for s in (items or ()))


def _top_jobs(
    priorities: pd.DataFrame, *, top: int, job: str, priority: str, caller: str
) -> pd.DataFrame:
    require_dataframe(priorities, parameter="priorities", caller=caller)
    require_columns(priorities, [job, priority], name="priorities", caller=caller)
    ranked = priorities.loc[priorities[priority].notna()]
    ranked = ranked.sort_values(priority, ascending=False, kind="mergesort")
    return ranked.head(top).reset_index(drop=True)


def working_sheet(
    codebook: Any,
    priorities: pd.DataFrame,
    *,
    top: int = 5,
    job: str = "job_id",
    priority: str = "priority",
) -> pd.DataFrame:
    """The improvement team's working sheet for the top disrupted jobs.

    Parameters
    ----------
    codebook : Codebook
        The study's codebook (labels, statements, root-cause questions, barriers, enablers).
    priorities : pandas.DataFrame
        Output of :func:`priority_matrix` (any table with ``job`` and ``priority`` columns;
        ``rank``, ``ci_low``, ``ci_high``, ``disruption_share`` and ``impact`` are carried
        over when present).
    top : int, default 5
        Number of jobs, highest priority first; jobs without a priority are left out.
    job, priority : str
        Column names in ``priorities``.

    Returns
    -------
    pandas.DataFrame
        One row per job:

        ``rank``, ``job_id``, ``label``, ``statement``
            The job, as the codebook states it.
        ``priority``, ``ci_low``, ``ci_high``, ``disruption_share``, ``impact``
            From ``priorities`` (NaN when absent).
        ``root_cause_questions``, ``emotional_barriers``, ``functional_barriers``, ``enablers``
            The codebook's lists, one ``- item`` per line.
        ``owner_next_step``
            Empty text, for the team to fill in.

    Raises
    ------
    TypeError
        If ``codebook`` is not a Codebook or ``priorities`` not a DataFrame.
    ValueError
        If columns are missing or ``top`` < 1.

    Notes
    -----
    Jobs that the codebook does not know keep their id as label and empty lists (logged).
    The sheet follows the root-cause framing of JTBD service recovery: what job was the
    patient trying to get done, where did the process fall short, which emotional and
    functional needs remain, and what would help.

    Examples
    --------
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [{"id": "feel_heard",
    ...     "label": "Feel seen and heard", "enablers": ["Teach-back at discharge"]}]})
    >>> pr = pd.DataFrame({"job_id": ["feel_heard"], "priority": [12.5]})
    >>> working_sheet(cb, pr)[["job_id", "label", "enablers"]].to_dict("records")
    [{'job_id': 'feel_heard', 'label': 'Feel seen and heard', 'enablers': '- Teach-back at discharge'}]
    """
    caller = "working_sheet"
    _require_codebook(codebook, caller=caller)
    top = check_int(top, parameter="top", caller=caller, minimum=1)
    chosen = _top_jobs(priorities, top=top, job=job, priority=priority, caller=caller)
    rows = []
    for k, rec in enumerate(chosen.to_dict("records"), start=1):
        jid = str(rec[job])
        try:
            j = codebook.job(jid)
        except KeyError:
            logger.warning("%s: job %r is not in the codebook.", caller, jid)
            j = None
        barriers = dict(getattr(j, "barriers", {}) or {})
        rows.append(
            {
                "rank": int(rec["rank"]) if "rank" in rec and pd.notna(rec["rank"]) else k,
                "job_id": jid,
                "label": j.label if j else jid,
                "statement": j.statement if j else "",
                "priority": float(rec[priority]),
                "ci_low": float(rec.get("ci_low", np.nan)),
                "ci_high": float(rec.get("ci_high", np.nan)),
                "disruption_share": float(rec.get("disruption_share", np.nan)),
                "impact": float(rec.get("impact", np.nan)),
                "root_cause_questions": _lines(j.root_cause_questions if j else ()),
                "emotional_barriers": _lines(barriers.get("emotional", ())),
                "functional_barriers": _lines(barriers.get("functional", ())),
                "enablers": _lines(j.enablers if j else ()),
                "owner_next_step": "",
            }
        )
    return pd.DataFrame(rows, columns=_SHEET_COLUMNS)


def _require_codebook(codebook: Any, *, caller: str) -> None:
    if not callable(getattr(codebook, "job", None)) or not hasattr(codebook, "jobs"):
        raise TypeError(
            f"The 'codebook' parameter of {caller} must be a Codebook; got {type(codebook).__name__}."
        )


_ACTION_COLUMNS = ["action_id", "job_id", "description", "owner", "started", "status"]


def _check_actions(actions: pd.DataFrame, *, caller: str) -> pd.DataFrame:
    """``actions`` checked, as a copy whose free text (description, owner) is redacted:
    both reach the client report, and people write phone numbers and names into them."""
    require_dataframe(actions, parameter="actions", caller=caller)
    require_columns(actions, _ACTION_COLUMNS, name="actions", caller=caller)
    out = actions.copy()
    for column in ("description", "owner"):
        values = out[column].map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v))
        out[column] = redact(values.astype(object), dob_before_year=0)
    return out


def action_plan(
    priorities: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
    top: int = 5,
    job: str = "job_id",
    priority: str = "priority",
) -> pd.DataFrame:
    """The actions under way for each top-priority job, and the top jobs with none.

    Parameters
    ----------
    priorities : pandas.DataFrame
        Output of :func:`priority_matrix`.
    actions : pandas.DataFrame, optional
        ``actions.csv``: ``action_id``, ``job_id``, ``description``, ``owner``, ``started``,
        ``status`` (optional ``sites``). ``None`` when the study has no actions file.
    codebook : Codebook, optional
        For job labels.
    top : int, default 5
        Number of top jobs.
    job, priority : str
        Column names in ``priorities``.

    Returns
    -------
    pandas.DataFrame
        One row per (top job, action), highest priority first; a top job without any action
        gets one row with empty action fields:

        ``rank``, ``job_id``, ``label``, ``priority``
            The job.
        ``action_id``, ``description``, ``owner``, ``started``, ``status``, ``sites``
            The action (``<NA>`` when none; ``sites`` empty when not given).
        ``has_action``
            ``False`` marks a priority job that nobody is working on yet — a gap.

    Raises
    ------
    TypeError
        If ``priorities`` or ``actions`` is not a DataFrame.
    ValueError
        If a required column is missing or ``top`` < 1.

    Examples
    --------
    >>> pr = pd.DataFrame({"job_id": ["feel_heard", "gain_clarity"], "priority": [9.0, 4.0]})
    >>> acts = pd.DataFrame({"action_id": ["A1"], "job_id": ["gain_clarity"],
    ...     "description": ["Discharge call"], "owner": ["Ward 3"],
    ...     "started": pd.to_datetime(["2024-03-01"]), "status": ["in progress"]})
    >>> plan = action_plan(pr, acts)
    >>> plan[["job_id", "has_action"]].to_dict("records")
    [{'job_id': 'feel_heard', 'has_action': False}, {'job_id': 'gain_clarity', 'has_action': True}]
    >>> plan["action_id"].tolist()
    [<NA>, 'A1']
    """
    caller = "action_plan"
    top = check_int(top, parameter="top", caller=caller, minimum=1)
    chosen = _top_jobs(priorities, top=top, job=job, priority=priority, caller=caller)
    if codebook is not None:
        _require_codebook(codebook, caller=caller)
    labels = _labels(codebook)
    if actions is not None:
        actions = _check_actions(actions, caller=caller)
    rows = []
    for k, rec in enumerate(chosen.to_dict("records"), start=1):
        jid = str(rec[job])
        base = {
            "rank": int(rec["rank"]) if "rank" in rec and pd.notna(rec["rank"]) else k,
            "job_id": jid,
            "label": labels.get(
                jid, rec.get("label", jid) if isinstance(rec.get("label"), str) else jid
            ),
            "priority": float(rec[priority]),
        }
        mine = actions.loc[actions["job_id"].astype(str) == jid] if actions is not None else None
        if mine is None or mine.empty:
            rows.append(
                {
                    **base,
                    "action_id": pd.NA,
                    "description": pd.NA,
                    "owner": pd.NA,
                    "started": pd.NaT,
                    "status": pd.NA,
                    "sites": "",
                    "has_action": False,
                }
            )
            continue
        for a in mine.sort_values("started", kind="mergesort").to_dict("records"):
            sites = a.get("sites", "")
            rows.append(
                {
                    **base,
                    "action_id": a["action_id"],
                    "description": a["description"],
                    "owner": a["owner"],
                    "started": a["started"],
                    "status": a["status"],
                    "sites": "" if pd.isna(sites) else str(sites),
                    "has_action": True,
                }
            )
    cols = [
        "rank",
        "job_id",
        "label",
        "priority",
        "action_id",
        "description",
        "owner",
        "started",
        "status",
        "sites",
        "has_action",
    ]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("action_id", "description", "owner", "status"):
        out[c] = out[c].astype("string")
    out["started"] = pd.to_datetime(out["started"])
    return out


def _labels(codebook: Any) -> dict[str, str]:
    if codebook is None:
        return {}
    labels = getattr(codebook, "labels", None)
    if callable(labels):
        return dict(labels())
    return {j.id: j.label for j in codebook.jobs}


@renamed_keywords(id="id_column")
def close_the_loop(
    actions: pd.DataFrame,
    effects: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
    id_column: str = "action_id",
    estimate: str = "level_change",
    ci_low: str | None = None,
    ci_high: str | None = None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Each improvement action with its status, its job and its measured effect on the job.

    Parameters
    ----------
    actions : pandas.DataFrame
        ``actions.csv`` (``action_id``, ``job_id``, ``description``, ``owner``, ``started``,
        ``status``; optional ``sites``).
    effects : pandas.DataFrame, optional
        Output of ``tracking.action_effects(feedback, codes, actions)``: one row per action
        with ``action_id``, ``level_change`` and its interval (percentage points); its other
        columns (``n_before``, ``share_after``, ``slope_change``, ``note`` ...) are carried
        over. ``None`` when effects have not been estimated.
    codebook : Codebook, optional
        For job labels.
    id_column, estimate : str
        Columns of the action id and of the effect estimate in ``effects`` (``id_column``
        was ``id`` before 0.2).
    ci_low, ci_high : str, optional
        Columns of the interval in ``effects``; default ``<estimate>_ci_low`` /
        ``<estimate>_ci_high`` (as ``tracking.action_effects`` names them) or, when those
        are absent, ``ci_low`` / ``ci_high``.
    higher_is_better : bool, default True
        Whether an increase of the measure is an improvement (True for the positive share
        of the job's comments that ``action_effects`` reports; False for a disruption rate).

    Returns
    -------
    pandas.DataFrame
        One row per action, in order of ``started``:

        ``action_id``, ``job_id``, ``label``, ``description``, ``owner``, ``started``, ``status``
            The action and its job.
        ``level_change``, ``ci_low``, ``ci_high``
            Measured change of the job's measure when the action started, in percentage
            points (NaN when not measured).
        ``verdict``
            ``"improved"`` (interval entirely on the better side of 0), ``"worsened"``
            (entirely on the worse side), ``"no clear change"`` (interval includes 0) or
            ``"not measured"``.

        Any further columns of ``effects`` follow.

    Raises
    ------
    TypeError
        If ``actions`` or ``effects`` is not a DataFrame, or ``higher_is_better`` not a bool.
    ValueError
        If required columns are missing or action ids repeat in ``effects``.

    Notes
    -----
    An interval that excludes zero is evidence of a change when the action started, not
    proof that the action caused it: other changes at the same time (staffing, case mix,
    seasonality) move the measure too. The interrupted time series of
    :func:`jtbd_methods.tracking.action_effects` adjusts for the trend before the action;
    pilots are better judged against the sites without the action.

    Examples
    --------
    >>> acts = pd.DataFrame({"action_id": ["A1", "A2"], "job_id": ["gain_clarity", "feel_heard"],
    ...     "description": ["Discharge call", "Bedside rounds"], "owner": ["Ward 3", "Ward 5"],
    ...     "started": pd.to_datetime(["2024-03-01", "2024-05-01"]), "status": ["done", "planned"]})
    >>> eff = pd.DataFrame({"action_id": ["A1"], "level_change": [6.2],
    ...                     "level_change_ci_low": [2.6], "level_change_ci_high": [9.8]})
    >>> close_the_loop(acts, eff)[["action_id", "verdict"]].to_dict("records")
    [{'action_id': 'A1', 'verdict': 'improved'}, {'action_id': 'A2', 'verdict': 'not measured'}]
    """
    caller = "close_the_loop"
    actions = _check_actions(actions, caller=caller)
    if codebook is not None:
        _require_codebook(codebook, caller=caller)
    if not isinstance(higher_is_better, bool):
        raise TypeError(
            f"The 'higher_is_better' parameter of {caller} must be True or False; "
            f"got {higher_is_better!r}."
        )
    labels = _labels(codebook)
    base = actions[_ACTION_COLUMNS].copy()
    base["action_id"] = base["action_id"].astype(str)
    base.insert(2, "label", [labels.get(str(j), str(j)) for j in base["job_id"]])
    if effects is None:
        eff = pd.DataFrame(columns=["action_id", "level_change", "ci_low", "ci_high"])
    else:
        require_dataframe(effects, parameter="effects", caller=caller)
        if ci_low is None:
            ci_low = f"{estimate}_ci_low" if f"{estimate}_ci_low" in effects.columns else "ci_low"
        if ci_high is None:
            ci_high = (
                f"{estimate}_ci_high" if f"{estimate}_ci_high" in effects.columns else "ci_high"
            )
        require_columns(
            effects, [id_column, estimate, ci_low, ci_high], name="effects", caller=caller
        )
        ids = effects[id_column].astype(str)
        if ids.duplicated().any():
            dup = ids[ids.duplicated()].head(5).tolist()
            raise ValueError(
                f"The '{id_column}' column of 'effects' (in {caller}) must name each action once; "
                f"repeated: {', '.join(dup)}."
            )
        rest = [
            c
            for c in effects.columns
            if c
            not in {
                id_column,
                estimate,
                ci_low,
                ci_high,
                "ci_low",
                "ci_high",
                "verdict",
                "label",
                *_ACTION_COLUMNS,
                "sites",
            }
        ]
        eff = pd.DataFrame(
            {
                "action_id": ids.to_numpy(),
                "level_change": effects[estimate].to_numpy(),
                "ci_low": effects[ci_low].to_numpy(),
                "ci_high": effects[ci_high].to_numpy(),
            }
        )
        eff = pd.concat([eff, effects[rest].reset_index(drop=True)], axis=1)
    out = base.merge(eff, on="action_id", how="left")
    for c in ("level_change", "ci_low", "ci_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    better_low = out["ci_low"] > 0 if higher_is_better else out["ci_high"] < 0
    worse = out["ci_high"] < 0 if higher_is_better else out["ci_low"] > 0
    out["verdict"] = np.select(
        [better_low, worse, out["level_change"].notna()],
        ["improved", "worsened", "no clear change"],
        default="not measured",
    )
    first = [
        *_ACTION_COLUMNS[:2],
        "label",
        *_ACTION_COLUMNS[2:],
        "level_change",
        "ci_low",
        "ci_high",
        "verdict",
    ]
    rest = [c for c in out.columns if c not in first]
    out = out[first + rest]
    return out.sort_values(["started", "action_id"], kind="mergesort").reset_index(drop=True)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """A copy for people: numbers rounded (shares, as fractions, to 3 decimals, other
    numbers to 2) and headers in words (``disruption_share`` -> "disruption share")."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            places = 3 if str(col).endswith("share") else 2
            out[col] = out[col].round(places) + 0.0
    return out.rename(columns=lambda c: str(c).replace("_", " ") if isinstance(c, str) else c)


def export_action_plan(
    sheet: pd.DataFrame,
    plan: pd.DataFrame,
    path: str | Path,
    *,
    loop: pd.DataFrame | None = None,
) -> Path:
    """Write the working sheet and the action plan to an XLSX workbook, atomically.

    Parameters
    ----------
    sheet : pandas.DataFrame
        Output of :func:`working_sheet` (sheet "Working sheet").
    plan : pandas.DataFrame
        Output of :func:`action_plan` (sheet "Action plan").
    path : str or Path
        Destination ``.xlsx`` file; parent folders are created.
    loop : pandas.DataFrame, optional
        Output of :func:`close_the_loop` (sheet "Closing the loop").

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If a table is not a DataFrame.
    ValueError
        If ``path`` does not end in ``.xlsx``.

    Notes
    -----
    Cells go through :func:`jtbd_methods.privacy.safe_to_excel`, which neutralises text that
    a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...), and which writes
    the workbook to a temporary file beside ``path`` and moves it into place with
    :func:`os.replace`, so a failure never leaves a half-written file.

    Examples
    --------
    >>> import tempfile, os
    >>> sheet = pd.DataFrame({"job_id": ["feel_heard"], "owner_next_step": [""]})
    >>> plan = pd.DataFrame({"job_id": ["feel_heard"], "action_id": ["=HYPERLINK(1)"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = export_action_plan(sheet, plan, os.path.join(d, "action_plan.xlsx"))
    ...     out.name
    'action_plan.xlsx'
    """
    caller = "export_action_plan"
    require_dataframe(sheet, parameter="sheet", caller=caller)
    require_dataframe(plan, parameter="plan", caller=caller)
    if loop is not None:
        require_dataframe(loop, parameter="loop", caller=caller)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(
            f"The 'path' parameter of {caller} must end in '.xlsx'; got {str(path)!r}."
        )
    sheets = {"Working sheet": _readable(sheet), "Action plan": _readable(plan)}
    if loop is not None:
        sheets["Closing the loop"] = _readable(loop)
    # safe_to_excel writes to a temporary file beside ``path`` and os.replace()s it.
    safe_to_excel(sheets, path, index=False)
    logger.info("%s: wrote %s", caller, path)
    return path
