"""The web application: HTML pages at /, the JSON API at /api/v1 (OpenAPI at
/api/v1/openapi.json), static files at /static, ECharts from npm at /static/vendor.

    uvicorn --factory yanzhi.web.app:create_app    # or: yanzhi serve / yanzhi demo
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from yanzhi.reports.warmup import warm_up
from yanzhi.services.database import has_synthetic, open_database, require_schema
from yanzhi.web import pages, sharedcache
from yanzhi.web.api import create_api
from yanzhi.web.assets import district_map_path, echarts_path
from yanzhi.web.cache import ViewCache
from yanzhi.web.deps import lang
from yanzhi.web.errors import (
    KNOWN,
    NotAuthenticated,
    RejectNul,
    classify,
    http_message,
    invalid_request,
)
from yanzhi.web.headers import SecurityHeaders
from yanzhi.web.limits import BodyLimit
from yanzhi.web.precompute import Precompute, WritesInFlight
from yanzhi.web.render import error_page

STATIC = Path(__file__).parent / "static"


def served_app() -> FastAPI:
    """The app ``yanzhi serve`` runs (uvicorn's factory, once in each server process): on
    YANZHI_DATABASE_URL, with the shared results recomputed in the background after
    start-up and after every data change (web/precompute.py), and the document libraries
    loaded in the background (reports/warmup.py), not on a first download."""
    threading.Thread(target=warm_up, name="yanzhi-warmup", daemon=True).start()
    return create_app(precompute=True)


def create_app(engine: Engine | None = None, *, precompute: bool = False) -> FastAPI:
    """The app on ``engine`` (default: YANZHI_DATABASE_URL). The synthetic-data banner shows
    whenever the database holds generated data. ``precompute``: recompute the shared
    results in a background thread after start-up and after each data change."""
    engine = engine or open_database()
    require_schema(engine)
    app = FastAPI(title="yanzhi", docs_url=None, redoc_url=None, openapi_url=None)
    api = create_api()
    shared = ViewCache(engine, shared=sharedcache.from_settings(engine))
    synthetic = has_synthetic(engine)
    for a in (app, api):
        a.state.engine = engine
        a.state.cache = shared
        a.state.tree = None
        a.state.synthetic = synthetic
    app.state.precompute = None
    if precompute:
        app.state.precompute = Precompute(engine, shared)
        app.state.precompute.start()

    @app.get("/static/vendor/echarts.min.js", include_in_schema=False)
    def echarts() -> Response:
        found = echarts_path()
        if found is None:
            return Response(
                "/* echarts not installed: run scripts/setup.sh (npm) */",
                media_type="application/javascript",
                status_code=404,
            )
        return FileResponse(
            found,
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/maps/districts.geojson", include_in_schema=False)
    def district_map() -> Response:
        found = district_map_path()
        if found is None:
            return Response('{"error": "no map"}', media_type="application/json", status_code=404)
        return FileResponse(
            found,
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        """Up; with the background recomputation, ``results``: ready once the shared
        results are computed for the data as they are now, else computing; ``cache``: this
        server process, its cache's hits and computations, Redis on / off / unreachable."""
        worker = app.state.precompute
        if worker is None:
            return {"status": "ok", "cache": shared.status()}
        ready = "ready" if worker.ready() else "computing"
        return {"status": "ok", "results": ready, "cache": shared.status()}

    for r in pages.ROUTERS:
        app.include_router(r)
    app.mount("/api/v1", api)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={target}", status_code=303)
        if isinstance(exc, StarletteHTTPException):
            text = str(exc.detail) if lang(request) == "en" else http_message(exc)
            return error_page(request, exc.status_code, "http_error", text)
        err = invalid_request(exc.errors()) if isinstance(exc, RequestValidationError) else None
        err = err or classify(exc)
        return error_page(
            request, err.status, err.code, err.en if lang(request) == "en" else err.zh
        )

    app.add_middleware(WritesInFlight, cache=shared)
    app.add_middleware(RejectNul)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(Exception, on_error)
    app.add_exception_handler(StarletteHTTPException, on_error)
    app.add_exception_handler(RequestValidationError, on_error)
    for cls in KNOWN:  # the API's known errors, as pages
        app.add_exception_handler(cls, on_error)
    return app
