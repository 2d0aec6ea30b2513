"""The stored plan as typed data: what `yanzhi plan show` prints (``--json``: ``to_dict()``).

Each part of the plan has its own summary type and a builder named after it; the field
order of every type is the key order of its JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from yanzhi.core.plan.model import (
    Guarantee,
    Indicator,
    Landmark,
    Plan,
    PlanMeta,
    Programme,
    QuantTarget,
    TargetPoint,
    Task,
)


def plan_counts(plan: Plan) -> dict[str, int]:
    """How many programmes, tasks, targets, indicators … the plan holds."""
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


@dataclass(frozen=True)
class PointSummary:
    year: int
    value: float | None
    comparator: str
    source: str | None = None


@dataclass(frozen=True)
class FormulaSummary:
    factor: float
    numerator: str
    denominator: str | None
    filter: dict[str, Any]


@dataclass(frozen=True)
class IndicatorSummary:
    code: str
    name: str
    name_en: str | None
    headline: bool
    unit: str
    direction: str
    frequency: str
    source: str
    formula: FormulaSummary
    target: float | None
    target_year: int | None
    comparator: str | None
    baseline: PointSummary | None
    interim_targets: list[PointSummary | None]
    target_source: str | None = None


@dataclass(frozen=True)
class LandmarkSummary:
    code: str
    title: str
    value: float | None
    unit: str | None
    task: str | None


@dataclass(frozen=True)
class TargetSummary:
    code: str
    description: str
    metric: str
    value: float
    unit: str | None
    comparator: str
    kind: str
    year: int


@dataclass(frozen=True)
class MilestoneSummary:
    year: int
    title: str
    due: str | None


@dataclass(frozen=True)
class TaskSummary:
    code: str
    title: str
    title_en: str | None
    text: str
    lead: str | None
    co_units: list[str]
    targets: list[TargetSummary]
    milestones: list[MilestoneSummary]


@dataclass(frozen=True)
class ProgrammeSummary:
    code: str
    title: str
    title_en: str | None
    tasks: list[TaskSummary]


@dataclass(frozen=True)
class RuleSummary:
    code: str
    description: str
    kind: str
    metric: str | None
    value: float | None
    unit: str | None
    comparator: str | None


@dataclass(frozen=True)
class GuaranteeSummary:
    code: str
    title: str
    rules: list[RuleSummary]


@dataclass(frozen=True)
class DepartmentSummary:
    code: str
    name: str


@dataclass(frozen=True)
class ZoneSummary:
    code: str
    name: str
    members: list[str]


@dataclass(frozen=True)
class PlanSummary:
    """A stored plan: its metadata (``plan`` in JSON), counts and every part."""

    plan: PlanMeta
    counts: dict[str, int]
    indicators: list[IndicatorSummary]
    landmarks: list[LandmarkSummary]
    programmes: list[ProgrammeSummary]
    guarantees: list[GuaranteeSummary]
    departments: list[DepartmentSummary]
    functional_zones: list[ZoneSummary]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `yanzhi plan show --json`."""
        return asdict(self)


def plan_summary(plan: Plan) -> PlanSummary:
    """The plan as :class:`PlanSummary`, part by part."""
    return PlanSummary(
        plan=plan.meta,
        counts=plan_counts(plan),
        indicators=[indicator_summary(i) for i in plan.indicators],
        landmarks=[landmark_summary(lm) for lm in plan.landmarks],
        programmes=[programme_summary(p) for p in plan.programmes],
        guarantees=[guarantee_summary(g) for g in plan.guarantees],
        departments=[DepartmentSummary(d.code, d.name) for d in plan.departments],
        functional_zones=[
            ZoneSummary(z.code, z.name, list(z.members)) for z in plan.functional_zones
        ],
    )


def point_summary(p: TargetPoint | None) -> PointSummary | None:
    """A baseline or interim target: year, value, comparator, source (None stays None)."""
    return None if p is None else PointSummary(p.year, p.value, p.comparator, p.source)


def indicator_summary(i: Indicator) -> IndicatorSummary:
    """An indicator with its formula, final target, baseline and interim targets."""
    f = i.formula
    t = i.target
    return IndicatorSummary(
        code=i.code,
        name=i.name,
        name_en=i.name_en,
        headline=i.headline,
        unit=i.unit,
        direction=i.direction,
        frequency=i.frequency,
        source=i.source,
        formula=FormulaSummary(f.factor, f.numerator, f.denominator, f.filter),
        target=t.value if t else None,
        target_year=t.year if t else None,
        comparator=t.comparator if t else None,
        baseline=point_summary(i.baseline),
        interim_targets=[point_summary(p) for p in i.interim_targets],
        target_source=t.source if t else None,
    )


def landmark_summary(lm: Landmark) -> LandmarkSummary:
    """A landmark result (标志性成果) and the task it belongs to."""
    return LandmarkSummary(lm.code, lm.title, lm.value, lm.unit, lm.task)


def target_summary(q: QuantTarget) -> TargetSummary:
    """A quantitative task target."""
    return TargetSummary(
        q.code, q.description, q.metric, q.value, q.unit, q.comparator, q.kind, q.year
    )


def task_summary(t: Task) -> TaskSummary:
    """A key task with its lead, co-units, targets and milestones."""
    return TaskSummary(
        code=t.code,
        title=t.title,
        title_en=t.title_en,
        text=t.text,
        lead=t.lead,
        co_units=list(t.co_units),
        targets=[target_summary(q) for q in t.targets],
        milestones=[MilestoneSummary(ms.year, ms.title, ms.due) for ms in t.milestones],
    )


def programme_summary(p: Programme) -> ProgrammeSummary:
    """A programme (工程) and its tasks."""
    return ProgrammeSummary(p.code, p.title, p.title_en, [task_summary(t) for t in p.tasks])


def guarantee_summary(g: Guarantee) -> GuaranteeSummary:
    """A guarantee measure (保障措施) and its rules."""
    rules = [
        RuleSummary(r.code, r.description, r.kind, r.metric, r.value, r.unit, r.comparator)
        for r in g.rules
    ]
    return GuaranteeSummary(g.code, g.title, rules)
