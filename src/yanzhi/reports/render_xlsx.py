"""A :class:`~yanzhi.reports.document.Document` as an Excel workbook: a 说明 sheet first
(title, the 演示 label, cut-off, coverage, issuing unit and date, every source and method,
and the list of sheets), a 正文 sheet with the numbered headings and paragraphs, then one
sheet per table with its Chinese name, number formats, a frozen header and fitted
widths. Numbers stay numbers; a missing value is an empty cell, never 0."""

from __future__ import annotations

from pathlib import Path

from yanzhi.core.labels import SYNTHETIC_NOTE
from yanzhi.export import sheets
from yanzhi.reports.document import (
    EXCEL_FORMATS,
    Document,
    Heading,
    Paragraph,
    Table,
    closing_blocks,
    date_zh,
    numbered,
)


def write(doc: Document, out: Path) -> Path:
    """Write ``doc`` to ``out`` (.xlsx)."""
    doc = doc.typeset()
    wb = sheets.new()
    label = SYNTHETIC_NOTE if doc.synthetic else None
    tables = doc.tables()
    text_rows: list[list[str]] = []
    names: list[str] = []
    taken = ["说明", "正文"]
    for block, number in numbered([*doc.blocks, *closing_blocks(doc), *doc.appendix]):
        if isinstance(block, Heading):
            text_rows.append([number + block.text])
        elif isinstance(block, Paragraph):
            text_rows.append(["", block.text])
        elif isinstance(block, Table):
            name = sheets.sheet_name(block.sheet or block.caption, taken)
            taken.append(name)
            names.append(name)
            text_rows.append(["", f"(表: {block.caption}, 见工作表「{name}」)"])
    lines = [("演示", label or "")] if label else []
    lines += [
        ("数据截至", doc.cutoff),
        ("数据覆盖", doc.coverage),
        ("编制单位", doc.issuer),
        ("编制日期", date_zh(doc.issued)),
    ]
    if doc.subtitle:
        lines.insert(0, ("报告期", doc.subtitle))
    lines += [("数据来源", s) for s in doc.sources]
    lines += [("计算方法", m) for m in doc.methods]
    lines += [("工作表", "、".join(["正文", *names]))]
    sheets.readme_sheet(wb, doc.title, lines)
    sheets.table_sheet(wb, "正文", ["标题", "内容"], text_rows, formats=["@", "@"], note=label)
    for table, name in zip(tables, names, strict=True):
        sheets.table_sheet(
            wb,
            name,
            [c.title for c in table.columns],
            table.rows,
            formats=[EXCEL_FORMATS[c.fmt] for c in table.columns],
            title=table.caption,
            note=label,
        )
    wb.properties.title = doc.title
    wb.properties.creator = doc.issuer
    if label:
        wb.properties.subject = label
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets.save(wb, out)
    return out
