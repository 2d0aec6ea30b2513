"""Stored results: results computed from the data (a unit's status, …) kept with the data
generation they were computed from (``services/stored.py`` decides when one is stale)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from yanzhi.storage.db import transaction
from yanzhi.storage.models import StoredResultRow


def read_result(engine: Engine, name: str, scope: str) -> tuple[str, str] | None:
    """(generation, payload) of the stored result, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(StoredResultRow.generation, StoredResultRow.payload).where(
                StoredResultRow.name == name, StoredResultRow.scope == scope
            )
        ).first()
    return None if row is None else (str(row[0]), str(row[1]))


def write_result(engine: Engine, name: str, scope: str, generation: str, payload: str) -> bool:
    """Replace the stored result; False when it could not be written (a read-only
    database, another process writing the same result at the same moment): the result
    is then simply computed again next time, nothing else depends on the write."""
    try:
        with transaction(engine) as session:
            session.execute(
                delete(StoredResultRow).where(
                    StoredResultRow.name == name, StoredResultRow.scope == scope
                )
            )
            session.add(
                StoredResultRow(name=name, scope=scope, generation=generation, payload=payload)
            )
    except SQLAlchemyError:
        return False
    return True
