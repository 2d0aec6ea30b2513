"""API: the notification centre (通知) — the caller's own notifications and marking them
read. Every signed-in account has one, whatever its role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from yanzhi.views import notifications as view
from yanzhi.views.notifications import MarkedRead, Notifications
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import ScopeDep, engine

router = APIRouter(tags=["notifications"], responses=ERRORS)


class MarkReadIn(BaseModel):
    """Which notifications to mark read: ``ids`` (omitted or null: all of the caller's)."""

    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(
        default=None, max_length=1000
    )


@router.get("/notifications", response_model=Notifications)
def notifications(request: Request, scope: ScopeDep) -> Notifications:
    """The caller's notifications (催报, 督办, 报送审核, 预警), newest first, with the total
    and the unread count."""
    return view.notifications(engine(request), scope)


@router.post("/notifications/read", response_model=MarkedRead)
def mark_read(body: MarkReadIn, request: Request, scope: ScopeDep) -> MarkedRead:
    """Mark the caller's notifications read (``ids``, or all); other accounts' ids are
    ignored."""
    return view.mark_read(engine(request), scope, body.ids)
