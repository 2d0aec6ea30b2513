"""The reporting workflow: submit → approve (lock) → unlock with a reason, and reporting
completeness per unit and period (expected, received, on time — DHIS2's reporting rate).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session

from yanzhi.core.errors import Conflict, InvalidInput, LockedPeriod, NotFound
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import Period, label_zh, parse_ytd
from yanzhi.services.database import require_schema
from yanzhi.services.notifications.send import Message, deliver, notify
from yanzhi.storage import notifications as notification_store
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow
from yanzhi.storage.db import ANALYZE_ROWS, refresh_statistics, transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.submissions import (
    APPROVED,
    DRAFT,
    SUBMITTED,
    get_or_create,
    lock,
    set_status,
    submissions,
)


class WorkflowError(Conflict):
    """A submit / approve / unlock that the current state does not allow (HTTP 409)."""


class ReasonRequired(WorkflowError, InvalidInput):
    """An unlock without a reason (HTTP 400)."""

    code = InvalidInput.code
    http_status = InvalidInput.http_status


class PeriodLocked(WorkflowError, LockedPeriod):
    """A submit of data already approved: the period is locked, unlock it first (HTTP 409)."""


@dataclass(frozen=True)
class WorkflowResult:
    """What a submit / approve / unlock did: the townships changed and those skipped (with
    why), for ``period``."""

    action: str
    period: str
    changed: list[str]
    skipped: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (CLI ``--json``, API)."""
        return {
            "action": self.action,
            "period": self.period,
            "changed": self.changed,
            "skipped": self.skipped,
        }


def _ytd(period: Period | str) -> Period:
    """The R&D reporting period: year to date only (a month is not a report period)."""
    return parse_ytd(period, months=False)


def _townships(tree: OrgTree, unit: str) -> list[str]:
    if unit not in tree:
        raise NotFound(f"unknown org unit {unit}", f"未知单位 {unit}")
    return tree.within(unit, Level.TOWNSHIP)


_RULES = {
    "submit": ({DRAFT}, SUBMITTED, "只有草稿状态才能上报", "only a draft can be submitted"),
    "approve": (
        {SUBMITTED},
        APPROVED,
        "只有已上报的数据才能审核",
        "only submitted data can be approved",
    ),
    "unlock": (
        {APPROVED},
        DRAFT,
        "只有已审核锁定的数据才能解锁",
        "only approved data can be unlocked",
    ),
}


def transition(
    engine: Engine,
    action: str,
    *,
    period: Period | str,
    unit: str,
    actor: str,
    reason: str | None = None,
) -> WorkflowResult:
    """Apply ``action`` to every township-level unit within ``unit`` for ``period`` (a YTD
    period; text is still read for callers that have not parsed it yet)."""
    require_schema(engine)
    p = str(_ytd(period))
    if action == "unlock" and not (reason and reason.strip()):
        raise ReasonRequired("unlocking needs a reason (--reason)", "解锁必须说明原因")
    allowed, target, zh, en = _RULES[action]
    ctx = WriteContext(actor, reason=reason)
    changed, skipped = [], {}
    with transaction(engine) as session:
        tree = load_org_tree(session)
        towns = _townships(tree, unit)
        lock(session, "rd", towns, p)
        for code in towns:
            row = get_or_create(session, "rd", code, p)
            if row.status == target:
                skipped[code] = f"already {target}"
            elif row.status not in allowed:
                skipped[code] = f"{row.status}: {en} / {zh}"
            else:
                set_status(session, row, target, ctx=ctx)
                changed.append(code)
        if changed:
            _notify_review(session, tree, action, p, unit, changed, actor, reason)
        if not changed:  # an attempt that changed nothing is on record too
            record(
                session,
                WriteContext(actor, reason=reason or next(iter(skipped.values()), None)),
                action="refused",
                entity="submission",
                key=f"rd:{unit}:{p}",
                changes={"action": [None, action]},
            )
    if not changed and skipped and all(not v.startswith("already") for v in skipped.values()):
        first = next(iter(skipped.values()))
        error = PeriodLocked if action == "submit" and first.startswith(APPROVED) else WorkflowError
        raise error(f"nothing to {action} for {unit} {p}: {first}")
    if changed and action in ("approve", "unlock") and _has_values(engine):
        from yanzhi.services.monitoring import notices
        from yanzhi.services.monitoring.compute import refresh

        before = notices.told(engine)
        done = refresh(engine, period=p, townships=changed)  # approved data changed
        why = f"{tree.get(unit).name}{label_zh(p)}数据{_REVIEW_WORDS[action].split('，')[0]}"
        notices.notify_new(engine, before, actor=actor, why=why, changed=done.units)
    deliver(engine)
    return WorkflowResult(action, p, changed, skipped)


