"""One verdict per indicator × unit × period.

Three readings of the same indicator are combined into one headline (the rule and its
reasons are in ``docs/methods.md``, "The verdict"):

* the **pace since the base year**: the progress status of :func:`yanzhi.core.progress.assess`
  (Statistics Canada's method, exact; it stays available as the secondary detail);
* the plan's **interim target** for the assessed year, when the plan file has one: met or
  missed, and by how much;
* the **recent trend**: :func:`yanzhi.core.forecast.forecast`'s probability P of meeting the
  target in the target year and its 80 % interval.

Each reading is a signal *ahead* (pace "substantial progress", interim target met,
P ≥ ``P_LIKELY``), *behind* (pace "limited progress" or "deterioration", interim target
missed, P < ``P_LIKELY``) or neither (pace "moderate progress", a reading that is absent).
The levels, in order:

==================  ================  ======================================================
level               中文              when
==================  ================  ======================================================
``achieved``        已达标            the latest value already meets the final target
``on_track``        预计达标          pace substantial and no signal behind
``off_track``       难以达标          two signals behind; or pace behind and none ahead; or
                                      P < ``P_UNLIKELY`` (the target lies beyond the 80 %
                                      interval) without a substantial pace
``at_risk``         存在风险          anything else: the readings disagree, or pace moderate
``monitoring_only`` 仅监测(无目标)    the plan sets no target
``not_available``   无法评估          no data to assess
==================  ================  ======================================================

A quantitative task target is judged the same way against the straight path from its start
to its target (:func:`path_verdict`): the share of the progress the path expects by the date
of the latest value, on track from ``PATH_ON_TRACK``, at risk from ``PATH_AT_RISK``.

A manual override (a status set by a person with a reason) wins: its status is mapped to
a level and the explanation says that it is a manual adjustment, its reason and what the
computed verdict would have been.

The explanation is one sentence in Chinese and one in English, built from the numbers;
the readings that point ahead come first and the ones that point behind follow after
"但" / "but", so a disagreement between the pace and the trend is said in words.

Pure computation: standard library only (plus the two result types it reads).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from yanzhi.core.forecast import Forecast
from yanzhi.core.progress import Assessment, Status

#: P at or above which the trend counts as pointing to the target being met.
P_LIKELY = 0.5
#: P below which the target lies beyond the upper end of the 80 % interval.
P_UNLIKELY = 0.10


class Level(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MONITORING_ONLY = "monitoring_only"
    NOT_AVAILABLE = "not_available"


#: Display labels per level: (Chinese, English).
LEVEL_LABELS: Mapping[Level, tuple[str, str]] = MappingProxyType(
    {
        Level.ACHIEVED: ("已达标", "Target achieved"),
        Level.ON_TRACK: ("预计达标", "On track"),
        Level.AT_RISK: ("存在风险", "At risk"),
        Level.OFF_TRACK: ("难以达标", "Off track"),
        Level.MONITORING_ONLY: ("仅监测(无目标)", "Monitoring only (no target)"),
        Level.NOT_AVAILABLE: ("无法评估", "Not available"),
    }
)

#: The level a manual status stands for.
OVERRIDE_LEVELS: Mapping[Status, Level] = MappingProxyType(
    {
        Status.TARGET_ACHIEVED: Level.ACHIEVED,
        Status.SUBSTANTIAL_PROGRESS: Level.ON_TRACK,
        Status.MODERATE_PROGRESS: Level.AT_RISK,
        Status.LIMITED_PROGRESS: Level.OFF_TRACK,
        Status.DETERIORATION: Level.OFF_TRACK,
        Status.NOT_AVAILABLE: Level.NOT_AVAILABLE,
    }
)

_PACE_BEHIND = {Status.LIMITED_PROGRESS, Status.DETERIORATION}


@dataclass(frozen=True, slots=True)
class InterimCheck:
    """The plan's interim target for the assessed year and how the value compares."""

    year: int
    target: float
    value: float
    met: bool
    gap: float  # value − target, signed so that a positive gap is always good


