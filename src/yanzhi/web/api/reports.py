"""API: report files (issue #9) — what the caller may download, and the files themselves,
written by the same code as ``yanzhi report …`` (:mod:`yanzhi.views.reports.catalogue` decides
who may have which; :mod:`yanzhi.reports.files` writes them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from yanzhi.services.access.scope import Scope
from yanzhi.views.reports import catalogue as downloads
from yanzhi.views.reports.catalogue import ReportEntry
from yanzhi.web import reportfiles
from yanzhi.web.api.common import ERRORS, page_params, synthetic_data
from yanzhi.web.deps import ScopeDep, cache, engine

router = APIRouter(tags=["reports"], responses=ERRORS)

KIND_PATTERN = "^(" + "|".join(downloads.KINDS) + ")$"
KINDS_HELP = " | ".join(downloads.KINDS)
FormatName = Literal["docx", "pdf", "xlsx"]


class ReportCatalogue(BaseModel):
    """A page of the report kinds the caller may download."""

    items: list[ReportEntry]
    total: int
    page: int
    size: int
    synthetic: bool = False  # the database holds generated (demo) data


def catalogue_data(request: Request, scope: Scope) -> list[ReportEntry]:
    """The catalogue of what the scope's principal may download (cached per role, unit,
    enterprise)."""
    me = scope.principal
    key = ("report-catalogue", me.role, me.unit, me.enterprise)
    return cache(request).get(key, lambda: downloads.catalogue(engine(request), scope))


def report_file(
    request: Request, scope: Scope, kind: str, fmt: str, args: dict[str, Any]
) -> Response:
    """Check, then write (or take from the cache) the file, sent as an attachment."""
    return reportfiles.file_response(
        request, scope, reportfiles.resolve(request, scope, kind, fmt, args)
    )


@router.get("/reports", response_model=ReportCatalogue)
def catalogue(
    request: Request,
    scope: ScopeDep,
    params: tuple[int, int] = Depends(page_params),
) -> ReportCatalogue:
    """The reports the caller may download: kind, name, formats, parameters and their
    choices (the periods with data, the years, the districts or units in the caller's
    scope). Monthly bulletin and evaluation report: city-wide roles and city leaders;
    district report: those and the district's own users; supervision: the tasks the caller
    sees; diagnosis: an enterprise's own user and the officers whose scope holds it."""
    items = catalogue_data(request, scope)
    page, size = params
    start = (page - 1) * size
    return ReportCatalogue(
        items=items[start : start + size],
        total=len(items),
        page=page,
        size=size,
        synthetic=synthetic_data(request),
    )


@router.get(
    "/reports/{kind}",
    response_class=Response,
    responses={
        200: {
            "description": "the file (docx, pdf or xlsx) as an attachment",
            "content": {media: {} for media in downloads.MEDIA.values()},
        }
    },
)
def download(
    request: Request,
    scope: ScopeDep,
    kind: Annotated[str, Path(pattern=KIND_PATTERN, description=KINDS_HELP)],
    fmt: Annotated[FormatName, Query(alias="format", description="docx | pdf | xlsx")] = "docx",
    period: Annotated[
        str | None,
        Query(max_length=32, description="monthly: 2024-11 or 2024-01..11; supervision: 2026Q4"),
    ] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="evaluation, district")] = None,
    level: Annotated[
        Literal["township", "district"] | None, Query(description="evaluation")
    ] = None,
    code: Annotated[str | None, Query(max_length=20, description="district: its code")] = None,
    unit: Annotated[str | None, Query(max_length=64, description="supervision: one unit")] = None,
    uscc: Annotated[str | None, Query(max_length=32, description="diagnosis: the USCC")] = None,
) -> Response:
    """One report file, as an attachment. Defaults: the newest period or year with data;
    the evaluation at township level. A period without approved data: 404 with the reason;
    a report outside the caller's rights: 403; a format the report has not: 400."""
    args = {
        "period": period,
        "year": year,
        "level": level,
        "code": code,
        "unit": unit,
        "uscc": uscc,
    }
    return report_file(request, scope, kind, fmt, args)
