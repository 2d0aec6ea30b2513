"""The cockpit (驾驶舱), the first page after logging in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.services.access.principal import Principal
from yanzhi.web.api.cockpit import cockpit_data
from yanzhi.web.deps import principal
from yanzhi.web.render import Table, page

router = APIRouter()


@router.get("/")
def cockpit(request: Request, me: Principal = Depends(principal)) -> Response:
    if me.role == "enterprise":
        return RedirectResponse(f"/enterprises/{me.enterprise}", status_code=303)
    data = cockpit_data(request, me)
    completeness = Table(
        "completeness",
        [
            ("name", "区县", "District"),
            ("expected", "应报", "Expected"),
            ("received", "已报", "Received"),
            ("rate_pct", "报送率(%)", "Rate (%)"),
            ("on_time", "按时", "On time"),
            ("status_zh", "状态", "Status"),
        ],
        data["completeness"],
        title="completeness",
        links={"name": "/units/{code}"},
    )
    warnings = Table(
        "warnings",
        [
            ("name", "单位", "Unit"),
            ("indicator_name", "指标", "Indicator"),
            ("status_zh", "状态", "Status"),
            ("value", "当前值", "Value"),
            ("target", "目标", "Target"),
            ("year", "年份", "Year"),
        ],
        [{**w, "year": str(w["year"])} for w in data["warnings"]["off_track"]],
        title="warnings",
        links={"name": "/units/{unit}"},
    )
    return page(request, "cockpit.html", data=data, tables=[completeness, warnings])
