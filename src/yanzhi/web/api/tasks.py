"""API: key tasks (the board, a task, its report history and evidence, reports, leaders'
comments, owners, milestones, supervision / 督办) and the registers (台账). Every rule is in
:mod:`yanzhi.views.tasks` and :mod:`yanzhi.views.registers`; the pages under
/tasks and /registers call the same functions."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path as FsPath
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from yanzhi.ingest.evidence import max_bytes
from yanzhi.services.access.principal import Principal
from yanzhi.views import registers as register_views
from yanzhi.views import tasks as task_views
from yanzhi.web.api.common import ERRORS, Page, page_params, paginate
from yanzhi.web.deps import Me, cache, engine, tree
from yanzhi.web.errors import ApiError

router = APIRouter(tags=["tasks"], responses=ERRORS)

CODE = Path(..., min_length=1, max_length=64, description="task code, e.g. P1.T1")
KIND = Path(..., min_length=1, max_length=64, description="register code, e.g. scenario")
SHA = Path(..., pattern="^[0-9a-f]{64}$", description="SHA-256 of the evidence file")
PERIOD = Query(None, max_length=16, description="reporting period, e.g. 2026Q4 (default: now)")


# --------------------------------------------------------------------------- shared helpers


def board_data(
    request: Request,
    me: Principal,
    *,
    owner: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    period: str | None = None,
) -> dict[str, Any]:
    key = ("tasks.board", me.role, me.unit, owner, status, overdue, period)
    return cache(request).get(
        key,
        lambda: task_views.board(
            engine(request),
            me,
            tree(request),
            owner=owner,
            status=status,
            overdue=overdue,
            period=period,
        ),
    )


def task_data(request: Request, me: Principal, code: str) -> dict[str, Any]:
    key = ("tasks.task", me.role, me.unit, code)
    return cache(request).get(
        key, lambda: task_views.task(engine(request), me, tree(request), code)
    )


def supervision_data(request: Request, me: Principal, period: str | None) -> dict[str, Any]:
    key = ("tasks.supervision", me.role, me.unit, period)
    return cache(request).get(
        key, lambda: task_views.supervision(engine(request), me, tree(request), period=period)
    )


def public_history(rows: list[dict[str, Any]], code: str, prefix: str) -> list[dict[str, Any]]:
    """History rows with a download address for each evidence file."""
    return [
        {
            **r,
            "evidence": [
                {**e, "url": f"{prefix}/tasks/{code}/evidence/{e['sha256']}"} for e in r["evidence"]
            ],
        }
        for r in rows
    ]


def evidence_response(found: dict[str, Any]) -> FileResponse:
    """The file as a download, never shown inline or sniffed into something runnable."""
    return FileResponse(
        found["path"],
        media_type=found["mime"],
        filename=found["file_name"],
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )


class ReportIn(BaseModel):
    status: str = Field(
        min_length=1, max_length=32, description="未启动|正常推进|滞后|已完成|暂缓 or the codes"
    )
    progress: float = Field(ge=0, le=100, description="percent complete, 0–100")
    period: str | None = Field(None, max_length=16, description="e.g. 2026Q4 (default: now)")
    note: str | None = Field(None, max_length=5000, description="narrative / 进展说明")
    delay_reason: str | None = Field(None, max_length=2000, description="why it is late")


def _report_openapi() -> dict[str, Any]:
    schema = ReportIn.model_json_schema()
    multipart = {
        **schema,
        "properties": {
            **schema["properties"],
            "evidence": {
                "type": "array",
                "items": {"type": "string", "format": "binary"},
                "description": "evidence files: PDF, images, Office documents",
            },
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": multipart},
            },
        }
    }


def _invalid(exc: ValidationError) -> ApiError:
    details = [
        {"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
        for e in exc.errors()
    ]
    return ApiError(422, "invalid_request", "invalid request / 请求参数有误", details)


async def read_report(request: Request) -> tuple[ReportIn, list[StarletteUpload]]:
    """A report from a JSON body or a form (multipart, with evidence files)."""
    ctype = request.headers.get("content-type", "")
    files: list[StarletteUpload] = []
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        fields: Any = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() != ""}
        files = [
            f for f in form.getlist("evidence") if isinstance(f, StarletteUpload) and f.filename
        ]
    else:
        try:
            fields = json.loads(await request.body() or b"null")
        except ValueError:
            raise ApiError(422, "invalid_request", "body is not JSON / 请求体不是 JSON") from None
        if not isinstance(fields, dict):
            raise ApiError(422, "invalid_request", "expected a JSON object / 应为 JSON 对象")
    try:
        return ReportIn.model_validate(fields), files
    except ValidationError as exc:
        raise _invalid(exc) from None


async def close_form(request: Request) -> None:
    """Close the uploaded files of a form read by hand (FastAPI closes only its own)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        await (await request.form()).close()


