"""Read a data file as tables of raw cells, finding the header row below any title rows:
CSV or tab-separated text (UTF-8 with or without BOM, GBK / GB18030, or UTF-16 as Excel's
"Unicode 文本" export writes it; see ``ingest.textfile``), an XLSX workbook, or a legacy
.xls workbook (BIFF8, from older Excel or WPS). :func:`open_table` finds and
maps the header, then yields the rows in chunks of :data:`CHUNK_ROWS`, so the raw text of
a large file is never all in memory at once (``ingest.parse.read_typed`` types each chunk
and keeps only compact columns); :func:`read_table` reads a small file whole.

Every failure is an :class:`~yanzhi.core.issues.InputRejected` naming the file and the
reason, produced within bounded time and memory: the size is checked before reading, an
XLSX archive's expanded size before unpacking, and binary or encrypted files by their
first bytes. A file with a header but no data rows is refused, not imported as nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yanzhi import config
from yanzhi.core.dataformats import DataKind, Field, FieldType
from yanzhi.core.issues import InputRejected, Issue
from yanzhi.ingest.textfile import DELIMITERS, NotText, sniff_encoding
from yanzhi.ingest.xlsx import SheetNotFound, UnsafeWorkbook, check_archive, load_sheet


def max_file_bytes() -> int:
    """The largest data file an import reads (YANZHI_MAX_FILE_MB), read at call time."""
    return config.settings().max_file_mb * 1024 * 1024


HEADER_SCAN_ROWS = 30
CHUNK_ROWS = 50_000  # rows read and typed at a time

_UNIT_RE = re.compile(r"[(（\[【]\s*([^)）\]】]*)\s*[)）\]】]")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawTable:
    """Raw cells below the header; ``rows`` are the file's row numbers (1-based)."""

    file: str
    sheet: str | None
    columns: dict[str, str]  # field code -> header text as written
    units: dict[str, str]  # field code -> unit declared in the header
    data: pd.DataFrame  # one object column per mapped field, cells as str (or typed for XLSX)
    rows: pd.Series  # file row number of each data row
    encoding: str | None
    ignored_columns: list[str]


Cells = Iterator[tuple[pd.DataFrame, np.ndarray]]  # raw cells by column index, file rows
CellReader = Callable[[frozenset[int]], Cells]
"""Reads a file's rows below the header; given the indices of the columns that hold
numbers, a reader may hand those over as float64 when every cell of a chunk is a number
(an XLSX does; text files hand over text)."""

_NUMBER_TYPES = (FieldType.INTEGER, FieldType.NUMBER, FieldType.MONEY, FieldType.YEAR)


@dataclass
class TableSource:
    """A data file whose header is found and mapped; its rows are read by :meth:`chunks`."""

    header: RawTable  # the file's metadata, no rows
    picked: dict[str, int]  # field code -> column index in the file
    cells: CellReader
    header_row: int  # the file row number of the header
    numbers: frozenset[int] = frozenset()  # column indices of the fields that hold numbers

    def chunks(self) -> Iterator[RawTable]:
        """The rows in chunks of at most CHUNK_ROWS, as read; blank rows are dropped, the
        file's row numbers kept. A file with no data rows below its header is refused
        (after any chunks of blank rows)."""
        found = 0
        for frame, rows in self.cells(self.numbers):
            data = frame[list(self.picked.values())]
            data.columns = list(self.picked)
            keep = _non_blank(data).to_numpy()
            found += int(keep.sum())
            yield replace(
                self.header,
                data=data[keep].reset_index(drop=True),
                rows=pd.Series(rows[keep]),
            )
        if not found:
            name = self.header.file
            raise _reject(
                name,
                "no_data_rows",
                f"文件 {name} 只有表头, 没有数据行",
                f"the file {name} has a header row but no data rows",
                sheet=self.header.sheet,
                row=self.header_row,
            )

    def read_all(self) -> RawTable:
        parts = list(self.chunks())
        if len(parts) == 1:
            return parts[0]
        return replace(
            self.header,
            data=pd.concat([p.data for p in parts], ignore_index=True),
            rows=pd.concat([p.rows for p in parts], ignore_index=True),
        )


def _reject(file: str, rule: str, zh: str, en: str, **kw: Any) -> InputRejected:
    return InputRejected([Issue(rule, zh, en, file=file, **kw)], what=file)


def normalise_header(text: Any) -> str:
    s = _UNIT_RE.sub("", str(text))
    return re.sub(r"[\s*＊:：]", "", s).lower()


def header_unit(text: Any) -> str | None:
    m = _UNIT_RE.search(str(text))
    return m.group(1).strip() if m and m.group(1).strip() else None


def read_table(
    path: str | Path, kind: DataKind, *, encoding: str | None = None, sheet: str | None = None
) -> RawTable:
    """The whole table at once (for small files; imports use :func:`open_table`)."""
    return open_table(path, kind, encoding=encoding, sheet=sheet).read_all()


