"""API: the registers (台账) — the list of registers, a register's entries and district
counts, and importing a register file. Every rule is in :mod:`yanzhi.views.registers`;
the pages under /registers call the same functions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile

from yanzhi.views import registers as register_views
from yanzhi.views.register_models import RegisterImport, RegisterPage, RegisterSummaryPage
from yanzhi.web.api.common import (
    ERRORS,
    YearQuery,
    cut_models,
    page_params,
    synthetic_data,
    table_params,
)
from yanzhi.web.deps import ScopeDep, cache, engine
from yanzhi.web.uploads import import_upload

router = APIRouter(tags=["registers"], responses=ERRORS)

KIND = Path(..., min_length=1, max_length=64, description="register code, e.g. scenario")


def _window(total: int, paging: tuple[int, int]) -> tuple[int, int]:
    page, size = paging
    start = (page - 1) * size
    return start, min(start + size, total)


@router.get("/registers", response_model=RegisterSummaryPage)
def list_registers(
    request: Request, scope: ScopeDep, paging: tuple[int, int] = Depends(page_params)
) -> RegisterSummaryPage:
    """The registers (台账), each with the plan metrics it counts and the number of entries
    the caller sees."""
    me = scope.principal
    rows = cache(request).get(
        ("registers", me.role, me.unit),
        lambda: register_views.register_kinds(engine(request), scope),
    )
    start, stop = _window(len(rows), paging)
    page, size = paging
    return RegisterSummaryPage(
        items=rows[start:stop],
        total=len(rows),
        page=page,
        size=size,
        synthetic=synthetic_data(request),
    )


@router.get("/registers/{kind}", response_model=RegisterPage)
def get_register(
    request: Request,
    scope: ScopeDep,
    kind: str = KIND,
    unit: str | None = Query(None, max_length=12, description="only entries inside this unit"),
    year: str | None = YearQuery,
    q: str | None = Query(None, max_length=100, description="text an entry contains"),
    _table: None = Depends(table_params),
) -> RegisterPage:
    """A register's entries inside the caller's scope (paginated ``items``), its fields and
    its count per district (entries in force at the end of ``year``). The entries are
    sorted, filtered and paged as on the page /registers/{kind} by ``sort``, ``order``,
    ``q``, ``page``, ``size`` or the page's ``{kind}.…`` parameters (a field as
    ``f_<code>``)."""
    data = register_views.register(engine(request), scope, kind, unit=unit, year=year)
    rest = data.model_dump(exclude={"entries"}) | {"synthetic": synthetic_data(request)}
    items, cut = cut_models(request, kind, data.entries, row=lambda e: e.row())
    return RegisterPage(
        **rest,
        items=items,
        total=cut.total,
        page=cut.page,
        size=cut.size,
    )


@router.post("/registers/{kind}/import", response_model=RegisterImport)
def import_register(
    request: Request,
    scope: ScopeDep,
    kind: str = KIND,
    file: UploadFile = File(
        ..., description="CSV, XLSX, XLS or tab-separated text with the register's headers"
    ),
    dry_run: bool = Form(False),
) -> RegisterImport:
    """Import a register file (admin, city analyst): all or nothing; an identical file
    changes nothing; a changed entry gets a new version. Errors are listed by row."""
    return import_upload(engine(request), scope, kind, file, dry_run)
