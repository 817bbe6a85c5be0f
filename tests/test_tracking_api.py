"""The shape of :mod:`jtbd_methods.tracking`: renamed keywords, frequencies, module layout and
the segmentation the tracking report takes from the segmentation report (issue 17)."""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import jtbd_methods
from jtbd_methods import load_study, plots, segmentation, tracking
from jtbd_methods.resources import notebook_dir
from jtbd_methods.runner import notebook_parameters
from jtbd_methods.tracking import SegmentChoice

matplotlib.use("Agg")

PACKAGE = Path(jtbd_methods.__file__).parent


def _feedback(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    return pd.DataFrame(
        {
            "comment_id": [f"c{i}" for i in range(n)],
            "received": np.sort(rng.choice(days, n)),
            "site": rng.choice(["North", "South"], n),
            "rating": pd.array(rng.integers(1, 6, n), dtype="Int64"),
        }
    )


def _codes(feedback: pd.DataFrame) -> pd.DataFrame:
    jobs = np.where(np.arange(len(feedback)) % 2 == 0, "gain_clarity", "feel_heard")
    polarity = np.where(np.arange(len(feedback)) % 3 == 0, "disrupted", "fulfilled")
    return pd.DataFrame(
        {"comment_id": feedback["comment_id"], "job_id": jobs, "polarity": polarity}
    )


def _monthly() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    periods = pd.date_range("2023-01-01", periods=30, freq="MS")
    n = rng.integers(80, 120, periods.size)
    share = np.where(periods >= "2024-01-01", 0.7, 0.5)
    return pd.DataFrame({"period": periods, "n": n, "share": rng.binomial(n, share) / n})


def _survey() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    survey = pd.DataFrame(
        {
            "respondent_id": np.repeat([f"r{i}" for i in range(60)], 3),
            "wave": np.tile([1, 2, 3], 60),
        }
    )
    survey["overall_satisfaction"] = (
        3 + 0.5 * (survey["wave"] - 1) + np.repeat(rng.normal(0, 0.5, 60), 3)
    ) + rng.normal(0, 0.3, 180)
    return survey


def _did_rows() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame(
        {
            "site": np.repeat(list("ABCDEF"), 200),
            "received": np.tile(pd.date_range("2024-01-01", periods=200, freq="D"), 6),
        }
    )
    rows["positive"] = (rng.random(len(rows)) < 0.5).astype(int)
    return rows


def _actions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "action_id": ["A1"],
            "job_id": ["gain_clarity"],
            "started": pd.to_datetime(["2024-01-01"]),
            "sites": ["North"],
        }
    )


FB = _feedback()
CODES = _codes(FB)
MONTHLY = _monthly()

