"""Opening and initialising the database: the use cases behind `yanzhi init`."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from yanzhi import config
from yanzhi.storage import schemaversion
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import DatabaseError, describe, make_engine, transaction


def open_database(url: str | None = None, *, schema: str | None = None) -> Engine:
    """An engine for ``url`` (default: YANZHI_DATABASE_URL or ./yanzhi.db); checks it answers."""
    engine = make_engine(url or config.database_url(), schema=schema)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot open database {describe(engine)}: {exc.orig} / "
            f"无法连接数据库 {describe(engine)}"
        ) from None
    return engine


_UP_TO_DATE: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Engines whose schema was found at the head revision: checked once per engine (the
schema only moves forward, through ``yanzhi init``), not once per service call."""


def require_schema(engine: Engine) -> None:
    """Fail with a clear message when the database was never initialised or is out of date."""
    if engine in _UP_TO_DATE:
        return
    current, head = schemaversion.stored_revision(engine), schemaversion.expected_revision()
    if current is None:
        raise DatabaseError(
            f"database {describe(engine)} is not initialised; run `yanzhi init` / "
            f"数据库尚未初始化, 请先运行 yanzhi init"
        )
    if current != head:
        raise DatabaseError(
            f"database schema {current} is older than {head}; run `yanzhi init` "
            f"to migrate / 数据库结构需要升级, 请运行 yanzhi init"
        )
    _UP_TO_DATE.add(engine)


@dataclass(frozen=True)
class InitResult:
    database: str
    revision: str | None
    units_created: int
    units_updated: int
    plan_code: str
    plan_changes: int
    tables: int
    kept: bool = False  # an initialised database: its divisions and plan left as stored


def init_database(
    engine: Engine, *, actor: str, plan_file: Path | None = None, divisions_file: Path | None = None
) -> InitResult:
    """Create or migrate the schema, then load the divisions and the plan (both
    idempotent). A database that has them already keeps them as they are — `yanzhi init`
    is also how a database is migrated after an upgrade, and reloading the built-in
    files would undo what was entered since (the milestones and departments of the
    tasks, another city's divisions) — unless a file is given explicitly."""
    from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
    from yanzhi.ingest.planfile import builtin_plan_path, read_plan
    from yanzhi.storage import migrate  # Alembic: only when the schema is written
    from yanzhi.storage.orgunits import save_org_tree
    from yanzhi.storage.plans import save_plan

    migrate.upgrade(engine)
    from sqlalchemy import func, select

    from yanzhi.storage.models import OrgUnitRow, PlanRow

    with transaction(engine) as session:
        stored_units = session.scalar(select(func.count()).select_from(OrgUnitRow)) or 0
        stored_plan = session.scalar(select(PlanRow.code).order_by(PlanRow.id.desc()).limit(1))
    if stored_units and stored_plan is not None and divisions_file is None and plan_file is None:
        return InitResult(
            database=describe(engine),
            revision=schemaversion.stored_revision(engine),
            units_created=0,
            units_updated=0,
            plan_code=stored_plan,
            plan_changes=0,
            tables=len(inspect(engine).get_table_names()),
            kept=True,
        )
    divisions = divisions_file or builtin_divisions_path()
    tree = read_divisions(divisions)
    plan_path = plan_file or builtin_plan_path()
    plan_file_read = read_plan(plan_path, known_units=[u.code for u in tree])
    with transaction(engine) as session:
        units = save_org_tree(session, tree, ctx=WriteContext(actor, source_file=divisions.name))
        ctx = WriteContext(actor, source_file=plan_path.name, source_sha256=plan_file_read.sha256)
        plan_counts = save_plan(
            session, plan_file_read.plan, ctx=ctx, file_sha256=plan_file_read.sha256
        )
    return InitResult(
        database=describe(engine),
        revision=schemaversion.stored_revision(engine),
        units_created=units.created,
        units_updated=units.updated,
        plan_code=plan_file_read.plan.code,
        plan_changes=plan_counts.changed,
        tables=len(inspect(engine).get_table_names()),
    )


def data_generation(engine: Engine) -> tuple[int, ...]:
    """A fingerprint that changes whenever stored data change: the newest audit-log entry
    (logins and logouts aside), import batch and computed indicator row (and how many of
    those there are). Cheap: each part is an indexed max / count."""
    with engine.connect() as conn:
        return generation_of(conn)


def generation_of(conn: Connection | Session) -> tuple[int, ...]:
    """:func:`data_generation` as seen by an open connection or session (its own
    uncommitted writes included)."""
    from sqlalchemy import text

    row = conn.execute(
        text(
            "select (select coalesce(max(id), 0) from audit_log"
            " where entity <> 'session'),"
            " (select coalesce(max(id), 0) from import_batch),"
            " (select coalesce(max(id), 0) from indicator_value),"
            " (select count(*) from indicator_value)"
        )
    ).one()
    return tuple(int(v) for v in row)


def has_synthetic(engine: Engine) -> bool:
    """Does the database hold any generated (synthetic) enterprise, report or statistic?"""
    from sqlalchemy import text

    with engine.connect() as conn:
        return any(
            conn.execute(
                text(f"select 1 from {t} where synthetic = :t limit 1"), {"t": True}
            ).first()
            for t in ("enterprise", "rd_report", "statistic")
        )
