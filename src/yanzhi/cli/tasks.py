"""`yanzhi tasks …` (reports, board, 督办), `yanzhi registers …` and `yanzhi targets`."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from yanzhi.cli.common import (
    SYNTHETIC_LINE,
    DatabaseOpt,
    JsonOpt,
    actor,
    console,
    engine_for,
    err_console,
    handled,
    labelled,
    labelled_rows,
    print_issues,
    print_json,
)
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy
from yanzhi.core.periods import parse_period

if TYPE_CHECKING:
    from yanzhi.services.plan import guarantees as guarantees_svc
    from yanzhi.services.plan import landmarks as landmarks_svc
    from yanzhi.services.tasks import comments, owners, supervision
    from yanzhi.services.tasks import reforms as reforms_svc
    from yanzhi.services.tasks import registers as reg_svc
    from yanzhi.services.tasks import targets as targets_svc
    from yanzhi.services.tasks import updates as task_svc
else:
    comments = lazy("yanzhi.services.tasks.comments")
    owners = lazy("yanzhi.services.tasks.owners")
    supervision = lazy("yanzhi.services.tasks.supervision")
    reg_svc = lazy("yanzhi.services.tasks.registers")
    task_svc = lazy("yanzhi.services.tasks.updates")
    targets_svc = lazy("yanzhi.services.tasks.targets")
    guarantees_svc = lazy("yanzhi.services.plan.guarantees")
    landmarks_svc = lazy("yanzhi.services.plan.landmarks")
    reforms_svc = lazy("yanzhi.services.tasks.reforms")

app = group(
    "Key tasks: reports, board, supervision. / 重点任务",
)
registers_app = group(
    "Registers the plan counts. / 名录清单",
)

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Judge as of this date (default: today)")
]
PeriodOpt = Annotated[
    str | None, typer.Option(help="Reporting period, e.g. 2026Q4 (default: this quarter)")
]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}%"


@app.command("list")
def list_tasks(
    owner: Annotated[str | None, typer.Option(help="Lead or co-unit code")] = None,
    status: Annotated[str | None, typer.Option(help="Latest status, e.g. behind or 滞后")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue milestones")] = False,
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The task board: latest report, automatic states, roll-up. / 任务看板"""
    with handled(as_json), engine_for(database) as engine:
        data = task_svc.board(
            engine,
            owner=owner,
            status=status,
            overdue=overdue,
            period=parse_period(period) if period else None,  # parsed at the edge
            today=_day(as_of),
        )
        plain = labelled(data.to_dict(), engine)
    if as_json:
        print_json(plain)
        return
    if plain["synthetic"]:
        console.print(SYNTHETIC_LINE)
    table = Table(
        "task",
        "title / 任务",
        "lead / 牵头",
        "status / 状态",
        "%",
        "states / 预警",
        title=f"Tasks / 重点任务 {data.period} — plan {_pct(data.plan_progress)}",
    )
    for t in data.tasks:
        latest = t.latest
        table.add_row(
            t.code,
            t.title,
            t.lead_name or t.lead or "—",
            latest.status_label_zh if latest else "未报告",
            _pct(latest.progress if latest else None),
            "; ".join(t.state_labels),
        )
    console.print(table)


