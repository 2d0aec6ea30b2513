"""Malformed inputs are refused with the row and the rule named (COINr new_coin checks)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from composite_fixtures import small_data, small_meta

from yanzhi.core.composite import CompositeInputError, build, new_build

Edit = Callable[[pd.DataFrame, pd.DataFrame], None]


def _meta(col: str, row: int, value: object) -> Edit:
    def f(d: pd.DataFrame, m: pd.DataFrame) -> None:
        m[col] = m[col].astype(object)
        m.at[row - 1, col] = value

    return f


def _data(col: str, row: int, value: object) -> Edit:
    def f(d: pd.DataFrame, m: pd.DataFrame) -> None:
        d[col] = d[col].astype(object)
        d.at[row - 1, col] = value

    return f


def _drop_data_col(col: str) -> Edit:
    def f(d: pd.DataFrame, m: pd.DataFrame) -> None:
        del d[col]

    return f


def _cycle(d: pd.DataFrame, m: pd.DataFrame) -> None:
    m.at[3, "Parent"] = "B"  # A -> B
    m.at[4, "Parent"] = "A"  # B -> A


def _extra_aggregate(d: pd.DataFrame, m: pd.DataFrame) -> None:
    m.loc[len(m)] = [2, "C", 1, 1, "Index", "Aggregate", None, None]


CASES = [
    # (edit, table, row, column, rule)
    (_meta("Parent", 2, "Z"), "iMeta", 2, "Parent", "unknown_parent"),
    (_meta("Weight", 1, np.nan), "iMeta", 1, "Weight", "missing_weight"),
    (_meta("Weight", 4, "heavy"), "iMeta", 4, "Weight", "missing_weight"),
    (_data("uCode", 3, "U1"), "iData", 3, "uCode", "duplicate_ucode"),
    (_data("uCode", 4, " "), "iData", 4, "uCode", "blank_ucode"),
    (_data("i2", 2, "n.a."), "iData", 2, "i2", "non_numeric"),
    (_data("pop", 5, "many"), "iData", 5, "pop", "non_numeric"),
    (_meta("Denominator", 3, "area"), "iMeta", 3, "Denominator", "unknown_denominator"),
    (_cycle, "iMeta", 4, "Parent", "cycle"),
    (_drop_data_col("i2"), "iMeta", 2, "iCode", "missing_in_data"),
    (_drop_data_col("grp"), "iMeta", 7, "iCode", "missing_in_data"),
    (_meta("iCode", 2, "i1"), "iMeta", 2, "iCode", "duplicate_icode"),
    (_meta("iCode", 2, ""), "iMeta", 2, "iCode", "blank_icode"),
    (_meta("Type", 7, "Grp"), "iMeta", 7, "Type", "invalid_type"),
    (_meta("Direction", 1, 2), "iMeta", 1, "Direction", "invalid_direction"),
    (_meta("Parent", 1, "Index"), "iMeta", 1, "Parent", "parent_level"),
    (_meta("Level", 1, 2), "iMeta", 1, "Level", "invalid_level"),
    (_meta("Parent", 5, None), "iMeta", 5, "Parent", "missing_parent"),
    (_extra_aggregate, "iMeta", 9, "iCode", "empty_aggregate"),
    (_meta("Weight", 2, -1), "iMeta", 2, "Weight", "negative_weight"),
]


@pytest.mark.parametrize(
    ("edit", "table", "row", "column", "rule"), CASES, ids=[f"{c[4]}-{c[1]}{c[2]}" for c in CASES]
)
def test_refused_with_row_and_rule(
    edit: Edit, table: str, row: int, column: str, rule: str
) -> None:
    d, m = small_data(), small_meta()
    new_build(d, m)  # the unedited inputs are fine
    edit(d, m)
    with pytest.raises(CompositeInputError) as e:
        new_build(d, m)
    hits = [i for i in e.value.issues if i.rule == rule]
    assert hits, e.value.issues
    assert any(i.table == table and i.row == row and i.column == column for i in hits), hits
    for i in hits:
        assert i.message_en and i.message_zh and i.message_zh != i.message_en
    assert rule in str(e.value)


def test_missing_required_column() -> None:
    m = small_meta().drop(columns=["Type"])
    with pytest.raises(CompositeInputError) as e:
        new_build(small_data(), m)
    assert e.value.issues[0].rule == "missing_column" and e.value.issues[0].row is None
    with pytest.raises(CompositeInputError) as e:
        new_build(small_data().drop(columns=["uCode"]), small_meta())
    assert e.value.rules == {"missing_column"}


def test_all_issues_reported_together() -> None:
    d, m = small_data(), small_meta()
    _meta("Parent", 2, "Z")(d, m)
    _data("uCode", 3, "U1")(d, m)
    with pytest.raises(CompositeInputError) as e:
        new_build(d, m)
    assert {"unknown_parent", "duplicate_ucode"} <= e.value.rules


def test_panel_allows_repeated_ucode_across_times() -> None:
    d = pd.concat([small_data().assign(Time=2020), small_data().assign(Time=2021)])
    b = new_build(d, small_meta())
    assert b.is_panel
    d2 = pd.concat([small_data().assign(Time=2020), small_data().assign(Time=2020)])
    with pytest.raises(CompositeInputError) as e:
        new_build(d2, small_meta())
    assert e.value.rules == {"duplicate_ucode"}
    assert e.value.issues[0].row == 6


@pytest.mark.parametrize(
    ("spec", "path", "rule"),
    [
        ({"colour": 1}, "colour", "unknown_key"),
        ({"impute": {"method": "magic"}}, "impute.method", "invalid_option"),
        ({"impute": {"method": "mean", "grp": "x"}}, "impute.grp", "unknown_key"),
        ({"impute": {"method": "mean_group", "group": "nope"}}, "impute.group", "unknown_group"),
        ({"impute": {"method": "latest"}}, "impute.method", "needs_panel"),
        ({"normalise": {"method": "softmax"}}, "normalise.method", "invalid_option"),
        ({"aggregate": {"method": "median"}}, "aggregate.method", "invalid_option"),
        ({"aggregate": {"method": ["amean"]}}, "aggregate.method", "wrong_length"),
        ({"weights": {"zz": 1}}, "weights.zz", "unknown_code"),
        ({"weights": "random"}, "weights", "invalid_option"),
        ({"screen": {"unit_screen": "byMagic"}}, "screen.unit_screen", "invalid_option"),
        ({"treat": {"f2": "boxcox"}}, "treat.f2", "invalid_option"),
        ({"denominate": {"i1": "nothing"}}, "denominate.i1", "unknown_denominator"),
    ],
)
def test_spec_refused(spec: dict, path: str, rule: str) -> None:
    with pytest.raises(CompositeInputError) as e:
        build(small_data(), small_meta(), {"screen": {"dat_thresh": 0.5}, **spec})
    assert e.value.issues[0].table == "spec"
    assert e.value.issues[0].column == path and e.value.issues[0].rule == rule
