"""Sphinx configuration of the jtbd_methods documentation (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from jtbd_methods import __version__  # noqa: E402

project = "jtbd_methods"
author = "jtbd_methods developers"
copyright = "2026, jtbd_methods developers (MIT licence)"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "jtbd_cli",
    "jtbd_gallery",
]
exclude_patterns = ["_build", "gallery/_generated/figures.rst"]
templates_path: list[str] = []
html_theme = "alabaster"
html_theme_options = {"description": "Jobs-to-be-Done methods for patient experience"}
html_static_path: list[str] = []

# the API reference: autodoc reads the docstrings, numpydoc their sections
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    # scikit-learn adds metadata-routing setters to every estimator (TextCoder is one); they
    # are scikit-learn's API, documented there, and their docstrings cite its glossary
    "exclude-members": "set_fit_request,set_predict_request,set_predict_proba_request,"
    "set_score_request,set_transform_request",
}
autodoc_typehints = "none"  # numpydoc's Parameters sections already give the types
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
# no network at build time: intersphinx has no inventories to fetch
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
# numpydoc References sections list sources without citing each one in the text (house style)
suppress_warnings = ["ref.citation"]
nitpicky = False
