"""Target-year forecast of an annual series from its own history.

Model (stated in full in ``docs/methods.md``, section "Forecast"; chosen by the rolling-origin
back-test of ``benchmarks/backtest_forecast.py``, section "The verdict"):

* the scale: ``z = ln y`` when all values are > 0 (constant growth), else ``z = y``;
* the default model, ``MODEL_RW_DRIFT``: a random walk with drift fitted on the last
  ``WINDOW`` annual values (the recent years): the drift is the mean yearly change of z,
  its volatility ``s`` the standard deviation of the yearly changes, floored at
  ``MIN_LOG_VOLATILITY`` (times the level on the linear scale); h years after the last value
  the prediction is ``z_last + h·drift`` with scale ``s·√(h + h²/m)`` (m changes; the second
  term is the drift's own uncertainty) and Student's t with m − 1 degrees of freedom;
* ``MODEL_OLS`` (kept for comparison; it was the model until the back-test): a straight
  line in the year fitted by OLS on every value, with the classical prediction interval
  (t with n − 2 degrees of freedom);
* n = 2 values: the line through the two points (CAGR extrapolation in the log case) with a
  default volatility ``DEFAULT_LOG_VOLATILITY`` per year, growing like a random walk;
* the probability of meeting the target is the predictive probability that the
  target-year value is on the right side of the target.

Deterministic (no sampling). Pure computation: numpy and scipy only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: Central coverage of the reported interval.
COVERAGE = 0.80
#: Two-point fallback: standard deviation of the yearly log change (5 % a year).
DEFAULT_LOG_VOLATILITY = 0.05
#: Random walk with drift: the number of latest annual values it is fitted on.
WINDOW = 5
#: Random walk with drift: the least volatility of the yearly log change (0.45 % a year;
#: calibrated by the back-test, docs/methods.md "The verdict").
MIN_LOG_VOLATILITY = 0.0045

MODEL_RW_DRIFT = "rw_drift"
MODEL_OLS = "ols"

METHOD_LOG_RW_DRIFT = "log_random_walk_drift_t"
METHOD_RW_DRIFT = "random_walk_drift_t"
METHOD_LOG_LINEAR = "log_linear_ols_t"
METHOD_LINEAR = "linear_ols_t"
METHOD_TWO_POINT_LOG = "two_point_cagr_default_volatility"
METHOD_TWO_POINT_LINEAR = "two_point_linear_default_volatility"
METHOD_INSUFFICIENT = "insufficient_data"

#: Display names of the methods: (Chinese, English).
METHOD_LABELS: Mapping[str, tuple[str, str]] = {
    METHOD_LOG_RW_DRIFT: (
        "近5年对数随机游走(含漂移)",
        "Random walk with drift in logs, last 5 years",
    ),
    METHOD_RW_DRIFT: ("近5年随机游走(含漂移)", "Random walk with drift, last 5 years"),
    METHOD_LOG_LINEAR: ("对数线性趋势(最小二乘)", "Log-linear trend (OLS)"),
    METHOD_LINEAR: ("线性趋势(最小二乘)", "Linear trend (OLS)"),
    METHOD_TWO_POINT_LOG: ("两点年均增速外推", "Two-point CAGR extrapolation"),
    METHOD_TWO_POINT_LINEAR: ("两点线性外推", "Two-point linear extrapolation"),
    METHOD_INSUFFICIENT: ("数据不足", "Not enough data"),
}


class ForecastInputError(ValueError):
    """Invalid input to a forecast."""


@dataclass(frozen=True, slots=True)
class Forecast:
    """Expected target-year value, its 80 % prediction interval and P(target met)."""

    expected: float | None
    lower80: float | None
    upper80: float | None
    probability_meeting_target: float | None
    method: str
    n_points: int
    target_year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Predictive:
    """Predictive distribution on the model scale: centre + scale · T(df) (df=None: normal)."""

    centre: float
    scale: float
    df: int | None
    log_scale: bool
    method: str

    def quantile(self, q: float) -> float:
        # scipy.special's functions are what scipy.stats' norm and t call (same numbers);
        # imported here, they cost nothing to a process that never forecasts
        from scipy import special

        z = special.ndtri(q) if self.df is None else special.stdtrit(self.df, q)
        return self.centre + self.scale * float(z)

    def prob_below(self, x: float) -> float:
        if self.scale == 0:
            return 1.0 if self.centre < x else 0.5 if self.centre == x else 0.0
        from scipy import special

        z = (x - self.centre) / self.scale
        return float(special.ndtr(z) if self.df is None else special.stdtr(self.df, z))


def _clean(series: Mapping[int, float | None]) -> tuple[np.ndarray, np.ndarray]:
    pairs = []
    for year, value in series.items():
        if isinstance(year, bool) or not isinstance(year, int | float) or year != int(year):
            raise ForecastInputError(f"year must be an integer, got {year!r}")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if not math.isfinite(float(value)):
            raise ForecastInputError(f"value for {year} must be finite, got {value!r}")
        pairs.append((int(year), float(value)))
    pairs.sort()
    years = np.array([p[0] for p in pairs], dtype=float)
    values = np.array([p[1] for p in pairs], dtype=float)
    return years, values


def _ols_predictive(x: np.ndarray, y: np.ndarray, x0: float, log_scale: bool) -> _Predictive:
    n = len(x)
    x_mean = float(x.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y.mean())).sum()) / sxx
    intercept = float(y.mean()) - slope * x_mean
    residuals = y - (intercept + slope * x)
    s2 = float((residuals**2).sum()) / (n - 2)
    se_pred = math.sqrt(s2 * (1 + 1 / n + (x0 - x_mean) ** 2 / sxx))
    method = METHOD_LOG_LINEAR if log_scale else METHOD_LINEAR
    return _Predictive(intercept + slope * x0, se_pred, n - 2, log_scale, method)


def _rw_drift_predictive(x: np.ndarray, y: np.ndarray, x0: float, log_scale: bool) -> _Predictive:
    changes = np.diff(y) / np.diff(x)  # per year (gaps in the years are spread evenly)
    m = len(changes)
    drift = float(changes.mean())
    level = 1.0 if log_scale else float(np.abs(y).max())
    vol = max(float(changes.std(ddof=1)), MIN_LOG_VOLATILITY * level)
    horizon = max(x0 - float(x[-1]), 0.0)
    scale = vol * math.sqrt(horizon + horizon**2 / m)
    method = METHOD_LOG_RW_DRIFT if log_scale else METHOD_RW_DRIFT
    return _Predictive(float(y[-1]) + drift * horizon, scale, m - 1, log_scale, method)


def _two_point_predictive(x: np.ndarray, y: np.ndarray, x0: float, log_scale: bool) -> _Predictive:
    slope = float(y[1] - y[0]) / float(x[1] - x[0])
    centre = float(y[1]) + slope * (x0 - float(x[1]))
    horizon = max(x0 - float(x[1]), 0.0)
    # log scale: sd of ln y; linear scale: the same relative volatility times the level
    level = 1.0 if log_scale else float(np.abs(y).max())
    scale = DEFAULT_LOG_VOLATILITY * level * math.sqrt(horizon)
    method = METHOD_TWO_POINT_LOG if log_scale else METHOD_TWO_POINT_LINEAR
    return _Predictive(centre, scale, None, log_scale, method)


def _probability(pred: _Predictive, target: float, direction: int) -> float:
    if pred.log_scale and target <= 0:
        below = 0.0  # every positive value is above a non-positive target
    else:
        below = pred.prob_below(math.log(target) if pred.log_scale else target)
    return 1.0 - below if direction == 1 else below


def forecast(
    series: Mapping[int, float | None],
    *,
    target_year: int,
    target: float | None = None,
    direction: int = 1,
    model: str = MODEL_RW_DRIFT,
) -> Forecast:
    """Forecast the value in ``target_year`` and the probability of meeting ``target``.

    ``direction`` 1: the target is met when the value is ≥ target; −1: when ≤ target.
    ``model``: ``MODEL_RW_DRIFT`` (the default, on the last ``WINDOW`` values) or
    ``MODEL_OLS`` (every value). Missing values (None, NaN) are dropped; with fewer than
    two points nothing is forecast (``method == "insufficient_data"``).
    """
    if model not in (MODEL_RW_DRIFT, MODEL_OLS):
        raise ForecastInputError(f"unknown model {model!r}")
    if isinstance(direction, bool) or direction not in (1, -1):
        raise ForecastInputError(f"direction must be 1 or -1, got {direction!r}")
    if isinstance(target_year, bool) or not isinstance(target_year, int):
        raise ForecastInputError(f"target_year must be an integer, got {target_year!r}")
    if target is not None and not math.isfinite(float(target)):
        raise ForecastInputError(f"target must be finite, got {target!r}")
    years, values = _clean(series)
    if model == MODEL_RW_DRIFT:
        years, values = years[-WINDOW:], values[-WINDOW:]
    n = len(years)
    if n < 2:
        return Forecast(None, None, None, None, METHOD_INSUFFICIENT, n, target_year)
    log_scale = bool((values > 0).all())
    y = np.log(values) if log_scale else values
    build = _rw_drift_predictive if model == MODEL_RW_DRIFT else _ols_predictive
    build = _two_point_predictive if n == 2 else build
    pred = build(years, y, float(target_year), log_scale)
    tail = (1 - COVERAGE) / 2
    lower, upper = _back(pred.quantile(tail), pred), _back(pred.quantile(1 - tail), pred)
    probability = None if target is None else _probability(pred, float(target), direction)
    expected = _back(pred.centre, pred)
    return Forecast(expected, lower, upper, probability, pred.method, n, target_year)


def _back(value: float, pred: _Predictive) -> float | None:
    """Back to the original scale (exp for the log model); None if it overflows."""
    if not pred.log_scale:
        return value
    try:
        return math.exp(value)
    except OverflowError:
        return None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Rolling-origin back-test of the 80 % interval at one horizon (``horizon`` 0: all)."""

    horizon: int
    cases: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.cases if self.cases else None


