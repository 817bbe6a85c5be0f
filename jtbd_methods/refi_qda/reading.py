"""Reading a REFI-QDA codebook (``.qdc``) or project (``.qdpx``) into a codebook.

Parsing is safe against XML attacks without ``defusedxml``: a document that declares a
``DOCTYPE`` (and therefore any entity) is rejected before it is parsed into a tree; archive
members, YAML aliases and the nesting of codes are limited (the ``MAX_*`` constants).

References
----------
.. [1] Rotterdam Exchange Format Initiative (2019). *REFI-QDA Standard, version 1.5*.
   https://www.qdasoftware.org/wp-content/uploads/2019/09/REFI-QDA-1-5.pdf
"""

from __future__ import annotations

import logging
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import yaml

from jtbd_methods._codebook_model import Codebook, CodebookError, codebook_from_dict
from jtbd_methods.refi_qda.qda_xml import (
    _BLOCK_END,
    _BLOCK_START,
    _JOB_KEYS,
    _RGB,
    CODEBOOK_NAMESPACE,
    PROJECT_NAMESPACE,
)

__all__ = [
    "MAX_CODE_DEPTH",
    "MAX_MEMBER_BYTES",
    "MAX_YAML_ALIASES",
    "MAX_YAML_VALUES",
    "codebook_from_qdc",
    "codebook_from_qdpx",
]

logger = logging.getLogger(__name__)

_ID_MAX = 64
#: Largest ``project.qde`` read from a ``.qdpx`` archive (bytes, after decompression).
MAX_MEMBER_BYTES = 64 * 2**20
#: Most YAML aliases a jtbd_methods block may use, and most values it may expand to.
MAX_YAML_ALIASES = 100
MAX_YAML_VALUES = 100_000
#: Deepest nesting of codes read.
MAX_CODE_DEPTH = 100


class _Forbidden(Exception):
    pass


def _forbid(what: str):
    def handler(*_args: Any) -> None:
        raise _Forbidden(what)

    return handler


def _parse_xml(data: bytes, *, source: str) -> ET.Element:
    """Parse XML, rejecting DOCTYPE / entity declarations before building the tree."""
    probe = expat.ParserCreate()
    probe.StartDoctypeDeclHandler = _forbid("a DOCTYPE declaration")
    probe.EntityDeclHandler = _forbid("an entity declaration")
    probe.UnparsedEntityDeclHandler = _forbid("an entity declaration")
    probe.ExternalEntityRefHandler = _forbid("an external entity reference")
    try:
        probe.Parse(data, True)
    except _Forbidden as exc:
        raise CodebookError(
            source,
            [
                f"the XML contains {exc}, which is not allowed (REFI-QDA files never "
                "need one, and it could be used to attack the reader)"
            ],
        ) from None
    except expat.ExpatError as exc:
        raise CodebookError(
            source,
            [
                f"not well-formed XML at line {exc.lineno}, column {exc.offset + 1}: "
                f"{expat.ErrorString(exc.code)}"
            ],
        ) from None
    return ET.fromstring(data)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def _children(el: ET.Element, local: str) -> Iterator[ET.Element]:
    for child in el:
        if isinstance(child.tag, str) and _split(child.tag)[1] == local:
            yield child


def _first(el: ET.Element, local: str) -> ET.Element | None:
    return next(_children(el, local), None)


def _check_root(root: ET.Element, *, local: str, namespace: str, source: str) -> None:
    ns, name = _split(root.tag)
    if name != local:
        raise CodebookError(
            source,
            [
                f"the root element is <{name}>; a REFI-QDA "
                f"{'codebook' if local == 'CodeBook' else 'project'} starts with <{local}>"
            ],
        )
    if ns != namespace:
        logger.warning(
            "%s: namespace %r instead of the standard's %r; reading it anyway.",
            source,
            ns,
            namespace,
        )


