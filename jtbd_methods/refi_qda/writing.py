"""Writing a codebook as a REFI-QDA codebook file (``.qdc``).

See :mod:`jtbd_methods.refi_qda` for how a codebook maps onto QDA-XML.

References
----------
.. [1] Rotterdam Exchange Format Initiative (2019). *REFI-QDA Standard, version 1.5*.
   https://www.qdasoftware.org/wp-content/uploads/2019/09/REFI-QDA-1-5.pdf
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from jtbd_methods._codebook_model import DIMENSIONS, Codebook
from jtbd_methods._io import atomic_path
from jtbd_methods.refi_qda.qda_xml import (
    _BLOCK_END,
    _JOB_KEYS,
    _RGB,
    CODEBOOK_NAMESPACE,
    code_guid,
)

__all__ = ["codebook_to_qdc"]

logger = logging.getLogger(__name__)

# Characters that XML 1.0 does not allow (control characters other than tab, LF, CR).
_XML_INVALID = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Remove characters XML 1.0 cannot carry (logged)."""
    cleaned = _XML_INVALID.sub("", text)
    if cleaned != text:
        logger.warning(
            "Removed %d control character(s) that XML cannot hold from %r.",
            len(text) - len(cleaned),
            cleaned[:40],
        )
    return cleaned


def _name(text: str, fallback: str) -> str:
    """A code's name attribute: ``text`` without what XML cannot carry, else ``fallback``."""
    cleaned = _XML_INVALID.sub("", text)
    return cleaned if cleaned.strip() else fallback


