"""Package data: the repository's ``notebooks/`` and ``templates/``, mapped in at build time.

This folder holds no copies. ``pyproject.toml`` maps ``jtbd_methods._resources.notebooks`` to
the top-level ``notebooks/`` folder and ``jtbd_methods._resources.templates`` to
``templates/``; :mod:`jtbd_methods.resources` finds them with :mod:`importlib.resources`.
"""
