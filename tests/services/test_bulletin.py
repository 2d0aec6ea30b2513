"""The monthly bulletin: sections and numbers equal the service results in docx and xlsx,
the PDF renders to pages with its text, charts use a CJK font, and a period without data
is refused with a clear message."""

import subprocess

import pytest
from docx import Document
from openpyxl import load_workbook

from yanzhi.core.zhtext import punctuate
from yanzhi.reports import bulletin as doc
from yanzhi.reports.fonts import cjk_font
from yanzhi.storage.db import make_engine
from yanzhi.views.reports import bulletin


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


@pytest.fixture
def data(engine):
    return bulletin.monthly(engine, period="2026-10")


def test_the_period_resolves_to_the_latest_approved_ytd_period(data):
    # the demo leaves 2026-01..10 unapproved, so the bulletin covers 1–9 months
    assert data.period == "2026-01..09" and data.requested == "2026-10"
    city = data.city_rd
    assert city.value == pytest.approx(sum(r.rd_expense for r in data.districts))
    assert any("同比" in s for s in data.summary)


def test_docx_has_the_sections_and_the_numbers(data, tmp_path):
    path = doc.write_docx(data, tmp_path / "m.docx")
    d = Document(str(path))
    headings = [p.text for p in d.paragraphs if p.style.name == "一级标题"]
    assert (headings[0], headings[3]) == ("一、总体情况", "四、预警")
    assert headings[5] == "六、重点任务进展"
    text = "\n".join(p.text for p in d.paragraphs)
    summary = data.summary[0].replace(data.period_zh, data.period_zh.replace("-", "–"))
    assert punctuate(summary) in text  # the documents print Chinese punctuation
    district_table = next(t for t in d.tables if t.rows[0].cells[1].text == "区县（市）")
    first = max(data.districts, key=lambda r: r.rd_expense or 0)
    assert [c.text for c in district_table.rows[1].cells[:3]] == [
        "1",
        first.name,
        f"{first.rd_expense:,.2f}",
    ]
    assert len(d.inline_shapes) == 1  # the chart


def test_xlsx_holds_the_tables_behind_the_chart(data, tmp_path):
    wb = load_workbook(doc.write_xlsx(data, tmp_path / "m.xlsx"))
    ws = wb["分区县"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]]
    assert sorted(r[1] for r in rows) == sorted(r.name for r in data.districts)
    first = max(data.districts, key=lambda r: r.rd_expense or 0)
    assert rows[0][2] == pytest.approx(first.rd_expense)
    assert wb["说明"]["A1"].value == data.title


