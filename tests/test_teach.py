"""Workshop packs: exercise and solution notebooks, timings, the facilitator guide, the CLI."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, tree_hashes

from jtbd_methods.cli import main
from jtbd_methods.errors import UsageError
from jtbd_methods.teach import (
    LENGTHS,
    SessionPlan,
    add_solutions,
    exercise_notebook,
    exercise_problems,
    facilitator_guide,
    load_agenda,
    load_sessions,
    mark_slides,
    model_answer,
    model_answers,
    notebook_slides,
    plan_session,
    session_minutes,
    setup_page,
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
    # a helper name of the solution leaves no blank; the answer the check reads does
    assert blanks[0].source.splitlines()[1:] == ["answer = None"]
    assert blanks[0].metadata["tags"] == ["exercise"]
    assert "answer = x" not in [c.source for c in ex.cells]
    checked = lesson(solution="answer = x\nhelper: int = 2", offered=False)
    checked.cells[-1].source += "\nprint(helper)"
    blanks = [c for c in exercise_notebook(checked).cells if "answer = None" in c.source]
    assert blanks[0].source.splitlines()[1:] == ["answer = None", "helper = None"]


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
    assert exercise_problems(discussion) == ["an exercise has no solution cell (tag solution)"]
    discussion.cells.append(code("shares = 1", tags=["solution"]))
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


# --------------------------------------------------------------------------- agendas


def test_shipped_agendas_add_up_and_cover_every_notebook():
    shipped = [p.stem[:2] for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    assert LENGTHS == ("3h", "day")
    three, day = (load_agenda(length, notebooks=shipped) for length in LENGTHS)
    assert (three.minutes, day.minutes) == (180, 420)
    for agenda in (three, day):
        assert sum(b.minutes for b in agenda.blocks) == agenda.minutes
        rows = agenda.schedule()
        assert all(a[1] == b[0] for a, b in zip(rows, rows[1:], strict=False)), "no gaps"
        assert sorted(agenda.notebooks + agenda.take_home) == shipped
        assert any(b.kind == "break" for b in agenda.blocks)
    assert (three.schedule()[0][0], three.schedule()[-1][1]) == ("13:30", "16:30")
    assert (day.schedule()[0][0], day.schedule()[-1][1]) == ("09:30", "16:30")
    assert three.take_home == ("05",) and not day.take_home
    assert all(b.exercise == "in session" for b in day.blocks if b.kind == "notebook")


AGENDA = """
lengths:
  short:
    title: Short session
    start: "10:00"
    minutes: 60
    blocks:
      - {notebook: "01", minutes: 25, focus: Counting only.}
      - {break: Tea, minutes: 10}
      - {notebook: "02", minutes: 25, exercise: take home}
