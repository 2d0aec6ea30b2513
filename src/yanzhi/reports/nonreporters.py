"""The non-reporter list (未报企业名单) as an Excel workbook for telephone follow-up: a
说明 sheet (period, scope, rule, how many, the 演示 label for demo data) and the list,
from the same view result the page and the API show."""

from __future__ import annotations

from yanzhi.export import sheets
from yanzhi.reports.document import SYNTHETIC_LABEL
from yanzhi.views.nonreporters import NonReporters

COLUMNS: list[tuple[str, str, str]] = [
    ("district_name", "区县", "@"),
    ("township_name", "乡镇（街道）", "@"),
    ("name", "企业名称", "@"),
    ("uscc", "统一社会信用代码", "@"),
    ("industry", "行业", "@"),
    ("last_period_zh", "最近报送期", "@"),
    ("contact_person", "联系人", "@"),
    ("contact_phone", "联系电话", "@"),
    ("contact", "电子邮箱", "@"),
    ("reminders", "本期已催报次数", "0"),
    ("last_reminded_at", "最近催报时间", "@"),
    ("last_reminded_by_name", "催报人", "@"),
]


def filename(found: NonReporters) -> str:
    return f"未报企业名单-{found.unit_name}-{found.period_zh}.xlsx"


def workbook(found: NonReporters, *, synthetic: bool) -> bytes:
    """The workbook: 说明 first, then 未报企业名单 (one row per enterprise)."""
    wb = sheets.new()
    title = f"{found.unit_name}{found.period_zh}未报企业名单"
    lines = [
        ("报告期", found.period_zh),
        ("范围", found.unit_name),
        ("未报企业", f"{len(found.items)} 家"),
        (
            "口径",
            "应报企业为报告期所在年份已成立的规模以上工业企业（与报送完整性同一口径）；"
            "未报企业为其中尚无本期研发数据报送记录的企业。",
        ),
        ("联系方式", "企业账号登记的电子邮箱；未登记的记为“—”。"),
    ]
    if synthetic:
        lines.insert(0, ("数据性质", SYNTHETIC_LABEL))
    sheets.readme_sheet(wb, title, lines)
    rows = [[_cell(getattr(item, key)) for key, _, _ in COLUMNS] for item in found.items]
    sheets.table_sheet(
        wb,
        "未报企业名单",
        [head for _, head, _ in COLUMNS],
        rows,
        formats=[fmt for _, _, fmt in COLUMNS],
        title=title,
        note=SYNTHETIC_LABEL if synthetic else None,
    )
    return sheets.to_bytes(wb)


def _cell(value: object) -> object:
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:16].replace("T", " ")  # an ISO time: minutes are enough on paper
    return value
