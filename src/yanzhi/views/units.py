"""What a unit page shows, for one scope: the units it may see, and one unit's headline
indicators, its rank and scorecard in the latest evaluation, the tasks it leads or co-leads,
this period's reporting completeness and its warnings. Each function takes the request's
``Scope`` (services/access/scope.py) and filters by it; statuses from
services/monitoring/status.py (via views/common.py). The results are pydantic models, the
API's response models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.orgtree import KIND_LABELS, OrgUnit
from yanzhi.services.access.principal import PermissionDenied, check_enterprise
from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation import evaluate as evaluation
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.results import (
    FallingTownship,
    OffTrack,
    StoppedEnterprise,
    StoppedSummary,
)
from yanzhi.services.tasks import updates as tasks
from yanzhi.views import evaluation as ev_views
from yanzhi.views.cockpit import latest_period
from yanzhi.views.common import (
    Memo,
    ShortRow,
    UnitBrief,
    UnitInfo,
    direct,
    plan_of,
    safe,
    short_row,
    statuses,
    unit_info,
    visible_unit,
)
from yanzhi.views.data import completeness_rows
from yanzhi.views.desk import TownshipDesk, township_desk
from yanzhi.views.unitytd import UnitYtd, unit_ytd


class UnitRow(UnitBrief):
    """A unit of the list, with its kind, parent and depth (0: the region)."""

    kind: str
    kind_zh: str
    parent_code: str | None
    depth: int


class UnitTask(BaseModel):
    """A task the unit leads or co-leads, with its latest update."""

    code: str
    title: str
    title_en: str | None
    role: str
    lead: str | None
    lead_name: str | None
    status: str | None
    progress: float | int | None
    period: str | None
    states: list[str]
    overdue: int


class UnitCompleteness(BaseModel):
    """This period's reporting completeness of the unit and of its visible children
    (rows of services/collection/workflow.py's ``completeness``)."""

    period: str | None
    unit: dict[str, Any] | None
    children: list[dict[str, Any]]


class ScopedStoppedEnterprise(StoppedEnterprise):
    """An enterprise that stopped R&D, with its township's name."""

    township_name: str


class UnitWarnings(BaseModel):
    """monitoring's warnings inside the unit, cut to the scope."""

    off_track: list[OffTrack]
    falling_townships: list[FallingTownship]
    stopped_enterprises: list[ScopedStoppedEnterprise]
    stopped: StoppedSummary | None = None


class UnitView(BaseModel):
    """One unit's page: headline indicators, ``evaluation`` (rank and scorecard in the
    latest evaluation of its level, views/evaluation.py's rows; None without one), tasks,
    reporting completeness and warnings."""

    unit: UnitInfo
    headline: list[ShortRow]
    evaluation: dict[str, Any] | None
    tasks: list[UnitTask]
    completeness: UnitCompleteness
    warnings: UnitWarnings
    ytd: UnitYtd | None = None
    """The enterprise indicators of the latest YTD period with 同比 and ranks."""
    desk: TownshipDesk | None = None
    """A township's desk: reporting, headline indicators without targets, own enterprises."""


def unit_list(scope: Scope) -> list[UnitRow]:
    """The units the scope may see, in tree order, with their depth."""
    scope.require("read")
    tree = scope.tree
    return [
        UnitRow(
            code=u.code,
            name=u.name,
            name_en=u.name_en,
            level=str(u.level),
            kind=str(u.kind),
            kind_zh=KIND_LABELS[u.kind][0],
            parent_code=u.parent_code,
            depth=len(tree.ancestors(u.code)),
        )
        for u in tree.walk()
        if scope.sees(u.code)
    ]


def _unit_evaluation(engine: Engine, scope: Scope, u: OrgUnit, memo: Memo) -> dict[str, Any] | None:
    """The unit's row and scorecard in the newest evaluation of its level: the same result
    (and cache keys) as the evaluation pages (views/evaluation.py)."""
    level = str(u.level)
    if level not in ("district", "township") or not scope.can("evaluate"):
        return None
    found = memo(("evaluation-years", level), lambda: ev_views.years(engine, level))
    if not found:
        return None
    year, n = found[0], ev_views.draws()
    try:
        result = memo(
            ("evaluation", level, year, n),
            lambda: evaluation.evaluate(
                engine, level=level, year=year, uncertainty=n, seed=ev_views.SEED
            ),
        )
        card = ev_views.scorecard(result, scope, u.code)
    except LookupError:
        return None
    names = {i.code: i for i in card.indicators}

    def label(c: str) -> dict[str, Any]:
        i = names.get(c)
        return {"code": c, "name": i.name if i else c, "name_en": i.name_en if i else c}

    items = [
        {**label(i.code), "score": i.normalised, "contribution": i.contribution}
        for i in card.indicators
    ]
    chart = sorted(items, key=lambda i: -(i["contribution"] or 0))
    row = card.row
    return safe(
        {
            "year": card.year,
            "framework": card.framework,
            "name": card.name,
            "result": row,
            "pool_size": card.unit.pool_size,
            # 优势 / 短板: the top and bottom of the contribution chart beneath them (the
            # scorecard's lifts and drags, which the 述职材料 names too), not the raw ranking
            "strengths": [label(i["code"]) for i in chart if (i["contribution"] or 0) > 0][:3],
            "weaknesses": [
                label(i["code"]) for i in reversed(chart) if (i["contribution"] or 0) < 0
            ][:3],
            "scorecard": chart,
        }
    )


def _unit_tasks(engine: Engine, scope: Scope, code: str, memo: Memo) -> list[UnitTask]:
    try:
        board: tasks.Board = memo(("views.board",), lambda: tasks.board(engine))
    except LookupError:
        return []
    out = []
    for t in board.tasks:
        units = [t.lead, *t.co_units]
        if code in units and scope.sees_task(t.lead, t.co_units):
            latest = t.latest
            out.append(
                UnitTask(
                    code=t.code,
                    title=t.title,
                    title_en=t.title_en,
                    lead=t.lead,
                    lead_name=t.lead_name,
                    role="lead" if t.lead == code else "co",
                    status=latest.status if latest else None,
                    progress=latest.progress if latest else None,
                    period=latest.period if latest else None,
                    states=t.states,
                    overdue=len(t.overdue_milestones),
                )
            )
    return out


def _completeness(engine: Engine, scope: Scope, u: OrgUnit, memo: Memo) -> UnitCompleteness:
    period = memo(("views.latest_period",), lambda: latest_period(engine))
    if period is None:
        return UnitCompleteness(period=None, unit=None, children=[])

    def at(level: str) -> list[dict[str, Any]]:
        return [safe(r.to_dict()) for r in completeness_rows(engine, period, level, memo=memo)]

    own = next((r for r in at(str(u.level)) if r["code"] == u.code), None)
    kids = [c for c in scope.tree.children(u.code) if scope.sees(c.code)]
    rows: list[dict[str, Any]] = []
    if kids:
        wanted = {k.code for k in kids}
        rows = [r for r in at(str(kids[0].level)) if r["code"] in wanted]
    return UnitCompleteness(period=period, unit=own, children=rows)


CHILD_LEVEL = {"city": "district", "district": "township"}


def _warnings(engine: Engine, scope: Scope, u: OrgUnit, memo: Memo) -> UnitWarnings:
    """monitoring.analysis's warnings inside the unit (the unit itself and the level below
    it), cut to the units and enterprises the scope may see."""
    level = str(u.level)
    levels = (level, CHILD_LEVEL[level]) if level in CHILD_LEVEL else (level,)
    w = memo(
        ("views.warnings", u.code),
        lambda: safe(analysis.warnings(engine, levels=levels, within=u.code).to_dict()),
    )

    tree = scope.tree
    stopped: list[ScopedStoppedEnterprise] = []
    if scope.can("read_enterprises"):
        for x in w["stopped_enterprises"]:
            town = str(x["township"])
            try:
                check_enterprise(scope.principal, uscc=x["uscc"], township=town, tree=tree)
            except PermissionDenied:
                continue
            stopped.append(ScopedStoppedEnterprise(**x, township_name=tree.get(town).name))
    return UnitWarnings(
        off_track=[OffTrack(**x) for x in w["off_track"] if scope.sees(x["unit"])],
        falling_townships=[
            FallingTownship(**x) for x in w["falling_townships"] if scope.sees(x["unit"])
        ],
        stopped_enterprises=stopped,
        stopped=_visible_summary(w.get("stopped"), scope),
    )


def _visible_summary(summary: dict[str, Any] | None, scope: Scope) -> StoppedSummary | None:
    """The stopped-R&D totals of the unit, with the per-unit rows cut to the scope."""
    if not summary:
        return None
    rows = [r for r in summary["by_unit"] if scope.sees(r["unit"])]
    return StoppedSummary(**{**summary, "by_unit": rows})


def unit_view(
    engine: Engine, scope: Scope, code: str, *, period: str | None = None, memo: Memo = direct
) -> UnitView:
    """One unit: its headline indicators (value, target, status), its rank and scorecard in
    the latest evaluation, the tasks it leads or co-leads, this period's reporting
    completeness (its own and its children's), its warnings and its 1–N月 figures of YTD
    ``period`` (default the latest approved)."""
    plan = plan_of(engine)
    u = visible_unit(scope, code)
    head = statuses(
        engine, units=[u.code], indicators=[i.code for i in plan.headline_indicators], memo=memo
    )
    sts = head[u.code]
    return UnitView(
        unit=unit_info(scope, u),
        headline=[short_row(s) for s in sts],
        evaluation=_unit_evaluation(engine, scope, u, memo),
        tasks=_unit_tasks(engine, scope, u.code, memo),
        completeness=_completeness(engine, scope, u, memo),
        warnings=_warnings(engine, scope, u, memo),
        ytd=unit_ytd(engine, scope, u.code, period=period, memo=memo),
        desk=township_desk(engine, scope, u, memo=memo),
    )
