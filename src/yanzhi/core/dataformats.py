"""The import formats, declared as data: every column of every template, its Chinese
and English headers, its type, unit and whether it is required. The readers map file
headers onto these fields, the templates are written from them and
``docs/data-formats.md`` documents them (a test checks the docs list every field).

``DATA_KINDS`` is the one table of import kinds: besides the fields, each kind declares
which org unit a row belongs to (``ScopeRule``, for the uploader's scope check) and which
reporting dataset it feeds (``dataset``, for the submission workflow). The CLI's
``yanzhi import KIND`` commands, the API's ``kind`` values, the page's choice and the
templates are all read from it; the services add one ``Importer`` (check + write) per kind
in ``services/collection/kinds.py`` (a test checks both tables name the same kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from yanzhi.core.errors import NotFound

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""How a cell starts that a spreadsheet program would run as a formula. yanzhi's CSV files
put an apostrophe before such text (``yanzhi.export.sheets``) and its readers take it off
again, so a name survives the round trip unchanged."""


class FieldType(StrEnum):
    TEXT = "text"
    CODE = "code"  # digits / letters kept as text (never a number: leading zeros matter)
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"  # a number in a money unit; converted to the canonical unit
    BOOL = "bool"  # 是/否, Y/N, 1/0, true/false
    PERIOD = "period"  # see core.periods
    DATE = "date"  # ISO date, 2024年5月1日 or an Excel serial number
    YEAR = "year"


TYPE_ZH = {
    FieldType.TEXT: "文字",
    FieldType.CODE: "代码（按文本填写，保留开头的 0）",
    FieldType.INTEGER: "整数",
    FieldType.NUMBER: "数字",
    FieldType.MONEY: "金额",
    FieldType.BOOL: "是 / 否",
    FieldType.PERIOD: "报告期",
    FieldType.DATE: "日期",
    FieldType.YEAR: "四位年份",
}
"""How each field type is filled in, in Chinese (templates and the 填报说明)."""

MONEY_UNITS: dict[str, float] = {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "亿元": 1e4}
"""Money units and their factor to the canonical unit, 万元 (10⁴ yuan)."""
CANONICAL_MONEY_UNIT = "万元"

TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "t"})
FALSE_WORDS = frozenset({"否", "无", "n", "no", "false", "0", "×", "f", ""})


