"""Gap attribution: a hand-computed example, entry/exit, and the adding-up properties."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yanzhi.core.attribution import (
    Attribution,
    AttributionInputError,
    decompose,
    top_contributors,
)

R, Y = "rd_expense", "operating_revenue"


def frame(rows: Sequence[tuple[object, ...]], by: str = "district") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[by, R, Y])


# Hand-computed example, two districts A and B (R = R&D expense, Y = revenue):
#
#   period 0: A  R=2   Y=100  i=0.02    B  R=6   Y=100  i=0.06
#             ΣR=8, ΣY=200, I0 = 0.04;  shares s0 = (0.5, 0.5)
#   period 1: A  R=3   Y=100  i=0.03    B  R=18  Y=300  i=0.06
#             ΣR=21, ΣY=400, I1 = 0.0525; shares s1 = (0.25, 0.75)
#   ΔI = 0.0525 − 0.04 = 0.0125 (1.25 percentage points)
#
# Symmetric (within = s̄·Δi, structure = ī·Δs):
#   A: s̄ = 0.375, Δi = 0.01  → within    = 0.00375
#      ī = 0.025, Δs = −0.25 → structure = −0.00625    total A = −0.0025
#      check: s1·i1 − s0·i0 = 0.25·0.03 − 0.5·0.02 = 0.0075 − 0.01 = −0.0025 ✓
#   B: s̄ = 0.625, Δi = 0     → within    = 0
#      ī = 0.06,  Δs = +0.25 → structure = 0.015       total B = 0.015
#      check: 0.75·0.06 − 0.5·0.06 = 0.045 − 0.03 = 0.015 ✓
#   totals: within 0.00375 + structure 0.00875 = 0.0125 = ΔI ✓
#   share of ΔI: A −0.0025/0.0125 = −0.2, B 0.015/0.0125 = 1.2
#
# Three-part (within = s0·Δi, structure = i0·Δs, interaction = Δs·Δi):
#   A: within 0.5·0.01 = 0.005; structure 0.02·(−0.25) = −0.005;
#      interaction (−0.25)·0.01 = −0.0025                total A = −0.0025
#   B: within 0.5·0 = 0; structure 0.06·0.25 = 0.015; interaction 0.25·0 = 0
#   totals: within 0.005 + structure 0.01 + interaction −0.0025 = 0.0125 ✓
HAND0 = frame([("A", 2.0, 100.0), ("B", 6.0, 100.0)])
HAND1 = frame([("A", 3.0, 100.0), ("B", 18.0, 300.0)])


def test_hand_example_symmetric() -> None:
    a = decompose(HAND0, HAND1, by="district")
    assert a.method == "symmetric" and a.interaction is None
    assert a.intensity0 == pytest.approx(0.04) and a.intensity1 == pytest.approx(0.0525)
    assert a.change == pytest.approx(0.0125)
    assert a.within == pytest.approx(0.00375) and a.structure == pytest.approx(0.00875)
    g = a.to_frame().set_index("district")
    assert "interaction" not in g.columns
    assert list(g["s0"]) == [0.5, 0.5] and list(g["s1"]) == [0.25, 0.75]
    assert g.loc["A", "within"] == pytest.approx(0.00375)
    assert g.loc["A", "structure"] == pytest.approx(-0.00625)
    assert g.loc["B", "within"] == 0.0
    assert g.loc["B", "structure"] == pytest.approx(0.015)
    assert list(g["total"]) == pytest.approx([-0.0025, 0.015])
    assert list(g["share_of_change"]) == pytest.approx([-0.2, 1.2])
    assert list(g["status"]) == ["continuing", "continuing"]


def test_hand_example_three_part_in_percentage_points() -> None:
    a = decompose(HAND0, HAND1, by="district", method="three_part", factor=100)
    assert a.change == pytest.approx(1.25)
    assert a.within == pytest.approx(0.5)
    assert a.structure == pytest.approx(1.0)
    assert a.interaction == pytest.approx(-0.25)
    g = a.to_frame().set_index("district")
    assert list(g["i0"]) == pytest.approx([2.0, 6.0]) and list(g["i1"]) == pytest.approx([3.0, 6.0])
    assert list(g["within"]) == pytest.approx([0.5, 0.0])
    assert list(g["structure"]) == pytest.approx([-0.5, 1.5])
    assert list(g["interaction"]) == pytest.approx([-0.25, 0.0])
    assert list(g["share_of_change"]) == pytest.approx([-0.2, 1.2])  # not scaled by factor


def test_entry_and_exit() -> None:
    # A continues (as in the hand example); C exits (R=4, Y=100 in period 0 only);
    # D enters (R=12, Y=300 in period 1 only). I0 = 6/200 = 0.03, I1 = 15/400 = 0.0375.
    # A: −0.0025 (as above); C: structure = 0 − 0.5·0.04 = −0.02; D: 0.75·0.04 = 0.03.
    # Σ = −0.0025 − 0.02 + 0.03 = 0.0075 = ΔI.
    f0 = frame([("A", 2.0, 100.0), ("C", 4.0, 100.0)])
    f1 = frame([("A", 3.0, 100.0), ("D", 12.0, 300.0)])
    for method in ("symmetric", "three_part"):
        a = decompose(f0, f1, by="district", method=method)
        g = a.to_frame().set_index("district")
        assert list(g.index) == ["A", "C", "D"]
        assert list(g["status"]) == ["continuing", "exit", "entry"]
        assert g.loc["C", "within"] == 0.0 and g.loc["D", "within"] == 0.0
        assert g.loc["C", "structure"] == pytest.approx(-0.02)
        assert g.loc["D", "structure"] == pytest.approx(0.03)
        assert math.isnan(g.loc["C", "i1"]) and math.isnan(g.loc["D", "i0"])
        assert g.loc["C", "s1"] == 0.0 and g.loc["D", "s0"] == 0.0
        assert a.change == pytest.approx(0.0075)
        assert a.parts_sum == pytest.approx(a.change, abs=1e-15)
        if method == "three_part":
            assert g.loc["C", "interaction"] == 0.0 and g.loc["D", "interaction"] == 0.0


def test_group_with_zero_revenue_rows_is_entry() -> None:
    # a group listed in both periods but with Y = 0 in period 0 counts as an entry
    f0 = frame([("A", 2.0, 100.0), ("D", 0.0, 0.0)])
    f1 = frame([("A", 3.0, 100.0), ("D", 12.0, 300.0)])
    g = decompose(f0, f1, by="district").to_frame().set_index("district")
    assert g.loc["D", "status"] == "entry"
    assert g.loc["D", "within"] == 0.0
    assert g.loc["D", "structure"] == pytest.approx(0.75 * 0.04)


def test_enterprise_rows_are_summed_per_group_and_json_safe() -> None:
    # same totals as the hand example, split over several enterprises
    e0 = pd.DataFrame(
        {
            "uscc": ["e1", "e2", "e3"],
            "district": ["A", "A", "B"],
            R: [1.0, 1.0, 6.0],
            Y: [50.0, 50.0, 100.0],
        }
    )
    e1 = pd.DataFrame(
        {
            "uscc": ["e1", "e3", "e4"],
            "district": ["A", "B", "B"],
            R: [3.0, 9.0, 9.0],
            Y: [100.0, 150.0, 150.0],
        }
    )
    a = decompose(e0, e1, by="district")
    ref = decompose(HAND0, HAND1, by="district")
    pd.testing.assert_frame_equal(a.to_frame(), ref.to_frame())
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert d["by"] == "district" and d["interaction"] is None
    assert [g["district"] for g in d["groups"]] == ["A", "B"]
    assert d["change"] == pytest.approx(0.0125)


def test_zero_change_gives_no_share() -> None:
    f = frame([("A", 2.0, 100.0), ("B", 6.0, 100.0)])
    a = decompose(f, f, by="district")
    assert a.change == 0.0 and a.within == 0.0 and a.structure == 0.0
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert all(g["share_of_change"] is None for g in d["groups"])


def test_top_contributors_hand_example() -> None:
    # ΣY0 = 200, ΣY1 = 400. Contribution = R1/400 − R0/200:
    #   e1: 3/400 − 1/200 = 0.0025;  e2: 0 − 1/200 = −0.005;  e3: 9/400 − 6/200 = −0.0075;
    #   e4: 9/400 − 0 = 0.0225.  Σ = 0.0125 = ΔI.
    e0 = pd.DataFrame(
        {"uscc": ["e1", "e2", "e3"], "district": ["A", "A", "B"], R: [1, 1, 6], Y: [50, 50, 100]}
    )
    e1 = pd.DataFrame(
        {"uscc": ["e1", "e3", "e4"], "district": ["A", "B", "B"], R: [3, 9, 9], Y: [100, 150, 150]}
    )
    c = top_contributors(e0, e1, n=1, group="district", factor=100)
    assert list(c.positive["uscc"]) == ["e4"] and list(c.negative["uscc"]) == ["e3"]
    assert c.positive.loc[0, "contribution"] == pytest.approx(2.25)
    assert c.negative.loc[0, "contribution"] == pytest.approx(-0.75)
    t = c.to_frame().set_index("uscc")
    assert t.loc["e2", "district"] == "A" and t.loc["e2", "status"] == "exit"
    assert t.loc["e4", "status"] == "entry"
    assert list(c.to_frame()["uscc"]) == ["e4", "e1", "e2", "e3"]
    assert math.fsum(t["contribution"]) == pytest.approx(c.change) == pytest.approx(1.25)
    d = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert d["n_enterprises"] == 4 and d["positive"][0]["uscc"] == "e4"
    assert d["negative"][0]["district"] == "B" and d["negative"][0]["i1"] == pytest.approx(6.0)
    two = top_contributors(e0, e1, n=2)
    assert list(two.negative["uscc"]) == ["e3", "e2"] and "district" not in two.table.columns


@pytest.mark.parametrize(
    ("f0", "kwargs", "rule"),
    [
        (frame([("A", 1.0, 10.0)]).drop(columns=[R]), {}, "missing_column"),
        (frame([("A", 1.0, -10.0)]), {}, "negative_value"),
        (frame([("A", -1.0, 10.0)]), {}, "negative_value"),
        (frame([("A", float("nan"), 10.0)]), {}, "not_finite"),
        (frame([("A", "x", 10.0)]), {}, "not_finite"),
        (frame([(None, 1.0, 10.0)]), {}, "missing_key"),
        (frame([("A", 1.0, 0.0)]), {}, "zero_total"),
        (frame([]), {}, "zero_total"),
        ("not a frame", {}, "not_a_frame"),
        (HAND0, {"method": "other"}, "unknown_method"),
        (HAND0, {"factor": 0}, "bad_factor"),
    ],
)
def test_bad_input_is_refused_in_both_languages(f0: object, kwargs: dict, rule: str) -> None:
    with pytest.raises(AttributionInputError) as info:
        decompose(f0, HAND1, by="district", **kwargs)
    err = info.value
    assert err.rule == rule and err.message_zh and err.message_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message_zh)
    assert err.message_zh in str(err) and err.message_en in str(err)


def test_bad_input_names_frame_and_column() -> None:
    with pytest.raises(AttributionInputError, match="frame1") as info:
        decompose(HAND0, frame([("A", 1.0, -5.0)]), by="district")
    assert info.value.frame == "frame1" and info.value.column == Y
    with pytest.raises(AttributionInputError) as info:
        decompose(HAND0, HAND1, by="township")
    assert info.value.rule == "missing_column" and "township" in info.value.message_en


def test_top_contributors_bad_input() -> None:
    e = pd.DataFrame({"uscc": ["e1", "e1"], "town": ["t1", "t2"], R: [1, 1], Y: [5, 5]})
    with pytest.raises(AttributionInputError) as info:
        top_contributors(e, e, group="town")
    assert info.value.rule == "ambiguous_group"
    with pytest.raises(AttributionInputError) as info:
        top_contributors(e, e, group="district")
    assert info.value.rule == "missing_column"
    with pytest.raises(AttributionInputError) as info:
        top_contributors(e, e, n=-1)
    assert info.value.rule == "bad_n"


# ---- properties -------------------------------------------------------------------------

value = st.floats(min_value=0.0, max_value=1e4, allow_subnormal=False)
revenue = st.floats(min_value=1.0, max_value=1e6)
# per group: (R0, Y0) or None (absent), (R1, Y1) or None
group_rows = st.tuples(st.none() | st.tuples(value, revenue), st.none() | st.tuples(value, revenue))


@st.composite
def two_periods(draw: st.DrawFn, *, entry_exit: bool = True) -> tuple[pd.DataFrame, ...]:
    if entry_exit:
        spec = draw(st.lists(group_rows, min_size=1, max_size=12))
    else:
        pair = st.tuples(value, revenue)
        spec = draw(st.lists(st.tuples(pair, pair), min_size=1, max_size=12))
    rows0 = [(f"g{k}", *p0) for k, (p0, _) in enumerate(spec) if p0 is not None]
    rows1 = [(f"g{k}", *p1) for k, (_, p1) in enumerate(spec) if p1 is not None]
    rows0 = rows0 or [("g_only0", 1.0, 10.0)]
    rows1 = rows1 or [("g_only1", 2.0, 10.0)]
    return frame(rows0), frame(rows1)


def tolerance(a: Attribution) -> float:
    """'Exact' = within 1e-12 of the magnitude of the terms summed (plus an underflow floor)."""
    g = a.to_frame()
    parts = [c for c in ("within", "structure", "interaction") if c in g.columns]
    size = max(abs(a.intensity0), abs(a.intensity1), float(g[parts].abs().to_numpy().sum()))
    return 1e-12 * size + 1e-300


@settings(max_examples=300, deadline=None)
@given(two_periods(), st.sampled_from(["symmetric", "three_part"]))
def test_parts_sum_to_the_change(frames: tuple[pd.DataFrame, ...], method: str) -> None:
    a = decompose(frames[0], frames[1], by="district", method=method)  # type: ignore[arg-type]
    tol = tolerance(a)
    assert abs(a.parts_sum - a.change) <= tol
    g = a.to_frame()
    assert abs(math.fsum(g["total"]) - a.change) <= tol
    parts = ["within", "structure"] + (["interaction"] if method == "three_part" else [])
    assert np.allclose(g[parts].sum(axis=1), g["total"], rtol=0, atol=tol)
    assert math.fsum(g["s0"]) == pytest.approx(1.0) and math.fsum(g["s1"]) == pytest.approx(1.0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 0.2, allow_subnormal=False), revenue, revenue
        ),  # (intensity, Y0, Y1)
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["symmetric", "three_part"]),
)
def test_within_is_zero_when_intensities_are_unchanged(
    groups: list[tuple[float, float, float]], method: str
) -> None:
    f0 = frame([(f"g{k}", i * y0, y0) for k, (i, y0, _) in enumerate(groups)])
    f1 = frame([(f"g{k}", i * y1, y1) for k, (i, _, y1) in enumerate(groups)])
    a = decompose(f0, f1, by="district", method=method)  # type: ignore[arg-type]
    tol = tolerance(a)
    assert abs(a.within) <= tol and abs(a.interaction or 0.0) <= tol
    assert abs(a.structure - a.change) <= tol


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(value, value, revenue), min_size=1, max_size=12),  # (R0, R1, Y0)
    st.integers(-3, 3),
    st.sampled_from(["symmetric", "three_part"]),
)
def test_structure_is_zero_when_shares_are_unchanged(
    groups: list[tuple[float, float, float]], power: int, method: str
) -> None:
    k = 2.0**power  # every revenue scaled by the same power of two: shares identical
    f0 = frame([(f"g{j}", r0, y0) for j, (r0, _, y0) in enumerate(groups)])
    f1 = frame([(f"g{j}", r1, y0 * k) for j, (_, r1, y0) in enumerate(groups)])
    a = decompose(f0, f1, by="district", method=method)  # type: ignore[arg-type]
    tol = tolerance(a)
    assert abs(a.structure) <= tol and abs(a.interaction or 0.0) <= tol
    assert abs(a.within - a.change) <= tol


enterprise = st.tuples(
    st.integers(0, 30), st.sampled_from(["A", "B", "C"]), value, st.floats(0.0, 1e6)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(enterprise, min_size=1, max_size=40),
    st.lists(enterprise, min_size=1, max_size=40),
)
def test_enterprise_contributions_sum_to_the_change(
    rows0: list[tuple[int, str, float, float]], rows1: list[tuple[int, str, float, float]]
) -> None:
    cols = ["uscc", "district", R, Y]
    e0, e1 = pd.DataFrame(rows0, columns=cols), pd.DataFrame(rows1, columns=cols)
    e0[Y] += 1.0  # ΣY > 0 in both periods
    e1[Y] += 1.0
    c = top_contributors(e0, e1, n=5)
    total = math.fsum(c.table["contribution"])
    assert abs(total - c.change) <= 1e-12 * max(c.intensity0, c.intensity1) + 1e-300
    # and the same change as the group decomposition
    a = decompose(e0, e1, by="district")
    assert c.change == a.change
    assert len(c.positive) <= 5 and (c.positive["contribution"] > 0).all()
    assert (c.negative["contribution"] < 0).all()
    assert list(c.positive["contribution"]) == sorted(c.positive["contribution"], reverse=True)
    assert list(c.negative["contribution"]) == sorted(c.negative["contribution"])


@settings(max_examples=100, deadline=None)
@given(st.lists(enterprise, min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(
    rows: list[tuple[int, str, float, float]], rnd: object
) -> None:
    cols = ["uscc", "district", R, Y]
    e0 = pd.DataFrame(rows, columns=cols)
    e0[Y] += 1.0
    e1 = e0.assign(**{R: e0[R] * 1.5 + 1.0, Y: e0[Y][::-1].to_numpy()})
    shuffled = list(range(len(e0)))
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    p0, p1 = e0.iloc[shuffled], e1.iloc[shuffled[::-1]]
    for method in ("symmetric", "three_part"):
        a = decompose(e0, e1, by="district", method=method)
        b = decompose(p0, p1, by="district", method=method)
        pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
        assert a.to_dict() == b.to_dict()
    c, d = top_contributors(e0, e1), top_contributors(p0, p1)
    pd.testing.assert_frame_equal(c.to_frame(), d.to_frame(), check_exact=True)
