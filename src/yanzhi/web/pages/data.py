"""Pages: data reporting (数据报送) — upload with the validation report, the submission
workflow of the principal's townships and the completeness table."""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yanzhi.core.checkrules import CHECK_RULES, GROUPS_ZH
from yanzhi.core.dataformats import DATA_KINDS, MONEY_UNITS, field_help_zh
from yanzhi.services.collection.imports import ImportReport
from yanzhi.views import data as data_view
from yanzhi.views.data import Completeness, Submissions
from yanzhi.web.deps import ScopeDep, cache, engine, lang
from yanzhi.web.download import attachment
from yanzhi.web.render import XLSX, Table, page

router = APIRouter()

LEVELS = {"district": ("区县", "District"), "township": ("乡镇街道", "Township")}
ACTION_WORDS = {
    "submit": ("已上报", "submitted"),
    "approve": ("已审核锁定", "approved"),
    "unlock": ("已解锁", "unlocked"),
}


def _tables(found: Submissions, comp: Completeness) -> list[Table]:
    level_zh, level_en = LEVELS.get(comp.level, LEVELS["district"])
    completeness = Table(
        "completeness",
        [
            ("code", "代码", "Code"),
            ("name", level_zh, level_en),
            ("expected", "应报", "Expected"),
            ("received", "已报", "Received"),
            ("on_time", "按时", "On time"),
            ("late", "逾期", "Late"),
            ("missing", "未报", "Missing"),
            ("rate", "报送率", "Rate"),
            ("on_time_rate", "按时率", "On-time rate"),
            ("submission_zh", "本级报送", "Unit's submission"),
            ("status_zh", "状态", "Status"),
        ],
        [
            {**r.model_dump(), "rate": _pct(r.rate), "on_time_rate": _pct(r.on_time_rate)}
            for r in comp.items
        ],
        title="completeness",
        links={"name": "/units/{code}"},
    )
    submissions = Table(
        "submissions",
        [
            ("code", "代码", "Code"),
            ("name", "乡镇街道", "Township"),
            ("district_name", "区县", "District"),
            ("period", "报告期", "Period"),
            ("status_zh", "状态", "Status"),
            ("expected", "应报", "Expected"),
            ("received", "已报", "Received"),
            ("submitted_by", "上报人", "Submitted by"),
            ("submitted_at", "上报时间", "Submitted at"),
            ("approved_by", "审核人", "Approved by"),
            ("approved_at", "审核时间", "Approved at"),
            ("unlock_reason", "解锁原因", "Unlock reason"),
        ],
        [i.model_dump() for i in found.items],
        title="submissions",
    )
    return [completeness, submissions]


def _readable(report: ImportReport, language: str) -> dict[str, Any]:
    return {**report.to_dict(), **data_view.readable_issues(report, language).model_dump()}


def _pct(v: float | None) -> float | None:
    return None if v is None else round(100 * v, 1)


def _render(
    request: Request,
    scope: ScopeDep,
    *,
    period: str | None = None,
    level: str = "district",
    report: ImportReport | None = None,
    form: dict[str, Any] | None = None,
    done: dict[str, str] | None = None,
) -> Response:
    scope.require("read")
    eng = engine(request)
    m = cache(request).get
    found = data_view.submission_rows(eng, scope, period=period, memo=m)
    comp = data_view.completeness(eng, scope, period=found.period, level=level, memo=m)
    download = None
    if report is not None:
        content = data_view.report_xlsx(report, lang(request))
        download = f"data:{XLSX};base64," + base64.b64encode(content).decode("ascii")
    return page(
        request,
        "data.html",
        tables=_tables(found, comp),
        found=found,
        comp=comp,
        periods=data_view.recent_periods(eng, 8),
        can_import=scope.can("import"),
        can_list_nonreporters=scope.can("read_enterprises"),
        kinds=[(k, v.zh, v.en) for k, v in DATA_KINDS.items()],
        money_units=list(MONEY_UNITS),
        levels=LEVELS,
        report=None if report is None else _readable(report, lang(request)),
        report_download=download,
        report_columns=data_view.issue_head(lang(request)),
        form=form or {"kind": "rd", "period": "", "money_unit": ""},
        done=done,
    )


@router.get("/data")
def data_page(
    request: Request,
    scope: ScopeDep,
    period: Annotated[str | None, Query(max_length=32)] = None,
    level: Annotated[str, Query(pattern="^(district|township)$")] = "district",
    done: Annotated[str | None, Query(pattern="^(submit|approve|unlock)$")] = None,
    unit: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The data desk: upload form, the submissions of the user's townships, completeness."""
    notice = None
    if done and unit:
        zh, en = ACTION_WORDS[done]
        notice = {"action": done, "unit": unit, "zh": zh, "en": en}
    return _render(request, scope, period=period or None, level=level, done=notice)


@router.post("/data")
def upload(
    request: Request,
    scope: ScopeDep,
    kind: Annotated[str, Form(max_length=20)],
    file: Annotated[UploadFile, File()],
    period: Annotated[str, Form(max_length=32)] = "",
    money_unit: Annotated[str, Form(max_length=8)] = "",
    dry_run: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """The upload form: import (or only validate) and show the validation report."""
    report = data_view.upload(
        engine(request),
        scope,
        kind=kind,
        stream=file.file,
        filename=file.filename,
        period=period.strip() or None,
        money_unit=money_unit or None,
        dry_run=bool(dry_run),
    )
    form = {"kind": kind, "period": period, "money_unit": money_unit}
    return _render(request, scope, report=report, form=form)


@router.post("/data/submissions/{unit}/{period}/{action}")
def workflow(
    request: Request,
    scope: ScopeDep,
    unit: Annotated[str, Path(max_length=20)],
    period: Annotated[str, Path(max_length=32)],
    action: Annotated[str, Path(pattern="^(submit|approve|unlock)$")],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The per-row submit / approve / unlock buttons; back to /data with a notice."""
    done = data_view.act(engine(request), scope, action, unit=unit, period=period, reason=reason)
    target = "/data?" + urlencode({"period": done.period, "done": action, "unit": unit})
    return RedirectResponse(target, status_code=303)


@router.get("/data/help")
def data_help(request: Request, scope: ScopeDep) -> Response:
    """填报说明: the steps, every column of every template, periods, money units and every
    check a file goes through, read from the import formats and the check catalogue."""
    scope.require("read")
    kinds = [
        {
            "code": k.code,
            "zh": k.zh,
            "fields": [
                {"zh": f.zh, "unit": f.unit, "required": f.required, "help": field_help_zh(f)}
                for f in k.fields
            ],
        }
        for k in DATA_KINDS.values()
    ]
    groups = [(GROUPS_ZH[g], [r for r in CHECK_RULES.values() if r.group == g]) for g in GROUPS_ZH]
    return page(
        request,
        "data_help.html",
        kinds=kinds,
        check_groups=groups,
        money_units=list(MONEY_UNITS),
        can_import=scope.can("import"),
    )


@router.get("/data/templates/{kind}.xlsx")
def template(kind: Annotated[str, Path(max_length=32)], scope: ScopeDep) -> Response:
    """A blank import template (404 for an unknown kind)."""
    return Response(
        data_view.template_bytes(kind),
        media_type=XLSX,
        headers=attachment(f"{kind}.xlsx"),
    )
