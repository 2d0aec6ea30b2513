"""标志性成果 (十百千) as a reader sees them: every landmark with the figures of the task target
or guarantee rule that counts it (:mod:`yanzhi.services.plan.landmarks`, unchanged) and the
register entries behind its count. The figures are the city's, for every role that reads
the plan; the entries are cut as on the register pages (a district or township user: those
inside its unit; a department: none), and the task that delivers a landmark is named only
to those who see that task."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.plan import landmarks as landmarks_svc
from yanzhi.services.plan.landmarks import LandmarkTrack
from yanzhi.views.common import plan_of
from yanzhi.views.registers import entry_visible


class Landmarks(BaseModel):
    """``GET /api/v1/tasks/landmarks``: each landmark's value against its target, path,
    verdict with its reason (the counting target's or rule's), and the items it counts."""

    plan_code: str
    target_year: int
    as_of: str
    landmarks: list[LandmarkTrack]
    synthetic: bool


def landmarks(engine: Engine, scope: Scope, *, today: dt.date | None = None) -> Landmarks:
    """The landmarks as ``scope`` may see them: the city's figures, its own entries."""
    scope.require("read")
    r = landmarks_svc.track(engine, today=today)
    tasks = {t.code: t for t in plan_of(engine).tasks}
    shown = entry_visible(scope)

    def cut(lm: LandmarkTrack) -> LandmarkTrack:
        task = tasks.get(lm.task or "")
        hidden = task is not None and not scope.sees_task(task.lead, task.co_units)
        return replace(
            lm,
            task=None if hidden else lm.task,
            source_code=None if hidden and lm.measured_by == "target" else lm.source_code,
            items=[i for i in lm.items if shown(i.unit_code)],
        )

    return Landmarks(
        plan_code=r.plan_code,
        target_year=r.target_year,
        as_of=r.as_of,
        landmarks=[cut(lm) for lm in r.landmarks],
        synthetic=r.synthetic,
    )
