"""The cockpit (驾驶舱): everything the first page shows, for one scope. The city's
headline indicators with their target path and forecast band, the same indicators by
district for the map, warnings, task progress by programme and this period's reporting
completeness — each cut to what the scope may see (services/access/scope.py). The result
is a pydantic model, the API's response model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import analysis, status
from yanzhi.services.monitoring.results import FallingTownship
from yanzhi.services.monitoring.status import NEEDS_ATTENTION
from yanzhi.services.tasks import updates as tasks
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan
from yanzhi.views import data as data_view
from yanzhi.views.common import VERDICT_FIELDS, Memo, Num, StatusWithPath, direct, with_path
from yanzhi.views.guarantees import guarantees
from yanzhi.views.landmarks import landmarks
from yanzhi.views.reforms import reforms
from yanzhi.views.unitytd import UnitYtd, chosen_period, unit_ytd


class PlanBrief(BaseModel):
    """The plan the cockpit reports on."""

    code: str
    title: str
    region: str
    baseline_year: int
    end_year: int


class DistrictValue(BaseModel):
    """A headline indicator's latest value, verdict and status in a district (for the map)."""

    value: Num | None
    year: int | None
    verdict: str
    verdict_zh: str
    verdict_en: str
    status: str


class DistrictRow(BaseModel):
    """A district on the map; without ``indicators`` when the scope may not see it."""

    code: str
    name: str
    visible: bool
    indicators: dict[str, DistrictValue] | None = Field(
        default=None, exclude_if=lambda v: v is None
    )


class CockpitOffTrack(BaseModel):
    """A headline indicator that needs attention (verdict 难以达标 or 存在风险) in the city or
    a district."""

    unit: str
    name: str
    indicator: str
    indicator_name: str
    indicator_name_en: str | None
    verdict: str
    verdict_zh: str
    verdict_en: str
    verdict_reason_zh: str
    verdict_reason_en: str
    status: str
    status_zh: str
    value: Num | None
    year: int | None
    target: Num | None
    score: Num | None


class CockpitWarnings(BaseModel):
    """Off-track headline indicators and townships whose YTD R&D fell."""

    off_track: list[CockpitOffTrack]
    falling_townships: list[FallingTownship]


class DeliveryRule(BaseModel):
    """A guarantee rule a number checks, with the region's verdict."""

    code: str
    description: str
    verdict: str
    verdict_zh: str
    reason_zh: str


class DeliveryLandmark(BaseModel):
    code: str
    title: str
    value: float | None
    year: int | None
    target: float | None
    unit: str | None
    verdict: str
    verdict_zh: str
    reason_zh: str


class Delivery(BaseModel):
    """规划落实 on the cockpit: the landmark results (views/landmarks.py), the guarantee
    rules a number checks (views/guarantees.py), the reforms done, in all and overdue, the
    policies' implementing rules issued and due (views/reforms.py) — the figures of
    /tasks/landmarks, /tasks/guarantees and /tasks/reforms."""

    landmarks: list[DeliveryLandmark] = []
    guarantees: list[DeliveryRule]
    reforms: int
    reforms_done: int
    reforms_overdue: int
    rules_issued: int
    rules_due: int


class Cockpit(BaseModel):
    """The cockpit: ``headline`` the city's statuses (monitoring.status, with
    ``target_path``), ``districts`` for the map, ``warnings``, ``tasks`` (progress by
    programme), ``ytd`` the city's 1–N月 enterprise indicators of the chosen (default the
    latest approved) YTD period — the unit page's table for the city (views/unitytd.py) —
    and the reporting ``completeness`` by district of ``period``: the chosen period, or
    without a choice the newest period anyone has reported (the one being collected)."""

    plan: PlanBrief
    synthetic: bool
    headline: list[StatusWithPath]
    ytd: UnitYtd | None = None
    districts: list[DistrictRow]
    warnings: CockpitWarnings
    tasks: dict[str, Any]
    period: str | None
    completeness: list[dict[str, Any]]
    delivery: Delivery | None = None


def latest_period(engine: Engine) -> str | None:
    """The newest period anyone has reported (approved or not)."""
    found = data_view.recent_periods(engine, 1)
    return found[0] if found else None


def _headline(statuses: dict[str, Any]) -> list[StatusWithPath]:
    return [with_path(ind) for ind in statuses["indicators"]]


def headline(engine: Engine, unit: str | None = None) -> list[StatusWithPath]:
    """Headline indicators of ``unit`` (default the city) with their target path."""
    return _headline(status.status(engine, unit=unit).to_dict())


def _district_rows(scope: Scope, statuses: dict[str, dict[str, Any]]) -> list[DistrictRow]:
    """Each district's latest headline values and statuses; districts the scope may not
    see are listed without numbers (the map still draws them)."""
    rows = []
    for d in scope.tree.by_level("district"):
        item = DistrictRow(code=d.code, name=d.name, visible=False)
        if scope.sees(d.code):
            inds = statuses[d.code]["indicators"] if d.code in statuses else []
            item.visible = True
            item.indicators = {
                i["indicator"]: DistrictValue(
                    **{k: i[k] for k in ("value", "year", "verdict", "verdict_zh", "verdict_en")},
                    status=i["status"],
                )
                for i in inds
            }
        rows.append(item)
    return rows


