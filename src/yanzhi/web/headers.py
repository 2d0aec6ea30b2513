"""Browser security headers on every answer: a Content-Security-Policy that allows the
app's own scripts only (no inline script, no other origin; pages keep their data in
``<script type="application/json">`` and their code in /static), no framing, no content
sniffing, a same-origin referrer, and HSTS when served over HTTPS.

Inline *styles* stay allowed (``style-src 'unsafe-inline'``): ECharts writes its tooltips
as HTML with style attributes. The interactive API page (/api/v1/docs) loads Swagger UI
from its CDN with an inline start-up script, so it gets its own, wider policy."""

from __future__ import annotations

from typing import Any

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SWAGGER = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {SWAGGER}",
        f"style-src 'self' 'unsafe-inline' {SWAGGER}",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def _https(scope: dict[str, Any]) -> bool:
    if scope.get("scheme") == "https":
        return True
    headers = dict(scope.get("headers") or [])
    return headers.get(b"x-forwarded-proto", b"").lower() == b"https"


class SecurityHeaders:
    """ASGI middleware: add the headers above to every HTTP answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"].rstrip("/") == "/api/v1/docs" else CSP
        extra = [
            (b"content-security-policy", csp.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if _https(scope):
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                known = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in known
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
