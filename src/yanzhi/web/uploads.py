"""Uploads shared by the task and register pages and API: a progress report read from a
JSON body or a form with evidence files, uploads saved to a temporary folder (cut at a
size limit), a register file imported, and an evidence file sent back as a download."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Engine
from starlette.datastructures import UploadFile
from starlette.requests import Request

from yanzhi.ingest.evidence import max_bytes
from yanzhi.services.access.scope import Scope
from yanzhi.views import registers as register_views
from yanzhi.views import task_writes
from yanzhi.views.register_models import RegisterImport
from yanzhi.views.task_models import EvidenceFile, TaskReport
from yanzhi.web.deps import form_of
from yanzhi.web.errors import ApiError, invalid_request
from yanzhi.web.limits import limit_for


class ReportIn(BaseModel):
    """A progress report as the API and the task page send it."""

    status: str = Field(
        min_length=1, max_length=32, description="未启动|正常推进|滞后|已完成|暂缓 or the codes"
    )
    progress: float = Field(ge=0, le=100, description="percent complete, 0–100")
    period: str | None = Field(None, max_length=16, description="e.g. 2026Q4 (default: now)")
    note: str | None = Field(None, max_length=5000, description="narrative / 进展说明")
    delay_reason: str | None = Field(None, max_length=2000, description="why it is late")


def report_openapi() -> dict[str, Any]:
    """The request body of a report in the OpenAPI document: JSON, or a form with files."""
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
    return invalid_request(exc.errors())


async def read_report(request: Request) -> tuple[ReportIn, list[UploadFile]]:
    """A report from a JSON body or a form (multipart, with evidence files)."""
    ctype = request.headers.get("content-type", "")
    files: list[UploadFile] = []
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await form_of(request)
        fields: Any = {k: v for k, v in form.items() if isinstance(v, str) and v.strip() != ""}
        files = [f for f in form.getlist("evidence") if isinstance(f, UploadFile) and f.filename]
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


def save_uploads(files: list[UploadFile], folder: Path, limit: int) -> list[Path]:
    """Write uploads under ``folder`` by their own (base) names, each cut at ``limit`` + 1
    bytes so an oversized file is refused by the checks without filling the disk."""
    out = []
    for i, f in enumerate(files):
        name = Path((f.filename or "").replace("\\", "/")).name.strip() or "upload"
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
    engine: Engine, scope: Scope, code: str, body: ReportIn, files: list[UploadFile]
) -> TaskReport:
    """Store a report with its evidence files (checked by :func:`views.tasks.report`)."""
    with tempfile.TemporaryDirectory(prefix="yz-evidence-") as tmp:
        paths = save_uploads(files, Path(tmp), max_bytes())
        return task_writes.report(
            engine,
            scope,
            code,
            status=body.status,
            progress=body.progress,
            period=body.period,
            note=body.note,
            delay_reason=body.delay_reason,
            evidence=paths,
        )


def import_upload(
    engine: Engine, scope: Scope, kind: str, upload: UploadFile, dry_run: bool
) -> RegisterImport:
    """Import an uploaded register file; a rejected file is an ``input_rejected`` error
    listing the problems by row (nothing stored)."""
    with tempfile.TemporaryDirectory(prefix="yz-register-") as tmp:
        (path,) = save_uploads([upload], Path(tmp), limit_for("/registers/x/import")[1])
        rep = register_views.import_register(engine, scope, kind, path, dry_run=dry_run)
    if not rep.ok:
        raise ApiError(
            422,
            "input_rejected",
            f"{rep.file}: {len(rep.errors)} error(s), nothing was stored / 有错误, 未写入",
            rep.errors,
        )
    return rep


def with_urls(rows: list[TaskReport], code: str, prefix: str) -> list[TaskReport]:
    """History rows with a download address for each evidence file."""
    return [
        r.model_copy(
            update={
                "evidence": [
                    e.model_copy(update={"url": f"{prefix}/tasks/{code}/evidence/{e.sha256}"})
                    for e in r.evidence
                ]
            }
        )
        for r in rows
    ]


def evidence_response(found: EvidenceFile) -> FileResponse:
    """The file as a download, never shown inline or sniffed into something runnable."""
    return FileResponse(
        found.path,
        media_type=found.mime,
        filename=found.file_name,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
