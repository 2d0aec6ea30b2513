"""Plan use cases: validate a file, load it, show the stored plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plan.model import Plan
from yanzhi.ingest.planfile import read_plan
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan, save_plan


@dataclass(frozen=True)
class ValidationReport:
    file: str
    ok: bool
    issues: list[Issue] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ok": self.ok,
            "summary": self.summary,
            "errors": [i.to_dict() for i in self.issues],
        }


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "programmes": len(plan.programmes),
        "tasks": len(plan.tasks),
        "task_targets": sum(len(t.targets) for t in plan.tasks),
        "indicators": len(plan.indicators),
        "headline_indicators": len(plan.headline_indicators),
        "landmarks": len(plan.landmarks),
        "guarantees": len(plan.guarantees),
        "rules": sum(len(g.rules) for g in plan.guarantees),
    }


def validate_plan_file(path: Path, *, known_units: list[str] | None = None) -> ValidationReport:
    try:
        pf = read_plan(path, known_units=known_units)
    except InputRejected as exc:
        return ValidationReport(str(path), False, exc.issues)
    return ValidationReport(str(path), True, [], plan_counts(pf.plan))


@dataclass(frozen=True)
class LoadResult:
    plan_code: str
    created: int
    updated: int
    deleted: int
    changes: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan_code,
            "changed": self.changed,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "changes": self.changes,
        }


def load_plan_file(engine: Engine, path: Path, *, actor: str) -> LoadResult:
    """Validate against the stored division tree, then store; all or nothing."""
    require_schema(engine)
    with transaction(engine) as session:
        units = [u.code for u in load_org_tree(session)]
    pf = read_plan(path, known_units=units or None)
    ctx = WriteContext(actor, source_file=path.name, source_sha256=pf.sha256)
    with transaction(engine) as session:
        counts = save_plan(session, pf.plan, ctx=ctx, file_sha256=pf.sha256)
    return LoadResult(pf.plan.code, counts.created, counts.updated, counts.deleted, counts.changes)


def show_plan(engine: Engine, code: str | None = None) -> dict[str, Any]:
    """The stored plan as data: what `yanzhi plan show --json` prints."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session, code)
    return plan_summary(plan)


def plan_summary(plan: Plan) -> dict[str, Any]:
    def point(p: Any) -> Any:
        return None if p is None else {"year": p.year, "value": p.value, "comparator": p.comparator}

    return {
        "plan": {k: getattr(plan.meta, k) for k in plan.meta.__dataclass_fields__},
        "counts": plan_counts(plan),
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "name_en": i.name_en,
                "headline": i.headline,
                "unit": i.unit,
                "direction": i.direction,
                "frequency": i.frequency,
                "source": i.source,
                "formula": {
                    "factor": i.formula.factor,
                    "numerator": i.formula.numerator,
                    "denominator": i.formula.denominator,
                    "filter": i.formula.filter,
                },
                "target": i.target.value if i.target else None,
                "target_year": i.target.year if i.target else None,
                "comparator": i.target.comparator if i.target else None,
                "baseline": point(i.baseline),
                "interim_targets": [point(p) for p in i.interim_targets],
            }
            for i in plan.indicators
        ],
        "landmarks": [
            {
                "code": lm.code,
                "title": lm.title,
                "value": lm.value,
                "unit": lm.unit,
                "task": lm.task,
            }
            for lm in plan.landmarks
        ],
        "programmes": [
            {
                "code": p.code,
                "title": p.title,
                "title_en": p.title_en,
                "tasks": [
                    {
                        "code": t.code,
                        "title": t.title,
                        "title_en": t.title_en,
                        "text": t.text,
                        "lead": t.lead,
                        "co_units": list(t.co_units),
                        "targets": [
                            {
                                "code": q.code,
                                "description": q.description,
                                "metric": q.metric,
                                "value": q.value,
                                "unit": q.unit,
                                "comparator": q.comparator,
                                "kind": q.kind,
                                "year": q.year,
                            }
                            for q in t.targets
                        ],
                        "milestones": [
                            {"year": ms.year, "title": ms.title, "due": ms.due}
                            for ms in t.milestones
                        ],
                    }
                    for t in p.tasks
                ],
            }
            for p in plan.programmes
        ],
        "guarantees": [
            {
                "code": g.code,
                "title": g.title,
                "rules": [
                    {
                        "code": r.code,
                        "description": r.description,
                        "kind": r.kind,
                        "metric": r.metric,
                        "value": r.value,
                        "unit": r.unit,
                        "comparator": r.comparator,
                    }
                    for r in g.rules
                ],
            }
            for g in plan.guarantees
        ],
        "departments": [{"code": d.code, "name": d.name} for d in plan.departments],
        "functional_zones": [
            {"code": z.code, "name": z.name, "members": list(z.members)}
            for z in plan.functional_zones
        ],
    }
