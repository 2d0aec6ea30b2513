"""Pages: reports (报告) — the files the user may download, with their choices; a download
link gives the file or, when it cannot be written, the error page with the reason. The
page calls the view layer (:mod:`yanzhi.views.reports.catalogue`) and the report writers
(:mod:`yanzhi.reports.files`) itself, sharing the API's cache keys."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from yanzhi.reports import render_html
from yanzhi.views.reports import catalogue as downloads
from yanzhi.web import reportfiles
from yanzhi.web.deps import ScopeDep, cache, engine
from yanzhi.web.render import page

router = APIRouter()
KIND_PATTERN = "^(" + "|".join(downloads.KINDS) + ")$"


@router.get("/reports")
def reports(request: Request, scope: ScopeDep) -> Response:
    """The reports the user may download, one card per kind with its choices."""
    me = scope.principal
    key = ("report-catalogue", me.role, me.unit, me.enterprise)
    items = cache(request).get(key, lambda: downloads.catalogue(engine(request), scope))
    return page(request, "reports.html", items=items)


def report_args(
    period: str | None = Query(None, max_length=32),
    year: int | None = Query(None, ge=1990, le=2100),
    level: Literal["township", "district"] | None = None,
    code: str | None = Query(None, max_length=20),
    unit: str | None = Query(None, max_length=64),
    uscc: str | None = Query(None, max_length=32),
) -> dict[str, Any]:
    """A report's choices as the form sends them."""
    return {
        "period": period,
        "year": year,
        "level": level,
        "code": code,
        "unit": unit,
        "uscc": uscc,
    }


@router.get("/reports/download/{kind}")
def download(
    request: Request,
    scope: ScopeDep,
    kind: str = Path(pattern=KIND_PATTERN),
    fmt: Literal["docx", "pdf", "xlsx"] = Query("docx", alias="format"),
    args: dict[str, Any] = Depends(report_args),
) -> Response:
    """One report file as an attachment."""
    resolved = reportfiles.resolve(request, scope, kind, fmt, args)
    return reportfiles.file_response(request, scope, resolved)


@router.get("/reports/preview/{kind}")
def preview(
    request: Request,
    scope: ScopeDep,
    kind: str = Path(pattern=KIND_PATTERN),
    args: dict[str, Any] = Depends(report_args),
    fmt: str | None = Query(None, alias="format", max_length=8),
) -> Response:
    """The document as a web page before it is downloaded: the same content as every file
    of it (the PDF is printed from the same HTML), with links to each format."""
    del fmt  # the form's format choice: the preview is the same for every format
    formats = downloads.report_kind(kind).formats
    resolved = reportfiles.resolve(request, scope, kind, formats[0], args)
    content = reportfiles.preview_html(request, scope, resolved)
    query = urlencode(
        {k: v for k, v in resolved.arguments().items() if v is not None and k in args}
    )
    return page(
        request,
        "report_preview.html",
        kind=kind,
        name=downloads.report_kind(kind).zh,
        content=Markup(content),
        formats=formats,
        query=query,
    )


@router.get("/reports/document.css")
def document_css() -> Response:
    """The style sheet of the previews (the PDF's, without its page rules)."""
    return Response(render_html.css(print_=False), media_type="text/css")
