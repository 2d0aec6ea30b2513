"""Who is asking, for the pages and the API alike. A script sends ``Authorization: Bearer
yz_…`` (an API token); a browser sends the session cookie, and then every request that
changes something must carry the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.datastructures import FormData

from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access import users
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import Scope, resolve
from yanzhi.services.plan import orgunits
from yanzhi.web.cache import ViewCache
from yanzhi.web.errors import ApiError, NotAuthenticated

COOKIE = "yz_session"
SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Auth:
    principal: Principal
    csrf: str | None  # None for token (script) access: no cookie, no CSRF needed
    via: str


def engine(request: Request) -> Engine:
    return request.app.state.engine


def cache(request: Request) -> ViewCache:
    return request.app.state.cache


def tree(request: Request) -> OrgTree:
    state = request.app.state
    if getattr(state, "tree", None) is None:
        state.tree = orgunits.org_tree(state.engine)
    return state.tree


def lang(request: Request) -> str:
    value = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return value if value in ("zh", "en") else "zh"


def authenticate(request: Request) -> Auth | None:
    if hasattr(request.state, "auth"):
        return request.state.auth
    auth: Auth | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        p = users.token_principal(engine(request), header[7:].strip())
        if p is None:
            raise ApiError(401, "bad_token", "invalid or revoked token / 令牌无效或已撤销")
        auth = Auth(p, None, "token")
    elif token := request.cookies.get(COOKIE):
        found = users.session_principal(engine(request), token)
        if found is not None:
            auth = Auth(found[0], found[1], "session")
    request.state.auth = auth
    return auth


async def form_of(request: Request) -> FormData:
    """The request's form, parsed once and kept on the request so that ``close_form`` can
    close it; a malformed body fails here (400) and leaves nothing to close."""
    form = await request.form()
    request.state.form = form
    return form


async def close_form(request: Request) -> None:
    """Close the uploaded files of a form read by hand (FastAPI closes only its own). Only a
    form that was parsed is closed: a body that failed to parse cannot be read again."""
    form = getattr(request.state, "form", None)
    if form is not None:
        await form.close()


async def check_csrf(request: Request, auth: Auth) -> None:
    if request.method in SAFE or auth.csrf is None:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await form_of(request)
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, auth.csrf):
        raise ApiError(403, "csrf", "missing or wrong CSRF token / CSRF 校验失败, 请刷新页面")


async def current_auth(request: Request) -> Auth:
    """The dependency every protected route uses: authenticated, CSRF checked."""
    auth = authenticate(request)
    if auth is None:
        raise NotAuthenticated()
    await check_csrf(request, auth)
    if request.method not in SAFE:
        cache(request).bump()
    return auth


async def principal(request: Request) -> Principal:
    return (await current_auth(request)).principal


Me = Annotated[Principal, Depends(principal)]
"""The signed-in principal: ``def view(me: Me)``."""


async def scope(request: Request) -> Scope:
    """The signed-in principal's scope, resolved once per request (``access.scope.resolve``)
    and passed down to the views, which filter by it instead of asking unit by unit."""
    if not hasattr(request.state, "scope"):
        request.state.scope = resolve(await principal(request), tree(request))
    found: Scope = request.state.scope
    return found


ScopeDep = Annotated[Scope, Depends(scope)]
"""The signed-in principal's scope: ``def view(scope: ScopeDep)``."""
