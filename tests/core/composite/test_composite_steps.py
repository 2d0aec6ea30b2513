"""Hand-checked vectors for every step."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from composite_fixtures import small_data, small_meta
from scipy import stats

from yanzhi.core.composite import (
    CompositeInputError,
    aggregate_block,
    build,
    effective_weights,
    impute,
    new_build,
    screen,
    treat,
    winsorise,
)
from yanzhi.core.composite.normalise import normalise_vector
from yanzhi.core.composite.stats import kurt, rank_min, rank_min_rows, skew
from yanzhi.core.composite.treat import log_ct, passes, treat_vector

X = np.array([1.0, 2.0, 3.0, 4.0])


# --- statistics ---------------------------------------------------------------


def test_skew_kurt_match_excel_definitions() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    n, d = 5, x - x.mean()
    g1 = math.sqrt(n) * (d**3).sum() / (d**2).sum() ** 1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    r = n * (d**4).sum() / (d**2).sum() ** 2
    g2 = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert skew(x) == pytest.approx(g1) == pytest.approx(stats.skew(x, bias=False))
    assert kurt(x) == pytest.approx(g2) == pytest.approx(stats.kurtosis(x, bias=False))
    assert skew(x) == pytest.approx(1.697056, abs=1e-6) and kurt(x) == pytest.approx(3.152)
    assert math.isnan(skew(np.array([1.0, 1.0, 1.0])))


def test_rank_ties_take_smaller_rank() -> None:
    s = np.array([10.0, 20.0, 20.0, 5.0, np.nan])
    assert rank_min(s, descending=True)[:4].tolist() == [3, 1, 1, 4]
    rows = rank_min_rows(np.vstack([s, s[::-1]]))
    assert rows[0, :4].tolist() == [3, 1, 1, 4] and np.isnan(rows[0, 4])
    assert rows[1, 1:].tolist() == [4, 1, 1, 3]


# --- normalisation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "direction", "expected"),
    [
        ({"method": "minmax", "l_u": [0, 100]}, 1, [0, 100 / 3, 200 / 3, 100]),
        ({"method": "minmax", "l_u": [0, 100]}, -1, [100, 200 / 3, 100 / 3, 0]),
        ({"method": "minmax", "l_u": [1, 10]}, 1, [1, 4, 7, 10]),
        ({"method": "zscore", "m_sd": [0, 1]}, 1, (X - 2.5) / math.sqrt(5 / 3)),
        ({"method": "zscore", "m_sd": [100, 10]}, -1, 100 - 10 * (X - 2.5) / math.sqrt(5 / 3)),
        ({"method": "fracmax"}, 1, [0.25, 0.5, 0.75, 1.0]),
        ({"method": "dist2max"}, 1, [0, 1 / 3, 2 / 3, 1]),
    ],
)
def test_normalise_linear_methods(spec: dict, direction: int, expected: list[float]) -> None:
    assert normalise_vector(X, spec, direction) == pytest.approx(np.asarray(expected))


def test_normalise_rank_methods_with_ties() -> None:
    x = np.array([3.0, 1.0, 3.0, 2.0])
    assert normalise_vector(x, {"method": "rank"}).tolist() == [3, 1, 3, 2]
    assert normalise_vector(x, {"method": "borda"}).tolist() == [2, 0, 2, 1]
    assert normalise_vector(x, {"method": "prank"}) == pytest.approx([2 / 3, 0, 2 / 3, 1 / 3])
    assert normalise_vector(x, {"method": "rank"}, -1).tolist() == [1, 4, 1, 3]


def test_normalise_dist2targ() -> None:
    x = np.array([0.0, 5.0, 10.0, 20.0])
    s = {"method": "dist2targ"}
    assert normalise_vector(x, s, 1, 10.0) == pytest.approx([0, 0.5, 1, 2])
    assert normalise_vector(x, {**s, "cap_max": True, "scale": 100}, 1, 10.0) == pytest.approx(
        [0, 50, 100, 100]
    )
    # lower is better: target 3 on [2, 4, 6] -> 1 - (targ' - x') / (targ' - min')
    y = normalise_vector(np.array([2.0, 4.0, 6.0]), {**s, "cap_max": True}, -1, 3.0)
    assert y == pytest.approx([1, 2 / 3, 0])
    with pytest.raises(CompositeInputError):
        normalise_vector(x, s, 1, None)


def test_normalise_goalposts() -> None:
    x = np.array([0.0, 5.0, 10.0, 15.0])
    s = {"method": "goalposts", "gposts": [2, 12, 100]}
    assert normalise_vector(x, s, 1) == pytest.approx([0, 30, 80, 100])
    assert normalise_vector(x, s, -1) == pytest.approx([100, 70, 20, 0])
    assert normalise_vector(x, {**s, "trunc": False}, 1) == pytest.approx([-20, 30, 80, 130])


def test_minmax_constant_column_gives_nan() -> None:
    assert np.isnan(normalise_vector(np.ones(3), {"method": "minmax"})).all()


# --- aggregation --------------------------------------------------------------

XA = np.array([[1.0, 4.0], [2.0, np.nan]])
WA = np.array([1.0, 3.0])


@pytest.mark.parametrize(
    ("method", "p", "expected"),
    [
        ("amean", 2.0, [3.25, 2.0]),
        ("gmean", 2.0, [4**0.75, 2.0]),
        ("hmean", 2.0, [4 / 1.75, 2.0]),
        ("genmean", 2.0, [3.5, 2.0]),
        ("genmean", 1.0, [3.25, 2.0]),
    ],
)
def test_aggregation_methods(method: str, p: float, expected: list[float]) -> None:
    assert aggregate_block(XA, WA, method, p) == pytest.approx(expected)


def test_aggregation_data_threshold_and_all_missing() -> None:
    y = aggregate_block(XA, WA, "amean", dat_thresh=0.6)
    assert y[0] == pytest.approx(3.25) and np.isnan(y[1])
    assert np.isnan(aggregate_block(np.array([[np.nan, np.nan]]), WA)).all()


def test_aggregation_refuses_nonpositive_for_gmean() -> None:
    with pytest.raises(CompositeInputError) as e:
        aggregate_block(np.array([[0.0, 1.0]]), WA, "gmean")
    assert "nonpositive_values" in e.value.rules


def test_copeland() -> None:
    # O_01 = 0.5 (a draw: 0), O_02 = 1 (+1), O_12 = 0.5 + 0.25 = 0.75 (+1), O_21 = 0.25 (−1)
    x = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 0.0]])
    assert aggregate_block(x, np.ones(2), "copeland") == pytest.approx([1.0, 1.0, -2.0])


COPELAND_BLOCKS = {
    "connectivity": ["LPI", "Flights", "Ship", "Bord", "Elec", "Gas", "ConSpeed", "Cov4G"],
    "trade": ["Goods", "Services", "FDI", "PRemit", "ForPort"],
    "sustain": [
        "Renew",
        "PrimEner",
        "CO2",
        "MatCon",
        "Forest",
        "Poverty",
        "Palma",
        "TertGrad",
        "FreePress",
        "TolMin",
        "NGOs",
        "CPI",
        "FemLab",
        "WomParl",
        "PubDebt",
        "PrivDebt",
        "GDPGrow",
        "RDExp",
        "NEET",
    ],
}


@pytest.mark.parametrize("block", sorted(COPELAND_BLOCKS))
@pytest.mark.parametrize("weights", ["equal", "rising"])
def test_copeland_equals_coinr(block: str, weights: str) -> None:
    """COINr's own a_copeland on ASEM blocks with missing values (tests/data/oracles)."""
    oracles = Path(__file__).parents[2] / "data" / "oracles"
    data = pd.read_csv(oracles / "asem" / "ASEM_iData.csv")
    expected = pd.read_csv(oracles / "copeland" / "asem_copeland.csv")
    assert list(expected["uCode"]) == list(data["uCode"])
    cols = COPELAND_BLOCKS[block]
    w = np.ones(len(cols)) if weights == "equal" else np.arange(1.0, len(cols) + 1)
    got = aggregate_block(data[cols].to_numpy(float), w, "copeland")
    assert got.tolist() == expected[f"{block}_{weights}"].astype(float).tolist()


