"""API: the data exchange (数据交换) with the city's digital platform, format
``yanzhi-exchange/1`` (docs/exchange.md). Inbound: batches of enterprise R&D filings sent
with a machine token scoped to units (``yanzhi exchange token create``), idempotent by
batch id. Outbound: the indicator values as JSON or CSV, with an ETag and a cursor."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from yanzhi.core.errors import NotPermitted
from yanzhi.services.access import users
from yanzhi.services.access.scope import CITY_WIDE, Scope
from yanzhi.services.access.users import MachineToken
from yanzhi.services.exchange import feeds, inbound
from yanzhi.services.exchange.feeds import IndicatorFeed, ListFeed, StatusFeed
from yanzhi.services.exchange.inbound import BatchResult
from yanzhi.web.api.common import ERRORS
from yanzhi.web.deps import ScopeDep, cache, engine
from yanzhi.web.errors import ApiError

router = APIRouter(tags=["exchange"], responses=ERRORS)

Cell = str | int | float | bool | None


class FilingsIn(BaseModel):
    """A batch of filings: the sender's ``batch_id`` (the idempotency key), the
    year-to-date ``period`` and one object per enterprise with the fields of the R&D
    report (uscc, operating_revenue, rd_expense, … in 万元; docs/exchange.md)."""

    format: Literal["yanzhi-exchange/1"] = "yanzhi-exchange/1"
    batch_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
    period: str = Field(min_length=4, max_length=32, description="e.g. 2026-01..11")
    filings: list[dict[str, Cell]] = Field(min_length=1, max_length=200_000)


def machine(request: Request) -> MachineToken:
    """The machine account of the request's bearer token (401 without a valid one)."""
    header = request.headers.get("authorization", "")
    found = (
        users.machine_token(engine(request), header[7:].strip())
        if header.lower().startswith("bearer ")
        else None
    )
    if found is None:
        raise ApiError(
            401,
            "bad_token",
            "a machine token (yanzhi exchange token create) is required"
            " / 需要数据交换令牌（yanzhi exchange token create）",
        )
    return found


MachineDep = Annotated[MachineToken, Depends(machine)]


def _receive(request: Request, account: MachineToken, body: FilingsIn) -> BatchResult:
    result = inbound.receive(
        engine(request),
        account,
        batch_id=body.batch_id,
        period=body.period,
        filings=body.filings,
    )
    if not result.repeat:
        cache(request).bump()
    return result


@router.post("/exchange/filings", response_model=BatchResult)
def receive_filings(request: Request, account: MachineDep, body: FilingsIn) -> BatchResult:
    """Receive a batch of R&D filings, all or nothing, checked by the rules of a file
    import; the townships filed for are submitted (上报) for review. The same batch id
    with the same content again: 200 with the first result (``repeat``), nothing
    changed; with other content: 409. Rows outside the token's units: 403 naming them;
    other errors: 422 with every issue (row, column, value, rule, message_zh, message_en)."""
    return _receive(request, account, body)


@router.post("/exchange/filings.csv", response_model=BatchResult)
def receive_filings_csv(
    request: Request,
    account: MachineDep,
    batch_id: Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")],
    period: Annotated[str, Form(min_length=4, max_length=32)],
    file: Annotated[UploadFile, File(description="UTF-8 CSV, header: the filing field names")],
) -> BatchResult:
    """The same batch as a CSV upload: a header of the field names of the JSON format, one
    row per filing (an empty cell is a missing value). Same answers as the JSON form."""
    text = file.file.read().decode("utf-8-sig")
    rows: list[dict[str, Cell]] = [
        {k: (v if v != "" else None) for k, v in r.items() if k}
        for r in csv.DictReader(io.StringIO(text))
    ]
    return _receive(request, account, FilingsIn(batch_id=batch_id, period=period, filings=rows))


@router.get("/exchange/batches/{batch_id}", response_model=BatchResult)
def batch_status(request: Request, account: MachineDep, batch_id: str) -> BatchResult:
    """The status and counts of one of the token's batches (committed or rejected)."""
    return inbound.status(engine(request), account, batch_id)


