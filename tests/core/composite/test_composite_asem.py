"""ASEM acceptance: COINr's example build reproduced to 0.01 (methods.md §2)."""

from __future__ import annotations

import pandas as pd
import pytest
from composite_fixtures import ASEM, ASEM_SPEC

from yanzhi.core.composite import DEFAULT_SPEC, BuildResult, build, regenerate
from yanzhi.core.composite.pipeline import DATASETS
from yanzhi.ingest.coinr import read_coinr_csv

EXPECTED = {  # uCode: (Index, rank)
    "CHE": (68.38, 1),
    "NLD": (64.82, 2),
    "DNK": (64.80, 3),
    "NOR": (64.47, 4),
    "BEL": (63.54, 5),
    "SWE": (63.00, 6),
    "IND": (39.79, 45),
    "RUS": (35.66, 51),
}


def _row(r: BuildResult, u: str) -> pd.Series:
    return r.results.set_index("uCode").loc[u]


@pytest.mark.parametrize("unit", sorted(EXPECTED))
def test_asem_index_and_rank(asem: BuildResult, unit: str) -> None:
    score, rank = EXPECTED[unit]
    row = _row(asem, unit)
    assert row["Index"] == pytest.approx(score, abs=0.01)
    assert row["Rank"] == rank


def test_asem_che_sub_indices(asem: BuildResult) -> None:
    row = _row(asem, "CHE")
    assert row["Conn"] == pytest.approx(62.79, abs=0.01)
    assert row["Sust"] == pytest.approx(73.98, abs=0.01)


def test_asem_results_layout(asem: BuildResult) -> None:
    res = asem.results
    assert list(res.columns[:5]) == ["uCode", "Rank", "Index", "Conn", "Sust"]
    assert len(res) == 51
    assert res["Index"].is_monotonic_decreasing
    assert list(res["uCode"].head(6)) == ["CHE", "NLD", "DNK", "NOR", "BEL", "SWE"]


def test_asem_data_sets_and_log(asem: BuildResult) -> None:
    assert set(DATASETS) <= set(asem.data)
    assert asem.data["Raw"].isna().sum().sum() == 63
    assert asem.data["Imputed"].isna().sum().sum() == 0
    assert len(asem.data["Screened"]) == 51  # none removed at 0.9
    norm = asem.data["Normalised"]
    assert norm.min().min() == pytest.approx(0) and norm.max().max() == pytest.approx(100)
    steps = [e["step"] for e in asem.log]
    assert steps == [
        "new_build",
        "denominate",
        "impute",
        "screen",
        "treat",
        "normalise",
        "aggregate",
    ]
    assert asem.spec["impute"]["group"] == "EurAsia_group"
    assert asem.spec["treat"]["winmax"] == 5


def test_asem_denominate(asem: BuildResult, asem_data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    idata, _ = asem_data
    d = idata.set_index("uCode")
    den = asem.data["Denominated"]
    assert den.loc["AUT", "Flights"] == pytest.approx(
        d.loc["AUT", "Flights"] / d.loc["AUT", "Population"]
    )
    assert den.loc["AUT", "LPI"] == d.loc["AUT", "LPI"]


def test_asem_treatment_record(asem: BuildResult) -> None:
    det = asem.treat_details
    failed = det.index[~det["Pass_0"].astype(bool)]
    assert len(failed) == 15
    assert det.loc["Services", "winsorise_nwin"] == 4
    pts = asem.treated_points
    assert (pts["Services"] == "winhi").sum() == 4
    assert (pts["FemLab"] == "winlo").sum() == 1
    assert (pts["LPI"] == "").all()


def test_asem_effective_weights(asem: BuildResult) -> None:
    ew = asem.effective_weights
    inds = asem.build.indicators
    assert ew[inds].sum() == pytest.approx(1.0)
    # LPI: 1/8 of Physical, Physical 1/5 of Conn, Conn 1/2 of Index
    assert ew["LPI"] == pytest.approx(1 / 8 / 5 / 2)


def test_asem_regenerate_is_identical(asem: BuildResult) -> None:
    again = regenerate(asem)
    pd.testing.assert_frame_equal(again.results, asem.results)
    assert again.spec == asem.spec


def test_default_spec_resolves_group_to_first_group_column(
    asem_data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    idata, imeta = asem_data
    r = build(idata, imeta)
    assert r.spec["impute"] == {**DEFAULT_SPEC["impute"], "group": "GDP_group"}
    r2 = build(idata, imeta, {**ASEM_SPEC, "treat": "none"})
    assert r2.spec["treat"] == "none"
    assert (r2.treated_points == "").all().all()


def test_panel_latest_runs_on_latest_period() -> None:
    idata = read_coinr_csv(ASEM / "ASEM_iData_p.csv")
    imeta = read_coinr_csv(ASEM / "ASEM_iMeta.csv")
    r = build(idata, imeta, {"impute": {"method": "latest"}})
    assert r.spec["time"] == 2022
    assert len(r.results) == len(r.data["Screened"]) <= 51
    r19 = build(idata, imeta, {"impute": {"method": "mean"}, "time": 2019})
    assert r19.spec["time"] == 2019


def test_read_coinr_csv_keeps_codes_as_text(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "d.csv"
    p.write_text("uCode,uName,x\nNA,Namibia,1\nZAF,South Africa,NA\n", encoding="utf-8")
    d = read_coinr_csv(p)
    assert list(d["uCode"]) == ["NA", "ZAF"]
    assert d["x"].isna().tolist() == [False, True]
