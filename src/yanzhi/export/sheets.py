"""The one writer of every Excel workbook and CSV file yanzhi produces.

Text reaches yanzhi from outside (enterprise names from filings and registers, reasons,
comments), and a spreadsheet program runs a cell that starts with ``=`` as a formula. So:

* Excel: every string cell is written as text, never as a formula (openpyxl makes any
  string starting with ``=`` a formula; :func:`save` turns such cells back into text, and
  :func:`append` writes text cells in write-only sheets). The string itself is unchanged.
* CSV: a field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
  a leading apostrophe, as the OWASP "CSV Injection" page recommends (a number stays a
  number: ``-3.5`` is left alone).

A workbook is made with :func:`new` and written with :func:`save` or :func:`to_bytes`; a
test fails on any other ``Workbook()`` or ``.to_csv`` in the source tree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from yanzhi.core.dataformats import FORMULA_START

__all__ = [
    "FORMULA_START",
    "append",
    "as_text",
    "csv_text",
    "new",
    "readme_sheet",
    "save",
    "sheet_name",
    "table_sheet",
    "to_bytes",
    "write_csv",
]

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def new(*, write_only: bool = False) -> Workbook:
    """An empty workbook (write-only for large sheets: fill it with :func:`append`)."""
    return Workbook(write_only=write_only)


def append(ws: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row; strings are text cells (for write-only sheets, where :func:`save`
    can't revisit the cells afterwards)."""
    if isinstance(ws, WriteOnlyWorksheet):
        ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in values])
    else:
        ws.append(list(values))


def _text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def as_text(wb: Workbook) -> int:
    """Turn every formula cell of ``wb`` back into the text it was given; the count."""
    if wb.write_only:
        return 0
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    n += 1
    return n


def save(wb: Workbook, target: str | Path | IO[bytes]) -> None:
    """Write ``wb`` with every string as text (see the module's text)."""
    as_text(wb)
    wb.save(target)


def to_bytes(wb: Workbook) -> bytes:
    """``wb`` as .xlsx bytes, every string as text."""
    buf = io.BytesIO()
    save(wb, buf)
    return buf.getvalue()


def csv_text(value: Any) -> Any:
    """A CSV field that no spreadsheet program runs: strings that start like a formula
    get a leading apostrophe (numbers and number-like strings stay as they are)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> None:
    """``frame.to_csv(path, index=False, **kwargs)`` with every text field made safe."""
    safe = frame
    for col in frame.columns:
        values = frame[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        first = values.astype("string").str[:1]
        if first.isin(FORMULA_START).any():
            if safe is frame:
                safe = frame.copy()
            safe[col] = values.map(csv_text)
    safe.to_csv(path, index=False, **kwargs)


# --- formatted sheets: what a bureau expects of an Excel download ------------------------

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def sheet_name(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unused sheet name from ``text``: no ``[]:*?/\\``, at most 31 characters,
    "(2)", "(3)" … appended when taken."""
    base = _FORBIDDEN.sub("", text).strip() or "表"
    used = {t.lower() for t in taken}
    name, n = base[:31], 1
    while name.lower() in used:
        n += 1
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
    return name


def _width(value: Any) -> float:
    text = (
        value
        if isinstance(value, str)
        else f"{value:,.2f}"
        if isinstance(value, float)
        else str(value)
    )
    return sum(2.1 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def table_sheet(
    wb: Workbook,
    name: str,
    head: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    formats: list[str] | None = None,
    title: str | None = None,
    note: str | None = None,
) -> Worksheet:
    """A sheet holding one table as a bureau reads it: an optional title row (and a note
    row, e.g. the 演示 label), a bold shaded header frozen in place with a filter, each
    column in its Excel number format (``formats``: e.g. ``#,##0``, ``0.0%``; ``@`` text),
    widths fitted to the content (CJK characters count double), thin borders. ``None``
    stays an empty cell, never 0."""
    ws = wb.create_sheet(sheet_name(name, wb.sheetnames))
    top = 0
    if title:
        ws.append([title])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        top += 1
    if note:
        ws.append([note])
        ws.cell(row=top + 1, column=1).font = Font(color="B45309", bold=True)
        top += 1
    ws.append(list(head))
    header_row = top + 1
    widths = [_width(h) for h in head]
    fmts = formats or ["General"] * len(head)
    for values in rows:
        row = list(values)
        ws.append(row)
        for i, v in enumerate(row):
            if v is not None and i < len(widths):
                widths[i] = max(widths[i], _width(v))
    for col, fmt in enumerate(fmts, start=1):
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=col, max_col=col):
            cell.number_format = fmt
            cell.border = _BOX
            cell.alignment = Alignment(
                vertical="center", wrap_text=fmt == "@" and widths[col - 1] > 40
            )
    for col, text in enumerate(head, start=1):
        cell = ws.cell(row=header_row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if ws.max_row > header_row:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(head))}{ws.max_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if len(head) > 6 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if note:
        ws.oddHeader.center.text = note
    return ws


def readme_sheet(wb: Workbook, title: str, lines: list[tuple[str, str]]) -> Worksheet:
    """The first sheet, 说明: the title, then one (item, text) pair a row (source, cut-off,
    coverage, method, the 演示 label …), the text wrapped in a wide column."""
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name("说明", [n for n in wb.sheetnames if n != ws.title])
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([])
    for item, text in lines:
        ws.append([item, text])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(vertical="top")
        wrapped = -(-int(_width(text or "")) // 125)  # wrapped lines in the 100-wide column
        if wrapped > 1:  # spreadsheet programs do not grow a written row by themselves
            ws.row_dimensions[ws.max_row].height = 15 * wrapped
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    ws.page_setup.orientation = "landscape"  # printed: both columns on one page
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws
