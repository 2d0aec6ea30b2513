"""A district's annual report (述职材料) as a :class:`Document`, written as Word and PDF:
一、主要成绩 (R&D expense with its 同比, the rank with its interval in words, each headline
indicator against its target), 二、存在的问题 (the numbers behind each weak spot) and
三、下一步工作 (the townships, enterprises and indicators to act on). Every number printed
is a number of the data (views.reports.district) formatted by the helpers below."""

from __future__ import annotations

import re
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
FALLING = 3
"""How many falling townships the problems name with their numbers."""


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


FORECAST = re.compile(r"\(预测[^()]*\)")


def reason(text: str) -> str:
    """A verdict's reason without its forecast's parenthesis ("(预测3.23%, 80%区间…)"):
    read out, the probability of meeting the target says it; Chinese commas."""
    return FORECAST.sub("", text).replace(", ", "，")


def whole(d: dict[str, Any]) -> str:
    """全区, 全县 or 全市 by the district's name (鄞州区, 象山县, 余姚市)."""
    name = d["unit"]["name"]
    return "全" + (name[-1] if name[-1] in "区县市" else "区")


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
        doc.para(f"{d['year']}年{whole(d)}规上工业企业研发费用暂无已审核数据。")
    if rd:
        doc.para("".join(_rd_sentence(r, k == 0, whole(d)) for k, r in enumerate(rd)))
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
    if a := d.get("assessment"):
        doc.heading("年度考核", 2)
        sc = a["score"]
        parts = "，".join(
            f"{p['name']}{p['points']:.2f}分(满分{p['full']:g}分)" for p in sc["parts"]
        )
        text = (
            f"{d['year']}年度科技创新工作考核{a['state_zh']}：{name}得分{sc['total']:.2f}分，"
            f"在{a['published']}个已公示区县中列第{a['rank']}位。其中{parts}"
        )
        if sc["bonus_points"]:
            text += f"，加分{sc['bonus_points']:.2f}分"
        if sc["penalty_points"]:
            text += f"，扣分{sc['penalty_points']:.2f}分"
        text += "。"
        adjusted = [p for p in sc["parts"] + sc["bonus"] + sc["penalty"] if p["adjusted"]]
        if adjusted:
            text += (
                "市级审核调整："
                + "；".join(f"{p['name']}({p['comment']})" for p in adjusted)
                + "。"
            )
        doc.para(text)
    done = [i for i in d["indicators"] if i["verdict"] == "achieved" and i["value"] is not None]
    good = [
        i
        for i in d["indicators"]
        if i not in done and i["verdict"] not in NEEDS_ATTENTION and i["value"] is not None
    ]
    if done or good:
        doc.heading("核心指标", 2)
    if done:
        doc.para(
            "、".join(i["name"] for i in done)
            + (f"{len(done)}项指标" if len(done) > 1 else "")
            + f"已提前达到规划目标，结论为“{done[0]['verdict_zh']}”："
            + "；".join(
                f"{i['year']}年分别为{value(i['value'], i['unit'])}"
                f"（{i['target_year']}年目标{target(i['target'], i['unit'])}）"
                if k == 0
                else f"{value(i['value'], i['unit'])}（目标{target(i['target'], i['unit'])}）"
                for k, i in enumerate(done)
            )
            + "。"
        )
    for i in good:
        doc.para(_indicator_sentence(i))


def _rd_sentence(r: dict[str, Any], first: bool, who: str) -> str:
    """The R&D expense of a period with its 同比 (the panel and last year's value in the
    first sentence only)."""
    text = f"{period_zh(r['period'])}，{who}规上工业企业研发费用{yi(r['value'])}"
    if r["growth_comparable"] is not None:
        text += f"，按可比口径计算同比{change(r['growth_comparable'])}" + (
            f"（两期均有已审核报表的{r['comparable_enterprises']:,}家企业）" if first else ""
        )
        if r["growth"] is not None:
            text += f"；按总量计算同比{change(r['growth'])}"
    elif r["growth"] is not None:
        text += f"，按总量计算同比{change(r['growth'])}"
    return text + "。"


def _indicator_sentence(i: dict[str, Any]) -> str:
    if i["value"] is None:
        return f"{i['name']}：暂无数据。"
    text = f"{i['name']}：{i['year']}年为{value(i['value'], i['unit'])}"
    if i["target"] is not None:
        text += f"，{i['target_year']}年目标为{target(i['target'], i['unit'])}"
    text += f"，结论为“{i['verdict_zh']}”。{reason(i['verdict_reason_zh'])}"
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
            doc.para(_indicator_sentence(i))
    lead = "" if behind else "乡镇(街道)之间不平衡："
    if not behind and not towns:
        doc.para(
            f"{whole(d)}核心指标均已达标或预计达标，乡镇(街道)未出现难以达标或存在风险的指标。"
        )
    for name, group in _by_indicator(towns).items():
        low = sorted(group, key=_score)[:LOWEST]
        doc.para(
            lead
            + f"{name}有{len(group)}个乡镇(街道)难以达标或存在风险，进展最慢的是"
            + "、".join(w["name"] for w in low)
            + f"，{low[0]['year']}年分别为"
            + "、".join(value(w["value"], _unit(d, w["indicator"])) for w in low)
            + "。"
        )
        lead = ""
    if ev["drags"]:
        doc.heading("评价中的弱项", 2)
        doc.para(
            "综合评价中拉低得分的主要指标是"
            + "、".join(n for n, _ in ev["drags"])
            + "，按权重计分别使综合得分少"
            + "、".join(f"{abs(v):.2f}分" for _, v in ev["drags"])
            + "(与本区各指标的加权平均得分相比)。"
        )
    falling = sorted(d["falling_townships"], key=lambda w: w["growth"])
    s = d["stopped"]
    if falling or (s and s["total"]):
        doc.heading("研发投入下滑", 2)
    text = ""
    if falling:
        text += (
            f"{period_zh(falling[0]['period'])}，{whole(d)}有{len(falling)}个乡镇(街道)研发费用"
            "同比下降，降幅较大的是"
            + "、".join(
                f"{w['name']}（{yi(w['value'])}，{change(w['growth'])}）" for w in falling[:FALLING]
            )
            + "。"
        )
    if s and s["total"] and s["period"]:
        text += f"与上年同期相比，{stopped_text(s)}"
        if not falling:
            text = period_zh(s["period"]) + text
        text += "。"
    if text:
        doc.para(text)


