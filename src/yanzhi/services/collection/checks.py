"""The context each import kind is checked against, and the frame it writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.core import checks
from yanzhi.core.dataformats import MONEY_UNITS
from yanzhi.core.issues import Issue, RowIssueSink
from yanzhi.core.periods import parse_period
from yanzhi.ingest.industry import load_industry_classes
from yanzhi.ingest.typed import TypedTable
from yanzhi.storage.datamodels import RD_VALUES
from yanzhi.storage.enterprises import enterprise_index, township_history
from yanzhi.storage.models import DataElementRow, OrgUnitRow
from yanzhi.storage.rd import reports_for_years
from yanzhi.storage.submissions import locked_pairs

SIZE_CODES = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro"}


@dataclass
class Prepared:
    """The checked frame an import writes, and the stored rows it was checked against."""

    frame: pd.DataFrame
    existing: pd.DataFrame | None = None


def _col(table: TypedTable, code: str, default: str) -> str:
    return table.columns.get(code, default)


def prepare_rd(session: Session, table: TypedTable, sink: RowIssueSink) -> Prepared:
    """Checks the compact frame of ``read_typed`` (USCC and period categorical) in place,
    working per distinct value where it can, and adds what the write needs."""
    df = table.frame
    uscc_col = _col(table, "uscc", "统一社会信用代码")
    valid = checks.check_uscc(df, sink, uscc_col)
    index = enterprise_index(session).set_index("uscc")
    checks.check_known(
        df["uscc"],
        index.index,
        sink,
        rule="unknown_enterprise",
        zh="企业 {v} 不在企业名录中(请先导入企业名录)",
        en="enterprise {v} is not in the register (import the register first)",
        column=uscc_col,
        only=valid,
    )
    period_col = _col(table, "period", "报告期")
    codes, values = checks.distinct(df["period"])
    periods = [parse_period(p) for p in values]
    not_ytd = checks.spread([v.kind != "ytd" for v in periods], codes, False, bool)
    sink.add_rows(
        not_ytd,
        "period_kind",
        "报告期应为年初至今累计(如 2024-01..05): {v}",
        "the period must be year to date (e.g. 2024-01..05): {v}",
        column=period_col,
        values=df["period"],
    )
    checks.check_duplicates(df, ["uscc", "period"], table.rows, sink, uscc_col)
    checks.check_rd_rows(df, sink, table.columns)
    out = df
    for flag in ("correction", "synthetic"):
        out[flag] = _flag(out[flag]) if flag in out else False
    for c in RD_VALUES:
        if c not in out:
            out[c] = np.nan if c != "has_rd_institution" else None
    out["year"] = checks.spread([v.year for v in periods], codes, 0, np.int64)
    out["month"] = checks.spread([v.last_month for v in periods], codes, 0, np.int64)
    ly = [str(v.same_period_last_year()) for v in periods]
    out["period_ly"] = checks.spread(ly, codes, None, object)
    out["enterprise_id"] = _by_uscc(out, index["id"])
    out["township_code"] = _township_at_period_end(session, out, index)
    years = {int(y) for y in np.unique(out["year"])}
    existing = reports_for_years(session, years | {y - 1 for y in years})
    checks.check_ytd_monotonic(out, existing, sink, table.columns)
    checks.check_growth_outliers(out, existing, sink, table.columns.get("rd_expense"))
    _check_locked(session, out, sink, period_col)
    return Prepared(out, existing)


def _flag(col: pd.Series) -> np.ndarray:
    """A 是/否 column (True, False or None) as booleans, an empty cell as 否."""
    return (col.to_numpy(dtype=object) == True).astype(bool)  # noqa: E712  (None is not True)


def _by_uscc(out: pd.DataFrame, attribute: pd.Series) -> pd.Series:
    """An attribute of each row's enterprise (NaN if not in the register); integers stay
    integers when every enterprise is known."""
    codes, values = checks.distinct(out["uscc"])
    found = attribute.reindex(pd.Index(values, dtype=object)).to_numpy()
    if (codes == len(values)).any():  # a missing USCC (blank cells are "", not missing)
        found = np.append(found, np.nan)
    return pd.Series(found[codes], index=out.index)


def _township_at_period_end(session: Session, out: pd.DataFrame, index: pd.DataFrame) -> pd.Series:
    """The township an enterprise belonged to when the period ended (it may have moved).
    Only enterprises with a version in another township than today's are looked up."""
    current = _by_uscc(out, index["township_code"]).astype(object)
    history = township_history(session)  # the versions of the enterprises that moved
    movers = set(history["enterprise_id"])
    if not movers:
        return current
    rows = np.flatnonzero(out["enterprise_id"].isin(movers).to_numpy())
    if not len(rows):
        return current
    codes, values = checks.distinct(out["period"].iloc[rows])
    month_ends = [
        pd.Timestamp(year=v.year, month=v.last_month, day=1) + pd.offsets.MonthEnd(0)
        for v in map(parse_period, values)
    ]
    ends = pd.DatetimeIndex([*month_ends, pd.NaT]).astype("datetime64[ns]")[codes]
    left = (
        pd.DataFrame(
            {"_pos": rows, "enterprise_id": out["enterprise_id"].iloc[rows].to_numpy(), "end": ends}
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
    found = placed["township_code"].notna().to_numpy()
    at_end = current.to_numpy(dtype=object).copy()
    at_end[placed["_pos"].to_numpy()[found]] = placed["township_code"].to_numpy()[found]
    return pd.Series(at_end, index=current.index, dtype=object)


def _check_locked(session: Session, out: pd.DataFrame, sink: RowIssueSink, column: str) -> None:
    _, periods = checks.distinct(out["period"])
    locked = locked_pairs(session, "rd", set(periods))
    if not locked:
        return
    pairs = pd.MultiIndex.from_arrays(
        [out["township_code"].to_numpy(dtype=object), out["period"].to_numpy(dtype=object)]
    )
    hit = np.asarray(pairs.isin(list(locked)), dtype=bool)
    labels = np.full(len(out), None, dtype=object)
    for p in checks.listed(hit):
        labels[p] = f"{pairs[p][0]} {pairs[p][1]}"
    sink.add_rows(
        hit,
        "period_locked",
        "该乡镇街道的报告期已审核锁定, 需管理员解锁后才能修改: {v}",
        "this township's period is approved and locked; an admin must unlock it "
        "before it can change: {v}",
        column=column,
        values=pd.Series(labels),
    )


PHONE_PATTERN = r"\+?[0-9][0-9 ()\-]{4,24}(\s*(转|分机|ext\.?|x|#)\s*[0-9]{1,6})?"
"""A telephone number, loosely: digits, -, +, spaces, brackets and an extension."""


def prepare_enterprises(session: Session, table: TypedTable, sink: RowIssueSink) -> Prepared:
    """Check and normalise an enterprise register file: valid and unique USCCs (per
    ``as_of``, default today), known townships and GB/T 4754 industry classes, size codes,
    the flags as booleans; problems go to ``sink``."""
    uscc_col = _col(table, "uscc", "统一社会信用代码")
    out = table.plain()  # a register is small: plain columns
    checks.check_uscc(out, sink, uscc_col)
    if "as_of" not in out:
        out["as_of"] = None
    out["as_of"] = out["as_of"].fillna(dt.date.today().isoformat())
    checks.check_duplicates(out, ["uscc", "as_of"], table.rows, sink, uscc_col)
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
        out[flag] = _flag(out[flag]) if flag in out else False
    for c in ("contact_person", "contact_phone", "contact_email"):
        out[c] = out[c].replace("", None) if c in out else None
    bad_phone = out["contact_phone"].notna() & ~out["contact_phone"].fillna("").astype(
        str
    ).str.fullmatch(PHONE_PATTERN)
    sink.add_rows(
        bad_phone,
        "bad_phone",
        "联系电话 {v} 不是电话号码（只能含数字、-、+、空格、括号和分机号）",
        "telephone {v} is not a phone number (digits, -, +, spaces, brackets, extension)",
        column=_col(table, "contact_phone", "联系电话"),
        values=out["contact_phone"],
    )
    for c in ("size_class", "founded_year", "hightech_cert_year"):
        if c not in out:
            out[c] = None
    return Prepared(out)


def prepare_stats(session: Session, table: TypedTable, sink: RowIssueSink) -> Prepared:
    """Check and normalise an official statistics file: known org units and the plan's
    statistical data elements (by code or name), values converted to the elements' units;
    problems go to ``sink``."""
    df = table.plain()  # statistics files are small: plain columns
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
        out, ["unit_code", "element", "period", "vintage"], table.rows, sink, element_col
    )
    return Prepared(out)


def _convert_units(
    out: pd.DataFrame, target: pd.Series, ok: pd.Series, sink: RowIssueSink, table: TypedTable
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


__all__ = ["Issue", "Prepared", "prepare_enterprises", "prepare_rd", "prepare_stats"]