@router.get(
    "/exchange/indicators",
    response_model=IndicatorFeed,
    responses={304: {"description": "not modified since the ETag sent"}},
)
def indicator_feed(
    request: Request,
    scope: ScopeDep,
    changes_since: Annotated[
        int, Query(ge=0, le=2**62, description="the cursor of the last answer (0: all)")
    ] = 0,
    period: Annotated[str | None, Query(max_length=32)] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json | csv")] = "json",
) -> Any:
    """The indicator values computed from approved data, stored after ``changes_since``
    (a period recomputed after an approval comes back whole). ``ETag`` on every answer;
    ``If-None-Match`` with it answers 304 while nothing changed (one query). City-wide
    accounts only."""
    _city_wide(scope)
    eng = engine(request)
    tag = feeds.feed_etag(eng, since=changes_since, period=period)

    def answer(as_csv: bool) -> str:
        feed = feeds.indicator_feed(eng, since=changes_since, period=period)
        return feeds.feed_csv(feed) if as_csv else feed.model_dump_json()

    return _tagged(request, tag, format, answer)


@router.get(
    "/exchange/lists/{name}",
    response_model=ListFeed,
    responses={304: {"description": "not modified since the ETag sent"}},
)
def list_feed(
    request: Request,
    scope: ScopeDep,
    name: Annotated[Literal["priority", "visit", "points"], Path(description="the list")],
    year: Annotated[int, Query(ge=2000, le=2100, description="the year of the list")],
    format: Annotated[Literal["json", "csv"], Query(description="json | csv")] = "json",
) -> Any:
    """A list (priority 重点企业, visit 走访, points 创新积分) of ``year``, computed from
    approved data, whole; ``ETag`` / ``If-None-Match`` → 304 while the data have not
    changed. City-wide accounts only."""
    _city_wide(scope)
    eng = engine(request)
    tag = feeds.list_etag(eng, name=name, year=year)

    def answer(as_csv: bool) -> str:
        feed = feeds.list_feed(eng, name=name, year=year, principal=scope.principal)
        return feeds.list_csv(feed) if as_csv else feed.model_dump_json()

    return _tagged(request, tag, format, answer)


@router.get(
    "/exchange/statuses",
    response_model=StatusFeed,
    responses={304: {"description": "not modified since the ETag sent"}},
)
def status_feed(
    request: Request,
    scope: ScopeDep,
    unit: Annotated[
        str | None, Query(max_length=32, description="one org unit (default: region and districts)")
    ] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json | csv")] = "json",
) -> Any:
    """The headline statuses — value, target, progress status, verdict with its reason,
    forecast and how complete the data are — of the region and each district (or of
    ``unit``), the same stored result as `yanzhi status` and the cockpit; ``ETag`` /
    ``If-None-Match`` → 304 while neither the data nor the day changed. City-wide
    accounts only."""
    _city_wide(scope)
    eng = engine(request)
    tag = feeds.status_etag(eng, unit=unit)

    def answer(as_csv: bool) -> str:
        feed = feeds.status_feed(eng, unit=unit)
        return feeds.status_csv(feed) if as_csv else feed.model_dump_json()

    return _tagged(request, tag, format, answer)


def _tagged(request: Request, tag: str, format: str, answer: Callable[[bool], str]) -> Response:
    """304 when the client holds ``tag`` (per format), else the JSON or CSV of ``answer``
    (computed only then), with the ETag."""
    tag = f'{tag[:-1]}-{format}"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    if format == "csv":
        return Response(answer(True), media_type="text/csv; charset=utf-8", headers={"ETag": tag})
    return Response(answer(False), media_type="application/json", headers={"ETag": tag})


def _city_wide(scope: Scope) -> None:
    if scope.role not in CITY_WIDE:
        raise NotPermitted("the feeds are for city-wide accounts", "数据交换数据仅对全市账号开放")
