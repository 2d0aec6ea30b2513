"""A district's annual report (述职材料) as a :class:`Document`, written as Word and PDF:
一、主要成绩 (R&D expense with its 同比, the rank with its interval in words, each headline
indicator against its target), 二、存在的问题 (the numbers behind each weak spot) and
三、下一步工作 (the townships, enterprises and indicators to act on). Every number printed
is a number of the data (views.reports.district) formatted by the helpers below."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from yanzhi.core.periods import label_zh
from yanzhi.reports import render_docx, render_html
from yanzhi.reports.document import Document
from yanzhi.services.monitoring.status import NEEDS_ATTENTION
from yanzhi.views.reports.bulletin import stopped_text
from yanzhi.views.reports.district import DistrictReport

LOWEST = 3
"""How many townships or enterprises a sentence names."""


def period_zh(period: str) -> str:
    """``2026-01..10`` → 2026年1–10月累计，``2025-01..12`` → 2025年全年."""
    text = label_zh(period)
    if period.endswith("-01..12"):
        return text.split("年")[0] + "年全年"
    return text.replace("-", "–") + "累计" if ".." in period else text


def yi(v: float) -> str:
    return f"{v:,.2f}亿元"


def wan(v: float) -> str:
    return f"{v:,.2f}万元"


def change(g: float, up: str = "增长", down: str = "下降") -> str:
    """0.052 → 增长5.2%，−0.086 → 下降8.6%."""
    return f"{up if g >= 0 else down}{abs(g):.1%}"


def value(v: float, unit: str) -> str:
    return f"{v:,.2f}{unit}"


def target(t: float, unit: str) -> str:
    return f"{t:g}{unit}"


def rank_words(ev: dict[str, Any]) -> str:
    """第2位 with its interval in words: stable, or between the 5 % and 95 % ranks."""
    text = f"在全市{ev['of']}个区县市中排第{ev['rank']}位"
    lo, hi = ev["rank_q5"], ev["rank_q95"]
    if lo is None or hi is None:
        return text
    lo, hi = round(lo), round(hi)
    if lo == hi == ev["rank"]:
        return text + f"，排名稳定（不确定性分析下始终第{ev['rank']}位）"
    if lo == hi:
        return text + f"，不确定性分析下排第{lo}位"
    return text + f"，不确定性分析下排名在第{lo}至{hi}位之间"


def _achievements(doc: Document, d: dict[str, Any]) -> None:
    name, ev = d["unit"]["name"], d["evaluation"]
    doc.heading("主要成绩")
    doc.heading("研发投入", 2)
    rd = [r for r in d["rd"] if r["value"] is not None]
    if not rd:
        doc.para(f"{d['year']}年全区规上工业企业研发费用暂无已审核数据。")
    for r in rd:
        doc.para(_rd_sentence(r))
    doc.heading("综合评价", 2)
    text = (
        f"在{ev['framework']}中，{name}{d['year']}年综合得分{ev['score']:.2f}分，"
        f"等级{ev['grade']}，{rank_words(ev)}"
    )
    if ev["score_change"] is not None:
        g = ev["score_change"]
        text += f"；综合得分较上年{'提高' if g >= 0 else '下降'}{abs(g):.2f}分"
    text += "。"
    if ev["lifts"]:
        text += "得分的主要支撑是" + "、".join(n for n, _ in ev["lifts"]) + "。"
    doc.para(text)
    doc.heading("核心指标", 2)
    for i in d["indicators"]:
        doc.para(_indicator_sentence(i))


def _rd_sentence(r: dict[str, Any]) -> str:
    text = f"{period_zh(r['period'])}，全区规上工业企业研发费用{yi(r['value'])}"
    if r["growth_comparable"] is not None:
        text += (
            f"，按可比口径计算同比{change(r['growth_comparable'])}（两期均有已审核报表的"
            f"{r['comparable_enterprises']:,}家企业）"
        )
        if r["growth"] is not None:
            text += f"；按总量计算同比{change(r['growth'])}"
    elif r["growth"] is not None:
        text += f"，按总量计算同比{change(r['growth'])}"
    if r["previous"] is not None:
        text += f"，上年同期为{yi(r['previous'])}"
    return text + "。"


def _indicator_sentence(i: dict[str, Any]) -> str:
    if i["value"] is None:
        return f"{i['name']}：暂无数据。"
    text = f"{i['name']}：{i['year']}年为{value(i['value'], i['unit'])}"
    if i["target"] is not None:
        text += f"，{i['target_year']}年目标为{target(i['target'], i['unit'])}"
    text += f"，结论为“{i['verdict_zh']}”。{i['verdict_reason_zh']}"
    y = i.get("ytd")
    if y and y.get("value") is not None and y.get("previous_year_value") is not None:
        text += (
            f"{period_zh(y['period'])}为{value(y['value'], i['unit'])}，上年同期为"
            f"{value(y['previous_year_value'], i['unit'])}。"
        )
    c = i.get("coverage") or {}
    if c.get("flagged"):
        text += f"（注：{c['note_zh']}。）"
    return text


def _problems(doc: Document, d: dict[str, Any]) -> None:
    code, ev = d["unit"]["code"], d["evaluation"]
    doc.heading("存在的问题")
    behind = [i for i in d["indicators"] if i["verdict"] in NEEDS_ATTENTION]
    towns = [w for w in d["off_track"] if w["unit"] != code]
    doc.heading("指标短板", 2)
    if behind:
        for i in behind:
            doc.para(
                f"{i['name']}{i['year']}年为{value(i['value'], i['unit'])}，低于"
                f"{i['target_year']}年目标{target(i['target'], i['unit'])}，"
                f"{i['verdict_zh']}。{i['verdict_reason_zh']}"
            )
    else:
        doc.para("全区各项核心指标均已达标或预计达标，但乡镇(街道)之间不平衡。")
    for name, group in _by_indicator(towns).items():
        low = sorted(group, key=lambda w: w["value"])[:LOWEST]
        doc.para(
            f"乡镇(街道)层面，{name}有{len(group)}个乡镇(街道)难以达标或存在风险，"
            f"{d['year']}年最低的是"
            + "、".join(
                f"{w['name']}（{value(w['value'], _unit(d, w['indicator']))}）" for w in low
            )
            + "。"
        )
    if ev["drags"]:
        doc.heading("评价中的弱项", 2)
        doc.para(
            "综合评价中拉低得分的主要指标是"
            + "、".join(f"{n}（较本区各指标加权平均水平少{abs(v):.2f}分）" for n, v in ev["drags"])
            + "。"
        )
    falling = sorted(d["falling_townships"], key=lambda w: w["growth"])
    s = d["stopped"]
    if falling or (s and s["total"]):
        doc.heading("研发投入下滑", 2)
    if falling:
        doc.para(
            f"{period_zh(falling[0]['period'])}，全区有{len(falling)}个乡镇(街道)研发费用"
            "同比下降："
            + "、".join(f"{w['name']}（{yi(w['value'])}，{change(w['growth'])}）" for w in falling)
            + "。"
        )
    if s and s["total"] and s["period"]:
        text = f"{period_zh(s['period'])}与上年同期相比，{stopped_text(s)}"
        big = [t for t in s["by_unit"] if t["level"] == "township"][:3]
        if big:
            text += "，较多的是" + "、".join(f"{t['name']}（{t['total']}家）" for t in big)
        doc.para(text + "。")


def _by_indicator(warnings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for w in warnings:
        out.setdefault(w["indicator_name"], []).append(w)
    return out


def _unit(d: dict[str, Any], indicator: str) -> str:
    return next((i["unit"] for i in d["indicators"] if i["indicator"] == indicator), "")


def _next_steps(doc: Document, d: dict[str, Any]) -> None:
    code, ev = d["unit"]["code"], d["evaluation"]
    doc.heading("下一步工作")
    behind = [i for i in d["indicators"] if i["verdict"] in NEEDS_ATTENTION]
    towns = [
        w["name"]
        for w in sorted(d["off_track"], key=lambda w: w["score"] if w["score"] is not None else 0)
        if w["unit"] != code and w["verdict"] == "off_track"
    ][:LOWEST]
    if behind or towns:
        doc.heading("补齐指标短板", 2)
        text = ""
        if behind:
            text += (
                "对照"
                + "、".join(
                    f"{i['name']}{i['target_year']}年目标{target(i['target'], i['unit'])}"
                    for i in behind
                )
                + "，倒排年度进度，按季度跟踪。"
            )
        if towns:
            text += "对" + "、".join(towns) + "等进展最慢的乡镇(街道)逐一制定提升方案，压实责任。"
        doc.para(text)
    falling = sorted(d["falling_townships"], key=lambda w: w["growth"])
    largest = d["stopped_largest"][:LOWEST]
    if falling or largest:
        doc.heading("稳住研发投入", 2)
        if falling:
            doc.para(
                "督促"
                + "、".join(w["name"] for w in falling)
                + "逐家分析辖区企业研发费用下降原因，对下降较多的企业上门走访。"
            )
        if largest:
            doc.para(
                "对停止研发的企业开展研发诊断，优先是上年同期研发投入较多的"
                + "、".join(
                    f"{e['name']}（{e['township_name']}，上年同期{wan(e['previous_year_rd_expense'])}）"
                    for e in largest
                )
                + "。"
            )
        s = d["stopped"]
        if s and s["not_reported"]:
            doc.para(f"督促未报送的{s['not_reported']}家企业按时报送研发统计报表。")
    if ev["drags"]:
        doc.heading("提升综合评价", 2)
        text = "针对" + "、".join(n for n, _ in ev["drags"]) + "等拉低得分的指标制定专项措施"
        if ev["lifts"]:
            text += "，同时巩固" + "、".join(n for n, _ in ev["lifts"]) + "等优势"
        doc.para(text + "。")


def _sources(d: dict[str, Any]) -> list[str]:
    out = []
    for s in d["sources"]:
        if s["source"] == "enterprise":
            out.append(f"{s['name']}：企业研发统计报表（已审核数据）汇总")
        elif s["text"]:
            first = s["text"].split("。")[0].split(";")[0].split("; ")[0]
            out.append(f"{s['name']}：{first}")
    out.append("规上工业企业研发费用、停止研发企业：企业研发统计报表（已审核数据）")
    return out


def _methods(d: dict[str, Any]) -> list[str]:
    ev = d["evaluation"]
    out = [
        f"综合评价按{ev['framework']}的方法，各项指标经缺失值补齐、异常值处理和标准化后加权"
        "合成综合得分并排名；不确定性分析对指标权重和数据随机抽样"
        f"{ev['draws']}次重新排名，排名区间取其中{ev['interval'][0]:.0%}至"
        f"{ev['interval'][1]:.0%}分位。"
        if ev["draws"]
        else f"综合评价按{ev['framework']}的方法，各项指标标准化后加权合成综合得分并排名。",
        "研发费用同比按可比口径计算：只比较两期均有已审核报表的企业，剔除企业进出统计范围"
        "的影响；按总量计算的同比一并列出。",
    ]
    f = next((i["forecast"] for i in d["indicators"] if i["forecast"].get("expected")), None)
    if f:
        out.append(
            f"指标结论综合基期以来的进展和趋势预测：预测按近年数据的对数随机游走（带漂移）模型"
            f"外推至{f['target_year']}年，达标概率是预测分布中达到目标的概率。"
        )
    return out


def cutoff(d: dict[str, Any]) -> str:
    periods = [r["period"] for r in d["rd"]]
    latest = max(periods) if periods else f"{d['year']}-01..12"
    return f"{period_zh(latest)}（已审核数据）；年度指标为{d['year']}年数据"


def coverage(d: dict[str, Any]) -> str:
    c = next(
        (i["coverage"] for i in d["indicators"] if (i.get("coverage") or {}).get("level")),
        None,
    )
    if c is None:
        return "核心指标为统计数据"
    return c["text_zh"] + (f"({c['note_zh']})" if c["flagged"] else "")


def document(data: DistrictReport) -> Document:
    """The district's 述职材料 (the one place its content is decided)."""
    d = data.model_dump()
    doc = Document(
        title=f"{d['unit']['name']}{d['year']}年度科技创新工作述职材料",
        issuer=d["unit"]["name"],
        issued=date.today(),
        cutoff=cutoff(d),
        coverage=coverage(d),
        synthetic=d["synthetic"],
        sources=_sources(d),
        methods=_methods(d),
    )
    _achievements(doc, d)
    _problems(doc, d)
    _next_steps(doc, d)
    return doc


def write_docx(data: DistrictReport, out: Path) -> Path:
    """The district's report as a Word document (GB/T 9704 layout)."""
    return render_docx.write(document(data), out)


def write_pdf(data: DistrictReport, out: Path) -> Path:
    """The district's report as PDF."""
    return render_html.write_pdf(document(data), out)


WRITERS = {"docx": write_docx, "pdf": write_pdf}