def test_stacked_aggregation_equals_loop() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((4, 6, 3)) + 0.1
    w = rng.random((4, 3))
    stacked = aggregate_block(x, w[:, None, :], "gmean")
    for d in range(4):
        assert stacked[d] == pytest.approx(aggregate_block(x[d], w[d], "gmean"))


def test_effective_weights_small_framework() -> None:
    b = new_build(small_data(), small_meta())
    ew = effective_weights(b)
    assert ew["i1"] == pytest.approx(0.125) and ew["i2"] == pytest.approx(0.125)
    assert ew["i3"] == pytest.approx(0.75) and ew["Index"] == 1.0
    ew2 = effective_weights(b, {"B": 1.0})
    assert ew2["i3"] == pytest.approx(0.5)


def test_small_build_by_hand() -> None:
    r = build(
        small_data(),
        small_meta(),
        {
            "impute": {"method": "mean"},
            "screen": {"dat_thresh": 0.5},
            "treat": "none",
            "normalise": {"method": "minmax", "l_u": [0, 100]},
        },
    )
    # i3 is denominated by pop: [2, 1, 6, 1, 5]; direction -1 -> minmax of -x
    assert r.data["Denominated"]["i3"].tolist() == [2, 1, 6, 1, 5]
    assert r.data["Imputed"].loc["U2", "i2"] == pytest.approx(2.5)
    n = r.data["Normalised"]
    assert n["i3"].tolist() == pytest.approx([80, 100, 0, 100, 20])
    a = r.data["Aggregated"]
    assert a.loc["U1", "A"] == pytest.approx((0 + 100) / 2)
    assert a.loc["U1", "Index"] == pytest.approx(0.25 * 50 + 0.75 * 80)
    assert r.results["Rank"].tolist() == sorted(r.results["Rank"].tolist())


