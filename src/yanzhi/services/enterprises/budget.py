"""The budget a district would need for 研发后补助 and 研发准备金 in a year: every
enterprise with an approved full-year report, calculated with the same rule and the same
``core.policy`` functions as its enterprise page (attributes in force on 31 December,
R&D of the previous full year), summed by district. An enterprise whose amount cannot be
computed (no previous full year) is counted apart, never as zero."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.orgtree import Level
from yanzhi.core.policy import EnterpriseYear, RuleSet, post_subsidy, reserve_fund
from yanzhi.ingest.policyfile import read_rules
from yanzhi.services.access.principal import Principal
from yanzhi.services.enterprises.results import BudgetRow
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import december_rd
from yanzhi.storage.facts import attribute_versions

CITY = "全市合计"


def _above_size(frame: pd.DataFrame, versions: pd.DataFrame, year: int) -> pd.Series:
    """规上 on 31 December of ``year``: the latest attribute version by then, else today's
    record (as ``taxyear`` reads one enterprise)."""
    end = pd.Timestamp(dt.date(year, 12, 31))
    v = versions[pd.to_datetime(versions["valid_from"]) <= end]
    state = v.sort_values("valid_from", kind="mergesort").groupby("enterprise_id").last()
    known = frame["enterprise_id"].map(state["above_size_industrial"])
    return known.where(known.notna(), frame["above_size_industrial"]).fillna(False).astype(bool)


def enterprise_amounts(
    engine: Engine, *, year: int, principal: Principal, rules: RuleSet | None = None
) -> pd.DataFrame:
    """One row per enterprise with an approved full-year report of ``year`` in the scope:
    district, post-subsidy and reserve-fund results (amount None when unknown)."""
    from yanzhi.services.enterprises.lists import _frame, _in_scope

    rules = rules or read_rules()
    frame, tree = _frame(engine, year)
    frame = _in_scope(frame, tree, principal)
    with transaction(engine) as session:
        versions = attribute_versions(session)
        previous = december_rd(session, year - 1)
    frame = frame.assign(
        above=_above_size(frame, versions, year),
        previous=frame["enterprise_id"].map(previous),
    )
    rows = []
    for r in frame.itertuples(index=False):
        e = EnterpriseYear(
            year=year,
            industry_code=str(r.industry_code),
            expensed_rd=float(r.rd_expense),
            revenue=float(r.operating_revenue),
            previous_rd=None if pd.isna(r.previous) else float(r.previous),
            above_size=bool(r.above),
        )
        ps, rf = post_subsidy(rules, e), reserve_fund(rules, e)
        rows.append(
            {
                "uscc": r.uscc,
                "district": r.district,
                "post_subsidy": ps.amount if ps.eligible else (None if ps.amount is None else 0.0),
                "post_subsidy_eligible": ps.eligible,
                "reserve_fund": rf.amount if rf.eligible else 0.0,
                "reserve_fund_eligible": rf.eligible,
                "assumed": bool(ps.assumption or rf.assumption),
                "synthetic": bool(r.synthetic),
            }
        )
    return pd.DataFrame(rows)


def _row(district: str, year: int, g: pd.DataFrame) -> dict[str, Any]:
    ps = float(g["post_subsidy"].dropna().sum())
    rf = float(g["reserve_fund"].sum())
    return {
        "district": district,
        "year": year,
        "enterprises": len(g),
        "post_subsidy_count": int(g["post_subsidy_eligible"].sum()),
        "post_subsidy_total": round(ps, 2),
        "post_subsidy_unknown": int(g["post_subsidy"].isna().sum()),
        "reserve_fund_count": int(g["reserve_fund_eligible"].sum()),
        "reserve_fund_total": round(rf, 2),
        "budget_total": round(ps + rf, 2),
        "assumed": bool(g["assumed"].any()),
        "synthetic": bool(g["synthetic"].any()),
    }


def budget(engine: Engine, *, year: int, principal: Principal) -> list[BudgetRow]:
    """Per district of the scope, then 全市合计 (several districts only): enterprises, how
    many qualify for each instrument, the totals (万元, two decimals) and the budget."""
    amounts = enterprise_amounts(engine, year=year, principal=principal)
    if amounts.empty:
        return []
    amounts["district"] = amounts["district"].fillna("未知区县")
    # districts in the order of their division codes, as every other table lists them
    code = {u.name: u.code for u in org_tree(engine).by_level(Level.DISTRICT)}
    groups = sorted(amounts.groupby("district"), key=lambda dg: code.get(str(dg[0]), "~"))
    rows = [_row(str(d), year, g) for d, g in groups]
    if len(rows) > 1:
        rows.append(_row(CITY, year, amounts))
    return [BudgetRow.model_validate(r) for r in rows]
