"""Policy rules as data and the calculators that apply them: R&D super-deduction and the
tax it saves, R&D post-subsidy and reserve fund (``policy_subsidy``), the 5 %
priority rule. Rules carry their legal source and effective dates; a rule file is
validated before use (unknown fields, overlapping dates, rates out of range)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from yanzhi.core import thresholds
from yanzhi.core.issues import Issue

KINDS: dict[str, dict[str, tuple[float, float] | None]] = {
    # kind → parameter → allowed range (None: not a number)
    "super_deduction": {
        "expensed_rate": (0, 5),
        "amortisation_rate": (1, 6),
        "amortisation_years": (1, 50),
        "excluded_divisions": None,
        "requires_flag": None,
        "scope": None,
    },
    "excluded_industries": {"divisions": None, "min_revenue_share": (0, 1)},
    "rd_cost_limits": {"other_costs_cap": (0, 0.5), "outsourced_domestic_share": (0, 1)},
    "tax_rate": {
        "standard": (0, 1),
        "hightech": (0, 1),
        "hightech_certificate_years": (1, 10),
        "small_low_profit_rate": (0, 1),
        "small_low_profit_threshold": (0, 1e9),
        "small_low_profit_employees": (0, 1e6),
        "small_low_profit_assets": (0, 1e9),
        "small_low_profit_brackets": None,
    },
    "priority": {"threshold": (0, 1), "basis": None},
    "post_subsidy": {
        "rate_on_increment": (0, 1),
        "cap": (0, 1e9),
        "min_rd_expense": (0, 1e9),
        "min_intensity": (0, 1),
        "requires_above_size": None,
    },
    "reserve_fund": {
        "reserve_share": (0, 1),
        "subsidy_rate": (0, 1),
        "cap": (0, 1e9),
        "requires_above_size": None,
    },
}
RULE_FIELDS = {
    "code",
    "kind",
    "name",
    "name_en",
    "source",
    "effective_from",
    "effective_to",
    "params",
    "note",
    "set_locally",
    "applies_to",
    "example",
    "overrides",
    "assumption",
    "claim",
}
CLAIM_FIELDS = ("route", "materials", "timing", "basis")
"""How to claim a benefit (``claim`` of a rule): 申报途径, 材料, 时间, and its basis — a
cited source, or a text starting 本平台假设 when the platform assumed it."""
SCOPES = ("all", "manufacturing", "tech_sme", "ic_or_machine_tool")
"""Who a super-deduction rule covers: every eligible enterprise, 制造业企业 (main business in
GB/T 4754 门类 C, divisions 13–43), 科技型中小企业, listed IC / 工业母机 enterprises."""


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    name: str
    source: str
    effective_from: dt.date
    effective_to: dt.date | None
    params: dict[str, Any]
    name_en: str | None = None
    note: str | None = None
    set_locally: bool = False
    applies_to: str | None = None
    example: str | None = None
    assumption: str | None = None  # 本平台假设: why the platform chose these parameters
    claim: Mapping[str, str] | None = None  # how to claim it: CLAIM_FIELDS

    @property
    def scope(self) -> str:
        return str(self.params.get("scope") or self.params.get("requires_flag") or "all")

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or self.effective_to >= day
        )

    def in_force(self, year: int) -> bool:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.effective_from <= end and (
            self.effective_to is None or self.effective_to >= start
        )


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]
    issuer: str = ""

    def active(self, kind: str, year: int, *, flag: str | None = None) -> Rule | None:
        """The rule of ``kind`` in force in ``year`` (one requiring ``flag`` only if given)."""
        for r in self.rules:
            needs = r.params.get("requires_flag")
            if r.kind == kind and r.in_force(year) and needs == flag:
                return r
        return None


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def validate_rules(doc: Any, *, file: str = "rules") -> list[Issue]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rules"), list):
        return [
            Issue(
                "document",
                "规则文件应包含 rules 列表",
                "a rule file needs a `rules` list",
                file=file,
            )
        ]
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(doc["rules"]):
        issues += _check_rule(r, i, file, seen)
    issues += _overlaps(doc["rules"], file)
    return issues


def _issue(file: str, path: str, rule: str, zh: str, en: str, value: Any = None) -> Issue:
    return Issue(rule, zh, en, file=file, path=path, value=value)


def _check_rule(r: Any, i: int, file: str, seen: dict[str, int]) -> list[Issue]:
    here = f"rules[{i}]"
    if not isinstance(r, Mapping):
        return [_issue(file, here, "rule_type", "规则应为映射", "a rule must be a mapping")]
    out = _unknown_fields(r, RULE_FIELDS, here, file)
    for k in ("code", "kind", "name", "source", "effective_from", "params"):
        if k not in r:
            out.append(_issue(file, f"{here}.{k}", "required", f"缺少 {k}", f"{k} is required"))
    if r.get("code") in seen:
        out.append(
            _issue(
                file,
                f"{here}.code",
                "duplicate_code",
                f"代码 {r['code']} 重复",
                f"duplicate rule code {r['code']!r}",
                r["code"],
            )
        )
    seen[str(r.get("code"))] = i
    kind = r.get("kind")
    if kind not in KINDS:
        out.append(
            _issue(
                file,
                f"{here}.kind",
                "unknown_kind",
                f"未知规则类型 {kind}",
                f"unknown rule kind {kind!r}; expected {', '.join(KINDS)}",
                kind,
            )
        )
        return out
    try:
        start, end = _date(r.get("effective_from")), _date(r.get("effective_to"))
        if start and end and end < start:
            out.append(
                _issue(
                    file,
                    f"{here}.effective_to",
                    "date_order",
                    "失效日期早于生效日期",
                    "effective_to is before effective_from",
                )
            )
    except ValueError as exc:
        out.append(
            _issue(
                file,
                f"{here}.effective_from",
                "date_value",
                f"日期无效: {exc}",
                f"not a date: {exc}",
            )
        )
    for name, value in (r.get("params") or {}).items():
        out += _check_param(kind, name, value, f"{here}.params.{name}", file)
    out += _check_claim(r.get("claim"), f"{here}.claim", file)
    scope = (r.get("params") or {}).get("scope")
    if scope is not None and scope not in SCOPES:
        out.append(
            _issue(
                file,
                f"{here}.params.scope",
                "unknown_scope",
                f"未知适用范围 {scope}",
                f"unknown scope {scope!r}; expected {', '.join(SCOPES)}",
                scope,
            )
        )
    return out


def _unknown_fields(
    given: Mapping[str, Any], known: Collection[str], path: str, file: str
) -> list[Issue]:
    return [
        _issue(file, f"{path}.{k}", "unknown_field", f"未知字段 {k}", f"unknown field {k!r}", k)
        for k in given
        if k not in known
    ]


def _check_claim(claim: Any, path: str, file: str) -> list[Issue]:
    """``claim``: absent, or a mapping of CLAIM_FIELDS to texts, each of them given."""
    if claim is None:
        return []
    if not isinstance(claim, Mapping):
        return [_issue(file, path, "claim_type", "申报指引应为映射", "claim must be a mapping")]
    out = _unknown_fields(claim, CLAIM_FIELDS, path, file)
    out += [
        _issue(file, f"{path}.{k}", "required", f"缺少 {k}", f"{k} is required")
        for k in CLAIM_FIELDS
        if not isinstance(claim.get(k), str) or not claim.get(k, "").strip()
    ]
    return out


def _check_param(kind: str, name: str, value: Any, path: str, file: str) -> list[Issue]:
    allowed = KINDS[kind]
    if name not in allowed:
        return [
            _issue(
                file,
                path,
                "unknown_param",
                f"{kind} 规则没有参数 {name}",
                f"a {kind} rule has no parameter {name!r}",
                name,
            )
        ]
    bounds = allowed[name]
    if bounds is None:
        return []
    if not isinstance(value, int | float) or isinstance(value, bool):
        return [
            _issue(
                file, path, "param_type", f"参数 {name} 应为数值", f"{name} must be a number", value
            )
        ]
    lo, hi = bounds
    if not lo <= value <= hi:
        return [
            _issue(
                file,
                path,
                "param_range",
                f"参数 {name}={value} 超出范围 [{lo:g}, {hi:g}]",
                f"{name}={value} is out of range [{lo:g}, {hi:g}]",
                value,
            )
        ]
    return []


def _overlaps(rules: list[Any], file: str) -> list[Issue]:
    """Two rules of the same kind (and the same required flag) may not be in force at once."""
    out = []
    spans: dict[tuple[Any, Any], list[tuple[int, dt.date, dt.date]]] = {}
    for i, r in enumerate(rules):
        if not isinstance(r, Mapping):
            continue
        try:
            start = _date(r.get("effective_from")) or dt.date.min
            end = _date(r.get("effective_to")) or dt.date.max
        except ValueError:
            continue
        params = r.get("params") or {}
        key = (r.get("kind"), params.get("scope") or params.get("requires_flag"))
        for j, s, e in spans.get(key, []):
            named = set(r.get("overrides") or []) | set(_overrides(rules[j]))
            if start <= e and s <= end and not named & {r.get("code"), rules[j].get("code")}:
                out.append(
                    _issue(
                        file,
                        f"rules[{i}].effective_from",
                        "overlap",
                        f"与 rules[{j}] 的有效期重叠(同类规则不能同时有效)",
                        f"dates overlap rules[{j}] of the same kind",
                        r.get("code"),
                    )
                )
        spans.setdefault(key, []).append((i, start, end))
    return out


def _overrides(r: Any) -> list[Any]:
    return list(r.get("overrides") or []) if isinstance(r, Mapping) else []


def ruleset_from_document(doc: Mapping[str, Any]) -> RuleSet:
    rules = tuple(
        Rule(
            code=r["code"],
            kind=r["kind"],
            name=r["name"],
            source=r["source"],
            effective_from=_date(r["effective_from"]) or dt.date.min,
            effective_to=_date(r.get("effective_to")),
            params=dict(r.get("params") or {}),
            name_en=r.get("name_en"),
            note=r.get("note"),
            set_locally=bool(r.get("set_locally")),
            applies_to=r.get("applies_to"),
            example=r.get("example"),
            assumption=r.get("assumption"),
            claim=dict(r["claim"]) if r.get("claim") else None,
        )
        for r in doc["rules"]
    )
    return RuleSet(str(doc.get("version", "")), rules, str(doc.get("issuer", "")))


# -- calculators ------------------------------------------------------------------------


@dataclass(frozen=True)
class EnterpriseYear:
    """What the calculators need about one enterprise and year (money in 万元)."""

    year: int
    industry_code: str
    expensed_rd: float
    capitalised_rd: float = 0.0  # R&D capitalised this year (without intangible_amortisation:
    # the amortisable cost, spread over amortisation_years — the older reading)
    revenue: float = 0.0
    previous_rd: float | None = None
    hightech: bool | None = False  # None: the register cannot tell (counted at 25 %, said)
    small_low_profit: bool = False
    above_size: bool = True
    flags: frozenset[str] = field(default_factory=frozenset)
    taxable_income: float | None = None  # 应纳税所得额 before the super-deduction
    tech_sme: bool = False
    employees: float | None = None  # 从业人数 (annual average)
    total_assets: float | None = None  # 资产总额 (annual average), 万元
    other_related_costs: float | None = None  # 其他相关费用 inside expensed_rd
    outsourced_domestic: float | None = None  # 委托境内研发 paid, inside expensed_rd
    intangible_amortisation: float | None = None  # cost of R&D intangibles amortised this year
    data_notes: tuple[str, ...] = ()  # what the data lack, in Chinese


@dataclass(frozen=True)
class Benefit:
    rule: str
    name: str
    eligible: bool
    amount: float | None  # 万元: tax saved or subsidy; None when the data cannot tell
    explanation: str
    source: str
    set_locally: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    status: str = "complete"  # complete | partial | not_eligible | unknown
    missing: list[str] = field(default_factory=list)  # what could not be computed, in Chinese
    applied: list[dict[str, Any]] = field(default_factory=list)  # rules and months applied
    assumption: str | None = None  # 本平台假设 and why, when the rule's parameters are assumed


def tax_rate(rules: RuleSet, e: EnterpriseYear) -> tuple[float, str]:
    """The marginal income-tax rate of the enterprise-year and why (see ``policy_tax``)."""
    from yanzhi.core import policy_tax

    return policy_tax.tax_rate(rules, e)


def super_deduction(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    """The R&D super-deduction and the tax it saves, month by month of the rules in force
    (see ``policy_tax.super_deduction``)."""
    from yanzhi.core import policy_tax

    return policy_tax.super_deduction(rules, e)


def post_subsidy(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    """研发后补助 of the enterprise-year (see ``policy_subsidy.post_subsidy``)."""
    from yanzhi.core import policy_subsidy

    return policy_subsidy.post_subsidy(rules, e)


def reserve_fund(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    """研发准备金 of the enterprise-year (see ``policy_subsidy.reserve_fund``)."""
    from yanzhi.core import policy_subsidy

    return policy_subsidy.reserve_fund(rules, e)


def priority(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    rule = rules.active("priority", e.year)
    threshold = thresholds.as_fraction(rule.params["threshold"]) if rule else thresholds.PRIORITY
    total = e.expensed_rd + e.capitalised_rd
    intensity = total / e.revenue if e.revenue else 0.0
    ok = thresholds.meets(total, e.revenue, threshold)
    return Benefit(
        rule.code if rule else "PRIORITY_5PCT",
        rule.name if rule else "优先支持",
        ok,
        0.0,
        f"研发强度 {intensity:.2%} {'≥' if ok else '<'} {thresholds.percent_text(threshold)}",
        rule.source if rule else "",
        details={"intensity": intensity},
    )


def all_benefits(rules: RuleSet, e: EnterpriseYear) -> list[Benefit]:
    return [f(rules, e) for f in (super_deduction, post_subsidy, reserve_fund, priority)]
