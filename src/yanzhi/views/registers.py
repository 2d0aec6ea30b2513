"""Registers (台账) as a principal sees them. Every ``read`` role reads them: a principal
with an org-unit scope (a district or township officer, or a task owner whose unit is an
org unit) sees the entries inside that scope; city-wide roles, city leaders and department
task owners see every entry. Importing a register file needs ``register_write``. Counts
and entries come from :mod:`yanzhi.services.tasks.registers` unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.core.lifecycle import stage_counts
from yanzhi.core.registers import LISTS, RegisterKind
from yanzhi.services.access.scope import Scope
from yanzhi.services.enterprises import applications
from yanzhi.services.tasks import registers
from yanzhi.views.common import plan_of
from yanzhi.views.periods import chosen_year
from yanzhi.views.register_models import (
    DistrictCount,
    Register,
    RegisterField,
    RegisterImport,
    RegisterSummary,
    StageCount,
    VisibleEntry,
)
from yanzhi.views.tasks import unit_names


def _register_kind(kind: str) -> RegisterKind:
    try:
        return registers.register_kind(kind)
    except ValueError as exc:
        raise NotFound(str(exc), f"未知台账 {kind}") from None


def entry_visible(scope: Scope) -> Callable[[str], bool]:
    """Which register entries (by their unit) ``scope`` sees: all for city-wide roles, those
    inside its unit for a district or township user, none for a department."""
    tree = scope.tree
    if scope.role == "task_owner":  # a department sees the city totals, not the entries
        return scope.sees
    if scope.root is None:
        return lambda unit: True
    root = scope.root
    if root not in tree:
        return lambda unit: False
    return lambda unit: unit in tree and tree.is_within(unit, root)


def register_kinds(engine: Engine, scope: Scope) -> list[RegisterSummary]:
    """The registers, each with the number of entries the principal sees."""
    scope.require("read")
    seen = entry_visible(scope)
    labels = registers.metric_names(engine)
    out = []
    for k in registers.kinds():
        rows = registers.list_register(engine, k.code)
        named = [labels.get(m, (m, m)) for m in k.metrics]
        out.append(
            RegisterSummary(
                **k.to_dict(),
                entries=sum(1 for r in rows if seen(r.org_unit_code)),
                metric_names=[zh for zh, _ in named],
                metric_names_en=[en for _, en in named],
            )
        )
    return out


def register(
    engine: Engine,
    scope: Scope,
    kind: str,
    *,
    unit: str | None = None,
    year: str | int | None = None,
) -> Register:
    """A register's entries inside the principal's scope (optionally inside ``unit``), its
    own fields, and its count per district for ``year`` (entries in force at the year's
    end; one of :func:`register_years`, default this year, another is refused with
    PeriodNotAvailable)."""
    scope.require("read")
    spec = _register_kind(kind)
    years = register_years(engine)
    day = chosen_year(year, years, what_zh="统计年份") or years[0]
    tree = scope.tree
    seen = entry_visible(scope)
    names = unit_names(engine)
    rows = [r for r in registers.list_register(engine, spec.code) if seen(r.org_unit_code)]
    if unit:
        if unit not in tree:
            raise NotFound(f"unknown org unit {unit}", f"未知区划 {unit}")
        rows = [
            r for r in rows if r.org_unit_code in tree and tree.is_within(r.org_unit_code, unit)
        ]
    marks = _priority_marks(engine, spec.code, rows)
    applicants = (
        applications.applicant_names(engine, [r.fields.get("applicant_uscc") for r in rows])
        if spec.code == applications.KIND
        else [None] * len(rows)
    )
    counts = registers.counts(engine, spec.code, year=day)
    labels = registers.metric_names(engine)
    districts = [
        DistrictCount(code=d.code, name=d.name, count=counts.get(d.code, 0))
        for d in tree.by_level("district")
        if scope.city_wide or scope.sees(d.code)
    ]
    return Register(
        code=spec.code,
        name=spec.zh,
        name_en=spec.en,
        fields=[RegisterField(code=f.code, zh=f.zh, en=f.en) for f in spec.fields],
        list_field=spec.list_field,
        metrics=[c.metric for c in spec.counts],
        metric_names=[labels.get(c.metric, (c.metric, c.metric))[0] for c in spec.counts],
        metric_names_en=[labels.get(c.metric, (c.metric, c.metric))[1] for c in spec.counts],
        year=day,
        years=years,
        districts=districts,
        stages=[
            StageCount(**asdict(c), list_name=LISTS[c.list_code][0])
            for c in stage_counts([(r.list or "", r.fields.get("stage"), r.fields) for r in rows])
        ]
        if spec.list_field
        else [],
        entries=[
            VisibleEntry(
                **r.to_dict(),
                org_unit_name=names.get(r.org_unit_code, r.org_unit_code),
                priority=mark,
                applicant_name=applicant,
            )
            for r, mark, applicant in zip(rows, marks, applicants, strict=True)
        ],
        marks_priority=spec.code == applications.KIND,
        may_import=scope.can("register_write"),
    )


def _priority_marks(
    engine: Engine, kind: str, rows: list[registers.RegisterEntry]
) -> list[bool | None]:
    """For the key R&D project register: is each applicant on the priority list of the
    year before its application (None: unknown, or another register)."""
    if kind != applications.KIND:
        return [None] * len(rows)
    return applications.standing(
        engine,
        [
            (r.fields.get("applicant_uscc"), applications.applied_year(r.fields, r.valid_from))
            for r in rows
        ],
    )


def import_register(
    engine: Engine, scope: Scope, kind: str, path: Path, *, dry_run: bool = False
) -> RegisterImport:
    """Import a register file (all or nothing); the report lists any errors by row."""
    scope.require("register_write")
    spec = _register_kind(kind)
    rep = registers.import_register(
        engine, spec.code, path, actor=scope.principal.name, dry_run=dry_run
    )
    return RegisterImport(**rep.to_dict())


def register_years(engine: Engine) -> list[int]:
    """The years a register can be counted for, newest first: from the plan's base year
    (2000 without a plan) to this year — not the future."""
    try:
        first = plan_of(engine).meta.baseline_year
    except LookupError:
        first = 2000
    this = dt.date.today().year
    return list(range(this, min(first, this) - 1, -1))
