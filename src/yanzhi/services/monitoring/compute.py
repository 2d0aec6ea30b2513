"""Indicator values for every unit and period: enterprise indicators rolled up from the
(approved) reports in one pass (core.rollup), statistic indicators from the latest
vintage of the aggregate statistics; both stored in ``indicator_value``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import Period, parse_period
from yanzhi.core.plan.model import Indicator, Plan
from yanzhi.core.rollup import (
    FACT_COLUMNS,
    FLAG_COLUMNS,
    VALUE_ELEMENTS,
    affected_periods,
    ending_months,
    enterprise_indicators,
    results_from_sums,
    source_months,
    stored_sums,
)
from yanzhi.core.rollup_frame import compile_indicators, layout, sum_schema
from yanzhi.services.database import require_schema
from yanzhi.storage import rollupsums
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import (
    INDICATOR_VALUE_COLUMNS,
    attribute_versions,
    replace_indicator_values,
    report_frame,
    report_years,
    with_attributes,
)
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.stats import current_statistics


@dataclass(frozen=True)
class ComputeResult:
    rows: int
    enterprise_rows: int
    statistic_rows: int
    reports: int
    approved_only: bool
    seconds: float
    synthetic: bool = False  # generated (demo) reports or statistics went in
    units: tuple[str, ...] | None = None  # the units whose values changed (None: all)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def facts_frame(reports: pd.DataFrame, tree: OrgTree) -> pl.DataFrame:
    """The roll-up's input: reports with attributes, district and city codes."""
    parent = {u.code: u.parent_code for u in tree}
    df = reports.copy()
    df["township_code"] = df["township_code"].astype(str)
    df["district_code"] = df["township_code"].map(parent)
    df["city_code"] = df["district_code"].map(parent)
    df["industry_division"] = df["industry_code"].astype(str).str.slice(0, 2)
    for f in FLAG_COLUMNS:
        df[f] = df[f].fillna(False).astype(bool)
    df["size_class"] = df["size_class"].fillna("").astype(str)
    columns = {}
    for c in FACT_COLUMNS:
        s = df[c]
        if c in VALUE_ELEMENTS and s.dtype == object:  # a value read as objects (None among
            # floats: reports that left it out) is still a number, missing as NaN
            columns[c] = pl.Series(c, pd.to_numeric(s).astype(float).to_numpy())
        elif s.dtype == object or str(s.dtype) in ("str", "string"):
            columns[c] = pl.Series(c, s.astype(object).to_numpy(), dtype=pl.String)
        else:
            columns[c] = pl.Series(c, s.to_numpy())
    return pl.DataFrame(columns)


def _to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: frame[c].to_numpy() for c in frame.columns})


def statistic_values(plan: Plan, stats: pd.DataFrame, tree: OrgTree) -> pd.DataFrame:
    """factor × numerator / denominator per unit and period from the statistics."""
    out = []
    for ind in plan.indicators:
        if ind.source != "statistic" or stats.empty:
            continue
        f = ind.formula
        num = stats[stats["element"] == f.numerator][
            ["org_unit_code", "period", "value", "synthetic"]
        ]
        if f.denominator:
            den = stats[stats["element"] == f.denominator][
                ["org_unit_code", "period", "value", "synthetic"]
            ]
            m = num.merge(den, on=["org_unit_code", "period"], suffixes=("_n", "_d"))
            value = np.where(
                m["value_d"] > 0,
                f.factor * m["value_n"] / m["value_d"].where(m["value_d"] > 0),
                np.nan,
            )
            frame = pd.DataFrame(
                {
                    "numerator": m["value_n"],
                    "denominator": m["value_d"],
                    "value": value,
                    "synthetic": m["synthetic_n"] | m["synthetic_d"],
                }
            )
            units, periods = m["org_unit_code"], m["period"]
        else:
            frame = pd.DataFrame(
                {
                    "numerator": num["value"],
                    "denominator": np.nan,
                    "value": f.factor * num["value"],
                    "synthetic": num["synthetic"],
                }
            )
            units, periods = num["org_unit_code"], num["period"]
        frame["unit_code"], frame["period"] = units.to_numpy(), periods.to_numpy()
        frame["indicator"] = ind.code
        out.append(frame)
    if not out:
        return pd.DataFrame()
    result = pd.concat(out, ignore_index=True)
    result = result[result["unit_code"].isin([u.code for u in tree])]
    result["level"] = result["unit_code"].map({u.code: str(u.level) for u in tree})
    result["period_kind"] = result["period"].map(_kind)
    result["industry_division"] = ""
    result["n_enterprises"] = None
    result["source"] = "statistic"
    return result


def _kind(period: str) -> str:
    if ".." in period:
        return "ytd"
    if "Q" in period:
        return "quarter"
    return "month" if "-" in period else "year"


