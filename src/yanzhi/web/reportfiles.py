"""Report files for the API and the pages alike: a request is checked once
(:func:`yanzhi.views.reports.catalogue.resolve`), its data read once per data version and
kept for every format and the preview (``report-data``), each file written once
(``report-file``) — all in the app's view cache, which any write clears."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from yanzhi.reports import files, render_html
from yanzhi.reports.files import Loaded
from yanzhi.services.access.scope import Scope
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import catalogue as downloads
from yanzhi.views.reports.catalogue import ReportRequest
from yanzhi.web.deps import cache, engine
from yanzhi.web.download import attachment


def resolve(
    request: Request, scope: Scope, kind: str, fmt: str, args: dict[str, Any]
) -> ReportRequest:
    """The checked request; a form's empty choices count as not given."""
    args = {k: (v or None) if isinstance(v, str) else v for k, v in args.items()}
    return downloads.resolve(engine(request), scope, kind, fmt, args)


def _data(request: Request, scope: Scope, resolved: ReportRequest) -> Loaded:
    eng = engine(request)

    def evaluation(level: str, year: int) -> Any:  # the API's cached evaluation
        return evaluation_views.evaluation_result(eng, cache(request).get, scope, level, year)

    key = ("report-data", resolved.kind, resolved.args)
    return cache(request).get(key, lambda: files.load(eng, scope, resolved, evaluation=evaluation))


def file_response(request: Request, scope: Scope, resolved: ReportRequest) -> Response:
    """The file of a checked request as an attachment (written once, then from the cache)."""
    name, data = cache(request).get(
        ("report-file", resolved),
        lambda: files.build(_data(request, scope, resolved), resolved.fmt),
    )
    return Response(data, media_type=downloads.MEDIA[resolved.fmt], headers=attachment(name))


def preview_html(request: Request, scope: Scope, resolved: ReportRequest) -> str:
    """The document of a checked request as an HTML fragment (the PDF's HTML)."""
    return cache(request).get(
        ("report-preview", resolved.kind, resolved.args),
        lambda: render_html.preview(files.document(_data(request, scope, resolved))),
    )
