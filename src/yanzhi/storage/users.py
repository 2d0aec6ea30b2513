"""Reading and writing accounts, sessions, API tokens and login attempts. Every change
to an account or a token is written to the audit log; secrets never are."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.usermodels import ApiTokenRow, LoginAttemptRow, SessionRow, UserRow

_PUBLIC = ("display_name", "role", "unit", "enterprise", "email", "active")


def get_user(session: Session, username: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.username == username)).first()


def get_user_by_id(session: Session, user_id: int) -> UserRow | None:
    return session.get(UserRow, user_id)


def list_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.id)))


def add_user(session: Session, row: UserRow, ctx: WriteContext) -> UserRow:
    session.add(row)
    session.flush()
    record(
        session,
        ctx,
        action="create",
        entity="user",
        key=row.username,
        changes={f: [None, getattr(row, f)] for f in _PUBLIC},
    )
    return row


def update_user(
    session: Session, row: UserRow, values: dict[str, object], ctx: WriteContext
) -> bool:
    """Apply ``values`` (public fields and/or ``password_hash``); audit what changed."""
    changes: dict[str, list[object]] = {}
    for field, new in values.items():
        old = getattr(row, field)
        if old == new:
            continue
        setattr(row, field, new)
        changes[field] = ["***", "***"] if field == "password_hash" else [old, new]
    if changes:
        record(session, ctx, action="update", entity="user", key=row.username, changes=changes)
    return bool(changes)


def add_attempt(session: Session, *, username: str, client: str, ok: bool) -> None:
    session.add(LoginAttemptRow(username=username[:64], client=client[:64], ok=ok))


def failures_since(
    session: Session, since: dt.datetime, *, username: str | None = None, client: str | None = None
) -> int:
    q = (
        select(func.count())
        .select_from(LoginAttemptRow)
        .where(LoginAttemptRow.at >= since, LoginAttemptRow.ok.is_(False))
    )
    if username is not None:
        q = q.where(LoginAttemptRow.username == username)
    if client is not None:
        q = q.where(LoginAttemptRow.client == client)
    return int(session.scalar(q) or 0)


def pair_failures(
    session: Session, since: dt.datetime, *, username: str, client: str
) -> tuple[int, dt.datetime | None]:
    """Failed logins of ``username`` from ``client`` after ``since`` and after the pair's
    last successful login, and when the latest of them was."""
    pair = (LoginAttemptRow.username == username[:64], LoginAttemptRow.client == client[:64])
    last_ok = session.scalar(
        select(func.max(LoginAttemptRow.at)).where(*pair, LoginAttemptRow.ok.is_(True))
    )
    start = since if last_ok is None else max(since, _aware(last_ok))
    row = session.execute(
        select(func.count(), func.max(LoginAttemptRow.at)).where(
            *pair, LoginAttemptRow.ok.is_(False), LoginAttemptRow.at > start
        )
    ).one()
    return int(row[0] or 0), row[1]


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def add_session(session: Session, row: SessionRow) -> None:
    session.add(row)


def get_session(session: Session, token_hash: str) -> SessionRow | None:
    return session.get(SessionRow, token_hash)


def add_token(session: Session, row: ApiTokenRow, ctx: WriteContext, *, username: str) -> None:
    session.add(row)
    session.flush()
    record(
        session,
        ctx,
        action="create",
        entity="api_token",
        key=f"{username}:{row.prefix}",
        changes={"name": [None, row.name]},
    )


def find_token(session: Session, token_hash: str) -> ApiTokenRow | None:
    return session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)).first()


def list_tokens(session: Session, user_id: int | None = None) -> list[ApiTokenRow]:
    q = select(ApiTokenRow).order_by(ApiTokenRow.id)
    if user_id is not None:
        q = q.where(ApiTokenRow.user_id == user_id)
    return list(session.scalars(q))