def _off_track(statuses: dict[str, dict[str, Any]]) -> list[CockpitOffTrack]:
    out = []
    for code, st in statuses.items():
        for i in st["indicators"]:
            if i["verdict"] in NEEDS_ATTENTION:
                out.append(
                    CockpitOffTrack(
                        unit=code,
                        name=st["unit"]["name"],
                        indicator=i["indicator"],
                        indicator_name=i["name"],
                        indicator_name_en=i["name_en"],
                        **{k: i[k] for k in VERDICT_FIELDS},
                        status=i["status"],
                        status_zh=i["status_zh"],
                        value=i["value"],
                        year=i["year"],
                        target=i["target"],
                        score=i["assessment"].get("score"),
                    )
                )
    return out


def _task_summary(engine: Engine, plan: Any, memo: Memo = direct) -> dict[str, Any]:
    try:
        b: tasks.Board = memo(("views.board",), lambda: tasks.board(engine))
    except LookupError:
        return {"plan_progress": None, "programmes": []}
    titles = {p.code: (p.title, p.title_en) for p in plan.programmes}
    counts: dict[str, dict[str, int]] = {}
    for t in b.tasks:
        c = counts.setdefault(t.programme, {"tasks": 0, "flagged": 0})
        c["tasks"] += 1
        c["flagged"] += bool(t.states or t.overdue_milestones)
    return {
        "period": b.period,
        "plan_progress": b.plan_progress,
        "programmes": [
            {
                "code": p.code,
                "title": titles.get(p.code, ("", ""))[0],
                "title_en": titles.get(p.code, ("", ""))[1],
                "progress": p.progress,
                **counts.get(p.code, {"tasks": 0, "flagged": 0}),
            }
            for p in b.programmes
        ],
    }


def cockpit(
    engine: Engine, scope: Scope, *, period: str | None = None, memo: Memo = direct
) -> Cockpit:
    """The cockpit for ``scope``: the city's headline indicators, the districts for the
    map, warnings inside the scope, task progress, the city's 1–N月 figures of YTD
    ``period`` (default the latest approved; another period without approved values is
    refused with PeriodNotAvailable) and the reporting completeness of ``period`` (default
    the newest period reported)."""
    scope.require("read")
    chosen = chosen_period(engine, period, memo=memo)  # refuse a wrong period before the work
    tree = scope.tree
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
    city = plan.meta.region
    codes = [city, *(d.code for d in tree.by_level("district"))]
    # what every role's cockpit shares is computed once (and cut to the scope below)
    statuses = memo(
        ("views.cockpit.statuses", tuple(codes)),
        lambda: {st.unit.code: st.to_dict() for st in status.status_many(engine, list(codes))},
    )
    head = _headline(statuses[city])
    off = [w for w in _off_track(statuses) if scope.sees(w.unit)]
    every_falling = memo(("views.falling_townships",), lambda: analysis.falling_townships(engine))
    falling = [w for w in every_falling if scope.sees(w.unit)]
    reported = chosen if period else memo(("views.latest_period",), lambda: latest_period(engine))
    completeness: list[dict[str, Any]] = []
    if reported:
        seen = tuple(d.code for d in tree.by_level("district") if scope.sees(d.code))
        rows = memo(
            ("views.cockpit.completeness", reported, seen),
            lambda: data_view.completeness(
                engine, scope, period=reported, level="district", memo=memo
            ),
        )
        completeness = [
            {**r.model_dump(), "rate_pct": None if r.rate is None else round(100 * r.rate, 1)}
            for r in rows.items
        ]
    return Cockpit(
        plan=PlanBrief(
            code=plan.meta.code,
            title=plan.meta.title,
            region=city,
            baseline_year=plan.meta.baseline_year,
            end_year=plan.meta.end_year,
        ),
        synthetic=any(i.synthetic for i in head),
        headline=head,
        ytd=unit_ytd(engine, scope, city, period=period, memo=memo),
        districts=_district_rows(scope, statuses),
        warnings=CockpitWarnings(off_track=off, falling_townships=falling),
        tasks=_task_summary(engine, plan, memo),
        period=reported,
        completeness=completeness,
        delivery=memo(
            ("views.cockpit.delivery", scope.root, scope.city_wide),
            lambda: _delivery(engine, scope),
        ),
    )


def _delivery(engine: Engine, scope: Scope) -> Delivery:
    g = guarantees(engine, scope)
    r = reforms(engine, scope, estimates=False)
    rules = [
        DeliveryRule(
            code=x.code,
            description=x.description,
            verdict=x.region.verdict,
            verdict_zh=x.region.verdict_zh,
            reason_zh=x.region.reason_zh,
        )
        for m in g.guarantees
        for x in m.rules
        if x.region is not None
    ]
    marks = [
        DeliveryLandmark(
            code=lm.code,
            title=lm.title,
            value=lm.value,
            year=lm.year,
            target=lm.target,
            unit=lm.unit,
            verdict=lm.verdict,
            verdict_zh=lm.verdict_zh,
            reason_zh=lm.reason_zh,
        )
        for lm in landmarks(engine, scope).landmarks
    ]
    return Delivery(
        landmarks=marks,
        guarantees=rules,
        reforms=len(r.reforms),
        reforms_done=r.by_status.get("已完成", 0),
        reforms_overdue=r.overdue,
        rules_issued=r.rules_issued,
        rules_due=r.rules_due,
    )
