"""Store a plan in the relational tables and read it back.

``save_plan`` is idempotent: saving the plan the database already holds changes no row
and writes no audit entry; saving an edited plan updates exactly what changed and
audits each create / update / delete with old and new values.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.core.errors import NotFound
from yanzhi.core.plan.model import Plan, plan_from_document
from yanzhi.storage import models as m
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.sync import SyncCounts, sync_rows


class PlanNotFound(NotFound):
    """No plan has been loaded into the database (run yanzhi init / plan load)."""


Rows = dict[Any, dict[str, Any]]
"""The rows one table should hold: {code: values}."""
Ids = dict[str, dict[str, Any]]
"""The stored rows of the tables synced so far, by entity and code (for parent ids)."""
Builder = Callable[[Plan, Ids], Rows]


def _plan_rows(plan: Plan, ids: Ids) -> Rows:
    """The plan's own row (its metadata)."""
    mt = plan.meta
    return {
        mt.code: dict(
            title=mt.title,
            title_en=mt.title_en,
            issuer=mt.issuer,
            status=mt.status,
            region=mt.region,
            start_year=mt.start_year,
            end_year=mt.end_year,
            baseline_year=mt.baseline_year,
            source=mt.source,
            synthetic=mt.synthetic,
            note=mt.note,
        )
    }


def _data_element_rows(plan: Plan, ids: Ids) -> Rows:
    """The data elements the formulas use."""
    return {
        e.code: dict(
            name=e.name,
            name_en=e.name_en,
            unit=e.unit,
            source=e.source,
            aggregation=e.aggregation,
            note=e.note,
            position=i,
        )
        for i, e in enumerate(plan.data_elements, 1)
    }


def _indicator_rows(plan: Plan, ids: Ids) -> Rows:
    """The indicators with their formulas."""
    return {
        i.code: dict(
            name=i.name,
            name_en=i.name_en,
            headline=i.headline,
            unit=i.unit,
            direction=i.direction,
            frequency=i.frequency,
            source=i.source,
            formula=_formula(i),
            natural_limit=i.limit,
            definition=i.definition,
            data_source=i.data_source,
            refs=list(i.references),
            note=i.note,
            position=n,
        )
        for n, i in enumerate(plan.indicators, 1)
    }


def _indicator_target_rows(plan: Plan, ids: Ids) -> Rows:
    """Each indicator's baseline, final target and interim targets, keyed code/kind:year."""
    out = {}
    for ind in plan.indicators:
        points = [("baseline", ind.baseline), ("target", ind.target)]
        points += [("interim", p) for p in ind.interim_targets]
        for pos, (kind, p) in enumerate(points):
            if p is not None:
                out[f"{ind.code}/{kind}:{p.year}"] = dict(
                    indicator_id=ids["indicator"][ind.code].id,
                    kind=kind,
                    year=p.year,
                    value=p.value,
                    comparator=p.comparator,
                    note=p.note,
                    source=p.source,
                    position=pos,
                )
    return out


def _programme_rows(plan: Plan, ids: Ids) -> Rows:
    """The programmes (工程)."""
    return {
        p.code: dict(
            title=p.title,
            title_en=p.title_en,
            text=p.text,
            weight=p.weight,
            position=p.position,
        )
        for p in plan.programmes
    }


def _task_rows(plan: Plan, ids: Ids) -> Rows:
    """The key tasks, each under its programme."""
    return {
        t.code: dict(
            programme_id=ids["programme"][t.programme_code].id,
            title=t.title,
            title_en=t.title_en,
            text=t.text,
            lead=t.lead,
            co_units=list(t.co_units),
            weight=t.weight,
            note=t.note,
            position=t.position,
        )
        for t in plan.tasks
    }


def _task_target_rows(plan: Plan, ids: Ids) -> Rows:
    """The quantitative targets of every task."""
    return {
        q.code: dict(
            task_id=ids["task"][t.code].id,
            description=q.description,
            description_en=q.description_en,
            metric=q.metric,
            value=q.value,
            unit=q.unit,
            comparator=q.comparator,
            kind=q.kind,
            year=q.year,
            start_year=q.start_year,
            baseline=q.baseline,
            note=q.note,
            position=n,
        )
        for t in plan.tasks
        for n, q in enumerate(t.targets, 1)
    }


