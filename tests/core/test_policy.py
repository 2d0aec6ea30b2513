"""Worked examples of the policy calculators, each checked by hand in its comments, and
the rule-file checks."""

import copy

import yaml

from yanzhi.core.policy import (
    EnterpriseYear,
    post_subsidy,
    priority,
    reserve_fund,
    ruleset_from_document,
    super_deduction,
    validate_rules,
)
from yanzhi.ingest.policyfile import builtin_rules_path, read_rules

RULES = read_rules()
DOC = yaml.safe_load(builtin_rules_path().read_text("utf-8"))


def test_normal_enterprise():
    # 通用设备 3411, 2024, expensed R&D 1,000 万元, standard rate 25 %:
    # extra deduction = 1,000 × 100 % = 1,000; tax saved = 1,000 × 25 % = 250 万元
    b = super_deduction(RULES, EnterpriseYear(2024, "3411", expensed_rd=1000))
    assert (b.eligible, b.amount, b.details["extra_deduction"]) == (True, 250.0, 1000.0)
    assert "2023年第7号" in b.source


def test_high_tech_enterprise():
    # the same R&D at the 高企 rate 15 %: 1,000 × 15 % = 150 万元
    b = super_deduction(RULES, EnterpriseYear(2024, "3411", expensed_rd=1000, hightech=True))
    assert b.amount == 150.0


def test_excluded_industry():
    # 零售业 5211 (division 52, 批发和零售业) is on the negative list: nothing
    b = super_deduction(RULES, EnterpriseYear(2024, "5211", expensed_rd=1000))
    assert (b.eligible, b.amount) == (False, 0.0) and "52" in b.explanation


def test_integrated_circuit_enterprise():
    # an IC enterprise on the list (公告2023年第44号), 高企, 2024:
    # extra = 1,000 × 120 % = 1,200; saved = 1,200 × 15 % = 180 万元
    e = EnterpriseYear(
        2024, "3973", expensed_rd=1000, hightech=True, flags=frozenset({"ic_or_machine_tool"})
    )
    b = super_deduction(RULES, e)
    assert (b.rule, b.details["extra_deduction"], b.amount) == (
        "SUPER_DEDUCTION_IC_MACHINE",
        1200.0,
        180.0,
    )
    # after 2027 the special rate ends and the general 100 % applies: 1,000 × 15 % = 150
    later = EnterpriseYear(
        2028, "3973", expensed_rd=1000, hightech=True, flags=frozenset({"ic_or_machine_tool"})
    )
    assert super_deduction(RULES, later).amount == 150.0


def test_capitalised_rd():
    # expensed 200; an intangible asset of 500 amortised over 10 years → 50 a year,
    # amortised at 200 % → extra 50 × (2 − 1) = 50; total extra 250; saved 250 × 25 % = 62.5
    b = super_deduction(RULES, EnterpriseYear(2024, "3411", expensed_rd=200, capitalised_rd=500))
    assert (b.details["extra_deduction"], b.amount) == (250.0, 62.5)


def test_saving_is_capped_by_taxable_income_and_small_low_profit_rate():
    # extra 1,000 but taxable income only 400 → 400 × 25 % = 100
    b = super_deduction(RULES, EnterpriseYear(2024, "3411", expensed_rd=1000, taxable_income=400))
    assert b.amount == 100.0 and b.details["capped_by_taxable_income"]
    # 小型微利: effective 5 % → 1,000 × 5 % = 50
    small = EnterpriseYear(2024, "3411", expensed_rd=1000, small_low_profit=True)
    assert super_deduction(RULES, small).amount == 50.0


def test_post_subsidy_reserve_and_priority_use_the_configured_placeholders():
    # R&D 800 vs 600 last year: increment 200 × 10 % = 20 (cap 200) — placeholders "set locally"
    e = EnterpriseYear(2024, "3411", expensed_rd=800, revenue=10000, previous_rd=600)
    b = post_subsidy(RULES, e)
    assert (b.amount, b.set_locally) == (20.0, True)
    # reserve: 5 % of 10,000 = 500 may be set aside; 500 spent × 5 % = 25 (cap 100)
    assert reserve_fund(RULES, e).amount == 25.0
    # intensity 800 / 10,000 = 8 % > 5 % → priority
    assert priority(RULES, e).eligible
    # exactly 5 % counts (≥, core.thresholds); just under does not
    assert priority(RULES, EnterpriseYear(2024, "3411", expensed_rd=500, revenue=10000)).eligible
    assert not priority(
        RULES, EnterpriseYear(2024, "3411", expensed_rd=499.99, revenue=10000)
    ).eligible


def _broken(mutate):
    doc = copy.deepcopy(DOC)
    mutate(doc)
    return sorted((i.rule, i.path) for i in validate_rules(doc, file="x.yaml"))


def test_rule_file_errors_are_refused_with_a_clear_message():
    assert validate_rules(DOC) == []
    assert _broken(lambda d: d["rules"][0].update(color="red")) == [
        ("unknown_field", "rules[0].color")
    ]
    assert _broken(lambda d: d["rules"][0]["params"].update(expensed_rate=9)) == [
        ("param_range", "rules[0].params.expensed_rate")
    ]
    n = len(DOC["rules"])
    # a copy of the 75 % rule overlaps it and the Q4 2022 rule (which overrides only the
    # original by its code)
    assert (
        _broken(lambda d: d["rules"].append(dict(d["rules"][0], code="DUP2")))
        == [("overlap", f"rules[{n}].effective_from")] * 2
    )
    assert _broken(lambda d: d["rules"][2].update(effective_to="2021-01-01")) == [
        ("date_order", "rules[2].effective_to")
    ]
    assert _broken(lambda d: d["rules"][1]["params"].update(scope="farms")) == [
        ("unknown_scope", "rules[1].params.scope")
    ]
    assert ruleset_from_document(DOC).version == "2026.2"
