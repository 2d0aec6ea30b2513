"""Excel downloads of page tables and bureau lists: a 说明 sheet with the 演示 label, a
Chinese sheet name, Chinese cells, number formats, a frozen header, no raw codes."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from yanzhi.reports.document import SYNTHETIC_LABEL
from yanzhi.services.enterprises import listbook
from yanzhi.services.enterprises.results import DoublingRow, PriorityRow, VisitRow
from yanzhi.web import xlsx

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _texts(wb) -> str:
    return " ".join(
        str(c)
        for ws in wb.worksheets
        for r in ws.iter_rows(values_only=True)
        for c in r
        if c is not None
    )


def test_a_page_table_downloads_with_a_readme_chinese_cells_and_formats() -> None:
    columns = [
        ("indicator", "代码", "Code"),
        ("label", "指标", "Indicator"),
        ("year", "年份", "Year"),
        ("value", "数值", "Value"),
        ("count", "单位数", "Units"),
        ("states", "预警", "Warnings"),
        ("headline", "核心", "Headline"),
        ("synthetic", "synthetic", "synthetic"),
    ]
    rows = [
        {
            "indicator": "IND_RD_INTENSITY",
            "label": "研发投入强度",
            "year": 2025,
            "value": 3.456,
            "count": 1200,
            "states": ["里程碑逾期 / milestone overdue", "本期未报告 / no report this period"],
            "headline": True,
            "synthetic": True,
        },
        {"indicator": "HT_SHARE", "label": "高新技术产业增加值占比", "year": 2024, "value": None},
    ]
    stem, data = xlsx.workbook(columns, rows, slug="indicators-2025", synthetic=True)
    assert stem == "指标-2025"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "指标-2025"]
    readme = [r for r in wb["说明"].iter_rows(values_only=True)]
    assert ("演示", f"【{SYNTHETIC_LABEL}】") in readme
    assert any(r[0] == "数据来源" for r in readme) and any(r[0] == "数据截至" for r in readme)
    ws = wb.worksheets[1]
    assert [c.value for c in ws[1]] == ["指标", "年份", "数值", "单位数", "预警", "核心"]
    assert [c.value for c in ws[2]] == [
        "研发投入强度",
        2025,
        3.456,
        1200,
        "里程碑逾期、本期未报告",
        "是",
    ]
    assert ws["C3"].value is None  # missing stays empty, never 0
    assert [ws.cell(row=2, column=c).number_format for c in (2, 3, 4)] == ["0", "#,##0.00", "#,##0"]
    assert ws.freeze_panes == "A2" and SYNTHETIC_LABEL in ws.oddHeader.center.text
    assert not ENGLISH.findall(_texts(wb))


def test_a_page_table_of_real_data_has_no_demo_label() -> None:
    _, data = xlsx.workbook([("name", "名称", "Name")], [{"name": "甲"}], slug="units")
    wb = load_workbook(io.BytesIO(data))
    assert "演示" not in _texts(wb) and wb.sheetnames == ["说明", "单位"]


def _priority(synthetic: bool) -> list[PriorityRow]:
    return [
        PriorityRow(
            uscc="91330206MA2AAAAA1X",
            name="甲公司",
            district="北仑区",
            township="小港街道",
            industry_code="3822",
            rd_expense=827.28,
            operating_revenue=11875.38,
            intensity=0.0697,
            synthetic=synthetic,
        )
    ]


def test_the_priority_list_workbook(tmp_path: Path) -> None:
    wb = load_workbook(listbook.write(_priority(True), tmp_path / "p.xlsx", title="priority 2025"))
    assert wb.sheetnames == ["说明", "研发投入重点企业名单(2025年)"]
    assert listbook.SYNTHETIC_LABEL == SYNTHETIC_LABEL
    assert SYNTHETIC_LABEL in _texts(wb) and "数据截至" in _texts(wb)
    ws = wb.worksheets[1]
    head = [c.value for c in ws[1]]
    assert head[:2] == ["统一社会信用代码", "企业名称"] and "所属行业" in head
    assert "synthetic" not in head and ws.freeze_panes == "A2"
    formats = dict(zip(head, (c.number_format for c in ws[2]), strict=True))
    assert formats["研发费用(万元)"] == "#,##0.00" and formats["研发投入强度"] == "0.00%"
    assert formats["统一社会信用代码"] == "@"
    assert ws.cell(row=2, column=head.index("研发投入强度") + 1).value == 0.0697
    uscc = "91330206MA2AAAAA1X"
    assert not ENGLISH.findall(_texts(wb).replace(uscc, ""))
    plain = load_workbook(
        listbook.write(_priority(False), tmp_path / "q.xlsx", title="priority 2025")
    )
    assert "演示" not in _texts(plain)


def test_the_visit_and_doubling_lists_are_chinese(tmp_path: Path) -> None:
    visit = VisitRow(
        uscc="91330206MA2AAAAA1X",
        name="甲公司",
        district="北仑区",
        township="小港街道",
        rd_expense=0.0,
        rd_expense_previous=12.0,
        operating_revenue=100.0,
        reason="no R&D / 无研发投入",
    )
    wb = load_workbook(listbook.write([visit], tmp_path / "v.xlsx", title="visit list 2025"))
    assert wb.worksheets[1]["H2"].value == "无研发投入"
    doubling = DoublingRow(
        year=2023,
        hightech=2920,
        hightech_path=2555.9,
        hightech_on_path=True,
        tech_sme=2344,
        tech_sme_path=2646.6,
        tech_sme_on_path=False,
    )
    wb = load_workbook(listbook.write([doubling], tmp_path / "d.xlsx", title="双倍增 doubling"))
    ws = wb.worksheets[1]
    assert [c.value for c in ws[2]] == [2023, 2920, 2555.9, "是", 2344, 2646.6, "否"]
    assert ws["A2"].number_format == "0" and ws["C2"].number_format == "#,##0"


def test_every_exported_table_of_the_pages_has_a_chinese_title() -> None:
    """The title of a page table's workbook (and its file name) is never 数据表: each slug a
    page exports is named (the budget list and the guarantee / reform tables were not)."""
    from yanzhi.web.xlsx import title_zh

    slugs = [
        "budget-2025",
        "applications-2025",
        "guarantees",
        "reforms",
        "payouts",
        "priority-2025",
        "visit-2025",
        "points-2025",
        "doubling",
    ]
    titles = {s: title_zh(s) for s in slugs}
    assert all("数据表" not in t for t in titles.values()), titles
    assert titles["budget-2025"] == "研发后补助与研发准备金预算-2025"