def compute(engine: Engine, *, approved_only: bool = True) -> ComputeResult:
    """Recompute every indicator for every unit and period and store the values (and,
    from approved reports, the roll-up's sums an approval starts from)."""
    require_schema(engine)
    started = time.perf_counter()
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        indicators = enterprise_indicators(plan.indicators)
        sums, read, synthetic = _sums_by_year(session, tree, indicators, approved_only)
        stats = current_statistics(session)
    enterprise = _values(sums, indicators, synthetic)
    statistic = statistic_values(plan, stats, tree)
    parts = [f[_COLUMNS] for f in (enterprise, statistic) if not f.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)
    with transaction(engine) as session:
        rollupsums.hold(session)  # an approval's refresh meanwhile waits, then starts from these
        n = replace_indicator_values(session, frame, periods=None)
        rollupsums.clear(session)
        if approved_only and sums is not None:
            _keep(session, sums, indicators, synthetic)
    synthetic |= bool(stats["synthetic"].astype(bool).any()) if len(stats) else False
    return ComputeResult(
        n,
        len(enterprise),
        len(statistic),
        read,
        approved_only,
        round(time.perf_counter() - started, 3),
        synthetic,
    )


_COLUMNS = list(INDICATOR_VALUE_COLUMNS)
Sums = tuple[pl.DataFrame, pl.DataFrame]


def _sums_by_year(
    session: Session, tree: OrgTree, indicators: list[Indicator], approved_only: bool
) -> tuple[Sums | None, int, bool]:
    """(the roll-up's sums of every year, reports read, any synthetic): the reports are
    read and summed a year at a time — the sums are per year and month, so a year's do not
    depend on another's — and only the sums are held, never every report at once (all
    years as one frame took 10 GB at province scale)."""
    versions = attribute_versions(session)
    townships, divisions = [], []
    read, synthetic = 0, False
    for year in report_years(session):
        reports = with_attributes(
            report_frame(session, approved_only=approved_only, years=[year]), versions
        )
        read += len(reports)
        synthetic |= _any_synthetic(reports)
        found = _sums(reports, tree, indicators)
        del reports
        if found is not None:
            townships.append(found[0])
            divisions.append(found[1])
    if not townships:
        return None, read, synthetic
    return (pl.concat(townships), pl.concat(divisions)), read, synthetic


def _any_synthetic(reports: pd.DataFrame) -> bool:
    return bool(reports["synthetic"].astype(bool).any()) if len(reports) else False


def _sums(reports: pd.DataFrame, tree: OrgTree, indicators: list[Indicator]) -> Sums | None:
    """The roll-up's sums of ``reports`` (core.rollup.stored_sums); None without reports
    or enterprise indicators."""
    if reports.empty or not indicators:
        return None
    return stored_sums(facts_frame(reports, tree), indicators)


def _values(sums: Sums | None, indicators: list[Indicator], synthetic: bool) -> pd.DataFrame:
    """Every enterprise indicator's value from the sums, as stored in indicator_value."""
    if sums is None:
        return pd.DataFrame()
    result = _to_pandas(results_from_sums(*sums, indicators))
    result["industry_division"] = result["industry_division"].fillna("")
    result["source"] = "enterprise"
    result["synthetic"] = synthetic
    return result[_COLUMNS]


def _keep(
    session: Session,
    sums: Sums,
    indicators: list[Indicator],
    synthetic: bool,
    **where: Any,
) -> int:
    spec = compile_indicators(indicators)
    return rollupsums.write(
        session, *sums, columns=spec.columns, layout=layout(spec), synthetic=synthetic, **where
    )


def refresh(engine: Engine, *, period: str, townships: list[str] | None = None) -> ComputeResult:
    """After an approval or unlock of a YTD ``period`` in ``townships``: recompute only
    the values that depend on it — every indicator of the affected periods, not a full
    rebuild.

    With the year's sums kept (rollup_sum), only the approved reports of the districts of
    ``townships`` are read (the ≤ 7 report months the affected periods come from) and
    re-summed; the other districts' sums come from storage, and only the values of those
    districts, their townships, the city and the industries are rewritten — the cost
    follows the districts approved, not the city. Without kept sums (``townships`` None,
    a database computed before they were kept, or the plan's indicators changed since)
    the whole city's year is read once and its sums kept."""
    started = time.perf_counter()
    # one transaction from the read of the kept sums to the write of the new ones, held
    # against other refreshes: a second approval's refresh starts from this one's sums
    with transaction(engine) as session:
        rollupsums.hold(session)
        n, read, synthetic, changed = _refresh(session, parse_period(period), townships)
    seconds = round(time.perf_counter() - started, 3)
    return ComputeResult(n, n, 0, read, True, seconds, synthetic, changed)


