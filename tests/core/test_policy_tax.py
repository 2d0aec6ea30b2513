"""The R&D super-deduction year by year (2019–2026) and the tax rules behind it, with worked
examples: those of 《研发费用加计扣除政策执行指引(2.0版)》 at the end (the guide has none for
the 75 %, manufacturer, 科技型中小企业, Q4 2022 or 120 % rules), the others hand-computed from
the rule text (stated in each test)."""

import pytest

from yanzhi.core.policy import EnterpriseYear, super_deduction
from yanzhi.core.policy_tax import deductible_base, small_low_profit_status, tax_saving
from yanzhi.ingest.policyfile import read_rules
from yanzhi.services.enterprises.taxyear import hightech_in

RULES = read_rules()
YEARS = range(2019, 2027)

# expected (rule code, extra deduction on 1,000 万元 expensed R&D) per year
MANUFACTURER = {  # 通用设备 3411
    **{y: ("SD_2018_75", 750.0) for y in (2019, 2020)},
    **{y: ("SD_2021_MFG_100", 1000.0) for y in (2021, 2022)},
    **{y: ("SUPER_DEDUCTION", 1000.0) for y in range(2023, 2027)},
}
TECH_SME = {  # 软件开发 6511, 科技型中小企业, not a manufacturer
    **{y: ("SD_2018_75", 750.0) for y in (2019, 2020, 2021)},
    2022: ("SD_2022_TECH_SME_100", 1000.0),
    **{y: ("SUPER_DEDUCTION", 1000.0) for y in range(2023, 2027)},
}
IC = {  # 集成电路制造 3973 on the 2023年第44号 list
    **{y: ("SD_2018_75", 750.0) for y in (2019, 2020)},
    **{y: ("SD_2021_MFG_100", 1000.0) for y in (2021, 2022)},
    **{y: ("SUPER_DEDUCTION_IC_MACHINE", 1200.0) for y in range(2023, 2027)},
}


def _year(year, code="3411", **kw):
    return EnterpriseYear(year, code, expensed_rd=kw.pop("expensed_rd", 1000), **kw)


@pytest.mark.parametrize(
    ("expected", "kw"),
    [
        (MANUFACTURER, {}),
        (TECH_SME, {"code": "6511", "tech_sme": True}),
        (IC, {"code": "3973", "flags": frozenset({"ic_or_machine_tool"})}),
    ],
    ids=["manufacturer", "tech_sme", "ic"],
)
def test_rule_in_force_each_year(expected, kw):
    for year in YEARS:
        b = super_deduction(RULES, _year(year, **dict(kw)))
        assert (b.rule, b.details["extra_deduction"]) == expected[year], year
        # standard rate 25 %: saving = extra × 25 %
        assert b.amount == expected[year][1] * 0.25
        assert b.source and b.applied[0]["source"] == b.source


def test_excluded_industry_every_year():
    # 卷烟制造 1620 (烟草制品业, 财税〔2015〕119号 第四条): never eligible
    for year in YEARS:
        b = super_deduction(RULES, _year(year, "1620"))
        assert (b.eligible, b.amount, b.status, b.rule) == (
            False,
            0.0,
            "not_eligible",
            "SD_EXCLUDED_INDUSTRIES",
        )
        assert "119号" in b.source


def test_2022_fourth_quarter_rule_for_other_enterprises():
    # 2022年第28号, hand-computed: a non-manufacturer, not a 科技型中小企业, 1,200 万元 in
    # 2022 averaged by month: 1–9月 900 × 75 % = 675, 10–12月 300 × 100 % = 300 → 975;
    # saving at 25 % = 243.75
    b = super_deduction(RULES, _year(2022, "6511", expensed_rd=1200))
    assert b.details["extra_deduction"] == 975.0 and b.amount == 243.75
    assert [(a["rule"], a["months"]) for a in b.applied] == [
        ("SD_2018_75", "1–9月"),
        ("SD_2022_Q4_100", "10–12月"),
    ]
    assert "28号" in b.source and "99号" in b.source


