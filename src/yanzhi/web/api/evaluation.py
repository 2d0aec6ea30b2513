"""API: the district and township evaluation (综合评价) — the ranking with rank intervals,
one unit's scorecard and the method. Rows are limited to the caller's scope
(:mod:`yanzhi.views.evaluation`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from yanzhi.services.access.scope import Scope
from yanzhi.views import evaluation as views
from yanzhi.views.evaluation_models import Method, RankingPage, Scorecard
from yanzhi.web.api.common import ERRORS, table_cut, table_params
from yanzhi.web.deps import cache, engine
from yanzhi.web.deps import scope as scope_of

router = APIRouter(tags=["evaluation"], responses=ERRORS)

LevelName = Literal["township", "district"]
YearQuery = Annotated[
    str | None,
    Query(
        max_length=20,
        description="evaluation year, one of ``years`` (default: the newest with data);"
        " another is 400 period_not_available",
    ),
]
LevelQuery = Annotated[LevelName, Query(description="township | district")]
CodePath = Annotated[str, Path(min_length=1, max_length=20, description="org unit code")]


@router.get("/evaluation", response_model=RankingPage)
def ranking(
    request: Request,
    level: LevelQuery = "township",
    year: YearQuery = None,
    q: Annotated[str | None, Query(max_length=100, description="text a row contains")] = None,
    _table: None = Depends(table_params),
    scope: Scope = Depends(scope_of),
) -> RankingPage:
    """The ranking of the townships or districts for a year: score, rank within the ranking
    pool, rank within the unit kind, grade, pillar scores, change since the previous year
    and the rank interval (RankQ5–RankQ95 over YANZHI_EVALUATION_DRAWS Monte Carlo draws,
    seed 1). Only the rows in the caller's scope; the rank is among all units of the pool.
    ``years`` lists the years that can be evaluated. Sorted, filtered and paged as the
    page /evaluation by ``sort``, ``order``, ``q``, ``page``, ``size`` or the page's
    ``ranking.…`` parameters."""
    data = views.ranking_page(engine(request), cache(request).get, scope, level, year)
    head = data.model_dump(exclude={"rows"})
    cut = table_cut(request, "ranking", data.rows)
    return RankingPage(**head, items=cut.rows, total=cut.total, page=cut.page, size=cut.size)


@router.get("/evaluation/units/{code}", response_model=Scorecard)
def scorecard(
    request: Request, code: CodePath, year: YearQuery = None, scope: Scope = Depends(scope_of)
) -> Scorecard:
    """One unit's scorecard: its ranking row, each pillar's score and rank in the pool, each
    indicator's raw value, value after the denominator, normalised score, contribution
    (relative to the unit's own weighted average), rank in the pool and whether it lifts or
    drags the unit, and the bonus / deduction items. 403 outside the caller's scope."""
    return views.scorecard_page(engine(request), cache(request).get, scope, code, year)


@router.get("/evaluation/method", response_model=Method)
def method(
    request: Request, level: LevelQuery = "township", scope: Scope = Depends(scope_of)
) -> Method:
    """The method of the level's framework: indicators with weights (nominal and effective),
    directions, units and sources; the build spec (denomination, imputation, treatment,
    normalisation, aggregation); grades; bonus and deduction rules; the uncertainty settings
    behind the rank intervals."""
    return views.method_page(engine(request), cache(request).get, scope, level)
