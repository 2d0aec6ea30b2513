from collections import Counter

import pytest

from yanzhi.core.issues import InputRejected
from yanzhi.core.orgtree import Kind, Level, OrgTree, OrgUnit, derive_kind
from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions


@pytest.fixture(scope="module")
def ningbo() -> OrgTree:
    return read_divisions(builtin_divisions_path())


def test_ningbo_has_1_city_10_districts_162_townships(ningbo):
    assert len(ningbo) == 173
    assert Counter(u.level for u in ningbo) == {
        Level.CITY: 1,
        Level.DISTRICT: 10,
        Level.TOWNSHIP: 162,
    }
    assert [u.code for u in ningbo.roots()] == ["330200"]


def test_ningbo_kinds_match_the_published_counts(ningbo):
    kinds = Counter(u.kind for u in ningbo.by_level("township"))
    assert kinds == {Kind.SUBDISTRICT: 73, Kind.TOWN: 73, Kind.XIANG: 10, Kind.ZONE: 6}
    zones = sorted(u.code for u in ningbo if u.kind is Kind.ZONE)
    assert zones == ["330206401", "330282402", "330282403", "330282404", "330282405", "330282406"]
    assert Counter(u.kind for u in ningbo.by_level("district")) == {
        Kind.DISTRICT: 6,
        Kind.COUNTY: 2,
        Kind.COUNTY_CITY: 2,
    }


def test_district_township_counts(ningbo):
    counts = {d.code: len(ningbo.children(d.code)) for d in ningbo.by_level("district")}
    assert counts == {
        "330203": 17,
        "330205": 8,
        "330206": 12,
        "330211": 7,
        "330212": 25,
        "330213": 12,
        "330225": 18,
        "330226": 18,
        "330281": 21,
        "330282": 24,
    }


def test_ancestors_descendants_and_scope(ningbo):
    assert [u.code for u in ningbo.ancestors("330206401")] == ["330206", "330200"]
    desc = ningbo.descendants("330205")
    assert len(desc) == 8 and all(u.parent_code == "330205" for u in desc)
    assert len(ningbo.descendants("330200", include_self=True)) == 173
    assert ningbo.is_within("330206401", "330206")
    assert not ningbo.is_within("330206401", "330205")
    assert [lvl for lvl, _ in ningbo.levels()] == [Level.CITY, Level.DISTRICT, Level.TOWNSHIP]


def test_the_units_at_a_level_within_and_holding_a_unit(ningbo):
    assert len(ningbo.within("330282", Level.TOWNSHIP)) == 24
    assert len(ningbo.within("330200", Level.TOWNSHIP)) == 162
    assert ningbo.within("330206401", Level.TOWNSHIP) == ["330206401"]
    assert ningbo.within("330206401", Level.DISTRICT) == []
    assert ningbo.holder("330206401", Level.DISTRICT).code == "330206"
    assert ningbo.holder("330206", Level.DISTRICT).code == "330206"  # itself
    assert ningbo.holder("330206401", Level.CITY).code == "330200"
    assert ningbo.holder("330200", Level.DISTRICT) is None


def test_unknown_code_raises(ningbo):
    with pytest.raises(KeyError, match="999999"):
        ningbo.get("999999")


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("330206401", "保税区", Kind.ZONE),
        ("330203001", "南门街道", Kind.SUBDISTRICT),
        ("330203100", "高桥镇", Kind.TOWN),
        ("330203200", "龙观乡", Kind.XIANG),
        ("330282402", "滨海经济开发区", Kind.ZONE),
        ("330203150", "某某", Kind.TOWN),
    ],
)
def test_derive_kind(code, name, kind):
    assert derive_kind(code, name, Level.TOWNSHIP) is kind


def _u(code, parent, level="township", name="x街道"):
    return OrgUnit.make(code, name, level, parent)


def test_rejects_duplicates_unknown_parents_level_jumps_and_cycles_all_at_once():
    units = [
        OrgUnit.make("100000", "城", "city", None),
        OrgUnit.make("100100", "甲区", "district", "100000"),
        _u("100100001", "100100"),
        _u("100100001", "100100"),  # duplicate
        _u("100100002", "100999"),  # unknown parent
        _u("100100003", "100000"),  # township directly under the city
        OrgUnit.make("200100", "乙区", "district", "200200"),
        OrgUnit.make("200200", "丙区", "district", "200100"),  # cycle
    ]
    with pytest.raises(InputRejected) as exc:
        OrgTree(units, source="units.csv", first_row=2)
    rules = Counter(i.rule for i in exc.value.issues)
    assert rules["duplicate_code"] == 1
    assert rules["unknown_parent"] == 1
    assert rules["cycle"] == 1
    assert rules["level_mismatch"] == 3  # the township under the city, both cycle members
    dup = next(i for i in exc.value.issues if i.rule == "duplicate_code")
    assert (dup.file, dup.row, dup.column) == ("units.csv", 5, "code")
    unknown = [i for i in exc.value.issues if i.rule == "unknown_parent"]
    assert [i.value for i in unknown] == ["100999"]
    assert "不存在" in unknown[0].message_zh and "unknown parent" in unknown[0].message_en
