"""Register entries in the database. Writing a register keeps history: an entry whose
values change gets a new version and its old values go to ``register_entry_version``;
an identical entry changes nothing. Every create and change is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.taskmodels import RegisterEntryRow, RegisterEntryVersionRow

VALUES = ("name", "org_unit_code", "fields", "list_name", "valid_from", "valid_to", "synthetic")


@dataclass
class RegisterWrite:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def write_entries(
    session: Session,
    kind: str,
    entries: Iterable[Mapping[str, Any]],
    *,
    batch_id: int | None,
    ctx: WriteContext,
) -> RegisterWrite:
    """``entries`` hold ``code`` and VALUES (dates as ``datetime.date``)."""
    existing = {
        r.code: r
        for r in session.scalars(select(RegisterEntryRow).where(RegisterEntryRow.kind == kind))
    }
    out = RegisterWrite()
    for entry in entries:
        code = str(entry["code"])
        values = {k: entry[k] for k in VALUES}
        row = existing.get(code)
        if row is None:
            row = RegisterEntryRow(kind=kind, code=code, version=1, batch_id=batch_id, **values)
            session.add(row)
            existing[code] = row
            record(
                session,
                ctx,
                action="create",
                entity=f"register:{kind}",
                key=code,
                changes={k: [None, _plain(v)] for k, v in values.items()},
            )
            out.created += 1
            continue
        diff = {
            k: [_plain(getattr(row, k)), _plain(v)]
            for k, v in values.items()
            if getattr(row, k) != v
        }
        if not diff:
            out.unchanged += 1
            continue
        session.add(
            RegisterEntryVersionRow(
                entry_id=row.id,
                version=row.version,
                batch_id=row.batch_id,
                replaced_by_batch=batch_id,
                **{k: getattr(row, k) for k in VALUES},
            )
        )
        for k, v in values.items():
            setattr(row, k, v)
        row.version += 1
        row.batch_id = batch_id
        row.updated_at = dt.datetime.now(dt.UTC)
        record(session, ctx, action="update", entity=f"register:{kind}", key=code, changes=diff)
        out.changed += 1
    session.flush()
    return out


def list_entries(session: Session, kind: str | None = None) -> list[RegisterEntryRow]:
    q = select(RegisterEntryRow)
    if kind:
        q = q.where(RegisterEntryRow.kind == kind)
    return list(session.scalars(q.order_by(RegisterEntryRow.kind, RegisterEntryRow.code)))


def list_versions(session: Session, entry_id: int) -> list[RegisterEntryVersionRow]:
    q = select(RegisterEntryVersionRow).where(RegisterEntryVersionRow.entry_id == entry_id)
    return list(session.scalars(q.order_by(RegisterEntryVersionRow.version)))


def entries_frame(session: Session, kind: str | None = None) -> pd.DataFrame:
    """Entries as a frame for counting: kind, code, name, org_unit_code, valid_from,
    valid_to (ISO text), fields, list_name, synthetic."""
    rows = list_entries(session, kind)
    return pd.DataFrame(
        {
            "kind": [r.kind for r in rows],
            "code": [r.code for r in rows],
            "name": [r.name for r in rows],
            "org_unit_code": [r.org_unit_code for r in rows],
            "valid_from": [r.valid_from.isoformat() for r in rows],
            "valid_to": [None if r.valid_to is None else r.valid_to.isoformat() for r in rows],
            "fields": [r.fields or {} for r in rows],
            "list_name": [r.list_name for r in rows],
            "synthetic": [bool(r.synthetic) for r in rows],
        }
    )
