"""Workbooks: an XLSX archive is checked before it is unpacked; a sheet of an XLSX or of a
legacy .xls (BIFF8, as older Excel and WPS save it) is read fast (fastexcel / calamine
into Arrow, cells as text). The sheet is read from its first row, empty leading rows
included, so the frame's row i is the Excel row i + 1 and messages name the rows a person
sees. The cells stay in Arrow (compact text); they become pandas objects a slice of rows
at a time, and the columns of numbers become float64 there, parsed in Arrow, when every
cell of the slice is a number."""

from __future__ import annotations

import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import polars as pl

MAX_XLSX_EXPANDED = 2 * 1024 * 1024 * 1024  # bytes once unzipped
MAX_XLSX_RATIO = 200  # unzipped / zipped, per member


class SheetNotFound(LookupError):
    def __init__(self, sheet: str, sheets: list[str]) -> None:
        self.sheet, self.sheets = sheet, sheets
        super().__init__(f"no sheet {sheet!r}; the workbook has {sheets}")


class UnsafeWorkbook(ValueError):
    """An XLSX archive that is not read: damaged, not a workbook, or a zip bomb."""

    def __init__(self, rule: str, zh: str, en: str) -> None:
        self.rule, self.zh, self.en = rule, zh, en
        super().__init__(en)


def check_archive(path: Path) -> None:
    """Check an XLSX archive before unpacking it: :class:`UnsafeWorkbook` if it is damaged,
    holds no workbook, or would expand beyond MAX_XLSX_EXPANDED or MAX_XLSX_RATIO."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise UnsafeWorkbook(
            "bad_xlsx",
            "XLSX 文件已损坏或不是 Excel 文件",
            "the XLSX file is damaged or not an Excel workbook",
        ) from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_XLSX_EXPANDED or worst > MAX_XLSX_RATIO:
        raise UnsafeWorkbook(
            "zip_bomb",
            f"XLSX 解压后过大({total / 2**20:.0f} MB, 压缩比 {worst:.0f}), 拒绝读取",
            f"the XLSX would expand to {total / 2**20:.0f} MB (ratio {worst:.0f}:1); "
            "refused as a possible zip bomb",
        )
    if not any(i.filename.startswith("xl/") for i in infos):
        raise UnsafeWorkbook(
            "bad_xlsx",
            "不是 Excel 工作簿(压缩包中没有 xl/ 目录)",
            "not an Excel workbook (no xl/ part in the archive)",
        )


@dataclass(frozen=True)
class SheetCells:
    """A sheet's cells as text (None where empty), held as Arrow columns."""

    frame: pl.DataFrame

    @property
    def height(self) -> int:
        return self.frame.height

    def rows(self, start: int, n: int, numbers: Collection[int] = ()) -> pd.DataFrame:
        """Rows start … start + n - 1 as a pandas frame of columns 0, 1, …: text (object)
        columns, except that a column in ``numbers`` whose every cell in these rows is a
        finite number comes as float64 (NaN where empty), parsed in Arrow. A column with
        any other cell stays text, so the checks can name that cell as written."""
        part = self.frame.slice(start, n)
        return pd.DataFrame(
            {
                i: _numeric(part[c]) if i in numbers else _text(part[c])
                for i, c in enumerate(part.columns)
            }
        )


def _numeric(cells: pl.Series) -> np.ndarray | pd.Categorical:
    """float64 if every non-empty cell parses as a finite number, else the text."""
    import polars as pl

    values = cells.cast(pl.Float64, strict=False)
    if values.null_count() != cells.null_count() or not values.is_finite().fill_null(True).all():
        return _text(cells)
    return values.to_numpy()


def _text(cells: pl.Series) -> pd.Categorical:
    """The cells as a categorical (NaN where empty): each distinct text becomes a Python
    string once, and the checks work per distinct text (a column of codes, periods or
    是/否 repeats a few thousand texts over a million rows)."""
    import polars as pl

    texts = cells.drop_nulls().unique().sort()
    codes = (cells.rank("dense") - 1).fill_null(-1).cast(pl.Int32).to_numpy()
    return pd.Categorical.from_codes(codes, categories=pd.Index(texts.to_numpy(), dtype=object))


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