def test_per_level_methods_and_dict_weights() -> None:
    r = build(
        small_data(),
        small_meta(),
        {
            "impute": {"method": "mean"},
            "treat": "none",
            "screen": {"dat_thresh": 0.5},
            "normalise": {"method": "minmax", "l_u": [1, 100]},
            "aggregate": {"method": {2: "amean", 3: "gmean"}},
            "weights": {"B": 1.0},
        },
    )
    a = r.data["Aggregated"]
    assert a.loc["U1", "Index"] == pytest.approx(math.sqrt(a.loc["U1", "A"] * a.loc["U1", "B"]))
    r2 = build(
        small_data(),
        small_meta(),
        {
            "impute": {"method": "none"},
            "treat": "none",
            "screen": {"dat_thresh": 0.5},
            "aggregate": {"dat_thresh": [0.75, None]},
        },
    )
    assert np.isnan(r2.data["Aggregated"].loc["U2", "A"])  # 1 of 2 children present
    assert r2.data["Aggregated"].loc["U2", "Index"] == r2.data["Aggregated"].loc["U2", "B"]


# --- imputation ---------------------------------------------------------------


def _imp_frame() -> tuple[pd.DataFrame, pd.Series]:
    idx = pd.Index(["a1", "a2", "b1", "b2", "b3"], name="uCode")
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 5.0, np.nan], "y": [1.0, 2, 3, 4, 8]}, index=idx)
    return df, pd.Series(["a", "a", "b", "b", "b"], index=idx)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("mean", [1, 3, 3, 5, 3]),
        ("median", [1, 3, 3, 5, 3]),
        ("mean_group", [1, 1, 3, 5, 4]),
        ("median_group", [1, 1, 3, 5, 4]),
    ],
)
def test_impute_methods(method: str, expected: list[float]) -> None:
    df, g = _imp_frame()
    out, mask = impute(df, method, g)
    assert out["x"].tolist() == expected
    assert mask["x"].tolist() == [False, True, False, False, True]
    assert out["y"].tolist() == df["y"].tolist()


def test_impute_median_differs_from_mean() -> None:
    df, _ = _imp_frame()
    df.loc["a1", "x"] = 10.0
    assert impute(df, "mean")[0].loc["a2", "x"] == pytest.approx(6.0)
    assert impute(df, "median")[0].loc["a2", "x"] == pytest.approx(5.0)


def test_impute_latest_and_none() -> None:
    df, _ = _imp_frame()
    old = df.copy()
    old["x"] = [0.0, 7.0, 0.0, 0.0, np.nan]
    older = old.copy()
    older["x"] = [0.0, 6.0, 0.0, 0.0, 9.0]
    out, _ = impute(df, "latest", history=[older, old])
    assert out["x"].tolist() == [1, 7, 3, 5, 9]
    out1, _ = impute(df, "latest", history=[older, old], max_lag=1)
    assert out1["x"].tolist()[:4] == [1, 7, 3, 5] and np.isnan(out1.loc["b3", "x"])
    assert impute(df, "none")[0]["x"].isna().sum() == 2


def test_group_with_no_data_stays_missing() -> None:
    df, g = _imp_frame()
    df.loc["a1", "x"] = np.nan
    out, _ = impute(df, "mean_group", g)
    assert out.loc[["a1", "a2"], "x"].isna().all()


