"""The annual 考核 of the districts as a principal sees it: the year's assessments (a
district officer: its own district), and the steps — the district's self-assessment, the
city's review, publication and locking (:mod:`yanzhi.services.evaluation.assessment`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation import assessment as svc


class Assessments(BaseModel):
    """``GET /api/v1/evaluation/assessment?year=``: the year's assessments the asker sees,
    and which steps it may take."""

    year: int
    districts: list[svc.Assessment]
    may_submit: bool
    may_review: bool
    synthetic: bool = False


def _out(scope: Scope, year: int, found: list[svc.Assessment]) -> Assessments:
    return Assessments(
        year=year,
        districts=found,
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
