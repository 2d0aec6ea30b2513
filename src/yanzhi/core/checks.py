"""Row checks that need context (what the database already holds), vectorised with
pandas. Inputs are typed frames (see ``ingest.parse``) plus context frames passed in by
the services layer; outputs are structured issues (never printed, never raised)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from yanzhi.core import uscc as uscc_mod
from yanzhi.core.issues import RowIssueSink

OUTLIER_Z = 3.5  # robust z-score (0.6745·(g − median)/MAD) above which growth is flagged
OUTLIER_MIN_PEERS = 8  # at least this many enterprises with a growth rate in the period


def check_uscc(df: pd.DataFrame, sink: RowIssueSink, column: str) -> pd.Series:
    """Flags codes that fail GB 32100-2015; returns the mask of valid rows."""
    verdict: dict[str, str | None] = {}
    for code in df["uscc"].unique():
        try:
            uscc_mod.validate(code)
            verdict[code] = None
        except uscc_mod.UsccError as exc:
            verdict[code] = str(exc)
    reason = df["uscc"].map(verdict)
    bad = reason.notna() & (df["uscc"] != "")
    sink.add_rows(
        bad,
        "uscc",
        "统一社会信用代码 {v} 无效",
        "invalid unified social credit code {v}",
        column=column,
        values=df["uscc"] + "(" + reason.fillna("") + ")",
    )
    return ~bad


def check_duplicates(
    df: pd.DataFrame, key: list[str], rows: list[int], sink: RowIssueSink, column: str
) -> None:
    """Every repeat of a key already seen earlier in the file, naming the first row."""
    filled = df[key].fillna("").astype(str)
    dup = filled.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    first_row = (
        pd.Series(rows, index=filled.index)
        .groupby([filled[k] for k in key], sort=False)
        .transform("first")
    )
    labels = pd.Series("", index=filled.index)
    labels[dup] = (
        filled[dup].agg(" / ".join, axis=1) + " (first at row " + first_row[dup].astype(str) + ")"
    )
    sink.add_rows(
        dup,
        "duplicate_key",
        "文件中重复: {v}",
        "duplicate in the file: {v}",
        column=column,
        values=labels,
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
) -> pd.Series:
    unknown = (values != "") & values.notna() & ~values.isin(known)
    sink.add_rows(unknown, rule, zh, en, column=column, values=values)
    return ~unknown


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


def check_ytd_monotonic(
    df: pd.DataFrame, existing: pd.DataFrame, sink: RowIssueSink, columns: Mapping[str, str]
) -> None:
    """A YTD value may not fall below the enterprise's previous YTD value of the same year,
    unless the row is marked as a correction. ``existing`` has uscc, period, year, month,
    operating_revenue, rd_expense for reports already stored (file rows replace them)."""
    file = df.assign(_pos=np.arange(len(df)))
    both = pd.concat([existing.assign(_pos=-1), file], ignore_index=True)
    both = both.drop_duplicates(["uscc", "period"], keep="last")
    both = both.sort_values(["uscc", "year", "month"], kind="stable")
    same = (both["uscc"] == both["uscc"].shift()) & (both["year"] == both["year"].shift())
    for element in ("rd_expense", "operating_revenue"):
        previous = both[element].shift().where(same)
        falls = (both[element] < previous - 1e-9) & (both["_pos"] >= 0)
        if "correction" in both:
            falls &= both["correction"].fillna(False).astype(bool) == False  # noqa: E712
        positions = both.loc[falls, "_pos"].astype(int)
        mask = np.zeros(len(df), dtype=bool)
        mask[positions.to_numpy()] = True
        prev_text = pd.Series("", index=range(len(df)))
        prev_text.iloc[positions.to_numpy()] = [
            f"{v:g} < {p:g}" for v, p in zip(both.loc[falls, element], previous[falls], strict=True)
        ]
        sink.add_rows(
            mask,
            "ytd_decrease",
            "年初累计值低于上一报告期(如为更正请标记“更正”): {v}",
            "year-to-date value below the previous YTD value of the same year "
            "(mark the row as a correction if intended): {v}",
            column=columns.get(element),
            values=prev_text,
        )


def check_growth_outliers(
    df: pd.DataFrame, last_year: pd.DataFrame, sink: RowIssueSink, column: str | None
) -> None:
    """Warn on year-on-year growth of R&D expense over the same YTD months that is far
    from the other enterprises' growth in that period (robust z-score). Comparing the same
    months of two years keeps the strong seasonality of R&D spending out of the test."""
    prev = last_year.rename(columns={"rd_expense": "_prev"})[["uscc", "period_ly", "_prev"]]
    merged = df.assign(_pos=np.arange(len(df)), period_ly=df["period_ly"]).merge(
        prev, on=["uscc", "period_ly"], how="left"
    )
    now = pd.to_numeric(merged["rd_expense"], errors="coerce").astype(float)
    before = pd.to_numeric(merged["_prev"], errors="coerce").astype(float)
    ok = (before > 0) & (now > 0)
    growth = np.log(now.where(ok) / before.where(ok))
    med = growth.groupby(merged["period"]).transform("median")
    mad = (growth - med).abs().groupby(merged["period"]).transform("median")
    peers = growth.notna().groupby(merged["period"]).transform("sum")
    z = 0.6745 * (growth - med) / mad.where(mad > 0)
    flag = (z.abs() > OUTLIER_Z) & (peers >= OUTLIER_MIN_PEERS)
    mask = np.zeros(len(df), dtype=bool)
    mask[merged.loc[flag.fillna(False), "_pos"].to_numpy()] = True
    text = pd.Series("", index=range(len(df)))
    pct = (np.exp(growth[flag.fillna(False)]) - 1) * 100
    text.iloc[merged.loc[flag.fillna(False), "_pos"].to_numpy()] = [f"{g:+.0f}%" for g in pct]
    sink.add_rows(
        mask,
        "growth_outlier",
        "研发费用同比增速异常(稳健z分数>3.5): {v}",
        "R&D expense growth year on year is an outlier (robust z > 3.5): {v}",
        column=column,
        values=text,
        warning=True,
    )
