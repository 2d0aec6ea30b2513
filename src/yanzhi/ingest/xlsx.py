"""Read an XLSX sheet fast (fastexcel / calamine into Arrow, cells as text) and find the
Excel row number of its first row, so messages name the rows a person sees."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from posixpath import join, normpath
from xml.etree import ElementTree

import pandas as pd

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="\$?[A-Z]+\$?(\d+)')


class SheetNotFound(LookupError):
    def __init__(self, sheet: str, sheets: list[str]) -> None:
        self.sheet, self.sheets = sheet, sheets
        super().__init__(f"no sheet {sheet!r}; the workbook has {sheets}")


def load_sheet(path: Path, sheet: str | None) -> tuple[str, int, pd.DataFrame]:
    """(sheet name, Excel row number of the first row returned, cells as text or None).
    Leading empty rows are skipped by the reader; the row number accounts for them."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    sheets = list(reader.sheet_names)
    chosen = sheet or sheets[0]
    if chosen not in sheets:
        raise SheetNotFound(chosen, sheets)
    frame = reader.load_sheet(chosen, header_row=None, dtypes="string").to_polars()
    cells = pd.DataFrame({i: frame[c].to_numpy() for i, c in enumerate(frame.columns)})
    return chosen, first_row(path, sheets.index(chosen)), cells


def first_row(path: Path, index: int) -> int:
    """The first used row of the index-th sheet, from its <dimension> (1 if absent)."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            sheet = book.findall("m:sheets/m:sheet", _NS)[index]
            rid = sheet.get(f"{{{_NS['r']}}}id")
            target = next(
                r.get("Target") or ""
                for r in rels.findall("p:Relationship", _NS)
                if r.get("Id") == rid
            )
            member = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
            with zf.open(member) as fh:
                head = fh.read(8192)
    except (KeyError, IndexError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile):
        return 1
    m = _DIMENSION.search(head)
    return int(m.group(1)) if m else 1
