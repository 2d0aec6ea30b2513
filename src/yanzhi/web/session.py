"""The session cookie: HttpOnly, SameSite=Lax, Secure when the site is served over HTTPS."""

from __future__ import annotations

from fastapi import Request, Response

from yanzhi.services.access.users import LoginResult
from yanzhi.web.deps import COOKIE


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.lower() == "https"


def set_session_cookie(request: Request, response: Response, result: LoginResult) -> None:
    response.set_cookie(
        COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
        expires=result.expires_at,
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"