# (call with the names of version 0.1, the same call with the new names, old name, new name)
RENAMED = [
    (
        lambda: tracking.rates(FB, period="quarter", min_cell_size=1),
        lambda: tracking.rates(FB, freq="QS", min_cell_size=1),
        "period",
        "freq",
    ),
    (
        lambda: tracking.rates(FB, date="received", min_cell_size=1),
        lambda: tracking.rates(FB, time_column="received", min_cell_size=1),
        "date",
        "time_column",
    ),
    (
        lambda: tracking.job_rates(FB, CODES, comment_id="comment_id", min_cell_size=1),
        lambda: tracking.job_rates(FB, CODES, id_column="comment_id", min_cell_size=1),
        "comment_id",
        "id_column",
    ),
    (
        lambda: tracking.spc(MONTHLY, value="share", n="n", period="period"),
        lambda: tracking.spc(MONTHLY, value="share", n="n", time_column="period"),
        "period",
        "time_column",
    ),
    (
        lambda: tracking.its(MONTHLY, value="share", time="period", interventions="2024-01-01"),
        lambda: (
            tracking.its(
                MONTHLY, value="share", time_column="period", interventions="2024-01-01"
            ).effects
        ),
        "time",
        "time_column",
    ),
    (
        lambda: tracking.dispersion(MONTHLY, value="share", n="n", period="period"),
        lambda: tracking.dispersion(MONTHLY, value="share", n="n", time_column="period"),
        "period",
        "time_column",
    ),
    (
        lambda: tracking.choose_chart(MONTHLY, value="share", n="n", period="period"),
        lambda: tracking.choose_chart(MONTHLY, value="share", n="n", time_column="period"),
        "period",
        "time_column",
    ),
    (
        lambda: tracking.rebase_dates(
            MONTHLY, value="share", n="n", period="period", candidates=["2024-01-01"]
        ),
        lambda: tracking.rebase_dates(
            MONTHLY, value="share", n="n", time_column="period", candidates=["2024-01-01"]
        ),
        "period",
        "time_column",
    ),
    (
        lambda: tracking.action_dates(_actions(), date="started"),
        lambda: tracking.action_dates(_actions(), time_column="started"),
        "date",
        "time_column",
    ),
    (
        lambda: tracking.latest_rate(tracking.rates(FB, min_cell_size=1), period="period"),
        lambda: tracking.latest_rate(tracking.rates(FB, min_cell_size=1), time_column="period"),
        "period",
        "time_column",
    ),
    (
        lambda: tracking.did(
            _did_rows(), value="positive", treated=["A"], start="2024-04-01", period="week"
        ),
        lambda: tracking.did(
            _did_rows(), value="positive", treated=["A"], start="2024-04-01", freq="W"
        ),
        "period",
        "freq",
    ),
    (
        lambda: tracking.did(
            _did_rows(), value="positive", treated=["A"], start="2024-04-01", date="received"
        ),
        lambda: tracking.did(
            _did_rows(), value="positive", treated=["A"], start="2024-04-01", time_column="received"
        ),
        "date",
        "time_column",
    ),
    (
        lambda: tracking.mention_rates(FB, CODES, period="week", min_cell_size=1),
        lambda: tracking.mention_rates(FB, CODES, freq="W", min_cell_size=1),
        "period",
        "freq",
    ),
    (
        lambda: tracking.pilot_series(FB, CODES, _actions(), period="quarter", min_cell_size=1),
        lambda: tracking.pilot_series(FB, CODES, _actions(), freq="QS", min_cell_size=1),
        "period",
        "freq",
    ),
    (
        lambda: tracking.pilot_effects(FB, CODES, _actions(), comment_id="comment_id"),
        lambda: tracking.pilot_effects(FB, CODES, _actions(), id_column="comment_id"),
        "comment_id",
        "id_column",
    ),
    (
        lambda: tracking.action_effects(FB, CODES, _actions(), date="received"),
        lambda: tracking.action_effects(FB, CODES, _actions(), time_column="received"),
        "date",
        "time_column",
    ),
    (
        lambda: tracking.trajectories(_survey(), id="respondent_id"),
        lambda: tracking.trajectories(_survey(), id_column="respondent_id"),
        "id",
        "id_column",
    ),
    (
        lambda: tracking.repeated_respondents(_survey(), id="respondent_id"),
        lambda: tracking.repeated_respondents(_survey(), id_column="respondent_id"),
        "id",
        "id_column",
    ),
]


@pytest.mark.parametrize(("old_call", "new_call", "old", "new"), RENAMED)
def test_old_keywords_warn_and_give_the_same_result(old_call, new_call, old, new):
    with pytest.warns(FutureWarning, match=f"'{old}' parameter of .* is renamed '{new}'"):
        before = old_call()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        after = new_call()
    assert not [w for w in caught if "is renamed" in str(w.message)]  # new names never warn
    if isinstance(before, tracking.ITSResult):
        before = before.effects
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(before, after)
    else:
        assert before == after


def test_old_and_new_keyword_together_is_an_error():
    with pytest.raises(TypeError, match="got both 'period'.* and 'freq'"):
        tracking.rates(FB, period="month", freq="MS")


def test_plot_did_interval_was_called_ci():
    series = pd.DataFrame(
        {"period": pd.date_range("2024-01-01", periods=6, freq="MS"), "difference": [0.0] * 6}
    )
    series.attrs["started"] = pd.Timestamp("2024-04-01")
    with pytest.warns(
        FutureWarning, match="'ci' parameter of plot_did\\(\\) is renamed 'interval'"
    ):
        ax = plots.plot_did(series, estimate=20.0, ci=(12.0, 28.0))
    assert ax.get_title() == "Difference in differences +20 points (95% CI +12 to +28)"
    plt.close(ax.figure)


def test_segment_labels_k_is_replaced_by_choice():
    with pytest.warns(FutureWarning, match="'k' parameter.* replaced by 'choice'"):
        assert tracking.segment_labels(_survey(), k=3) is None  # no items to segment on


@pytest.mark.parametrize(
    ("word", "alias"), [("month", "MS"), ("month", "M"), ("quarter", "QS"), ("week", "W")]
)
def test_freq_takes_pandas_aliases_and_the_old_period_names(word, alias):
    pd.testing.assert_frame_equal(
        tracking.rates(FB, freq=word, min_cell_size=1),
        tracking.rates(FB, freq=alias, min_cell_size=1),
    )


def test_freq_errors_name_the_parameter_and_examples():
    with pytest.raises(ValueError, match="'freq' parameter of rates\\(\\) .* 'MS'.*got 'YS'"):
        tracking.rates(FB, freq="YS")
    with pytest.raises(ValueError, match="'freq' parameter of pilot_effects\\(\\)"):
        tracking.pilot_effects(FB, CODES, _actions(), freq="fortnight")


