"""REFI-QDA codebook exchange: write and read ``.qdc`` codebooks and ``.qdpx`` projects.

The REFI-QDA standard (QDA-XML) is the exchange format of NVivo, ATLAS.ti, MAXQDA,
QualCoder and other qualitative-analysis programs [1]_. A codebook file (``.qdc``) is an
XML document in the namespace ``urn:QDA-XML:codebook:1.0``: a ``CodeBook`` root holding
``Codes`` (``Code`` elements with ``guid``, ``name``, ``isCodable``, optional ``color`` and
``Description``; nested codes form the hierarchy) and optional ``Sets`` of codes. A project
(``.qdpx``) is a zip archive whose ``project.qde`` (namespace ``urn:QDA-XML:project:1.0``)
contains the same ``CodeBook``.

Mapping of a :class:`~jtbd_methods.codebook.Codebook` onto QDA-XML
------------------------------------------------------------------

* every job is a ``Code`` named by the job's label, nested under its parent job when it has
  one; its ``Description`` is the job statement followed by a structured block with the other
  fields, so that researchers read the statement in their program and the toolkit re-imports
  everything::

      When I leave hospital, I want to know what happens next, so I can plan my recovery.

      --- jtbd_methods job ---
      id: gain_clarity
      dimension: functional
      stage: leaving_care
      indicators:
      - what happens next
      - phrase: no one explained
        polarity: disrupted
      ...
      --- end jtbd_methods ---

  the block between the two marker lines is YAML (read back with ``yaml.safe_load``);
* every desired outcome is a child ``Code`` of its job, named by the outcome text, with a
  block of kind ``outcome`` holding its id;
* a ``Set`` named after the codebook carries the codebook's description and a block of kind
  ``codebook`` (name, version) and lists every job, then every outcome, in codebook order
  (which the hierarchy alone cannot keep); one further set per job dimension
  (functional, emotional, social) groups the jobs for users of the QDA program;
* GUIDs are name-based UUIDs (:func:`uuid.uuid5`) of the job, outcome or set id, so
  re-exporting the same codebook gives the same GUIDs and the same bytes.

Codes without a block (a codebook made in NVivo, ATLAS.ti, ...) are imported as jobs: the
code name becomes the label and, in snake_case, the id (unique, in document order); the
description becomes the statement; dimension ``functional``; no indicators; nested codes keep
their parent. A warning names how many codes were imported this way.

Parsing is safe against XML attacks without ``defusedxml``: a document that declares a
``DOCTYPE`` (and therefore any entity) is rejected before it is parsed into a tree.

The subpackage has three modules: :mod:`~jtbd_methods.refi_qda.qda_xml` (namespaces, GUIDs,
the data block), :mod:`~jtbd_methods.refi_qda.writing` and
:mod:`~jtbd_methods.refi_qda.reading`.

References
----------
.. [1] Rotterdam Exchange Format Initiative (2019). *REFI-QDA Standard, version 1.5*.
   https://www.qdasoftware.org/wp-content/uploads/2019/09/REFI-QDA-1-5.pdf
.. [2] Evers, J. C. (2018). Current issues in qualitative data analysis software (QDAS): a user
   and developer perspective. *The Qualitative Report*, 23(13), 61-73.
"""

from __future__ import annotations

from jtbd_methods.refi_qda.qda_xml import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE, code_guid
from jtbd_methods.refi_qda.reading import (
    MAX_CODE_DEPTH,
    MAX_MEMBER_BYTES,
    MAX_YAML_ALIASES,
    MAX_YAML_VALUES,
    codebook_from_qdc,
    codebook_from_qdpx,
)
from jtbd_methods.refi_qda.writing import codebook_to_qdc

__all__ = [
    "CODEBOOK_NAMESPACE",
    "MAX_CODE_DEPTH",
    "MAX_MEMBER_BYTES",
    "MAX_YAML_ALIASES",
    "MAX_YAML_VALUES",
    "PROJECT_NAMESPACE",
    "codebook_from_qdc",
    "codebook_from_qdpx",
    "codebook_to_qdc",
    "code_guid",
]
