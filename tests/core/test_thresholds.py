"""The 5 % and 3.4 % thresholds: exact, boundary included, one definition (issue #15)."""

from fractions import Fraction

import numpy as np
import polars as pl
import pytest

from yanzhi.core import thresholds
from yanzhi.core.diagnosis import gaps
from yanzhi.core.policy import EnterpriseYear, priority
from yanzhi.ingest.policyfile import read_rules


@pytest.mark.parametrize(
    ("rd", "revenue", "expected"),
    [
        (5.0, 100.0, True),  # exactly 5 %: 以上 includes it
        (0.15, 3.0, True),  # 0.05 * 3 = 0.15000000000000002 in floating point
        (4.9999, 100.0, False),
        (5.0001, 100.0, True),
        (1.0, 0.0, False),
        (1.0, -5.0, False),
        (None, 100.0, False),
        (float("nan"), 100.0, False),
    ],
)
def test_priority_boundary(rd, revenue, expected):
    assert thresholds.meets(rd, revenue, thresholds.PRIORITY) is expected
    assert 0.05 * 3 > 0.15  # why floating point is not used
    arr = thresholds.meets_many(
        np.array([np.nan if rd is None else rd]), np.array([revenue]), thresholds.PRIORITY
    )
    assert arr.tolist() == [expected]
    frame = pl.DataFrame(
        {"rd": [rd], "rev": [revenue]}, schema={"rd": pl.Float64, "rev": pl.Float64}
    )
    got = frame.select(thresholds.meets_expr(pl.col("rd"), pl.col("rev"), 0.05).fill_null(False))
    assert got.to_series().to_list() == [expected]


def test_plan_target_boundary_and_the_diagnosis_uses_it():
    assert thresholds.meets(3.4, 100.0, thresholds.PLAN_TARGET)
    assert not thresholds.meets(3.3999, 100.0, thresholds.PLAN_TARGET)
    g = gaps(0.102, 3.0)  # 3.4 % of 3.0 exactly
    assert g["to_3.4pct"]["reached"] and not g["to_5pct"]["reached"]
    assert thresholds.as_fraction(0.034) == Fraction(17, 500)
    assert thresholds.percent_text(thresholds.PLAN_TARGET) == "3.4%"


def test_policy_priority_includes_exactly_five_percent():
    rules = read_rules()
    e = EnterpriseYear(year=2025, industry_code="3911", expensed_rd=0.15, revenue=3.0)
    b = priority(rules, e)
    assert b.eligible and "≥ 5%" in b.explanation
