"""`yanzhi indicators compute`, `yanzhi status`, `yanzhi attribution`, `yanzhi warnings`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yanzhi.cli.common import (
    DatabaseOpt,
    JsonOpt,
    OldUnitOpt,
    OrgUnitOpt,
    actor,
    console,
    engine_for,
    handled,
    print_json,
    required_org_unit,
)
from yanzhi.cli.common import org_unit as org_unit_of
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy
from yanzhi.core.periods import label_zh, parse_period

if TYPE_CHECKING:
    from yanzhi.services import stored
    from yanzhi.services.monitoring import analysis
    from yanzhi.services.monitoring import compute as indicators
    from yanzhi.services.monitoring import status as status_svc
else:
    analysis = lazy("yanzhi.services.monitoring.analysis")
    indicators = lazy("yanzhi.services.monitoring.compute")
    status_svc = lazy("yanzhi.services.monitoring.status")
    stored = lazy("yanzhi.services.stored")

app = group(
    "Indicator values for every unit and period. / 指标计算",
)


@app.command("compute")
def compute(
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    include_unapproved: Annotated[
        bool, typer.Option(help="Also use reports not yet approved (default: approved data only)")
    ] = False,
) -> None:
    """Roll up every indicator for every unit and period and store the values."""
    with handled(as_json), engine_for(database) as engine, console.status("computing…"):
        result = indicators.compute(engine, approved_only=not include_unapproved)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"{result.rows:,} indicator values from {result.reports:,} reports "
        f"({'approved only' if result.approved_only else 'all reports'}) in "
        f"{result.seconds:.1f} s / 已计算 {result.rows:,} 个指标值"
    )
    if result.synthetic:
        console.print(SYNTHETIC)


SYNTHETIC = "[yellow]SYNTHETIC demo data / 示例数据(合成)[/yellow]"


def _num(v: object, digits: int = 2) -> str:
    return "—" if v is None else f"{v:,.{digits}f}" if isinstance(v, float | int) else str(v)


def status(
    org_unit: OrgUnitOpt = None,
    year: Annotated[int | None, typer.Option(help="Assess as of this year")] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option(help="These indicators instead of the headline ones (repeatable)"),
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Every headline indicator: value, target, the verdict with its reason, the forecast
    and the progress status since the base year (default org unit: the plan's region); a
    YTD indicator with its 同比 on levels and on the comparable basis.
    / 核心指标进展"""
    unit = org_unit_of(org_unit, old_unit)
    with handled(as_json), engine_for(database) as engine:
        if indicator:
            data = status_svc.status_many(engine, [unit], year=year, indicators=indicator)[0]
            result = data.to_dict()
        else:  # the headline status is a stored result: computed once per data change
            result = stored.headline_status(engine, unit=unit, year=year).payload
    if as_json:
        print_json(result)
        return
    _print_status(result)


def _print_status(data: dict[str, Any]) -> None:
    u = data["unit"]
    rows = data["indicators"]
    years = {i["target_year"] for i in rows}
    table = Table(
        "指标",
        "当前值",
        "年份",
        "目标",
        "结论",
        f"{years.pop()}年预测(80%区间)" if len(years) == 1 else "目标年预测(80%区间)",
        "达标概率",
        "进展评估(基期以来)",
        title=f"{u['name']} {u['code']}",
    )
    for i in rows:
        f = i["forecast"]
        band = (
            f"{_num(f.get('expected'))} ({_num(f.get('lower80'))}–{_num(f.get('upper80'))})"
            if f.get("expected") is not None
            else "—"
        )
        p = f.get("probability_meeting_target")
        table.add_row(
            i["name"],
            _num(i["value"]),
            str(i["year"] or "—"),
            f"{i['target']:g}{i['unit']}" if i["target"] is not None else "—",
            i["verdict_zh"],
            band,
            "—" if p is None else f"{p:.1%}",
            i["status_zh"],
        )
    console.print(table)
    for i in rows:
        console.print(
            f"  {i['name']}: {i['verdict_zh']}。{i['verdict_reason_zh']}", highlight=False
        )
        ytd = i.get("ytd")
        if ytd is not None and ytd.get("yoy_level") is not None:
            console.print(f"  {i['name']}: {_ytd_text(ytd)}", highlight=False)
    for i in rows:  # the coverage flag of a figure (incomplete, unlocked)
        cov = i.get("coverage")
        if cov is not None and cov.get("flagged"):
            console.print(f"[yellow]⚠ {i['name']}: {cov['note_zh']}[/yellow]")
    if any(i.get("synthetic") for i in rows):
        console.print("[yellow]includes SYNTHETIC demo data / 含示例数据[/yellow]")


