"""Key tasks: progress reports with evidence and their history, and the task board with
its automatic states and the programme / plan roll-up. Supervision (督办) and reminders are
in :mod:`.supervision`, leaders' comments in :mod:`.comments`, owners and milestones in
:mod:`.owners`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.errors import NotFound
from yanzhi.core.periods import Period, parse_period
from yanzhi.core.plan.model import Plan
from yanzhi.core.tasks import (
    AUTO_STATE_LABELS,
    TASK_STATUS_LABELS,
    AutoState,
    MilestoneState,
    TaskInputError,
    TaskStatus,
    auto_states,
    check_progress,
    milestone_due,
    parse_status,
    roll_up,
)
from yanzhi.ingest import evidence as ev
from yanzhi.services.database import require_schema
from yanzhi.services.tasks.targets import TargetStatus, list_targets, statuses_by_task
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.models import TaskRow
from yanzhi.storage.orgunits import list_org_units
from yanzhi.storage.plans import get_plan, list_plans
from yanzhi.storage.taskmodels import TaskReportRow

UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class ProgressReport:
    """A progress report on a task, with its evidence files (as stored)."""

    id: int
    task: str
    period: str
    status: str
    status_label_zh: str
    status_label_en: str
    progress: float
    narrative: str | None
    delay_reason: str | None
    delay_count: int
    reported_by: str
    reported_at: str
    synthetic: bool
    evidence: list[store.EvidenceFile]

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``, the board's ``latest``)."""
        return asdict(self)


@dataclass(frozen=True)
class MilestoneDue:
    """A milestone of a task on the board: its code and due date (ISO)."""

    code: str
    due: str


@dataclass(frozen=True)
class BoardMilestone(MilestoneDue):
    """A milestone of a task on the board and whether it is done."""

    done: bool


@dataclass(frozen=True)
class BoardTask:
    """A task on the board: its latest report (without evidence), automatic states (with
    their labels) and milestones."""

    code: str
    title: str
    title_en: str | None
    programme: str
    lead: str | None
    lead_name: str | None
    co_units: list[str]
    weight: float
    latest: ProgressReport | None
    states: list[str]
    state_labels: list[str]
    overdue_milestones: list[MilestoneDue]
    milestones: list[BoardMilestone]

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``): the keys the board has always had."""
        return asdict(self)


@dataclass(frozen=True)
class ProgrammeRollup:
    """A programme's progress: the weighted roll-up of its tasks' latest reports."""

    code: str
    progress: float | None


@dataclass(frozen=True)
class Board:
    """The task board of a period: the plan and programme roll-up and the tasks shown."""

    period: str
    today: str
    plan_progress: float | None
    programmes: list[ProgrammeRollup]
    tasks: list[BoardTask]

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``): the keys the board has always had."""
        return asdict(self)


