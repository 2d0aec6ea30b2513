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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, exists, select

from yanzhi import config
from yanzhi.core import evaluation as ev
from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.labels import SOURCE_KIND_ZH
from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.ingest.framework import LEVELS, builtin_framework_path, read_framework
from yanzhi.services.access.scope import Scope
from yanzhi.services.database import require_schema
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.storage.datamodels import IndicatorValueRow
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan
from yanzhi.views.common import Memo, plan_of
from yanzhi.views.evaluation_models import (
    BonusScore,
    ImputedCell,
    IndicatorScore,
    Method,
    PillarScore,
    Ranking,
    Scorecard,
    ScorecardUnit,
)
from yanzhi.views.evaluation_sources import source_names, source_zh
from yanzhi.views.periods import chosen_year

SEED = 1
MAX_DRAWS = 5000


def draws() -> int:
    """Monte Carlo draws for the rank intervals shown on the web (YANZHI_EVALUATION_DRAWS)."""
    try:
        n = config.settings().evaluation_draws
    except ValueError:
        n = 100
    return max(0, min(n, MAX_DRAWS))


def check_level(level: str) -> None:
    """``InvalidInput`` unless ``level`` is township or district."""
    if level not in LEVELS:
        raise InvalidInput(
            f"level must be township or district: {level!r}",
            f"评价层级应为 township 或 district: {level!r}",
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
    """The newest year that can be evaluated at ``level`` (``NotFound`` when none)."""
    found = years(engine, level)
    if not found:
        raise NotFound(f"no annual data to evaluate ({level})", f"没有可评价的年度数据 ({level})")
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


def ranking(result: EvaluationResult, scope: Scope) -> Ranking:
    """The ranking rows the scope sees (in the service's order: by pool, then rank)."""
    scope.require("evaluate")
    data = result.to_dict()
    rows = [r for r in data.pop("results") if scope.sees(r["uCode"])]
    data["imputations"] = [x for x in data["imputations"] if scope.sees(x["unit"])]
    pools = result.units["pool"].value_counts().to_dict()
    fw = result.framework
    return Ranking(
        **{
            **data,
            "name_en": fw.name_en,
            "index_name": fw.index_name,
            "index_name_en": fw.index_name_en,
            "aggregates": [
                {"code": a.code, "name": a.name, "name_en": a.name_en} for a in fw.aggregates
            ],
            "pools": {str(k): int(v) for k, v in pools.items()},
            "scope": scope.principal.unit,
            "n_visible": len(rows),
            "rows": rows,
        }
    )


def _pillars(result: EvaluationResult, code: str, mates: pd.Index) -> list[PillarScore]:
    """Each pillar (aggregate) of ``code``: weights, score and rank among its pool mates."""
    agg, ew = result.build.data["Aggregated"], result.build.effective_weights
    pillars = []
    for a in result.framework.aggregates:
        rank, of = _rank(agg[a.code], mates, code)
        pillars.append(
            PillarScore(
                code=a.code,
                name=a.name,
                name_en=a.name_en,
                weight=a.weight,
                effective_weight=_num(ew.get(a.code)),
                score=_num(agg.at[code, a.code]),
                rank=rank,
                of=of,
            )
        )
    return pillars


def _indicators(result: EvaluationResult, code: str, mates: pd.Index) -> list[IndicatorScore]:
    """Each indicator of ``code``: raw and denominated value, normalised score,
    contribution, rank among its pool mates and whether it lifts or drags the unit."""
    fw, bld = result.framework, result.build
    norm, ew, card = bld.data["Normalised"], bld.effective_weights, result.scorecards[code]
    lifts, drags = {c for c, _ in card["lifts"]}, {c for c, _ in card["drags"]}
    names = {a.code: a.name for a in fw.aggregates}
    filled = {x.indicator: x for x in result.imputations if x.unit == code}
    indicators = []
    for i in fw.indicators:
        rank, of = _rank(norm[i.code], mates, code)
        indicators.append(
            IndicatorScore(
                code=i.code,
                name=i.name,
                name_en=i.name_en,
                pillar=i.parent,
                pillar_name=names.get(i.parent or "", i.parent),
                unit=i.unit,
                direction=i.direction,
                weight=i.weight,
                effective_weight=_num(ew.get(i.code)),
                raw=None if i.code in filled else _num(result.raw.at[code, i.code]),
                value=None if i.code in filled else _num(bld.data["Denominated"].at[code, i.code]),
                denominator=i.denominator,
                normalised=_num(card["scores"].get(i.code)),
                contribution=_num(card["contributions"].get(i.code)),
                rank=rank,
                of=of,
                effect="lift" if i.code in lifts else "drag" if i.code in drags else None,
                imputed=ImputedCell(**filled[i.code].to_dict()) if i.code in filled else None,
            )
        )
    return indicators


def _bonus(result: EvaluationResult, code: str) -> list[BonusScore]:
    """The bonus / deduction items of ``code``: the raw value and the points given."""
    return [
        BonusScore(
            code=i.code,
            name=i.name,
            name_en=i.name_en,
            type=i.type,
            unit=i.unit,
            value=_num(result.raw.at[code, i.code]),
            points=_num(result.bonus.at[code, i.code]),
            max=i.max,
        )
        for i in result.framework.bonus_items
    ]


def scorecard(result: EvaluationResult, scope: Scope, code: str) -> Scorecard:
    """One unit: its ranking row, each pillar's score and rank in the pool, each indicator's
    value, normalised score, contribution and rank, and the bonus / deduction items.
    ``NotFound`` when the unit is not in this evaluation, ``NotPermitted`` outside the scope."""
    scope.require("evaluate")
    units = result.units.set_index("uCode")
    if code not in units.index:
        raise NotFound(
            f"{code} is not in the {result.year} {result.framework.level} evaluation",
            f"{code} 不在 {result.year} 年 {result.framework.level} 评价中",
        )
    scope.require_unit(code)
    fw = result.framework
    row = next(r for r in result.to_dict()["results"] if r["uCode"] == code)
    mates = units.index[units["pool"] == units.at[code, "pool"]]
    return Scorecard(
        framework=fw.code,
        name=fw.name,
        name_en=fw.name_en,
        level=fw.level,
        year=result.year,
        previous_year=result.previous_year,
        synthetic=result.synthetic,
        draws=result.draws,
        seed=result.seed,
        unit=ScorecardUnit(
            code=code,
            name=units.at[code, "uName"],
            kind=units.at[code, ev.GROUP_COLUMN],
            kind_zh=units.at[code, "kind_zh"],
            pool=units.at[code, "pool"],
            pool_size=len(mates),
        ),
        row=row,
        average=_num(result.scorecards[code]["average"]),
        pillars=_pillars(result, code, mates),
        indicators=_indicators(result, code, mates),
        bonus=_bonus(result, code),
    )


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
    scope: Scope,
    fw: ev.Framework,
    result: EvaluationResult | None = None,
    *,
    names: Mapping[str, str] | None = None,
) -> Method:
    """The method: framework, indicators with weights and sources, the build spec
    (normalisation, aggregation …), grades, bonus rules and the uncertainty settings.
    Effective weights come from ``result`` (the weights as used) when given."""
    scope.require("evaluate")
    ew = result.build.effective_weights if result is not None else pd.Series(dtype=float)
    return Method.model_validate(_method_data(fw, result, ew, names or source_names(None)))


