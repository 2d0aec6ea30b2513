"""The annual evaluation report (综合评价报告) of one level, written once as a
:class:`~yanzhi.reports.document.Document`: 一、评价方法 in words with the weights table,
二、综合排名 (the ranking with rank intervals, 较上年, and for townships a summary per
district), the 说明, and in the 附件 a scorecard per unit — compact for townships (one small
table per unit, several a page), by indicator for districts. Numbers are the evaluation
service's (:func:`yanzhi.services.evaluation.evaluate.evaluate`), as on the web pages."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from yanzhi.core import evaluation as ev
from yanzhi.reports import render_docx, render_html
from yanzhi.reports.document import Column, Document, issuer
from yanzhi.reports.evaluation_cards import COMPACT_FROM, appendix
from yanzhi.reports.evaluation_method import (
    add_method,
    as_float,
    as_int,
    change,
    interval,
    rows_of,
    what,
)
from yanzhi.services.evaluation.evaluate import EvaluationResult

DEFAULT_ISSUER = "科技主管部门"


def document(result: EvaluationResult) -> Document:
    """The report's content (every format is written from it)."""
    fw = result.framework
    doc = Document(
        title=f"{result.year}年度{what(result)}科技创新综合评价报告",
        issuer=issuer(result.issuer or DEFAULT_ISSUER),
        issued=date.today(),
        cutoff=f"{result.year}年12月（全年数据，已审核）",
        coverage=coverage(result),
        synthetic=result.synthetic,
        sources=sources(fw),
        methods=methods(result),
    )
    add_method(doc, result)
    add_ranking(doc, result)
    doc.appendix = appendix(result)
    return doc


def coverage(result: EvaluationResult) -> str:
    n, k = len(result.results), len(result.framework.indicators)
    missing = [x for x in result.imputations if x.method != "no_enterprise"]
    text = f"{n}个{what(result)}全部参评，{k}项指标共{n * k}个数据项"
    text += f"，缺失{len(missing)}项（已按评价方法插补）" if missing else "，无缺失"
    unlocked = [_zh(x) for x in result.notes if "解锁重审" in x]
    return text + ("；" + "；".join(unlocked) if unlocked else "")


def _zh(note: str) -> str:
    """The Chinese half of a service note written "中文 / English"."""
    return note.split(" / ")[0].strip()


CODE_NOTE = re.compile(r"\s*[（(][^()（）]*[A-Z][A-Z0-9]*[_.0-9][^()（）]*[)）]")
"""A bracketed plan code in a provenance, e.g. "(规划指标 RD_GDP)", "(规划 P3.T3 ≥400)"."""


def sources(fw: ev.Framework) -> list[str]:
    """Each distinct source of the framework's items, in Chinese, without plan codes."""
    seen: list[str] = []
    for i in fw.items:
        text = CODE_NOTE.sub("", _zh(i.provenance).split(";")[0].split("；")[0]).strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def methods(result: EvaluationResult) -> list[str]:
    out = [
        "综合得分、排名、等级和排名区间由综合评价模块按本报告第一部分所述方法计算，"
        "与系统评价页面所示一致；得分保留两位小数，排名按未经舍入的得分确定。"
    ]
    over = result.results[result.results["Score"] > 100]
    if len(over):
        names = "、".join(f"{r.uName}（{r.Score:.2f}分）" for r in over.itertuples())
        out.append(f"{names}综合得分超过100分，系综合指数加上加分项所致。")
    return out


# --- 二、综合排名 ------------------------------------------------------------------------------


