"""Pages: the notification centre (通知) of the signed-in account, for every role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.views import notifications as view
from yanzhi.web.deps import ScopeDep, engine
from yanzhi.web.render import page

router = APIRouter()


@router.get("/notifications")
def notifications(request: Request, scope: ScopeDep) -> Response:
    """The caller's notifications, newest first, unread ones marked."""
    found = view.notifications(engine(request), scope)
    return page(request, "notifications.html", found=found)


@router.post("/notifications/read")
def mark_read(
    request: Request,
    scope: ScopeDep,
    id: Annotated[int | None, Form()] = None,
) -> Response:
    """Mark one notification (``id``) or all of them read; back to the list."""
    view.mark_read(engine(request), scope, None if id is None else [id])
    return RedirectResponse("/notifications", status_code=303)
