"""Chinese words shown in more than one layer, written once: the 演示 label every page,
document and workbook built from demo data carries, the names of the roles, and how
many decimals a figure in a given unit of measure shows."""

from __future__ import annotations

SYNTHETIC_LABEL = "演示数据（合成数据，非真实统计），仅供演示"
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

STAGE_ZH = {"startup": "初创期", "growth": "成长期", "mature": "稳定期"}
"""The growth stages of the innovation points scheme (创新积分), named as in
data/policy/innovation-points-default.yaml."""

DIRECTION_ZH = {1: "正向", -1: "逆向"}
"""An indicator's direction: higher is better (正向) or lower is better (逆向)."""

SOURCE_KIND_ZH = {
    "indicator": "监测指标",
    "statistic": "统计数据",
    "enterprise_count": "企业计数",
    "register": "登记簿",
}
"""Where an evaluation indicator's values come from."""

COUNT_UNITS = ("家", "件", "人", "人年", "个", "项", "名", "次", "户")
"""Units of things counted whole: a figure in them shows no decimals."""


def unit_digits(unit: str | None) -> int:
    """Decimals for a figure in ``unit``: counts (家, 件, 人, 人年 …) none, counts per
    10,000 people (人年/万人, 件/万人) one, anything else (万元, 亿元, %) two."""
    if not unit:
        return 2
    head, _, per = unit.partition("/")
    if head in COUNT_UNITS:
        return 1 if per else 0
    return 2


SOURCE_SITES = {
    "kjj.ningbo.gov.cn": "宁波市科学技术局网站",
    "tjj.ningbo.gov.cn": "宁波市统计局网站",
    "tibet.cn": "中国西藏网",
    "zjwlzx.com": "转载网页",
    "dunhekeji.com": "转载网页",
    "m.gkzhan.com": "转载网页",
}
"""Who publishes a web page a source cites, by its host (a page shows this, not the
address); a host not listed is shown as 原文网页."""
SOURCE_SITE_OTHER = "原文网页"
SOURCE_NOTES = "平台资料注记"
"""The name of the platform's research notes (docs/ningbo_facts.md) where a source cites
them."""
