"""Row checks that need context (what the database already holds), vectorised with
pandas. Inputs are typed frames (see ``ingest.parse``) plus context frames passed in by
the services layer; outputs are structured issues (never printed, never raised)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yanzhi.core import uscc as uscc_mod
from yanzhi.core.issues import MAX_ISSUES_PER_RULE, RowIssueSink

OUTLIER_Z = 3.5  # robust z-score (0.6745·(g − median)/MAD) above which growth is flagged
OUTLIER_MIN_PEERS = 8  # at least this many enterprises with a growth rate in the period


def distinct(s: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(codes, values) with ``values[codes]`` equal to ``s`` row by row, each distinct value
    once; a missing value gets the code ``len(values)``, so a per-value array with one more
    entry (for missing) can be indexed by the codes. Categorical and plain columns alike:
    a check then works once per distinct value (a few thousand USCCs in a million rows)."""
    codes, uniques = pd.factorize(s)
    n = len(uniques)
    return np.where(codes < 0, n, codes), list(np.asarray(uniques, dtype=object))


def listed(mask: np.ndarray) -> np.ndarray:
    """Positions of the flagged rows a sink lists one by one (the others are only counted):
    the rows whose message text needs computing."""
    return np.flatnonzero(mask)[:MAX_ISSUES_PER_RULE]


def spread(per_value: Sequence[Any], codes: np.ndarray, missing: Any, dtype: Any) -> np.ndarray:
    """A value for each row from one for each distinct value (codes from :func:`distinct`),
    ``missing`` where the row's value is missing."""
    return np.array([*per_value, missing], dtype=dtype)[codes]


def check_uscc(df: pd.DataFrame, sink: RowIssueSink, column: str) -> pd.Series:
    """Flags codes that fail GB 32100-2015; returns the mask of valid rows."""
    codes, values = distinct(df["uscc"])
    quick = uscc_mod.valid_many(values)  # most codes: only the others are asked why
    reasons = [None if ok else _uscc_error(v) for v, ok in zip(values, quick, strict=True)]
    invalid = [r is not None and v != "" for v, r in zip(values, reasons, strict=True)]
    bad = spread(invalid, codes, False, bool)
    zh = [f"{v}（{r.zh}）" if r else v for v, r in zip(values, reasons, strict=True)]
    en = [f"{v} ({r.en})" if r else v for v, r in zip(values, reasons, strict=True)]
    sink.add_rows(
        bad,
        "uscc",
        "统一社会信用代码 {v} 无效",
        "invalid unified social credit code {v}",
        column=column,
        values=pd.Series(spread(zh, codes, None, object)),
        values_en=pd.Series(spread(en, codes, None, object)),
    )
    return pd.Series(~bad, index=df.index)


def _uscc_error(code: str) -> uscc_mod.UsccError | None:
    try:
        uscc_mod.validate(code)
    except uscc_mod.UsccError as exc:
        return exc
    return None


def check_duplicates(
    df: pd.DataFrame,
    key: list[str],
    rows: Sequence[int] | np.ndarray,
    sink: RowIssueSink,
    column: str,
) -> None:
    """Every repeat of a key already seen earlier in the file, naming the first row. Keys
    compare as text, a missing value as empty text."""
    group = np.zeros(len(df), dtype=np.int64)
    parts = []
    for k in key:
        codes, values = distinct(df[k])
        text_codes, texts = pd.factorize(np.array([*map(str, values), ""], dtype=object))
        part = text_codes[codes]
        group = pd.factorize(group * len(texts) + part)[0]
        parts.append((part, texts))
    _, first = np.unique(group, return_index=True)  # groups are numbered as first seen
    first_pos = first[group]
    dup = first_pos != np.arange(len(df))
    if not dup.any():
        return
    labels = np.full(len(df), None, dtype=object)
    for p in listed(dup):
        keys = " / ".join(str(texts[part[p]]) for part, texts in parts)
        labels[p] = f"{keys} (first at row {rows[first_pos[p]]})"
    sink.add_rows(
        dup,
        "duplicate_key",
        "文件中重复: {v}",
        "duplicate in the file: {v}",
        column=column,
        values=pd.Series(labels),
    )


