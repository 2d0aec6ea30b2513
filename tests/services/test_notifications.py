"""Notifications: in-app rows for their recipient, e-mail through a real SMTP server on
the loopback (aiosmtpd), every attempt recorded, failures retried until delivered."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.smtp_support import free_port, smtp_server, use_smtp

from yanzhi.services.notifications import inbox
from yanzhi.services.notifications.send import Message, deliver, notify
from yanzhi.storage import migrate
from yanzhi.storage.db import transaction
from yanzhi.storage.notifymodels import DeliveryRow, NotificationRow
from yanzhi.storage.usermodels import UserRow

MSG = Message(
    kind="reminder",
    title="催报: 请尽快报送2026年1-10月研发数据",
    body="演示企业: 贵单位尚未报送2026年1-10月的研发活动数据，请尽快报送。",
    link="/enterprises/91330212YX00001102",
)


@pytest.fixture
def people(engine):
    migrate.upgrade(engine)
    with transaction(engine) as session:
        for name, email in (("qiye", "qiye@example.test"), ("nomail", None)):
            session.add(
                UserRow(
                    username=name,
                    display_name=name,
                    password_hash="x",
                    role="enterprise",
                    enterprise="91330212YX00001102",
                    email=email,
                )
            )
    return engine


def _send(engine) -> None:
    with transaction(engine) as session:
        users = list(session.scalars(select(UserRow).order_by(UserRow.username)))
        assert notify(session, users, MSG, actor="township") == 2


def test_the_message_arrives_with_its_chinese_subject_and_body(people, monkeypatch):
    with smtp_server() as (received, port):
        use_smtp(monkeypatch, port)
        _send(people)
        report = deliver(people)
    assert (report.attempted, report.sent, report.failed) == (1, 1, 0)  # one has no address
    assert received.subjects() == [MSG.title]
    assert received.recipients == [["qiye@example.test"]]
    body = received.bodies()[0]
    assert MSG.body in body and "/enterprises/91330212YX00001102" in body
    assert str(received.messages[0]["From"]) == "keji@yanzhi.test"
    mine = inbox.inbox(people, "qiye")
    assert (mine.total, mine.unread) == (1, 1)
    assert mine.items[0].kind_zh == "催报" and mine.items[0].email == "已发送"
    assert inbox.inbox(people, "nomail").items[0].email == "仅站内"
    assert deliver(people).attempted == 0  # nothing is sent twice


def test_a_failed_delivery_is_recorded_and_a_later_retry_delivers_it(people, monkeypatch):
    use_smtp(monkeypatch, free_port())  # nothing listens there: connection refused
    _send(people)
    first = deliver(people)
    assert (first.attempted, first.sent, first.failed) == (1, 0, 1)
    assert inbox.inbox(people, "qiye").items[0].email == "待重试"
    again = deliver(people)  # still refused: recorded again, still pending
    assert again.failed == 1
    with smtp_server() as (received, port):
        use_smtp(monkeypatch, port)
        later = deliver(people)
    assert (later.attempted, later.sent) == (1, 1)
    assert received.subjects() == [MSG.title]
    with transaction(people) as session:
        attempts = list(session.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))
        row = session.scalars(
            select(NotificationRow).where(NotificationRow.email_to.is_not(None))
        ).one()
        assert [a.ok for a in attempts] == [False, False, True]
        assert "Connection" in (attempts[0].error or "") or "refused" in (attempts[0].error or "")
        assert row.emailed_at is not None
    assert inbox.inbox(people, "qiye").items[0].email == "已发送"


def test_without_a_mail_server_notifications_stay_in_the_app(people, monkeypatch):
    monkeypatch.delenv("YANZHI_SMTP_HOST", raising=False)
    _send(people)
    assert deliver(people).attempted == 0
    assert inbox.inbox(people, "qiye").items[0].email == "仅站内"


def test_marking_read_counts_only_the_readers_own(people, monkeypatch):
    monkeypatch.delenv("YANZHI_SMTP_HOST", raising=False)
    _send(people)
    _send(people)
    theirs = [n.id for n in inbox.inbox(people, "nomail").items]
    assert inbox.mark_read(people, "qiye", theirs) == 0  # another account's ids: ignored
    assert inbox.unread_count(people, "qiye") == 2
    first = inbox.inbox(people, "qiye").items[0].id
    assert inbox.mark_read(people, "qiye", [first]) == 1
    assert inbox.unread_count(people, "qiye") == 1
    assert inbox.mark_read(people, "qiye") == 1
    assert inbox.unread_count(people, "qiye") == 0
    assert inbox.unread_count(people, "nomail") == 2
