"""Pages: 诊断+提升 casework — /enterprises/cases (the effect by district, the prioritised
diagnosis list with its Excel, the cases) and /enterprises/{uscc}/case (one enterprise's
case with the forms to open it, record a visit with agreed actions, mark an action done
and close it). The numbers are those of /api/v1/cases… and /api/v1/enterprises/{uscc}/case."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.core.errors import InvalidInput
from yanzhi.services.enterprises import cases as svc
from yanzhi.views import cases as views
from yanzhi.views.enterprises import LISTS
from yanzhi.web.deps import ScopeDep, engine
from yanzhi.web.render import Table, page

router = APIRouter()

PRIORITY_COLUMNS = [
    ("rank", "排名", "Rank"),
    ("name", "企业名称", "Enterprise"),
    ("district", "区县市", "District"),
    ("township", "乡镇街道", "Township"),
    ("intensity_pct", "研发强度(%)", "R&D intensity (%)"),
    ("gain_to_34", "距3.4%需增研发投入(万元)", "Gain to 3.4 % (10k yuan)"),
    ("gain_to_5", "距5%需增研发投入(万元)", "Gain to 5 % (10k yuan)"),
    ("score", "得分", "Score"),
    ("case_status", "服务案件", "Case"),
    ("reason", "原因", "Reason"),
]
CASE_COLUMNS = [
    ("name", "企业名称", "Enterprise"),
    ("district", "区县市", "District"),
    ("township", "乡镇街道", "Township"),
    ("status_zh", "状态", "Status"),
    ("assignee", "承办", "Assigned to"),
    ("opened_on", "立案日期", "Opened"),
    ("visits", "走访次数", "Visits"),
    ("actions_open", "未完成措施", "Open actions"),
    ("actions_overdue", "逾期措施", "Overdue"),
    ("next_due", "最近到期", "Next due"),
    ("change_pp", "研发强度变化(百分点)", "Change (pp)"),
]
EFFECT_COLUMNS = [
    ("district", "区县市", "District"),
    ("treated", "有案件企业(家)", "With a case"),
    ("matched", "有可比企业(家)", "Matched"),
    ("controls", "可比企业(家)", "Comparisons"),
    ("treated_change_pp", "有案件企业强度变化(百分点)", "Treated change (pp)"),
    ("control_change_pp", "可比企业强度变化(百分点)", "Comparison change (pp)"),
    ("effect_pp", "效果(百分点)", "Effect (pp)"),
]


@router.get("/enterprises/cases")
def cases_page(
    request: Request,
    scope: ScopeDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
) -> Response:
    """诊断+提升: the effect, the prioritised list (``?export=priority``: Excel) and cases."""
    eng = engine(request)
    ranked = views.priority(eng, scope, year)
    found = views.case_list(eng, scope, status)
    eff = views.effect(eng, scope, ranked.year)
    rows = [{**r.model_dump(), "intensity_pct": round(r.intensity * 100, 2)} for r in ranked.rows]
    title = f"优先诊断清单{ranked.year or ''}"
    effect_rows = [{**r.model_dump(), "district": r.district or "合计"} for r in eff.rows]
    tables = [
        Table(
            "priority",
            PRIORITY_COLUMNS,
            rows,
            title=title,
            links={"name": "/enterprises/{uscc}/case"},
            source="经审核的全年研发报表; 排序规则见本页说明",
        ),
        Table(
            "cases",
            CASE_COLUMNS,
            [c.model_dump() for c in found.items],
            title="诊断服务案件",
            links={"name": "/enterprises/{uscc}/case"},
        ),
        Table("effect", EFFECT_COLUMNS, effect_rows, title="诊断服务效果", query=False),
    ]
    return page(
        request,
        "cases.html",
        ranked=ranked.model_dump(),
        effect=eff.model_dump(),
        cases=found.model_dump(),
        chosen=status,
        lists=LISTS,
        tables=tables,
    )


@router.get("/enterprises/{uscc}/case")
def case_page(request: Request, uscc: str, scope: ScopeDep) -> Response:
    """One enterprise's case with its forms (the writes need ``casework``)."""
    data = views.case_page(engine(request), scope, uscc[:32]).model_dump()
    return page(
        request,
        "case.html",
        data=data,
        writer=scope.can("casework"),
        today=dt.date.today().isoformat(),
    )


def _back(uscc: str) -> RedirectResponse:
    return RedirectResponse(f"/enterprises/{uscc}/case", status_code=303)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"bad {what}: {text!r}", f"{what}格式不正确: {text}") from None


@router.post("/enterprises/{uscc}/case/open")
def open_form(
    request: Request,
    uscc: str,
    scope: ScopeDep,
    diagnosis_year: Annotated[int, Form(ge=2000, le=2100)],
    assignee_user: Annotated[str, Form(max_length=64)] = "",
    provider: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Open the case from the form."""
    svc.open_case(
        engine(request),
        uscc[:32],
        principal=scope.principal,
        diagnosis_year=diagnosis_year,
        assignee_user=assignee_user or None,
        provider=provider or None,
    )
    return _back(uscc[:32])


@router.post("/enterprises/{uscc}/case/visit")
def visit_form(
    request: Request,
    uscc: str,
    scope: ScopeDep,
    visited_on: Annotated[str, Form(max_length=10)],
    visitor: Annotated[str, Form(max_length=100)],
    findings: Annotated[str, Form(max_length=4000)],
    action: Annotated[list[str] | None, Form(max_length=32)] = None,
) -> Response:
    """Record a visit with the checked actions (due dates: the catalogue's usual days)."""
    svc.record_visit(
        engine(request),
        uscc[:32],
        principal=scope.principal,
        visited_on=_date(visited_on, "走访日期"),
        visitor=visitor,
        findings=findings,
        actions=[svc.Agreed(a) for a in action or []],
    )
    return _back(uscc[:32])


@router.post("/enterprises/{uscc}/case/done")
def done_form(
    request: Request, uscc: str, scope: ScopeDep, action_id: Annotated[int, Form(ge=1)]
) -> Response:
    """Mark an action done."""
    svc.complete_action(engine(request), uscc[:32], action_id, principal=scope.principal)
    return _back(uscc[:32])


@router.post("/enterprises/{uscc}/case/close")
def close_form(
    request: Request, uscc: str, scope: ScopeDep, note: Annotated[str, Form(max_length=4000)]
) -> Response:
    """Close the case with a note."""
    svc.close_case(engine(request), uscc[:32], principal=scope.principal, note=note)
    return _back(uscc[:32])
