"""保障措施 (the plan's guarantee measures) as a principal sees them: every measure with its
rules; a rule a number checks (财政科技投入年均增长15%以上, 千亿科技创新基金) with the region's
verdict and the districts' the principal may see; the other rules with where yanzhi carries
them out. Numbers from :mod:`yanzhi.services.plan.guarantees` unchanged."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.guarantees import RuleCheck
from yanzhi.services.access.scope import Scope
from yanzhi.services.plan import guarantees as guarantees_svc

#: Where yanzhi carries out a rule that no single number checks: (what, page).
CARRIED_OUT: dict[str, tuple[str, str]] = {
    "rd_intensity_enterprise": (
        "企业名单: 研发投入强度5%以上企业(优先支持)",
        "/enterprises/lists/priority",
    ),
    "rd_post_subsidy": ("研发后补助测算与分区县预算", "/enterprises/lists/budget"),
    "rd_super_deduction": ("研发费用加计扣除测算(企业页)", "/enterprises"),
    "innovation_points": ("企业创新积分", "/enterprises/lists/points"),
    "rd_reserve_fund": ("研发准备金测算与分区县预算", "/enterprises/lists/budget"),
    "monthly_monitoring": ("月度数据报送与审核", "/data"),
    "task_list_management": ("任务清单与督办", "/tasks"),
    "township_st_evaluation": ("乡镇(街道)科技创新工作评价", "/evaluation"),
    "st_strong_city_assessment": ("区(县、市)综合评价", "/evaluation"),
    "district_leader_annual_report": ("区(县、市)述职材料", "/reports"),
}

#: The sections of the site only some staff roles may open, with the action they need
#: (``ACTIONS`` in :mod:`yanzhi.services.access.scope`); every staff role opens the others.
SECTION_NEEDS = {"/enterprises": "read_enterprises", "/evaluation": "evaluate"}


def _needs(link: str | None) -> str | None:
    """The action a principal needs to open ``link``, or None."""
    section = "/" + link.split("/")[1] if link else ""
    return SECTION_NEEDS.get(section)


class YearPoint(BaseModel):
    year: int
    value: float
    growth_pct: float | None


class UnitVerdict(BaseModel):
    """One unit's series and verdict for a rule."""

    unit_code: str
    unit_name: str
    years: list[YearPoint]
    base_year: int
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    average_growth_pct: float | None
    expected: float | None
    share: float | None
    verdict: str
    verdict_zh: str
    verdict_en: str
    reason_zh: str
    reason_en: str
    sources: list[str]
    synthetic: bool


class GuaranteeRule(BaseModel):
    code: str
    description: str
    kind: str
    metric: str | None
    target: float | None
    unit: str | None
    element_name: str | None
    element_unit: str | None
    region: UnitVerdict | None
    districts: list[UnitVerdict]
    reason: str | None
    carried_out_by: str | None  # where yanzhi carries the rule out, when no number checks it
    link: str | None
    link_needs: str | None  # the action needed to open ``link`` (None: any staff role)


class GuaranteeMeasure(BaseModel):
    code: str
    title: str
    text: str
    rules: list[GuaranteeRule]


class Guarantees(BaseModel):
    """``GET /api/v1/tasks/guarantees``: the guarantee measures and their verdicts."""

    plan_code: str
    region: str
    base_year: int
    target_year: int
    as_of_year: int
    guarantees: list[GuaranteeMeasure]
    synthetic: bool


def _unit(u: guarantees_svc.UnitCheck) -> UnitVerdict:
    c: RuleCheck = u.check
    return UnitVerdict(
        unit_code=u.unit_code,
        unit_name=u.unit_name,
        years=[YearPoint(year=y.year, value=y.value, growth_pct=y.growth_pct) for y in c.years],
        base_year=c.base_year,
        base_value=c.base_value,
        latest_year=c.latest_year,
        latest_value=c.latest_value,
        average_growth_pct=c.average_growth_pct,
        expected=c.expected,
        share=c.share,
        verdict=c.level,
        verdict_zh=c.label_zh,
        verdict_en=c.label_en,
        reason_zh=c.reason_zh,
        reason_en=c.reason_en,
        sources=u.sources,
        synthetic=u.synthetic,
    )


def guarantees(engine: Engine, scope: Scope, *, today: dt.date | None = None) -> Guarantees:
    """The guarantee measures; the districts' verdicts cut to the units the principal sees."""
    scope.require("read")
    report = guarantees_svc.track(engine, today=today)

    def visible(code: str) -> bool:  # a task owner (a department) sees no unit's figures
        return scope.city_wide or (scope.root is not None and scope.sees(code))

    measures: list[GuaranteeMeasure] = []
    for g in report.guarantees:
        rules = []
        for r in g.rules:
            what, link = CARRIED_OUT.get(r.metric or "", (None, None))
            rules.append(
                GuaranteeRule(
                    code=r.code,
                    description=r.description,
                    kind=r.kind,
                    metric=r.metric,
                    target=r.target,
                    unit=r.unit,
                    element_name=r.element_name,
                    element_unit=r.element_unit,
                    region=_unit(r.region) if r.region else None,
                    districts=[_unit(d) for d in r.districts if visible(d.unit_code)],
                    reason=r.reason,
                    carried_out_by=what,
                    link=link,
                    link_needs=_needs(link),
                )
            )
        measures.append(GuaranteeMeasure(code=g.code, title=g.title, text=g.text, rules=rules))
    return Guarantees(
        plan_code=report.plan_code,
        region=report.region,
        base_year=report.base_year,
        target_year=report.target_year,
        as_of_year=report.as_of_year,
        guarantees=measures,
        synthetic=report.synthetic,
    )
