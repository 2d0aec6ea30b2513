"""API: key tasks (the board, a task, its report history and evidence, reports, leaders'
comments, owners, milestones, supervision / 督办). Every rule is in
:mod:`yanzhi.views.tasks`; the pages under /tasks call the same functions. The registers
(台账) are in :mod:`yanzhi.web.api.registers`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from yanzhi.views import supervision as supervision_views
from yanzhi.views import task_writes
from yanzhi.views import tasks as task_views
from yanzhi.views.guarantees import Guarantees
from yanzhi.views.landmarks import Landmarks
from yanzhi.views.reforms import Reforms
from yanzhi.views.task_models import (
    Assignment,
    Comment,
    MilestoneSaved,
    Reminders,
    ReportPage,
    Supervision,
    TaskBoardPage,
    TaskDetail,
    TaskReport,
)
from yanzhi.web.api.common import ERRORS, cut_models, page_params, synthetic_data, table_params
from yanzhi.web.deps import ScopeDep, close_form, engine
from yanzhi.web.taskdata import (
    board_data,
    board_row,
    guarantees_data,
    landmarks_data,
    reforms_data,
    supervision_data,
    task_data,
)
from yanzhi.web.uploads import (
    evidence_response,
    read_report,
    report_openapi,
    submit_report,
    with_urls,
)

router = APIRouter(tags=["tasks"], responses=ERRORS)

CODE = Path(..., min_length=1, max_length=64, description="task code, e.g. P1.T1")
SHA = Path(..., pattern="^[0-9a-f]{64}$", description="SHA-256 of the evidence file")
PERIOD = Query(None, max_length=16, description="reporting period, e.g. 2026Q4 (default: now)")
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the evidence file, as an attachment",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _page(items: list[Any], paging: tuple[int, int]) -> dict[str, Any]:
    page, size = paging
    start = (page - 1) * size
    return {"items": items[start : start + size], "total": len(items), "page": page, "size": size}


# --------------------------------------------------------------------------- tasks


@router.get("/tasks", response_model=TaskBoardPage, response_model_exclude_unset=True)
def list_tasks(
    request: Request,
    scope: ScopeDep,
    owner: str | None = Query(None, max_length=64, description="lead or co-unit code"),
    status: str | None = Query(None, max_length=32, description="latest status, e.g. behind"),
    overdue: bool = Query(False, description="only tasks with an overdue milestone"),
    period: str | None = PERIOD,
    q: str | None = Query(None, max_length=100, description="text a task's row contains"),
    _table: None = Depends(table_params),
) -> TaskBoardPage:
    """The task board: each visible task's latest report, automatic states (overdue
    milestone, silent, target behind) and milestones, with the plan and programme progress
    (the whole plan's roll-up) and counts. Paginated: ``items`` are the tasks, sorted and
    filtered as the page /tasks by ``sort``, ``order``, ``q``, ``page``, ``size`` or the
    page's ``tasks.…`` parameters (by the page's columns: ``progress``, ``status_zh`` …)."""
    data = board_data(request, scope, owner=owner, status=status, overdue=overdue, period=period)
    rest = data.model_dump(exclude={"tasks"}, exclude_unset=True)
    synthetic = synthetic_data(request)
    items, cut = cut_models(request, "tasks", data.tasks, row=lambda t: board_row(t.model_dump()))
    return TaskBoardPage(
        **rest, items=items, total=cut.total, page=cut.page, size=cut.size, synthetic=synthetic
    )


@router.get("/tasks/supervision", response_model=Supervision, response_model_exclude_unset=True)
def supervision(request: Request, scope: ScopeDep, period: str | None = PERIOD) -> Supervision:
    """督办: per responsible unit, the visible tasks that are overdue, silent or behind, with
    the reminders already sent."""
    return supervision_data(request, scope, period)


@router.get("/tasks/guarantees", response_model=Guarantees)
def guarantees(request: Request, scope: ScopeDep) -> Guarantees:
    """保障措施: every guarantee measure of the plan; a rule a number checks (an average yearly
    growth, an amount by the last year) with the region's and the visible districts' series,
    verdict and sources; the others with where yanzhi carries them out."""
    return guarantees_data(request, scope)


@router.get("/tasks/landmarks", response_model=Landmarks)
def landmarks(request: Request, scope: ScopeDep) -> Landmarks:
    """标志性成果 (十百千): each landmark's value against its target, path and verdict — the
    figures of the task target or guarantee rule the plan names as its metric — and the
    register entries behind the count (recognised on, evidence, counted or not)."""
    return landmarks_data(request, scope)


@router.get("/tasks/reforms", response_model=Reforms)
def reforms(request: Request, scope: ScopeDep) -> Reforms:
    """重大改革 and 政策: the reforms with status and next milestone (overdue counted), the
    policies with implementing rules due and issued and their pay-outs by year (万元), beside
    yanzhi's own calculation of a linked enterprise rule (研发后补助, 研发准备金)."""
    return reforms_data(request, scope)


