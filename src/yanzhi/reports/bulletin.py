"""The monthly monitoring bulletin as Word, PDF and Excel, from services.bulletin.monthly.
Charts are drawn with matplotlib in a CJK font (reports.fonts); the Excel file holds the
table behind every chart."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

from docx.shared import Cm

from yanzhi.export import sheets
from yanzhi.reports.docx_base import add_table, new_document
from yanzhi.reports.fonts import cjk_font, matplotlib_cjk_family
from yanzhi.views.reports.bulletin import MonthlyBulletin


def district_chart(d: dict[str, Any]) -> bytes:
    """Bar chart of YTD R&D expense by district with the year-on-year growth (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = matplotlib_cjk_family()
    rows = [r for r in d["districts"] if r["rd_expense"] is not None]
    with matplotlib.rc_context(
        {"font.family": [font] if font else ["sans-serif"], "axes.unicode_minus": False}
    ):
        fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=120)
        ax.bar([r["name"] for r in rows], [r["rd_expense"] for r in rows], color="#2f6db5")
        for i, r in enumerate(rows):
            g = r.get("growth_comparable", r["growth"])
            if g is not None:
                ax.annotate(
                    f"{g:+.1%}",
                    (i, r["rd_expense"]),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
        ax.set_title(f"{d['period_zh']} 规上工业企业研发费用(亿元)及同比(可比口径)")
        ax.tick_params(axis="x", labelsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


def coverage_zh(i: dict[str, Any]) -> str:
    """An indicator status's coverage in Chinese: the flag (⚠ 数据不完整 / 解锁重审) when
    raised, else the coverage line; "—" without one."""
    c = i.get("coverage")
    if not c:
        return "—"
    return f"⚠ {c['note_zh']}" if c["flagged"] else c["text_zh"]


def _headline_rows(d: dict[str, Any]) -> list[list[str]]:
    rows = []
    for i in d["headline"]:
        f = i["forecast"]
        p = f.get("probability_meeting_target")
        rows.append(
            [
                i["name"],
                "—" if i["value"] is None else f"{i['value']:,.2f}",
                str(i["year"] or "—"),
                "—" if i["target"] is None else f"{i['target']:g}{i['unit']}",
                i["verdict_zh"],
                "—" if f.get("expected") is None else f"{f['expected']:,.2f}",
                "—" if p is None else f"{p:.1%}",
                i["status_zh"],
                coverage_zh(i),
            ]
        )
    return rows


HEADLINE_HEAD = [
    "指标",
    "最新值",
    "年份",
    "2027年目标",
    "结论",
    "2027年预测",
    "达标概率",
    "进展评估(基期以来)",
    "数据覆盖",
]
DISTRICT_HEAD = [
    "区县市",
    "研发费用(亿元)",
    "上年同期",
    "同比(可比口径)",
    "同比(总量口径)",
    "研发强度(%)",
]


def _district_rows(d: dict[str, Any]) -> list[list[str]]:
    def f(v: float | None, fmt: str) -> str:
        return "—" if v is None else format(v, fmt)

    return [
        [
            r["name"],
            f(r["rd_expense"], ",.2f"),
            f(r["rd_expense_previous"], ",.2f"),
            f(r.get("growth_comparable"), "+.1%"),
            f(r["growth"], "+.1%"),
            f(r["intensity"], ".2f"),
        ]
        for r in d["districts"]
    ]


def _programme_rows(d: dict[str, Any]) -> list[list[str]]:
    return [
        [p["code"], p["title"], "—" if p["progress"] is None else f"{p['progress']:.1f}"]
        for p in d["tasks"]["programmes"]
    ]


def _flagged_rows(d: dict[str, Any]) -> list[list[str]]:
    return [
        [t["code"], t["title"], t["lead"], "、".join(t["states"])] for t in d["tasks"]["flagged"]
    ]


def write_docx(data: MonthlyBulletin, out: Path) -> Path:
    """The bulletin as a Word document, the district chart embedded."""
    d = data.model_dump()
    doc = new_document()
    doc.add_heading(d["title"], level=1)
    doc.add_paragraph(
        f"报告期: {d['period_zh']}(请求 {d['requested']})"
        + ("  示例数据(synthetic)" if d["synthetic"] else "")
    )
    doc.add_heading("一、概要", level=2)
    for s in d["summary"]:
        doc.add_paragraph(s)
    _table(doc, "二、核心指标", HEADLINE_HEAD, _headline_rows(d))
    _table(doc, "三、分区县规上工业研发费用", DISTRICT_HEAD, _district_rows(d))
    doc.add_picture(io.BytesIO(district_chart(d)), width=Cm(16))
    comp = [
        [
            c["name"],
            str(c["expected"]),
            str(c["received"]),
            "—" if c["rate"] is None else f"{c['rate']:.1%}",
            c["status"],
        ]
        for c in d["completeness"]
    ]
    _table(doc, "四、数据报送完整率", ["区县市", "应报", "已报", "完整率", "状态"], comp)
    _table(doc, "五、重点任务进展", ["工程", "名称", "进度(%)"], _programme_rows(d))
    _table(doc, "六、需督办的任务", ["任务", "名称", "牵头单位", "问题"], _flagged_rows(d))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def _table(doc: Any, heading: str, head: list[str], rows: list[list[str]]) -> None:
    doc.add_heading(heading, level=2)
    add_table(doc, head, rows)


def to_html(data: MonthlyBulletin) -> str:
    """The bulletin as printable HTML (A4, page numbers) for the PDF."""
    d = data.model_dump()
    esc = html.escape

    def table(head: list[str], rows: list[list[str]]) -> str:
        h = "".join(f"<th>{esc(x)}</th>" for x in head)
        b = "".join("<tr>" + "".join(f"<td>{esc(x)}</td>" for x in r) + "</tr>" for r in rows)
        return f"<table><tr>{h}</tr>{b}</table>"

    chart = base64.b64encode(district_chart(d)).decode()
    font = cjk_font() or "sans-serif"
    synthetic = '<p class="synthetic">示例数据 synthetic</p>' if d["synthetic"] else ""
    summary = "".join(f"<p>{esc(s)}</p>" for s in d["summary"])
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 16mm; @bottom-center {{ content: counter(page); }} }}
body {{ font-family: "{font}"; font-size: 10pt; }} h1 {{ font-size: 15pt; }}
table {{ border-collapse: collapse; margin: 0 0 1em; }}
td, th {{ border: 1px solid #999; padding: 2px 5px; }} .synthetic {{ color: #b45309; }}
</style></head><body><h1>{esc(d["title"])}</h1>{synthetic}<p>报告期: {esc(d["period_zh"])}</p>
<h2>一、概要</h2>{summary}<h2>二、核心指标</h2>{table(HEADLINE_HEAD, _headline_rows(d))}
<h2>三、分区县规上工业研发费用</h2>{table(DISTRICT_HEAD, _district_rows(d))}
<img src="data:image/png;base64,{chart}" style="width:100%">
<h2>五、重点任务进展</h2>{table(["工程", "名称", "进度(%)"], _programme_rows(d))}
<h2>六、需督办的任务</h2>{table(["任务", "名称", "牵头单位", "问题"], _flagged_rows(d))}
</body></html>"""


def write_pdf(data: MonthlyBulletin, out: Path) -> Path:
    """The bulletin as PDF (WeasyPrint from ``to_html``)."""
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=to_html(data)).write_pdf(str(out))
    return out


def write_xlsx(data: MonthlyBulletin, out: Path) -> Path:
    """The bulletin's tables (those behind every chart) as an Excel workbook."""
    d = data.model_dump()
    wb = sheets.new()
    ws = wb.active
    ws.title = "核心指标"
    ws.append([d["title"], d["period"]] + (["示例数据 synthetic"] if d["synthetic"] else []))
    ws.append(HEADLINE_HEAD)
    for i in d["headline"]:
        f = i["forecast"]
        ws.append(
            [
                i["name"],
                i["value"],
                i["year"],
                i["target"],
                i["verdict_zh"],
                f.get("expected"),
                f.get("probability_meeting_target"),
                i["status_zh"],
                coverage_zh(i),
            ]
        )
    wd = wb.create_sheet("分区县研发费用")
    wd.append(DISTRICT_HEAD)
    for r in d["districts"]:
        wd.append(
            [
                r["name"],
                r["rd_expense"],
                r["rd_expense_previous"],
                r.get("growth_comparable"),
                r["growth"],
                r["intensity"],
            ]
        )
    wt = wb.create_sheet("重点任务进展")
    wt.append(["工程", "名称", "进度(%)"])
    for p in d["tasks"]["programmes"]:
        wt.append([p["code"], p["title"], p["progress"]])
    wc = wb.create_sheet("报送完整率")
    wc.append(["区县市", "应报", "已报", "完整率", "状态"])
    for c in d["completeness"]:
        wc.append([c["name"], c["expected"], c["received"], c["rate"], c["status"]])
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets.save(wb, out)
    return out


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
