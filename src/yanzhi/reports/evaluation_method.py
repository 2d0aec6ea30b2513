"""The evaluation report's 评价方法 in words: the framework, its indicators and weights (a
table), how values are converted, imputed, treated, normalised and aggregated, how bonus
points, ranks, grades and rank intervals are made, and how complete the year's data are.
Everything is read from the evaluation's framework and build (the spec as used), so the
words follow the framework file."""

from __future__ import annotations

import math
from typing import Any

from yanzhi.core import evaluation as ev
from yanzhi.reports.document import Column, Document
from yanzhi.services.evaluation.evaluate import EvaluationResult
from yanzhi.services.evaluation.imputation import METHODS

LEVEL_UNITS = {"township": "乡镇(街道)", "district": "区(县、市)"}
DENOMINATORS = {"resident_population": "常住人口", "gdp": "地区生产总值", "GDP": "地区生产总值"}
UNCERTAIN_STEPS = {
    "normalise": "标准化方法",
    "treat": "异常值处理",
    "aggregate.method": "汇总方法",
    "impute": "插补方法",
    "denominate": "人口折算",
}
AGGREGATION = {"amean": "加权算术平均", "gmean": "加权几何平均", "hmean": "加权调和平均"}


def what(result: EvaluationResult) -> str:
    """乡镇(街道) or 区(县、市)."""
    return LEVEL_UNITS.get(result.framework.level, "单位")


def _pct(x: float | None) -> float | None:
    return None if x is None else float(x)


def weight_rows(result: EvaluationResult) -> list[tuple[Any, ...]]:
    """One row per indicator: dimension (with its weight), indicator, unit, direction, the
    weight within the dimension and the weight in the index (shares, written as %)."""
    fw, ew = result.framework, result.build.effective_weights
    within: dict[str, float] = {}
    for i in fw.indicators:
        within[str(i.parent)] = within.get(str(i.parent), 0.0) + float(i.weight or 0)
    rows = []
    for a in fw.aggregates:
        for i in (x for x in fw.indicators if x.parent == a.code):
            share = float(i.weight or 0) / within[a.code] if within.get(a.code) else None
            rows.append(
                (
                    a.name,
                    _pct(ew.get(a.code)),
                    i.name,
                    i.unit or "—",
                    "正向" if i.direction >= 0 else "逆向",
                    share,
                    _pct(ew.get(i.code)),
                )
            )
    return rows


WEIGHT_COLUMNS = [
    Column("维度", width=1.1),
    Column("维度权重", "pct1", 0.9),
    Column("指标", width=3.2),
    Column("计量单位", width=1.0),
    Column("方向", width=0.7),
    Column("维度内权重", "pct1", 1.0),
    Column("综合权重", "pct1", 0.9),
]


def add_method(doc: Document, result: EvaluationResult) -> None:
    """一、评价方法: the framework in a paragraph, the weights table, then the steps."""
    fw = result.framework
    n_units = len(result.results)
    kinds = result.units["kind_zh"].value_counts()
    kind_text = "、".join(f"{k}{n}个" for k, n in kinds.items())
    dims = "、".join(a.name for a in fw.aggregates)
    bonus = [i for i in fw.bonus_items if i.type == "Bonus"]
    minus = [i for i in fw.bonus_items if i.type == "Deduction"]
    doc.heading("评价方法")
    doc.para(
        f"本次评价采用《{fw.name}》评价框架，对全市{n_units}个{what(result)}"
        f"（{kind_text}）{result.year}年度科技创新工作进行综合评价。评价体系由{dims}"
        f"{len(fw.aggregates)}个维度共{len(fw.indicators)}项指标构成，"
        f"另设加分项{len(bonus)}项、扣分项{len(minus)}项。各指标及权重见下表。"
    )
    doc.table(
        "评价指标及权重",
        WEIGHT_COLUMNS,
        weight_rows(result),
        sheet="指标权重",
        note="注：维度内权重为指标在所属维度中的占比；综合权重 = 维度权重 × 维度内权重，"
        "为该指标在综合指数中的占比。",
    )
    doc.heading("计算步骤", 2)
    for text in steps(result):
        doc.para(text)
    doc.heading("加分、扣分与等级", 2)
    doc.para(bonus_text(fw))
    doc.para(grade_text(fw, result))
    if result.draws:
        doc.para(interval_text(fw, result))


