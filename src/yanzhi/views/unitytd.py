"""A unit's year-to-date enterprise R&D (1–N月累计) for its page: each enterprise
indicator of the latest approved YTD period with the same period last year, 同比 on the
level and on the comparable basis (services/monitoring/growth.py), the month's own amount
for sums, and the unit's rank among its peers — the townships of its district and of the
city, or the districts. Read from the stored indicator values, which are computed from
approved reports only; where a township has no target this is what it is judged by."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.orgtree import Level, OrgTree, OrgUnit
from yanzhi.core.periods import Period, PeriodError, PeriodKind, PeriodNotAvailable, parse_period
from yanzhi.core.plan.model import Indicator
from yanzhi.services.access.scope import Scope
from yanzhi.services.monitoring.growth import Comparable, comparable_ytd
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.views.common import Memo, direct, plan_of, visible_unit


class YtdRow(BaseModel):
    """One enterprise indicator of a unit for the YTD period."""

    indicator: str
    name: str
    unit: str
    value: float | None
    previous: float | None
    """The same period a year before."""
    yoy_level: float | None
    """同比 on the levels (0.082 = +8.2 %); a ratio's change in points is ``value - previous``."""
    yoy_comparable: float | None
    change_points: float | None
    """A ratio's change on last year in percentage points (None for sums)."""
    comparable_points: float | None
    """A ratio's change on the comparable basis in percentage points (None for sums)."""
    comparable_enterprises: int | None
    month_value: float | None
    """The month's own amount (this YTD minus the previous month's YTD), sums only."""
    month_before: float | None
    """The previous month's YTD (1–(N−1)月) value."""
    mom_points: float | None
    """环比 in percentage points: for a sum the change of its cumulative 同比 (level) since
    1–(N−1)月, for a ratio the change of the ratio itself since 1–(N−1)月."""
    is_sum: bool
    rank_in_parent: int | None
    of_parent: int | None
    rank_in_city: int | None
    of_city: int | None


class UnitYtd(BaseModel):
    """A unit's YTD enterprise R&D table (``period`` is a YTD period code)."""

    period: str
    previous_period: str
    month_before_period: str | None
    """The previous month's YTD period 1–(N−1)月 环比 compares with (None in January)."""
    periods: list[str]
    """The YTD periods with stored (approved) values, most recent first (the picker)."""
    peers_zh: str
    """Who the ranks compare with, in Chinese (e.g. 鄞州区各乡镇街道)."""
    rows: list[YtdRow]


def _ytd_indicators(engine: Engine) -> list[Indicator]:
    plan = plan_of(engine)
    return [
        i for i in plan.indicators if i.source == "enterprise" and i.frequency in ("ytd", "monthly")
    ]


def ytd_periods(engine: Engine, *, memo: Memo = direct) -> list[str]:
    """The YTD periods (1–N月) with stored values, i.e. with approved reports, most recent
    first — what a period picker offers."""
    inds = _ytd_indicators(engine)
    if not inds:
        return []
    values: pd.DataFrame = memo(("views.ytd_values",), lambda: _ytd_values(engine, inds))
    if values.empty:
        return []
    found = [parse_period(p) for p in values["period"].unique()]
    ytd = [p for p in found if p.kind is PeriodKind.YTD]
    return [str(p) for p in sorted(ytd, key=lambda p: (p.year, p.last_month), reverse=True)]


def chosen_period(engine: Engine, period: str | None, *, memo: Memo = direct) -> str | None:
    """The YTD period a page shows: ``period`` when it is one of :func:`ytd_periods`, the
    latest of them when ``period`` is empty; anything else is refused (PeriodNotAvailable,
    400) with the valid range in the message."""
    periods = ytd_periods(engine, memo=memo)
    if not period:
        return periods[0] if periods else None
    try:
        wanted = str(parse_period(period.strip()))
    except PeriodError:
        wanted = None
    if wanted in periods:
        return wanted
    if not periods:
        raise PeriodNotAvailable(
            "no approved year-to-date period yet", "尚无已审核的1–N月累计数据, 不能选择报告期"
        )
    first, last = parse_period(periods[-1]).label_zh(), parse_period(periods[0]).label_zh()
    raise PeriodNotAvailable(
        f"period {period[:40]!r} has no approved data; choose from {periods[-1]} to {periods[0]}",
        f"所选报告期没有已审核的累计数据, 请在{first}至{last}之间选择",
    )


