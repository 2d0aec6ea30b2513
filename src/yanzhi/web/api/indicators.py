"""API: the plan's indicators, one indicator in one unit, its children and its gap
attribution. The numbers are monitoring.status's; scope from access.scope (a unit
outside the caller's scope is 403, an unknown code 404)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from yanzhi.services.access.scope import Scope
from yanzhi.views import indicators as views
from yanzhi.views.common import UnitInfo, scope_key
from yanzhi.web.api.common import (
    ERRORS,
    IndicatorPeriodQuery,
    page_params,
    shared_answer,
    synthetic_data,
)
from yanzhi.web.deps import ScopeDep, cache, engine

router = APIRouter(tags=["indicators"], responses=ERRORS)

CodePath = Path(max_length=64, description="indicator code, e.g. RD_GDP")
UnitQuery = Query(None, max_length=32, description="org unit code (default: the region)")


class IndicatorPage(BaseModel):
    """A page of the plan's indicators in ``unit``."""

    items: list[views.IndicatorRow]
    total: int
    page: int
    size: int
    unit: UnitInfo
    synthetic: bool = False  # the database holds generated (demo) data


class ChildrenPage(BaseModel):
    """A page of an indicator's values in the children of ``unit`` (and, in a township,
    the enterprises that moved it most)."""

    items: list[views.ChildRow]
    total: int
    page: int
    size: int
    unit: UnitInfo
    indicator: str
    synthetic: bool = False  # the database holds generated (demo) data
    enterprises: dict[str, Any] | None = None
    enterprises_note: str | None = Field(default=None, exclude_if=lambda v: v is None)


def _window(n: int, params: tuple[int, int]) -> slice:
    page, size = params
    start = (page - 1) * size
    return slice(start, min(start + size, n))


def attribution_data(
    request: Request,
    scope: Scope,
    code: str,
    *,
    unit: str | None,
    by: str | None,
    start: str | None,
    end: str | None,
    period: str | None = None,
) -> views.ScopedAttribution:
    """The attribution (cached); a refusal (not a ratio, no data) is cached as well."""
    m = cache(request).get

    def compute() -> tuple[views.ScopedAttribution | None, Exception | None]:
        try:
            found = views.indicator_attribution(
                engine(request), scope, code, unit=unit, by=by, start=start, end=end,
                period=period, memo=m,
            )  # fmt: skip
            return found, None
        except (LookupError, ValueError) as exc:
            return None, exc

    key = ("indicators.attribution", *scope_key(scope), code, unit, by, start, end, period)
    found, refused = m(key, compute)
    if refused is not None:
        raise type(refused)(*refused.args)
    assert found is not None
    return found


@router.get("/indicators", response_model=IndicatorPage)
@shared_answer("api-indicators")
def list_indicators(
    request: Request,
    scope: ScopeDep,
    unit: str | None = UnitQuery,
    params: tuple[int, int] = Depends(page_params),
) -> IndicatorPage:
    """Every plan indicator, headline first, with its latest annual value, target, status,
    forecast and latest year-to-date value in ``unit`` (default: the region). Paginated;
    ``unit`` describes the org unit."""
    data = cache(request).get(
        ("indicators.list", *scope_key(scope), unit),
        lambda: views.indicator_list(engine(request), scope, unit=unit),
    )
    rows = data.indicators
    return IndicatorPage(
        items=rows[_window(len(rows), params)],
        total=len(rows),
        page=params[0],
        size=params[1],
        unit=data.unit,
        synthetic=synthetic_data(request),
    )


@router.get("/indicators/{code}", response_model=views.IndicatorView)
@shared_answer("api-indicator")
def get_indicator(
    request: Request,
    scope: ScopeDep,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    period: str | None = IndicatorPeriodQuery,
) -> views.IndicatorView:
    """One indicator in one unit: definition; ``status`` as services/monitoring/status.py gives it
    (annual ``series``, ``assessment`` with the target path in ``interim_targets``,
    ``forecast``, latest ``ytd``); ``explanation``: the numbers behind the status;
    ``periods``: the year-to-date, quarterly and monthly series; ``selected``: the values
    of ``period`` in the unit and its children (a 1–N月 period for indicators computed
    monthly from enterprise reports, a year for the others; default the latest; a period
    without data is 400 ``period_not_available``)."""
    return indicator_view_data(request, scope, code, unit, period)


def indicator_view_data(
    request: Request, scope: Scope, code: str, unit: str | None, period: str | None
) -> views.IndicatorView:
    """The indicator view (cached per role, unit and period)."""
    m = cache(request).get
    return m(
        ("indicators.view", *scope_key(scope), code, unit, period or ""),
        lambda: views.indicator_view(
            engine(request), scope, code, unit=unit, period=period, memo=m
        ),
    )


@router.get("/indicators/{code}/children", response_model=ChildrenPage)
@shared_answer("api-children")
def indicator_children(
    request: Request,
    scope: ScopeDep,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    params: tuple[int, int] = Depends(page_params),
) -> ChildrenPage:
    """The indicator in each child of ``unit`` the caller may see (the city's districts, a
    district's townships), paginated; in a township, ``enterprises``: the enterprises that
    moved the indicator most (roles that may read enterprises, inside their scope)."""
    m = cache(request).get
    data = m(
        ("indicators.children", *scope_key(scope), code, unit),
        lambda: views.indicator_children(engine(request), scope, code, unit=unit, memo=m),
    )
    rows = data.children
    return ChildrenPage(
        items=rows[_window(len(rows), params)],
        total=len(rows),
        page=params[0],
        size=params[1],
        unit=data.unit,
        indicator=data.indicator,
        enterprises=data.enterprises,
        enterprises_note=data.enterprises_note,
        synthetic=synthetic_data(request),
    )


@router.get("/indicators/{code}/attribution", response_model=views.ScopedAttribution)
def indicator_attribution(
    request: Request,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    by: Literal["district", "township", "industry"] | None = Query(
        None, description="group by (default: the level below the unit; industry in a township)"
    ),
    start: str | None = Query(
        None, alias="from", max_length=20, description="2022 or 2023-01..11 (default: base year)"
    ),
    end: str | None = Query(
        None, alias="to", max_length=20, description="2025 or 2025-01..11 (default: latest year)"
    ),
    period: str | None = Query(
        None,
        max_length=40,
        description="without from / to: the same period of the base year to this one (as"
        " the indicator page with ?period=)",
    ),
    *,
    scope: ScopeDep,
) -> views.ScopedAttribution:
    """Gap attribution of a ratio indicator inside ``unit`` between two periods: the change,
    its within-group and structural effects, each group's contribution (groups the caller
    may not see are left out) and the top enterprises (roles that may read enterprises, in
    scope). A non-ratio indicator or a bad period is 400; missing data 404."""
    return attribution_data(
        request, scope, code, unit=unit, by=by, start=start, end=end, period=period
    )
