"""Plain help (click's, not Rich's: `yanzhi --help` then starts without importing Rich's
Markdown and traceback modules, ≈0.15 s), with each command's whole summary listed —
"English / 中文" wrapped under the command instead of cut at the width of a line."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup


def summary(cmd: Any) -> str:
    """The first paragraph of a command's help, whole, and its Chinese name where the help
    ends with one in a paragraph of its own ("… / 核心指标进展")."""
    if cmd.short_help:
        return cmd.short_help
    paragraphs = [" ".join(p.split()) for p in (cmd.help or "").split("\n\n") if p.strip()]
    if not paragraphs:
        return ""
    if len(paragraphs) > 1 and paragraphs[-1].startswith("/ "):
        return f"{paragraphs[0]} {paragraphs[-1]}"
    return paragraphs[0]


class ListedGroup(TyperGroup):
    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, summary(cmd)))
        if rows:
            with formatter.section("Commands / 命令"):
                formatter.write_dl(rows)


def group(help: str, **options: Any) -> typer.Typer:
    """A command group with this plain, listed help."""
    options.setdefault("no_args_is_help", True)
    return typer.Typer(rich_markup_mode=None, cls=ListedGroup, help=help, **options)
