"""API: the org units a caller may see, and one unit's page numbers (headline indicators,
evaluation rank and scorecard, tasks, reporting completeness, warnings)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request

from yanzhi.services.access.principal import Principal
from yanzhi.views import units as unit_views
from yanzhi.web.api.common import ERRORS, page_params, paginate
from yanzhi.web.api.indicators import who
from yanzhi.web.deps import cache, engine, principal, tree

router = APIRouter(tags=["units"], responses=ERRORS)


def list_data(request: Request, me: Principal) -> list[dict[str, Any]]:
    t = tree(request)
    return cache(request).get(("units.list", *who(me)), lambda: unit_views.unit_list(me, t))


def unit_data(request: Request, me: Principal, code: str) -> dict[str, Any]:
    t, m = tree(request), cache(request).get
    return cache(request).get(
        ("units.view", *who(me), code),
        lambda: unit_views.unit_view(engine(request), me, t, code, memo=m),
    )


@router.get("/units")
def list_units(
    request: Request,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """The city, districts and townships the caller may see, in tree order (``depth`` 0 is
    the region), paginated."""
    return paginate(list_data(request, me), params)


@router.get("/units/{code}")
def get_unit(
    request: Request,
    code: str = Path(max_length=32, description="org unit code, e.g. 330212"),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """One unit: ``headline`` indicators (value, target, status, forecast), ``evaluation``
    (rank, grade and scorecard in the latest evaluation of its level, when there is one),
    ``tasks`` it leads or co-leads, this period's reporting ``completeness`` (its own and
    its children's) and ``warnings`` inside it. Outside the caller's scope: 403."""
    return unit_data(request, me, code)
