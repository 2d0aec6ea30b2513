"""Target-year forecast of an annual series from its own history.

Model (stated in full in ``docs/methods.md``, section "Forecast"):

* all values > 0: ``ln y_i = a + b·year_i + e_i`` (log-linear trend, i.e. constant growth);
  otherwise ``y_i = a + b·year_i + e_i`` (linear trend); ``e_i`` i.i.d. N(0, σ²);
* n ≥ 3 points: OLS fit and the classical prediction interval for one new observation
  at the target year, from Student's t with n − 2 degrees of freedom;
* n = 2 points: the line through the two points (CAGR extrapolation in the log case) with a
  default volatility ``DEFAULT_LOG_VOLATILITY`` per year, growing like a random walk;
* the probability of meeting the target is the predictive probability that the
  target-year value is on the right side of the target.

Deterministic (no sampling). Pure computation: numpy and scipy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

#: Central coverage of the reported interval.
COVERAGE = 0.80
#: Two-point fallback: standard deviation of the yearly log change (5 % a year).
DEFAULT_LOG_VOLATILITY = 0.05

METHOD_LOG_LINEAR = "log_linear_ols_t"
METHOD_LINEAR = "linear_ols_t"
METHOD_TWO_POINT_LOG = "two_point_cagr_default_volatility"
METHOD_TWO_POINT_LINEAR = "two_point_linear_default_volatility"
METHOD_INSUFFICIENT = "insufficient_data"


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
        z = stats.norm.ppf(q) if self.df is None else stats.t.ppf(q, self.df)
        return self.centre + self.scale * float(z)

    def prob_below(self, x: float) -> float:
        if self.scale == 0:
            return 1.0 if self.centre < x else 0.5 if self.centre == x else 0.0
        z = (x - self.centre) / self.scale
        return float(stats.norm.cdf(z) if self.df is None else stats.t.cdf(z, self.df))


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
) -> Forecast:
    """Forecast the value in ``target_year`` and the probability of meeting ``target``.

    ``direction`` 1: the target is met when the value is ≥ target; −1: when ≤ target.
    Missing values (None, NaN) are dropped; with fewer than two points nothing is
    forecast (``method == "insufficient_data"``).
    """
    if isinstance(direction, bool) or direction not in (1, -1):
        raise ForecastInputError(f"direction must be 1 or -1, got {direction!r}")
    if isinstance(target_year, bool) or not isinstance(target_year, int):
        raise ForecastInputError(f"target_year must be an integer, got {target_year!r}")
    if target is not None and not math.isfinite(float(target)):
        raise ForecastInputError(f"target must be finite, got {target!r}")
    years, values = _clean(series)
    n = len(years)
    if n < 2:
        return Forecast(None, None, None, None, METHOD_INSUFFICIENT, n, target_year)
    log_scale = bool((values > 0).all())
    y = np.log(values) if log_scale else values
    build = _two_point_predictive if n == 2 else _ols_predictive
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
