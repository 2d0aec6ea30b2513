"""Request bodies judged while they stream in: every POST has a size limit by kind (data
files, register files, task reports with evidence, everything else), enforced before a
byte is spooled to disk — a declared ``Content-Length`` over the limit is refused at once,
and a body that grows past it is cut off with 413 as soon as it does."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from starlette.responses import HTMLResponse

from yanzhi import config
from yanzhi.web.errors import ApiError, json_error

MB = 1024 * 1024

_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(/api/v1)?/data(/imports)?/?$"), "data"),
    (re.compile(r"^(/api/v1)?/registers/[^/]+/import/?$"), "register"),
    (re.compile(r"^(/api/v1)?/tasks/[^/]+/reports?/?$"), "report"),
    (re.compile(r"^/admin/plan-draft/?$"), "data"),  # a policy document (PDF, DOCX)
]


def limit_for(path: str) -> tuple[str, int]:
    """The kind of upload a POST to ``path`` is, and its limit in bytes (settings)."""
    s = config.settings()
    kind = next((k for pattern, k in _KINDS if pattern.match(path)), "form")
    mb = {
        "data": s.max_file_mb,
        "register": s.max_register_mb,
        "report": s.max_evidence_mb * s.max_evidence_files + 1,
        "form": s.max_form_mb,
    }[kind]
    return kind, int(mb * MB)


class BodyTooLarge(Exception):
    """The request body passed its limit while being read."""


def _refusal(scope: dict[str, Any], kind: str, limit: int) -> Any:
    mb = limit / MB
    zh = f"上传内容过大: 上限 {mb:.0f} MB"
    en = f"request body too large: the limit is {mb:.0f} MB"
    if scope["path"].startswith("/api/"):
        err = ApiError(413, "too_large", f"{en} / {zh}", {"kind": kind, "limit_bytes": limit})
        return json_error(err)
    body = f"<!doctype html><meta charset=utf-8><title>413</title><p>{zh}</p><p>{en}</p>"
    return HTMLResponse(body, status_code=413)


class BodyLimit:
    """ASGI middleware: refuse POST / PUT / PATCH bodies over their kind's limit."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        kind, limit = limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refusal(scope, kind, limit)(scope, receive, send)
            return
        seen = 0
        state = {"over": False, "started": False}

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    state["over"] = True
                    raise BodyTooLarge
            return message

        async def guarded(message: dict[str, Any]) -> None:
            if state["over"]:
                return  # the app's own answer to the cut-off body is replaced by the 413
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted, guarded)
        if state["over"] and not state["started"]:
            await _refusal(scope, kind, limit)(scope, receive, send)