def check_known(
    values: pd.Series,
    known: Collection[str],
    sink: RowIssueSink,
    *,
    rule: str,
    zh: str,
    en: str,
    column: str,
    only: pd.Series | None = None,
) -> pd.Series:
    """Flags values (not empty) that are not in ``known``, in the rows ``only`` if given;
    returns the mask of rows not flagged."""
    codes, seen = distinct(values)
    index = pd.Index(seen, dtype=object)
    unknown = np.append((index != "") & ~index.isin(list(known)), False)[codes]
    if only is not None:
        unknown &= np.asarray(only, dtype=bool)
    sink.add_rows(unknown, rule, zh, en, column=column, values=values)
    return pd.Series(~unknown, index=values.index)


def check_rd_rows(df: pd.DataFrame, sink: RowIssueSink, columns: Mapping[str, str]) -> None:
    """Checks within one row of an R&D report."""
    over = df["rd_expense"] > df["operating_revenue"]
    sink.add_rows(
        over,
        "rd_exceeds_revenue",
        "研发费用大于营业收入(请核实): {v}",
        "R&D expense exceeds operating revenue (please check): {v}",
        column=columns.get("rd_expense"),
        values=df["rd_expense"],
        warning=True,
    )
    if "rd_expense_capitalised" in df:
        cap = df["rd_expense_capitalised"] > df["rd_expense"]
        sink.add_rows(
            cap,
            "capitalised_exceeds_total",
            "资本化部分大于研发费用合计: {v}",
            "the capitalised part exceeds total R&D expense: {v}",
            column=columns.get("rd_expense_capitalised"),
            values=df["rd_expense_capitalised"],
        )
    if "rd_personnel" in df and "rd_personnel_fte" in df:
        fte = df["rd_personnel_fte"] > df["rd_personnel"] * 1.0001
        sink.add_rows(
            fte,
            "fte_exceeds_headcount",
            "全时当量大于研发人员数: {v}",
            "full-time equivalent exceeds R&D headcount: {v}",
            column=columns.get("rd_personnel_fte"),
            values=df["rd_personnel_fte"],
        )


def _floats(s: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(s, errors="coerce"), dtype=float)


def _joint(*columns: pd.Series) -> list[np.ndarray]:
    """Codes of several columns over one shared set of values (-1 where missing)."""
    codes, _ = pd.factorize(np.concatenate([np.asarray(c, dtype=object) for c in columns]))
    return np.split(codes, np.cumsum([len(c) for c in columns])[:-1])


