"""Pieces every view area shares: the memo type, JSON-safe values, the plan, a unit the
principal may see (with its breadcrumb), statuses for several units in one query and their
short form. Each function takes the principal where access matters and checks it with
services/access/scope.py."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from sqlalchemy import Engine

from yanzhi.core.orgtree import KIND_LABELS, OrgTree, OrgUnit
from yanzhi.core.plan.model import Plan
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import can_see_unit, require, require_unit
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import status
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan

Memo = Callable[[Hashable, Callable[[], Any]], Any]


def direct(_: Hashable, compute: Callable[[], Any]) -> Any:
    """No caching: compute now."""
    return compute()


def safe(value: Any) -> Any:
    """JSON-safe: NaN / inf → None, NumPy scalars → Python, tuples → lists, dates → ISO."""
    if isinstance(value, dict):
        return {str(k): safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


# -- shared pieces --------------------------------------------------------------------------
def plan_of(engine: Engine) -> Plan:
    require_schema(engine)
    with transaction(engine) as session:
        return get_plan(session)


def visible_unit(principal: Principal, tree: OrgTree, code: str) -> OrgUnit:
    """The unit, if it exists (else 404) and the principal may see it (else 403)."""
    require(principal, "read")
    if code not in tree:
        raise LookupError(f"unknown org unit {code} / 未知单位 {code}")
    require_unit(principal, code, tree)
    return tree.get(code)


def unit_info(principal: Principal, tree: OrgTree, u: OrgUnit) -> dict[str, Any]:
    """A unit with its visible ancestors (a breadcrumb) and its visible children."""

    def brief(x: OrgUnit) -> dict[str, Any]:
        return {"code": x.code, "name": x.name, "name_en": x.name_en, "level": str(x.level)}

    return {
        **brief(u),
        "kind": str(u.kind),
        "kind_zh": KIND_LABELS[u.kind][0],
        "parent_code": u.parent_code,
        "ancestors": [
            brief(a)
            for a in reversed(tree.ancestors(u.code))
            if can_see_unit(principal, a.code, tree)
        ],
        "children": [
            brief(c) for c in tree.children(u.code) if can_see_unit(principal, c.code, tree)
        ],
    }


def statuses(
    engine: Engine, *, units: list[str], indicators: list[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """monitoring.status's indicator statuses (overrides applied) for several units in one
    query, every plan indicator unless ``indicators``; a unit without data gets statuses
    "not available" rather than an error."""
    found = status.status_many(
        engine, list(units), headline_only=False, indicators=indicators, allow_empty=True
    )
    return {st.unit.code: [safe(i.to_dict()) for i in st.indicators] for st in found}


def short_row(st: dict[str, Any]) -> dict[str, Any]:
    """The short form of a status: value, target, status, forecast."""
    a, f, ytd = st["assessment"], st["forecast"], st.get("ytd") or {}
    return {
        "indicator": st["indicator"],
        "name": st["name"],
        "name_en": st["name_en"],
        "unit": st["unit"],
        "value": st["value"],
        "year": st["year"],
        "target": st["target"],
        "target_year": st["target_year"],
        "status": st["status"],
        "status_zh": st["status_zh"],
        "status_en": st["status_en"],
        "progress": a.get("progress_value"),
        "expected": f.get("expected"),
        "p_meet": f.get("probability_meeting_target"),
        "ytd_period": ytd.get("period"),
        "ytd_value": ytd.get("value"),
        "ytd_growth": (ytd.get("signal") or {}).get("growth"),
        "synthetic": st["synthetic"],
    }
