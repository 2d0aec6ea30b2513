"""Key tasks: report statuses, automatic states, the programme / plan roll-up and the
path of a quantitative target to its year.

Roll-up rule (as Cascade and Decidim do): a programme's progress is the weighted mean of
its tasks' progress, each capped to [0, 100] %; a task with no report counts as 0 %
(silence is not progress). The plan's progress is the weighted mean of its programmes'.

Target paths: ``annual`` targets expect the value every year; ``cumulative`` targets
expect a straight line from 0 before the first year to the target in the target year;
``level`` targets a straight line from the base value to the target. The status of
cumulative and level targets is the headline method (:func:`yanzhi.core.progress.assess`)
on the yearly series; an annual target judges its latest complete year by the share of
the value reached (≥ 100 % achieved, ≥ 95 % substantial, ≥ 60 % moderate, else limited).

Pure computation: standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from yanzhi.core.progress import (
    STATUS_LABELS,
    TARGET_THRESHOLDS,
    Assessment,
    Status,
    assess,
    status_from_value,
)


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    DONE = "done"
    SUSPENDED = "suspended"


TASK_STATUS_LABELS: Mapping[TaskStatus, tuple[str, str]] = {
    TaskStatus.NOT_STARTED: ("未启动", "not started"),
    TaskStatus.ON_TRACK: ("正常推进", "on track"),
    TaskStatus.BEHIND: ("滞后", "behind"),
    TaskStatus.DONE: ("已完成", "done"),
    TaskStatus.SUSPENDED: ("暂缓", "suspended"),
}


class AutoState(StrEnum):
    OVERDUE_MILESTONE = "overdue_milestone"
    SILENT = "silent"
    TARGET_BEHIND = "target_behind"


AUTO_STATE_LABELS: Mapping[AutoState, tuple[str, str]] = {
    AutoState.OVERDUE_MILESTONE: ("里程碑逾期", "milestone overdue"),
    AutoState.SILENT: ("本期未报告", "no report this period"),
    AutoState.TARGET_BEHIND: ("量化目标滞后", "quantitative target behind its path"),
}

BEHIND_STATUSES = frozenset(
    {Status.MODERATE_PROGRESS, Status.LIMITED_PROGRESS, Status.DETERIORATION}
)
"""Target statuses that count as behind the path (acceleration needed or worse)."""


class TaskInputError(ValueError):
    """A task report, comment or reminder that cannot be accepted; says why in zh and en."""


def parse_status(text: str) -> TaskStatus:
    """A status from its code or its Chinese or English label."""
    value = text.strip()
    for status, (zh, en) in TASK_STATUS_LABELS.items():
        if value in (status.value, zh, en):
            return status
    allowed = ", ".join(f"{s.value} ({zh})" for s, (zh, _) in TASK_STATUS_LABELS.items())
    raise TaskInputError(
        f"unknown status {text!r}; expected one of {allowed} / 未知状态 {text!r}, 应为: "
        + "、".join(zh for zh, _ in TASK_STATUS_LABELS.values())
    )


def check_progress(value: float) -> float:
    if not 0 <= value <= 100:
        raise TaskInputError(
            f"progress must be between 0 and 100 %, got {value:g} / 完成进度应在 0–100 之间"
        )
    return float(value)


# --------------------------------------------------------------------------- roll-up


def capped(progress: float | None) -> float:
    return 0.0 if progress is None else min(max(float(progress), 0.0), 100.0)


def weighted_progress(children: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (progress %, weight) pairs, each progress capped to [0, 100];
    None when there are no children or all weights are 0."""
    items = list(children)
    total = sum(w for _, w in items)
    if not items or total <= 0:
        return None
    return sum(capped(p) * w for p, w in items) / total


@dataclass(frozen=True)
class RollUp:
    plan: float | None
    programmes: dict[str, float | None]


def roll_up(programmes: Mapping[str, tuple[float, Sequence[tuple[float | None, float]]]]) -> RollUp:
    """``programmes`` maps a code to (weight, [(task progress, task weight) …])."""
    by_programme = {code: weighted_progress(tasks) for code, (_, tasks) in programmes.items()}
    plan = weighted_progress(
        (by_programme[code], weight)
        for code, (weight, _) in programmes.items()
        if by_programme[code] is not None
    )
    return RollUp(plan, by_programme)