def unit_ytd(
    engine: Engine, scope: Scope, code: str, *, period: str | None = None, memo: Memo = direct
) -> UnitYtd | None:
    """The YTD enterprise indicators of unit ``code`` for ``period`` (a YTD period code,
    refused unless it has approved values; default the latest such period), or None when
    the unit has no values. ``memo`` keeps what every unit shares (all units' values, the
    comparable-basis roll-up) across requests."""
    u = visible_unit(scope, code)
    inds = _ytd_indicators(engine)
    if not inds:
        return None
    tree = scope.tree
    chosen = chosen_period(engine, period, memo=memo)
    values: pd.DataFrame = memo(("views.ytd_values",), lambda: _ytd_values(engine, inds))
    mine = values[values["unit_code"] == u.code] if not values.empty else values
    if chosen is None or mine.empty:
        return None
    at = parse_period(chosen)
    last_year = at.same_period_last_year()
    comparable: dict[tuple[str, str, str], Comparable] = memo(
        ("views.comparable_ytd", str(at)), lambda: _comparable(engine, inds, at)
    )
    peers = peers_of(tree, u)
    month_before = (
        parse_period(f"{at.year}-01..{at.last_month - 1:02d}")
        if at.kind is PeriodKind.YTD and at.last_month > 1
        else None
    )
    rows = []
    for ind in inds:
        of = values[values["indicator"] == ind.code]
        now = _by_unit(of, str(at))
        before = _by_unit(of, str(last_year))
        value, previous = now.get(u.code), before.get(u.code)
        c = comparable.get((ind.code, u.code, str(at)))
        is_sum = ind.formula.denominator is None  # a total, not a ratio
        earlier = earlier_growth = None
        if month_before is not None:
            earlier = _by_unit(of, str(month_before)).get(u.code)
            earlier_before = _by_unit(of, str(month_before.same_period_last_year())).get(u.code)
            if earlier is not None and earlier_before:
                earlier_growth = earlier / earlier_before - 1
        month = None if not is_sum or value is None or earlier is None else value - earlier
        yoy_level = None if value is None or not previous else value / previous - 1
        if is_sum:
            mom = (
                None
                if yoy_level is None or earlier_growth is None
                else 100 * (yoy_level - earlier_growth)
            )
        else:
            mom = None if value is None or earlier is None else value - earlier
        in_parent, n_parent = rank_of(now, peers["parent"], u.code, ind)
        in_city, n_city = rank_of(now, peers["city"], u.code, ind)
        ratio = not is_sum
        rows.append(
            YtdRow(
                indicator=ind.code,
                name=ind.name,
                unit=ind.unit,
                value=value,
                previous=previous,
                yoy_level=yoy_level,
                yoy_comparable=None if c is None else c.growth,
                change_points=(
                    value - previous
                    if not is_sum and value is not None and previous is not None
                    else None
                ),
                comparable_points=(
                    c.current - c.previous
                    if ratio and c is not None and c.current is not None and c.previous is not None
                    else None
                ),
                comparable_enterprises=None if c is None else c.enterprises,
                month_value=month,
                month_before=earlier,
                mom_points=mom,
                is_sum=is_sum,
                rank_in_parent=in_parent,
                of_parent=n_parent,
                rank_in_city=in_city,
                of_city=n_city,
            )
        )
    return UnitYtd(
        period=str(at),
        previous_period=str(last_year),
        month_before_period=None if month_before is None else str(month_before),
        periods=ytd_periods(engine, memo=memo),
        peers_zh=peers["zh"][0] if peers["zh"] else "",
        rows=rows,
    )


def _ytd_values(engine: Engine, inds: list[Indicator]) -> pd.DataFrame:
    """Every unit's stored YTD values of ``inds``, all industries together."""
    with transaction(engine) as session:
        return indicator_values(
            session, indicators=[i.code for i in inds], kinds=["ytd"], totals_only=True
        )


def _comparable(
    engine: Engine, inds: list[Indicator], period: Period
) -> dict[tuple[str, str, str], Comparable]:
    with transaction(engine) as session:
        return comparable_ytd(session, load_org_tree(session), inds, [period])


def _by_unit(frame: pd.DataFrame, period: str) -> dict[str, float]:
    part = frame[(frame["period"] == period) & frame["value"].notna()]
    return dict(zip(part["unit_code"], part["value"].astype(float), strict=True))


def peers_of(tree: OrgTree, u: OrgUnit) -> dict[str, list[str]]:
    """The units ``u`` is ranked among: its siblings (townships) and its level citywide."""
    if u.parent_code is None or u.parent_code not in tree:  # the region itself
        return {"parent": [], "city": [], "zh": []}
    same_level = [x.code for x in tree.by_level(u.level)]
    if u.level is Level.DISTRICT:
        return {"parent": [], "city": same_level, "zh": ["全市各区县（市）"]}
    siblings = [x.code for x in tree.children(u.parent_code)]
    parent = tree.get(u.parent_code)
    return {"parent": siblings, "city": same_level, "zh": [f"{parent.name}各乡镇街道"]}


def rank_of(
    values: dict[str, float], peers: list[str], code: str, ind: Indicator
) -> tuple[int | None, int | None]:
    """The rank of ``code`` among ``peers`` with a value (1 = best in the indicator's
    direction; ties share the better rank) and how many were ranked."""
    have = {p: values[p] for p in peers if p in values}
    if code not in have or len(have) < 2:
        return None, None
    sign = ind.direction_sign
    mine = sign * have[code]
    return 1 + sum(1 for v in have.values() if sign * v > mine), len(have)
