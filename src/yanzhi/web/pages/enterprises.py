"""Pages: enterprises (企业) — search within the scope, one enterprise's diagnosis page and
the bureau's lists with Excel export. The numbers are those of /api/v1/enterprises… and
/api/v1/lists/…"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.core.periods import label_zh
from yanzhi.services.access.principal import home_of
from yanzhi.services.access.scope import Scope
from yanzhi.views import enterprises as views
from yanzhi.views import own
from yanzhi.web.api.common import YearQuery
from yanzhi.web.deps import cache, engine, lang
from yanzhi.web.deps import scope as scope_of
from yanzhi.web.i18n import both
from yanzhi.web.render import Table, page

router = APIRouter()

LABELS: dict[str, tuple[str, str]] = {
    "uscc": ("统一社会信用代码", "USCC"),
    "name": ("企业名称", "Enterprise"),
    "district": ("区县市", "District"),
    "township": ("乡镇街道", "Township"),
    "industry_code": ("行业代码", "Industry"),
    "size_class": ("规模", "Size"),
    "above_size_industrial": ("规上工业", "Above size"),
    "hightech": ("高企", "High-tech"),
    "tech_sme": ("科技型中小企业", "Tech SME"),
    "specialised": ("专精特新", "Specialised"),
    "champion": ("单项冠军", "Champion"),
    "rd_expense": ("研发费用(万元)", "R&D expense (10k yuan)"),
    "rd_expense_previous": ("上年研发费用", "R&D previous year"),
    "operating_revenue": ("营业收入(万元)", "Revenue (10k yuan)"),
    "intensity": ("研发强度(%)", "R&D intensity (%)"),
    "reason": ("原因", "Reason"),
    "stage": ("阶段", "Stage"),
    "synthetic": ("演示数据", "Synthetic"),
    "tech": ("技术创新分", "Technology"),
    "growth": ("成长分", "Growth"),
    "support": ("支持分", "Support"),
    "points": ("创新积分", "Points"),
    "rank": ("排名", "Rank"),
    "year": ("年份", "Year"),
    "hightech_path": ("高企倍增路径", "High-tech path"),
    "hightech_on_path": ("高企达到路径", "High-tech on path"),
    "tech_sme_path": ("科小倍增路径", "Tech-SME path"),
    "tech_sme_on_path": ("科小达到路径", "Tech-SME on path"),
    "enterprises": ("有全年报表的企业(家)", "Enterprises with a full year"),
    "post_subsidy_count": ("符合研发后补助(家)", "Post-subsidy: qualify"),
    "post_subsidy_total": ("研发后补助(万元)", "Post-subsidy (10k yuan)"),
    "post_subsidy_unknown": ("后补助无法计算(家,缺上年全年)", "Post-subsidy: unknown"),
    "reserve_fund_count": ("符合研发准备金补助(家)", "Reserve fund: qualify"),
    "reserve_fund_total": ("研发准备金补助(万元)", "Reserve fund (10k yuan)"),
    "budget_total": ("预算合计(万元)", "Budget (10k yuan)"),
    "assumed": ("参数为本平台假设", "Assumed parameters"),
    "missing": ("未能计算的指标(缺数据)", "Not computed (no data)"),
    "funding_line": ("计划类别", "Programme"),
    "priority_applied": ("优先支持企业申报(项)", "Priority: applied"),
    "priority_won": ("优先支持企业立项(项)", "Priority: won"),
    "priority_rate": ("优先支持企业立项率(%)", "Priority: success (%)"),
    "other_applied": ("其他企业申报(项)", "Others: applied"),
    "other_won": ("其他企业立项(项)", "Others: won"),
    "other_rate": ("其他企业立项率(%)", "Others: success (%)"),
    "pending": ("尚未评审(项)", "Not yet decided"),
    "unknown": ("无法判定(项)", "Standing unknown"),
}
SEARCH_COLUMNS = [
    "uscc",
    "name",
    "district",
    "township",
    "industry_code",
    "size_class",
    "above_size_industrial",
    "hightech",
    "tech_sme",
    "specialised",
]


def _columns(keys: list[str]) -> list[tuple[str, str, str]]:
    return [(k, *LABELS.get(k, (k, k))) for k in keys]


@router.get("/enterprises")
def search(
    request: Request,
    q: str = Query("", max_length=100),
    scope: Scope = Depends(scope_of),
) -> Response:
    """The enterprises whose name or USCC contains ``q``; the table sorts, filters and
    pages by ``?enterprises.…`` (as /api/v1/enterprises)."""
    me = scope.principal
    if me.role == "enterprise":
        return RedirectResponse(home_of(me), status_code=303)
    found = views.everything(engine(request), scope, q=q, memo=cache(request).get).model_dump()
    table = Table(
        "enterprises",
        _columns(SEARCH_COLUMNS),
        found["items"],
        title="enterprises",
        links={"name": "/enterprises/{uscc}", "uscc": "/enterprises/{uscc}"},
    )
    return page(
        request,
        "enterprises.html",
        q=q,
        found=found,
        lists=views.LISTS,
        tables=[table],
    )


PERCENT = {"intensity", "priority_rate", "other_rate"}  # ratios, shown in per cent


@router.get("/enterprises/lists/{name}")
def work_list(
    request: Request,
    name: Literal["priority", "visit", "points", "budget", "applications", "doubling"],
    year: str | None = YearQuery,
    scope: Scope = Depends(scope_of),
) -> Response:
    data = views.list_page(engine(request), cache(request).get, scope, name, year).model_dump()
    rows = [  # a ratio on the page reads as a percentage (研发强度 5.2, not 0.052)
        {k: _pct(v) if k in PERCENT else v for k, v in r.items()} for r in data["rows"]
    ]
    keys = list(rows[0]) if rows else ["uscc", "name", "district", "township"]
    links = {"name": "/enterprises/{uscc}"} if "uscc" in keys else {}
    suffix = f"-{data['year']}" if data["year"] else ""
    table = Table("list", _columns(keys), rows, title=f"{name}{suffix}", links=links)
    return page(
        request,
        "enterprise_list.html",
        data=data,
        years=views.cached_list_years(engine(request), cache(request).get, name)
        if views.LISTS[name].by_year
        else [],
        lists=views.LISTS,
        tables=[table],
    )


@router.get("/enterprises/{uscc}")
def enterprise(
    request: Request,
    uscc: str,
    policy_year: int | None = Query(None, ge=2000, le=2100),
    scope: Scope = Depends(scope_of),
) -> Response:
    """The enterprise's record, diagnosis and policies; ``?policy_year=`` shows the policies
    of another year with reports (the figures of /api/v1/enterprises/{uscc}/policies)."""
    eng, me = engine(request), scope.principal
    who = (me.role, me.unit, me.enterprise)
    key = ("enterprise-page", uscc.strip().upper()[:32], policy_year, *who)
    view = cache(request).get(
        key, lambda: views.enterprise_page(eng, scope, uscc[:32], policy_year)
    )
    data = view.model_dump()
    tables = []
    diag = data["diagnosis"]
    if diag:
        tables.append(
            Table(
                "policies",
                POLICY_COLUMNS,
                [_benefit(b, lang(request)) for b in diag["policies"]["benefits"]],
                title=f"policies-{diag['policies']['year']}",
            )
        )
    return page(request, "enterprise.html", data=data, chart=_chart(diag), tables=tables)


POLICY_COLUMNS = [  # the enterprise page's table of policies
    ("name", "政策", "Policy"),
    ("eligible", "符合条件", "Eligible"),
    ("amount", "金额(万元)", "Worth (10k yuan)"),
    ("explanation", "计算说明", "How"),
    ("source", "依据", "Source"),
    ("status", "数据情况", "Data"),
    ("local", "说明", "Note"),
]


@router.get("/my")
def my_page(request: Request, scope: Scope = Depends(scope_of)) -> Response:
    """我的企业: the signed-in enterprise's own page (filing status, R&D record and
    diagnosis, policies this year and last with how to claim them, innovation points);
    anyone else is sent to their own home page. The figures of /api/v1/my."""
    me = scope.principal
    if me.role != "enterprise":
        return RedirectResponse(home_of(me), status_code=303)
    eng = engine(request)
    m = cache(request).get
    view = m(
        ("own-page", me.enterprise, dt.date.today().isoformat()),
        lambda: own.own_page(eng, scope, memo=m),
    )
    data = view.model_dump()
    lg = lang(request)
    benefits = {  # the policies of each year, each in words; money ones with their amount
        p["year"]: [
            {**_benefit(b, lg), "money": b["rule"] not in data["standing_rules"]}
            for b in p["result"]["benefits"]
        ]
        for p in data["policies"]
        if p["result"]
    }
    diag = data["diagnosis"]
    claimed = {  # the policies to claim: those it qualifies for in either year, in order
        b["rule"]: b["name"]
        for p in data["policies"]
        if p["result"]
        for b in p["result"]["benefits"]
        if b["eligible"] and b["rule"] in data["claims"]
    }
    return page(
        request,
        "my.html",
        data=data,
        claimed=claimed,
        benefits=benefits,
        chart=_chart(diag),
    )


STATUS = {  # Benefit.status, as the page reads it
    "complete": ("数据完整", "complete"),
    "partial": ("部分数据缺失", "partial"),
    "not_eligible": ("不适用", "not eligible"),
    "unknown": ("无法计算", "unknown"),
}


def _benefit(b: dict[str, Any], lg: str) -> dict[str, Any]:
    """A policy row: its status in words and, as the note, whether it is set locally and
    what the data lack (the CLI's ⚠ lines)."""
    if b.get("assumption"):
        notes = [both("本平台假设:", "platform assumption: ", lg) + b["assumption"]]
    else:
        notes = [both("本地设定(占位)", "set locally", lg)] if b.get("set_locally") else []
    notes += b.get("missing") or []
    status = STATUS.get(b.get("status") or "complete", STATUS["complete"])
    return {**b, "status": both(*status, lg), "local": ";".join(notes) or None}


def _chart(diag: dict[str, Any] | None) -> dict[str, Any]:
    if not diag:
        return {}
    s = diag["intensity"]
    return {
        "annual": [[r["period"][:4], _pct(r["intensity"])] for r in s["annual"]],
        # 1–N月 under their Chinese names (2026年1-11月), never the period code
        "ytd": [[label_zh(r["period"]), _pct(r["intensity"])] for r in s["ytd"]],
    }


def _pct(v: float | None) -> float | None:
    return None if v is None else round(v * 100, 3)
