"""Every quantitative target of the plan with its value, its path to the target year, its
verdict against the path expected at the date of its latest value (core/verdict.py,
``path_verdict``: the headline, what the task board reads) and the progress status since
the base (the secondary detail). A target's ``metric`` is measured by a register count
(core.registers) or by an indicator of the plan with the same code; a metric with no source
is reported as not available, with the reason — never invented."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.plan.model import Plan, QuantTarget
from yanzhi.core.progress import STATUS_LABELS, Status
from yanzhi.core.registers import Count, RegisterKind, count_entries, metric_sources
from yanzhi.core.tasks import TargetProgress, TargetSpec, target_progress
from yanzhi.core.verdict import (
    LEVEL_LABELS,
    LEVEL_STATUS,
    Level,
    PathCheck,
    expected_at,
    path_verdict,
)
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.plans import get_plan
from yanzhi.storage.registers import entries_frame


@dataclass(frozen=True)
class TargetStatus:
    """A quantitative target of a task with its latest value, its path to the target year,
    its verdict against the path (``expected_now``: the path's value on ``expected_on``, the
    date the latest value stands for; ``path_share``: the share of the expected progress
    made) and the progress status since the base (``status``, secondary). ``source`` says
    what measures it (a register or an indicator, with the yearly series); a target nothing
    measures is not available, with the ``reason``."""

    code: str
    task: str
    task_title: str
    description: str
    description_en: str | None
    metric: str
    kind: str
    target: float
    comparator: str
    unit: str | None
    target_year: int
    status: str
    status_label_zh: str
    status_label_en: str
    value: float | None
    year: int | None
    expected: float | None
    behind_path: bool
    path: dict[str, float]
    notes: list[str]
    source: dict[str, Any] | None
    reason: str | None
    expected_now: float | None = None
    expected_on: str | None = None
    path_share: float | None = None
    verdict: str = str(Level.NOT_AVAILABLE)
    verdict_zh: str = LEVEL_LABELS[Level.NOT_AVAILABLE][0]
    verdict_en: str = LEVEL_LABELS[Level.NOT_AVAILABLE][1]
    verdict_reason_zh: str = ""
    verdict_reason_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the CLI's ``--json``, the API's task page): the keys it has always had."""
        return asdict(self)


def _series(
    frame: pd.DataFrame, kind: RegisterKind, count: Count, years: range, start_year: int
) -> dict[int, float]:
    mine = frame[frame["kind"] == kind.code]
    return {y: float(count_entries(mine, count, y, start_year=start_year).sum()) for y in years}


def _spec(plan: Plan, q: QuantTarget, base_value: float | None = None) -> TargetSpec:
    start = q.start_year or plan.meta.start_year
    base_year = plan.meta.baseline_year if q.kind == "level" else None
    if q.kind == "level" and q.baseline is not None:
        base_value = q.baseline
    return TargetSpec(
        kind=q.kind,
        value=q.value,
        year=q.year,
        start_year=start,
        direction=-1 if q.comparator in ("<=", "<") else 1,
        base_year=base_year,
        base_value=base_value,
    )


def _last_year(q: QuantTarget, as_of: dt.date) -> int:
    """The latest year with a value: an annual flow only counts complete years."""
    last = (
        as_of.year
        if q.kind != "annual" or (as_of.month == 12 and as_of.day == 31)
        else as_of.year - 1
    )
    return min(last, q.year)


def _judged(
    spec: TargetSpec, progress: TargetProgress, as_of: dt.date, unit: str | None
) -> dict[str, Any]:
    """The verdict against the path on the date the latest value stands for: today for a
    count of the current year, else the end of the value's year."""
    year = progress.year
    when = None
    if year is not None:
        when = as_of if year == as_of.year and spec.kind != "annual" else dt.date(year, 12, 31)
    start = (spec.base_value or 0.0) if spec.kind == "level" else 0.0
    if when is None:
        expected = None
    elif spec.kind == "annual":
        expected = spec.value
    else:
        expected = expected_at(progress.path, start, min(when, as_of))
    check = PathCheck(spec.kind, progress.value, when, expected, start, spec.value, spec.year,
                      spec.direction, unit or "")  # fmt: skip
    v, share = path_verdict(check)
    return {
        "expected_now": expected,
        "expected_on": None if when is None else when.isoformat(),
        "path_share": share,
        "behind_path": v.level in (Level.AT_RISK, Level.OFF_TRACK),
        "verdict": str(v.level),
        "verdict_zh": v.label_zh,
        "verdict_en": v.label_en,
        "verdict_reason_zh": v.reason_zh,
        "verdict_reason_en": v.reason_en,
    }


