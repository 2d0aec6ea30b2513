"""The plan's landmark results (标志性成果, Ningbo's 十百千): each landmark is counted by the
``metric`` the plan names for it, and that metric is already a task target's (十大区域创新极,
百家重点实验室, 百项重大硬核科技攻关成果: a register count) or a guarantee rule's (千亿科技创新
基金: a statistic). So a landmark's value, path and verdict *are* that target's or rule's —
the same figures as the task board and the 保障措施 page, never computed a second time — and
the landmark adds the items behind the count: the register's entries it counts now, each with
its unit, the date it was recognised, its evidence and whether it still counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.plan.model import Landmark, Plan
from yanzhi.core.registers import counted, metric_sources
from yanzhi.core.verdict import LEVEL_LABELS, Level
from yanzhi.services.database import require_schema
from yanzhi.services.plan import guarantees as guarantees_svc
from yanzhi.services.tasks.targets import TargetStatus, list_targets
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.registers import entries_frame


@dataclass(frozen=True)
class LandmarkItem:
    """One register entry behind a landmark's count; ``counted``: whether the count of
    ``as_of_year`` includes it (an entry that ended, or started before the plan for a
    cumulative count, is listed but not counted)."""

    code: str
    name: str
    unit_code: str
    unit_name: str
    recognised_on: str
    ended_on: str | None
    host: str | None
    evidence: str | None
    counted: bool
    synthetic: bool


@dataclass(frozen=True)
class LandmarkTrack:
    """A landmark with the figures of what counts it (``measured_by``: ``target`` — a task
    target, ``source_code`` its code — or ``rule`` — a guarantee rule), or the ``reason``
    nothing does."""

    code: str
    title: str
    target: float | None
    unit: str | None
    task: str | None
    metric: str | None
    target_year: int
    measured_by: str | None
    source_code: str | None
    source_text: str | None
    value: float | None
    year: int | None
    expected_now: float | None
    path: dict[str, float]  # the target's yearly path (a task target's)
    series: dict[str, float]  # the values so far, by year
    verdict: str
    verdict_zh: str
    verdict_en: str
    reason_zh: str
    reason_en: str
    register: str | None = None
    register_name: str | None = None
    items: list[LandmarkItem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    synthetic: bool = False


@dataclass(frozen=True)
class LandmarkReport:
    plan_code: str
    target_year: int
    as_of: str
    landmarks: list[LandmarkTrack]
    synthetic: bool

    @property
    def counted(self) -> int:
        """How many landmarks have a verdict."""
        return sum(1 for lm in self.landmarks if lm.measured_by is not None)


def track(engine: Engine, *, today: dt.date | None = None) -> LandmarkReport:
    """Every landmark of the plan, in plan order, with its verdict and items."""
    day = today or dt.date.today()
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        entries = entries_frame(session)
        tree = load_org_tree(session)
    targets = list_targets(engine, as_of=day)
    rules = guarantees_svc.track(engine, today=day)
    names = {u.code: u.name for u in tree}
    out = []
    for lm in plan.landmarks:
        target = _target_of(lm, targets)
        if target is not None:
            out.append(_from_target(plan, lm, target, entries, names))
            continue
        rule = next(
            (r for g in rules.guarantees for r in g.rules if lm.metric and r.metric == lm.metric),
            None,
        )
        if rule is not None and rule.region is not None:
            out.append(_from_rule(plan, lm, rule))
        else:
            out.append(_unmeasured(plan, lm, rule.reason if rule else None))
    return LandmarkReport(
        plan_code=plan.meta.code,
        target_year=plan.meta.end_year,
        as_of=day.isoformat(),
        landmarks=out,
        synthetic=any(lm.synthetic for lm in out),
    )


def _plan_side(lm: Landmark) -> dict[str, Any]:
    """What the plan file says of the landmark."""
    return {"code": lm.code, "title": lm.title, "target": lm.value, "unit": lm.unit,
            "task": lm.task, "metric": lm.metric}  # fmt: skip


def _target_of(lm: Landmark, targets: list[TargetStatus]) -> TargetStatus | None:
    """The task target counting ``lm``: its metric, in its task when it names one."""
    mine = [t for t in targets if lm.metric and t.metric == lm.metric]
    return next((t for t in mine if t.task == lm.task), mine[0] if mine else None)


def _from_target(
    plan: Plan,
    lm: Landmark,
    t: TargetStatus,
    entries: pd.DataFrame,
    names: dict[str, str],
) -> LandmarkTrack:
    items: list[LandmarkItem] = []
    register = register_name = None
    if lm.metric in metric_sources() and t.year is not None:
        kind, count = metric_sources()[lm.metric]
        register, register_name = kind.code, kind.zh
        mine = entries[entries["kind"] == kind.code].reset_index(drop=True)
        q = next(q for task in plan.tasks for q in task.targets if q.code == t.code)
        start = q.start_year or plan.meta.start_year  # as the target's count has it
        keep = counted(mine, count, t.year, start_year=start) if len(mine) else []
        items = [
            LandmarkItem(
                code=str(r["code"]),
                name=str(r["name"]),
                unit_code=str(r["org_unit_code"]),
                unit_name=names.get(str(r["org_unit_code"]), str(r["org_unit_code"])),
                recognised_on=str(r["valid_from"]),
                ended_on=None if pd.isna(r["valid_to"]) else str(r["valid_to"]),
                host=(r["fields"] or {}).get("host"),
                evidence=(r["fields"] or {}).get("evidence"),
                counted=bool(k),
                synthetic=bool(r["synthetic"]),
            )
            for r, k in zip(mine.to_dict("records"), keep, strict=True)
        ]
        items.sort(key=lambda i: (not i.counted, i.recognised_on, i.code))
    return LandmarkTrack(
        **_plan_side(lm),
        target_year=t.target_year,
        measured_by="target",
        source_code=t.code,
        source_text=t.description,
        value=t.value,
        year=t.year,
        expected_now=t.expected_now,
        path=dict(t.path),
        series=dict((t.source or {}).get("series") or {}),
        verdict=t.verdict,
        verdict_zh=t.verdict_zh,
        verdict_en=t.verdict_en,
        reason_zh=t.verdict_reason_zh or (t.reason or ""),
        reason_en=t.verdict_reason_en or (t.reason or ""),
        register=register,
        register_name=register_name,
        items=items,
        synthetic=any(i.synthetic for i in items),
    )


def _from_rule(plan: Plan, lm: Landmark, rule: guarantees_svc.RuleTrack) -> LandmarkTrack:
    assert rule.region is not None
    c = rule.region.check
    return LandmarkTrack(
        **_plan_side(lm),
        target_year=plan.meta.end_year,
        measured_by="rule",
        source_code=rule.code,
        source_text=rule.description,
        value=c.latest_value,
        year=c.latest_year,
        expected_now=c.expected,
        path={},
        series={str(y.year): y.value for y in c.years},
        verdict=c.level,
        verdict_zh=c.label_zh,
        verdict_en=c.label_en,
        reason_zh=c.reason_zh,
        reason_en=c.reason_en,
        sources=list(rule.region.sources),
        synthetic=rule.region.synthetic,
    )


def _unmeasured(plan: Plan, lm: Landmark, why: str | None) -> LandmarkTrack:
    zh, en = LEVEL_LABELS[Level.NOT_AVAILABLE]
    reason = why or (
        "规划未指明计量口径(metric)" if not lm.metric else f"没有任务目标或保障措施计量 {lm.metric}"
    )
    return LandmarkTrack(
        **_plan_side(lm),
        target_year=plan.meta.end_year,
        measured_by=None,
        source_code=None,
        source_text=None,
        value=None,
        year=None,
        expected_now=None,
        path={},
        series={},
        verdict=str(Level.NOT_AVAILABLE),
        verdict_zh=zh,
        verdict_en=en,
        reason_zh=reason,
        reason_en=f"nothing measures this landmark ({lm.metric or 'no metric'})",
    )
