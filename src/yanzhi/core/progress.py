"""Progress towards a quantified target.

The method is Statistics Canada's, as implemented in Open SDG's ``sdg-build`` 2.4.0
(``sdg/ProgressMeasure.py``), which follows Eurostat's SDG monitoring method. It is
reproduced exactly (the 131 production series in ``tests/data/oracles`` are the
acceptance test). yanzhi adds, for every series: the UN Statistics Division's view
(expected target-year value and the ratio P), the growth required from now on, the
interim target for every year on the geometric path, and a manual override with a reason.
``docs/methods.md`` ("Progress towards a target") states every formula and deviation.

Pure computation: standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Status(StrEnum):
    TARGET_ACHIEVED = "target_achieved"
    SUBSTANTIAL_PROGRESS = "substantial_progress"
    MODERATE_PROGRESS = "moderate_progress"
    LIMITED_PROGRESS = "limited_progress"
    DETERIORATION = "deterioration"
    NOT_AVAILABLE = "not_available"


#: Display labels per status: (Chinese, English).
STATUS_LABELS: Mapping[Status, tuple[str, str]] = MappingProxyType(
    {
        Status.TARGET_ACHIEVED: ("已达标", "Target achieved"),
        Status.SUBSTANTIAL_PROGRESS: ("进展显著/按计划推进", "Substantial progress / on track"),
        Status.MODERATE_PROGRESS: ("进展一般/需加快", "Moderate progress / acceleration needed"),
        Status.LIMITED_PROGRESS: ("进展有限", "Limited progress"),
        Status.DETERIORATION: ("倒退", "Deterioration"),
        Status.NOT_AVAILABLE: ("无法评估", "Not available"),
    }
)

# Thresholds (high, medium, low) of methods.md §1 steps 5 and 6.
TARGET_THRESHOLDS = (0.95, 0.60, 0.0)
NO_TARGET_THRESHOLDS = (0.015, 0.005, 0.0)
LIMIT_EXPONENT = 4.44
ZERO_REPLACEMENT = 0.001
SCORE_MIN, SCORE_MAX = -5.0, 5.0


class ProgressInputError(ValueError):
    """Invalid input to a progress assessment (bad direction, duplicate year, ...)."""


@dataclass(frozen=True, slots=True)
class Override:
    """A manual status set by a person, with the reason (kept in the audit log)."""

    status: Status
    reason: str


@dataclass(frozen=True)
class Assessment:
    """Progress of one annual series towards its target (or without one)."""

    status: Status
    computed_status: Status
    progress_value: float | None  # R with a target, v (CAGR x s x d) without
    score: float | None
    method: str  # "target" or "no_target"
    base_year: int  # the year actually used (the plan's, or the next year with data)
    base_value: float | None
    current_year: int | None
    current_value: float | None
    target: float | None
    target_year: int
    direction: int
    limit: float | None
    sign: int | None
    limit_coefficient: float | None = None  # C of step 6 (no target, with limit)
    expected_target_year_value: float | None = None  # v_T^e
    un_ratio_p: float | None = None  # P = (v_T^e - v_b) / (T - v_b)
    required_growth: float | None = None  # CAGR(T, v_t, t_T, t)
    interim_targets: Mapping[int, float] = field(default_factory=dict)
    override: Override | None = None
    notes: tuple[str, ...] = ()

    @property
    def target_achieved(self) -> bool:
        return self.computed_status is Status.TARGET_ACHIEVED

    def with_override(self, status: Status | str, reason: str) -> Assessment:
        """A copy whose ``status`` is ``status``; ``computed_status`` and score are kept."""
        try:
            new_status = Status(status)
        except ValueError as exc:
            raise ProgressInputError(f"unknown status for override: {status!r}") from exc
        if not reason or not reason.strip():
            raise ProgressInputError("an override needs a non-empty reason")
        return replace(self, status=new_status, override=Override(new_status, reason.strip()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe representation (interim target years as strings)."""
        zh, en = STATUS_LABELS[self.status]
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data.update(
            status=self.status.value,
            status_label_zh=zh,
            status_label_en=en,
            computed_status=self.computed_status.value,
            interim_targets={str(y): v for y, v in sorted(self.interim_targets.items())},
            override=None
            if self.override is None
            else {"status": self.override.status.value, "reason": self.override.reason},
            notes=list(self.notes),
        )
        return data


