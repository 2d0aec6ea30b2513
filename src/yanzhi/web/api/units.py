"""API: the org units a caller may see, and one unit's page numbers (headline indicators,
evaluation rank and scorecard, tasks, reporting completeness, warnings)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from yanzhi.views import units as unit_views
from yanzhi.views.common import scope_key
from yanzhi.web.api.common import ERRORS, YtdPeriodQuery, cut_models, shared_answer, table_params
from yanzhi.web.deps import ScopeDep, cache, engine

router = APIRouter(tags=["units"], responses=ERRORS)


class UnitPage(BaseModel):
    """A page of the units the caller may see."""

    items: list[unit_views.UnitRow]
    total: int
    page: int
    size: int


@router.get("/units", response_model=UnitPage)
@shared_answer("api-units")
def list_units(
    request: Request,
    scope: ScopeDep,
    q: str | None = Query(None, max_length=100, description="text a unit's row contains"),
    _table: None = Depends(table_params),
) -> UnitPage:
    """The city, districts and townships the caller may see, in tree order (``depth`` 0 is
    the region), paginated; sorted and filtered as the page /units by ``sort``, ``order``,
    ``q`` or the page's ``units.…`` parameters."""
    rows = cache(request).get(
        ("units.list", *scope_key(scope)), lambda: unit_views.unit_list(scope)
    )
    items, cut = cut_models(request, "units", rows)
    return UnitPage(items=items, total=cut.total, page=cut.page, size=cut.size)


@router.get("/units/{code}", response_model=unit_views.UnitView)
@shared_answer("api-unit")
def get_unit(
    request: Request,
    scope: ScopeDep,
    code: str = Path(max_length=32, description="org unit code, e.g. 330212"),
    period: str | None = YtdPeriodQuery,
) -> unit_views.UnitView:
    """One unit: ``headline`` indicators (value, target, status, forecast), ``evaluation``
    (rank, grade and scorecard in the latest evaluation of its level, when there is one),
    ``tasks`` it leads or co-leads, this period's reporting ``completeness`` (its own and
    its children's), ``warnings`` inside it and ``ytd`` its 1–N月 figures of ``period``
    (default the latest approved; a period without approved data: 400). Outside the
    caller's scope: 403."""
    m = cache(request).get
    return m(
        ("units.view", *scope_key(scope), code, period or ""),
        lambda: unit_views.unit_view(engine(request), scope, code, period=period, memo=m),
    )
