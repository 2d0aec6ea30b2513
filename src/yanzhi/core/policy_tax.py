"""The R&D super-deduction (研发费用加计扣除) and the income tax it saves, year by year.

For each month of the tax year the rule with the highest rate among those in force and
covering the enterprise applies (the 2022 Q4 rule covers October–December; 财政部 税务总局
科技部公告2022年第28号 lets Q4 costs be taken as the year's average month, which is what is
done here). The deductible base follows the rule file's ``rd_cost_limits`` (其他相关费用 10 %
cap, 委托境内研发 80 %); intangible assets are amortised at the enhanced rate. What the data
lack is named in Chinese in ``Benefit.missing`` and the status becomes ``partial``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yanzhi.core.policy import Benefit, EnterpriseYear, Rule, RuleSet

MANUFACTURING = range(13, 44)  # GB/T 4754-2017 门类 C 制造业: divisions 13–43


def scopes(e: EnterpriseYear) -> set[str]:
    out = {"all", *e.flags}
    if e.industry_code[:2].isdigit() and int(e.industry_code[:2]) in MANUFACTURING:
        out.add("manufacturing")
    if e.tech_sme:
        out.add("tech_sme")
    return out


def _month_rules(rules: RuleSet, e: EnterpriseYear) -> list[Rule | None]:
    """The super-deduction rule applying in each month of the year (None: no rule)."""
    mine = scopes(e)
    out: list[Rule | None] = []
    for m in range(1, 13):
        day = dt.date(e.year, m, 1)
        cands = [
            r
            for r in rules.rules
            if r.kind == "super_deduction" and r.scope in mine and r.in_force_on(day)
        ]
        out.append(max(cands, key=lambda r: float(r.params["expensed_rate"]), default=None))
    return out


def _segments(months: list[Rule | None]) -> list[tuple[Rule, int, int]]:
    """Consecutive months under the same rule: (rule, first month, last month)."""
    out: list[tuple[Rule, int, int]] = []
    for i, r in enumerate(months, start=1):
        if r is None:
            continue
        if out and out[-1][0] is r and out[-1][2] == i - 1:
            out[-1] = (r, out[-1][1], i)
        else:
            out.append((r, i, i))
    return out


def _active(rules: RuleSet, kind: str, year: int) -> Rule | None:
    return next((r for r in rules.rules if r.kind == kind and r.in_force(year)), None)


def _excluded(rules: RuleSet, e: EnterpriseYear, months: list[Rule | None]) -> Rule | None:
    division = e.industry_code[:2]
    rule = _active(rules, "excluded_industries", e.year)
    if rule and division in rule.params.get("divisions", []):
        return rule
    legacy = next(
        (r for r in months if r and division in r.params.get("excluded_divisions", [])), None
    )
    return legacy


def deductible_base(rules: RuleSet, e: EnterpriseYear) -> tuple[float, list[str], dict[str, Any]]:
    """Expensed R&D that may be super-deducted: outsourced domestic R&D at 80 %, other related
    costs capped at 10 % of the whole (公告2021年第28号: 限额 = 前五项之和 × 10 % ÷ (1 − 10 %))."""
    limits = _active(rules, "rd_cost_limits", e.year)
    p = limits.params if limits else {}
    base, missing, info = e.expensed_rd, [], {}
    share = p.get("outsourced_domestic_share")
    if share is not None:
        if e.outsourced_domestic is None:
            missing.append("缺少委托境内研发费用,未按实际发生额的80%调整")
        else:
            cut = e.outsourced_domestic * (1 - float(share))
            base -= cut
            info["outsourced_reduction"] = round(cut, 4)
    cap_share = p.get("other_costs_cap")
    if cap_share is not None:
        if e.other_related_costs is None:
            missing.append("缺少其他相关费用明细,未核对10%限额")
        else:
            others = e.other_related_costs
            first_five = e.expensed_rd - others - (e.outsourced_domestic or 0.0)
            cap = first_five * float(cap_share) / (1 - float(cap_share))
            info["other_costs_cap"] = round(cap, 4)
            if others > cap:
                base -= others - cap
                info["other_costs_excess"] = round(others - cap, 4)
    return max(base, 0.0), missing, info


def _amortised(e: EnterpriseYear, months: list[Rule | None]) -> float:
    if e.intangible_amortisation is not None:
        return e.intangible_amortisation
    years = next((float(r.params.get("amortisation_years", 10)) for r in months if r), 10.0)
    return e.capitalised_rd / years


def super_deduction(rules: RuleSet, e: EnterpriseYear) -> Benefit:
    months = _month_rules(rules, e)
    segs = _segments(months)
    if not segs:
        return Benefit(
            "SUPER_DEDUCTION",
            "研发费用加计扣除",
            False,
            0.0,
            f"{e.year}年没有适用的研发费用加计扣除规则",
            "",
            status="unknown",
            missing=[f"规则文件未覆盖{e.year}年"],
        )
    main = max(segs, key=lambda s: s[2] - s[1])[0]
    excluded = _excluded(rules, e, months)
    if excluded:
        division = e.industry_code[:2]
        return Benefit(
            excluded.code,
            excluded.name,
            False,
            0.0,
            f"主营行业(国民经济行业代码 {division} 大类)属于不适用加计扣除的行业",
            excluded.source,
            status="not_eligible",
            applied=[{"rule": excluded.code, "source": excluded.source}],
        )
    base, missing, info = deductible_base(rules, e)
    amortised = _amortised(e, months)
    extra_exp = extra_amort = 0.0
    applied: list[dict[str, Any]] = []
    for r, first, last in segs:
        share = (last - first + 1) / 12
        rate = float(r.params["expensed_rate"])
        amort_rate = float(r.params.get("amortisation_rate", 1 + rate))
        extra_exp += base * rate * share
        extra_amort += amortised * (amort_rate - 1) * share
        applied.append(
            {
                "rule": r.code,
                "name": r.name,
                "source": r.source,
                "months": f"{first}–{last}月" if first != last else f"{first}月",
                "expensed_rate": rate,
                "amortisation_rate": amort_rate,
                "base": round(base * share, 4),
                "amortised": round(amortised * share, 4),
            }
        )
    extra = extra_exp + extra_amort
    saving, tax = tax_saving(rules, e, extra)
    missing += tax["missing"] + list(e.data_notes)
    return Benefit(
        main.code if len(segs) == 1 else "+".join(a["rule"] for a in applied),
        main.name,
        extra > 0,
        round(saving, 4),
        explain(applied, extra, saving, tax),
        ";".join(dict.fromkeys(a["source"] for a in applied)),
        details={
            "extra_deduction": round(extra, 4),
            "extra_from_expensed": round(extra_exp, 4),
            "extra_from_amortisation": round(extra_amort, 4),
            "deductible_base": round(base, 4),
            "rate": tax["rate"],
            "amortised_this_year": round(amortised, 4),
            "capped_by_taxable_income": tax["capped"],
            "small_low_profit": tax["small_low_profit"],
            **info,
        },
        status="partial" if missing else "complete",
        missing=missing,
        applied=applied,
    )


def explain(applied: list[dict[str, Any]], extra: float, saving: float, tax: dict[str, Any]) -> str:
    """The calculation in Chinese, naming each rule applied with its document: per run of
    months the deductible R&D × the rate (and intangibles amortised at the enhanced rate),
    then the tax rate and the saving."""
    parts = []
    for a in applied:
        text = (
            f"{a['months']}适用{a['name']}(依据{a['source']}):"
            f"{a['base']:,.2f} × {a['expensed_rate']:.0%} = "
            f"{a['base'] * a['expensed_rate']:,.2f} 万元"
        )
        if a["amortised"]:
            text += (
                f",无形资产摊销 {a['amortised']:,.2f} 万元按{a['amortisation_rate']:.0%}"
                f"摊销,多扣 {a['amortised'] * (a['amortisation_rate'] - 1):,.2f} 万元"
            )
        parts.append(text)
    bound = "(未按应纳税所得额封顶,为上限)" if tax["capped"] is None else ""
    return (
        ";".join(parts)
        + f"。合计加计扣除 {extra:,.2f} 万元,税率 {tax['rate']:.1%}({tax['why']}),"
        + f"节税 {saving:,.2f} 万元{bound}"
    )


# -- income tax ---------------------------------------------------------------------------


def _slp_params(rules: RuleSet, year: int) -> dict[str, Any]:
    r = _active(rules, "tax_rate", year)
    return dict(r.params) if r else {"standard": 0.25, "hightech": 0.15}


def small_low_profit_status(rules: RuleSet, e: EnterpriseYear) -> tuple[bool | None, str]:
    """True/False when the thresholds (taxable income, employees, assets) can be checked,
    None with the reason in Chinese when the data lack one of them."""
    p = _slp_params(rules, e.year)
    if "small_low_profit_threshold" not in p:
        return False, f"{e.year}年规则未设小型微利企业优惠"
    if e.small_low_profit:
        return True, "按申报人声明为小型微利企业"
    lacking = [
        name
        for name, value in (
            ("应纳税所得额", e.taxable_income),
            ("从业人数", e.employees),
            ("资产总额", e.total_assets),
        )
        if value is None
    ]
    if lacking:
        return None, f"缺少{'、'.join(lacking)},无法判断是否为小型微利企业"
    ok = (
        float(e.taxable_income or 0) <= float(p["small_low_profit_threshold"])
        and float(e.employees or 0) <= float(p.get("small_low_profit_employees", 300))
        and float(e.total_assets or 0) <= float(p.get("small_low_profit_assets", 5000))
    )
    return ok, "符合小型微利企业条件" if ok else "不符合小型微利企业条件"


def _slp_other_conditions(p: dict[str, Any], e: EnterpriseYear) -> bool | None:
    """Employees and assets within the small-low-profit limits (None: not known)."""
    if "small_low_profit_threshold" not in p:
        return False
    if e.small_low_profit:
        return True
    if e.employees is None or e.total_assets is None:
        return None
    return e.employees <= float(p.get("small_low_profit_employees", 300)) and (
        e.total_assets <= float(p.get("small_low_profit_assets", 5000))
    )


def _brackets(p: dict[str, Any]) -> list[tuple[float, float]]:
    raw = p.get("small_low_profit_brackets")
    if raw:
        return [(float(a), float(b)) for a, b in raw]
    return [(float(p["small_low_profit_threshold"]), float(p["small_low_profit_rate"]))]


def _slp_tax(p: dict[str, Any], income: float) -> float:
    tax, lower = 0.0, 0.0
    for upper, rate in _brackets(p):
        tax += max(0.0, min(income, upper) - lower) * rate
        lower = upper
    return tax


def tax_rate(rules: RuleSet, e: EnterpriseYear) -> tuple[float, str]:
    p = _slp_params(rules, e.year)
    slp, _ = small_low_profit_status(rules, e)
    if slp and "small_low_profit_threshold" in p:
        rate = max(r for _, r in _brackets(p))
        return rate, "小型微利企业"
    if e.hightech:
        return float(p["hightech"]), "高新技术企业"
    return float(p["standard"]), "一般税率"


def tax_saving(rules: RuleSet, e: EnterpriseYear, extra: float) -> tuple[float, dict[str, Any]]:
    """Tax saved by deducting ``extra`` more: with the taxable income, the difference of the
    tax before and after (the small-low-profit brackets tested on each); without it, the
    extra deduction × the marginal rate (an upper bound)."""
    p = _slp_params(rules, e.year)
    slp, why_slp = small_low_profit_status(rules, e)
    rate, why = tax_rate(rules, e)
    missing = [] if slp is not None else [why_slp + ",按一般或高企税率计算"]
    if e.hightech is None:
        missing.append("无法判断是否为高新技术企业,按一般税率25%计算(若为高企则按15%)")
    if e.taxable_income is None:
        if slp is None:
            missing.append("缺少应纳税所得额,节税额未按所得额封顶(为上限)")
        return extra * rate, {
            "rate": rate,
            "why": why,
            "capped": None,
            "small_low_profit": slp,
            "missing": missing,
        }
    normal = float(p["hightech"] if e.hightech else p["standard"])
    others_ok = _slp_other_conditions(p, e)

    def tax(income: float) -> float:
        plain = income * normal
        if others_ok and income <= float(p.get("small_low_profit_threshold", -1)):
            return min(plain, _slp_tax(p, income))
        return plain

    before = e.taxable_income
    after = max(0.0, before - extra)
    saving = tax(before) - tax(after)
    return saving, {
        "rate": saving / extra if extra else rate,
        "why": why,
        "capped": extra > before,
        "small_low_profit": slp,
        "missing": missing,
    }