def test_intangible_assets_amortised_at_the_enhanced_rate():
    # hand-computed: 50 万元 amortised in the year; 2019 at 175 % → extra 37.5;
    # 2024 at 200 % → extra 50; 2024 IC enterprise at 220 % → extra 60
    b = super_deduction(RULES, _year(2019, expensed_rd=0, intangible_amortisation=50))
    assert b.details["extra_from_amortisation"] == 37.5
    b = super_deduction(RULES, _year(2024, expensed_rd=0, intangible_amortisation=50))
    assert b.details["extra_from_amortisation"] == 50.0
    ic = _year(
        2024,
        "3973",
        expensed_rd=0,
        intangible_amortisation=50,
        flags=frozenset({"ic_or_machine_tool"}),
    )
    assert super_deduction(RULES, ic).details["extra_from_amortisation"] == pytest.approx(60.0)


def test_other_related_costs_capped_at_ten_percent():
    # 2021年第28号 formula, hand-computed: first five items 900, other related costs 150 →
    # cap 900 × 10 % ÷ 90 % = 100; deductible 900 + 100 = 1,000 (of 1,050)
    e = _year(2024, expensed_rd=1050, other_related_costs=150, outsourced_domestic=0)
    base, missing, info = deductible_base(RULES, e)
    assert (round(base, 6), missing, round(info["other_costs_cap"], 6)) == (1000.0, [], 100.0)
    # under the cap nothing changes: others 80 ≤ 970 × 10/90 = 107.78
    e = _year(2024, expensed_rd=1050, other_related_costs=80, outsourced_domestic=0)
    assert deductible_base(RULES, e)[0] == 1050.0


def test_outsourced_domestic_rd_counts_at_eighty_percent():
    # 委托境内研发 100 of 1,000 → counts 80: deductible 980, extra 980, saving 245 (25 %)
    e = _year(2024, expensed_rd=1000, outsourced_domestic=100, other_related_costs=0)
    b = super_deduction(RULES, e)
    assert (b.details["deductible_base"], b.amount) == (980.0, 245.0)
    assert b.status == "partial"  # taxable income and small-low-profit inputs still missing


def test_missing_breakdown_is_named_not_guessed():
    b = super_deduction(RULES, _year(2024))
    assert b.status == "partial" and b.amount == 250.0
    text = "".join(b.missing)
    assert "委托境内研发" in text and "其他相关费用" in text and "从业人数" in text


def test_small_low_profit_only_when_its_thresholds_hold():
    ok = {"employees": 50, "total_assets": 1000}
    # 2019 (财税〔2019〕13号), hand-computed: taxable income 200 → tax 100 × 5 % + 100 × 10 %
    # = 15; after an extra deduction of 100 → 100 × 5 % = 5; saving 10
    saving, info = tax_saving(RULES, _year(2019, taxable_income=200, **ok), 100)
    assert (round(saving, 6), info["small_low_profit"]) == (10.0, True)
    # 2022 (2021年第12号, 2022年第13号): 100 × 2.5 % + 100 × 5 % = 7.5 → 2.5; saving 5
    assert round(tax_saving(RULES, _year(2022, taxable_income=200, **ok), 100)[0], 6) == 5.0
    # 2024: taxable income 350 is above the 300 threshold → 25 %: 87.5; after 100 of
    # deduction 250 ≤ 300 → 5 %: 12.5; saving 75 (the threshold is read from the rule file)
    assert round(tax_saving(RULES, _year(2024, taxable_income=350, **ok), 100)[0], 6) == 75.0
    # 400 employees: not small-low-profit → 100 × 25 % = 25
    big = _year(2024, taxable_income=200, employees=400, total_assets=1000)
    assert small_low_profit_status(RULES, big)[0] is False
    assert tax_saving(RULES, big, 100)[0] == 25.0
    # employees unknown: status unknown with the reason, computed at 25 %
    unknown = _year(2024, taxable_income=200, total_assets=1000)
    status, why = small_low_profit_status(RULES, unknown)
    assert status is None and "从业人数" in why
    assert tax_saving(RULES, unknown, 100)[0] == 25.0


