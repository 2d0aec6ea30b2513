"""Plan use cases: validate a file, load it, show the stored plan (its summary types are in
:mod:`yanzhi.services.plan.summary`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plan.keep import keep_entered
from yanzhi.ingest.planfile import read_plan
from yanzhi.services.database import require_schema
from yanzhi.services.plan.summary import PlanSummary, plan_counts, plan_summary
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan, list_plans, save_plan


@dataclass(frozen=True)
class ValidationReport:
    """A plan file checked: ok with the plan's counts, or every issue found."""

    file: str
    ok: bool
    issues: list[Issue] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `yanzhi plan validate --json`."""
        return {
            "file": self.file,
            "ok": self.ok,
            "summary": self.summary,
            "errors": [i.to_dict() for i in self.issues],
        }


def validate_plan_file(path: Path, *, known_units: list[str] | None = None) -> ValidationReport:
    """Check a plan file (against ``known_units`` when given) without storing anything."""
    try:
        pf = read_plan(path, known_units=known_units)
    except InputRejected as exc:
        return ValidationReport(str(path), False, exc.issues)
    return ValidationReport(str(path), True, [], plan_counts(pf.plan))


@dataclass(frozen=True)
class LoadResult:
    """A plan stored: how many rows were created, updated, deleted, and what changed."""

    plan_code: str
    created: int
    updated: int
    deleted: int
    changes: list[str]
    kept: list[str] = field(default_factory=list)  # entered in the app, absent from the file

    @property
    def changed(self) -> bool:
        """Whether loading changed anything."""
        return bool(self.created or self.updated or self.deleted)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `yanzhi plan load --json`."""
        return {
            "plan": self.plan_code,
            "changed": self.changed,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "changes": self.changes,
            "kept": self.kept,
        }


def load_plan_file(engine: Engine, path: Path, *, actor: str, replace: bool = False) -> LoadResult:
    """Validate against the stored division tree, then store; all or nothing. What the
    bureau entered in the app for the parts the file leaves empty (lead units, milestones,
    departments) is kept (:func:`yanzhi.core.plan.keep.keep_entered`), unless ``replace``."""
    require_schema(engine)
    with transaction(engine) as session:
        units = [u.code for u in load_org_tree(session)]
    pf = read_plan(path, known_units=units or None)
    ctx = WriteContext(actor, source_file=path.name, source_sha256=pf.sha256)
    with transaction(engine) as session:
        plan, kept = pf.plan, list[str]()
        if not replace and any(p.code == plan.code for p in list_plans(session)):
            plan, kept = keep_entered(plan, get_plan(session, plan.code))
        counts = save_plan(session, plan, ctx=ctx, file_sha256=pf.sha256)
    return LoadResult(
        plan.code, counts.created, counts.updated, counts.deleted, counts.changes, kept
    )


def show_plan(engine: Engine, code: str | None = None) -> PlanSummary:
    """The stored plan as data: what `yanzhi plan show` prints (``--json``: ``to_dict()``)."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session, code)
    return plan_summary(plan)


__all__ = [
    "LoadResult",
    "PlanSummary",
    "ValidationReport",
    "load_plan_file",
    "plan_counts",
    "plan_summary",
    "show_plan",
    "validate_plan_file",
]
