"""Tables of the system of record (SQLAlchemy 2). Migrations live in ``migrations/``;
a test checks that the migrations and these models agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class OrgUnitRow(Base):
    """A division: city, district (区县市) or township-level unit (乡镇街道)."""

    __tablename__ = "org_unit"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_unit.code"), index=True)
    outer_parent_code: Mapped[str | None] = mapped_column(String(12))  # a root's parent outside


class PlanRow(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(12))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    baseline_year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class _PlanChild:
    """Columns every plan entity has: its plan, its stable code and its position."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class DataElementRow(_PlanChild, Base):
    __tablename__ = "data_element"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    aggregation: Mapped[str] = mapped_column(String(16), default="sum")
    note: Mapped[str | None] = mapped_column(Text)


class IndicatorRow(_PlanChild, Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    headline: Mapped[bool] = mapped_column(default=False)
    unit: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    formula: Mapped[dict[str, Any]] = mapped_column(JSON)
    natural_limit: Mapped[float | None] = mapped_column(Float)
    definition: Mapped[str | None] = mapped_column(Text)
    data_source: Mapped[str | None] = mapped_column(Text)
    refs: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)


class IndicatorTargetRow(_PlanChild, Base):
    """Baseline, final target and interim targets of an indicator (code = kind:year)."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "code"),)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # baseline | target | interim
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    comparator: Mapped[str | None] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)


class ProgrammeRow(_PlanChild, Base):
    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    tasks: Mapped[list[TaskRow]] = relationship(order_by="TaskRow.position", viewonly=True)


class TaskRow(_PlanChild, Base):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(String(64))
    co_units: Mapped[list[Any]] = mapped_column(JSON, default=list)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str | None] = mapped_column(Text)


class TaskTargetRow(_PlanChild, Base):
    """A quantitative target of a key task ("≥ 100 key R&D projects a year")."""

    __tablename__ = "task_target"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    comparator: Mapped[str] = mapped_column(String(2), default=">=")
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    start_year: Mapped[int | None] = mapped_column(Integer)
    baseline: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


class MilestoneRow(_PlanChild, Base):
    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("task_id", "code"),)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    due: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)


class LandmarkRow(_PlanChild, Base):
    __tablename__ = "landmark"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    task: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    metric: Mapped[str | None] = mapped_column(String(64))


class GuaranteeRow(_PlanChild, Base):
    __tablename__ = "guarantee"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class GuaranteeRuleRow(_PlanChild, Base):
    __tablename__ = "guarantee_rule"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantee.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    metric: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    comparator: Mapped[str | None] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)


class DepartmentRow(_PlanChild, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)


class FunctionalZoneRow(_PlanChild, Base):
    """A named group of org units (高新区, 前湾新区 …); members are a JSON list of codes."""

    __tablename__ = "functional_zone"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    members: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """Every write: who, when, what (entity and key), old → new, from which file."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)  # field -> [old, new]
    source_file: Mapped[str | None] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)


class StoredResultRow(Base):
    """A result computed from the data (a unit's status, …) kept with the data generation
    it was computed from: read while the data are unchanged, computed again once they
    change. One row per result and scope; the payload is its JSON."""

    __tablename__ = "stored_result"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    generation: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
