"""Sphinx extension: the ``.. jtbd-cli::`` directive writes the CLI reference from the app.

Each command of ``jtbd`` (and of its ``coder`` and ``codebook`` groups) gets a section with
its usage line, its help text and a table of its arguments and options, read from the typer
application itself, so the reference cannot drift from the code.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _commands(group: Any, ctx: Any, prefix: str) -> list[tuple[str, Any, Any]]:
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or getattr(command, "hidden", False):
            continue
        sub = type(ctx)(command, info_name=name, parent=ctx)
        if hasattr(command, "list_commands"):
            out += _commands(command, sub, f"{prefix} {name}")
        else:
            out.append((f"{prefix} {name}", command, sub))
    return out


def _rst_lines() -> list[str]:
    import typer

    from jtbd_methods.cli import app

    root = typer.main.get_command(app)
    ctx = type(root.context_class(root))(root, info_name="jtbd")  # a Context of typer's click
    lines: list[str] = []
    globals_ = [p for p in root.params if p.name not in ("help",)]
    lines += [
        "Global options",
        "--------------",
        "",
        "Given before the command: ``jtbd [OPTIONS] COMMAND``.",
        "",
    ]
    lines += _param_table(globals_, ctx)
    for path, command, sub in _commands(root, ctx, "jtbd"):
        lines += [f"``{path}``", "-" * (len(path) + 4), ""]
        pieces = re.sub(
            r"\{(\w+)\}", lambda m: m.group(1).upper(), " ".join(command.collect_usage_pieces(sub))
        )
        lines += ["::", "", f"   {path} {pieces}", ""]
        text = _escape((command.help or "").strip())
        if text:
            lines += [text, ""]
        lines += _param_table([p for p in command.params if p.name != "help"], sub)
    return lines


def _escape(text: str) -> str:
    """Text safe in reStructuredText (help strings may hold ``*``, backquotes or bars)."""
    return re.sub(r"([*`|\\_])", r"\\\1", text)


def _param_table(params: list[Any], ctx: Any) -> list[str]:
    if not params:
        return []
    rows = []
    for p in params:
        if getattr(p, "param_type_name", "") == "argument":
            name = (p.metavar or p.name or "").upper()
        else:
            name = ", ".join(p.opts + list(getattr(p, "secondary_opts", [])))
        default = p.default
        shown = "" if default in (None, False, (), []) or callable(default) else str(default)
        help_text = _escape(" ".join((getattr(p, "help", None) or "").split()))
        required = " (required)" if p.required else ""
        rows.append((f"``{name}``", help_text + required, f"``{shown}``" if shown else ""))
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 25 55 20", ""]
    lines += ["   * - argument or option", "     - meaning", "     - default"]
    for name, help_text, default in rows:
        lines += [f"   * - {name}", f"     - {help_text or ' '}", f"     - {default or ' '}"]
    return [*lines, ""]


class JtbdCli(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(_rst_lines(), "jtbd-cli"), container)
        return container.children


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("jtbd-cli", JtbdCli)
    return {"parallel_read_safe": True, "version": "1"}
