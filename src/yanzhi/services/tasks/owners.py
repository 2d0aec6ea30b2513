"""Who does a key task and by when: its lead unit and co-units, and its milestones
(one per year, code TASK/MYEAR). Both audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.services.tasks.updates import _task, _unit_names
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan


def assign(engine: Engine, task: str, *, lead: str | None, co_units: list[str], actor: str) -> bool:
    """Set the lead unit and co-units of a task (department codes or org unit codes)."""
    with transaction(engine) as session:
        plan = get_plan(session)
        known = set(_unit_names(session, plan))
        unknown = [u for u in [lead, *co_units] if u and u not in known]
        if unknown:
            raise NotFound(f"unknown unit(s) {unknown}", f"未知单位 {unknown}")
        row = _task(session, plan, task)
        return store.update_owners(
            session, task=row, lead=lead, co_units=co_units, ctx=WriteContext(actor)
        )


def set_milestone(
    engine: Engine,
    task: str,
    *,
    year: int,
    title: str,
    actor: str,
    due: str | None = None,
    note: str | None = None,
    done: bool | None = None,
    done_on: dt.date | None = None,
) -> str:
    """Add or edit a task's milestone for a year (code TASK/MYEAR), optionally done."""
    code = f"{task}/M{year}"
    if due:
        dt.date.fromisoformat(due)
    with transaction(engine) as session:
        row = _task(session, get_plan(session), task)
        ctx = WriteContext(actor)
        m = store.upsert_milestone(
            session, task=row, code=code, year=year, title=title, due=due, note=note, ctx=ctx
        )
        if done is not None:
            store.set_milestone_done(session, milestone=m, done=done, on=done_on, ctx=ctx)
    return code