def backtest(
    series: Iterable[Mapping[int, float]],
    *,
    horizons: tuple[int, ...] = (1, 2, 3),
    min_points: int = 3,
    model: str = MODEL_RW_DRIFT,
) -> list[Coverage]:
    """Rolling-origin back-test: for every series and every year t with at least
    ``min_points`` values up to t, forecast t + h from the values up to t and count
    whether the realised value lies in the 80 % interval. One row per horizon, then the
    total (``horizon`` 0)."""
    counts = {h: [0, 0] for h in horizons}
    for s in series:
        clean = {int(y): float(v) for y, v in s.items() if v is not None and math.isfinite(v)}
        years = sorted(clean)
        for i, t in enumerate(years):
            if i + 1 < min_points:
                continue
            history = {y: clean[y] for y in years[: i + 1]}
            for h in horizons:
                if t + h not in clean:
                    continue
                f = forecast(history, target_year=t + h, model=model)
                if f.lower80 is None or f.upper80 is None:
                    continue
                counts[h][0] += 1
                counts[h][1] += f.lower80 <= clean[t + h] <= f.upper80
    rows = [Coverage(h, c[0], c[1]) for h, c in counts.items()]
    total = Coverage(0, sum(r.cases for r in rows), sum(r.covered for r in rows))
    return [*rows, total]
