"""`yanzhi import …`, `yanzhi validate …`, the reporting workflow and templates."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from yanzhi.cli.common import (
    SYNTHETIC_LINE,
    DatabaseOpt,
    JsonOpt,
    OldUnitOpt,
    OrgUnitOpt,
    actor,
    console,
    engine_for,
    err_console,
    handled,
    labelled_rows,
    print_issues,
    print_json,
    renamed,
    required_org_unit,
)
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy
from yanzhi.core.dataformats import DATA_KINDS
from yanzhi.core.periods import parse_ytd

if TYPE_CHECKING:
    from yanzhi.services.collection import imports, templates
    from yanzhi.services.collection import workflow as reporting
else:
    reporting = lazy("yanzhi.services.collection.workflow")
    imports = lazy("yanzhi.services.collection.imports")
    templates = lazy("yanzhi.services.collection.templates")

import_app = group(
    "Import data files (all or nothing). / 导入数据文件",
)
FileArg = Annotated[
    Path, typer.Argument(help="CSV or tab-separated text (UTF-8 / GBK / UTF-16), XLSX or XLS")
]
EncodingOpt = Annotated[str | None, typer.Option(help="CSV encoding (default: detected)")]
SheetOpt = Annotated[str | None, typer.Option(help="XLSX / XLS sheet (default: the first)")]
MoneyUnitOpt = Annotated[
    str | None,
    typer.Option("--money-unit", help="Money unit when the header has none: 元|千元|万元|亿元"),
]
OldMoneyUnitOpt = Annotated[
    str | None,
    typer.Option("--unit", hidden=True, help="Deprecated spelling of --money-unit"),
]
PeriodOpt = Annotated[
    str | None, typer.Option(help="Period for a file without a period column, e.g. 2024-01..05")
]


def _run(
    kind: str,
    file: Path,
    database: str | None,
    as_json: bool,
    dry_run: bool,
    encoding: str | None,
    sheet: str | None,
    money_unit: str | None,
    period: str | None,
) -> None:
    status = nullcontext() if as_json else console.status(f"{file.name}…", spinner="dots")
    stages = {"read": "reading / 读取", "check": "checking / 校验", "write": "writing / 写入"}

    def progress(stage: str) -> None:
        if as_json:
            return
        line = f"{file.name}: {stages.get(stage, stage)}…"
        if console.is_terminal:
            status.update(line)  # type: ignore[union-attr]
        else:  # a log or a pipe: one line per stage
            console.print(line)

    with handled(as_json), engine_for(database) as engine, status:
        report = imports.import_file(
            engine,
            kind,
            file,
            actor=actor(),
            dry_run=dry_run,
            encoding=encoding,
            sheet=sheet,
            money_unit=money_unit,
            period=period,
            progress=progress,
        )
    _print(report, as_json)
    raise typer.Exit(0 if report.ok else 1)


def _print(report: imports.ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    if report.errors:
        print_issues(report.errors)
        err_console.print(
            f"[red]{len(report.errors)} error(s) in {report.rows} rows; nothing was "
            f"stored / 共 {len(report.errors)} 处错误, 未写入任何数据[/red]"
        )
    if report.warnings:
        print_issues(report.warnings)
        err_console.print(
            f"[yellow]{len(report.warnings)} warning(s) / 警告 {len(report.warnings)} 条[/yellow]"
        )
    if not report.ok:
        return
    verb = "would change" if report.dry_run else "imported"
    if report.nothing_changed:
        console.print(
            f"{report.file}: {report.rows} rows, identical to what is stored — no change "
            f"/ 与库中数据相同, 无变化"
        )
    else:
        console.print(
            f"{report.file}: {report.rows} rows {verb}: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged / 新增 {report.created}, "
            f"更新 {report.updated}, 未变 {report.unchanged}"
            + (" (dry run, nothing stored / 试运行, 未写入)" if report.dry_run else "")
        )


def _command(kind: str, help_: str) -> None:
    @import_app.command(kind, help=help_)
    def command(
        file: FileArg,
        database: DatabaseOpt = None,
        as_json: JsonOpt = False,
        encoding: EncodingOpt = None,
        sheet: SheetOpt = None,
        money_unit: MoneyUnitOpt = None,
        period: PeriodOpt = None,
        old_unit: OldMoneyUnitOpt = None,
    ) -> None:
        money = renamed(money_unit, old_unit, "--money-unit")
        _run(kind, file, database, as_json, False, encoding, sheet, money, period)


for _spec in DATA_KINDS.values():  # one command per declared import kind
    _command(_spec.code, f"{_spec.zh} / {_spec.en}.")


def validate(
    kind: Annotated[str, typer.Argument(help="enterprises | rd | stats")],
    file: FileArg,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    money_unit: MoneyUnitOpt = None,
    period: PeriodOpt = None,
    old_unit: OldMoneyUnitOpt = None,
) -> None:
    """Dry run: check a file against the database and report what an import would do."""
    money = renamed(money_unit, old_unit, "--money-unit")
    _run(kind, file, database, as_json, True, encoding, sheet, money, period)


PeriodReq = Annotated[str, typer.Option("--period", help="Year-to-date period, e.g. 2024-01..05")]


def _workflow(
    action: str,
    period: str,
    unit: str,
    database: str | None,
    as_json: bool,
    reason: str | None = None,
) -> None:
    with handled(as_json), engine_for(database) as engine:
        p = parse_ytd(period, months=False)  # the CLI parses at the edge
        result = reporting.transition(
            engine, action, period=p, unit=unit, actor=actor(), reason=reason
        )
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"{action} {result.period}: {len(result.changed)} unit(s) changed / 已处理 "
        f"{len(result.changed)} 个单位; {len(result.skipped)} skipped / 跳过"
    )
    for code, why in list(result.skipped.items())[:20]:
        console.print(f"  {code}: {why}", highlight=False)


def submit(
    period: PeriodReq,
    org_unit: OrgUnitOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Submit a period's data (township or district officer). / 上报"""
    _workflow("submit", period, required_org_unit(org_unit, old_unit), database, as_json)


