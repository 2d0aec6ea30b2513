"""Accounts, logins and tokens: who may use yanzhi, proven how.

Passwords are hashed with Argon2 (argon2-cffi). A login creates a session whose random
token goes into the browser's cookie; only the token's SHA-256 is stored, with a CSRF
token for the forms. Failed logins slow a guesser down per user name and client address
(after YANZHI_LOGIN_MAX_FAILURES failures in YANZHI_LOGIN_WINDOW_MINUTES, a delay that
doubles with each further failure), never locking the owner out from another address;
repeated failures of one name raise a ``login_alert`` in the audit log. API
tokens for scripts are shown once and stored hashed; an admin or their owner revokes them.
Every change to an account or a token, and every login, is in the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi import config
from yanzhi.core.errors import InvalidInput, NotFound, NotPermitted
from yanzhi.services.access.principal import ROLES, PermissionDenied, Principal
from yanzhi.services.database import require_schema
from yanzhi.storage import users as store
from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan
from yanzhi.storage.usermodels import ApiTokenRow, SessionRow, UserRow

_hasher = PasswordHasher()
MIN_PASSWORD = 8
TOKEN_PREFIX = "yz_"
EMAIL = re.compile(r"[^@\s<>,;\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")


class LoginFailed(NotPermitted):
    """Wrong user name or password (which one is not said); HTTP 401."""

    code = "login_failed"
    http_status = 401


class TooManyAttempts(NotPermitted):
    """Too many failed logins recently; try again after ``retry_after`` seconds; HTTP 429."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class UserPublic(BaseModel):
    """An account as shown to admins (never the password hash)."""

    username: str
    display_name: str
    role: str
    unit: str | None
    enterprise: str | None
    email: str | None = None
    active: bool
    created_at: str


class TokenPublic(BaseModel):
    """An API token's public part (the plain token is shown only when created)."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked: bool


class NewToken(BaseModel):
    """A token just created: the plain ``token`` is returned only this once."""

    id: int
    name: str
    prefix: str
    token: str
    username: str


@dataclass(frozen=True)
class LoginResult:
    token: str  # goes into the cookie; never stored
    csrf: str
    principal: Principal
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite returns naive datetimes


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_of(row: UserRow) -> Principal:
    """The principal an account acts as (its name, role and scope)."""
    return Principal(row.username, row.role, unit=row.unit, enterprise=row.enterprise)


def user_dict(row: UserRow) -> UserPublic:
    """An account's public fields (never the password hash)."""
    return UserPublic(
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        unit=row.unit,
        enterprise=row.enterprise,
        email=row.email,
        active=row.active,
        created_at=_aware(row.created_at).isoformat(),
    )


def _check_fields(session: Any, role: str, unit: str | None, enterprise: str | None) -> None:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}", f"未知角色 {role}")
    if role == "enterprise" and not enterprise:
        raise InvalidInput(
            "an enterprise user needs --enterprise USCC", "企业用户须绑定统一社会信用代码"
        )
    if role in ("district_officer", "township_officer", "task_owner") and not unit:
        raise InvalidInput(f"role {role} needs a scope unit", f"角色 {role} 须指定所属单位")
    if unit:
        known = {u.code for u in list_org_units(session)}
        if role == "task_owner":
            known |= {d.code for d in get_plan(session).departments}
        if unit not in known:
            raise NotFound(f"unknown unit {unit}", f"未知单位 {unit}")


def _check_email(email: str | None) -> str | None:
    """An e-mail address for notifications ('' or None: none); one line, ``name@host``."""
    if not email:
        return None
    email = email.strip()
    if not EMAIL.fullmatch(email):
        raise InvalidInput(f"invalid e-mail address {email!r}", f"电子邮箱地址 {email} 不合法")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD} characters", f"密码至少 {MIN_PASSWORD} 位"
        )


