"""The one document model and its three writers: headings numbered as in Chinese official
documents, missing values printed "—" and left empty in Excel (never 0), numbers kept as
numbers with their formats, the 演示 label on every page, the 说明 with sources and
methods, and the same text in Word, PDF and Excel."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Cm, Pt
from openpyxl import load_workbook

from yanzhi.reports import render_docx, render_html, render_xlsx
from yanzhi.reports.document import (
    SYNTHETIC_LABEL,
    Column,
    Document,
    cell_text,
    chinese_number,
    numbered,
)


def _doc(synthetic: bool = True) -> Document:
    d = Document(
        title="测试市科技创新月度监测通报",
        issuer="测试市科学技术局",
        issued=date(2026, 12, 4),
        cutoff="2026年10月(1–10月累计, 已审核数据)",
        coverage="10个区县市中9个的数据已审核",
        synthetic=synthetic,
        sources=["测试市统计局《2024年科技经费投入统计公报》"],
        methods=["预测采用带漂移的随机游走模型。"],
    )
    d.heading("总体情况")
    d.para("1–10月累计研发费用612.3亿元。")
    d.heading("分区县情况")
    d.heading("研发费用", 2)
    d.heading("明细", 3)
    d.table(
        "分区县研发费用",
        [
            Column("区县市"),
            Column("研发费用(亿元)", "num2"),
            Column("同比", "signed_pct1"),
            Column("企业数", "int"),
            Column("年份", "year"),
        ],
        [("甲区", 45.123, 0.0823, 1234, 2025), ("乙区", None, -0.012, 980, 2025)],
        sheet="分区县",
    )
    d.heading("研发人员", 2)
    return d


def test_cells_print_chinese_conventions_and_missing_is_a_dash() -> None:
    assert cell_text(None, "num2") == "—"
    assert cell_text(float("nan"), "pct1") == "—"
    assert cell_text(0.0, "num2") == "0.00"
    assert cell_text(2025, "year") == "2025"
    assert cell_text(12345.6, "int") == "12,346"
    assert cell_text(0.0823, "signed_pct1") == "+8.2%"
    assert cell_text(-0.012, "signed_pct1") == "-1.2%"


def test_headings_are_numbered_in_official_order() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 24)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十四",
    ]
    labels = [label for _, label in numbered(_doc().blocks) if label]
    assert labels == ["一、", "二、", "（一）", "1.", "（二）"]


def test_word_file_has_styles_numbering_label_and_signature(tmp_path: Path) -> None:
    out = render_docx.write(_doc(), tmp_path / "a.docx")
    word = open_docx(str(out))
    texts = [p.text for p in word.paragraphs]
    styles = {p.text: p.style.name for p in word.paragraphs}
    assert styles["测试市科技创新月度监测通报"] == "文件标题"
    assert styles["一、总体情况"] == "一级标题"
    assert styles["（一）研发费用"] == "二级标题"
    assert styles["1.明细"] == "三级标题"
    assert "说明" in texts and texts[-2:] == ["测试市科学技术局", "2026年12月4日"]
    assert SYNTHETIC_LABEL in word.sections[0].header.paragraphs[0].text
    table = word.tables[0]
    assert [c.text for c in table.rows[2].cells] == ["乙区", "—", "-1.2%", "980", "2025"]
    assert "表1  分区县研发费用" in texts


def test_real_data_carry_no_demo_label(tmp_path: Path) -> None:
    word = open_docx(str(render_docx.write(_doc(synthetic=False), tmp_path / "b.docx")))
    assert "演示" not in "\n".join(p.text for p in word.paragraphs)
    assert "演示" not in word.sections[0].header.paragraphs[0].text
    assert "演示" not in render_html.page(_doc(synthetic=False))


def test_excel_keeps_numbers_formats_and_empty_missing(tmp_path: Path) -> None:
    wb = load_workbook(render_xlsx.write(_doc(), tmp_path / "a.xlsx"))
    assert wb.sheetnames == ["说明", "正文", "分区县"]
    readme = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=3, values_only=True)}
    assert readme["数据截至"].startswith("2026年10月")
    assert SYNTHETIC_LABEL in readme["演示"]
    assert "测试市统计局" in readme["数据来源"]
    ws = wb["分区县"]
    assert ws["A1"].value == "分区县研发费用" and SYNTHETIC_LABEL in ws["A2"].value
    assert [c.value for c in ws[3]] == ["区县市", "研发费用（亿元）", "同比", "企业数", "年份"]
    assert ws.freeze_panes == "A4"
    assert ws["B4"].value == pytest.approx(45.123) and ws["B4"].number_format == "#,##0.00"
    assert ws["B5"].value is None  # missing is empty, never 0
    assert ws["C4"].number_format.startswith("+0.0%") and ws["D4"].number_format == "#,##0"
    assert ws["E4"].number_format == "0"


def test_pdf_prints_the_same_text_with_page_numbers_and_label(tmp_path: Path) -> None:
    out = render_html.write_pdf(_doc(), tmp_path / "a.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("一、总体情况", "（一）研发费用", "表1", "+8.2%", "—", "说明"):
        assert expected in text, expected
    assert re.search(r"—\s*1\s*—", text)  # the page number
    assert SYNTHETIC_LABEL in text


def test_a_bureau_template_keeps_its_letterhead_and_styles(tmp_path: Path) -> None:
    """YANZHI_DOCX_TEMPLATE: the bureau's letterhead (header), its own 正文 style and its
    margins win; the 演示 label goes below the letterhead; missing styles are added."""
    template = open_docx()
    template.sections[0].header.paragraphs[0].text = "测试市科学技术局文件"
    template.sections[0].left_margin = Cm(3.0)
    body = template.styles.add_style("正文", WD_STYLE_TYPE.PARAGRAPH)
    body.font.size = Pt(15)
    path = tmp_path / "letterhead.docx"
    template.save(str(path))
    word = open_docx(str(render_docx.write(_doc(), tmp_path / "t.docx", template=path)))
    header = [p.text for p in word.sections[0].header.paragraphs]
    assert header[0] == "测试市科学技术局文件" and SYNTHETIC_LABEL in header[-1]
    assert abs(word.sections[0].left_margin - Cm(3.0)) < Cm(0.01)  # twips round-off
    assert word.styles["正文"].font.size == Pt(15)  # the bureau's, not restyled
    assert word.styles["一级标题"].font.size == Pt(16)  # added: the template had none
    assert "一、总体情况" in [p.text for p in word.paragraphs]


def test_the_server_warm_up_renders_every_format() -> None:
    """`yanzhi serve` warms the document libraries in the background; a change of the
    document model that breaks it would only show as a dead thread, so it is run here."""
    from yanzhi.reports.warmup import warm_up

    assert warm_up() > 0
