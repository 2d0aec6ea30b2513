"""Aggregate statistics by vintage."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import StatisticRow


@dataclass(frozen=True)
class StatsWrite:
    created: int
    changed: int
    unchanged: int


def write_statistics(
    session: Session, frame: pd.DataFrame, *, batch_id: int, ctx: WriteContext
) -> StatsWrite:
    """Rows are keyed by (unit, element, period, vintage): a new vintage is a new row; the
    same vintage with another value is a correction of that vintage, audited."""
    existing = {
        (r.org_unit_code, r.element, r.period, r.vintage): r
        for r in session.scalars(
            select(StatisticRow).where(
                StatisticRow.org_unit_code.in_(list(frame["unit_code"].unique()))
            )
        )
    }
    created = changed = unchanged = 0
    for row in frame.to_dict("records"):
        key = (row["unit_code"], row["element"], row["period"], row["vintage"] or "")
        values = {
            "value": float(row["value"]),
            "unit": row["unit"] or None,
            "source": row["source"],
            "synthetic": bool(row["synthetic"]),
        }
        found = existing.get(key)
        if found is None:
            session.add(
                StatisticRow(
                    org_unit_code=key[0],
                    element=key[1],
                    period=key[2],
                    vintage=key[3],
                    batch_id=batch_id,
                    **values,
                )
            )
            created += 1
            continue
        diff = {k: [getattr(found, k), v] for k, v in values.items() if getattr(found, k) != v}
        if not diff:
            unchanged += 1
            continue
        for k, v in values.items():
            setattr(found, k, v)
        found.batch_id = batch_id
        record(session, ctx, action="update", entity="statistic", key="/".join(key), changes=diff)
        changed += 1
    if created:
        record(
            session,
            ctx,
            action="create",
            entity="statistic",
            key=f"batch:{batch_id}",
            changes={"rows": [None, created]},
        )
    session.flush()
    return StatsWrite(created, changed, unchanged)


def current_statistics(session: Session) -> pd.DataFrame:
    """The latest loaded vintage of every (unit, element, period)."""
    s = StatisticRow
    frame = read_frame(
        session,
        select(
            s.id,
            s.org_unit_code,
            s.element,
            s.period,
            s.value,
            s.unit,
            s.source,
            s.vintage,
            s.synthetic,
        ),
    )
    if frame.empty:
        return frame
    latest = frame.sort_values("id").groupby(["org_unit_code", "element", "period"]).tail(1)
    return latest.reset_index(drop=True)
