"""An enterprise's own page (我的企业): what an enterprise account sees when it signs in —
its filing status for the months of this year, its R&D record and diagnosis against its
peers, the policies it qualifies for this year and last with the amounts and how to claim
each, and its innovation points. The figures are those of the services unchanged (the
policies are ``yanzhi policy calc``'s); only an enterprise user has an own page, and it
names no other enterprise.

我的服务事项: the enterprise's open 诊断+提升 case with its agreed actions (``case``,
:func:`yanzhi.views.cases.own_case`), rendered in templates/my.html's block ``my_cases``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import NotFound, NotPermitted, has_cjk
from yanzhi.services.access.scope import Scope
from yanzhi.services.collection.filings import FilingStatus, filing_status
from yanzhi.services.enterprises import diagnosis as enterprises
from yanzhi.services.enterprises import lists
from yanzhi.services.enterprises.caseresults import CaseDetail
from yanzhi.services.enterprises.results import (
    Claim,
    Diagnosis,
    EnterpriseRecord,
    PointsRow,
    PolicyResult,
)
from yanzhi.views.cases import own_case
from yanzhi.views.common import Memo, direct

if TYPE_CHECKING:
    import pandas as pd
from yanzhi.views.enterprises import list_years


class OwnPolicies(BaseModel):
    """The policies of one tax year: the figures of ``yanzhi policy calc`` (``result``), or
    why there are none (``note``: no reports that year)."""

    year: int
    result: PolicyResult | None = None
    note: str | None = None


class OwnPage(BaseModel):
    """GET /my: the signed-in enterprise's own page."""

    enterprise: EnterpriseRecord
    filings: FilingStatus
    diagnosis: Diagnosis | None
    diagnosis_note: str | None = None
    policies: list[OwnPolicies]  # this year, then last year
    claims: dict[str, Claim]  # how to claim, by the benefit's rule code
    standing_rules: list[str] = []  # rules whose benefit is a standing (优先支持), not money
    points_year: int | None = None
    points: PointsRow | None = None
    points_note: str | None = None
    points_stage: str | None = None  # 初创期 / 成长期 / 稳定期, from the scheme
    points_scores: list[tuple[str, float | None]] = []  # (class name, score) of the scheme
    points_scheme_zh: str = ""  # the scheme's label (本地默认方案(非官方))
    points_scheme_en: str = ""
    case: CaseDetail | None = None  # 我的服务事项: the open case and its agreed actions
    synthetic: bool = False


def require_enterprise(scope: Scope) -> str:
    """The USCC of an enterprise user; NotPermitted for anyone else (the bureau reads an
    enterprise at /enterprises/{uscc})."""
    me = scope.principal
    if me.role != "enterprise" or not me.enterprise:
        raise NotPermitted(
            "only an enterprise account has an own page / 仅企业账号有“我的企业”页面"
        )
    return me.enterprise


def _why(exc: LookupError) -> str:
    return getattr(exc, "zh", None) or str(exc).strip("'\"")


def own_page(
    engine: Engine, scope: Scope, *, today: dt.date | None = None, memo: Memo = direct
) -> OwnPage:
    """The enterprise user's own page as of ``today`` (default: today). What is the same
    for every enterprise — the city-wide points ranking, the peers' figures, the years
    with full-year reports — is computed once per data change (``memo``; each takes
    seconds at province scale) and the enterprise's own row taken from it."""
    uscc = require_enterprise(scope)
    me = scope.principal
    day = today or dt.date.today()
    record = enterprises.show(engine, uscc, principal=me)
    filings = filing_status(engine, uscc, year=day.year, principal=me, today=day)

    def peers(year: int) -> pd.DataFrame:
        return memo(("views.own.peers", year), lambda: enterprises.peers_frame(engine, year))

    try:
        diag: Diagnosis | None = enterprises.diagnose(engine, uscc, principal=me, peers=peers)
        diag_note = None
    except LookupError as exc:
        diag, diag_note = None, _why(exc)
    policies = []
    for year in (day.year, day.year - 1):
        try:
            result = enterprises.policy_calc(engine, uscc, year=year, principal=me)
            policies.append(OwnPolicies(year=year, result=result))
        except NotFound as exc:
            policies.append(OwnPolicies(year=year, note=_why(exc)))
    full = _full_years(engine, day, memo)
    points_year = full[0] if full else None
    points, points_note = None, None
    if points_year is None:
        points_note = "尚无经审核的全年研发报表,无法计算创新积分"
    else:
        year = points_year
        scored = memo(("views.own.ranking", year), lambda: lists.ranking(engine, year=year))
        points = lists.own_points(engine, uscc, year=year, principal=me, scored=scored)
        if points is None:
            points_note = (
                f"创新积分只计高新技术企业和科技型中小企业;贵企业{points_year}年"
                "不在其列或没有经审核的全年研发报表"
            )
    scheme = lists.points_scheme().model_dump()
    stage = points_stage = None
    scores: list[tuple[str, float | None]] = []
    if points is not None:
        extra = points.model_dump()
        stage = (scheme.get("stages") or {}).get(points.stage or "", {})
        points_stage = stage.get("name") if stage else None
        scores = [(c["name"], extra.get(c["code"])) for c in scheme.get("classes") or []]
    parts = [x.strip() for x in str(scheme.get("label") or "").split("/", 1)]
    label = (  # (en, zh) of "本地默认方案(非官方)/ local default, …"
        next((x for x in parts if not has_cjk(x)), parts[0]),
        next((x for x in parts if has_cjk(x)), parts[0]),
    )
    case = own_case(engine, scope, uscc)  # 我的服务事项
    return OwnPage(
        enterprise=record,
        filings=filings,
        diagnosis=diag,
        diagnosis_note=diag_note,
        policies=policies,
        claims=enterprises.claims(),
        standing_rules=[
            r["code"] for r in enterprises.rules_summary().rules if r["kind"] == "priority"
        ],
        points_year=points_year,
        points=points,
        points_note=points_note,
        points_stage=points_stage,
        points_scores=scores,
        points_scheme_zh=label[1],
        points_scheme_en=label[0],
        case=case,
        synthetic=record.synthetic,
    )


def shared_parts(engine: Engine, *, memo: Memo, today: dt.date | None = None) -> None:
    """Compute, into ``memo``, what every enterprise's own page shares (:func:`own_page`):
    the years with full-year reports, and of the newest the city-wide points ranking and
    the peers' figures — the background recomputation's step, so that no enterprise's
    first visit pays for them."""
    day = today or dt.date.today()
    full = _full_years(engine, day, memo)
    if full:
        year = full[0]
        memo(("views.own.ranking", year), lambda: lists.ranking(engine, year=year))
        memo(("views.own.peers", year), lambda: enterprises.peers_frame(engine, year))


def _full_years(engine: Engine, day: dt.date, memo: Memo) -> list[int]:
    """The years with full-year reports up to ``day``'s, newest first (one for all)."""
    return [y for y in memo(("views.list_years",), lambda: list_years(engine)) if y <= day.year]
