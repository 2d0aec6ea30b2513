"""Task targets are judged against the path expected at the date of their latest value, not by
the growth since the base (issue #15, point 1): P5.T1.Q1 (at least 25 top talents in 2027)
with 12 of 25 at the end of 2026, where the straight path from 1 at the end of 2022 expects
20.2, is 难以达标 — though the progress method alone reads 进展显著."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from yanzhi.core.tasks import AutoState
from yanzhi.services.database import init_database
from yanzhi.services.tasks import registers
from yanzhi.services.tasks.targets import list_targets
from yanzhi.services.tasks.updates import board

HEADER = ["编号", "名称", "所属区划代码", "开始日期", "结束日期", "人才类别"]
STARTS = ["2021-05-01"] + [f"{y}-0{m}-01" for y, m in
          [(2023, 3), (2023, 6), (2023, 9), (2024, 2), (2024, 5), (2024, 8),
           (2025, 3), (2025, 6), (2025, 9), (2026, 2), (2026, 6)]]  # fmt: skip


@pytest.fixture
def db(engine, tmp_path: Path):
    init_database(engine, actor="test:init")
    path = tmp_path / "talents.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for k, start in enumerate(STARTS):
            w.writerow([f"T-{k:02d}", f"人才{k}", "330212", start, "", "顶尖人才"])
    rep = registers.import_register(engine, "talent", path, actor="t:officer")
    assert rep.ok and rep.created == 12, rep.errors
    return engine


def test_p5_t1_q1_twelve_of_25_is_behind_the_path(db):
    t = {x.code: x for x in list_targets(db, as_of=dt.date(2026, 12, 31))}["P5.T1.Q1"]
    assert (t.value, t.year) == (12, 2026)
    assert t.expected_now == pytest.approx(1 + 24 * 4 / 5)  # 20.2
    assert t.expected_on == "2026-12-31"
    assert t.path_share == pytest.approx(11 / 19.2)
    assert (t.verdict, t.verdict_zh) == ("off_track", "难以达标")
    assert t.verdict_reason_zh == (
        "按线性路径截至2026年12月31日应达20.2人, 实际12人, 完成应有进度的57%。"
    )
    assert t.behind_path
    # the method's reading from the low base alone would have said on track
    assert t.status == "substantial_progress"


def test_expected_by_now_moves_with_the_report_date(db):
    t = {x.code: x for x in list_targets(db, as_of=dt.date(2026, 7, 1))}["P5.T1.Q1"]
    # 12 in force on 1 July 2026; the path goes from 15.4 (end of 2025) to 20.2 (end of 2026)
    assert t.expected_on == "2026-07-01"
    assert t.expected_now == pytest.approx(15.4 + 4.8 * 182 / 365)
    assert t.path_share == pytest.approx(11 / (t.expected_now - 1))
    assert t.verdict == "at_risk"  # 65 % of the expected progress


def test_the_board_flags_the_task_by_the_path(db):
    day = dt.date(2026, 12, 31)
    b = board(db, today=day, target_rows=list_targets(db, as_of=day))
    p5 = next(x for x in b.tasks if x.code == "P5.T1")
    assert AutoState.TARGET_BEHIND.value in p5.states
