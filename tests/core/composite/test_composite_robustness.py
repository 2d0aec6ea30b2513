"""Robustness: remove elements, uncertainty (vectorised) and sensitivity (Saltelli/Jansen)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from composite_fixtures import small_data, small_meta, synthetic

from yanzhi.core.composite import BuildResult, build
from yanzhi.core.composite.robustness import Evaluator, Uncertain, remove_elements, uncertainty
from yanzhi.core.composite.sensitivity import sensitivity, sensitivity_of
from yanzhi.core.composite.stats import rank_min

MINMAX1 = {"method": "minmax", "l_u": [1, 100]}
UNC = Uncertain(
    alternatives={
        "normalise": [MINMAX1, {"method": "rank"}, {"method": "zscore", "m_sd": [100, 5]}],
        "aggregate.method": ["amean", "gmean"],
        "treat": [{"winmax": 5}, "none"],
    },
    weight_noise={1: 0.25, 2: 0.25},
)


@pytest.fixture(scope="module")
def synth() -> BuildResult:
    d, m = synthetic()
    return build(d, m, {"impute": {"method": "mean"}, "normalise": MINMAX1})


def test_remove_elements(asem: BuildResult) -> None:
    out = remove_elements(asem, level=2)
    assert list(out["iCode"]) == asem.build.codes_at(2)
    assert (out["MeanAbsRankChange"] > 0).all()
    ind = remove_elements(asem, level=1, codes=["LPI", "Flights"])
    assert len(ind) == 2 and (ind["MeanAbsRankChange"] >= 0).all()


def test_remove_element_matches_rebuild_with_zero_weight(asem: BuildResult) -> None:
    out = remove_elements(asem, level=2, codes=["Social"]).iloc[0]
    again = build(asem.build, spec={**asem.spec, "weights": {"Social": 0.0}})
    nom = asem.results.set_index("uCode")["Rank"]
    new = again.results.set_index("uCode")["Rank"].reindex(nom.index)
    assert out["MeanAbsRankChange"] == pytest.approx((new - nom).abs().mean())


def test_evaluator_reproduces_full_builds(synth: BuildResult) -> None:
    ev = Evaluator(synth, UNC, 1, np.random.default_rng(0))
    # choices: normalise=rank (1), treat=none (1), aggregate=gmean (1), noise row 0 twice
    ch = np.array([[1, 1, 1, 0, 0]])
    ev.noise = [(c, np.ones_like(t)) for c, t in ev.noise]  # switch the noise off
    got = ev.scores(ch)[0]
    ref = build(
        synth.build,
        spec={
            **synth.spec,
            "normalise": {"method": "rank"},
            "treat": "none",
            "aggregate": {"method": "gmean"},
        },
    )
    want = ref.data["Aggregated"]["Index"].reindex(ev.units).to_numpy()
    assert got == pytest.approx(want, nan_ok=True)


def test_uncertainty_without_uncertainty_is_nominal(synth: BuildResult) -> None:
    u = Uncertain(alternatives={"normalise": [MINMAX1]})
    st = uncertainty(synth, u, n=20, seed=1)["rank_stats"]
    for col in ("Mean", "Median", "Q5", "Q95"):
        assert (st[col] == st["Nominal"]).all()


def test_uncertainty_reproducible_and_sane(synth: BuildResult) -> None:
    a = uncertainty(synth, UNC, n=200, seed=42)
    b = uncertainty(synth, UNC, n=200, seed=42)
    c = uncertainty(synth, UNC, n=200, seed=43)
    pd.testing.assert_frame_equal(a["rank_stats"], b["rank_stats"])
    assert np.array_equal(a["ranks"], b["ranks"])
    assert not np.array_equal(a["ranks"], c["ranks"])
    st = a["rank_stats"]
    assert list(st.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert (st["Q5"] <= st["Median"]).all() and (st["Median"] <= st["Q95"]).all()
    assert st["Q5"].min() >= 1 and st["Q95"].max() <= len(st)
    nominal = rank_min(synth.data["Aggregated"]["Index"].to_numpy(), descending=True)
    assert st["Nominal"].tolist() == nominal.tolist()
    assert set(a["choices"]["aggregate.method"]) == {0, 1}


def test_uncertainty_speed_1000_draws_162_units_30_indicators(synth: BuildResult) -> None:
    assert synth.data["Normalised"].shape == (162, 30)
    t0 = time.perf_counter()
    out = uncertainty(synth, UNC, n=1000, seed=0)
    elapsed = time.perf_counter() - t0
    assert out["ranks"].shape == (1000, 162)
    assert elapsed < 4.0, f"uncertainty took {elapsed:.2f} s"


def test_sensitivity_single_input_model() -> None:
    si = sensitivity_of(lambda x: 3 * x[:, 0] + 1, k=3, n=2000, seed=5)
    assert si.loc[0, "STi"] == pytest.approx(1, abs=0.05)
    assert si.loc[0, "Si"] == pytest.approx(1, abs=0.05)
    assert si.loc[1:, "STi"].abs().max() < 1e-12
    assert si.loc[1:, "Si"].abs().max() < 0.05
    assert (si["STi_lo"] <= si["STi"] + 1e-12).all() and (si["STi"] <= si["STi_hi"] + 1e-12).all()


def test_sensitivity_ishigami_known_answer() -> None:
    def ishigami(u: np.ndarray) -> np.ndarray:
        x = -np.pi + 2 * np.pi * u
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    si = sensitivity_of(ishigami, k=3, n=20000, seed=11, n_boot=50)
    assert si["Si"].to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.04)
    assert si["STi"].to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.04)
    again = sensitivity_of(ishigami, k=3, n=20000, seed=11, n_boot=50)
    pd.testing.assert_frame_equal(si, again)


def test_composite_sensitivity_reproducible_and_irrelevant_input_zero() -> None:
    r = build(
        small_data(),
        small_meta(),
        {"impute": {"method": "mean"}, "treat": "none", "screen": {"dat_thresh": 0.5}},
    )
    u = Uncertain(
        alternatives={"weights": ["original", "equal", {"B": 0.2}], "treat": ["none", "none"]}
    )
    a = sensitivity(r, u, n=100, seed=3, n_boot=50)
    b = sensitivity(r, u, n=100, seed=3, n_boot=50)
    pd.testing.assert_frame_equal(a["indices"], b["indices"])
    ix = a["indices"].set_index("Input")
    assert ix.loc["treat", "STi"] == 0.0
    assert ix.loc["weights", "STi"] == pytest.approx(1.0, abs=0.1)
    assert len(a["y"]) == 100 * (2 + 2)


def test_composite_sensitivity_runs_on_synthetic(synth: BuildResult) -> None:
    out = sensitivity(synth, UNC, n=50, seed=0, n_boot=20)
    ix = out["indices"]
    assert list(ix["Input"]) == [
        "normalise",
        "treat",
        "aggregate.method",
        "weights.noise.level1",
        "weights.noise.level2",
    ]
    assert ix["STi"].between(-0.1, 1.5).all()
