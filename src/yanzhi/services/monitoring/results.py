"""The typed results of the monitoring use cases (status.py, analysis.py): pydantic models
whose ``to_dict()`` gives the same keys, in the same order, as the dictionaries they
replace — so the CLI's ``--json`` and the API answer the same JSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from yanzhi.services.monitoring.coverage import Coverage

Number = int | float


class Result(BaseModel):
    """Base of the monitoring results: immutable-by-convention records with ``to_dict()``."""

    model_config = ConfigDict(arbitrary_types_allowed=False)

    def to_dict(self) -> dict[str, Any]:
        """The plain dictionary (JSON-ready keys, same order as the fields)."""
        return self.model_dump()


class UnitRef(Result):
    """An org unit by code, name and level."""

    code: str
    name: str
    level: str


class YtdValue(Result):
    """The latest year-to-date value and the same period a year earlier; ``signal`` (the
    year-on-year growth and its reading) only when last year's value is known and not 0.
    同比 on two bases (methods.md, "Comparable-basis growth"): ``yoy_level`` the values as
    published, ``yoy_comparable`` over the ``comparable_enterprises`` enterprises with an
    approved report in both periods (enterprise indicators; None for statistics)."""

    period: str
    value: Number | None
    previous_year_period: str
    previous_year_value: Number | None
    signal: dict[str, Any] | None = Field(default=None, exclude_if=lambda v: v is None)
    yoy_level: Number | None = None
    yoy_comparable: Number | None = None
    comparable_enterprises: int | None = None

    @model_validator(mode="after")
    def _level_growth(self) -> YtdValue:
        if self.yoy_level is None and self.signal is not None:
            self.yoy_level = self.signal.get("growth")
        return self


class InterimResult(Result):
    """The plan's interim target for the assessed year and how the value compares
    (``gap`` is value − target, signed so that positive is good)."""

    year: int
    target: Number
    value: Number
    met: bool
    gap: Number


class IndicatorStatus(Result):
    """Where one indicator stands in one unit. The headline is the ``verdict``
    (core/verdict.py: level, labels and the one-sentence reason, saying where the pace
    since the base and the recent trend disagree); ``status`` is the progress status since
    the base year (methods.md §1, the secondary detail) with the numbers behind it
    (``assessment``); then the forecast and the YTD signal."""

    indicator: str
    name: str
    name_en: str | None
    unit: str
    direction: str
    target: Number | None
    target_year: int
    series: dict[str, Number]
    value: Number | None
    year: int | None
    assessment: dict[str, Any]
    verdict: str
    verdict_zh: str
    verdict_en: str
    verdict_reason_zh: str
    verdict_reason_en: str
    verdict_disagreement: bool
    verdict_overridden: bool
    interim_target: InterimResult | None
    status: str
    status_zh: str
    status_en: str
    forecast: dict[str, Any]
    ytd: YtdValue | None
    synthetic: bool
    coverage: Coverage | None = None  # what the value is computed from (coverage.py)


class UnitStatus(Result):
    """Every selected indicator's status in one unit."""

    unit: UnitRef
    year: int | None
    baseline_year: int
    indicators: list[IndicatorStatus]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def synthetic(self) -> bool:
        """Is any of the indicators computed from generated (demo) data?"""
        return any(i.synthetic for i in self.indicators)


class OverrideResult(Result):
    """A manual status set (or cleared, ``status=None``) with its reason."""

    indicator: str
    unit: str
    status: str | None
    reason: str | None


class Attribution(Result):
    """Shift-share decomposition of a ratio indicator between two periods (core.attribution)
    with the group names, the top enterprises (enterprise indicators) and what was asked."""

    by: str
    method: str
    factor: Number
    intensity0: Number | None
    intensity1: Number | None
    change: Number | None
    within: Number | None
    structure: Number | None
    interaction: Number | None
    groups: list[dict[str, Any]]
    top_contributors: dict[str, Any] | None
    indicator: str
    name: str
    start: str
    end: str
    synthetic: bool = False  # computed from generated (demo) reports or statistics


class OffTrack(Result):
    """A headline indicator that needs attention in a unit: its verdict is 难以达标 or 存在风险
    (core/verdict.py), with the reason; ``status`` is the progress status since the base."""

    unit: str
    name: str
    indicator: str
    verdict: str
    verdict_zh: str
    verdict_en: str
    verdict_reason_zh: str
    verdict_reason_en: str
    status: str
    status_zh: str
    value: Number | None
    year: int | None
    target: Number | None
    score: Number | None
    coverage: Coverage | None = None  # flagged while a period it reads is unlocked


class FallingTownship(Result):
    """A township whose latest YTD R&D expense is below the same period last year."""

    unit: str
    name: str
    period: str
    value: Number
    previous_year_value: Number
    growth: Number | None


class StoppedEnterprise(Result):
    """An enterprise with R&D a year ago and none in the same period now: it reported zero
    (``reason`` "zero R&D") or, though its township's period is approved, sent no report
    ("no report")."""

    uscc: str
    name: str = ""
    township: str
    period: str
    rd_expense: Number | None
    previous_year_rd_expense: Number
    reason: str
    reason_zh: str = ""


class StoppedCount(Result):
    """How many enterprises stopped R&D in one unit, split by why."""

    unit: str
    name: str
    level: str
    reported_zero: int
    not_reported: int
    total: int


class StoppedSummary(Result):
    """The true totals behind the stopped-R&D list (no display cap): the approved period
    compared with the same period a year earlier, and the townships left out because their
    period is not approved yet."""

    period: str | None
    previous_period: str | None
    total: int
    reported_zero: int
    not_reported: int
    townships_not_approved: int
    by_unit: list[StoppedCount]


class Warnings(Result):
    """What needs attention: off-track indicators, falling townships, stopped enterprises
    (every one, with ``stopped`` giving the totals by district and township)."""

    off_track: list[OffTrack]
    falling_townships: list[FallingTownship]
    stopped_enterprises: list[StoppedEnterprise]
    stopped: StoppedSummary | None = None
    synthetic: bool = False  # read from generated (demo) data
