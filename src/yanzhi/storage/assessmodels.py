"""The annual assessment (考核) of a unit: one row per scheme, year and unit, moving from
draft (the district fills in) to submitted, reviewed (the city's adjustments), published
(公示) and locked; its inputs and, once published, its result as JSON."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow


class AssessmentRow(Base):
    """``reported``: the district's values of the self-reported parts and its evidence;
    ``claims``: its bonus and penalty items; ``adjustments``: the city's review; ``result``:
    the score as published (kept as it was, whatever changes after)."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("scheme", "year", "unit_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(16), default="draft")
    reported: Mapped[str] = mapped_column(Text, default="{}")
    claims: Mapped[str] = mapped_column(Text, default="{}")
    adjustments: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
