"""The audit log: every write records who, when, what, old → new, and the source file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.models import AuditRow


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


def list_audit(
    session: Session,
    *,
    entity: str | None = None,
    key: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 1000,
) -> list[AuditRow]:
    q = select(AuditRow)
    if entity:
        q = q.where(AuditRow.entity == entity)
    if key:
        q = q.where(AuditRow.entity_key == key)
    if actor:
        q = q.where(AuditRow.actor == actor)
    if since:
        q = q.where(AuditRow.at >= since)
    return list(session.scalars(q.order_by(AuditRow.id).limit(limit)))
