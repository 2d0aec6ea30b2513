"""API: administration (admins only; everyone else gets 403) — accounts, API tokens and
the audit log. Tokens are revoked with ``DELETE /api/v1/tokens/{id}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from yanzhi.services.access.principal import Principal, Role
from yanzhi.services.access.scope import require
from yanzhi.views import admin as svc
from yanzhi.views.admin import USERNAME, AuditPage, TokenPage, UserDetail, UserPage, UserPublic
from yanzhi.web.api.common import ERRORS, page_params, paginate
from yanzhi.web.deps import engine, principal


def admin_only(me: Principal = Depends(principal)) -> Principal:
    """Refuse non-admins before the request body is even looked at."""
    require(me, "admin")
    return me


router = APIRouter(
    prefix="/admin", tags=["admin"], responses=ERRORS, dependencies=[Depends(admin_only)]
)

Username = Path(pattern=USERNAME, max_length=64, description="account name")


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME, max_length=64)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    display_name: str | None = Field(None, max_length=100)
    unit: str | None = Field(
        None, max_length=32, description="org unit code, or a department code for a task owner"
    )
    enterprise: str | None = Field(
        None, max_length=18, description="USCC of an enterprise user's enterprise"
    )
    email: str | None = Field(None, max_length=254, description="address for notifications")


class UserUpdate(BaseModel):
    display_name: str | None = Field(None, min_length=1, max_length=100)
    role: Role | None = None
    unit: str | None = Field(None, max_length=32, description='"" clears the scope')
    enterprise: str | None = Field(None, max_length=18)
    email: str | None = Field(None, max_length=254, description='"" clears the address')
    active: bool | None = None
    password: str | None = Field(
        None, min_length=8, max_length=200, description="a new password (reset)"
    )


@router.get("/users", response_model=UserPage)
def list_users(
    request: Request,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """All accounts with role, scope (unit or enterprise) and active flag."""
    return paginate([u.model_dump() for u in svc.list_users(engine(request), me)], params)


@router.post("/users", status_code=201, response_model=UserPublic)
def create_user(body: UserCreate, request: Request, me: Principal = Depends(principal)) -> Any:
    """Create an account (password stored as an Argon2 hash; audited). Township and
    district officers need ``unit``; task owners a unit or department code; enterprise
    users ``enterprise``."""
    return svc.create_user(engine(request), me, **body.model_dump())


@router.get("/users/{username}", response_model=UserDetail)
def get_user(request: Request, username: str = Username, me: Principal = Depends(principal)) -> Any:
    """One account and its API tokens (never the token values)."""
    return svc.get_user(engine(request), me, username)


@router.patch("/users/{username}", response_model=UserPublic)
def update_user(
    body: UserUpdate,
    request: Request,
    username: str = Username,
    me: Principal = Depends(principal),
) -> Any:
    """Change role, scope, name or active flag, or reset the password; only the fields
    sent change (audited). Deactivating or resetting ends the account's sessions."""
    return svc.update_user(engine(request), me, username, **body.model_dump(exclude_unset=True))


@router.get("/tokens", response_model=TokenPage)
def list_tokens(
    request: Request,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Every API token of every account, newest first (revoke: DELETE /tokens/{id})."""
    return paginate([t.model_dump() for t in svc.list_tokens(engine(request), me)], params)


@router.get("/audit", response_model=AuditPage)
def audit(
    request: Request,
    actor: str | None = Query(None, max_length=100, description="who wrote"),
    entity: str | None = Query(None, max_length=64, description="object kind, e.g. user"),
    key: str | None = Query(None, max_length=200, description="object key, e.g. a user name"),
    since: dt.date | None = Query(None, description="from this day (UTC+8), included"),
    until: dt.date | None = Query(None, description="to this day (UTC+8), included"),
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> AuditPage:
    """The audit log of every write, newest first, filtered by actor, object and days."""
    page, size = params
    return svc.audit_log(
        engine(request),
        me,
        actor=actor,
        entity=entity,
        key=key,
        since=since,
        until=until,
        page=page,
        size=size,
    )