def test_pdf_renders_to_pages_with_its_text(data, tmp_path):
    pdf = doc.write_pdf(data, tmp_path / "m.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 1 <= len(pages) <= 14
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "科技创新监测月报" in text and "一、总体情况" in text


def test_charts_draw_chinese_without_a_missing_glyph(monkeypatch):
    """The chart is drawn with warnings as errors: matplotlib warns "Glyph … missing from
    font(s)" for every character it prints as an empty box. matplotlib's own font cache is
    made stale first (as on a machine where the font came after matplotlib's first run)."""
    import warnings

    from matplotlib import font_manager

    from yanzhi.reports.bulletin import district_chart
    from yanzhi.reports.fonts import cjk_font_file, matplotlib_cjk_family

    assert cjk_font() is not None, "install fonts-wqy-microhei or fonts-noto-cjk"
    stale = [f for f in font_manager.fontManager.ttflist if f.fname != cjk_font_file()]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    font_manager.fontManager._findfont_cached.cache_clear()
    matplotlib_cjk_family.cache_clear()
    family = matplotlib_cjk_family()
    assert family and cjk_font_file()
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert path == cjk_font_file()
    d = {
        "period_zh": "2026年1-10月",
        "districts": [
            {"name": "海曙区", "rd_expense": 22.6, "growth": 0.094},
            {"name": "慈溪市", "rd_expense": 179.0, "growth": -0.014},
        ],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = district_chart(d)
    assert png.startswith(b"\x89PNG")


def test_no_data_for_the_period_says_so(engine):
    with pytest.raises(bulletin.NoData, match="no approved enterprise R&D data"):
        bulletin.monthly(engine, period="2030-03")


def test_evaluation_report_has_method_ranking_and_a_page_per_unit(engine, tmp_path):
    from yanzhi.reports import evaluation as ev_doc
    from yanzhi.services.evaluation.evaluate import evaluate

    result = evaluate(engine, level="district", year=2024, uncertainty=30, seed=3)
    d = Document(str(ev_doc.write_docx(result, tmp_path / "e.docx")))
    headings = [p.text for p in d.paragraphs if p.style.name == "一级标题"]
    assert headings[:2] == ["一、评价方法", "二、综合排名"]
    best = min(result.to_dict()["results"], key=lambda r: r["Rank"])
    rows = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    ranked = next(r for r in rows if best["uName"] in r and f"{best['Score']:.2f}" in r)
    assert ranked[0] == "1"  # the ranking's first row is the best district with its score
    pdf = ev_doc.write_pdf(result, tmp_path / "e.pdf")
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(next(ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages"))) >= 11


def test_district_report(engine, tmp_path):
    from yanzhi.reports import district as district_doc
    from yanzhi.views.reports.district import district_report

    d = district_report(engine, code="330206", year=2024, uncertainty=20)
    assert d.unit["name"] == "北仑区" and 1 <= d.evaluation.rank <= 10
    doc_ = Document(str(district_doc.write_docx(d, tmp_path / "d.docx")))
    text = "\n".join(p.text for p in doc_.paragraphs)
    assert "北仑区2024年度科技创新工作述职材料" in text
    assert f"在全市10个区县市中排第{d.evaluation.rank}位" in text
    with pytest.raises(ValueError, match="not a district"):
        district_report(engine, code="330206001", year=2024)


def test_supervision_report(engine, tmp_path):
    from yanzhi.reports import supervision as sup_doc
    from yanzhi.services.demo import tasks as demo_tasks
    from yanzhi.services.tasks.supervision import supervise

    demo_tasks.load(engine, actor="demo:bureau")
    data = supervise(engine).to_dict()
    assert data["units"], "the demo leaves some tasks silent or overdue"
    d = Document(str(sup_doc.write_docx(data, tmp_path / "s.docx")))
    first = data["units"][0]
    assert any(p.text.startswith(first["unit_name"]) for p in d.paragraphs)
    assert [c.text for c in d.tables[1].rows[1].cells][:2] == [
        first["tasks"][0]["title"],
        first["tasks"][0]["state_labels_zh"][0],
    ]
    wb = load_workbook(sup_doc.write_xlsx(data, tmp_path / "s.xlsx"))
    assert wb["汇总"].max_row == 3 + len(data["units"])
    sup_doc.write_pdf(data, tmp_path / "s.pdf")
    monthly = bulletin.monthly(engine, period="2026-10")
    assert monthly.tasks["programmes"] and len(monthly.tasks["programmes"]) == 6


def test_word_reports_have_page_numbers_and_follow_a_bureau_template(data, tmp_path, monkeypatch):
    from docx import Document as NewDocument
    from docx.shared import Pt

    d = Document(str(doc.write_docx(data, tmp_path / "plain.docx")))
    footer_xml = d.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    template = NewDocument()
    template.styles["Normal"].font.size = Pt(14)
    template.save(str(tmp_path / "bureau.docx"))
    monkeypatch.setenv("YANZHI_DOCX_TEMPLATE", str(tmp_path / "bureau.docx"))
    styled = Document(str(doc.write_docx(data, tmp_path / "styled.docx")))
    assert styled.styles["Normal"].font.size == Pt(14)
