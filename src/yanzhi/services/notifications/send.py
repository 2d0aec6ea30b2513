"""Sending notifications: one in-app row per recipient account, e-mailed when e-mail is
on and the account has an address. Every e-mail attempt is recorded; a failed one stays
pending and is retried by the next ``deliver`` (after each send, and ``yanzhi notify
deliver``) until the server takes it — nothing is dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.services.notifications import mail
from yanzhi.storage import notifications as store
from yanzhi.storage.db import transaction
from yanzhi.storage.models import utcnow
from yanzhi.storage.notifymodels import NotificationRow
from yanzhi.storage.usermodels import UserRow

KINDS: dict[str, str] = {
    "reminder": "催报",
    "supervision": "督办",
    "review": "报送审核",
    "warning": "预警",
    "casework": "诊断服务",
}
"""The kinds of notification and their Chinese names."""

BATCH = 200


@dataclass(frozen=True)
class Message:
    """What to tell: the kind (a key of :data:`KINDS`), a Chinese title and body, a link
    into the app (a path such as ``/data``)."""

    kind: str
    title: str
    body: str
    link: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery run: e-mails attempted, accepted by the server, failed (still pending)."""

    attempted: int
    sent: int
    failed: int


def notify(session: Session, users: Sequence[UserRow], msg: Message, *, actor: str) -> int:
    """Add ``msg`` for each of ``users`` in the caller's transaction (to be e-mailed when
    e-mail is on and the account has an address); how many notifications were added."""
    if msg.kind not in KINDS:
        raise ValueError(f"unknown notification kind {msg.kind!r}")
    email_on = mail.enabled()
    for user in users:
        store.add_notification(
            session,
            NotificationRow(
                user_id=user.id,
                kind=msg.kind,
                title=msg.title[:200],
                body=msg.body,
                link=msg.link,
                created_by=actor[:100],
                email_to=user.email if email_on and user.email else None,
            ),
        )
    return len(users)


def deliver(engine: Engine, *, limit: int = 1000) -> DeliveryReport:
    """E-mail the pending notifications (oldest first, at most ``limit``): each attempt
    is recorded; a success marks the notification e-mailed, a failure leaves it pending."""
    if not mail.enabled():
        return DeliveryReport(0, 0, 0)
    attempted = sent = 0
    while attempted < limit:
        with transaction(engine) as session:
            rows = store.pending_email(session, limit=min(BATCH, limit - attempted))
            if not rows:
                break
            errors = mail.send_all([mail.Mail(r.email_to or "", r.title, _body(r)) for r in rows])
            at = utcnow()
            for row, err in zip(rows, errors, strict=True):
                store.add_delivery(session, row, ok=err is None, error=err, at=at)
        attempted += len(rows)
        sent += sum(err is None for err in errors)
        if any(err is not None for err in errors):
            break  # the server refuses now: the rest wait for the next run
    return DeliveryReport(attempted, sent, attempted - sent)


def _body(row: NotificationRow) -> str:
    lines = [row.body, ""]
    if row.link:
        lines.append(f"详情请登录研值平台查看: {row.link}")
    lines.append(f"（{KINDS.get(row.kind, row.kind)}通知，由研值平台自动发送）")
    return "\n".join(lines)
