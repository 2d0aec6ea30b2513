"""Turn raw cells into typed columns, vectorised: full-width digits, thousands
separators, units in the header or by option (元 / 千元 / 万元 / 亿元, stored in 万元),
Excel serial dates, 是/否 booleans and period spellings. Cells that cannot be read become
structured issues naming the file row and column (``ingest.typed`` does this for a whole
file, chunk by chunk)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from yanzhi.core.dataformats import (
    CANONICAL_MONEY_UNIT,
    FALSE_WORDS,
    FORMULA_START,
    MONEY_UNITS,
    TRUE_WORDS,
    DataKind,
    Field,
    FieldType,
)
from yanzhi.core.issues import Issue, RowIssueSink
from yanzhi.core.periods import PeriodError, parse_period
from yanzhi.ingest.tabular import RawTable

_FULL = str.maketrans(
    {
        **{0xFF10 + i: ord("0") + i for i in range(10)},
        0xFF0E: ".",
        0xFF0C: ",",
        0xFF0D: "-",
        0x3000: " ",
        0xFF05: "%",
    }
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()[:10]
    return str(v)


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; integral floats from Excel lose their '.0'; full-width
    digits and punctuation become ASCII (only the cells that have any are touched)."""
    codes, text = _distinct_text(s)
    return _spread(text, codes, s.index)


def _distinct_text(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, text): the cleaned text of each distinct cell, and each row's position in
    it (a missing cell: the last entry, ""). A column of codes, periods or 是/否 repeats a
    few thousand texts over a million rows: each is cleaned and checked once."""
    if isinstance(s.dtype, pd.CategoricalDtype):  # already one entry per distinct cell
        codes, uniques = s.cat.codes.to_numpy(), s.cat.categories.to_numpy(dtype=object)
    else:
        codes, uniques = pd.factorize(s.to_numpy(dtype=object))  # a missing cell: code -1
    text = _cleaned(pd.Series(uniques, dtype=object))
    text = pd.Series(np.append(text.to_numpy(dtype=object), ""), dtype=object)
    return np.where(codes < 0, len(uniques), codes), text


def _spread(per_text: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A value for each row from one for each distinct text (see :func:`_distinct_text`)."""
    return pd.Series(per_text.to_numpy()[codes], index=index, dtype=per_text.dtype)


def _cleaned(s: pd.Series) -> pd.Series:
    missing = s.isna()
    s = s.astype(object).where(~missing, "")
    typed = ~s.map(type).eq(str)
    if typed.any():
        s[typed] = s[typed].map(_cell)
    text = s.astype(str)
    wide = ~text.str.isascii()
    if wide.any():
        text = text.copy()
        text[wide] = text[wide].str.translate(_FULL)
    return text.str.strip()


def _unquoted(text: pd.Series) -> pd.Series:
    """Text without the apostrophe a CSV writer puts before a formula-like cell
    (``'=HYPERLINK(…)`` reads back as ``=HYPERLINK(…)``, stored as text)."""
    quoted = text.str.startswith("'") & text.str[1:2].isin(FORMULA_START)
    if not quoted.any():
        return text
    text = text.copy()
    text[quoted] = text[quoted].str[1:]
    return text


_BLANKS = frozenset({"", "-", "—", "/"})