def open_table(
    path: str | Path,
    kind: DataKind,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    chunk_rows: int | None = None,
) -> TableSource:
    """Check the file, find and map its header; the rows are read later, chunk by chunk.
    Errors in the rows (CSV syntax, encoding) are raised while iterating the chunks."""
    chunk = chunk_rows or CHUNK_ROWS
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _reject(
            name,
            "file_unreadable",
            f"无法读取文件: {exc.strerror}",
            f"cannot read file: {exc.strerror}",
        ) from None
    if size == 0:
        raise _reject(name, "empty_file", "文件为空", "the file is empty")
    limit = max_file_bytes()
    if size > limit:
        raise _reject(
            name,
            "file_too_large",
            f"文件过大: {size / 2**20:.0f} MB, 上限 {limit / 2**20:.0f} MB",
            f"file too large: {size / 2**20:.0f} MB; the limit is "
            f"{limit / 2**20:.0f} MB (YANZHI_MAX_FILE_MB)",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):  # a legacy .xls, or a workbook with an open password
        return _open_workbook(path, name, kind, sheet, chunk, legacy=True)
    if head.startswith(b"PK"):
        try:
            check_archive(path)
        except UnsafeWorkbook as exc:
            raise _reject(name, exc.rule, exc.zh, exc.en) from None
        return _open_workbook(path, name, kind, sheet, chunk, legacy=False)
    return _open_csv(path, name, kind, encoding, chunk)


# -- CSV -------------------------------------------------------------------------------


def _detect_encoding(path: Path, name: str) -> str:
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    try:
        enc = sniff_encoding(sample)
    except NotText:
        raise _reject(
            name,
            "binary_file",
            "不是文本文件(含二进制内容), 请上传 CSV、XLSX 或 XLS",
            "not a text file (binary content); upload a CSV, XLSX or XLS file",
        ) from None
    if enc is None:
        raise _reject(
            name,
            "encoding",
            "无法识别文件编码(应为 UTF-8、GBK/GB18030 或 UTF-16), 可用 --encoding 指定",
            "cannot tell the encoding (expected UTF-8, GBK/GB18030 or UTF-16); give --encoding",
        )
    return enc


