"""The audit log: every write records who, when, what, old → new, and the source file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yanzhi.storage.models import AuditRow, utcnow


@dataclass(frozen=True)
class WriteContext:
    """Who is writing and from what; passed to every data-access function that writes."""

    actor: str
    source_file: str | None = None
    source_sha256: str | None = None
    reason: str | None = None


def record(
    session: Session,
    ctx: WriteContext,
    *,
    action: str,
    entity: str,
    key: str,
    changes: dict[str, Any],
) -> None:
    session.add(
        AuditRow(
            actor=ctx.actor,
            action=action,
            entity=entity,
            entity_key=key,
            changes=changes,
            source_file=ctx.source_file,
            source_sha256=ctx.source_sha256,
            reason=ctx.reason,
        )
    )


def record_many(
    session: Session,
    ctx: WriteContext,
    *,
    action: str,
    entity: str,
    changes: Iterable[tuple[str, dict[str, Any]]],
) -> int:
    """The rows :func:`record` adds, one per (key, changes), written in bulk (COPY on
    PostgreSQL) as they come: a hundred thousand changed reports are not a hundred
    thousand ORM objects. Returns the rows written."""
    from yanzhi.storage.bulk import db_stamp, insert_rows  # pandas: only for bulk writes

    stamp = db_stamp(session, utcnow())
    cols = [
        "at",
        "actor",
        "action",
        "entity",
        "entity_key",
        "changes",
        "source_file",
        "source_sha256",
        "reason",
    ]
    source = (ctx.source_file, ctx.source_sha256, ctx.reason)
    rows = (
        (stamp, ctx.actor, action, entity, key, json.dumps(diff), *source) for key, diff in changes
    )
    return insert_rows(session, AuditRow.__table__, cols, rows)


def _filtered(
    q: Any,
    *,
    entity: str | None,
    key: str | None,
    actor: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Any:
    if entity:
        q = q.where(AuditRow.entity == entity)
    if key:
        q = q.where(AuditRow.entity_key == key)
    if actor:
        q = q.where(AuditRow.actor == actor)
    if since:
        q = q.where(AuditRow.at >= since)
    if until:
        q = q.where(AuditRow.at < until)
    return q


def list_audit(
    session: Session,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
    newest_first: bool = False,
) -> list[AuditRow]:
    """Audit rows matching the filters (``until`` exclusive), oldest first unless
    ``newest_first``."""
    q = _filtered(select(AuditRow), entity=entity, key=key, actor=actor, since=since, until=until)
    order = AuditRow.id.desc() if newest_first else AuditRow.id
    return list(session.scalars(q.order_by(order).offset(offset).limit(limit)))


def count_audit(
    session: Session,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    q = _filtered(
        select(func.count()).select_from(AuditRow),
        entity=entity,
        key=key,
        actor=actor,
        since=since,
        until=until,
    )
    return int(session.scalar(q) or 0)


def audit_entities(session: Session) -> list[str]:
    """The kinds of object the log has entries about."""
    return list(session.scalars(select(AuditRow.entity).distinct().order_by(AuditRow.entity)))
