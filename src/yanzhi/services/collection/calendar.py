"""The reporting calendar in force: the copy stored in the database (edited by an admin,
audited) or, before any edit, the built-in Ningbo defaults (data/calendars/ningbo.yaml)."""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.periods import Period, PeriodKind
from yanzhi.core.reportcalendar import (
    KINDS,
    LEVEL_ZH,
    LEVELS,
    CalendarError,
    ReportCalendar,
    Rule,
    from_dict,
)
from yanzhi.ingest.calendarfile import builtin_calendar_path, read_calendar
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.calendars import store_calendar, stored_calendar
from yanzhi.storage.db import transaction


def calendar_in(session: Session) -> ReportCalendar:
    """The calendar in force, read in an open ``session``."""
    body = stored_calendar(session)
    return from_dict(body) if body else builtin()


def builtin() -> ReportCalendar:
    """The built-in defaults (data/calendars/ningbo.yaml), in force until an admin edits."""
    return read_calendar(builtin_calendar_path())


def current(engine: Engine) -> ReportCalendar:
    """The calendar in force (stored, else the built-in defaults)."""
    require_schema(engine)
    with transaction(engine) as session:
        return calendar_in(session)


def due_on(cal: ReportCalendar, period: Period, level: str = "enterprise") -> dt.date:
    """When ``level``'s reports of ``period`` are due under ``cal`` (a month period uses
    the ``month`` rules, anything else those of 1–N月累计)."""
    kind = "month" if period.kind is PeriodKind.MONTH else "ytd"
    return cal.due(kind, period.year, period.last_month, level)


def load_file(engine: Engine, path: str | Path, *, actor: str) -> ReportCalendar:
    """Replace the calendar in force with the file ``path`` (audited)."""
    cal = read_calendar(path)
    _store(engine, cal, actor=actor, reason=f"loaded from {Path(path).name}")
    return cal


def set_rule(
    engine: Engine, *, kind: str, level: str, rule: str, actor: str, reason: str | None = None
) -> ReportCalendar:
    """Set ``level``'s due rule (``次月10日``) for periods of ``kind`` (audited, with the
    ``reason`` if given)."""
    if kind not in KINDS or level not in LEVELS:
        raise CalendarError(f"期别应为 {'/'.join(KINDS)}，层级应为 {'/'.join(LEVELS)}")
    cal = current(engine)
    rules = {k: dict(v) for k, v in cal.rules.items()}
    rules.setdefault(kind, dict(rules["ytd"]))[level] = Rule.parse(rule)
    new = ReportCalendar(cal.name, rules, cal.overrides, cal.notes, cal.remark)
    _store(engine, new, actor=actor, reason=(reason or "").strip() or f"{kind} {level} {rule}")
    return new


def set_override(
    engine: Engine,
    *,
    month: str,
    level: str,
    due: dt.date | None,
    actor: str,
    note: str | None = None,
    today: dt.date | None = None,
) -> ReportCalendar:
    """Move ``level``'s due date for the period ending in ``month`` (``2027-01``) to
    ``due`` (None removes the override), with a ``note`` (春节) — audited.

    History is kept honest: a due date that has already passed (before ``today``, China
    time) decides which reports of that period were on time, so moving or restoring it
    needs a ``note`` saying why (refused without one); a due date is never before the
    period's last day."""
    cal = current(engine)
    data = cal.to_dict()
    entry = dict(data["overrides"].get(month) or {})
    if level not in LEVELS:
        raise CalendarError(f"层级应为 {'/'.join(LEVELS)}")
    if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", month):
        raise CalendarError(f"报告期“{month[:20]}”应写作 2027-01（期末月份）")
    year, last = int(month[:4]), int(month[5:])
    period_end = dt.date(year, last, monthrange(year, last)[1])
    if due is not None and due < period_end:
        raise CalendarError(f"截止日{_zh(due)}早于报告期结束（{_zh(period_end)}），报表尚不能报送")
    now = today or china_today()
    was = cal.due("ytd", year, last, level)
    if was < now and not (note or "").strip():
        raise CalendarError(
            f"{year}年{last}月报告期{LEVEL_ZH[level]}的截止日{_zh(was)}已过，"
            "改动会重新判定已报报表的按时、逾期；请填写调整原因"
        )
    if due is None:
        entry.pop(level, None)
    else:
        entry[level] = due.isoformat()
    if note:
        entry["note"] = note
    if any(lv in entry for lv in LEVELS):
        data["overrides"][month] = entry
    else:
        data["overrides"].pop(month, None)
    new = from_dict(data)
    why = (note or "").strip() or f"{month} {level} {due or '-'}"
    _store(engine, new, actor=actor, reason=why)
    return new


def china_today() -> dt.date:
    """Today in China (UTC+8), the day due dates are reckoned in."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def _zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _store(engine: Engine, cal: ReportCalendar, *, actor: str, reason: str) -> None:
    require_schema(engine)
    with transaction(engine) as session:
        store_calendar(session, cal.to_dict(), ctx=WriteContext(actor, reason=reason))
