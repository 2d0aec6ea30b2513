"""The cockpit's numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yanzhi.services.access.scope import Scope
from yanzhi.views import cockpit as svc
from yanzhi.views.common import scope_key
from yanzhi.web.api.common import ERRORS, YtdPeriodQuery, shared_answer
from yanzhi.web.deps import ScopeDep, cache, engine

router = APIRouter(tags=["cockpit"], responses=ERRORS)


def cockpit_data(request: Request, scope: Scope, period: str | None = None) -> svc.Cockpit:
    """The cockpit for ``scope`` and YTD ``period`` (cached per role, unit and period)."""
    m = cache(request).get
    key = ("cockpit", *scope_key(scope), period or "")
    return m(key, lambda: svc.cockpit(engine(request), scope, period=period, memo=m))


@router.get("/cockpit", response_model=svc.Cockpit)
@shared_answer("api-cockpit")
def cockpit(request: Request, scope: ScopeDep, period: str | None = YtdPeriodQuery) -> svc.Cockpit:
    """Headline indicators, districts for the map, warnings, tasks, completeness, and
    ``ytd`` the city's 1–N月 figures of ``period`` (default the latest approved; a period
    without approved data: 400)."""
    return cockpit_data(request, scope, period)
