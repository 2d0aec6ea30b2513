"""重大改革 and 政策 as a principal sees them: the reforms and policies of the registers with
their progress, implementing rules and pay-outs (:mod:`yanzhi.services.tasks.reforms`,
unchanged). City-wide roles and city leaders see all; a district or township user the
entries of its own units and the city's (the city's reforms and policies bind it); a task
owner the city's."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.services.access.scope import Scope
from yanzhi.services.tasks.reforms import Policy, Reform, reforms_and_policies
from yanzhi.views.common import Memo, direct, plan_of


class Reforms(BaseModel):
    """``GET /api/v1/tasks/reforms``: reforms by status (overdue milestones counted), policies
    with implementing rules due / issued and pay-outs by year (万元) beside yanzhi's own
    calculation of a linked rule."""

    today: str
    reforms: list[Reform]
    by_status: dict[str, int]
    overdue: int
    policies: list[Policy]
    rules_due: int
    rules_issued: int
    paid_by_year: dict[int, float]
    synthetic: bool


def reforms(
    engine: Engine,
    scope: Scope,
    *,
    today: dt.date | None = None,
    estimates: bool = True,
    memo: Memo = direct,
) -> Reforms:
    """The reforms and policies the principal sees, with the totals of what it sees
    (``estimates=False``: without yanzhi's calculation of the linked rules). The whole
    report is computed once for all scopes (``memo``; at province scale its estimates
    take half a minute) and cut to the scope here."""
    scope.require("read")
    if today is None:
        report = memo(
            ("views.reforms.report", estimates),
            lambda: reforms_and_policies(engine, estimates=estimates),
        )
    else:
        report = reforms_and_policies(engine, today=today, estimates=estimates)
    region = plan_of(engine).meta.region

    def visible(unit: str) -> bool:
        return scope.city_wide or unit == region or (scope.root is not None and scope.sees(unit))

    rs = [r for r in report.reforms if visible(r.org_unit_code)]
    ps = [p for p in report.policies if visible(p.org_unit_code)]
    paid: dict[int, float] = {}
    for p in ps:
        for x in p.payouts:
            paid[x.year] = round(paid.get(x.year, 0.0) + x.amount, 2)
    return Reforms(
        today=report.today,
        reforms=rs,
        by_status={s: sum(r.status == s for r in rs) for s in report.by_status},
        overdue=sum(r.overdue for r in rs),
        policies=ps,
        rules_due=sum(p.rules_due or 0 for p in ps),
        rules_issued=sum(p.rules_issued or 0 for p in ps),
        paid_by_year=dict(sorted(paid.items())),
        synthetic=report.synthetic,
    )
