"""The context each import kind is checked against, and the frame it writes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.core import checks
from yanzhi.core.dataformats import MONEY_UNITS
from yanzhi.core.issues import Issue, RowIssueSink
from yanzhi.core.periods import parse_period
from yanzhi.ingest.industry import load_industry_classes
from yanzhi.ingest.tabular import RawTable
from yanzhi.storage.datamodels import RD_VALUES
from yanzhi.storage.enterprises import enterprise_index, township_history
from yanzhi.storage.models import DataElementRow, OrgUnitRow
from yanzhi.storage.rd import reports_for_years
from yanzhi.storage.submissions import locked_pairs

SIZE_CODES = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"}


def _col(table: RawTable, code: str, default: str) -> str:
    return table.columns.get(code, default)


def prepare_rd(
    session: Session, df: pd.DataFrame, table: RawTable, sink: RowIssueSink
) -> pd.DataFrame:
    uscc_col = _col(table, "uscc", "统一社会信用代码")
    valid = checks.check_uscc(df, sink, uscc_col)
    index = enterprise_index(session).set_index("uscc")
    checks.check_known(
        df["uscc"].where(valid, ""),
        index.index,
        sink,
        rule="unknown_enterprise",
        zh="企业 {v} 不在企业名录中(请先导入企业名录)",
        en="enterprise {v} is not in the register (import the register first)",
        column=uscc_col,
    )
    period_col = _col(table, "period", "报告期")
    periods = {p: parse_period(p) for p in df["period"].dropna().unique()}
    not_ytd = df["period"].map({p: v.kind != "ytd" for p, v in periods.items()}).fillna(False)
    sink.add_rows(
        not_ytd,
        "period_kind",
        "报告期应为年初至今累计(如 2024-01..05): {v}",
        "the period must be year to date (e.g. 2024-01..05): {v}",
        column=period_col,
        values=df["period"],
    )
    checks.check_duplicates(df, ["uscc", "period"], table.rows.tolist(), sink, uscc_col)
    checks.check_rd_rows(df, sink, table.columns)
    out = df.copy()
    out["correction"] = (
        out["correction"].fillna(False).astype(bool) if "correction" in out else False
    )
    out["synthetic"] = out["synthetic"].fillna(False).astype(bool) if "synthetic" in out else False
    for c in RD_VALUES:
        if c not in out:
            out[c] = np.nan if c != "has_rd_institution" else None
    out["year"] = out["period"].map({p: v.year for p, v in periods.items()}).fillna(0).astype(int)
    out["month"] = (
        out["period"].map({p: v.last_month for p, v in periods.items()}).fillna(0).astype(int)
    )
    out["period_ly"] = out["period"].map(
        {p: str(v.same_period_last_year()) for p, v in periods.items()}
    )
    out["enterprise_id"] = out["uscc"].map(index["id"])
    out["township_code"] = _township_at_period_end(session, out, index)
    years = set(out["year"]) | {y - 1 for y in out["year"]}
    existing = reports_for_years(session, years)
    checks.check_ytd_monotonic(out, existing, sink, table.columns)
    checks.check_growth_outliers(
        out, _last_year(out, existing), sink, table.columns.get("rd_expense")
    )
    _check_locked(session, out, sink, period_col)
    out.attrs["existing"] = existing
    return out


def _township_at_period_end(session: Session, out: pd.DataFrame, index: pd.DataFrame) -> pd.Series:
    """The township an enterprise belonged to when the period ended (it may have moved)."""
    current = out["uscc"].map(index["township_code"])
    history = township_history(session)
    if history.empty or out["enterprise_id"].isna().all():
        return current
    ends = pd.to_datetime(
        out["year"].astype(str) + "-" + out["month"].astype(str) + "-01",
        format="%Y-%m-%d",
        errors="coerce",
    ) + pd.offsets.MonthEnd(0)
    left = (
        pd.DataFrame(
            {
                "_pos": range(len(out)),
                "enterprise_id": out["enterprise_id"],
                "end": ends.astype("datetime64[ns]"),
            }
        )
        .dropna()
        .sort_values("end")
    )
    left["enterprise_id"] = left["enterprise_id"].astype("int64")
    right = history.assign(
        valid_from=pd.to_datetime(history["valid_from"]).astype("datetime64[ns]")
    ).sort_values("valid_from")
    right["enterprise_id"] = right["enterprise_id"].astype("int64")
    placed = pd.merge_asof(
        left, right, left_on="end", right_on="valid_from", by="enterprise_id", direction="backward"
    )
    at_end = pd.Series(placed["township_code"].to_numpy(), index=placed["_pos"].to_numpy())
    return at_end.reindex(range(len(out))).fillna(current).astype(object)


def _last_year(out: pd.DataFrame, existing: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat(
        [existing[["uscc", "period", "rd_expense"]], out[["uscc", "period", "rd_expense"]]],
        ignore_index=True,
    )
    both = both.drop_duplicates(["uscc", "period"], keep="last")
    return both.rename(columns={"period": "period_ly"})


def _check_locked(session: Session, out: pd.DataFrame, sink: RowIssueSink, column: str) -> None:
    locked = locked_pairs(session, "rd", set(out["period"].dropna()))
    if not locked:
        return
    pairs = pd.Series(list(zip(out["township_code"], out["period"], strict=True)))
    hit = pairs.isin(locked)
    sink.add_rows(
        hit,
        "period_locked",
        "该乡镇街道的报告期已审核锁定, 需管理员解锁后才能修改: {v}",
        "this township's period is approved and locked; an admin must unlock it "
        "before it can change: {v}",
        column=column,
        values=out["township_code"] + " " + out["period"],
    )


def prepare_enterprises(
    session: Session, df: pd.DataFrame, table: RawTable, sink: RowIssueSink
) -> pd.DataFrame:
    uscc_col = _col(table, "uscc", "统一社会信用代码")
    checks.check_uscc(df, sink, uscc_col)
    out = df.copy()
    if "as_of" not in out:
        out["as_of"] = None
    out["as_of"] = out["as_of"].fillna(dt.date.today().isoformat())
    checks.check_duplicates(out, ["uscc", "as_of"], table.rows.tolist(), sink, uscc_col)
    townships = set(session.scalars(select(OrgUnitRow.code).where(OrgUnitRow.level == "township")))
    checks.check_known(
        out["township_code"],
        townships,
        sink,
        rule="unknown_township",
        zh="乡镇街道代码 {v} 不存在",
        en="unknown township code {v}",
        column=_col(table, "township_code", "乡镇街道代码"),
    )
    classes = load_industry_classes()
    checks.check_known(
        out["industry_code"],
        classes,
        sink,
        rule="unknown_industry",
        zh="行业代码 {v} 不是 GB/T 4754-2017 的行业小类",
        en="industry code {v} is not a GB/T 4754-2017 class",
        column=_col(table, "industry_code", "行业代码"),
    )
    if "size_class" in out:
        out["size_class"] = out["size_class"].replace(SIZE_CODES).replace("", None)
    for flag in (
        "above_size_industrial",
        "hightech",
        "tech_sme",
        "specialised",
        "champion",
        "synthetic",
    ):
        out[flag] = out[flag].fillna(False).astype(bool) if flag in out else False
    for c in ("size_class", "founded_year", "hightech_cert_year"):
        if c not in out:
            out[c] = None
    return out


def prepare_stats(
    session: Session, df: pd.DataFrame, table: RawTable, sink: RowIssueSink
) -> pd.DataFrame:
    units = set(session.scalars(select(OrgUnitRow.code)))
    checks.check_known(
        df["unit_code"],
        units,
        sink,
        rule="unknown_org_unit",
        zh="单位代码 {v} 不存在",
        en="unknown org unit code {v}",
        column=_col(table, "unit_code", "区划代码"),
    )
    elements = {}
    for e in session.scalars(select(DataElementRow).where(DataElementRow.source == "statistic")):
        elements[e.code] = e
        elements[e.name] = e
    element_col = _col(table, "element", "指标")
    ok = checks.check_known(
        df["element"],
        elements,
        sink,
        rule="unknown_element",
        zh="指标 {v} 不是规划中的统计数据项",
        column=element_col,
        en="{v} is not a statistical data element of the plan",
    )
    out = df.copy()
    out["element"] = out["element"].map(lambda v: elements[v].code if v in elements else v)
    target_unit = out["element"].map(lambda v: elements[v].unit if v in elements else None)
    out["unit"] = out["unit"].replace("", None) if "unit" in out else None
    out["unit"] = out["unit"].fillna(target_unit)
    out["value"] = _convert_units(out, target_unit, ok, sink, table)
    out["unit"] = target_unit
    out["vintage"] = out["vintage"].fillna("") if "vintage" in out else ""
    out["synthetic"] = out["synthetic"].fillna(False).astype(bool) if "synthetic" in out else False
    checks.check_duplicates(
        out, ["unit_code", "element", "period", "vintage"], table.rows.tolist(), sink, element_col
    )
    return out


def _convert_units(
    out: pd.DataFrame, target: pd.Series, ok: pd.Series, sink: RowIssueSink, table: RawTable
) -> pd.Series:
    values = out["value"].astype(float).copy()
    same = (out["unit"] == target) | target.isna()
    money = out["unit"].isin(MONEY_UNITS) & target.isin(MONEY_UNITS)
    factor = out["unit"].map(MONEY_UNITS) / target.map(MONEY_UNITS)
    values[money & ~same] = values[money & ~same] * factor[money & ~same]
    bad = ~same & ~money & ok
    sink.add_rows(
        bad,
        "unit_mismatch",
        "计量单位与数据项不一致: {v}",
        "the unit does not match the data element's unit: {v}",
        column=table.columns.get("unit", "计量单位"),
        values=out["unit"].astype(str) + " ≠ " + target.astype(str),
    )
    return values


__all__ = ["Issue", "prepare_enterprises", "prepare_rd", "prepare_stats"]
