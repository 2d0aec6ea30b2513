"""The verdict (core/verdict.py): every branch of the rule, with the sentences it writes."""

from __future__ import annotations

import datetime as dt

import pytest

from yanzhi.core.forecast import Forecast
from yanzhi.core.progress import Assessment, Status, assess
from yanzhi.core.verdict import (
    LEVEL_LABELS,
    P_LIKELY,
    P_UNLIKELY,
    Level,
    PathCheck,
    check_interim,
    expected_at,
    path_verdict,
    verdict,
)

BASE, TARGET_YEAR = 2022, 2027


def _assess(
    series: dict[int, float], target: float | None = 3.75, direction: int = 1
) -> Assessment:
    return assess(
        series, base_year=BASE, target_year=TARGET_YEAR, target=target, direction=direction
    )


def _forecast(p: float | None, expected: float = 3.6) -> Forecast:
    return Forecast(expected, expected - 0.2, expected + 0.2, p, "test", 7, TARGET_YEAR)


# R&D/GDP: 2.95 % in 2022 → 3.42 % in 2025, target 3.75 % in 2027: on the StatCan pace
ON_PACE = {2022: 2.95, 2023: 3.08, 2024: 3.25, 2025: 3.42}
MODERATE = {2022: 2.95, 2025: 3.30}  # R ≈ 0.77 of the required growth
LIMITED = {2022: 2.95, 2025: 3.0}
FALLING = {2022: 2.95, 2025: 2.8}


def test_the_paces_used_below_are_what_the_method_says() -> None:
    assert _assess(ON_PACE).status is Status.SUBSTANTIAL_PROGRESS
    assert _assess(MODERATE).status is Status.MODERATE_PROGRESS
    assert _assess(LIMITED).status is Status.LIMITED_PROGRESS
    assert _assess(FALLING).status is Status.DETERIORATION


def test_pace_and_trend_agree_on_track() -> None:
    v = verdict(_assess(ON_PACE), _forecast(0.82), unit="%")
    assert v.level is Level.ON_TRACK
    assert (v.label_zh, v.label_en) == ("预计达标", "On track")
    assert v.reason_zh == (
        "按基期(2022年)以来的速度可如期达标, 按近年趋势2027年达标概率82.0%"
        "(预测3.60%, 80%区间3.40–3.80%)。"
    )
    assert not v.disagreement and not v.overridden and v.probability == 0.82


def test_pace_on_track_but_trend_says_unlikely_is_said_in_words() -> None:
    v = verdict(_assess(ON_PACE), _forecast(0.097, expected=3.5), unit="%")
    assert v.level is Level.AT_RISK
    assert v.disagreement
    assert v.reason_zh.startswith(
        "按基期(2022年)以来的速度可如期达标, 但按近年趋势2027年达标概率9.7%"
    )
    assert "9.7%" in v.reason_zh and "但" in v.reason_zh
    assert v.reason_en.startswith(
        "At the pace since the 2022 base the target is within reach, but on the recent "
        "trend the probability of meeting it in 2027 is 9.7%"
    )


def test_moderate_pace_with_a_likely_trend_puts_the_trend_first() -> None:
    v = verdict(_assess(MODERATE), _forecast(0.88), unit="%")
    assert v.level is Level.AT_RISK and v.disagreement
    assert v.reason_zh.startswith("按近年趋势2027年达标概率88.0%")
    assert "但基期(2022年)以来进展一般, 需加快才能达标" in v.reason_zh


def test_moderate_pace_and_doubtful_trend_is_at_risk_unlikely_is_off_track() -> None:
    assert verdict(_assess(MODERATE), _forecast(0.3)).level is Level.AT_RISK
    v = verdict(_assess(MODERATE), _forecast(P_UNLIKELY - 0.01))
    assert v.level is Level.OFF_TRACK
    assert "但" not in v.reason_zh  # both readings point behind: nothing to reconcile
    assert verdict(_assess(MODERATE), _forecast(P_UNLIKELY)).level is Level.AT_RISK


