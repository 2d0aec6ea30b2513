"""Manual status overrides (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.datamodels import StatusOverrideRow


def list_overrides(session: Session, *, unit: str | None = None) -> list[StatusOverrideRow]:
    q = select(StatusOverrideRow)
    if unit:
        q = q.where(StatusOverrideRow.unit_code == unit)
    return list(session.scalars(q.order_by(StatusOverrideRow.id)))


def set_override(
    session: Session, *, indicator: str, unit: str, status: str | None, ctx: WriteContext
) -> None:
    """Set (or with ``status=None`` remove) the override; the reason is ``ctx.reason``."""
    row = session.scalars(
        select(StatusOverrideRow).where(
            StatusOverrideRow.indicator == indicator, StatusOverrideRow.unit_code == unit
        )
    ).first()
    old = None if row is None else {"status": row.status, "reason": row.reason}
    if status is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            StatusOverrideRow(
                indicator=indicator,
                unit_code=unit,
                status=status,
                reason=ctx.reason or "",
                actor=ctx.actor,
            )
        )
    else:
        row.status, row.reason, row.actor = status, ctx.reason or "", ctx.actor
    new = None if status is None else {"status": status, "reason": ctx.reason}
    record(
        session,
        ctx,
        action="delete" if status is None else "update",
        entity="status_override",
        key=f"{indicator}:{unit}",
        changes={"override": [old, new]},
    )
