"""Shared pieces of the API: pagination and the error responses documented in OpenAPI."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.database import has_synthetic
from yanzhi.views import tablequery
from yanzhi.web.cache import ViewCache
from yanzhi.web.deps import cache, engine, kept_answer

SYNTHETIC_HEADER = "X-Yanzhi-Synthetic"
"""Set to ``true`` on every API response while the database holds generated (demo) data."""
SYNTHETIC_KEY = ("synthetic",)
"""The view-cache key of :func:`synthetic_data`."""
JSON = "application/json"


class ErrorBody(BaseModel):
    code: str
    message: str
    message_zh: str | None = None
    message_en: str | None = None
    details: Any = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422, 429)
}


YtdPeriodQuery: Any = Query(
    None,
    max_length=40,
    description="a YTD period with approved data, e.g. 2026-01..10 (default: the latest)",
)
"""``?period=`` of the pages and API routes that show 1–N月 figures (views/unitytd.py)."""

IndicatorPeriodQuery: Any = Query(
    None,
    max_length=40,
    description=(
        "the period whose values to show: a YTD period with approved data (e.g. 2026-01..10)"
        " for indicators computed monthly from enterprise reports, a year (e.g. 2024) for"
        " the others (default: the latest)"
    ),
)
"""``?period=`` of /indicators/{code} and its JSON twin (views/indicatorperiod.py)."""

YearQuery: Any = Query(
    None,
    max_length=20,
    description="a year with data, e.g. 2024 (default: the newest); others are refused (400)",
)
"""``?year=`` of the pages and API routes about annual things (evaluation, registers),
checked by views/periods.chosen_year."""


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    size: int


def synthetic_data(request: Request) -> bool:
    """Does the database hold generated (demo) data? Cached until the data change; the
    API's list pages say so in their ``synthetic`` field, every response in a header."""
    return synthetic_of(cache(request), engine(request))


def synthetic_of(views: ViewCache, eng: Engine) -> bool:
    """:func:`synthetic_data` from the app's view cache and engine (no request needed)."""
    return bool(views.get(SYNTHETIC_KEY, lambda: has_synthetic(eng)))


def shared_answer(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Keep an API route's JSON (:func:`yanzhi.web.deps.answer_key`): computed and
    serialised once per role, scope, language and address in a data generation, then
    served as those bytes. The route returns its response model, serialised here as
    FastAPI would (by alias, JSON mode); a route's own ``Response`` (a CSV) is not kept."""

    def wrap(route: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(route)
        def answer(*args: Any, **kwargs: Any) -> Any:
            kept = kept_answer(kwargs["request"], kind)
            if kept.value is not None:
                return Response(kept.value, media_type=JSON)
            found = route(*args, **kwargs)
            if not isinstance(found, BaseModel):
                return found
            body = bytes(JSONResponse(found.model_dump(mode="json", by_alias=True)).body)
            kept.keep(body)
            return Response(body, media_type=JSON)

        return answer

    return wrap


def page_params(
    page: int = Query(1, ge=1, le=1_000_000, description="page number, from 1"),
    size: int = Query(50, ge=1, le=500, description="items per page"),
) -> tuple[int, int]:
    return page, size


def paginate(items: list[dict[str, Any]], params: tuple[int, int]) -> dict[str, Any]:
    page, size = params
    start = (page - 1) * size
    return {"items": items[start : start + size], "total": len(items), "page": page, "size": size}


def table_params(
    sort: str | None = Query(None, max_length=100, description="column key to sort by"),
    order: str | None = Query(None, max_length=10, description="asc (default) | desc"),
    page: str | None = Query(None, max_length=20, description="page number, from 1"),
    size: str | None = Query(None, max_length=20, description="items per page (50; at most 500)"),
) -> None:
    """The table parameters of a long list (documented here, read by :func:`table_cut`
    from the query string, where the page's ``ID.sort`` … names are read too)."""


def table_cut(
    request: Request,
    table: str,
    rows: list[dict[str, Any]],
    *,
    bare: tuple[str, ...] = tablequery.OPTIONS,
) -> tablequery.Cut:
    """``rows`` sorted, filtered and cut as the request's ``?sort=…`` (or the page's
    ``?TABLE.sort=…``) parameters say: the same rows, in the same order, as the page
    ``TABLE`` for the same parameters. 400 ``bad_table_query`` for a bad one."""
    keys = tablequery.row_keys(rows) or None
    q = tablequery.parse(request.query_params.multi_items(), table, keys, bare=bare)
    return tablequery.apply(rows, q)


M = TypeVar("M", bound=BaseModel)


def cut_models(
    request: Request,
    table: str,
    items: Sequence[M],
    *,
    row: Callable[[M], dict[str, Any]] = lambda m: m.model_dump(),
    bare: tuple[str, ...] = tablequery.OPTIONS,
) -> tuple[list[M], tablequery.Cut]:
    """:func:`table_cut` over response models: the page's models (sorted, filtered and
    cut by their rows as ``row`` gives them, the page's table rows) and the cut."""
    rows = [row(i) for i in items]
    of = {id(r): i for r, i in zip(rows, items, strict=True)}
    cut = table_cut(request, table, rows, bare=bare)
    return [of[id(r)] for r in cut.rows], cut