def _method_data(
    fw: ev.Framework, result: EvaluationResult | None, ew: pd.Series, names: Mapping[str, str]
) -> dict[str, Any]:
    """The fields of :class:`Method` (see :func:`method`)."""
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
                "source_zh": source_zh(i.source_kind, i.source, names),
                "source_kind_zh": SOURCE_KIND_ZH.get(i.source_kind, i.source_kind),
                "denominator": i.denominator,
                "denominator_zh": names.get(i.denominator, i.denominator)
                if i.denominator
                else None,
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
                "source_zh": source_zh(i.source_kind, i.source, names),
                "provenance": i.provenance,
            }
            for i in fw.bonus_items
        ],
    }


# The pages and the API: the evaluation computed once per level, year and data generation
# (``memo``: the web's cache), then filtered by the caller's scope.


def evaluable_years(engine: Engine, memo: Memo, level: str) -> list[int]:
    """:func:`years` through ``memo``."""
    found: list[int] = memo(("evaluation-years", level), lambda: years(engine, level))
    return found


def evaluation_result(
    engine: Engine, memo: Memo, scope: Scope, level: str, year: str | int | None
) -> EvaluationResult:
    """The evaluation of ``level`` and ``year`` (default: the newest year with data) with
    :func:`draws` draws for the rank intervals, computed once through ``memo``. A year
    that cannot be evaluated (text, no data, the future) is refused with the range named
    (PeriodNotAvailable). The result is the same for everyone: callers filter it by
    scope."""
    scope.require("evaluate")  # before any slow work
    found = evaluable_years(engine, memo, level)
    if not year and not found:
        raise NotFound(f"no annual data to evaluate ({level})", f"没有可评价的年度数据 ({level})")
    y, n = chosen_year(year, found, what_zh="评价年份"), draws()
    assert y is not None
    result: EvaluationResult = memo(
        ("evaluation", level, y, n),
        lambda: evaluate(engine, level=level, year=y, uncertainty=n, seed=SEED),
    )
    return result


def ranking_page(
    engine: Engine, memo: Memo, scope: Scope, level: str, year: str | int | None
) -> Ranking:
    """:func:`ranking` of the level's evaluation, with the years that can be evaluated."""
    data = ranking(evaluation_result(engine, memo, scope, level, year), scope)
    return data.model_copy(update={"years": evaluable_years(engine, memo, level)})


def unit_level(tree: OrgTree, code: str) -> str:
    """The evaluation level of a unit (``NotFound`` for unknown codes and the city)."""
    if code not in tree or tree.get(code).level not in (Level.TOWNSHIP, Level.DISTRICT):
        raise NotFound(f"no township or district {code}", f"没有乡镇或区县 {code}")
    return str(tree.get(code).level.value)


def scorecard_page(
    engine: Engine, memo: Memo, scope: Scope, code: str, year: str | int | None
) -> Scorecard:
    """:func:`scorecard` of a township or district in its level's evaluation, with the
    years that can be evaluated."""
    scope.require("evaluate")
    level = unit_level(scope.tree, code)
    card = scorecard(evaluation_result(engine, memo, scope, level, year), scope, code)
    return card.model_copy(update={"years": evaluable_years(engine, memo, level)})


def method_page(engine: Engine, memo: Memo, scope: Scope, level: str) -> Method:
    """:func:`method` of the level's framework, with the effective weights of the newest
    evaluation (without them when there are no data yet)."""
    scope.require("evaluate")
    fw = framework(engine, level)
    try:
        result: EvaluationResult | None = evaluation_result(engine, memo, scope, level, None)
    except LookupError:  # NotFound: no data yet, the method is shown without them
        result = None
    return method(scope, fw, result, names=source_names(plan_of(engine)))
