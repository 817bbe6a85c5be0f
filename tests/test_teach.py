"""Workshop packs: exercise and solution notebooks, timings, the facilitator guide, the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, tree_hashes

from jtbd_methods.cli import main
from jtbd_methods.errors import UsageError
from jtbd_methods.teach import (
    SessionPlan,
    exercise_notebook,
    exercise_problems,
    facilitator_guide,
    plan_session,
    session_minutes,
    solution_notebook,
    write_workshop_pack,
)


def md(source, tags=()):
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)} if tags else {})


def code(source, tags=(), outputs=()):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = list(outputs)
    cell.execution_count = 3 if outputs else None
    return cell


PARAMS = 'study_dir: str = "../data/samples/recovery_study"\naudience: str = "client"\nmin_cell_size = None  # type: Optional[int]'


def lesson(*, solution="answer = 6", offered=True, metadata=None) -> nbformat.NotebookNode:
    """A small lesson: teaching note, exercise, optional solution and a check."""
    cells = [
        md("# Counting comments\n\nHow many comments are there? A first look."),
        code(PARAMS, tags=["parameters"]),
        code("x = 2 * 3", outputs=[nbformat.v4.new_output("stream", name="stdout", text="6\n")]),
        md("## Teaching note: why count first\n\nCounts come before rates.", tags=["teaching"]),
        md(
            "## Exercise\n\nWhat is `x`? Replace `None` and run the check. Then compare.",
            tags=["exercise"],
        ),
    ]
    if offered:
        cells.append(code("answer = None", tags=["exercise"]))
    if solution is not None:
        cells.append(code(solution, tags=["solution"]))
    cells.append(
        code(
            'print("Correct!" if answer == x else f"Not yet (answer {answer!r}).")',
            tags=["exercise", "check"],
        )
    )
    nb = nbformat.v4.new_notebook(cells=cells, metadata=metadata or {})
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["papermill"] = {"parameters": {"audience": "client"}}
    return nb


@pytest.fixture
def lesson_dir(tmp_path) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir()
    nbformat.write(lesson(), str(folder / "01_counting.ipynb"))
    nbformat.write(
        lesson(
            solution="answer = x",
            offered=False,
            metadata={"jtbd": {"teach": {"minutes": 50, "goals": ["Read a rate"]}}},
        ),
        str(folder / "02_rates.ipynb"),
    )
    return folder


# --------------------------------------------------------------------------- the two copies


def test_exercise_copy_blanks_solutions_and_clears_outputs():
    nb = lesson()
    before = json.dumps(nb, sort_keys=True)
    ex = exercise_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before, "the input notebook is not modified"
    sources = [c.source for c in ex.cells]
    assert "answer = 6" not in sources
    assert sources.count("answer = None") == 1, (
        "no second blank when an exercise cell already offers one"
    )
    assert all(
        not c.get("outputs") and c.get("execution_count") is None
        for c in ex.cells
        if c.cell_type == "code"
    )
    assert "papermill" not in ex.metadata
    assert not any("solution" in c.metadata.get("tags", []) for c in ex.cells)


def test_exercise_copy_replaces_a_solution_by_a_blank_when_none_is_offered():
    ex = exercise_notebook(lesson(solution="answer = x\nhelper: int = 2", offered=False))
    blanks = [c for c in ex.cells if "answer = None" in c.source]
    assert len(blanks) == 1
    assert blanks[0].source.splitlines()[1:] == ["answer = None", "helper = None"]
    assert blanks[0].metadata["tags"] == ["exercise"]
    assert "answer = x" not in [c.source for c in ex.cells]


def test_solution_copy_keeps_everything_but_outputs_and_injected_parameters():
    nb = lesson()
    nb.cells.insert(2, code('study_dir = "/private/path"', tags=["injected-parameters"]))
    sol = solution_notebook(nb)
    assert "answer = 6" in [c.source for c in sol.cells]
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in sol.cells)
    assert len(sol.cells) == len(nb.cells) - 1
    assert all(not c.outputs for c in sol.cells if c.cell_type == "code")


def test_exercise_problems():
    assert exercise_problems(lesson()) == []
    assert exercise_problems(lesson(solution=None)) == [
        "an exercise has no solution cell (tag solution)"
    ]
    no_check = lesson()
    no_check.cells = [c for c in no_check.cells if "check" not in c.metadata.get("tags", [])]
    assert exercise_problems(no_check) == ["an exercise has no check cell (tags exercise + check)"]
    no_blank = lesson(solution="print(1)", offered=False)
    assert exercise_problems(no_blank) == ["no exercise cell offers 'answer = None'"]
    discussion = nbformat.v4.new_notebook(cells=[md("## Exercise\n\nDiscuss.", tags=["exercise"])])
    assert exercise_problems(discussion) == []
    assert exercise_problems(nbformat.v4.new_notebook()) == []


def test_the_check_cell_tells_the_learner_whether_the_answer_is_right(tmp_path):
    """Executed, the learner's copy says "Not yet" and the solutions copy says "Correct!"."""
    import papermill as pm

    nb = lesson()
    for name, copy_ in (("exercise", exercise_notebook(nb)), ("solution", solution_notebook(nb))):
        nbformat.write(copy_, str(tmp_path / f"{name}.ipynb"))
        pm.execute_notebook(
            str(tmp_path / f"{name}.ipynb"),
            str(tmp_path / f"{name}_out.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
        )

    def last_output(name):
        cells = nbformat.read(str(tmp_path / f"{name}_out.ipynb"), as_version=4).cells
        return cells[-1].outputs[0]["text"].strip()

    assert last_output("exercise") == "Not yet (answer None)."
    assert last_output("solution") == "Correct!"


# --------------------------------------------------------------------------- timings and the guide


def test_session_minutes_follows_the_documented_estimate():
    # 10 (introduction) + 5 x 1 teaching note + 15 x 1 exercise + 1 x 1 plain code cell = 31 -> 35
    assert session_minutes(lesson()) == 35
    assert session_minutes(lesson(metadata={"jtbd": {"teach": {"minutes": 50}}})) == 50
    assert session_minutes(lesson(metadata={"jtbd": {"teach": {"minutes": -5}}})) == 35


def test_plan_session(lesson_dir):
    plan = plan_session(lesson_dir / "01_counting.ipynb")
    assert plan == SessionPlan(
        stem="01_counting",
        title="Counting comments",
        description="How many comments are there?",
        minutes=35,
        goals=("Why count first",),
        exercises=("What is x? Replace None and run the check.",),
        problems=(),
    )
    assert plan_session(lesson_dir / "02_rates.ipynb").goals == ("Read a rate",)


def test_facilitator_guide_agenda_with_running_times_and_a_break():
    plans = [
        SessionPlan(f"0{i}_s", f"Session {i}", "", m, (f"Goal {i}",), ("Do it.",), ())
        for i, m in enumerate((40, 55, 30), start=1)
    ]
    guide = facilitator_guide(plans)
    rows = [line for line in guide.splitlines() if line.startswith("| ") and "–" in line]
    assert [r.split(" | ")[0] for r in rows] == [
        "| 0:00–0:40",
        "| 0:40–1:35",
        "| 1:35–1:50",
        "| 1:50–2:20",
    ]
    assert "Break" in rows[2]
    assert "about 2 h 20 min including breaks" in guide
    for needle in (
        "jupyter lab notebooks/",
        "answer = None",
        "solutions/",
        "--audience teaching",
        "_truth/",
        "| **02** Session 2 | 55 | Goal 2 | Do it. |",
    ):
        assert needle in guide, needle
    assert "Check before the day" not in guide
    flagged = [
        SessionPlan(
            "07_x", "X", "", 20, (), (), ("an exercise has no solution cell (tag solution)",)
        )
    ]
    guide = facilitator_guide(flagged, study_label="the study in data/mine", study_path="data/mine")
    assert (
        "## Check before the day\n\n- **07_x**: an exercise has no solution cell (tag solution)."
        in guide
    )
    assert "--study data/mine" in guide and "_truth/" not in guide


# --------------------------------------------------------------------------- the pack


def test_write_workshop_pack(lesson_dir, make_study, tmp_path):
    study = make_study()
    before = tree_hashes(study), tree_hashes(lesson_dir)
    out = write_workshop_pack(
        tmp_path / "pack", notebooks=sorted(lesson_dir.glob("*.ipynb")), study=study
    )
    assert (tree_hashes(study), tree_hashes(lesson_dir)) == before, "inputs unchanged"
    assert sorted(p.name for p in out.iterdir()) == [
        "FACILITATOR.html",
        "FACILITATOR.md",
        "data",
        "notebooks",
        "solutions",
    ]
    assert tree_hashes(out / "data" / "study") == tree_hashes(study)
    for folder in ("notebooks", "solutions"):
        assert sorted(p.name for p in (out / folder).iterdir()) == [
            "01_counting.ipynb",
            "02_rates.ipynb",
        ]
        nb = nbformat.read(str(out / folder / "01_counting.ipynb"), as_version=4)
        nbformat.validate(nb)
        assert nb.cells[1].source.startswith('study_dir: str = "../data/study"'), (
            "study_dir points at the copy"
        )
    learner = nbformat.read(str(out / "notebooks" / "02_rates.ipynb"), as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in learner.cells)
    assert any(c.source.endswith("answer = None") for c in learner.cells)
    guide = (out / "FACILITATOR.md").read_text()
    assert "| 0:00–0:35 | **01** Counting comments | 35 |" in guide
    assert "| 0:35–1:25 | **02** Counting comments | 50 | Read a rate |" in guide
    assert "the study in data/study" in guide
    html_guide = (out / "FACILITATOR.html").read_text()
    assert "<table>" in html_guide and "<script" not in html_guide
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "temporary folders left behind"
    )