def _parse_block(
    description: str, *, where: str, source: str
) -> tuple[str, str | None, dict[str, Any]]:
    """Split a description into (free text, block kind or None, block fields)."""
    match = _BLOCK_START.search(description)
    if match is None:
        return description.strip(), None, {}
    text = description[: match.start()].strip()
    rest = description[match.end() :]
    end = rest.find(_BLOCK_END)
    if end < 0:
        raise CodebookError(
            source, [f"{where}: the jtbd_methods block has no end line {_BLOCK_END!r}"]
        )
    chunk = rest[:end]
    try:
        n_aliases = sum(
            isinstance(event, yaml.AliasEvent)
            for event in yaml.parse(chunk, Loader=yaml.SafeLoader)
        )
        if n_aliases > MAX_YAML_ALIASES:
            raise CodebookError(
                source,
                [
                    f"{where}: the jtbd_methods block uses {n_aliases} YAML aliases (at most "
                    f"{MAX_YAML_ALIASES}); aliases can expand without limit, so it is not read"
                ],
            )
        fields = yaml.safe_load(chunk)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CodebookError(
            source, [f"{where}: the jtbd_methods block is not valid YAML ({reason})"]
        ) from None
    if fields is None:
        fields = {}
    if _too_many_values(fields, MAX_YAML_VALUES):
        raise CodebookError(
            source,
            [
                f"{where}: the jtbd_methods block expands to more than {MAX_YAML_VALUES:,} "
                "values (YAML aliases repeated inside each other); it is not read"
            ],
        )
    if not isinstance(fields, dict):
        raise CodebookError(
            source,
            [
                f"{where}: the jtbd_methods block must hold key: value "
                f"lines, got {type(fields).__name__}"
            ],
        )
    return text, match.group(1), fields


def _too_many_values(value: Any, limit: int) -> bool:
    """Whether ``value`` holds more than ``limit`` values, aliases counted as often as they
    are used (what printing or validating it would cost); stops counting at the limit."""
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return False


