"""API: 诊断+提升 casework — the prioritised diagnosis list, the cases, the effect, and one
enterprise's case with its writes (open, visit with agreed actions, action done, close)
(:mod:`yanzhi.views.cases`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from yanzhi.services.access.scope import Scope
from yanzhi.services.enterprises import cases as svc
from yanzhi.services.enterprises.caseresults import CaseDetail, Effect
from yanzhi.views import cases as views
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import engine
from yanzhi.web.deps import scope as scope_of

router = APIRouter(tags=["enterprises"], responses=ERRORS)

UsccPath = Annotated[
    str, Path(min_length=1, max_length=32, description="统一社会信用代码 (18 characters)")
]
CaseYear = Annotated[
    int | None,
    Query(ge=2000, le=2100, description="the diagnosis year (default: that of the newest case)"),
]


@router.get("/cases/priority", response_model=views.PriorityList)
def priority(
    request: Request, year: CaseYear = None, scope: Scope = Depends(scope_of)
) -> views.PriorityList:
    """The prioritised diagnosis list of ``year`` from approved full-year reports: each
    enterprise below 5 % with the extra R&D expense (万元) to reach 3.4 % and 5 %, the
    points of the rule's parts (``weights``: gain, size, trend, no institution, never
    claimed the super-deduction — unknown scores 0), score, Chinese reason and its case's
    status. Ranks are city-wide; an officer gets the enterprises of its unit."""
    return views.priority(engine(request), scope, year)


@router.get("/cases/effect", response_model=Effect)
def effect(request: Request, year: CaseYear = None, scope: Scope = Depends(scope_of)) -> Effect:
    """The effect of the cases of diagnosis year ``year``: by district and in total, the
    change in R&D intensity (percentage points, ``year`` → ``year + 1``, approved reports)
    of the enterprises with a case against comparable ones without (same district, size
    class and starting-intensity band); the difference is ``effect_pp``."""
    return views.effect(engine(request), scope, year)


@router.get("/cases", response_model=views.CaseList)
def case_list(
    request: Request,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
    scope: Scope = Depends(scope_of),
) -> views.CaseList:
    """The cases of the enterprises in the caller's scope, newest first: assignee, visits,
    open and overdue actions, next due date and the change in intensity."""
    return views.case_list(engine(request), scope, status)


@router.get("/enterprises/{uscc}/case", response_model=views.CasePage)
def case(request: Request, uscc: UsccPath, scope: Scope = Depends(scope_of)) -> views.CasePage:
    """The enterprise's open case (else its latest; ``case`` null: none) with its visits,
    agreed actions and outcome, and the catalogue of actions."""
    return views.case_page(engine(request), scope, uscc)


class OpenCase(BaseModel):
    diagnosis_year: int = Field(ge=2000, le=2100)
    assignee_user: str | None = Field(None, max_length=64, description="a township officer")
    provider: str | None = Field(None, max_length=200, description="a service provider")


@router.post("/enterprises/{uscc}/case", response_model=CaseDetail, status_code=201)
def open_case(
    request: Request, uscc: UsccPath, body: OpenCase, scope: Scope = Depends(scope_of)
) -> CaseDetail:
    """Open a case (409 while one is open), assigned to a township officer of the
    enterprise's township or to a named service provider (one of the two)."""
    return svc.open_case(
        engine(request),
        uscc,
        principal=scope.principal,
        diagnosis_year=body.diagnosis_year,
        assignee_user=body.assignee_user,
        provider=body.provider,
    )


class AgreedAction(BaseModel):
    action: Literal["bookkeeping", "institution", "certification", "deduction", "reserve_fund"]
    due_on: dt.date | None = None


class NewVisit(BaseModel):
    visited_on: dt.date
    visitor: str = Field(min_length=1, max_length=100)
    findings: str = Field(min_length=1, max_length=4000)
    actions: list[AgreedAction] = Field(default_factory=list, max_length=10)


@router.post("/enterprises/{uscc}/case/visits", response_model=CaseDetail, status_code=201)
def visit(
    request: Request, uscc: UsccPath, body: NewVisit, scope: Scope = Depends(scope_of)
) -> CaseDetail:
    """Record a visit of the open case with the actions agreed (catalogue codes; due date
    default: the catalogue's usual days after the visit)."""
    return svc.record_visit(
        engine(request),
        uscc,
        principal=scope.principal,
        visited_on=body.visited_on,
        visitor=body.visitor,
        findings=body.findings,
        actions=[svc.Agreed(a.action, a.due_on) for a in body.actions],
    )


class ActionDone(BaseModel):
    action_id: int = Field(ge=1)
    done_on: dt.date | None = None


@router.post("/enterprises/{uscc}/case/done", response_model=CaseDetail)
def done(
    request: Request, uscc: UsccPath, body: ActionDone, scope: Scope = Depends(scope_of)
) -> CaseDetail:
    """Mark an agreed action of the open case done."""
    return svc.complete_action(
        engine(request), uscc, body.action_id, principal=scope.principal, done_on=body.done_on
    )


class CloseCase(BaseModel):
    note: str = Field(min_length=1, max_length=4000)


@router.post("/enterprises/{uscc}/case/close", response_model=CaseDetail)
def close(
    request: Request, uscc: UsccPath, body: CloseCase, scope: Scope = Depends(scope_of)
) -> CaseDetail:
    """Close the open case with a note."""
    return svc.close_case(engine(request), uscc, principal=scope.principal, note=body.note)
