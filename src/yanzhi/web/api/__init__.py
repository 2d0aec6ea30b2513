"""The JSON API under /api/v1, with its own OpenAPI document at /api/v1/openapi.json.
Each area of the app has its router module here; every page's numbers are also here."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yanzhi.web import errors
from yanzhi.web.api import (
    admin,
    auth,
    cases,
    cockpit,
    data,
    enterprises,
    evaluation,
    exchange,
    indicators,
    notifications,
    registers,
    reports,
    tasks,
    units,
)
from yanzhi.web.api.common import SYNTHETIC_HEADER, SYNTHETIC_KEY, synthetic_of

ROUTERS = [
    auth.router,
    cockpit.router,
    indicators.router,
    units.router,
    data.router,
    tasks.router,
    registers.router,
    evaluation.router,
    cases.router,
    enterprises.router,
    reports.router,
    admin.router,
    notifications.router,
    exchange.router,
]


def create_api() -> FastAPI:
    api = FastAPI(
        title="yanzhi API",
        version="1",
        description=(
            "研值 yanzhi: the innovation plan's data, indicators, tasks and evaluation. "
            "Authenticate with `Authorization: Bearer <token>` (create one under /tokens or "
            "in the admin pages) or with the browser session cookie plus the X-CSRF-Token "
            'header for writes. Errors: {"error": {"code", "message", "details"}}.'
        ),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    for r in ROUTERS:
        api.include_router(r)
    errors.install(api)
    api.add_middleware(LabelSynthetic)
    return api


_MISSING = object()


class LabelSynthetic:
    """Every response says whether the data are generated (demo) data: the header
    ``X-Yanzhi-Synthetic: true``. The answer is the view cache's (a thread only when it
    is not at hand), so a kept answer goes out without another trip to the thread pool."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                found = state.cache.peek(SYNTHETIC_KEY, _MISSING)
                if found is _MISSING:
                    found = await run_in_threadpool(synthetic_of, state.cache, state.engine)
                if found:
                    MutableHeaders(scope=message)[SYNTHETIC_HEADER] = "true"
            await send(message)

        await self.app(scope, receive, labelled)