"""


def test_load_agenda_errors(tmp_path):
    path = tmp_path / "agenda.yaml"
    path.write_text(AGENDA)
    agenda = load_agenda("short", path=path, notebooks=["01", "02"])
    assert [(s, e, b.title) for s, e, b in agenda.schedule()] == [
        ("10:00", "10:25", "01"),
        ("10:25", "10:35", "Tea"),
        ("10:35", "11:00", "02"),
    ]
    with pytest.raises(UsageError, match="unknown workshop length 'long'; agenda.yaml offers short"):
        load_agenda("long", path=path)
    with pytest.raises(UsageError, match=r"notebook\(s\) 03 of the pack are neither taught nor"):
        load_agenda("short", path=path, notebooks=["01", "02", "03"])
    with pytest.raises(UsageError, match=r"names notebook\(s\) 02 that the pack does not hold"):
        load_agenda("short", path=path, notebooks=["01"])
    cases = {
        "minutes: 60": ("minutes: 65", "the blocks add up to 60 minutes but the length says 65"),
        "{break: Tea, minutes: 10}": (
            "{break: Tea, minutes: 0}",
            r"blocks\[2\]: minutes must be a positive whole number; got 0",
        ),
        "exercise: take home": ("exercise: later", "exercise must be one of in session, take home"),
        '{notebook: "02"': ('{notebook: "01"', r"notebook\(s\) 01 appear more than once"),
        '"10:00"': ('"ten"', "start: expected a time such as 09:30; got 'ten'"),
    }
    for old, (new, message) in cases.items():
        path.write_text(AGENDA.replace(old, new))
        with pytest.raises(UsageError, match=message):
            load_agenda("short", path=path)
    path.write_text(AGENDA.replace("{break: Tea, minutes: 10}", "{minutes: 10}"))
    with pytest.raises(UsageError, match="exactly one of notebook, break, plenary"):
        load_agenda("short", path=path)


# --------------------------------------------------------------------------- sessions, answers


def test_every_shipped_notebook_has_prompts_a_solution_and_a_model_answer():
    notes = load_sessions()
    shipped = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(notes) == [p.stem[:2] for p in shipped]
    for path in shipped:
        entry = notes[path.stem[:2]]
        assert len(entry.prompts) >= 3 and entry.solution and entry.answer_template, path.stem
        compile(entry.solution, path.name, "exec")  # the solution is valid Python
        # the template types no result: every number comes from a value of the run (figure
        # numbers, the 95% of an interval and the unit "per 100 comments" are not results)
        prose = re.sub(
            r"\{[{%].*?[%}]\}|Figure \d+|95% interval|per 100 comments", "", entry.answer_template
        )
        assert not re.search(r"\d", prose), (path.stem, re.findall(r".{20}\d.{20}", prose))
        facilitator = add_solutions(solution_notebook(path), entry)
        assert exercise_problems(facilitator) == [], path.stem
        participant = exercise_notebook(facilitator)
        sources = "\n".join(c.source for c in participant.cells)
        assert entry.solution not in sources and "model_answer(" not in sources, path.stem


def test_load_sessions_errors(tmp_path):
    path = tmp_path / "sessions.yaml"
    for text, message in (
        ("a: [b", "is not valid YAML"),
        ("- a list", "expected a mapping of notebook numbers; got list"),
        ('"01": {slides: 3}', r"01: unknown key\(s\) slides"),
        ('"01": {prompts: [1, 2]}', "01: prompts: expected a list of strings"),
        ('"01": {model_answer: {values: [x]}}', "01: model_answer needs a 'text' template"),
        ('"01": {solution: [1]}', "01: solution must be code"),
    ):
        path.write_text(text)
        with pytest.raises(UsageError, match=message):
            load_sessions(path)


def test_model_answer_formats_values_and_names_a_missing_one():
    answer = model_answer(
        "{{ n }} comments; {{ share | pct }} disrupted ({{ ci | ci(2) }}), change {{ d | num }}.\n\n"
        "Second   paragraph\n  joined.",
        n=120,
        share=0.254,
        ci=(0.18, 0.331),
        d=-0.04,
    )
    assert str(answer) == (
        "120 comments; 25% disrupted (0.18 to 0.33), change 0.0.\n\nSecond paragraph joined."
    )
    assert answer._repr_markdown_().startswith("**Model answer.** 120 comments")
    assert "<p>" in answer._repr_html_() and "jtbd-model-answer" in answer._repr_html_()
    with pytest.raises(UsageError, match="the template uses a value not given.*'k'"):
        model_answer("{{ k }} segments")


SESSIONS = """
"01":
  prompts: ["Why count before computing rates?"]
  solution: |
    answer = x
    doubled = 2 * x
  model_answer:
    values: [answer, doubled]
    text: |
      The study has **{{ answer }}** comments ({{ doubled }} when doubled).
"02":
  prompts: ["Is a rate a share?"]
