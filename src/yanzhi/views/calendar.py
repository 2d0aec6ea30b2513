"""The reporting calendar as the pages, the API and the CLI show it: a period's deadlines
per level in Chinese, the calendar's rules and overrides, and the admin's edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.periods import label_zh, parse_ytd
from yanzhi.core.reportcalendar import LEVEL_ZH, LEVELS, ReportCalendar
from yanzhi.core.zhtext import date_zh
from yanzhi.services.access.scope import Scope
from yanzhi.services.collection import calendar as calendar_svc
from yanzhi.views import admin as admin_view

SUBMISSION_NAMES = {"on_time": "按时", "late": "逾期", "pending": "未报"}
KIND_ZH = {"ytd": "1–N月累计", "month": "当月"}


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
    month_zh: str
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


def _month_zh(month: str) -> str:
    """``2027-01`` → 2027年1月 (a period by its last month)."""
    return f"{int(month[:4])}年{int(month[5:])}月"


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
            month_zh=_month_zh(m),
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


def set_rule(
    engine: Engine, scope: Scope, *, kind: str, level: str, rule: str, reason: str | None = None
) -> CalendarView:
    """An admin sets ``level``'s rule for ``kind`` periods (audited)."""
    scope.require("admin")
    return view_of(
        calendar_svc.set_rule(
            engine, kind=kind, level=level, rule=rule, actor=scope.principal.name, reason=reason
        )
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


class Upcoming(BaseModel):
    """The due dates of one coming period (by its last month), per level."""

    month: str
    label_zh: str
    deadlines: list[Deadline]


def upcoming(engine: Engine, scope: Scope, *, count: int = 4) -> list[Upcoming]:
    """The due dates of the ``count`` periods whose enterprise deadline is still to come
    (from the period that ended last month), per level."""
    scope.require("read")
    cal = calendar_svc.current(engine)
    today = calendar_svc.china_today()
    y, m = divmod(today.year * 12 + today.month - 2, 12)
    out: list[Upcoming] = []
    for i in range(count):
        yy, mm = divmod(y * 12 + m + i, 12)
        period = f"{yy}-01..{mm + 1:02d}"
        out.append(
            Upcoming(
                month=f"{yy}-{mm + 1:02d}",
                label_zh=f"{yy}年1月" if mm == 0 else label_zh(period),
                deadlines=deadlines(cal, period),
            )
        )
    return out


class CalendarChange(BaseModel):
    """One audited change of the calendar: who, when, what (in Chinese), why."""

    at_local: str
    actor: str
    what: list[str]
    reason: str


def changes_zh(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed between two stored calendars (``old`` None: the built-in one), in
    Chinese sentences."""
    if old is None:
        old = calendar_svc.builtin().to_dict()
    out: list[str] = []
    for kind, levels in (new.get("kinds") or {}).items():
        before = (old.get("kinds") or {}).get(kind) or {}
        for lv in LEVELS:
            if before.get(lv) != levels.get(lv):
                out.append(
                    f"{KIND_ZH.get(kind, kind)}{LEVEL_ZH[lv]}报送期限："
                    f"{before.get(lv) or '—'} → {levels.get(lv) or '—'}"
                )
    old_o, new_o = old.get("overrides") or {}, new.get("overrides") or {}
    for month in sorted(set(old_o) | set(new_o)):
        a, b = old_o.get(month) or {}, new_o.get(month) or {}
        for lv in LEVELS:
            if a.get(lv) != b.get(lv):
                was = date_zh(a[lv]) if lv in a else "按规则"
                now = date_zh(b[lv]) if lv in b else "恢复按规则"
                out.append(f"{_month_zh(month)}报告期{LEVEL_ZH[lv]}截止日：{was} → {now}")
    if old.get("name") != new.get("name"):
        out.append(f"日历名称：{old.get('name') or '—'} → {new.get('name') or '—'}")
    return out or ["内容未变"]


def history(engine: Engine, scope: Scope, *, size: int = 50) -> list[CalendarChange]:
    """The calendar's audited changes, newest first, described in Chinese."""
    scope.require("admin")
    found = admin_view.audit_log(engine, scope.principal, entity="report_calendar", size=size)
    out = []
    for entry in found.items:
        pair = (entry.changes or {}).get("calendar") if isinstance(entry.changes, dict) else None
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, {})
        reason = entry.reason or ""
        out.append(
            CalendarChange(
                at_local=entry.at_local[:16].replace("T", " "),
                actor=entry.actor,
                what=changes_zh(old, new or {}),
                reason="" if _machine(reason) else reason,
            )
        )
    return out


def _machine(reason: str) -> bool:
    """A reason written by the software (``2026-10 enterprise 2026-11-30``), not a person."""
    return not any("\u4e00" <= ch <= "\u9fff" for ch in reason)
