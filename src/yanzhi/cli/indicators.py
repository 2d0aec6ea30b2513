"""`yanzhi indicators compute`, `yanzhi status`, `yanzhi attribution`, `yanzhi warnings`."""

from __future__ import annotations

from typing import Annotated

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
from yanzhi.core.periods import parse_period
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring import compute as indicators
from yanzhi.services.monitoring import status as status_svc

app = typer.Typer(
    help="Indicator values for every unit and period. / 指标计算", no_args_is_help=True
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


def _num(v: object, digits: int = 2) -> str:
    return "—" if v is None else f"{v:,.{digits}f}" if isinstance(v, float | int) else str(v)


def status(
    org_unit: OrgUnitOpt = None,
    year: Annotated[int | None, typer.Option(help="Assess as of this year")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Every headline indicator: value, target, status, forecast (default org unit: the
    plan's region). / 核心指标进展"""
    unit = org_unit_of(org_unit, old_unit)
    with handled(as_json), engine_for(database) as engine:
        data = status_svc.status(engine, unit=unit, year=year)
    if as_json:
        print_json(data.to_dict())
        return
    u = data.unit
    table = Table(
        "indicator / 指标",
        "value",
        "year",
        "target",
        "status / 状态",
        "2027 forecast (80%)",
        "P(meet)",
        title=f"{u.name} {u.code}",
    )
    for i in data.indicators:
        f = i.forecast
        band = (
            f"{_num(f.get('expected'))} ({_num(f.get('lower80'))}–{_num(f.get('upper80'))})"
            if f.get("expected") is not None
            else "—"
        )
        p = f.get("probability_meeting_target")
        table.add_row(
            i.name,
            _num(i.value),
            str(i.year or "—"),
            f"{i.target:g} {i.unit}" if i.target is not None else "—",
            f"{i.status_zh} {i.status}",
            band,
            "—" if p is None else f"{p:.0%}",
        )
    console.print(table)
    for i in data.indicators:  # the coverage flag of a figure (incomplete, unlocked)
        if i.coverage is not None and i.coverage.flagged:
            console.print(f"[yellow]⚠ {i.name}: {i.coverage.note_zh}[/yellow]")
    if any(i.synthetic for i in data.indicators):
        console.print("[yellow]includes SYNTHETIC demo data / 含示例数据[/yellow]")


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


def warnings(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Off-track indicators, townships with falling R&D, enterprises that stopped R&D."""
    with handled(as_json), engine_for(database) as engine:
        data = analysis.warnings(engine)
    if as_json:
        print_json(data.to_dict())
        return
    console.print(f"[bold]off track / 进展滞后[/bold]: {len(data.off_track)}")
    for w in data.off_track[:30]:
        console.print(
            f"  {w.name} {w.indicator}: {_num(w.value)} ({w.year}) "
            f"target {w.target} — {w.status_zh}",
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
