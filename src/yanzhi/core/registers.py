"""Registers, declared as data: the lists of things the plan counts (key R&D projects,
application scenarios, laboratories, talents …). Each kind has its own fields and says
which plan target metric it counts and how:

- ``active``: entries in force at the end of the year (a level, e.g. 100 key labs);
- ``new``: entries that started in the year (an annual flow, e.g. ≥ 100 projects a year);
- ``cumulative``: entries that started from the plan's first year up to the year's end.

A count may be restricted to entries whose field has one of some values (``where``).
Counts roll up the org-unit tree: an entry belongs to a township or a district.

Pure computation: standard library and pandas only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from yanzhi.core.dataformats import Field, FieldType
from yanzhi.core.lifecycle import ALL_STAGES


class CountRule(StrEnum):
    ACTIVE = "active"
    NEW = "new"
    CUMULATIVE = "cumulative"


@dataclass(frozen=True)
class Count:
    """How a register feeds one plan metric."""

    metric: str
    rule: CountRule
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    label: tuple[str, str] | None = None  # (Chinese, English) when no plan target names it


@dataclass(frozen=True)
class RegisterKind:
    code: str
    zh: str
    en: str
    fields: tuple[Field, ...] = ()  # fields of its own, besides code, name, unit, dates
    counts: tuple[Count, ...] = ()
    list_field: bool = False  # entries belong to one of LISTS and move between them
    standing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Which entries are in the register proper, as a ``Count.where`` (key R&D projects:
    approved ones; the applications not approved are kept beside them): the default count
    of a register page counts these only."""


LISTS: Mapping[str, tuple[str, str]] = {
    "blocking": ("卡点清单", "blocking-points list"),
    "promotion": ("推广清单", "promotion list"),
    "transfer": ("转化清单", "transfer list"),
}
"""The three lists 卡点 / 推广 / 转化; an entry is on one of them at a time."""

SCENARIO_FIELDS = ("5G", "人工智能", "区块链", "大数据", "数字孪生", "其他")
LAB_LEVELS = ("全国重点实验室", "省级", "市级")
TALENT_CATEGORIES = ("顶尖人才", "国家级领军人才", "省级领军人才", "其他")
REFORM_STATUSES = ("谋划中", "推进中", "已完成", "暂缓")
FUNDING_LINES = ("重点研发计划", "揭榜挂帅", "重大科技专项", "产业链协同创新", "其他")
"""计划类别 of a key R&D project (its funding line: a choice on import; 其他 for any other)."""
STAGES = ("申报", "立项", "未立项", "结题")
"""Where an application stands: 申报 (applied, not yet decided), 立项 (approved), 未立项
(refused) and 结题 (approved, then completed)."""
WON = ("立项", "结题")
"""The stages of an application that won (was approved)."""
NOT_GIVEN = ""
"""A field an entry does not give, as a ``Count.where`` value: ``where`` matching
NOT_GIVEN also counts entries without the field (see :func:`count_entries`)."""


def _choice(code: str, zh: str, en: str, choices: tuple[str, ...], **kw: object) -> Field:
    return Field(code, zh, en, FieldType.TEXT, choices=choices, **kw)  # type: ignore[arg-type]


_TEXT = FieldType.TEXT
_FIELD_AREA = Field("area", "技术领域", "technology area", _TEXT)
_HOST = Field("host", "依托单位", "host institution", _TEXT, aliases=("承担单位", "建设单位"))
_RECOGNISED = Field(
    "evidence",
    "佐证材料",
    "evidence",
    _TEXT,
    aliases=("认定文件", "认定文号", "佐证"),
    help_zh="认定、授牌或验收的文件及文号",
)