@pytest.mark.parametrize("series", [LIMITED, FALLING])
def test_pace_behind(series: dict[int, float]) -> None:
    assert verdict(_assess(series), _forecast(0.2)).level is Level.OFF_TRACK
    assert verdict(_assess(series), None).level is Level.OFF_TRACK
    # the trend says likely: the readings disagree
    v = verdict(_assess(series), _forecast(P_LIKELY))
    assert v.level is Level.AT_RISK and v.disagreement and "但" in v.reason_zh


def test_falling_pace_sentence() -> None:
    v = verdict(_assess(FALLING), None, unit="%")
    assert v.reason_zh == "较基期(2022年)倒退。"
    assert v.reason_en == "The value has moved away from the target since 2022."


def test_interim_target_missed_rd_gdp_3_3_percent_in_2024() -> None:
    a = _assess({2022: 2.95, 2023: 3.08, 2024: 3.10})
    check = check_interim(a, {2024: 3.3})
    assert check is not None
    assert (check.year, check.target, check.value, check.met) == (2024, 3.3, 3.10, False)
    assert check.gap == pytest.approx(-0.2)
    v = verdict(a, _forecast(0.6), interim_targets={2024: 3.3}, unit="%")
    assert "2024年3.10%, 未达规划年度目标3.30%(差0.20个百分点)" in v.reason_zh
    assert "misses the plan's interim target of 3.30% by 0.20 percentage points" in v.reason_en
    assert v.interim == check
    assert v.level is not Level.ON_TRACK


def test_interim_target_met() -> None:
    a = _assess({2022: 2.95, 2023: 3.15, 2024: 3.35})
    v = verdict(a, _forecast(0.7), interim_targets={2024: 3.3}, unit="%")
    assert v.level is Level.ON_TRACK
    assert v.interim is not None and v.interim.met and v.interim.gap == pytest.approx(0.05)
    assert "2024年3.35%, 达到规划年度目标3.30%" in v.reason_zh


def test_interim_target_of_another_year_is_not_used() -> None:
    v = verdict(_assess(ON_PACE), _forecast(0.7), interim_targets={2024: 3.3})
    assert v.interim is None  # the assessed year is 2025


def test_two_readings_behind_are_off_track_even_on_pace() -> None:
    a = _assess({2022: 2.95, 2023: 3.08, 2024: 3.26})
    v = verdict(a, _forecast(0.4), interim_targets={2024: 3.3}, unit="%")
    assert a.status is Status.SUBSTANTIAL_PROGRESS
    assert v.level is Level.OFF_TRACK


def test_lower_is_better_interim_gap_is_signed_by_direction() -> None:
    a = _assess({2022: 10.0, 2024: 8.0}, target=5.0, direction=-1)
    check = check_interim(a, {2024: 8.5})
    assert check is not None and check.met and check.gap == pytest.approx(0.5)


def test_target_achieved_and_trend_that_warns() -> None:
    v = verdict(_assess({2022: 2.95, 2025: 3.8}), _forecast(0.95), unit="%")
    assert v.level is Level.ACHIEVED and v.reason_zh.startswith("2025年已达到2027年目标3.75%")
    w = verdict(_assess({2022: 2.95, 2025: 3.8}), _forecast(0.3), unit="%")
    assert w.level is Level.ACHIEVED
    assert "但按近年趋势2027年达标概率30.0%" in w.reason_zh


def test_no_target_is_monitoring_only() -> None:
    a = _assess({2022: 2.95, 2025: 3.4}, target=None)
    v = verdict(a, _forecast(None), interim_targets={2025: 3.3})
    assert v.level is Level.MONITORING_ONLY
    assert (v.label_zh, v.label_en) == ("仅监测(无目标)", "Monitoring only (no target)")
    assert v.interim is None and v.reason_zh == "规划未设定目标值, 仅监测走势。"


def test_no_data_is_not_available() -> None:
    v = verdict(_assess({}), None)
    assert v.level is Level.NOT_AVAILABLE and v.label_zh == "无法评估"


def test_no_forecast_leaves_the_pace_alone() -> None:
    v = verdict(_assess(ON_PACE), None, unit="%")
    assert v.level is Level.ON_TRACK
    assert v.reason_zh == "按基期(2022年)以来的速度可如期达标。"
    assert v.probability is None


