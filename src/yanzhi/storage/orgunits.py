"""Org units in the database: save a validated tree, list and read it back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.core.orgtree import Kind, Level, OrgTree, OrgUnit
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.models import OrgUnitRow
from yanzhi.storage.sync import SyncCounts, sync_rows


def save_org_tree(session: Session, tree: OrgTree, *, ctx: WriteContext) -> SyncCounts:
    """Create or update every unit of the tree (parents before children); units of other
    trees already in the database are left alone."""
    codes = [u.code for u in tree.walk()]
    desired = {
        u.code: dict(
            name=u.name,
            name_en=u.name_en,
            level=str(u.level),
            kind=str(u.kind),
            parent_code=u.parent_code if u.parent_code in tree else None,
            outer_parent_code=None if u.parent_code in tree else u.parent_code,
        )
        for u in tree.walk()
    }
    _, counts = sync_rows(
        session,
        OrgUnitRow,
        where=OrgUnitRow.code.in_(codes),
        key_attr="code",
        desired=desired,
        ctx=ctx,
        entity="org_unit",
        delete=False,
    )
    return counts


def load_org_tree(session: Session) -> OrgTree:
    rows = session.scalars(select(OrgUnitRow).order_by(OrgUnitRow.code))
    return OrgTree(
        OrgUnit(
            r.code,
            r.name,
            Level(r.level),
            Kind(r.kind),
            r.parent_code or r.outer_parent_code,
            r.name_en,
        )
        for r in rows
    )


def list_org_units(
    session: Session, *, level: str | None = None, parent: str | None = None
) -> list[OrgUnitRow]:
    q = select(OrgUnitRow).order_by(OrgUnitRow.code)
    if level:
        q = q.where(OrgUnitRow.level == level)
    if parent:
        q = q.where(OrgUnitRow.parent_code == parent)
    return list(session.scalars(q))