def current_period(today: dt.date) -> str:
    """Task reports are quarterly: the quarter that contains ``today``."""
    return str(Period.of_quarter(today.year, (today.month - 1) // 3 + 1))


def _task(session: Session, plan: Plan, code: str) -> TaskRow:
    row = store.get_task(session, _plan_id(session, plan), code)
    if row is None:
        raise NotFound(f"unknown task {code!r}; e.g. P1.T1", f"未知任务 {code!r}")
    return row


def _plan_id(session: Session, plan: Plan) -> int:
    return next(p.id for p in list_plans(session) if p.code == plan.code)


def report(
    engine: Engine,
    task: str,
    *,
    period: Period | str,
    status: str,
    progress: float,
    actor: str,
    note: str | None = None,
    delay_reason: str | None = None,
    evidence: Sequence[Path] = (),
    synthetic: bool = False,
    at: dt.datetime | None = None,
) -> ProgressReport:
    """Store a progress report. Refused, with nothing stored, for an unknown task, status
    or period, a progress outside 0–100, or an evidence file that is missing, too large or
    of a type not accepted."""
    require_schema(engine)
    state = parse_status(status)
    pct = check_progress(progress)
    try:
        per = str(parse_period(period))
    except ValueError as exc:
        raise TaskInputError(f"{exc} / 无法识别的报告期 {period!r}") from None
    checked = [ev.check(Path(p)) for p in evidence]  # every file before anything is stored
    ctx = WriteContext(actor)
    with transaction(engine) as session:
        plan = get_plan(session)
        row = _task(session, plan, task)
        history = store.list_reports(session, row.plan_id, row.id)
        delays = history[-1].delay_count if history else 0
        delays += 1 if state is TaskStatus.BEHIND else 0
        files = [_stored(e) for e in checked]
        saved = store.create_report(
            session,
            task=row,
            period=per,
            status=state.value,
            progress=pct,
            narrative=note,
            delay_reason=delay_reason,
            delay_count=delays,
            evidence=files,
            ctx=ctx,
            synthetic=synthetic,
            at=at,
        )
        return _report(saved, row.code, files)


def _stored(e: ev.Evidence) -> store.EvidenceFile:
    s = ev.store(e)
    return store.EvidenceFile(e.file_name, e.sha256, e.size, e.mime, s.stored_path)


def _report(r: TaskReportRow, task: str, evidence: list[store.EvidenceFile]) -> ProgressReport:
    zh, en = TASK_STATUS_LABELS[TaskStatus(r.status)]
    return ProgressReport(
        id=r.id,
        task=task,
        period=r.period,
        status=r.status,
        status_label_zh=zh,
        status_label_en=en,
        progress=r.progress,
        narrative=r.narrative,
        delay_reason=r.delay_reason,
        delay_count=r.delay_count,
        reported_by=r.reported_by,
        reported_at=r.reported_at.isoformat(),
        synthetic=r.synthetic,
        evidence=evidence,
    )


def history(engine: Engine, task: str) -> list[ProgressReport]:
    """Every report of a task, oldest first, with its evidence files."""
    require_schema(engine)
    with transaction(engine) as session:
        row = _task(session, get_plan(session), task)
        reports = store.list_reports(session, row.plan_id, row.id)
        files: dict[int, list[store.EvidenceFile]] = {}
        for e in store.list_evidence(session, [r.id for r in reports]):
            files.setdefault(e.report_id, []).append(
                store.EvidenceFile(e.file_name, e.sha256, e.size, e.mime, e.stored_path)
            )
        return [_report(r, task, files.get(r.id, [])) for r in reports]


def _unit_names(session: Session, plan: Plan) -> dict[str, str]:
    names = {u.code: u.name for u in list_org_units(session)}
    names.update({d.code: d.name for d in plan.departments})
    return names


def board(
    engine: Engine,
    *,
    owner: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    period: Period | str | None = None,
    today: dt.date | None = None,
    target_rows: list[TargetStatus] | None = None,
) -> Board:
    """The task board: each task's latest report (what the board shows), automatic
    states, milestones and target statuses; with the programme / plan roll-up.
    ``target_rows``: :func:`list_targets` as of the same day, when the caller has it."""
    day = today or dt.date.today()
    per = str(parse_period(period)) if period else current_period(day)
    wanted = parse_status(status) if status else None
    require_schema(engine)
    rows_of_targets = list_targets(engine, as_of=day) if target_rows is None else target_rows
    targets = statuses_by_task(rows_of_targets)
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = _plan_id(session, plan)
        latest: dict[int, TaskReportRow] = {}
        reported: set[int] = set()
        for r in store.list_reports(session, pid):
            latest[r.task_id] = r
            if r.period == per:
                reported.add(r.task_id)
        done = {m.id: d for m, d in store.list_milestones(session, pid)}
        milestones: dict[int, list[Any]] = {}
        for m, _ in store.list_milestones(session, pid):
            milestones.setdefault(m.task_id, []).append(m)
        names = _unit_names(session, plan)
        rows = store.list_tasks(session, pid)
        programmes = {p.id: p for p in store.list_programmes(session, pid)}
        items = [
            _task_item(
                t,
                latest.get(t.id),
                t.id in reported,
                milestones.get(t.id, []),
                done,
                targets.get(t.code, []),
                names,
                programmes[t.programme_id].code,
                day,
            )
            for t in rows
        ]
        weights: dict[str, tuple[float, list[tuple[float | None, float]]]] = {
            p.code: (p.weight, []) for p in programmes.values()
        }
    for item, t in zip(items, rows, strict=True):
        pct = item.latest.progress if item.latest else None
        weights[item.programme][1].append((pct, t.weight))
    rolled = roll_up({k: (w, ts) for k, (w, ts) in weights.items()})
    shown = [i for i in items if _matches(i, owner, wanted, overdue)]
    return Board(
        period=per,
        today=day.isoformat(),
        plan_progress=rolled.plan,
        programmes=[ProgrammeRollup(k, v) for k, v in rolled.programmes.items()],
        tasks=shown,
    )


def _task_item(
    t: TaskRow,
    latest: TaskReportRow | None,
    reported: bool,
    milestones: list[Any],
    done: dict[int, bool],
    target_statuses: list[Any],
    names: dict[str, str],
    programme: str,
    day: dt.date,
) -> BoardTask:
    ms = [
        MilestoneState(m.code, milestone_due(m.year, m.due), done.get(m.id, False))
        for m in milestones
    ]
    states = auto_states(
        today=day,
        milestones=ms,
        reported_this_period=reported,
        status=TaskStatus(latest.status) if latest else None,
        target_statuses=target_statuses,
    )
    return BoardTask(
        code=t.code,
        title=t.title,
        title_en=t.title_en,
        programme=programme,
        lead=t.lead,
        lead_name=names.get(t.lead or ""),
        co_units=list(t.co_units or []),
        weight=t.weight,
        latest=None if latest is None else _report(latest, t.code, []),
        states=[s.value for s in states],
        state_labels=[AUTO_STATE_LABELS[s][0] + " / " + AUTO_STATE_LABELS[s][1] for s in states],
        overdue_milestones=[
            MilestoneDue(m.code, m.due.isoformat()) for m in ms if not m.done and m.due < day
        ],
        milestones=[BoardMilestone(m.code, m.due.isoformat(), m.done) for m in ms],
    )


def _matches(item: BoardTask, owner: str | None, status: TaskStatus | None, overdue: bool) -> bool:
    if owner and owner != item.lead and owner not in item.co_units:
        return False
    if status and (item.latest is None or item.latest.status != status.value):
        return False
    return not overdue or AutoState.OVERDUE_MILESTONE.value in item.states
