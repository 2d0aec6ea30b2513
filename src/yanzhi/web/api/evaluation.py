"""API: the district and township evaluation (综合评价) — the ranking with rank intervals,
one unit's scorecard and the method. Rows are limited to the caller's scope
(:mod:`yanzhi.views.evaluation`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from yanzhi.services.access.scope import Scope
from yanzhi.views import assessment as assessment_views
from yanzhi.views import evaluation as views
from yanzhi.views.assessment import Assessments
from yanzhi.views.evaluation_models import Method, RankingPage, Scorecard
from yanzhi.web.api.common import ERRORS, shared_answer, table_cut, table_params
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
@shared_answer("api-evaluation")
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
@shared_answer("api-scorecard")
def scorecard(
    request: Request, code: CodePath, year: YearQuery = None, scope: Scope = Depends(scope_of)
) -> Scorecard:
    """One unit's scorecard: its ranking row, each pillar's score and rank in the pool, each
    indicator's raw value, value after the denominator, normalised score, contribution
    (relative to the unit's own weighted average), rank in the pool and whether it lifts or
    drags the unit, and the bonus / deduction items. 403 outside the caller's scope."""
    return views.scorecard_page(engine(request), cache(request).get, scope, code, year)


@router.get("/evaluation/method", response_model=Method)
@shared_answer("api-method")
def method(
    request: Request, level: LevelQuery = "township", scope: Scope = Depends(scope_of)
) -> Method:
    """The method of the level's framework: indicators with weights (nominal and effective),
    directions, units and sources; the build spec (denomination, imputation, treatment,
    normalisation, aggregation); grades; bonus and deduction rules; the uncertainty settings
    behind the rank intervals."""
    return views.method_page(engine(request), cache(request).get, scope, level)


AssessYear = Annotated[int, Query(ge=2000, le=2100, description="assessment year")]
UnitPath = Annotated[str, Path(min_length=6, max_length=12, description="district code")]


class SelfAssessmentIn(BaseModel):
    """A district's self-assessment: ``reported`` the rates (0–100) of the self-reported
    parts by code (e.g. ``{"tasks": 90}``), ``claims`` bonus / penalty items by code with
    ``count`` and ``evidence`` (required when the count is above 0)."""

    year: int = Field(ge=2000, le=2100)
    reported: dict[str, float] = Field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ReviewIn(BaseModel):
    """The city's review: adjustments by part or item code, each ``{"value"|"count",
    "comment"}``."""

    year: int = Field(ge=2000, le=2100)
    adjustments: dict[str, dict[str, Any]] = Field(default_factory=dict)


class YearIn(BaseModel):
    year: int = Field(ge=2000, le=2100)


@router.get("/evaluation/assessment", response_model=Assessments)
def assessment_list(
    request: Request, year: AssessYear, scope: Scope = Depends(scope_of)
) -> Assessments:
    """The districts' annual 考核 of ``year`` (a district officer: its own): state, the
    self-assessment, the city's adjustments with comments, the score (as published once
    published) and the rank among the published (docs/assessment.md)."""
    key = ("assessment", year, scope.root, scope.principal.role)
    return cache(request).get(
        key, lambda: assessment_views.assessments(engine(request), scope, year=year)
    )


@router.post("/evaluation/assessment/{unit}/submit", response_model=Assessments)
def assessment_submit(
    request: Request, unit: UnitPath, body: SelfAssessmentIn, scope: Scope = Depends(scope_of)
) -> Assessments:
    """Submit (or resubmit until reviewed) the district's self-assessment (``submit``: the
    district's officer, admin). 409 once reviewed; 400 for an unknown code or a claim
    without evidence."""
    return assessment_views.submit(
        engine(request),
        scope,
        year=body.year,
        unit=unit,
        reported=body.reported,
        claims=body.claims,
    )


@router.post("/evaluation/assessment/{unit}/review", response_model=Assessments)
def assessment_review(
    request: Request, unit: UnitPath, body: ReviewIn, scope: Scope = Depends(scope_of)
) -> Assessments:
    """The city's review of a submitted self-assessment (``approve``: admin, city analyst);
    every adjustment needs its comment. 409 before submission or once published."""
    return assessment_views.review(
        engine(request), scope, year=body.year, unit=unit, adjustments=body.adjustments
    )


@router.post("/evaluation/assessment/publish", response_model=Assessments)
def assessment_publish(
    request: Request, body: YearIn, scope: Scope = Depends(scope_of)
) -> Assessments:
    """公示: the year's reviewed assessments published, each score kept as published."""
    return assessment_views.publish(engine(request), scope, year=body.year)


@router.post("/evaluation/assessment/lock", response_model=Assessments)
def assessment_lock(
    request: Request, body: YearIn, scope: Scope = Depends(scope_of)
) -> Assessments:
    """After the publicity period: the year's published assessments locked."""
    return assessment_views.lock(engine(request), scope, year=body.year)
