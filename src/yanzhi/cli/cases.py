"""`yanzhi cases …`: 诊断+提升 casework — the prioritised list, the cases, opening a case,
recording a visit, reminders of overdue actions and the effect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import DatabaseOpt, JsonOpt, actor, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.access import principal
    from yanzhi.services.enterprises import caseeffect, cases
    from yanzhi.services.enterprises import lists as lists_svc
else:
    principal = lazy("yanzhi.services.access.principal")
    caseeffect = lazy("yanzhi.services.enterprises.caseeffect")
    cases = lazy("yanzhi.services.enterprises.cases")
    lists_svc = lazy("yanzhi.services.enterprises.lists")

app = group("诊断+提升 casework: prioritised list, cases, visits, reminders, effect. / 诊断服务")

YearOpt = Annotated[int, typer.Option(help="The diagnosis year (a full year)")]
SYNTHETIC = "[yellow]演示数据(合成) / SYNTHETIC demo data[/yellow]"


def _me() -> principal.Principal:
    return principal.Principal(actor(), "admin")


@app.command("priority")
def priority(
    year: YearOpt,
    out: Annotated[Path | None, typer.Option("--out", help="Also write an .xlsx")] = None,
    top: Annotated[int, typer.Option(help="Rows to print")] = 10,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The prioritised diagnosis list with the reason for each. / 优先诊断清单"""
    with handled(as_json), engine_for(database) as engine:
        rows = caseeffect.priority_list(engine, year=year, principal=principal.SYSTEM)
    if out:
        lists_svc.write_xlsx(rows, out, title=f"priority {year}")
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if lists_svc.is_synthetic(rows):
        console.print(SYNTHETIC)
    console.print(f"{year}年优先诊断清单: {len(rows)}家" + (f" → {out}" if out else ""))
    for r in rows[:top]:
        console.print(f"  {r.rank:>3}. {r.name} ({r.district}) 得分{r.score:.2f}: {r.reason}")


@app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option(help="open | closed")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The cases with their open and overdue actions. / 服务案件"""
    with handled(as_json), engine_for(database) as engine:
        rows = cases.list_cases(engine, principal=principal.SYSTEM, status=status)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    if any(r.synthetic for r in rows):
        console.print(SYNTHETIC)
    console.print(f"服务案件 {len(rows)}件")
    for r in rows[:30]:
        console.print(
            f"  {r.name} {r.status_zh} 承办:{r.assignee} 未完成措施{r.actions_open}"
            f"(逾期{r.actions_overdue}) 强度变化{r.change_pp if r.change_pp is not None else '—'}"
        )


@app.command("open")
def open_cmd(
    uscc: str,
    year: YearOpt,
    assignee: Annotated[str | None, typer.Option(help="A township officer's account")] = None,
    provider: Annotated[str | None, typer.Option(help="A service provider's name")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a case for an enterprise. / 立案"""
    with handled(as_json), engine_for(database) as engine:
        d = cases.open_case(
            engine,
            uscc,
            principal=_me(),
            diagnosis_year=year,
            assignee_user=assignee,
            provider=provider,
        )
    print_json(d.to_dict()) if as_json else console.print(f"立案: {d.name} ({d.reason})")


@app.command("visit")
def visit_cmd(
    uscc: str,
    visitor: Annotated[str, typer.Option(help="Who visited")],
    findings: Annotated[str, typer.Option(help="What was found")],
    date: Annotated[str | None, typer.Option(help="Visit date YYYY-MM-DD (default today)")] = None,
    action: Annotated[
        list[str] | None,
        typer.Option(
            help="Agreed action: bookkeeping|institution|certification|deduction|reserve_fund"
        ),
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a visit with its agreed actions. / 登记走访"""
    with handled(as_json), engine_for(database) as engine:
        d = cases.record_visit(
            engine,
            uscc,
            principal=_me(),
            visited_on=dt.date.fromisoformat(date) if date else dt.date.today(),
            visitor=visitor,
            findings=findings,
            actions=[cases.Agreed(a) for a in action or []],
        )
    if as_json:
        print_json(d.to_dict())
        return
    console.print(f"走访已登记: {d.name}, 未完成措施{len(d.open_actions)}项")


@app.command("remind")
def remind_cmd(
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Notify the assignees of overdue actions (for the scheduler). / 逾期措施提醒"""
    with handled(as_json), engine_for(database) as engine:
        r = cases.remind(engine, actor=actor())
    if as_json:
        print_json({"overdue": r.overdue, "reminded": r.reminded, "notifications": r.notifications})
        return
    console.print(f"逾期措施{r.overdue}项, 本次提醒{r.reminded}项, 通知{r.notifications}条")


@app.command("effect")
def effect_cmd(year: YearOpt, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """The effect of the cases by district (difference in differences). / 服务效果"""
    with handled(as_json), engine_for(database) as engine:
        e = caseeffect.effect(engine, year=year, principal=principal.SYSTEM)
    if as_json:
        print_json(e.to_dict())
        return
    if e.synthetic:
        console.print(SYNTHETIC)
    console.print(
        f"{e.diagnosis_year}→{e.after_year}年 案件{e.cases}件(缺次年数据{e.without_data}件)"
    )
    for r in e.rows:
        if r.effect_pp is None:
            continue
        console.print(
            f"  {r.district or '合计'}: 有案件{r.matched}家 变化{r.treated_change_pp:+.3f} "
            f"可比{r.controls}家 变化{r.control_change_pp:+.3f} 效果{r.effect_pp:+.3f}个百分点"
        )