class RemindIn(BaseModel):
    """A reminder to a responsible unit."""

    unit: str = Field(min_length=1, max_length=64, description="responsible unit code")
    note: str | None = Field(None, max_length=2000)
    period: str | None = Field(None, max_length=16)


@router.post("/tasks/supervision/remind", response_model=Reminders)
def remind(body: RemindIn, request: Request, scope: ScopeDep) -> Reminders:
    """Record a reminder to a unit for each of its tasks on the supervision list (admin,
    city analyst). An empty list: the unit has nothing to be reminded of."""
    sent = supervision_views.remind(
        engine(request), scope, body.unit, note=body.note, period=body.period
    )
    return Reminders(unit=body.unit, reminded=sent)


@router.get("/tasks/{code}", response_model=TaskDetail, response_model_exclude_unset=True)
def get_task(request: Request, scope: ScopeDep, code: str = CODE) -> TaskDetail:
    """A task: texts, lead and co-units, milestones, quantitative targets, automatic states,
    report history (newest first) with evidence links, comments, reminders, and ``may``:
    what the caller may do with it."""
    data = task_data(request, scope, code)
    return data.model_copy(update={"history": with_urls(data.history, code, "/api/v1")})


@router.get("/tasks/{code}/history", response_model=ReportPage, response_model_exclude_unset=True)
def task_history(
    request: Request,
    scope: ScopeDep,
    code: str = CODE,
    paging: tuple[int, int] = Depends(page_params),
) -> ReportPage:
    """Every report of a task, newest first, each with its evidence files."""
    rows = task_views.history(engine(request), scope, code)
    page = _page(with_urls(rows, code, "/api/v1"), paging)
    return ReportPage(**page, synthetic=synthetic_data(request))


@router.get("/tasks/{code}/evidence/{sha256}", response_class=FileResponse, responses=FILE)
def evidence(
    request: Request, scope: ScopeDep, code: str = CODE, sha256: str = SHA
) -> FileResponse:
    """Download an evidence file of one of the task's reports (as an attachment, with the
    type its content was checked to be)."""
    return evidence_response(task_views.evidence_file(engine(request), scope, code, sha256))


@router.post(
    "/tasks/{code}/reports",
    status_code=201,
    openapi_extra=report_openapi(),
    response_model=TaskReport,
    response_model_exclude_unset=True,
)
async def create_report(request: Request, scope: ScopeDep, code: str = CODE) -> TaskReport:
    """Report a task's progress (task owner of the task, admin). JSON, or multipart form
    data with ``evidence`` files (PDF, images, Office documents; judged by content)."""
    try:
        body, files = await read_report(request)
        return await run_in_threadpool(submit_report, engine(request), scope, code, body, files)
    finally:
        await close_form(request)


class CommentIn(BaseModel):
    """A leader's comment."""

    text: str = Field(min_length=1, max_length=5000, description="the comment / 批示")


@router.post(
    "/tasks/{code}/comments",
    status_code=201,
    response_model=Comment,
    response_model_exclude_unset=True,
)
def create_comment(body: CommentIn, request: Request, scope: ScopeDep, code: str = CODE) -> Comment:
    """A leader's comment (批示) on a task (leader, admin); audited."""
    return task_writes.comment(engine(request), scope, code, body.text)


class OwnersIn(BaseModel):
    """A task's lead unit and co-units."""

    lead: str | None = Field(None, max_length=64, description="lead unit code")
    co_units: list[str] = Field(default_factory=list, max_length=50)


@router.put("/tasks/{code}/owners", response_model=Assignment)
def set_owners(body: OwnersIn, request: Request, scope: ScopeDep, code: str = CODE) -> Assignment:
    """Set a task's lead unit and co-units (admin, city analyst); audited."""
    return task_writes.assign(engine(request), scope, code, lead=body.lead, co_units=body.co_units)


class MilestoneIn(BaseModel):
    """A task's milestone for a year."""

    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=300)
    due: dt.date | None = None
    done: bool | None = None


@router.post("/tasks/{code}/milestones", status_code=201, response_model=MilestoneSaved)
def set_milestone(
    body: MilestoneIn, request: Request, scope: ScopeDep, code: str = CODE
) -> MilestoneSaved:
    """Add or edit a task's milestone for a year, optionally done (admin, city analyst)."""
    return task_writes.milestone(
        engine(request),
        scope,
        code,
        year=body.year,
        title=body.title,
        due=body.due.isoformat() if body.due else None,
        done=body.done,
    )
