"""Registers (台账) as a principal sees them. Every ``read`` role reads them: a principal
with an org-unit scope (a district or township officer, or a task owner whose unit is an
org unit) sees the entries inside that scope; city-wide roles, city leaders and department
task owners see every entry. Importing a register file needs ``register_write``. Counts
and entries come from :mod:`yanzhi.services.tasks.registers` unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.orgtree import OrgTree
from yanzhi.core.registers import RegisterKind
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import can, can_see_unit, org_scope, require
from yanzhi.services.tasks import registers
from yanzhi.views.tasks import unit_names


def _register_kind(kind: str) -> RegisterKind:
    try:
        return registers.register_kind(kind)
    except ValueError as exc:
        raise LookupError(str(exc)) from None


def _entry_visible(principal: Principal, tree: OrgTree) -> Callable[[str], bool]:
    if principal.role == "task_owner":  # a department sees the city totals, not the entries
        return lambda unit: can_see_unit(principal, unit, tree)
    scope = org_scope(principal, tree)
    if scope is None:
        return lambda unit: True
    if scope not in tree:
        return lambda unit: False
    return lambda unit: unit in tree and tree.is_within(unit, scope)


def register_kinds(engine: Engine, principal: Principal, tree: OrgTree) -> list[dict[str, Any]]:
    """The registers, each with the number of entries the principal sees."""
    require(principal, "read")
    seen = _entry_visible(principal, tree)
    out = []
    for k in registers.kinds():
        rows = registers.list_register(engine, k["code"])
        out.append({**k, "entries": sum(1 for r in rows if seen(r["org_unit_code"]))})
    return out


def register(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    kind: str,
    *,
    unit: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """A register's entries inside the principal's scope (optionally inside ``unit``), its
    own fields, and its count per district for ``year`` (entries in force at the year's end)."""
    require(principal, "read")
    spec = _register_kind(kind)
    seen = _entry_visible(principal, tree)
    names = unit_names(engine)
    rows = [r for r in registers.list_register(engine, spec.code) if seen(r["org_unit_code"])]
    if unit:
        if unit not in tree:
            raise LookupError(f"unknown org unit {unit} / 未知区划 {unit}")
        rows = [
            r
            for r in rows
            if r["org_unit_code"] in tree and tree.is_within(r["org_unit_code"], unit)
        ]
    for r in rows:
        r["org_unit_name"] = names.get(r["org_unit_code"], r["org_unit_code"])
    day = year or dt.date.today().year
    counts = registers.counts(engine, spec.code, year=day)
    everything = principal.role != "task_owner" and org_scope(principal, tree) is None
    districts = [
        {"code": d.code, "name": d.name, "count": counts.get(d.code, 0)}
        for d in tree.by_level("district")
        if everything or can_see_unit(principal, d.code, tree)
    ]
    return {
        "code": spec.code,
        "name": spec.zh,
        "name_en": spec.en,
        "fields": [{"code": f.code, "zh": f.zh, "en": f.en} for f in spec.fields],
        "list_field": spec.list_field,
        "metrics": [c.metric for c in spec.counts],
        "year": day,
        "districts": districts,
        "entries": rows,
        "may_import": can(principal, "register_write"),
    }


def import_register(
    engine: Engine, principal: Principal, kind: str, path: Path, *, dry_run: bool = False
) -> dict[str, Any]:
    """Import a register file (all or nothing); the report lists any errors by row."""
    require(principal, "register_write")
    spec = _register_kind(kind)
    return registers.import_register(
        engine, spec.code, path, actor=principal.name, dry_run=dry_run
    ).to_dict()
