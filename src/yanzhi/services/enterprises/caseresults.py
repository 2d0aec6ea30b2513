"""The typed results of 诊断+提升 casework (cases.py, caseeffect.py)."""

from __future__ import annotations

from pydantic import Field

from yanzhi.services.enterprises.results import Result


class RankedRow(Result):
    """A row of the prioritised diagnosis list: the enterprise, its figures of the
    diagnosis year (万元), the points of each part of the rule, the score, the reason and
    its case, if any."""

    rank: int
    uscc: str
    name: str
    district: str | None
    township: str | None
    size_class: str | None
    rd_expense: float
    operating_revenue: float
    intensity: float
    gain_to_34: float
    gain_to_5: float
    p_gain: float
    p_size: float
    p_trend: float
    p_institution: float
    p_deduction: float
    score: float
    reason: str
    case_status: str | None = None
    synthetic: bool = False


class CaseAction(Result):
    """An agreed action: catalogue code and name, due date, status, whether overdue."""

    id: int
    action: str
    action_zh: str
    due_on: str
    status: str
    status_zh: str
    done_on: str | None = None
    overdue: bool = False
    reminded_on: str | None = None


class CaseVisit(Result):
    """A visit: date, who, findings and the actions agreed at it."""

    id: int
    visited_on: str
    visitor: str
    findings: str
    actions: list[CaseAction] = Field(default_factory=list)


class Outcome(Result):
    """Intensity in the diagnosis year and in the next year, from approved full-year
    reports only (None: not approved yet, said in ``note``); change in percentage points."""

    before_year: int
    before: float | None = None
    after_year: int
    after: float | None = None
    change_pp: float | None = None
    note: str | None = None


class CaseSummary(Result):
    """A case in the list: enterprise, assignee, status, counts, outcome."""

    id: int
    uscc: str
    name: str
    district: str | None
    township: str | None
    diagnosis_year: int
    status: str
    status_zh: str
    assignee: str
    opened_on: str
    visits: int
    actions_open: int
    actions_overdue: int
    next_due: str | None = None
    change_pp: float | None = None
    synthetic: bool = False


class CaseDetail(Result):
    """One case with its visits, actions and outcome."""

    id: int
    uscc: str
    name: str
    district: str | None
    township: str | None
    diagnosis_year: int
    status: str
    status_zh: str
    assignee_user: str | None = None
    provider: str | None = None
    assignee: str
    reason: str
    opened_on: str
    opened_by: str
    closed_on: str | None = None
    closing_note: str | None = None
    visits: list[CaseVisit] = Field(default_factory=list)
    open_actions: list[CaseAction] = Field(default_factory=list)
    outcome: Outcome
    synthetic: bool = False


class EffectRow(Result):
    """The effect of the casework in one district (None: all districts): enterprises with
    a case, those matched with comparable enterprises without one, the mean change in
    intensity of each (percentage points) and the difference (the effect)."""

    district: str | None
    treated: int
    matched: int
    unmatched: int
    controls: int
    treated_change_pp: float | None = None
    control_change_pp: float | None = None
    effect_pp: float | None = None


class Effect(Result):
    """The effect of the cases of a diagnosis year: before = that year, after = the next;
    approved full-year reports only, with how many cases lack them."""

    diagnosis_year: int
    after_year: int
    cases: int
    without_data: int
    rows: list[EffectRow]
    method: str
    synthetic: bool = False
