"""Where every headline indicator stands for a unit: the verdict (the headline,
core/verdict.py), value, target, progress status since the base year (methods.md §1, the
secondary detail), forecast with the probability of meeting the target, and the
year-to-date signal for monthly data."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.forecast import forecast
from yanzhi.core.periods import parse_period
from yanzhi.core.plan.model import Indicator, Plan
from yanzhi.core.progress import STATUS_LABELS, Status, assess, ytd_signal
from yanzhi.core.verdict import Level, Verdict, verdict
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import coverage
from yanzhi.services.monitoring.growth import with_comparable
from yanzhi.services.monitoring.results import (
    IndicatorStatus,
    InterimResult,
    OverrideResult,
    UnitRef,
    UnitStatus,
    YtdValue,
)
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.overrides import list_overrides, set_override
from yanzhi.storage.plans import get_plan

BAD = {Status.DETERIORATION, Status.LIMITED_PROGRESS}
#: The verdicts the warnings list: 难以达标 and 存在风险.
NEEDS_ATTENTION = frozenset({str(Level.OFF_TRACK), str(Level.AT_RISK)})


def indicator_of(plan: Plan, code: str) -> Indicator:
    """The plan's indicator ``code``; an unknown code is NotFound."""
    if code not in {i.code for i in plan.indicators}:
        raise NotFound(f"unknown indicator {code}", f"未知指标 {code}")
    return plan.indicator(code)


def _annual(values: pd.DataFrame, ind: Indicator, unit: str, until: int | None) -> dict[int, float]:
    rows = values[
        (values["indicator"] == ind.code)
        & (values["unit_code"] == unit)
        & (values["period_kind"] == "year")
        & (values["industry_division"] == "")
    ]
    series = {
        int(p): float(v) for p, v in zip(rows["period"], rows["value"], strict=True) if pd.notna(v)
    }
    return {y: v for y, v in sorted(series.items()) if until is None or y <= until}


def _latest_ytd(values: pd.DataFrame, ind: Indicator, unit: str) -> YtdValue | None:
    rows = values[
        (values["indicator"] == ind.code)
        & (values["unit_code"] == unit)
        & (values["period_kind"] == "ytd")
        & (values["industry_division"] == "")
    ]
    if rows.empty:
        return None
    by_period = dict(zip(rows["period"], rows["value"], strict=True))
    latest = max(by_period, key=lambda p: parse_period(p).sort_key())
    previous = str(parse_period(latest).same_period_last_year())
    signal: dict[str, Any] | None = None
    if by_period.get(previous) not in (None, 0) and pd.notna(by_period[latest]):
        sig = ytd_signal(by_period[latest], by_period[previous], direction=ind.direction_sign)
        signal = sig.to_dict()
    return YtdValue(
        period=latest,
        value=by_period[latest],
        previous_year_period=previous,
        previous_year_value=by_period.get(previous),
        signal=signal,
    )


MONITORING_ONLY = ("仅监测(无目标)", "Monitoring only (no target)")
TARGET_LEVELS = frozenset({"city", "district"})
"""The levels the plan's targets are set for: the city's target is the districts' too
(each district is assessed against it); townships have none — they are monitored by
their values, changes and ranks."""
NO_TOWNSHIP_TARGET = (
    "规划目标下达到市和区县（市），乡镇（街道）不设目标，仅监测数值与走势。",
    "Targets are set for the city and its districts; a township is monitored only.",
)


