"""Outbound feeds for a dashboard that polls (e.g. the province's): the indicator values
computed from approved data, with a cursor (``changes_since``) and an ETag (the data
generation and the question), as JSON rows or CSV; the headline statuses (value, target,
progress status, verdict with its reason, forecast) of the region and its districts; and
the enterprise lists."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services import stored
from yanzhi.services.access.principal import Principal
from yanzhi.services.database import data_generation, require_schema
from yanzhi.services.enterprises import lists
from yanzhi.services.enterprises.results import PointsRow, PriorityRow, VisitRow
from yanzhi.services.plan.orgunits import list_units
from yanzhi.storage import exchange as store
from yanzhi.storage.db import transaction

FEED_COLUMNS = (
    "indicator",
    "level",
    "unit_code",
    "industry_division",
    "period",
    "value",
    "numerator",
    "denominator",
    "n_enterprises",
    "source",
    "synthetic",
    "row_id",
)


class IndicatorRow(BaseModel):
    """One indicator value of the feed (missing stays ``None``, never zero)."""

    indicator: str
    level: str
    unit_code: str
    industry_division: str
    period: str
    value: float | None
    numerator: float | None
    denominator: float | None
    n_enterprises: int | None
    source: str
    synthetic: bool
    row_id: int


class IndicatorFeed(BaseModel):
    """The rows stored after ``since`` (all for 0); ``cursor`` is what to send as
    ``changes_since`` next time (``feed_etag`` is its ETag)."""

    format: str
    since: int
    cursor: int
    generation: str
    synthetic: bool
    items: list[IndicatorRow]


def etag_of(*parts: object) -> str:
    """A strong ETag for the data generation and the question."""
    text = json.dumps(list(parts), default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def feed_etag(engine: Engine, *, since: int, period: str | None) -> str:
    """The ETag of the feed's answer, from the data generation alone (no rows read): a
    poller's ``If-None-Match`` with it costs one query."""
    require_schema(engine)
    return etag_of("indicators/1", data_generation(engine), since, period or "")


def indicator_feed(engine: Engine, *, since: int = 0, period: str | None = None) -> IndicatorFeed:
    """The indicator values stored after row ``since`` (a period recomputed after an
    approval is stored anew, so all its values come back), of ``period`` if given."""
    require_schema(engine)
    generation = data_generation(engine)
    with transaction(engine) as session:
        rows = store.indicator_rows(session, since=since, period=period)
        cursor = store.indicator_cursor(session)
    items = [
        IndicatorRow(
            indicator=r.indicator,
            level=r.level,
            unit_code=r.unit_code,
            industry_division=r.industry_division,
            period=r.period,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            n_enterprises=r.n_enterprises,
            source=r.source,
            synthetic=bool(r.synthetic),
            row_id=r.id,
        )
        for r in rows
    ]
    return IndicatorFeed(
        format="yanzhi-exchange/1",
        since=since,
        cursor=cursor,
        generation=".".join(str(g) for g in generation),
        synthetic=any(i.synthetic for i in items),
        items=items,
    )


def feed_csv(feed: IndicatorFeed) -> str:
    """The feed as CSV: comment lines (format, cursor, generation, and 演示数据 / synthetic
    when any row is generated) and one row per value; an empty cell is a missing value."""
    out = io.StringIO()
    out.write(f"# format={feed.format} cursor={feed.cursor} generation={feed.generation}\n")
    if feed.synthetic:
        out.write("# 演示数据 synthetic=true: rows marked synthetic are generated, not real\n")
    w = csv.writer(out)
    w.writerow(FEED_COLUMNS)
    for item in feed.items:
        d = item.model_dump()
        w.writerow(["" if d[c] is None else d[c] for c in FEED_COLUMNS])
    return out.getvalue()


ListRow = PriorityRow | VisitRow | PointsRow
LISTS: dict[str, Callable[..., Sequence[ListRow]]] = {
    "priority": lists.priority,
    "visit": lists.visit,
    "points": lists.points,
}
"""The lists the exchange serves (重点企业 5 %, 走访, 创新积分), by name."""


class ListFeed(BaseModel):
    """A list of ``year`` as it stands at data ``generation`` (a list is recomputed whole:
    poll it with its ETag)."""

    format: str
    name: str
    year: int
    generation: str
    synthetic: bool
    items: list[ListRow]


def list_etag(engine: Engine, *, name: str, year: int) -> str:
    """The ETag of a list's answer, from the data generation alone (no rows read)."""
    require_schema(engine)
    return etag_of("lists/1", data_generation(engine), name, year)


