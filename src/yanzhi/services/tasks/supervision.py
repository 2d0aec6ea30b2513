"""督办 (supervision): per responsible unit, the tasks that are overdue, silent or behind
on the board, and the reminders sent to those units."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.tasks import AUTO_STATE_LABELS, AutoState
from yanzhi.services.database import has_synthetic
from yanzhi.services.notifications.send import Message, deliver, notify
from yanzhi.services.tasks.updates import UNASSIGNED, _plan_id, _task, board
from yanzhi.storage import notifications as notification_store
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan


@dataclass(frozen=True)
class Reminder:
    """A reminder (督办) sent to a unit about a task, and why."""

    unit: str
    period: str
    reasons: list[str]
    note: str | None
    reminded_by: str
    reminded_at: str


@dataclass(frozen=True)
class SupervisedTask:
    """A task on the supervision list: its automatic states, latest report (as on the
    board), overdue milestones and the reminders already sent."""

    code: str
    title: str
    states: list[str]
    state_labels: list[str]
    latest: dict[str, Any] | None
    overdue_milestones: list[dict[str, Any]]  # code, due, title, days_overdue
    reminders: list[Reminder]
    state_labels_zh: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SupervisedUnit:
    """A responsible (lead) unit and its tasks to supervise."""

    unit: str
    unit_name: str
    tasks: list[SupervisedTask] = field(default_factory=list)


@dataclass(frozen=True)
class SupervisionList:
    """督办 for a period: per responsible unit, the tasks overdue, silent or behind."""

    period: str
    today: str
    units: list[SupervisedUnit]
    tasks_total: int | None = None  # tasks of the plan judged (all of them)
    synthetic: bool = False  # the database holds generated (demo) data
    issuer: str | None = None  # the plan's issuing unit
    plan_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``, the report documents)."""
        return asdict(self)


def _milestone_titles(engine: Engine) -> tuple[dict[str, str], str, str]:
    """Each milestone's title by code, the plan's issuer and title."""
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = _plan_id(session, plan)
        titles = {m.code: m.title for m, _ in store.list_milestones(session, pid)}
        return titles, plan.meta.issuer, plan.meta.title


def _overdue(m: Any, titles: dict[str, str], day: dt.date) -> dict[str, Any]:
    """An overdue milestone: code, due date, title and days overdue as of ``day``."""
    return {
        **asdict(m),
        "title": titles.get(m.code, m.code),
        "days_overdue": (day - dt.date.fromisoformat(m.due)).days,
    }


def _reminders(engine: Engine) -> dict[str, list[Reminder]]:
    with transaction(engine) as session:
        pid = _plan_id(session, get_plan(session))
        tasks = {t.id: t.code for t in store.list_tasks(session, pid)}
        out: dict[str, list[Reminder]] = {}
        for r in store.list_reminders(session, pid):
            out.setdefault(tasks[r.task_id], []).append(
                Reminder(
                    r.unit,
                    r.period,
                    list(r.reasons or []),
                    r.note,
                    r.reminded_by,
                    r.reminded_at.isoformat(),
                )
            )
    return out


def supervise(
    engine: Engine, *, period: str | None = None, today: dt.date | None = None
) -> SupervisionList:
    """督办: per responsible (lead) unit, the tasks that are overdue, silent or behind,
    with the reminders already sent."""
    b = board(engine, period=period, today=today)
    reminders = _reminders(engine)
    titles, issuer, plan_title = _milestone_titles(engine)
    day = dt.date.fromisoformat(b.today)
    units: dict[str, SupervisedUnit] = {}
    for item in b.tasks:
        if not item.states:
            continue
        unit = item.lead or UNASSIGNED
        entry = units.setdefault(unit, SupervisedUnit(unit, item.lead_name or "未分配牵头单位"))
        entry.tasks.append(
            SupervisedTask(
                code=item.code,
                title=item.title,
                states=item.states,
                state_labels=item.state_labels,
                latest=None if item.latest is None else item.latest.to_dict(),
                overdue_milestones=[_overdue(m, titles, day) for m in item.overdue_milestones],
                reminders=reminders.get(item.code, []),
                state_labels_zh=[AUTO_STATE_LABELS[AutoState(s)][0] for s in item.states],
            )
        )
    synthetic = any(t.latest is not None and t.latest.synthetic for t in b.tasks)
    return SupervisionList(
        b.period,
        b.today,
        list(units.values()),
        tasks_total=len(b.tasks),
        synthetic=synthetic or has_synthetic(engine),
        issuer=issuer,
        plan_title=plan_title,
    )


@dataclass(frozen=True)
class ReminderSent:
    """A reminder recorded: the task, the unit reminded and why (its automatic states)."""

    task: str
    unit: str
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        """As JSON: ``task``, ``unit``, ``reasons``."""
        return asdict(self)


def remind(
    engine: Engine,
    unit: str,
    *,
    actor: str,
    note: str | None = None,
    period: str | None = None,
    today: dt.date | None = None,
) -> list[ReminderSent]:
    """Record a reminder to ``unit`` for each of its tasks on the supervision list."""
    listed = supervise(engine, period=period, today=today)
    found = next((u for u in listed.units if u.unit == unit), None)
    if found is None:
        return []
    ctx = WriteContext(actor)
    out = []
    with transaction(engine) as session:
        plan = get_plan(session)
        for t in found.tasks:
            row = _task(session, plan, t.code)
            store.create_reminder(
                session,
                task=row,
                unit=unit,
                period=listed.period,
                reasons=t.states,
                note=note,
                ctx=ctx,
            )
            out.append(ReminderSent(t.code, unit, list(t.states)))
        _notify_owners(session, found, note, actor)
    deliver(engine)
    return out


def _notify_owners(session: Session, unit: SupervisedUnit, note: str | None, actor: str) -> None:
    """The 督办 notification to the unit's task-owner accounts: its tasks and why."""
    lines = [f"{t.code} {t.title}（{'、'.join(t.state_labels)}）" for t in unit.tasks]
    body = f"{unit.unit_name}: 以下任务需要督办，请及时报送进展。\n" + "\n".join(lines)
    if note:
        body += f"\n督办意见: {note}"
    users = notification_store.active_users(session, role="task_owner", unit=unit.unit)
    msg = Message(
        kind="supervision",
        title=f"督办: {len(unit.tasks)} 项任务需报送进展",
        body=body,
        link="/tasks",
    )
    notify(session, users, msg, actor=actor)
