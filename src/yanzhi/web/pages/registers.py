"""Pages: the registers (台账) — the list of registers and each register's entries with
its count per district; importing a register file for the roles that may write them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response

from yanzhi.services.access.scope import Scope
from yanzhi.views import registers as register_views
from yanzhi.web.api.common import YearQuery
from yanzhi.web.deps import ScopeDep, cache, engine, lang
from yanzhi.web.errors import ApiError, classify
from yanzhi.web.render import Table, page
from yanzhi.web.uploads import import_upload

router = APIRouter()

KIND = Path(..., min_length=1, max_length=64)


@router.get("/registers")
def registers(request: Request, scope: ScopeDep) -> Response:
    """Every register with the metrics it counts and the entries the user sees."""
    me = scope.principal
    found = cache(request).get(
        ("registers", me.role, me.unit),
        lambda: register_views.register_kinds(engine(request), scope),
    )
    rows = [r.model_dump() for r in found]
    en = lang(request) == "en"
    columns = [
        ("name", "台账", "Register"),
        ("entries", "条目数", "Entries"),
        ("metric_list", "计量的目标指标", "Target metrics counted"),
    ]
    if en:  # the code and the English name are for English readers (and the API)
        columns = [
            ("code", "代码", "Code"),
            *columns[:1],
            ("name_en", "英文名", "English name"),
            *columns[1:],
        ]
    table = Table(
        "registers",
        columns,
        [
            {
                **r,
                "metric_list": "; ".join(r["metric_names_en"])
                if en
                else "；".join(r["metric_names"]),
            }
            for r in rows
        ],
        title="registers",
        links={"name": "/registers/{code}"},
    )
    return page(request, "registers.html", data={"registers": rows}, tables=[table])


def _register_page(
    request: Request,
    scope: Scope,
    kind: str,
    *,
    unit: str | None = None,
    year: str | None = None,
    result: dict[str, Any] | None = None,
    error: Exception | None = None,
) -> Response:
    me = scope.principal
    key = ("register", kind, me.role, me.unit, unit, year)
    found = cache(request).get(
        key, lambda: register_views.register(engine(request), scope, kind, unit=unit, year=year)
    )
    data = found.model_dump()
    columns = [
        ("code", "编号", "Code"),
        ("name", "名称", "Name"),
        ("org_unit_name", "所在区划", "Org unit"),
        ("org_unit_code", "区划代码", "Unit code"),
    ]
    for f in data["fields"]:
        if f["code"] == "applicant_uscc":  # the applicant by name, its code beside it
            columns.append(("applicant_name", "申报单位", "Applicant"))
        columns.append((f"f_{f['code']}", f["zh"], f["en"]))
    if data["list_field"]:
        columns.append(("list_name", "所属清单", "List"))
    if data["marks_priority"]:
        columns.append(("priority_mark", "优先支持(研发投入>5%)", "Priority (R&D > 5 %)"))
    columns += [
        ("valid_from", "起始日期", "Valid from"),
        ("valid_to", "终止日期", "Valid to"),
        ("version", "版本", "Version"),
    ]
    table = Table(
        kind,
        columns,
        [e.row() | {"priority_mark": _mark(e.priority, lang(request))} for e in found.entries]
        if data["marks_priority"]
        else [e.row() for e in found.entries],
        title=kind,
        links={"org_unit_name": "/units/{org_unit_code}"},
    )
    err = classify(error) if error is not None else None
    return page(
        request,
        "register.html",
        data=data,
        tables=[table],
        table_id=kind,
        result=result,
        error=err,
        status=err.status if err else 200,
    )


MARKS = {True: ("是", "yes"), False: ("否", "no"), None: ("无法判定", "unknown")}


def _mark(priority: bool | None, lg: str) -> str:
    """Whether an applicant is on the priority list, in words (无法判定: missing data,
    not "no")."""
    zh, en = MARKS[priority]
    return en if lg == "en" else zh


@router.get("/registers/{kind}")
def register(
    request: Request,
    scope: ScopeDep,
    kind: str = KIND,
    unit: str | None = Query(None, max_length=12),
    year: str | None = YearQuery,
) -> Response:
    """A register's entries inside the user's scope, with its count per district."""
    return _register_page(request, scope, kind, unit=unit or None, year=year)


@router.post("/registers/{kind}/import")
def import_register(
    request: Request,
    scope: ScopeDep,
    kind: str = KIND,
    file: UploadFile = File(...),
    dry_run: str = Form(""),
) -> Response:
    """The import form: the register page with the import report, or the reason."""
    try:
        result = import_upload(engine(request), scope, kind, file, bool(dry_run))
    except (ApiError, ValueError) as exc:
        return _register_page(request, scope, kind, error=exc)
    return _register_page(request, scope, kind, result=result.model_dump())
