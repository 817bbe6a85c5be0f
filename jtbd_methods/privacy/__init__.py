"""Privacy: redaction of identifiers, small-cell suppression and injection-safe exports.

Every notebook that shows patients' words or group breakdowns goes through this package, whose
modules are :mod:`~jtbd_methods.privacy.redaction`, :mod:`~jtbd_methods.privacy.suppression`
and :mod:`~jtbd_methods.privacy.export` (every public name is importable from here):

* :func:`redact` and :func:`redact_with_counts` replace NHS numbers, UK phone numbers, e-mail
  addresses, UK postcodes, dates of birth, listed names and names no list holds
  (:func:`jtbd_methods.names.find_names`) in free text by placeholders such as
  ``[NHS number]``.
* :func:`suppress_small` (tidy tables) and :func:`suppress_crosstab` (wide tables with
  margins) hide counts below ``min_cell_size`` and add complementary suppressions so a hidden
  count cannot be worked out by subtraction from a shown total; :func:`format_suppressed`
  turns the result into display strings with a marker and :func:`suppression_note` words the
  footnote.
* :func:`neutralise_cell`, :func:`neutralise_frame`, :func:`safe_to_csv` and
  :func:`safe_to_excel` stop spreadsheet formula injection and write files atomically;
  :func:`escape_html` escapes data placed into HTML.

References
----------
.. [1] NHS England. *NHS Data Dictionary*, data element "NHS Number" (check digit validated
   by the Modulus 11 algorithm). https://www.datadictionary.nhs.uk/
.. [2] Royal Mail. *Programmers' Guide to the Postcode Address File* (postcode formats), and
   Office for National Statistics, *ONS Postcode Directory User Guide*.
.. [3] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
   *Journal of the American Statistical Association*, 75(370), 377-385.
.. [4] Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
   Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley, ch. 5
   (frequency tables: primary and secondary cell suppression, audit).
.. [5] Office for National Statistics (2021). *Statistical disclosure control policy*; and
   Government Statistical Service (2014). *Disclosure control guidance for tables produced
   from administrative sources*.
.. [6] NHS Digital (2018). *Disclosure control methodology for Hospital Episode Statistics
   (HES) and Emergency Care Data Set (ECDS)*.
.. [7] OWASP Foundation. *CSV Injection*. https://owasp.org/www-community/attacks/CSV_Injection
"""

from jtbd_methods.privacy.export import (
    escape_html,
    is_formula_like,
    neutralise_cell,
    neutralise_frame,
    safe_to_csv,
    safe_to_excel,
)
from jtbd_methods.privacy.redaction import (
    KINDS,
    is_valid_nhs_number,
    redact,
    redact_for_study,
    redact_with_counts,
    redaction_statement,
)
from jtbd_methods.privacy.suppression import (
    format_suppressed,
    suppress_crosstab,
    suppress_small,
    suppression_note,
)

__all__ = [
    "KINDS",
    "escape_html",
    "format_suppressed",
    "is_formula_like",
    "is_valid_nhs_number",
    "neutralise_cell",
    "neutralise_frame",
    "redact",
    "redact_for_study",
    "redact_with_counts",
    "redaction_statement",
    "safe_to_csv",
    "safe_to_excel",
    "suppress_crosstab",
    "suppress_small",
    "suppression_note",
]