@dataclass(frozen=True, slots=True)
class Verdict:
    """The headline of one indicator in one unit and year, with its one-sentence reason."""

    level: Level
    reason_zh: str
    reason_en: str
    probability: float | None = None
    interim: InterimCheck | None = None
    disagreement: bool = False  # the pace since the base and the recent trend disagree
    overridden: bool = False

    @property
    def label_zh(self) -> str:
        return LEVEL_LABELS[self.level][0]

    @property
    def label_en(self) -> str:
        return LEVEL_LABELS[self.level][1]


@dataclass(frozen=True, slots=True)
class _Clause:
    ahead: bool  # True: the reading points to the target being met
    zh: str
    en: str


def _num(v: float) -> str:
    if v == round(v) and abs(v) < 1e12:
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.0f}"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _zh(v: float, unit: str) -> str:
    return f"{_num(v)}{unit}"


def _en(v: float, unit: str) -> str:
    return f"{_num(v)}{unit}" if unit in ("%", "‰") else f"{_num(v)} {unit}".rstrip()


def _gap(gap: float, unit: str) -> tuple[str, str]:
    if unit == "%":
        return f"{_num(abs(gap))}个百分点", f"{_num(abs(gap))} percentage points"
    return _zh(abs(gap), unit), _en(abs(gap), unit)


def _pct(p: float) -> str:
    """A probability in per cent; the extremes are not printed as certainties."""
    if p > 0.999:
        return ">99.9%"
    if p < 0.001:
        return "<0.1%"
    return f"{100 * p:.1f}%"


def check_interim(a: Assessment, interim_targets: Mapping[int, float]) -> InterimCheck | None:
    """The plan's interim target for the assessed (current) year, if it has one."""
    year, value = a.current_year, a.current_value
    if year is None or value is None or year not in interim_targets:
        return None
    target = float(interim_targets[year])
    gap = (value - target) * a.direction
    return InterimCheck(year=year, target=target, value=value, met=gap >= 0, gap=gap)


def _pace(a: Assessment, unit: str) -> _Clause | None:
    s, b = a.computed_status, a.base_year
    if s is Status.SUBSTANTIAL_PROGRESS:
        return _Clause(
            True,
            f"按基期({b}年)以来的速度可如期达标",
            f"at the pace since the {b} base the target is within reach",
        )
    if s is Status.MODERATE_PROGRESS:
        return _Clause(
            False,
            f"基期({b}年)以来进展一般, 需加快才能达标",
            f"progress since the {b} base is moderate and must speed up",
        )
    if s is Status.LIMITED_PROGRESS:
        return _Clause(False, f"基期({b}年)以来进展有限", f"progress since the {b} base is limited")
    if s is Status.DETERIORATION:
        return _Clause(
            False, f"较基期({b}年)倒退", f"the value has moved away from the target since {b}"
        )
    return None


def _interim_clause(c: InterimCheck, unit: str) -> _Clause:
    tz, vz = _zh(c.target, unit), _zh(c.value, unit)
    te, ve = _en(c.target, unit), _en(c.value, unit)
    if c.met:
        return _Clause(
            True,
            f"{c.year}年{vz}, 达到规划年度目标{tz}",
            f"{c.year}'s {ve} meets the plan's interim target of {te}",
        )
    gz, ge = _gap(c.gap, unit)
    return _Clause(
        False,
        f"{c.year}年{vz}, 未达规划年度目标{tz}(差{gz})",
        f"{c.year}'s {ve} misses the plan's interim target of {te} by {ge}",
    )


def _trend_clause(f: Forecast, unit: str) -> _Clause | None:
    p = f.probability_meeting_target
    if p is None:
        return None
    y = f.target_year
    band_zh = band_en = ""
    if f.expected is not None and f.lower80 is not None and f.upper80 is not None:
        e, lo, hi = f.expected, _num(f.lower80), f.upper80
        band_zh = f"(预测{_zh(e, unit)}, 80%区间{lo}–{_zh(hi, unit)})"
        band_en = f" (forecast {_en(e, unit)}, 80 % interval {lo}–{_en(hi, unit)})"
    return _Clause(
        p >= P_LIKELY,
        f"按近年趋势{y}年达标概率{_pct(p)}{band_zh}",
        f"on the recent trend the probability of meeting it in {y} is {_pct(p)}{band_en}",
    )


