"""Read a workbook sheet fast (fastexcel / calamine into Arrow, cells as text): an XLSX
workbook or a legacy .xls (BIFF8, as older Excel and WPS save it). The sheet is read from
its first row, empty leading rows included, so the frame's row i is the Excel row i + 1
and messages name the rows a person sees. The cells stay in Arrow (compact text); they
become pandas objects a slice of rows at a time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import polars as pl


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
    """(sheet name, Excel row number of the first row returned, the cells). The reader
    tells XLSX from .xls by the file's content, not its name."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    sheets = list(reader.sheet_names)
    chosen = sheet or sheets[0]
    if chosen not in sheets:
        raise SheetNotFound(chosen, sheets)
    # skip_rows=0 without a header row: no leading empty rows are skipped
    frame = reader.load_sheet(chosen, header_row=None, skip_rows=0, dtypes="string").to_polars()
    return chosen, 1, SheetCells(frame)