"""


def test_add_solutions_puts_the_solution_before_the_check_and_the_answer_last(tmp_path):
    path = tmp_path / "sessions.yaml"
    path.write_text(SESSIONS)
    notes = load_sessions(path)
    nb = lesson(solution=None)
    before = json.dumps(nb, sort_keys=True)
    out = add_solutions(nb, notes["01"])
    assert json.dumps(nb, sort_keys=True) == before, "input unchanged"
    tags = [c.metadata.get("tags", []) for c in out.cells]
    assert tags[-3:] == [["solution"], ["exercise", "check"], ["solution", "model-answer"]]
    assert out.cells[-3].source == "answer = x\ndoubled = 2 * x"
    assert "doubled=doubled," in out.cells[-1].source
    assert add_solutions(nb, None).cells == nb.cells


# --------------------------------------------------------------------------- slides


def _executed_lesson() -> nbformat.NotebookNode:
    nb = lesson()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells.insert(
        3,
        code(
            "plot()",
            outputs=[nbformat.v4.new_output("display_data", data={"image/png": png})],
        ),
    )
    nb.cells.insert(4, md("*Figure 1. A dot.*"))
    return nb


def test_mark_slides_headings_start_slides_and_solutions_are_skipped():
    marked = mark_slides(_executed_lesson(), notes=["Ask why."])
    kinds = [(c.cell_type, c.metadata["slideshow"]["slide_type"]) for c in marked.cells]
    assert kinds == [
        ("markdown", "slide"),  # title
        ("code", "skip"),  # parameters
        ("code", "subslide"),  # x = 2 * 3, printed 6
        ("code", "subslide"),  # the figure
        ("markdown", "-"),  # its caption stays with it
        ("markdown", "slide"),  # teaching note
        ("markdown", "slide"),  # exercise
        ("code", "skip"),  # answer = None: no output
        ("code", "skip"),  # solution
        ("code", "skip"),  # check
        ("markdown", "notes"),
    ]


def test_slides_are_self_contained_and_load_nothing():
    page = notebook_slides(_executed_lesson(), title="Counting", notes=["Ask why."])
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # nothing is fetched: every src and href is inline data or an anchor, every url() data
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page)
    assert links and all(link.startswith(("data:", "#")) for link in links), links
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", page))
    assert "@import" not in page and "<link" not in page and "unpkg" not in page
    assert page.count("<section") >= 4
    assert "data:image/png;base64" in page and "Figure 1. A dot." in page
    assert 'class="notes"' in page and "Ask why." in page
    assert "answer = 6" not in page, "solutions stay off the slides"
    assert "jtbd-slide-controls" in page and "keydown" in page


# --------------------------------------------------------------------------- the guide


def test_facilitator_guide_agenda_prompts_and_answers(tmp_path):
    path = tmp_path / "agenda.yaml"
    path.write_text(AGENDA)
    sessions = tmp_path / "sessions.yaml"
    sessions.write_text(SESSIONS)
    agenda = load_agenda("short", path=path)
    plans = [
        SessionPlan(f"0{i}_s", f"Session {i}", f"About {i}.", 30, (f"Goal {i}",), ("Do it.",), ())
        for i in (1, 2)
    ]
    guide = facilitator_guide(
        agenda,
        plans,
        sessions=load_sessions(sessions),
        answers={"01": ["The study has **7** comments."]},
    )
    for needle in (
        "**Short session** on the synthetic sample study: 10:00–11:00, 1 h 00 min including "
        "breaks, 2 sessions with 1 exercise in the room and 1 to take home.",
        "| 10:00–10:25 | **01** Session 1 | 25 | Counting only. | in session: Do it. |",
        "| 10:25–10:35 | Tea | 10 | | |",
        "| 10:35–11:00 | **02** Session 2 | 25 | Goal 2 | take home: Do it. |",
        "The minutes of the blocks add up to 60.",
        "**Take home**: 02 Session 2",
        "### 02 Session 2 (take home)",
        "- Why count before computing rates?",
        "> The study has **7** comments.",
        "SETUP.md",
        "slides/",
        "facilitator/index.html",
        "_truth/",
    ):
        assert needle in guide, needle
    assert "Check before the day" not in guide
    assert "none: this notebook has no model answer in sessions.yaml" in guide
    not_run = facilitator_guide(
        agenda,
        [plans[0], SessionPlan("02_x", "X", "", 20, (), (), ("an exercise has no check cell",))],
        ran=False,
        study_label="the study in data/mine",
        study_path="data/mine",
    )
    assert "written without running the notebooks (`--no-run`)" in not_run
    assert "## Check before the day\n\n- **02_x**: an exercise has no check cell." in not_run
    assert "--study data/mine" in not_run and "_truth/" not in not_run


def test_setup_page_needs_one_pip_install_and_names_the_check():
    page = setup_page(study_path="data/mine", wheel_name="jtbd_methods-9.9-py3-none-any.whl")
    installs = [line for line in page.splitlines() if "pip install" in line]
    assert installs and all("jupyterlab" not in line for line in installs)
    assert '"jtbd-methods[workshop]"' in page
    assert '"jtbd_methods-9.9-py3-none-any.whl[workshop]"' in page
    assert "jtbd run 00 --study data/mine --out setup_check" in page
    assert "synthetic" not in page


# --------------------------------------------------------------------------- the pack


@pytest.fixture
def pack_inputs(tmp_path, lesson_dir):
    """Two lessons whose answer is the study's number of comments, an agenda and sessions."""
    for path in lesson_dir.glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        nb.cells[2].source = 'import pandas as pd\nx = len(pd.read_csv(f"{study_dir}/feedback.csv"))'
        nbformat.write(nb, str(path))
    (tmp_path / "agenda.yaml").write_text(AGENDA)
    (tmp_path / "sessions.yaml").write_text(SESSIONS)
    return {
        "notebooks": sorted(lesson_dir.glob("*.ipynb")),
        "agenda": tmp_path / "agenda.yaml",
        "sessions": tmp_path / "sessions.yaml",
        "length": "short",
    }


