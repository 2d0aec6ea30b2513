"""The audit log in Chinese words: what was done (新建, 修改 …), to what kind of object
(用户账号, 台账·人才 …) and which fields changed, for the Chinese admin page; the raw
record (field codes and values as stored) stays beside it for admins, marked as data."""

from __future__ import annotations

import json
from typing import Any

from yanzhi.core.labels import ROLE_ZH
from yanzhi.core.registers import REGISTER_KINDS

ACTIONS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "revoke": "撤销",
    "refused": "拒绝访问",
    "login": "登录",
    "logout": "退出登录",
    "login_alert": "登录异常提醒",
    "approve": "审核通过",
    "approved": "审核通过",
    "reject": "退回",
    "submit": "提交",
    "import": "导入",
}
ENTITIES = {
    "user": "用户账号",
    "session": "登录会话",
    "api_token": "API 令牌",
    "submission": "填报",
    "statistic": "统计数据",
    "rd_report": "研发填报",
    "enterprise": "企业",
    "enterprise_version": "企业信息版本",
    "enterprise_reminder": "企业催报",
    "task": "任务",
    "task_report": "任务进展报告",
    "task_comment": "任务评论",
    "milestone": "里程碑",
    "milestone_status": "里程碑状态",
    "status_override": "状态调整",
    "reminder": "催报",
    "org_unit": "行政区划",
    "department": "部门",
    "evidence": "佐证材料",
}
FIELDS = {
    "display_name": "姓名/名称",
    "role": "角色",
    "unit": "单位",
    "enterprise": "企业",
    "email": "邮箱",
    "active": "启用",
    "password": "密码",
    "name": "名称",
    "code": "编号",
    "org_unit_code": "区划",
    "fields": "台账字段",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "list_name": "清单",
    "synthetic": "演示数据",
    "client": "客户端",
    "status": "状态",
    "progress": "进度",
    "narrative": "进展情况",
    "delay_reason": "滞后原因",
    "period": "期别",
    "value": "数值",
    "reason": "原因",
    "done": "完成",
    "lead": "牵头单位",
    "co_units": "配合单位",
    "note": "说明",
    "text": "内容",
    "prefix": "前缀",
    "revoked": "已撤销",
}


def action_zh(action: str) -> str:
    """What was done, in Chinese (an action not listed: 其他操作)."""
    return ACTIONS.get(action, "其他操作")


def entity_zh(entity: str) -> str:
    """The kind of object, in Chinese: a register's entries by the register's name."""
    kind, _, register = entity.partition(":")
    if kind == "register" and register in REGISTER_KINDS:
        return f"台账·{REGISTER_KINDS[register].zh}"
    return ENTITIES.get(entity, "其他对象")


def _value(key: str, value: Any, names: dict[str, str]) -> str | None:
    """A value a Chinese reader can read as it is, or None (it stays in the raw record)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role" and value in ROLE_ZH:
        return ROLE_ZH[value]
    if key in ("unit", "org_unit_code", "lead") and isinstance(value, str) and value in names:
        return names[value]
    return None


def changes_zh(changes: Any, names: dict[str, str]) -> str:
    """The changed fields in Chinese, with the new value where it reads as Chinese (角色:
    任务责任单位; 启用: 是); codes, e-mail addresses and free text stay in the raw record."""
    if not isinstance(changes, dict) or not changes:
        return "—"
    out = []
    for key, change in changes.items():
        pair = isinstance(change, list) and len(change) == 2
        if pair and change[0] is None and change[1] is None:
            continue  # a field left empty on both sides did not change
        new = change[1] if pair else change
        label = FIELDS.get(key, "其他字段")
        shown = _value(key, new, names)
        out.append(f"{label}: {shown}" if shown else label)
    return "；".join(dict.fromkeys(out)) or "—"


def raw(changes: Any) -> str:
    """The record as stored (JSON), for the admin who needs the codes."""
    return json.dumps(changes, ensure_ascii=False, default=str)
