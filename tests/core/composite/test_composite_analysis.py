"""Results helpers and analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from composite_fixtures import ASEM_SPEC
from scipy import stats

from yanzhi.core.composite import BuildResult, build
from yanzhi.core.composite.analysis import (
    correlations_with_parent,
    correlations_within_level,
    cronbach_alpha,
    cronbach_by_aggregate,
    entropy_weights,
    indicator_stats,
    pca_by_aggregate,
    pca_variance,
    pca_weights,
)
from yanzhi.core.composite.results import (
    change,
    grade_bands,
    group_ranks,
    ranks,
    strengths_weaknesses,
)


def test_cronbach_alpha_hand_worked() -> None:
    # two items: var 1 and 1, total scores 5, 8, 8 -> var 3 -> alpha = 2 (1 - 2/3)
    assert cronbach_alpha(np.array([[2.0, 3], [4, 4], [3, 5]])) == pytest.approx(2 / 3)
    # parallel items (each a shift of the other): alpha = 1
    x = np.array([[1.0, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]])
    assert cronbach_alpha(x) == pytest.approx(1.0)
    # incomplete rows are dropped
    assert cronbach_alpha(np.array([[2.0, 3], [4, 4], [3, 5], [np.nan, 1]])) == pytest.approx(2 / 3)


def test_cronbach_alpha_textbook_formula() -> None:
    # k / (k - 1) * (1 - sum(item variances) / variance(total)), 5 respondents x 3 items
    x = np.array([[4.0, 5, 4], [3, 3, 4], [5, 5, 5], [2, 3, 2], [4, 4, 3]])
    item_var = x.var(axis=0, ddof=1).sum()  # 1.3 + 1.0 + 1.3
    tot_var = x.sum(axis=1).var(ddof=1)  # totals 13, 10, 15, 7, 11 -> 9.2
    assert item_var == pytest.approx(3.6) and tot_var == pytest.approx(9.2)
    assert cronbach_alpha(x) == pytest.approx(1.5 * (1 - 3.6 / 9.2))


def test_indicator_stats(asem: BuildResult) -> None:
    st = indicator_stats(asem.data["Raw"])
    raw = asem.data["Raw"]
    assert st["N"].sum() == raw.size - 63
    ship = raw["Ship"].dropna()
    assert st.loc["Ship", "N_zero"] == int((ship == 0).sum()) > 0
    assert st.loc["Ship", "Skew"] == pytest.approx(stats.skew(ship, bias=False))
    assert st.loc["Ship", "Kurt"] == pytest.approx(stats.kurtosis(ship, bias=False))
    assert st.loc["Ship", "SD"] == pytest.approx(ship.std(ddof=1))
    assert (st["Availability"] <= 1).all()


def test_correlations_and_pca(asem: BuildResult) -> None:
    c = correlations_with_parent(asem)
    assert len(c) == 49 + 8 + 2
    assert c["r"].between(-1, 1).all()
    norm, agg = asem.data["Normalised"], asem.data["Aggregated"]
    r = c.set_index("iCode").loc["LPI", "r"]
    assert r == pytest.approx(np.corrcoef(norm["LPI"], agg["Physical"])[0, 1])
    m = correlations_within_level(asem, 2)
    assert m.shape == (8, 8) and np.allclose(np.diag(m), 1)
    alpha = cronbach_by_aggregate(asem)
    assert set(alpha.index) == {*asem.build.codes_at(2), "Conn", "Sust", "Index"}
    pca = pca_by_aggregate(asem)
    assert pca["PC1"].between(0, 1).all()
    ve = pca_variance(norm[asem.build.children["Physical"]])
    assert ve.sum() == pytest.approx(1) and (np.diff(ve) <= 1e-12).all()
    pw = pca_weights(asem, "Physical")
    assert pw.sum() == pytest.approx(1)
    ew = entropy_weights(norm[asem.build.children["Physical"]])
    assert ew.sum() == pytest.approx(1) and (ew > 0).all()


def test_ranks_and_group_ranks(asem: BuildResult) -> None:
    rk = ranks(asem, ["Index", "Conn"])
    assert rk.loc["CHE", "Index"] == 1
    g = group_ranks(asem, "EurAsia_group")
    che = g.set_index("uCode").loc["CHE"]
    assert che["GroupRank"] == 1 and che["EurAsia_group"] == "Europe"
    asia = g[g["EurAsia_group"] == "Asia"].sort_values("GroupRank")
    assert asia["GroupRank"].iloc[0] == 1
    assert asia["Index"].iloc[0] == asia["Index"].max()
    assert asia["GroupRank"].max() == len(asia)


def test_strengths_weaknesses(asem: BuildResult) -> None:
    sw = strengths_weaknesses(asem, n=3).set_index("uCode")
    norm = asem.data["Normalised"].loc["CHE"]
    best = sw.loc["CHE", "Strengths"]
    worst = sw.loc["CHE", "Weaknesses"]
    assert len(best) == 3 and len(worst) == 3
    assert norm[best].min() >= norm.drop(best).max()
    assert norm[worst].max() <= norm.drop(worst).min()


def test_grade_bands() -> None:
    s = pd.Series([95.0, 80.0, 79.9, 60.0, 10.0, np.nan])
    assert grade_bands(s).tolist() == ["A", "A", "B", "B", "C", None]
    g = grade_bands(s, thresholds=(90, 70, 50), labels=("优", "良", "中", "差"))
    assert g.tolist() == ["优", "良", "良", "中", "差", None]
    with pytest.raises(ValueError):
        grade_bands(s, thresholds=(60, 80))


def test_change_vs_previous(
    asem_data: tuple[pd.DataFrame, pd.DataFrame], asem: BuildResult
) -> None:
    idata, imeta = asem_data
    prev = build(idata, imeta, {**ASEM_SPEC, "weights": {"Conn": 2.0}})
    ch = change(asem, prev).set_index("uCode")
    pr = prev.results.set_index("uCode")
    assert ch.loc["CHE", "RankPrev"] == pr.loc["CHE", "Rank"]
    assert ch.loc["CHE", "ScoreChange"] == pytest.approx(68.3837 - pr.loc["CHE", "Index"], abs=1e-3)
    assert (ch["RankChange"] == ch["RankPrev"] - ch["Rank"]).all()
    assert (change(asem, asem)["RankChange"] == 0).all()
