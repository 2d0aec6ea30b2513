"""Who leads each key task in the demo (SYNTHETIC): the plan file names no 牵头单位 (the seed
lists none), so the demo adds the municipal departments that usually carry such work — a
talent task to 市委人才办 / 市人力社保局, a university task to 市教育局, intellectual property
to 市市场监管局 (知识产权局), popular science to 市科协 — and assigns them by task. Every added
department's name ends in (演示) and its note says the assignment is synthetic."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yanzhi.storage import models as m
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.sync import sync_rows

MARK = "(演示)"
NOTE = "演示数据:方案原文未列牵头单位,此分工为合成的示例 / synthetic demo assignment"
# code -> (Chinese name, English name)
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "NB-FGW": ("市发展改革委", "Municipal Development and Reform Commission"),
    "NB-JXJ": ("市经信局", "Municipal Economy and Information Technology Bureau"),
    "NB-JYJ": ("市教育局", "Municipal Education Bureau"),
    "NB-RSJ": ("市人力社保局", "Municipal Human Resources and Social Security Bureau"),
    "NB-RCB": ("市委人才办", "Talent Office of the Municipal Party Committee"),
    "NB-SCJGJ": ("市市场监管局", "Municipal Market Supervision Bureau (IP office)"),
    "NB-SWJ": ("市商务局", "Municipal Commerce Bureau"),
    "NB-CZJ": ("市财政局", "Municipal Finance Bureau"),
    "NB-SJJ": ("市数据局", "Municipal Data Bureau"),
    "NB-KX": ("市科协", "Municipal Association for Science and Technology"),
    "NB-XCB": ("市委宣传部", "Publicity Department of the Municipal Party Committee"),
}
S_T = "NBKJJ"  # 宁波市科技局, a department of the plan itself
ALL_DISTRICTS = "*"
# task -> (lead, co-units); co-units are department codes, district codes, or ALL_DISTRICTS.
TASK_LEADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "P1.T1": (S_T, ("NB-FGW",)),
    "P1.T2": (S_T, ("330205", "330211")),  # 甬江科创区: 江北 and 镇海
    "P1.T3": (S_T, (ALL_DISTRICTS,)),  # 县域创新高地, 十大区域创新极
    "P1.T4": (S_T, ("330212", "330282")),  # 高新区 (鄞州) and 前湾 (慈溪)
    "P2.T1": (S_T, ("NB-FGW", "NB-CZJ")),
    "P2.T2": (S_T, ("NB-JXJ",)),
    "P2.T3": (S_T, ("NB-JXJ",)),
    "P2.T4": ("NB-JYJ", (S_T,)),  # 大学科创
    "P3.T1": (S_T, ("NB-JXJ", ALL_DISTRICTS)),  # 科技企业梯队
    "P3.T2": (S_T, ("NB-JXJ",)),
    "P3.T3": ("NB-JXJ", (S_T, "NB-SJJ")),  # 创新场景
    "P3.T4": ("NB-FGW", ("NB-JXJ", S_T)),  # 产业新赛道
    "P4.T1": (S_T, ("NB-SWJ",)),
    "P4.T2": (S_T, ("NB-JYJ",)),
    "P4.T3": (S_T, ("NB-SCJGJ",)),
    "P4.T4": ("NB-SCJGJ", (S_T,)),  # 知识产权
    "P5.T1": ("NB-RCB", ("NB-RSJ", S_T)),  # 甬江人才工程
    "P5.T2": ("NB-RSJ", ("NB-JYJ",)),  # 专业技术人才
    "P5.T3": ("NB-RSJ", ("NB-KX",)),  # 青年人才
    "P5.T4": ("NB-RCB", ("NB-RSJ",)),  # 人才生态
    "P6.T1": (S_T, ("NB-CZJ",)),
    "P6.T2": (S_T, ("NB-SJJ",)),
    "P6.T3": ("NB-KX", (S_T,)),  # 科普
    "P6.T4": ("NB-XCB", ("NB-KX",)),  # 创新文化
}


def add_departments(session: Session, *, plan_id: int, plan_code: str, ctx: WriteContext) -> None:
    """Add the demo departments to the loaded plan (audited; existing ones are kept)."""
    first = 100  # after the plan's own departments
    desired = {
        code: {
            "plan_id": plan_id,
            "name": zh + MARK,
            "name_en": f"{en} (demo)",
            "note": NOTE,
            "position": first + n,
        }
        for n, (code, (zh, en)) in enumerate(DEPARTMENTS.items())
    }
    sync_rows(
        session,
        m.DepartmentRow,
        where=m.DepartmentRow.plan_id == plan_id,
        key_attr="code",
        desired=desired,
        ctx=ctx,
        entity="department",
        key_prefix=f"{plan_code}:",
        delete=False,
    )


def owners(
    task: str, departments: list[str], districts: list[str]
) -> tuple[str | None, list[str]] | None:
    """The demo lead and co-units of ``task`` (``None`` for a task the table does not know,
    or when a unit it names is missing)."""
    if task not in TASK_LEADS:
        return None
    lead, co = TASK_LEADS[task]
    known = set(departments) | set(districts)
    units: list[str] = []
    for u in co:
        units += districts if u == ALL_DISTRICTS else [u]
    if lead not in known or any(u not in known for u in units):
        return None
    return lead, units
