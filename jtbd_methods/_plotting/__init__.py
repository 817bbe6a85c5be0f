"""Plot functions by method area; import them from :mod:`jtbd_methods.plots`."""

from __future__ import annotations

from typing import Any


def plain(value: Any) -> str:
    """``value`` as text that matplotlib shows as written.

    Matplotlib reads text between two ``$`` as a mathematical formula ("mathtext"), so a
    site called "Ward $1 & $2" is drawn wrongly, and "$^$" makes drawing fail. Data labels
    (site names, codebook labels) go through this function, which escapes ``$`` while
    formulas are parsed; :func:`jtbd_methods.plots.set_theme` switches formula parsing off
    for every text of a notebook (rcParam ``text.parse_math``), and then the text is kept.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context({"text.parse_math": True}):
    ...     print(plain("Shop $5 off $^$"))
    Shop \\$5 off \\$^\\$
    """
    import matplotlib as mpl

    text = str(value)
    return text.replace("$", r"\$") if mpl.rcParams["text.parse_math"] else text
