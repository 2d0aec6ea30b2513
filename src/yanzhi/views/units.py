"""What a unit page shows, for one principal: the units it may see, and one unit's headline
indicators, its rank and scorecard in the latest evaluation, the tasks it leads or co-leads,
this period's reporting completeness and its warnings. Scope rules from services/access/scope.py;
statuses from services/monitoring/status.py (via views/indicators.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from yanzhi.core.orgtree import KIND_LABELS, OrgTree, OrgUnit
from yanzhi.services.access.principal import PermissionDenied, Principal, check_enterprise
from yanzhi.services.access.scope import can, can_see_unit, require, resolve, sees_task
from yanzhi.services.collection import workflow as reporting
from yanzhi.services.evaluation import evaluate as evaluation
from yanzhi.services.monitoring import analysis
from yanzhi.services.tasks import updates as tasks
from yanzhi.views import evaluation as ev_views
from yanzhi.views.cockpit import latest_period
from yanzhi.views.common import (
    Memo,
    direct,
    plan_of,
    safe,
    short_row,
    statuses,
    unit_info,
    visible_unit,
)


def unit_list(principal: Principal, tree: OrgTree) -> list[dict[str, Any]]:
    """The units the principal may see, in tree order, with their depth."""
    require(principal, "read")
    out = []
    for u in tree.walk():
        if not can_see_unit(principal, u.code, tree):
            continue
        out.append(
            {
                "code": u.code,
                "name": u.name,
                "name_en": u.name_en,
                "level": str(u.level),
                "kind": str(u.kind),
                "kind_zh": KIND_LABELS[u.kind][0],
                "parent_code": u.parent_code,
                "depth": len(tree.ancestors(u.code)),
            }
        )
    return out


def _unit_evaluation(
    engine: Engine, principal: Principal, tree: OrgTree, u: OrgUnit, memo: Memo
) -> dict[str, Any] | None:
    """The unit's row and scorecard in the newest evaluation of its level: the same result
    (and cache keys) as the evaluation pages (views/evaluation.py)."""
    level = str(u.level)
    if level not in ("district", "township") or not can(principal, "evaluate"):
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
        card = ev_views.scorecard(result, resolve(principal, tree), u.code)
    except LookupError:
        return None
    names = {i["code"]: i for i in card["indicators"]}

    def label(c: str) -> dict[str, Any]:
        i = names.get(c, {})
        return {"code": c, "name": i.get("name", c), "name_en": i.get("name_en", c)}

    items = [
        {**label(i["code"]), "score": i["normalised"], "contribution": i["contribution"]}
        for i in card["indicators"]
    ]
    row = card["row"]
    return safe(
        {
            "year": card["year"],
            "framework": card["framework"],
            "name": card["name"],
            "result": row,
            "pool_size": card["unit"]["pool_size"],
            "strengths": [label(c) for c in row.get("Strengths") or []],
            "weaknesses": [label(c) for c in row.get("Weaknesses") or []],
            "scorecard": sorted(items, key=lambda i: -(i["contribution"] or 0)),
        }
    )


def _unit_tasks(
    engine: Engine, principal: Principal, tree: OrgTree, code: str, memo: Memo
) -> list[dict[str, Any]]:
    try:
        board = memo(("views.board",), lambda: safe(tasks.board(engine)))
    except LookupError:
        return []
    out = []
    for t in board["tasks"]:
        units = [t["lead"], *t["co_units"]]
        if code in units and sees_task(principal, t["lead"], t["co_units"], tree):
            latest = t.get("latest") or {}
            out.append(
                {
                    "code": t["code"],
                    "title": t["title"],
                    "title_en": t["title_en"],
                    "role": "lead" if t["lead"] == code else "co",
                    "lead": t["lead"],
                    "lead_name": t["lead_name"],
                    "status": latest.get("status"),
                    "progress": latest.get("progress"),
                    "period": latest.get("period"),
                    "states": t["states"],
                    "overdue": len(t["overdue_milestones"]),
                }
            )
    return out


def _completeness(
    engine: Engine, principal: Principal, tree: OrgTree, u: OrgUnit, memo: Memo
) -> dict[str, Any]:
    period = memo(("views.latest_period",), lambda: latest_period(engine))
    if period is None:
        return {"period": None, "unit": None, "children": []}

    def at(level: str) -> list[dict[str, Any]]:
        return memo(
            ("views.completeness", period, level),
            lambda: safe(reporting.completeness(engine, period=period, level=level)),
        )

    own = next((r for r in at(str(u.level)) if r["code"] == u.code), None)
    kids = [c for c in tree.children(u.code) if can_see_unit(principal, c.code, tree)]
    rows: list[dict[str, Any]] = []
    if kids:
        wanted = {k.code for k in kids}
        rows = [r for r in at(str(kids[0].level)) if r["code"] in wanted]
    return {"period": period, "unit": own, "children": rows}


CHILD_LEVEL = {"city": "district", "district": "township"}


def _warnings(
    engine: Engine, principal: Principal, tree: OrgTree, u: OrgUnit, memo: Memo
) -> dict[str, Any]:
    """monitoring.analysis's warnings inside the unit (the unit itself and the level below
    it), cut to the units and enterprises the principal may see."""
    level = str(u.level)
    levels = (level, CHILD_LEVEL[level]) if level in CHILD_LEVEL else (level,)
    w = memo(
        ("views.warnings", u.code),
        lambda: safe(analysis.warnings(engine, levels=levels, within=u.code)),
    )

    def visible(code: str) -> bool:
        return code in tree and can_see_unit(principal, code, tree)

    stopped: list[dict[str, Any]] = []
    if can(principal, "read_enterprises"):
        for x in w["stopped_enterprises"]:
            town = str(x["township"])
            try:
                check_enterprise(principal, uscc=x["uscc"], township=town, tree=tree)
            except PermissionDenied:
                continue
            stopped.append({**x, "township_name": tree.get(town).name})
    return {
        "off_track": [x for x in w["off_track"] if visible(x["unit"])],
        "falling_townships": [x for x in w["falling_townships"] if visible(x["unit"])],
        "stopped_enterprises": stopped,
    }


def unit_view(
    engine: Engine, principal: Principal, tree: OrgTree, code: str, *, memo: Memo = direct
) -> dict[str, Any]:
    """One unit: its headline indicators (value, target, status), its rank and scorecard in
    the latest evaluation, the tasks it leads or co-leads, this period's reporting
    completeness (its own and its children's) and its warnings."""
    plan = plan_of(engine)
    u = visible_unit(principal, tree, code)
    head = statuses(engine, units=[u.code], indicators=[i.code for i in plan.headline_indicators])
    sts = head[u.code]
    return {
        "unit": unit_info(principal, tree, u),
        "headline": [short_row(s) for s in sts],
        "evaluation": _unit_evaluation(engine, principal, tree, u, memo),
        "tasks": _unit_tasks(engine, principal, tree, u.code, memo),
        "completeness": _completeness(engine, principal, tree, u, memo),
        "warnings": _warnings(engine, principal, tree, u, memo),
    }
