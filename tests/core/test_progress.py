"""Progress towards a target: the Statistics Canada / sdg-build 2.4.0 oracle, hand-checked
cases for every rule, yanzhi's additions, and property tests."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from yanzhi.core.progress import (
    STATUS_LABELS,
    Assessment,
    ProgressInputError,
    Status,
    YtdTrend,
    assess,
    assess_points,
    combine_scores,
    status_from_score,
    ytd_signal,
)

ORACLE = Path(__file__).parents[1] / "data" / "oracles" / "progress_statcan_sdg_build_2.4.0.yml"


def _load_oracle() -> dict[str, Any]:
    with ORACLE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


_DATA = _load_oracle()
SERIES = [
    (name, spec)
    for indicator in _DATA.values()
    for name, spec in indicator.items()
    if isinstance(spec, dict)
]
INDICATORS = [
    (code, [spec for spec in ind.values() if isinstance(spec, dict)], ind)
    for code, ind in _DATA.items()
    if any(isinstance(spec, dict) for spec in ind.values())
]


def _assess_oracle(spec: dict[str, Any]) -> Assessment:
    series: dict[int, float | None] = {}
    if spec["base_value"] is not None:
        series[int(spec["base_year"])] = spec["base_value"]
        series[int(spec["current_year"])] = spec["current_value"]
    return assess(
        series,
        base_year=int(spec["base_year"]),
        target_year=int(spec["target_year"]),
        target=spec["target"],
        direction=spec["direction"],
        limit=spec["limit"],
    )


def test_oracle_size() -> None:
    assert len(SERIES) == 132  # 131 series with data + one without any data
    assert sum(1 for _, s in SERIES if s["base_value"] is not None) == 131


@pytest.mark.parametrize(("name", "spec"), SERIES, ids=[n for n, _ in SERIES])
def test_oracle_series(name: str, spec: dict[str, Any]) -> None:
    result = _assess_oracle(spec)
    assert result.status == spec["status"]
    assert result.sign == spec["sign"]
    if spec["progress_value"] is None:
        assert result.progress_value is None
    else:
        assert result.progress_value == pytest.approx(spec["progress_value"], rel=0, abs=1e-9)
    if spec["score"] is None:
        assert result.score is None
    else:
        assert result.score == pytest.approx(spec["score"], rel=0, abs=1e-6)


@pytest.mark.parametrize(
    ("code", "specs", "indicator"), INDICATORS, ids=[c for c, _, _ in INDICATORS]
)
def test_oracle_indicator(code: str, specs: list[dict[str, Any]], indicator: dict) -> None:
    combined = combine_scores(_assess_oracle(s) for s in specs)
    assert combined.status == indicator["progress_status"]
    if indicator["score"] is None:
        assert combined.score is None
    else:
        assert combined.score == pytest.approx(indicator["score"], rel=0, abs=1e-6)


# ----------------------------------------------------------------- hand-checked cases

G_REQ = 2 ** (1 / 10) - 1  # 100 in 2020 -> 200 in 2030


def _with_target(ratio: float, direction: int = 1) -> Assessment:
    """Base 100 (2020), target 200 (2030, or 50 if lower is better), current 2025 at R."""
    target = 200.0 if direction == 1 else 50.0
    g_req = (target / 100) ** (1 / 10) - 1
    current = 100 * (1 + direction * ratio * abs(g_req)) ** 5
    return assess(
        {2020: 100.0, 2025: current},
        base_year=2020,
        target_year=2030,
        target=target,
        direction=direction,
    )


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize(
    ("ratio", "status", "score"),
    [
        (1.0, Status.SUBSTANTIAL_PROGRESS, 7.1429 - 4.2857),
        (0.95, Status.SUBSTANTIAL_PROGRESS, 7.1429 * 0.95 - 4.2857),
        (0.8, Status.MODERATE_PROGRESS, 7.1429 * 0.8 - 4.2857),
        (0.3, Status.LIMITED_PROGRESS, 4.1667 * 0.3 - 2.5),
        (-0.2, Status.DETERIORATION, 4.1667 * -0.2 - 2.5),
        (-5.0, Status.DETERIORATION, -5.0),
        (1.3, Status.SUBSTANTIAL_PROGRESS, 5.0),
    ],
)
def test_with_target_bands(ratio: float, status: Status, score: float, direction: int) -> None:
    if ratio == 0.95:
        ratio = 0.95 + 1e-12  # stay on the intended side of the threshold after rounding
    result = _with_target(ratio, direction)
    assert result.status is status
    assert result.progress_value == pytest.approx(ratio, abs=1e-9)
    assert result.score == pytest.approx(score, abs=1e-6)
    assert result.method == "target"


def test_target_achieved_scores_five_and_keeps_progress_value() -> None:
    result = assess({2015: 10.0, 2020: 12.0}, base_year=2015, target_year=2030, target=12.0)
    assert result.status is Status.TARGET_ACHIEVED
    assert result.score == 5.0
    expected_r = ((1.2 ** (1 / 5)) - 1) / ((1.2 ** (1 / 15)) - 1)
    assert result.progress_value == pytest.approx(expected_r)
    lower = assess(
        {2015: 10.0, 2020: 7.0}, base_year=2015, target_year=2030, target=7.5, direction=-1
    )
    assert lower.status is Status.TARGET_ACHIEVED


@pytest.mark.parametrize(
    ("current", "status", "score"),
    [
        (100 * 1.02**2, Status.SUBSTANTIAL_PROGRESS, 5.0),
        (100 * 1.016**2, Status.SUBSTANTIAL_PROGRESS, 500 * 0.016 - 5),
        (100 * 1.012**2, Status.MODERATE_PROGRESS, 250 * 0.012 - 1.25),
        (100 * 1.01**2, Status.MODERATE_PROGRESS, 250 * 0.01 - 1.25),
        (100 * 1.002**2, Status.LIMITED_PROGRESS, 500 * 0.002 - 2.5),
        (100 * 0.99**2, Status.DETERIORATION, 125 * -0.01 - 2.5),
        (100 * 0.9**2, Status.DETERIORATION, -5.0),
    ],
)
def test_without_target(current: float, status: Status, score: float) -> None:
    result = assess({2020: 100.0, 2022: current}, base_year=2020, target_year=2030)
    assert result.status is status
    assert result.score == pytest.approx(score, abs=1e-9)
    assert result.method == "no_target"
    assert result.limit_coefficient is None


def test_no_target_with_limit_below_limit() -> None:
    coeff = 1 - 0.5**4.44
    result = assess({2020: 50.0, 2022: 50 * 1.01**2}, base_year=2020, target_year=2030, limit=100)
    assert result.limit_coefficient == pytest.approx(coeff)
    assert 0.005 * coeff <= 0.01 < 0.015 * coeff
    assert result.status is Status.MODERATE_PROGRESS
    assert result.score == pytest.approx(250 * 0.01 / coeff - 1.25)


def test_no_target_with_limit_between_limit_and_twice() -> None:
    result = assess(
        {2020: 150.0, 2021: 148.0}, base_year=2020, target_year=2030, direction=-1, limit=100
    )
    coeff = 1 - ((200 - 150) / 100) ** 4.44
    assert result.limit_coefficient == pytest.approx(coeff)
    v = 1 - 148 / 150
    assert result.progress_value == pytest.approx(v)
    assert 0.005 * coeff <= v < 0.015 * coeff  # 1.33 % a year: moderate near the limit
    assert result.status is Status.MODERATE_PROGRESS
    assert result.score == pytest.approx(250 * v / coeff - 1.25)


def test_no_target_limit_far_away_and_at_limit() -> None:
    far = assess({2020: 250.0, 2021: 251.0}, base_year=2020, target_year=2030, limit=100)
    assert far.limit_coefficient == 1.0
    at = assess({2020: 100.0, 2022: 100.0}, base_year=2020, target_year=2030, limit=100)
    assert at.limit_coefficient == 0.0
    assert at.status is Status.SUBSTANTIAL_PROGRESS
    assert at.score == 5.0


def test_limit_ignored_with_target() -> None:
    result = _with_target(0.8)
    with_limit = assess(
        {2020: 100.0, 2025: result.current_value or 0.0},
        base_year=2020,
        target_year=2030,
        target=200.0,
        limit=100,
    )
    assert with_limit.score == result.score
    assert any("limit ignored" in n for n in with_limit.notes)


def test_negative_base_higher_is_better() -> None:
    result = assess({2015: -10.0, 2020: -5.0}, base_year=2015, target_year=2030)
    assert result.sign == -1
    assert result.progress_value == pytest.approx(-(0.5 ** (1 / 5) - 1))
    assert result.status is Status.SUBSTANTIAL_PROGRESS
    worse = assess({2015: -10.0, 2020: -12.0}, base_year=2015, target_year=2030)
    assert worse.status is Status.DETERIORATION


def test_zero_base_becomes_one_thousandth() -> None:
    result = assess({2015: 0.0, 2020: 5.0}, base_year=2015, target_year=2030)
    assert result.base_value == 0.0
    assert result.progress_value == pytest.approx(5000 ** (1 / 5) - 1)
    assert any("0.001" in n for n in result.notes)


def test_zero_target_becomes_one_thousandth() -> None:
    result = assess(
        {2015: 10.0, 2020: 5.0}, base_year=2015, target_year=2030, target=0, direction=-1
    )
    expected = -(0.5 ** (1 / 5) - 1) / abs((0.001 / 10) ** (1 / 15) - 1)
    assert result.progress_value == pytest.approx(expected)
    assert result.interim_targets[2030] == 0.001


def test_opposite_signs_not_available() -> None:
    result = assess({2015: -1.0, 2020: 2.0}, base_year=2015, target_year=2030)
    assert result.status is Status.NOT_AVAILABLE
    assert result.progress_value is None and result.score is None
    with_target = assess({2015: -1.0, 2020: 2.0}, base_year=2015, target_year=2030, target=9)
    assert with_target.status is Status.NOT_AVAILABLE


def test_single_year_not_available() -> None:
    result = assess({2020: 5.0}, base_year=2020, target_year=2030, target=10)
    assert result.status is Status.NOT_AVAILABLE and result.score is None
    early = assess({2016: 1.0, 2017: 2.0}, base_year=2020, target_year=2030)
    assert early.status is Status.NOT_AVAILABLE
    assert early.base_value is None
    empty = assess({}, base_year=2020, target_year=2030)
    assert empty.status is Status.NOT_AVAILABLE and empty.current_year is None


def test_achievement_checked_before_data_sufficiency() -> None:
    result = assess({2020: 12.0}, base_year=2020, target_year=2030, target=10)
    assert result.status is Status.TARGET_ACHIEVED and result.score == 5.0
    assert result.progress_value is None


def test_missing_base_year_uses_next_year_with_data() -> None:
    series = {2014: 1.0, 2015: None, 2016: 10.0, 2017: math.nan, 2020: 20.0}
    result = assess(series, base_year=2015, target_year=2030)
    assert (result.base_year, result.base_value) == (2016, 10.0)
    assert (result.current_year, result.current_value) == (2020, 20.0)
    assert result.progress_value == pytest.approx(2 ** (1 / 4) - 1)


def test_target_equal_to_base_not_achieved() -> None:
    result = assess({2020: 10.0, 2022: 9.0}, base_year=2020, target_year=2030, target=10.0)
    assert result.status is Status.DETERIORATION
    assert result.score == -5.0 and result.progress_value is None


def test_override_keeps_computed_status() -> None:
    result = _with_target(0.3)
    changed = result.with_override("moderate_progress", "  统计口径调整 / data revised ")
    assert changed.status is Status.MODERATE_PROGRESS
    assert changed.computed_status is Status.LIMITED_PROGRESS
    assert changed.score == result.score
    assert changed.override is not None and changed.override.reason == "统计口径调整 / data revised"
    assert result.override is None and result.status is Status.LIMITED_PROGRESS
    data = changed.to_dict()
    assert data["override"] == {
        "status": "moderate_progress",
        "reason": "统计口径调整 / data revised",
    }
    assert data["computed_status"] == "limited_progress"
    with pytest.raises(ProgressInputError):
        result.with_override(Status.DETERIORATION, " ")
    with pytest.raises(ProgressInputError):
        result.with_override("excellent", "because")


def test_interim_path_and_required_growth() -> None:
    result = assess({2020: 100.0, 2025: 120.0}, base_year=2020, target_year=2030, target=200)
    path = result.interim_targets
    assert list(path) == list(range(2020, 2031))
    assert path[2020] == 100.0 and path[2030] == 200.0
    assert path[2025] == pytest.approx(100 * math.sqrt(2))
    assert result.required_growth == pytest.approx((200 / 120) ** (1 / 5) - 1)
    no_target = assess({2020: 100.0, 2025: 120.0}, base_year=2020, target_year=2030)
    assert no_target.required_growth is None and no_target.interim_targets == {}


def test_un_expected_value_and_p() -> None:
    result = assess({2020: 100.0, 2025: 120.0}, base_year=2020, target_year=2030, target=200)
    g = 1.2 ** (1 / 5) - 1
    expected = 120 * (1 + g) ** 5
    assert expected == pytest.approx(144.0)
    assert result.expected_target_year_value == pytest.approx(expected)
    assert result.un_ratio_p == pytest.approx((expected - 100) / (200 - 100))


def test_to_dict_is_json_safe() -> None:
    result = assess({2020: 100.0, 2025: 120.0}, base_year=2020, target_year=2030, target=200)
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    for key in (
        "status",
        "progress_value",
        "score",
        "expected_target_year_value",
        "required_growth",
        "un_ratio_p",
        "interim_targets",
    ):
        assert key in data
    assert data["status_label_zh"] == "进展有限" or data["status"] != "limited_progress"
    assert "2030" in data["interim_targets"]
    assert json.loads(text)["interim_targets"]["2020"] == 100.0


def test_labels() -> None:
    assert set(STATUS_LABELS) == set(Status)
    assert STATUS_LABELS[Status.TARGET_ACHIEVED][0] == "已达标"
    assert STATUS_LABELS[Status.NOT_AVAILABLE][0] == "无法评估"
    assert STATUS_LABELS[Status.DETERIORATION][0] == "倒退"


@pytest.mark.parametrize("direction", [0, 2, True, "positive", 1.5])
def test_invalid_direction(direction: Any) -> None:
    with pytest.raises(ProgressInputError, match="direction"):
        assess({2020: 1.0, 2021: 2.0}, base_year=2020, target_year=2030, direction=direction)


def test_invalid_inputs() -> None:
    with pytest.raises(ProgressInputError, match="duplicate year 2021"):
        assess_points([(2020, 1.0), (2021, 2.0), (2021, 3.0)], base_year=2020, target_year=2030)
    with pytest.raises(ProgressInputError, match="duplicate"):
        assess_points([(2021, None), (2021, 3.0)], base_year=2020, target_year=2030)
    with pytest.raises(ProgressInputError, match="year"):
        assess({2020.5: 1.0}, base_year=2020, target_year=2030)  # type: ignore[dict-item]
    with pytest.raises(ProgressInputError, match="finite"):
        assess({2020: math.inf}, base_year=2020, target_year=2030)
    with pytest.raises(ProgressInputError, match="target"):
        assess({2020: 1.0}, base_year=2020, target_year=2030, target="10")  # type: ignore[arg-type]
    assert issubclass(ProgressInputError, ValueError)
    ok = assess_points([(2020, 1.0), (2021, 2.0)], base_year=2020, target_year=2030)
    assert ok.status is Status.SUBSTANTIAL_PROGRESS


# ----------------------------------------------------------------- combine_scores


def test_combine_scores() -> None:
    achieved = assess({2015: 10.0, 2020: 12.0}, base_year=2015, target_year=2030, target=11)
    limited = _with_target(0.3)
    na = assess({2020: 1.0}, base_year=2020, target_year=2030)
    combined = combine_scores([achieved, limited, na])
    assert combined.score == pytest.approx((5 + 4.1667 * 0.3 - 2.5) / 2)  # 1.875
    assert combined.status is Status.MODERATE_PROGRESS
    strong = combine_scores([achieved, _with_target(1.0)])  # (5 + 2.8572) / 2
    assert strong.status is Status.SUBSTANTIAL_PROGRESS
    assert (combined.n_series, combined.n_scored) == (3, 2)
    assert combine_scores([achieved, achieved, na]).status is Status.TARGET_ACHIEVED
    nothing = combine_scores([na])
    assert nothing.status is Status.NOT_AVAILABLE and nothing.score is None
    assert combine_scores([]).status is Status.NOT_AVAILABLE
    assert json.dumps(combined.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (5, "substantial_progress"),
        (2.5, "substantial_progress"),
        (2.4, "moderate_progress"),
        (0, "moderate_progress"),
        (-0.1, "limited_progress"),
        (-2.5, "limited_progress"),
        (-2.51, "deterioration"),
        (-5, "deterioration"),
    ],
)
def test_score_bands(score: float, status: str) -> None:
    assert status_from_score(score) == status


# ----------------------------------------------------------------- monthly signal


def test_ytd_signal() -> None:
    up = ytd_signal(110.0, 100.0)
    assert up.growth == pytest.approx(0.1) and up.trend is YtdTrend.UP and up.favourable
    flat = ytd_signal(100.4, 100.0)
    assert flat.trend is YtdTrend.FLAT and flat.favourable is None
    down = ytd_signal(90.0, 100.0, direction=-1)
    assert down.trend is YtdTrend.DOWN and down.favourable is True
    losses = ytd_signal(-50.0, -100.0)  # smaller loss: up by half of |previous|
    assert losses.growth == pytest.approx(0.5) and losses.trend is YtdTrend.UP
    from_zero = ytd_signal(3.0, 0.0)
    assert from_zero.growth is None and from_zero.trend is YtdTrend.UP
    assert ytd_signal(0.0, 0.0).trend is YtdTrend.FLAT
    assert json.dumps(up.to_dict(), allow_nan=False)
    with pytest.raises(ProgressInputError):
        ytd_signal(1.0, 1.0, direction=0)


# ----------------------------------------------------------------- properties

magnitudes = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
values = st.one_of(magnitudes, magnitudes.map(lambda x: -x), st.just(0.0))
series_st = st.dictionaries(st.integers(2010, 2026), values, min_size=1, max_size=8)
targets = st.one_of(st.none(), values)


@given(
    series=series_st,
    base_year=st.integers(2008, 2027),
    target=targets,
    direction=st.sampled_from([1, -1]),
    limit=st.one_of(st.none(), st.floats(min_value=0, max_value=1e4)),
)
def test_score_range_and_status_consistency(
    series: dict[int, float],
    base_year: int,
    target: float | None,
    direction: int,
    limit: float | None,
) -> None:
    result = assess(
        series,
        base_year=base_year,
        target_year=2030,
        target=target,
        direction=direction,
        limit=limit,
    )
    if result.score is not None:
        assert -5.0 <= result.score <= 5.0
    if result.status in (Status.TARGET_ACHIEVED, Status.NOT_AVAILABLE):
        return
    assert result.score is not None
    if result.method == "target" and result.progress_value is not None:
        assert status_from_score(result.score) is result.status
    json.dumps(result.to_dict(), allow_nan=False)


@given(series=series_st, target=values, direction=st.sampled_from([1, -1]))
def test_target_achieved_iff_comparison(
    series: dict[int, float], target: float, direction: int
) -> None:
    result = assess(series, base_year=2010, target_year=2030, target=target, direction=direction)
    current = series[max(series)]
    working = 0.001 if target == 0 else target
    holds = current >= working if direction == 1 else current <= working
    assert (result.status is Status.TARGET_ACHIEVED) == holds
    assert (result.score == 5.0) or not holds


@given(base=values, target=values, base_year=st.integers(2015, 2024), span=st.integers(1, 15))
def test_interim_path_monotone(base: float, target: float, base_year: int, span: int) -> None:
    result = assess(
        {base_year: base, base_year + 1: base},
        base_year=base_year,
        target_year=base_year + span,
        target=target,
    )
    path = result.interim_targets
    working_base = 0.001 if base == 0 else base
    working_target = 0.001 if target == 0 else target
    if working_target / working_base < 0:
        assert path == {}
        return
    years = sorted(path)
    assert years == list(range(base_year, base_year + span + 1))
    assert path[years[0]] == working_base and path[years[-1]] == working_target
    seq = [path[y] for y in years]
    pairs = list(itertools.pairwise(seq))
    if working_target >= working_base:
        assert all(a <= b for a, b in pairs)
    else:
        assert all(a >= b for a, b in pairs)
