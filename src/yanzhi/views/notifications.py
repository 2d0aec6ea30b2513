"""The notification centre (通知): the signed-in account's own notifications, the unread
count of the top bar, marking read. Every role has one; nobody sees another's."""

from __future__ import annotations

from dataclasses import asdict

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import Scope
from yanzhi.services.notifications import inbox


class NotificationItem(BaseModel):
    """One notification: kind (``reminder`` 催报, ``supervision`` 督办, ``review`` 报送审核,
    ``warning`` 预警) with its Chinese name, title, body, link, when it was created and
    read, and its e-mail state (仅站内 / 待发送 / 已发送 / 待重试)."""

    id: int
    kind: str
    kind_zh: str
    title: str
    body: str
    link: str | None
    created_at: str
    read_at: str | None
    email: str


class Notifications(BaseModel):
    """The caller's notifications, newest first, with the total and unread counts."""

    items: list[NotificationItem]
    total: int
    unread: int


class MarkedRead(BaseModel):
    """How many notifications were marked read, and how many remain unread."""

    marked: int
    unread: int


def notifications(engine: Engine, scope: Scope) -> Notifications:
    """The caller's own notifications."""
    found = inbox.inbox(engine, scope.principal.name)
    return Notifications(
        items=[NotificationItem(**asdict(n)) for n in found.items],
        total=found.total,
        unread=found.unread,
    )


def mark_read(engine: Engine, scope: Scope, ids: list[int] | None) -> MarkedRead:
    """Mark the caller's notifications ``ids`` (None: all) read."""
    marked = inbox.mark_read(engine, scope.principal.name, ids)
    return MarkedRead(marked=marked, unread=inbox.unread_count(engine, scope.principal.name))


def unread_count(engine: Engine, principal: Principal) -> int:
    """The unread count of the top bar (every page, every role)."""
    return inbox.unread_count(engine, principal.name)
