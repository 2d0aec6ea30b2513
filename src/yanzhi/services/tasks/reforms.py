"""重大改革 and 政策 (the plan's major reforms and policies), from their registers: each
reform with its lead unit, status, next milestone and whether it is overdue; each policy
with its issuing body and number, the implementing rules due and issued, what it paid out
by year (受益企业数, 兑现金额 from the ``policy_payout`` register) and, for a policy linked
to an enterprise policy rule (研发后补助, 研发准备金), what yanzhi's own calculation of that
rule gives for the same year (:func:`yanzhi.services.enterprises.budget.budget`), so the
money paid can be set beside the money the rule implies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine

from yanzhi.core.registers import REFORM_STATUSES
from yanzhi.ingest.policyfile import read_rules
from yanzhi.services.access.principal import SYSTEM
from yanzhi.services.enterprises.budget import budget
from yanzhi.services.tasks.registers import RegisterEntry, list_register

DONE = "已完成"
#: Which total of the budget list a rule kind's estimate is.
ESTIMATES = {
    "post_subsidy": ("post_subsidy_total", "post_subsidy_count"),
    "reserve_fund": ("reserve_fund_total", "reserve_fund_count"),
}


@dataclass(frozen=True)
class Reform:
    code: str
    name: str
    org_unit_code: str
    lead: str
    status: str
    next_milestone: str | None
    next_due: str | None
    overdue: bool  # its next milestone's date has passed and it is not done
    evidence: str | None
    started: str
    synthetic: bool


@dataclass(frozen=True)
class Payout:
    """A policy's pay-out in a year; ``estimate`` (万元) and ``estimate_count`` are what
    yanzhi's calculation of the linked rule gives for the year (None: no linked rule, or
    no approved data for the year)."""

    year: int
    beneficiaries: int
    amount: float  # 万元
    estimate: float | None = None
    estimate_count: int | None = None


@dataclass(frozen=True)
class Policy:
    code: str
    name: str
    org_unit_code: str
    issuer: str
    doc_number: str
    issued_on: str
    measures: int | None
    rules_due: int | None
    rules_issued: int | None
    rules_missing: int | None  # implementing rules due and not yet issued
    rule: str | None  # the linked enterprise policy rule's name (Chinese)
    payouts: list[Payout] = field(default_factory=list)
    paid_total: float = 0.0
    synthetic: bool = False


@dataclass(frozen=True)
class ReformReport:
    today: str
    reforms: list[Reform]
    by_status: dict[str, int]
    overdue: int
    policies: list[Policy]
    rules_due: int
    rules_issued: int
    paid_by_year: dict[int, float]
    synthetic: bool


def _text(e: RegisterEntry, key: str) -> str | None:
    v = e.fields.get(key)
    return None if v in (None, "") else str(v)


def _int(e: RegisterEntry, key: str) -> int | None:
    v = e.fields.get(key)
    return None if v in (None, "") else int(v)


def _reform(e: RegisterEntry, today: dt.date) -> Reform:
    status = _text(e, "status") or REFORM_STATUSES[0]
    due = _text(e, "next_due")
    overdue = bool(due) and status != DONE and dt.date.fromisoformat(str(due)[:10]) < today
    return Reform(
        str(e.code),
        e.name,
        e.org_unit_code,
        _text(e, "lead") or "",
        status,
        _text(e, "next_milestone"),
        due,
        overdue,
        _text(e, "evidence"),
        e.valid_from,
        e.synthetic,
    )


def _estimates(engine: Engine, years: set[int]) -> dict[int, dict[str, float | int]]:
    """The city's totals of the budget list per year (empty for a year without data)."""
    out: dict[int, dict[str, float | int]] = {}
    for y in sorted(years):
        rows = budget(engine, year=y, principal=SYSTEM)
        if rows:
            out[y] = rows[-1].model_dump()  # the city total (or the only district)
    return out


def reforms_and_policies(
    engine: Engine, *, today: dt.date | None = None, estimates: bool = True
) -> ReformReport:
    """Every reform and policy of the registers, as of ``today``; ``estimates=False``
    leaves out yanzhi's calculation of the linked rules (the cockpit's counts need none)."""
    day = today or dt.date.today()
    reforms = [_reform(e, day) for e in list_register(engine, "reform")]
    payouts: dict[str, list[Payout]] = {}
    for e in list_register(engine, "policy_payout"):
        p = Payout(int(e.fields["year"]), int(e.fields["beneficiaries"]), float(e.fields["amount"]))
        payouts.setdefault(str(e.fields["policy"]), []).append(p)
    # a policy names its rule by code (RD_POST_SUBSIDY) or by name (企业研发投入后补助)
    rules = {k: r for r in read_rules().rules for k in (r.code, r.name)}
    entries = list_register(engine, "policy")
    linked_years = {
        p.year
        for e in entries
        if (r := rules.get(_text(e, "rule") or "")) and r.kind in ESTIMATES
        for p in payouts.get(str(e.code), [])
    }
    estimated = _estimates(engine, linked_years) if linked_years and estimates else {}
    policies: list[Policy] = []
    for e in entries:
        rule = rules.get(_text(e, "rule") or "")
        paid = sorted(payouts.get(str(e.code), []), key=lambda p: p.year)
        if rule is not None and rule.kind in ESTIMATES:
            total, count = ESTIMATES[rule.kind]
            paid = [
                Payout(
                    p.year,
                    p.beneficiaries,
                    p.amount,
                    float(estimated[p.year][total]),
                    int(estimated[p.year][count]),
                )
                if p.year in estimated
                else p
                for p in paid
            ]
        due, issued = _int(e, "rules_due"), _int(e, "rules_issued")
        missing = None if due is None else max(due - (issued or 0), 0)
        policies.append(
            Policy(
                str(e.code),
                e.name,
                e.org_unit_code,
                _text(e, "issuer") or "",
                _text(e, "doc_number") or "",
                e.valid_from,
                _int(e, "measures"),
                due,
                issued,
                missing,
                rule.name if rule else None,
                paid,
                round(sum(p.amount for p in paid), 2),
                e.synthetic,
            )
        )
    paid_by_year: dict[int, float] = {}
    for pol in policies:
        for p in pol.payouts:
            paid_by_year[p.year] = round(paid_by_year.get(p.year, 0.0) + p.amount, 2)
    return ReformReport(
        today=day.isoformat(),
        reforms=reforms,
        by_status={s: sum(r.status == s for r in reforms) for s in REFORM_STATUSES},
        overdue=sum(r.overdue for r in reforms),
        policies=policies,
        rules_due=sum(p.rules_due or 0 for p in policies),
        rules_issued=sum(p.rules_issued or 0 for p in policies),
        paid_by_year=dict(sorted(paid_by_year.items())),
        synthetic=any(r.synthetic for r in reforms) or any(p.synthetic for p in policies),
    )