_REVIEW_WORDS = {"submit": "已上报，待审核", "approve": "已审核通过并锁定", "unlock": "已解锁"}


def _notify_review(
    session: Session,
    tree: OrgTree,
    action: str,
    period: str,
    unit: str,
    changed: list[str],
    actor: str,
    reason: str | None,
) -> None:
    """报送审核: a submission tells the city analysts; an approval or an unlock tells the
    officers of the townships changed and of their districts."""
    label = label_zh(period)
    name = tree.get(unit).name
    body = f"{name}{label}研发数据{_REVIEW_WORDS[action]}（{len(changed)} 个乡镇（街道））。"
    if reason:
        body += f"原因: {reason}"
    if action == "submit":
        users = notification_store.active_users(session, role="city_analyst")
    else:
        units = set(changed) | {a.code for c in changed for a in tree.ancestors(c)}
        users = [
            u
            for role in ("township_officer", "district_officer")
            for u in notification_store.active_users(session, role=role)
            if u.unit in units
        ]
    msg = Message(
        kind="review",
        title=f"报送审核: {name}{label}数据{_REVIEW_WORDS[action]}",
        body=body,
        link=f"/data?period={period}",
    )
    notify(session, users, msg, actor=actor)


def _has_values(engine: Engine) -> bool:
    from yanzhi.storage.datamodels import IndicatorValueRow

    with transaction(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(IndicatorValueRow)))


def approve_all(engine: Engine, *, actor: str, except_periods: set[str] | None = None) -> int:
    """Submit and approve every pending township-period at once (loading historical data,
    e.g. the demo); each is audited as one batch entry."""
    from sqlalchemy import update

    from yanzhi.storage.audit import record
    from yanzhi.storage.datamodels import SubmissionRow
    from yanzhi.storage.models import utcnow

    now = utcnow()
    with transaction(engine) as session:
        q = update(SubmissionRow).where(
            SubmissionRow.dataset == "rd", SubmissionRow.status != APPROVED
        )
        if except_periods:
            q = q.where(SubmissionRow.period.not_in(sorted(except_periods)))
        result: Any = session.execute(
            q.values(
                status=APPROVED,
                submitted_by=actor,
                submitted_at=now,
                approved_by=actor,
                approved_at=now,
            )
        )
        n = result.rowcount
        record(
            session,
            WriteContext(actor, reason="bulk approval of loaded history"),
            action="update",
            entity="submission",
            key="rd:*",
            changes={"status": ["draft", APPROVED], "rows": [None, n]},
        )
    if (n or 0) >= ANALYZE_ROWS:
        refresh_statistics(engine, ("submission",))
    return int(n or 0)


