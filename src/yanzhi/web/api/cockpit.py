"""The cockpit's numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yanzhi.services.access.scope import Scope
from yanzhi.views import cockpit as svc
from yanzhi.views.common import scope_key
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import ScopeDep, cache, engine

router = APIRouter(tags=["cockpit"], responses=ERRORS)


def cockpit_data(request: Request, scope: Scope) -> svc.Cockpit:
    """The cockpit for ``scope`` (cached per role and unit)."""
    key = ("cockpit", *scope_key(scope))
    return cache(request).get(key, lambda: svc.cockpit(engine(request), scope))


@router.get("/cockpit", response_model=svc.Cockpit)
def cockpit(request: Request, scope: ScopeDep) -> svc.Cockpit:
    """Headline indicators, districts for the map, warnings, tasks, completeness."""
    return cockpit_data(request, scope)
