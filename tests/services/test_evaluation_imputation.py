"""No silent zeros in the evaluation (issue #15, point 2): a district whose December is
unlocked is not scored as if it had no R&D; its missing cells are imputed by the group mean
(COINr i_mean_grp) and listed — in the result, the note, the scorecard and the workbook."""

from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook

from yanzhi.core.zhtext import punctuate
from yanzhi.ingest.framework import builtin_framework_path
from yanzhi.reports.evaluation_workbook import write_workbook
from yanzhi.services.access.principal import SYSTEM
from yanzhi.services.access.scope import resolve
from yanzhi.services.collection.workflow import transition
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.views.evaluation import scorecard

BEILUN = "330206"


@pytest.fixture
def db(demo_db):
    """An engine on the module's demo database, disposed after the test."""
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def test_the_ningbo_frameworks_declare_no_fill_with_zero():
    for level in ("district", "township"):
        assert "fill_missing" not in builtin_framework_path(level).read_text(encoding="utf-8")


def test_an_unlocked_district_is_imputed_by_its_group_and_listed(db, demo_db, tmp_path):
    engine = db
    before = evaluate(engine, level="district", year=2024)
    # (this small demo keeps no registers: their counts are missing for every unit, listed
    # as left missing — never 0)
    assert all(x.method == "none" for x in before.imputations if x.indicator in ("D19", "D20"))
    assert not [x for x in before.imputations if x.unit == BEILUN and x.indicator == "D02"]
    transition(
        engine, "unlock", period="2024-01..12", unit=BEILUN, actor="admin:t", reason="补报更正"
    )
    result = evaluate(engine, level="district", year=2024)
    mine = {x.indicator: x for x in result.imputations if x.unit == BEILUN}
    assert {"D02", "D03"} <= set(mine)  # R&D expense and intensity come from the reports
    d02 = mine["D02"]
    assert (d02.method, d02.coinr, d02.method_zh) == ("mean_group", "i_mean_grp", "同类单位均值")
    # the value used is the mean of D02 over the other districts of the same kind (区)
    units = result.units.set_index("uCode")
    peers = units.index[(units["kind"] == units.at[BEILUN, "kind"]) & (units.index != BEILUN)]
    expected = result.build.data["Denominated"].loc[peers, "D02"].mean()
    assert math.isclose(d02.value, expected, rel_tol=1e-12) and d02.value > 0
    assert math.isclose(result.build.data["Imputed"].at[BEILUN, "D02"], d02.value)
    assert "北仑区 D02" in result.notes[0] and "i_mean_grp" in result.notes[0]
    unlocked = [n for n in result.notes if "解锁重审" in n]
    assert len(unlocked) == 1 and unlocked[0].startswith("北仑区 2024年数据已于")
    assert "原因：补报更正" in unlocked[0] and "本评价可能变动" in unlocked[0]
    assert result.to_dict()["imputations"][0]["unit"] == result.imputations[0].unit

    with transaction(engine) as s:
        scope = resolve(SYSTEM, load_org_tree(s))
    card = scorecard(result, scope, BEILUN)
    row = next(i for i in card.indicators if i.code == "D02")
    assert row.raw is None and row.imputed is not None and row.imputed.value == d02.value

    out = write_workbook(result, tmp_path / "ev.xlsx")
    ws = load_workbook(out)["插补说明"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] == "北仑区"]
    # the workbook prints Chinese punctuation (重点研发计划项目数（登记簿）)
    assert {r[2] for r in rows} == {punctuate(x.indicator_name) for x in mine.values()}
    line = next(r for r in rows if r[2] == d02.indicator_name)
    assert line[3] == "同类单位均值" and math.isclose(line[4], d02.value)


def test_a_township_without_enterprises_sums_to_zero_and_its_ratios_are_imputed(db, demo_db):
    result = evaluate(db, level="township", year=2025)
    zero = [x for x in result.imputations if x.method == "no_enterprise"]
    assert zero, "the 400-enterprise demo has townships without enterprises"
    assert {x.indicator for x in zero} == {"T01", "T04"}  # sums over enterprises only
    assert all(x.value == 0.0 and x.method_zh == "无符合条件企业, 计 0" for x in zero)
    towns = sorted({x.unit for x in zero})
    assert result.build.data["Raw"].loc[towns, "T01"].eq(0).all()
    # a ratio over no enterprise is undefined: imputed by the group mean and listed, not 0
    ratio = {x.unit: x for x in result.imputations if x.indicator == "T02"}
    assert set(towns) <= set(ratio)
    kinds = result.units.set_index("uCode")["kind"]
    t02 = result.build.data["Raw"]["T02"]
    for t in towns:
        peers = [u for u in t02.index if kinds[u] == kinds[t] and not math.isnan(t02[u])]
        assert ratio[t].method == "mean_group" and peers, t  # the mean of its own kind
        assert math.isclose(ratio[t].value, t02[peers].mean(), abs_tol=1e-12), t
    assert "因无符合条件企业计 0" in result.notes[0]