# --------------------------------------------------------------------------- states


@dataclass(frozen=True)
class MilestoneState:
    code: str
    due: dt.date
    done: bool


def milestone_due(year: int, due: str | None) -> dt.date:
    """A milestone's due date: its own, or the 31 December of its year."""
    return dt.date.fromisoformat(due) if due else dt.date(year, 12, 31)


def auto_states(
    *,
    today: dt.date,
    milestones: Iterable[MilestoneState],
    reported_this_period: bool,
    status: TaskStatus | None,
    target_statuses: Iterable[Status] = (),
) -> list[AutoState]:
    """The states a task is in whatever its owner reports: overdue milestones, silence
    this period (a done or suspended task owes no report) and targets behind their path."""
    out: list[AutoState] = []
    if any(not m.done and m.due < today for m in milestones):
        out.append(AutoState.OVERDUE_MILESTONE)
    if not reported_this_period and status not in (TaskStatus.DONE, TaskStatus.SUSPENDED):
        out.append(AutoState.SILENT)
    if any(s in BEHIND_STATUSES for s in target_statuses):
        out.append(AutoState.TARGET_BEHIND)
    return out


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetSpec:
    kind: str  # annual | cumulative | level
    value: float
    year: int
    start_year: int
    direction: int = 1
    base_year: int | None = None  # level targets: the year of the base value
    base_value: float | None = None


def expected_path(spec: TargetSpec) -> dict[int, float]:
    """Expected value for every year from the start year to the target year."""
    years = range(spec.start_year, spec.year + 1)
    if spec.kind == "annual":
        return {y: spec.value for y in years}
    if spec.kind == "cumulative":
        span = spec.year - spec.start_year + 1
        return {y: spec.value * (y - spec.start_year + 1) / span for y in years}
    if spec.kind == "level":
        b = spec.start_year - 1 if spec.base_year is None else spec.base_year
        v_b = spec.base_value or 0.0
        span = max(spec.year - b, 1)
        return {y: v_b + (spec.value - v_b) * (y - b) / span for y in years}
    raise TaskInputError(f"unknown target kind {spec.kind!r} / 未知目标类型")


@dataclass(frozen=True)
class TargetProgress:
    status: Status
    value: float | None  # the latest year's value
    year: int | None
    expected: float | None  # the path's value for that year
    path: dict[int, float]
    assessment: Assessment | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        zh, en = STATUS_LABELS[self.status]
        return {
            "status": self.status.value,
            "status_label_zh": zh,
            "status_label_en": en,
            "value": self.value,
            "year": self.year,
            "expected": self.expected,
            "behind_path": self.status in BEHIND_STATUSES,
            "path": {str(y): v for y, v in self.path.items()},
            "notes": list(self.notes),
        }


def target_progress(spec: TargetSpec, series: Mapping[int, float]) -> TargetProgress:
    """Progress of a quantitative target from its yearly series (values at year end for
    level and cumulative targets, the year's flow for annual targets)."""
    path = expected_path(spec)
    points = {y: v for y, v in series.items() if y <= spec.year}
    if not points:
        return TargetProgress(Status.NOT_AVAILABLE, None, None, None, path, notes=("no data",))
    year = max(points)
    value = points[year]
    if spec.kind == "annual":
        # every year must reach the value: the latest complete year is judged by the share
        # of the value it reached, with the thresholds of the target method
        share = value / spec.value if spec.value else 0.0
        status = (
            Status.TARGET_ACHIEVED if share >= 1 else status_from_value(share, *TARGET_THRESHOLDS)
        )
        return TargetProgress(status, value, year, path.get(year), path)
    base = dict(points)
    if spec.kind == "level" and spec.base_year is not None and spec.base_value is not None:
        base.setdefault(spec.base_year, spec.base_value)
    a = assess(
        base,
        base_year=spec.base_year if spec.kind == "level" and spec.base_year else spec.start_year,
        target_year=spec.year,
        target=spec.value,
        direction=spec.direction,
    )
    status = a.status
    return TargetProgress(status, value, year, path.get(year), path, a, a.notes)
