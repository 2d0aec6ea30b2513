"""Read a data file (CSV in UTF-8 / UTF-8 with BOM / GBK / GB18030, or XLSX) into a table
of raw cells, finding the header row below any title rows. Every failure is an
:class:`~yanzhi.core.issues.InputRejected` naming the file and the reason, produced within
bounded time and memory: the size is checked before reading, an XLSX archive's expanded
size before unpacking, and binary or encrypted files by their first bytes.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from yanzhi import config
from yanzhi.core.dataformats import DataKind, Field
from yanzhi.core.issues import InputRejected, Issue
from yanzhi.ingest.xlsx import SheetNotFound, load_sheet

MAX_FILE_BYTES = int(config.get("YANZHI_MAX_FILE_MB") or 1024) * 1024 * 1024
MAX_XLSX_EXPANDED = 2 * 1024 * 1024 * 1024  # bytes once unzipped
MAX_XLSX_RATIO = 200  # unzipped / zipped, per member
HEADER_SCAN_ROWS = 30
ENCODINGS = ("utf-8-sig", "gb18030")

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
    if size > MAX_FILE_BYTES:
        raise _reject(
            name,
            "file_too_large",
            f"文件过大: {size / 2**20:.0f} MB, 上限 {MAX_FILE_BYTES / 2**20:.0f} MB",
            f"file too large: {size / 2**20:.0f} MB; the limit is "
            f"{MAX_FILE_BYTES / 2**20:.0f} MB (YANZHI_MAX_FILE_MB)",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        raise _reject(
            name,
            "encrypted_or_xls",
            "文件已加密(设置了打开密码)或为旧版 .xls 格式; 请去除密码并另存为 .xlsx 或 CSV",
            "the file is password-protected or a legacy .xls workbook; remove the "
            "password and save it as .xlsx or CSV",
        )
    if head.startswith(b"PK"):
        return _read_xlsx(path, name, kind, sheet)
    return _read_csv(path, name, kind, encoding)


# -- CSV -------------------------------------------------------------------------------


def _detect_encoding(path: Path, name: str) -> str:
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    if b"\x00" in sample:
        raise _reject(
            name,
            "binary_file",
            "不是文本文件(含二进制内容), 请上传 CSV 或 XLSX",
            "not a text file (binary content); upload a CSV or XLSX file",
        )
    for enc in ENCODINGS:
        try:  # an incremental decoder accepts a character cut at the end of the sample
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    raise _reject(
        name,
        "encoding",
        "无法识别文件编码(应为 UTF-8 或 GBK/GB18030), 可用 --encoding 指定",
        "cannot tell the encoding (expected UTF-8 or GBK/GB18030); give --encoding",
    )


def _read_csv(path: Path, name: str, kind: DataKind, encoding: str | None) -> RawTable:
    enc = encoding or _detect_encoding(path, name)
    try:
        with path.open(encoding=enc, newline="") as fh:
            first = [row for _, row in zip(range(HEADER_SCAN_ROWS), csv.reader(fh), strict=False)]
    except (UnicodeDecodeError, LookupError) as exc:
        raise _reject(
            name, "encoding", f"按 {enc} 解码失败: {exc}", f"cannot decode as {enc}: {exc}"
        ) from None
    except csv.Error as exc:
        raise _reject(
            name, "csv_syntax", f"CSV 格式错误: {exc}", f"CSV syntax error: {exc}"
        ) from None
    h = _find_header(first, kind, name)
    header = first[h]
    try:
        frame = pd.read_csv(
            path,
            encoding=enc,
            dtype=str,
            keep_default_na=False,
            header=None,
            skiprows=h + 1,
            names=list(range(len(header))),
            index_col=False,
            on_bad_lines="error",
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _reject(
            name, "csv_syntax", f"CSV 格式错误: {exc}", f"CSV syntax error: {exc}"
        ) from None
    rows = pd.Series(range(h + 2, h + 2 + len(frame)))
    return _mapped(name, None, header, frame, rows, kind, enc)


# -- XLSX ------------------------------------------------------------------------------


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise _reject(
            name,
            "bad_xlsx",
            "XLSX 文件已损坏或不是 Excel 文件",
            "the XLSX file is damaged or not an Excel workbook",
        ) from None
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_XLSX_EXPANDED or worst > MAX_XLSX_RATIO:
        raise _reject(
            name,
            "zip_bomb",
            f"XLSX 解压后过大({total / 2**20:.0f} MB, 压缩比 {worst:.0f}), 拒绝读取",
            f"the XLSX would expand to {total / 2**20:.0f} MB (ratio {worst:.0f}:1); "
            "refused as a possible zip bomb",
        )
    if not any(i.filename.startswith("xl/") for i in infos):
        raise _reject(
            name,
            "bad_xlsx",
            "不是 Excel 工作簿(压缩包中没有 xl/ 目录)",
            "not an Excel workbook (no xl/ part in the archive)",
        )


def _read_xlsx(path: Path, name: str, kind: DataKind, sheet: str | None) -> RawTable:
    _check_zip(path, name)
    try:
        chosen, first, cells = load_sheet(path, sheet)
    except SheetNotFound as exc:
        raise _reject(
            name, "unknown_sheet", f"没有工作表 {exc.sheet}; 现有: {exc.sheets}", str(exc)
        ) from None
    except Exception as exc:  # the reader raises its own error types for broken workbooks
        raise _reject(
            name,
            "bad_xlsx",
            f"无法读取 Excel 文件: {exc}",
            f"cannot read the Excel workbook: {exc}",
        ) from None
    probe = (
        cells.head(HEADER_SCAN_ROWS).astype(object).where(cells.head(HEADER_SCAN_ROWS).notna(), "")
    )
    h = _find_header(probe.values.tolist(), kind, name, sheet=chosen)
    header = [str(c) for c in probe.iloc[h]]
    body = cells.iloc[h + 1 :].reset_index(drop=True)
    body.columns = list(range(len(header)))
    rows = pd.Series(range(first + h + 1, first + h + 1 + len(body)))
    return _mapped(name, chosen, header, body, rows, kind, None)


# -- header ----------------------------------------------------------------------------


def _lookup(kind: DataKind) -> dict[str, Field]:
    return {normalise_header(h): f for f in kind.fields for h in f.headers}


def _find_header(
    rows: Sequence[Sequence[Any]], kind: DataKind, name: str, sheet: str | None = None
) -> int:
    lookup = _lookup(kind)
    best, best_hits = -1, 0
    for i, row in enumerate(rows):
        hits = len({lookup[k].code for c in row if (k := normalise_header(c)) in lookup})
        if hits > best_hits:
            best, best_hits = i, hits
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
    frame: pd.DataFrame,
    rows: pd.Series,
    kind: DataKind,
    encoding: str | None,
) -> RawTable:
    lookup = _lookup(kind)
    columns: dict[str, str] = {}
    units: dict[str, str] = {}
    picked: dict[str, int] = {}
    ignored: list[str] = []
    issues: list[Issue] = []
    for idx, text in enumerate(header):
        f = lookup.get(normalise_header(text))
        if f is None:
            if str(text).strip():
                ignored.append(str(text))
            continue
        if f.code in picked:
            issues.append(
                Issue(
                    "duplicate_column",
                    f"列 {text} 与列 {columns[f.code]} 重复",
                    f"column {text!r} duplicates column {columns[f.code]!r}",
                    file=name,
                    sheet=sheet,
                    row=int(rows.iloc[0]) - 1 if len(rows) else 1,
                    column=str(text),
                )
            )
            continue
        picked[f.code], columns[f.code] = idx, str(text)
        if (u := header_unit(text)) is not None:
            units[f.code] = u
    missing = [f for f in kind.fields if f.required and f.code not in picked and f.code != "period"]
    for f in missing:
        issues.append(
            Issue(
                "missing_column",
                f"缺少必填列: {f.zh}",
                f"required column missing: {f.en}",
                file=name,
                sheet=sheet,
                column=f.zh,
            )
        )
    if issues:
        raise InputRejected(issues, what=name)
    data = frame[list(picked.values())].copy()
    data.columns = list(picked.keys())
    keep = _non_blank(data)
    return RawTable(
        name,
        sheet,
        columns,
        units,
        data[keep].reset_index(drop=True),
        rows[keep.to_numpy()].reset_index(drop=True),
        encoding,
        ignored,
    )


def _non_blank(data: pd.DataFrame) -> pd.Series:
    """Rows with at least one non-empty cell (trailing blank rows are dropped)."""
    blank = pd.Series(True, index=data.index)
    for col in data.columns:
        s = data[col]
        blank &= s.isna() | s.eq("")
    return ~blank


def iter_issue_rows(table: RawTable, positions: Iterable[int]) -> list[int]:
    return [int(table.rows.iloc[p]) for p in positions]
