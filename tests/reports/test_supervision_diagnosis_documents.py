"""The supervision (督办) and enterprise diagnosis documents: Chinese only, the 演示 label on
demo data, the service's own numbers (overdue days, percentiles), and their workbooks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from yanzhi.reports import diagnosis as dx_doc
from yanzhi.reports import supervision as sup_doc
from yanzhi.reports.document import SYNTHETIC_LABEL
from yanzhi.storage.db import make_engine

ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"GDP", "PCT"}
TODAY = dt.date(2026, 12, 4)


def english_words(text_: str, *, allow: set[str] = ALLOWED) -> set[str]:
    return {w for w in ENGLISH.findall(text_) if w not in allow}


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


@pytest.fixture
def supervision(engine):
    from yanzhi.services.demo import tasks as demo_tasks
    from yanzhi.services.tasks.supervision import supervise

    with engine.connect() as conn:
        loaded = conn.execute(text("select count(*) from task_report")).scalar()
    if not loaded:
        demo_tasks.load(engine, actor="demo:bureau")
    return supervise(engine, today=TODAY).to_dict()


@pytest.fixture
def diagnosis(engine):
    from yanzhi.services.access.principal import SYSTEM
    from yanzhi.services.enterprises.diagnosis import diagnose

    with engine.connect() as conn:
        uscc = conn.execute(
            text(
                "select e.uscc from enterprise e join rd_report r on r.enterprise_id = e.id"
                " where r.period = '2025-01..12' and r.rd_expense > 0 order by e.uscc limit 1"
            )
        ).scalar_one()
    return diagnose(engine, uscc, principal=SYSTEM)


def test_supervision_document_is_chinese_with_the_services_overdue_days(supervision):
    doc = sup_doc.document(supervision)
    printed = doc.text()
    assert not english_words(printed), english_words(printed)
    assert SYNTHETIC_LABEL in printed and supervision["synthetic"]
    for raw in ("on_track", "overdue_milestone", "silent", "None"):
        assert raw not in printed
    tables = {t.caption: t for t in doc.tables()}
    overdue = 0
    for unit in supervision["units"]:
        assert f"{unit['unit_name']}({len(unit['tasks'])}项)" in printed
        table = tables[f"{unit['unit_name']}督办事项"]
        for task, row in zip(unit["tasks"], table.rows, strict=True):
            days = [m["days_overdue"] for m in task["overdue_milestones"]]
            for m in task["overdue_milestones"]:
                assert m["days_overdue"] == (TODAY - dt.date.fromisoformat(m["due"])).days
            assert row[0] == task["title"]
            assert row[3] == (max(days) if days else None)
            overdue += bool(days)
            if task["latest"]:
                assert task["latest"]["status_label_zh"] in row[4]
    assert overdue, "the demo leaves some milestones overdue"
    assert f"里程碑逾期{overdue}项" in printed


def test_supervision_workbook_has_a_readme_number_formats_and_frozen_headers(supervision, tmp_path):
    wb = load_workbook(sup_doc.write_xlsx(supervision, tmp_path / "s.xlsx"))
    assert wb.sheetnames[:3] == ["说明", "正文", "汇总"]
    readme = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert SYNTHETIC_LABEL in readme and "数据截至" in readme and "数据来源" in readme
    first = supervision["units"][0]
    ws = wb[first["unit_name"]]
    head = [c.value for c in ws[3]]  # title, 演示 note, header
    assert head[3] == "逾期天数" and ws.freeze_panes == "A4"
    assert ws.cell(row=4, column=4).number_format == "#,##0"
    for wsx in wb.worksheets:
        assert not english_words(
            " ".join(str(c.value) for r in wsx.iter_rows() for c in r if c.value)
        )


def test_supervision_docx_and_pdf_are_written(supervision, tmp_path):
    from docx import Document as Word

    word = Word(str(sup_doc.write_docx(supervision, tmp_path / "s.docx")))
    assert any(p.text == "重点任务督办清单" for p in word.paragraphs)
    assert sup_doc.write_pdf(supervision, tmp_path / "s.pdf").read_bytes()[:4] == b"%PDF"


def test_diagnosis_document_is_chinese_with_the_services_numbers(diagnosis, tmp_path):
    d = diagnosis.to_dict()
    doc = dx_doc.document(diagnosis)
    printed = doc.text()
    uscc = d["enterprise"]["uscc"]
    allow = ALLOWED | set(ENGLISH.findall(uscc))
    assert not english_words(printed, allow=allow), english_words(printed, allow=allow)
    assert SYNTHETIC_LABEL in printed
    assert uscc in printed and d["peers"]["group_zh"] in printed
    peers = {t.caption: t for t in doc.tables()}["同行比较"]
    assert peers.rows[0][1:] == (d["peers"]["city_peers"], d["peers"]["city_percentile"])
    assert peers.texts()[0][2] == f"{d['peers']['city_percentile']:.1f}"
    assert f"{d['latest']['rd_expense']:,.2f}万元" in printed
    assert "同行为" in printed and "同一国民经济行业大类" in printed  # the method in prose
    for name in ("not eligible", "high-tech", "synthetic", "industry"):
        assert name not in printed
    wb = load_workbook(dx_doc.write_xlsx(diagnosis, tmp_path / "d.xlsx"))
    assert wb.sheetnames[0] == "说明" and "历年研发投入" in wb.sheetnames
    ws = wb["历年研发投入"]
    assert [ws.cell(row=4, column=c).number_format for c in (1, 2, 4)] == ["0", "#,##0.00", "0.00%"]
    assert dx_doc.write(diagnosis, tmp_path / "d.docx").stat().st_size > 0
