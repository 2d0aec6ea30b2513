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


def test_post_subsidy_and_reserve_fund_from_2019_say_their_assumption_and_numbers():
    e = EnterpriseYear(2020, "3411", expensed_rd=800, revenue=10000, previous_rd=600)
    b = post_subsidy(RULES, e)
    assert (b.rule, b.amount, b.eligible, b.status) == ("RD_POST_SUBSIDY_2019", 20.0, True,
                                                        "complete")  # fmt: skip
    assert b.assumption and "2019–2022" in b.assumption
    assert b.explanation == (
        "【本平台假设】2020年研发费用800.00万元,2019年600.00万元,"
        "增量200.00万元 × 10% = 20.00万元(上限200.00万元)"
    )
    r = reserve_fund(RULES, e)
    assert (r.rule, r.amount) == ("RD_RESERVE_FUND_2019", 25.0)
    assert "可提准备金500.00万元" in r.explanation
    # the cap: increment 3,000 × 10 % = 300 → 200
    big = EnterpriseYear(2024, "3411", expensed_rd=5000, revenue=200000, previous_rd=2000)
    assert post_subsidy(RULES, big).amount == 200.0
    assert reserve_fund(RULES, big).amount == 100.0  # 5,000 × 5 % = 250 → cap 100
    # no previous full year: unknown, no amount (never zero)
    first = post_subsidy(RULES, EnterpriseYear(2024, "3411", expensed_rd=800, revenue=1e4))
    assert (first.status, first.amount, first.missing) == ("unknown", None, ["2023年全年研发费用"])
    # below the thresholds: not eligible, with the reason
    small = EnterpriseYear(2024, "3411", expensed_rd=30, revenue=1000, previous_rd=10,
                           above_size=False)  # fmt: skip
    no = post_subsidy(RULES, small)
    assert (no.eligible, no.amount, no.status) == (False, 0.0, "not_eligible")
    assert "不是规模以上企业" in no.explanation and "低于门槛50.00万元" in no.explanation
    assert reserve_fund(RULES, small).status == "not_eligible"
    # before 2019 no rule is in force
    assert post_subsidy(RULES, EnterpriseYear(2018, "3411", expensed_rd=1)).status == (
        "not_eligible"
    )


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
    assert ruleset_from_document(DOC).version == "2026.3"


def test_innovation_points_leave_out_what_the_data_cannot_compute_never_zero():
    import pandas as pd

    from yanzhi.core import points

    scheme = {
        "stages": {"startup": {"max_age": 3}, "mature": {"max_age": None}},
        "classes": [
            {
                "code": "tech",
                "weights": {"startup": 0.5, "mature": 0.5},
                "indicators": [
                    {"code": "rd", "name": "研发费用", "full_score": 60},
                    {"code": "people", "name": "研发人员", "full_score": 40},
                ],
            },
            {
                "code": "support",
                "weights": {"startup": 0.5, "mature": 0.5},
                "indicators": [{"code": "hightech", "name": "高企", "full_score": 100}],
            },
        ],
    }
    frame = pd.DataFrame(
        {"rd": [10.0, 20.0, None], "people": [None] * 3, "hightech": [1, 0, 1], "age": [5] * 3}
    )
    out = points.score(frame, scheme)
    # tech over 研发费用 only: ranks 0.5 and 1.0 of 60 → 50 and 100 of 100; none for row 3
    assert out["tech"].tolist()[:2] == [50.0, 100.0] and pd.isna(out["tech"].iloc[2])
    assert out["missing"].tolist() == [["研发人员"], ["研发人员"], ["研发费用", "研发人员"]]
    # total: mean of the classes computed → (50 + 100) / 2, (100 + 0) / 2, 100 (support only)
    assert out["points"].tolist() == [75.0, 50.0, 100.0]
    assert out["rank"].tolist() == [2, 3, 1]