def _block(kind: str, fields: dict[str, Any], text: str = "") -> str:
    """Description text: free text, blank line, then the marked YAML block."""
    body = yaml.safe_dump(
        fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    head = f"{text}\n\n" if text else ""
    return f"{head}--- jtbd_methods {kind} ---\n{body}{_BLOCK_END}"


def _color(value: str | None, job_id: str) -> str | None:
    """A colour the XSD accepts (#RRGGBB), converting colour names; None when impossible."""
    if value is None:
        return None
    if _RGB.match(value):
        return value
    try:
        # Imported here, not at the top: matplotlib costs ~0.3 s to import and is needed
        # only for a colour given by name (not a cycle: matplotlib never imports us).
        from matplotlib.colors import to_hex

        converted = to_hex(value).upper()
    except ValueError:
        logger.warning(
            "Job %r: colour %r is not a colour; exported without a colour.", job_id, value
        )
        return None
    logger.info("Job %r: colour %r exported as %s.", job_id, value, converted)
    return converted


def _ns(tag: str, ns: str = CODEBOOK_NAMESPACE) -> str:
    return f"{{{ns}}}{tag}"


def _codebook_element(codebook: Codebook, *, origin: str) -> ET.Element:
    root = ET.Element(_ns("CodeBook"), {"origin": origin})
    codes = ET.SubElement(root, _ns("Codes"))
    job_dicts = {d["id"]: d for d in codebook.to_dict()["jobs"]}
    children: dict[str | None, list] = {}
    for job in codebook.jobs:
        children.setdefault(job.parent, []).append(job)

    def add_job(parent_el: ET.Element, job) -> None:
        attrs = {
            "guid": code_guid("job", job.id),
            "name": _name(job.label, job.id),
            "isCodable": "true",
        }
        color = _color(job.color, job.id)
        if color is not None:
            attrs["color"] = color
        el = ET.SubElement(parent_el, _ns("Code"), attrs)
        # Empty fields are left out (they re-import as the same defaults).
        d = {
            k: v
            for k, v in job_dicts[job.id].items()
            if k in _JOB_KEYS and (k in ("id", "dimension") or v not in ("", [], {}, None))
        }
        # Text XML cannot carry (U+FFFE, control characters) is kept in the YAML block, which
        # escapes it ("\uFFFE"); the name attribute and free text get a cleaned copy.
        if _clean(job.label) != job.label:
            d["label"] = job.label
        statement = job.statement
        if _clean(statement) != statement:
            d["statement"] = statement
            statement = _clean(statement)
        desc = ET.SubElement(el, _ns("Description"))
        desc.text = _clean(_block("job", d, statement))
        for outcome in codebook.outcomes_for(job.id):
            oel = ET.SubElement(
                el,
                _ns("Code"),
                {
                    "guid": code_guid("outcome", outcome.id),
                    "name": _name(outcome.text, outcome.id),
                    "isCodable": "true",
                },
            )
            ofields = {"id": outcome.id, "job_id": outcome.job_id}
            if _clean(outcome.text) != outcome.text:
                ofields["text"] = outcome.text
            odesc = ET.SubElement(oel, _ns("Description"))
            odesc.text = _clean(_block("outcome", ofields))
        for child in children.get(job.id, []):
            add_job(el, child)

    for job in children.get(None, []):
        add_job(codes, job)

    sets = ET.SubElement(root, _ns("Sets"))
    meta = ET.SubElement(
        sets,
        _ns("Set"),
        {"guid": code_guid("set", "codebook"), "name": _name(codebook.name, "codebook")},
    )
    mfields = {"name": codebook.name, "version": codebook.version}
    description = codebook.description
    if _clean(description) != description:
        mfields["description"] = description
        description = _clean(description)
    mdesc = ET.SubElement(meta, _ns("Description"))
    mdesc.text = _clean(_block("codebook", mfields, description))
    # every job, then every outcome, in codebook order (the hierarchy alone loses that order)
    for job in codebook.jobs:
        ET.SubElement(meta, _ns("MemberCode"), {"guid": code_guid("job", job.id)})
    for outcome in codebook.outcomes:
        ET.SubElement(meta, _ns("MemberCode"), {"guid": code_guid("outcome", outcome.id)})
    for dimension in DIMENSIONS:
        members = [j for j in codebook.jobs if j.dimension == dimension]
        if not members:
            continue
        s = ET.SubElement(
            sets,
            _ns("Set"),
            {
                "guid": code_guid("set", f"dimension:{dimension}"),
                "name": f"{dimension.capitalize()} jobs",
            },
        )
        sdesc = ET.SubElement(s, _ns("Description"))
        sdesc.text = f"Jobs of the {dimension} dimension (grouping only; not re-imported)."
        for job in members:
            ET.SubElement(s, _ns("MemberCode"), {"guid": code_guid("job", job.id)})
    return root


def _origin() -> str:
    try:
        return f"jtbd_methods {version('jtbd_methods')}"
    except Exception:  # pragma: no cover - package not installed (source checkout)
        return "jtbd_methods"


def codebook_to_qdc(codebook: Codebook, path: str | Path, *, origin: str | None = None) -> Path:
    """Write a codebook as a REFI-QDA codebook file (``.qdc``).

    Parameters
    ----------
    codebook : Codebook
        The codebook to export.
    path : str or Path
        Destination, conventionally ending in ``.qdc``; written atomically (a failed export
        leaves any existing file untouched). Parent folders are created.
    origin : str, optional
        Value of the ``origin`` attribute (the program that wrote the file); defaults to
        ``"jtbd_methods <version>"``.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    TypeError
        If ``codebook`` is not a :class:`~jtbd_methods.codebook.Codebook`.

    Notes
    -----
    The file is valid against the standard's ``Codebook.xsd`` [1]_: jobs are ``Code``
    elements (hierarchy by nesting, desired outcomes as child codes), descriptions carry the
    job statement and a structured block with the remaining fields (see the module
    docstring), GUIDs are deterministic (:func:`code_guid`), and the output contains no
    time stamp, so exporting the same codebook twice gives identical bytes. Colour names are
    converted to ``#RRGGBB``; unknown colours are dropped with a warning.

    References
    ----------
    .. [1] Rotterdam Exchange Format Initiative (2019). *REFI-QDA Standard, version 1.5*.
       https://www.qdasoftware.org/wp-content/uploads/2019/09/REFI-QDA-1-5.pdf

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from jtbd_methods.codebook import codebook_from_dict
    >>> from jtbd_methods.refi_qda import codebook_from_qdc
    >>> cb = codebook_from_dict({"name": "demo", "jobs": [
    ...     {"id": "gain_clarity", "label": "Understand what comes next",
    ...      "statement": "When I leave, I want to know what happens next."}]})
    >>> out = codebook_to_qdc(cb, pathlib.Path(tempfile.mkdtemp()) / "demo.qdc")
    >>> codebook_from_qdc(out).to_dict() == cb.to_dict()
    True
    """
    if not isinstance(codebook, Codebook):
        raise TypeError(
            "The 'codebook' parameter of codebook_to_qdc must be a jtbd_methods Codebook; "
            f"got {type(codebook).__name__}."
        )
    path = Path(path)
    if path.suffix.lower() != ".qdc":
        logger.warning("%s: REFI-QDA codebooks conventionally end in .qdc.", path.name)
    root = _codebook_element(codebook, origin=origin or _origin())
    ET.register_namespace("", CODEBOOK_NAMESPACE)
    tree = ET.ElementTree(root)
    ET.indent(tree, space="  ")
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    logger.info(
        "Wrote %d jobs and %d outcomes to %s.", len(codebook.jobs), len(codebook.outcomes), path
    )
    return path
