"""The cockpit's numbers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from yanzhi.services.access.principal import Principal
from yanzhi.views import cockpit as svc
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import cache, engine, principal, tree

router = APIRouter(tags=["cockpit"], responses=ERRORS)


def cockpit_data(request: Request, me: Principal) -> dict[str, Any]:
    t = tree(request)
    key = ("cockpit", me.role, me.unit, me.enterprise)
    return cache(request).get(key, lambda: svc.cockpit(engine(request), me, t))


@router.get("/cockpit")
def cockpit(request: Request, me: Principal = Depends(principal)) -> dict[str, Any]:
    """Headline indicators, districts for the map, warnings, tasks, completeness."""
    return cockpit_data(request, me)