def _refresh(
    session: Session, p: Period, townships: list[str] | None
) -> tuple[int, int, bool, tuple[str, ...] | None]:
    """:func:`refresh` inside its transaction: (values written, reports read, synthetic,
    the units recomputed — None when the whole year was)."""
    labels = affected_periods(p.year, p.last_month)
    ends = ending_months(p.last_month)
    plan = get_plan(session)
    tree = load_org_tree(session)
    indicators = enterprise_indicators(plan.indicators)
    kept = None
    if townships is not None and indicators:
        kept = _kept(session, tree, indicators, p.year, ends)
    scope = None if kept is None else _Scope.of(tree, townships or [])
    reports = _approved(
        session,
        years=[p.year],
        periods=None
        if scope is None
        else [f"{p.year}-01..{m:02d}" for m in source_months(p.last_month)],
        townships=None if scope is None else scope.towns,
    )
    fresh = _sums(reports, tree, indicators)
    synthetic = _any_synthetic(reports) or (kept is not None and kept[2])
    sums = fresh
    if kept is not None and scope is not None:
        fresh = None if fresh is None else _months(fresh, ends)
        sums = _merged(kept, fresh, scope)
    frame = _values(sums, indicators, synthetic)
    if not frame.empty:
        frame = frame[frame["period"].isin(labels)]
        if scope is not None:
            frame = frame[frame["unit_code"].isin(scope.units) | frame["level"].isin(_ALWAYS)]
    if frame.empty:
        frame = pd.DataFrame(columns=_COLUMNS)
    units = None if scope is None else scope.units
    n = replace_indicator_values(session, frame, periods=labels, source="enterprise", units=units)
    if indicators:  # the year's sums (or the districts' months) as they are now
        now = _empty_sums(indicators) if fresh is None else fresh
        where = {} if scope is None else {"months": ends, "units": units}
        _keep(session, now, indicators, synthetic, years=[p.year], **where)
    if scope is None:
        return n, len(reports), synthetic, None
    city = (u.code for u in tree if u.level is Level.CITY)
    return n, len(reports), synthetic, (*scope.units, *city)


_ALWAYS = ("city", "industry")  # levels an approval anywhere changes


@dataclass(frozen=True)
class _Scope:
    """The districts an approval touches, and their townships."""

    districts: list[str]
    towns: list[str]

    @classmethod
    def of(cls, tree: OrgTree, townships: list[str]) -> _Scope:
        districts = sorted({_district(tree, t) for t in townships})
        return cls(districts, [t for d in districts for t in tree.within(d, Level.TOWNSHIP)])

    @property
    def units(self) -> list[str]:
        return [*self.towns, *self.districts]


def _kept(
    session: Session, tree: OrgTree, indicators: list[Indicator], year: int, months: list[int]
) -> tuple[pl.DataFrame, pl.DataFrame, bool] | None:
    spec = compile_indicators(indicators)
    return rollupsums.read(
        session,
        year=year,
        months=months,
        layout=layout(spec),
        schema=sum_schema(spec),
        parents={u.code: u.parent_code or "" for u in tree},
    )


def _months(sums: Sums, months: list[int]) -> Sums:
    township, divisions = (f.filter(pl.col("month").is_in(months)) for f in sums)
    return township, divisions


def _empty_sums(indicators: list[Indicator]) -> Sums:
    schema = sum_schema(compile_indicators(indicators))
    keys = {"year": pl.Int64(), "month": pl.Int64()}
    township = pl.DataFrame(
        schema={"township_code": pl.String(), "district_code": pl.String(), **keys, **schema}
    )
    divisions = pl.DataFrame(
        schema={"district_code": pl.String(), "industry_division": pl.String(), **keys, **schema}
    )
    return township, divisions


def _approved(
    session: Session,
    *,
    years: list[int],
    periods: list[str] | None,
    townships: list[str] | None,
) -> pd.DataFrame:
    """Approved reports with the attributes in force, of ``townships`` when given."""
    return with_attributes(
        report_frame(
            session, approved_only=True, years=years, periods=periods, townships=townships
        ),
        attribute_versions(session, townships=townships, periods=periods),
    )


def _district(tree: OrgTree, township: str) -> str:
    district = tree.holder(township, Level.DISTRICT)
    if district is None:
        raise ValueError(f"{township} is in no district / {township} 不属于任何区县")
    return district.code


def _merged(
    kept: tuple[pl.DataFrame, pl.DataFrame, bool], fresh: Sums | None, scope: _Scope
) -> Sums:
    """The kept sums with those of the scope's townships and districts replaced by the
    fresh ones."""
    township, divisions, _ = kept
    township = township.filter(~pl.col("township_code").is_in(scope.towns))
    divisions = divisions.filter(~pl.col("district_code").is_in(scope.districts))
    if fresh is None:
        return township, divisions
    new_t, new_d = fresh
    return (
        pl.concat([township, new_t.select(township.columns)], how="vertical_relaxed"),
        pl.concat([divisions, new_d.select(divisions.columns)], how="vertical_relaxed"),
    )