# --- screening ----------------------------------------------------------------


def test_screen_by_na_zeros_and_force() -> None:
    idx = pd.Index(["u1", "u2", "u3"], name="uCode")
    df = pd.DataFrame(
        {
            "a": [1.0, np.nan, 0.0],
            "b": [1.0, np.nan, 0.0],
            "c": [2.0, 1.0, 1.0],
            "d": [1.0, 1.0, 0.0],
        },
        index=idx,
    )
    kept, summ = screen(df, "byNA", dat_thresh=0.9)
    assert list(kept.index) == ["u1", "u3"]
    assert summ.loc["u2", "Dat_Avail"] == 0.5
    kept, summ = screen(df, "byZeros", nonzero_thresh=0.5)
    assert list(kept.index) == ["u1", "u2"]  # u3: 1 of 4 non-zero
    assert summ.loc["u3", "Non_Zero"] == 0.25
    kept, _ = screen(df, "byNAandZeros", dat_thresh=0.9, nonzero_thresh=0.5)
    assert list(kept.index) == ["u1"]
    kept, _ = screen(df, "byNAandZeros", 0.9, 0.5, force={"u2": True, "u1": False})
    assert list(kept.index) == ["u2"]
    assert len(screen(df, "none")[0]) == 3
    with pytest.raises(CompositeInputError):
        screen(df, "byNA", force={"zz": True})


# --- treatment ----------------------------------------------------------------


def test_treat_passes_untouched() -> None:
    x = np.arange(1.0, 21.0)
    out, labels, det = treat_vector(x)
    assert out.tolist() == x.tolist() and det["Pass_0"] is True and set(labels) == {""}


def test_treat_winsorises_one_high_point() -> None:
    x = np.append(np.arange(1.0, 21.0), 100.0)
    assert not passes(x, 2, 3.5)
    out, labels, det = treat_vector(x)
    assert out[-1] == 20.0 and out[:-1].tolist() == x[:-1].tolist()
    assert labels[-1] == "winhi" and labels.count("winhi") == 1
    assert det["winsorise_nwin"] == 1 and det["Pass_1"] is True


def test_treat_winsorises_low_side_and_counts_ties() -> None:
    x = np.concatenate([[-100.0, -100.0], np.arange(1.0, 21.0)])
    w = winsorise(x)
    assert w.x[:2].tolist() == [1.0, 1.0]
    # both tied minima replaced at once and counted: nwin = 2, then skew passes
    assert w.nwin == 2 and w.win_lo[:2].all() and not w.win_hi.any()


STUBBORN = np.concatenate([np.zeros(50), [10.0, 20, 30, 40, 50, 60]])


def test_winsorise_counts_accumulated_ties_until_winmax() -> None:
    w = winsorise(STUBBORN, winmax=5)
    # 60 -> 50 (1 point), 50x2 -> 40 (2), 40x3 -> 30 (3), 30x4 -> 20 (4), 20x5 -> 10 (5: stop)
    assert w.nwin == 5
    assert w.x[-6:].tolist() == [10.0] * 6
    assert w.win_hi.sum() == 5 and not w.win_hi[-6]
    assert not passes(w.x, 2, 3.5)


def test_treat_falls_through_to_log_ct_on_original_values() -> None:
    out, labels, det = treat_vector(STUBBORN)
    assert det["winsorise_nwin"] == 5
    assert det["Pass_1"] is False and det["f2"] == "log_CT"
    assert out == pytest.approx(np.log(STUBBORN - 0 + 0.01 * 60))
    assert out == pytest.approx(log_ct(STUBBORN))
    assert set(labels) == {"log_CT"}
    kept, _, det2 = treat_vector(STUBBORN, f2="none")
    assert kept[-6:].tolist() == [10.0] * 6 and det2["f2"] == ""


def test_treat_frame_records_points_and_respects_indiv() -> None:
    df = pd.DataFrame(
        {"a": np.append(np.arange(1.0, 21.0), 100.0), "b": np.append(np.arange(1.0, 21.0), 100.0)}
    )
    out, pts, _det = treat(df, indiv={"b": "none"})
    assert out["a"].iloc[-1] == 20 and out["b"].iloc[-1] == 100
    assert pts["a"].iloc[-1] == "winhi" and pts["b"].iloc[-1] == ""
    out2, _, _ = treat(df, indiv={"a": {"skew_thresh": 10.0}})
    assert out2["a"].iloc[-1] == 100  # passes with a lax threshold
