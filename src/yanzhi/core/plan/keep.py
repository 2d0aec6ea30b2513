"""What a bureau entered in the app and a plan file leaves empty, kept when the file is
loaded again: a task's lead and co-units (assigned on the task page), its milestones, and
the departments that own tasks. A plan file as published (the Ningbo seed names no lead
unit) is loaded once, then the bureau assigns the work in the app; loading a corrected file
later (a new data element, a fixed text) must not undo the assignments. A part the file
does give wins; ``yanzhi plan load --replace`` makes the file the whole truth.

Pure: standard library only."""

from __future__ import annotations

from dataclasses import replace

from yanzhi.core.plan.model import Department, Plan, Task


def _kept_task(new: Task, old: Task, kept: list[str]) -> Task:
    changes: dict[str, object] = {}
    if new.lead is None and not new.co_units and (old.lead or old.co_units):
        changes.update(lead=old.lead, co_units=old.co_units)
        kept.append(f"任务 {new.code} 的牵头单位和配合单位")
    if not new.milestones and old.milestones:
        changes["milestones"] = old.milestones
        kept.append(f"任务 {new.code} 的里程碑({len(old.milestones)}个)")
    return replace(new, **changes) if changes else new  # type: ignore[arg-type]


def keep_entered(plan: Plan, stored: Plan | None) -> tuple[Plan, list[str]]:
    """``plan`` (from a file) with what ``stored`` (the same plan in the database) holds in
    the parts the file leaves empty, and a line (Chinese) for each part kept."""
    if stored is None or stored.code != plan.code:
        return plan, []
    old = {t.code: t for t in stored.tasks}
    kept: list[str] = []
    programmes = tuple(
        replace(
            p,
            tasks=tuple(_kept_task(t, old[t.code], kept) if t.code in old else t for t in p.tasks),
        )
        for p in plan.programmes
    )
    given = {d.code for d in plan.departments}
    used = {c for t in (t for p in programmes for t in p.tasks) for c in (t.lead, *t.co_units)}
    extra: list[Department] = [
        d for d in stored.departments if d.code not in given and (d.code in used or not given)
    ]
    if extra:
        kept.append(f"部门 {len(extra)} 个: " + "、".join(d.name for d in extra))
    merged = replace(plan, programmes=programmes, departments=(*plan.departments, *extra))
    return merged, kept
