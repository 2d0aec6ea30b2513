"""Shared CLI plumbing: database option, JSON output, turning errors into messages."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from yanzhi.cli.lazy import lazy
from yanzhi.core.errors import YanzhiError
from yanzhi.core.issues import InputRejected, Issue, Severity

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from yanzhi import config
    from yanzhi.services import database
else:
    config = lazy("yanzhi.config")
    database = lazy("yanzhi.services.database")

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        "-d",
        help="Database URL (default: $YANZHI_DATABASE_URL or ./yanzhi.db)",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]


@contextmanager
def engine_for(database: str | None) -> Iterator[Engine]:
    """The database for one command; its connections are closed when the command ends."""
    engine = _open(database)
    try:
        yield engine
    finally:
        engine.dispose()


def _open(url: str | None) -> Engine:
    return database.open_database(url)


def actor() -> str:
    return config.actor()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


SYNTHETIC_LINE = "[yellow]SYNTHETIC demo data / 示例数据(合成)[/yellow]"


def labelled_rows(rows: list[dict[str, Any]], engine: Engine) -> list[dict[str, Any]]:
    """Rows of a JSON list, each with ``synthetic`` (does the database hold generated demo
    data?) for the commands whose rows carry no flag of their own."""
    synthetic = database.has_synthetic(engine)
    return [{**r, "synthetic": r.get("synthetic", synthetic)} for r in rows]


def labelled(data: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """A JSON object with a top-level ``synthetic`` (kept if it has one already)."""
    return data if "synthetic" in data else {**data, "synthetic": database.has_synthetic(engine)}


def print_issues(issues: list[Issue]) -> None:
    for i in issues:
        mark = "[red]✗[/red]" if i.severity is Severity.ERROR else "[yellow]⚠[/yellow]"
        err_console.print(f"{mark} {i.where}", highlight=False)
        err_console.print(f"    {i.message_zh}", highlight=False)
        err_console.print(f"    {i.message_en}  [dim]\\[{i.rule}][/dim]", highlight=False)


@contextmanager
def handled(as_json: bool = False) -> Iterator[None]:
    """Known failures become a clear message and an exit code, never a traceback: the one
    place the CLI maps errors. A named error (``core.errors``) prints its Chinese message
    first, then the English one, and exits with its ``exit_code``; bare Python errors of a
    user's making (a wrong value, an unknown name) and database errors exit with 2."""
    try:
        yield
    except InputRejected as exc:
        if as_json:
            print_json({"ok": False, "errors": [i.to_dict() for i in exc.issues]})
        else:
            print_issues(exc.issues)
            err_console.print(
                f"[red]{len(exc.issues)} error(s); nothing was stored / "
                f"共 {len(exc.issues)} 处错误, 未写入任何数据[/red]"
            )
        raise typer.Exit(1) from None
    except YanzhiError as exc:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "error": str(exc),
                    "code": exc.code,
                    "message_zh": exc.zh,
                    "message_en": exc.en,
                }
            )
        else:
            err_console.print(f"[red]错误:[/red] {exc.zh}", highlight=False)
            if exc.en != exc.zh:
                err_console.print(f"[red]error:[/red] {exc.en}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except (_database_error(), LookupError, ValueError, PermissionError) as exc:
        if as_json:
            print_json({"ok": False, "error": str(exc)})
        else:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except _storage_errors() as exc:
        zh, en = storage_failure(exc)
        if as_json:
            print_json({"ok": False, "error": en, "message_zh": zh, "message_en": en})
        else:
            err_console.print(f"[red]错误:[/red] {zh}", highlight=False)
            err_console.print(f"[red]error:[/red] {en}", highlight=False)
        raise typer.Exit(2) from None


def _database_error() -> type[Exception]:
    """yanzhi's own database error (imported when an error is being handled)."""
    from yanzhi.storage.db import DatabaseError

    return DatabaseError


def _storage_errors() -> tuple[type[Exception], ...]:
    """The database drivers' and the file system's errors (the drivers imported when an
    error is being handled)."""
    import psycopg
    from sqlalchemy.exc import SQLAlchemyError

    return (SQLAlchemyError, psycopg.Error, sqlite3.Error, OSError)


_DISK_FULL = (
    "disk is full",
    "disk i/o error",
    "no space left",
    "file too large",
    "disk full",
    "errno 27",
    "errno 28",
)


def storage_failure(exc: BaseException) -> tuple[str, str]:
    """A database or file-system failure in words (Chinese, English); nothing of the
    failed command was stored, since every write is one transaction."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if any(k in text for k in _DISK_FULL) or getattr(exc, "errno", None) in (27, 28):
        return (
            "磁盘空间不足或写入失败, 本次操作未写入任何数据; 腾出空间后可重新执行",
            "disk full or a write failed: nothing was written; free space and run it again",
        )
    first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    return (
        f"数据库或文件错误, 本次操作未写入任何数据: {first}",
        f"database or file error, nothing was written: {first}",
    )


def run(fn: Callable[[], Any]) -> Any:
    with handled():
        return fn()


OrgUnitOpt = Annotated[
    str | None,
    typer.Option(
        "--org-unit",
        help="Org unit code (区划代码): a township, a district (all its townships) or the "
        "city; a department for task owners",
        show_default=False,
    ),
]
OldUnitOpt = Annotated[
    str | None,
    typer.Option("--unit", hidden=True, help="Deprecated spelling of --org-unit"),
]


def renamed(value: str | None, old: str | None, flag: str) -> str | None:
    """The value of an option renamed from ``--unit`` to ``flag``: the old spelling still
    works for one release, with a deprecation message (Chinese + English) on stderr."""
    if old is None:
        return value
    err_console.print(
        f"[yellow]--unit 已弃用, 请改用 {flag}(下一版本将移除) / --unit is deprecated; "
        f"use {flag} (it will be removed in the next release)[/yellow]",
        highlight=False,
    )
    if value is not None and value != old:
        raise typer.BadParameter(f"--unit {old} 与 {flag} {value} 矛盾 / contradicts {flag}")
    return old


def org_unit(value: str | None, old: str | None) -> str | None:
    """``--org-unit`` (or the deprecated ``--unit``), optional."""
    return renamed(value, old, "--org-unit")


def required_org_unit(value: str | None, old: str | None) -> str:
    """``--org-unit`` (or the deprecated ``--unit``), required."""
    unit = renamed(value, old, "--org-unit")
    if unit is None:
        raise typer.BadParameter("缺少 --org-unit / missing option --org-unit")
    return unit
