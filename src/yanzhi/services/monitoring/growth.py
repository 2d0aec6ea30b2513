"""Year-on-year growth of the year-to-date enterprise indicators on the comparable basis
(可比口径, docs/methods.md "Comparable-basis growth"): the approved reports of the
enterprises present in both periods (core.growth.matched_panel), rolled up to every unit
with the same formulas as the stored values (core.rollup), so a unit's comparable growth
is its indicator computed over the matched panel this year against last year."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.growth import growth_rate, matched_panel
from yanzhi.core.orgtree import OrgTree
from yanzhi.core.periods import Period, parse_period
from yanzhi.core.plan.model import Indicator, Plan
from yanzhi.core.rollup import rollup
from yanzhi.services.kept import kept
from yanzhi.services.monitoring.compute import facts_frame
from yanzhi.services.monitoring.frames import approved_reports
from yanzhi.services.monitoring.results import IndicatorStatus, UnitStatus
from yanzhi.storage.datamodels import RD_VALUES
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree

_NOT_CARRIED = {*RD_VALUES, "enterprise_id", "uscc", "period", "year", "month", "synthetic"}


@dataclass(frozen=True, slots=True)
class Comparable:
    """An indicator's value in a unit over the matched panel, now and a year before."""

    indicator: str
    unit: str
    period: str
    current: float | None
    previous: float | None
    growth: float | None
    enterprises: int


def comparable_ytd(
    session: Session, tree: OrgTree, indicators: Sequence[Indicator], periods: Iterable[Period]
) -> dict[tuple[str, str, str], Comparable]:
    """(indicator, unit, period) → the comparable-basis growth of every enterprise YTD
    ``indicators`` in every unit for each YTD period of ``periods``, from approved reports.

    Every unit's figures come out of one roll-up, and every status of every page needs
    them: a result is kept per database, data generation (services/database.py: any
    approval, import or recomputation changes it), indicators and periods, so the second
    caller reads it instead of the reports (≈0.5 s on the demo)."""
    inds = [i for i in indicators if i.source == "enterprise" and i.frequency in ("ytd", "monthly")]
    wanted = sorted(set(periods))
    if not inds or not wanted:
        return {}
    key = ("comparable", tuple(i.code for i in inds), tuple(str(p) for p in wanted))
    return kept(session, key, lambda: _comparable(session, tree, inds, wanted))


def _comparable(
    session: Session, tree: OrgTree, inds: list[Indicator], wanted: list[Period]
) -> dict[tuple[str, str, str], Comparable]:
    labels = sorted({str(q) for p in wanted for q in (p, p.same_period_last_year())})
    reports = approved_reports(session, labels)
    if reports.empty:
        return {}
    carry = [c for c in reports.columns if c not in _NOT_CARRIED]
    out: dict[tuple[str, str, str], Comparable] = {}
    for p in wanted:
        now = reports[reports["period"] == str(p)]
        before = reports[reports["period"] == str(p.same_period_last_year())]
        panel = matched_panel(now, before, key="enterprise_id", carry=carry)
        if panel.empty:
            continue
        result = rollup(facts_frame(panel, tree), inds)
        values = pd.DataFrame({c: result[c].to_numpy() for c in result.columns})
        values = values[values["period_kind"] == "ytd"].set_index(["indicator", "unit_code"])
        cur = values[values["period"] == str(p)]
        prev = values[values["period"] == str(p.same_period_last_year())]
        for (code, unit), row in cur.iterrows():
            v1, v0 = _f(row["value"]), _f(prev["value"].get((code, unit)))
            n = int(row["n_enterprises"])
            out[(code, unit, str(p))] = Comparable(
                code, unit, str(p), v1, v0, growth_rate(v1, v0), n
            )
    return out


def _f(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def with_comparable(
    session: Session, plan: Plan, tree: OrgTree, statuses: list[UnitStatus]
) -> list[UnitStatus]:
    """``statuses`` with each YTD value's comparable-basis growth and matched enterprise
    count filled in (enterprise indicators only; statistics are published, not matched)."""
    by_code = {i.code: i for i in plan.indicators}
    needed = {
        (i.indicator, i.ytd.period)
        for st in statuses
        for i in st.indicators
        if i.ytd is not None and by_code[i.indicator].source == "enterprise"
    }
    if not needed:
        return statuses
    # every enterprise YTD indicator at once (one roll-up): each page asks for its own
    # few, and all of them then share the one result
    found = comparable_ytd(session, tree, plan.indicators, {parse_period(p) for _, p in needed})
    return [
        st.model_copy(
            update={"indicators": [_filled(i, st.unit.code, found) for i in st.indicators]}
        )
        for st in statuses
    ]


def _filled(
    i: IndicatorStatus, unit: str, found: dict[tuple[str, str, str], Comparable]
) -> IndicatorStatus:
    if i.ytd is None:
        return i
    c = found.get((i.indicator, unit, i.ytd.period))
    if c is None:
        return i
    ytd = i.ytd.model_copy(
        update={"yoy_comparable": c.growth, "comparable_enterprises": c.enterprises}
    )
    return i.model_copy(update={"ytd": ytd})


def ytd_growth(
    engine: Engine, *, indicator: Indicator, period: Period, units: Sequence[str]
) -> dict[str, Comparable]:
    """unit → the comparable-basis growth of ``indicator`` for ``period`` (units without
    a matched panel are absent)."""
    with transaction(engine) as session:
        tree = load_org_tree(session)
        found = comparable_ytd(session, tree, [indicator], [period])
    return {
        u: found[(indicator.code, u, str(period))]
        for u in units
        if (indicator.code, u, str(period)) in found
    }
