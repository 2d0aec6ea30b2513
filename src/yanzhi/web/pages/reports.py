"""Pages: reports (报告) — the files the user may download, with their choices; a download
link gives the file or, when it cannot be written, the error page with the reason. The
page calls the view layer (:mod:`yanzhi.views.reports.catalogue`) and the report writers
(:mod:`yanzhi.reports.files`) itself, sharing the API's cache keys."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from yanzhi.reports import files
from yanzhi.services.evaluation.evaluate import EvaluationResult
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import catalogue as downloads
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


@router.get("/reports/download/{kind}")
def download(
    request: Request,
    scope: ScopeDep,
    kind: str = Path(pattern=KIND_PATTERN),
    fmt: Literal["docx", "pdf", "xlsx"] = Query("docx", alias="format"),
    period: str | None = Query(None, max_length=32),
    year: int | None = Query(None, ge=1990, le=2100),
    level: Literal["township", "district"] | None = None,
    code: str | None = Query(None, max_length=20),
    unit: str | None = Query(None, max_length=64),
    uscc: str | None = Query(None, max_length=32),
) -> Response:
    """One report file as an attachment (the form's empty choices count as not given)."""
    args = {
        "period": period,
        "year": year,
        "level": level,
        "code": code,
        "unit": unit,
        "uscc": uscc,
    }
    args = {k: (v or None) if isinstance(v, str) else v for k, v in args.items()}
    eng = engine(request)
    resolved = downloads.resolve(eng, scope, kind, fmt, args)

    def evaluation(level: str, year: int) -> EvaluationResult:  # the API's cached one
        return evaluation_views.evaluation_result(eng, cache(request).get, scope, level, year)

    name, data = cache(request).get(
        ("report-file", resolved), lambda: files.build(eng, scope, resolved, evaluation=evaluation)
    )
    return Response(
        data,
        media_type=downloads.MEDIA[resolved.fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
