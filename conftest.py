"""Fixtures for every test and doctest of the repository (``tests/`` and the package).

Matplotlib's settings are process-wide: a test or notebook helper that calls
``plots.set_theme()`` (left-aligned titles, no formula parsing, ...) would otherwise change
what a later doctest in the same worker sees. Each test starts from matplotlib's defaults.
"""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _matplotlib_defaults():
    import matplotlib.pyplot as plt

    matplotlib.rcdefaults()
    yield
    plt.close("all")
