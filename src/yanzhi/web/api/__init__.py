"""The JSON API under /api/v1, with its own OpenAPI document at /api/v1/openapi.json.
Each area of the app has its router module here; every page's numbers are also here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

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
from yanzhi.web.api.common import SYNTHETIC_HEADER, synthetic_data

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

    @api.middleware("http")
    async def label_synthetic(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every response says whether the data are generated (demo) data."""
        response = await call_next(request)
        if await run_in_threadpool(synthetic_data, request):
            response.headers[SYNTHETIC_HEADER] = "true"
        return response

    return api
