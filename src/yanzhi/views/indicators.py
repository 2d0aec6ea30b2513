"""What the indicator pages show, for one scope: every plan indicator with its latest
value and status, and one indicator in one unit (series, target path, the numbers behind
its status, forecast, its children and gap attribution). views/units.py builds the
unit pages on the shared pieces of views/common.py.

Every function takes the request's ``Scope`` (services/access/scope.py) and filters by it,
so the pages, the API and any other interface obey the same rule; the results are pydantic
models, the API's response models. The statuses are those of
services/monitoring/status.py (the same ``indicator_status`` on the same inputs). ``memo`` lets the
caller cache principal-independent work (the warnings list, the evaluation, the task
board, an attribution) under a key; results are cut to the principal after it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.forecast import METHOD_LABELS
from yanzhi.core.periods import parse_period
from yanzhi.core.plan.model import Indicator, Plan
from yanzhi.core.progress import STATUS_LABELS, Status
from yanzhi.services.access.principal import PermissionDenied, check_enterprise
from yanzhi.services.access.scope import Scope
from yanzhi.services.enterprises.counts import CountBasis, count_bases
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.results import Attribution, UnitRef
from yanzhi.services.monitoring.status import indicator_of
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.views.common import (
    Memo,
    ShortRow,
    StatusWithPath,
    UnitInfo,
    direct,
    plan_of,
    safe,
    short_row,
    statuses,
    unit_info,
    visible_unit,
    with_path,
)
from yanzhi.views.indicatorperiod import PeriodFigures, base_window, indicator_period

DEFAULT_BY = {"city": "district", "district": "township", "township": "industry"}


class IndicatorRow(ShortRow):
    """An indicator of the list: its short status and what kind of indicator it is."""

    headline: bool
    frequency: str
    source: str


class IndicatorList(BaseModel):
    """Every plan indicator in one unit."""

    unit: UnitInfo
    indicators: list[IndicatorRow]


class Fact(BaseModel):
    """One labelled number behind a status (``explanation``); a text value comes in both
    languages (``value`` Chinese, ``value_en`` English)."""

    key: str
    zh: str
    en: str
    value: Any
    value_en: str | None = Field(default=None, exclude_if=lambda v: v is None)


class IndicatorView(BaseModel):
    """One indicator in one unit: ``indicator`` its definition; ``status`` as
    services/monitoring/status.py gives it plus ``target_path``; ``explanation`` the
    numbers behind the status; ``periods`` the YTD, quarterly and monthly series."""

    unit: UnitInfo
    indicator: dict[str, Any]
    status: StatusWithPath
    explanation: list[Fact]
    periods: dict[str, dict[str, float | None]]
    counts: CountBasis | None = None  # a count with a register twin: both, labelled
    selected: PeriodFigures | None = None
    """The indicator in the unit and its children for the chosen ``?period=``
    (views/indicatorperiod.py)."""


class ChildRow(ShortRow):
    """The indicator in one child unit."""

    code: str
    unit_name: str
    level: str


class IndicatorChildren(BaseModel):
    """The indicator in each visible child of a unit; in a township the enterprises that
    moved it most (``enterprises``) or why there are none (``enterprises_note``)."""

    unit: UnitInfo
    indicator: str
    children: list[ChildRow]
    enterprises: dict[str, Any] | None = None
    enterprises_note: str | None = Field(default=None, exclude_if=lambda v: v is None)


class ScopedAttribution(Attribution):
    """monitoring's attribution inside a unit, cut to the scope."""

    unit: UnitRef


# -- indicators -----------------------------------------------------------------------------
def indicator_list(engine: Engine, scope: Scope, *, unit: str | None = None) -> IndicatorList:
    """Every plan indicator (headline first) with its latest value, target and status in
    ``unit`` (default: the region)."""
    plan = plan_of(engine)
    u = visible_unit(scope, unit or plan.meta.region)
    order = sorted(plan.indicators, key=lambda i: not i.headline)
    sts = {s["indicator"]: s for s in statuses(engine, units=[u.code])[u.code]}
    rows = [
        IndicatorRow(
            **short_row(sts[ind.code]).model_dump(),
            headline=ind.headline,
            frequency=ind.frequency,
            source=ind.source,
        )
        for ind in order
    ]
    return IndicatorList(unit=unit_info(scope, u), indicators=rows)


def _meta(plan: Plan, ind: Indicator) -> dict[str, Any]:
    f = ind.formula
    return safe(
        {
            "code": ind.code,
            "name": ind.name,
            "name_en": ind.name_en,
            "unit": ind.unit,
            "direction": ind.direction,
            "frequency": ind.frequency,
            "source": ind.source,
            "headline": ind.headline,
            "formula": {
                "numerator": f.numerator,
                "denominator": f.denominator,
                "factor": f.factor,
                "filter": f.filter,
            },
            "baseline": ind.baseline.__dict__ if ind.baseline else None,
            "target": ind.target.__dict__ if ind.target else None,
            "plan_interim_targets": [t.__dict__ for t in ind.interim_targets],
            "definition": ind.definition,
            "data_source": ind.data_source,
            "note": ind.note,
            "baseline_year": plan.meta.baseline_year,
        }
    )


