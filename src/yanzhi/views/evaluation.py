"""The district and township evaluation as a principal sees it: the ranking, one unit's
scorecard and the method (framework) page. The numbers are those of
:func:`yanzhi.services.evaluation.evaluate.evaluate` unchanged; this module checks and filters.

Who sees what (``ACTIONS["evaluate"]`` in :mod:`yanzhi.services.access.scope`): city-wide roles and
city leaders see every row; a district officer the rows of its district and its townships; a
township officer its own row (and, in the district ranking, its district's) — the rank shown
is always the unit's rank among all units of its pool. Task owners and enterprise users may
not see the evaluation at all. A scorecard of a unit outside the scope is refused.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, exists, select

from yanzhi import config
from yanzhi.core import evaluation as ev
from yanzhi.core.orgtree import OrgTree
from yanzhi.ingest.framework import LEVELS, builtin_framework_path, read_framework
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import can_see_unit, require, require_unit
from yanzhi.services.database import require_schema
from yanzhi.services.evaluation.evaluate import EvaluationResult
from yanzhi.storage.datamodels import IndicatorValueRow
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan

SEED = 1
MAX_DRAWS = 5000


class _Open(BaseModel):
    """A response whose listed fields are typed; rows and build details pass through as they
    are (keys named after the framework's indicators and the COINr columns)."""

    model_config = ConfigDict(extra="allow")


class RankingPage(_Open):
    """``GET /evaluation``: one page of the ranking rows the caller may see, with the
    framework's names, the pool sizes and the years that can be evaluated."""

    ok: bool
    framework: str
    name: str
    name_en: str | None
    level: str
    year: int
    previous_year: int | None
    synthetic: bool
    n_units: int
    n_indicators: int
    index: str | None
    index_name: str | None
    index_name_en: str | None
    aggregates: list[dict[str, Any]]
    uncertainty: dict[str, Any] | None
    notes: Any
    pools: dict[str, int]
    scope: str | None
    n_visible: int
    years: list[int]
    items: list[dict[str, Any]]
    total: int
    page: int
    size: int


class Scorecard(_Open):
    """``GET /evaluation/units/{code}``: one unit's ranking row, pillars, indicators and
    bonus / deduction items."""

    framework: str
    name: str
    name_en: str | None
    level: str
    year: int
    previous_year: int | None
    synthetic: bool
    draws: int | None
    seed: int | None
    unit: dict[str, Any]
    row: dict[str, Any]
    average: Any
    pillars: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    bonus: list[dict[str, Any]]


class Method(_Open):
    """``GET /evaluation/method``: the framework's indicators, weights, build spec, grades,
    bonus rules and uncertainty settings."""

    framework: str
    name: str
    name_en: str | None
    level: str
    file: str
    index: dict[str, Any]
    kinds: list[Any]
    separate: list[Any]
    group: Any
    grades: dict[str, Any]
    bonus_cap: Any
    deduction_cap: Any
    spec: dict[str, Any]
    weights_year: int | None
    uncertainty: dict[str, Any]
    aggregates: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    bonus_items: list[dict[str, Any]]


def draws() -> int:
    """Monte Carlo draws for the rank intervals shown on the web (YANZHI_EVALUATION_DRAWS)."""
    try:
        n = int(config.get("YANZHI_EVALUATION_DRAWS") or 100)
    except ValueError:
        n = 100
    return max(0, min(n, MAX_DRAWS))


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(
            f"评价层级应为 township 或 district: {level!r} / level must be township or district"
        )


def years(engine: Engine, level: str) -> list[int]:
    """Years with annual indicator values at ``level``, newest first (the years that can be
    evaluated)."""
    check_level(level)
    require_schema(engine)
    v = IndicatorValueRow
    with transaction(engine) as session:  # distinct periods come from the index, then a probe
        periods = session.scalars(select(v.period).distinct()).all()
        found = [
            int(p)
            for p in periods
            if p.isdigit()
            and session.scalar(select(exists().where(v.period == p, v.level == level)))
        ]
    return sorted(found, reverse=True)


def default_year(engine: Engine, level: str) -> int:
    found = years(engine, level)
    if not found:
        raise LookupError(f"没有可评价的年度数据 ({level}) / no annual data to evaluate ({level})")
    return found[0]


def _num(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _rank(series: pd.Series, mates: pd.Index, code: str) -> tuple[int | None, int]:
    """``code``'s descending rank among ``mates`` (1 = highest) and how many have a value."""
    s = series.reindex(mates).astype(float)
    ranks = ev.ranks_within(s, pd.Series("pool", index=s.index))
    r = ranks.get(code)
    return (None if r is None or pd.isna(r) else int(r)), int(s.notna().sum())


def ranking(result: EvaluationResult, principal: Principal, tree: OrgTree) -> dict[str, Any]:
    """The ranking rows the principal may see (in the service's order: by pool, then rank)."""
    require(principal, "evaluate")
    data = result.to_dict()
    rows = [r for r in data.pop("results") if can_see_unit(principal, r["uCode"], tree)]
    pools = result.units["pool"].value_counts().to_dict()
    fw = result.framework
    return {
        **data,
        "name_en": fw.name_en,
        "index_name": fw.index_name,
        "index_name_en": fw.index_name_en,
        "aggregates": [
            {"code": a.code, "name": a.name, "name_en": a.name_en} for a in fw.aggregates
        ],
        "pools": {str(k): int(v) for k, v in pools.items()},
        "scope": principal.unit,
        "n_visible": len(rows),
        "rows": rows,
    }


def scorecard(
    result: EvaluationResult, principal: Principal, tree: OrgTree, code: str
) -> dict[str, Any]:
    """One unit: its ranking row, each pillar's score and rank in the pool, each indicator's
    value, normalised score, contribution and rank, and the bonus / deduction items."""
    require(principal, "evaluate")
    units = result.units.set_index("uCode")
    if code not in units.index:
        raise LookupError(
            f"{code} 不在 {result.year} 年 {result.framework.level} 评价中 / "
            f"{code} is not in the {result.year} {result.framework.level} "
            "evaluation"
        )
    require_unit(principal, code, tree)
    fw, bld = result.framework, result.build
    row = next(r for r in result.to_dict()["results"] if r["uCode"] == code)
    mates = units.index[units["pool"] == units.at[code, "pool"]]
    agg, norm = bld.data["Aggregated"], bld.data["Normalised"]
    ew = bld.effective_weights
    card = result.scorecards[code]
    lifts, drags = {c for c, _ in card["lifts"]}, {c for c, _ in card["drags"]}
    pillars = []
    for a in fw.aggregates:
        rank, of = _rank(agg[a.code], mates, code)
        pillars.append(
            {
                "code": a.code,
                "name": a.name,
                "name_en": a.name_en,
                "weight": a.weight,
                "effective_weight": _num(ew.get(a.code)),
                "score": _num(agg.at[code, a.code]),
                "rank": rank,
                "of": of,
            }
        )
    names = {a.code: a.name for a in fw.aggregates}
    indicators = []
    for i in fw.indicators:
        rank, of = _rank(norm[i.code], mates, code)
        indicators.append(
            {
                "code": i.code,
                "name": i.name,
                "name_en": i.name_en,
                "pillar": i.parent,
                "pillar_name": names.get(i.parent or "", i.parent),
                "unit": i.unit,
                "direction": i.direction,
                "weight": i.weight,
                "effective_weight": _num(ew.get(i.code)),
                "raw": _num(result.raw.at[code, i.code]),
                "value": _num(bld.data["Denominated"].at[code, i.code]),
                "denominator": i.denominator,
                "normalised": _num(card["scores"].get(i.code)),
                "contribution": _num(card["contributions"].get(i.code)),
                "rank": rank,
                "of": of,
                "effect": "lift" if i.code in lifts else "drag" if i.code in drags else None,
            }
        )
    bonus = [
        {
            "code": i.code,
            "name": i.name,
            "name_en": i.name_en,
            "type": i.type,
            "unit": i.unit,
            "value": _num(result.raw.at[code, i.code]),
            "points": _num(result.bonus.at[code, i.code]),
            "max": i.max,
        }
        for i in fw.bonus_items
    ]
    return {
        "framework": fw.code,
        "name": fw.name,
        "name_en": fw.name_en,
        "level": fw.level,
        "year": result.year,
        "previous_year": result.previous_year,
        "synthetic": result.synthetic,
        "draws": result.draws,
        "seed": result.seed,
        "unit": {
            "code": code,
            "name": units.at[code, "uName"],
            "kind": units.at[code, ev.GROUP_COLUMN],
            "kind_zh": units.at[code, "kind_zh"],
            "pool": units.at[code, "pool"],
            "pool_size": len(mates),
        },
        "row": row,
        "average": _num(card["average"]),
        "pillars": pillars,
        "indicators": indicators,
        "bonus": bonus,
    }


def framework(engine: Engine, level: str) -> ev.Framework:
    """The shipped framework of ``level``, checked against the plan in the database."""
    check_level(level)
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        elements = {e.code for e in plan.data_elements if e.source == "statistic"}
        indicators = {i.code for i in plan.indicators}
    return read_framework(builtin_framework_path(level), indicators=indicators, elements=elements)


def _source(i: ev.Item) -> str:
    if isinstance(i.source, dict):
        return ", ".join(f"{k}={v}" for k, v in i.source.items())
    return str(i.source)


def method(
    principal: Principal, fw: ev.Framework, result: EvaluationResult | None = None
) -> dict[str, Any]:
    """The method: framework, indicators with weights and sources, the build spec
    (normalisation, aggregation …), grades, bonus rules and the uncertainty settings.
    Effective weights come from ``result`` (the weights as used) when given."""
    require(principal, "evaluate")
    ew = result.build.effective_weights if result is not None else pd.Series(dtype=float)
    unc = fw.uncertain
    return {
        "framework": fw.code,
        "name": fw.name,
        "name_en": fw.name_en,
        "level": fw.level,
        "file": Path(fw.source_file).name,
        "index": {"code": fw.index_code, "name": fw.index_name, "name_en": fw.index_name_en},
        "kinds": list(fw.kinds),
        "separate": list(fw.separate),
        "group": fw.group,
        "grades": {
            "by": fw.grades.by,
            "thresholds": list(fw.grades.thresholds),
            "labels": list(fw.grades.labels),
        },
        "bonus_cap": fw.bonus_cap,
        "deduction_cap": fw.deduction_cap,
        "spec": dict(result.build.spec) if result is not None else dict(fw.spec),
        "weights_year": result.year if result is not None else None,
        "uncertainty": {
            "alternatives": dict(unc.alternatives),
            "weight_noise": {str(k): v for k, v in unc.weight_noise.items()},
            "draws": draws(),
            "seed": SEED,
        },
        "aggregates": [
            {
                "code": a.code,
                "name": a.name,
                "name_en": a.name_en,
                "weight": a.weight,
                "parent": a.parent,
                "effective_weight": _num(ew.get(a.code)),
            }
            for a in fw.aggregates
        ],
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "name_en": i.name_en,
                "parent": i.parent,
                "weight": i.weight,
                "effective_weight": _num(ew.get(i.code)),
                "direction": i.direction,
                "unit": i.unit,
                "source_kind": i.source_kind,
                "source": _source(i),
                "denominator": i.denominator,
                "target": i.target,
                "fill_missing": i.fill_missing,
                "provenance": i.provenance,
            }
            for i in fw.indicators
        ],
        "bonus_items": [
            {
                "code": i.code,
                "name": i.name,
                "name_en": i.name_en,
                "type": i.type,
                "unit": i.unit,
                "points": i.points,
                "max": i.max,
                "source_kind": i.source_kind,
                "source": _source(i),
                "provenance": i.provenance,
            }
            for i in fw.bonus_items
        ],
    }
