"""Tests of jtbd_methods.refi_qda: REFI-QDA codebook export and import."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import xmlschema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jtbd_methods import refi_qda
from jtbd_methods.codebook import Codebook, CodebookError, codebook_from_dict, load_codebook
from jtbd_methods.refi_qda import (
    CODEBOOK_NAMESPACE,
    PROJECT_NAMESPACE,
    code_guid,
    codebook_from_qdc,
    codebook_from_qdpx,
    codebook_to_qdc,
)

DATA = Path(__file__).parent / "data" / "refi"
# Codebook schema of the REFI-QDA Standard 1.5 (2019), re-typed in tests/data/refi/Codebook.xsd
# from the published specification (see the comment at the top of that file).
SCHEMA = xmlschema.XMLSchema(DATA / "Codebook.xsd")


def rich_codebook() -> Codebook:
    """Codebook exercising every field: hierarchy, outcomes, colours, markup characters."""
    return codebook_from_dict(
        {
            "name": "Recovery jobs",
            "version": "1.0",
            "description": "Jobs patients hire recovery care for.\nSecond line.",
            "jobs": [
                {
                    "id": "gain_clarity",
                    "label": "Understand what comes next",
                    "statement": "When I leave hospital, I want to know what happens next, "
                    "so I can plan my recovery.",
                    "dimension": "functional",
                    "stage": "leaving_care",
                    "indicators": [
                        "what happens next",
                        {"phrase": "no one explained", "polarity": "disrupted"},
                        {"phrase": "explain*", "polarity": "fulfilled"},
                    ],
                    "root_cause_questions": ["Was a written plan given?", "Who phoned back?"],
                    "barriers": {"emotional": ["fear of asking"], "functional": ["jargon"]},
                    "enablers": ["teach-back", "follow-up call"],
                    "color": "#0072B2",
                },
                {
                    "id": "know_medicines",
                    "label": "Know my medicines",
                    "statement": "When I get home, I want to know which tablets to take.",
                    "parent": "gain_clarity",
                    "indicators": ["tablets"],
                },
                {
                    "id": "dose_timing",
                    "label": "Take doses on time",
                    "parent": "know_medicines",
                    "dimension": "functional",
                },
                {
                    "id": "feel_heard",
                    "label": 'Feel seen & heard <"respected">',
                    "statement": "When I speak up, I want staff to listen — café-style chat — "
                    "so I can trust them.",
                    "dimension": "emotional",
                    "color": "#c7a",
                    "barriers": {"general": ["short appointments"]},
                },
                {"id": "keep_routines", "label": "Keep my routines", "dimension": "social"},
            ],
            "outcomes": [
                {
                    "id": "know_next_steps",
                    "job_id": "gain_clarity",
                    "text": "Minimise the time it takes to know what happens next",
                },
                {
                    "id": "know_who_to_call",
                    "job_id": "gain_clarity",
                    "text": "Minimise the likelihood of not knowing whom to call",
                },
                {
                    "id": "feel_listened_to",
                    "job_id": "feel_heard",
                    "text": "Maximise the likelihood of feeling listened to",
                },
            ],
        },
        source="recovery.yaml",
    )


# ------------------------------------------------------------------------------- round trip
def test_export_import_round_trip_is_lossless(tmp_path):
    cb = rich_codebook()
    path = codebook_to_qdc(cb, tmp_path / "recovery.qdc")
    back = codebook_from_qdc(path)
    assert back.source == "recovery.qdc"
    assert dataclasses.replace(back, source=cb.source) == cb
    assert back.to_dict() == cb.to_dict()


def test_round_trip_keeps_codebook_order_that_the_hierarchy_cannot_show(tmp_path):
    # a child job listed after an unrelated job, and outcomes interleaved across jobs
    cb = codebook_from_dict(
        {
            "name": "order",
            "jobs": [
                {"id": "a", "label": "A"},
                {"id": "b", "label": "B"},
                {"id": "a_child", "label": "A child", "parent": "a"},
                {"id": "c", "label": "C"},
            ],
            "outcomes": [
                {"id": "o_c", "job_id": "c", "text": "for c"},
                {"id": "o_a", "job_id": "a", "text": "for a"},
                {"id": "o_child", "job_id": "a_child", "text": "for the child"},
                {"id": "o_c2", "job_id": "c", "text": "also c"},
            ],
        }
    )
    back = codebook_from_qdc(codebook_to_qdc(cb, tmp_path / "order.qdc"))
    assert back.job_ids == ("a", "b", "a_child", "c")
    assert back.outcome_ids == ("o_c", "o_a", "o_child", "o_c2")
    assert back.to_dict() == cb.to_dict()


def test_export_is_valid_against_the_codebook_xsd(tmp_path):
    path = codebook_to_qdc(rich_codebook(), tmp_path / "recovery.qdc")
    SCHEMA.validate(str(path))  # raises XMLSchemaValidationError when invalid


def test_export_structure_codes_outcomes_and_sets(tmp_path):
    import xml.etree.ElementTree as ET

    cb = rich_codebook()
    root = ET.parse(codebook_to_qdc(cb, tmp_path / "cb.qdc")).getroot()
    ns = {"q": CODEBOOK_NAMESPACE}
    assert root.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook"
    top = root.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == [
        "Understand what comes next",
        'Feel seen & heard <"respected">',
        "Keep my routines",
    ]
    clarity = top[0]
    assert clarity.get("guid") == code_guid("job", "gain_clarity")
    assert clarity.get("color") == "#0072B2"
    assert clarity.find("q:Description", ns).text.startswith("When I leave hospital")
    children = [c.get("name") for c in clarity.findall("q:Code", ns)]
    # outcomes first, then child jobs
    assert children == [
        "Minimise the time it takes to know what happens next",
        "Minimise the likelihood of not knowing whom to call",
        "Know my medicines",
    ]
    grandchild = clarity.find("q:Code[@name='Know my medicines']/q:Code", ns)
    assert grandchild.get("name") == "Take doses on time"
    sets = root.findall("q:Sets/q:Set", ns)
    assert [s.get("name") for s in sets] == [
        "Recovery jobs",
        "Functional jobs",
        "Emotional jobs",
        "Social jobs",
    ]
    members = [m.get("guid") for m in sets[0].findall("q:MemberCode", ns)]
    assert members == (
        [code_guid("job", j) for j in cb.job_ids]
        + [code_guid("outcome", o) for o in cb.outcome_ids]
    )


def test_guids_are_deterministic_uuid5_and_exports_identical(tmp_path):
    cb = rich_codebook()
    a = codebook_to_qdc(cb, tmp_path / "a.qdc").read_bytes()
    b = codebook_to_qdc(cb, tmp_path / "b.qdc").read_bytes()
    assert a == b
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:jtbd_methods:refi-qda")
    assert (
        code_guid("job", "gain_clarity") == str(uuid.uuid5(namespace, "job:gain_clarity")).upper()
    )
    assert code_guid("job", "x") != code_guid("outcome", "x")
    # a job's GUID does not depend on the rest of the codebook
    smaller = dataclasses.replace(cb, jobs=cb.jobs[:1], outcomes=())
    c = codebook_to_qdc(smaller, tmp_path / "c.qdc").read_text(encoding="utf-8")
    assert code_guid("job", "gain_clarity") in c


def test_colour_names_are_converted_and_bad_colours_dropped(tmp_path, caplog):
    cb = codebook_from_dict(
        {
            "name": "c",
            "jobs": [
                {"id": "a", "label": "A", "color": "orange"},
                {"id": "b", "label": "B", "color": "not-a-colour"},
            ],
        }
    )
    with caplog.at_level(logging.INFO, logger="jtbd_methods.refi_qda"):
        path = codebook_to_qdc(cb, tmp_path / "c.qdc")
    SCHEMA.validate(str(path))
    back = codebook_from_qdc(path)
    assert back.job("a").color == "#FFA500"
    assert back.job("b").color is None
    assert "not-a-colour" in caplog.text


def test_export_does_not_change_the_codebook(tmp_path):
    cb = rich_codebook()
    before = cb.to_dict()
    codebook_to_qdc(cb, tmp_path / "x.qdc")
    assert cb.to_dict() == before


def test_load_codebook_reads_qdc(tmp_path):
    cb = rich_codebook()
    path = codebook_to_qdc(cb, tmp_path / "recovery.qdc")
    assert load_codebook(path).to_dict() == cb.to_dict()


# Characters XML 1.0 cannot carry are mixed in: the export keeps them (escaped in the YAML
# block) rather than dropping them.
_XML_ILLEGAL = ["\ufffe", "\uffff", "\x01", "\x1f", "\x0b"]
_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
        st.sampled_from(_XML_ILLEGAL),
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())


# Every failure Hypothesis ever found stays as an explicit example (issue 14): U+FFFE in a
# label or an outcome was lost on the way to .qdc and back, and a name of only U+FFFE came
# back as "a Code without a 'name' attribute".
@example(label="0\ufffe", statement="0", phrase="0", question="0", outcome="0")
@example(label="0", statement="0", phrase="0", question="0", outcome="\ufffe")
@example(label="\ufffe", statement="0", phrase="0", question="0", outcome="\ufffe")
@example(label="a", statement="\x01b", phrase="c", question="d", outcome="\uffff")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(label=_text, statement=_text, phrase=_text, question=_text, outcome=_text)
def test_round_trip_property(tmp_path, label, statement, phrase, question, outcome):
    phrase = phrase.replace("*", "x")
    cb = codebook_from_dict(
        {
            "name": label,
            "version": statement,
            "jobs": [
                {
                    "id": "job_a",
                    "label": label,
                    "statement": statement,
                    "stage": question,
                    "indicators": [phrase, {"phrase": phrase + " b", "polarity": "disrupted"}],
                    "root_cause_questions": [question],
                    "enablers": [outcome],
                    "barriers": {"emotional": [question]},
                },
                {"id": "job_b", "label": outcome, "parent": "job_a", "dimension": "social"},
            ],
            "outcomes": [{"id": "out_a", "job_id": "job_b", "text": outcome}],
        }
    )
    path = codebook_to_qdc(cb, tmp_path / "p.qdc")
    assert codebook_from_qdc(path).to_dict() == cb.to_dict()


# ------------------------------------------------------------------------- foreign import
def test_foreign_codebook_imports_with_defaults_and_a_warning(caplog):
    with caplog.at_level(logging.INFO, logger="jtbd_methods.refi_qda"):
        cb = codebook_from_qdc(DATA / "foreign_codebook.qdc")
    assert cb.name == "foreign_codebook"
    assert "Hand-made test fixture" in cb.description
    assert cb.job_ids == (
        "emotional_needs",
        "fear_anxiety",
        "not_listened_to",
        "code_2nd_opinion_wanted",
        "not_listened_to_2",
        "cafe_food_quality",
    )
    fear = cb.job("fear_anxiety")
    assert fear.label == "Fear & anxiety"
    assert fear.parent == "emotional_needs"
    assert fear.color == "#D55E00"
    assert fear.statement.startswith("Patient says they were scared")
    assert fear.dimension == "functional" and fear.indicators == ()
    assert cb.job("not_listened_to").parent == "emotional_needs"
    assert cb.job("not_listened_to_2").parent is None
    assert (
        cb.job("not_listened_to_2").statement == "Same name as another code, elsewhere in the tree."
    )
    assert cb.outcomes == ()
    assert "6 code(s) carry no jtbd_methods description" in caplog.text
    assert "set(s) of codes ignored" in caplog.text


def test_foreign_fixture_is_itself_schema_valid():
    SCHEMA.validate(str(DATA / "foreign_codebook.qdc"))


def test_foreign_import_is_stable():
    a = codebook_from_qdc(DATA / "foreign_codebook.qdc")
    b = codebook_from_qdc(DATA / "foreign_codebook.qdc")
    assert a == b


def test_mixed_codebook_new_child_code_added_in_a_qda_program(tmp_path):
    cb = rich_codebook()
    text = codebook_to_qdc(cb, tmp_path / "cb.qdc").read_text(encoding="utf-8")
    # A researcher adds a code under "Keep my routines" in their QDA program.
    new = (
        '<Code guid="11111111-2222-3333-4444-555555555555" name="Keep my job" '
        'isCodable="true" /></Code>'
    )
    anchor = 'name="Keep my routines" isCodable="true">'
    start = text.index(anchor)
    end = text.index("</Code>", start)
    text = text[:end] + new + text[end + len("</Code>") :]
    edited = tmp_path / "edited.qdc"
    edited.write_text(text, encoding="utf-8")
    back = codebook_from_qdc(edited)
    assert back.job("keep_my_job").parent == "keep_routines"
    assert back.job("gain_clarity") == cb.job("gain_clarity")


# ---------------------------------------------------------------------------------- qdpx
def _qdpx(tmp_path: Path, qde: bytes, name: str = "project.qdpx", member: str = "project.qde"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, qde)
        z.writestr("Sources/7C1D2E3F-0000-4000-8000-000000000020.txt", "Interview text")
    return path


def test_qdpx_reads_the_project_codebook(tmp_path):
    path = _qdpx(tmp_path, (DATA / "foreign_project.qde").read_bytes())
    cb = codebook_from_qdpx(path)
    assert cb.name == "Ward 7 interviews"
    assert cb.job_ids == ("discharge", "medication_questions", "dignity")
    assert cb.job("medication_questions").parent == "discharge"
    assert cb.job("discharge").color == "#0072B2"
    assert cb.source == "project.qdpx"


def test_qdpx_round_trip_of_our_codebook_inside_a_project(tmp_path):
    # A project exported by a QDA program after importing our .qdc: same codes and sets,
    # project namespace, CodeBook inside Project, Sets at project level.
    cb = rich_codebook()
    qdc = codebook_to_qdc(cb, tmp_path / "cb.qdc").read_text(encoding="utf-8")
    body = qdc.split("<CodeBook", 1)[1].split(">", 1)[1].rsplit("</CodeBook>", 1)[0]
    codes, sets = body.split("<Sets>", 1)
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{PROJECT_NAMESPACE}" '
        f'name="Whatever">\n<CodeBook>{codes}</CodeBook>\n<Sets>{sets}</Project>'
    )
    back = codebook_from_qdpx(_qdpx(tmp_path, qde.encode("utf-8")))
    assert back.to_dict() == cb.to_dict()


# ------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"this is not xml", r"bad\.qdc: not well-formed XML at line 1"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
            r"bad\.qdc: the XML contains a DOCTYPE declaration",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE CodeBook SYSTEM "http://example.org/x.dtd">\n'
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
            r"DOCTYPE declaration, which is not allowed",
        ),
        (
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>',
            r"bad\.qdc: the root element is <Project>; a REFI-QDA codebook starts with <CodeBook>",
        ),
        (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', r"<CodeBook> has no <Codes> element"),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
            r"the codebook has no Code elements",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
            b'0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01" isCodable="true"/></Codes></CodeBook>',
            r"code 1: a Code without a 'name' attribute",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
            b"<Description>--- jtbd_methods job ---\nid: a\n</Description></Code></Codes></CodeBook>",
            r"code 'A': the jtbd_methods block has no end line",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
            b"<Description>--- jtbd_methods job ---\nid: [a\n--- end jtbd_methods ---"
            b"</Description></Code></Codes></CodeBook>",
            r"code 'A': the jtbd_methods block is not valid YAML",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
            b"<Description>--- jtbd_methods job ---\n- a\n--- end jtbd_methods ---"
            b"</Description></Code></Codes></CodeBook>",
            r"must hold key: value lines, got list",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
            b"<Description>--- jtbd_methods job ---\nid: a\ndimension: spiritual\n"
            b"--- end jtbd_methods ---</Description></Code></Codes></CodeBook>",
            r"bad\.qdc: jobs\[0\] \(a\)\.dimension: expected one of functional",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
            b"<Description>--- jtbd_methods codebook ---\nname: a\n--- end jtbd_methods ---"
            b"</Description></Code></Codes></CodeBook>",
            r"a codebook block belongs in a Set",
        ),
        (b"PK\x03\x04rest-of-a-zip", r"this is a zip archive \(a \.qdpx project\?\)"),
    ],
)
def test_malformed_qdc_raises_value_error_naming_the_file(tmp_path, content, match):
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        codebook_from_qdc(path)


def test_entity_expansion_is_never_performed(tmp_path):
    # "Billion laughs": must be refused before any expansion happens.
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="&lol2;" '
        b'isCodable="true" guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01"/></Codes></CodeBook>'
    )
    path = tmp_path / "bomb.qdc"
    path.write_bytes(bomb)
    with pytest.raises(CodebookError, match="DOCTYPE"):
        codebook_from_qdc(path)


def test_undefined_entity_is_a_parse_error(tmp_path):
    path = tmp_path / "ent.qdc"
    path.write_bytes(
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="&x;" '
        b'isCodable="true"/></Codes></CodeBook>'
    )
    with pytest.raises(CodebookError, match=r"ent\.qdc: not well-formed XML .*undefined entity"):
        codebook_from_qdc(path)


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match=r"nope\.qdc: file not found"):
        codebook_from_qdc(tmp_path / "nope.qdc")
    with pytest.raises(CodebookError, match=r"nope\.qdpx: file not found"):
        codebook_from_qdpx(tmp_path / "nope.qdpx")


def test_bad_types():
    with pytest.raises(TypeError, match="'codebook' parameter of codebook_to_qdc must be"):
        codebook_to_qdc({"name": "x"}, "x.qdc")
    with pytest.raises(TypeError, match="'path' parameter of codebook_from_qdc must be"):
        codebook_from_qdc(42)
    with pytest.raises(TypeError, match="'path' parameter of codebook_from_qdpx must be"):
        codebook_from_qdpx(None)
    with pytest.raises(ValueError, match="'kind' parameter of code_guid must be one of"):
        code_guid("theme", "x")


def test_qdpx_errors(tmp_path):
    not_zip = tmp_path / "a.qdpx"
    not_zip.write_text("hello")
    with pytest.raises(CodebookError, match=r"a\.qdpx: not a zip archive"):
        codebook_from_qdpx(not_zip)
    no_member = _qdpx(tmp_path, b"<x/>", name="b.qdpx", member="other.xml")
    with pytest.raises(CodebookError, match=r"b\.qdpx: the archive has no project\.qde"):
        codebook_from_qdpx(no_member)
    no_book = _qdpx(tmp_path, b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', name="c.qdpx")
    with pytest.raises(CodebookError, match=r"c\.qdpx:project\.qde: the project has no <CodeBook>"):
        codebook_from_qdpx(no_book)
    wrong_root = _qdpx(tmp_path, b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', name="d.qdpx")
    with pytest.raises(CodebookError, match=r"root element is <CodeBook>; a REFI-QDA project"):
        codebook_from_qdpx(wrong_root)
    doctype = _qdpx(tmp_path, b'<!DOCTYPE Project [<!ENTITY a "b">]><Project/>', name="e.qdpx")
    with pytest.raises(CodebookError, match=r"e\.qdpx:project\.qde: the XML contains a DOCTYPE"):
        codebook_from_qdpx(doctype)


def test_unexpected_namespace_is_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "ns.qdc"
    path.write_bytes(
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes><Code name="A b" '
        b'isCodable="true" guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01"/></Codes>'
        b"</CodeBook>"
    )
    with caplog.at_level(logging.WARNING, logger="jtbd_methods.refi_qda"):
        cb = codebook_from_qdc(path)
    assert cb.job_ids == ("a_b",)
    assert "urn:QDA-XML:codebook:1:0" in caplog.text


# ------------------------------------------------------------------------------ command
def test_cli_codebook_export_and_import_round_trip(tmp_path, capsys):
    from jtbd_methods.cli import main

    cb = rich_codebook()
    yaml_path = cb.to_yaml(tmp_path / "recovery.yaml")
    qdc = tmp_path / "recovery.qdc"
    assert main(["codebook", "export", str(yaml_path), "--to", str(qdc)]) == 0
    assert "5 jobs and 3 desired outcomes" in capsys.readouterr().out
    SCHEMA.validate(str(qdc))
    back = tmp_path / "back.yaml"
    assert main(["codebook", "import", str(qdc), "--to", str(back)]) == 0
    assert load_codebook(back).to_dict() == cb.to_dict()
    # a .qdpx project imports too
    qdpx = _qdpx(tmp_path, (DATA / "foreign_project.qde").read_bytes())
    assert main(["codebook", "import", str(qdpx), "--to", str(tmp_path / "p.yaml")]) == 0
    assert load_codebook(tmp_path / "p.yaml").name == "Ward 7 interviews"


def test_cli_codebook_errors(tmp_path, capsys):
    from jtbd_methods.cli import main

    yaml_path = rich_codebook().to_yaml(tmp_path / "recovery.yaml")
    assert main(["codebook", "export", str(yaml_path), "--to", str(tmp_path / "x.xml")]) == 2
    assert "--to must name a .qdc file" in capsys.readouterr().err
    existing = tmp_path / "exists.qdc"
    existing.write_text("keep me")
    assert main(["codebook", "export", str(yaml_path), "--to", str(existing)]) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert existing.read_text() == "keep me"
    assert main(["codebook", "export", str(yaml_path), "--to", str(existing), "--overwrite"]) == 0
    capsys.readouterr()
    assert main(["codebook", "import", str(yaml_path), "--to", str(tmp_path / "o.yaml")]) == 2
    assert "must be a .qdc codebook or a .qdpx project" in capsys.readouterr().err
    assert main(["codebook", "import", str(existing), "--to", str(tmp_path / "o.txt")]) == 2
    assert "--to must name a .yaml file" in capsys.readouterr().err
    bad = tmp_path / "bad.qdc"
    bad.write_bytes(b"<not-closed>")
    assert main(["codebook", "import", str(bad), "--to", str(tmp_path / "o.yaml")]) == 1
    assert "bad.qdc: not well-formed XML" in capsys.readouterr().err
    assert not (tmp_path / "o.yaml").exists()


# ------------------------------------------------------------------------- hostile files
def _qdc_with_block(block: str) -> str:
    return (
        f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>'
        '<Code guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01" name="Bomb" isCodable="true">'
        f"<Description>--- jtbd_methods job ---\n{escape(block)}--- end jtbd_methods ---"
        "</Description>"
        "</Code></Codes></CodeBook>"
    )


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["id: bomb", "l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for k in range(1, levels):
        lines.append(f"l{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _deep(depth: int) -> str:
    opening = "".join(
        f'<Code guid="{uuid.UUID(int=k + 1)}" name="c{k}" isCodable="true">' for k in range(depth)
    )
    return (
        f'<CodeBook xmlns="{CODEBOOK_NAMESPACE}"><Codes>{opening}{"</Code>" * depth}'
        "</Codes></CodeBook>"
    )


# (id, file name, content, what the one-line error must say)
HOSTILE_FILES = [
    ("alias bomb 9x9", "bomb.qdc", _qdc_with_block(_alias_bomb(9, 9)), "expands to more than"),
    ("many aliases", "aliases.qdc", _qdc_with_block(_alias_bomb(3, 60)), "YAML aliases"),
    ("50,000-deep codes", "deep.qdc", _deep(50_000), "nested more than"),
]


@pytest.mark.parametrize(
    ("name", "content", "hint"), [c[1:] for c in HOSTILE_FILES], ids=[c[0] for c in HOSTILE_FILES]
)
def test_hostile_codebook_files_give_one_line_and_never_print_the_expansion(
    tmp_path, capsys, name, content, hint
):
    from jtbd_methods.cli import main

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodebookError, match=hint):
        codebook_from_qdc(path)
    assert main(["codebook", "import", str(path), "--to", str(tmp_path / "out.yaml")]) != 0
    err = capsys.readouterr().err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err and hint in lines[0]
    assert "lol" not in err  # the expansion is never printed
    assert not (tmp_path / "out.yaml").exists()


def test_qdpx_member_is_size_limited_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(refi_qda.reading, "MAX_MEMBER_BYTES", 2**20)
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<" + " " * (3 * 2**20) + "/>")
    assert path.stat().st_size < 2**16  # small on disk, large when expanded
    with pytest.raises(CodebookError, match="expands to more than 1 MiB"):
        codebook_from_qdpx(path)


def test_qdpx_member_lying_about_its_size_is_still_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(refi_qda.reading, "MAX_MEMBER_BYTES", 2**20)
    path = tmp_path / "liar.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<" + " " * (3 * 2**20) + "/>")
    real_getinfo = zipfile.ZipFile.getinfo

    def small_header(self, name):  # a forged header that declares a tiny size
        info = real_getinfo(self, name)
        info.file_size = 100
        return info

    monkeypatch.setattr(zipfile.ZipFile, "getinfo", small_header)
    # zipfile never inflates past the declared size; the CRC then fails: a clear refusal
    with pytest.raises(CodebookError, match="MiB|zip"):
        codebook_from_qdpx(path)


def test_xml_illegal_characters_survive_the_round_trip(tmp_path):
    cb = codebook_from_dict(
        {
            "name": "\ufffe",
            "description": "keep \x01 this",
            "jobs": [
                {"id": "job_a", "label": "\ufffe", "statement": "s\uffff", "indicators": ["x"]}
            ],
            "outcomes": [{"id": "o", "job_id": "job_a", "text": "\ufffe"}],
        }
    )
    path = codebook_to_qdc(cb, tmp_path / "x.qdc")
    SCHEMA.validate(str(path))
    assert codebook_from_qdc(path).to_dict() == cb.to_dict()


def test_hypothesis_profile_is_fixed_seed_in_ci():
    # tests/conftest.py: CI runs property tests with a fixed seed; local runs explore
    from hypothesis import settings as current

    profile = current.get_profile("ci")
    assert profile.derandomize and profile.database is None
    assert not current.get_profile("explore").derandomize
    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert current.default.derandomize
