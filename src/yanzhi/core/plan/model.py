"""The plan model: programmes → key tasks → targets and milestones; indicators with
baseline, target and interim targets; landmark results; guarantee measures and their
rules. Built from a validated plan document (see ``docs/plan-format.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TargetPoint:
    year: int
    value: float | None
    comparator: str = ">="
    note: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class DataElement:
    code: str
    name: str
    unit: str
    source: str
    aggregation: str = "sum"
    name_en: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Formula:
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    filter: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    direction: str
    frequency: str
    source: str
    formula: Formula
    headline: bool = False
    name_en: str | None = None
    limit: float | None = None
    baseline: TargetPoint | None = None
    target: TargetPoint | None = None
    interim_targets: tuple[TargetPoint, ...] = ()
    definition: str | None = None
    data_source: str | None = None
    references: tuple[str, ...] = ()
    note: str | None = None

    @property
    def direction_sign(self) -> int:
        return 1 if self.direction == "up" else -1


@dataclass(frozen=True)
class QuantTarget:
    code: str
    description: str
    metric: str
    value: float
    kind: str
    year: int
    comparator: str = ">="
    unit: str | None = None
    description_en: str | None = None
    start_year: int | None = None
    baseline: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Milestone:
    year: int
    title: str
    code: str | None = None
    title_en: str | None = None
    due: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Task:
    code: str
    title: str
    text: str
    programme_code: str
    position: int
    title_en: str | None = None
    lead: str | None = None
    co_units: tuple[str, ...] = ()
    weight: float = 1.0
    targets: tuple[QuantTarget, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Programme:
    code: str
    title: str
    position: int
    tasks: tuple[Task, ...]
    title_en: str | None = None
    text: str | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Landmark:
    code: str
    title: str
    title_en: str | None = None
    value: float | None = None
    unit: str | None = None
    task: str | None = None
    note: str | None = None
    metric: str | None = None  # the metric of a task target or guarantee rule that counts it


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    kind: str
    description_en: str | None = None
    metric: str | None = None
    value: float | None = None
    unit: str | None = None
    comparator: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Guarantee:
    code: str
    title: str
    text: str
    position: int
    title_en: str | None = None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    name_en: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FunctionalZone:
    code: str
    name: str
    members: tuple[str, ...]
    name_en: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlanMeta:
    code: str
    title: str
    issuer: str
    region: str
    start_year: int
    end_year: int
    baseline_year: int
    title_en: str | None = None
    status: str = "draft"
    source: str | None = None
    synthetic: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Plan:
    meta: PlanMeta
    data_elements: tuple[DataElement, ...]
    indicators: tuple[Indicator, ...]
    programmes: tuple[Programme, ...]
    landmarks: tuple[Landmark, ...] = ()
    guarantees: tuple[Guarantee, ...] = ()
    departments: tuple[Department, ...] = ()
    functional_zones: tuple[FunctionalZone, ...] = ()

    @property
    def code(self) -> str:
        return self.meta.code

    @property
    def tasks(self) -> list[Task]:
        return [t for p in self.programmes for t in p.tasks]

    @property
    def headline_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.headline]

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(f"unknown indicator {code!r} / 未知指标 {code!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick(cls: type, d: Mapping[str, Any], **extra: Any) -> Any:
    names = cls.__dataclass_fields__  # type: ignore[attr-defined]
    kwargs = {k: v for k, v in d.items() if k in names}
    kwargs.update(extra)
    return cls(**kwargs)


def _point(d: Mapping[str, Any] | None) -> TargetPoint | None:
    return None if d is None else _pick(TargetPoint, d)


def _indicator(d: Mapping[str, Any]) -> Indicator:
    return _pick(
        Indicator,
        d,
        formula=_pick(Formula, d["formula"], filter=dict(d["formula"].get("filter") or {})),
        baseline=_point(d.get("baseline")),
        target=_point(d.get("target")),
        interim_targets=tuple(_pick(TargetPoint, t) for t in d.get("interim_targets") or []),
        references=tuple(d.get("references") or []),
    )


def _task(d: Mapping[str, Any], programme: str, position: int) -> Task:
    return _pick(
        Task,
        d,
        programme_code=programme,
        position=position,
        co_units=tuple(d.get("co_units") or []),
        targets=tuple(_pick(QuantTarget, t) for t in d.get("targets") or []),
        milestones=tuple(_pick(Milestone, m) for m in d.get("milestones") or []),
    )


def plan_from_document(doc: Mapping[str, Any]) -> Plan:
    """Build the model from a document that :func:`validate_plan` accepted."""
    programmes = tuple(
        _pick(
            Programme,
            p,
            position=i,
            tasks=tuple(_task(t, p["code"], j) for j, t in enumerate(p["tasks"], 1)),
        )
        for i, p in enumerate(doc["programmes"], 1)
    )
    guarantees = tuple(
        _pick(Guarantee, g, position=i, rules=tuple(_pick(Rule, r) for r in g.get("rules") or []))
        for i, g in enumerate(doc.get("guarantees") or [], 1)
    )
    return Plan(
        meta=_pick(PlanMeta, doc["plan"]),
        data_elements=tuple(_pick(DataElement, e) for e in doc["data_elements"]),
        indicators=tuple(_indicator(i) for i in doc["indicators"]),
        programmes=programmes,
        landmarks=tuple(_pick(Landmark, lm) for lm in doc.get("landmarks") or []),
        guarantees=guarantees,
        departments=tuple(_pick(Department, d) for d in doc.get("departments") or []),
        functional_zones=tuple(
            _pick(FunctionalZone, z, members=tuple(z.get("members") or []))
            for z in doc.get("functional_zones") or []
        ),
    )
