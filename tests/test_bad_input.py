"""Bad input through the command line: one-line message naming file, row and column,
exit code 1 or 2, no traceback, and every input byte-for-byte unchanged.

The cases of ``test_study.BROKEN`` are replayed through ``jtbd validate`` and ``jtbd run``;
the cases below add more broken folders and broken command lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import FEEDBACK_CSV, ROOT, SURVEY_CSV, tree_hashes
from test_study import BROKEN

from jtbd_methods.cli import main

HEADER = "comment_id,received,site,service,rating,comment\n"
ACTIONS_HEADER = "action_id,job_id,description,owner,started,status\n"
STUDY_OK = "name: X\norganisation: Y\nperiod: {start: 2024-01-01, end: 2024-12-31}\ncodebook: codebook.yaml\n"

# (id, files to replace, text that must appear in the one-line message or the table)
MORE = [
    ("tab delimiter", {"feedback__csv": FEEDBACK_CSV.replace(",", "\t")}, "tabs"),
    (
        "rating with text",
        {"feedback__csv": FEEDBACK_CSV.replace("Surgery,5,", "Surgery,3 stars,")},
        "rating",
    ),
    (
        "date words",
        {"feedback__csv": FEEDBACK_CSV.replace("2024-01-09", "ninth of Jan")},
        "received",
    ),
    (
        "duplicated header",
        {
            "feedback__csv": FEEDBACK_CSV.replace("comment\n", "comment,site\n", 1).replace(
                "next\n", "next,x\n", 1
            )
        },
        "each column name once",
    ),
    (
        "unnamed column",
        {"feedback__csv": FEEDBACK_CSV.replace("comment\n", "comment,\n", 1)},
        "a name for every column",
    ),
    ("binary survey", {"survey__csv": b"PK\x03\x04\x00\x00binary zip"}, "binary"),
    ("survey wave words", {"survey__csv": SURVEY_CSV.replace("R2,1,", "R2,second,")}, "wave"),
    (
        "survey missing diagnosis",
        {"survey__csv": SURVEY_CSV.replace("diagnosis_group", "diagnosis", 1)},
        "diagnosis_group",
    ),
    (
        "staff period words",
        {"staff__csv": "unit,period,engagement,respondents\nNorth,January,6,20\n"},
        "period",
    ),
    (
        "staff negative respondents",
        {"staff__csv": "unit,period,engagement,respondents\nNorth,2024-01,6,-3\n"},
        "respondents",
    ),
    (
        "staff empty engagement",
        {"staff__csv": "unit,period,engagement,respondents\nNorth,2024-01,,20\n"},
        "engagement",
    ),
    (
        "actions empty date",
        {"actions__csv": ACTIONS_HEADER + "A1,gain_clarity,x,y,,done\n"},
        "started",
    ),
    ("actions header only", {"actions__csv": ACTIONS_HEADER}, "only a header"),
    (
        "codebook duplicate job",
        {"codebook__yaml": "name: c\njobs:\n  - {id: a, label: A}\n  - {id: a, label: B}\n"},
        "duplicate job id",
    ),
    (
        "codebook outcome unknown job",
        {
            "codebook__yaml": "name: c\njobs:\n  - {id: a, label: A}\noutcomes:\n  - {id: o, job_id: zz, text: t}\n"
        },
        "job_id",
    ),
    (
        "codebook bad polarity",
        {
            "codebook__yaml": "name: c\njobs:\n  - {id: a, label: A, indicators: [{phrase: p, polarity: sad}]}\n"
        },
        "polarity",
    ),
    (
        "codebook bad dimension",
        {"codebook__yaml": "name: c\njobs:\n  - {id: a, label: A, dimension: spiritual}\n"},
        "dimension",
    ),
    ("codebook is a list", {"codebook__yaml": "- a\n- b\n"}, "mapping"),
    ("codebook tab indentation", {"codebook__yaml": "name: c\njobs:\n\t- id: a\n"}, "YAML"),
    ("study.yaml missing", {"study__yaml": None}, "study.yaml"),
    ("study.yaml binary", {"study__yaml": b"\x00\x01\x02"}, "binary"),
    ("study.yaml redact not bool", {"study__yaml": STUDY_OK + "redact: maybe\n"}, "true or false"),
    (
        "study.yaml names not list",
        {"study__yaml": STUDY_OK + "redact_names: Sarah\n"},
        "list of names",
    ),
    (
        "study.yaml python tag",
        {"study__yaml": STUDY_OK + "x: !!python/object/apply:os.system ['echo hacked']\n"},
        "YAML",
    ),
    ("second coding no codes", {"second_coding__csv": "comment_id\nC1\n"}, "code_<job_id>"),
    (
        "codes unknown job",
        {
            "feedback__csv": FEEDBACK_CSV.replace("comment\n", "comment,codes\n", 1)
            .replace("next\n", "next,be_happy\n", 1)
            .replace("to me\n", "to me,\n")
            .replace("Cardiology,,\n", "Cardiology,,,\n")
            .replace('next"\n', 'next",\n')
        },
        "codes",
    ),
    (
        "one megabyte comment",
        {"feedback__csv": HEADER + "C1,2024-01-05,North,Surgery,4," + "a" * 1_000_000 + "\n"},
        "at most",
    ),
    (
        "latin-1 only bytes",
        {"feedback__csv": HEADER.encode() + b"C1,2024-01-05,North,Surgery,4,caf\x8f\n"},
        "encoding",
    ),
]
# Issue 14 (hostile and messy files): each gives one line naming the file and column or key.
MORE += [
    (
        "codebook job without indicators",
        {"codebook__yaml": "name: c\njobs:\n  - {id: gain_clarity, label: A}\n"},
        "at least one indicator phrase",
    ),
    (
        "column twice, once with spaces",
        {
            "feedback__csv": FEEDBACK_CSV.replace("comment\n", "comment, site \n", 1).replace(
                "next\n", "next,x\n", 1
            )
        },
        "differ only by spaces",
    ),
    (
        "dates with time zones",
        {"feedback__csv": FEEDBACK_CSV.replace("2024-01-09", "2024-01-09T10:00:00+01:00")},
        "without a time zone",
    ),
    (
        "dates with Z time zone",
        {"feedback__csv": FEEDBACK_CSV.replace("2024-01-09", "2024-01-09T10:00:00Z")},
        "without a time zone",
    ),
    (
        "impossible period end",
        {"study__yaml": STUDY_OK.replace("2024-12-31", "2024-02-30")},
        "period.end",
    ),
    (
        "impossible period start",
        {"study__yaml": STUDY_OK.replace("2024-01-01", "2024-13-01")},
        "period.start",
    ),
    (
        "study.yaml unlisted names not bool",
        {"study__yaml": STUDY_OK + "redact_unlisted_names: maybe\n"},
        "true or false",
    ),
    (
        "study.yaml date_format without month",
        {"study__yaml": STUDY_OK + "date_format: '%d/%Y'\n"},
        "date_format",
    ),
    (
        "mostly UTF-8 with one cp1252 byte",
        {
            "feedback__csv": FEEDBACK_CSV.replace("Kind staff", "Zo\u00eb staff")
            .encode("utf-8")
            .replace(b"Staff listened", b"Staff caf\xe9 listened")
        },
        "on line 3",
    ),
    (
        "month-first and ambiguous dates",
        {
            "feedback__csv": FEEDBACK_CSV.replace("2024-01-05", "01/25/2024")
            .replace("2024-01-09", "02/03/2024")
            .replace("2024-02-01", "03/04/2024")
            .replace("2024-03-12", "04/05/2024")
        },
        "03 February 2024",
    ),
]
ALL_CASES = [(c[0], c[1], c[2]) for c in BROKEN] + [(c[0], c[1], c[2]) for c in MORE]


def _one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("files", "hint"), [c[1:] for c in ALL_CASES], ids=[c[0] for c in ALL_CASES]
)
def test_broken_folder_validate_and_run(make_study, tmp_path, capsys, files, hint):
    folder = make_study(**files)
    before = tree_hashes(folder)
    assert main(["validate", str(folder)]) == 1
    captured = capsys.readouterr()
    _one_line(captured.err)
    assert hint in captured.out + captured.err
    out = tmp_path / "reports"
    assert main(["run", "00", "--study", str(folder), "--out", str(out)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("jtbd: error: ")
    assert not out.exists(), "a failed validation must not create output"
    assert tree_hashes(folder) == before, "an input file was modified"


def test_yaml_python_tags_never_execute(make_study, tmp_path):
    marker = tmp_path / "pwned"
    folder = make_study(
        study__yaml=STUDY_OK + f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    main(["validate", str(folder)])
    assert not marker.exists()


CLI_CASES = [
    ("unknown notebook", ["run", "42"], 2, "unknown notebook"),
    ("parameter unknown", ["run", "00", "-p", "colour=1"], 2, "unknown parameter"),
    ("parameter wrong type", ["run", "00", "-p", "min_cell_size='ten'"], 2, "min_cell_size"),
    ("parameter float for int", ["run", "00", "-p", "min_cell_size=2.5"], 2, "min_cell_size"),
    ("parameter without value", ["run", "00", "-p", "min_cell_size"], 2, "key=value"),
    ("parameter bad name", ["run", "00", "-p", "1x=2"], 2, "not a valid name"),
    ("audience unknown", ["run", "00", "--audience", "board"], 2, "audience"),
    (
        "study folder missing",
        ["run", "00", "--study", "/nonexistent/study"],
        1,
        "existing study folder",
    ),
    ("reserved parameter", ["run", "00", "-p", "study_dir='/etc'"], 2, "--study"),
]


@pytest.mark.parametrize(
    ("args", "code", "hint"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_bad_command_lines(make_study, tmp_path, capsys, args, code, hint):
    folder = make_study()
    before = tree_hashes(folder)
    full = list(args)
    if "--study" not in full:
        full += ["--study", str(folder)]
    full += ["--out", str(tmp_path / "out")]
    assert main(full) == code
    line = _one_line(capsys.readouterr().err)
    assert hint in line
    assert tree_hashes(folder) == before


def test_output_folder_not_writable(make_study, tmp_path, capsys):
    target = "/proc/jtbd" if os.geteuid() == 0 else str(tmp_path / "ro" / "x")
    if os.geteuid() != 0:
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro").chmod(0o500)
    assert main(["run", "00", "--study", str(make_study()), "--out", target]) == 2
    assert "not writable" in _one_line(capsys.readouterr().err)


def test_subprocess_exit_code_and_single_line(make_study):
    folder = make_study(feedback__csv=FEEDBACK_CSV.replace("received", "recieved", 1))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jtbd_methods",
            "run",
            "00",
            "--study",
            str(folder),
            "--out",
            str(Path(folder).parent / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    line = _one_line(proc.stderr)
    assert "feedback.csv, row 1, column 'received'" in line


def test_case_count():
    # the suite promises at least 40 broken folders and CLI calls
    assert len(ALL_CASES) + len(CLI_CASES) + 2 >= 40


def test_pure_windows_1252_file_is_still_accepted(make_study):
    from jtbd_methods.study import validate

    data = FEEDBACK_CSV.replace("Staff listened", "Staff caf\u00e9 listened").encode("cp1252")
    report = validate(make_study(feedback__csv=data))
    assert report.ok, report.problems
    assert "caf\u00e9" in " ".join(report.study.feedback["comment"])


def test_explicit_date_format_reads_month_first_dates(make_study):
    from jtbd_methods.study import validate

    feedback = FEEDBACK_CSV.replace("2024-01-05", "01/25/2024").replace("2024-01-09", "02/03/2024")
    feedback = feedback.replace("2024-02-01", "03/04/2024").replace("2024-03-12", "04/05/2024")
    report = validate(
        make_study(study__yaml=STUDY_OK + "date_format: '%m/%d/%Y'\n", feedback__csv=feedback)
    )
    assert report.ok, report.problems
    assert report.study.feedback["received"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-25",
        "2024-02-03",
        "2024-03-04",
        "2024-04-05",
    ]


def test_renamed_comment_and_bad_date_are_both_reported(make_study, capsys):
    # issue 14: 'comment' renamed to 'remarks' and a bad date in row 8 -> both problems, and
    # the suggestion is the unknown column 'remarks', not the present 'comment_id'
    rows = [f"C{i},2024-01-{i:02d},North,Surgery,4,fine" for i in range(1, 8)]
    rows[6] = "C7,2024-13-45,North,Surgery,4,fine"  # spreadsheet row 8
    feedback = "comment_id,received,site,service,rating,remarks\n" + "\n".join(rows) + "\n"
    folder = make_study(feedback__csv=feedback)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "'remarks'" in out and "2024-13-45" in out
    from jtbd_methods.study import validate

    problems = validate(folder).problems
    missing = [p for p in problems if p.column == "comment"]
    assert len(missing) == 1 and "'remarks'" in missing[0].expected
    assert "comment_id" not in missing[0].expected
    assert [(p.row, p.column) for p in problems if p.column == "received"] == [(8, "received")]


# ---------------------------------------------------------------- "$" in labels (mathtext)
def _dollar_responses(ax):
    from jtbd_methods import plots

    counts = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
            "site": ["Ward $^$", "Ward $^$", "Shop $5 off", "Shop $5 off"],
            "n": pd.array([12, 15, 20, 22], dtype="Int64"),
        }
    )
    return plots.plot_responses_over_time(counts, by="site", ax=ax)


def _dollar_job_shares(ax):
    from jtbd_methods import plots

    shares = pd.DataFrame(
        {
            "job_id": ["a", "b"],
            "share": [0.4, 0.2],
            "ci_low": [0.3, 0.1],
            "ci_high": [0.5, 0.3],
            "n_disrupted": [3, 1],
            "n_mentioned": [40, 20],
            "disrupted_share": [0.1, 0.05],
        }
    )
    return plots.plot_job_shares(shares, labels={"a": "Pay $^$ bills", "b": "$x_"}, ax=ax)


def _dollar_jobs_by_group(ax):
    from jtbd_methods import plots

    table = pd.DataFrame(
        {
            "site": ["Ward $^$", "Ward $^$", "B", "B"],
            "job_id": ["a", "b", "a", "b"],
            "share": [0.4, 0.2, 0.3, 0.1],
        }
    )
    return plots.plot_jobs_by_group(table, by="site", labels={"a": "$^$", "b": "b $"}, ax=ax)


# (id, plot drawing labels with "$")
DOLLAR_PLOTS = [
    ("responses over time", _dollar_responses),
    ("job shares", _dollar_job_shares),
    ("jobs by group", _dollar_jobs_by_group),
]


@pytest.mark.parametrize("themed", [False, True], ids=["no theme", "set_theme"])
@pytest.mark.parametrize("draw", [c[1] for c in DOLLAR_PLOTS], ids=[c[0] for c in DOLLAR_PLOTS])
def test_dollar_in_site_names_and_labels_never_breaks_a_plot(draw, themed, tmp_path):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from jtbd_methods import plots

    with mpl.rc_context():
        if themed:
            plots.set_theme()
        fig, ax = plt.subplots()
        draw(ax)
        fig.savefig(tmp_path / "x.png")  # drawing parses every text
        shown = " ".join(t.get_text() for t in fig.findobj(mpl.text.Text))
        plt.close(fig)
    assert "$^$" in shown.replace("\\$", "$")
