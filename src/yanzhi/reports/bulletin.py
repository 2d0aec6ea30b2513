"""The monthly monitoring bulletin (月度监测通报) as one :class:`Document`, written as Word,
PDF and Excel with the same sections: 总体情况, 核心指标, 分区县, 预警, 数据报送完整率,
重点任务进展. Every number comes from ``views.reports.bulletin.monthly`` (the figures of the
cockpit, the unit pages and the API). The chart is drawn with matplotlib in a CJK font
(reports.fonts); the Excel file holds the table behind it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from yanzhi.core.periods import label_zh
from yanzhi.reports import render_docx, render_html, render_xlsx
from yanzhi.reports.bulletin_sections import (
    completeness_section,
    districts_section,
    headline_section,
    overview_section,
    tasks_section,
    warnings_section,
)
from yanzhi.reports.document import Document, issuer
from yanzhi.reports.fonts import matplotlib_cjk_family
from yanzhi.views.reports.bulletin import MonthlyBulletin

METHODS = (
    "同比增速以可比口径为主: 只比较本期与上年同期均有已审核报表的企业, 剔除新纳入和退出"
    "统计的企业; 按总量计算的增速为两期全部已审核报表之和的变化, 一并列出。",
    "环比指本期累计增速与上月累计增速之差(百分点)(如1–10月累计对1–9月累计), 当月研发费用"
    "为两期累计值之差; 上期没有已审核数据时不列。",
    "核心指标的结论综合两种方法: 按基期以来的进展评估(加拿大统计局和欧盟统计局的目标进展法), "
    "以及按近年趋势的预测(对数随机游走加漂移模型, t分布误差), 给出规划目标年的预测值、"
    "80%区间和达标概率。",
    "乡镇(街道)按本期累计研发费用总量同比增速排列; 上年同期无数据的乡镇(街道)不参与排列。",
)


def period_title(period_zh: str) -> str:
    """The Chinese period with an en dash: "2026年1-10月" → "2026年1–10月"."""
    return period_zh.replace("-", "–")


def _issue(d: dict[str, Any]) -> str:
    """The subtitle: the issue (期别: the month's number in the year) and the period."""
    last = d["period"].split("..")[-1]
    month = int(last) if last.isdigit() else None
    number = f"{d['period'][:4]}年第{month}期" if month else label_zh(d["period"])
    return f"{number}（报告期：{period_title(d['period_zh'])}累计）"


def _cutoff(d: dict[str, Any]) -> str:
    """数据截至: the period's last month and the YTD span, approved data only."""
    text = period_title(d["period_zh"])
    year, span = text.split("年", 1)
    last = span.split("–")[-1]
    return f"{year}年{last}({span}累计, 已审核数据)"


def _coverage(d: dict[str, Any]) -> str:
    c = d.get("coverage")
    if not c:
        return "—"
    rate = c["enterprises_reported"] / c["enterprises_expected"] if c["enterprises_expected"] else 0
    return (
        f"{c['districts_approved']}/{c['districts']}个区县(市)、{c['townships_approved']}/"
        f"{c['townships']}个乡镇(街道)的数据已审核; 应报企业{c['enterprises_expected']:,}家, "
        f"已报{c['enterprises_reported']:,}家(报送率{rate:.1%})"
    )


def document(data: MonthlyBulletin) -> Document:
    """The bulletin: the one place its content is decided."""
    d = data.model_dump()
    doc = Document(
        title=d["title"],
        issuer=issuer(d["issuer"]),
        issued=date.today(),
        cutoff=_cutoff(d),
        coverage=_coverage(d),
        synthetic=d["synthetic"],
        subtitle=_issue(d),
        sources=list(d["sources"]),
        methods=list(METHODS),
    )
    overview_section(doc, d)
    headline_section(doc, d)
    districts_section(doc, d, district_chart(d))
    warnings_section(doc, d)
    completeness_section(doc, d)
    tasks_section(doc, d)
    return doc


def district_chart(d: dict[str, Any]) -> bytes:
    """Bar chart of YTD R&D expense by district with the year-on-year growth (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = matplotlib_cjk_family()
    rows = [r for r in d["districts"] if r["rd_expense"] is not None]
    rows.sort(key=lambda r: -r["rd_expense"])
    with matplotlib.rc_context(
        {"font.family": [font] if font else ["sans-serif"], "axes.unicode_minus": False}
    ):
        fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=150)
        ax.bar([r["name"] for r in rows], [r["rd_expense"] for r in rows], color="#2f6db5")
        for i, r in enumerate(rows):
            g = r.get("growth_comparable", r["growth"])
            if g is not None:
                ax.annotate(f"{g:+.1%}", (i, r["rd_expense"]), ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("亿元")
        ax.set_title(f"{period_title(d['period_zh'])}规上工业企业研发费用及同比增速(可比口径)")
        ax.spines[["top", "right"]].set_visible(False)
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


def _writer(write: Callable[[Document, Path], Path]) -> Callable[[MonthlyBulletin, Path], Path]:
    def fn(data: MonthlyBulletin, out: Path) -> Path:
        return write(document(data), out)

    return fn


write_docx = _writer(render_docx.write)
write_pdf = _writer(render_html.write_pdf)
write_xlsx = _writer(render_xlsx.write)

WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