@dataclass(frozen=True)
class Field:
    code: str
    zh: str
    en: str
    type: FieldType
    required: bool = False
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    help: str = ""
    help_zh: str = ""
    """The Chinese help the template's header comment and the 填报说明 show."""

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header text that maps to this field (compared after normalisation)."""
        return (self.code, self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class ScopeRule:
    """Which org unit a row of a kind belongs to, for the uploader's scope check: a scoped
    officer may send only rows whose unit they may change (services/access/scope.py)."""

    unit_column: str
    """The column of the checked rows holding the row's org unit code: a field of the file,
    or one the checks add (R&D reports: the enterprise's ``township_code``)."""
    row_column: str
    """The field an ``out_of_scope`` error names; when it is not ``unit_column`` the error's
    value is ``"<row> (<unit> <unit name>)"``."""
    registered_too: bool = False
    """The unit the enterprise (``uscc``) is registered in now must be in scope as well
    (the register: moving an enterprise out of, or into, another unit)."""


@dataclass(frozen=True)
class DataKind:
    """One kind of import file (``enterprises``, ``rd``, ``stats``): its fields, its key,
    the org unit a row belongs to and the reporting dataset it feeds (if any)."""

    code: str
    zh: str
    en: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    scope: ScopeRule | None = None
    """None: the rows belong to no org unit (the task registers); only city-wide roles
    should then be allowed to import them."""
    dataset: str | None = None
    """The reporting dataset (submissions, completeness, locks) the kind's rows are
    received for; None: the kind is not part of the submit → approve workflow."""

    def field(self, code: str) -> Field:
        """The field of ``code`` (StopIteration when there is none)."""
        return next(f for f in self.fields if f.code == code)


REPORTING_DATASET = "rd"
"""The dataset the submit → approve → unlock workflow tracks (``DataKind.dataset``)."""

SIZE_CLASSES = ("large", "medium", "small", "micro")
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

_SYNTHETIC = Field(
    "synthetic",
    "示例数据",
    "synthetic",
    FieldType.BOOL,
    aliases=("合成数据", "是否示例"),
    help="是 for generated (synthetic) data; such values are labelled wherever shown",
    help_zh="演示（合成）数据填 是，这些数据在所有页面和文件中标注「演示」",
)

_USCC = Field(
    "uscc",
    "统一社会信用代码",
    "USCC",
    FieldType.CODE,
    required=True,
    aliases=("信用代码", "社会信用代码"),
    help="18 characters, check character per GB 32100-2015",
    help_zh="18 位，末位校验码须符合 GB 32100-2015",
)

ENTERPRISES = DataKind(
    "enterprises",
    "企业名录",
    "enterprise register",
    fields=(
        _USCC,
        Field("name", "企业名称", "name", FieldType.TEXT, required=True, aliases=("单位名称",)),
        Field(
            "industry_code",
            "行业代码",
            "industry code",
            FieldType.CODE,
            required=True,
            aliases=("国民经济行业代码", "行业小类代码"),
            help="GB/T 4754-2017 class, 4 digits (e.g. 3811)",
            help_zh="GB/T 4754-2017 行业小类，4 位数字（如 3811）",
        ),
        Field(
            "township_code",
            "乡镇街道代码",
            "township code",
            FieldType.CODE,
            required=True,
            aliases=("所属乡镇街道代码", "乡镇(街道)代码", "区划代码"),
            help="9-digit statistical division code of the township-level unit",
            help_zh="乡镇街道的 9 位统计用区划代码",
        ),
        Field(
            "size_class",
            "企业规模",
            "size class",
            FieldType.TEXT,
            choices=("大型", "中型", "小型", "微型", "large", "medium", "small", "micro"),
            aliases=("规模",),
            help="大型 / 中型 / 小型 / 微型 (or large / medium / small / micro)",
            help_zh="大型 / 中型 / 小型 / 微型",
        ),
        Field("founded_year", "成立年份", "founded year", FieldType.YEAR, min=1900, max=2100),
        Field(
            "above_size_industrial",
            "规上工业",
            "above-size industrial",
            FieldType.BOOL,
            aliases=("是否规上工业", "规模以上工业企业"),
        ),
        Field(
            "hightech",
            "高新技术企业",
            "high-tech enterprise",
            FieldType.BOOL,
            aliases=("是否高新技术企业", "高企"),
        ),
        Field(
            "hightech_cert_year",
            "高企认定年份",
            "high-tech certificate year",
            FieldType.YEAR,
            min=2000,
            max=2100,
            help="year of the (latest) 高新技术企业 certificate",
            help_zh="最近一次高新技术企业证书的认定年份",
        ),
        Field("tech_sme", "科技型中小企业", "technology-based SME", FieldType.BOOL),
        Field(
            "specialised",
            "专精特新",
            "specialised and innovative SME",
            FieldType.BOOL,
            aliases=("专精特新企业",),
        ),
        Field(
            "champion",
            "单项冠军",
            "single-product champion",
            FieldType.BOOL,
            aliases=("制造业单项冠军",),
        ),
        Field(
            "contact_person",
            "联系人",
            "contact person",
            FieldType.TEXT,
            aliases=("企业联系人",),
            help="who the township calls about the enterprise's reports",
            help_zh="乡镇街道催报、核实数据时联系的人",
        ),
        Field(
            "contact_phone",
            "联系电话",
            "telephone",
            FieldType.CODE,
            aliases=("电话", "手机", "联系方式"),
            help="digits, -, +, spaces, brackets and an extension (e.g. 0574-87654321 转 802)",
            help_zh="数字，可含 -、+、空格、括号和分机号（如 0574-87654321 转 802）",
        ),
        Field(
            "contact_email",
            "电子邮箱",
            "e-mail",
            FieldType.TEXT,
            aliases=("邮箱", "联系邮箱"),
            help="the contact's e-mail address",
            help_zh="联系人的电子邮箱",
        ),
        Field(
            "as_of",
            "数据日期",
            "as of",
            FieldType.DATE,
            help="the date the register entry is true from (default: the import date)",
            help_zh="本条名录信息的生效日期（不填则为导入当天）",
        ),
        _SYNTHETIC,
    ),
    key=("uscc", "as_of"),
    scope=ScopeRule("township_code", "uscc", registered_too=True),
)

RD_REPORTS = DataKind(
    "rd",
    "企业研发统计(1-N月累计)",
    "enterprise R&D report (year to date)",
    fields=(
        _USCC,
        Field(
            "period",
            "报告期",
            "period",
            FieldType.PERIOD,
            required=True,
            aliases=("统计期", "期别"),
            help="year to date, e.g. 2024-01..05 or 2024年1-5月; or given with --period",
            help_zh="1-N月累计，如 2024年1-5月；文件无此列时在上传页填写",
        ),
        Field(
            "operating_revenue",
            "营业收入",
            "operating revenue",
            FieldType.MONEY,
            required=True,
            unit="万元",
            min=0,
        ),
        Field(
            "rd_expense",
            "研发费用",
            "R&D expense",
            FieldType.MONEY,
            required=True,
            unit="万元",
            min=0,
            aliases=("研发费用合计",),
        ),
        Field(
            "rd_expense_capitalised",
            "其中资本化研发支出",
            "of which capitalised",
            FieldType.MONEY,
            unit="万元",
            min=0,
            aliases=("资本化研发支出", "其中资本化"),
        ),
        Field(
            "rd_personnel",
            "研发人员",
            "R&D personnel",
            FieldType.INTEGER,
            unit="人",
            min=0,
            aliases=("研发人员数",),
        ),
        Field(
            "rd_personnel_fte",
            "研发人员全时当量",
            "R&D personnel FTE",
            FieldType.NUMBER,
            unit="人年",
            min=0,
        ),
        Field(
            "new_product_output",
            "新产品产值",
            "new-product output",
            FieldType.MONEY,
            unit="万元",
            min=0,
        ),
        Field(
            "has_rd_institution",
            "是否有研发机构",
            "has an R&D institution",
            FieldType.BOOL,
            aliases=("有无研发机构", "研发机构"),
        ),
        Field(
            "correction",
            "更正",
            "correction",
            FieldType.BOOL,
            aliases=("是否更正",),
            help="是 when the row corrects an earlier report (a lower YTD value is then allowed)",
            help_zh="更正以前报送的数据时填 是（此时累计值可以低于上一期）",
        ),
        _SYNTHETIC,
    ),
    key=("uscc", "period"),
    scope=ScopeRule("township_code", "uscc"),
    dataset=REPORTING_DATASET,
)

STATISTICS = DataKind(
    "stats",
    "综合统计数据",
    "aggregate statistics",
    fields=(
        Field(
            "unit_code",
            "区划代码",
            "unit code",
            FieldType.CODE,
            required=True,
            aliases=("单位代码", "地区代码"),
        ),
        Field(
            "element",
            "指标",
            "element",
            FieldType.CODE,
            required=True,
            aliases=("指标代码", "指标名称", "数据项"),
            help="a data element code or name of the plan (gdp, 地区生产总值 …)",
            help_zh="规划中的数据项名称，如 地区生产总值",
        ),
        Field("period", "报告期", "period", FieldType.PERIOD, required=True),
        Field("value", "数值", "value", FieldType.NUMBER, required=True, aliases=("指标值",)),
        Field(
            "unit",
            "计量单位",
            "unit",
            FieldType.TEXT,
            help="unit of the value; converted to the element's unit when they differ",
            help_zh="数值的计量单位，与指标单位不同时自动换算",
        ),
        Field("source", "数据来源", "source", FieldType.TEXT, required=True, aliases=("来源",)),
        Field(
            "vintage",
            "数据版本",
            "vintage",
            FieldType.TEXT,
            aliases=("版本",),
            help="e.g. 2024-02 初步数 / 2025-01 修订; a new vintage never overwrites an older one",
            help_zh="如「2025年2月初步数」「2026年1月修订」；新版本不会覆盖旧版本",
        ),
        _SYNTHETIC,
    ),
    key=("unit_code", "element", "period", "vintage"),
    scope=ScopeRule("unit_code", "unit_code"),
)

DATA_KINDS: dict[str, DataKind] = {k.code: k for k in (ENTERPRISES, RD_REPORTS, STATISTICS)}
"""Every import kind by code, in the order the interfaces list them."""


def field_help_zh(f: Field) -> str:
    """How to fill in field ``f``, in Chinese: its type, unit, range and help."""
    parts = [TYPE_ZH[f.type]]
    if f.type is FieldType.MONEY:
        parts.append(f"单位{f.unit or CANONICAL_MONEY_UNIT}（表头可注明 元 / 千元 / 万元 / 亿元）")
    elif f.unit:
        parts.append(f"单位{f.unit}")
    if f.min is not None and f.max is None and f.type is not FieldType.YEAR:
        parts.append("不能为负数" if f.min == 0 else f"不小于{f.min:g}")
    if f.help_zh:
        parts.append(f.help_zh)
    return "；".join(parts)


def data_kind(code: str) -> DataKind:
    """The import kind ``code`` (``NotFound`` naming the known kinds when there is none)."""
    try:
        return DATA_KINDS[code]
    except KeyError:
        raise NotFound(
            f"unknown data kind {code!r}; expected one of {', '.join(DATA_KINDS)}",
            f"未知数据类型 {code!r}, 应为 {' / '.join(DATA_KINDS)} 之一",
        ) from None
