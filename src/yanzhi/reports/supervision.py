"""The supervision report (督办): per responsible unit, its overdue, silent and behind-path
tasks with the reminders already sent (docx, PDF, xlsx); from services.tasks.supervise."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from yanzhi.export import sheets
from yanzhi.reports.docx_base import add_table, new_document
from yanzhi.reports.fonts import cjk_font

HEAD = ["任务", "名称", "问题", "最新报告", "逾期里程碑", "已催办"]


def rows(unit: dict[str, Any]) -> list[list[str]]:
    """The table rows of one responsible unit's tasks."""
    out = []
    for t in unit["tasks"]:
        latest = t.get("latest") or {}
        out.append(
            [
                t["code"],
                t["title"],
                "、".join(t["state_labels"]),
                f"{latest.get('period', '—')} {latest.get('status', '')}".strip(),
                str(len(t["overdue_milestones"])),
                str(len(t["reminders"])),
            ]
        )
    return out


def _title(d: dict[str, Any]) -> str:
    return f"督办清单 {d['period']}"


def write_docx(d: dict[str, Any], out: Path) -> Path:
    """The supervision list as a Word document."""
    doc = new_document()
    doc.add_heading(_title(d), level=1)
    doc.add_paragraph(f"截至 {d['today']}; 共 {len(d['units'])} 个责任单位有待督办事项。")
    for unit in d["units"]:
        doc.add_heading(f"{unit['unit_name']}({len(unit['tasks'])} 项)", level=2)
        add_table(doc, HEAD, rows(unit))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def write_pdf(d: dict[str, Any], out: Path) -> Path:
    """The supervision list as a PDF."""
    from weasyprint import HTML

    esc = html.escape
    parts = []
    for unit in d["units"]:
        head = "".join(f"<th>{esc(h)}</th>" for h in HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows(unit)
        )
        parts.append(f"<h2>{esc(unit['unit_name'])}</h2><table><tr>{head}</tr>{body}</table>")
    font = cjk_font() or "sans-serif"
    page = (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>body {{'
        f'font-family: "{font}"; font-size: 9pt;}} table {{border-collapse: collapse;}} '
        f"td, th {{border: 1px solid #999; padding: 1px 4px;}}</style></head><body>"
        f"<h1>{esc(_title(d))}</h1>{''.join(parts)}</body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=page).write_pdf(str(out))
    return out


def write_xlsx(d: dict[str, Any], out: Path) -> Path:
    """The supervision list as a workbook."""
    wb = sheets.new()
    ws = wb.active
    ws.title = "督办"
    ws.append(["责任单位", *HEAD])
    for unit in d["units"]:
        for row in rows(unit):
            ws.append([unit["unit_name"], *row])
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets.save(wb, out)
    return out


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
