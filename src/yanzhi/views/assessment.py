"""The annual 考核 of the districts as a principal sees it: the year's assessments (a
district officer: its own district), and the steps — the district's self-assessment, the
city's review, publication and locking (:mod:`yanzhi.services.evaluation.assessment`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation import assessment as svc


class PartOut(BaseModel):
    code: str
    name: str
    value: float | None
    points: float
    full: float
    adjusted: bool
    comment: str | None
    missing: bool


class ItemOut(BaseModel):
    code: str
    name: str
    count: int
    points: float
    adjusted: bool
    comment: str | None
    evidence: str | None


class ScoreOut(BaseModel):
    parts: list[PartOut]
    bonus: list[ItemOut]
    penalty: list[ItemOut]
    bonus_points: float
    penalty_points: float
    total: float
    full_marks: float
    notes: list[str]


class AssessmentOut(BaseModel):
    scheme: str
    scheme_name: str
    year: int
    unit_code: str
    unit_name: str
    state: str
    state_zh: str
    reported: dict[str, Any]
    claims: dict[str, Any]
    adjustments: dict[str, Any]
    score: ScoreOut
    rank: int | None
    updated_by: str | None
    assumption: str | None
    synthetic: bool = False


class Assessments(BaseModel):
    """``GET /api/v1/evaluation/assessment?year=``: the year's assessments the asker sees,
    and which steps it may take."""

    year: int
    districts: list[AssessmentOut]
    may_submit: bool
    may_review: bool
    synthetic: bool = False


def _out(scope: Scope, year: int, found: list[svc.Assessment]) -> Assessments:
    return Assessments(
        year=year,
        districts=[AssessmentOut.model_validate(asdict(a)) for a in found],
        may_submit=scope.can("submit") and scope.principal.role in ("admin", "district_officer"),
        may_review=scope.can("approve"),
        synthetic=any(a.synthetic for a in found),
    )


def assessments(engine: Engine, scope: Scope, *, year: int) -> Assessments:
    """The year's assessments the asker sees and the steps it may take."""
    return _out(scope, year, svc.assessments(engine, year=year, principal=scope.principal))


def submit(
    engine: Engine,
    scope: Scope,
    *,
    year: int,
    unit: str,
    reported: dict[str, Any],
    claims: dict[str, Any],
) -> Assessments:
    """The district's self-assessment (``submit``: its officer, admin); the list after."""
    svc.submit(engine, year=year, unit=unit, reported=reported, claims=claims,
               principal=scope.principal)  # fmt: skip
    return assessments(engine, scope, year=year)


def review(
    engine: Engine, scope: Scope, *, year: int, unit: str, adjustments: dict[str, Any]
) -> Assessments:
    """The city's review (``approve``), each adjustment with its comment; the list after."""
    svc.review(engine, year=year, unit=unit, adjustments=adjustments, principal=scope.principal)
    return assessments(engine, scope, year=year)


def publish(engine: Engine, scope: Scope, *, year: int) -> Assessments:
    """公示 the year's reviewed assessments (``approve``); the list after."""
    return _out(scope, year, svc.publish(engine, year=year, principal=scope.principal))


def lock(engine: Engine, scope: Scope, *, year: int) -> Assessments:
    """Lock the year's published assessments (``approve``); the list after."""
    svc.lock(engine, year=year, principal=scope.principal)
    return assessments(engine, scope, year=year)
