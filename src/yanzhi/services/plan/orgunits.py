"""Org-unit use cases."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput
from yanzhi.core.orgtree import KIND_LABELS, Kind, Level, OrgTree
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import list_org_units, load_org_tree


class UnknownLevel(InvalidInput):
    """A level that is not city, district or township."""


@dataclass(frozen=True)
class UnitRow:
    """One stored org unit as `yanzhi orgunits list` shows it."""

    code: str
    name: str
    level: str
    kind: str
    kind_zh: str
    parent_code: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON of one unit in `yanzhi orgunits list --json`."""
        return asdict(self)


def list_units(
    engine: Engine, *, level: str | None = None, parent: str | None = None
) -> list[UnitRow]:
    """The stored org units, optionally of one level or the children of one unit."""
    if level and level not in Level.__members__.values():
        raise UnknownLevel(
            f"unknown level {level!r}; expected one of {', '.join(Level)}",
            f"未知层级 {level!r}",
        )
    require_schema(engine)
    with transaction(engine) as session:
        rows = list_org_units(session, level=level, parent=parent)
        return [
            UnitRow(
                code=r.code,
                name=r.name,
                level=r.level,
                kind=r.kind,
                kind_zh=KIND_LABELS[Kind(r.kind)][0],
                parent_code=r.parent_code,
            )
            for r in rows
        ]


def org_tree(engine: Engine) -> OrgTree:
    """The stored division tree (for scope checks and names)."""
    require_schema(engine)
    with transaction(engine) as session:
        return load_org_tree(session)