def list_feed(engine: Engine, *, name: str, year: int, principal: Principal) -> ListFeed:
    """The list ``name`` (``LISTS``) of ``year`` as ``principal`` may see it."""
    generation = data_generation(engine)
    rows = LISTS[name](engine, year=year, principal=principal)
    return ListFeed(
        format="yanzhi-exchange/1",
        name=name,
        year=year,
        generation=".".join(str(g) for g in generation),
        synthetic=lists.is_synthetic(rows),
        items=list(rows),
    )


def list_csv(feed: ListFeed) -> str:
    """The list as CSV, comment lines first as ``feed_csv``'s; an empty cell is missing."""
    out = io.StringIO()
    out.write(f"# format={feed.format} list={feed.name} year={feed.year}"
              f" generation={feed.generation}\n")  # fmt: skip
    if feed.synthetic:
        out.write("# 演示数据 synthetic=true: rows marked synthetic are generated, not real\n")
    _write_rows(out, [r.model_dump() for r in feed.items])
    return out.getvalue()


def _write_rows(out: io.StringIO, dumped: Sequence[dict[str, object]]) -> None:
    """A header of the rows' keys, then the rows; an empty cell is a missing value."""
    columns = list(dumped[0]) if dumped else []
    w = csv.writer(out)
    w.writerow(columns)
    for d in dumped:
        w.writerow(["" if d[c] is None else d[c] for c in columns])


class StatusRow(BaseModel):
    """One headline indicator of one unit, as `yanzhi status` and the indicator page show
    it (the same stored result): missing stays ``None``, never zero."""

    unit_code: str
    unit_name: str
    level: str
    indicator: str
    name: str
    unit: str
    year: int | None
    value: float | None
    target: float | None
    target_year: int | None
    status: str | None
    status_zh: str | None
    verdict: str | None
    verdict_zh: str | None
    verdict_reason_zh: str | None
    forecast: float | None
    forecast_lower80: float | None
    forecast_upper80: float | None
    probability_meeting_target: float | None
    data_complete: bool | None
    coverage_zh: str | None
    synthetic: bool


class StatusFeed(BaseModel):
    """The headline statuses at data ``generation`` (and the day: a verdict depends on
    it), of the region and its districts, or of one unit; whole — poll with its ETag."""

    format: str
    generation: str
    as_of: str  # the day the verdicts were judged on
    synthetic: bool
    items: list[StatusRow]


def status_etag(engine: Engine, *, unit: str | None) -> str:
    """The ETag of a status answer: the data generation and the day, no rows read."""
    require_schema(engine)
    return etag_of("statuses/1", stored.generation_key(engine), unit or "")


def status_feed(engine: Engine, *, unit: str | None = None) -> StatusFeed:
    """The headline statuses of ``unit``, or of the region and each of its districts."""
    require_schema(engine)
    codes: list[str | None] = [unit] if unit else [None]
    if not unit:
        codes += [u.code for u in list_units(engine, level="district")]
    items = [
        _status_row(result["unit"], ind)
        for code in codes
        for result in [stored.headline_status(engine, unit=code).payload]
        for ind in result["indicators"]
    ]
    return StatusFeed(
        format="yanzhi-exchange/1",
        generation=".".join(str(g) for g in data_generation(engine)),
        as_of=dt.date.today().isoformat(),
        synthetic=any(i.synthetic for i in items),
        items=items,
    )


def _status_row(unit: dict[str, Any], ind: dict[str, Any]) -> StatusRow:
    forecast = ind.get("forecast") or {}
    coverage = ind.get("coverage") or {}
    return StatusRow(
        unit_code=unit["code"],
        unit_name=unit["name"],
        level=unit["level"],
        indicator=ind["indicator"],
        name=ind["name"],
        unit=ind["unit"],
        year=ind.get("year"),
        value=ind.get("value"),
        target=ind.get("target"),
        target_year=ind.get("target_year"),
        status=ind.get("status"),
        status_zh=ind.get("status_zh"),
        verdict=ind.get("verdict"),
        verdict_zh=ind.get("verdict_zh"),
        verdict_reason_zh=ind.get("verdict_reason_zh"),
        forecast=forecast.get("expected"),
        forecast_lower80=forecast.get("lower80"),
        forecast_upper80=forecast.get("upper80"),
        probability_meeting_target=forecast.get("probability_meeting_target"),
        data_complete=coverage.get("complete"),
        coverage_zh=coverage.get("text_zh"),
        synthetic=bool(ind.get("synthetic")),
    )


def status_csv(feed: StatusFeed) -> str:
    """The statuses as CSV, comment lines first as ``feed_csv``'s."""
    out = io.StringIO()
    out.write(f"# format={feed.format} statuses generation={feed.generation}"
              f" as_of={feed.as_of}\n")  # fmt: skip
    if feed.synthetic:
        out.write("# 演示数据 synthetic=true: rows marked synthetic are generated, not real\n")
    _write_rows(out, [r.model_dump() for r in feed.items])
    return out.getvalue()