def test_hightech_status_follows_the_certificate():
    # a certificate issued in 2020 is valid for 2020–2022 (three years)
    flagged = {"hightech": True, "hightech_cert_year": 2020}
    assert [hightech_in(flagged, y, 3)[0] for y in range(2019, 2025)] == [
        False,
        True,
        True,
        True,
        False,
        False,
    ]
    assert hightech_in({"hightech": False, "hightech_cert_year": 2020}, 2021, 3) == (False, None)
    # 高企 at 15 %: 1,000 × 100 % × 15 % = 150
    assert super_deduction(RULES, _year(2024, hightech=True)).amount == 150.0


def test_every_super_deduction_rule_names_its_document_and_example():
    for r in RULES.rules:
        if r.kind in {"super_deduction", "excluded_industries", "rd_cost_limits", "tax_rate"}:
            assert r.source and r.example and r.note, r.code
            assert "号" in r.source or "法" in r.source, r.code


# -- worked examples of 《研发费用加计扣除政策执行指引(2.0版)》 (税务总局所得税司、科技部政策法规
# 与创新体系建设司, 2023年7月), quoted in the rule file's examples --------------------------


def test_guide_example_other_related_costs_limit():
    # 指引 第四部分(二)3: 甲企业2023年, A项目五项费用 88、其他相关费用 12; B项目 84、8.
    # 限额 (88 + 84) × 10% ÷ (1 − 10%) = 19.11 < 20 → 允许加计扣除的研发费用 191.11,
    # 加计扣除额 191.11 × 100% = 191.11 (万元)
    e = _year(2023, expensed_rd=88 + 12 + 84 + 8, other_related_costs=12 + 8, outsourced_domestic=0)
    base, missing, info = deductible_base(RULES, e)
    assert (round(info["other_costs_cap"], 2), round(base, 2), missing) == (19.11, 191.11, [])
    b = super_deduction(RULES, e)
    assert round(b.details["extra_deduction"], 2) == 191.11 and b.rule == "SUPER_DEDUCTION"
    limits = next(r for r in RULES.rules if r.code == "SD_COST_LIMITS")
    assert "19.11" in limits.example and "191.11" in limits.example
    assert "2021年第28号 第三条" in limits.source


def test_guide_example_outsourced_to_a_related_party():
    # 指引 第四部分(二)6: A企业2023年委托关联企业B研发, 支付 100 万元 →
    # 可加计扣除 100 × 80% × 100% = 80 万元
    e = _year(2023, expensed_rd=100, outsourced_domestic=100, other_related_costs=0)
    b = super_deduction(RULES, e)
    assert (b.details["deductible_base"], b.details["extra_deduction"]) == (80.0, 80.0)
    limits = next(r for r in RULES.rules if r.code == "SD_COST_LIMITS")
    assert "100 × 80% × 100% = 80" in limits.example


def test_guide_example_government_subsidy_netted():
    # 指引 第四部分(三)3: 研发费用 200, 政府补助 50 冲减 → 会计研发费用 150,
    # 加计扣除 150 × 100% = 150 (the R&D reported is the net figure)
    b = super_deduction(RULES, _year(2023, expensed_rd=200 - 50))
    assert b.details["extra_deduction"] == 150.0
    assert "150 × 100% = 150" in next(r for r in RULES.rules if r.code == "SUPER_DEDUCTION").example


def test_hightech_unknown_is_said_and_counted_at_the_standard_rate():
    b = super_deduction(RULES, _year(2024, hightech=None))
    assert b.amount == 250.0 and b.status == "partial"
    assert any("无法判断是否为高新技术企业" in m for m in b.missing)