def _numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers from cells, C-fast for clean cells; only the others are cleaned (thousands
    separators, full-width digits, spaces). Returns values, the blank mask and the text of
    cells that are not numbers (for messages)."""
    if raw.dtype.kind == "f":  # already numbers (an XLSX column of numbers only)
        blank = raw.isna()
        return raw, blank, pd.Series("", index=raw.index, dtype=object)
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    blank = raw.isna().to_numpy() | (raw.astype(object) == "").to_numpy()
    need = values.isna().to_numpy() & ~blank
    text = pd.Series("", index=raw.index, dtype=object)
    if need.any():
        cleaned = _as_text(raw[need]).str.replace(r"[,\s]", "", regex=True)
        values[need] = pd.to_numeric(cleaned, errors="coerce").to_numpy()
        blank[need] = cleaned.isin(_BLANKS).to_numpy()
        text[need] = _as_text(raw[need])
    return values, pd.Series(blank, index=raw.index), text


def parse_table(
    table: RawTable, kind: DataKind, *, money_unit: str | None = None, period: str | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    sink = RowIssueSink(table.file, table.sheet, table.rows.tolist())
    return parse_cells(table, kind, sink, money_unit=money_unit, period=period), sink.issues


def parse_cells(
    table: RawTable,
    kind: DataKind,
    sink: RowIssueSink,
    *,
    money_unit: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """Typed columns of ``table``; problems go to ``sink`` (whose rows are the table's)."""
    out = pd.DataFrame(index=table.data.index)
    for f in kind.fields:
        if f.code not in table.data.columns:
            if f.code == "period" and period is not None:
                out[f.code] = _periods(pd.Series([period] * len(out)), sink, f)
            elif f.code == "period" and f.required:
                sink.add(
                    Issue(
                        "missing_column",
                        "缺少报告期列, 也未用 --period 指定",
                        "no period column and no --period option",
                        file=table.file,
                        sheet=table.sheet,
                        column=f.zh,
                    )
                )
            continue
        raw = table.data[f.code]
        out[f.code], blank = _parse_column(raw, f, sink, table, money_unit)
        _check_required_and_range(out[f.code], blank, f, sink, table)
    return out


def _parse_column(
    raw: pd.Series, f: Field, sink: RowIssueSink, table: RawTable, money_unit: str | None
) -> tuple[pd.Series, pd.Series]:
    """Typed values and the mask of blank cells."""
    col = table.columns.get(f.code, f.zh)
    if f.type in (FieldType.INTEGER, FieldType.NUMBER, FieldType.MONEY, FieldType.YEAR):
        return _parse_numbers(raw, f, sink, table, money_unit, col)
    codes, distinct = _distinct_text(raw)
    blank = _spread(distinct == "", codes, raw.index)
    if f.type in (FieldType.TEXT, FieldType.CODE):
        kept = distinct.str.upper() if f.code == "uscc" else _unquoted(distinct)
        return _spread(kept, codes, raw.index), blank
    text = _spread(distinct, codes, raw.index)  # each row's text: messages, periods, dates
    if f.type is FieldType.BOOL:
        low = distinct.str.lower()
        bad = ~low.isin(TRUE_WORDS | FALSE_WORDS)
        sink.add_rows(
            _spread(bad, codes, raw.index),
            "bool_value",
            "无法识别的是/否取值 {v!r}",
            "not a yes/no value: {v!r}",
            column=col,
            values=text,
        )
        value = low.isin(TRUE_WORDS).astype(object).where(~bad & (low != ""), None)
        return _spread(value, codes, raw.index), blank
    if f.type is FieldType.PERIOD:
        return _periods(text, sink, f, col), blank
    return _dates(raw, text, sink, col), blank


def _parse_numbers(
    raw: pd.Series, f: Field, sink: RowIssueSink, table: RawTable, money_unit: str | None, col: str
) -> tuple[pd.Series, pd.Series]:
    numbers, blank, text = _numbers(raw)
    bad = numbers.isna() & ~blank
    sink.add_rows(
        bad, "number_value", "不是数值: {v!r}", "not a number: {v!r}", column=col, values=text
    )
    if f.type in (FieldType.INTEGER, FieldType.YEAR):
        frac = numbers.notna() & (numbers != numbers.round())
        sink.add_rows(
            frac,
            "integer_value",
            "应为整数: {v}",
            "must be a whole number: {v}",
            column=col,
            values=numbers,
        )
    if f.type is FieldType.MONEY:
        unit = table.units.get(f.code) or money_unit or CANONICAL_MONEY_UNIT
        if unit not in MONEY_UNITS:
            sink.add(
                Issue(
                    "unknown_unit",
                    f"未知金额单位 {unit}(可用: 元、千元、万元、亿元)",
                    f"unknown money unit {unit!r} (元, 千元, 万元 or 亿元)",
                    file=table.file,
                    sheet=table.sheet,
                    column=col,
                    value=unit,
                )
            )
        elif MONEY_UNITS[unit] != 1.0:
            numbers = numbers * MONEY_UNITS[unit]
    return numbers, blank


def _periods(text: pd.Series, sink: RowIssueSink, f: Field, col: str | None = None) -> pd.Series:
    parsed: dict[str, str | None] = {}
    for value in text.unique():
        if value == "":
            parsed[value] = None
            continue
        try:
            parsed[value] = str(parse_period(value))
        except PeriodError:
            parsed[value] = None
    out = text.map(parsed)
    bad = out.isna() & (text != "")
    sink.add_rows(
        bad,
        "period_value",
        "无法识别的报告期 {v!r}(如 2024-01..05 或 2024年1-5月)",
        "not a period: {v!r} (e.g. 2024-01..05 or 2024年1-5月)",
        column=col or f.zh,
        values=text,
    )
    return out


def _dates(raw: pd.Series, text: pd.Series, sink: RowIssueSink, col: str) -> pd.Series:
    def one(v: Any, t: str) -> str | None:
        if t == "":
            return None
        if isinstance(v, dt.datetime | dt.date):
            return v.isoformat()[:10]
        if len(t) >= 19 and t[4] == "-" and t[10] in " T":
            t = t[:10]  # a date-time cell: keep the date
        s = t.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").rstrip("-")
        try:
            serial = float(s)
        except ValueError:
            serial = None
        if serial is not None and 20000 <= serial <= 80000:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()
        try:
            y, m, d = (int(x) for x in s.split("-"))
            return dt.date(y, m, d).isoformat()
        except ValueError:
            return None

    out = pd.Series(
        [one(v, t) for v, t in zip(raw, text, strict=True)], index=raw.index, dtype=object
    )
    bad = out.isna() & (text != "")
    sink.add_rows(
        bad, "date_value", "无法识别的日期 {v!r}", "not a date: {v!r}", column=col, values=text
    )
    return out


def _check_required_and_range(
    values: pd.Series, blank: pd.Series, f: Field, sink: RowIssueSink, table: RawTable
) -> None:
    col = table.columns.get(f.code, f.zh)
    if f.required:
        sink.add_rows(
            blank, "required", f"必填项 {f.zh} 为空", f"required value {f.en} is empty", column=col
        )
    if f.min is not None and values.dtype.kind == "f":
        low = values < f.min
        sink.add_rows(
            low,
            "range",
            f"{f.zh} 不能小于 {f.min:g}: {{v}}",
            f"{f.en} must be at least {f.min:g}: {{v}}",
            column=col,
            values=values,
        )
    if f.max is not None and values.dtype.kind == "f":
        high = values > f.max
        sink.add_rows(
            high,
            "range",
            f"{f.zh} 不能大于 {f.max:g}: {{v}}",
            f"{f.en} must be at most {f.max:g}: {{v}}",
            column=col,
            values=values,
        )
    if f.choices:
        allowed = set(f.choices)
        text = values.astype(str)
        bad = ~blank & ~text.isin(allowed)
        sink.add_rows(
            bad,
            "choice",
            f"{f.zh} 取值 {{v!r}} 无效, 应为 {'/'.join(f.choices)}",
            f"{f.en} {{v!r}} is not one of {', '.join(f.choices)}",
            column=col,
            values=text,
        )
