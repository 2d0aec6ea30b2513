"""Task statuses, automatic states, the capped weighted roll-up and target paths, with
numbers checked by hand; register counts and their roll-up."""

import datetime as dt

import pandas as pd
import pytest

from yanzhi.core.progress import Status
from yanzhi.core.registerformats import REGISTER_FORMATS, list_code
from yanzhi.core.registers import REGISTER_KINDS, Count, CountRule, count_entries, roll_up
from yanzhi.core.tasks import (
    AutoState,
    MilestoneState,
    TargetSpec,
    TaskInputError,
    TaskStatus,
    auto_states,
    check_progress,
    expected_path,
    milestone_due,
    parse_status,
    target_progress,
    weighted_progress,
)
from yanzhi.core.tasks import (
    roll_up as roll_up_tasks,
)


def test_statuses_parse_from_code_and_labels_and_refuse_others():
    assert parse_status("滞后") is TaskStatus.BEHIND
    assert parse_status("on_track") is TaskStatus.ON_TRACK
    assert parse_status("done") is TaskStatus.DONE
    with pytest.raises(TaskInputError, match="未知状态"):
        parse_status("finished-ish")
    with pytest.raises(TaskInputError):
        check_progress(101)


def test_weighted_mean_caps_each_child_to_100():
    # (150 → 100) × 1 + 50 × 3 = 250, / 4 = 62.5
    assert weighted_progress([(150, 1), (50, 3)]) == 62.5
    # a task with no report counts as 0 %; negative values are floored at 0
    assert weighted_progress([(None, 1), (-20, 1), (80, 2)]) == 40.0
    assert weighted_progress([]) is None
    assert weighted_progress([(50, 0)]) is None


def test_plan_rolls_up_from_programmes_by_weight():
    r = roll_up_tasks({"P1": (1.0, [(100, 1), (50, 1)]), "P2": (3.0, [(200, 1), (None, 1)])})
    assert r.programmes == {"P1": 75.0, "P2": 50.0}
    assert r.plan == (75 * 1 + 50 * 3) / 4  # 56.25


def test_automatic_states():
    today = dt.date(2026, 3, 1)
    late = MilestoneState("M2025", milestone_due(2025, None), done=False)
    assert late.due == dt.date(2025, 12, 31)
    ok = MilestoneState("M2026", milestone_due(2026, "2026-06-30"), done=False)
    states = auto_states(
        today=today,
        milestones=[late, ok],
        reported_this_period=False,
        status=TaskStatus.ON_TRACK,
        target_statuses=[Status.MODERATE_PROGRESS],
    )
    assert states == [AutoState.OVERDUE_MILESTONE, AutoState.SILENT, AutoState.TARGET_BEHIND]
    # done milestones, a report this period, a target on track: nothing
    assert (
        auto_states(
            today=today,
            milestones=[MilestoneState("M", dt.date(2025, 12, 31), done=True)],
            reported_this_period=True,
            status=TaskStatus.ON_TRACK,
            target_statuses=[Status.SUBSTANTIAL_PROGRESS, Status.TARGET_ACHIEVED],
        )
        == []
    )
    # a suspended task owes no report
    assert (
        auto_states(
            today=today, milestones=[], reported_this_period=False, status=TaskStatus.SUSPENDED
        )
        == []
    )


def test_annual_target_path_and_status():
    spec = TargetSpec("annual", 100, 2027, 2023)
    assert expected_path(spec) == {y: 100 for y in range(2023, 2028)}
    assert target_progress(spec, {2023: 104, 2024: 120}).status is Status.TARGET_ACHIEVED
    # 97 of 100 = 97 % ≥ 95 %: substantial; 70 % moderate; 50 % limited
    assert target_progress(spec, {2025: 97}).status is Status.SUBSTANTIAL_PROGRESS
    assert target_progress(spec, {2025: 70}).status is Status.MODERATE_PROGRESS
    assert target_progress(spec, {2025: 50}).status is Status.LIMITED_PROGRESS


