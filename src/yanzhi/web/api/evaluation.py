"""API: the district and township evaluation (综合评价) — the ranking with rank intervals,
one unit's scorecard and the method. Rows are limited to the caller's scope
(:mod:`yanzhi.views.evaluation`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from yanzhi.core.orgtree import Level
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import require
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.views import evaluation as views
from yanzhi.web.api.common import ERRORS, page_params, paginate
from yanzhi.web.deps import cache, engine, principal, tree

router = APIRouter(tags=["evaluation"], responses=ERRORS)

LevelName = Literal["township", "district"]
YearQuery = Annotated[
    int | None,
    Query(ge=1990, le=2100, description="evaluation year (default: the newest with data)"),
]
LevelQuery = Annotated[LevelName, Query(description="township | district")]
CodePath = Annotated[str, Path(min_length=1, max_length=20, description="org unit code")]


def evaluation_result(
    request: Request, me: Principal, level: str, year: int | None
) -> EvaluationResult:
    """The evaluation of ``level`` and ``year`` (default: the newest year with data), with
    YANZHI_EVALUATION_DRAWS draws for the rank intervals; computed once and cached until
    the data change. The whole result is the same for everyone: callers filter by scope."""
    require(me, "evaluate")  # before any slow work
    eng = engine(request)
    y = year or default_year(request, level)
    n = views.draws()
    return cache(request).get(
        ("evaluation", level, y, n),
        lambda: evaluate(eng, level=level, year=y, uncertainty=n, seed=views.SEED),
    )


def years(request: Request, level: str) -> list[int]:
    """The years that can be evaluated at ``level``, newest first (cached)."""
    eng = engine(request)
    return cache(request).get(("evaluation-years", level), lambda: views.years(eng, level))


def default_year(request: Request, level: str) -> int:
    found = years(request, level)
    if not found:
        raise LookupError(f"没有可评价的年度数据 ({level}) / no annual data to evaluate ({level})")
    return found[0]


def loader(request: Request, me: Principal) -> Callable[[str, int], EvaluationResult]:
    """``(level, year) -> EvaluationResult`` through the cache (for the report files)."""
    return lambda level, year: evaluation_result(request, me, level, year)


def ranking_data(request: Request, me: Principal, level: str, year: int | None) -> dict[str, Any]:
    result = evaluation_result(request, me, level, year)
    data = views.ranking(result, me, tree(request))
    data["years"] = years(request, level)
    return data


def unit_level(request: Request, code: str) -> str:
    """The evaluation level of a unit (404 for unknown codes and the city)."""
    t = tree(request)
    if code not in t or t.get(code).level not in (Level.TOWNSHIP, Level.DISTRICT):
        raise LookupError(f"no township or district {code} / 没有乡镇或区县 {code}")
    return str(t.get(code).level.value)


def scorecard_data(request: Request, me: Principal, code: str, year: int | None) -> dict[str, Any]:
    require(me, "evaluate")
    level = unit_level(request, code)
    result = evaluation_result(request, me, level, year)
    return views.scorecard(result, me, tree(request), code)


def method_data(request: Request, me: Principal, level: str) -> dict[str, Any]:
    require(me, "evaluate")
    fw = views.framework(engine(request), level)
    try:
        result: EvaluationResult | None = evaluation_result(request, me, level, None)
    except LookupError:  # no data yet: the method is still shown, without effective weights
        result = None
    return views.method(me, fw, result)


@router.get("/evaluation", response_model=views.RankingPage)
def ranking(
    request: Request,
    level: LevelQuery = "township",
    year: YearQuery = None,
    params: tuple[int, int] = Depends(page_params),
    me: Principal = Depends(principal),
) -> dict[str, Any]:
    """The ranking of the townships or districts for a year: score, rank within the ranking
    pool, rank within the unit kind, grade, pillar scores, change since the previous year
    and the rank interval (RankQ5–RankQ95 over YANZHI_EVALUATION_DRAWS Monte Carlo draws,
    seed 1). Only the rows in the caller's scope; the rank is among all units of the pool.
    ``years`` lists the years that can be evaluated."""
    data = ranking_data(request, me, level, year)
    rows = data.pop("rows")
    return {**data, **paginate(rows, params)}


@router.get("/evaluation/units/{code}", response_model=views.Scorecard)
def scorecard(
    request: Request, code: CodePath, year: YearQuery = None, me: Principal = Depends(principal)
) -> dict[str, Any]:
    """One unit's scorecard: its ranking row, each pillar's score and rank in the pool, each
    indicator's raw value, value after the denominator, normalised score, contribution
    (relative to the unit's own weighted average), rank in the pool and whether it lifts or
    drags the unit, and the bonus / deduction items. 403 outside the caller's scope."""
    return scorecard_data(request, me, code, year)


@router.get("/evaluation/method", response_model=views.Method)
def method(
    request: Request, level: LevelQuery = "township", me: Principal = Depends(principal)
) -> dict[str, Any]:
    """The method of the level's framework: indicators with weights (nominal and effective),
    directions, units and sources; the build spec (denomination, imputation, treatment,
    normalisation, aggregation); grades; bonus and deduction rules; the uncertainty settings
    behind the rank intervals."""
    return method_data(request, me, level)
