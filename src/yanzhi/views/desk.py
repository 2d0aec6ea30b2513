"""A township's desk, the page a township officer lands on: this period's reporting —
the due dates, how many of its enterprises reported on time, late or not yet, its own
submission and the first non-reporters to chase — the headline indicators as a level
with no targets of its own sees them (value, 同比 and rank, or the district's figure
where statistics stop at the district), and its own enterprises with their report and
approved R&D. Counts are completeness's (services/collection/workflow.py); figures are
stored values or approved reports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.orgtree import Level, OrgUnit
from yanzhi.core.periods import label_zh
from yanzhi.core.plan.model import Indicator
from yanzhi.services.access.scope import Scope
from yanzhi.services.collection import roster as roster_svc
from yanzhi.services.collection.workflow import CHINA
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.views.calendar import SUBMISSION_NAMES, Deadline, date_zh, period_deadlines
from yanzhi.views.cockpit import latest_period
from yanzhi.views.common import Memo, direct, plan_of, safe
from yanzhi.views.data import STATUS_NAMES, completeness_rows
from yanzhi.views.nonreporters import NonReporterItem, nonreporter_list
from yanzhi.views.unitytd import chosen_period, peers_of, rank_of

PREVIEW = 8  # non-reporters shown on the desk; the whole list is one click away
OWN_ROWS = 15  # enterprises shown on the desk, largest R&D first
STATE_ZH = {"on_time": "按时", "late": "逾期", "missing": "未报"}


class DeskReporting(BaseModel):
    """This period's reporting in the township: due dates, counts (completeness's), the
    township's own submission and the first non-reporters."""

    period: str
    period_zh: str
    deadlines: list[Deadline]
    today: str
    days_left: int
    """Days until the enterprises' due date (0: today; negative: passed that many days)."""
    due_note_zh: str
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    rate: float | None
    status: str
    status_zh: str
    submission: str
    submission_zh: str
    nonreporters: int
    reminded: int
    preview: list[NonReporterItem]


class PlainRow(BaseModel):
    """A headline indicator at a level with no target of its own: the unit's latest value,
    the year before, the change (growth for totals, points for ratios), its ranks — or,
    where the statistic is published only down to districts, the district's value."""

    indicator: str
    name: str
    unit: str
    value: float | None
    year: int | None
    previous: float | None
    change: float | None
    """For a total the growth on the year before (0.05 = +5 %); for a ratio the change in
    percentage points."""
    is_sum: bool
    rank_in_parent: int | None
    of_parent: int | None
    rank_in_city: int | None
    of_city: int | None
    district: str | None
    district_name: str | None
    district_value: float | None
    district_year: int | None


class OwnEnterprise(BaseModel):
    """One of the township's enterprises on its desk."""

    uscc: str
    name: str
    industry: str
    state: str
    state_zh: str
    received_zh: str
    rd_expense: float | None
    rd_expense_before: float | None
    growth: float | None


class TownshipDesk(BaseModel):
    """The township desk: reporting, headline indicators without targets, own
    enterprises (``approved_period``: the period their R&D figures are of)."""

    reporting: DeskReporting | None
    headline: list[PlainRow]
    enterprises: list[OwnEnterprise]
    enterprises_total: int
    approved_period: str | None
    note_zh: str


def today_china() -> dt.date:
    """Today in China (the calendar's due dates are China dates)."""
    return dt.datetime.now(CHINA).date()


def _due_note(days: int) -> str:
    if days > 0:
        return f"距企业报送截止还有 {days} 天"
    if days == 0:
        return "今天是企业报送截止日"
    return f"企业报送截止已过 {-days} 天"


def _reporting(
    engine: Engine, scope: Scope, u: OrgUnit, period: str, memo: Memo
) -> DeskReporting | None:
    rows = completeness_rows(engine, period, "township", memo=memo)  # one for every unit
    row = next((safe(r.to_dict()) for r in rows if r.code == u.code), None)
    if row is None:
        return None
    dls = period_deadlines(engine, period)
    due = dt.date.fromisoformat(next(d.due for d in dls if d.level == "enterprise"))
    today = today_china()
    days = (due - today).days
    preview: list[NonReporterItem] = []
    reminded = count = 0
    if scope.can("read_enterprises"):
        found = nonreporter_list(engine, scope, period=period, unit=u.code)
        preview, count = found.items[:PREVIEW], len(found.items)
        reminded = sum(1 for i in found.items if i.reminders)
    return DeskReporting(
        period=period,
        period_zh=label_zh(period),
        deadlines=dls,
        today=today.isoformat(),
        days_left=days,
        due_note_zh=_due_note(days),
        **{k: row[k] for k in ("expected", "received", "on_time", "late", "missing", "rate")},
        status=row["status"],
        status_zh=STATUS_NAMES[row["status"]][0],
        submission=row["submission"],
        submission_zh=SUBMISSION_NAMES[row["submission"]],
        nonreporters=count,
        reminded=reminded,
        preview=preview,
    )


