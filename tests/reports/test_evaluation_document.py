"""The annual evaluation report on the document model: the method in Chinese prose with the
weights table, the ranking with rank intervals and 较上年 from the evaluation's own numbers,
the township summary by district, compact scorecards in the 附件, and the Word, PDF and
Excel files written from the one document."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook

from yanzhi.reports import evaluation
from yanzhi.reports.document import Table
from yanzhi.services.evaluation.evaluate import EvaluationResult, evaluate
from yanzhi.services.evaluation.imputation import Imputation
from yanzhi.storage.db import make_engine

ALLOWED_LATIN = {"R", "D", "GDP", "PCT", "A", "B", "C"}


@pytest.fixture(scope="module")
def results(demo_db: str) -> dict[str, EvaluationResult]:
    eng = make_engine(demo_db)
    try:
        return {
            "district": evaluate(eng, level="district", year=2024, uncertainty=20, seed=1),
            "township": evaluate(eng, level="township", year=2024, uncertainty=20, seed=1),
        }
    finally:
        eng.dispose()


def _latin(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]+", text)) - ALLOWED_LATIN


def _table(doc: evaluation.Document, caption_part: str) -> Table:
    return next(t for t in doc.tables() if caption_part in t.caption)


def test_method_is_prose_with_a_weights_table(results: dict[str, EvaluationResult]) -> None:
    res = results["district"]
    doc = evaluation.document(res)
    text = doc.text()
    assert "一、评价方法" in text and "二、综合排名" in text and "\n说明\n" in text
    assert "{" not in text and "None" not in text and "nan" not in text
    assert not _latin(text), _latin(text)  # no codes (D01, minmax, overall …), no English
    weights = _table(doc, "评价指标及权重")
    assert [c.title for c in weights.columns][2] == "指标"
    assert len(weights.rows) == len(res.framework.indicators)
    assert sum(r[6] for r in weights.rows) == pytest.approx(1.0)  # 综合权重 adds up to 100%
    assert {c.fmt for c in weights.columns[5:]} == {"pct1"}
    names = {i.name for i in res.framework.indicators}
    assert {r[2] for r in weights.rows} == names
    assert "以同类单位均值插补" in text and "极差法" in text and "排名区间" in text
    assert doc.issuer  # the plan's issuer (or YANZHI_ISSUER)


def test_ranking_rows_are_the_evaluation_numbers(results: dict[str, EvaluationResult]) -> None:
    res = results["district"]
    doc = evaluation.document(res)
    ranking = _table(doc, "综合排名")
    want = res.results.set_index("uName")
    assert len(ranking.rows) == len(res.results)
    for row in ranking.rows:
        rank, name, _kind, score, grade, interval, change, score_change = row
        assert rank == int(want.at[name, "Rank"]) and score == pytest.approx(want.at[name, "Score"])
        assert grade == want.at[name, "Grade"]
        lo, hi = int(want.at[name, "RankQ5"] // 1), -int(-want.at[name, "RankQ95"] // 1)
        assert interval == (str(lo) if lo == hi else f"{lo}–{hi}")
        assert change in {"持平", "—"} or re.fullmatch(r"[升降]\d+", str(change))
        assert score_change == pytest.approx(want.at[name, "ScoreChange"])
    # few units: one scorecard table per unit, by indicator, in the 附件
    cards = [b for b in doc.appendix if isinstance(b, Table)]
    assert len(cards) == len(res.results)
    assert len(cards[0].rows) == len(res.framework.indicators)


def test_words_for_rank_change_and_interval() -> None:
    assert evaluation.change({"RankChange": 3.0}) == "升3"
    assert evaluation.change({"RankChange": -2.0}) == "降2"
    assert evaluation.change({"RankChange": 0.0}) == "持平"
    assert evaluation.change({"RankChange": float("nan")}) == "—"
    assert evaluation.interval({"RankQ5": 2.0, "RankQ95": 11.4}) == "2–12"
    assert evaluation.interval({"RankQ5": 5.0, "RankQ95": 5.0}) == "5"
    assert evaluation.interval({}) == "—"


def test_township_report_summarises_by_district_and_keeps_the_appendix_compact(
    results: dict[str, EvaluationResult],
) -> None:
    res = results["township"]
    doc = evaluation.document(res)
    text = doc.text()
    assert not _latin(text), _latin(text)
    overall = res.results[res.results["pool"] == "overall"]
    assert len(_table(doc, "科技创新综合排名").rows) == len(overall)
    summary = _table(doc, "分区(县、市)评价结果汇总")
    parents = res.units.set_index("uCode")["parent_name"]
    districts = set(parents.reindex(overall["uCode"]))
    assert {r[0] for r in summary.rows} == districts
    assert sum(r[1] for r in summary.rows) == len(overall)
    for d in districts:  # one paragraph per district
        assert re.search(rf"\n{d}：参评\d+个，平均得分", text)
    # the 附件: per district one score table and one lift/drag table, every unit once
    scores = [b for b in doc.appendix if isinstance(b, Table) and b.caption.endswith("得分概况")]
    effects = [b for b in doc.appendix if isinstance(b, Table) and "拉动和拖累" in b.caption]
    assert len(scores) == len(effects) < 20
    listed = [r[1] for t in scores for r in t.rows]
    assert sorted(listed) == sorted(res.results["uName"])
    first = res.results.iloc[0]
    row = next(r for t in scores for r in t.rows if r[1] == first["uName"])
    assert row[2] == pytest.approx(first["Score"]) and row[0] == int(first["Rank"])


def test_missing_values_are_counted_in_the_coverage(results: dict[str, EvaluationResult]) -> None:
    res = results["district"]
    code, name = res.results.iloc[0]["uCode"], res.results.iloc[0]["uName"]
    ind = res.framework.indicators[0]
    gap = Imputation(code, name, "区", ind.code, ind.name, "mean_group", "同类单位均值",
                     "", "i_mean_grp", 1.5)  # fmt: skip
    left = dataclasses.replace(gap, indicator=res.framework.indicators[1].code, value=None)
    with_gaps = dataclasses.replace(res, imputations=[gap, left])
    doc = evaluation.document(with_gaps)
    assert "缺失2项" in doc.coverage
    assert "缺失2项，插补1项，无法插补、保留缺失1项" in doc.text()
    card = next(b for b in doc.appendix if isinstance(b, Table) and b.caption.startswith(name))
    assert card.rows[0][1] == f"{ind.name}（插补）" and card.rows[0][2] is None


def test_files_from_the_one_document(results: dict[str, EvaluationResult], tmp_path: Path) -> None:
    res = results["township"]
    doc = evaluation.document(res)
    word = open_docx(str(evaluation.WRITERS["docx"](res, tmp_path / "a.docx")))
    assert len(word.tables) == len(doc.tables())
    ranking = word.tables[1]
    assert [c.text for c in ranking.rows[0].cells][:3] == ["排名", "单位", "所属区（县、市）"]
    assert ranking.rows[1].cells[1].text == res.results.iloc[0]["uName"]
    pdf = evaluation.WRITERS["pdf"](res, tmp_path / "a.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages < 60  # was a page per unit (168)
    wb = load_workbook(evaluation.WRITERS["xlsx"](res, tmp_path / "a.xlsx"))
    assert wb.sheetnames[0] == "说明"
    assert {"指标权重", "排名", "分区汇总", "各单位得分", "指标得分", "插补说明"} <= set(
        wb.sheetnames
    )
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not any("/" in c and ".yaml" in c for c in cells)  # no server file paths
    assert not _latin(" ".join(c for c in cells if not re.fullmatch(r"[\d.]+", c)))
    weights = wb["指标权重"]
    assert weights.cell(row=4, column=7).number_format == "0.0%"


def test_method_names_the_units_evaluated_and_each_grade_band(
    results: dict[str, EvaluationResult],
) -> None:
    """A district report speaks of districts, not townships; each grade band is a range of
    the ranking (前30%之后、前70%以内), not a percentile phrase that reads backwards."""
    from yanzhi.reports.evaluation_method import grade_text, imputation_text

    district = results["district"]
    assert "街道" not in imputation_text(district) and "区" in imputation_text(district)
    assert "等等" not in imputation_text(results["township"])
    text = grade_text(district.framework, district)
    assert "百分位" not in text and "之后、前" in text
