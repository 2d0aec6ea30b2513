"""The 考核 arithmetic of core/assessment.py on a hand-built scheme, and the scheme file's
基础分 (``base``) as the built-in scheme and a refused file give it."""

from pathlib import Path

import pytest

from yanzhi.core.assessment import Item, Part, Scheme, score
from yanzhi.core.issues import InputRejected
from yanzhi.ingest.assessmentfile import read_scheme

SCHEME = Scheme(
    "t",
    "测试考核",
    "district",
    None,
    (Part("index", "综合评价", 60, "index", 0.6), Part("tasks", "重点工作", 40, "self")),
    (Item("B1", "加分项", 2),),
    3,
    (Item("M1", "扣分项", 5),),
    10,
)


def test_base_share_and_the_rest_in_proportion() -> None:
    # index 0 → only the base share (36 of 60); tasks 75 % of 40 = 30
    s = score(SCHEME, index=0.0, reported={"tasks": 75}, claims={})
    assert [p.points for p in s.parts] == [36.0, 30.0]
    assert s.total == 66.0
    # index 50 → 60 × (0.6 + 0.4 × 0.5) = 48
    assert score(SCHEME, index=50.0, reported={"tasks": 75}, claims={}).parts[0].points == 48.0
    assert score(SCHEME, index=100.0, reported={"tasks": 100}, claims={}).total == 100.0


def test_missing_value_scores_nothing_not_the_base() -> None:
    s = score(SCHEME, index=None, reported={}, claims={})
    assert [p.points for p in s.parts] == [0.0, 0.0]
    assert all(p.missing for p in s.parts)
    assert any("缺少数值" in n for n in s.notes)


def test_bonus_and_penalty_capped() -> None:
    claims = {"B1": {"count": 2, "evidence": "文号"}, "M1": {"count": 3, "evidence": "通报"}}
    s = score(SCHEME, index=100.0, reported={"tasks": 100}, claims=claims)
    assert (s.bonus_points, s.penalty_points) == (3.0, 10.0)
    assert s.total == 93.0
    assert any("加分超过上限" in n for n in s.notes) and any("扣分超过上限" in n for n in s.notes)


def test_builtin_scheme_gives_the_index_a_base() -> None:
    index = next(p for p in read_scheme().parts if p.source == "index")
    assert (index.points, index.base) == (60.0, 0.6)


def test_a_base_of_one_or_more_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "scheme.yaml"
    f.write_text(
        "code: x\nname: x\nparts:\n"
        "  - {code: index, name: 指数, points: 60, source: index, base: 1.2}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputRejected) as err:
        read_scheme(f)
    assert "基础分比例" in str(err.value.issues[0].message_zh)
