"""The roll-up's kept sums (table ``rollup_sum``, see :class:`RollupSumRow`): written
whole by a full computation, read and replaced district by district by an approval."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from yanzhi.storage.bulk import insert_rows
from yanzhi.storage.datamodels import RollupSumRow

YEAR_KEPT = "*"  # unit_code of the row (month 0) that marks a year whose sums are all kept
_COLUMNS = ("year", "month", "unit_code", "industry_division", "layout", "sums", "synthetic")


def hold(session: Session) -> None:
    """Hold the kept sums until this transaction ends: another refresh (a thread or a
    process) that asks waits here until this one has committed, then reads what it
    wrote. Two approvals of different districts at once thus both reach the city's
    values. PostgreSQL: an advisory lock of the transaction, keyed by the schema (each
    schema is its own database for yanzhi); SQLite: the database's write lock, taken now
    by a write that changes nothing (as BEGIN IMMEDIATE would) instead of at the first
    write — readers go on (WAL), other writers wait up to the busy timeout."""
    if session.get_bind().dialect.name == "postgresql":
        key = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.rollup_sum'))"
        session.execute(text(key))
    else:
        session.execute(text("UPDATE rollup_sum SET year = year WHERE 0 = 1"))


def write(
    session: Session,
    township: pl.DataFrame,
    divisions: pl.DataFrame,
    *,
    columns: Sequence[str],
    layout: str,
    synthetic: bool,
    years: Sequence[int] | None = None,
    months: Sequence[int] | None = None,
    units: Sequence[str] | None = None,
) -> int:
    """Replace the kept sums of ``years`` (all when None), ``months`` and ``units``
    (townships and districts; all when None) by ``township`` (per township_code, year,
    month) and ``divisions`` (per district_code, industry_division, year, month). A whole
    year written (no ``months`` and no ``units``) is marked as kept."""
    r = RollupSumRow
    q = delete(r)
    if years is not None:
        q = q.where(r.year.in_(list(years)))
    if months is not None:
        q = q.where(r.month.in_(list(months)))
    if units is not None:
        q = q.where(r.unit_code.in_(list(units)))
    session.execute(q)
    rows = [
        *_rows(township, "township_code", None, columns, layout, synthetic),
        *_rows(divisions, "district_code", "industry_division", columns, layout, synthetic),
    ]
    if months is None and units is None:
        kept = sorted(set(years if years is not None else township["year"].unique().to_list()))
        rows += [(int(y), 0, YEAR_KEPT, "", layout, "[]", synthetic) for y in kept]
    return insert_rows(session, r.__table__, _COLUMNS, rows)


def _rows(
    frame: pl.DataFrame,
    unit: str,
    division: str | None,
    columns: Sequence[str],
    layout: str,
    synthetic: bool,
) -> list[tuple[object, ...]]:
    keys = frame.select(
        "year", "month", unit, pl.lit("") if division is None else pl.col(division)
    ).rows()
    values = frame.select(columns).rows()
    return [
        (int(y), int(m), str(u), str(d or ""), layout, json.dumps(v), synthetic)
        for (y, m, u, d), v in zip(keys, values, strict=True)
    ]


def clear(session: Session) -> None:
    """Forget every kept sum (the values were computed from other than the approved
    reports): the next approval rebuilds its year's."""
    session.execute(delete(RollupSumRow))


def read(
    session: Session,
    *,
    year: int,
    months: Sequence[int],
    layout: str,
    schema: dict[str, pl.DataType],
    parents: dict[str, str],
) -> tuple[pl.DataFrame, pl.DataFrame, bool] | None:
    """The kept sums of ``year``'s ``months``: (township sums, district × division
    sums, any synthetic), in the frames :func:`yanzhi.core.rollup.stored_sums` makes;
    ``parents`` gives each unit's parent (township → district → city). None when the
    year is not kept in this ``layout`` (never computed, or the plan's indicators
    changed since)."""
    r = RollupSumRow
    mark = session.execute(
        select(r.layout).where(r.year == year, r.month == 0, r.unit_code == YEAR_KEPT)
    ).first()
    if mark is None or mark[0] != layout:
        return None
    got = session.execute(
        select(r.month, r.unit_code, r.industry_division, r.sums, r.synthetic).where(
            r.year == year, r.month.in_(list(months)), r.unit_code != YEAR_KEPT
        )
    ).all()
    columns = list(schema)
    town = [g for g in got if not g.industry_division]
    div = [g for g in got if g.industry_division]

    def frame(rows: Sequence[Any], keys: dict[str, Any]) -> pl.DataFrame:
        values = [json.loads(g.sums) for g in rows]
        data = {c: [v[i] for v in values] for i, c in enumerate(columns)}
        return pl.DataFrame(
            {**keys, "year": [year] * len(rows), "month": [g.month for g in rows], **data},
            schema_overrides=schema,
        )

    towns = [g.unit_code for g in town]
    districts = [parents.get(t, "") for t in towns]
    township = frame(
        town,
        {
            "township_code": towns,
            "district_code": districts,
            "city_code": [parents.get(d, "") for d in districts],
        },
    )
    divisions = frame(
        div,
        {
            "district_code": [g.unit_code for g in div],
            "city_code": [parents.get(g.unit_code, "") for g in div],
            "industry_division": [g.industry_division for g in div],
        },
    )
    return township, divisions, any(g.synthetic for g in got)