def _milestone_rows(plan: Plan, ids: Ids) -> Rows:
    """The milestones of every task (keyed by their code, else task/M<n>)."""
    return {
        (ms.code or f"{t.code}/M{n}"): dict(
            task_id=ids["task"][t.code].id,
            year=ms.year,
            title=ms.title,
            title_en=ms.title_en,
            due=ms.due,
            note=ms.note,
            position=ms.year,  # as a milestone added in the app: in year order
        )
        for t in plan.tasks
        for n, ms in enumerate(t.milestones, 1)
    }


def _landmark_rows(plan: Plan, ids: Ids) -> Rows:
    """The landmark results (标志性成果)."""
    return {
        lm.code: dict(
            title=lm.title,
            title_en=lm.title_en,
            value=lm.value,
            unit=lm.unit,
            task=lm.task,
            note=lm.note,
            metric=lm.metric,
            position=n,
        )
        for n, lm in enumerate(plan.landmarks, 1)
    }


def _guarantee_rows(plan: Plan, ids: Ids) -> Rows:
    """The guarantee measures (保障措施)."""
    return {
        g.code: dict(title=g.title, title_en=g.title_en, text=g.text, position=g.position)
        for g in plan.guarantees
    }


def _guarantee_rule_rows(plan: Plan, ids: Ids) -> Rows:
    """The rules of every guarantee measure."""
    return {
        r.code: dict(
            guarantee_id=ids["guarantee"][g.code].id,
            description=r.description,
            description_en=r.description_en,
            kind=r.kind,
            metric=r.metric,
            value=r.value,
            unit=r.unit,
            comparator=r.comparator,
            note=r.note,
            position=n,
        )
        for g in plan.guarantees
        for n, r in enumerate(g.rules, 1)
    }


def _department_rows(plan: Plan, ids: Ids) -> Rows:
    """The departments that own tasks."""
    return {
        d.code: dict(name=d.name, name_en=d.name_en, note=d.note, position=n)
        for n, d in enumerate(plan.departments, 1)
    }


def _functional_zone_rows(plan: Plan, ids: Ids) -> Rows:
    """The functional zones and their member units."""
    return {
        z.code: dict(
            name=z.name, name_en=z.name_en, members=list(z.members), note=z.note, position=n
        )
        for n, z in enumerate(plan.functional_zones, 1)
    }


_TABLES: list[tuple[type[m.Base], str, Builder]] = [
    (m.PlanRow, "plan", _plan_rows),
    (m.DataElementRow, "data_element", _data_element_rows),
    (m.IndicatorRow, "indicator", _indicator_rows),
    (m.IndicatorTargetRow, "indicator_target", _indicator_target_rows),
    (m.ProgrammeRow, "programme", _programme_rows),
    (m.TaskRow, "task", _task_rows),
    (m.TaskTargetRow, "task_target", _task_target_rows),
    (m.MilestoneRow, "milestone", _milestone_rows),
    (m.LandmarkRow, "landmark", _landmark_rows),
    (m.GuaranteeRow, "guarantee", _guarantee_rows),
    (m.GuaranteeRuleRow, "guarantee_rule", _guarantee_rule_rows),
    (m.DepartmentRow, "department", _department_rows),
    (m.FunctionalZoneRow, "functional_zone", _functional_zone_rows),
]
"""Every table of a plan in the order they are synced (parents before children)."""


def _desired(plan: Plan) -> list[tuple[type[m.Base], str, Callable[[dict[str, Any]], dict]]]:
    """(model, audit entity, builder of {code: values} given the ids of parents)."""
    return [(model, entity, partial(build, plan)) for model, entity, build in _TABLES]


def _formula(i: Any) -> dict[str, Any]:
    f = i.formula
    out: dict[str, Any] = {"factor": f.factor, "numerator": f.numerator}
    if f.denominator:
        out["denominator"] = f.denominator
    if f.filter:
        out["filter"] = dict(f.filter)
    return out


def save_plan(
    session: Session, plan: Plan, *, ctx: WriteContext, file_sha256: str | None
) -> SyncCounts:
    total = SyncCounts()
    steps = _desired(plan)
    ids: dict[str, dict[str, Any]] = {}
    prefix = f"{plan.code}:"
    plan_id: int | None = None
    for model, entity, build in steps:  # upsert, parents first
        table: Any = model
        where = (m.PlanRow.code == plan.code) if model is m.PlanRow else (table.plan_id == plan_id)
        desired = build(ids)
        if model is not m.PlanRow:
            desired = {k: {"plan_id": plan_id, **v} for k, v in desired.items()}
        rows, counts = sync_rows(
            session,
            model,
            where=where,
            key_attr="code",
            desired=desired,
            ctx=ctx,
            entity=entity,
            key_prefix=prefix,
            delete=False,
        )
        ids[entity] = rows
        total.add(counts)
        if model is m.PlanRow:
            plan_id = rows[plan.code].id
    for model, entity, build in reversed(steps[1:]):  # delete, children first
        child: Any = model
        _, counts = sync_rows(
            session,
            model,
            where=child.plan_id == plan_id,
            key_attr="code",
            desired=build(ids),
            ctx=ctx,
            entity=entity,
            key_prefix=prefix,
            upsert=False,
        )
        total.add(counts)
    plan_row = ids["plan"][plan.code]
    if total.changed or plan_row.file_sha256 is None:
        plan_row.file_sha256 = file_sha256
    return total


