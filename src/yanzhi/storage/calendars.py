"""The reporting calendar stored in the database (the file form as JSON, one row per
name), with every change audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.datamodels import ReportCalendarRow
from yanzhi.storage.models import utcnow

DEFAULT = "default"


def stored_calendar(session: Session, name: str = DEFAULT) -> dict[str, Any] | None:
    """The stored calendar's file form, or None when none has been stored yet."""
    row = session.get(ReportCalendarRow, name)
    return dict(row.body) if row else None


def store_calendar(
    session: Session, body: dict[str, Any], *, ctx: WriteContext, name: str = DEFAULT
) -> None:
    """Store ``body`` as the calendar ``name``, auditing old → new."""
    row = session.get(ReportCalendarRow, name)
    old = dict(row.body) if row else None
    if row is None:
        row = ReportCalendarRow(name=name, body=body, updated_by=ctx.actor, updated_at=utcnow())
        session.add(row)
    else:
        row.body, row.updated_by, row.updated_at = body, ctx.actor, utcnow()
    record(
        session,
        ctx,
        action="create" if old is None else "update",
        entity="report_calendar",
        key=name,
        changes={"calendar": [old, body]},
    )
