"""Tables of task follow-up and of the registers: progress reports (history kept; the
latest per task is what the board shows), evidence files (metadata here, the bytes on
disk under YANZHI_EVIDENCE_DIR by their SHA-256), reminders (督办), leaders' comments,
milestone completion, and register entries with the versions they replaced."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow


class TaskReportRow(Base):
    """One progress report of a task for a period; a later report for the same period
    does not replace it (history), the newest one is current."""

    __tablename__ = "task_report"
    __table_args__ = (Index("ix_task_report_task_period", "task_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float)
    narrative: Mapped[str | None] = mapped_column(Text)
    delay_reason: Mapped[str | None] = mapped_column(Text)
    delay_count: Mapped[int] = mapped_column(Integer, default=0)
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class EvidenceRow(Base):
    """A file attached to a report: checked type and size, stored by hash, never run."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("task_report.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(120))
    stored_path: Mapped[str] = mapped_column(Text)  # relative to YANZHI_EVIDENCE_DIR
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReminderRow(Base):
    """A reminder (督办) sent to a responsible unit about a task: who, when, why."""

    __tablename__ = "reminder"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    reminded_by: Mapped[str] = mapped_column(String(100))
    reminded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TaskCommentRow(Base):
    """A leader's comment (批示) on a task."""

    __tablename__ = "task_comment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MilestoneStatusRow(Base):
    """Completion of a milestone (the milestone itself is part of the plan)."""

    __tablename__ = "milestone_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), unique=True
    )
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class _EntryValues:
    name: Mapped[str] = mapped_column(String(300))
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    list_name: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class RegisterEntryRow(_EntryValues, Base):
    """An entry of a register (a key lab, a scenario, a talent …) as it is now."""

    __tablename__ = "register_entry"
    __table_args__ = (UniqueConstraint("kind", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RegisterEntryVersionRow(_EntryValues, Base):
    """An entry's values as they were before a later import replaced them (moves between
    the three lists are kept this way)."""

    __tablename__ = "register_entry_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entry.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_by_batch: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