REGISTER_KINDS: dict[str, RegisterKind] = {
    k.code: k
    for k in (
        RegisterKind(
            "key_rd_project",
            "重点研发计划项目",
            "key R&D programme project",
            (
                _HOST,
                _FIELD_AREA,
                Field("budget", "财政资助", "public funding", FieldType.MONEY),
                Field(
                    "applicant_uscc",
                    "申报单位统一社会信用代码",
                    "applicant USCC",
                    FieldType.CODE,
                    aliases=("申报单位信用代码", "统一社会信用代码"),
                    help="18 characters, checked (GB 32100-2015)",
                    help_zh="18位,按国家标准校验",
                ),
                _choice(
                    "funding_line", "计划类别", "funding line", FUNDING_LINES, aliases=("计划",)
                ),
                _choice("stage", "申报状态", "stage", STAGES, aliases=("状态", "阶段")),
                Field("applied_on", "申报日期", "applied on", FieldType.DATE),
                Field("decided_on", "评审结果日期", "decided on", FieldType.DATE),
            ),
            # a project counts in the year it starts (开始日期 = 立项日期) once approved;
            # an entry without a stage is an approved project (the register held only
            # those before applications were kept) — see docs/tasks.md
            (Count("key_rd_projects", CountRule.NEW, {"stage": (*WON, NOT_GIVEN)}),),
            standing={"stage": (*WON, NOT_GIVEN)},
        ),
        RegisterKind(
            "breakthrough",
            "重大硬核科技攻关成果",
            "major hard-core technology breakthrough",
            (_HOST, _FIELD_AREA, _RECOGNISED),
            (Count("major_tech_breakthroughs", CountRule.CUMULATIVE),),
        ),
        RegisterKind(
            "tech_list",
            "三张清单(卡点/推广/转化)",
            "the three lists (blocking points / promotion / transfer)",
            (
                _FIELD_AREA,
                _HOST,
                _choice("stage", "阶段", "stage", ALL_STAGES, aliases=("所处阶段",)),
                Field("stage_on", "阶段日期", "stage date", FieldType.DATE),
                Field("owner", "责任单位", "owner", _TEXT),
                Field("evidence", "佐证材料", "evidence", _TEXT),
                Field(
                    "project",
                    "攻关项目编号",
                    "project code",
                    FieldType.CODE,
                    help_zh="卡点清单“攻关中”: 重点研发计划项目台账中的项目编号",
                ),
                Field("adopters", "应用企业数", "adopting enterprises", FieldType.INTEGER, min=0),
                Field(
                    "contract_value",
                    "合同金额",
                    "contract value",
                    FieldType.MONEY,
                    unit="万元",
                    min=0,
                ),
            ),
            (
                Count(
                    "blocking_points_broken_through",
                    CountRule.CUMULATIVE,
                    {"stage": ("已突破",)},
                    ("卡点清单已突破事项(累计)", "blocking points broken through (cumulative)"),
                ),
                Count(
                    "tech_transfers_contracted",
                    CountRule.CUMULATIVE,
                    {"stage": ("已签约", "已产业化")},
                    ("转化清单已签约事项(累计)", "transfers contracted (cumulative)"),
                ),
            ),
            list_field=True,
        ),
        RegisterKind(
            "scenario",
            "应用场景",
            "application scenario",
            (_choice("field", "场景领域", "field", SCENARIO_FIELDS, required=True), _HOST),
            (Count("application_scenarios", CountRule.CUMULATIVE),),
        ),
        RegisterKind(
            "laboratory",
            "重点实验室",
            "key laboratory",
            (_choice("level", "级别", "level", LAB_LEVELS, required=True), _HOST, _RECOGNISED),
            (
                Count("key_laboratories", CountRule.ACTIVE),
                Count("national_key_laboratories", CountRule.CUMULATIVE, {"level": LAB_LEVELS[:1]}),
            ),
        ),
        RegisterKind(
            "innovation_centre",
            "技术创新中心",
            "technology innovation centre",
            (_choice("level", "级别", "level", ("国家级", "省级", "市级"), required=True), _HOST),
            (Count("provincial_tech_innovation_centres", CountRule.ACTIVE, {"level": ("省级",)}),),
        ),
        RegisterKind("research_institute", "产业技术研究院", "industrial technology institute"),
        RegisterKind("new_rd_institution", "新型研发机构", "new R&D institution"),
        RegisterKind("concept_centre", "概念验证中心", "concept-verification centre"),
        RegisterKind("consortium", "创新联合体", "innovation consortium"),
        RegisterKind(
            "innovation_pole",
            "区域创新极",
            "regional innovation pole",
            (_RECOGNISED,),
            (Count("innovation_poles", CountRule.ACTIVE),),
        ),
        RegisterKind(
            "ip_agency",
            "知识产权服务机构",
            "IP service agency",
            (),
            (Count("ip_service_agencies", CountRule.CUMULATIVE),),
        ),
        RegisterKind(
            "talent",
            "人才",
            "talent",
            (_choice("category", "人才类别", "category", TALENT_CATEGORIES, required=True), _HOST),
            (
                Count("top_talents", CountRule.ACTIVE, {"category": ("顶尖人才",)}),
                Count(
                    "leading_talents",
                    CountRule.CUMULATIVE,
                    {"category": ("国家级领军人才", "省级领军人才")},
                ),
            ),
        ),
        RegisterKind("science_base", "科普基地", "popular-science base"),
        RegisterKind(
            "reform",
            "重大改革",
            "major reform",
            (
                Field("lead", "牵头单位", "lead unit", _TEXT, required=True),
                _choice("status", "推进状态", "status", REFORM_STATUSES, required=True),
                Field("next_milestone", "下一节点", "next milestone", _TEXT),
                Field("next_due", "节点时间", "next milestone due", FieldType.DATE),
                Field("evidence", "佐证材料", "evidence", _TEXT, aliases=("佐证", "进展说明")),
            ),
        ),
        RegisterKind(
            "policy",
            "政策文件",
            "policy document",
            (
                Field("issuer", "发文机关", "issuing body", _TEXT, required=True),
                Field("doc_number", "文号", "document number", _TEXT, required=True),
                Field("measures", "政策条款数", "measures", FieldType.INTEGER, min=0),
                Field(
                    "rules_due",
                    "应出台实施细则数",
                    "implementing rules due",
                    FieldType.INTEGER,
                    min=0,
                ),
                Field(
                    "rules_issued",
                    "已出台实施细则数",
                    "implementing rules issued",
                    FieldType.INTEGER,
                    min=0,
                ),
                Field(
                    "rule",
                    "关联企业政策规则",
                    "linked enterprise policy rule",
                    FieldType.CODE,
                    help="a rule of the policy rule file, by name or code, e.g. 企业研发投入后补助",
                    help_zh="企业政策规则文件中的规则名称(或编码), 如 企业研发投入后补助",
                ),
            ),
        ),
        RegisterKind(
            "policy_payout",
            "政策兑现",
            "policy pay-out",
            (
                Field(
                    "policy",
                    "政策编号",
                    "policy code",
                    FieldType.CODE,
                    required=True,
                    help_zh="政策文件名录中的编号",
                ),
                Field("year", "兑现年度", "year", FieldType.YEAR, required=True),
                Field(
                    "beneficiaries",
                    "受益企业数",
                    "beneficiary enterprises",
                    FieldType.INTEGER,
                    required=True,
                    min=0,
                ),
                Field(
                    "amount",
                    "兑现金额",
                    "amount paid out",
                    FieldType.MONEY,
                    required=True,
                    unit="万元",
                    min=0,
                ),
            ),
        ),
    )
}


