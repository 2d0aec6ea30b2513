"""The annual evaluation report for one level: method, ranking with rank intervals, and a
scorecard page per unit (docx and PDF). Numbers come from services.evaluation.evaluate."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

from docx.enum.text import WD_BREAK

from yanzhi.reports.docx_base import add_table, new_document
from yanzhi.reports.fonts import cjk_font

RANK_HEAD = ["排名", "单位", "类型内排名", "等级", "得分", "排名区间(5%–95%)", "较上年"]


def _num(v: Any, fmt: str = ".2f") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return format(v, fmt)


def _interval(r: dict[str, Any]) -> str:
    q5, q95 = r.get("RankQ5"), r.get("RankQ95")
    if q5 is None or q95 is None:
        return "—"
    return f"{math.floor(q5)}–{math.ceil(q95)}"


def ranking_rows(result: Any) -> list[list[str]]:
    rows = sorted(result.to_dict()["results"], key=lambda r: (r["pool"], r["Rank"]))
    return [
        [
            str(r["Rank"]),
            r["uName"],
            str(r["GroupRank"]),
            str(r["Grade"]),
            _num(r["Score"]),
            _interval(r),
            _num(r.get("ScoreChange"), "+.2f"),
        ]
        for r in rows
    ]


def scorecard_rows(result: Any, code: str) -> list[list[str]]:
    card = result.scorecards.get(code, {})
    names = {i.code: i.name for i in result.framework.indicators}
    rows = []
    for ind, score in card.get("scores", {}).items():
        contrib = card.get("contributions", {}).get(ind)
        rows.append([names.get(ind, ind), _num(score, ".1f"), _num(contrib, "+.2f")])
    return rows


def _method(result: Any) -> list[str]:
    fw = result.framework
    lines = [
        f"评价框架: {fw.name}({fw.code}), {result.year} 年, 共 {len(result.units)} 个单位、"
        f"{sum(1 for i in fw.indicators if i.type == 'Indicator')} 项指标。",
        f"方法: {fw.spec}",
        "指标与来源:",
    ]
    lines += [
        f"{i.code} {i.name}(权重 {i.weight:g}, 上级 {i.parent}): {i.provenance}"
        for i in fw.indicators
    ]
    if result.synthetic:
        lines.insert(0, "示例数据(synthetic): 本报告基于合成演示数据。")
    return lines


def write_docx(result: Any, out: Path) -> Path:
    doc = new_document()
    doc.add_heading(f"{result.framework.name} {result.year}年评价报告", level=1)
    doc.add_heading("一、方法", level=2)
    for line in _method(result):
        doc.add_paragraph(line)
    doc.add_heading("二、排名", level=2)
    add_table(doc, RANK_HEAD, ranking_rows(result))
    doc.add_heading("三、单位评分卡", level=2)
    for r in sorted(result.to_dict()["results"], key=lambda r: (r["pool"], r["Rank"])):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(
            f"{r['uName']}(排名 {r['Rank']}, 得分 {_num(r['Score'])}, "
            f"等级 {r['Grade']}, 区间 {_interval(r)})",
            level=3,
        )
        add_table(doc, ["指标", "标准化得分", "对总分的拉动"], scorecard_rows(result, r["uCode"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def to_html(result: Any) -> str:
    esc = html.escape

    def table(head: list[str], rows: list[list[str]]) -> str:
        h = "".join(f"<th>{esc(x)}</th>" for x in head)
        b = "".join("<tr>" + "".join(f"<td>{esc(x)}</td>" for x in r) + "</tr>" for r in rows)
        return f"<table><tr>{h}</tr>{b}</table>"

    cards = "".join(
        f'<section class="card"><h3>{esc(r["uName"])}(排名 {r["Rank"]}, 得分 '
        f"{_num(r['Score'])}, 等级 {r['Grade']}, 区间 {_interval(r)})</h3>"
        + table(["指标", "标准化得分", "对总分的拉动"], scorecard_rows(result, r["uCode"]))
        + "</section>"
        for r in sorted(result.to_dict()["results"], key=lambda r: (r["pool"], r["Rank"]))
    )
    method = "".join(f"<p>{esc(x)}</p>" for x in _method(result))
    font = cjk_font() or "sans-serif"
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 15mm; @bottom-center {{ content: counter(page); }} }}
body {{ font-family: "{font}"; font-size: 9pt; }} .card {{ page-break-before: always; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: 1px 4px; }}
</style></head><body><h1>{esc(result.framework.name)} {result.year}年评价报告</h1>
<h2>一、方法</h2>{method}<h2>二、排名</h2>{table(RANK_HEAD, ranking_rows(result))}
<h2>三、单位评分卡</h2>{cards}</body></html>"""


def write_pdf(result: Any, out: Path) -> Path:
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=to_html(result)).write_pdf(str(out))
    return out


def _workbook(result: Any, out: Path) -> Path:
    from yanzhi.reports.evaluation_workbook import write_workbook

    return Path(write_workbook(result, out))


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": _workbook}
