"""Progress use case: assess one series typed on the command line (or sent by a form).

The text ``2022=2.9,2023=3.05,2024=3.2`` is parsed into a year -> value mapping, then
:func:`yanzhi.core.progress.assess` and :func:`yanzhi.core.forecast.forecast` are called.
Bad input raises :class:`ProgressArgumentError` (a ``ValueError``) with a bilingual message
that names the offending item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from yanzhi.core.errors import InvalidInput
from yanzhi.core.forecast import Forecast, forecast
from yanzhi.core.progress import Assessment, assess

DIRECTIONS = {"up": 1, "1": 1, "+1": 1, "down": -1, "-1": -1}


class ProgressArgumentError(InvalidInput):
    """A malformed argument of a progress assessment (message in Chinese and English)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en, zh)
        self.message_zh, self.message_en = zh, en
        self.args = (f"{zh} / {en}",)  # str() keeps its Chinese-first text


@dataclass(frozen=True)
class SeriesAssessment:
    """A series given by hand, assessed against its target and forecast to the target year."""

    series: dict[int, float | None]
    assessment: Assessment
    forecast: Forecast

    def to_dict(self) -> dict[str, Any]:
        """The JSON of `yanzhi progress assess --json`: the assessment's fields, ``series``
        (years as text) and ``forecast``."""
        data = self.assessment.to_dict()
        data["series"] = {str(y): v for y, v in self.series.items()}
        data["forecast"] = self.forecast.to_dict()
        return data


def parse_series(text: str) -> dict[int, float | None]:
    """``"2022=2.9, 2023=3.05"`` -> ``{2022: 2.9, 2023: 3.05}``.

    Items are separated by commas or semicolons; a value ``NA`` (or empty) is missing.
    A malformed item, a year that is not an integer, a value that is not a finite number
    or a repeated year raises :class:`ProgressArgumentError` naming the item.
    """
    items = [p.strip() for p in text.replace(";", ",").split(",")]
    items = [p for p in items if p]
    if not items:
        raise ProgressArgumentError("--series 为空", "--series is empty")
    out: dict[int, float | None] = {}
    for n, item in enumerate(items, start=1):
        where_zh, where_en = f"--series 第 {n} 项 {item!r}", f"--series item {n} {item!r}"
        year_text, sep, value_text = item.partition("=")
        if not sep:
            raise ProgressArgumentError(
                f"{where_zh} 格式应为 年份=数值 (如 2022=2.9)",
                f"{where_en} is not YEAR=VALUE (e.g. 2022=2.9)",
            )
        try:
            year = int(year_text.strip())
        except ValueError:
            raise ProgressArgumentError(
                f"{where_zh} 的年份 {year_text.strip()!r} 不是整数",
                f"{where_en}: year {year_text.strip()!r} is not an integer",
            ) from None
        if year in out:
            raise ProgressArgumentError(
                f"{where_zh} 的年份 {year} 重复", f"{where_en}: year {year} is repeated"
            )
        out[year] = _value(value_text.strip(), where_zh, where_en)
    return dict(sorted(out.items()))


def _value(text: str, where_zh: str, where_en: str) -> float | None:
    if text.upper() in ("", "NA", "NAN"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ProgressArgumentError(
            f"{where_zh} 的数值 {text!r} 不是有限的数",
            f"{where_en}: value {text!r} is not a number",
        )
    return value


def parse_direction(text: str | int) -> int:
    """``up`` / ``1`` / ``+1`` -> 1 (不低于, higher is better); ``down`` / ``-1`` -> -1."""
    key = str(text).strip().lower()
    if key not in DIRECTIONS:
        raise ProgressArgumentError(
            f"--direction 应为 up/down (或 1/-1)，而不是 {text!r}",
            f"--direction must be up/down (or 1/-1), not {text!r}",
        )
    return DIRECTIONS[key]


def assess_series(
    series_text: str,
    *,
    target: float | None = None,
    target_year: int | None = None,
    base_year: int | None = None,
    direction: str | int = "up",
    limit: float | None = None,
) -> SeriesAssessment:
    """Assess a series given as text: its :class:`SeriesAssessment`.

    ``base_year`` defaults to the first year of the series. ``target_year`` is required
    with a target; without one it defaults to the latest year of the series.
    """
    series = parse_series(series_text)
    d = parse_direction(direction)
    years = [y for y, v in series.items() if v is not None]
    if not years:
        raise ProgressArgumentError("--series 中没有数值", "--series has no values")
    if target_year is None:
        if target is not None:
            raise ProgressArgumentError(
                "给定 --target 时须给出 --target-year", "--target needs --target-year"
            )
        target_year = max(years)
    for name, value in (("--target", target), ("--limit", limit)):
        if value is not None and not math.isfinite(value):
            raise ProgressArgumentError(
                f"{name} 不是有限的数: {value}", f"{name} is not a finite number: {value}"
            )
    assessment = assess(
        series,
        base_year=min(years) if base_year is None else base_year,
        target_year=target_year,
        target=target,
        direction=d,
        limit=limit,
    )
    expected = forecast(series, target_year=target_year, target=target, direction=d)
    return SeriesAssessment(series, assessment, expected)