def _sentence(clauses: list[_Clause]) -> tuple[str, str]:
    ahead = [c for c in clauses if c.ahead]
    behind = [c for c in clauses if not c.ahead]
    zh = ", ".join(c.zh for c in ahead)
    en = ", ".join(c.en for c in ahead)
    if ahead and behind:
        zh += ", 但" + ", ".join(c.zh for c in behind)
        en += ", but " + ", ".join(c.en for c in behind)
    elif behind:
        zh = ", ".join(c.zh for c in behind)
        en = ", ".join(c.en for c in behind)
    return zh + "。", en[:1].upper() + en[1:] + "."


def _level(a: Assessment, interim: InterimCheck | None, p: float | None) -> Level:
    pace = a.computed_status
    ahead = (pace is Status.SUBSTANTIAL_PROGRESS) + bool(interim and interim.met)
    ahead += p is not None and p >= P_LIKELY
    behind = (pace in _PACE_BEHIND) + bool(interim and not interim.met)
    behind += p is not None and p < P_LIKELY
    if pace is Status.SUBSTANTIAL_PROGRESS and behind == 0:
        return Level.ON_TRACK
    if behind >= 2 or (pace in _PACE_BEHIND and ahead == 0):
        return Level.OFF_TRACK
    if p is not None and p < P_UNLIKELY and pace is not Status.SUBSTANTIAL_PROGRESS:
        return Level.OFF_TRACK
    return Level.AT_RISK


def _computed(
    a: Assessment, f: Forecast | None, interim: InterimCheck | None, unit: str
) -> Verdict:
    p = None if f is None else f.probability_meeting_target
    if a.target is None:
        return Verdict(
            Level.MONITORING_ONLY,
            "规划未设定目标值, 仅监测走势。",
            "The plan sets no target for this indicator; it is monitored only.",
        )
    if a.computed_status is Status.NOT_AVAILABLE or a.current_value is None:
        return Verdict(
            Level.NOT_AVAILABLE,
            "数据不足, 无法评估进展。",
            "Not enough data to assess progress.",
            probability=p,
        )
    trend = None if f is None else _trend_clause(f, unit)
    opt = [] if interim is None else [_interim_clause(interim, unit)]
    if a.computed_status is Status.TARGET_ACHIEVED:
        done = _Clause(
            True,
            f"{a.current_year}年已达到{a.target_year}年目标{_zh(a.target, unit)}",
            f"{a.current_year} already meets the {a.target_year} target of {_en(a.target, unit)}",
        )
        zh, en = _sentence([done, *opt, *([trend] if trend else [])])
        return Verdict(Level.ACHIEVED, zh, en, probability=p, interim=interim)
    pace = _pace(a, unit)
    clauses = [c for c in (pace, *opt, trend) if c is not None]
    zh, en = _sentence(clauses)
    disagree = pace is not None and trend is not None and pace.ahead != trend.ahead
    return Verdict(_level(a, interim, p), zh, en, p, interim, disagreement=disagree)


def verdict(
    a: Assessment,
    f: Forecast | None,
    *,
    interim_targets: Mapping[int, float] | None = None,
    unit: str = "",
) -> Verdict:
    """The verdict on assessment ``a`` (with any override applied) and forecast ``f``;
    ``interim_targets`` are the plan's own targets by year (the one for the assessed
    year is checked), ``unit`` the indicator's unit for the sentence."""
    interim = None
    if a.target is not None:
        interim = check_interim(a, interim_targets or {})
    computed = _computed(a, f, interim, unit)
    if a.override is None:
        return computed
    o = a.override
    level = OVERRIDE_LEVELS[o.status]
    return Verdict(
        level,
        f"人工调整: {o.reason}"
        f"(计算结论为“{computed.label_zh}”: {computed.reason_zh.rstrip('。')})。",
        f"Set by hand: {o.reason} (the computed verdict is '{computed.label_en}': "
        f"{computed.reason_en.rstrip('.')}).",
        probability=computed.probability,
        interim=computed.interim,
        disagreement=computed.disagreement,
        overridden=True,
    )


