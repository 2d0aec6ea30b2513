"""督办 (supervision): per responsible unit, the tasks that are overdue, silent or behind
on the board, and the reminders sent to those units."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from yanzhi.services.tasks.updates import UNASSIGNED, _plan_id, _task, board
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan


def supervise(
    engine: Engine, *, period: str | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """督办: per responsible (lead) unit, the tasks that are overdue, silent or behind,
    with the reminders already sent."""
    b = board(engine, period=period, today=today)
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = _plan_id(session, plan)
        tasks = {t.id: t.code for t in store.list_tasks(session, pid)}
        reminders: dict[str, list[dict[str, Any]]] = {}
        for r in store.list_reminders(session, pid):
            reminders.setdefault(tasks[r.task_id], []).append(
                {
                    "unit": r.unit,
                    "period": r.period,
                    "reasons": r.reasons,
                    "note": r.note,
                    "reminded_by": r.reminded_by,
                    "reminded_at": r.reminded_at.isoformat(),
                }
            )
    units: dict[str, dict[str, Any]] = {}
    for item in b["tasks"]:
        if not item["states"]:
            continue
        unit = item["lead"] or UNASSIGNED
        entry = units.setdefault(
            unit, {"unit": unit, "unit_name": item["lead_name"] or "未分配牵头单位", "tasks": []}
        )
        entry["tasks"].append(
            {
                "code": item["code"],
                "title": item["title"],
                "states": item["states"],
                "state_labels": item["state_labels"],
                "latest": item["latest"],
                "overdue_milestones": item["overdue_milestones"],
                "reminders": reminders.get(item["code"], []),
            }
        )
    return {"period": b["period"], "today": b["today"], "units": list(units.values())}


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
    found = next((u for u in listed["units"] if u["unit"] == unit), None)
    if found is None:
        return []
    ctx = WriteContext(actor)
    out = []
    with transaction(engine) as session:
        plan = get_plan(session)
        for t in found["tasks"]:
            row = _task(session, plan, t["code"])
            store.create_reminder(
                session,
                task=row,
                unit=unit,
                period=listed["period"],
                reasons=t["states"],
                note=note,
                ctx=ctx,
            )
            out.append(ReminderSent(t["code"], unit, list(t["states"])))
    return out
