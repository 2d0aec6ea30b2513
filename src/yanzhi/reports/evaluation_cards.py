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
from yanzhi.services.evaluation.evaluate import EvaluationResult


def appendix(result: EvaluationResult) -> list[Block]:
    from yanzhi.reports.evaluation import COMPACT_FROM, what

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
    from yanzhi.reports.evaluation import change, interval

    text = f"{r['uName']}（{r['kind_zh']}）：第{int(r['Rank'])}名/{pool_size}，{r['Grade']}级"
    if interval(r) != "—":
        text += f"，排名区间{interval(r)}"
    return text + f"，名次较上年{change(r)}"


def compact(result: EvaluationResult) -> list[Block]:
    """One table per unit: 综合 and each dimension — score and rank in the pool."""
    from yanzhi.reports.evaluation import rows_of

    aggs = [a for a in result.framework.aggregates if a.code in result.results.columns]
    res = result.results.set_index("uCode")
    ranks = {a.code: _ranks(result, res[a.code]) for a in aggs}
    sizes = result.units["pool"].value_counts()
    cols = (Column("项目", width=0.8), Column("综合得分"),
            *[Column(a.name) for a in aggs], Column("加分/扣分"))  # fmt: skip
    out: list[Block] = [
        Paragraph(
            "各表列出综合得分和各维度得分及其在排名组内的位次；表下列出按权重对本单位得分"
            "拉动最大和拖累最大的指标（与本单位各指标平均水平相比）。",
            "note",
        )
    ]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows_of(result):
        key = r["parent_name"] or "其他" if r["pool"] == ev.OVERALL else str(r["kind_zh"])
        groups.setdefault(key, []).append(r)
    for name, rows in groups.items():
        out.append(Paragraph(f"{name}（{len(rows)}个）", "emphasis"))
        for r in rows:
            code, size = r["uCode"], int(sizes[r["pool"]])
            score = [cell_text(r["Score"], "num2"), *[cell_text(r.get(a.code), "num2") for a in aggs]]
            rank = [f"{int(r['Rank'])}", *[cell_text(ranks[a.code].get(code), "int") for a in aggs]]
            bonus = _points(r.get("Bonus"), r.get("Deduction"))
            body = (("得分", *score, bonus), ("位次", *rank, "—"))
            note = (f"拉动较大：{_names(result, r.get('Lifts') or [])}；"
                    f"拖累较大：{_names(result, r.get('Drags') or [])}。")  # fmt: skip
            out.append(Table(caption(r, size), cols, body, None, note))
    return out


def detailed(result: EvaluationResult) -> list[Block]:
    """One table per unit by indicator."""
    from yanzhi.reports.evaluation import rows_of

    fw, bld = result.framework, result.build
    norm, values = bld.data["Normalised"], bld.data["Denominated"]
    ranks = {i.code: _ranks(result, norm[i.code]) for i in fw.indicators}
    dims = {a.code: a.name for a in fw.aggregates}
    sizes = result.units["pool"].value_counts()
    cols = (Column("维度", width=0.9), Column("指标", width=3.0), Column("数值", "num2", 1.1),
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
                None if i.code in filled else _float(values.at[code, i.code]),
                i.unit or "—",
                _float(card["scores"].get(i.code)),
                _int(ranks[i.code].get(code)),
                "拉动" if i.code in lifts else "拖累" if i.code in drags else "—",
            )
            for i in fw.indicators
        ]
        note = (f"综合得分{r['Score']:.2f}分（综合指数{r['Index']:.2f}分，加分{r['Bonus']:g}分，"
                f"扣分{r['Deduction']:g}分）。数值为折算后数值。")  # fmt: skip
        out.append(Table(caption(r, int(sizes[r["pool"]])), cols, tuple(body), None, note))
    return out


def _points(bonus: Any, minus: Any) -> str:
    """"加3 扣2", "加1.5", "—" (neither)."""
    parts = [f"{verb}{v:g}" for verb, v in (("加", _float(bonus)), ("扣", _float(minus))) if v]
    return " ".join(parts) or "—"


def _float(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)
