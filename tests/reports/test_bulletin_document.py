"""The monthly bulletin as one Document: its numbers are the view's numbers, Word, PDF and
Excel carry the same numbered sections, the text is Chinese only (no period codes, no
English words, no raw statuses), and the chart prints Chinese without a missing glyph."""

from __future__ import annotations

import re
import subprocess
import warnings

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from yanzhi.reports import bulletin as report
from yanzhi.reports.document import Heading, Table, numbered
from yanzhi.storage.db import make_engine
from yanzhi.views.reports import bulletin

SECTIONS = [
    "一、总体情况",
    "二、核心指标",
    "三、分区县（市）情况",
    "四、预警",
    "五、数据报送完整率",
    "六、重点任务进展",
]
ALLOWED = {"GDP", "R&D", "PCT"}


@pytest.fixture(scope="module")
def data(demo_db):
    eng = make_engine(demo_db)
    yield bulletin.monthly(eng, period="2026-10")
    eng.dispose()


@pytest.fixture(scope="module")
def doc(data):
    return report.document(data)


def _table(doc, caption_start: str) -> Table:
    return next(t for t in doc.tables() if t.caption.startswith(caption_start))


def _headings(doc) -> list[str]:
    return [label + b.text for b, label in numbered(doc.blocks) if isinstance(b, Heading)]


def test_sections_title_and_front_matter(data, doc):
    assert doc.title == "宁波市科技创新监测月报"
    assert [h for h in _headings(doc) if "、" in h[:3]] == SECTIONS
    assert doc.subtitle == "2026年第9期（报告期：2026年1–9月累计）"  # the small demo: 1–9月
    c = data.coverage
    assert doc.coverage.startswith(
        f"{c.districts_approved}/{c.districts}个区县(市)、{c.townships_approved}/{c.townships}个"
    )
    assert doc.cutoff == "2026年9月(1–9月累计, 已审核数据)"
    assert doc.synthetic and doc.sources and doc.methods


def test_the_numbers_are_the_views_numbers(data, doc):
    overview = _table(doc, "全市规上工业企业研发费用累计情况")
    assert overview.rows[0][1:] == (
        data.city_rd.value,
        data.city_rd.previous,
        data.city_rd.growth_comparable,
        data.city_rd.growth,
    )
    if data.city_rd_last_month:
        assert overview.rows[1][1] == data.city_rd_last_month.value
    headline = _table(doc, "核心指标监测情况")
    assert [(r[0], r[1], r[4]) for r in headline.rows] == [
        (i["name"], i["value"], i["verdict_zh"]) for i in data.headline
    ]
    districts = _table(doc, "各区县(市)")
    assert [r[0] for r in districts.rows] == list(range(1, len(data.districts) + 1))
    by_name = {d.name: d for d in data.districts}
    for row in districts.rows:
        d = by_name[row[1]]
        assert row[2:] == (
            d.rd_expense,
            d.rd_expense_previous,
            d.growth_comparable,
            d.growth,
            d.intensity,
        )
    spent = [r[2] for r in districts.rows if r[2] is not None]
    assert spent == sorted(spent, reverse=True)  # ranked
    completeness = _table(doc, "分区县(市)数据报送完整率")
    assert [r[:3] for r in completeness.rows] == [
        (c.name, c.expected, c.received) for c in data.completeness
    ]
    assert [r[3:6] for r in completeness.rows] == [
        (c.on_time, c.late, c.missing) for c in data.completeness
    ]
    assert all(c.on_time + c.late == c.received for c in data.completeness)
    assert {r[7] for r in completeness.rows} <= {"草稿", "已上报", "已审核锁定"}
    text = doc.text()
    s = data.warnings["stopped"]
    if s and s["total"]:
        assert bulletin.stopped_text(s) in text
        stopped = _table(doc, "停止研发企业数")
        assert stopped.rows[-1] == ("合计", s["total"], s["reported_zero"], s["not_reported"])
        named = _table(doc, "上年同期研发费用最多的")
        listed = {e["name"] for e in data.warnings["stopped_enterprises"]}
        assert named.rows and all(r[1] in listed for r in named.rows)
    falling = data.warnings["falling_townships"]
    if falling:
        table = _table(doc, "研发费用同比下降的乡镇")
        assert sorted(r[1] for r in table.rows) == sorted(f["name"] for f in falling)
    dashed = data.period_zh.replace("-", "–")
    assert data.summary[0].replace(data.period_zh, dashed) in text  # the view's 同比


def test_the_text_is_chinese_only(doc):
    text = doc.text()
    assert not re.search(r"\b\d{4}-\d{2}\b|\d{4}Q\d|\.\.", text), "a period code"
    english = set(re.findall(r"[A-Za-z&]{3,}", text)) - ALLOWED
    assert not english, english
    for raw in ("approved", "None", "synthetic", "milestone", "on_track"):
        assert raw not in text


def test_the_text_check_catches_english(doc):
    """The check above can fail: a period code and an English status are found."""
    doc2 = report.Document(**{**doc.__dict__, "blocks": [*doc.blocks]})
    doc2.para("2026-10 approved")
    text = doc2.text()
    assert re.search(r"\b\d{4}-\d{2}\b", text)
    assert set(re.findall(r"[A-Za-z&]{3,}", text)) - ALLOWED == {"approved"}


def test_word_pdf_and_excel_carry_the_same_sections(data, doc, tmp_path):
    expected = _headings(doc.typeset())  # what every renderer prints
    word = open_docx(str(report.write_docx(data, tmp_path / "m.docx")))
    in_word = [p.text for p in word.paragraphs if p.style.name.endswith("级标题")]
    assert in_word[: len(expected)] == expected
    assert word.paragraphs[0].text == "宁波市科技创新监测月报"
    pdf = report.write_pdf(data, tmp_path / "m.pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    at = [flat.find(re.sub(r"\s+", "", h)) for h in expected]
    assert -1 not in at and at == sorted(at), list(zip(expected, at, strict=True))
    wb = load_workbook(report.write_xlsx(data, tmp_path / "m.xlsx"))
    body = [r[0] for r in wb["正文"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert [h for h in body if h in expected] == expected
    ws = wb["分区县"]
    names = [r[1] for r in ws.iter_rows(min_row=4, values_only=True) if r[1]]
    first = next(d for d in data.districts if d.name == names[0])
    assert next(ws.iter_rows(min_row=4, values_only=True))[2] == pytest.approx(first.rd_expense)


def _chart_data() -> dict:
    return {
        "period_zh": "2026年1-10月",
        "districts": [
            {"name": "海曙区", "rd_expense": 22.6, "growth": 0.094},
            {"name": "慈溪市", "rd_expense": 179.0, "growth": -0.014},
        ],
    }


def test_the_chart_has_every_glyph(monkeypatch):
    """Drawn with warnings as errors: matplotlib warns "Glyph … missing from font(s)" for
    every character it prints as an empty box."""
    from yanzhi.reports.fonts import cjk_font

    assert cjk_font() is not None, "install fonts-wqy-microhei or fonts-noto-cjk"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = report.district_chart(_chart_data())
    assert png.startswith(b"\x89PNG")


def test_a_font_without_chinese_would_fail_the_glyph_check(monkeypatch):
    monkeypatch.setattr(report, "matplotlib_cjk_family", lambda: "DejaVu Sans")
    with pytest.warns(UserWarning, match=r"Glyph \d+ .* missing from font"):
        report.district_chart(_chart_data())
