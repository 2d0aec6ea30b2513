"""Key tasks as a principal sees them: the board, a task's page, its history and evidence,
reports, comments, owners, milestones and supervision (督办). The writes are in
:mod:`yanzhi.views.task_writes`, supervision in :mod:`yanzhi.views.supervision`, the
registers in :mod:`yanzhi.views.registers`.

Every function takes the principal's :class:`~yanzhi.services.access.scope.Scope` (resolved
once, at the edge), so the web pages, the API and any script obey one rule:

- reading tasks needs ``read`` (enterprise users: none); a task is visible when
  :func:`scope.sees_task` says so (city-wide roles and city leaders: all; a task owner its
  own; a district or township user the tasks its unit, or a unit inside it, leads or co-leads);
- reporting needs ``task_report`` and, unless admin, a task the principal leads or co-leads;
- comments need ``comment`` (leaders, admin) on a visible task; owners, milestones and
  reminders need ``task_manage``.

The numbers come from :mod:`yanzhi.services.tasks.updates` and :mod:`yanzhi.services.tasks.targets`
unchanged; this module only checks and filters. It returns the typed results of
:mod:`yanzhi.views.task_models` (also the API's response models). An unknown task is
:class:`~yanzhi.core.errors.NotFound`, a task out of scope
:class:`~yanzhi.core.errors.NotPermitted`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.errors import NotFound, NotPermitted
from yanzhi.core.tasks import TASK_STATUS_LABELS
from yanzhi.ingest import evidence as ev
from yanzhi.services.access.scope import Scope
from yanzhi.services.database import require_schema
from yanzhi.services.tasks import comments as comment_svc
from yanzhi.services.tasks import updates as tasks
from yanzhi.services.tasks.targets import list_targets
from yanzhi.storage import tasks as store
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan, list_plans
from yanzhi.views.task_models import (
    EvidenceFile,
    TaskBoard,
    TaskDetail,
    TaskReport,
)

SAFE_MIME = frozenset(
    [mime for _, mime in ev.MAGIC] + list(ev.OOXML.values()) + ["image/webp", ev.OLE_MIME]
)
"""The evidence types a download may be served as; anything else goes out as octet-stream."""


# --------------------------------------------------------------------------- helpers


def task_owners(engine: Engine) -> dict[str, tuple[str | None, list[str]]]:
    """Each task's lead unit and co-units, by task code."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = next(p.id for p in list_plans(session) if p.code == plan.code)
        return {t.code: (t.lead, list(t.co_units or [])) for t in store.list_tasks(session, pid)}


def unit_names(engine: Engine) -> dict[str, str]:
    """Names of org units and of the plan's departments, by code."""
    with transaction(engine) as session:
        plan = get_plan(session)
        names = {u.code: u.name for u in list_org_units(session)}
    names.update({d.code: d.name for d in plan.departments})
    return names


def check_task(engine: Engine, scope: Scope, code: str) -> tuple[str | None, list[str]]:
    """The task's owners; NotFound for an unknown task, NotPermitted if not visible."""
    scope.require("read")
    owners = task_owners(engine)
    if code not in owners:
        raise NotFound(f"unknown task {code!r}; e.g. P1.T1", f"未知任务 {code!r}")
    lead, co = owners[code]
    if not scope.sees_task(lead, co):
        name = scope.principal.name
        raise NotPermitted(
            f"task {code} is not one of {name}'s tasks", f"任务 {code} 不在 {name} 的权限范围内"
        )
    return lead, co


def may_report(scope: Scope, lead: str | None, co: Sequence[str]) -> bool:
    """Admins report on any task; a task owner on the tasks it leads or co-leads."""
    if not scope.can("task_report"):
        return False
    return scope.role == "admin" or scope.sees_task(lead, co)


def may_comment(scope: Scope, lead: str | None, co: Sequence[str]) -> bool:
    """Leaders and admins comment on the tasks they see."""
    return scope.can("comment") and scope.sees_task(lead, co)


# --------------------------------------------------------------------------- the board


def board(
    engine: Engine,
    scope: Scope,
    *,
    owner: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    period: str | None = None,
    today: dt.date | None = None,
) -> TaskBoard:
    """The task board limited to the principal's tasks. The plan and programme progress are
    the whole plan's (city totals, as :func:`tasks.board` computes them); each programme
    also counts the principal's tasks on it and those flagged by an automatic state."""
    scope.require("read")
    b = tasks.board(
        engine,
        owner=owner or None,
        status=status or None,
        overdue=overdue,
        period=period,
        today=today,
    )
    with transaction(engine) as session:
        plan = get_plan(session)
    names = unit_names(engine)
    shown = [t.to_dict() for t in b.tasks if scope.sees_task(t.lead, t.co_units)]
    titles = {p.code: (p.title, p.title_en) for p in plan.programmes}
    programmes = []
    for p in b.programmes:
        mine = [t for t in shown if t["programme"] == p.code]
        title, title_en = titles.get(p.code, ("", None))
        programmes.append(
            {
                "code": p.code,
                "progress": p.progress,
                "title": title,
                "title_en": title_en,
                "tasks": len(mine),
                "flagged": sum(1 for t in mine if t["states"]),
            }
        )
    for t in shown:
        t["co_unit_names"] = [names.get(u, u) for u in t["co_units"]]
    return TaskBoard.model_validate(
        {
            **b.to_dict(),
            "programmes": programmes,
            "tasks": shown,
            "summary": _summary(shown),
            "owners": _owner_choices(engine, scope, names),
            "filters": {"owner": owner, "status": status, "overdue": overdue},
            "statuses": [
                {"code": s.value, "zh": zh, "en": en} for s, (zh, en) in TASK_STATUS_LABELS.items()
            ],
        }
    )


