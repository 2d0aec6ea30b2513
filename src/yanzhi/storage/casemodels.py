"""Tables of 诊断+提升 casework: a case per enterprise (who it is assigned to, the
diagnosis year that ranked it, open or closed), the visits made (date, who, findings)
and the actions agreed at a visit (from the catalogue of ``core.casework``, each with its
due date, status and the last reminder sent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow


class CaseRow(Base):
    """One enterprise's case. ``assignee_user`` is a township officer's account (username)
    or None when the case is given to a named service provider (``provider``)."""

    __tablename__ = "enterprise_case"
    __table_args__ = (Index("ix_enterprise_case_enterprise", "enterprise_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    diagnosis_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee_user: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[dt.date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closing_note: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseVisitRow(Base):
    """A visit to the enterprise: when, by whom, what was found."""

    __tablename__ = "case_visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_case.id", ondelete="CASCADE"), index=True
    )
    visited_on: Mapped[dt.date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(100))
    findings: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))


class CaseActionRow(Base):
    """An action agreed at a visit: its catalogue code, due date, status (pending / done)
    and when a reminder of it being overdue was last sent."""

    __tablename__ = "case_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_case.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[int] = mapped_column(ForeignKey("case_visit.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)