def _scan(path: Path, name: str, enc: str, delimiter: str) -> list[list[str]]:
    """The first HEADER_SCAN_ROWS rows split at ``delimiter``."""
    try:
        with path.open(encoding=enc, newline="") as fh:
            rows = csv.reader(fh, delimiter=delimiter)
            return [row for _, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
    except (UnicodeDecodeError, LookupError) as exc:
        raise _reject(
            name, "encoding", f"按 {enc} 解码失败: {exc}", f"cannot decode as {enc}: {exc}"
        ) from None
    except csv.Error as exc:
        raise _reject(
            name, "csv_syntax", f"CSV 格式错误: {exc}", f"CSV syntax error: {exc}"
        ) from None


def _open_csv(
    path: Path, name: str, kind: DataKind, encoding: str | None, chunk: int
) -> TableSource:
    enc = encoding or _detect_encoding(path, name)
    # comma- or tab-separated: the reading that finds more of the header (commas on a tie)
    scans = {d: _scan(path, name, enc, d) for d in DELIMITERS}
    sep = max(DELIMITERS, key=lambda d: _best_header(scans[d], kind)[1])
    first = scans[sep]
    h = _find_header(first, kind, name)
    header = first[h]

    def cells(_numbers: frozenset[int]) -> Cells:
        start = h + 2  # the file row number of the first row below the header
        try:
            with pd.read_csv(
                path,
                encoding=enc,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                header=None,
                skiprows=h + 1,
                names=list(range(len(header))),
                index_col=False,
                on_bad_lines="error",
                skip_blank_lines=False,
                engine="c",
                chunksize=chunk,
            ) as reader:
                for frame in reader:
                    yield frame, np.arange(start, start + len(frame))
                    start += len(frame)
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise _reject(
                name, "csv_syntax", f"CSV 格式错误: {exc}", f"CSV syntax error: {exc}"
            ) from None

    return _mapped(name, None, header, h + 1, cells, kind, enc)


# -- XLSX ------------------------------------------------------------------------------


def _unreadable(name: str, exc: Exception, *, legacy: bool) -> InputRejected:
    if legacy:  # an OLE container: a legacy .xls, or any workbook with an open password
        return _reject(
            name,
            "encrypted_or_bad_xls",
            "无法读取: 文件已加密(设置了打开密码)或是损坏的 .xls 文件; "
            "请去除密码后另存为 .xlsx 或 CSV",
            f"cannot read the file: it is password-protected or a damaged .xls workbook "
            f"({exc}); remove the password and save it as .xlsx or CSV",
        )
    return _reject(
        name,
        "bad_xlsx",
        f"无法读取 Excel 文件: {exc}",
        f"cannot read the Excel workbook: {exc}",
    )


def _open_workbook(
    path: Path, name: str, kind: DataKind, sheet: str | None, chunk: int, *, legacy: bool
) -> TableSource:
    """An XLSX workbook, or (``legacy``) an .xls workbook; one reader for both."""
    try:
        chosen, first, cells = load_sheet(path, sheet)
    except SheetNotFound as exc:
        raise _reject(
            name, "unknown_sheet", f"没有工作表 {exc.sheet}; 现有: {exc.sheets}", str(exc)
        ) from None
    except Exception as exc:  # the reader raises its own error types for broken workbooks
        raise _unreadable(name, exc, legacy=legacy) from None
    head = cells.rows(0, HEADER_SCAN_ROWS)
    probe = head.astype(object).where(head.notna(), "")
    h = _find_header(probe.values.tolist(), kind, name, sheet=chosen)
    header = [str(c) for c in probe.iloc[h]]

    def body(numbers: frozenset[int]) -> Cells:
        for start in range(h + 1, cells.height, chunk):
            frame = cells.rows(start, chunk, numbers)
            frame.columns = list(range(len(header)))
            yield frame, np.arange(first + start, first + start + len(frame))

    return _mapped(name, chosen, header, first + h, body, kind, None)


# -- header ----------------------------------------------------------------------------


def _lookup(kind: DataKind) -> dict[str, Field]:
    return {normalise_header(h): f for f in kind.fields for h in f.headers}


def _best_header(rows: Sequence[Sequence[Any]], kind: DataKind) -> tuple[int, int]:
    """(index, known columns) of the row naming the most known columns; (-1, 0) if none."""
    lookup = _lookup(kind)
    best, best_hits = -1, 0
    for i, row in enumerate(rows):
        hits = len({lookup[k].code for c in row if (k := normalise_header(c)) in lookup})
        if hits > best_hits:
            best, best_hits = i, hits
    return best, best_hits


def _find_header(
    rows: Sequence[Sequence[Any]], kind: DataKind, name: str, sheet: str | None = None
) -> int:
    best, best_hits = _best_header(rows, kind)
    required = [f for f in kind.fields if f.required]
    if best < 0 or best_hits < min(2, len(required)):
        expected = "、".join(f.zh for f in required)
        raise _reject(
            name,
            "no_header",
            f"在前 {HEADER_SCAN_ROWS} 行中找不到表头; 应包含: {expected}",
            f"no header row found in the first {HEADER_SCAN_ROWS} rows; expected "
            f"columns such as {', '.join(f.en for f in required)}",
            sheet=sheet,
        )
    return best


def _mapped(
    name: str,
    sheet: str | None,
    header: Sequence[str],
    header_row: int,
    cells: CellReader,
    kind: DataKind,
    encoding: str | None,
) -> TableSource:
    lookup = _lookup(kind)
    columns: dict[str, str] = {}
    units: dict[str, str] = {}
    picked: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[tuple[str, str]] = []  # (header text, the text of the column it repeats)
    for idx, text in enumerate(header):
        f = lookup.get(normalise_header(text))
        if f is None:
            if str(text).strip():
                ignored.append(str(text))
            continue
        if f.code in picked:
            repeated.append((str(text), columns[f.code]))
            continue
        picked[f.code], columns[f.code] = idx, str(text)
        if (u := header_unit(text)) is not None:
            units[f.code] = u
    missing = [f for f in kind.fields if f.required and f.code not in picked and f.code != "period"]
    if repeated or missing:
        # read every row first, as a whole-file reader would: a broken CSV is reported as
        # such, and a repeated column names the header row only if rows follow it
        row = header_row if _read_through(cells) else 1
        issues = [
            Issue(
                "duplicate_column",
                f"列 {text} 与列 {first} 重复",
                f"column {text!r} duplicates column {first!r}",
                file=name,
                sheet=sheet,
                row=row,
                column=text,
            )
            for text, first in repeated
        ]
        issues += [
            Issue(
                "missing_column",
                f"缺少必填列: {f.zh}",
                f"required column missing: {f.en}",
                file=name,
                sheet=sheet,
                column=f.zh,
            )
            for f in missing
        ]
        raise InputRejected(issues, what=name)
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in picked})
    meta = RawTable(
        name, sheet, columns, units, empty, pd.Series([], dtype="int64"), encoding, ignored
    )
    numbers = frozenset(
        picked[f.code] for f in kind.fields if f.code in picked and f.type in _NUMBER_TYPES
    )
    return TableSource(meta, picked, cells, header_row, numbers)


def _read_through(cells: CellReader) -> bool:
    """Read every row (chunk by chunk, keeping none); whether any row follows the header."""
    return sum(len(frame) for frame, _ in cells(frozenset())) > 0


def _non_blank(data: pd.DataFrame) -> pd.Series:
    """Rows with at least one non-empty cell (trailing blank rows are dropped)."""
    blank = np.ones(len(data), dtype=bool)
    for col in data.columns:
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):  # per distinct text; code -1: empty
            texts = s.cat.categories.to_numpy(dtype=object)
            blank &= np.append(texts == "", True)[s.cat.codes.to_numpy()]
            continue
        cells = s.to_numpy()
        blank &= np.isnan(cells) if cells.dtype.kind == "f" else pd.isna(cells) | (cells == "")
    return pd.Series(~blank, index=data.index)


def iter_issue_rows(table: RawTable, positions: Iterable[int]) -> list[int]:
    return [int(table.rows.iloc[p]) for p in positions]
