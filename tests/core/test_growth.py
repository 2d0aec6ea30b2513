"""Growth on levels and on the comparable basis (matched panel), on a hand-built panel where
the two differ by a known amount."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from yanzhi.core.growth import growth_rate, matched_growth, matched_panel

# A, B, C report in both years; D enters (first report this year); E left; F reports 0 in
# both years (matched: zero is a value); G left its value empty last year (not matched).
PREVIOUS = {"A": 100.0, "B": 200.0, "C": 100.0, "E": 100.0, "F": 0.0, "G": None}
CURRENT = {"A": 110.0, "B": 220.0, "C": 110.0, "D": 100.0, "F": 0.0, "G": 50.0}


def test_level_and_comparable_growth_differ_by_the_entrants_and_leavers() -> None:
    level = growth_rate(
        sum(v for v in CURRENT.values() if v), sum(v for v in PREVIOUS.values() if v)
    )
    assert level == pytest.approx((590 - 500) / 500)  # 18.0 %: D and G's new value count
    m = matched_growth(CURRENT, PREVIOUS)
    assert (m.current, m.previous, m.enterprises) == (440.0, 400.0, 4)  # A B C F
    assert m.growth == pytest.approx(0.10)
    assert level - m.growth == pytest.approx(0.08)


def test_growth_rate_refuses_a_zero_or_missing_base() -> None:
    assert growth_rate(5.0, 0.0) is None
    assert growth_rate(None, 3.0) is None
    assert growth_rate(3.0, float("nan")) is None
    assert growth_rate(-1.0, -2.0) == pytest.approx(0.5)  # relative to |previous|


def test_no_matched_enterprise_gives_no_growth() -> None:
    m = matched_growth({"A": 1.0}, {"B": 1.0})
    assert (m.enterprises, m.growth) == (0, None)


def _frame(values: dict[str, float | None], township: dict[str, str], period: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": list(values),
            "period": period,
            "township_code": [township[k] for k in values],
            "rd_expense": list(values.values()),
        }
    )


def test_the_panel_counts_last_year_in_this_years_township() -> None:
    now = _frame({"A": 110.0, "B": 220.0, "D": 5.0}, {"A": "t2", "B": "t1", "D": "t1"}, "y1")
    before = _frame({"A": 100.0, "B": 200.0, "E": 9.0}, {"A": "t1", "B": "t1", "E": "t1"}, "y0")
    panel = matched_panel(now, before, key="enterprise_id", carry=["township_code"])
    assert sorted(panel["enterprise_id"]) == ["A", "A", "B", "B"]
    last = panel[panel["period"] == "y0"].set_index("enterprise_id")
    assert last.loc["A", "township_code"] == "t2"  # A moved to t2: counted there both years
    assert last.loc["A", "rd_expense"] == 100.0  # values stay last year's
    sums = panel.groupby(["township_code", "period"])["rd_expense"].sum()
    assert sums[("t2", "y1")] / sums[("t2", "y0")] - 1 == pytest.approx(0.10)


def test_a_duplicated_enterprise_is_refused() -> None:
    now = _frame({"A": 1.0}, {"A": "t"}, "y1")
    with pytest.raises(ValueError, match="重复"):
        matched_panel(pd.concat([now, now]), now, key="enterprise_id", carry=[])


@given(
    # amounts in 万元: no subnormal floats (5e-324 × 1.5 rounds to 5e-324 again)
    st.dictionaries(
        st.sampled_from("ABCDEFGH"),
        st.floats(0, 1e6, allow_nan=False, allow_subnormal=False),
        min_size=1,
    ),
    st.floats(0.5, 2.0),
)
def test_a_common_factor_on_the_same_panel_is_the_growth(
    previous: dict[str, float], factor: float
) -> None:
    current = {k: v * factor for k, v in previous.items()}
    current["NEW"] = 1e9  # an entrant changes the level, never the comparable growth
    m = matched_growth(current, previous)
    assert m.enterprises == len(previous)
    if sum(previous.values()) > 0:
        assert m.growth is not None
        assert math.isclose(m.growth, factor - 1, rel_tol=1e-9, abs_tol=1e-9)
