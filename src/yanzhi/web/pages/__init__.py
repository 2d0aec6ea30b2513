"""HTML pages (Jinja2 templates, ECharts drawn in the browser from the page's own JSON).
One router module per area; the pages call the same services as the API."""

from __future__ import annotations

from fastapi import APIRouter

from yanzhi.web.pages import (
    admin,
    auth,
    cases,
    cockpit,
    data,
    enterprises,
    evaluation,
    indicators,
    nonreporters,
    notifications,
    plandraft,
    reports,
    tasks,
    units,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    cockpit.router,
    indicators.router,
    units.router,
    nonreporters.router,
    data.router,
    tasks.router,
    evaluation.router,
    cases.router,
    enterprises.router,
    reports.router,
    plandraft.router,
    admin.router,
    notifications.router,
]