def ranking_table(doc: Document, result: EvaluationResult, pool: str, caption: str) -> None:
    rows = rows_of(result, pool)
    township = result.framework.level == "township"
    cols = [Column("排名", "int", 0.55), Column("单位", width=1.5)]
    cols += [Column("所属区（县、市）", width=1.1)] if township else []
    cols += [
        Column("类型", width=0.85),
        Column("综合得分", "num2", 0.95),
        Column("等级", width=0.5),
        Column("排名区间", width=1.2),
        Column("名次较上年", width=0.9),
        Column("得分较上年", "signed_num2", 0.95),
    ]
    body = [
        (
            as_int(r["Rank"]),
            r["uName"],
            *([r["parent_name"] or "—"] if township else []),
            r["kind_zh"],
            as_float(r["Score"]),
            r["Grade"] or "—",
            interval(r),
            change(r),
            as_float(r.get("ScoreChange")),
        )
        for r in rows
    ]
    note = "注：排名区间为方法组合随机抽样下名次的5%—95%分位数。" if result.draws else None
    doc.table(caption, cols, body, sheet="排名" if pool == ev.OVERALL else "单独排名", note=note)


def add_ranking(doc: Document, result: EvaluationResult) -> None:
    doc.heading("综合排名")
    overall = rows_of(result, ev.OVERALL)
    zones = [p for p in result.results["pool"].unique() if p != ev.OVERALL]
    for text in summary(result, overall):
        doc.para(text)
    ranking_table(doc, result, ev.OVERALL, f"{result.year}年度{what(result)}科技创新综合排名")
    for pool in zones:
        kind = rows_of(result, pool)[0]["kind_zh"]
        ranking_table(doc, result, pool, f"{kind}综合排名（单独排名）")
    aggregates = [a for a in result.framework.aggregates if a.code in result.results.columns]
    if len(overall) < COMPACT_FROM:
        dimension_table(doc, result, aggregates)
    if result.framework.level == "township":
        by_district(doc, result, overall, aggregates)


