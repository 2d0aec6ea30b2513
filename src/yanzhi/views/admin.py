"""Administration: accounts, API tokens and the audit log, for admins only.

Every function takes the acting ``principal`` and refuses anyone but an admin, so the
web pages, the API and any script obey one rule. Account changes go through
:mod:`yanzhi.services.access.users` (Argon2 hashes, audited writes); passwords never appear
in a result or in the audit log. The last active admin cannot be demoted or
deactivated, so the system always has someone who can manage it.

Audit dates are calendar days in China Standard Time (UTC+8), the time zone the
plans are run in; timestamps are stored and returned in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import Conflict, InvalidInput
from yanzhi.services.access import users
from yanzhi.services.access.principal import ROLES, Principal
from yanzhi.services.access.scope import require
from yanzhi.services.access.users import NewToken, TokenPublic, UserPublic
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import audit_entities, count_audit, list_audit
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import get_enterprise
from yanzhi.storage.models import AuditRow
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan

LOCAL = dt.timezone(dt.timedelta(hours=8), "CST")
EXPORT_LIMIT = 50_000
USERNAME = r"^[A-Za-z0-9_.\-]{1,64}$"
"""An account name: letters, digits, ``_ . -``, at most 64 characters."""


class UserDetail(UserPublic):
    """An account with its API tokens."""

    tokens: list[TokenPublic]


class UserPage(BaseModel):
    """One page of accounts."""

    items: list[UserPublic]
    total: int
    page: int
    size: int


class TokenPage(BaseModel):
    """One page of API tokens."""

    items: list[TokenPublic]
    total: int
    page: int
    size: int


class AuditEntry(BaseModel):
    """One audit-log entry (``at`` in UTC, ``at_local`` in China Standard Time)."""

    id: int
    at: str
    at_local: str
    actor: str
    action: str
    entity: str
    key: str
    changes: Any
    source_file: str | None
    reason: str | None


class AuditPage(BaseModel):
    """One page of the audit log."""

    items: list[AuditEntry]
    total: int
    page: int
    size: int


class UnitChoice(BaseModel):
    """An org unit the account form offers as a scope."""

    code: str
    name: str
    level: str


class DepartmentChoice(BaseModel):
    """A plan department the account form offers as a task owner's scope."""

    code: str
    name: str


class ScopeChoices(BaseModel):
    """What the account form offers: roles, org units and the plan's departments."""

    roles: list[str]
    units: list[UnitChoice]
    departments: list[DepartmentChoice]


def _admin(principal: Principal) -> None:
    require(principal, "admin")


def list_users(engine: Engine, principal: Principal) -> list[UserPublic]:
    """Every account (admins only)."""
    _admin(principal)
    return users.list_users(engine)


def get_user(engine: Engine, principal: Principal, username: str) -> UserDetail:
    """One account with its API tokens (never the token values)."""
    _admin(principal)
    found = users.get_user(engine, username)
    tokens = users.list_tokens(engine, actor=principal)
    return UserDetail(**found.model_dump(), tokens=[t for t in tokens if t.username == username])


def _check_refs(engine: Engine, *texts: str | None, unit: str | None, uscc: str | None) -> None:
    """Refuse control characters, and scopes that name no known unit, department or
    enterprise (a clear 400 rather than an account that can see nothing)."""
    for text in (*texts, unit, uscc):
        if text and any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise InvalidInput("control characters are not allowed", "不允许包含控制字符")
    if not unit and not uscc:
        return
    with transaction(engine) as session:
        if unit:
            known = {u.code for u in list_org_units(session)}
            known |= {d.code for d in get_plan(session).departments}
            if unit not in known:
                raise InvalidInput(f"unknown unit or department {unit}", f"未知单位或部门 {unit}")
        if uscc and get_enterprise(session, uscc) is None:
            raise InvalidInput(f"unknown enterprise {uscc}", f"未知企业 {uscc}")


