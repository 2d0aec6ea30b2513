"""The cockpit (驾驶舱): everything the first page shows, for one principal. The city's
headline indicators with their target path and forecast band, the same indicators by
district for the map, warnings, task progress by programme and this period's reporting
completeness — each cut to what the principal may see (services/access/scope.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from yanzhi.core.orgtree import OrgTree
from yanzhi.core.progress import Status
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import can_see_unit, require
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import analysis, status
from yanzhi.services.monitoring.status import BAD
from yanzhi.services.tasks import updates as tasks
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan
from yanzhi.views import data as data_desk


def latest_period(engine: Engine) -> str | None:
    """The newest period anyone has reported (approved or not)."""
    found = data_desk.recent_periods(engine, 1)
    return found[0] if found else None


def _headline(statuses: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**ind, "target_path": ind["assessment"].get("interim_targets") or {}}
        for ind in statuses["indicators"]
    ]


def headline(engine: Engine, unit: str | None = None) -> list[dict[str, Any]]:
    """Headline indicators of ``unit`` (default the city) with their target path."""
    return _headline(status.status(engine, unit=unit).to_dict())


def _district_rows(
    tree: OrgTree, principal: Principal, statuses: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each district's latest headline values and statuses; districts the principal may
    not see are listed without numbers (the map still draws them)."""
    rows = []
    for d in tree.by_level("district"):
        item: dict[str, Any] = {"code": d.code, "name": d.name, "visible": False}
        if can_see_unit(principal, d.code, tree):
            inds = statuses[d.code]["indicators"] if d.code in statuses else []
            item["visible"] = True
            item["indicators"] = {
                i["indicator"]: {"value": i["value"], "year": i["year"], "status": i["status"]}
                for i in inds
            }
        rows.append(item)
    return rows


def _off_track(statuses: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for code, st in statuses.items():
        for i in st["indicators"]:
            if Status(i["status"]) in BAD:
                out.append(
                    {
                        "unit": code,
                        "name": st["unit"]["name"],
                        "indicator": i["indicator"],
                        "indicator_name": i["name"],
                        "indicator_name_en": i["name_en"],
                        "status": i["status"],
                        "status_zh": i["status_zh"],
                        "value": i["value"],
                        "year": i["year"],
                        "target": i["target"],
                        "score": i["assessment"].get("score"),
                    }
                )
    return out


def _task_summary(engine: Engine, plan: Any) -> dict[str, Any]:
    try:
        b = tasks.board(engine)
    except LookupError:
        return {"plan_progress": None, "programmes": []}
    titles = {p.code: (p.title, p.title_en) for p in plan.programmes}
    counts: dict[str, dict[str, int]] = {}
    for t in b["tasks"]:
        c = counts.setdefault(t["programme"], {"tasks": 0, "flagged": 0})
        c["tasks"] += 1
        c["flagged"] += bool(t["states"] or t["overdue_milestones"])
    return {
        "period": b["period"],
        "plan_progress": b["plan_progress"],
        "programmes": [
            {
                "code": p["code"],
                "title": titles.get(p["code"], ("", ""))[0],
                "title_en": titles.get(p["code"], ("", ""))[1],
                "progress": p["progress"],
                **counts.get(p["code"], {"tasks": 0, "flagged": 0}),
            }
            for p in b["programmes"]
        ],
    }


def cockpit(engine: Engine, principal: Principal, tree: OrgTree) -> dict[str, Any]:
    require(principal, "read")
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
    city = plan.meta.region
    codes = [city, *(d.code for d in tree.by_level("district"))]
    statuses = {st.unit.code: st.to_dict() for st in status.status_many(engine, list(codes))}
    head = _headline(statuses[city])
    off = [w for w in _off_track(statuses) if can_see_unit(principal, w["unit"], tree)]
    falling = [
        w.to_dict()
        for w in analysis.falling_townships(engine)
        if can_see_unit(principal, w.unit, tree)
    ]
    period = latest_period(engine)
    completeness: list[dict[str, Any]] = []
    if period:
        rows = data_desk.completeness(engine, principal, tree, period=period, level="district")
        completeness = [
            {**r, "rate_pct": None if r["rate"] is None else round(100 * r["rate"], 1)}
            for r in rows["items"]
        ]
    return {
        "plan": {
            "code": plan.meta.code,
            "title": plan.meta.title,
            "region": city,
            "baseline_year": plan.meta.baseline_year,
            "end_year": plan.meta.end_year,
        },
        "synthetic": any(i.get("synthetic") for i in head),
        "headline": head,
        "districts": _district_rows(tree, principal, statuses),
        "warnings": {"off_track": off, "falling_townships": falling},
        "tasks": _task_summary(engine, plan),
        "period": period,
        "completeness": completeness,
    }