def steps(result: EvaluationResult) -> list[str]:
    """The build's steps in words, in order."""
    fw, spec = result.framework, result.build.spec
    out = []
    per_head = [i.name for i in fw.indicators if i.denominator]
    if per_head and spec.get("denominate", True):
        base = "、".join(sorted({DENOMINATORS.get(str(i.denominator), "相应基数")
                                for i in fw.indicators if i.denominator}))  # fmt: skip
        out.append(
            f"数据折算：{'、'.join(per_head)}{len(per_head)}项指标分别除以{base}，"
            "消除单位规模差异。"
        )
    out.append(imputation_text(result))
    treat = spec.get("treat")
    if isinstance(treat, dict) and treat:
        out.append(
            f"异常值处理：指标分布偏度绝对值不小于{treat.get('skew_thresh', 2):g}且峰度不小于"
            f"{treat.get('kurt_thresh', 3.5):g}时视为存在极端值，先将最极端的数值逐个缩尾"
            f"（每项指标最多{treat.get('winmax', 5):g}个），仍不满足时改用对数变换。"
        )
    out.append(normalise_text(fw, spec.get("normalise") or {}))
    how = AGGREGATION.get(str((spec.get("aggregate") or {}).get("method", "amean")), "加权平均")
    out.append(
        f"汇总：各维度得分为所含指标标准化得分的{how}，{fw.index_name}为各维度得分按维度权重的"
        f"{how}；综合得分 = {fw.index_name} + 加分 − 扣分。"
    )
    return out


def normalise_text(fw: ev.Framework, norm: dict[str, Any]) -> str:
    low, high = (norm.get("l_u") or [0, 100])[:2]
    method = str(norm.get("method", "minmax"))
    if method == "minmax":
        text = (
            f"标准化：各指标按极差法（最小—最大值法）换算为{low:g}—{high:g}分，"
            "全部参评单位中最好者得满分、最差者得最低分；逆向指标先取反。"
        )
    else:
        text = "标准化：各指标按排序位次换算为得分。"
    targeted = [i.name for i in fw.indicators if i.code in (norm.get("indiv") or {})]
    if targeted:
        text += (
            f"其中{'、'.join(targeted)}{len(targeted)}项规划核心指标按实际值与规划目标值之比计分，"
            "达到目标值即得满分。"
        )
    return text


def imputation_text(result: EvaluationResult) -> str:
    """How missing values are filled and how many were, from the evaluation's imputations."""
    method = str(result.build.spec.get("impute", {}).get("method", "mean_group"))
    how = METHODS.get(method, (method,))[0]
    rule = f"缺失值处理：指标数据缺失时，以{how}插补"
    if "group" in method:  # the kinds of unit being evaluated (街道、镇 or 区、县、县级市)
        kinds = "、".join(str(k).rstrip("等") for k in result.units["kind_zh"].unique())
        rule += f"（{kinds}等各类单位分别计算）"
    found = result.imputations
    zero = [x for x in found if x.method == "no_enterprise"]
    missing = [x for x in found if x.method != "no_enterprise"]
    left = [x for x in missing if x.value is None]
    cells = len(result.results) * len(result.framework.indicators)
    if not missing:
        text = f"{rule}。本年度{cells}个指标数据项均有数值，未作插补"
    else:
        text = (
            f"{rule}。本年度{cells}个指标数据项中缺失{len(missing)}项，"
            f"插补{len(missing) - len(left)}项"
        )
        if left:
            text += f"，无法插补、保留缺失{len(left)}项"
    if zero:
        text += f"；另有{len(zero)}项因单位内无符合条件的企业按0计"
    return text + "。"


