"""Page: draft a plan file from a policy document (admins only, /admin/plan-draft) — upload
the document, review the source text beside the extracted plan (each element linked to
its sentence), correct the YAML, and load it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from yanzhi.core.issues import InputRejected
from yanzhi.services.access.principal import Principal
from yanzhi.services.plan.draft import draft_from_bytes
from yanzhi.views import plandraft as view
from yanzhi.web.deps import engine
from yanzhi.web.pages.admin import admin_only
from yanzhi.web.render import page

router = APIRouter(prefix="/admin/plan-draft", dependencies=[Depends(admin_only)])


def _page(request: Request, **extra: Any) -> Response:
    status = 422 if extra.get("problems") else 200
    return page(request, "admin_plan_draft.html", tab="plan-draft", status=status, **extra)


@router.get("")
def upload_page(request: Request) -> Response:
    """The upload form."""
    return _page(request)


@router.post("")
def draft_upload(request: Request, document: UploadFile = File(...)) -> Response:
    """Draft the uploaded document and show it for review."""
    name = document.filename or "document"
    try:
        result = draft_from_bytes(document.file.read(), name)
    except InputRejected as exc:
        return _page(request, problems=view.problems_zh(exc.issues), name=name)
    return _page(request, draft=view.draft_view(result))


@router.post("/load")
def load_draft(
    request: Request,
    yaml_text: str = Form(..., max_length=2_000_000),
    me: Principal = Depends(admin_only),
) -> Response:
    """Validate the corrected draft and load it; on errors, show them with the text."""
    outcome = view.load_draft_yaml(engine(request), yaml_text, me.name)
    if outcome.problems:
        return _page(request, problems=outcome.problems, yaml_text=yaml_text)
    return _page(request, loaded=outcome.result, loaded_title=outcome.title)