def summary(result: EvaluationResult, rows: list[dict[str, Any]]) -> list[str]:
    """The ranking in a few sentences: the top, the spread, grades, change, intervals."""
    if not rows:
        return []
    scores = pd.Series([as_float(r["Score"]) for r in rows], dtype=float)
    top = "、".join(f"{r['uName']}（{r['Score']:.2f}分）" for r in rows[:3])
    grades = pd.Series([r["Grade"] for r in rows]).value_counts()
    labels = "、".join(f"{g}级{int(grades.get(g, 0))}个" for g in result.framework.grades.labels)
    others = len(result.results) - len(rows)
    apart = f"（另有{others}个开发区等单独排名）" if others else ""
    out = [
        f"参加全市综合排名的{what(result)}共{len(rows)}个{apart}。综合得分居前三位的是{top}；"
        f"平均得分{scores.mean():.2f}分，中位数{scores.median():.2f}分。{labels}。"
    ]
    if result.previous_year is not None:
        ch = [as_int(r.get("RankChange")) for r in rows]
        up, down = sum(1 for c in ch if c and c > 0), sum(1 for c in ch if c and c < 0)
        best = max(rows, key=lambda r: as_float(r.get("ScoreChange")) or -math.inf)
        out.append(
            f"与{result.previous_year}年相比，名次上升的{up}个、下降的{down}个、持平的"
            f"{len(rows) - up - down}个；得分提高最多的是{best['uName']}"
            f"（{best['ScoreChange']:+.2f}分）。"
        )
    if result.draws:
        spans = [
            (math.ceil(r["RankQ95"]) - math.floor(r["RankQ5"]), r)
            for r in rows
            if as_float(r.get("RankQ5")) is not None and as_float(r.get("RankQ95")) is not None
        ]
        fixed = sum(1 for s, _ in spans if s == 0)
        wide = [r for s, r in spans if s > max(10, len(rows) // 10)]
        text = f"在{result.draws}次方法组合下，名次完全稳定的{fixed}个"
        if wide:
            width = max(10, len(rows) // 10)
            text += f"，排名区间跨度超过{width}位的{len(wide)}个，其名次先后差别不宜过度解读"
        out.append(text + "。")
    return out


def dimension_table(doc: Document, result: EvaluationResult, aggregates: list[Any]) -> None:
    cols = [Column("排名", "int", 0.6), Column("单位", width=1.3)]
    cols += [Column(f"{a.name}", "num2") for a in aggregates]
    cols += [Column("加分", "num2", 0.8), Column("扣分", "num2", 0.8), Column("综合得分", "num2")]
    body = [
        (
            as_int(r["Rank"]),
            r["uName"],
            *[as_float(r.get(a.code)) for a in aggregates],
            as_float(r.get("Bonus")),
            as_float(r.get("Deduction")),
            as_float(r["Score"]),
        )
        for r in rows_of(result)
    ]
    doc.table("分维度得分", cols, body, sheet="分维度得分")


def by_district(
    doc: Document, result: EvaluationResult, rows: list[dict[str, Any]], aggregates: list[Any]
) -> None:
    """（一）分区(县、市)情况: a table, then a paragraph per district."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["parent_name"] or "其他", []).append(r)
    if len(groups) < 2:
        return
    labels = result.framework.grades.labels
    order = sorted(groups, key=lambda d: -pd.Series([r["Score"] for r in groups[d]]).mean())
    doc.heading("分区(县、市)情况", 2)
    cols = [Column("区(县、市)", width=1.2), Column("参评单位", "int", 0.8),
            Column("平均得分", "num2", 0.9)]  # fmt: skip
    cols += [Column(f"{g}级", "int", 0.6) for g in labels]
    cols += [Column("名次上升", "int", 0.8), Column("名次下降", "int", 0.8),
             Column("最前单位(名次)", width=1.8)]  # fmt: skip
    body = []
    for d in order:
        g = groups[d]
        ch = [as_int(r.get("RankChange")) for r in g]
        body.append((
            d, len(g), float(pd.Series([r["Score"] for r in g]).mean()),
            *[sum(1 for r in g if r["Grade"] == lab) for lab in labels],
            sum(1 for c in ch if c and c > 0) if result.previous_year else None,
            sum(1 for c in ch if c and c < 0) if result.previous_year else None,
            f"{g[0]['uName']}（{as_int(g[0]['Rank'])}）",
        ))  # fmt: skip
    doc.table("分区(县、市)评价结果汇总", cols, body, sheet="分区汇总")
    for d in order:
        doc.para(district_text(d, groups[d], labels, aggregates))


def district_text(name: str, g: list[dict[str, Any]], labels: Any, aggregates: list[Any]) -> str:
    mean = pd.Series([r["Score"] for r in g]).mean()
    first, last = g[0], g[-1]
    grades = "、".join(f"{lab}级{sum(1 for r in g if r['Grade'] == lab)}个" for lab in labels)
    text = f"{name}：参评{len(g)}个，平均得分{mean:.2f}分，{grades}。"
    text += f"名次最前的是{first['uName']}（第{as_int(first['Rank'])}名）"
    if len(g) > 1:
        text += f"，最后的是{last['uName']}（第{as_int(last['Rank'])}名）"
    text += "。"
    if aggregates:
        means = {a.name: pd.Series([as_float(r.get(a.code)) for r in g], dtype=float).mean()
                 for a in aggregates}  # fmt: skip
        hi, lo = max(means, key=lambda k: means[k]), min(means, key=lambda k: means[k])
        text += f"各维度中{hi}平均得分最高（{means[hi]:.2f}分），{lo}最低（{means[lo]:.2f}分）。"
    ch = [as_int(r.get("RankChange")) for r in g]
    if any(c is not None for c in ch):
        up, down = sum(1 for c in ch if c and c > 0), sum(1 for c in ch if c and c < 0)
        text += f"较上年名次上升{up}个、下降{down}个。"
    return text


# --- 附件: scorecards ---------------------------------------------------------------------


def write_docx(result: EvaluationResult, out: Path) -> Path:
    return render_docx.write(document(result), out)


def write_pdf(result: EvaluationResult, out: Path) -> Path:
    return render_html.write_pdf(document(result), out)


def _workbook(result: EvaluationResult, out: Path) -> Path:
    from yanzhi.reports.evaluation_workbook import write_workbook

    return Path(write_workbook(result, out))


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": _workbook}