def test_by_uses_the_package_name_validator():
    # check_names refuses a name listed twice instead of counting the column twice
    with pytest.raises(ValueError, match="'by' parameter of rates\\(\\) lists 'site' twice"):
        tracking.rates(FB, by=["site", "site"])


# --------------------------------------------------------------------------- layout


TRACKING_MODULES = sorted((PACKAGE / "tracking").glob("*.py")) + sorted(
    (PACKAGE / "_plotting").glob("*tracking*.py")
)


@pytest.mark.parametrize("path", TRACKING_MODULES, ids=lambda p: p.name)
def test_tracking_modules_are_small_and_import_the_package_at_the_top(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 800
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(
                    "jtbd_methods"
                ):
                    pytest.fail(f"{path.name}: {node.name}() imports {inner.module} inside")


def test_every_public_name_is_exported_from_the_package():
    for module in (PACKAGE / "tracking").glob("*.py"):
        if module.name.startswith("_"):
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                assert node.name in tracking.__all__, f"{module.name}: {node.name}"


# --------------------------------------------------------------------------- segments


def test_segmentation_defaults_are_those_of_notebook_02():
    declared = notebook_parameters(notebook_dir() / "02_recovery_segments.ipynb")
    for name, value in tracking.SEGMENTATION_DEFAULTS.items():
        assert declared[name]["default"] == value, name


def _run_folder(tmp_path: Path, results: dict, parameters: dict) -> Path:
    """A run's output folder holding what notebook 02 leaves there: results and notebook."""
    folder = tmp_path / "run" / "02_recovery_segments"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    executed = {"cells": [], "metadata": {"papermill": {"parameters": parameters}}}
    (folder / "02_recovery_segments.ipynb").write_text(json.dumps(executed), encoding="utf-8")
    return tmp_path / "run" / "03_satisfaction_tracking"


@pytest.fixture
def study(sample_study):
    return load_study(sample_study)


def test_tracking_uses_the_segments_notebook_02_chose(tmp_path, study):
    # What notebook 02 does with a consultant's k and seed (its own call, with bootstrap).
    chosen = segmentation.segment(
        study.survey, k=3, random_state=7, codebook=study.codebook, min_cell_size=10
    )
    sizes = chosen.labels.value_counts()
    results = {"segments.k": 3, "segments.method": "kmeans", "segments.1.name": "Back to work"}
    results.update({f"segments.{n}.size": int(sizes[n]) for n in sizes.index})
    output = _run_folder(tmp_path, results, {"study_dir": str(study.path), "random_state": 7})

    choice = tracking.segmentation_choice(study_dir=study.path, output_dir=output)
    assert choice.recorded and (choice.method, choice.k, choice.random_state) == ("kmeans", 3, 7)
    assert choice.names == {1: "Back to work"}
    labels = tracking.segment_labels(study.survey, codebook=study.codebook, choice=choice)
    # the same respondents in the same segments as notebook 02, under 02's names
    expected = chosen.labels.map(lambda n: n if pd.isna(n) else f"Segment {n}:")
    found = labels.str.extract(r"^(Segment \d+:)")[0]
    assert found.fillna("none").tolist() == expected.fillna("none").tolist()
    assert (labels.dropna().str.startswith("Segment 1: Back to work")).sum() == sizes[1]
    note = tracking.segments_note(choice, labels)
    assert note.startswith("Segments as chosen in the segmentation report: 3 segments by kmeans")
    assert "differ" not in note

    wrong = SegmentChoice(k=3, random_state=7, sizes={1: 1}, source="results.json")
    assert "differ from that report's (segment 1)" in tracking.segments_note(wrong, labels)


def test_without_notebook_02_the_defaults_are_used_and_said(tmp_path, study):
    missing = tracking.segmentation_choice(output_dir=tmp_path / "run" / "03")
    assert missing == SegmentChoice() and not missing.recorded
    other = _run_folder(tmp_path, {"segments.k": 4}, {"study_dir": str(tmp_path / "elsewhere")})
    assert tracking.segmentation_choice(study_dir=study.path, output_dir=other) == SegmentChoice()
    note = tracking.segments_note(missing, pd.Series(["Segment 1: a", "Segment 2: b", pd.NA]))
    assert "with its default settings" in note and "chosen from the data: 2" in note


def test_a_recorded_choice_with_a_bad_method_is_an_error(tmp_path):
    output = _run_folder(tmp_path, {"segments.k": 2, "segments.method": "ward"}, {})
    with pytest.raises(ValueError, match="'segments.method' parameter .* got 'ward'"):
        tracking.segmentation_choice(output_dir=output)


def test_segment_labels_refuses_a_choice_of_the_wrong_type():
    with pytest.raises(TypeError, match="'choice' parameter of segment_labels\\(\\)"):
        tracking.segment_labels(_survey(), choice={"k": 3})
