"""Outbound feeds for a dashboard that polls (e.g. the province's): the indicator values
computed from approved data, with a cursor (``changes_since``) and an ETag (the data
generation and the question), as JSON rows or CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Sequence

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.principal import Principal
from yanzhi.services.database import data_generation, require_schema
from yanzhi.services.enterprises import lists
from yanzhi.services.enterprises.results import PointsRow, PriorityRow, VisitRow
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
    dumped = [r.model_dump() for r in feed.items]
    columns = list(dumped[0]) if dumped else []
    w = csv.writer(out)
    w.writerow(columns)
    for d in dumped:
        w.writerow(["" if d[c] is None else d[c] for c in columns])
    return out.getvalue()
