"""The reporting calendar as the pages, the API and the CLI show it: a period's deadlines
per level in Chinese, the calendar's rules and overrides, and the admin's edits."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.periods import label_zh, parse_ytd
from yanzhi.core.reportcalendar import LEVEL_ZH, LEVELS, ReportCalendar
from yanzhi.services.access.scope import Scope
from yanzhi.services.collection import calendar as calendar_svc

SUBMISSION_NAMES = {"on_time": "按时", "late": "逾期", "pending": "未报"}
KIND_ZH = {"ytd": "1–N月累计", "month": "当月"}


def date_zh(day: str | dt.date | None) -> str:
    """``2026-12-10`` → 2026年12月10日 (None → —)."""
    if day is None:
        return "—"
    d = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


class Deadline(BaseModel):
    """One level's due date for a period (报送截止)."""

    level: str
    level_zh: str
    due: str
    due_zh: str


class CalendarRule(BaseModel):
    """One period kind's rule for one level (``次月10日``)."""

    kind: str
    kind_zh: str
    level: str
    level_zh: str
    rule: str


class CalendarOverride(BaseModel):
    """A period's moved due date for one level, with why."""

    month: str
    level: str
    level_zh: str
    due: str
    due_zh: str
    note: str


class CalendarView(BaseModel):
    """The reporting calendar in force: its name and remark, rules and overrides."""

    name: str
    remark: str
    rules: list[CalendarRule]
    overrides: list[CalendarOverride]


def deadlines(cal: ReportCalendar, period: str) -> list[Deadline]:
    """Every level's due date for ``period`` under ``cal``."""
    p = parse_ytd(period, months=False)
    out = []
    for lv in LEVELS:
        due = calendar_svc.due_on(cal, p, lv)
        out.append(
            Deadline(level=lv, level_zh=LEVEL_ZH[lv], due=due.isoformat(), due_zh=date_zh(due))
        )
    return out


def period_deadlines(engine: Engine, period: str) -> list[Deadline]:
    """Every level's due date for ``period`` under the calendar in force."""
    return deadlines(calendar_svc.current(engine), period)


def view_of(cal: ReportCalendar) -> CalendarView:
    """``cal`` as the pages, the API and the CLI show it."""
    rules = [
        CalendarRule(kind=k, kind_zh=KIND_ZH[k], level=lv, level_zh=LEVEL_ZH[lv], rule=r.text())
        for k, levels in cal.rules.items()
        for lv, r in levels.items()
    ]
    overrides = [
        CalendarOverride(
            month=m,
            level=lv,
            level_zh=LEVEL_ZH[lv],
            due=d.isoformat(),
            due_zh=date_zh(d),
            note=cal.notes.get(m, ""),
        )
        for m, dates in sorted(cal.overrides.items())
        for lv, d in dates.items()
    ]
    return CalendarView(name=cal.name, remark=cal.remark, rules=rules, overrides=overrides)


def show(engine: Engine, scope: Scope) -> CalendarView:
    """The calendar in force (anyone who may read data)."""
    scope.require("read")
    return view_of(calendar_svc.current(engine))


def set_rule(engine: Engine, scope: Scope, *, kind: str, level: str, rule: str) -> CalendarView:
    """An admin sets ``level``'s rule for ``kind`` periods (audited)."""
    scope.require("admin")
    return view_of(
        calendar_svc.set_rule(engine, kind=kind, level=level, rule=rule, actor=scope.principal.name)
    )


def set_override(
    engine: Engine,
    scope: Scope,
    *,
    month: str,
    level: str,
    due: dt.date | None,
    note: str | None = None,
) -> CalendarView:
    """An admin moves (or, with no date, restores) ``level``'s due date for the period
    ending in ``month`` (audited)."""
    scope.require("admin")
    cal = calendar_svc.set_override(
        engine, month=month, level=level, due=due, actor=scope.principal.name, note=note
    )
    return view_of(cal)


def period_label(period: str) -> str:
    """The period's Chinese label (2026年1-11月)."""
    return label_zh(period)
