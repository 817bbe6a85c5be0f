"""Recovery-goal segments for the survey trajectories: the segmentation notebook 02 chose.

The tracking report follows satisfaction across survey waves by recovery-goal segment. The
segments must be those of the segmentation report (notebook ``02_recovery_segments``): same
method, same number of segments, same names. :func:`segmentation_choice` reads that choice
from the ``results.json`` notebook 02 wrote in the same run (and its random seed from the
executed notebook); without one it falls back on notebook 02's documented defaults
(:data:`SEGMENTATION_DEFAULTS`) and says so. :func:`segment_labels` fits the segments of a
choice, and :func:`segments_note` is the sentence the report shows about where they came from.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods import report, segmentation
from jtbd_methods._validation import check_int, one_of, require_dataframe

__all__ = [
    "SEGMENTATION_DEFAULTS",
    "SEGMENTATION_NOTEBOOK",
    "SegmentChoice",
    "segment_labels",
    "segmentation_choice",
    "segments_note",
]

logger = logging.getLogger(__name__)

#: Stem of the segmentation notebook whose choice the tracking report follows.
SEGMENTATION_NOTEBOOK = "02_recovery_segments"

#: Defaults of notebook 02's ``parameters`` cell (a test keeps them equal): the segmentation
#: run when no run of notebook 02 recorded its choice.
SEGMENTATION_DEFAULTS: dict[str, Any] = {
    "method": "kmeans",
    "k": None,
    "n_boot": 50,
    "random_state": 0,
}

_METHODS = ("kmeans", "gmm", "lca")


@dataclass(frozen=True)
class SegmentChoice:
    """How to segment the survey: the choice of notebook 02, or its defaults.

    Attributes
    ----------
    method : str
        ``"kmeans"``, ``"gmm"`` or ``"lca"``.
    k : int or None
        Number of segments; None lets :func:`jtbd_methods.segmentation.segment` choose it
        (only for the defaults: a recorded choice always has its k).
    random_state : int
        Seed of the fit.
    n_boot : int
        Resamples used to choose k (0 when k is known: the labels do not depend on them).
    names : Mapping[int, str]
        Segment names recorded by notebook 02 (consultant's or suggested), by number.
    sizes : Mapping[int, int]
        Respondents per segment recorded by notebook 02 (segments suppressed there are
        missing), to check that the re-fit gives the same segments.
    source : str
        ``"defaults"``, or the path of the ``results.json`` the choice was read from.
    """

    method: str = SEGMENTATION_DEFAULTS["method"]
    k: int | None = SEGMENTATION_DEFAULTS["k"]
    random_state: int = SEGMENTATION_DEFAULTS["random_state"]
    n_boot: int = SEGMENTATION_DEFAULTS["n_boot"]
    names: Mapping[int, str] = field(default_factory=dict)
    sizes: Mapping[int, int] = field(default_factory=dict)
    source: str = "defaults"

    @property
    def recorded(self) -> bool:
        """Whether the choice was read from a run of notebook 02 (not the defaults)."""
        return self.source != "defaults"


def _run_parameters(folder: Path) -> dict[str, Any]:
    """Parameters papermill injected into the executed notebook of ``folder`` (or {})."""
    executed = folder / f"{folder.name}.ipynb"
    try:
        meta = json.loads(executed.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return {}
    params = meta.get("papermill", {}).get("parameters", {})
    return params if isinstance(params, dict) else {}


def segmentation_choice(
    *,
    study_dir: str | os.PathLike[str] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    notebook: str = SEGMENTATION_NOTEBOOK,
) -> SegmentChoice:
    """The segmentation notebook 02 chose in this run, or its defaults when there is none.

    Parameters
    ----------
    study_dir : path, optional
        The study of the current report. A recorded choice is used only when notebook 02
        ran on the same study folder (from the parameters papermill stored in its executed
        notebook); without ``study_dir`` this is not checked.
    output_dir : path, optional
        This notebook's output folder; default the folder ``jtbd run`` names in the
        ``JTBD_OUTPUT_DIR`` environment variable (:func:`jtbd_methods.report.output_path`).
        The run's folder is its parent, and notebook 02's results are in
        ``<run>/<notebook>/results.json``.
    notebook : str, default "02_recovery_segments"
        Stem of the segmentation notebook.

    Returns
    -------
    SegmentChoice
        ``source`` is the path of the results read, or ``"defaults"`` (notebook 02 did not
        run in this output folder, ran on another study, or recorded no segments).

    Notes
    -----
    Notebook 02 records ``segments.method``, ``segments.k`` and, per segment,
    ``segments.<n>.name`` and ``segments.<n>.size``; its seed (``random_state``) comes from the
    parameters of its executed notebook, or its default.

    Examples
    --------
    >>> choice = segmentation_choice(output_dir="no/such/run/03_satisfaction_tracking")
    >>> choice.source, choice.method, choice.k
    ('defaults', 'kmeans', None)
    """
    folder = Path(output_dir or os.environ.get(report.OUTPUT_ENV) or ".")
    run_folder = folder.resolve().parent / notebook
    results_file = run_folder / "results.json"
    try:
        results = json.loads(results_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SegmentChoice()
    if not isinstance(results, dict) or "segments.k" not in results:
        logger.info("%s has no segments.k; the defaults of %s are used.", results_file, notebook)
        return SegmentChoice()
    params = _run_parameters(run_folder)
    if study_dir is not None and "study_dir" in params:
        if Path(params["study_dir"]).resolve() != Path(study_dir).resolve():
            logger.info(
                "%s ran on another study (%s); the defaults are used.",
                notebook,
                params["study_dir"],
            )
            return SegmentChoice()
    names: dict[int, str] = {}
    sizes: dict[int, int] = {}
    k = check_int(results["segments.k"], parameter="segments.k", caller=str(results_file))
    for number in range(1, k + 1):
        name = results.get(f"segments.{number}.name")
        size = results.get(f"segments.{number}.size")
        if name is not None:
            names[number] = str(name)
        if isinstance(size, int):
            sizes[number] = size
    method = str(results.get("segments.method", SEGMENTATION_DEFAULTS["method"]))
    one_of(method, _METHODS, parameter="segments.method", caller=str(results_file))
    seed = params.get("random_state", SEGMENTATION_DEFAULTS["random_state"])
    return SegmentChoice(
        method=method,
        k=k,
        random_state=int(seed),
        n_boot=0,
        names=names,
        sizes=sizes,
        source=str(results_file),
    )


def segment_labels(
    survey: pd.DataFrame,
    *,
    codebook: Any = None,
    choice: SegmentChoice | None = None,
    min_cell_size: int = 10,
    k: int | None = None,
    random_state: int | None = None,
) -> pd.Series | None:
    """Recovery-goal segment names by survey row, or None when the survey cannot be segmented.

    Fits :func:`jtbd_methods.segmentation.segment` with the method, k and seed of ``choice``
    and gives the segments its names, for :func:`~jtbd_methods.tracking.trajectories`.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey with ``imp_``/``sat_`` items.
    codebook : Codebook, optional
        Suggests segment names after jobs (names recorded in ``choice`` take precedence).
    choice : SegmentChoice, optional
        The segmentation to reproduce (:func:`segmentation_choice`); default notebook 02's
        defaults, which choose k from the data.
    min_cell_size : int, default 10
        Smallest segment.
    k, random_state : int, optional
        Deprecated (version 0.1): pass ``choice=SegmentChoice(k=..., random_state=...)``.
        Still accepted for one release, with a FutureWarning.

    Returns
    -------
    pandas.Series or None
        ``"Segment <n>: <name>"`` for each survey row that was segmented (aligned to
        ``survey.index``; the number keeps results keys stable when names change), or None
        when the survey has nothing to segment on (the reason is logged).

    Raises
    ------
    TypeError
        If ``survey`` is not a DataFrame or ``choice`` is not a :class:`SegmentChoice`.

    Examples
    --------
    >>> segment_labels(pd.DataFrame({"respondent_id": ["a"], "wave": [1]})) is None
    True
    """
    caller = "segment_labels()"
    require_dataframe(survey, parameter="survey", caller=caller)
    choice = SegmentChoice() if choice is None else choice
    if not isinstance(choice, SegmentChoice):
        raise TypeError(
            f"The 'choice' parameter of {caller} must be a SegmentChoice (from "
            f"segmentation_choice()); got {type(choice).__name__}."
        )
    old = {"k": k, "random_state": random_state}
    given = {name: value for name, value in old.items() if value is not None}
    if given:
        warnings.warn(
            f"The {', '.join(repr(n) for n in given)} parameter(s) of {caller} are replaced by "
            "'choice' (a SegmentChoice); they will stop working in the next release.",
            FutureWarning,
            stacklevel=2,
        )
        choice = dataclasses.replace(choice, **given)
    try:
        result = segmentation.segment(
            survey,
            method=choice.method,
            k=choice.k,
            codebook=codebook,
            min_cell_size=min_cell_size,
            random_state=choice.random_state,
            n_boot=choice.n_boot if choice.k is None else 0,
            gap_references=10 if choice.k is None else 0,
        )
    except ValueError as err:
        # Data that cannot be segmented (no imp_/sat_ items, too few respondents) is a
        # finding of the report; anything else is a bug and propagates.
        logger.warning("%s: the survey could not be segmented (%s).", caller, err)
        return None
    known = set(result.names)
    result = result.rename({n: name for n, name in choice.names.items() if n in known})
    names = dict(result.names)
    return result.labels.map(lambda n: f"Segment {n}: {names[n]}" if pd.notna(n) else pd.NA)


def segments_note(choice: SegmentChoice, labels: pd.Series | None) -> str:
    """One sentence for the report: where the segments of the trajectories come from.

    Parameters
    ----------
    choice : SegmentChoice
        The choice passed to :func:`segment_labels`.
    labels : pandas.Series or None
        Its result.

    Returns
    -------
    str
        Says whether the segments are notebook 02's (and whether the re-fit reproduced its
        segment sizes) or come from notebook 02's defaults, or that there are none.

    Examples
    --------
    >>> segments_note(SegmentChoice(), None)
    'The survey could not be segmented, so one trajectory is shown for all respondents.'
    """
    if labels is None:
        return "The survey could not be segmented, so one trajectory is shown for all respondents."
    numbers = labels.dropna().astype(str).str.extract(r"^Segment (\d+):")[0].astype(int)
    counts = numbers.value_counts().to_dict()
    if not choice.recorded:
        return (
            f"No segmentation report (notebook {SEGMENTATION_NOTEBOOK}) was found in this run's "
            f"output folder, so the segments were found here with its default settings "
            f"(method {choice.method}, number of segments chosen from the data: {len(counts)}). "
            "Run the segmentation report in the same run to use the segments chosen there."
        )
    text = (
        f"Segments as chosen in the segmentation report: {choice.k} segments by "
        f"{choice.method}, with its names."
    )
    differ = [n for n, size in choice.sizes.items() if counts.get(n) != size]
    if differ:
        text += (
            " The segment sizes found here differ from that report's (segment "
            f"{', '.join(map(str, differ))}): the survey or the package changed since it ran."
        )
    return text
