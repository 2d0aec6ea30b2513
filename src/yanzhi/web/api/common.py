"""Shared pieces of the API: pagination and the error responses documented in OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request
from pydantic import BaseModel

from yanzhi.services.database import has_synthetic
from yanzhi.web.deps import cache, engine

SYNTHETIC_HEADER = "X-Yanzhi-Synthetic"
"""Set to ``true`` on every API response while the database holds generated (demo) data."""


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
    return bool(cache(request).get(("synthetic",), lambda: has_synthetic(engine(request))))


def page_params(
    page: int = Query(1, ge=1, le=1_000_000, description="page number, from 1"),
    size: int = Query(50, ge=1, le=500, description="items per page"),
) -> tuple[int, int]:
    return page, size


def paginate(items: list[dict[str, Any]], params: tuple[int, int]) -> dict[str, Any]:
    page, size = params
    start = (page - 1) * size
    return {"items": items[start : start + size], "total": len(items), "page": page, "size": size}
