"""Chinese words shown in more than one layer, written once: the 演示 label every page,
document and workbook built from demo data carries, and the names of the roles."""

from __future__ import annotations

SYNTHETIC_LABEL = "演示数据(合成数据, 非真实统计), 仅供演示"
SYNTHETIC_NOTE = f"【{SYNTHETIC_LABEL}】"
"""The label as a line of its own (under a title, in a sheet's first rows)."""

ROLE_ZH = {
    "admin": "系统管理员",
    "city_analyst": "市级分析员",
    "district_officer": "区县联络员",
    "township_officer": "乡镇联络员",
    "leader": "领导(只读)",
    "task_owner": "任务责任单位",
    "enterprise": "企业用户",
}
