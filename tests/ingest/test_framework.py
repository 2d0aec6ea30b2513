"""Evaluation framework files: the shipped frameworks are valid; broken ones are refused
with the file, the document path, the rule and a reason in Chinese and English."""

from pathlib import Path

import pytest
import yaml

from yanzhi.core.evaluation import aggregate_levels, coin_tables
from yanzhi.core.issues import InputRejected
from yanzhi.ingest.framework import builtin_framework_path, read_framework

LEVELS = ("township", "district")


def _doc(level: str = "township") -> dict:
    return yaml.safe_load(builtin_framework_path(level).read_text("utf-8"))


def _refused(tmp_path: Path, doc: dict) -> list[tuple[str, str | None]]:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    with pytest.raises(InputRejected) as exc:
        read_framework(path)
    for i in exc.value.issues:
        assert i.file == str(path)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in i.message_zh) and i.message_en
    return [(i.rule, i.path) for i in exc.value.issues]


@pytest.mark.parametrize("level", LEVELS)
def test_shipped_frameworks_are_valid(level):
    fw = read_framework(builtin_framework_path(level))
    assert fw.level == level
    assert 15 <= len(fw.indicators) <= 30
    assert {i.type for i in fw.bonus_items} == {"Bonus", "Deduction"}
    assert all(i.provenance for i in fw.items)
    assert {i.parent for i in fw.indicators} == {a.code for a in fw.aggregates}
    assert aggregate_levels(fw)[fw.index_code] == 3
    if level == "township":
        assert fw.separate == ("zone",) and "zone" in fw.kinds
    else:
        assert set(fw.kinds) == {"district", "county", "county_city"}


def test_coin_tables_have_the_engine_shape():
    import pandas as pd

    fw = read_framework(builtin_framework_path("township"))
    units = pd.DataFrame({"uCode": ["a", "b"], "uName": ["A", "B"], "kind": ["town", "zone"]})
    raw = pd.DataFrame(1.0, index=pd.Index(["a", "b"], name="uCode"),
                       columns=[i.code for i in fw.items] + fw.denominators)  # fmt: skip
    idata, imeta = coin_tables(fw, units, raw)
    assert list(idata.columns[:3]) == ["uCode", "uName", "kind"]
    assert set(imeta["Type"]) == {"Indicator", "Aggregate", "Group", "Denominator"}
    assert "B01" not in set(imeta["iCode"])  # bonus items are not in the index


def test_unknown_parent(tmp_path):
    doc = _doc()
    doc["indicators"][2]["parent"] = "NOPE"
    assert _refused(tmp_path, doc) == [("unknown_parent", "indicators[2].parent")]


def test_missing_weight(tmp_path):
    doc = _doc()
    del doc["indicators"][0]["weight"]
    del doc["aggregates"][1]["weight"]
    got = _refused(tmp_path, doc)
    assert ("missing_weight", "aggregates[1].weight") in got
    assert ("missing_weight", "indicators[0].weight") in got


def test_unknown_indicator_and_element_references(tmp_path):
    doc = _doc("district")
    doc["indicators"][0]["source"] = {"indicator": "NO_SUCH_INDICATOR"}
    doc["indicators"][3]["source"] = {"statistic": "no_such_element"}
    doc["indicators"][4]["denominator"] = "nope"
    got = _refused(tmp_path, doc)
    assert got == [
        ("unknown_indicator", "indicators[0].source.indicator"),
        ("unknown_element", "indicators[3].source.statistic"),
        ("unknown_element", "indicators[4].denominator"),
    ]


def test_duplicate_code_and_bad_values(tmp_path):
    doc = _doc()
    doc["indicators"][5]["code"] = doc["indicators"][4]["code"]
    doc["indicators"][6]["source"] = {"enterprise_count": {"unicorn": True}}
    doc["indicators"][7]["direction"] = 2
    doc["indicators"][8]["type"] = "Penalty"
    doc["units"]["kinds"].append("village")
    got = _refused(tmp_path, doc)
    assert ("duplicate_code", "indicators[5].code") in got
    assert ("unknown_filter", "indicators[6].source.enterprise_count.unicorn") in got
    assert ("invalid_direction", "indicators[7].direction") in got
    assert ("invalid_type", "indicators[8].type") in got
    assert ("unknown_kind", "units.kinds[4]") in got


def test_bonus_needs_points_and_missing_keys(tmp_path):
    doc = _doc()
    bonus = next(i for i in doc["indicators"] if i.get("type") == "Bonus")
    del bonus["points"]
    assert ("missing_points", f"indicators[{doc['indicators'].index(bonus)}].points") in _refused(
        tmp_path, doc
    )
    doc = _doc()
    del doc["level"]
    doc["extra"] = 1
    assert _refused(tmp_path, doc) == [("missing_key", "level"), ("unknown_key", "extra")]


def test_unreadable_files(tmp_path):
    with pytest.raises(InputRejected) as exc:
        read_framework(tmp_path / "none.yaml")
    assert exc.value.issues[0].rule == "file_not_found"
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed", "utf-8")
    with pytest.raises(InputRejected) as exc:
        read_framework(bad)
    assert exc.value.issues[0].rule == "yaml_syntax"
    with pytest.raises(ValueError):
        builtin_framework_path("village")