def _summary(items: list[dict[str, Any]]) -> dict[str, int]:
    def has(state: str) -> int:
        """How many of the tasks carry ``state``."""
        return sum(1 for t in items if state in t["states"])

    return {
        "tasks": len(items),
        "overdue": has("overdue_milestone"),
        "silent": has("silent"),
        "target_behind": has("target_behind"),
        "behind": sum(1 for t in items if (t["latest"] or {}).get("status") == "behind"),
        "done": sum(1 for t in items if (t["latest"] or {}).get("status") == "done"),
        "unreported": sum(1 for t in items if t["latest"] is None),
    }


def _owner_choices(engine: Engine, scope: Scope, names: dict[str, str]) -> list[dict[str, str]]:
    """The units leading or co-leading the principal's tasks (the board's owner filter)."""
    seen: dict[str, str] = {}
    for lead, co in task_owners(engine).values():
        if not scope.sees_task(lead, co):
            continue
        for u in [lead, *co]:
            if u:
                seen.setdefault(u, names.get(u, u))
    return [{"code": c, "name": n} for c, n in sorted(seen.items())]


# --------------------------------------------------------------------------- one task


def task(engine: Engine, scope: Scope, code: str, *, today: dt.date | None = None) -> TaskDetail:
    """A task's page: texts, owners, milestones, targets, automatic states, report
    history with evidence, leaders' comments, reminders, and what the principal may do."""
    lead, co = check_task(engine, scope, code)
    day = today or dt.date.today()
    all_targets = list_targets(engine, as_of=day)
    full = tasks.board(engine, today=day, target_rows=all_targets)
    item = next(t.to_dict() for t in full.tasks if t.code == code)
    names = unit_names(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = next(p.id for p in list_plans(session) if p.code == plan.code)
        row = store.get_task(session, pid, code)
        assert row is not None
        text, note = row.text, row.note
        titles = {
            m.code: (m.title, m.title_en, m.year)
            for m, _ in store.list_milestones(session, pid)
            if m.task_id == row.id
        }
        reminders = [
            {
                "unit": r.unit,
                "period": r.period,
                "reasons": list(r.reasons or []),
                "note": r.note,
                "reminded_by": r.reminded_by,
                "reminded_at": r.reminded_at.isoformat(),
            }
            for r in store.list_reminders(session, pid)
            if r.task_id == row.id
        ]
    programme = next(p for p in plan.programmes if p.code == item["programme"])
    milestones = [
        {
            **m,
            "title": titles.get(m["code"], ("", None, None))[0],
            "title_en": titles.get(m["code"], ("", None, None))[1],
            "year": titles.get(m["code"], ("", None, None))[2],
            "overdue": not m["done"] and m["due"] < day.isoformat(),
        }
        for m in item["milestones"]
    ]
    detail = {
        **item,
        "text": text,
        "note": note,
        "programme_title": programme.title,
        "programme_title_en": programme.title_en,
        "lead_name": names.get(lead or "", None),
        "co_unit_names": [names.get(u, u) for u in co],
        "milestones": milestones,
        "targets": [t.to_dict() for t in all_targets if t.task == code],
        "history": _history(engine, code),
        "comments": [c.to_dict() for c in comment_svc.comments(engine, code)],
        "reminders": reminders,
        "current_period": tasks.current_period(day),
        "may": {
            "report": may_report(scope, lead, co),
            "comment": may_comment(scope, lead, co),
            "manage": scope.can("task_manage"),
        },
        "units": [{"code": c, "name": n} for c, n in sorted(names.items())],
    }
    return TaskDetail.model_validate(detail)


def public_report(r: tasks.ProgressReport) -> TaskReport:
    """A report as shown: its evidence without where it is stored on disk."""
    return TaskReport.model_validate(
        {
            **r.to_dict(),
            "evidence": [
                {k: v for k, v in asdict(e).items() if k != "stored_path"} for e in r.evidence
            ],
        }
    )


def _history(engine: Engine, code: str) -> list[TaskReport]:
    return [public_report(r) for r in reversed(tasks.history(engine, code))]


def history(engine: Engine, scope: Scope, code: str) -> list[TaskReport]:
    """Every report of a visible task, newest first, with its evidence files (by hash)."""
    check_task(engine, scope, code)
    return _history(engine, code)


def evidence_file(engine: Engine, scope: Scope, code: str, sha256: str) -> EvidenceFile:
    """An evidence file of one of the task's reports, for download: its path on disk, its
    name, size and the type its content was checked to be."""
    check_task(engine, scope, code)
    found = next(
        (e for r in tasks.history(engine, code) for e in r.evidence if e.sha256 == sha256),
        None,
    )
    if found is None:
        raise NotFound(f"no evidence {sha256[:12]}… on task {code}", "该任务无此证明材料")
    root = ev.evidence_dir().resolve()
    path = (root / found.stored_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"evidence file {found.file_name} is missing", "证明材料文件缺失")
    mime = found.mime if found.mime in SAFE_MIME else "application/octet-stream"
    return EvidenceFile(path=path, file_name=found.file_name, size=found.size, mime=mime)
