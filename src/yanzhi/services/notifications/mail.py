"""E-mail through the SMTP server of the settings (``YANZHI_SMTP_*``), with the standard
library's ``smtplib``: one connection per batch, UTF-8 subject and body."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from yanzhi import config

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mail:
    """One message: recipient address, subject, plain-text body."""

    to: str
    subject: str
    body: str


def enabled() -> bool:
    """Whether e-mail is on (``YANZHI_SMTP_HOST`` set)."""
    return bool(config.settings().smtp_host)


def message(mail: Mail, sender: str) -> EmailMessage:
    """The e-mail of ``mail`` from ``sender`` (UTF-8 plain text, dated, with an id)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="yanzhi")
    msg.set_content(mail.body, charset="utf-8")
    return msg


def send_all(mails: Sequence[Mail]) -> list[str | None]:
    """Send ``mails`` over one connection; for each mail, in order, None when the server
    accepted it, else why not. A connection or login that fails fails every mail."""
    s = config.settings()
    if not mails:
        return []
    try:
        server = smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=TIMEOUT_SECONDS)
    except (OSError, smtplib.SMTPException) as exc:
        return [_reason(exc)] * len(mails)
    with server:
        try:
            if s.smtp_starttls:
                server.starttls()
            if s.smtp_user:
                server.login(s.smtp_user, s.smtp_password or "")
        except (OSError, smtplib.SMTPException) as exc:
            return [_reason(exc)] * len(mails)
        return [_send(server, m, s.smtp_from) for m in mails]


def _send(server: smtplib.SMTP, mail: Mail, sender: str) -> str | None:
    try:
        server.send_message(message(mail, sender))
    except (OSError, smtplib.SMTPException) as exc:
        return _reason(exc)
    return None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
