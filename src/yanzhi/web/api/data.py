"""API: data reporting (数据报送) — uploads with their validation report, the submit →
approve → unlock workflow, completeness and the blank import templates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from yanzhi.core.dataformats import DATA_KINDS
from yanzhi.core.issues import InputRejected
from yanzhi.services.access.principal import Principal
from yanzhi.services.collection.imports import ImportReport
from yanzhi.views import data as data_desk
from yanzhi.web.api.common import ERRORS, page_params, paginate
from yanzhi.web.deps import engine, principal, tree
from yanzhi.web.render import XLSX

router = APIRouter(tags=["data"], responses=ERRORS)

KIND_PATTERN = "^(" + "|".join(DATA_KINDS) + ")$"
KINDS_HELP = " | ".join(DATA_KINDS)
MoneyUnit = Literal["元", "千元", "万元", "亿元"]
UnitPath = Annotated[str, Path(min_length=1, max_length=20, description="org unit code")]
PeriodPath = Annotated[
    str, Path(min_length=4, max_length=32, description="year-to-date period, e.g. 2024-01..05")
]
PeriodQuery = Annotated[
    str | None,
    Query(max_length=32, description="year-to-date period (default: the newest)"),
]


class UnlockIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="why the data must change")


def run_upload(
    request: Request,
    me: Principal,
    *,
    kind: str,
    file: UploadFile,
    period: str | None,
    money_unit: str | None,
    dry_run: bool,
) -> ImportReport:
    """The upload as the pages and the API both run it."""
    return data_desk.upload(
        engine(request),
        me,
        tree(request),
        kind=kind,
        stream=file.file,
        filename=file.filename,
        period=(period or "").strip() or None,
        money_unit=money_unit or None,
        dry_run=dry_run,
    )


@router.post("/data/imports")
def import_data(
    request: Request,
    kind: Annotated[str, Form(pattern=KIND_PATTERN, description=KINDS_HELP)],
    file: Annotated[UploadFile, File(description="CSV (UTF-8 / GBK / GB18030) or XLSX")],
    period: Annotated[
        str | None, Form(max_length=32, description="period for a file without a period column")
    ] = None,
    money_unit: Annotated[
        MoneyUnit | None, Form(description="money unit when the header has none")
    ] = None,
    dry_run: Annotated[bool, Form(description="validate only, store nothing")] = False,
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Import (or with ``dry_run`` only validate) a data file, all or nothing. 200 with
    the report (ok, rows, created, changed, errors, warnings) when it passes; 422 with the
    issues (file, sheet, row, column, value, rule, message_zh, message_en) as
    ``error.details`` when refused. A scoped officer may send only rows of their own
    units (rule ``out_of_scope``)."""
    report = run_upload(
        request,
        me,
        kind=kind,
        file=file,
        period=period,
        money_unit=money_unit,
        dry_run=dry_run,
    )
    if not report.ok:
        raise InputRejected(report.errors + report.warnings, what=report.file)
    return report.to_dict()


def _act(
    request: Request, me: Principal, action: str, unit: str, period: str, reason: str | None = None
) -> dict[str, Any]:
    return data_desk.act(
        engine(request), me, tree(request), action, unit=unit, period=period, reason=reason
    )


@router.post("/data/submissions/{unit}/{period}/submit")
def submit(
    request: Request, unit: UnitPath, period: PeriodPath, me: Principal = Depends(principal)
) -> dict[str, Any]:
    """Submit a township's (or every township of a district's) data for a period
    (township or district officer within their scope, admin)."""
    return _act(request, me, "submit", unit, period)


@router.post("/data/submissions/{unit}/{period}/approve")
def approve(
    request: Request, unit: UnitPath, period: PeriodPath, me: Principal = Depends(principal)
) -> dict[str, Any]:
    """Approve and lock submitted data (city analyst, admin); the indicators of the
    period are recomputed from the approved data at once."""
    return _act(request, me, "approve", unit, period)


@router.post("/data/submissions/{unit}/{period}/unlock")
def unlock(
    request: Request,
    unit: UnitPath,
    period: PeriodPath,
    body: UnlockIn,
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Unlock approved data with a reason (admin only); it returns to draft."""
    return _act(request, me, "unlock", unit, period, body.reason)


@router.get("/data/submissions")
def list_submissions(
    request: Request,
    period: PeriodQuery = None,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """The townships the caller may see with their submission status for a period,
    completeness, who submitted / approved / unlocked, and what the caller may do."""
    found = data_desk.submission_rows(engine(request), me, tree(request), period=period)
    return {**paginate(found["items"], params), "period": found["period"]}


@router.get("/data/completeness")
def completeness(
    request: Request,
    period: PeriodQuery = None,
    level: Annotated[
        Literal["township", "district", "city"], Query(description="township | district | city")
    ] = "district",
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """Reporting completeness (expected, received, on time, status) by unit of ``level``,
    within the caller's scope."""
    found = data_desk.completeness(engine(request), me, tree(request), period=period, level=level)
    return {**paginate(found["items"], params), "period": found["period"], "level": level}


@router.get(
    "/data/templates/{kind}",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "the template workbook"}},
)
def template(
    kind: Annotated[str, Path(max_length=32, description=KINDS_HELP)],
    me: Principal = Depends(principal),
) -> Response:
    """The blank import template of ``kind`` (.xlsx with Chinese headers, units and
    drop-down lists)."""
    return xlsx_download(data_desk.template_bytes(kind), f"{kind}.xlsx")


def xlsx_download(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