def test_override_wins_and_says_so() -> None:
    a = _assess(ON_PACE).with_override("limited_progress", "统计口径调整, 待核实")
    v = verdict(a, _forecast(0.9), unit="%")
    assert v.level is Level.OFF_TRACK and v.overridden
    assert v.reason_zh.startswith("人工调整: 统计口径调整, 待核实(计算结论为“预计达标”")
    assert v.reason_en.startswith(
        "Set by hand: 统计口径调整, 待核实 (the computed verdict is 'On track'"
    )
    # an override on an indicator without a target wins too
    b = _assess({2022: 1.0, 2025: 2.0}, target=None).with_override("target_achieved", "已验收")
    assert verdict(b, None).level is Level.ACHIEVED


def test_probability_extremes_are_not_certainties() -> None:
    assert "达标概率>99.9%" in verdict(_assess(ON_PACE), _forecast(0.99995)).reason_zh
    assert "达标概率<0.1%" in verdict(_assess(LIMITED), _forecast(0.00001)).reason_zh


def test_every_level_has_both_labels() -> None:
    assert set(LEVEL_LABELS) == set(Level)
    assert all(zh and en and zh != en for zh, en in LEVEL_LABELS.values())


# -- task targets against the path ------------------------------------------------------------
def test_expected_at_interpolates_within_the_year() -> None:
    path = {2023: 5.8, 2024: 10.6, 2025: 15.4, 2026: 20.2, 2027: 25.0}  # 1 → 25 from 2022
    assert expected_at(path, 1.0, dt.date(2026, 12, 31)) == pytest.approx(20.2)
    assert expected_at(path, 1.0, dt.date(2026, 1, 1)) == pytest.approx(15.4 + 4.8 / 365)
    assert expected_at(path, 1.0, dt.date(2023, 1, 1)) == pytest.approx(1 + 4.8 / 365)
    assert expected_at(path, 1.0, dt.date(2021, 6, 1)) == 1.0
    assert expected_at(path, 1.0, dt.date(2030, 6, 1)) == 25.0
    assert expected_at({}, 1.0, dt.date(2025, 1, 1)) is None


def _check(value: float, expected: float = 20.2, **kw: object) -> PathCheck:
    args: dict = dict(kind="level", value=value, when=dt.date(2026, 12, 31), expected=expected,
                      start=1.0, target=25.0, target_year=2027, unit="人")  # fmt: skip
    args.update(kw)
    return PathCheck(**args)


def test_path_verdict_levels() -> None:
    v, share = path_verdict(_check(12))  # P5.T1.Q1: 12 of 25 where the path expects 20.2
    assert v.level is Level.OFF_TRACK and share == pytest.approx(11 / 19.2)
    assert v.reason_zh == "按线性路径截至2026年12月31日应达20.2人, 实际12人, 完成应有进度的57%。"
    assert path_verdict(_check(1 + 0.7 * 19.2))[0].level is Level.AT_RISK
    assert path_verdict(_check(1 + 0.95 * 19.2))[0].level is Level.ON_TRACK
    assert path_verdict(_check(25))[0].level is Level.ACHIEVED
    assert path_verdict(_check(None))[0].level is Level.NOT_AVAILABLE


def test_path_verdict_lower_is_better_and_annual() -> None:
    down = _check(8.0, expected=7.0, start=10.0, target=5.0, direction=-1)
    v, share = path_verdict(down)
    assert share == pytest.approx(2 / 3) and v.level is Level.AT_RISK
    annual = _check(97.0, expected=100.0, kind="annual", target=100.0, start=0.0,
                    when=dt.date(2025, 12, 31))  # fmt: skip
    v, share = path_verdict(annual)
    assert v.level is Level.ON_TRACK and share == pytest.approx(0.97)
    assert v.reason_zh == "2025年完成97人, 年度目标100人(完成97%)。"
    final = _check(101.0, kind="annual", target=100.0, when=dt.date(2027, 12, 31))
    assert path_verdict(final)[0].level is Level.ACHIEVED
