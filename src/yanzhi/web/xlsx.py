"""A page's table as an Excel download (``?export=ID``): a 说明 sheet first (what the table
is, where its data come from, the cut-off and coverage when the page knows them, the 演示
label on demo data), then the table on a sheet with a Chinese name, a frozen bold header,
number formats (integers with separators, years without, two decimals), fitted widths.
The rows are the ones the page shows (so the export obeys the same scope), in Chinese: a
"中文 / English" label keeps its Chinese half (English pages: the other), yes/no as 是/否,
lists joined with 、, and a column of internal codes (RD_GDP, on_track …) is left out when
the row has a name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from yanzhi.core.labels import SYNTHETIC_NOTE
from yanzhi.core.zhtext import date_zh
from yanzhi.export import sheets

NAMES = {
    "applications": "优先支持企业申报与立项",
    "attribution": "增长归因",
    "audit": "操作日志",
    "bonus": "加分项目",
    "budget": "研发后补助与研发准备金预算",
    "children": "下级单位",
    "completeness": "数据完整性",
    "doubling": "研发倍增企业名单",
    "enterprises": "企业",
    "evaluation": "评价排名",
    "guarantees": "保障措施评估",
    "history": "进展报告",
    "imputations": "缺失值插补",
    "indicators": "指标",
    "list": "企业名单",
    "method": "评价方法",
    "milestones": "里程碑",
    "payouts": "政策兑现",
    "periods": "各期数值",
    "pillars": "维度得分",
    "points": "创新积分名单",
    "policies": "政策测算",
    "priority": "研发投入重点企业名单",
    "ranking": "排名",
    "reforms": "重大改革",
    "registers": "台账",
    "scorecard": "评分卡",
    "series": "时间序列",
    "submissions": "报送情况",
    "supervision": "督办",
    "targets": "量化目标",
    "tasks": "重点任务",
    "tokens": "访问令牌",
    "units": "单位",
    "users": "用户",
    "visit": "走访企业名单",
    "warnings": "预警",
}
WORDS = {"township": "乡镇(街道)", "district": "区(县、市)", "city": "全市"}
CODE_KEYS = ("code", "indicator", "rule", "programme", "status", "kind", "key")
NAME_KEYS = ("name", "title", "label", "indicator_zh", "unit_name", "status_zh")
ENGLISH = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def title_zh(slug: str) -> str:
    """A table's slug as a Chinese title: ``priority-2025`` → 研发投入重点企业名单-2025,
    ``evaluation-township-2025`` → 评价排名-乡镇(街道)-2025; an unknown word → 数据表."""
    from yanzhi.core.registerformats import REGISTER_FORMATS

    parts = [p for p in slug.split("-") if p]
    first = parts[0] if parts else ""
    register = REGISTER_FORMATS.get(first)
    out = [NAMES.get(first) or (register.zh if register else "数据表")]
    for p in parts[1:]:
        out.append(WORDS.get(p, p if not ENGLISH.search(p) else ""))
    return "-".join(x for x in out if x)


def cell(value: Any, lang: str) -> Any:
    """A value as the workbook holds it (numbers stay numbers, ``None`` an empty cell)."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return ("是" if value else "否") if lang != "en" else ("yes" if value else "no")
    if isinstance(value, list | tuple):
        return "、".join(str(cell(v, lang)) for v in value) or None
    text = str(value)
    halves = [h.strip() for h in text.split(" / ")]
    if len(halves) == 2 and sum(bool(CJK.search(h)) for h in halves) == 1:
        zh = halves[0] if CJK.search(halves[0]) else halves[1]
        other = halves[1] if zh == halves[0] else halves[0]
        return zh if lang != "en" else other
    return text


def number_format(key: str, values: Sequence[Any]) -> str:
    """The Excel format of a column from its key and values."""
    nums = [v for v in values if v is not None]
    if not nums or any(isinstance(v, bool) or not isinstance(v, int | float) for v in nums):
        return "@"
    k = key.lower()
    if k == "year" or k.endswith("year") or k.endswith(("code", "uscc")):
        return "0"
    if all(isinstance(v, int) or float(v).is_integer() for v in nums):
        return "#,##0"
    return "#,##0.00"


def _raw_codes(key: str, values: Sequence[Any], keys: Sequence[str]) -> bool:
    named = any(k in NAME_KEYS or k.endswith(("_zh", "name", "title", "label")) for k in keys)
    return (
        named
        and key.lower() in CODE_KEYS
        and any(isinstance(v, str) and ENGLISH.search(v) for v in values)
    )


def workbook(
    columns: Sequence[tuple[str, str, str]],
    rows: Sequence[dict[str, Any]],
    *,
    slug: str,
    lang: str = "zh",
    synthetic: bool = False,
    source: str | None = None,
    cutoff: str | None = None,
    coverage: str | None = None,
) -> tuple[str, bytes]:
    """(Chinese file stem, .xlsx bytes) of a page's table."""
    keys = [k for k, _, _ in columns]
    values = {k: [cell(r.get(k), lang) for r in rows] for k in keys}
    shown = [c for c in columns if c[0] != "synthetic" and not _raw_codes(c[0], values[c[0]], keys)]
    head = [en if lang == "en" else zh for _, zh, en in shown]
    title = title_zh(slug)
    label = SYNTHETIC_NOTE if synthetic else None
    wb = sheets.new()
    lines = [("演示", label)] if label else []
    lines += [
        ("数据来源", source or "本平台页面所示数据(按下载者的权限范围)"),
        ("数据截至", cutoff or f"导出时的最新数据({date_zh(dt.date.today())}导出)"),
    ]
    if coverage:
        lines.append(("数据覆盖", coverage))
    lines += [("行数", f"{len(rows)}行"), ("工作表", title[:31])]
    sheets.readme_sheet(wb, title, lines)
    ws = sheets.table_sheet(
        wb,
        title,
        head,
        ([values[k][i] for k, _, _ in shown] for i in range(len(rows))),
        formats=[number_format(k, values[k]) for k, _, _ in shown],
    )
    if label:  # printed on every page; the 说明 sheet, opened first, says it too
        ws.oddHeader.center.text = label
    wb.properties.title = title
    if label:
        wb.properties.subject = label
    return title, sheets.to_bytes(wb)