def save_uploads(files: list[StarletteUpload], folder: FsPath, limit: int) -> list[FsPath]:
    """Write uploads under ``folder`` by their own (base) names, each cut at ``limit`` + 1
    bytes so an oversized file is refused by the checks without filling the disk."""
    out = []
    for i, f in enumerate(files):
        name = FsPath((f.filename or "").replace("\\", "/")).name.strip() or "upload"
        target = folder / str(i) / name[:200]
        target.parent.mkdir(parents=True)
        left = limit + 1
        with target.open("wb") as fh:
            while left > 0 and (chunk := f.file.read(min(1 << 20, left))):
                fh.write(chunk)
                left -= len(chunk)
        out.append(target)
    return out


def submit_report(
    request: Request, me: Principal, code: str, body: ReportIn, files: list[StarletteUpload]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="yz-evidence-") as tmp:
        paths = save_uploads(files, FsPath(tmp), max_bytes())
        return task_views.report(
            engine(request),
            me,
            tree(request),
            code,
            status=body.status,
            progress=body.progress,
            period=body.period,
            note=body.note,
            delay_reason=body.delay_reason,
            evidence=paths,
        )


def import_upload(
    request: Request, me: Principal, kind: str, upload: StarletteUpload, dry_run: bool
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="yz-register-") as tmp:
        (path,) = save_uploads([upload], FsPath(tmp), 200 * 2**20)
        rep = register_views.import_register(engine(request), me, kind, path, dry_run=dry_run)
    if not rep["ok"]:
        raise ApiError(
            422,
            "input_rejected",
            f"{rep['file']}: {len(rep['errors'])} error(s), nothing was stored / 有错误, 未写入",
            rep["errors"],
        )
    return rep


# --------------------------------------------------------------------------- tasks


@router.get("/tasks", response_model=None)
def list_tasks(
    request: Request,
    me: Me,
    owner: str | None = Query(None, max_length=64, description="lead or co-unit code"),
    status: str | None = Query(None, max_length=32, description="latest status, e.g. behind"),
    overdue: bool = Query(False, description="only tasks with an overdue milestone"),
    period: str | None = PERIOD,
    paging: tuple[int, int] = Depends(page_params),
) -> dict[str, Any]:
    """The task board: each visible task's latest report, automatic states (overdue
    milestone, silent, target behind) and milestones, with the plan and programme progress
    (the whole plan's roll-up) and counts. Paginated: ``items`` are the tasks."""
    data = board_data(request, me, owner=owner, status=status, overdue=overdue, period=period)
    rest = {k: v for k, v in data.items() if k != "tasks"}
    return {**rest, **paginate(data["tasks"], paging)}


@router.get("/tasks/supervision")
def supervision(request: Request, me: Me, period: str | None = PERIOD) -> dict[str, Any]:
    """督办: per responsible unit, the visible tasks that are overdue, silent or behind, with
    the reminders already sent."""
    return supervision_data(request, me, period)


class RemindIn(BaseModel):
    unit: str = Field(min_length=1, max_length=64, description="responsible unit code")
    note: str | None = Field(None, max_length=2000)
    period: str | None = Field(None, max_length=16)


@router.post("/tasks/supervision/remind")
def remind(body: RemindIn, request: Request, me: Me) -> dict[str, Any]:
    """Record a reminder to a unit for each of its tasks on the supervision list (admin,
    city analyst). An empty list: the unit has nothing to be reminded of."""
    sent = task_views.remind(engine(request), me, body.unit, note=body.note, period=body.period)
    return {"unit": body.unit, "reminded": sent}


@router.get("/tasks/{code}")
def get_task(request: Request, me: Me, code: str = CODE) -> dict[str, Any]:
    """A task: texts, lead and co-units, milestones, quantitative targets, automatic states,
    report history (newest first) with evidence links, comments, reminders, and ``may``:
    what the caller may do with it."""
    data = task_data(request, me, code)
    return {**data, "history": public_history(data["history"], code, "/api/v1")}


