"""A bureau list (priority, visit, points, doubling) as the workbook an officer reads: a
说明 sheet first (the list, its rule, source, year, how many rows, the 演示 label on demo
data), then the list on a sheet with a Chinese name and Chinese headers, number formats
(万元 with two decimals, intensity as a percentage, years without separators), a frozen
header and fitted widths; yes/no as 是/否, industries by name beside their code, the
synthetic flag only in the 说明."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yanzhi.core import labels
from yanzhi.export import sheets
from yanzhi.ingest.industry import division_names, load_industry_classes
from yanzhi.services.enterprises.caseresults import RankedRow
from yanzhi.services.enterprises.results import (
    ApplicationRow,
    BudgetRow,
    DoublingRow,
    PointsRow,
    PriorityRow,
    Result,
    VisitRow,
)

SYNTHETIC_LABEL = labels.SYNTHETIC_LABEL  # the one 演示 label (core/labels.py)

COLUMNS: dict[str, tuple[str, str]] = {
    "uscc": ("统一社会信用代码", "@"),
    "name": ("企业名称", "@"),
    "district": ("区(县、市)", "@"),
    "township": ("乡镇(街道)", "@"),
    "industry_code": ("行业代码", "@"),
    "industry_name": ("所属行业", "@"),
    "rd_expense": ("研发费用(万元)", "#,##0.00"),
    "rd_expense_previous": ("上年研发费用(万元)", "#,##0.00"),
    "operating_revenue": ("营业收入(万元)", "#,##0.00"),
    "intensity": ("研发投入强度", "0.00%"),
    "reason": ("列入原因", "@"),
    "stage": ("成长阶段", "@"),
    "points": ("创新积分", "#,##0.00"),
    "rank": ("全市排名", "#,##0"),
    "year": ("年份", "0"),
    "hightech": ("高新技术企业(家)", "#,##0"),
    "hightech_path": ("高企倍增路径值(家)", "#,##0"),
    "hightech_on_path": ("高企是否达到路径", "@"),
    "tech_sme": ("科技型中小企业(家)", "#,##0"),
    "tech_sme_path": ("科小倍增路径值(家)", "#,##0"),
    "tech_sme_on_path": ("科小是否达到路径", "@"),
    "enterprises": ("有全年报表的企业(家)", "#,##0"),
    "post_subsidy_count": ("符合研发后补助(家)", "#,##0"),
    "post_subsidy_total": ("研发后补助(万元)", "#,##0.00"),
    "post_subsidy_unknown": ("后补助无法计算(家,缺上年全年报表)", "#,##0"),
    "reserve_fund_count": ("符合研发准备金补助(家)", "#,##0"),
    "reserve_fund_total": ("研发准备金补助(万元)", "#,##0.00"),
    "budget_total": ("预算合计(万元)", "#,##0.00"),
    "assumed": ("参数为本平台假设", "@"),
    "missing": ("未能计算的指标(缺数据)", "@"),
    "funding_line": ("计划类别", "@"),
    "priority_applied": ("优先支持企业申报(项)", "#,##0"),
    "priority_won": ("优先支持企业立项(项)", "#,##0"),
    "priority_rate": ("优先支持企业立项率", "0.0%"),
    "other_applied": ("其他企业申报(项)", "#,##0"),
    "other_won": ("其他企业立项(项)", "#,##0"),
    "other_rate": ("其他企业立项率", "0.0%"),
    "pending": ("尚未评审(项)", "#,##0"),
    "unknown": ("无法判定是否优先支持(项)", "#,##0"),
    "size_class": ("规模", "@"),
    "gain_to_34": ("距3.4%需增加研发投入(万元)", "#,##0.00"),
    "gain_to_5": ("距5%需增加研发投入(万元)", "#,##0.00"),
    "p_gain": ("投入缺口得分", "0.00"),
    "p_size": ("规模得分", "0.00"),
    "p_trend": ("趋势得分", "0.00"),
    "p_institution": ("无研发机构得分", "0.00"),
    "p_deduction": ("未享受加计扣除得分", "0.00"),
    "score": ("总分", "0.00"),
    "case_status": ("服务案件", "@"),
}


@dataclass(frozen=True)
class ListInfo:
    title: str
    rule: str
    source: str
    period: str = "{year}年全年(1-12月累计)报表"
    """What the year of the list is (数据截至), ``{year}`` and ``{before}`` filled in."""


INFO: dict[type, ListInfo] = {
    PriorityRow: ListInfo(
        "研发投入重点企业名单",
        "全年研发费用不低于营业收入5%(政策规则规定的比例)的企业，按研发投入强度从高到低排列。",
        "企业报送并经审核的年度(1-12月累计)研发费用和营业收入报表",
    ),
    VisitRow: ListInfo(
        "走访企业名单",
        "全年无研发投入，或研发费用低于上年的企业，按区(县、市)、乡镇(街道)排列。",
        "企业报送并经审核的本年和上年年度(1-12月累计)研发报表",
    ),
    PointsRow: ListInfo(
        "企业创新积分排名",
        "高新技术企业和科技型中小企业按本地默认积分方案计算各类得分和创新积分，全市统一排名。",
        "企业报送并经审核的年度研发报表和企业资质名录",
    ),
    BudgetRow: ListInfo(
        "研发后补助与研发准备金预算",
        "按区(县、市)汇总每家企业的研发后补助和研发准备金补助(与企业页面同一计算);"
        "缺上年全年报表、无法计算后补助的企业单列家数,不按零计。参数为本平台假设的,"
        "以规则文件(ningbo-policy.yaml)中的说明为准,局方可直接修改。",
        "企业报送并经审核的年度(1-12月累计)研发报表、上年全年报表和企业名录(规上标记)",
    ),
    ApplicationRow: ListInfo(
        "优先支持企业申报与立项情况(按计划类别和区县市)",
        "重点研发计划项目台账中当年申报的项目,按申报单位是否列入上年研发投入强度5%以上"
        "优先支持清单分为优先支持企业和其他企业,统计申报数、立项数(立项和结题)和立项率"
        "(立项数÷已评审数);尚未评审的和无法判定的(未填申报单位或上年无全年报表)单列,不计为零。",
        "重点研发计划项目台账;企业报送并经审核的上年年度(1-12月累计)研发报表",
        "{year}年申报的项目(优先支持按{before}年全年报表判定)",
    ),
    RankedRow: ListInfo(
        "优先诊断清单(诊断+提升)",
        "研发强度未达5%的企业按得分排序(满分100):距3.4%(已达3.4%的距5%)需增加的研发投入40分、"
        "营业收入规模15分(均按对数占最大值比例)、研发费用下降或中断20分、无研发机构15分、"
        "未享受加计扣除10分(平台无加计扣除申报记录,情况未知的计0分)。",
        "企业报送并经审核的诊断年和上年年度(1-12月累计)研发报表",
    ),
    DoublingRow: ListInfo(
        "高新技术企业和科技型中小企业双倍增进度",
        "各年高新技术企业和科技型中小企业数量与实施方案倍增路径的比较。",
        "企业资质名录(高新技术企业、科技型中小企业)",
    ),
}
BILINGUAL = re.compile(r"[\u4e00-\u9fff]")


def _zh(value: str) -> str:
    """The Chinese half of "English / 中文" (or "中文 / English")."""
    halves = [h.strip() for h in value.split(" / ")]
    return next((h for h in halves if BILINGUAL.search(h)), value) if len(halves) > 1 else value


def _industry(code: str) -> str:
    known = load_industry_classes().get(code)
    return known.name if known else division_names().get(code[:2], "—")


def _value(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return _zh(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "无"
    return value


def _points_names() -> tuple[dict[str, str], dict[str, str]]:
    from yanzhi.services.enterprises.lists import points_scheme

    scheme = points_scheme().model_dump()
    stages = {k: v.get("name", k) for k, v in (scheme.get("stages") or {}).items()}
    classes = {c["code"]: c.get("name", c["code"]) for c in scheme.get("classes") or []}
    return stages, classes


def write(rows: Sequence[Result], out: Path, *, title: str) -> Path:
    """The list as a workbook at ``out`` (``title``: the caller's name of the list, whose
    year is kept)."""
    info = INFO.get(type(rows[0])) if rows else None
    year = re.search(r"\d{4}", title)
    name = (info.title if info else "名单") + (f"({year.group(0)}年)" if year else "")
    plain = [r.to_dict() for r in rows]
    keys = [k for k in (plain[0] if plain else {}) if k != "synthetic"]
    if "industry_code" in keys:
        keys.insert(keys.index("industry_code") + 1, "industry_name")
        for r in plain:
            r["industry_name"] = _industry(r["industry_code"])
    stages, classes = (
        _points_names() if isinstance(rows[0] if rows else None, PointsRow) else ({}, {})
    )
    for r in plain:
        if "stage" in r and r["stage"] in stages:
            r["stage"] = stages[r["stage"]]
    head = [COLUMNS.get(k, (classes.get(k, k) + "得分", ""))[0] for k in keys]
    formats = [COLUMNS.get(k, ("", "#,##0.00"))[1] for k in keys]
    synthetic = any(bool(r.get("synthetic")) for r in plain)
    wb = sheets.new()
    lines = [("演示", labels.SYNTHETIC_NOTE)] if synthetic else []
    if info:
        lines += [("列入规则", info.rule), ("数据来源", info.source)]
    if year:
        y = int(year.group(0))
        period = info.period if info else ListInfo("", "", "").period
        lines.append(("数据截至", period.format(year=y, before=y - 1)))
    lines += [("数据覆盖", f"共{len(plain)}行(按导出者的权限范围)"), ("工作表", name[:31])]
    sheets.readme_sheet(wb, name, lines)
    ws = sheets.table_sheet(
        wb, name, head, ([_value(k, r.get(k)) for k in keys] for r in plain), formats=formats
    )
    if synthetic:
        ws.oddHeader.center.text = labels.SYNTHETIC_NOTE
    wb.properties.title = name
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets.save(wb, out)
    return out
