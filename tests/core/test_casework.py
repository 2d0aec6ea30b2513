"""The 诊断+提升 ranking rule and the effect, on hand-built inputs with known answers."""

import math

import pandas as pd
import pytest

from yanzhi.core import casework as cw


def test_the_ranking_rule_scores_a_hand_built_case():
    frame = pd.DataFrame(
        {
            "uscc": ["A", "B", "C", "D"],
            "rd_expense": [0.0, 200.0, 40.0, 600.0],  # 万元
            "operating_revenue": [10000.0, 5000.0, 1000.0, 10000.0],
            "rd_expense_previous": [50.0, 250.0, 30.0, 500.0],
            "has_rd_institution": [False, True, None, False],
            "claimed_deduction": [None, False, None, True],
        }
    )
    r = cw.rank(frame).set_index("uscc")
    assert "D" not in r.index  # 6 % is above 5 %: no gain, not ranked
    # A: 0 % → 3.4 % of 10,000 = 340; stopped R&D; no institution; deduction unknown
    assert r.loc["A", "gain_to_34"] == pytest.approx(340.0)
    assert r.loc["A", "gain_to_5"] == pytest.approx(500.0)
    top_gain = math.log1p(340.0)
    top_size = math.log1p(10000.0)
    assert r.loc["A", "p_gain"] == pytest.approx(40.0, abs=0.01)
    assert r.loc["A", "p_size"] == pytest.approx(15.0, abs=0.01)
    assert r.loc["A", "score"] == pytest.approx(40 + 15 + 20 + 15, abs=0.01)
    # B: 4 % has reached 3.4 %: its gain is to 5 %, 250 − 200 = 50; fell; never claimed
    assert r.loc["B", "gain_to_34"] == 0.0
    assert r.loc["B", "gain_to_5"] == pytest.approx(50.0)
    b = 40 * math.log1p(50.0) / top_gain + 15 * math.log1p(5000.0) / top_size + 20 + 0 + 10
    assert r.loc["B", "score"] == pytest.approx(b, abs=0.01)
    # C: 4 % of 1,000, gain to 5 % is 10; rising; institution unknown (0 points)
    c = 40 * math.log1p(10.0) / top_gain + 15 * math.log1p(1000.0) / top_size
    assert r.loc["C", "score"] == pytest.approx(c, abs=0.01)
    assert list(r.sort_values("rank").index) == ["A", "B", "C"]
    assert r.loc["A", "reason"] == (
        "研发强度0.00%；距3.4%需增加研发投入340.0万元；营业收入1.00亿元；研发投入中断；"
        "无研发机构；加计扣除情况未知"
    )
    assert "已达3.4%，距5%需增加研发投入50.0万元" in r.loc["B", "reason"]
    assert "未享受加计扣除" in r.loc["B", "reason"]
    assert sum(cw.WEIGHTS.values()) == 100


def test_the_effect_is_the_difference_in_differences_by_district():
    rows = [
        # district X, small, band 1–3.4 %: treated +1.0 and +2.0 pp, controls +0.5 and −0.5
        ("X", "S", 0.02, 0.03, True),
        ("X", "S", 0.02, 0.04, True),
        ("X", "S", 0.02, 0.025, False),
        ("X", "S", 0.02, 0.015, False),
        # district Y: treated +1.0 pp against a control of +0.4 pp; one treated unmatched
        ("Y", "M", 0.005, 0.015, True),
        ("Y", "M", 0.005, 0.009, False),
        ("Y", "L", 0.04, 0.05, True),
        # no data after: left out
        ("Y", "M", 0.005, None, False),
    ]
    panel = pd.DataFrame(rows, columns=["district", "size_class", "before", "after", "treated"])
    e = cw.effect(panel).set_index(pd.Series(["X", "Y", "all"]))
    assert e.loc["X", "treated_change_pp"] == pytest.approx(1.5)
    assert e.loc["X", "control_change_pp"] == pytest.approx(0.0)
    assert e.loc["X", "effect_pp"] == pytest.approx(1.5)
    assert e.loc["Y", "matched"] == 1 and e.loc["Y", "unmatched"] == 1
    assert e.loc["Y", "effect_pp"] == pytest.approx(1.0 - 0.4)
    assert e.loc["all", "matched"] == 3
    assert e.loc["all", "effect_pp"] == pytest.approx((1.0 + 2.0 + 1.0) / 3 - (0 + 0 + 0.4) / 3)
    assert e.loc["all", "controls"] == 3


def test_the_catalogue_holds_the_five_actions():
    assert [a.zh for a in cw.ACTIONS] == [
        "规范建账",
        "设立研发机构",
        "申报高企/科技型中小企业",
        "申请加计扣除",
        "研发准备金",
    ]
    with pytest.raises(ValueError):
        cw.due_days("nothing")
