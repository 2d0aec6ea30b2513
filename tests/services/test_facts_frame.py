"""The roll-up's input frame: a value column read as Python objects (None among floats,
as when every report of a batch left the field out) stays a number column with missing
values, instead of failing the cast to text (the status of a district after such a batch
was approved answered 500)."""

import math

import pandas as pd

from yanzhi.core.orgtree import OrgTree, OrgUnit
from yanzhi.core.rollup import FLAG_COLUMNS
from yanzhi.core.rollup_frame import VALUE_ELEMENTS
from yanzhi.services.monitoring.compute import facts_frame

TREE = OrgTree(
    [
        OrgUnit.make("330200", "宁波市", "city"),
        OrgUnit.make("330212", "鄞州区", "district", "330200"),
        OrgUnit.make("330212001", "测试街道", "township", "330212"),
    ]
)


def test_a_value_column_of_objects_stays_numeric_and_missing() -> None:
    rows = pd.DataFrame(
        {
            "enterprise_id": [1, 2],
            "period": ["2026-01..11", "2026-01..11"],
            "year": [2026, 2026],
            "month": [11, 11],
            "township_code": ["330212001", "330212001"],
            "industry_code": ["3311", "3312"],
            **{v: [100.0, 200.0] for v in VALUE_ELEMENTS},
            **{f: [True, None] for f in FLAG_COLUMNS},
            "size_class": ["大型", None],
        }
    )
    rows["rd_expense_capitalised"] = pd.Series([None, 12.5], dtype=object)
    frame = facts_frame(rows, TREE)
    col = frame["rd_expense_capitalised"].to_list()
    assert math.isnan(col[0]) and col[1] == 12.5
    assert frame["district_code"].to_list() == ["330212", "330212"]
    assert frame["rd_expense"].sum() == 300.0