def test_write_workshop_pack(pack_inputs, make_study, tmp_path):
    """Run on two studies: the model answer shows each study's own number of comments."""
    import pandas as pd

    study = make_study()
    n_comments = len(pd.read_csv(study / "feedback.csv"))
    before = tree_hashes(study), tree_hashes(pack_inputs["notebooks"][0].parent)
    out = write_workshop_pack(tmp_path / "pack", study=study, **pack_inputs)
    assert (tree_hashes(study), tree_hashes(pack_inputs["notebooks"][0].parent)) == before
    assert sorted(p.name for p in out.iterdir()) == [
        "FACILITATOR.html",
        "FACILITATOR.md",
        "SETUP.html",
        "SETUP.md",
        "data",
        "facilitator",
        "notebooks",
        "slides",
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
        assert nb.cells[1].source.startswith('study_dir: str = "../data/study"')
    learner = nbformat.read(str(out / "notebooks" / "01_counting.ipynb"), as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in learner.cells)
    assert "doubled" not in json.dumps(learner)
    guide = (out / "FACILITATOR.md").read_text()
    assert f"> The study has **{n_comments}** comments ({2 * n_comments} when doubled)." in guide
    assert "| 10:00–10:25 | **01** Counting comments | 25 | Counting only. |" in guide
    assert "the study in data/study" in guide and "Check before the day" not in guide
    executed = nbformat.read(
        str(out / "facilitator" / "01_counting" / "01_counting.ipynb"), as_version=4
    )
    assert model_answers(executed) == [
        f"The study has **{n_comments}** comments ({2 * n_comments} when doubled)."
    ]
    assert "Correct!" in json.dumps(executed), "the check passes in the facilitator's run"
    report = (out / "facilitator" / "01_counting" / "01_counting.html").read_text()
    assert "Show the solution" in report and "Model answer" in report
    slides = (out / "slides" / "01_counting.slides.html").read_text()
    assert "Why count before computing rates?" in slides and "doubled" not in slides
    assert "01_counting.slides.html" in (out / "slides" / "index.html").read_text()
    assert "jtbd run 00 --study data/study" in (out / "SETUP.md").read_text()
    assert "<script" not in (out / "FACILITATOR.html").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders"

    assert n_comments > 2
    smaller = make_study("smaller", **{"feedback.csv": _first_rows(study / "feedback.csv", 2)})
    out = write_workshop_pack(tmp_path / "pack2", study=smaller, **pack_inputs)
    assert "> The study has **2** comments (4 when doubled)." in (out / "FACILITATOR.md").read_text()


def _first_rows(path: Path, n: int) -> str:
    lines = path.read_text().splitlines()
    return "\n".join(lines[: n + 1]) + "\n"


def test_write_workshop_pack_errors(pack_inputs, make_study, tmp_path):
    study = make_study()
    kw = {**pack_inputs, "run": False}
    nbs = kw.pop("notebooks")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(
        UsageError, match="already exists and is not empty; choose a new folder or pass --overwrite"
    ):
        write_workshop_pack(tmp_path / "full", notebooks=nbs, study=study, **kw)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    with pytest.raises(UsageError, match=r"notebook\(s\) not found: .*missing.ipynb"):
        write_workshop_pack(tmp_path / "a", notebooks=[tmp_path / "missing.ipynb"], study=study, **kw)
    with pytest.raises(UsageError, match="no notebooks to pack"):
        write_workshop_pack(tmp_path / "b", notebooks=[], study=study, **kw)
    with pytest.raises(UsageError, match=r"is not a study folder \(no study.yaml\)"):
        write_workshop_pack(tmp_path / "c", notebooks=nbs, study=tmp_path, **kw)
    with pytest.raises(UsageError, match=r"names notebook\(s\) 02 that the pack does not hold"):
        write_workshop_pack(tmp_path / "d", notebooks=nbs[:1], study=study, **kw)
    with pytest.raises(UsageError, match="unknown workshop length 'week'"):
        write_workshop_pack(tmp_path / "e", notebooks=nbs, study=study, **{**kw, "length": "week"})
    # --overwrite replaces a workshop pack, never a folder of someone else's
    with pytest.raises(UsageError, match="not written by jtbd; it is left untouched"):
        write_workshop_pack(tmp_path / "full", notebooks=nbs, study=study, overwrite=True, **kw)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    out = write_workshop_pack(tmp_path / "pack", notebooks=nbs, study=study, **kw)
    assert not (out / "slides").exists() and not (out / "facilitator").exists()
    assert "written without running the notebooks" in (out / "FACILITATOR.md").read_text()
    (out / "notes.txt").write_text("facilitator's scribbles")
    out = write_workshop_pack(tmp_path / "pack", notebooks=nbs, study=study, overwrite=True, **kw)
    assert not (out / "notes.txt").exists() and (out / "FACILITATOR.md").is_file()


def test_pack_of_the_shipped_notebooks(make_study, tmp_path):
    """Both lengths: every shipped notebook in both folders, solutions only for facilitators."""
    shipped = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    study = make_study()
    guides = {}
    for length in LENGTHS:
        out = write_workshop_pack(tmp_path / length, study=study, length=length, run=False)
        for folder in ("notebooks", "solutions"):
            names = sorted(p.name for p in (out / folder).glob("*.ipynb"))
            assert names == [p.name for p in shipped]
        for path in (out / "notebooks").glob("*.ipynb"):
            nb = nbformat.read(str(path), as_version=4)
            tags = [set(c.metadata.get("tags", [])) for c in nb.cells]
            assert not any("solution" in t for t in tags), path.name
            assert any("parameters" in t for t in tags), path.name
            assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        for path in (out / "solutions").glob("*.ipynb"):
            nb = nbformat.read(str(path), as_version=4)
            assert any("model-answer" in c.metadata.get("tags", []) for c in nb.cells), path.name
            assert exercise_problems(nb) == [], path.name
        guides[length] = (out / "FACILITATOR.md").read_text()
        assert "Check before the day" not in guides[length]
        taught = load_agenda(length).notebooks
        for path in shipped:
            assert f"### {path.stem[:2]} " in guides[length], path.stem
            assert (f"**{path.stem[:2]}**" in guides[length]) == (path.stem[:2] in taught)
    assert "13:30–16:30, 3 h 00 min including breaks" in guides["3h"]
    assert "jtbd teach --length day" in guides["3h"]
    assert "09:30–16:30, 7 h 00 min including breaks" in guides["day"]
    assert "### 05 Staff experience and patient experience (take home)" in guides["3h"]


def test_teach_command(pack_inputs, make_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JTBD_NOTEBOOKS", str(pack_inputs["notebooks"][0].parent))
    study = make_study()
    args = ["teach", "--out", str(tmp_path / "pack"), "--study", str(study), "--no-run"]
    args += ["--agenda", str(pack_inputs["agenda"]), "--length", "short"]
    code_ = main(args)
    captured = capsys.readouterr()
    assert code_ == 0, captured.err
    assert "Workshop pack written to" in captured.out and "FACILITATOR.md" in captured.out
    assert sorted(p.name for p in (tmp_path / "pack" / "notebooks").iterdir()) == [
        "01_counting.ipynb",
        "02_rates.ipynb",
    ]
    digest = hashlib.sha256((tmp_path / "pack" / "FACILITATOR.md").read_bytes()).hexdigest()
    assert main(args) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert hashlib.sha256((tmp_path / "pack" / "FACILITATOR.md").read_bytes()).hexdigest() == digest
    assert main([*args[:-1], "week", "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert "unknown workshop length 'week'" in err and "Traceback" not in err


# --------------------------------------------------------------------------- the real thing


@pytest.fixture(scope="module")
def sample_pack(tmp_path_factory):
    """The 3-hour pack of the shipped notebooks, run on the sample study (one run per module)."""
    return write_workshop_pack(tmp_path_factory.mktemp("teach") / "pack")


@pytest.mark.slow
@pytest.mark.notebook
def test_every_solution_runs_on_the_sample_study_and_answers_with_its_numbers(sample_pack):
    guide = (sample_pack / "FACILITATOR.md").read_text()
    stems = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    for stem in stems:
        executed = nbformat.read(
            str(sample_pack / "facilitator" / stem / f"{stem}.ipynb"), as_version=4
        )
        answers = model_answers(executed)
        assert len(answers) == 1 and re.search(r"\d", answers[0]), stem
        assert f"> {answers[0].splitlines()[0]}" in guide, stem
        assert "Correct!" in json.dumps(executed) or not any(
            "check" in c.metadata.get("tags", []) for c in executed.cells
        ), f"{stem}: the worked solution passes its check"
        page = (sample_pack / "slides" / f"{stem}.slides.html").read_text()
        links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page)
        assert all(link.startswith(("data:", "#")) for link in links), stem
        assert "model_answer" not in page and "Model answer" not in page, stem
    results = {
        stem: json.loads((sample_pack / "facilitator" / stem / "results.json").read_text())
        for stem in stems
    }
    # the answers quote the run: the same figures as results.json
    overview = results["00_study_overview"]
    assert f"All {overview['comments.sites']} sites" in guide
    workforce = results["05_workforce_px"]
    assert f"goes with {workforce['workforce.within_unit_effect']:.2f} percentage points" in guide
    low, high = workforce["workforce.within_unit_effect_ci"]
    assert f"(95% interval {low:.2f} to {high:.2f})" in guide
    tracking = results["03_satisfaction_tracking"]
    assert "The limits of **" in guide and tracking["spc.job"]
    report = (sample_pack / "facilitator" / "05_workforce_px" / "05_workforce_px.html").read_text()
    assert "# this run" in report, "the teaching edition shows the parameters the run used"
