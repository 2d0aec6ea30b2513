"""Task follow-up in the database: reports with evidence, reminders, comments, owners,
milestones and their completion. Every write is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.models import MilestoneRow, ProgrammeRow, TaskRow
from yanzhi.storage.taskmodels import (
    EvidenceRow,
    MilestoneStatusRow,
    ReminderRow,
    TaskCommentRow,
    TaskReportRow,
)


@dataclass(frozen=True)
class EvidenceFile:
    file_name: str
    sha256: str
    size: int
    mime: str
    stored_path: str


def list_tasks(session: Session, plan_id: int) -> list[TaskRow]:
    q = (
        select(TaskRow)
        .join(ProgrammeRow, ProgrammeRow.id == TaskRow.programme_id)
        .where(TaskRow.plan_id == plan_id)
        .order_by(ProgrammeRow.position, TaskRow.position)
    )
    return list(session.scalars(q))


def get_task(session: Session, plan_id: int, code: str) -> TaskRow | None:
    q = select(TaskRow).where(TaskRow.plan_id == plan_id, TaskRow.code == code)
    return session.scalars(q).first()


def list_programmes(session: Session, plan_id: int) -> list[ProgrammeRow]:
    q = select(ProgrammeRow).where(ProgrammeRow.plan_id == plan_id)
    return list(session.scalars(q.order_by(ProgrammeRow.position)))


def create_report(
    session: Session,
    *,
    task: TaskRow,
    period: str,
    status: str,
    progress: float,
    narrative: str | None,
    delay_reason: str | None,
    delay_count: int,
    evidence: Sequence[EvidenceFile] = (),
    ctx: WriteContext,
    synthetic: bool = False,
    at: dt.datetime | None = None,
) -> TaskReportRow:
    row = TaskReportRow(
        task_id=task.id,
        period=period,
        status=status,
        progress=progress,
        narrative=narrative,
        delay_reason=delay_reason,
        delay_count=delay_count,
        reported_by=ctx.actor,
        synthetic=synthetic,
        **({"reported_at": at} if at else {}),
    )
    session.add(row)
    session.flush()
    values = dict(
        period=period,
        status=status,
        progress=progress,
        narrative=narrative,
        delay_reason=delay_reason,
        delay_count=delay_count,
    )
    key = f"{task.code}/{period}/{row.id}"
    record(
        session,
        ctx,
        action="create",
        entity="task_report",
        key=key,
        changes={k: [None, v] for k, v in values.items()},
    )
    for ev in evidence:
        session.add(
            EvidenceRow(
                report_id=row.id,
                file_name=ev.file_name,
                sha256=ev.sha256,
                size=ev.size,
                mime=ev.mime,
                stored_path=ev.stored_path,
                uploaded_by=ctx.actor,
            )
        )
        record(
            session,
            ctx,
            action="create",
            entity="evidence",
            key=f"{key}/{ev.sha256}",
            changes={
                "file_name": [None, ev.file_name],
                "sha256": [None, ev.sha256],
                "size": [None, ev.size],
                "mime": [None, ev.mime],
            },
        )
    session.flush()
    return row


def list_reports(session: Session, plan_id: int, task_id: int | None = None) -> list[TaskReportRow]:
    """Every report of the plan's tasks, oldest first (the last per task is current)."""
    q = select(TaskReportRow).join(TaskRow, TaskRow.id == TaskReportRow.task_id)
    q = q.where(TaskRow.plan_id == plan_id)
    if task_id is not None:
        q = q.where(TaskReportRow.task_id == task_id)
    return list(session.scalars(q.order_by(TaskReportRow.reported_at, TaskReportRow.id)))


def list_evidence(session: Session, report_ids: Sequence[int]) -> list[EvidenceRow]:
    q = select(EvidenceRow).where(EvidenceRow.report_id.in_(list(report_ids)))
    return list(session.scalars(q.order_by(EvidenceRow.id)))


def create_reminder(
    session: Session,
    *,
    task: TaskRow,
    unit: str,
    period: str,
    reasons: list[str],
    note: str | None,
    ctx: WriteContext,
) -> ReminderRow:
    row = ReminderRow(
        task_id=task.id,
        unit=unit,
        period=period,
        reasons=reasons,
        note=note,
        reminded_by=ctx.actor,
    )
    session.add(row)
    record(
        session,
        ctx,
        action="create",
        entity="reminder",
        key=f"{task.code}/{unit}/{period}",
        changes={"unit": [None, unit], "reasons": [None, reasons], "note": [None, note]},
    )
    session.flush()
    return row