def test_write_workshop_pack_errors(lesson_dir, make_study, tmp_path):
    nbs = sorted(lesson_dir.glob("*.ipynb"))
    study = make_study()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(
        UsageError, match="already exists and is not empty; choose a new folder or pass --overwrite"
    ):
        write_workshop_pack(tmp_path / "full", notebooks=nbs, study=study)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    with pytest.raises(UsageError, match=r"notebook\(s\) not found: .*missing.ipynb"):
        write_workshop_pack(tmp_path / "a", notebooks=[tmp_path / "missing.ipynb"], study=study)
    with pytest.raises(UsageError, match="no notebooks to pack"):
        write_workshop_pack(tmp_path / "b", notebooks=[], study=study)
    with pytest.raises(UsageError, match=r"is not a study folder \(no study.yaml\)"):
        write_workshop_pack(tmp_path / "c", notebooks=nbs, study=tmp_path)
    # --overwrite replaces a workshop pack, never a folder of someone else's
    with pytest.raises(UsageError, match="not written by jtbd; it is left untouched"):
        write_workshop_pack(tmp_path / "full", notebooks=nbs, study=study, overwrite=True)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    out = write_workshop_pack(tmp_path / "pack", notebooks=nbs, study=study)
    (out / "notes.txt").write_text("facilitator's scribbles")
    out = write_workshop_pack(tmp_path / "pack", notebooks=nbs, study=study, overwrite=True)
    assert not (out / "notes.txt").exists() and (out / "FACILITATOR.md").is_file()


