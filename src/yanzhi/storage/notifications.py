"""Reading and writing notifications, their e-mail delivery attempts and the 催报
reminders to enterprises. Rows are only added or marked (read, e-mailed), never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.models import utcnow
from yanzhi.storage.notifymodels import DeliveryRow, EnterpriseReminderRow, NotificationRow
from yanzhi.storage.usermodels import UserRow


def active_users(
    session: Session,
    *,
    role: str,
    unit: str | None = None,
    enterprise: str | None = None,
) -> list[UserRow]:
    """The active accounts of ``role`` bound to ``unit`` or ``enterprise`` (when given)."""
    q = select(UserRow).where(UserRow.role == role, UserRow.active.is_(True))
    if unit is not None:
        q = q.where(UserRow.unit == unit)
    if enterprise is not None:
        q = q.where(UserRow.enterprise == enterprise)
    return list(session.scalars(q.order_by(UserRow.id)))


def add_notification(session: Session, row: NotificationRow) -> NotificationRow:
    session.add(row)
    session.flush()
    return row


def list_notifications(session: Session, user_id: int, *, limit: int) -> list[NotificationRow]:
    """A user's notifications, newest first."""
    q = (
        select(NotificationRow)
        .where(NotificationRow.user_id == user_id)
        .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
        .limit(limit)
    )
    return list(session.scalars(q))


def count_notifications(session: Session, user_id: int, *, unread: bool) -> int:
    q = select(func.count()).where(NotificationRow.user_id == user_id)
    if unread:
        q = q.where(NotificationRow.read_at.is_(None))
    return int(session.scalar(q) or 0)


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None) -> int:
    """Mark the user's unread notifications ``ids`` (None: all) read; how many changed."""
    q = (
        update(NotificationRow)
        .where(NotificationRow.user_id == user_id, NotificationRow.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        q = q.where(NotificationRow.id.in_(list(ids)))
    return int(session.execute(q).rowcount or 0)  # type: ignore[attr-defined]


def pending_email(session: Session, *, limit: int) -> list[NotificationRow]:
    """Notifications with an address and no successful delivery yet, oldest first."""
    q = (
        select(NotificationRow)
        .where(NotificationRow.email_to.is_not(None), NotificationRow.emailed_at.is_(None))
        .order_by(NotificationRow.id)
        .limit(limit)
    )
    return list(session.scalars(q))


def add_delivery(
    session: Session, row: NotificationRow, *, ok: bool, error: str | None, at: dt.datetime
) -> None:
    """Record one delivery attempt; a success marks the notification e-mailed."""
    session.add(
        DeliveryRow(notification_id=row.id, address=row.email_to or "", at=at, ok=ok, error=error)
    )
    if ok:
        row.emailed_at = at


def deliveries(session: Session, notification_id: int) -> list[DeliveryRow]:
    q = select(DeliveryRow).where(DeliveryRow.notification_id == notification_id)
    return list(session.scalars(q.order_by(DeliveryRow.id)))


def add_reminder(session: Session, row: EnterpriseReminderRow) -> None:
    session.add(row)


def reminders(
    session: Session, period: str, enterprise_ids: Iterable[int]
) -> dict[int, list[EnterpriseReminderRow]]:
    """The 催报 reminders of ``period`` by enterprise id, oldest first."""
    ids = list(enterprise_ids)
    out: dict[int, list[EnterpriseReminderRow]] = {i: [] for i in ids}
    for chunk in range(0, len(ids), 500):
        q = (
            select(EnterpriseReminderRow)
            .where(
                EnterpriseReminderRow.period == period,
                EnterpriseReminderRow.enterprise_id.in_(ids[chunk : chunk + 500]),
            )
            .order_by(EnterpriseReminderRow.id)
        )
        for r in session.scalars(q):
            out[r.enterprise_id].append(r)
    return out


def enterprises_by_uscc(session: Session, usccs: Iterable[str]) -> list[EnterpriseRow]:
    codes = list(usccs)
    out: list[EnterpriseRow] = []
    for chunk in range(0, len(codes), 500):
        q = select(EnterpriseRow).where(EnterpriseRow.uscc.in_(codes[chunk : chunk + 500]))
        out.extend(session.scalars(q))
    return out
