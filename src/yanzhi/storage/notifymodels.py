"""Tables of notifications: one row per message to one account (in-app, with its e-mail
state), one row per e-mail delivery attempt (kept, failures included), and one row per
催报 reminder sent to an enterprise that has not reported."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow


class NotificationRow(Base):
    """A message to one account. ``email_to`` is the address it is to be e-mailed to
    (None: in-app only); ``emailed_at`` is set when a delivery succeeded, so a row with
    ``email_to`` and no ``emailed_at`` is still to be delivered."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    email_to: Mapped[str | None] = mapped_column(String(254))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One attempt to e-mail a notification: when, to whom, whether the server took it
    and, if not, the error."""

    __tablename__ = "notification_delivery"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(254))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


class EnterpriseReminderRow(Base):
    """A 催报 reminder: an enterprise reminded of a period's report, by whom, when, and
    how many of its accounts were notified."""

    __tablename__ = "enterprise_reminder"
    __table_args__ = (Index("ix_enterprise_reminder_period", "period", "enterprise_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))
    township_code: Mapped[str] = mapped_column(String(12))
    reminded_by: Mapped[str] = mapped_column(String(100))
    reminded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer)
