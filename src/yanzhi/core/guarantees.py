"""The plan's guarantee measures (保障措施) that a number can check: an average yearly growth
("全市财政科技投入年均增长15%以上") and an amount to reach by the plan's last year ("打造千亿科技
创新基金"), each judged on a yearly series the way task targets are judged against their path
(:func:`yanzhi.core.verdict.path_verdict`'s thresholds ``PATH_ON_TRACK`` / ``PATH_AT_RISK``):

- **growth** of ``r`` % a year from the base year ``b``: the path is the compound one,
  ``v_b · (1 + r)^(t − b)``; the share of the expected progress made by the latest year ``y`` is
  ``(v_y − v_b) / (path_y − v_b)``; the average yearly growth since the base is
  ``(v_y / v_b)^(1 / (y − b)) − 1``. Achieved when the plan's last year is reached with the
  average at or above ``r``.
- **amount** ``A`` by the last year ``T``: the straight path from ``v_b`` to ``A``
  (:func:`yanzhi.core.verdict.path_verdict` unchanged).

A series without its base year, or with no year after it, is not assessed: the reason says
which value is missing (never read as zero).

Pure computation: standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from yanzhi.core.verdict import (
    LEVEL_LABELS,
    PATH_AT_RISK,
    PATH_ON_TRACK,
    Level,
    PathCheck,
    path_verdict,
)


@dataclass(frozen=True)
class YearValue:
    """One year of a series and its growth over the year before (None: no year before)."""

    year: int
    value: float
    growth_pct: float | None


@dataclass(frozen=True)
class RuleCheck:
    """A measurable guarantee rule judged on one unit's yearly series."""

    kind: str  # "growth" | "amount"
    years: list[YearValue]
    base_year: int
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    average_growth_pct: float | None  # average yearly growth since the base year
    expected: float | None  # the path's value in the latest year
    share: float | None  # share of the progress the path expects, made
    level: str
    label_zh: str
    label_en: str
    reason_zh: str
    reason_en: str


def _num(v: float) -> str:
    return f"{v:,.1f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}"


def _years(series: Mapping[int, float]) -> list[YearValue]:
    out: list[YearValue] = []
    for y in sorted(series):
        prev = series.get(y - 1)
        growth = (series[y] / prev - 1) * 100 if prev else None
        out.append(YearValue(y, series[y], growth))
    return out


def _level_of(share: float, final_met: bool) -> Level:
    if final_met:
        return Level.ACHIEVED
    if share >= PATH_ON_TRACK:
        return Level.ON_TRACK
    if share >= PATH_AT_RISK:
        return Level.AT_RISK
    return Level.OFF_TRACK


def _start(
    kind: str, series: Mapping[int, float], base_year: int, as_of_year: int
) -> tuple[list[YearValue], float, int] | RuleCheck:
    """The years up to ``as_of_year``, the base value and the latest year after the base; or
    the rule not assessed, with the reason (no base value, or no year after it)."""
    years = _years({y: v for y, v in series.items() if y <= as_of_year})
    base = series.get(base_year)
    later = [y for y in series if base_year < y <= as_of_year]
    if base is None or (kind == "growth" and base <= 0):
        zh = f"缺少基期{base_year}年的数值, 无法评估。"
        en = f"No value for the base year {base_year}: nothing to assess against."
    elif not later:
        zh = f"基期{base_year}年之后尚无数据, 无法评估。"
        en = f"No value after the base year {base_year} yet."
    else:
        return years, base, max(later)
    label_zh, label_en = LEVEL_LABELS[Level.NOT_AVAILABLE]
    return RuleCheck(kind, years, base_year, base, None, None, None, None, None,
                     str(Level.NOT_AVAILABLE), label_zh, label_en, zh, en)  # fmt: skip


def growth_check(
    series: Mapping[int, float],
    *,
    rate_pct: float,
    base_year: int,
    target_year: int,
    as_of_year: int,
    unit: str,
) -> RuleCheck:
    """``series`` (year → value) against an average yearly growth of ``rate_pct`` % from
    ``base_year``, as of ``as_of_year``."""
    start = _start("growth", series, base_year, as_of_year)
    if isinstance(start, RuleCheck):
        return start
    years, base, latest = start
    value = series[latest]
    n = latest - base_year
    average = ((value / base) ** (1 / n) - 1) * 100
    expected = base * (1 + rate_pct / 100) ** n
    share = (value - base) / (expected - base) if expected != base else 1.0
    level = _level_of(share, latest >= target_year and average >= rate_pct)
    zh = (
        f"{base_year}—{latest}年年均增长{average:.1f}%(要求{_num(rate_pct)}%以上); "
        f"按年均{_num(rate_pct)}%的路径{latest}年应达{_num(expected)}{unit}, "
        f"实际{_num(value)}{unit}, 完成应有进度的{share:.0%}。"
    )
    en = (
        f"{base_year}–{latest}: {average:.1f}% a year on average (at least {_num(rate_pct)}% "
        f"required); the {_num(rate_pct)}%-a-year path expects {_num(expected)} {unit} in "
        f"{latest}, the value is {_num(value)} {unit}, {share:.0%} of the progress expected."
    )
    label_zh, label_en = LEVEL_LABELS[level]
    return RuleCheck("growth", years, base_year, base, latest, value, average, expected, share,
                     str(level), label_zh, label_en, zh, en)  # fmt: skip


def amount_check(
    series: Mapping[int, float],
    *,
    target: float,
    base_year: int,
    target_year: int,
    as_of_year: int,
    unit: str,
) -> RuleCheck:
    """``series`` against ``target`` to reach by ``target_year`` on the straight path from
    the base year's value (the task targets' rule)."""
    start = _start("amount", series, base_year, as_of_year)
    if isinstance(start, RuleCheck):
        return start
    years, base, latest = start
    value = series[latest]
    expected = base + (target - base) * (latest - base_year) / (target_year - base_year)
    check = PathCheck("level", value, dt.date(latest, 12, 31), expected, base, target,
                      target_year, 1, unit)  # fmt: skip
    verdict, share = path_verdict(check)
    n = latest - base_year
    average = ((value / base) ** (1 / n) - 1) * 100 if base > 0 and value > 0 else None
    return RuleCheck("amount", years, base_year, base, latest, value, average, expected, share,
                     str(verdict.level), verdict.label_zh, verdict.label_en,
                     verdict.reason_zh, verdict.reason_en)  # fmt: skip
