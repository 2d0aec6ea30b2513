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

from yanzhi.core.orgtree import OrgTree
from yanzhi.core.periods import parse_period
from yanzhi.core.plan.model import Plan
from yanzhi.core.rollup import (
    FACT_COLUMNS,
    FLAG_COLUMNS,
    VALUE_ELEMENTS,
    affected_periods,
    rollup,
    source_months,
)
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import (
    INDICATOR_VALUE_COLUMNS,
    attribute_versions,
    replace_indicator_values,
    report_frame,
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
    """Recompute every indicator for every unit and period and store the values."""
    require_schema(engine)
    started = time.perf_counter()
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        reports = with_attributes(
            report_frame(session, approved_only=approved_only), attribute_versions(session)
        )
        stats = current_statistics(session)
    enterprise = _enterprise_values(plan, reports, tree)
    statistic = statistic_values(plan, stats, tree)
    parts = [f[_COLUMNS] for f in (enterprise, statistic) if not f.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)
    with transaction(engine) as session:
        n = replace_indicator_values(session, frame, periods=None)
    synthetic = bool(reports["synthetic"].astype(bool).any()) if len(reports) else False
    synthetic |= bool(stats["synthetic"].astype(bool).any()) if len(stats) else False
    return ComputeResult(
        n,
        len(enterprise),
        len(statistic),
        len(reports),
        approved_only,
        round(time.perf_counter() - started, 3),
        synthetic,
    )


_COLUMNS = list(INDICATOR_VALUE_COLUMNS)


def _enterprise_values(plan: Plan, reports: pd.DataFrame, tree: OrgTree) -> pd.DataFrame:
    indicators = [i for i in plan.indicators if i.source == "enterprise"]
    if reports.empty or not indicators:
        return pd.DataFrame()
    result = _to_pandas(rollup(facts_frame(reports, tree), indicators, by_industry=True))
    result["industry_division"] = result["industry_division"].fillna("")
    result["source"] = "enterprise"
    result["synthetic"] = bool(reports["synthetic"].any())
    return result[_COLUMNS]


def refresh(engine: Engine, *, period: str) -> ComputeResult:
    """After an approval or unlock of a YTD ``period``: recompute only the values that
    depend on it (every unit and indicator of the affected periods, from the approved
    reports of the months they are computed from: at most seven of the year's) — not a
    full rebuild."""
    started = time.perf_counter()
    p = parse_period(period)
    labels = affected_periods(p.year, p.last_month)
    sources = [f"{p.year}-01..{m:02d}" for m in source_months(p.last_month)]
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        reports = with_attributes(
            report_frame(session, approved_only=True, years=[p.year], periods=sources),
            attribute_versions(session),
        )
    values = _enterprise_values(plan, reports, tree)
    if not values.empty:
        values = values[values["period"].isin(labels)]
    frame = values if not values.empty else pd.DataFrame(columns=_COLUMNS)
    with transaction(engine) as session:
        n = replace_indicator_values(session, frame, periods=labels, source="enterprise")
    synthetic = bool(reports["synthetic"].astype(bool).any()) if len(reports) else False
    seconds = round(time.perf_counter() - started, 3)
    return ComputeResult(n, n, 0, len(reports), True, seconds, synthetic)