def _ytd_text(y: dict[str, Any]) -> str:
    """1–N月累计 and its 同比: comparable basis first (as statistics offices publish it)."""
    level = f"总量口径 {y['yoy_level']:+.2%}" if y.get("yoy_level") is not None else ""
    head = f"{label_zh(y['period'])}累计 {_num(y['value'])}, 同比"
    if y.get("yoy_comparable") is None:
        return f"{head} {level}"
    return (
        f"{head} {y['yoy_comparable']:+.2%} (可比口径, "
        f"{y['comparable_enterprises']:,} 家企业两期均有已审核报表; {level})"
    )


def attribution(
    indicator: Annotated[
        str, typer.Option(help="An enterprise ratio indicator")
    ] = "IND_RD_INTENSITY",
    start: Annotated[str, typer.Option("--from", help="2022 or 2023-01..11")] = "2022",
    end: Annotated[str, typer.Option("--to", help="2024 or 2024-01..11")] = "2024",
    by: Annotated[str, typer.Option(help="district | township | industry")] = "district",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Why the indicator moved: within-unit and structural effects, top enterprises."""
    with handled(as_json), engine_for(database) as engine:
        data = analysis.attribution(
            engine, indicator=indicator, start=parse_period(start), end=parse_period(end), by=by
        )
    if as_json:
        print_json(data.to_dict())
        return
    console.print(
        f"{data.name} {data.start} → {data.end}: "
        f"{_num(data.intensity0, 3)} → {_num(data.intensity1, 3)} "
        f"(Δ {_num(data.change, 3)}; within / 强度效应 {_num(data.within, 3)}, "
        f"structure / 结构效应 {_num(data.structure, 3)})"
    )
    table = Table(by, "name", "within", "structure", "total", "share")
    key = analysis.GROUPS[by]
    for g in sorted(data.groups, key=lambda g: -abs(g["total"] or 0))[:20]:
        share = g.get("share_of_change")
        table.add_row(
            str(g[key]),
            g.get("name", ""),
            _num(g["within"], 3),
            _num(g["structure"], 3),
            _num(g["total"], 3),
            "—" if share is None else f"{share:.0%}",
        )
    console.print(table)
    if data.synthetic:
        console.print(SYNTHETIC)


def warnings(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Off-track indicators, townships with falling R&D, enterprises that stopped R&D."""
    with handled(as_json), engine_for(database) as engine:
        data = analysis.warnings(engine)
    if as_json:
        print_json(data.to_dict())
        return
    console.print(f"[bold]off track or at risk / 难以达标或存在风险[/bold]: {len(data.off_track)}")
    for w in data.off_track[:30]:
        console.print(
            f"  {w.name} {w.indicator}: {_num(w.value)} ({w.year}) "
            f"target {w.target} — {w.verdict_zh}: {w.verdict_reason_zh}",
            highlight=False,
        )
    console.print(
        f"[bold]townships with falling YTD R&D / 研发费用同比下降的乡镇[/bold]: "
        f"{len(data.falling_townships)}"
    )
    for f in data.falling_townships[:20]:
        console.print(
            f"  {f.name} {f.period}: {_num(f.value)} vs {_num(f.previous_year_value)} ",
            highlight=False,
        )
    s = data.stopped
    split = (
        f" (报送为零 reported zero {s.reported_zero}, 未报送 not reported {s.not_reported}; "
        f"{s.period} vs {s.previous_period})"
        if s is not None
        else ""
    )
    console.print(
        f"[bold]enterprises that stopped R&D / 停止研发的企业[/bold]: "
        f"{len(data.stopped_enterprises)}{split}"
    )
    if data.synthetic:
        console.print(SYNTHETIC)


def override_status(
    indicator: Annotated[str, typer.Option(help="Indicator code")],
    org_unit: OrgUnitOpt = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="target_achieved | substantial_progress | moderate_progress | limited_progress | "
            "deterioration | not_available"
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (required to set)")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the override")] = False,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Set a manual progress status with a reason (audited), or --clear it. / 人工调整状态"""
    unit = required_org_unit(org_unit, old_unit)
    if not clear and status is None:
        raise typer.BadParameter("give --status or --clear")
    with handled(as_json), engine_for(database) as engine:
        result = status_svc.override_status(
            engine,
            indicator=indicator,
            unit=unit,
            status=None if clear else status,
            reason=reason,
            actor=actor(),
        )
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(
            f"{indicator} {unit}: "
            + (
                "override cleared / 已取消人工调整"
                if clear
                else f"status set to {status} / 已人工调整"
            )
        )