def _snake_id(name: str) -> str:
    """lower_snake_case id from a code name (ASCII, starts with a letter, <= 64 chars)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not s:
        s = "code"
    if not s[0].isalpha():
        s = f"code_{s}"
    return s[:_ID_MAX].rstrip("_")


def _unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    i = 2
    while True:
        candidate = f"{base[: _ID_MAX - len(str(i)) - 1].rstrip('_')}_{i}"
        if candidate not in taken:
            return candidate
        i += 1


@dataclass
class _Node:
    guid: str
    name: str
    text: str
    kind: str | None
    fields: dict[str, Any]
    color: str | None
    parent: int | None  # index of the parent node
    codable: bool
    children: list[int] = field(default_factory=list)


def _read_codes(codes_el: ET.Element, *, source: str) -> list[_Node]:
    nodes: list[_Node] = []

    def walk(el: ET.Element, parent: int | None, path: str, depth: int = 1) -> None:
        if depth > MAX_CODE_DEPTH:
            raise CodebookError(
                source,
                [
                    f"codes are nested more than {MAX_CODE_DEPTH} levels deep (under code "
                    f"{nodes[parent].name[:40]!r}); a codebook never needs that many"
                ],
            )
        for i, code in enumerate(_children(el, "Code")):
            name = code.get("name")
            where = f"code {path}{i + 1}"
            if name is None or not name.strip():
                raise CodebookError(source, [f"{where}: a Code without a 'name' attribute"])
            where = f"code {name!r}"
            desc_el = _first(code, "Description")
            description = (desc_el.text or "") if desc_el is not None else ""
            text, kind, fields = _parse_block(description, where=where, source=source)
            if kind == "codebook":
                raise CodebookError(
                    source, [f"{where}: a codebook block belongs in a Set, not in a Code"]
                )
            color = code.get("color")
            if color is not None and not _RGB.match(color.strip()):
                logger.warning("%s: %s has colour %r, not #RRGGBB; ignored.", source, where, color)
                color = None
            codable = (code.get("isCodable") or "true").strip().lower() in ("true", "1")
            nodes.append(
                _Node(
                    guid=_guid_key(code.get("guid")),
                    name=name,
                    text=text,
                    kind=kind,
                    fields=fields,
                    color=color.strip() if color else None,
                    parent=parent,
                    codable=codable,
                )
            )
            index = len(nodes) - 1
            if parent is not None:
                nodes[parent].children.append(index)
            walk(code, index, f"{path}{i + 1}.", depth + 1)

    walk(codes_el, None, "")
    if not nodes:
        raise CodebookError(source, ["the codebook has no Code elements"])
    return nodes


def _guid_key(guid: str | None) -> str:
    return (guid or "").strip().strip("{}").upper()


def _codebook_meta(
    sets_el: ET.Element | None, *, source: str
) -> tuple[dict[str, Any], str, list[str]]:
    """Fields, description text and member GUIDs (in order) of the jtbd_methods codebook set."""
    if sets_el is None:
        return {}, "", []
    n_other = 0
    found: tuple[dict[str, Any], str, list[str]] | None = None
    for s in _children(sets_el, "Set"):
        desc_el = _first(s, "Description")
        description = (desc_el.text or "") if desc_el is not None else ""
        text, kind, fields = _parse_block(
            description, where=f"set {s.get('name')!r}", source=source
        )
        if kind == "codebook" and found is None:
            members = [
                _guid_key(m.get("guid") or m.get("targetGUID")) for m in _children(s, "MemberCode")
            ]
            found = (fields, text, members)
        else:
            n_other += 1
    if n_other:
        logger.info("%s: %d set(s) of codes ignored (sets only group codes).", source, n_other)
    return found if found is not None else ({}, "", [])


def _build(
    nodes: list[_Node],
    meta: tuple[dict[str, Any], str, list[str]],
    *,
    source: str,
    default_name: str,
    origin: str | None,
) -> Codebook:
    # Ids: our blocks keep theirs; foreign codes get unique snake_case ids in document order.
    taken = {str(n.fields["id"]) for n in nodes if n.kind is not None and "id" in n.fields}
    job_id: dict[int, str] = {}
    n_foreign = 0
    for i, node in enumerate(nodes):
        if node.kind == "outcome":
            continue
        if node.kind == "job" and "id" in node.fields:
            job_id[i] = str(node.fields["id"])
        else:
            new = _unique_id(_snake_id(node.name), taken)
            taken.add(new)
            job_id[i] = new
            n_foreign += 1

    def ancestor_job(i: int) -> str | None:
        p = nodes[i].parent
        while p is not None:
            if p in job_id:
                return job_id[p]
            p = nodes[p].parent
        return None

    fields, text, members = meta
    position = {guid: p for p, guid in enumerate(members) if guid}
    jobs: list[tuple[int, dict[str, Any]]] = []
    outcomes: list[tuple[int, dict[str, Any]]] = []
    for i, node in enumerate(nodes):
        # codebook order from the codebook set when the code is listed there, else document
        # order after the listed codes
        order = position.get(node.guid, len(position) + i)
        if node.kind == "outcome":
            owner = ancestor_job(i)
            block_owner = node.fields.get("job_id")
            if owner is None:
                owner = block_owner
            elif block_owner is not None and block_owner != owner:
                logger.info(
                    "%s: outcome %r now sits under job %r (was %r); following the hierarchy.",
                    source,
                    node.fields.get("id"),
                    owner,
                    block_owner,
                )
            text_ = node.fields.get("text", node.name)
            outcomes.append((order, {"id": node.fields.get("id"), "job_id": owner, "text": text_}))
            continue
        d: dict[str, Any] = {}
        if node.kind == "job":
            unknown = sorted(set(node.fields) - set(_JOB_KEYS) - {"label", "statement"})
            if unknown:
                logger.info(
                    "%s: code %r: unknown field(s) %s ignored.",
                    source,
                    node.name,
                    ", ".join(unknown),
                )
            d.update({k: v for k, v in node.fields.items() if k in _JOB_KEYS})
        elif not node.codable:
            logger.info(
                "%s: code %r is a non-codable grouping code; imported as a job so that "
                "its children keep their parent.",
                source,
                node.name,
            )
        d["id"] = job_id[i]
        exact = node.fields if node.kind == "job" else {}
        d["label"] = str(exact.get("label", node.name))
        d["statement"] = str(exact.get("statement", node.text))
        parent = ancestor_job(i)
        if parent is not None:
            d["parent"] = parent
        if node.color is not None:
            d["color"] = node.color
        jobs.append((order, d))

    if n_foreign:
        logger.warning(
            "%s: %d code(s) carry no jtbd_methods description (made in another program); "
            "imported as jobs with id from the code name, the description as statement, "
            "dimension 'functional' and no indicators. Review and complete them.",
            source,
            n_foreign,
        )
    description = str(fields.get("description", text))
    if not fields and not description:
        description = f"Imported from {source}" + (f" ({origin})" if origin else "") + "."
    data = {
        "name": str(fields.get("name") or default_name),
        "version": str(fields.get("version") or ""),
        "description": description,
        "jobs": [d for _, d in sorted(jobs, key=lambda t: t[0])],
        "outcomes": [d for _, d in sorted(outcomes, key=lambda t: t[0])],
    }
    return codebook_from_dict(data, source=source)


def _read_bytes(path: str | Path, *, caller: str) -> tuple[Path, bytes]:
    if not isinstance(path, (str, Path)):
        raise TypeError(
            f"The 'path' parameter of {caller} must be a str or Path; got {type(path).__name__}."
        )
    path = Path(path)
    if not path.is_file():
        raise CodebookError(str(path), ["file not found"])
    return path, path.read_bytes()


def codebook_from_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook file (``.qdc``) into a :class:`~jtbd_methods.codebook.Codebook`.

    Parameters
    ----------
    path : str or Path
        A ``.qdc`` file written by this module or by NVivo, ATLAS.ti, MAXQDA, QualCoder, ...

    Returns
    -------
    Codebook
        ``source`` is the file name. A file written by :func:`codebook_to_qdc` comes back
        equal to the exported codebook (apart from ``source``).

    Raises
    ------
    TypeError
        If ``path`` is not a str or Path.
    CodebookError
        (a :class:`ValueError`) naming the file and the problem: file not found, not
        well-formed XML (line, column), a ``DOCTYPE``/entity declaration, a root element other
        than ``CodeBook``, no ``Codes``, a code without a name, a broken jtbd_methods block,
        or a codebook that fails validation.

    Notes
    -----
    Codes with a jtbd_methods block are read back field by field; foreign codes become jobs
    with defaults (see the module docstring) and a warning is logged. The hierarchy is kept:
    a nested code's parent is the nearest enclosing job. Sets are ignored, except the
    jtbd_methods codebook set, which gives the codebook's name, version and description;
    otherwise the name is the file stem.

    Examples
    --------
    A codebook made in another program (no jtbd_methods blocks):

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "nvivo.qdc"
    >>> _ = path.write_text(
    ...     '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    ...     '<Code guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01" name="Waiting times" isCodable="true">'
    ...     '<Code guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F02" name="A&amp;E wait" isCodable="true"/>'
    ...     '</Code></Codes></CodeBook>', encoding="utf-8")
    >>> cb = codebook_from_qdc(path)
    >>> cb.job_ids, cb.job("a_e_wait").parent
    (('waiting_times', 'a_e_wait'), 'waiting_times')
    """
    path, data = _read_bytes(path, caller="codebook_from_qdc")
    source = path.name
    if data.startswith(b"PK\x03\x04"):
        raise CodebookError(
            source,
            [
                "this is a zip archive (a .qdpx project?), not a .qdc "
                "codebook; read it with codebook_from_qdpx"
            ],
        )
    root = _parse_xml(data, source=source)
    _check_root(root, local="CodeBook", namespace=CODEBOOK_NAMESPACE, source=source)
    codes_el = _first(root, "Codes")
    if codes_el is None:
        raise CodebookError(source, ["<CodeBook> has no <Codes> element"])
    nodes = _read_codes(codes_el, source=source)
    meta = _codebook_meta(_first(root, "Sets"), source=source)
    return _build(nodes, meta, source=source, default_name=path.stem, origin=root.get("origin"))