EXPLAIN: tuple[tuple[str, str, str], ...] = (
    ("base_year", "基期", "Base year"),
    ("base_value", "基期值", "Base value"),
    ("current_year", "当前年份", "Current year"),
    ("current_value", "当前值", "Current value"),
    ("target_year", "目标年份", "Target year"),
    ("target", "目标值", "Target"),
    ("progress_value", "进展比率(实际/应有)", "Progress ratio (actual / required)"),
    ("required_growth", "所需年均增速", "Required annual growth"),
    (
        "expected_target_year_value",
        "按基期以来速度目标年预计值",
        "Target-year value at the pace since the base",
    ),
    ("score", "进展得分", "Progress score"),
)
ASSESS_METHODS = {
    "target": ("按目标值测算", "Against the target"),
    "no_target": ("无目标值, 按增速测算", "No target: by growth"),
}


def _text(key: str, zh: str, en: str, pair: tuple[str, str]) -> Fact:
    return Fact(key=key, zh=zh, en=en, value=pair[0], value_en=pair[1])


def explanation(st: dict[str, Any]) -> list[Fact]:
    """The verdict's secondary readings as labelled rows: the progress status since the
    base year and the numbers behind it (methods.md §1), then the forecast."""
    a, f = st["assessment"], st["forecast"]
    rows = [_text("progress_status", "进展评估(基期以来)", "Progress since the base year",
                  (st["status_zh"], st["status_en"]))]  # fmt: skip
    rows += [Fact(key=k, zh=zh, en=en, value=a.get(k)) for k, zh, en in EXPLAIN]
    rows.append(_text("method", "评估方法", "Method", ASSESS_METHODS.get(a.get("method") or "",
                                                                  ("—", "—"))))  # fmt: skip
    band = None if f.get("lower80") is None else f"{f['lower80']:.3f} – {f['upper80']:.3f}"
    method = METHOD_LABELS.get(f.get("method") or "", ("—", "—"))
    rows += [
        Fact(key="p_meet", zh="实现目标概率", en="P(meet target)",
             value=f.get("probability_meeting_target")),
        Fact(key="forecast_expected", zh="目标年预测值", en="Forecast for target year",
             value=f.get("expected")),
        Fact(key="forecast_band", zh="预测区间(80%)", en="Forecast band (80 %)", value=band),
        _text("forecast_method", "预测方法", "Forecast method", method),
    ]  # fmt: skip
    if a.get("override"):
        o = a["override"]
        zh, en = STATUS_LABELS[Status(o["status"])]
        rows.append(_text("override", "人工调整", "Override",
                          (f"{zh}: {o['reason']}", f"{en}: {o['reason']}")))  # fmt: skip
    return rows


def _period_series(engine: Engine, code: str, unit: str) -> dict[str, dict[str, float | None]]:
    """The indicator's values by period kind other than the year (ytd, quarter, month)."""
    with transaction(engine) as session:
        v = indicator_values(session, indicators=[code], units=[unit])
    v = v[(v["industry_division"] == "") & (v["period_kind"] != "year")]
    out: dict[str, dict[str, float | None]] = {}
    for kind, g in v.groupby("period_kind"):
        ordered = sorted(zip(g["period"], g["value"], strict=True),
                         key=lambda pv: parse_period(pv[0]).sort_key())  # fmt: skip
        out[str(kind)] = {str(p): safe(float(x)) for p, x in ordered}
    return out


def indicator_view(
    engine: Engine,
    scope: Scope,
    code: str,
    *,
    unit: str | None = None,
    period: str | None = None,
    memo: Memo = direct,
) -> IndicatorView:
    """One indicator for one unit: its definition, annual series, year-to-date / monthly
    series, target path, status with the numbers behind it, the forecast, and
    ``selected`` its figures for ``period`` (a 1–N月 period or a year, default the latest;
    one without data is refused with PeriodNotAvailable)."""
    plan = plan_of(engine)
    ind = indicator_of(plan, code)
    u = visible_unit(scope, unit or plan.meta.region)
    selected = indicator_period(engine, scope, ind, u, period, memo=memo)
    st = statuses(engine, units=[u.code], indicators=[ind.code], memo=memo)[u.code][0]
    bases = memo(("views.count_bases",), lambda: count_bases(engine))
    return IndicatorView(
        unit=unit_info(scope, u),
        indicator=_meta(plan, ind),
        status=with_path(st),
        explanation=explanation(st),
        periods=_period_series(engine, ind.code, u.code),
        counts=next(
            (c for c in bases if c.indicator == ind.code and u.level == "city"),
            None,
        ),
        selected=selected,
    )