def list_plans(session: Session) -> list[m.PlanRow]:
    return list(session.scalars(select(m.PlanRow).order_by(m.PlanRow.id)))


def get_plan(session: Session, code: str | None = None) -> Plan:
    """The plan with ``code``, or the only / first loaded plan."""
    q = select(m.PlanRow).order_by(m.PlanRow.id)
    if code:
        q = q.where(m.PlanRow.code == code)
    row = session.scalars(q).first()
    if row is None:
        raise PlanNotFound(
            f"no plan {code or ''} in the database; run `yanzhi init` or `yanzhi plan load FILE` / "
            f"数据库中没有计划 {code or ''}, 请先运行 yanzhi init 或 yanzhi plan load"
        )
    return plan_from_document(_document(session, row))


def _rows(session: Session, model: Any, plan_id: int) -> list[Any]:
    return list(
        session.scalars(
            select(model).where(model.plan_id == plan_id).order_by(model.position, model.id)
        )
    )


def _clean(row: Any, *drop: str) -> dict[str, Any]:
    skip = {"id", "plan_id", "position", *drop}
    return {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if c.key not in skip and getattr(row, c.key) is not None
    }


def _document(session: Session, row: m.PlanRow) -> dict[str, Any]:
    pid = row.id
    meta = _clean(row, "file_sha256", "loaded_at")
    targets: dict[int, list[m.IndicatorTargetRow]] = {}
    for t in _rows(session, m.IndicatorTargetRow, pid):
        targets.setdefault(t.indicator_id, []).append(t)
    indicators = []
    for i in _rows(session, m.IndicatorRow, pid):
        d = _clean(i, "natural_limit", "refs")
        d.update(limit=i.natural_limit, references=i.refs or [])
        for t in targets.get(i.id, []):
            point = _clean(t, "indicator_id", "kind", "code")
            if t.kind == "interim":
                d.setdefault("interim_targets", []).append(point)
            else:
                d[t.kind] = {**point, "value": t.value}
        indicators.append(d)
    task_targets, milestones = _by(session, m.TaskTargetRow, pid), _by(session, m.MilestoneRow, pid)
    tasks_by_prog: dict[int, list[dict[str, Any]]] = {}
    for t in _rows(session, m.TaskRow, pid):
        d = _clean(t, "programme_id")
        d["lead"] = t.lead
        d["targets"] = [_clean(q, "task_id") for q in task_targets.get(t.id, [])]
        d["milestones"] = [_clean(ms, "task_id") for ms in milestones.get(t.id, [])]
        tasks_by_prog.setdefault(t.programme_id, []).append(d)
    rules = _by(session, m.GuaranteeRuleRow, pid, "guarantee_id")
    return {
        "schema_version": 1,
        "plan": meta,
        "data_elements": [_clean(e) for e in _rows(session, m.DataElementRow, pid)],
        "indicators": indicators,
        "programmes": [
            {**_clean(p), "tasks": tasks_by_prog.get(p.id, [])}
            for p in _rows(session, m.ProgrammeRow, pid)
        ],
        "landmarks": [_clean(x) for x in _rows(session, m.LandmarkRow, pid)],
        "guarantees": [
            {**_clean(g), "rules": [_clean(r, "guarantee_id") for r in rules.get(g.id, [])]}
            for g in _rows(session, m.GuaranteeRow, pid)
        ],
        "departments": [_clean(x) for x in _rows(session, m.DepartmentRow, pid)],
        "functional_zones": [_clean(x) for x in _rows(session, m.FunctionalZoneRow, pid)],
    }


def _by(session: Session, model: Any, pid: int, attr: str = "task_id") -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for r in _rows(session, model, pid):
        out.setdefault(getattr(r, attr), []).append(r)
    return out
