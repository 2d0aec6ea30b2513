"""The `yanzhi` command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi import __version__
from yanzhi.cli import (
    assess,
    calendar,
    cases,
    composite,
    data,
    enterprise,
    evaluate,
    exchange,
    indicators,
    notify,
    orgunits,
    plan,
    progress,
    report,
    tasks,
    web,
)
from yanzhi.cli.common import DatabaseOpt, JsonOpt, actor, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services import database as database_svc
else:
    database_svc = lazy("yanzhi.services.database")

app = group(
    "研值 yanzhi — run a regional S&T innovation plan. / 科技创新规划监测平台",
    pretty_exceptions_enable=False,
)
app.add_typer(plan.app, name="plan")
app.add_typer(orgunits.app, name="orgunits")
app.add_typer(progress.app, name="progress")
app.add_typer(composite.app, name="composite")
app.add_typer(data.import_app, name="import")
for _name in ("validate", "submit", "approve", "unlock", "completeness", "template"):
    app.command(_name)(getattr(data, _name))
app.command("demo-data")(data.demo_data)
app.add_typer(indicators.app, name="indicators")
for _name in ("status", "attribution", "warnings"):
    app.command(_name)(getattr(indicators, _name))
app.command("override-status")(indicators.override_status)
app.add_typer(enterprise.enterprise_app, name="enterprise")
app.add_typer(enterprise.policy_app, name="policy")
app.add_typer(enterprise.lists_app, name="lists")
app.add_typer(cases.app, name="cases")
app.add_typer(report.app, name="report")
app.command("evaluate")(evaluate.evaluate)
app.add_typer(assess.app, name="assess")
app.add_typer(tasks.app, name="tasks")
app.add_typer(tasks.registers_app, name="registers")
app.command("targets")(tasks.targets)
app.command("guarantees")(tasks.guarantees)
app.command("reforms")(tasks.reforms)
app.command("landmarks")(tasks.landmarks)
app.command("serve")(web.serve)
app.command("demo")(web.demo)
app.add_typer(web.users_app, name="users")
app.add_typer(notify.app, name="notify")
app.add_typer(calendar.app, name="calendar")
app.add_typer(exchange.app, name="exchange")


@app.command()
def init(
    database: DatabaseOpt = None,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", help="Plan file (default: built-in Ningbo plan)")
    ] = None,
    divisions: Annotated[
        Path | None, typer.Option(help="Division CSV (default: built-in Ningbo)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or migrate the database and load the divisions and the plan."""
    with handled(as_json), engine_for(database) as engine:
        result = database_svc.init_database(
            engine, actor=actor(), plan_file=plan_file, divisions_file=divisions
        )
    if as_json:
        print_json(result.__dict__)
        return
    console.print(
        f"database / 数据库: {result.database} (schema {result.revision}, {result.tables} tables)"
    )
    if result.kept:
        console.print(
            f"区划和规划 {result.plan_code} 已在库中, 保持不变(更换请用 --plan / --divisions "
            f"或 yanzhi plan load) / divisions and plan already stored, kept as they are",
            highlight=False,
        )
        return
    console.print(
        f"org units / 区划: {result.units_created} created, {result.units_updated} updated"
    )
    console.print(f"plan / 规划: {result.plan_code}, {result.plan_changes} change(s)")


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


if __name__ == "__main__":  # pragma: no cover
    app()
