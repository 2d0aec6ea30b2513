"""Import formats of the registers, built from :mod:`yanzhi.core.registers` with the
same Field / DataKind model as the data files, so the CSV / XLSX readers work unchanged.
Every register has the common columns 编号, 名称, 所属区划代码, 开始日期, 结束日期 (and
清单 for the three lists), then its own fields."""

from __future__ import annotations

from yanzhi.core.dataformats import DataKind, Field, FieldType
from yanzhi.core.registers import LISTS, REGISTER_KINDS, RegisterKind

COMMON: tuple[Field, ...] = (
    Field("code", "编号", "code", FieldType.CODE, required=True, aliases=("项目编号", "代码")),
    Field("name", "名称", "name", FieldType.TEXT, required=True, aliases=("项目名称", "姓名")),
    Field(
        "org_unit_code",
        "所属区划代码",
        "org unit code",
        FieldType.CODE,
        required=True,
        aliases=("区划代码", "乡镇街道代码", "区县市代码"),
        help="6-digit district or 9-digit township code the entry belongs to",
    ),
    Field(
        "valid_from",
        "开始日期",
        "valid from",
        FieldType.DATE,
        required=True,
        aliases=("认定日期", "立项日期", "入选日期", "建成日期"),
    ),
    Field(
        "valid_to",
        "结束日期",
        "valid to",
        FieldType.DATE,
        aliases=("撤销日期", "结题日期", "退出日期"),
        help="empty while the entry is in force",
    ),
)
LIST_FIELD = Field(
    "list",
    "清单",
    "list",
    FieldType.TEXT,
    required=True,
    choices=tuple(zh for zh, _ in LISTS.values()) + tuple(LISTS),
    aliases=("所在清单",),
)
SYNTHETIC = Field("synthetic", "示例数据", "synthetic", FieldType.BOOL, aliases=("合成数据",))


def data_kind(kind: RegisterKind) -> DataKind:
    extra = (LIST_FIELD,) if kind.list_field else ()
    return DataKind(
        f"register:{kind.code}",
        kind.zh,
        kind.en,
        fields=COMMON + extra + kind.fields + (SYNTHETIC,),
        key=("code",),
    )


REGISTER_FORMATS: dict[str, DataKind] = {k: data_kind(v) for k, v in REGISTER_KINDS.items()}


def list_code(value: str) -> str:
    """The list code (blocking / promotion / transfer) for its code or Chinese name."""
    for code, (zh, _en) in LISTS.items():
        if value in (code, zh):
            return code
    raise ValueError(f"unknown list {value!r} / 未知清单 {value!r}")