# --------------------------------------------------------------------------- formulas


def cagr(x1: float, x0: float, t1: float, t0: float) -> float | None:
    """(x1/x0)^(1/(t1−t0)) − 1, or None when undefined (x0 = 0, t1 = t0, x1/x0 < 0)."""
    if x0 == 0 or t1 == t0:
        return None
    ratio = x1 / x0
    if not math.isfinite(ratio) or ratio < 0 or (ratio == 0 and t1 < t0):
        return None
    return (ratio ** (1 / (t1 - t0))) - 1


def limit_coefficient(base_value: float, limit: float) -> float:
    """Threshold reduction coefficient C near a natural limit (methods.md §1 step 6)."""
    b, lim = abs(base_value), abs(limit)
    if b >= 2 * lim:  # first, so that b = L = 0 gives 1
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** LIMIT_EXPONENT
    return 1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT


def status_from_value(value: float, high: float, medium: float, low: float) -> Status:
    if value >= high:
        return Status.SUBSTANTIAL_PROGRESS
    if value >= medium:
        return Status.MODERATE_PROGRESS
    if value >= low:
        return Status.LIMITED_PROGRESS
    return Status.DETERIORATION


def score_with_target(ratio: float) -> float:
    if ratio >= TARGET_THRESHOLDS[1]:
        return min(7.1429 * ratio - 4.2857, SCORE_MAX)
    return max(4.1667 * ratio - 2.5, SCORE_MIN)


def score_without_target(value: float, coefficient: float = 1.0) -> float:
    if value < NO_TARGET_THRESHOLDS[2] * coefficient:
        return max(125 * value - 2.5, SCORE_MIN)
    if coefficient == 0:  # base value at the limit, kept or exceeded
        return SCORE_MAX
    if value >= NO_TARGET_THRESHOLDS[0] * coefficient:
        return min(500 * value / coefficient - 5, SCORE_MAX)
    if value >= NO_TARGET_THRESHOLDS[1] * coefficient:
        return 250 * value / coefficient - 1.25
    return 500 * value / coefficient - 2.5


def status_from_score(score: float) -> Status:
    """Bands for a (mean) score: [2.5, 5], [0, 2.5), [−2.5, 0), [−5, −2.5)."""
    if score >= 2.5:
        return Status.SUBSTANTIAL_PROGRESS
    if score >= 0:
        return Status.MODERATE_PROGRESS
    if score >= -2.5:
        return Status.LIMITED_PROGRESS
    return Status.DETERIORATION


def interim_path(
    base_year: int, base_value: float, target_year: int, target: float
) -> dict[int, float]:
    """Geometric path from (b, v_b) to (t_T, T), one value per year; {} if undefined."""
    if target_year <= base_year or base_value == 0 or not target / base_value >= 0:
        return {}
    span = target_year - base_year
    ratio = target / base_value
    lo, hi = min(base_value, target), max(base_value, target)
    path = {
        year: min(max(base_value * ratio ** ((year - base_year) / span), lo), hi)
        for year in range(base_year, target_year + 1)
    }
    path[base_year], path[target_year] = base_value, target
    return path


