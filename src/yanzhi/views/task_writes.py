"""Key tasks written by a principal: progress reports with evidence, leaders' comments
(批示), owners and milestones. Each checks the principal's :class:`Scope` first (see
:mod:`yanzhi.views.tasks` for the rules) and returns a typed result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput, NotPermitted
from yanzhi.services.access.scope import Scope
from yanzhi.services.tasks import comments as comment_svc
from yanzhi.services.tasks import owners as owner_svc
from yanzhi.services.tasks import updates as tasks
from yanzhi.views.task_models import (
    Assignment,
    Comment,
    MilestoneSaved,
    TaskReport,
)
from yanzhi.views.tasks import check_task, may_report, public_report


def report(
    engine: Engine,
    scope: Scope,
    code: str,
    *,
    status: str,
    progress: float,
    period: str | None = None,
    note: str | None = None,
    delay_reason: str | None = None,
    evidence: Sequence[Path] = (),
    today: dt.date | None = None,
) -> TaskReport:
    """Report a task's progress (default period: this quarter), with evidence files."""
    scope.require("task_report")
    lead, co = check_task(engine, scope, code)
    name = scope.principal.name
    if not may_report(scope, lead, co):
        raise NotPermitted(f"{name} may not report on {code}", "无权报送该任务")
    saved = tasks.report(
        engine,
        code,
        period=period or tasks.current_period(today or dt.date.today()),
        status=status,
        progress=progress,
        note=note or None,
        delay_reason=delay_reason or None,
        evidence=evidence,
        actor=name,
    )
    return public_report(saved)


def comment(engine: Engine, scope: Scope, code: str, text: str) -> Comment:
    """A leader's comment (批示) on a visible task."""
    scope.require("comment")
    check_task(engine, scope, code)
    saved = comment_svc.comment(engine, code, text, actor=scope.principal.name)
    return Comment.model_validate(saved.to_dict())


def assign(
    engine: Engine,
    scope: Scope,
    code: str,
    *,
    lead: str | None,
    co_units: Sequence[str],
) -> Assignment:
    """Set a task's lead unit and co-units (admin, city analyst)."""
    scope.require("task_manage")
    check_task(engine, scope, code)
    co = [u for u in dict.fromkeys(c.strip() for c in co_units) if u and u != lead]
    actor = scope.principal.name
    changed = owner_svc.assign(engine, code, lead=lead or None, co_units=co, actor=actor)
    return Assignment(task=code, lead=lead or None, co_units=co, changed=changed)


def milestone(
    engine: Engine,
    scope: Scope,
    code: str,
    *,
    year: int,
    title: str,
    due: str | None = None,
    done: bool | None = None,
) -> MilestoneSaved:
    """Add or edit a task's milestone for a year, optionally marking it done."""
    scope.require("task_manage")
    check_task(engine, scope, code)
    if not title.strip():
        raise InvalidInput("a milestone needs a title", "里程碑须有名称")
    when = dt.date.today() if done else None
    saved = owner_svc.set_milestone(
        engine,
        code,
        year=year,
        title=title.strip(),
        due=due or None,
        done=done,
        done_on=when,
        actor=scope.principal.name,
    )
    return MilestoneSaved(task=code, milestone=saved, done=done)
