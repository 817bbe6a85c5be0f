"""The package's import graph has no cycles, not even through function-level imports.

A function-level import that closes a cycle only hides it: the modules still depend on each
other, and the order in which they happen to be imported decides whether a name exists yet.
The graph is read statically with :mod:`ast` from every module under ``jtbd_methods/``
(imports at any depth: module level, inside functions, inside ``if TYPE_CHECKING:`` blocks
are left out because they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = "jtbd_methods"
SOURCE = ROOT / PACKAGE


def module_name(path: Path) -> str:
    """``jtbd_methods/_plotting/theme.py`` -> ``jtbd_methods._plotting.theme``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, *, module: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that the code of ``module`` imports.

    ``import a.b`` depends on ``a.b``; ``from a import b`` on the module ``a.b`` when there is
    one, else on ``a`` (a name its ``__init__`` defines). A package importing its own
    submodules is how re-exports work, so an import of ``a.b`` is not an edge to ``a``.
    """
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in modules and name != module}


def import_graph(source: Path = SOURCE) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, for every ``.py`` file under ``source``
    (the notebooks and templates mapped into ``_resources`` hold no code)."""
    files = sorted(p for p in source.rglob("*.py") if "_resources" not in p.parts)
    return _graph({module_name(p): p for p in files})


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    names = set(modules)
    return {
        name: _imports(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path)),
            module=name,
            is_package=path.name == "__init__.py",
            modules=names,
        )
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module, as sorted module names.

    Tarjan's algorithm (Tarjan, R. E. (1972). Depth-first search and linear graph
    algorithms. *SIAM Journal on Computing*, 1(2), 146-160): the modules of one component
    all reach each other through imports, i.e. they lie on a common cycle.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return sorted(components)


def _graph_from(modules: dict[str, str], tmp_path: Path) -> dict[str, set[str]]:
    root = tmp_path / PACKAGE
    for name, text in modules.items():
        path = tmp_path / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "__init__.py").touch()
    return _graph(
        {
            ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(root.rglob("*.py"))
        }
    )


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 20, "the package's modules were not found"
    found = cycles(graph)
    assert not found, "import cycles (module groups that import each other):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


def test_a_function_level_import_closing_a_cycle_is_found(tmp_path):
    graph = _graph_from(
        {
            "jtbd_methods.plots": "from jtbd_methods._plotting import theme\n",
            "jtbd_methods._plotting.theme": (
                "def f():\n    from jtbd_methods.plots import PALETTE\n    return PALETTE\n"
            ),
            "jtbd_methods._plotting.__init__": "",
            "jtbd_methods.study": "import jtbd_methods.codebook as cb\n",
            "jtbd_methods.codebook": "from . import refi_qda\n",
            "jtbd_methods.refi_qda": "def g():\n    from .codebook import Codebook\n",
            "jtbd_methods.clean": "from jtbd_methods import study\n",
        },
        tmp_path,
    )
    assert cycles(graph) == [
        ["jtbd_methods._plotting.theme", "jtbd_methods.plots"],
        ["jtbd_methods.codebook", "jtbd_methods.refi_qda"],
    ]


def test_type_checking_imports_are_not_edges(tmp_path):
    graph = _graph_from(
        {
            "jtbd_methods.a": "from jtbd_methods import b\n",
            "jtbd_methods.b": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from jtbd_methods.a import X\n"
                "else:\n    import json\n"
            ),
        },
        tmp_path,
    )
    assert graph["jtbd_methods.b"] == set()
    assert cycles(graph) == []


MODULES = {
    "jtbd_methods",
    "jtbd_methods.plots",
    "jtbd_methods.study",
    "jtbd_methods._plotting",
    "jtbd_methods._plotting.theme",
    "jtbd_methods._plotting.tracking",
}


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from . import plots", "jtbd_methods.coding", {"jtbd_methods.plots"}),
        ("from jtbd_methods import load_study", "jtbd_methods.x", {"jtbd_methods"}),
        (
            "from .theme import PALETTE",
            "jtbd_methods._plotting.tracking",
            {"jtbd_methods._plotting.theme"},
        ),
        ("from ..plots import PALETTE", "jtbd_methods._plotting.tracking", {"jtbd_methods.plots"}),
        ("from . import theme", "jtbd_methods._plotting", {"jtbd_methods._plotting.theme"}),
        ("import jtbd_methods.study as s", "jtbd_methods.x", {"jtbd_methods.study"}),
        ("def f():\n    import jtbd_methods.study", "jtbd_methods.x", {"jtbd_methods.study"}),
        ("import numpy as np", "jtbd_methods.x", set()),
    ],
)
def test_relative_and_absolute_imports_resolve(source, module, expected):
    is_package = module == "jtbd_methods._plotting"
    tree = ast.parse(source)
    assert _imports(tree, module=module, is_package=is_package, modules=MODULES) == expected
