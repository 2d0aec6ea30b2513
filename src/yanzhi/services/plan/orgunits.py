"""Org-unit use cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput
from yanzhi.core.orgtree import KIND_LABELS, Kind, Level, OrgTree
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import list_org_units, load_org_tree


class UnknownLevel(InvalidInput):
    """A level name that is not one of the org tree's levels."""


def list_units(
    engine: Engine, *, level: str | None = None, parent: str | None = None
) -> list[dict[str, Any]]:
    if level and level not in Level.__members__.values():
        raise UnknownLevel(
            f"unknown level {level!r}; expected one of {', '.join(Level)} / 未知层级 {level!r}"
        )
    require_schema(engine)
    with transaction(engine) as session:
        rows = list_org_units(session, level=level, parent=parent)
        return [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "kind": r.kind,
                "kind_zh": KIND_LABELS[Kind(r.kind)][0],
                "parent_code": r.parent_code,
            }
            for r in rows
        ]


def org_tree(engine: Engine) -> OrgTree:
    """The stored division tree (for scope checks and names)."""
    require_schema(engine)
    with transaction(engine) as session:
        return load_org_tree(session)
