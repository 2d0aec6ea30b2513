"""Tables of the monitoring data: enterprises (with the history of their attributes),
year-to-date R&D reports (with the versions they replaced), aggregate statistics by
vintage, import batches and the submission / approval state of each unit and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from yanzhi.storage.models import Base, utcnow

ATTRIBUTES = (
    "name",
    "industry_code",
    "township_code",
    "size_class",
    "founded_year",
    "above_size_industrial",
    "hightech",
    "hightech_cert_year",
    "tech_sme",
    "specialised",
    "champion",
    "contact_person",
    "contact_phone",
    "contact_email",
)
"""Enterprise attributes whose changes are kept as history."""

RD_VALUES = (
    "operating_revenue",
    "rd_expense",
    "rd_expense_capitalised",
    "rd_personnel",
    "rd_personnel_fte",
    "new_product_output",
    "has_rd_institution",
)
"""Values of an R&D report; money in 万元."""


class ImportBatchRow(Base):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer, default=0)


class _EnterpriseAttrs:
    name: Mapped[str] = mapped_column(String(200))
    industry_code: Mapped[str] = mapped_column(String(4), index=True)
    township_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), index=True)
    size_class: Mapped[str | None] = mapped_column(String(8))
    founded_year: Mapped[int | None] = mapped_column(Integer)
    above_size_industrial: Mapped[bool] = mapped_column(Boolean, default=False)
    hightech: Mapped[bool] = mapped_column(Boolean, default=False)
    hightech_cert_year: Mapped[int | None] = mapped_column(Integer)
    tech_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    specialised: Mapped[bool] = mapped_column(Boolean, default=False)
    champion: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))


class EnterpriseRow(_EnterpriseAttrs, Base):
    """An enterprise with its current attributes (the latest version in force)."""

    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class EnterpriseVersionRow(_EnterpriseAttrs, Base):
    """Every state of an enterprise's attributes, from ``valid_from`` until the next one."""

    __tablename__ = "enterprise_version"
    __table_args__ = (UniqueConstraint("enterprise_id", "valid_from"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class _RdValues:
    operating_revenue: Mapped[float] = mapped_column(Float)
    rd_expense: Mapped[float] = mapped_column(Float)
    rd_expense_capitalised: Mapped[float | None] = mapped_column(Float)
    rd_personnel: Mapped[float | None] = mapped_column(Float)
    rd_personnel_fte: Mapped[float | None] = mapped_column(Float)
    new_product_output: Mapped[float | None] = mapped_column(Float)
    has_rd_institution: Mapped[bool | None] = mapped_column(Boolean)


class RdReportRow(_RdValues, Base):
    """One enterprise's year-to-date R&D report ("1–N月累计") for one period."""

    __tablename__ = "rd_report"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period"),
        Index("ix_rd_report_township_period", "township_code", "period"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    period: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    township_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))
    correction: Mapped[bool] = mapped_column(Boolean, default=False)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    # when the enterprise's report first arrived (on time / late against the calendar)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RdReportVersionRow(_RdValues, Base):
    """A report's values as they were before a later import replaced them."""

    __tablename__ = "rd_report_version"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("rd_report.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    replaced_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    replaced_by_batch: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class StatisticRow(Base):
    """An aggregate statistic of an org unit for a period, in one vintage (a revision is
    a new vintage; the latest loaded vintage is the current value)."""

    __tablename__ = "statistic"
    __table_args__ = (UniqueConstraint("org_unit_code", "element", "period", "vintage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"), index=True)
    element: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text)
    vintage: Mapped[str] = mapped_column(String(64), default="")
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubmissionRow(Base):
    """The reporting state of one township-level unit and period: draft → submitted →
    approved (locked). Unlocking (admin, with a reason) returns it to draft."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("dataset", "org_unit_code", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(16))
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))
    period: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_by: Mapped[str | None] = mapped_column(String(100))
    unlocked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unlock_reason: Mapped[str | None] = mapped_column(Text)
    first_received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReportCalendarRow(Base):
    """The reporting calendar in force (one row per name; the file form as JSON), edited
    by an admin; every change is audited."""

    __tablename__ = "report_calendar"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IndicatorValueRow(Base):
    """A computed indicator value: one indicator, unit (or industry division at city
    level), period. Rebuilt per period from approved data; never edited by hand."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("indicator", "level", "unit_code", "industry_division", "period"),
        Index("ix_indicator_value_unit", "unit_code", "indicator"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(12))
    industry_division: Mapped[str] = mapped_column(String(2), default="")
    period: Mapped[str] = mapped_column(String(12), index=True)
    period_kind: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    n_enterprises: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class StatusOverrideRow(Base):
    """A manual progress status for one indicator and unit, with the reason; the computed
    status stays visible beside it. Removing an override is audited like setting one."""

    __tablename__ = "status_override"
    __table_args__ = (UniqueConstraint("indicator", "unit_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(ForeignKey("org_unit.code"))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RollupSumRow(Base):
    """The roll-up's sums of the approved reports for one (year, month): per township
    (``industry_division`` empty) or per district and industry division, every masked sum
    the plan's enterprise indicators need, in the order ``layout`` names. Kept so that an
    approval re-sums only the districts it touches (services/monitoring/compute.py).
    Rebuilt by a full computation; ``month`` 0 with ``unit_code`` '*' marks a year whose
    sums are all kept."""

    __tablename__ = "rollup_sum"
    __table_args__ = (UniqueConstraint("year", "month", "unit_code", "industry_division"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(12))
    industry_division: Mapped[str] = mapped_column(String(2), default="")
    layout: Mapped[str] = mapped_column(String(16))
    sums: Mapped[str] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
