"""Tables of the data exchange (数据交换): the batches of filings another system pushed,
kept by the sender's batch id so that sending the same batch twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow


class ExchangeBatchRow(Base):
    """One inbound batch: the sender's ``batch_id`` (unique per sender), the SHA-256 of its
    canonical content, its status (committed / rejected), the counts and the report."""

    __tablename__ = "exchange_batch"
    __table_args__ = (UniqueConstraint("sender", "batch_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(100))
    content_sha256: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    import_batch: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text, default="{}")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
