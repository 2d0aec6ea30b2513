"""Submission and approval of a township-level unit's data for a period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.bulk import db_stamp, insert_rows, read_frame
from yanzhi.storage.datamodels import SubmissionRow
from yanzhi.storage.models import utcnow

DRAFT, SUBMITTED, APPROVED = "draft", "submitted", "approved"


def submissions(
    session: Session, dataset: str, periods: Collection[str] | None = None
) -> pd.DataFrame:
    q = select(SubmissionRow).where(SubmissionRow.dataset == dataset)
    if periods is not None:
        q = q.where(SubmissionRow.period.in_(list(periods)))
    cols = [c.key for c in SubmissionRow.__table__.columns]
    frame = read_frame(session, q.with_only_columns(*[getattr(SubmissionRow, c) for c in cols]))
    return frame


def locked_pairs(session: Session, dataset: str, periods: Collection[str]) -> set[tuple[str, str]]:
    frame = submissions(session, dataset, periods)
    locked = frame[frame["status"] == APPROVED]
    return set(zip(locked["org_unit_code"], locked["period"], strict=True))


def mark_received(session: Session, dataset: str, pairs: Collection[tuple[str, str]]) -> None:
    """Create draft rows for (unit, period) pairs that received data for the first time."""
    if not pairs:
        return
    periods = {p for _, p in pairs}
    known = submissions(session, dataset, periods)
    have = set(zip(known["org_unit_code"], known["period"], strict=True))
    stamp = db_stamp(session, utcnow())
    rows = ((dataset, unit, period, DRAFT, stamp) for unit, period in sorted(set(pairs) - have))
    insert_rows(
        session,
        SubmissionRow.__table__,
        ["dataset", "org_unit_code", "period", "status", "first_received_at"],
        rows,
    )


def lock(session: Session, dataset: str, units: list[str], period: str) -> None:
    """Take the write lock on the submissions of ``units`` for ``period`` before reading
    them, so two people approving (or unlocking) the same unit-period at once are served
    one after the other and the second sees what the first did. A no-op UPDATE: row locks
    on PostgreSQL, the database's write lock on SQLite."""
    session.execute(
        update(SubmissionRow)
        .where(
            SubmissionRow.dataset == dataset,
            SubmissionRow.period == period,
            SubmissionRow.org_unit_code.in_(units),
        )
        .values(status=SubmissionRow.status)
    )


def get_or_create(session: Session, dataset: str, unit: str, period: str) -> SubmissionRow:
    row = session.scalars(
        select(SubmissionRow).where(
            SubmissionRow.dataset == dataset,
            SubmissionRow.org_unit_code == unit,
            SubmissionRow.period == period,
        )
    ).first()
    if row is None:
        row = SubmissionRow(dataset=dataset, org_unit_code=unit, period=period, status=DRAFT)
        session.add(row)
        session.flush()
    return row


def set_status(
    session: Session,
    row: SubmissionRow,
    status: str,
    *,
    ctx: WriteContext,
    now: dt.datetime | None = None,
) -> None:
    now = now or utcnow()
    old = row.status
    row.status = status
    if status == SUBMITTED:
        row.submitted_by, row.submitted_at = ctx.actor, now
    elif status == APPROVED:
        row.approved_by, row.approved_at = ctx.actor, now
    elif status == DRAFT and old == APPROVED:
        row.unlocked_by, row.unlocked_at, row.unlock_reason = ctx.actor, now, ctx.reason
    record(
        session,
        ctx,
        action="update",
        entity="submission",
        key=f"{row.dataset}:{row.org_unit_code}:{row.period}",
        changes={"status": [old, status]},
    )


def set_history_times(
    session: Session, dataset: str, period: str, submitted: dt.datetime, approved: dt.datetime
) -> None:
    """Record when the approved submissions of ``period`` were made and approved (history
    loaded at once, whose dates are known from elsewhere — the demo)."""
    session.execute(
        update(SubmissionRow)
        .where(
            SubmissionRow.dataset == dataset,
            SubmissionRow.period == period,
            SubmissionRow.status == APPROVED,
        )
        .values(  # in UTC: SQLite keeps no zone
            submitted_at=submitted.astimezone(dt.UTC), approved_at=approved.astimezone(dt.UTC)
        )
    )