def indicator_children(
    engine: Engine, scope: Scope, code: str, *, unit: str | None = None, memo: Memo = direct
) -> IndicatorChildren:
    """The indicator in each child of ``unit`` the scope may see (district → townships);
    in a township, the enterprises that moved it most (for roles that may see them)."""
    plan = plan_of(engine)
    ind = indicator_of(plan, code)
    u = visible_unit(scope, unit or plan.meta.region)
    kids = [c for c in scope.tree.children(u.code) if scope.sees(c.code)]
    sts = (
        statuses(engine, units=[k.code for k in kids], indicators=[ind.code], memo=memo)
        if kids
        else {}
    )
    rows = [
        ChildRow(
            code=k.code,
            unit_name=k.name,
            level=str(k.level),
            **short_row(sts[k.code][0]).model_dump(),
        )
        for k in kids
    ]
    out = IndicatorChildren(unit=unit_info(scope, u), indicator=ind.code, children=rows)
    if str(u.level) == "township" and scope.can("read_enterprises"):
        try:
            att = indicator_attribution(engine, scope, code, unit=u.code, memo=memo)
            out.enterprises = att.top_contributors
        except (LookupError, ValueError) as exc:
            out.enterprises_note = str(exc)
    return out


def _default_end(engine: Engine, ind: Indicator, unit: str, memo: Memo) -> str:
    st = statuses(engine, units=[unit], indicators=[ind.code], memo=memo)[unit][0]
    if st["year"] is None:
        raise NotFound(f"no annual values of {ind.code} in {unit}", "该单位无年度数据")
    return str(st["year"])


def indicator_attribution(
    engine: Engine,
    scope: Scope,
    code: str,
    *,
    unit: str | None = None,
    by: str | None = None,
    start: str | None = None,
    end: str | None = None,
    period: str | None = None,
    memo: Memo = direct,
) -> ScopedAttribution:
    """Gap attribution (monitoring.analysis) of the indicator inside ``unit`` from
    ``start`` to ``end`` (default: the base year to the latest year; with ``period`` and
    neither, the same period of the base year to ``period``): groups the
    scope may not see are left out; the top enterprises only for roles that may read
    enterprises, and only those inside the scope (with their names)."""
    plan = plan_of(engine, memo)
    ind = indicator_of(plan, code)
    u = visible_unit(scope, unit or plan.meta.region)
    by = by or DEFAULT_BY[str(u.level)]
    if period and not start and not end:  # the page's period against the base year's
        start, end = base_window(period, plan.meta.baseline_year)
    start = start or str(plan.meta.baseline_year)
    end = end or _default_end(engine, ind, u.code, memo)

    def compute() -> dict[str, Any]:
        try:
            found = analysis.attribution(
                engine, indicator=ind.code, start=start, end=end, by=by, unit=u.code
            )
            return safe(found.to_dict())
        except LookupError as exc:  # remembered too: a refusal costs as much as an answer
            return {"refused": "lookup", "message": str(exc).strip("'\"")}
        except ValueError as exc:
            return {"refused": "value", "message": str(exc)}

    raw = memo(("views.attribution", ind.code, u.code, by, start, end), compute)
    if "refused" in raw:
        if raw["refused"] == "lookup":
            raise NotFound(raw["message"])
        raise InvalidInput(raw["message"])
    result = dict(raw)
    if by in ("district", "township"):
        col = analysis.GROUPS[by]
        result["groups"] = [g for g in raw["groups"] if scope.sees(str(g.get(col)))]
    result["unit"] = UnitRef(code=u.code, name=u.name, level=str(u.level))
    top = raw.get("top_contributors")
    result["top_contributors"] = (
        _enterprises_in_scope(engine, scope, top)
        if top is not None and scope.can("read_enterprises")
        else None
    )
    return ScopedAttribution(**result)


def _enterprises_in_scope(engine: Engine, scope: Scope, top: dict[str, Any]) -> dict[str, Any]:
    wanted = {str(e["uscc"]) for side in ("positive", "negative") for e in top[side]}
    with transaction(engine) as session:
        found = read_frame(
            session,
            select(EnterpriseRow.uscc, EnterpriseRow.name, EnterpriseRow.township_code).where(
                EnterpriseRow.uscc.in_(sorted(wanted))
            ),
        )
    where = {r.uscc: (r.name, r.township_code) for r in found.itertuples()}

    def visible(e: dict[str, Any]) -> bool:
        uscc = str(e["uscc"])
        if uscc not in where:
            return False
        try:
            check_enterprise(scope.principal, uscc=uscc, township=where[uscc][1], tree=scope.tree)
        except PermissionDenied:
            return False
        return True

    def named(e: dict[str, Any]) -> dict[str, Any]:
        name, town = where[str(e["uscc"])]
        return {**e, "name": name, "township_code": town, "township": scope.tree.get(town).name}

    out = dict(top)
    for side in ("positive", "negative"):
        out[side] = [named(e) for e in top[side] if visible(e)]
    return out