def create_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: str,
    actor: str,
    unit: str | None = None,
    enterprise: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> UserPublic:
    """A new active account (audited as ``actor``; the password is stored only as an Argon2
    hash). ``InvalidInput`` for a bad or taken name, a weak password or a scope that does
    not fit the role."""
    require_schema(engine)
    _check_password(password)
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace("-", "").replace(".", "").isalnum()
    ):
        raise InvalidInput(f"invalid user name {username!r}", "用户名不合法")
    with transaction(engine) as session:
        if store.get_user(session, username) is not None:
            raise InvalidInput(f"user {username} exists", f"用户 {username} 已存在")
        _check_fields(session, role, unit, enterprise)
        row = UserRow(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
            role=role,
            unit=unit,
            enterprise=enterprise,
            email=_check_email(email),
            active=True,
        )
        store.add_user(session, row, WriteContext(actor))
        return user_dict(row)


def update_user(
    engine: Engine,
    username: str,
    *,
    actor: str,
    role: str | None = None,
    unit: str | None = None,
    enterprise: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> UserPublic:
    """Change an account ('' clears the e-mail address); a deactivated account's
    sessions and tokens stop working."""
    with transaction(engine) as session:
        row = store.get_user(session, username)
        if row is None:
            raise NotFound(f"no user {username}", f"用户 {username} 不存在")
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role
        if unit is not None:
            values["unit"] = unit or None
        if enterprise is not None:
            values["enterprise"] = enterprise or None
        if active is not None:
            values["active"] = active
        if display_name is not None:
            values["display_name"] = display_name
        if email is not None:
            values["email"] = _check_email(email)
        _check_fields(
            session,
            str(values.get("role", row.role)),
            values.get("unit", row.unit),  # type: ignore[arg-type]
            values.get("enterprise", row.enterprise),  # type: ignore[arg-type]
        )
        if password is not None:
            _check_password(password)
            values["password_hash"] = _hasher.hash(password)
        store.update_user(session, row, values, WriteContext(actor))
        if active is False or password is not None:
            for s in session.query(SessionRow).filter_by(user_id=row.id, revoked=False):
                s.revoked = True
        return user_dict(row)


def list_users(engine: Engine) -> list[UserPublic]:
    """Every account, by name."""
    with transaction(engine) as session:
        return [user_dict(r) for r in store.list_users(session)]


def get_user(engine: Engine, username: str) -> UserPublic:
    """One account (``NotFound`` when there is none)."""
    with transaction(engine) as session:
        row = store.get_user(session, username)
        if row is None:
            raise NotFound(f"no user {username}", f"用户 {username} 不存在")
        return user_dict(row)


#: The first refusal after the limit lasts this long; each further failure doubles it.
BACKOFF_SECONDS = 30


def _throttle(session: Any, username: str, client: str) -> None:
    """Refuse a login attempt that comes too soon: per user name *and* client address, a
    delay that doubles with each failure past the limit (so a guesser elsewhere can't keep
    the owner out), and a ceiling on failures from one address across all names."""
    window = config.settings().login_window_minutes
    limit = config.settings().login_max_failures
    now = _now()
    since = now - dt.timedelta(minutes=window)
    failures, last = store.pair_failures(session, since, username=username, client=client)
    if failures >= limit and last is not None:
        delay = min(window * 60, BACKOFF_SECONDS * 2 ** (failures - limit))
        wait = int(delay - (now - _aware(last)).total_seconds()) + 1
        if wait > 0:
            raise TooManyAttempts(
                f"too many failed logins; try again in {wait} seconds / "
                f"登录失败次数过多, 请 {wait} 秒后再试",
                retry_after=wait,
            )
    if store.failures_since(session, since, client=client) >= 4 * limit:
        raise TooManyAttempts(
            f"too many failed logins from this address; wait {window} minutes / "
            f"此地址登录失败次数过多, 请 {window} 分钟后再试",
            retry_after=window * 60,
        )


def _alert_if_repeated(session: Any, username: str) -> None:
    """Record a ``login_alert`` in the audit log (shown to administrators on the admin
    page) when a user name reaches the failure limit within the window, from any address."""
    window = config.settings().login_window_minutes
    limit = config.settings().login_max_failures
    since = _now() - dt.timedelta(minutes=window)
    n = store.failures_since(session, since, username=username)
    if n and n % limit == 0:
        record(
            session,
            WriteContext("system:login"),
            action="login_alert",
            entity="user",
            key=username,
            changes={"failures": [None, n], "window_minutes": [None, window]},
        )


def login(engine: Engine, username: str, password: str, *, client: str = "-") -> LoginResult:
    """Check the password and open a session; raises LoginFailed or TooManyAttempts."""
    require_schema(engine)
    with transaction(engine) as session:
        _throttle(session, username, client)
    with transaction(engine) as session:
        row = store.get_user(session, username)
        ok = False
        if row is not None and row.active:
            try:
                ok = _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        store.add_attempt(session, username=username, client=client, ok=ok)
        record(
            session,
            WriteContext(username),
            action="login" if ok else "login_failed",
            entity="session",
            key=username,
            changes={"client": [None, client]},
        )
        if not ok or row is None:
            session.flush()
            _alert_if_repeated(session, username)
            failed = True
        else:
            failed = False
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            hours = config.settings().session_hours
            expires = _now() + dt.timedelta(hours=hours)
            store.add_session(
                session,
                SessionRow(
                    token_hash=_digest(token), user_id=row.id, csrf=csrf, expires_at=expires
                ),
            )
            result = LoginResult(token, csrf, principal_of(row), expires)
    if failed:
        raise LoginFailed("wrong user name or password / 用户名或密码错误")
    return result


@dataclass(frozen=True)
class LiveSession:
    """A web session as the server keeps it between requests: who, the CSRF token and
    when it ends (checked on every use, see :meth:`live`)."""

    principal: Principal
    csrf: str
    expires_at: dt.datetime

    def live(self) -> bool:
        return self.expires_at > _now()


def live_session(engine: Engine, token: str) -> LiveSession | None:
    """The session of ``token`` while it is live (not revoked, not expired, its account
    active), or None."""
    with transaction(engine) as session:
        row = store.get_session(session, _digest(token))
        if row is None or row.revoked or _aware(row.expires_at) <= _now():
            return None
        user = store.get_user_by_id(session, row.user_id)
        if user is None or not user.active:
            return None
        return LiveSession(principal_of(user), row.csrf, _aware(row.expires_at))


def logout(engine: Engine, token: str) -> None:
    """End the web session of ``token`` (audited); an unknown or ended session is a no-op."""
    with transaction(engine) as session:
        row = store.get_session(session, _digest(token))
        if row is not None and not row.revoked:
            row.revoked = True
            user = store.get_user_by_id(session, row.user_id)
            name = user.username if user else "?"
            record(
                session, WriteContext(name), action="logout", entity="session", key=name, changes={}
            )


def create_token(engine: Engine, username: str, *, name: str, actor: Principal) -> NewToken:
    """A new API token for ``username``; the plain token is in the result only this once."""
    with transaction(engine) as session:
        user = store.get_user(session, username)
        if user is None:
            raise NotFound(f"no user {username}", f"用户 {username} 不存在")
        if actor.role != "admin" and actor.name != username:
            raise PermissionDenied(
                "only admins create tokens for others / 仅管理员可为他人创建令牌"
            )
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiTokenRow(
            user_id=user.id, name=name or "token", prefix=plain[:10], token_hash=_digest(plain)
        )
        store.add_token(session, row, WriteContext(actor.name), username=username)
        return NewToken(id=row.id, name=row.name, prefix=row.prefix, token=plain, username=username)


def token_principal(engine: Engine, token: str) -> Principal | None:
    """The principal of an API token (and its last use noted), or ``None`` when the token is
    unknown, revoked or its account inactive."""
    with transaction(engine) as session:
        row = store.find_token(session, _digest(token))
        if row is None or row.revoked_at is not None or row.units is not None:
            return None  # a machine token (units set) only submits filings: see machine_token
        user = store.get_user_by_id(session, row.user_id)
        if user is None or not user.active:
            return None
        row.last_used_at = _now()
        return principal_of(user)


def _token_dict(row: ApiTokenRow, username: str) -> TokenPublic:
    return TokenPublic(
        id=row.id,
        username=username,
        name=row.name,
        prefix=row.prefix,
        created_at=_aware(row.created_at).isoformat(),
        last_used_at=_aware(row.last_used_at).isoformat() if row.last_used_at else None,
        revoked=row.revoked_at is not None,
    )


def list_tokens(engine: Engine, *, actor: Principal) -> list[TokenPublic]:
    """An admin sees every token; anyone else their own."""
    with transaction(engine) as session:
        names = {u.id: u.username for u in store.list_users(session)}
        mine = (
            None
            if actor.role == "admin"
            else next((i for i, n in names.items() if n == actor.name), -1)
        )
        return [_token_dict(r, names.get(r.user_id, "?")) for r in store.list_tokens(session, mine)]


def revoke_token(engine: Engine, token_id: int, *, actor: Principal) -> bool:
    """Revoke token ``token_id`` (audited); ``False`` if it was already revoked. An admin
    may revoke any token, anyone else only their own (``NotFound`` otherwise)."""
    with transaction(engine) as session:
        row = session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no token {token_id}", f"令牌 {token_id} 不存在")
        user = store.get_user_by_id(session, row.user_id)
        owner = user.username if user else "?"
        if actor.role != "admin" and actor.name != owner:
            raise NotFound(f"no token {token_id}", f"令牌 {token_id} 不存在")
        if row.revoked_at is not None:
            return False
        row.revoked_at = _now()
        record(
            session,
            WriteContext(actor.name),
            action="revoke",
            entity="api_token",
            key=f"{owner}:{row.prefix}",
            changes={"revoked": [False, True]},
        )
        return True


@dataclass(frozen=True)
class MachineToken:
    """A machine account's token (数据交换): the account and the org units whose filings it
    may submit; it opens nothing else."""

    username: str
    units: tuple[str, ...]


MACHINE_PREFIX = "exchange-"
"""The username prefix of a machine account."""


def create_machine_token(engine: Engine, name: str, units: list[str], *, actor: str) -> NewToken:
    """A machine account ``exchange-<name>`` (created when missing, no password: it cannot
    log in) and a new token scoped to submitting filings of ``units`` (district or township
    codes). The plain token is in the result only this once."""
    require_schema(engine)
    codes = sorted({u.strip() for u in units if u.strip()})
    if not codes or not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
        raise InvalidInput(
            "a machine token needs a name (a-z, 0-9, - or _) and at least one unit",
            "机器账号令牌需要名称（小写字母、数字、- 或 _）和至少一个单位代码",
        )
    username = MACHINE_PREFIX + name
    with transaction(engine) as session:
        known = {u.code for u in list_org_units(session)}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise NotFound(
                f"unknown org unit(s) {', '.join(unknown)}", f"未知单位 {', '.join(unknown)}"
            )
        ctx = WriteContext(actor)
        user = store.get_user(session, username)
        if user is None:
            user = store.add_user(
                session,
                UserRow(
                    username=username,
                    display_name=f"数据交换 {name}",
                    password_hash="!",  # no password verifies against it
                    role="township_officer",
                    unit=None,
                    active=True,
                ),
                ctx,
            )
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiTokenRow(
            user_id=user.id,
            name=f"exchange {','.join(codes)}"[:100],
            prefix=plain[:10],
            token_hash=_digest(plain),
            units=",".join(codes),
        )
        store.add_token(session, row, ctx, username=username)
        return NewToken(id=row.id, name=row.name, prefix=row.prefix, token=plain, username=username)


def machine_token(engine: Engine, token: str) -> MachineToken | None:
    """The machine account of a token scoped to units (its last use noted), or ``None``
    when the token is unknown, revoked, not a machine token or its account inactive."""
    with transaction(engine) as session:
        row = store.find_token(session, _digest(token))
        if row is None or row.revoked_at is not None or row.units is None:
            return None
        user = store.get_user_by_id(session, row.user_id)
        if user is None or not user.active:
            return None
        row.last_used_at = _now()
        return MachineToken(user.username, tuple(row.units.split(",")))
