"""The demo's 诊断+提升 cases (SYNTHETIC, 演示): which diagnosed enterprises get a case,
their visits and agreed actions, and the uplift their later reports show. Deterministic
from the seed. The enterprises are drawn from the top of the prioritised list of the
diagnosis year (``core.casework.rank`` on the generated full-year reports, the same
figures the database will hold once approved); their R&D expense from the next year on
is raised by 15–50 % (a start at 0.4–1.2 % of revenue for one without R&D), which the
effect then measures against the enterprises without a case. The panel stays calibrated:
in every township and period the other enterprises' R&D is scaled down by the money the
cases added, so the published totals the demo is fitted to still hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from yanzhi.core import casework as cw

DIAGNOSIS_YEAR = 2023
CASES = 300
PROVIDERS = ("演示服务机构甲", "演示服务机构乙", "演示服务机构丙")
FINDINGS = (
    "研发费用未单独归集,辅助账不全",
    "有研发活动但未设立研发机构",
    "符合科技型中小企业条件但未申报",
    "未享受研发费用加计扣除",
    "研发投入计划不明确",
)


@dataclass(frozen=True)
class DemoAction:
    action: str
    due_on: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class DemoVisit:
    visited_on: dt.date
    visitor: str
    findings: str
    actions: list[DemoAction] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCase:
    uscc: str
    rank: int
    reason: str
    provider: str
    opened_on: dt.date
    visits: list[DemoVisit]
    closed_on: dt.date | None
    uplift: float


def _annual(rd: pd.DataFrame, year: int) -> pd.DataFrame:
    return rd[rd["period"] == f"{year}-01..12"].set_index("uscc")


def plan(
    rd: pd.DataFrame,
    *,
    seed: int,
    year: int = DIAGNOSIS_YEAR,
    n: int = CASES,
    township: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[DemoCase]]:
    """(the reports with the uplift applied, the cases) — ``n`` cases at most, and no
    more than a tenth of the ranked enterprises, so comparable ones without a case remain;
    with ``township`` (uscc → township) every township's total of every period is kept."""
    now, before = _annual(rd, year), _annual(rd, year - 1)
    if now.empty:
        return rd, []
    frame = pd.DataFrame(
        {
            "uscc": now.index,
            "rd_expense": now["rd_expense"].to_numpy(),
            "operating_revenue": now["operating_revenue"].to_numpy(),
            "rd_expense_previous": before["rd_expense"].reindex(now.index).to_numpy(),
            "has_rd_institution": now["has_rd_institution"].astype(object).to_numpy(),
        }
    )
    ranked = cw.rank(frame)
    k = min(n, len(ranked) // 10)  # the 10,000-enterprise demo: 300 of 8,398
    if k == 0:
        return rd, []
    rng = np.random.default_rng(seed + 20)
    pool = ranked.head(3 * k)
    chosen = pool.iloc[np.sort(rng.choice(len(pool), size=k, replace=False))]
    out = rd.copy()
    later = out["period"].str.slice(0, 4).astype(int) > year
    cases = []
    for r in chosen.itertuples():
        u = float(rng.uniform(0.15, 0.50))
        rows = later & (out["uscc"] == r.uscc)
        zero = rows & (out["rd_expense"] == 0)
        out.loc[rows, "rd_expense"] = (out.loc[rows, "rd_expense"] * (1 + u)).round(2)
        start = float(rng.uniform(0.004, 0.012))
        out.loc[zero, "rd_expense"] = (out.loc[zero, "operating_revenue"] * start).round(2)
        cases.append(_case(rng, r.uscc, int(r.rank), str(r.reason), year, u))
    if township is not None:
        out = _keep_totals(rd, out, later, {c.uscc for c in cases}, township)
    return out, cases


def _keep_totals(
    rd: pd.DataFrame,
    out: pd.DataFrame,
    later: pd.Series,
    cased: set[str],
    township: Mapping[str, str],
) -> pd.DataFrame:
    """Scale the other enterprises' R&D (and its capitalised part) so each period's total
    is what it was: by township (total − the cases' new R&D) / the others' R&D, then once
    more city-wide for what a township of cases alone could not give back; within a year
    each enterprise's 1–N月 values stay non-decreasing."""
    base = rd.loc[later]
    case = base["uscc"].isin(cased)
    rows = base.index[~case]
    res = out.copy()
    cols = [c for c in ("rd_expense", "rd_expense_capitalised") if c in res.columns]
    for groups in (
        [base["period"], base["uscc"].map(township).fillna("")],
        [base["period"]],
    ):
        now = res.loc[later, "rd_expense"]
        total = base["rd_expense"].groupby(groups).transform("sum")
        cases_now = now.where(case, 0.0).groupby(groups).transform("sum")
        others = now.where(~case, 0.0).groupby(groups).transform("sum")
        factor = ((total - cases_now) / others).where(others > 0, 1.0).clip(0.5, 1.0)
        for col in cols:
            res.loc[rows, col] = (res.loc[rows, col] * factor.loc[rows]).round(2)
    mine = res.loc[rows].sort_values(["uscc", "period"])
    keys = [mine["uscc"], mine["period"].str.slice(0, 4)]
    for col in cols:
        res.loc[mine.index, col] = mine[col].groupby(keys).cummax()
    return res


def _case(
    rng: np.random.Generator, uscc: str, rank: int, reason: str, year: int, uplift: float
) -> DemoCase:
    opened = dt.date(year + 1, int(rng.integers(2, 5)), int(rng.integers(1, 28)))
    visits = []
    day = opened
    for i in range(int(rng.integers(1, 4))):
        day = day + dt.timedelta(days=int(rng.integers(7, 60)))
        codes = rng.choice(len(cw.ACTIONS), size=int(rng.integers(1, 3)), replace=False)
        acts = []
        for c in sorted(codes):
            a = cw.ACTIONS[int(c)]
            due = day + dt.timedelta(days=a.days)
            done = rng.random() < 0.7
            acts.append(
                DemoAction(
                    a.code, due, due - dt.timedelta(days=int(rng.integers(0, 30))) if done else None
                )
            )
        visits.append(
            DemoVisit(
                day,
                f"演示走访人{int(rng.integers(1, 20)):02d}",
                str(FINDINGS[int(rng.integers(0, len(FINDINGS)))]) + "(演示)",
                acts if i < 2 else [],
            )
        )
    closed = dt.date(year + 1, 12, 20) if rng.random() < 0.4 else None
    provider = str(PROVIDERS[int(rng.integers(0, len(PROVIDERS)))])
    return DemoCase(uscc, rank, reason, provider, opened, visits, closed, round(uplift, 4))
