"""Blank import templates (XLSX): Chinese headers with units, an English header row
comment, required columns marked, and drop-down lists (Excel data validation)."""

from __future__ import annotations

from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from yanzhi.core.dataformats import FieldType, data_kind, field_help_zh
from yanzhi.export import sheets

MAX_ROWS = 20000


def header_text(field_zh: str, unit: str | None, required: bool) -> str:
    """A template's header cell: ``*`` for required, the Chinese name, the unit."""
    return ("*" if required else "") + field_zh + (f"({unit})" if unit else "")


def write_template(kind: str, out: Path) -> Path:
    """Write the blank import template of ``kind`` to ``out`` (``NotFound`` for an unknown
    kind): a title row, the headers with units and comments, drop-down lists."""
    spec = data_kind(kind)
    wb = sheets.new()
    ws = wb.active
    ws.title = sheets.sheet_name(spec.zh)  # the first sheet is the one an import reads
    ws.append([f"{spec.zh}(带 * 为必填；从第3行起每行填写一条，勿改动表头)"])
    ws["A1"].font = Font(bold=True, size=12)
    headers = [header_text(f.zh, f.unit, f.required) for f in spec.fields]
    ws.append(headers)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, f in enumerate(spec.fields, start=1):
        cell = ws.cell(row=2, column=col)
        cell.font, cell.fill = Font(bold=True), fill
        cell.comment = Comment(field_help_zh(f), "研值")
        ws.column_dimensions[cell.column_letter].width = max(12, len(cell.value) * 2 + 2)
        rng = f"{cell.column_letter}3:{cell.column_letter}{MAX_ROWS}"
        choices = f.choices[:4] if f.choices else ("是,否",) if f.type is FieldType.BOOL else ()
        if choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not f.required
            )
            dv.add(rng)
            ws.add_data_validation(dv)
        elif f.type in (FieldType.MONEY, FieldType.NUMBER) and f.min is not None:
            dv = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1=str(f.min),
                allow_blank=not f.required,
            )
            dv.error = f"{f.zh} 应为不小于 {f.min:g} 的数值 / {f.en} must be ≥ {f.min:g}"
            dv.add(rng)
            ws.add_data_validation(dv)
    ws.freeze_panes = "A3"
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets.save(wb, out)
    return out
