"""Which schema a database has and which the code expects — read without Alembic, so a
command that only reads data never pays for importing it (≈0.4 s): the stored revision
is the ``alembic_version`` table's row, the expected one the newest migration file's
``revision`` (the one no other file names as its ``down_revision``). Migrating is
storage/migrate.py's (Alembic)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_FIELD = re.compile(r'^(revision|down_revision)\s*(?::[^=]*)?=\s*["\']?([\w.-]+|None)["\']?', re.M)


def stored_revision(engine: Engine) -> str | None:
    """The database's schema revision (None: never initialised)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("select version_num from alembic_version")).first()
        return None if row is None else str(row[0])


@cache
def expected_revision() -> str | None:
    """The newest migration's revision: the head of the chain in migrations/versions."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        text_ = path.read_text(encoding="utf-8")
        fields: dict[str, str] = {m.group(1): m.group(2) for m in _FIELD.finditer(text_)}
        if "revision" in fields:
            revisions.add(fields["revision"])
        if fields.get("down_revision") not in (None, "None"):
            parents.add(fields["down_revision"])
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {heads}")
    return heads[0]