def create_user(
    engine: Engine,
    principal: Principal,
    *,
    username: str,
    password: str,
    role: str,
    unit: str | None = None,
    enterprise: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> UserPublic:
    """A new account (audited; the password is stored only as an Argon2 hash)."""
    _admin(principal)
    _check_refs(engine, username, password, display_name, unit=unit, uscc=enterprise)
    return users.create_user(
        engine,
        username=username,
        password=password,
        role=role,
        unit=unit or None,
        enterprise=enterprise or None,
        display_name=display_name or None,
        email=email or None,
        actor=principal.name,
    )


def _active_admins(engine: Engine) -> set[str]:
    return {u.username for u in users.list_users(engine) if u.role == "admin" and u.active}


def update_user(
    engine: Engine,
    principal: Principal,
    username: str,
    *,
    role: str | None = None,
    unit: str | None = None,
    enterprise: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> UserPublic:
    """Change role, scope, name or active flag, or reset the password (audited; a reset
    or a deactivation ends the account's sessions)."""
    _admin(principal)
    users.get_user(engine, username)  # 404 before anything else
    demoted = (role is not None and role != "admin") or active is False
    if demoted and _active_admins(engine) == {username}:
        raise Conflict(
            "the last active admin cannot be demoted or deactivated", "不能停用或降级最后一个管理员"
        )
    _check_refs(engine, password, display_name, unit=unit, uscc=enterprise)
    return users.update_user(
        engine,
        username,
        actor=principal.name,
        role=role,
        unit=unit,
        enterprise=enterprise,
        active=active,
        password=password,
        display_name=display_name,
        email=email,
    )


def list_tokens(engine: Engine, principal: Principal) -> list[TokenPublic]:
    """Every API token of every account, newest first."""
    _admin(principal)
    return sorted(users.list_tokens(engine, actor=principal), key=lambda t: -t.id)


def create_token(engine: Engine, principal: Principal, username: str, *, name: str) -> NewToken:
    """A token for ``username``; the plain token is in the result only this once."""
    _admin(principal)
    return users.create_token(engine, username, name=name, actor=principal)


def revoke_token(engine: Engine, principal: Principal, token_id: int) -> bool:
    """Revoke any account's token (audited); False if it was already revoked."""
    _admin(principal)
    return users.revoke_token(engine, token_id, actor=principal)


def scope_choices(engine: Engine, principal: Principal) -> ScopeChoices:
    """What the account form offers: roles, org units and the plan's departments."""
    _admin(principal)
    require_schema(engine)
    with transaction(engine) as session:
        units = [
            UnitChoice(code=u.code, name=u.name, level=u.level) for u in list_org_units(session)
        ]
        departments = [
            DepartmentChoice(code=d.code, name=d.name) for d in get_plan(session).departments
        ]
    return ScopeChoices(roles=list(ROLES), units=units, departments=departments)


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` (China Standard Time), in UTC."""
    return dt.datetime.combine(day, dt.time(), LOCAL).astimezone(dt.UTC)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


def audit_entry(row: AuditRow) -> AuditEntry:
    """One audit-log row as shown: ``at`` in UTC, ``at_local`` in China Standard Time."""
    at = _aware(row.at)
    return AuditEntry(
        id=row.id,
        at=at.isoformat(),
        at_local=at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S"),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        key=row.entity_key,
        changes=row.changes,
        source_file=row.source_file,
        reason=row.reason,
    )


def audit_log(
    engine: Engine,
    principal: Principal,
    *,
    actor: str | None = None,
    entity: str | None = None,
    key: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = 1,
    size: int = 50,
) -> AuditPage:
    """The audit log, newest first, filtered by who (``actor``), what (``entity`` and
    ``key``) and when (``since`` to ``until``, both days included); one page of it."""
    _admin(principal)
    if page < 1 or size < 1:
        raise InvalidInput("page and size start at 1", "页码和每页条数须从 1 开始")
    for day in (since, until):
        if day is not None and not 1970 <= day.year <= 9000:
            raise InvalidInput(f"date {day} is out of range", f"日期 {day} 超出范围")
    _check_refs(engine, actor, entity, key, unit=None, uscc=None)
    if since and until and since > until:
        raise InvalidInput(f"since {since} is after until {until}", "起始日期晚于截止日期")
    require_schema(engine)
    filters: dict[str, Any] = {
        "actor": actor or None,
        "entity": entity or None,
        "key": key or None,
        "since": day_start(since) if since else None,
        "until": day_start(until + dt.timedelta(days=1)) if until else None,
    }
    with transaction(engine) as session:
        total = count_audit(session, **filters)
        rows = list_audit(
            session, **filters, limit=size, offset=(page - 1) * size, newest_first=True
        )
        items = [audit_entry(r) for r in rows]
    return AuditPage(items=items, total=total, page=page, size=size)


class LoginAlert(BaseModel):
    """A user name that reached the failed-login limit (from any address), as raised by
    ``services.access.users`` in the audit log."""

    username: str
    at_local: str
    failures: int
    window_minutes: int


def login_alerts(engine: Engine, principal: Principal, *, hours: int = 24) -> list[LoginAlert]:
    """The login alerts of the last ``hours``, newest first (for the admin page)."""
    _admin(principal)
    require_schema(engine)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    with transaction(engine) as session:
        rows = list_audit(session, actor="system:login", since=since, newest_first=True)
        alerts = [audit_entry(r) for r in rows if r.action == "login_alert"]
    return [
        LoginAlert(
            username=a.key,
            at_local=a.at_local,
            failures=int(a.changes["failures"][1]),
            window_minutes=int(a.changes["window_minutes"][1]),
        )
        for a in alerts
    ]


def audit_kinds(engine: Engine, principal: Principal) -> list[str]:
    """The object kinds (entities) the audit log has entries about, for the filter."""
    _admin(principal)
    require_schema(engine)
    with transaction(engine) as session:
        return audit_entities(session)
