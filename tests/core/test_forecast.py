"""Forecast of the target-year value: synthetic series whose answer is known."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from yanzhi.core.forecast import (
    DEFAULT_LOG_VOLATILITY,
    METHOD_INSUFFICIENT,
    METHOD_LINEAR,
    METHOD_LOG_LINEAR,
    METHOD_LOG_RW_DRIFT,
    METHOD_RW_DRIFT,
    METHOD_TWO_POINT_LINEAR,
    METHOD_TWO_POINT_LOG,
    MIN_LOG_VOLATILITY,
    MODEL_OLS,
    WINDOW,
    Coverage,
    ForecastInputError,
    backtest,
    forecast,
)

YEARS = list(range(2015, 2025))  # ten annual points


def test_exact_exponential_growth() -> None:
    series = {y: 100 * 1.08 ** (y - 2015) for y in YEARS}
    result = forecast(series, target_year=2030, target=200, model=MODEL_OLS)
    truth = 100 * 1.08**15
    assert result.method == METHOD_LOG_LINEAR
    assert result.n_points == 10
    assert result.expected == pytest.approx(truth, rel=1e-9)
    assert result.lower80 is not None and result.upper80 is not None
    assert result.lower80 <= result.expected <= result.upper80
    assert (result.upper80 - result.lower80) / truth < 1e-6
    assert result.probability_meeting_target == pytest.approx(1.0)


def test_exact_linear_series_with_a_negative_value() -> None:
    series = {y: -3.0 + 2.0 * (y - 2015) for y in YEARS}
    result = forecast(series, target_year=2030, target=100, direction=-1, model=MODEL_OLS)
    assert result.method == METHOD_LINEAR
    assert result.expected == pytest.approx(27.0)
    assert result.upper80 is not None and result.upper80 - 27.0 < 1e-6
    assert result.probability_meeting_target == pytest.approx(1.0)


def _noisy(rng: np.random.Generator, log_scale: bool) -> tuple[dict[int, float], float]:
    """A trend with N(0, σ²) noise; returns the history and the realised 2030 value."""
    t = np.arange(2015, 2025 + 6) - 2015  # history 2015-2024 and future to 2030
    if log_scale:
        path = np.exp(math.log(100) + 0.05 * t + rng.normal(0, 0.05, size=t.size))
    else:
        path = -20 + 3.0 * t + rng.normal(0, 4.0, size=t.size)
    history = {2015 + int(k): float(path[k]) for k in range(10)}
    return history, float(path[-1])


@pytest.mark.parametrize("log_scale", [True, False])
def test_ols_interval_coverage_about_80_percent(log_scale: bool) -> None:
    hits = 0
    for seed in range(500):
        history, truth = _noisy(np.random.default_rng(seed), log_scale)
        result = forecast(history, target_year=2030, model=MODEL_OLS)
        assert result.method == (METHOD_LOG_LINEAR if log_scale else METHOD_LINEAR)
        assert result.lower80 is not None and result.upper80 is not None
        hits += result.lower80 <= truth <= result.upper80
    assert 0.70 <= hits / 500 <= 0.90


def test_probability_tracks_target_position() -> None:
    history, _ = _noisy(np.random.default_rng(7), log_scale=True)
    trend_2030 = 100 * math.exp(0.05 * 15)  # about 212
    low = forecast(history, target_year=2030, target=trend_2030 / 3)
    high = forecast(history, target_year=2030, target=trend_2030 * 3)
    mid = forecast(history, target_year=2030, target=trend_2030)
    assert low.probability_meeting_target is not None and low.probability_meeting_target > 0.95
    assert high.probability_meeting_target is not None
    assert high.probability_meeting_target < 0.05
    assert mid.probability_meeting_target is not None
    assert 0.2 < mid.probability_meeting_target < 0.8
    lower_is_better = forecast(history, target_year=2030, target=trend_2030 * 3, direction=-1)
    assert lower_is_better.probability_meeting_target == pytest.approx(
        1 - high.probability_meeting_target
    )
    non_positive = forecast(history, target_year=2030, target=-1.0)
    assert non_positive.probability_meeting_target == 1.0


def test_probability_matches_t_distribution() -> None:
    history, _ = _noisy(np.random.default_rng(3), log_scale=True)
    for model, df in ((MODEL_OLS, 8), (forecast.__kwdefaults__["model"], WINDOW - 2)):
        result = forecast(history, target_year=2030, target=200, model=model)
        assert result.lower80 is not None and result.upper80 is not None
        assert result.expected is not None
        centre = math.log(result.expected)
        scale = (math.log(result.upper80) - centre) / stats.t.ppf(0.9, df)
        expected_p = 1 - stats.t.cdf((math.log(200) - centre) / scale, df)
        assert result.probability_meeting_target == pytest.approx(expected_p)


def test_random_walk_with_drift_on_the_last_five_values() -> None:
    # ln y changes by 0.10, 0.02, 0.10, 0.02 over the last five years: mean 0.06,
    # sd 0.0462; the early values must not matter
    z = [0.0, 0.10, 0.12, 0.22, 0.24]
    history = {2010: 999.0, 2015: 1.0, **{2020 + k: 100 * math.exp(v) for k, v in enumerate(z)}}
    result = forecast(history, target_year=2027, target=150)
    assert result.method == METHOD_LOG_RW_DRIFT
    assert result.n_points == 5
    centre = math.log(100) + 0.24 + 3 * 0.06
    assert result.expected == pytest.approx(math.exp(centre))
    sd = float(np.std(np.diff(z), ddof=1))
    scale = sd * math.sqrt(3 + 9 / 4)
    assert result.upper80 == pytest.approx(math.exp(centre + stats.t.ppf(0.9, 3) * scale))
    p = 1 - stats.t.cdf((math.log(150) - centre) / scale, 3)
    assert result.probability_meeting_target == pytest.approx(p)


def test_random_walk_volatility_has_a_floor() -> None:
    exact = {2020 + k: 100 * 1.05**k for k in range(5)}
    result = forecast(exact, target_year=2025)
    assert result.expected == pytest.approx(100 * 1.05**5)
    assert result.upper80 is not None and result.expected is not None
    half = math.log(result.upper80 / result.expected)
    assert half == pytest.approx(stats.t.ppf(0.9, 3) * MIN_LOG_VOLATILITY * math.sqrt(1 + 1 / 4))
    linear = forecast({2020: -1.0, 2021: 0.0, 2022: 1.0}, target_year=2023)
    assert linear.method == METHOD_RW_DRIFT
    assert linear.expected == pytest.approx(2.0)


def test_random_walk_interval_covers_80_percent_of_random_walks() -> None:
    hits = 0
    for seed in range(400):
        rng = np.random.default_rng(seed)
        path = np.cumsum(rng.normal(0.04, 0.05, size=9))
        history = {2015 + k: float(100 * math.exp(path[k])) for k in range(7)}
        result = forecast(history, target_year=2023)
        assert result.lower80 is not None and result.upper80 is not None
        hits += result.lower80 <= 100 * math.exp(path[8]) <= result.upper80
    assert 0.75 <= hits / 400 <= 0.85


def test_backtest_counts_every_origin_and_horizon() -> None:
    series = {2015 + k: 100 * 1.05**k for k in range(6)}  # 2015–2020, exact growth
    rows = backtest([series], horizons=(1, 2))
    # origins with ≥ 3 values: 2017, 2018, 2019 (h=1: 2018–2020), 2017, 2018 (h=2)
    assert [(r.horizon, r.cases) for r in rows] == [(1, 3), (2, 2), (0, 5)]
    assert all(r.rate == 1.0 for r in rows)  # exact growth lies inside every interval
    jump = {**series, 2020: 1000.0}
    assert backtest([jump], horizons=(1,))[0] == Coverage(1, 3, 2)
    assert Coverage(1, 0, 0).rate is None


def test_two_points_fall_back_to_cagr_with_default_volatility() -> None:
    result = forecast({2020: 100.0, 2022: 121.0}, target_year=2030, target=200)
    assert result.method == METHOD_TWO_POINT_LOG
    assert result.n_points == 2
    assert result.expected == pytest.approx(100 * 1.1**10)
    half_width = stats.norm.ppf(0.9) * DEFAULT_LOG_VOLATILITY * math.sqrt(8)
    assert result.lower80 == pytest.approx(100 * 1.1**10 * math.exp(-half_width))
    assert result.upper80 == pytest.approx(100 * 1.1**10 * math.exp(half_width))
    z = (math.log(200) - math.log(100 * 1.1**10)) / (DEFAULT_LOG_VOLATILITY * math.sqrt(8))
    assert result.probability_meeting_target == pytest.approx(1 - stats.norm.cdf(z))


def test_two_points_linear_when_not_positive() -> None:
    result = forecast({2020: -10.0, 2022: 0.0, 2023: None}, target_year=2030)
    assert result.method == METHOD_TWO_POINT_LINEAR
    assert result.expected == pytest.approx(40.0)
    half_width = stats.norm.ppf(0.9) * DEFAULT_LOG_VOLATILITY * 10 * math.sqrt(8)
    assert result.upper80 == pytest.approx(40.0 + half_width)
    assert result.probability_meeting_target is None


def test_too_few_points() -> None:
    result = forecast({2020: 5.0, 2021: None, 2022: math.nan}, target_year=2030, target=1)
    assert result.method == METHOD_INSUFFICIENT
    assert result.expected is None and result.probability_meeting_target is None
    assert result.n_points == 1


def test_deterministic_and_json_safe() -> None:
    history, _ = _noisy(np.random.default_rng(11), log_scale=True)
    first = forecast(history, target_year=2030, target=150)
    assert first == forecast(history, target_year=2030, target=150)
    data = first.to_dict()
    assert set(data) >= {
        "expected",
        "lower80",
        "upper80",
        "probability_meeting_target",
        "method",
        "n_points",
    }
    json.dumps(data, allow_nan=False)


def test_invalid_input() -> None:
    with pytest.raises(ForecastInputError, match="direction"):
        forecast({2020: 1.0, 2021: 2.0}, target_year=2030, direction=0)
    with pytest.raises(ForecastInputError, match="year"):
        forecast({2020.5: 1.0}, target_year=2030)  # type: ignore[dict-item]
    with pytest.raises(ForecastInputError, match="finite"):
        forecast({2020: math.inf, 2021: 1.0}, target_year=2030)
