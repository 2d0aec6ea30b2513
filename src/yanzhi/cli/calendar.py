"""``yanzhi calendar``: the reporting calendar (报送日历) — show it, set a due rule, move a
period's due date, load a calendar file. Every change is audited."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import (
    DatabaseOpt,
    JsonOpt,
    actor,
    console,
    engine_for,
    handled,
    print_json,
)
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy
from yanzhi.core.reportcalendar import parse_date

if TYPE_CHECKING:
    from yanzhi.services.collection import calendar as calendar_svc
    from yanzhi.views import calendar as calendar_view
else:
    calendar_svc = lazy("yanzhi.services.collection.calendar")
    calendar_view = lazy("yanzhi.views.calendar")

app = group(
    "The reporting calendar: due dates per level. / 报送日历",
)
LevelArg = Annotated[str, typer.Argument(help="enterprise | township | district")]


def _print(engine: object, as_json: bool) -> None:
    cal = calendar_svc.current(engine)  # type: ignore[arg-type]
    view = calendar_view.view_of(cal)
    if as_json:
        print_json(view.model_dump())
        return
    console.print(f"{view.name}（{view.remark}）")
    for r in view.rules:
        console.print(f"  {r.kind_zh} · {r.level_zh}: {r.rule}")
    for o in view.overrides:
        console.print(f"  {o.month} · {o.level_zh}: {o.due_zh} {o.note}")


@app.command("show")
def show(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Show the calendar in force (the stored one, else the built-in Ningbo defaults)."""
    with handled(as_json), engine_for(database) as engine:
        _print(engine, as_json)


@app.command("set")
def set_rule(
    level: LevelArg,
    rule: Annotated[str, typer.Argument(help="e.g. 次月10日 / 当月25日 / 隔月5日")],
    kind: Annotated[str, typer.Option(help="ytd (1–N月累计) | month")] = "ytd",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a level's due rule for a kind of period (audited)."""
    with handled(as_json), engine_for(database) as engine:
        calendar_svc.set_rule(engine, kind=kind, level=level, rule=rule, actor=actor())
        _print(engine, as_json)


@app.command("move")
def move(
    month: Annotated[str, typer.Argument(help="the period's last month, e.g. 2027-01")],
    level: LevelArg,
    due: Annotated[
        str | None, typer.Argument(help="the new due date 2027-02-18; omit to restore the rule")
    ] = None,
    note: Annotated[str | None, typer.Option(help="why, e.g. 春节假期顺延")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move one period's due date for one level (holidays), or restore the rule (audited)."""
    with handled(as_json), engine_for(database) as engine:
        day = parse_date(due, month) if due else None
        calendar_svc.set_override(
            engine, month=month, level=level, due=day, actor=actor(), note=note
        )
        _print(engine, as_json)


@app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="a calendar YAML file (docs/data-formats.md)")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace the calendar in force with a file (audited)."""
    with handled(as_json), engine_for(database) as engine:
        calendar_svc.load_file(engine, path, actor=actor())
        _print(engine, as_json)