def bonus_text(fw: ev.Framework) -> str:
    def item(i: ev.Item) -> str:
        verb = "加" if i.type == "Bonus" else "扣"
        return (
            f"{i.name.split('(')[0]}每{i.unit or '项'}{verb}{i.points:g}分、最多{verb}{i.max:g}分"
        )

    bonus = [item(i) for i in fw.bonus_items if i.type == "Bonus"]
    minus = [item(i) for i in fw.bonus_items if i.type == "Deduction"]
    text = []
    if bonus:
        text.append(f"加分项：{'；'.join(bonus)}；加分合计不超过{fw.bonus_cap:g}分。")
    if minus:
        text.append(f"扣分项：{'；'.join(minus)}；扣分合计不超过{fw.deduction_cap:g}分。")
    text.append("综合得分不设上限，加分后可能超过100分。")
    return "".join(text)


def grade_text(fw: ev.Framework, result: EvaluationResult) -> str:
    g = fw.grades
    pools = "全体参评单位"
    separate = result.units.loc[result.units["pool"] != ev.OVERALL, "kind_zh"].unique()
    if len(separate):
        pools = f"所在排名组（{'、'.join(separate)}单独排名）"
    if g.by == "score":
        bands = [
            f"综合得分不低于{t:g}分为{lab}级"
            for t, lab in zip(g.thresholds, g.labels, strict=False)
        ]
        return f"等级：{'，'.join(bands)}，其余为{g.labels[-1]}级。"
    top = 100 - g.thresholds[0]
    bands = [f"综合得分位于{pools}前{top:g}%的为{g.labels[0]}级"]
    for t, lab in zip(g.thresholds[1:], g.labels[1:], strict=False):
        bands.append(f"前{top:g}%之后、前{100 - t:g}%以内的为{lab}级")
        top = 100 - t
    text = f"排名与等级：按综合得分由高到低排名。{'，'.join(bands)}，其余为{g.labels[-1]}级。"
    if len(separate):
        text += f"{'、'.join(separate)}参与标准化，但单独排名、单独定级。"
    return text


def interval_text(fw: ev.Framework, result: EvaluationResult) -> str:
    unc = fw.uncertain
    parts = [UNCERTAIN_STEPS.get(p, "计算方法") for p in unc.alternatives]
    if unc.weight_noise:
        noise = max(unc.weight_noise.values())
        parts.append(f"权重（上下浮动{noise:.0%}）")
    return (
        f"排名区间：为反映评价方法选择对名次的影响，对{'、'.join(parts)}作{result.draws}次随机组合"
        "重新计算，取每个单位名次的5%和95%分位数作为排名区间。区间越窄，名次越稳定；"
        "区间相互重叠的单位，名次先后差别不宜过度解读。"
    )


# --- shared by the report's parts ------------------------------------------------------


def as_int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v)


def as_float(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def interval(r: dict[str, Any]) -> str:
    """ "2–12" (the 5 %–95 % ranks), "—" without draws."""
    q5, q95 = as_float(r.get("RankQ5")), as_float(r.get("RankQ95"))
    if q5 is None or q95 is None:
        return "—"
    lo, hi = math.floor(q5), math.ceil(q95)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def change(r: dict[str, Any]) -> str:
    """The rank against last year in words: 升3, 降2, 持平, — (no last year)."""
    c = as_int(r.get("RankChange"))
    if c is None:
        return "—"
    return "持平" if c == 0 else f"升{c}" if c > 0 else f"降{-c}"


def rows_of(result: EvaluationResult, pool: str | None = None) -> list[dict[str, Any]]:
    parents = result.units.set_index("uCode").get("parent_name")
    out = []
    for r in result.results.to_dict("records"):
        if pool is None or r["pool"] == pool:
            r["parent_name"] = parents.get(r["uCode"], "") if parents is not None else ""
            out.append(r)
    return out
