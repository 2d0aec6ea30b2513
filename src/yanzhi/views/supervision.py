"""督办 (supervision) as a principal sees it: per responsible unit, the visible tasks that
are overdue, silent or behind, and recording reminders (``task_manage``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.enterprises.counts import CountBasis, count_bases
from yanzhi.services.enterprises.doubling import Cohort
from yanzhi.services.tasks import supervision as supervision_svc
from yanzhi.views.enterprises import doubling_cohort
from yanzhi.views.guarantees import Guarantees, guarantees
from yanzhi.views.reforms import Reforms, reforms
from yanzhi.views.register_models import StageCount
from yanzhi.views.registers import register
from yanzhi.views.task_models import (
    ReminderSent,
    Supervision,
)
from yanzhi.views.tasks import task_owners


def supervision(
    engine: Engine,
    scope: Scope,
    *,
    period: str | None = None,
    today: dt.date | None = None,
) -> Supervision:
    """督办: per responsible unit, the principal's tasks that are overdue, silent or behind,
    with the reminders already sent."""
    scope.require("read")
    data = supervision_svc.supervise(engine, period=period, today=today).to_dict()
    owners = task_owners(engine)
    units = []
    for u in data["units"]:
        mine = [t for t in u["tasks"] if scope.sees_task(*owners[t["code"]])]
        if mine:
            units.append({**u, "tasks": mine})
    return Supervision.model_validate(
        {**data, "units": units, "may_remind": scope.can("task_manage")}
    )


def remind(
    engine: Engine,
    scope: Scope,
    unit: str,
    *,
    note: str | None = None,
    period: str | None = None,
    today: dt.date | None = None,
) -> list[ReminderSent]:
    """Record a reminder to ``unit`` for each of its tasks on the supervision list."""
    scope.require("task_manage")
    sent = supervision_svc.remind(
        engine, unit, actor=scope.principal.name, note=note or None, period=period, today=today
    )
    return [ReminderSent.model_validate(r.to_dict()) for r in sent]


class ClosingSections(BaseModel):
    """What closes the whole supervision report (not one unit's), each as its page shows
    it: the guarantee measures, the reforms and policies, the 双倍增 cohort and the three
    lists' items by stage."""

    guarantees: Guarantees
    reforms: Reforms
    doubling: Cohort
    counts: list[CountBasis]  # 双倍增: the statistic beside the register, as the indicator pages
    tech_lists: list[StageCount]  # 三张清单: items per list and stage, as the register page


def closing_sections(engine: Engine, scope: Scope) -> ClosingSections:
    """The closing sections of the whole supervision report for ``scope``."""
    return ClosingSections(
        guarantees=guarantees(engine, scope),
        reforms=reforms(engine, scope),
        doubling=doubling_cohort(engine, scope),
        counts=count_bases(engine),
        tech_lists=register(engine, scope, "tech_list").stages,
    )