@app.command("report")
def report(
    task: Annotated[str, typer.Argument(help="Task code, e.g. P3.T2")],
    period: Annotated[str, typer.Option(help="Reporting period, e.g. 2026Q4")],
    status: Annotated[str, typer.Option(help="未启动|正常推进|滞后|已完成|暂缓 (or the codes)")],
    progress: Annotated[float, typer.Option(help="Percent complete, 0–100")],
    note: Annotated[str | None, typer.Option(help="Narrative / 进展说明")] = None,
    delay_reason: Annotated[str | None, typer.Option(help="Why it is late / 滞后原因")] = None,
    evidence: Annotated[
        list[Path] | None, typer.Option(help="PDF, image or Office file (repeatable)")
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Report a task's progress for a period, with evidence. / 报送任务进展"""
    with handled(as_json), engine_for(database) as engine:
        saved = task_svc.report(
            engine,
            task,
            period=parse_period(period),
            status=status,
            progress=progress,
            note=note,
            delay_reason=delay_reason,
            evidence=evidence or [],
            actor=actor(),
        )
    if as_json:
        print_json(saved.to_dict())
        return
    console.print(
        f"{task} {saved.period}: {saved.status_label_zh} / {saved.status_label_en} "
        f"{_pct(saved.progress)}, {len(saved.evidence)} evidence file(s) / 已报送"
    )


@app.command("supervise")
def supervise(
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """督办: per responsible unit, what is overdue, silent or behind, and reminders sent."""
    with handled(as_json), engine_for(database) as engine:
        data = labelled(
            supervision.supervise(engine, period=period, today=_day(as_of)).to_dict(), engine
        )
    if as_json:
        print_json(data)
        return
    if data["synthetic"]:
        console.print(SYNTHETIC_LINE)
    for unit in data["units"]:
        console.print(f"[bold]{unit['unit_name']}[/bold] ({unit['unit']})", highlight=False)
        for t in unit["tasks"]:
            sent = f" — reminded {len(t['reminders'])}× / 已督办" if t["reminders"] else ""
            console.print(f"  {t['code']} {t['title']}: {'; '.join(t['state_labels'])}{sent}")


@app.command("remind")
def remind(
    unit: Annotated[str, typer.Argument(help="Responsible unit code")],
    note: Annotated[str | None, typer.Option(help="Message")] = None,
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a reminder (督办) to a unit for each of its listed tasks."""
    with handled(as_json), engine_for(database) as engine:
        sent = supervision.remind(
            engine, unit, actor=actor(), note=note, period=period, today=_day(as_of)
        )
    if as_json:
        print_json([r.to_dict() for r in sent])
        return
    console.print(f"{len(sent)} reminder(s) recorded for {unit} / 已记录督办 {len(sent)} 条")


@app.command("comment")
def comment(
    task: Annotated[str, typer.Argument(help="Task code")],
    text: Annotated[str, typer.Argument(help="The comment / 领导批示")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A leader's comment on a task (audited). / 领导批示"""
    with handled(as_json), engine_for(database) as engine:
        saved = comments.comment(engine, task, text, actor=actor())
    print_json(saved.to_dict()) if as_json else console.print(
        f"{task}: comment recorded / 已记录批示"
    )


@app.command("assign")
def assign(
    task: Annotated[str, typer.Argument(help="Task code")],
    lead: Annotated[
        str | None, typer.Option(help="Lead unit (department or org unit code)")
    ] = None,
    co: Annotated[list[str] | None, typer.Option(help="A co-unit (repeat the option)")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Set a task's lead unit and co-units (audited). / 设置牵头和配合单位"""
    with handled(), engine_for(database) as engine:
        changed = owners.assign(engine, task, lead=lead, co_units=list(co or []), actor=actor())
    console.print(f"{task}: " + ("owners updated / 已更新" if changed else "no change / 无变化"))


@app.command("milestone")
def milestone(
    task: Annotated[str, typer.Argument(help="Task code")],
    year: Annotated[int, typer.Option(help="Milestone year")],
    title: Annotated[str, typer.Option(help="What is due")],
    due: Annotated[str | None, typer.Option(help="Due date, e.g. 2025-12-31")] = None,
    done: Annotated[bool | None, typer.Option("--done/--not-done", help="Mark it")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Add or edit a task's milestone for a year, optionally marking it done (audited)."""
    with handled(), engine_for(database) as engine:
        code = owners.set_milestone(
            engine, task, year=year, title=title, due=due, done=done, actor=actor()
        )
    console.print(f"milestone {code} saved / 里程碑已保存")


@app.command("history")
def history(
    task: Annotated[str, typer.Argument(help="Task code")],
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every report of a task, oldest first. / 报送历史"""
    with handled(as_json), engine_for(database) as engine:
        rows = task_svc.history(engine, task)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        console.print(f"{r.period} {r.status_label_zh} {_pct(r.progress)} {r.narrative or ''}")


@registers_app.command("import")
def import_register(
    kind: Annotated[str, typer.Argument(help="Register code, e.g. scenario (see `kinds`)")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or XLS file with Chinese headers")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only")] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import register entries (all or nothing; a changed entry gets a new version)."""
    with handled(as_json), engine_for(database) as engine:
        rep = reg_svc.import_register(engine, kind, file, actor=actor(), dry_run=dry_run)
    if as_json:
        print_json(rep.to_dict())
    elif rep.errors:
        print_issues(rep.errors)
        err_console.print(f"[red]{len(rep.errors)} error(s); nothing was stored / 未写入[/red]")
    else:
        console.print(
            f"{rep.file}: {rep.rows} rows: {rep.created} created, {rep.updated} updated, "
            f"{rep.unchanged} unchanged / 新增 {rep.created}, 更新 {rep.updated}"
        )
    raise typer.Exit(0 if rep.ok else 1)


@registers_app.command("list")
def list_register(
    kind: Annotated[str, typer.Argument(help="Register code")],
    history: Annotated[bool, typer.Option("--history", help="Include earlier versions")] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The entries of a register. / 名录"""
    with handled(as_json), engine_for(database) as engine:
        rows = reg_svc.list_register(engine, kind, history=history)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table("code", "name / 名称", "unit / 区划", "from", "to", "list", title=kind)
    for r in rows:
        table.add_row(
            r.code,
            r.name,
            r.org_unit_code,
            r.valid_from,
            r.valid_to or "",
            r.list_name or "",
        )
    console.print(table)


@registers_app.command("kinds")
def kinds(as_json: JsonOpt = False) -> None:
    """The registers and the plan metrics they count."""
    data = reg_svc.kinds()
    if as_json:
        print_json([k.to_dict() for k in data])
        return
    for k in data:
        console.print(f"{k.code}: {k.name} / {k.name_en} → {', '.join(k.metrics)}")


def targets(as_of: AsOfOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Every quantitative target: value, path and status. / 量化目标进展"""
    with handled(as_json), engine_for(database) as engine:
        rows = targets_svc.list_targets(engine, as_of=_day(as_of))
        plain = labelled_rows([t.to_dict() for t in rows], engine)
    if as_json:
        print_json(plain)
        return
    if plain and plain[0]["synthetic"]:
        console.print(SYNTHETIC_LINE)
    table = Table(
        "target",
        "description / 目标",
        "value / 当前",
        "path / 应达",
        "status / 状态",
        title="Quantitative targets / 量化目标",
    )
    for t in rows:
        value = "—" if t.value is None else f"{t.value:g} ({t.year})"
        expected = "—" if t.expected is None else f"{t.expected:g}"
        table.add_row(t.code, t.description, value, expected, t.status_label_zh)
    console.print(table)


def guarantees(
    as_of: AsOfOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """The plan's guarantee measures: the rules a number checks (an average yearly growth, an
    amount by the last year) with their verdicts for the region and its districts. / 保障措施"""
    with handled(as_json), engine_for(database) as engine:
        report = guarantees_svc.track(engine, today=_day(as_of))
    if as_json:
        print_json(asdict(report))
        return
    if report.synthetic:
        console.print(SYNTHETIC_LINE)
    console.print(
        f"保障措施 / guarantee measures: 基期{report.base_year}年, 评估到{report.as_of_year}年, "
        f"目标年{report.target_year}年",
        highlight=False,
    )
    for g in report.guarantees:
        for r in g.rules:
            if r.region is None:
                note = f"暂无数据: {r.reason}" if r.reason else "定性要求"
                console.print(f"{r.code} {r.description} — {note}", highlight=False)
                continue
            table = Table("地区 / area", "最新 / latest", "年均增速 / average", "评估 / verdict",
                          title=f"{r.code} {r.description}")  # fmt: skip
            for u in [r.region, *r.districts]:
                c = u.check
                latest = (
                    "—" if c.latest_value is None else f"{c.latest_value:,.1f} ({c.latest_year}年)"
                )
                average = "—" if c.average_growth_pct is None else f"{c.average_growth_pct:.1f}%"
                table.add_row(u.unit_name, latest, average, c.label_zh)
            console.print(table)
            console.print(r.region.check.reason_zh, highlight=False)


def landmarks(
    as_of: AsOfOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """The plan's landmark results (十百千): each against its target with the verdict of the
    task target or guarantee rule that counts it, and the items counted. / 标志性成果"""
    with handled(as_json), engine_for(database) as engine:
        report = landmarks_svc.track(engine, today=_day(as_of))
    if as_json:
        print_json(asdict(report))
        return
    if report.synthetic:
        console.print(SYNTHETIC_LINE)
    title = f"标志性成果(目标年{report.target_year}年)"
    table = Table("标志性成果 / landmark", "当前 / now", "目标 / target", "评估 / verdict",
                  "计量 / counted by", title=title)  # fmt: skip
    for lm in report.landmarks:
        now = "—" if lm.value is None else f"{lm.value:,.0f} ({lm.year}年)"
        target = "—" if lm.target is None else f"{lm.target:,.0f}{lm.unit or ''}"
        table.add_row(lm.title, now, target, lm.verdict_zh, lm.source_code or "—")
    console.print(table)
    for lm in report.landmarks:
        console.print(f"{lm.title}: {lm.reason_zh}", highlight=False)


def reforms(as_of: AsOfOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Major reforms (status, next milestone, overdue) and policies (implementing rules,
    pay-outs by year beside yanzhi's calculation of a linked rule). / 重大改革与政策"""
    with handled(as_json), engine_for(database) as engine:
        report = reforms_svc.reforms_and_policies(engine, today=_day(as_of))
    if as_json:
        print_json(asdict(report))
        return
    if report.synthetic:
        console.print(SYNTHETIC_LINE)
    status = "、".join(f"{s}{n}项" for s, n in report.by_status.items())
    console.print(
        f"重大改革 {len(report.reforms)} 项({status}), 节点逾期 {report.overdue} 项; "
        f"政策文件 {len(report.policies)} 件, 实施细则已出台 {report.rules_issued}/"
        f"应出台 {report.rules_due}",
        highlight=False,
    )
    table = Table("政策 / policy", "年度 / year", "受益企业 / beneficiaries",
                  "兑现 万元 / paid", "平台测算 万元 / estimate")  # fmt: skip
    for p in report.policies:
        for x in p.payouts:
            estimate = "—" if x.estimate is None else f"{x.estimate:,.2f}"
            table.add_row(p.name, str(x.year), f"{x.beneficiaries:,}", f"{x.amount:,.2f}", estimate)
    console.print(table)
