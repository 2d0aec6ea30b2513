"""Logging in from a script or the browser, who am I, and API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from yanzhi.services.access import users
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.users import NewToken, TokenPublic
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import COOKIE, engine, principal
from yanzhi.web.session import client_of, set_session_cookie

router = APIRouter(tags=["auth"], responses=ERRORS)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenIn(BaseModel):
    name: str = Field("script", min_length=1, max_length=100)
    username: str | None = Field(None, max_length=64)


class LoginOut(BaseModel):
    """The session opened: who is logged in and the CSRF token for forms and API writes."""

    username: str
    role: str
    unit: str | None
    csrf_token: str


class LogoutOut(BaseModel):
    """The session closed."""

    ok: bool
    username: str


class Me(BaseModel):
    """The caller: name, role and scope."""

    username: str
    role: str
    unit: str | None
    enterprise: str | None


class Revoked(BaseModel):
    """Whether the token was revoked now (false: it already was)."""

    revoked: bool


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response) -> dict[str, Any]:
    """Open a browser session (sets the HttpOnly cookie); returns the CSRF token."""
    result = users.login(engine(request), body.username, body.password, client=client_of(request))
    set_session_cookie(request, response, result)
    p = result.principal
    return {"username": p.name, "role": p.role, "unit": p.unit, "csrf_token": result.csrf}


@router.post("/auth/logout", response_model=LogoutOut)
def logout(
    request: Request, response: Response, me: Principal = Depends(principal)
) -> dict[str, Any]:
    """Close the browser session (the cookie is deleted)."""
    token = request.cookies.get(COOKIE)
    if token:
        users.logout(engine(request), token)
    response.delete_cookie(COOKIE, path="/")
    return {"ok": True, "username": me.name}


@router.get("/me", response_model=Me)
def me(me: Principal = Depends(principal)) -> dict[str, Any]:
    """Who the caller is: name, role, unit and enterprise."""
    return {"username": me.name, "role": me.role, "unit": me.unit, "enterprise": me.enterprise}


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(request: Request, me: Principal = Depends(principal)) -> list[TokenPublic]:
    """The caller's API tokens (an admin: every token)."""
    return users.list_tokens(engine(request), actor=me)


@router.post("/tokens", status_code=201, response_model=NewToken)
def create_token(body: TokenIn, request: Request, me: Principal = Depends(principal)) -> NewToken:
    """A new token; the plain token is returned only this once."""
    return users.create_token(engine(request), body.username or me.name, name=body.name, actor=me)


@router.delete("/tokens/{token_id}", response_model=Revoked)
def revoke_token(
    token_id: int, request: Request, me: Principal = Depends(principal)
) -> dict[str, Any]:
    """Revoke a token (the caller's own; an admin: any)."""
    return {"revoked": users.revoke_token(engine(request), token_id, actor=me)}