def metric_sources() -> dict[str, tuple[RegisterKind, Count]]:
    """Every metric a register counts, with the register and the rule."""
    return {c.metric: (k, c) for k in REGISTER_KINDS.values() for c in k.counts}


ENTRY_COLUMNS = ("kind", "code", "org_unit_code", "valid_from", "valid_to", "fields")


def count_entries(entries: pd.DataFrame, count: Count, year: int, *, start_year: int) -> pd.Series:
    """Count per org unit for ``year``. ``entries`` has the ENTRY_COLUMNS of one register
    (dates as ISO text, ``fields`` as dicts); the result is indexed by org unit code."""
    if entries.empty:
        return pd.Series(dtype="int64")
    keep = counted(entries, count, year, start_year=start_year)
    return entries[keep].groupby("org_unit_code").size().astype("int64")


def counted(entries: pd.DataFrame, count: Count, year: int, *, start_year: int) -> pd.Series:
    """Which entries ``count`` counts for ``year`` (a boolean per entry): the one rule behind
    :func:`count_entries` and the lists of the entries behind a count."""
    keep = pd.Series(True, index=entries.index)
    if entries.empty:
        return keep
    for name, values in count.where.items():
        given = entries["fields"].map(lambda f, n=name: (f or {}).get(n) or NOT_GIVEN)
        keep &= given.isin(values)
    end = dt.date(year, 12, 31).isoformat()
    start = entries["valid_from"].astype(str)
    stop = entries["valid_to"].where(entries["valid_to"].notna(), "9999-12-31").astype(str)
    if count.rule is CountRule.ACTIVE:
        keep &= (start <= end) & (stop > end)
    elif count.rule is CountRule.NEW:
        keep &= start.str[:4] == str(year)
    else:
        keep &= (start <= end) & (start >= f"{start_year}-01-01")
    return keep


def roll_up(counts: pd.Series, parents: Mapping[str, str | None]) -> dict[str, int]:
    """Add every unit's count to each of its ancestors (a sum: entries are counted once,
    where they belong, and once in every unit above)."""
    out: dict[str, int] = {}
    for code, n in counts.items():
        unit: str | None = str(code)
        while unit is not None:
            out[unit] = out.get(unit, 0) + int(n)
            unit = parents.get(unit)
    return out