def test_cumulative_target_path_and_status():
    spec = TargetSpec("cumulative", 400, 2027, 2023)
    assert expected_path(spec) == {2023: 80, 2024: 160, 2025: 240, 2026: 320, 2027: 400}
    # CAGR observed (260/80)^(1/2) − 1 = 0.8028; required (400/80)^(1/4) − 1 = 0.4953;
    # R = 1.62 ≥ 0.95: substantial progress
    p = target_progress(spec, {2023: 80, 2024: 170, 2025: 260})
    assert (p.status, p.value, p.year, p.expected) == (Status.SUBSTANTIAL_PROGRESS, 260, 2025, 240)
    assert p.assessment is not None
    assert p.assessment.progress_value == pytest.approx(1.6206, abs=1e-3)
    # (100/80)^(1/2) − 1 = 0.1180; R = 0.238 < 0.6: limited
    assert target_progress(spec, {2023: 80, 2025: 100}).status is Status.LIMITED_PROGRESS
    assert target_progress(spec, {}).status is Status.NOT_AVAILABLE


def test_level_target_path_from_base_value():
    spec = TargetSpec("level", 100, 2027, 2023, base_year=2022, base_value=50)
    assert expected_path(spec) == {2023: 60, 2024: 70, 2025: 80, 2026: 90, 2027: 100}
    # from 50 (2022) to 60 (2024): (1.2)^(1/2) − 1 = 0.0954; required 2^(1/5) − 1 = 0.1487;
    # R = 0.642: moderate progress (needs acceleration), behind the path
    p = target_progress(spec, {2023: 55, 2024: 60})
    assert p.status is Status.MODERATE_PROGRESS
    assert p.to_dict()["behind_path"] is True
    assert target_progress(spec, {2025: 100}).status is Status.TARGET_ACHIEVED


def _entries() -> pd.DataFrame:
    rows = [
        ("a", "330203001", "2022-05-01", None, {"level": "省级"}),
        ("b", "330203002", "2023-02-01", None, {"level": "市级"}),
        ("c", "330212001", "2024-03-01", "2025-06-30", {"level": "省级"}),
        ("d", "330212", "2025-01-10", None, {"level": "省级"}),
    ]
    return pd.DataFrame(
        [
            dict(kind="x", code=c, org_unit_code=u, valid_from=f, valid_to=t, fields=fl)
            for c, u, f, t, fl in rows
        ]
    )


def test_register_counts_by_rule_and_roll_up():
    e = _entries()
    active = count_entries(e, Count("m", CountRule.ACTIVE), 2024, start_year=2023)
    assert active.to_dict() == {"330203001": 1, "330203002": 1, "330212001": 1}
    assert count_entries(e, Count("m", CountRule.ACTIVE), 2025, start_year=2023).sum() == 3
    assert count_entries(e, Count("m", CountRule.NEW), 2024, start_year=2023).sum() == 1
    assert count_entries(e, Count("m", CountRule.CUMULATIVE), 2025, start_year=2023).sum() == 3
    provincial = Count("m", CountRule.ACTIVE, {"level": ("省级",)})
    assert count_entries(e, provincial, 2025, start_year=2023).sum() == 2
    parents = {
        "330203001": "330203",
        "330203002": "330203",
        "330212001": "330212",
        "330203": "330200",
        "330212": "330200",
        "330200": None,
    }
    up = roll_up(count_entries(e, Count("m", CountRule.ACTIVE), 2025, start_year=2023), parents)
    assert up == {"330203001": 1, "330203002": 1, "330203": 2, "330212": 1, "330200": 3}


def test_register_formats_are_declared_for_every_kind():
    assert set(REGISTER_FORMATS) == set(REGISTER_KINDS)
    assert REGISTER_FORMATS["tech_list"].field("list").required
    assert list_code("卡点清单") == "blocking" and list_code("transfer") == "transfer"
    with pytest.raises(ValueError):
        list_code("第四清单")
