"""What the first document of a server process would otherwise pay for: importing
WeasyPrint, matplotlib and python-docx, loading the CJK fonts and laying out a page
(about 5 s on the 2-core machine, measured in benchmarks/bench_documents.py). ``yanzhi
serve`` runs :func:`warm_up` in a background thread as it starts, so a user's first
download is not the one that waits."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from yanzhi.reports.document import Column, Document, Figure, Paragraph, Table


def warm_up() -> float:
    """Render a one-page document (with a chart) to Word, PDF and Excel in a temporary
    folder and return the seconds it took."""
    start = time.perf_counter()
    from yanzhi.reports import render_docx, render_html, render_xlsx
    from yanzhi.reports.bulletin import district_chart

    chart = district_chart(
        {
            "period_zh": "1-1月",
            "districts": [{"name": "示例", "rd_expense": 1.0, "growth": 0.1}],
        }
    )
    doc = Document(
        title="预热",
        issuer="研值",
        issued=dt.date.today(),
        cutoff="—",
        coverage="—",
        synthetic=True,
        blocks=[
            Paragraph("预热文档，不对外提供。"),
            Table("示例", (Column("单位"), Column("数值", "num2")), (("示例", 1.0),)),
            Figure(chart, "示例"),
        ],
    )
    with tempfile.TemporaryDirectory(prefix="yanzhi-warmup-") as folder:
        out = Path(folder)
        render_docx.write(doc, out / "w.docx")
        render_html.write_pdf(doc, out / "w.pdf")
        render_xlsx.write(doc, out / "w.xlsx")
    return time.perf_counter() - start