def approve(
    period: PeriodReq,
    org_unit: OrgUnitOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Approve and lock submitted data (city). / 审核并锁定"""
    _workflow("approve", period, required_org_unit(org_unit, old_unit), database, as_json)


def unlock(
    period: PeriodReq,
    reason: Annotated[str, typer.Option(help="Why the locked data must change")],
    org_unit: OrgUnitOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Unlock approved data, with a reason (admin). / 解锁"""
    _workflow("unlock", period, required_org_unit(org_unit, old_unit), database, as_json, reason)


def completeness(
    period: PeriodReq,
    level: Annotated[str, typer.Option(help="township | district | city")] = "district",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reporting completeness: expected, on time, late, missing, each unit's submission
    against the reporting calendar. / 报送完整率（按时、逾期、未报）"""
    with handled(as_json), engine_for(database) as engine:
        rows = reporting.completeness(engine, period=parse_ytd(period, months=False), level=level)
        plain = labelled_rows([r.to_dict() for r in rows], engine)
    if as_json:
        print_json(plain)
        return
    if plain and plain[0]["synthetic"]:
        console.print(SYNTHETIC_LINE)
    table = Table(
        "code",
        "name / 名称",
        "expected / 应报",
        "received / 已报",
        "rate",
        "on time / 按时",
        "late / 逾期",
        "missing / 未报",
        "unit / 本级报送",
        "status / 状态",
        title=f"Completeness / 报送完整率 {period}",
    )
    for r in rows:
        rate = "" if r.rate is None else f"{r.rate:.1%}"
        table.add_row(
            r.code,
            r.name,
            str(r.expected),
            str(r.received),
            rate,
            str(r.on_time),
            str(r.late),
            str(r.missing),
            r.submission,
            r.status,
        )
    if rows:
        console.print(f"due / 报送截止: enterprises {rows[0].due}, this level {rows[0].unit_due}")
    console.print(table)


def template(
    kind: Annotated[str, typer.Argument(help="enterprises | rd | stats")],
    out: Annotated[Path, typer.Option("--out", help="The .xlsx file to write")],
) -> None:
    """Write a blank import template with Chinese headers, units and drop-down lists."""
    with handled():
        templates.write_template(kind, out)
    console.print(f"template written / 模板已生成: {out}")


def demo_data(
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 2027,
    enterprises: Annotated[int, typer.Option(help="Number of enterprises")] = 10_000,
    out: Annotated[Path, typer.Option(help="Folder for the generated files")] = Path("demo-data"),
    load: Annotated[bool, typer.Option("--import/--no-import", help="Import the files")] = True,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Generate the calibrated synthetic Ningbo panel (labelled synthetic) and import it."""
    from yanzhi.services.demo import panel as demo

    with handled(as_json):
        data = demo.build(seed=seed, n_enterprises=enterprises)
        files = demo.write_files(data, out)
        reports = []
        if load:
            with engine_for(database) as engine:
                reports = demo.load(
                    engine,
                    data,
                    files,
                    actor=actor(),
                    progress=None if as_json else lambda f: console.print(f"importing {f}…"),
                )
    result = demo.summary(data, reports)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(
            f"[yellow]SYNTHETIC demo data / 示例数据[/yellow] seed {seed}: "
            f"{data.meta['rows']} → {out}"
        )
        for r in reports:
            _print(r, False)
    failed = [r for r in reports if not r.ok]
    raise typer.Exit(1 if failed else 0)
