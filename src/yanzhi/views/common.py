"""Pieces every view area shares: the memo type, JSON-safe values, the plan, a unit the
scope may see (with its breadcrumb), statuses for several units in one query and their
short form. Each function takes the request's ``Scope`` (services/access/scope.py) where
access matters and filters by it. The models here are part of the API's response models."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import NotFound
from yanzhi.core.orgtree import KIND_LABELS, OrgUnit
from yanzhi.core.plan.model import Plan
from yanzhi.services.access.scope import Scope
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import status
from yanzhi.services.monitoring.coverage import Coverage
from yanzhi.services.monitoring.results import IndicatorStatus
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan

Memo = Callable[[Hashable, Callable[[], Any]], Any]
Num = int | float


def direct(_: Hashable, compute: Callable[[], Any]) -> Any:
    """No caching: compute now."""
    return compute()


def scope_key(scope: Scope) -> tuple[str, str | None, str | None]:
    """What a cached view depends on in the scope (role, unit, enterprise)."""
    p = scope.principal
    return (p.role, p.unit, p.enterprise)


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


class UnitBrief(BaseModel):
    """An org unit by code, names and level."""

    code: str
    name: str
    name_en: str | None
    level: str


class UnitInfo(UnitBrief):
    """A unit with its kind, its visible ancestors (a breadcrumb) and visible children."""

    kind: str
    kind_zh: str
    parent_code: str | None
    ancestors: list[UnitBrief]
    children: list[UnitBrief]


class StatusWithPath(IndicatorStatus):
    """monitoring's status of an indicator in a unit with its target path by year (the
    assessment's ``interim_targets``)."""

    target_path: dict[str, Any]


def with_path(st: dict[str, Any]) -> StatusWithPath:
    """A status (``statuses``' row or ``IndicatorStatus.to_dict()``) with its target path."""
    return StatusWithPath(**st, target_path=st["assessment"].get("interim_targets") or {})


class ShortRow(BaseModel):
    """The short form of an indicator's status: value, target, the verdict (the headline,
    core/verdict.py) with its reason, the progress status since the base (secondary),
    forecast, YTD."""

    indicator: str
    name: str
    name_en: str | None
    unit: str
    value: Num | None
    year: int | None
    target: Num | None
    target_year: int | None
    verdict: str
    verdict_zh: str
    verdict_en: str
    verdict_reason_zh: str
    verdict_reason_en: str
    status: str
    status_zh: str
    status_en: str
    progress: Num | None
    expected: Num | None
    p_meet: Num | None
    ytd_period: str | None
    ytd_value: Num | None
    ytd_growth: Num | None
    synthetic: bool
    coverage: Coverage | None = None


# -- shared pieces --------------------------------------------------------------------------
def plan_of(engine: Engine, memo: Memo = direct) -> Plan:
    """The stored plan (``memo`` keeps it until the data change)."""

    def compute() -> Plan:
        require_schema(engine)
        with transaction(engine) as session:
            return get_plan(session)

    found: Plan = memo(("views.plan",), compute)
    return found


def visible_unit(scope: Scope, code: str) -> OrgUnit:
    """The unit, if it exists (else NotFound) and the scope may see it (else NotPermitted)."""
    scope.require("read")
    if code not in scope.tree:
        raise NotFound(f"unknown org unit {code}", f"未知单位 {code}")
    scope.require_unit(code)
    return scope.tree.get(code)


def brief(u: OrgUnit) -> UnitBrief:
    """The unit by code, names and level."""
    return UnitBrief(code=u.code, name=u.name, name_en=u.name_en, level=str(u.level))


def unit_info(scope: Scope, u: OrgUnit) -> UnitInfo:
    """A unit with its visible ancestors (a breadcrumb) and its visible children."""
    tree = scope.tree
    return UnitInfo(
        **brief(u).model_dump(),
        kind=str(u.kind),
        kind_zh=KIND_LABELS[u.kind][0],
        parent_code=u.parent_code,
        ancestors=[brief(a) for a in reversed(tree.ancestors(u.code)) if scope.sees(a.code)],
        children=[brief(c) for c in tree.children(u.code) if scope.sees(c.code)],
    )


def statuses(
    engine: Engine,
    *,
    units: list[str],
    indicators: list[str] | None = None,
    memo: Memo = direct,
) -> dict[str, list[dict[str, Any]]]:
    """monitoring.status's indicator statuses (overrides applied) for several units in one
    query, every plan indicator unless ``indicators``; a unit without data gets statuses
    "not available" rather than an error. The same for every role (``memo`` keeps it)."""

    def compute() -> dict[str, list[dict[str, Any]]]:
        found = status.status_many(
            engine, list(units), headline_only=False, indicators=indicators, allow_empty=True
        )
        return {st.unit.code: [safe(i.to_dict()) for i in st.indicators] for st in found}

    return memo(("views.statuses", tuple(units), tuple(indicators or ())), compute)


VERDICT_FIELDS = (
    "verdict",
    "verdict_zh",
    "verdict_en",
    "verdict_reason_zh",
    "verdict_reason_en",
)


def short_row(st: dict[str, Any]) -> ShortRow:
    """The short form of a status (``statuses``' rows): value, target, verdict, status,
    forecast."""
    a, f, ytd = st["assessment"], st["forecast"], st.get("ytd") or {}
    return ShortRow(
        **{k: st[k] for k in ("indicator", "name", "name_en", "unit", "value", "year")},
        **{k: st[k] for k in ("target", "target_year", "status", "status_zh", "status_en")},
        **{k: st[k] for k in VERDICT_FIELDS},
        progress=a.get("progress_value"),
        expected=f.get("expected"),
        p_meet=f.get("probability_meeting_target"),
        ytd_period=ytd.get("period"),
        ytd_value=ytd.get("value"),
        ytd_growth=(ytd.get("signal") or {}).get("growth"),
        synthetic=st["synthetic"],
        coverage=st.get("coverage"),
    )
