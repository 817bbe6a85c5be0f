"""The QDA-XML vocabulary both directions share: namespaces, GUIDs and the data block.

See :mod:`jtbd_methods.refi_qda` for how a codebook maps onto QDA-XML.

References
----------
.. [1] Rotterdam Exchange Format Initiative (2019). *REFI-QDA Standard, version 1.5*.
   https://www.qdasoftware.org/wp-content/uploads/2019/09/REFI-QDA-1-5.pdf
.. [2] Leach, P., Mealling, M., & Salz, R. (2005). *A Universally Unique IDentifier (UUID)
   URN Namespace*. RFC 4122, section 4.3 (name-based UUIDs).
"""

from __future__ import annotations

import re
import uuid

__all__ = ["CODEBOOK_NAMESPACE", "PROJECT_NAMESPACE", "code_guid"]

#: Namespace of REFI-QDA codebook files (``.qdc``).
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Namespace of REFI-QDA project files (``project.qde`` inside ``.qdpx``).
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"

#: Namespace of the name-based GUIDs written by this module (fixed for all time: changing it
#: would change every GUID of every exported codebook).
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:jtbd_methods:refi-qda")

_BLOCK_START = re.compile(r"^--- jtbd_methods (job|outcome|codebook) ---[ \t]*$", re.MULTILINE)
_BLOCK_END = "--- end jtbd_methods ---"
_RGB = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")

# Keys of the job block (the other fields travel in the XML structure: label = code name,
# statement = description text, parent = nesting, color = color attribute).
_JOB_KEYS = (
    "id",
    "dimension",
    "stage",
    "indicators",
    "root_cause_questions",
    "barriers",
    "enablers",
)


def code_guid(kind: str, identifier: str) -> str:
    """Deterministic GUID of a job, outcome or set in exported codebooks.

    Parameters
    ----------
    kind : {"job", "outcome", "set"}
        What the GUID identifies.
    identifier : str
        The job id, outcome id or set key.

    Returns
    -------
    str
        Upper-case GUID ``XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`` (a version-5 UUID of
        ``"{kind}:{identifier}"``), the same in every export.

    Raises
    ------
    ValueError
        If ``kind`` is not one of the three kinds.

    Examples
    --------
    >>> code_guid("job", "gain_clarity") == code_guid("job", "gain_clarity")
    True
    >>> len(code_guid("job", "gain_clarity"))
    36
    """
    if kind not in ("job", "outcome", "set"):
        raise ValueError(
            f"The 'kind' parameter of code_guid must be one of 'job', 'outcome', 'set'; got {kind!r}."
        )
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{identifier}")).upper()