@router.get("/tasks/{code}/history", response_model=Page)
def task_history(
    request: Request,
    me: Me,
    code: str = CODE,
    paging: tuple[int, int] = Depends(page_params),
) -> dict[str, Any]:
    """Every report of a task, newest first, each with its evidence files."""
    rows = task_views.history(engine(request), me, tree(request), code)
    return paginate(public_history(rows, code, "/api/v1"), paging)


@router.get("/tasks/{code}/evidence/{sha256}", response_class=FileResponse)
def evidence(request: Request, me: Me, code: str = CODE, sha256: str = SHA) -> FileResponse:
    """Download an evidence file of one of the task's reports (as an attachment, with the
    type its content was checked to be)."""
    return evidence_response(
        task_views.evidence_file(engine(request), me, tree(request), code, sha256)
    )


@router.post("/tasks/{code}/reports", status_code=201, openapi_extra=_report_openapi())
async def create_report(request: Request, me: Me, code: str = CODE) -> dict[str, Any]:
    """Report a task's progress (task owner of the task, admin). JSON, or multipart form
    data with ``evidence`` files (PDF, images, Office documents; judged by content)."""
    try:
        body, files = await read_report(request)
        return await run_in_threadpool(submit_report, request, me, code, body, files)
    finally:
        await close_form(request)


class CommentIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000, description="the comment / 批示")


@router.post("/tasks/{code}/comments", status_code=201)
def create_comment(body: CommentIn, request: Request, me: Me, code: str = CODE) -> dict[str, Any]:
    """A leader's comment (批示) on a task (leader, admin); audited."""
    return task_views.comment(engine(request), me, tree(request), code, body.text)


class OwnersIn(BaseModel):
    lead: str | None = Field(None, max_length=64, description="lead unit code")
    co_units: list[str] = Field(default_factory=list, max_length=50)


@router.put("/tasks/{code}/owners")
def set_owners(body: OwnersIn, request: Request, me: Me, code: str = CODE) -> dict[str, Any]:
    """Set a task's lead unit and co-units (admin, city analyst); audited."""
    return task_views.assign(
        engine(request), me, tree(request), code, lead=body.lead, co_units=body.co_units
    )


class MilestoneIn(BaseModel):
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=300)
    due: dt.date | None = None
    done: bool | None = None


@router.post("/tasks/{code}/milestones", status_code=201)
def set_milestone(body: MilestoneIn, request: Request, me: Me, code: str = CODE) -> dict[str, Any]:
    """Add or edit a task's milestone for a year, optionally done (admin, city analyst)."""
    return task_views.milestone(
        engine(request),
        me,
        tree(request),
        code,
        year=body.year,
        title=body.title,
        due=body.due.isoformat() if body.due else None,
        done=body.done,
    )


# --------------------------------------------------------------------------- registers


@router.get("/registers", response_model=Page, tags=["registers"])
def list_registers(
    request: Request, me: Me, paging: tuple[int, int] = Depends(page_params)
) -> dict[str, Any]:
    """The registers (台账), each with the plan metrics it counts and the number of entries
    the caller sees."""
    key = ("registers", me.role, me.unit)
    rows = cache(request).get(
        key, lambda: register_views.register_kinds(engine(request), me, tree(request))
    )
    return paginate(rows, paging)


@router.get("/registers/{kind}", tags=["registers"])
def get_register(
    request: Request,
    me: Me,
    kind: str = KIND,
    unit: str | None = Query(None, max_length=12, description="only entries inside this unit"),
    year: int | None = Query(None, ge=2000, le=2100, description="year of the counts"),
    paging: tuple[int, int] = Depends(page_params),
) -> dict[str, Any]:
    """A register's entries inside the caller's scope (paginated ``items``), its fields and
    its count per district (entries in force at the end of ``year``)."""
    data = register_views.register(engine(request), me, tree(request), kind, unit=unit, year=year)
    rest = {k: v for k, v in data.items() if k != "entries"}
    return {**rest, **paginate(data["entries"], paging)}


@router.post("/registers/{kind}/import", tags=["registers"])
def import_register(
    request: Request,
    me: Me,
    kind: str = KIND,
    file: UploadFile = File(..., description="CSV or XLSX with the register's headers"),
    dry_run: bool = Form(False),
) -> dict[str, Any]:
    """Import a register file (admin, city analyst): all or nothing; an identical file
    changes nothing; a changed entry gets a new version. Errors are listed by row."""
    return import_upload(request, me, kind, file, dry_run)