def indicator_status(
    plan: Plan,
    values: pd.DataFrame,
    ind: Indicator,
    unit: str,
    year: int | None,
    override: tuple[str, str] | None = None,
    *,
    targeted: bool = True,
) -> IndicatorStatus:
    """Where ``ind`` stands in ``unit`` as of ``year`` (None: the latest) from ``values``
    (indicator_value rows): its annual series, the assessment against the target (with
    ``override`` — status, reason — applied), the forecast, the verdict combining them with
    the plan's interim target for the assessed year and, for monthly data, the latest
    year-to-date signal. ``targeted`` False (a township: see TARGET_LEVELS): the plan's
    target does not apply, the indicator is monitored only."""
    series = _annual(values, ind, unit, year)
    target = ind.target.value if ind.target and targeted else None
    target_year = ind.target.year if ind.target else plan.meta.end_year
    a = assess(
        series,
        base_year=plan.meta.baseline_year,
        target_year=target_year,
        target=target,
        direction=ind.direction_sign,
        limit=ind.limit,
    )
    if override is not None:
        a = a.with_override(*override)
    status_zh, status_en = STATUS_LABELS[a.status]
    if target is None and override is None:
        # no target: the method's growth-based status stays in ``assessment``, but the
        # headline must not read "on track" for a plan that set nothing to be on track to
        status_zh, status_en = MONITORING_ONLY
    fc = forecast(series, target_year=target_year, target=target, direction=ind.direction_sign)
    interim = {t.year: t.value for t in ind.interim_targets if t.value is not None and targeted}
    v: Verdict = verdict(a, fc, interim_targets=interim, unit=ind.unit)
    if not targeted and ind.target is not None and str(v.level) == "monitoring_only":
        v = replace(v, reason_zh=NO_TOWNSHIP_TARGET[0], reason_en=NO_TOWNSHIP_TARGET[1])
    return IndicatorStatus(
        indicator=ind.code,
        name=ind.name,
        name_en=ind.name_en,
        unit=ind.unit,
        direction=ind.direction,
        target=target,
        target_year=target_year,
        series={str(y): v for y, v in series.items()},
        value=series[max(series)] if series else None,
        year=max(series) if series else None,
        assessment=a.to_dict(),
        verdict=str(v.level),
        verdict_zh=v.label_zh,
        verdict_en=v.label_en,
        verdict_reason_zh=v.reason_zh,
        verdict_reason_en=v.reason_en,
        verdict_disagreement=v.disagreement,
        verdict_overridden=v.overridden,
        interim_target=None if v.interim is None else InterimResult(**asdict(v.interim)),
        status=str(a.status),
        status_zh=status_zh,
        status_en=status_en,
        forecast=fc.to_dict(),
        ytd=_latest_ytd(values, ind, unit) if ind.frequency in ("ytd", "monthly") else None,
        synthetic=bool(values.loc[values["indicator"] == ind.code, "synthetic"].any()),
    )


def status(
    engine: Engine, *, unit: str | None = None, year: int | None = None, headline_only: bool = True
) -> UnitStatus:
    """Every headline indicator (every indicator unless ``headline_only``) of ``unit``
    (default: the plan's region) as of ``year``."""
    units: list[str | None] = [unit] if unit else [None]
    return status_many(engine, units, year=year, headline_only=headline_only)[0]


def status_many(
    engine: Engine,
    units: list[str | None],
    *,
    year: int | None = None,
    headline_only: bool = True,
    indicators: list[str] | None = None,
    allow_empty: bool = False,
) -> list[UnitStatus]:
    """:func:`status` for several units (None: the plan's region) from one query;
    ``indicators`` picks indicators by code; ``allow_empty`` gives statuses without values
    ("not available") instead of refusing when nothing has been computed."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        codes = [u or plan.meta.region for u in units]
        for code in codes:
            if code not in tree:
                raise NotFound(f"unknown org unit {code}", f"未知单位 {code}")
        if indicators:
            inds = [indicator_of(plan, c) for c in indicators]
        else:
            inds = plan.headline_indicators if headline_only else list(plan.indicators)
        values = indicator_values(session, indicators=[i.code for i in inds], units=codes)
        overrides = {
            (o.unit_code, o.indicator): (o.status, o.reason)
            for o in list_overrides(session)
            if o.unit_code in codes
        }
    if values.empty and not allow_empty:
        raise NotFound(
            "no indicator values yet; run `yanzhi indicators compute`",
            "尚无指标数据, 请先运行 yanzhi indicators compute",
        )
    out = []
    for code in codes:
        u = tree.get(code)
        mine = values[values["unit_code"] == code]
        out.append(
            UnitStatus(
                unit=UnitRef(code=u.code, name=u.name, level=str(u.level)),
                year=year,
                baseline_year=plan.meta.baseline_year,
                indicators=[
                    indicator_status(
                        plan,
                        mine,
                        i,
                        code,
                        year,
                        overrides.get((code, i.code)),
                        targeted=str(u.level) in TARGET_LEVELS,
                    )
                    for i in inds
                ],
            )
        )
    coverage.attach(engine, out, {i.code: i.source for i in inds})
    with transaction(engine) as session:  # 同比 on the comparable basis (monitoring/growth)
        return with_comparable(session, plan, tree, out)


def override_status(
    engine: Engine, *, indicator: str, unit: str, status: str | None, reason: str | None, actor: str
) -> OverrideResult:
    """Set a manual status with a reason (or clear it with ``status=None``)."""
    require_schema(engine)
    if status is not None:
        try:
            Status(status)
        except ValueError:
            raise InvalidInput(
                f"unknown status {status!r}; expected one of {', '.join(s.value for s in Status)}",
                "未知状态",
            ) from None
        if not (reason and reason.strip()):
            raise InvalidInput("an override needs a reason (--reason)", "人工调整必须说明原因")
    with transaction(engine) as session:
        plan = get_plan(session)
        indicator_of(plan, indicator)
        if unit not in load_org_tree(session):
            raise NotFound(f"unknown org unit {unit}", f"未知单位 {unit}")
        set_override(
            session,
            indicator=indicator,
            unit=unit,
            status=status,
            ctx=WriteContext(actor, reason=reason),
        )
    return OverrideResult(indicator=indicator, unit=unit, status=status, reason=reason)
