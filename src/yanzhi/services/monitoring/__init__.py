"""Indicators over approved data: the roll-up into stored indicator values, statuses and
forecasts against targets, gap attribution and warnings, and the assessment of a
series given by hand.

Public: ``compute`` (``compute``, ``refresh`` → ``ComputeResult``), ``status`` (``status``,
``status_many`` → ``UnitStatus``, ``indicator_status`` → ``IndicatorStatus``,
``override_status`` → ``OverrideResult``, ``indicator_of``: an indicator or NotFound),
``analysis`` (``attribution`` → ``Attribution``, ``warnings`` → ``Warnings``,
``falling_townships`` → ``FallingTownship``), ``series`` (``assess_series`` →
``SeriesAssessment``). The result types are declared in ``results`` and exported here."""

from yanzhi.services.monitoring import analysis, compute, series, status
from yanzhi.services.monitoring.compute import ComputeResult
from yanzhi.services.monitoring.results import (
    Attribution,
    FallingTownship,
    IndicatorStatus,
    OffTrack,
    OverrideResult,
    StoppedEnterprise,
    UnitRef,
    UnitStatus,
    Warnings,
    YtdValue,
)

__all__ = [
    "Attribution",
    "ComputeResult",
    "FallingTownship",
    "IndicatorStatus",
    "OffTrack",
    "OverrideResult",
    "StoppedEnterprise",
    "UnitRef",
    "UnitStatus",
    "Warnings",
    "YtdValue",
    "analysis",
    "compute",
    "series",
    "status",
]
