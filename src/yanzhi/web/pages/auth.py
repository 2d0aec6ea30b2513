"""Log in, log out, switch language."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.services.access import users
from yanzhi.services.access.principal import home_of
from yanzhi.web.deps import COOKIE, Auth, current_auth, engine
from yanzhi.web.errors import classify
from yanzhi.web.render import page
from yanzhi.web.session import client_of, is_https, set_session_cookie

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form(""),
) -> Response:
    try:
        result = users.login(engine(request), username, password, client=client_of(request))
    except (users.LoginFailed, users.TooManyAttempts) as exc:
        err = classify(exc)
        return page(
            request, "login.html", next=_safe_next(next), error=err.message, status=err.status
        )
    # a page the user asked for, else the role's own landing page
    target = _safe_next(next) if next not in ("", "/") else home_of(result.principal)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, result)
    return response


@router.post("/logout")
def logout(request: Request, auth: Auth = Depends(current_auth)) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        users.logout(engine(request), token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{lg}")
def switch_language(request: Request, lg: str, next: str | None = None) -> Response:
    back = urlparse(request.headers.get("referer", ""))
    here = back.path + (f"?{back.query}" if back.query else "") if back.path else None
    response = RedirectResponse(_safe_next(next or here), 303)
    response.set_cookie(
        "lang",
        "en" if lg == "en" else "zh",
        samesite="lax",
        secure=is_https(request),
        max_age=365 * 86400,
        path="/",
    )
    return response
