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
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from yanzhi.core.dataformats import FORMULA_START

__all__ = ["FORMULA_START", "append", "as_text", "csv_text", "new", "save", "to_bytes", "write_csv"]

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
