"""Indicators over approved data: the roll-up into stored indicator values, statuses and
forecasts against targets, gap attribution and warnings, and the assessment of a
series given by hand.

Public: ``compute`` (``compute``, ``refresh``), ``status`` (``status``, ``status_many``,
``indicator_status``, ``override_status``), ``analysis`` (``attribution``, ``warnings``,
``falling_townships``), ``series`` (``assess_series`` → ``SeriesAssessment``)."""

from yanzhi.services.monitoring import analysis, compute, series, status

__all__ = ["analysis", "compute", "series", "status"]