def _annual_values(engine: Engine, codes: list[str]) -> pd.DataFrame:
    with transaction(engine) as session:
        return indicator_values(session, indicators=codes, kinds=["year"], totals_only=True)


def _latest(frame: pd.DataFrame, unit: str) -> tuple[int, float] | None:
    mine = frame[(frame["unit_code"] == unit) & frame["value"].notna()]
    if mine.empty:
        return None
    last = mine.loc[mine["period"].astype(int).idxmax()]
    return int(last["period"]), float(last["value"])


def _plain_row(ind: Indicator, values: pd.DataFrame, scope: Scope, u: OrgUnit) -> PlainRow:
    of = values[values["indicator"] == ind.code]
    is_sum = ind.formula.denominator is None
    district = next((a for a in scope.tree.ancestors(u.code) if a.level is Level.DISTRICT), None)
    found = _latest(of, u.code)
    fields: dict[str, object] = {"value": None, "year": None, "previous": None, "change": None}
    ranks: dict[str, int | None] = dict.fromkeys(
        ("rank_in_parent", "of_parent", "rank_in_city", "of_city")
    )
    if found is not None:
        year, value = found
        at = of[of["period"].astype(str) == str(year)]
        now = dict(zip(at["unit_code"], at["value"].astype(float), strict=True))
        prev = of[(of["unit_code"] == u.code) & (of["period"].astype(str) == str(year - 1))]
        last = None if prev.empty else prev["value"].iloc[0]
        previous = None if last is None or pd.isna(last) else float(last)
        change = None
        if previous is not None and not is_sum:
            change = value - previous  # a ratio: percentage points
        elif previous:
            change = value / previous - 1
        fields = {"value": value, "year": year, "previous": previous, "change": change}
        peers = peers_of(scope.tree, u)
        ranks["rank_in_parent"], ranks["of_parent"] = rank_of(now, peers["parent"], u.code, ind)
        ranks["rank_in_city"], ranks["of_city"] = rank_of(now, peers["city"], u.code, ind)
    d_found = _latest(of, district.code) if district is not None and found is None else None
    return PlainRow(
        indicator=ind.code,
        name=ind.name,
        unit=ind.unit,
        is_sum=is_sum,
        **fields,  # type: ignore[arg-type]
        **ranks,
        district=district.code if district else None,
        district_name=district.name if district else None,
        district_value=d_found[1] if d_found else None,
        district_year=d_found[0] if d_found else None,
    )


def township_desk(
    engine: Engine, scope: Scope, u: OrgUnit, *, memo: Memo = direct
) -> TownshipDesk | None:
    """The desk of township ``u`` (None for other levels)."""
    if u.level is not Level.TOWNSHIP:
        return None
    plan = plan_of(engine)
    codes = [i.code for i in plan.headline_indicators]
    values: pd.DataFrame = memo(("views.annual_values",), lambda: _annual_values(engine, codes))
    headline = [_plain_row(i, values, scope, u) for i in plan.headline_indicators]
    period = memo(("views.latest_period",), lambda: latest_period(engine))
    rep = None if period is None else _reporting(engine, scope, u, period, memo)
    own: list[OwnEnterprise] = []
    total = 0
    approved = None
    if period is not None and scope.can("read_enterprises"):
        approved = chosen_period(engine, None, memo=memo)
        r = roster_svc.roster(engine, township=u.code, period=period, approved_period=approved)
        approved, total = r.approved_period, len(r.rows)
        for x in r.rows[:OWN_ROWS]:
            growth = (
                x.rd_expense / x.rd_expense_before - 1
                if x.rd_expense is not None and x.rd_expense_before
                else None
            )
            own.append(
                OwnEnterprise(
                    uscc=x.uscc,
                    name=x.name,
                    industry=x.industry,
                    state=x.state,
                    state_zh=STATE_ZH[x.state],
                    received_zh=_received_zh(x.received_at),
                    rd_expense=x.rd_expense,
                    rd_expense_before=x.rd_expense_before,
                    growth=growth,
                )
            )
    return TownshipDesk(
        reporting=rep,
        headline=headline,
        enterprises=own,
        enterprises_total=total,
        approved_period=approved,
        note_zh=(
            "规划目标下达到市和区县（市），乡镇（街道）不设目标：这里列出数值、较上年变化与排名；"
            "统计数据只发布到区县（市）的指标，列出所属区县（市）的数值。"
        ),
    )


def _received_zh(at: str | None) -> str:
    if at is None:
        return "—"
    t = dt.datetime.fromisoformat(at).astimezone(CHINA)
    return f"{date_zh(t.date())} {t:%H:%M}"