def check_ytd_monotonic(
    df: pd.DataFrame, existing: pd.DataFrame, sink: RowIssueSink, columns: Mapping[str, str]
) -> None:
    """A YTD value may not fall below the enterprise's previous YTD value of the same year,
    unless the row is marked as a correction. ``existing`` has uscc, period, year, month,
    operating_revenue, rd_expense for reports already stored (file rows replace them; of a
    key repeated in the file the last row counts)."""
    n = len(df)
    uscc, period = (
        np.concatenate(_joint(existing["uscc"], df["uscc"])),
        np.concatenate(_joint(existing["period"], df["period"])),
    )
    pos = np.concatenate([np.full(len(existing), -1), np.arange(n)])
    kept = np.flatnonzero(~pd.DataFrame({"u": uscc, "p": period}).duplicated(keep="last"))
    year = np.concatenate([_ints(existing["year"]), _ints(df["year"])])
    month = np.concatenate([_ints(existing["month"]), _ints(df["month"])])
    order = kept[np.lexsort((month[kept], year[kept], uscc[kept]))]  # a stable sort
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (uscc[order][1:] == uscc[order][:-1]) & (year[order][1:] == year[order][:-1])
    marked = _flags(df["correction"]) if "correction" in df else np.zeros(n, dtype=bool)
    corrected = np.concatenate([_flags(existing["correction"]), marked])[order]
    for element in ("rd_expense", "operating_revenue"):
        value = np.concatenate([_floats(existing[element]), _floats(df[element])])[order]
        previous = np.full(len(order), np.nan)
        previous[1:] = value[:-1]
        previous[~same] = np.nan
        with np.errstate(invalid="ignore"):
            falls = (value < previous - 1e-9) & (pos[order] >= 0) & ~corrected
        mask = np.zeros(n, dtype=bool)
        mask[pos[order][falls]] = True
        text = np.full(n, None, dtype=object)
        at = np.full(n, -1)
        at[pos[order][falls]] = np.flatnonzero(falls)
        for p in listed(mask):
            text[p] = f"{value[at[p]]:g} < {previous[at[p]]:g}"
        sink.add_rows(
            mask,
            "ytd_decrease",
            "年初累计值低于上一报告期(如为更正请标记“更正”): {v}",
            "year-to-date value below the previous YTD value of the same year "
            "(mark the row as a correction if intended): {v}",
            column=columns.get(element),
            values=pd.Series(text),
        )


def _flags(s: pd.Series) -> np.ndarray:
    return np.asarray(s.fillna(False).astype(bool), dtype=bool)


def _ints(s: pd.Series) -> np.ndarray:
    return np.asarray(s, dtype=np.int64)


def check_growth_outliers(
    df: pd.DataFrame, existing: pd.DataFrame, sink: RowIssueSink, column: str | None
) -> None:
    """Warn on year-on-year growth of R&D expense over the same YTD months that is far
    from the other enterprises' growth in that period (robust z-score). Comparing the same
    months of two years keeps the strong seasonality of R&D spending out of the test. Last
    year's value is the file's own row for that period if it has one, else the stored one."""
    n = len(df)
    u_old, u_new = _joint(existing["uscc"], df["uscc"])
    p_old, p_new, p_ly = (c + 1 for c in _joint(existing["period"], df["period"], df["period_ly"]))
    width = max(int(p_old.max(initial=0)), int(p_new.max(initial=0)), int(p_ly.max(initial=0)))
    keys = np.concatenate([u_old, u_new]) * (width + 1) + np.concatenate([p_old, p_new])
    values = np.concatenate([_floats(existing["rd_expense"]), _floats(df["rd_expense"])])
    kept = ~pd.Index(keys).duplicated(keep="last")
    found = pd.Index(keys[kept]).get_indexer(u_new * (width + 1) + p_ly)
    before = np.where(found >= 0, values[kept][found], np.nan)
    now = _floats(df["rd_expense"])
    ok = (before > 0) & (now > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = pd.Series(np.log(np.where(ok, now, np.nan) / np.where(ok, before, np.nan)))
    group = np.where(p_new > 0, p_new, np.nan)  # rows without a period are in no group
    med = growth.groupby(group).transform("median")
    mad = (growth - med).abs().groupby(group).transform("median")
    peers = growth.notna().groupby(group).transform("sum")
    z = 0.6745 * (growth - med) / mad.where(mad > 0)
    mask = ((z.abs() > OUTLIER_Z) & (peers >= OUTLIER_MIN_PEERS)).fillna(False).to_numpy(bool)
    text = np.full(n, None, dtype=object)
    for p in listed(mask):
        text[p] = f"{(np.exp(growth.iloc[p]) - 1) * 100:+.0f}%"
    sink.add_rows(
        mask,
        "growth_outlier",
        "研发费用同比增速异常(稳健z分数>3.5): {v}",
        "R&D expense growth year on year is an outlier (robust z > 3.5): {v}",
        column=column,
        values=pd.Series(text),
        warning=True,
    )
