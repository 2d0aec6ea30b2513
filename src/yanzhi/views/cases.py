"""诊断+提升 casework as a principal sees it: the prioritised diagnosis list, the cases and
the effect (city-wide roles: all; a district or township officer: the enterprises of its
unit, the effect of its district), one enterprise's case, and the writes. The figures
come from :mod:`yanzhi.services.enterprises.caseeffect` and
:mod:`yanzhi.services.enterprises.cases` unchanged."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from yanzhi.core import casework as cw
from yanzhi.services.access.scope import Scope
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises import caseeffect, cases
from yanzhi.services.enterprises.caseresults import CaseDetail, CaseSummary, Effect, RankedRow
from yanzhi.services.enterprises.results import EnterpriseRecord
from yanzhi.storage.casemodels import CaseRow
from yanzhi.storage.db import transaction
from yanzhi.views.enterprises import check_reader, list_years, record


class CatalogueItem(BaseModel):
    """An action of the catalogue: code, Chinese name, usual days to its due date."""

    code: str
    name: str
    days: int


CATALOGUE = [CatalogueItem(code=a.code, name=a.zh, days=a.days) for a in cw.ACTIONS]


class PriorityList(BaseModel):
    """``GET /api/v1/cases/priority``: the prioritised diagnosis list of ``year``, the rule's
    weights and the rows (ranks city-wide) in the caller's scope."""

    year: int | None
    weights: dict[str, float]
    rows: list[RankedRow]
    synthetic: bool = False


class CaseList(BaseModel):
    """``GET /api/v1/cases``: the cases in the caller's scope."""

    items: list[CaseSummary]
    total: int
    synthetic: bool = False


class CasePage(BaseModel):
    """``GET /api/v1/enterprises/{uscc}/case``: the enterprise, its case (None: never had
    one) and the catalogue of actions."""

    enterprise: EnterpriseRecord
    case: CaseDetail | None
    catalogue: list[CatalogueItem] = Field(default_factory=lambda: list(CATALOGUE))
    synthetic: bool = False


def default_year(engine: Engine) -> int | None:
    """The newest diagnosis year of a case whose next year has full-year reports (its
    effect can be measured), else that of the newest case, else the newest full year."""
    require_schema(engine)
    with transaction(engine) as session:
        found = session.scalars(select(CaseRow.diagnosis_year).distinct()).all()
    years = list_years(engine)
    measurable = [int(y) for y in found if int(y) + 1 in years]
    if measurable or found:
        return max(measurable or [int(y) for y in found])
    return years[0] if years else None


def priority(engine: Engine, scope: Scope, year: int | None = None) -> PriorityList:
    """The prioritised diagnosis list (default: :func:`default_year`)."""
    scope.require("read_enterprises")
    y = year or default_year(engine)
    rows = caseeffect.priority_list(engine, year=y, principal=scope.principal) if y else []
    return PriorityList(
        year=y, weights=cw.WEIGHTS, rows=rows, synthetic=any(r.synthetic for r in rows)
    )


def case_list(engine: Engine, scope: Scope, status: str | None = None) -> CaseList:
    """The cases of the caller's scope, newest first."""
    scope.require("read_enterprises")
    items = cases.list_cases(engine, principal=scope.principal, status=status)
    return CaseList(items=items, total=len(items), synthetic=any(c.synthetic for c in items))


def effect(engine: Engine, scope: Scope, year: int | None = None) -> Effect:
    """The effect of the cases of ``year`` (default :func:`default_year`) by district."""
    scope.require("read_enterprises")
    y = year or default_year(engine) or dt.date.today().year - 1
    return caseeffect.effect(engine, year=y, principal=scope.principal)


def case_page(engine: Engine, scope: Scope, uscc: str) -> CasePage:
    """The enterprise's case page (an enterprise account: its own)."""
    check_reader(scope)
    rec = record(engine, scope, uscc)
    found = cases.case_of(engine, uscc, principal=scope.principal)
    return CasePage(enterprise=rec, case=found, synthetic=rec.synthetic)


def own_case(engine: Engine, scope: Scope, uscc: str) -> CaseDetail | None:
    """The enterprise's open case for its own page (None: no open case)."""
    found = cases.case_of(engine, uscc, principal=scope.principal)
    return found if found is not None and found.status == cw.OPEN else None
