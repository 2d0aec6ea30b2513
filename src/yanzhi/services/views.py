"""What the indicator pages show, for one principal: every plan indicator with its latest
value and status, and one indicator in one unit (series, target path, the numbers behind
its status, forecast, its children and gap attribution). services/unit_views.py builds the
unit pages on the shared pieces here.

Every function takes the principal and checks or filters with services/scope.py, so the
pages, the API and any other interface obey the same rule. The statuses are those of
services/status.py (the same ``indicator_status`` on the same inputs). ``memo`` lets the
caller cache principal-independent work (the warnings list, the evaluation, the task
board, an attribution) under a key; results are cut to the principal after it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from yanzhi.core.orgtree import KIND_LABELS, OrgTree, OrgUnit
from yanzhi.core.periods import parse_period
from yanzhi.core.plan.model import Indicator, Plan
from yanzhi.services import analysis, status
from yanzhi.services.access import PermissionDenied, Principal, check_enterprise
from yanzhi.services.database import require_schema
from yanzhi.services.scope import can, can_see_unit, require, require_unit
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.plans import get_plan

Memo = Callable[[Hashable, Callable[[], Any]], Any]
DEFAULT_BY = {"city": "district", "district": "township", "township": "industry"}


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
    """services/status.py's indicator statuses (overrides applied) for several units in one
    query, every plan indicator unless ``indicators``; a unit without data gets statuses
    "not available" rather than an error."""
    found = status.status_many(
        engine, list(units), headline_only=False, indicators=indicators, allow_empty=True
    )
    return {st["unit"]["code"]: [safe(i) for i in st["indicators"]] for st in found}


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


# -- indicators -----------------------------------------------------------------------------
def indicator_list(
    engine: Engine, principal: Principal, tree: OrgTree, *, unit: str | None = None
) -> dict[str, Any]:
    """Every plan indicator (headline first) with its latest value, target and status in
    ``unit`` (default: the region)."""
    plan = plan_of(engine)
    u = visible_unit(principal, tree, unit or plan.meta.region)
    order = sorted(plan.indicators, key=lambda i: not i.headline)
    sts = {s["indicator"]: s for s in statuses(engine, units=[u.code])[u.code]}
    rows = []
    for ind in order:
        rows.append(
            {
                **short_row(sts[ind.code]),
                "headline": ind.headline,
                "frequency": ind.frequency,
                "source": ind.source,
            }
        )
    return {"unit": unit_info(principal, tree, u), "indicators": rows}


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
    ("expected_target_year_value", "按现有趋势目标年预计值", "Expected value in target year"),
    ("score", "进展得分", "Progress score"),
    ("method", "评估方法", "Method"),
)


def explanation(st: dict[str, Any]) -> list[dict[str, Any]]:
    """The numbers behind a status (methods.md §1) and the forecast, as labelled rows."""
    a, f = st["assessment"], st["forecast"]
    rows = [{"key": k, "zh": zh, "en": en, "value": a.get(k)} for k, zh, en in EXPLAIN]
    rows += [
        {"key": "p_meet", "zh": "实现目标概率", "en": "P(meet target)",
         "value": f.get("probability_meeting_target")},
        {"key": "forecast_expected", "zh": "目标年预测值", "en": "Forecast for target year",
         "value": f.get("expected")},
        {"key": "forecast_band", "zh": "预测区间(80%)", "en": "Forecast band (80 %)",
         "value": None if f.get("lower80") is None else f"{f['lower80']:.3f} – {f['upper80']:.3f}"},
        {"key": "forecast_method", "zh": "预测方法", "en": "Forecast method",
         "value": f.get("method")},
    ]  # fmt: skip
    if a.get("override"):
        rows.append({"key": "override", "zh": "人工调整", "en": "Override", "value": a["override"]})
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
    engine: Engine, principal: Principal, tree: OrgTree, code: str, *, unit: str | None = None
) -> dict[str, Any]:
    """One indicator for one unit: its definition, annual series, year-to-date / monthly
    series, target path, status with the numbers behind it, and the forecast."""
    plan = plan_of(engine)
    ind = plan.indicator(code)
    u = visible_unit(principal, tree, unit or plan.meta.region)
    st = statuses(engine, units=[u.code], indicators=[ind.code])[u.code][0]
    st["target_path"] = st["assessment"].get("interim_targets") or {}
    return {
        "unit": unit_info(principal, tree, u),
        "indicator": _meta(plan, ind),
        "status": st,
        "explanation": explanation(st),
        "periods": _period_series(engine, ind.code, u.code),
    }


def indicator_children(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    code: str,
    *,
    unit: str | None = None,
    memo: Memo = direct,
) -> dict[str, Any]:
    """The indicator in each child of ``unit`` the principal may see (district → townships);
    in a township, the enterprises that moved it most (for roles that may see them)."""
    plan = plan_of(engine)
    ind = plan.indicator(code)
    u = visible_unit(principal, tree, unit or plan.meta.region)
    kids = [c for c in tree.children(u.code) if can_see_unit(principal, c.code, tree)]
    sts = statuses(engine, units=[k.code for k in kids], indicators=[ind.code]) if kids else {}
    rows = [
        {"code": k.code, "unit_name": k.name, "level": str(k.level), **short_row(sts[k.code][0])}
        for k in kids
    ]
    out: dict[str, Any] = {"unit": unit_info(principal, tree, u), "indicator": ind.code}
    out["children"] = rows
    out["enterprises"] = None
    if str(u.level) == "township" and can(principal, "read_enterprises"):
        try:
            att = indicator_attribution(engine, principal, tree, code, unit=u.code, memo=memo)
            out["enterprises"] = att["top_contributors"]
        except (LookupError, ValueError) as exc:
            out["enterprises_note"] = str(exc)
    return out


def _default_end(engine: Engine, ind: Indicator, unit: str) -> str:
    st = statuses(engine, units=[unit], indicators=[ind.code])[unit][0]
    if st["year"] is None:
        raise LookupError(f"no annual values of {ind.code} in {unit} / 该单位无年度数据")
    return str(st["year"])


def indicator_attribution(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    code: str,
    *,
    unit: str | None = None,
    by: str | None = None,
    start: str | None = None,
    end: str | None = None,
    memo: Memo = direct,
) -> dict[str, Any]:
    """Gap attribution (services/analysis.py) of the indicator inside ``unit``: groups the
    principal may not see are left out; the top enterprises only for roles that may read
    enterprises, and only those inside the principal's scope (with their names)."""
    plan = plan_of(engine)
    ind = plan.indicator(code)
    u = visible_unit(principal, tree, unit or plan.meta.region)
    by = by or DEFAULT_BY[str(u.level)]
    start = start or str(plan.meta.baseline_year)
    end = end or _default_end(engine, ind, u.code)

    def compute() -> dict[str, Any]:
        try:
            return safe(analysis.attribution(
                engine, indicator=ind.code, start=start, end=end, by=by, unit=u.code))  # fmt: skip
        except LookupError as exc:  # remembered too: a refusal costs as much as an answer
            return {"refused": "lookup", "message": str(exc).strip("'\"")}
        except ValueError as exc:
            return {"refused": "value", "message": str(exc)}

    raw = memo(("views.attribution", ind.code, u.code, by, start, end), compute)
    if "refused" in raw:
        raise (LookupError if raw["refused"] == "lookup" else ValueError)(raw["message"])
    result = dict(raw)
    if by in ("district", "township"):
        col = analysis.GROUPS[by]
        result["groups"] = [
            g for g in raw["groups"] if can_see_unit(principal, str(g.get(col)), tree)
        ]
    result["unit"] = {"code": u.code, "name": u.name, "level": str(u.level)}
    top = raw.get("top_contributors")
    result["top_contributors"] = (
        _enterprises_in_scope(engine, principal, tree, top)
        if top is not None and can(principal, "read_enterprises")
        else None
    )
    return result


def _enterprises_in_scope(
    engine: Engine, principal: Principal, tree: OrgTree, top: dict[str, Any]
) -> dict[str, Any]:
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
            check_enterprise(principal, uscc=uscc, township=where[uscc][1], tree=tree)
        except PermissionDenied:
            return False
        return True

    def named(e: dict[str, Any]) -> dict[str, Any]:
        name, town = where[str(e["uscc"])]
        return {**e, "name": name, "township_code": town, "township": tree.get(town).name}

    out = dict(top)
    for side in ("positive", "negative"):
        out[side] = [named(e) for e in top[side] if visible(e)]
    return out
