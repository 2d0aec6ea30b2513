"""Pages: 未报企业 on the data desk — the non-reporters of a period in the caller's
townships, the 催报 form (checkboxes, CSRF-protected POST) and the Excel download."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.reports import nonreporters as workbook
from yanzhi.views import nonreporters as view
from yanzhi.views.data import recent_periods
from yanzhi.web.deps import ScopeDep, engine
from yanzhi.web.download import attachment
from yanzhi.web.render import XLSX, Table, page, query_table

COLUMNS = [
    ("name", "企业名称", "Enterprise"),
    ("uscc", "统一社会信用代码", "USCC"),
    ("township_name", "乡镇（街道）", "Township"),
    ("industry", "行业", "Industry"),
    ("last_period", "最近报送期", "Last reported"),
    ("contact_person", "联系人", "Contact"),
    ("contact_phone", "联系电话", "Telephone"),
    ("contact", "电子邮箱", "E-mail"),
    ("reminders", "已催报(次)", "Reminded"),
    ("last_reminded_at", "最近催报", "Last reminder"),
]


def _table(found: view.NonReporters) -> Table:
    """The list as a table: sorted, filtered and paged by ``?nonreporters.…``."""
    rows = [i.model_dump() for i in found.items]
    return Table("nonreporters", COLUMNS, rows, title="nonreporters")


router = APIRouter()

PeriodQuery = Annotated[str | None, Query(max_length=32)]
UnitQuery = Annotated[str | None, Query(max_length=20)]


@router.get("/data/nonreporters")
def nonreporters(
    request: Request,
    scope: ScopeDep,
    period: PeriodQuery = None,
    unit: UnitQuery = None,
    sent: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The non-reporters with their reminders; ``sent`` is the notice after a 催报."""
    eng = engine(request)
    found = view.nonreporter_list(eng, scope, period=period or None, unit=unit or None)
    return page(
        request,
        "nonreporters.html",
        found=found,
        periods=recent_periods(eng, 8),
        sent=sent,
        tables=[_table(found)],
    )


@router.get("/data/nonreporters.xlsx")
def download(
    request: Request, scope: ScopeDep, period: PeriodQuery = None, unit: UnitQuery = None
) -> Response:
    """The list as an Excel workbook (说明 + 未报企业名单) for telephone follow-up: all the
    rows the page's ``?nonreporters.…`` filter keeps, in its order."""
    found = view.nonreporter_list(engine(request), scope, period=period or None, unit=unit or None)
    kept = query_table(request, _table(found)).pager
    if kept is not None:
        found = found.model_copy(
            update={"items": [view.NonReporterItem(**r) for r in kept.cut.matched]}
        )
    synthetic = bool(getattr(request.app.state, "synthetic", False))
    return Response(
        workbook.workbook(found, synthetic=synthetic),
        media_type=XLSX,
        headers=attachment(workbook.filename(found)),
    )


@router.post("/data/nonreporters/remind")
def remind(
    request: Request,
    scope: ScopeDep,
    uscc: Annotated[list[str], Form(max_length=1000)],
    period: Annotated[str, Form(max_length=32)] = "",
    unit: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Send 催报 reminders to the checked enterprises; back to the list with a notice."""
    done = view.remind(engine(request), scope, period=period or None, usccs=uscc)
    query = {"period": done.period, "sent": len(done.reminded)}
    if unit:
        query["unit"] = unit
    return RedirectResponse("/data/nonreporters?" + urlencode(query), status_code=303)