def _by_indicator(warnings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for w in warnings:
        out.setdefault(w["indicator_name"], []).append(w)
    return out


def _score(w: dict[str, Any]) -> float:
    """A warning's progress score (lower: slower; none counts as 0)."""
    return float(w["score"]) if w["score"] is not None else 0.0


def _unit(d: dict[str, Any], indicator: str) -> str:
    return next((i["unit"] for i in d["indicators"] if i["indicator"] == indicator), "")


def _next_steps(doc: Document, d: dict[str, Any]) -> None:
    code, ev = d["unit"]["code"], d["evaluation"]
    doc.heading("下一步工作")
    behind = [i for i in d["indicators"] if i["verdict"] in NEEDS_ATTENTION]
    towns = [
        w["name"]
        for w in sorted(d["off_track"], key=_score)
        if w["unit"] != code and w["verdict"] == "off_track"
    ][:LOWEST]
    if behind or towns or ev["drags"]:
        doc.heading("补齐指标短板", 2)
        text = ""
        if behind:
            names = (
                "、".join(i["name"] for i in behind)
                if len(behind) <= 2
                else f"{len(behind)}项核心指标"
            )
            text += f"对照{behind[0]['target_year']}年目标倒排{names}年度进度，按季度跟踪。"
        if towns:
            text += "对" + "、".join(towns) + "等进展最慢的乡镇(街道)逐一制定提升方案。"
        if ev["drags"]:
            text += f"针对{ev['drags'][0][0]}等拉低综合评价得分的指标逐项制定提升措施。"
        doc.para(text)
    falling = sorted(d["falling_townships"], key=lambda w: w["growth"])
    largest = d["stopped_largest"][:LOWEST]
    if falling or largest:
        doc.heading("稳住研发投入", 2)
        text = ""
        if falling:
            text += (
                "督促"
                + "、".join(w["name"] for w in falling[:LOWEST])
                + ("等" if len(falling) > LOWEST else "")
                + "逐家分析企业研发费用下降原因。"
            )
        if largest:
            text += (
                "对停止研发的企业开展研发诊断，优先是上年同期研发投入较多的"
                + "、".join(
                    f"{e['name']}（{e['township_name']}，上年同期"
                    f"{wan(e['previous_year_rd_expense'])}）"
                    for e in largest
                )
                + "。"
            )
        s = d["stopped"]
        if s and s["not_reported"]:
            text += f"督促未报送的{s['not_reported']}家企业按时报送。"
        doc.para(text)


def _sources(d: dict[str, Any]) -> list[str]:
    """Each headline indicator's source as the plan gives it (its first clause), the
    indicators summed from enterprise reports together."""
    out, reports = [], []
    for s in d["sources"]:
        if s["source"] == "enterprise":
            reports.append(s["name"])
        elif s["text"]:
            out.append(f"{s['name']}：{re.split('[。;；,，]', s['text'])[0]}")
    out.append("、".join([*reports, "研发费用、停止研发企业"]) + "：企业研发统计报表")
    return out


def _methods(d: dict[str, Any]) -> list[str]:
    """The evaluation's method and the forecast's, in one paragraph."""
    ev = d["evaluation"]
    text = f"综合得分按{ev['framework']}方法将指标标准化后加权合成"
    if ev["draws"]:
        text += (
            f"，排名区间为权重和数据随机抽样{ev['draws']}次后排名的"
            f"{ev['interval'][0]:.0%}至{ev['interval'][1]:.0%}分位"
        )
    text += "。"
    f = next((i["forecast"] for i in d["indicators"] if i["forecast"].get("expected")), None)
    if f:
        text += f"指标结论综合基期以来的进展和外推至{f['target_year']}年的趋势预测。"
    return [text]


def cutoff(d: dict[str, Any]) -> str:
    periods = [r["period"] for r in d["rd"]]
    latest = max(periods) if periods else f"{d['year']}-01..12"
    return f"{period_zh(latest)}（已审核数据）；年度指标至{d['year']}年"


def coverage(d: dict[str, Any]) -> str:
    c = next(
        (i["coverage"] for i in d["indicators"] if (i.get("coverage") or {}).get("level")),
        None,
    )
    if c is None:
        return "核心指标为统计数据"
    return c["text_zh"] + (f"（{c['note_zh']}）" if c["flagged"] else "")


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
