"""Reads and writes of the data exchange's tables (``exchangemodels``) and of the
indicator rows the outbound feed serves."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanzhi.storage.datamodels import IndicatorValueRow
from yanzhi.storage.exchangemodels import ExchangeBatchRow


def find_batch(session: Session, sender: str, batch_id: str) -> ExchangeBatchRow | None:
    q = select(ExchangeBatchRow).where(
        ExchangeBatchRow.sender == sender, ExchangeBatchRow.batch_id == batch_id
    )
    return session.scalars(q).first()


def indicator_rows(
    session: Session, *, since: int, period: str | None = None
) -> list[IndicatorValueRow]:
    """The indicator rows stored after row id ``since`` (0: all), of ``period`` if given,
    in id order."""
    q = select(IndicatorValueRow).where(IndicatorValueRow.id > since)
    if period:
        q = q.where(IndicatorValueRow.period == period)
    return list(session.scalars(q.order_by(IndicatorValueRow.id)))


def indicator_cursor(session: Session) -> int:
    """The newest indicator row's id: the cursor a poller passes back as ``changes_since``."""
    return int(session.scalar(select(func.coalesce(func.max(IndicatorValueRow.id), 0))) or 0)
