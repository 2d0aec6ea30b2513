"""API: data reporting (数据报送) — uploads with their validation report, the submit →
approve → unlock workflow, completeness and the blank import templates. Every route
answers with a declared model; the view layer (:mod:`yanzhi.views.data`) does the work
within the caller's ``Scope``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from yanzhi.core.dataformats import DATA_KINDS, MONEY_UNITS
from yanzhi.core.issues import InputRejected
from yanzhi.services.collection.imports import ImportReport
from yanzhi.views import calendar as calendar_view
from yanzhi.views import data as data_view
from yanzhi.views import nonreporters as nonreporters_view
from yanzhi.views.calendar import CalendarView, Deadline
from yanzhi.views.data import ActionResult, CompletenessItem, SubmissionItem
from yanzhi.views.nonreporters import NonReporters, RemindersSent
from yanzhi.web.api.common import ERRORS, cut_models, page_params, synthetic_data, table_params
from yanzhi.web.deps import ScopeDep, cache, engine
from yanzhi.web.download import attachment
from yanzhi.web.render import XLSX

router = APIRouter(tags=["data"], responses=ERRORS)

KIND_PATTERN = "^(" + "|".join(DATA_KINDS) + ")$"
KINDS_HELP = " | ".join(DATA_KINDS)
MONEY_PATTERN = "^(" + "|".join(MONEY_UNITS) + ")$"
UnitPath = Annotated[str, Path(min_length=1, max_length=20, description="org unit code")]
PeriodPath = Annotated[
    str, Path(min_length=4, max_length=32, description="year-to-date period, e.g. 2024-01..05")
]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=32, description="year-to-date period (default: the newest)"),
]


class UnlockIn(BaseModel):
    """The body of an unlock."""

    reason: str = Field(min_length=1, max_length=1000, description="why the data must change")


class IssueOut(BaseModel):
    """One problem of a file: where (file, sheet, row, column, value), which rule, why."""

    rule: str
    message_zh: str
    message_en: str
    file: str | None = None
    path: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    severity: str


class ImportOut(BaseModel):
    """The report of an import (or of its dry run): rows created / updated / unchanged
    (新增 / 更新 / 未变), the file's SHA-256, its batch, the warnings."""

    ok: bool
    file: str
    kind: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str | None
    batch_id: int | None
    errors: list[IssueOut]
    warnings: list[IssueOut]


class SubmissionPage(BaseModel):
    """A page of the caller's townships with their submissions for ``period``."""

    items: list[SubmissionItem]
    total: int
    page: int
    size: int
    period: str | None
    synthetic: bool = False  # the database holds generated (demo) data


class CompletenessPage(BaseModel):
    """A page of the completeness of ``period`` by unit of ``level``."""

    items: list[CompletenessItem]
    total: int
    page: int
    size: int
    period: str | None
    level: str
    deadlines: list[Deadline] = []  # each level's due date for the period (报送截止)
    synthetic: bool = False  # the database holds generated (demo) data


def _slice(items: list[Any], params: tuple[int, int]) -> dict[str, Any]:
    page, size = params
    start = (page - 1) * size
    return {"items": items[start : start + size], "total": len(items), "page": page, "size": size}


@router.post("/data/imports", response_model=ImportOut)
def import_data(
    request: Request,
    scope: ScopeDep,
    kind: Annotated[str, Form(pattern=KIND_PATTERN, description=KINDS_HELP)],
    file: Annotated[
        UploadFile,
        File(description="CSV or tab-separated text (UTF-8 / GBK / UTF-16), XLSX or XLS"),
    ],
    period: Annotated[
        str | None, Form(max_length=32, description="period for a file without a period column")
    ] = None,
    money_unit: Annotated[
        str | None, Form(pattern=MONEY_PATTERN, description="money unit when the header has none")
    ] = None,
    dry_run: Annotated[bool, Form(description="validate only, store nothing")] = False,
) -> ImportOut:
    """Import (or with ``dry_run`` only validate) a data file, all or nothing. 200 with
    the report (ok, rows, created, updated, unchanged, errors, warnings) when it passes;
    422 with the issues (file, sheet, row, column, value, rule, message_zh, message_en) as
    ``error.details`` when refused. A scoped officer may send only rows of their own
    units (rule ``out_of_scope``)."""
    report = data_view.upload(
        engine(request),
        scope,
        kind=kind,
        stream=file.file,
        filename=file.filename,
        period=(period or "").strip() or None,
        money_unit=money_unit or None,
        dry_run=dry_run,
    )
    if not report.ok:
        raise InputRejected(report.errors + report.warnings, what=report.file)
    return import_out(report)


def import_out(report: ImportReport) -> ImportOut:
    """The import report as the API's model."""
    return ImportOut.model_validate(report.to_dict())


@router.post("/data/submissions/{unit}/{period}/submit", response_model=ActionResult)
def submit(request: Request, unit: UnitPath, period: PeriodPath, scope: ScopeDep) -> ActionResult:
    """Submit a township's (or every township of a district's) data for a period
    (township or district officer within their scope, admin)."""
    return data_view.act(engine(request), scope, "submit", unit=unit, period=period)


@router.post("/data/submissions/{unit}/{period}/approve", response_model=ActionResult)
def approve(request: Request, unit: UnitPath, period: PeriodPath, scope: ScopeDep) -> ActionResult:
    """Approve and lock submitted data (city analyst, admin); the indicators of the
    period are recomputed from the approved data at once."""
    return data_view.act(engine(request), scope, "approve", unit=unit, period=period)


