"""A person's notifications: the list (newest first), the unread count shown in the top
bar, and marking them read. Each account sees only its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.services.notifications.send import KINDS
from yanzhi.storage import notifications as store
from yanzhi.storage import users as user_store
from yanzhi.storage.db import transaction
from yanzhi.storage.usermodels import UserRow


@dataclass(frozen=True)
class Notification:
    """One notification as its recipient sees it (times in Beijing time, UTC+8);
    ``email`` is the e-mail state: 仅站内 (no mail server or no address), 待发送, 已发送,
    待重试 (a delivery failed and is retried)."""

    id: int
    kind: str
    kind_zh: str
    title: str
    body: str
    link: str | None
    created_at: str
    read_at: str | None
    email: str


@dataclass(frozen=True)
class Inbox:
    """A person's notifications (newest first, at most ``limit``), how many in all and
    how many unread."""

    items: list[Notification]
    total: int
    unread: int


def _user(session: object, username: str) -> UserRow:
    row = user_store.get_user(session, username)  # type: ignore[arg-type]
    if row is None:
        raise NotFound(f"no account {username}", f"账号 {username} 不存在")
    return row


BEIJING = dt.timezone(dt.timedelta(hours=8))


def beijing(t: dt.datetime | None) -> str | None:
    """A stored time in Beijing time (UTC+8), ISO 8601 to the second."""
    if t is None:
        return None
    aware = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return aware.astimezone(BEIJING).isoformat(timespec="seconds")


def _email_state(email_to: str | None, emailed_at: dt.datetime | None, tried: bool) -> str:
    if email_to is None:
        return "仅站内"
    if emailed_at is not None:
        return "已发送"
    return "待重试" if tried else "待发送"


def inbox(engine: Engine, username: str, *, limit: int = 200) -> Inbox:
    """The notifications of ``username``, newest first."""
    with transaction(engine) as session:
        user = _user(session, username)
        rows = store.list_notifications(session, user.id, limit=limit)
        items = [
            Notification(
                id=r.id,
                kind=r.kind,
                kind_zh=KINDS.get(r.kind, r.kind),
                title=r.title,
                body=r.body,
                link=r.link,
                created_at=beijing(r.created_at) or "",
                read_at=beijing(r.read_at),
                email=_email_state(r.email_to, r.emailed_at, bool(store.deliveries(session, r.id))),
            )
            for r in rows
        ]
        total = store.count_notifications(session, user.id, unread=False)
        unread = store.count_notifications(session, user.id, unread=True)
    return Inbox(items, total, unread)


def unread_count(engine: Engine, username: str) -> int:
    """How many unread notifications ``username`` has (0 for an unknown account)."""
    with transaction(engine) as session:
        user = user_store.get_user(session, username)
        return 0 if user is None else store.count_notifications(session, user.id, unread=True)


def mark_read(engine: Engine, username: str, ids: list[int] | None = None) -> int:
    """Mark ``username``'s notifications ``ids`` (None: all) read; how many were unread.
    Ids of other accounts' notifications are ignored."""
    with transaction(engine) as session:
        user = _user(session, username)
        return store.mark_read(session, user.id, ids)
