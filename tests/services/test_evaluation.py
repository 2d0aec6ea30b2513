"""The Ningbo evaluation (`services.evaluation`) on a small demo panel in every test
database: both levels rank every unit, pools and kinds, bonus / deduction, change since the
previous year, rank uncertainty and the workbook."""

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from yanzhi.core.composite.stats import rank_min
from yanzhi.reports.evaluation_workbook import SHEETS, write_workbook
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.storage.db import make_engine


@pytest.fixture(scope="module")
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def township(engine):
    return evaluate(engine, level="township", year=2024, uncertainty=50, seed=3)


@pytest.fixture(scope="module")
def district(engine):
    return evaluate(engine, level="district", year=2024)


def _pool_ranks_ok(res: pd.DataFrame) -> None:
    for _, part in res.groupby("pool"):
        expected = rank_min(part["Score"].to_numpy(float), descending=True)
        assert np.array_equal(part["Rank"].to_numpy(float), expected)
        assert part["Rank"].min() == 1 and part["Rank"].max() <= len(part)
        assert part.sort_values("Rank")["Score"].is_monotonic_decreasing


def test_township_ranks_every_unit_with_zones_in_their_own_pool(township):
    res = township.results
    assert len(res) == 162 and res["uCode"].is_unique
    zones = res[res["kind"] == "zone"]
    assert len(zones) == 6 and set(zones["pool"]) == {"zone"}
    assert sorted(zones["Rank"]) == [1, 2, 3, 4, 5, 6]
    overall = res[res["pool"] == "overall"]
    assert len(overall) == 156 and set(overall["kind"]) <= {"subdistrict", "town", "xiang"}
    _pool_ranks_ok(res)
    assert township.synthetic and township.to_dict()["n_units"] == 162


def test_district_ranks_the_ten(district):
    res = district.results
    assert len(res) == 10 and set(res["pool"]) == {"overall"}
    assert sorted(res["Rank"]) == list(range(1, 11)) or res["Rank"].max() <= 10
    _pool_ranks_ok(res)
    assert res.iloc[0]["Rank"] == 1


def test_ties_take_the_smaller_rank():
    got = rank_min(np.array([50.0, 70.0, 70.0, 10.0]), descending=True)
    assert got.tolist() == [3.0, 1.0, 1.0, 4.0]


def test_group_ranks_restart_per_kind(township):
    res = township.results
    for _, part in res.groupby("kind"):
        expected = rank_min(part["Score"].to_numpy(float), descending=True)
        assert np.array_equal(part["GroupRank"].to_numpy(float), expected)
        assert part["GroupRank"].min() == 1


def test_index_within_0_100_and_bonus_capped(township, district):
    for r in (township, district):
        res, fw = r.results, r.framework
        assert res["Index"].between(0, 100).all()
        assert res["Bonus"].between(0, fw.bonus_cap).all()
        assert res["Deduction"].between(0, fw.deduction_cap).all()
        assert np.allclose(res["Score"], res["Index"] + res["Bonus"] - res["Deduction"])
        assert (res["Bonus"] > 0).any() and (res["Deduction"] > 0).any()
        for item in fw.bonus_items:
            pts = r.bonus[item.code]
            assert (pts <= item.max + 1e-12).all()
            raw = r.raw[item.code].fillna(0)
            assert np.allclose(pts, np.minimum(item.points * raw, item.max))


def test_grades_strengths_lifts_and_change(township, district):
    for r in (township, district):
        res = r.results
        assert set(res["Grade"]) <= {"A", "B", "C"} and "A" in set(res["Grade"])
        best = res[res["pool"] == "overall"].iloc[0]
        assert best["Grade"] == "A" and len(best["Strengths"]) == 3
        assert r.previous_year == 2023
        assert res["ScorePrev"].notna().all() and res["RankChange"].notna().all()
        assert np.allclose(res["ScoreChange"], res["Score"] - res["ScorePrev"])
        card = r.scorecards[str(best["uCode"])]
        assert len(card["lifts"]) <= 3 and all(v > 0 for _, v in card["lifts"])
        assert all(v < 0 for _, v in card["drags"])


def test_uncertainty_intervals_and_seed(engine, township):
    res = township.results
    assert (res["RankQ5"] <= res["RankMedian"]).all()
    assert (res["RankMedian"] <= res["RankQ95"]).all()
    assert res["RankQ95"].max() <= 156
    again = evaluate(engine, level="township", year=2024, uncertainty=50, seed=3)
    pd.testing.assert_frame_equal(township.rank_stats, again.rank_stats)
    other = evaluate(engine, level="township", year=2024, uncertainty=50, seed=4)
    assert not township.rank_stats.equals(other.rank_stats)


def test_bad_level_and_year(engine):
    with pytest.raises(ValueError):
        evaluate(engine, level="village", year=2024)
    with pytest.raises(LookupError):
        evaluate(engine, level="district", year=1990)


def test_workbook_has_chinese_sheets_and_the_results(township, tmp_path):
    path = write_workbook(township, tmp_path / "eval.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["说明", "正文"]
    assert set(SHEETS) <= set(wb.sheetnames)
    ws = wb["各单位得分"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["排名", "区划代码", "单位"] and "综合得分" in header
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(township.results)
    got = {r[col["区划代码"]]: r[col["综合得分"]] for r in rows}
    want = township.results.set_index("uCode")["Score"]
    assert all(isinstance(v, float) for v in got.values())
    assert all(got[u] == pytest.approx(want[u]) for u in want.index)
    assert ws.cell(row=4, column=col["综合得分"] + 1).number_format == "#,##0.00"
    assert ws.freeze_panes == "A4"
    assert wb["指标得分"].max_row == 3 + len(township.results)
    assert wb["各单位得分"].cell(row=4, column=col["排名区间下限"] + 1).value is not None
