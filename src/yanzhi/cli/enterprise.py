"""`yanzhi enterprise …`, `yanzhi policy …`, `yanzhi lists …`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yanzhi.cli.common import (
    SYNTHETIC_LINE,
    DatabaseOpt,
    JsonOpt,
    console,
    engine_for,
    handled,
    print_json,
)
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.access import principal
    from yanzhi.services.enterprises import applications as applications_svc
    from yanzhi.services.enterprises import budget as budget_svc
    from yanzhi.services.enterprises import diagnosis as svc
    from yanzhi.services.enterprises import doubling as doubling_svc
    from yanzhi.services.enterprises import lists as lists_svc
    from yanzhi.services.enterprises import results
else:
    principal = lazy("yanzhi.services.access.principal")
    svc = lazy("yanzhi.services.enterprises.diagnosis")
    budget_svc = lazy("yanzhi.services.enterprises.budget")
    lists_svc = lazy("yanzhi.services.enterprises.lists")
    doubling_svc = lazy("yanzhi.services.enterprises.doubling")
    applications_svc = lazy("yanzhi.services.enterprises.applications")
    results = lazy("yanzhi.services.enterprises.results")

enterprise_app = group(
    "One enterprise: record and R&D diagnosis. / 企业诊断",
)
policy_app = group(
    "Policy rules and what they are worth. / 政策计算",
)
lists_app = group(
    "Lists the bureau works from. / 工作清单",
)
AsEnterprise = Annotated[
    str | None,
    typer.Option("--as-enterprise", help="Act as this enterprise's own user (sees only itself)"),
]


def _principal(as_enterprise: str | None) -> principal.Principal:
    """Who the CLI acts as: the enterprise's own user with ``--as-enterprise``, else the
    operator (``SYSTEM``, full access — the CLI runs on the bureau's server)."""
    return (
        principal.Principal(f"enterprise:{as_enterprise}", "enterprise", enterprise=as_enterprise)
        if as_enterprise
        else principal.SYSTEM
    )


@enterprise_app.command("show")
def show(
    uscc: str,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    as_enterprise: AsEnterprise = None,
) -> None:
    """An enterprise's record."""
    with handled(as_json), engine_for(database) as engine:
        data = svc.show(engine, uscc, principal=_principal(as_enterprise)).to_dict()
    if as_json:
        print_json(data)
        return
    for k, v in data.items():
        console.print(f"{k}: {v}", highlight=False)


@enterprise_app.command("diagnose")
def diagnose(
    uscc: str,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    as_enterprise: AsEnterprise = None,
    out: Annotated[Path | None, typer.Option(help="Report file (.docx, .pdf or .xlsx)")] = None,
) -> None:
    """R&D intensity, peers, gaps to 3.4 % and 5 %, warnings, policies. / 研发诊断"""
    with handled(as_json), engine_for(database) as engine:
        diagnosis = svc.diagnose(engine, uscc, principal=_principal(as_enterprise))
        if out:
            from yanzhi.reports.diagnosis import write

            write(diagnosis, out)
    data = diagnosis.to_dict()
    if as_json:
        print_json(data)
        return
    e, last = data["enterprise"], data["latest"]
    console.print(
        f"[bold]{e['name']}[/bold] {e['uscc']}"
        + (" [yellow](synthetic / 示例)[/yellow]" if e["synthetic"] else "")
    )
    console.print(
        f"{data['basis']}: R&D {last['rd_expense']:,.1f} 万元 / revenue "
        f"{last['operating_revenue']:,.1f} 万元 = {(last['intensity'] or 0):.2%}"
    )
    p = data["peers"]
    console.print(
        f"peers / 同行 ({p['group']}): city percentile {p['city_percentile']}, "
        f"district percentile {p['district_percentile']}"
    )
    for g in data["gaps"].values():
        console.print(f"to {g['threshold']:.1%}: +{g['extra_rd_expense']:,.1f} 万元 R&D")
    for w in data["warnings"]:
        console.print(f"[yellow]⚠[/yellow] {w['message_zh']} / {w['message_en']}")
    _print_benefits(data["policies"])


STATUS_ZH = {"partial": "部分数据缺失", "not_eligible": "不适用", "unknown": "无法计算"}


def _print_benefits(p: dict[str, Any]) -> None:
    """The policies of one year as the enterprise page shows them: the Chinese
    explanation names each rule applied with its document; ⚠ lines say what is missing."""
    table = Table(
        "政策 / policy",
        "符合 / eligible",
        "金额(万元) / worth",
        "计算说明 / how",
        "依据 / rule",
        title=f"{p['year']}年",
    )
    for column in table.columns:  # Chinese has no spaces to wrap at: fold, never cut
        column.overflow = "fold"
    for b in p["benefits"]:
        name = b["name"] + ("(本平台假设)" if b.get("assumption") else "")
        status = STATUS_ZH.get(b.get("status", "complete"))
        table.add_row(
            name + (f"({status})" if status else ""),
            "是" if b["eligible"] else "否",
            "—" if b["amount"] is None else f"{b['amount']:,.2f}",
            b["explanation"],
            f"{b['rule']}: {b['source']}",
        )
    console.print(table)
    for b in p["benefits"]:
        if b.get("assumption"):
            console.print(f"[yellow]本平台假设[/yellow] {b['name']}: {b['assumption']}")
        for m in b.get("missing", []):
            console.print(f"[yellow]⚠[/yellow] {b['name']}: {m}")


@policy_app.command("calc")
def calc(
    uscc: str,
    year: Annotated[int, typer.Option(help="Tax year")],
    flag: Annotated[
        list[str] | None,
        typer.Option(help="e.g. ic_or_machine_tool for listed IC / 工业母机 enterprises"),
    ] = None,
    taxable_income: Annotated[float | None, typer.Option(help="万元, caps the saving")] = None,
    small_low_profit: Annotated[bool, typer.Option(help="小型微利企业")] = False,
    employees: Annotated[
        float | None, typer.Option(help="从业人数 (small-low-profit test)")
    ] = None,
    assets: Annotated[float | None, typer.Option(help="资产总额 万元 (small-low-profit)")] = None,
    rules: Annotated[Path | None, typer.Option(help="Rule file (default: built-in)")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    as_enterprise: AsEnterprise = None,
) -> None:
    """Super-deduction, post-subsidy, reserve fund and priority for one enterprise-year."""
    with handled(as_json), engine_for(database) as engine:
        data = svc.policy_calc(
            engine,
            uscc,
            year=year,
            principal=_principal(as_enterprise),
            rules_file=rules,
            flags=frozenset(flag or []),
            taxable_income=taxable_income,
            small_low_profit=small_low_profit,
            employees=employees,
            total_assets=assets,
        ).to_dict()
    if as_json:
        print_json(data)
        return
    if data["synthetic"]:
        console.print("[yellow]SYNTHETIC demo data / 示例数据(合成)[/yellow]")
    _print_benefits(data)


@policy_app.command("rules")
def rules_cmd(
    rules: Annotated[Path | None, typer.Option(help="Rule file to check")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The rule set in force (validated): sources and effective dates."""
    with handled(as_json):
        summary = svc.rules_summary(rules)
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(f"rule set {summary.version} — {summary.issuer}")
    for r in summary.rules:
        local = " [yellow]SET LOCALLY (placeholder)[/yellow]" if r["set_locally"] else ""
        if r.get("assumption"):
            local += f"\n    [yellow]本平台假设[/yellow]: {r['assumption']}"
        console.print(
            f"  {r['code']}: {r['name']} ({r['effective_from']}–"
            f"{r['effective_to'] or '…'}) — {r['source']}{local}",
            highlight=False,
        )


def _list(name: str, found: Sequence[results.Result], out: Path | None, as_json: bool) -> None:
    if out:
        lists_svc.write_xlsx(found, out, title=name)
    rows = [r.to_dict() for r in found]  # each row says whether it is synthetic
    if as_json:
        print_json(rows)
        return
    if lists_svc.is_synthetic(found):
        console.print("[yellow]SYNTHETIC demo data / 示例数据(合成)[/yellow]")
    console.print(f"{name}: {len(rows)} row(s)" + (f" → {out}" if out else ""))
    for r in rows[:15]:
        console.print("  " + " | ".join(str(v) for v in list(r.values())[:6]), highlight=False)


YearOpt = Annotated[int, typer.Option(help="The last full year")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Also write an .xlsx")]


def _year_list(service: Any, year: int, database: str | None, as_json: bool) -> Any:
    """The rows of a per-year list service, city-wide."""
    with handled(as_json), engine_for(database) as engine:
        return service(engine, year=year, principal=principal.SYSTEM)


@lists_app.command("priority")
def priority(
    year: YearOpt, out: OutOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """Enterprises with R&D expense above 5 % of revenue. / 研发强度>5%优先清单"""
    rows = _year_list(lists_svc.priority, year, database, as_json)
    _list(f"priority {year}", rows, out, as_json)


@lists_app.command("diagnose")
def visit(
    year: YearOpt, out: OutOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """The visit list: zero or falling R&D, by township. / 诊断走访清单"""
    rows = _year_list(lists_svc.visit, year, database, as_json)
    _list(f"visit list {year}", rows, out, as_json)


@lists_app.command("points")
def points(
    year: YearOpt, out: OutOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """Innovation-points ranking (local default scheme). / 创新积分排名"""
    rows = _year_list(lists_svc.points, year, database, as_json)
    _list(f"innovation points {year} (local default scheme)", rows, out, as_json)


def _table_out(rows: Sequence[results.Result], out: Path | None, title: str, as_json: bool) -> bool:
    """Write the workbook (``--out``), print the JSON (``--json``: True, nothing else to
    print) or the 演示 line before the caller's Chinese lines."""
    if out:
        lists_svc.write_xlsx(rows, out, title=title)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return True
    if lists_svc.is_synthetic(rows):
        console.print("[yellow]演示数据(合成) / SYNTHETIC demo data[/yellow]")
    return False


@lists_app.command("budget")
def budget_cmd(
    year: YearOpt, out: OutOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False
) -> None:
    """Post-subsidy and reserve-fund budget by district. / 研发后补助与研发准备金预算"""
    rows = _year_list(budget_svc.budget, year, database, as_json)
    if _table_out(rows, out, f"budget {year}", as_json):
        return
    console.print(f"{year}年研发后补助与研发准备金预算(万元)")
    for r in rows:
        console.print(
            f"  {r.district}: 有全年报表企业{r.enterprises:,}家;"
            f"研发后补助{r.post_subsidy_count:,}家 {r.post_subsidy_total:,.2f}"
            f"(无法计算{r.post_subsidy_unknown:,}家,缺上年全年报表);"
            f"研发准备金补助{r.reserve_fund_count:,}家 {r.reserve_fund_total:,.2f};"
            f"预算合计 {r.budget_total:,.2f}",
            highlight=False,
            soft_wrap=True,
        )
    if any(r.assumed for r in rows):
        console.print("[yellow]本平台假设[/yellow]: 参数未取得宁波市原文,见 yanzhi policy rules")
    if out:
        console.print(f"→ {out}")


@lists_app.command("applications")
def applications_cmd(
    year: Annotated[int, typer.Option(help="The application year")],
    out: OutOpt = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Priority enterprises: applied, won, success rate by funding line and
    district, against the others. / 优先支持企业申报与立项"""
    rows = _year_list(applications_svc.application_summary, year, database, as_json)
    if _table_out(rows, out, f"applications {year}", as_json):
        return
    console.print(f"{year}年申报的重点研发计划项目(优先支持按{year - 1}年全年报表判定)")
    if not rows:
        console.print("  该年没有申报记录")

    def rate(r: float | None) -> str:
        return "—(无已评审)" if r is None else f"{r:.1%}"

    for r in rows:
        console.print(
            f"  {r.funding_line} · {r.district}: 优先支持企业申报{r.priority_applied}项、"
            f"立项{r.priority_won}项、立项率{rate(r.priority_rate)};其他企业申报"
            f"{r.other_applied}项、立项{r.other_won}项、立项率{rate(r.other_rate)};"
            f"尚未评审{r.pending}项;无法判定{r.unknown}项",
            highlight=False,
            soft_wrap=True,
        )
    if out:
        console.print(f"→ {out}")


@lists_app.command("doubling")
def doubling(out: OutOpt = None, database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """高企 and 科技型中小企业 counts against the doubling path. / 双倍增跟踪"""
    with handled(as_json), engine_for(database) as engine:
        rows = lists_svc.doubling(engine)
    _list("双倍增 doubling", rows, out, as_json)


@lists_app.command("cohort")
def cohort(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """双倍增 as a cohort: base-year stock, target, entries and departures (lapsed, revoked)
    and net growth, for the city and each district. / 双倍增队列(分区县)"""
    with handled(as_json), engine_for(database) as engine:
        c = doubling_svc.cohort(engine)
    if as_json:
        print_json(asdict(c))
        return
    if c.synthetic:
        console.print(SYNTHETIC_LINE)
    for k in c.concepts:
        title = f"{k.name}双倍增(名录口径, {c.start_year}年末为基期, {c.end_year}年翻番)"
        table = Table("地区", "基期", "目标", "当前", "新增", "退出", "到期", "撤销", "净增",
                      title=title)  # fmt: skip
        for u in [k.city, *k.districts]:
            table.add_row(
                u.unit_name, f"{u.base:,}", f"{u.target:,}", f"{u.now:,}", f"{u.entered:,}",
                f"{u.left:,}", "—" if u.lapsed is None else f"{u.lapsed:,}",
                "—" if u.revoked is None else f"{u.revoked:,}", f"{u.net:,}",
            )  # fmt: skip
        console.print(table)