def test_pack_of_the_shipped_notebooks(make_study, tmp_path, monkeypatch):
    """Every shipped notebook lands in both folders; learners' copies hold no solution."""
    shipped = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    out = write_workshop_pack(tmp_path / "pack", study=make_study())
    for folder in ("notebooks", "solutions"):
        assert sorted(p.name for p in (out / folder).glob("*.ipynb")) == [p.name for p in shipped]
    for path in (out / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
        assert not any("solution" in t for t in tags), path.name
        assert any("parameters" in t for t in tags), path.name
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
    guide = (out / "FACILITATOR.md").read_text()
    for path in shipped:
        assert f"**{path.stem[:2]}**" in guide, path.stem


def test_teach_command(lesson_dir, make_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JTBD_NOTEBOOKS", str(lesson_dir))
    study = make_study()
    code_ = main(["teach", "--out", str(tmp_path / "pack"), "--study", str(study)])
    captured = capsys.readouterr()
    assert code_ == 0, captured.err
    assert "Workshop pack written to" in captured.out and "FACILITATOR.md" in captured.out
    assert sorted(p.name for p in (tmp_path / "pack" / "notebooks").iterdir()) == [
        "01_counting.ipynb",
        "02_rates.ipynb",
    ]
    digest = hashlib.sha256((tmp_path / "pack" / "FACILITATOR.md").read_bytes()).hexdigest()
    code_ = main(["teach", "--out", str(tmp_path / "pack"), "--study", str(study)])
    assert code_ == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert hashlib.sha256((tmp_path / "pack" / "FACILITATOR.md").read_bytes()).hexdigest() == digest
