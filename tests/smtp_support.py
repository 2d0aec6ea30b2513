"""A real SMTP server on the loopback for the notification tests (aiosmtpd): it keeps
every message it receives, parsed, so a test reads the subject and body as sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the server received: parsed messages and their envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_body().get_content() for m in self.messages]  # type: ignore[union-attr]

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A running SMTP server on 127.0.0.1 and its port; stopped afterwards."""
    inbox = Inbox()
    port = free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


def use_smtp(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """Point the settings at the loopback server (no TLS, no login)."""
    monkeypatch.setenv("YANZHI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("YANZHI_SMTP_PORT", str(port))
    monkeypatch.setenv("YANZHI_SMTP_STARTTLS", "false")
    monkeypatch.setenv("YANZHI_SMTP_FROM", "keji@yanzhi.test")