def _read_member(archive: zipfile.ZipFile, member: str, *, source: str) -> bytes:
    """A member's bytes, refused above :data:`MAX_MEMBER_BYTES` *before* it is expanded
    (a zip bomb declares a small size or a huge one; both are checked)."""
    info = archive.getinfo(member)
    too_big = CodebookError(
        source,
        [
            f"{member} expands to more than {MAX_MEMBER_BYTES // 2**20} MiB; a project's "
            "codebook is far smaller (a damaged or hostile archive?)"
        ],
    )
    if info.file_size > MAX_MEMBER_BYTES:
        raise too_big
    with archive.open(member) as handle:
        data = handle.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise too_big
    return data


def codebook_from_qdpx(path: str | Path) -> Codebook:
    """Read the codebook of a REFI-QDA project (``.qdpx``).

    Parameters
    ----------
    path : str or Path
        A ``.qdpx`` archive (zip) holding ``project.qde``.

    Returns
    -------
    Codebook
        Built from the project's ``CodeBook`` as :func:`codebook_from_qdc` does; the name
        defaults to the project's ``name`` attribute. Sources, codings, notes and cases are
        not read.

    Raises
    ------
    TypeError
        If ``path`` is not a str or Path.
    CodebookError
        (a :class:`ValueError`) naming the file: not a zip archive, no ``project.qde``,
        unsafe or malformed XML, a root other than ``Project``, a project without a
        ``CodeBook``, or any problem :func:`codebook_from_qdc` reports.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "study.qdpx"
    >>> with zipfile.ZipFile(path, "w") as archive:
    ...     archive.writestr("project.qde",
    ...         '<Project xmlns="urn:QDA-XML:project:1.0" name="Ward 7"><CodeBook><Codes>'
    ...         '<Code guid="0B6E3A52-5A1D-4C1E-9A43-0D1C7B2E9F01" name="Dignity" isCodable="true"/>'
    ...         '</Codes></CodeBook></Project>')
    >>> cb = codebook_from_qdpx(path)
    >>> cb.name, cb.job_ids
    ('Ward 7', ('dignity',))
    """
    path, _ = _read_bytes(path, caller="codebook_from_qdpx")
    source = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            names = {n.lower().lstrip("/"): n for n in archive.namelist()}
            member = names.get("project.qde")
            if member is None:
                raise CodebookError(
                    source,
                    [
                        "the archive has no project.qde; a REFI-QDA "
                        "project (.qdpx) holds one at its top level"
                    ],
                )
            data = _read_member(archive, member, source=source)
    except zipfile.BadZipFile:
        raise CodebookError(
            source,
            ["not a zip archive; a REFI-QDA project (.qdpx) is a zip file holding project.qde"],
        ) from None
    where = f"{source}:project.qde"
    root = _parse_xml(data, source=where)
    _check_root(root, local="Project", namespace=PROJECT_NAMESPACE, source=where)
    book = _first(root, "CodeBook")
    codes_el = _first(book, "Codes") if book is not None else None
    if codes_el is None:
        raise CodebookError(where, ["the project has no <CodeBook> with <Codes>"])
    nodes = _read_codes(codes_el, source=where)
    meta = _codebook_meta(_first(root, "Sets"), source=where)
    default = (root.get("name") or "").strip() or path.stem
    return _build(nodes, meta, source=source, default_name=default, origin=root.get("origin"))
