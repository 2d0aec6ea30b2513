"""`yanzhi orgunits …`: the division tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from yanzhi.cli.common import DatabaseOpt, JsonOpt, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.plan import orgunits as orgunits_svc
else:
    orgunits_svc = lazy("yanzhi.services.plan.orgunits")

app = group(
    "Org units: city, districts, townships. / 行政区划单位",
)


@app.command("list")
def list_(
    level: Annotated[str | None, typer.Option(help="city | district | township")] = None,
    parent: Annotated[str | None, typer.Option(help="Only the children of this unit code")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List org units, optionally one level or the children of one unit."""
    with handled(as_json), engine_for(database) as engine:
        units = orgunits_svc.list_units(engine, level=level, parent=parent)
    if as_json:
        print_json([u.to_dict() for u in units])
        return
    table = Table("code", "name / 名称", "level", "kind / 类型", "parent")
    for u in units:
        table.add_row(u.code, u.name, u.level, u.kind_zh, u.parent_code or "")
    console.print(table)
    console.print(f"{len(units)} unit(s) / 个单位")
