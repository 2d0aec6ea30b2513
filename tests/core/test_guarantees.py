"""The guarantee rules a number checks (core/guarantees.py): an average yearly growth against
the compound path, an amount against the straight path; missing years are never zeros."""

from __future__ import annotations

import pytest

from yanzhi.core.guarantees import amount_check, growth_check

COMMON = {"base_year": 2022, "target_year": 2027, "unit": "亿元"}


def test_growth_exactly_on_the_compound_path_is_on_track() -> None:
    series = {2022: 100.0, 2023: 115.0, 2024: 132.25, 2025: 152.0875}
    c = growth_check(series, rate_pct=15, as_of_year=2025, **COMMON)
    assert c.latest_year == 2025 and c.base_value == 100.0
    assert c.average_growth_pct == pytest.approx(15.0)
    assert c.expected == pytest.approx(152.0875)
    assert c.share == pytest.approx(1.0)
    assert c.level == "on_track" and c.label_zh == "预计达标"
    assert [round(y.growth_pct, 6) if y.growth_pct is not None else None for y in c.years] == [
        None,
        15.0,
        15.0,
        15.0,
    ]
    assert "2022—2025年年均增长15.0%(要求15%以上)" in c.reason_zh
    assert "完成应有进度的100%" in c.reason_zh


def test_growth_behind_the_path_is_off_track_with_its_share() -> None:
    c = growth_check({2022: 100.0, 2025: 130.0}, rate_pct=15, as_of_year=2025, **COMMON)
    # the path expects 152.09 in 2025: 30 of the 52.09 expected = 58 % (< 60 %)
    assert c.share == pytest.approx(30 / 52.0875)
    assert c.level == "off_track"
    assert c.average_growth_pct == pytest.approx((1.3 ** (1 / 3) - 1) * 100)
    assert c.years[-1].growth_pct is None  # 2024 is missing: no growth over it, not 0


def test_growth_met_in_the_target_year_is_achieved() -> None:
    series = {2022: 100.0, 2027: 210.0}  # 16.0 % a year
    c = growth_check(series, rate_pct=15, as_of_year=2027, **COMMON)
    assert c.level == "achieved"
    assert growth_check(series, rate_pct=15, as_of_year=2026, **COMMON).level == "not_available"


def test_growth_without_its_base_year_is_not_assessed_and_says_why() -> None:
    c = growth_check({2023: 110.0, 2024: 120.0}, rate_pct=15, as_of_year=2025, **COMMON)
    assert c.level == "not_available" and c.label_zh == "无法评估"
    assert c.reason_zh == "缺少基期2022年的数值, 无法评估。"
    assert c.average_growth_pct is None and c.share is None


def test_amount_on_the_straight_path() -> None:
    series = {2022: 400.0, 2023: 520.0, 2024: 640.0, 2025: 700.0}
    c = amount_check(series, target=1000, as_of_year=2025, **COMMON)
    assert c.expected == pytest.approx(760.0)  # 400 + 600 × 3/5
    assert c.share == pytest.approx(300 / 360)
    assert c.level == "at_risk"
    assert c.reason_zh.startswith("按线性路径截至2025年12月31日应达760亿元, 实际700亿元")


def test_amount_of_a_year_not_over_is_not_read() -> None:
    c = amount_check({2022: 400.0, 2026: 900.0}, target=1000, as_of_year=2025, **COMMON)
    assert c.level == "not_available" and c.latest_year is None
    assert [y.year for y in c.years] == [2022]
