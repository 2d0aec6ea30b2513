"""Who is asking, for the pages and the API alike. A script sends ``Authorization: Bearer
yz_…`` (an API token); a browser sends the session cookie, and then every request that
changes something must carry the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``)."""

from __future__ import annotations

import hmac
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Annotated, Any

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
        eng = engine(request)
        found = cache(request).lookup(("session", token), lambda: users.live_session(eng, token))
        if found is not None and found.live():  # kept a few seconds: its end is checked here
            auth = Auth(found.principal, found.csrf, "session")
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


def answer_key(request: Request, kind: str) -> tuple[object, ...]:
    """What a kept whole answer (a page, an API answer) is kept under: everything its bytes
    depend on besides the data generation — the role and scope of the signed-in user, the
    language, the address and whether the data are generated — but not the user's name,
    CSRF token or unread count, which are filled in per request (web/render.py)."""
    auth = authenticate(request)
    me = auth.principal if auth else None
    who = (me.role, me.unit, me.enterprise) if me else (None, None, None)
    synthetic = getattr(request.app.state, "synthetic", True)
    return (kind, *who, lang(request), request.url.path, request.url.query, synthetic)


@dataclass(frozen=True)
class KeptAnswer:
    """A request's place among the kept whole answers: ``value`` what is kept for it (None:
    nothing yet); :meth:`keep` keeps one for the data generation read before it was made."""

    cache: ViewCache
    key: tuple[object, ...]
    generation: Hashable
    value: Any

    def keep(self, value: Any) -> None:
        self.cache.keep_answer(self.key, self.generation, value)


def kept_answer(request: Request, kind: str) -> KeptAnswer:
    c = cache(request)
    key = answer_key(request, kind)
    return KeptAnswer(c, key, c.generation(), c.stored_answer(key))


Me = Annotated[Principal, Depends(principal)]
"""The signed-in principal: ``def view(me: Me)``."""


async def scope(request: Request) -> Scope:
    """The signed-in principal's scope, resolved once per request (``access.scope.resolve``;
    kept for the data generation, as a user's scope changes only with a write) and passed
    down to the views, which filter by it instead of asking unit by unit."""
    if not hasattr(request.state, "scope"):
        me, t = await principal(request), tree(request)
        request.state.scope = cache(request).lookup(("scope", me), lambda: resolve(me, t))
    found: Scope = request.state.scope
    return found


ScopeDep = Annotated[Scope, Depends(scope)]
"""The signed-in principal's scope: ``def view(scope: ScopeDep)``."""
