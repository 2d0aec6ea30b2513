"""The evaluation workbook (Excel): the report's content written by
:mod:`yanzhi.reports.render_xlsx` — a 说明 sheet (framework, cut-off, coverage, sources and
methods), 正文, then one sheet per table with a Chinese name and number formats: 指标权重,
排名, 分区汇总, 各单位得分 (every unit's scores, ranks, interval and change), 指标得分 (each
indicator's normalised score), 指标数值 (the values as used, after conversion and
imputation), 原始数据 and 插补说明. Units and indicators are named, never coded; numbers
stay numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from yanzhi.reports import render_xlsx
from yanzhi.reports.document import Column, Document, Table
from yanzhi.reports.evaluation_cards import COUNT_UNITS
from yanzhi.services.evaluation.evaluate import EvaluationResult

POOLS = {"overall": "全体排名"}
SHEETS = ("指标权重", "排名", "各单位得分", "指标得分", "指标数值", "原始数据", "插补说明")


def _v(x: Any) -> Any:
    """A cell value: numbers as float/int, missing as None."""
    if x is None:
        return None
    if hasattr(x, "item") and not isinstance(x, str):
        x = x.item()
    if isinstance(x, float) and pd.isna(x):
        return None
    return x


def _names(result: EvaluationResult, codes: Any) -> str:
    names = {i.code: i.name for i in result.framework.indicators}
    return "、".join(names.get(str(c), str(c)) for c in codes or []) or "—"


def workbook_document(result: EvaluationResult) -> Document:
    """The report's document with the unit-by-indicator tables in place of the 附件."""
    from yanzhi.reports.evaluation import document

    doc = document(result)
    doc.appendix = []
    doc.blocks += [unit_table(result), *indicator_tables(result), imputation_table(result)]
    return doc


def unit_table(result: EvaluationResult) -> Table:
    from yanzhi.reports.evaluation_method import as_int, rows_of

    fw = result.framework
    aggs = [a for a in fw.aggregates if a.code in result.results.columns]
    cols = [
        Column("排名", "int"), Column("区划代码"), Column("单位"), Column("所属区(县、市)"),
        Column("类型"), Column("排名组"), Column("综合得分", "num2"),
        Column(fw.index_name, "num2"), *[Column(a.name, "num2") for a in aggs],
        Column("加分", "num2"), Column("扣分", "num2"), Column("等级"),
        Column("类型内排名", "int"), Column("上年得分", "num2"),
        Column("得分较上年", "signed_num2"), Column("上年排名", "int"),
        Column("名次较上年(正为上升)", "int"), Column("排名区间下限", "int"),
        Column("排名中位数", "num1"), Column("排名区间上限", "int"),
        Column("拉动较大的指标"), Column("拖累较大的指标"),
    ]  # fmt: skip
    rows = []
    for r in rows_of(result):
        pool = POOLS.get(r["pool"], f"{r['kind_zh']}单独排名")
        q5, q95 = _v(r.get("RankQ5")), _v(r.get("RankQ95"))
        rows.append((
            as_int(r["Rank"]), r["uCode"], r["uName"], r["parent_name"] or None, r["kind_zh"], pool,
            _v(r["Score"]), _v(r["Index"]), *[_v(r.get(a.code)) for a in aggs],
            _v(r.get("Bonus")), _v(r.get("Deduction")), r["Grade"], as_int(r.get("GroupRank")),
            _v(r.get("ScorePrev")), _v(r.get("ScoreChange")), as_int(r.get("RankPrev")),
            as_int(r.get("RankChange")),
            None if q5 is None else int(q5 // 1), _v(r.get("RankMedian")),
            None if q95 is None else -int(-q95 // 1),
            _names(result, r.get("Lifts")), _names(result, r.get("Drags")),
        ))  # fmt: skip
    return Table("各单位综合得分、排名和排名区间", tuple(cols), tuple(rows), "各单位得分")


def _column(i: Any, raw: bool | None) -> Column:
    """An indicator's column: its name; with the unit for values (``raw`` True: before the
    per-head conversion, where counts are whole numbers)."""
    if raw is None:
        return Column(i.name, "num2")
    if raw and i.denominator:
        return Column(f"{i.name}(折算前)", "num2")
    unit = f"({i.unit})" if i.unit else ""
    whole = raw and i.unit in COUNT_UNITS
    return Column(i.name + unit, "int" if whole else "num2")


def _matrix(result: EvaluationResult, frame: pd.DataFrame, caption: str, sheet: str,
            raw: bool | None) -> Table:  # fmt: skip
    fw = result.framework
    names = result.units.set_index("uCode")["uName"]
    inds = [i for i in fw.indicators if i.code in frame.columns]
    cols = [Column("单位"), *[_column(i, raw) for i in inds]]
    order = [u for u in result.results["uCode"] if u in frame.index]
    rows = tuple((names.get(u, u), *[_v(frame.at[u, i.code]) for i in inds]) for u in order)
    return Table(caption, tuple(cols), rows, sheet)


def indicator_tables(result: EvaluationResult) -> list[Table]:
    data = result.build.data
    return [
        _matrix(result, data["Normalised"], "各指标标准化得分(0—100)", "指标得分", None),
        _matrix(
            result, data["Imputed"], "各指标数值(折算、插补后，参与计算的数值)", "指标数值", False
        ),
        _matrix(result, result.raw, "各指标原始数据", "原始数据", True),
    ]


def imputation_table(result: EvaluationResult) -> Table:
    cols = (Column("单位"), Column("类型"), Column("指标"), Column("处理方法"),
            Column("采用数值", "num2"))  # fmt: skip
    rows = tuple(
        (x.unit_name, x.kind, x.indicator_name, x.method_zh, x.value) for x in result.imputations
    )
    note = None if rows else "本年度各指标数据齐全，无缺失、无插补。"
    return Table("缺失数据及插补说明", cols, rows, "插补说明", note)


def write_workbook(result: EvaluationResult, path: str | Path) -> Path:
    """Write the workbook to ``path`` (.xlsx) and return the path."""
    return render_xlsx.write(workbook_document(result), Path(path))