def list_reminders(session: Session, plan_id: int) -> list[ReminderRow]:
    q = select(ReminderRow).join(TaskRow, TaskRow.id == ReminderRow.task_id)
    q = q.where(TaskRow.plan_id == plan_id)
    return list(session.scalars(q.order_by(ReminderRow.reminded_at, ReminderRow.id)))


def create_comment(
    session: Session, *, task: TaskRow, text: str, ctx: WriteContext
) -> TaskCommentRow:
    row = TaskCommentRow(task_id=task.id, author=ctx.actor, text=text)
    session.add(row)
    record(
        session,
        ctx,
        action="create",
        entity="task_comment",
        key=task.code,
        changes={"text": [None, text]},
    )
    session.flush()
    return row


def list_comments(session: Session, plan_id: int) -> list[TaskCommentRow]:
    q = select(TaskCommentRow).join(TaskRow, TaskRow.id == TaskCommentRow.task_id)
    q = q.where(TaskRow.plan_id == plan_id)
    return list(session.scalars(q.order_by(TaskCommentRow.at, TaskCommentRow.id)))


def update_owners(
    session: Session, *, task: TaskRow, lead: str | None, co_units: list[str], ctx: WriteContext
) -> bool:
    """Set a task's lead unit and co-units (the plan file may set them too)."""
    diff: dict[str, Any] = {}
    if task.lead != lead:
        diff["lead"] = [task.lead, lead]
    if list(task.co_units or []) != co_units:
        diff["co_units"] = [list(task.co_units or []), co_units]
    if diff:
        task.lead, task.co_units = lead, co_units
        record(session, ctx, action="update", entity="task", key=task.code, changes=diff)
        session.flush()
    return bool(diff)


def list_milestones(session: Session, plan_id: int) -> list[tuple[MilestoneRow, bool]]:
    """Every milestone of the plan with whether it is done."""
    q = (
        select(MilestoneRow, MilestoneStatusRow.done)
        .outerjoin(MilestoneStatusRow, MilestoneStatusRow.milestone_id == MilestoneRow.id)
        .where(MilestoneRow.plan_id == plan_id)
        .order_by(MilestoneRow.task_id, MilestoneRow.year, MilestoneRow.position)
    )
    return [(m, bool(done)) for m, done in session.execute(q).all()]


def upsert_milestone(
    session: Session,
    *,
    task: TaskRow,
    code: str,
    year: int,
    title: str,
    due: str | None,
    note: str | None,
    ctx: WriteContext,
) -> MilestoneRow:
    """Add or edit one milestone of a task (the plan file may hold them too)."""
    row = session.scalars(
        select(MilestoneRow).where(MilestoneRow.task_id == task.id, MilestoneRow.code == code)
    ).first()
    values = {"year": year, "title": title, "due": due, "note": note}
    if row is None:
        row = MilestoneRow(
            plan_id=task.plan_id, task_id=task.id, code=code, position=year, **values
        )
        session.add(row)
        record(
            session,
            ctx,
            action="create",
            entity="milestone",
            key=code,
            changes={k: [None, v] for k, v in values.items()},
        )
    else:
        diff = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
        for k, (_old, new) in diff.items():
            setattr(row, k, new)
        if diff:
            record(session, ctx, action="update", entity="milestone", key=code, changes=diff)
    session.flush()
    return row


def set_milestone_done(
    session: Session, *, milestone: MilestoneRow, done: bool, on: dt.date | None, ctx: WriteContext
) -> None:
    row = session.scalars(
        select(MilestoneStatusRow).where(MilestoneStatusRow.milestone_id == milestone.id)
    ).first()
    if row is None:
        row = MilestoneStatusRow(milestone_id=milestone.id, done=False, actor=ctx.actor)
        session.add(row)
    if row.done == done and row.done_on == on:
        return
    record(
        session,
        ctx,
        action="update",
        entity="milestone_status",
        key=milestone.code,
        changes={"done": [row.done, done], "done_on": [_iso(row.done_on), _iso(on)]},
    )
    row.done, row.done_on, row.actor = done, on, ctx.actor
    session.flush()


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()
