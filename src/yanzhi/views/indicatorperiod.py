"""One indicator in one unit and its children for the period a page shows (``?period=``
of /indicators/{code} and its JSON twin): a 1–N月 period for the indicators computed
monthly from enterprise reports (the unit's own figures are the unit page's 1–N月 row,
views/unitytd.py, comparable basis and 环比 included), a year for the others. The
default is the latest approved period (YTD) or the latest year with a value; anything
else is refused with the valid range named (``PeriodNotAvailable``)."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.orgtree import OrgUnit
from yanzhi.core.periods import Period, PeriodKind, PeriodNotAvailable, parse_period
from yanzhi.core.plan.model import Indicator
from yanzhi.services.access.scope import Scope
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.views.common import Memo, direct, safe
from yanzhi.views.periods import chosen_year
from yanzhi.views.unitytd import chosen_period, unit_ytd, ytd_periods


class ChildPeriodValue(BaseModel):
    """The indicator in one child unit for the chosen period."""

    code: str
    name: str
    value: float | None
    previous: float | None
    yoy_level: float | None
    """同比 on the levels (sums: 0.082 = +8.2 %); for a ratio see ``change_points``."""
    change_points: float | None
    """A ratio's change on last year in percentage points (None for sums)."""


class PeriodFigures(BaseModel):
    """The indicator in the unit for ``period`` (``kind`` ytd: a 1–N月 period; year: a
    year) against the same period a year before, and in each visible child."""

    kind: str
    period: str
    period_zh: str
    periods: list[str]
    """What the picker offers, most recent first."""
    previous_period: str
    value: float | None
    previous: float | None
    yoy_level: float | None
    change_points: float | None
    yoy_comparable: float | None = None
    """同比 on the comparable basis (sums)."""
    comparable_points: float | None = None
    """A ratio's change on the comparable basis in percentage points."""
    comparable_enterprises: int | None = None
    mom_points: float | None = None
    month_before_period: str | None = None
    is_sum: bool
    children: list[ChildPeriodValue]


def base_window(period: str, baseline_year: int) -> tuple[str, str]:
    """The same period of the base year and ``period`` (``2025-01..08`` with base year 2022
    → ``2022-01..08``, ``2025-01..08``; a year → the base year and the year), the default
    span of the gap attribution on a page showing ``period``."""
    at = parse_period(period)
    if at.kind is PeriodKind.YTD:
        return str(Period.of_ytd(baseline_year, at.last_month)), str(at)
    if at.kind is PeriodKind.YEAR:
        return str(baseline_year), str(at)
    raise PeriodNotAvailable(
        f"period {period[:40]!r}: give a year-to-date period (2025-01..08) or a year (2025)",
        "报告期应为1–N月累计期(如 2025年1-8月)或年份(如 2025)",
    )


def is_ytd(ind: Indicator) -> bool:
    """Is the indicator computed monthly (1–N月) from enterprise reports?"""
    return ind.source == "enterprise" and ind.frequency in ("ytd", "monthly")


def _values(engine: Engine, code: str, units: list[str], kind: str) -> pd.DataFrame:
    with transaction(engine) as session:
        return indicator_values(
            session, indicators=[code], units=units, kinds=[kind], totals_only=True
        )


def _at(frame: pd.DataFrame, unit: str, period: str) -> float | None:
    part = frame[(frame["unit_code"] == unit) & (frame["period"] == period)]
    return None if part.empty else safe(float(part["value"].iloc[0]))


def _growth(
    value: float | None, previous: float | None, is_sum: bool
) -> tuple[float | None, float | None]:
    if value is None or previous is None:
        return None, None
    if not is_sum:
        return None, value - previous
    return (value / previous - 1 if previous else None), None


def indicator_period(
    engine: Engine,
    scope: Scope,
    ind: Indicator,
    u: OrgUnit,
    period: str | None,
    *,
    memo: Memo = direct,
) -> PeriodFigures | None:
    """The indicator's figures in ``u`` and its visible children for ``period`` (see the
    module); None when the unit has no value of any period."""
    children = scope.tree.children(u.code)  # all of them: the memo is shared by scopes
    kids = [c for c in children if scope.sees(c.code)]
    is_sum = ind.formula.denominator is None
    kind = "ytd" if is_ytd(ind) else "year"
    values = memo(
        ("views.indicator_period_values", ind.code, u.code, kind),
        lambda: _values(engine, ind.code, [u.code, *(c.code for c in children)], kind),
    )
    if kind == "ytd":
        periods = ytd_periods(engine, memo=memo)
        chosen = chosen_period(engine, period, memo=memo)
        if chosen is None:
            return None
    else:
        mine = values[(values["unit_code"] == u.code) & values["value"].notna()]
        years = sorted({int(p) for p in mine["period"] if str(p).isdigit()}, reverse=True)
        periods = [str(y) for y in years]
        year = chosen_year(period, years)
        if year is None:
            return None
        chosen = str(year)
    at = parse_period(chosen)
    before = str(at.same_period_last_year())
    value, previous = _at(values, u.code, chosen), _at(values, u.code, before)
    yoy, points = _growth(value, previous, is_sum)
    out = PeriodFigures(
        kind=kind,
        period=chosen,
        period_zh=at.label_zh(),
        periods=periods,
        previous_period=before,
        value=value,
        previous=previous,
        yoy_level=yoy,
        change_points=points,
        is_sum=is_sum,
        children=[],
    )
    if kind == "ytd":  # the unit page's row: the same numbers, comparable basis and 环比
        table = unit_ytd(engine, scope, u.code, period=chosen, memo=memo)
        rows = table.rows if table is not None else []
        row = next((r for r in rows if r.indicator == ind.code), None)
        if table is not None and row is not None:
            out.value, out.previous, out.yoy_level = row.value, row.previous, row.yoy_level
            out.change_points, out.mom_points = row.change_points, row.mom_points
            out.yoy_comparable, out.comparable_points = row.yoy_comparable, row.comparable_points
            out.comparable_enterprises = row.comparable_enterprises
            out.month_before_period = table.month_before_period
    for k in kids:
        v, p = _at(values, k.code, chosen), _at(values, k.code, before)
        g, pts = _growth(v, p, is_sum)
        out.children.append(
            ChildPeriodValue(
                code=k.code, name=k.name, value=v, previous=p, yoy_level=g, change_points=pts
            )
        )
    return out
