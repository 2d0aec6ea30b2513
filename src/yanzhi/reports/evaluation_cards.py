"""The evaluation report's 附件: a scorecard per unit. Many units (townships): one small
table each — the index and each dimension's score and rank in the pool, the caption with
rank, grade, rank interval and 较上年, a note naming the indicators that lift and drag the
unit most — grouped by district, several to a page. Few units (districts): one table per
unit by indicator (value, normalised score, rank in the pool, effect)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from yanzhi.core import evaluation as ev
from yanzhi.reports.document import Block, Column, Heading, Paragraph, Table, cell_text
from yanzhi.reports.evaluation_method import as_float, as_int, change, interval, rows_of, what
from yanzhi.services.evaluation.evaluate import EvaluationResult

COMPACT_FROM = 30  # units: from this many on, the 附件 groups the units by district


def appendix(result: EvaluationResult) -> list[Block]:
    title = f"附件：各{what(result)}评分卡"
    if len(result.results) >= COMPACT_FROM:
        return [Heading(title, 1), *compact(result)]
    return [Heading(title, 1), *detailed(result)]


def _ranks(result: EvaluationResult, values: pd.Series) -> pd.Series:
    """Descending ranks within each unit's pool (as the web's scorecard ranks them)."""
    pool = result.units.set_index("uCode")["pool"].reindex(values.index)
    return ev.ranks_within(values.astype(float), pool)


def _names(result: EvaluationResult, codes: list[Any]) -> str:
    names = {i.code: i.name for i in result.framework.indicators}
    return "、".join(names.get(str(c), str(c)) for c in codes) or "—"


def caption(r: dict[str, Any], pool_size: int) -> str:
    """ "北仑区（区）：第1名/10，A级，排名区间1–2，名次较上年持平"."""
    text = f"{r['uName']}（{r['kind_zh']}）：第{int(r['Rank'])}名/{pool_size}，{r['Grade']}级"
    if interval(r) != "—":
        text += f"，排名区间{interval(r)}"
    return text + f"，名次较上年{change(r)}"


EFFECT_COLUMNS = (
    Column("单位", width=1.0),
    Column("拉动较大的指标", width=3.0),
    Column("拖累较大的指标", width=3.0),
)


def compact(result: EvaluationResult) -> list[Block]:
    """One table per district (a row per unit: rank, score, grade, interval and each
    dimension's score with its rank in the pool), then a line per unit naming the indicators
    that lift and drag it most. A table per unit would cost ~30 ms of PDF layout each."""
    aggs = [a for a in result.framework.aggregates if a.code in result.results.columns]
    res = result.results.set_index("uCode")
    ranks = {a.code: _ranks(result, res[a.code]) for a in aggs}
    cols = (Column("名次", "int", 0.5), Column("单位", width=1.2),
            Column("综合得分", "num2", 0.8), Column("等级", width=0.45),
            Column("排名区间", width=0.95),
            *[Column(f"{a.name}", width=1.05) for a in aggs])  # fmt: skip
    out: list[Block] = [
        Paragraph(
            "各表按所属区(县、市)列出每个单位的综合得分、等级、排名区间和各维度得分，括号内为"
            "该维度得分在排名组内的位次；随后一表列出按权重对本单位得分拉动最大和拖累最大的指标"
            "（与本单位各指标平均水平相比）。",
            "note",
        )
    ]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows_of(result):
        key = (
            r["parent_name"] or "其他" if r["pool"] == ev.OVERALL else f"{r['kind_zh']}（单独排名）"
        )
        groups.setdefault(key, []).append(r)
    for name, rows in groups.items():
        body = [
            (
                as_int(r["Rank"]),
                r["uName"],
                as_float(r["Score"]),
                r["Grade"] or "—",
                interval(r),
                *[_with_rank(r.get(a.code), ranks[a.code].get(r["uCode"])) for a in aggs],
            )
            for r in rows
        ]
        out.append(Table(f"{name}各{what(result)}得分概况", cols, tuple(body), None, None))
        effects = tuple(
            (r["uName"], _names(result, r.get("Lifts") or []), _names(result, r.get("Drags") or []))
            for r in rows
        )
        out.append(Table(f"{name}各{what(result)}拉动和拖累得分较大的指标", EFFECT_COLUMNS,
                         effects, None, None))  # fmt: skip
    return out


def _with_rank(score: Any, rank: Any) -> str:
    """ "98.52(1)"; "—" without a score."""
    s = as_float(score)
    if s is None:
        return "—"
    r = as_int(rank)
    return f"{s:.2f}" + (f"({r})" if r is not None else "")


COUNT_UNITS = ("家", "件", "项", "个", "人")


def value_text(v: Any, unit: str) -> str | None:
    """A value as printed: counts whole (1,679), small ratios with 4 decimals, else 2."""
    x = as_float(v)
    if x is None:
        return None
    if unit in COUNT_UNITS and x.is_integer():
        return cell_text(x, "int")
    return f"{x:.4f}" if 0 < abs(x) < 1 else cell_text(x, "num2")


def detailed(result: EvaluationResult) -> list[Block]:
    """One table per unit by indicator."""
    fw, bld = result.framework, result.build
    norm, values = bld.data["Normalised"], bld.data["Denominated"]
    ranks = {i.code: _ranks(result, norm[i.code]) for i in fw.indicators}
    dims = {a.code: a.name for a in fw.aggregates}
    sizes = result.units["pool"].value_counts()
    cols = (Column("维度", width=1.2), Column("指标", width=2.7), Column("数值", width=1.1),
            Column("计量单位", width=0.9), Column("标准化得分", "num1", 0.9),
            Column("位次", "int", 0.6), Column("作用", width=0.7))  # fmt: skip
    out: list[Block] = []
    for r in rows_of(result):
        code = r["uCode"]
        card = result.scorecards[code]
        lifts, drags = {c for c, _ in card["lifts"]}, {c for c, _ in card["drags"]}
        filled = {x.indicator for x in result.imputations if x.unit == code}
        body = [
            (
                dims.get(str(i.parent), "—"),
                i.name + ("（插补）" if i.code in filled else ""),
                None if i.code in filled else value_text(values.at[code, i.code], i.unit),
                i.unit or "—",
                as_float(card["scores"].get(i.code)),
                as_int(ranks[i.code].get(code)),
                "拉动" if i.code in lifts else "拖累" if i.code in drags else "—",
            )
            for i in fw.indicators
        ]
        note = (f"综合得分{r['Score']:.2f}分（综合指数{r['Index']:.2f}分，加分{r['Bonus']:g}分，"
                f"扣分{r['Deduction']:g}分）。数值为折算后数值。")  # fmt: skip
        out.append(Table(caption(r, int(sizes[r["pool"]])), cols, tuple(body), None, note))
    return out