ON_TIME, LATE, PENDING = "on_time", "late", "pending"
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class CompletenessRow:
    """Reporting completeness of one unit for a period: expected reports, received ones,
    those received by the enterprises' due date (``due``) and after it, those missing, the
    rates (0–1, None without expected reports), the unit's status (the least advanced of
    its townships), its townships by status, and the unit's own submission against its
    level's due date (``unit_due``): on_time / late / pending, with when it was made."""

    code: str
    name: str
    expected: int
    received: int
    on_time: int
    rate: float | None
    on_time_rate: float | None
    status: str
    statuses: dict[str, int]
    late: int = 0
    missing: int = 0
    due: str | None = None
    unit_due: str | None = None
    submission: str = PENDING
    submitted_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (CLI ``--json``, the bulletin), keys in field order."""
        return {
            "code": self.code,
            "name": self.name,
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "rate": self.rate,
            "on_time_rate": self.on_time_rate,
            "status": self.status,
            "statuses": dict(self.statuses),
            "late": self.late,
            "missing": self.missing,
            "due": self.due,
            "unit_due": self.unit_due,
            "submission": self.submission,
            "submitted_at": self.submitted_at,
        }


def due_date(period: Period, level: str = "enterprise", engine: Engine | None = None) -> dt.date:
    """The day ``level``'s (enterprise, township, district) reports of ``period`` are due
    under the reporting calendar in force (services/collection/calendar.py; without an
    ``engine`` the built-in defaults)."""
    from yanzhi.ingest.calendarfile import builtin_calendar_path, read_calendar
    from yanzhi.services.collection.calendar import current, due_on

    cal = current(engine) if engine is not None else read_calendar(builtin_calendar_path())
    return due_on(cal, period, level)


def deadline_at(day: dt.date) -> pd.Timestamp:
    """The end of ``day`` in China time, as a UTC timestamp (reports until 24:00 count)."""
    return pd.Timestamp(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA))


def expected_to_report(year: int) -> ColumnElement[bool]:
    """Which enterprises are expected to report in ``year``: the above-size industrial
    ones founded by then (or with no founding year) — completeness and the non-reporter
    list use this one rule."""
    return EnterpriseRow.above_size_industrial.is_(True) & (
        (EnterpriseRow.founded_year <= year) | EnterpriseRow.founded_year.is_(None)
    )


def completeness(
    engine: Engine, *, period: Period | str, level: str = "township"
) -> list[CompletenessRow]:
    """Expected reports (above-size industrial enterprises founded by the period's year),
    received reports — on time or late against the enterprises' due date in the reporting
    calendar, by each report's receipt time (else its township's first receipt) — and
    missing ones, per unit of ``level``, with each unit's submission against its level's
    due date."""
    from yanzhi.services.collection.calendar import calendar_in, due_on

    require_schema(engine)
    p = _ytd(period)
    with transaction(engine) as session:
        tree = load_org_tree(session)
        cal = calendar_in(session)
        expected = read_frame(
            session,
            select(EnterpriseRow.township_code, func.count().label("expected"))
            .where(expected_to_report(p.year))
            .group_by(EnterpriseRow.township_code),
        )
        received = read_frame(
            session,
            select(RdReportRow.township_code, RdReportRow.received_at).where(
                RdReportRow.period == str(p)
            ),
        )
        subs = submissions(session, "rd", [str(p)])
    lv = Level(level)
    dues = {x: due_on(cal, p, x) for x in ("enterprise", "township", "district")}
    frame = _by_township(tree, expected, received, subs, dues["enterprise"])
    unit_due = dues["township" if lv is Level.TOWNSHIP else "district"]
    return _roll_up(tree, frame, lv, dues["enterprise"], unit_due)


def _by_township(
    tree: OrgTree, expected: pd.DataFrame, received: pd.DataFrame, subs: pd.DataFrame, due: dt.date
) -> pd.DataFrame:
    frame = pd.DataFrame({"code": [u.code for u in tree.by_level(Level.TOWNSHIP)]})
    frame = frame.merge(expected.rename(columns={"township_code": "code"}), how="left", on="code")
    subs = subs.rename(columns={"org_unit_code": "code"})[
        ["code", "status", "first_received_at", "submitted_at"]
    ]
    reports = received.rename(columns={"township_code": "code"}).merge(
        subs[["code", "first_received_at"]], how="left", on="code"
    )
    at = pd.to_datetime(reports["received_at"], utc=True).fillna(
        pd.to_datetime(reports["first_received_at"], utc=True)
    )
    reports["on_time"] = (at < deadline_at(due)).fillna(False).astype(int)
    counts = reports.groupby("code").agg(received=("on_time", "size"), on_time=("on_time", "sum"))
    frame = frame.merge(counts.reset_index(), how="left", on="code")
    frame = frame.merge(subs, how="left", on="code")
    cols = ["expected", "received", "on_time"]
    frame[cols] = frame[cols].fillna(0).astype(int)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["status"] = frame["status"].fillna(DRAFT)
    return frame


def _roll_up(
    tree: OrgTree, frame: pd.DataFrame, level: Level, due: dt.date, unit_due: dt.date
) -> list[CompletenessRow]:
    by_code = {r["code"]: r for r in frame.to_dict("records")}  # one row per township
    out = []
    for unit in tree.by_level(level):
        sub = [
            by_code[u.code]
            for u in tree.descendants(unit.code, include_self=True)
            if u.level is Level.TOWNSHIP
        ]
        exp, rec, ont = (int(sum(r[k] for r in sub)) for k in ("expected", "received", "on_time"))
        statuses = dict(Counter(str(r["status"]) for r in sub).most_common())
        status = unit_status(statuses)
        times = [r["submitted_at"] for r in sub]
        when = (
            max(times) if sub and status != DRAFT and not any(pd.isna(t) for t in times) else None
        )
        out.append(
            CompletenessRow(
                code=unit.code,
                name=unit.name,
                expected=exp,
                received=rec,
                on_time=ont,
                rate=rec / exp if exp else None,
                on_time_rate=ont / exp if exp else None,
                status=status,
                statuses=statuses,
                late=rec - ont,
                missing=max(exp - rec, 0),
                due=due.isoformat(),
                unit_due=unit_due.isoformat(),
                submission=_submission(when, unit_due),
                submitted_at=when.isoformat(timespec="seconds") if when is not None else None,
            )
        )
    return out


def _submission(when: pd.Timestamp | None, due: dt.date) -> str:
    if when is None:
        return PENDING
    return ON_TIME if when < deadline_at(due) else LATE


def unit_status(statuses: dict[str, int]) -> str:
    """A unit's status from its townships' status counts: approved only when all are,
    submitted when all are at least submitted, else draft (also with no townships)."""
    if not statuses:
        return DRAFT
    if set(statuses) == {APPROVED}:
        return APPROVED
    if set(statuses) <= {APPROVED, SUBMITTED}:
        return SUBMITTED
    return DRAFT
