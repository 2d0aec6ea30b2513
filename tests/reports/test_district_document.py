"""The district's 述职材料 on the shared Document model: its three parts in order, the rank
and its interval in words, indicator names never codes, and — the key rule — every number
printed is a number of the data (DistrictReport) as the document formats it."""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx

from yanzhi.reports import district as report
from yanzhi.reports.document import SYNTHETIC_LABEL, Heading
from yanzhi.storage.db import make_engine
from yanzhi.views.reports.district import DistrictReport, district_report

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
DISTRICTS = ("330212", "330225")


@pytest.fixture(scope="module")
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def reports(engine) -> dict[str, DistrictReport]:
    return {c: district_report(engine, code=c, year=2025, uncertainty=20) for c in DISTRICTS}


def _norm(token: str) -> str:
    """1,181 → 1181; 07 → 7; 3.60 stays 3.60 (decimals are compared as printed)."""
    t = token.replace(",", "")
    return t if "." in t else str(int(t))


def _formats(x: float) -> set[str]:
    """The ways the document prints a number of the data (reports/district.py helpers and
    the services' own sentences): 2 decimals, %g, an integer, a share as a percentage."""
    if math.isnan(x) or math.isinf(x):
        return set()
    out = {f"{x:.2f}", f"{abs(x):.2f}", f"{x:g}", f"{abs(x) * 100:.1f}", f"{x * 100:.0f}"}
    if float(x).is_integer() or abs(x - round(x)) < 1e-9:
        out.add(str(round(x)))
    return {_norm(t) for s in out for t in NUMBER.findall(s)}


def sourced_numbers(data: DistrictReport, issued: date) -> set[str]:
    """Every number of the data formatted as the document formats numbers, the numbers in
    its texts (names, the services' verdict sentences, periods), the counts of its lists
    and of the indicators by verdict and of the warnings by indicator, and the date."""
    out: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, int | float):
            out.update(_formats(float(v)))
        elif isinstance(v, str):
            out.update(_norm(t) for t in NUMBER.findall(v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            out.add(str(len(v)))
            for x in v:
                walk(x)

    d = data.model_dump()
    walk(d)
    counts = Counter(i["verdict"] for i in d["indicators"])
    counts += Counter(w["indicator_name"] for w in d["off_track"])
    counts["needs attention"] = sum(
        i["verdict"] in ("off_track", "at_risk") for i in d["indicators"]
    )
    out.update(str(n) for n in counts.values())
    out.update({str(issued.year), str(issued.month), str(issued.day)})
    return out


def unsourced(text: str, data: DistrictReport, issued: date) -> list[str]:
    allowed = sourced_numbers(data, issued)
    return [t for t in NUMBER.findall(text) if _norm(t) not in allowed]


@pytest.mark.parametrize("code", DISTRICTS)
def test_every_number_printed_comes_from_the_data(reports, code):
    data = reports[code]
    doc = report.document(data)
    text = doc.text()
    assert unsourced(text, data, doc.issued) == []
    # the check can fail: a number the data do not hold is reported
    assert unsourced(text + "同比增长12.345%, 987 家", data, doc.issued) == ["12.345", "987"]


def test_three_parts_in_order_with_title_cutoff_and_sources(reports):
    data = reports["330212"]
    doc = report.document(data)
    assert doc.title == f"{data.unit['name']}2025年度科技创新工作述职材料"
    top = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert top == ["主要成绩", "存在的问题", "下一步工作"]
    assert doc.synthetic and doc.cutoff.endswith("年度指标至2025年")
    assert "已审核数据" in doc.cutoff and doc.coverage
    assert any(i["name"] in s for s in doc.sources for i in data.indicators)
    assert any(str(data.evaluation.draws) in m for m in doc.methods)


def test_rank_is_written_in_words_with_its_interval():
    ev: dict[str, Any] = {"of": 10, "rank": 4, "rank_q5": 4.0, "rank_q95": 4.0}
    assert report.rank_words(ev) == (
        "在全市10个区县市中排第4位，排名稳定（不确定性分析下始终第4位）"
    )
    ev.update(rank_q5=3.0, rank_q95=5.0)
    assert report.rank_words(ev).endswith("不确定性分析下排名在第3至5位之间")
    ev.update(rank_q5=None, rank_q95=None)
    assert report.rank_words(ev) == "在全市10个区县市中排第4位"


@pytest.mark.parametrize("code", DISTRICTS)
def test_names_not_codes_and_chinese_conventions(reports, code):
    data = reports[code]
    text = report.document(data).text()
    ev = data.evaluation
    assert report.rank_words(ev.model_dump()) in text
    for i in data.indicators:
        assert i["indicator"] not in text and i["name"] in text
        assert i["verdict_zh"] in text
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"GDP", "PCT"}
    assert words == set(), words
    assert not re.search(r"\b20\d,\d{3}\b|None|nan|synthetic|\d\.\d+ ?家|\(预测", text)
    for w in sorted(data.falling_townships, key=lambda w: w["growth"])[: report.LOWEST]:
        assert w["name"] in text
    for e in data.stopped_largest[: report.LOWEST]:
        assert e["name"] in text and report.wan(e["previous_year_rd_expense"]) in text
    s = data.stopped
    if s and s["total"]:
        assert f"{s['total']} 家企业停止研发" in text
    rd = data.rd[0]
    assert (
        rd.period == "2025-01..12"
        and f"2025年全年，全{data.unit['name'][-1]}规上工业企业研发费用{report.yi(rd.value)}"
        in text
    )


def test_word_and_pdf_are_written_from_the_document(reports, tmp_path: Path):
    data = reports["330212"]
    doc = report.document(data)
    word = open_docx(str(report.WRITERS["docx"](data, tmp_path / "d.docx")))
    paras = [p.text for p in word.paragraphs]
    assert paras[0] == doc.title and word.paragraphs[0].style.name == "文件标题"
    assert "一、主要成绩" in paras and "三、下一步工作" in paras
    assert SYNTHETIC_LABEL in word.sections[0].header.paragraphs[0].text
    pdf = report.WRITERS["pdf"](data, tmp_path / "d.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages")))
    assert 2 <= pages <= 4
    assert set(report.WRITERS) == {"docx", "pdf"}
