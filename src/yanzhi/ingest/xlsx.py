"""Read an XLSX sheet fast (fastexcel / calamine into Arrow, cells as text) and find the
Excel row number of its first row, so messages name the rows a person sees. The cells stay
in Arrow (compact text); they become pandas objects a slice of rows at a time."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from posixpath import join, normpath
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pandas as pd

if TYPE_CHECKING:
    import polars as pl

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


@dataclass(frozen=True)
class SheetCells:
    """A sheet's cells as text (None where empty), held as Arrow columns."""

    frame: pl.DataFrame

    @property
    def height(self) -> int:
        return self.frame.height

    def rows(self, start: int, n: int) -> pd.DataFrame:
        """Rows start … start + n - 1 as a pandas frame of object columns 0, 1, …"""
        part = self.frame.slice(start, n)
        return pd.DataFrame({i: part[c].to_numpy() for i, c in enumerate(part.columns)})


def load_sheet(path: Path, sheet: str | None) -> tuple[str, int, SheetCells]:
    """(sheet name, Excel row number of the first row returned, the cells).
    Leading empty rows are skipped by the reader; the row number accounts for them."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    sheets = list(reader.sheet_names)
    chosen = sheet or sheets[0]
    if chosen not in sheets:
        raise SheetNotFound(chosen, sheets)
    frame = reader.load_sheet(chosen, header_row=None, dtypes="string").to_polars()
    return chosen, first_row(path, sheets.index(chosen)), SheetCells(frame)


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
