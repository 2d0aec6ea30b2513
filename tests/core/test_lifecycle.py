"""The three lists' lifecycles (core/lifecycle.py): stages in order, what a stage needs,
moves refused with the reason, counts per stage with missing values left missing."""

from __future__ import annotations

from yanzhi.core.lifecycle import LIFECYCLES, check_stage, stage_counts


def test_a_bottleneck_moves_forward_one_stage_at_a_time() -> None:
    assert check_stage("blocking", "已识别", {}) == []
    assert (
        check_stage("blocking", "攻关中", {"project": "P-1"}, before=("blocking", "已识别")) == []
    )
    skipped = check_stage("blocking", "已突破", {"evidence": "验收"}, before=("blocking", "已识别"))
    assert [r for r, _, _ in skipped] == ["stage_move"]
    assert "不能从“已识别”改为“已突破”(可改为: 攻关中、已终止)" in skipped[0][1]
    back = check_stage("blocking", "已识别", {}, before=("blocking", "攻关中"))
    assert back and back[0][0] == "stage_move"
    assert check_stage("blocking", "已终止", {}, before=("blocking", "攻关中")) == []
    done = check_stage("blocking", "已终止", {}, before=("blocking", "已突破"))
    assert "无(已是最终阶段)" in done[0][1]


def test_a_stage_needs_its_record() -> None:
    problems = check_stage("transfer", "已签约", {}, before=("transfer", "成果登记"))
    assert problems == [
        ("stage_needs", "阶段“已签约”须填写合同金额", "stage '已签约' needs contract_value")
    ]
    assert check_stage("promotion", "推广应用中", {"adopters": 12}) == []
    wrong = check_stage("promotion", "已签约", {"contract_value": 5})
    assert wrong[0][0] == "stage" and "不是该清单的阶段" in wrong[0][1]


def test_a_move_to_another_list_starts_its_lifecycle() -> None:
    assert check_stage("promotion", "已发布", {}, before=("blocking", "已突破")) == []
    late = check_stage("promotion", "推广应用中", {"adopters": 3}, before=("blocking", "已突破"))
    assert late[0][0] == "stage_move" and "已发布" in late[0][1]
    # recorded before stages were kept: any first stage
    assert (
        check_stage("transfer", "已签约", {"contract_value": 80}, before=("transfer", None)) == []
    )


def test_stage_counts_sum_what_is_recorded_and_leave_the_rest_missing() -> None:
    items = [
        ("transfer", "已签约", {"contract_value": 100.5}),
        ("transfer", "已签约", {"contract_value": 200}),
        ("transfer", "成果登记", {}),
        ("promotion", "推广应用中", {"adopters": 7}),
        ("blocking", None, {}),
    ]
    counts = {(c.list_code, c.stage): c for c in stage_counts(items)}
    assert counts[("transfer", "已签约")].count == 2
    assert counts[("transfer", "已签约")].contract_value == 300.5
    assert counts[("transfer", "成果登记")].contract_value is None  # not recorded: not 0
    assert counts[("transfer", "已产业化")].count == 0
    assert counts[("promotion", "推广应用中")].adopters == 7
    assert counts[("blocking", "未登记阶段")].count == 1
    assert [c.stage for c in stage_counts(items) if c.list_code == "blocking"] == [
        *LIFECYCLES["blocking"].all,
        "未登记阶段",
    ]
