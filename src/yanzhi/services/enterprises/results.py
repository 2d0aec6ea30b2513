"""The typed results of the enterprise use cases (diagnosis.py, lists.py): pydantic models
whose ``to_dict()`` gives the same keys, in the same order, as the dictionaries they
replace — so the CLI's ``--json``, the API and the Excel lists stay the same."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class PolicyResult:
    """What each policy is worth to one enterprise in one year (万元), with the inputs used
    and the rule set's version. :meth:`to_dict` is the ``--json`` output."""

    uscc: str
    year: int
    rules_version: str
    inputs: dict[str, Any]
    benefits: list[dict[str, Any]]
    total_worth: float
    synthetic: bool = False  # the enterprise and its reports are generated demo data

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data, fields in their declared order."""
        return asdict(self)


@dataclass(frozen=True)
class RulesSummary:
    """The policy rule file: version, issuer and each rule with its effective dates."""

    version: str
    issuer: str
    rules: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return asdict(self)


class Result(BaseModel):
    """Base of the enterprise results: records with ``to_dict()``."""

    def to_dict(self) -> dict[str, Any]:
        """The plain dictionary (JSON-ready keys, same order as the fields)."""
        return self.model_dump()


class Claim(Result):
    """How to claim a benefit (the rule file's ``claim``): 申报途径, 材料, 时间 and the
    basis; ``assumed`` when the basis is 本平台假设 (no cited source)."""

    route: str
    materials: str
    timing: str
    basis: str
    assumed: bool


class EnterpriseRecord(Result):
    """One enterprise's record: the latest attributes, township, district and the number
    of its R&D reports."""

    uscc: str
    name: str
    synthetic: bool
    as_of: str
    industry_code: str
    township_code: str
    size_class: str | None
    founded_year: int | None
    above_size_industrial: bool
    hightech: bool
    hightech_cert_year: int | None
    tech_sme: bool
    specialised: bool
    champion: bool
    contact_person: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    township: str
    district: str | None
    reports: int


class IntensityPoint(Result):
    """R&D expense, revenue (万元) and their ratio for one reporting period."""

    period: str
    rd_expense: float
    operating_revenue: float
    intensity: float | None


class IntensitySeries(Result):
    """Full-year (December) and the latest year's year-to-date intensities."""

    annual: list[IntensityPoint]
    ytd: list[IntensityPoint]


class PeerStanding(Result):
    """Percentile of the enterprise's intensity among its peers (same industry division
    and size), city-wide and within its district, with the number of peers."""

    group: str
    city_percentile: float | None
    city_peers: int
    district_percentile: float | None
    district_peers: int
    group_zh: str = ""  # the peer group in Chinese: 行业大类 and 企业规模


class Gap(Result):
    """Extra R&D expense (万元) needed at this revenue to reach ``threshold``."""

    threshold: float
    extra_rd_expense: float
    reached: bool


class DiagnosisWarning(Result):
    """A warning of the diagnosis (rule code and its message)."""

    rule: str
    message_zh: str
    message_en: str


class Diagnosis(Result):
    """An enterprise's R&D diagnosis: intensity series, the latest period, peers, gaps to
    3.4 % and 5 %, warnings and the policies it qualifies for."""

    enterprise: EnterpriseRecord
    year: int
    basis: str
    intensity: IntensitySeries
    latest: IntensityPoint
    peers: PeerStanding
    gaps: dict[str, Gap]
    warnings: list[DiagnosisWarning]
    policies: PolicyResult


class PriorityRow(Result):
    """A row of the priority list: an enterprise whose R&D exceeded the threshold share
    of its revenue."""

    uscc: str
    name: str
    district: str | None
    township: str | None
    industry_code: str
    rd_expense: float
    operating_revenue: float
    intensity: float
    synthetic: bool = False


class VisitRow(Result):
    """A row of the visit list: an enterprise with zero R&D or R&D below the year before."""

    uscc: str
    name: str
    district: str | None
    township: str | None
    rd_expense: float
    rd_expense_previous: float | None
    operating_revenue: float
    reason: str
    synthetic: bool = False


class PointsRow(Result):
    """A row of the innovation-points ranking: stage, one score per class of the built-in
    scheme (``tech``, ``growth``, ``support``; None when none of its indicators could be
    computed), points, rank and the indicators not computed for lack of data. A class a
    changed scheme adds is kept as an extra field."""

    model_config = ConfigDict(extra="allow")

    uscc: str
    name: str
    district: str | None
    township: str | None
    stage: str | None
    tech: float | None
    growth: float | None
    support: float | None
    points: float
    rank: int
    missing: list[str] = []  # the scheme's indicators the data could not compute
    synthetic: bool = False


class DoublingRow(Result):
    """高企 and 科技型中小企业 register counts at one year end against the doubling path;
    a year end still to come has no count (None), only its path."""

    year: int
    hightech: int | None
    hightech_path: float
    hightech_on_path: bool | None
    tech_sme: int | None
    tech_sme_path: float
    tech_sme_on_path: bool | None
    synthetic: bool = False


class BudgetRow(Result):
    """What 研发后补助 and 研发准备金 would cost in one district and year (万元): the sum of
    each enterprise's amount (the same calculation as its enterprise page), how many
    enterprises qualify, and how many could not be computed (no previous full year: not
    counted as zero). ``assumed``: the rules' parameters are 本平台假设."""

    district: str
    year: int
    enterprises: int
    post_subsidy_count: int
    post_subsidy_total: float
    post_subsidy_unknown: int
    reserve_fund_count: int
    reserve_fund_total: float
    budget_total: float
    assumed: bool
    synthetic: bool = False


class ApplicationRow(Result):
    """Priority enterprises in one funding line (计划类别) and district in one year: how many
    applied and won and the success rate (won ÷ decided; None with nothing decided),
    against the other applicants; applications not yet decided (``pending``) and those
    whose applicant's standing is unknown (``unknown``: no applicant, or no full-year
    report of the year before) are counted apart, never as not priority."""

    funding_line: str
    district: str
    year: int
    priority_applied: int
    priority_won: int
    priority_rate: float | None
    other_applied: int
    other_won: int
    other_rate: float | None
    pending: int
    unknown: int
    synthetic: bool = False


ListRow = PriorityRow | VisitRow | PointsRow | DoublingRow | BudgetRow | ApplicationRow
"""A row of any of the bureau's lists."""


class PointsScheme(Result):
    """An innovation-points scheme (YAML): stages by age, classes with their indicators
    and weights, bonus and negative items; other keys are kept as they are."""

    model_config = ConfigDict(extra="allow")

    scheme: str = ""
    label: str = ""
    stages: dict[str, Any]
    classes: list[dict[str, Any]]
    bonus: list[dict[str, Any]] = []
    negative: list[dict[str, Any]] = []