# --------------------------------------------------------------------------- inputs


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgressInputError(f"year must be an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ProgressInputError(f"year must be an integer, got {value!r}")
    return int(value)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgressInputError(f"{what} must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ProgressInputError(f"{what} must be finite, got {value!r}")
    return out


def _clean_points(items: Iterable[tuple[Any, Any]]) -> dict[int, float]:
    """Step 1: keep non-missing values (None or NaN); duplicate years are an error."""
    points: dict[int, float] = {}
    for raw_year, raw_value in items:
        year = _year(raw_year)
        if year in points:
            raise ProgressInputError(f"duplicate year {year} in the series")
        if raw_value is None or (isinstance(raw_value, float) and math.isnan(raw_value)):
            points[year] = math.nan  # placeholder so that duplicates are still detected
            continue
        points[year] = _number(raw_value, f"value for {year}")
    return {y: v for y, v in sorted(points.items()) if not math.isnan(v)}


def _check_parameters(direction: Any, target: Any, limit: Any) -> None:
    if isinstance(direction, bool) or direction not in (1, -1):
        raise ProgressInputError(
            f"direction must be 1 (higher is better) or -1 (lower is better), got {direction!r}"
        )
    if target is not None:
        _number(target, "target")
    if limit is not None:
        _number(limit, "limit")


# --------------------------------------------------------------------------- assessment


@dataclass(frozen=True, slots=True)
class _Core:
    progress_value: float | None
    status: Status
    score: float | None
    coefficient: float | None
    notes: tuple[str, ...]


def _core_with_target(
    v_b: float, v_t: float, b: int, t: int, target: float, target_year: int, sd: int
) -> _Core:
    observed = cagr(v_t, v_b, t, b)
    required = cagr(target, v_b, target_year, b)
    if observed is None or required is None:
        note = "growth to the target is undefined (target year not after the base year, "
        note += "or target and base value of opposite signs)"
        return _Core(None, Status.NOT_AVAILABLE, None, None, (note,))
    if required == 0:  # target equals base value and is not achieved: moving away from it
        note = "target equals the base value and is not achieved: R = -infinity"
        return _Core(None, Status.DETERIORATION, SCORE_MIN, None, (note,))
    ratio = sd * observed / abs(required)
    return _Core(
        ratio, status_from_value(ratio, *TARGET_THRESHOLDS), score_with_target(ratio), None, ()
    )


def _core_without_target(
    v_b: float, v_t: float, b: int, t: int, sd: int, limit: float | None, v_b_raw: float
) -> _Core:
    observed = cagr(v_t, v_b, t, b)
    if observed is None:  # cannot happen after the sign check; kept for safety
        return _Core(None, Status.NOT_AVAILABLE, None, None, ("growth undefined",))
    value = sd * observed
    coeff = 1.0 if limit is None else limit_coefficient(v_b_raw, limit)
    high, medium, low = (x * coeff for x in NO_TARGET_THRESHOLDS)
    return _Core(
        value,
        status_from_value(value, high, medium, low),
        score_without_target(value, coeff),
        None if limit is None else coeff,
        (),
    )


def _expected_and_p(
    v_b: float, v_t: float, b: int, t: int, target: float | None, target_year: int
) -> tuple[float | None, float | None]:
    """UN view: v_T^e = v_t (1 + CAGR_obs)^(t_T − t) and P = (v_T^e − v_b)/(T − v_b)."""
    observed = cagr(v_t, v_b, t, b)
    if observed is None:
        return None, None
    try:
        expected = v_t * (1 + observed) ** (target_year - t)
    except (OverflowError, ZeroDivisionError):
        return None, None
    if target is None or target == v_b or not math.isfinite(expected):
        return expected, None
    return expected, (expected - v_b) / (target - v_b)


def _is_achieved(v_t: float, target: float | None, direction: int) -> bool:
    if target is None:
        return False
    return v_t >= target if direction == 1 else v_t <= target


def assess_points(
    points: Iterable[tuple[int, float | None]],
    *,
    base_year: int,
    target_year: int,
    target: float | None = None,
    direction: int = 1,
    limit: float | None = None,
) -> Assessment:
    """Like :func:`assess`, from (year, value) pairs; a repeated year raises."""
    _check_parameters(direction, target, limit)
    clean = _clean_points(points)
    return _assess(clean, _year(base_year), _year(target_year), target, direction, limit)


def assess(
    series: Mapping[int, float | None],
    *,
    base_year: int,
    target_year: int,
    target: float | None = None,
    direction: int = 1,
    limit: float | None = None,
) -> Assessment:
    """Assess one annual series (methods.md §1 steps 1–7 plus yanzhi's additions).

    ``series`` maps year to value (None or NaN = missing). ``direction`` is 1 when higher
    is better (不低于), −1 when lower is better (不高于). ``limit`` is a natural limit
    (e.g. 100 for a percentage), used only without a target.
    """
    return assess_points(
        series.items(),
        base_year=base_year,
        target_year=target_year,
        target=target,
        direction=direction,
        limit=limit,
    )


def _assess(
    points: dict[int, float],
    base_year: int,
    target_year: int,
    target: float | None,
    direction: int,
    limit: float | None,
) -> Assessment:
    target_in = None if target is None else float(target)
    limit_in = None if limit is None else float(limit)
    shell = Assessment(
        status=Status.NOT_AVAILABLE,
        computed_status=Status.NOT_AVAILABLE,
        progress_value=None,
        score=None,
        method="no_target" if target_in is None else "target",
        base_year=base_year,
        base_value=None,
        current_year=None,
        current_value=None,
        target=target_in,
        target_year=target_year,
        direction=direction,
        limit=limit_in,
        sign=None,
    )
    if not points:
        return replace(shell, notes=("no data",))
    t = max(points)
    shell = replace(shell, current_year=t, current_value=points[t])
    later = [y for y in points if y >= base_year]
    if not later:
        notes = (f"no value in or after the base year {base_year}",)
        working_target = ZERO_REPLACEMENT if target_in == 0 else target_in
        return _finish(shell, None, None, working_target, notes)
    b = min(later)
    shell = replace(shell, base_year=b, base_value=points[b], sign=-1 if points[b] < 0 else 1)
    return _assess_with_base(shell, points[b], points[t])


def _assess_with_base(shell: Assessment, v_b_raw: float, v_t: float) -> Assessment:
    b, t, d = shell.base_year, shell.current_year, shell.direction
    assert t is not None and shell.sign is not None
    notes: list[str] = []
    v_b = v_b_raw
    if v_b == 0:
        v_b = ZERO_REPLACEMENT
        notes.append(f"base value 0 replaced by {ZERO_REPLACEMENT}")
    target = shell.target
    if target == 0:
        target = ZERO_REPLACEMENT
        notes.append(f"target 0 replaced by {ZERO_REPLACEMENT}")
    if target is not None and shell.limit is not None:
        notes.append("limit ignored because a target is given")
    if (v_b > 0 > v_t) or (v_b < 0 < v_t):
        notes.append("base and current values have opposite signs")
        return _finish(shell, None, None, target, tuple(notes))
    if t - b < 1:
        notes.append("fewer than two years of data from the base year on (t - b < 1)")
        return _finish(shell, v_b, None, target, tuple(notes))
    sd = shell.sign * d
    if target is None:
        core = _core_without_target(v_b, v_t, b, t, sd, shell.limit, v_b_raw)
    else:
        core = _core_with_target(v_b, v_t, b, t, target, shell.target_year, sd)
    expected, p = _expected_and_p(v_b, v_t, b, t, target, shell.target_year)
    shell = replace(
        shell,
        progress_value=core.progress_value,
        status=core.status,
        computed_status=core.status,
        score=core.score,
        limit_coefficient=core.coefficient,
        expected_target_year_value=expected,
        un_ratio_p=p,
    )
    return _finish(shell, v_b, core.progress_value, target, tuple(notes) + core.notes)


def _finish(
    shell: Assessment,
    v_b: float | None,
    progress: float | None,
    target: float | None,
    notes: tuple[str, ...],
) -> Assessment:
    """Step 4 (achievement overrides everything else), required growth, interim path."""
    v_t, t = shell.current_value, shell.current_year
    assert v_t is not None and t is not None
    if _is_achieved(v_t, target, shell.direction):
        shell = replace(
            shell,
            status=Status.TARGET_ACHIEVED,
            computed_status=Status.TARGET_ACHIEVED,
            score=SCORE_MAX,
        )
    required = None
    interim: dict[int, float] = {}
    if target is not None:
        if shell.target_year > t:
            required = cagr(target, v_t, shell.target_year, t)
        if v_b is not None:
            interim = interim_path(shell.base_year, v_b, shell.target_year, target)
    return replace(
        shell,
        progress_value=progress,
        required_growth=required,
        interim_targets=interim,
        notes=notes,
    )


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True, slots=True)
class CombinedAssessment:
    """An indicator measured by several series (methods.md §7)."""

    status: Status
    score: float | None
    n_series: int
    n_scored: int

    def to_dict(self) -> dict[str, Any]:
        zh, en = STATUS_LABELS[self.status]
        return {
            "status": self.status.value,
            "status_label_zh": zh,
            "status_label_en": en,
            "score": self.score,
            "n_series": self.n_series,
            "n_scored": self.n_scored,
        }


def combine_scores(assessments: Iterable[Assessment]) -> CombinedAssessment:
    """Mean score of the scored series; achieved only if every scored series is achieved.

    Uses each series' computed status and score (series overrides carry no score).
    """
    items = list(assessments)
    scored = [a for a in items if a.score is not None]
    if not scored:
        return CombinedAssessment(Status.NOT_AVAILABLE, None, len(items), 0)
    mean = math.fsum(a.score for a in scored if a.score is not None) / len(scored)
    if all(a.target_achieved for a in scored):
        status = Status.TARGET_ACHIEVED
    else:
        status = status_from_score(mean)
    return CombinedAssessment(status, mean, len(items), len(scored))


# --------------------------------------------------------------------------- monthly


class YtdTrend(StrEnum):
    UP = "up"
    FLAT = "flat"
    DOWN = "down"


#: |year-on-year growth| below this (0.5 %) counts as flat.
YTD_FLAT_TOLERANCE = 0.005


@dataclass(frozen=True, slots=True)
class YtdSignal:
    """Year-on-year change of a year-to-date cumulative value (1–N月累计)."""

    current_ytd: float
    previous_ytd: float
    growth: float | None  # (current − previous) / |previous|; None if previous is 0
    trend: YtdTrend  # movement of the value itself
    favourable: bool | None  # trend judged with the indicator's direction; None if flat
    tolerance: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "current_ytd": self.current_ytd,
            "previous_ytd": self.previous_ytd,
            "growth": self.growth,
            "trend": self.trend.value,
            "favourable": self.favourable,
            "tolerance": self.tolerance,
        }


def ytd_signal(
    current_ytd: float,
    previous_year_same_months: float,
    *,
    direction: int = 1,
    tolerance: float = YTD_FLAT_TOLERANCE,
) -> YtdSignal:
    """Compare a YTD cumulative value with the same months of the previous year."""
    _check_parameters(direction, None, None)
    cur = _number(current_ytd, "current_ytd")
    prev = _number(previous_year_same_months, "previous_year_same_months")
    if tolerance < 0:
        raise ProgressInputError("tolerance must be >= 0")
    growth = None if prev == 0 else (cur - prev) / abs(prev)
    if growth is None:  # previous value 0: judge by the sign of the change
        trend = YtdTrend.FLAT if cur == 0 else YtdTrend.UP if cur > 0 else YtdTrend.DOWN
    elif abs(growth) < tolerance:
        trend = YtdTrend.FLAT
    else:
        trend = YtdTrend.UP if growth > 0 else YtdTrend.DOWN
    favourable = None
    if trend in (YtdTrend.UP, YtdTrend.DOWN):
        favourable = (trend is YtdTrend.UP) == (direction == 1)
    return YtdSignal(cur, prev, growth, trend, favourable, tolerance)
