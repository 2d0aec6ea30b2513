"""Pages: reports (报告) — the files the user may download, with their choices; a download
link gives the file or, when it cannot be written, the error page with the reason."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from yanzhi.services.access.principal import Principal
from yanzhi.web.api.reports import catalogue_data, report_file
from yanzhi.web.deps import principal
from yanzhi.web.render import page

router = APIRouter()


@router.get("/reports")
def reports(request: Request, me: Principal = Depends(principal)) -> Response:
    return page(request, "reports.html", items=catalogue_data(request, me))


@router.get("/reports/download/{kind}")
def download(
    request: Request,
    kind: Literal["monthly", "evaluation", "district", "supervision", "diagnosis"],
    fmt: Literal["docx", "pdf", "xlsx"] = Query("docx", alias="format"),
    period: str | None = Query(None, max_length=32),
    year: int | None = Query(None, ge=1990, le=2100),
    level: Literal["township", "district"] | None = None,
    code: str | None = Query(None, max_length=20),
    unit: str | None = Query(None, max_length=64),
    uscc: str | None = Query(None, max_length=32),
    me: Principal = Depends(principal),
) -> Response:
    args = {
        "period": period,
        "year": year,
        "level": level,
        "code": code,
        "unit": unit,
        "uscc": uscc,
    }
    args = {k: (v or None) if isinstance(v, str) else v for k, v in args.items()}
    return report_file(request, me, kind, fmt, args)
