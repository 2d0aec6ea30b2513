"""`yanzhi assess`: the annual 考核 of the districts — list, a district's self-assessment,
the city's review, publication (公示) and locking (docs/assessment.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from yanzhi.cli.common import DatabaseOpt, JsonOpt, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.access import principal as access
    from yanzhi.services.evaluation import assessment as svc
else:
    svc = lazy("yanzhi.services.evaluation.assessment")
    access = lazy("yanzhi.services.access.principal")

app = group("The annual assessment (考核) of the districts. / 区县年度考核")

YearOpt = Annotated[int, typer.Option(help="Assessment year")]
UnitArg = Annotated[str, typer.Argument(help="District code, e.g. 330212")]
JsonText = Annotated[str, typer.Option(help='JSON, e.g. {"tasks": 90}')]


def _json(text: str, what: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{what}: not JSON ({exc}) / 不是有效的 JSON") from None
    if not isinstance(value, dict):
        raise typer.BadParameter(f"{what}: a JSON object / 须为 JSON 对象")
    return value


def _print(found: list, as_json: bool) -> None:
    if as_json:
        print_json([asdict(a) for a in found])
        return
    table = Table(
        "区县 / district",
        "状态 / state",
        "总分 / total",
        "名次 / rank",
        title=found[0].scheme_name if found else "考核",
    )
    for a in found:
        table.add_row(a.unit_name, a.state_zh, f"{a.score.total:.2f}", str(a.rank or "—"))
    console.print(table)


@app.command("list")
def list_(year: YearOpt, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Every district's assessment of the year: state, score, rank among the published."""
    with handled(as_json), engine_for(database) as engine:
        found = svc.assessments(engine, year=year, principal=access.SYSTEM)
    _print(found, as_json)


@app.command("submit")
def submit(
    unit: UnitArg,
    year: YearOpt,
    reported: JsonText = "{}",
    claims: JsonText = "{}",
    database: DatabaseOpt = None,
) -> None:
    """A district's self-assessment: --reported '{"tasks": 90}' --claims
    '{"B1": {"count": 1, "evidence": "…"}}'."""
    with handled(), engine_for(database) as engine:
        svc.submit(
            engine,
            year=year,
            unit=unit,
            reported=_json(reported, "--reported"),
            claims=_json(claims, "--claims"),
            principal=access.SYSTEM,
        )
    console.print(f"{unit} {year}: 自评已提交 / submitted")


@app.command("review")
def review(
    unit: UnitArg, year: YearOpt, adjustments: JsonText = "{}", database: DatabaseOpt = None
) -> None:
    """The city's review: --adjustments '{"tasks": {"value": 80, "comment": "…"}}'."""
    with handled(), engine_for(database) as engine:
        svc.review(
            engine,
            year=year,
            unit=unit,
            adjustments=_json(adjustments, "--adjustments"),
            principal=access.SYSTEM,
        )
    console.print(f"{unit} {year}: 已审核 / reviewed")


@app.command("publish")
def publish(year: YearOpt, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """公示: the year's reviewed assessments published, each score kept as published."""
    with handled(as_json), engine_for(database) as engine:
        found = svc.publish(engine, year=year, principal=access.SYSTEM)
    _print(found, as_json)


@app.command("lock")
def lock(year: YearOpt, database: DatabaseOpt = None) -> None:
    """After the publicity period: the year's published assessments locked."""
    with handled(), engine_for(database) as engine:
        n = svc.lock(engine, year=year, principal=access.SYSTEM)
    console.print(f"{year}: 已锁定 {n} 个区县 / {n} locked")
