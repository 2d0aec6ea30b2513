"""API: the plan's indicators, one indicator in one unit, its children and its gap
attribution. The numbers are monitoring.status's; scope from access.scope (a unit
outside the caller's scope is 403, an unknown code 404)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from yanzhi.services.access.principal import Principal
from yanzhi.views import indicators as views
from yanzhi.web.api.common import ERRORS, page_params, paginate
from yanzhi.web.deps import cache, engine, principal, tree

router = APIRouter(tags=["indicators"], responses=ERRORS)

CodePath = Path(max_length=64, description="indicator code, e.g. RD_GDP")
UnitQuery = Query(None, max_length=32, description="org unit code (default: the region)")


def who(me: Principal) -> tuple[str, str | None, str | None]:
    return (me.role, me.unit, me.enterprise)


def list_data(request: Request, me: Principal, unit: str | None) -> dict[str, Any]:
    t = tree(request)
    return cache(request).get(
        ("indicators.list", *who(me), unit),
        lambda: views.indicator_list(engine(request), me, t, unit=unit),
    )


def view_data(request: Request, me: Principal, code: str, unit: str | None) -> dict[str, Any]:
    t = tree(request)
    return cache(request).get(
        ("indicators.view", *who(me), code, unit),
        lambda: views.indicator_view(engine(request), me, t, code, unit=unit),
    )


def children_data(request: Request, me: Principal, code: str, unit: str | None) -> dict[str, Any]:
    t, m = tree(request), cache(request).get
    return cache(request).get(
        ("indicators.children", *who(me), code, unit),
        lambda: views.indicator_children(engine(request), me, t, code, unit=unit, memo=m),
    )


def attribution_data(
    request: Request,
    me: Principal,
    code: str,
    *,
    unit: str | None,
    by: str | None,
    start: str | None,
    end: str | None,
) -> dict[str, Any]:
    """The attribution (cached); a refusal (not a ratio, no data) is cached as well."""
    t, m = tree(request), cache(request).get

    def compute() -> tuple[dict[str, Any] | None, Exception | None]:
        try:
            found = views.indicator_attribution(
                engine(request), me, t, code, unit=unit, by=by, start=start, end=end, memo=m
            )
            return found, None
        except (LookupError, ValueError) as exc:
            return None, exc

    key = ("indicators.attribution", *who(me), code, unit, by, start, end)
    found, refused = cache(request).get(key, compute)
    if refused is not None:
        kind = LookupError if isinstance(refused, LookupError) else ValueError
        raise kind(*refused.args)
    assert found is not None
    return found


@router.get("/indicators")
def list_indicators(
    request: Request,
    unit: str | None = UnitQuery,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Every plan indicator, headline first, with its latest annual value, target, status,
    forecast and latest year-to-date value in ``unit`` (default: the region). Paginated;
    ``unit`` describes the org unit."""
    data = list_data(request, me, unit)
    return {**paginate(data["indicators"], params), "unit": data["unit"]}


@router.get("/indicators/{code}")
def get_indicator(
    request: Request,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """One indicator in one unit: definition; ``status`` as services/monitoring/status.py gives it
    (annual ``series``, ``assessment`` with the target path in ``interim_targets``,
    ``forecast``, latest ``ytd``); ``explanation``: the numbers behind the status;
    ``periods``: the year-to-date, quarterly and monthly series."""
    return view_data(request, me, code, unit)


@router.get("/indicators/{code}/children")
def indicator_children(
    request: Request,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """The indicator in each child of ``unit`` the caller may see (the city's districts, a
    district's townships), paginated; in a township, ``enterprises``: the enterprises that
    moved the indicator most (roles that may read enterprises, inside their scope)."""
    data = children_data(request, me, code, unit)
    rest = {k: v for k, v in data.items() if k != "children"}
    return {**paginate(data["children"], params), **rest}


@router.get("/indicators/{code}/attribution")
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
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Gap attribution of a ratio indicator inside ``unit`` between two periods: the change,
    its within-group and structural effects, each group's contribution (groups the caller
    may not see are left out) and the top enterprises (roles that may read enterprises, in
    scope). A non-ratio indicator or a bad period is 400; missing data 404."""
    return attribution_data(request, me, code, unit=unit, by=by, start=start, end=end)
