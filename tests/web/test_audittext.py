"""The audit log's Chinese summary: actions, object kinds and changed fields in Chinese,
values shown only where a Chinese reader reads them (roles, units, yes/no)."""

from __future__ import annotations

from tests.web.chinese_support import problems

from yanzhi.web import audittext


def test_a_new_account_reads_in_chinese() -> None:
    changes = {
        "display_name": [None, "演示任务责任单位"],
        "role": [None, "task_owner"],
        "unit": [None, "NBKJJ"],
        "email": [None, "owner@yanzhi-demo.invalid"],
        "active": [None, True],
        "enterprise": [None, None],
    }
    text = audittext.changes_zh(changes, {"NBKJJ": "市科技局"})
    assert text == "姓名/名称；角色: 任务责任单位；单位: 市科技局；邮箱；启用: 是"
    assert problems(text) == []
    assert "owner@yanzhi-demo.invalid" in audittext.raw(changes)


def test_actions_and_objects_are_named() -> None:
    assert audittext.action_zh("create") == "新建"
    assert audittext.action_zh("something_new") == "其他操作"
    assert audittext.entity_zh("register:talent").startswith("台账·")
    assert audittext.entity_zh("register:talent") != "台账·talent"
    assert audittext.entity_zh("api_token") == "API 令牌"
    assert audittext.changes_zh({}, {}) == "—"
    assert audittext.changes_zh({"unit": [None, None]}, {}) == "—"
    assert audittext.changes_zh({"fields": [None, {}], "x": [1, 2]}, {}) == "台账字段；其他字段"