# --------------------------------------------------------------------------- task targets
#: The progress status that stands for a verdict (the task board's "behind the path" state
#: reads statuses): the inverse of ``OVERRIDE_LEVELS``.
LEVEL_STATUS: Mapping[Level, Status] = MappingProxyType(
    {
        Level.ACHIEVED: Status.TARGET_ACHIEVED,
        Level.ON_TRACK: Status.SUBSTANTIAL_PROGRESS,
        Level.AT_RISK: Status.MODERATE_PROGRESS,
        Level.OFF_TRACK: Status.LIMITED_PROGRESS,
        Level.MONITORING_ONLY: Status.NOT_AVAILABLE,
        Level.NOT_AVAILABLE: Status.NOT_AVAILABLE,
    }
)
#: Share of the progress the path expects by now: on track from the first, at risk from
#: the second (the thresholds of the progress method, methods.md §1).
PATH_ON_TRACK, PATH_AT_RISK = 0.95, 0.60


def expected_at(path: Mapping[int, float], start_value: float, day: dt.date) -> float | None:
    """The path's value on ``day``: ``path`` gives the value expected at the end of each
    year; within a year the path is linear from the previous year-end (``start_value``
    before the path's first year) to the year's end."""
    if not path:
        return None
    first, last = min(path), max(path)
    if day.year > last:
        return path[last]
    if day.year < first:
        return start_value
    before = path.get(day.year - 1, start_value)
    jan1 = dt.date(day.year, 1, 1)
    share = ((day - jan1).days + 1) / ((dt.date(day.year + 1, 1, 1) - jan1).days)
    return before + (path[day.year] - before) * share


@dataclass(frozen=True, slots=True)
class PathCheck:
    """A task target's latest value against the path (for :func:`path_verdict`)."""

    kind: str  # annual | cumulative | level
    value: float | None
    when: dt.date | None  # the date the value stands for
    expected: float | None  # the path's value on that date (annual: the yearly value)
    start: float  # where the path starts (level: the base value; cumulative: 0)
    target: float
    target_year: int
    direction: int = 1
    unit: str = ""


def path_verdict(c: PathCheck) -> tuple[Verdict, float | None]:
    """The verdict on a task target judged against its path, and the share of the progress
    the path expects that was made (annual targets: the share of the yearly value)."""
    if c.value is None or c.when is None or c.expected is None:
        return Verdict(Level.NOT_AVAILABLE, "尚无数据, 无法评估。", "No data to assess."), None
    d, u = c.direction, c.unit
    met = (c.value - c.target) * d >= 0
    vz, ez, tz = _zh(c.value, u), _zh(c.expected, u), _zh(c.target, u)
    ve, ee, te = _en(c.value, u), _en(c.expected, u), _en(c.target, u)
    if c.kind == "annual":
        share = c.value / c.target if c.target else 1.0
        share = share if d == 1 else (1 / share if share else 0.0)
        zh = f"{c.when.year}年完成{vz}, 年度目标{tz}(完成{share:.0%})"
        en = f"{c.when.year}: {ve} against the yearly {te} ({share:.0%})"
        final = met and c.when.year >= c.target_year
    else:
        gap = (c.expected - c.start) * d
        share = ((c.value - c.start) * d / gap) if gap > 0 else (1.0 if met else 0.0)
        day = f"{c.when.year}年{c.when.month}月{c.when.day}日"
        zh = f"按线性路径截至{day}应达{ez}, 实际{vz}, 完成应有进度的{share:.0%}"
        en = (
            f"by {c.when.isoformat()} the linear path expects {ee}; the value is {ve}, "
            f"{share:.0%} of the progress expected"
        )
        final = met
    if final:
        level = Level.ACHIEVED
    elif share >= PATH_ON_TRACK:
        level = Level.ON_TRACK
    elif share >= PATH_AT_RISK:
        level = Level.AT_RISK
    else:
        level = Level.OFF_TRACK
    if met and not final:
        zh, en = zh + f", 已达到目标值{tz}", en + f", already at the target of {te}"
    return Verdict(level, zh + "。", en[:1].upper() + en[1:] + ".", None), share
