"""研发后补助 (R&D post-subsidy) and 研发准备金 (R&D reserve fund) for one enterprise-year,
from the rule in force that year. Every figure comes with its explanation in Chinese; a
rule the platform assumed (no local text found) says so and why (``assumption``); a year
the data cannot decide (no previous year for an increment) is 无法计算 with no amount,
never zero."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yanzhi.core.policy import Benefit, EnterpriseYear, Rule, RuleSet


def _wan(v: float) -> str:
    return f"{v:,.2f}万元"


def _pct(v: float) -> str:
    return f"{v * 100:g}%"


def _capped(raw: float, cap: float) -> str:
    return f",超过上限按{_wan(cap)}" if raw > cap else f"(上限{_wan(cap)})"


def _none(code: str, name: str, year: int) -> Benefit:
    from yanzhi.core.policy import Benefit

    return Benefit(code, name, False, 0.0, f"{year}年没有有效的{name}规则", "",
                   status="not_eligible")  # fmt: skip


def _said(rule: Rule, text: str) -> str:
    """The explanation, prefixed 本平台假设 when the rule's parameters are assumed."""
    return f"【本平台假设】{text}" if rule.assumption else text


def _benefit(rule: Rule, eligible: bool, amount: float | None, text: str, **kw: object) -> Benefit:
    from yanzhi.core.policy import Benefit

    return Benefit(
        rule.code,
        rule.name,
        eligible,
        None if amount is None else round(amount, 4),
        _said(rule, text),
        rule.source,
        rule.set_locally,
        assumption=rule.assumption,
        **kw,  # type: ignore[arg-type]
    )


def post_subsidy(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    """研发后补助: ``rate_on_increment`` of the growth of R&D over the previous year, capped
    at ``cap``, for enterprises meeting the thresholds (above size, R&D, intensity)."""
    rule = rules.active("post_subsidy", e.year)
    if rule is None:
        return _none("RD_POST_SUBSIDY", "研发后补助", e.year)
    p = rule.params
    total = e.expensed_rd + e.capitalised_rd
    rate, cap = float(p["rate_on_increment"]), float(p["cap"])
    reasons = []
    if p.get("requires_above_size") and not e.above_size:
        reasons.append("不是规模以上企业")
    if total < float(p.get("min_rd_expense", 0)):
        reasons.append(f"研发费用{_wan(total)}低于门槛{_wan(float(p['min_rd_expense']))}")
    intensity = total / e.revenue if e.revenue > 0 else None
    floor = float(p.get("min_intensity", 0))
    if floor > 0 and (intensity is None or intensity < floor):
        shown = "无营业收入" if intensity is None else f"研发投入强度{intensity:.2%}"
        reasons.append(f"{shown},低于门槛{_pct(floor)}")
    if reasons:
        return _benefit(rule, False, 0.0, "不符合条件:" + ";".join(reasons),
                        status="not_eligible", details={"rd": total})  # fmt: skip
    if e.previous_rd is None:
        return _benefit(
            rule,
            False,
            None,
            f"{e.year}年研发费用{_wan(total)};缺少{e.year - 1}年全年研发费用,无法计算增量",
            status="unknown",
            missing=[f"{e.year - 1}年全年研发费用"],
            details={"rd": total},
        )
    increment = max(0.0, total - e.previous_rd)
    raw = increment * rate
    amount = min(raw, cap)
    text = (
        f"{e.year}年研发费用{_wan(total)},{e.year - 1}年{_wan(e.previous_rd)},"
        f"增量{_wan(increment)} × {_pct(rate)} = {_wan(raw)}" + _capped(raw, cap)
    )
    if increment == 0:
        text = f"{e.year}年研发费用{_wan(total)}未超过{e.year - 1}年{_wan(e.previous_rd)},无增量"
    return _benefit(rule, amount > 0, amount, text,
                    details={"rd": total, "increment": increment})  # fmt: skip


def reserve_fund(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    """研发准备金: an enterprise may set aside ``reserve_share`` of revenue; the part spent
    on R&D (at most its R&D of the year) is subsidised at ``subsidy_rate``, capped."""
    rule = rules.active("reserve_fund", e.year)
    if rule is None:
        return _none("RD_RESERVE_FUND", "研发准备金", e.year)
    p = rule.params
    total = e.expensed_rd + e.capitalised_rd
    share, rate, cap = float(p["reserve_share"]), float(p["subsidy_rate"]), float(p["cap"])
    if p.get("requires_above_size") and not e.above_size:
        return _benefit(rule, False, 0.0, "不符合条件:不是规模以上企业", status="not_eligible")
    if e.revenue <= 0:
        return _benefit(rule, False, 0.0, "不符合条件:无营业收入,不能提取准备金",
                        status="not_eligible")  # fmt: skip
    allowed = e.revenue * share
    spent = min(allowed, total)
    raw = spent * rate
    amount = min(raw, cap)
    text = (
        f"营业收入{_wan(e.revenue)} × {_pct(share)} = 可提准备金{_wan(allowed)};"
        f"用于研发{_wan(spent)}(研发费用{_wan(total)}与准备金取小)× {_pct(rate)} = {_wan(raw)}"
        + _capped(raw, cap)
    )
    return _benefit(rule, amount > 0, amount, text,
                    details={"allowed": allowed, "spent": spent})  # fmt: skip
