"""A district's annual report (述职材料) as docx and PDF."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from yanzhi.core.periods import label_zh
from yanzhi.reports.bulletin import coverage_zh
from yanzhi.reports.docx_base import new_document
from yanzhi.reports.fonts import cjk_font
from yanzhi.views.reports.bulletin import stopped_text
from yanzhi.views.reports.district import DistrictReport


def _paragraphs(d: dict[str, Any]) -> list[tuple[str, list[str]]]:
    ev = d["evaluation"]
    ind = [
        f"{i['name']}: {i['value']:,.2f}{i['unit']}({i['year']}年)"
        + ("" if i["target"] is None else f", 目标 {i['target']:g}{i['unit']}")
        + f", 结论: {i['verdict_zh']}。{i['verdict_reason_zh']}"
        + f"(数据覆盖: {coverage_zh(i)})"
        for i in d["indicators"]
        if i["value"] is not None
    ]
    rank = [
        f"{ev['framework']}: 第 {ev['rank']} 名(共 {ev['of']}), 得分 {ev['score']:.2f}, "
        f"等级 {ev['grade']}"
        + (
            f", 排名区间 {ev['rank_q5']:.0f}–{ev['rank_q95']:.0f}"
            if ev["rank_q5"] is not None
            else ""
        )
    ]
    rank += [f"拉动: {n} ({v:+.2f})" for n, v in ev["lifts"]]
    rank += [f"拖累: {n} ({v:+.2f})" for n, v in ev["drags"]]
    warn = [
        f"{w['name']} {w['indicator_name']}: {w['verdict_zh']}({w['year']}年)"
        for w in d["off_track"]
    ]
    warn += [f"{w['name']} {label_zh(w['period'])}研发费用同比下降" for w in d["falling_townships"]]
    s = d.get("stopped")
    if s and s["total"] and s["period"]:
        warn.append(f"{label_zh(s['period'])}与上年同期相比, {stopped_text(s)}")
    return [("一、核心指标", ind), ("二、综合评价", rank), ("三、预警", warn or ["无"])]


def _title(d: dict[str, Any]) -> str:
    return f"{d['unit']['name']} {d['year']}年科技创新工作述职材料"


def write_docx(data: DistrictReport, out: Path) -> Path:
    """The district's report as a Word document."""
    d = data.model_dump()
    doc = new_document()
    doc.add_heading(_title(d), level=1)
    if d["synthetic"]:
        doc.add_paragraph("示例数据(synthetic)")
    for heading, lines in _paragraphs(d):
        doc.add_heading(heading, level=2)
        for line in lines:
            doc.add_paragraph(line, style="List Bullet")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def write_pdf(data: DistrictReport, out: Path) -> Path:
    """The district's report as PDF (WeasyPrint)."""
    from weasyprint import HTML

    d = data.model_dump()
    esc = html.escape
    body = "".join(
        f"<h2>{esc(h)}</h2><ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>"
        for h, lines in _paragraphs(d)
    )
    font = cjk_font() or "sans-serif"
    page = (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>body '
        f'{{font-family: "{font}";}}</style></head><body><h1>{esc(_title(d))}</h1>'
        f"{'<p>示例数据(synthetic)</p>' if d['synthetic'] else ''}{body}</body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=page).write_pdf(str(out))
    return out


WRITERS = {"docx": write_docx, "pdf": write_pdf}