@router.post("/data/submissions/{unit}/{period}/unlock", response_model=ActionResult)
def unlock(
    request: Request, unit: UnitPath, period: PeriodPath, body: UnlockIn, scope: ScopeDep
) -> ActionResult:
    """Unlock approved data with a reason (admin only); it returns to draft."""
    return data_view.act(
        engine(request), scope, "unlock", unit=unit, period=period, reason=body.reason
    )


@router.get("/data/submissions", response_model=SubmissionPage)
def list_submissions(
    request: Request,
    scope: ScopeDep,
    period: PeriodQuery = None,
    params: tuple[int, int] = Depends(page_params),
) -> SubmissionPage:
    """The townships the caller may see with their submission status for a period,
    completeness, who submitted / approved / unlocked, and what the caller may do."""
    found = data_view.submission_rows(
        engine(request), scope, period=period, memo=cache(request).get
    )
    return SubmissionPage(
        **_slice(found.items, params), period=found.period, synthetic=synthetic_data(request)
    )


@router.get("/data/completeness", response_model=CompletenessPage)
def completeness(
    request: Request,
    scope: ScopeDep,
    period: PeriodQuery = None,
    level: Annotated[
        Literal["township", "district", "city"], Query(description="township | district | city")
    ] = "district",
    params: tuple[int, int] = Depends(page_params),
) -> CompletenessPage:
    """Reporting completeness (expected, received on time / late, missing, status, the
    unit's own submission on time / late) by unit of ``level``, within the caller's scope,
    with each level's due date from the reporting calendar."""
    found = data_view.completeness(
        engine(request), scope, period=period, level=level, memo=cache(request).get
    )
    return CompletenessPage(
        **_slice(found.items, params),
        period=found.period,
        level=level,
        deadlines=found.deadlines,
        synthetic=synthetic_data(request),
    )


@router.get("/data/calendar", response_model=CalendarView)
def calendar(request: Request, scope: ScopeDep) -> CalendarView:
    """The reporting calendar in force: each period kind's due rule per level (次月10日)
    and the periods whose due dates are moved (holidays)."""
    return calendar_view.show(engine(request), scope)


class RuleIn(BaseModel):
    """A due rule for one level and period kind."""

    kind: Literal["ytd", "month"] = "ytd"
    level: Literal["enterprise", "township", "district"]
    rule: str = Field(max_length=16, description="e.g. 次月10日 / 当月25日 / 隔月5日")


class OverrideIn(BaseModel):
    """A moved due date for the period ending in ``month`` (no ``due``: back to the rule)."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="e.g. 2027-01")
    level: Literal["enterprise", "township", "district"]
    due: dt.date | None = None
    note: str | None = Field(default=None, max_length=100)


@router.put("/data/calendar/rules", response_model=CalendarView)
def set_calendar_rule(request: Request, scope: ScopeDep, body: RuleIn) -> CalendarView:
    """Set a due rule (admin; audited)."""
    return calendar_view.set_rule(
        engine(request), scope, kind=body.kind, level=body.level, rule=body.rule
    )


@router.put("/data/calendar/overrides", response_model=CalendarView)
def set_calendar_override(request: Request, scope: ScopeDep, body: OverrideIn) -> CalendarView:
    """Move (or restore) one period's due date for one level (admin; audited)."""
    return calendar_view.set_override(
        engine(request), scope, month=body.month, level=body.level, due=body.due, note=body.note
    )


@router.get("/data/nonreporters", response_model=NonReporters)
def nonreporters(
    request: Request,
    scope: ScopeDep,
    period: PeriodQuery = None,
    unit: Annotated[
        str | None,
        Query(max_length=20, description="district or township code (default: the caller's)"),
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="text a row contains")] = None,
    _table: None = Depends(table_params),
) -> NonReporters:
    """The enterprises expected to report for ``period`` that have not (name, USCC,
    industry, last period reported, contact, reminders sent), within ``unit`` and the
    caller's scope, with the count per township. ``items`` are sorted, filtered and paged
    as on the page /data/nonreporters by ``sort``, ``order``, ``q``, ``page``, ``size`` or
    the page's ``nonreporters.…`` parameters; ``total`` counts them over all pages."""
    found = nonreporters_view.nonreporter_list(engine(request), scope, period=period, unit=unit)
    items, cut = cut_models(request, "nonreporters", found.items)
    return found.model_copy(
        update={
            "synthetic": synthetic_data(request),
            "items": items,
            "total": cut.total,
            "page": cut.page,
            "size": cut.size,
        }
    )


class RemindIn(BaseModel):
    """The enterprises to remind (USCCs) of ``period`` (default: the newest)."""

    usccs: list[str] = Field(min_length=1, max_length=1000)
    period: str | None = Field(default=None, max_length=32)


@router.post("/data/nonreporters/remind", response_model=RemindersSent)
def remind(body: RemindIn, request: Request, scope: ScopeDep) -> RemindersSent:
    """Send 催报 reminders to non-reporting enterprises of the caller's own townships:
    each recorded, and a notification (e-mailed when configured) to each enterprise
    account. 403 for an enterprise outside the caller's townships."""
    return nonreporters_view.remind(engine(request), scope, period=body.period, usccs=body.usccs)


@router.get(
    "/data/templates/{kind}",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the template workbook"}},
)
def template(
    kind: Annotated[str, Path(max_length=32, description=KINDS_HELP)], scope: ScopeDep
) -> Response:
    """The blank import template of ``kind`` (.xlsx with Chinese headers, units and
    drop-down lists; 404 for an unknown kind)."""
    return xlsx_download(data_view.template_bytes(kind), f"{kind}.xlsx")


def xlsx_download(content: bytes, filename: str) -> Response:
    """An .xlsx file as an attachment."""
    return Response(
        content,
        media_type=XLSX,
        headers=attachment(filename),
    )
