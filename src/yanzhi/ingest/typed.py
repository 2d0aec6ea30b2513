"""A whole data file typed in bounded memory: :func:`read_typed` reads the file in chunks
(``ingest.tabular``), types each chunk (``ingest.parse``), keeps only compact columns
(numbers as float64, text as categoricals) and drops the raw cells before the next chunk,
so memory follows the number of rows, not the file's text. Its issues are exactly those
one pass over the whole file gives: the same rows, in the same order, each check listing
at most MAX_ISSUES_PER_RULE rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from yanzhi.core.dataformats import DataKind, FieldType
from yanzhi.core.issues import MAX_ISSUES_PER_RULE, Issue, RowIssueSink
from yanzhi.ingest.parse import parse_cells
from yanzhi.ingest.tabular import RawTable, open_table

_CATEGORICAL = (FieldType.TEXT, FieldType.CODE, FieldType.PERIOD, FieldType.DATE)


@dataclass
class TypedTable:
    """A data file typed in compact columns: numbers as float64, text (codes, periods,
    dates, names) as categoricals, 是/否 as objects; ``rows`` holds the file row number of
    each row and ``issues`` what the cells broke (see ``ingest.parse.parse_table``)."""

    header: RawTable  # the file, sheet, mapped columns and units (no cells)
    kind: DataKind
    frame: pd.DataFrame
    rows: np.ndarray
    issues: list[Issue]

    @property
    def file(self) -> str:
        return self.header.file

    @property
    def sheet(self) -> str | None:
        return self.header.sheet

    @property
    def columns(self) -> dict[str, str]:
        """Field code -> header text as written."""
        return self.header.columns

    def plain(self) -> pd.DataFrame:
        """The frame as ``parse_table`` gives it (text as str, periods and dates as
        objects with None), for checks of small files that want plain columns."""
        types = {f.code: f.type for f in self.kind.fields}
        out = {}
        for code, col in self.frame.items():
            if isinstance(col.dtype, pd.CategoricalDtype):
                values = pd.Series(np.asarray(col, dtype=object), index=col.index)
                if types[str(code)] in (FieldType.TEXT, FieldType.CODE):
                    col = values.astype(str)
                else:
                    col = values.where(values.notna(), None)
            out[code] = col
        return pd.DataFrame(out, index=self.frame.index)


def read_typed(
    path: str | Path,
    kind: DataKind,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    money_unit: str | None = None,
    period: str | None = None,
    chunk_rows: int | None = None,
) -> TypedTable:
    """Read, type and check the cells of a data file one chunk at a time; raises
    :class:`~yanzhi.core.issues.InputRejected` for a file it cannot read."""
    source = open_table(path, kind, encoding=encoding, sheet=sheet, chunk_rows=chunk_rows)
    head = source.header
    sink = _FileSink(head.file, head.sheet)
    parts: list[pd.DataFrame] = []
    rows: list[np.ndarray] = []
    for chunk in source.chunks():
        sink.rows = chunk.rows.tolist()
        typed = parse_cells(chunk, kind, sink, money_unit=money_unit, period=period)
        parts.append(_compact(typed, kind))
        rows.append(chunk.rows.to_numpy(dtype=np.int64))
    return TypedTable(head, kind, _concat(parts), np.concatenate(rows), sink.finish())


def _compact(frame: pd.DataFrame, kind: DataKind) -> pd.DataFrame:
    """Text columns as categoricals (a small code per row, each distinct text once)."""
    types = {f.code: f.type for f in kind.fields}
    out = {}
    for code, col in frame.items():
        if types[str(code)] in _CATEGORICAL:
            codes, uniques = pd.factorize(col.to_numpy(dtype=object))
            cats = pd.Index(uniques, dtype=object)
            col = pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=col.index)
        out[code] = col
    return pd.DataFrame(out, index=frame.index)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0]
    n = sum(len(p) for p in parts)
    out = {}
    for code in list(parts[0].columns):
        cols = [p.pop(code) for p in parts]  # each chunk's column is freed once joined
        if all(isinstance(c.dtype, pd.CategoricalDtype) for c in cols):
            joined = union_categoricals(cols)
            cats = pd.Index(joined.categories, dtype=object)  # as _compact makes them
            out[code] = pd.Series(pd.Categorical.from_codes(joined.codes, categories=cats))
        else:
            out[code] = pd.concat(cols, ignore_index=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)  # no copy into blocks


@dataclass
class _Slot:
    """What one check found over all chunks: its first rows, their values, the count."""

    has_values: bool
    issue: Issue | None = None  # an issue about the file itself (listed once)
    rows: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    values_en: list[Any] = field(default_factory=list)
    count: int = 0


class _FileSink(RowIssueSink):
    """Gathers the issues of every chunk into the list one pass over the whole file gives:
    per check, in the order the checks run, its first MAX_ISSUES_PER_RULE rows and then
    the count of the others; an issue about the file itself once. Set ``rows`` to the
    chunk's file row numbers before checking a chunk."""

    def __init__(self, file: str, sheet: str | None) -> None:
        super().__init__(file, sheet, [])
        self._slots: dict[tuple[Any, ...], _Slot] = {}

    def add_rows(
        self,
        mask: Any,
        rule: str,
        zh: str,
        en: str,
        *,
        column: str | None,
        values: Any = None,
        values_en: Any = None,
        warning: bool = False,
    ) -> int:
        key = (rule, zh, en, column, warning)
        slot = self._slots.setdefault(key, _Slot(values is not None))
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        for p in positions[: MAX_ISSUES_PER_RULE - len(slot.rows)]:
            slot.rows.append(int(self.rows[p]))
            slot.values.append(None if values is None else values[p])
            slot.values_en.append(slot.values[-1] if values_en is None else values_en[p])
        slot.count += len(positions)
        return len(positions)

    def add(self, issue: Issue) -> None:
        key = ("file", issue.rule, issue.message_en, issue.column)
        self._slots.setdefault(key, _Slot(False, issue=issue))

    def finish(self) -> list[Issue]:
        """The issues, formatted by a plain sink replaying each check over its rows."""
        out = RowIssueSink(self.file, self.sheet, [])
        for key, slot in self._slots.items():
            if slot.issue is not None:
                out.add(slot.issue)
                continue
            rule, zh, en, column, warning = key
            pad = slot.count - len(slot.rows)  # rows past the listed ones: only counted
            out.rows = slot.rows + [0] * pad
            out.add_rows(
                np.ones(slot.count, dtype=bool),
                rule,
                zh,
                en,
                column=column,
                values=slot.values + [None] * pad if slot.has_values else None,
                values_en=slot.values_en + [None] * pad if slot.has_values else None,
                warning=warning,
            )
        return out.issues
