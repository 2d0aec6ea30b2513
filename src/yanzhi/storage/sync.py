"""Bring a set of rows in line with a desired state, auditing each create, update and delete.

The desired state is a mapping from a natural key (a code) to the row's field values;
rows present in the database but not in the desired state are deleted. Nothing changes
(and nothing is audited) when the database already holds the desired state, so loading
the same file twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.models import Base


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def add(self, other: SyncCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.changes.extend(other.changes)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return float(a) == float(b)
    return bool(a == b)


def sync_rows(
    session: Session,
    model: type[Base],
    *,
    where: ColumnElement[bool],
    key_attr: str,
    desired: Mapping[str, Mapping[str, Any]],
    ctx: WriteContext,
    entity: str,
    key_prefix: str = "",
    upsert: bool = True,
    delete: bool = True,
) -> tuple[dict[str, Any], SyncCounts]:
    """Returns the rows by key after the sync, and what was done.

    Callers that sync a hierarchy upsert parents before children and delete children
    before parents, so that every deleted row is audited on its own.
    """
    counts = SyncCounts()
    existing = {getattr(r, key_attr): r for r in session.scalars(select(model).where(where))}
    for key, row in existing.items():
        if delete and key not in desired:
            old = {c: _plain(getattr(row, c)) for c in _columns(model) if c != "id"}
            record(
                session,
                ctx,
                action="delete",
                entity=entity,
                key=key_prefix + key,
                changes={c: [v, None] for c, v in old.items()},
            )
            session.delete(row)
            counts.deleted += 1
            counts.changes.append(f"- {entity} {key_prefix}{key}")
    out: dict[str, Any] = {}
    for key, values in desired.items() if upsert else ():
        found = existing.get(key)
        if found is None:
            row = model(**{key_attr: key, **values})
            session.add(row)
            record(
                session,
                ctx,
                action="create",
                entity=entity,
                key=key_prefix + key,
                changes={c: [None, _plain(v)] for c, v in values.items()},
            )
            counts.created += 1
            counts.changes.append(f"+ {entity} {key_prefix}{key}")
        else:
            row = found
            diff = {
                c: [_plain(getattr(row, c)), _plain(v)]
                for c, v in values.items()
                if not _same(getattr(row, c), v)
            }
            if diff:
                for c, (_old, new) in diff.items():
                    setattr(row, c, values[c] if new is not None else None)
                record(
                    session, ctx, action="update", entity=entity, key=key_prefix + key, changes=diff
                )
                counts.updated += 1
                counts.changes.append(f"~ {entity} {key_prefix}{key}: {', '.join(diff)}")
            else:
                counts.unchanged += 1
        out[key] = row
    session.flush()
    return out, counts


def _columns(model: type[Base]) -> list[str]:
    return [c.key for c in model.__table__.columns]


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return list(v)
    return v
