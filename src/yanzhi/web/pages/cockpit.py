"""The cockpit (驾驶舱), the first page after logging in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.services.access.principal import home_of
from yanzhi.web import i18n
from yanzhi.web.api.cockpit import cockpit_data
from yanzhi.web.api.common import YtdPeriodQuery
from yanzhi.web.deps import ScopeDep, lang
from yanzhi.web.render import Table, page, shared_page

router = APIRouter()


@router.get("/")
@shared_page("cockpit")
def cockpit(request: Request, scope: ScopeDep, period: str | None = YtdPeriodQuery) -> Response:
    """The cockpit page (an enterprise user goes to its own enterprise's page);
    ``?period=`` chooses the 1–N月 period of the city's YTD panel."""
    me = scope.principal
    if me.role == "enterprise":
        return RedirectResponse(home_of(me), status_code=303)
    found = cockpit_data(request, scope, period)
    data = found.model_dump()
    lg = lang(request)
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
            ("verdict_label", "结论", "Verdict"),
            ("value", "当前值", "Value"),
            ("target", "目标", "Target"),
            ("year", "年份", "Year"),
        ],
        [
            {
                **w,
                "year": str(w["year"]),
                "indicator_name": i18n.both(w["indicator_name"], w["indicator_name_en"], lg),
                "verdict_label": i18n.both(w["verdict_zh"], w["verdict_en"], lg),
            }
            for w in data["warnings"]["off_track"]
        ],
        title="warnings",
        links={"name": "/units/{unit}"},
    )
    return page(request, "cockpit.html", data=data, tables=[completeness, warnings])