def _register_target(
    plan: Plan, q: QuantTarget, frame: pd.DataFrame, as_of: dt.date
) -> tuple[TargetProgress, dict[str, Any], TargetSpec]:
    kind, count = metric_sources()[q.metric]
    spec = _spec(plan, q)
    first = plan.meta.baseline_year if q.kind == "level" else spec.start_year
    years = range(first, _last_year(q, as_of) + 1)
    series = _series(frame, kind, count, years, spec.start_year)
    if q.kind == "level" and q.baseline is None:
        spec = _spec(plan, q, series.pop(plan.meta.baseline_year, 0.0))
    source = {
        "type": "register",
        "register": kind.code,
        "register_name": kind.zh,
        "rule": count.rule.value,
        "where": {k: list(v) for k, v in count.where.items()},
    }
    out = target_progress(spec, series)
    return out, {**source, "series": {str(y): v for y, v in series.items()}}, spec


def _indicator_target(
    plan: Plan, q: QuantTarget, values: pd.DataFrame, as_of: dt.date
) -> tuple[TargetProgress, dict[str, Any], TargetSpec]:
    code = next(i.code for i in plan.indicators if i.code.lower() == q.metric.lower())
    rows = values[(values["indicator"] == code) & (values["unit_code"] == plan.meta.region)]
    rows = rows[(rows["period_kind"] == "year") & (rows["industry_division"] == "")]
    series = {
        int(p): float(v)
        for p, v in zip(rows["period"], rows["value"], strict=True)
        if pd.notna(v) and int(p) <= _last_year(q, as_of)
    }
    base = series.get(plan.meta.baseline_year) if q.kind == "level" else None
    spec = _spec(plan, q, base)
    out = target_progress(spec, series)
    return (
        out,
        {"type": "indicator", "indicator": code, "series": {str(y): v for y, v in series.items()}},
        spec,
    )


def list_targets(engine: Engine, *, as_of: dt.date | None = None) -> list[TargetStatus]:
    """Every quantitative target of every task, in plan order."""
    day = as_of or dt.date.today()
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        frame = entries_frame(session)
        values = indicator_values(session, units=[plan.meta.region])
    sources = metric_sources()
    indicator_codes = {i.code.lower() for i in plan.indicators}
    out: list[TargetStatus] = []
    for task in plan.tasks:
        for q in task.targets:
            base: dict[str, Any] = {
                "code": q.code,
                "task": task.code,
                "task_title": task.title,
                "description": q.description,
                "description_en": q.description_en,
                "metric": q.metric,
                "kind": q.kind,
                "target": q.value,
                "comparator": q.comparator,
                "unit": q.unit,
                "target_year": q.year,
            }
            if q.metric in sources:
                progress, source, spec = _register_target(plan, q, frame, day)
            elif q.metric.lower() in indicator_codes:
                progress, source, spec = _indicator_target(plan, q, values, day)
            else:
                out.append(TargetStatus(**base, **_not_available(q)))
                continue
            judged = _judged(spec, progress, day, q.unit)
            row = {**progress.to_dict(), **judged}
            out.append(TargetStatus(**base, **row, source=source, reason=None))
    return out


def _not_available(q: QuantTarget) -> dict[str, Any]:
    zh, en = STATUS_LABELS[Status.NOT_AVAILABLE]
    return {
        "status": Status.NOT_AVAILABLE.value,
        "status_label_zh": zh,
        "status_label_en": en,
        "value": None,
        "year": None,
        "expected": None,
        "behind_path": False,
        "path": {},
        "notes": [],
        "source": None,
        "reason": f"no register or indicator measures {q.metric!r} yet / "
        f"尚无名录或指标计量 {q.metric}",
    }


def statuses_by_task(targets: list[TargetStatus]) -> dict[str, list[Status]]:
    """The target statuses of each task (by task code), from :func:`list_targets` rows: the
    status that stands for each target's verdict against its path (so the board's "target
    behind" state follows the path, not the growth since the base)."""
    out: dict[str, list[Status]] = {}
    for t in targets:
        out.setdefault(t.task, []).append(LEVEL_STATUS[Level(t.verdict)])
    return out
