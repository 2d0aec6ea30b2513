"""The evaluation workbook (openpyxl): the method, every step of the build, the results, one
scorecard per unit and the rank uncertainty. Headers are Chinese with an English second line;
numbers are stored as numbers; panes are frozen; synthetic inputs are marked by a banner."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yanzhi.core.composite.pipeline import DATASETS
from yanzhi.export import sheets
from yanzhi.ingest.compositespec import spec_to_yaml
from yanzhi.services.evaluation.evaluate import EvaluationResult

SHEETS = ("Method", *DATASETS, "Results", "Scorecards", "Uncertainty", "插补说明")
BANNER = ("示例数据(合成), 非真实统计 — SYNTHETIC demo data: the inputs are generated, "
          "not real figures")  # fmt: skip
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_BANNER_FILL = PatternFill("solid", fgColor="FFF2CC")
RESULT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Rank", "排名", "Rank (in pool)"),
    ("GroupRank", "类型内排名", "Rank within kind"),
    ("Grade", "等级", "Grade"),
    ("uCode", "单元代码", "Unit code"),
    ("uName", "单元名称", "Unit"),
    ("kind_zh", "类型", "Kind"),
    ("pool", "排名组", "Ranking pool"),
    ("Score", "综合得分", "Score (index + bonus − deduction)"),
    ("Index", "指数得分", "Index before bonus"),
    ("Bonus", "加分", "Bonus"),
    ("Deduction", "扣分", "Deduction"),
    ("ScoreChange", "得分变化", "Score change"),
    ("RankChange", "排名变化", "Rank change (+ = up)"),
    ("RankQ5", "排名区间下限(5%)", "Rank 5 %"),
    ("RankMedian", "排名中位数", "Median rank"),
    ("RankQ95", "排名区间上限(95%)", "Rank 95 %"),
    ("Strengths", "优势指标", "Strongest indicators"),
    ("Weaknesses", "弱项指标", "Weakest indicators"),
)


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    return v


def _header(ws: Worksheet, row: int, labels: Sequence[tuple[str, str]]) -> None:
    for j, (zh, en) in enumerate(labels, 1):
        c = ws.cell(row=row, column=j, value=f"{zh}\n{en}")
        c.font, c.alignment = _BOLD, _WRAP
        ws.column_dimensions[get_column_letter(j)].width = max(10, min(28, len(en) + 2))
    ws.row_dimensions[row].height = 32


def _rows(ws: Worksheet, start: int, rows: Iterable[Sequence[Any]]) -> int:
    r = start
    for values in rows:
        for j, v in enumerate(values, 1):
            ws.cell(row=r, column=j, value=_cell(v))
        r += 1
    return r


def _banner(ws: Worksheet, synthetic: bool) -> int:
    """Row where the content starts (2 after a banner)."""
    if not synthetic:
        return 1
    c = ws.cell(row=1, column=1, value=BANNER)
    c.font, c.fill = Font(bold=True, color="9C0006"), _BANNER_FILL
    return 2


def write_workbook(result: EvaluationResult, path: str | Path) -> Path:
    """Write the workbook to ``path`` (.xlsx) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = sheets.new()
    wb.remove(wb.active)
    _method(wb.create_sheet("Method"), result)
    names = result.framework.names()
    for name in DATASETS:
        _dataset(wb.create_sheet(name), result, result.build.data[name], names)
    _results(wb.create_sheet("Results"), result)
    _scorecards(wb.create_sheet("Scorecards"), result, names)
    _uncertainty(wb.create_sheet("Uncertainty"), result)
    _imputations(wb.create_sheet("插补说明"), result)
    sheets.save(wb, path)
    return path


def _dataset(ws: Worksheet, res: EvaluationResult, df: pd.DataFrame, names: dict[str, str]) -> None:
    start = _banner(ws, res.synthetic)
    unit_names = res.units.set_index("uCode")["uName"]
    cols = list(df.columns)
    _header(ws, start, [("单元代码", "uCode"), ("单元名称", "Unit")]
            + [(names.get(c, c), c) for c in cols])  # fmt: skip
    _rows(ws, start + 1, ([u, unit_names.get(u), *df.loc[u].tolist()] for u in df.index))
    ws.freeze_panes = ws.cell(row=start + 1, column=3)


def _results(ws: Worksheet, res: EvaluationResult) -> None:
    start = _banner(ws, res.synthetic)
    fw = res.framework
    cols = [c for c in RESULT_COLUMNS if c[0] in res.results.columns]
    pillars = [(a.code, a.name, f"{a.name_en} ({a.code})") for a in fw.aggregates]
    cols = cols[:9] + pillars + cols[9:]
    _header(ws, start, [(zh, en) for _, zh, en in cols])
    _rows(ws, start + 1, ([r.get(c) for c, _, _ in cols]
                          for r in res.results.to_dict("records")))  # fmt: skip
    ws.freeze_panes = ws.cell(row=start + 1, column=6)


def _scorecards(ws: Worksheet, res: EvaluationResult, names: dict[str, str]) -> None:
    r = _banner(ws, res.synthetic)
    raw = res.build.data["Denominated"]
    for row in res.results.to_dict("records"):
        card = res.scorecards[str(row["uCode"])]
        interval = ""
        if row.get("RankQ5") is not None and not pd.isna(row.get("RankQ5")):
            interval = f"; 排名区间 rank interval {row['RankQ5']:.0f}–{row['RankQ95']:.0f}"
        title = (
            f"{row['uName']} ({row['uCode']}) — 排名 rank {row['Rank']:.0f} ({row['pool']}), "
            f"得分 score {row['Score']:.2f}, 等级 grade {row['Grade']}{interval}"
        )
        ws.cell(row=r, column=1, value=title).font = _BOLD
        _header(ws, r + 1, [("指标代码", "Code"), ("指标名称", "Indicator"),
                            ("原始值(已除分母)", "Value (denominated)"),
                            ("归一化得分", "Normalised score"),
                            ("贡献(相对自身平均)", "Contribution vs own average"),
                            ("作用", "Effect")])  # fmt: skip
        lifts = {c for c, _ in card["lifts"]}
        drags = {c for c, _ in card["drags"]}
        body = [[c, names.get(c, c), raw.at[row["uCode"], c], s, card["contributions"].get(c),
                 "提升 lift" if c in lifts else "拖累 drag" if c in drags else ""]
                for c, s in card["scores"].items()]  # fmt: skip
        r = _rows(ws, r + 2, body) + 1
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = ws.cell(row=1, column=3)


def _uncertainty(ws: Worksheet, res: EvaluationResult) -> None:
    start = _banner(ws, res.synthetic)
    if res.rank_stats is None:
        ws.cell(row=start, column=1, value="未做不确定性分析 (运行时加 --uncertainty N) / "
                "no uncertainty analysis (run with --uncertainty N)")  # fmt: skip
        return
    ws.cell(row=start, column=1, value=f"{res.draws} 次抽样 draws, seed {res.seed}; "
            + "; ".join(_uncertain_lines(res)))  # fmt: skip
    stats = res.rank_stats.merge(res.units[["uCode", "uName", "pool"]], on="uCode")
    stats = stats.sort_values(["pool", "RankNominal"], kind="mergesort")
    cols = [
        ("uCode", "单元代码", "Unit code"),
        ("uName", "单元名称", "Unit"),
        ("pool", "排名组", "Pool"),
        ("RankNominal", "名义排名", "Nominal rank"),
        ("RankMean", "平均排名", "Mean rank"),
        ("RankMedian", "排名中位数", "Median rank"),
        ("RankQ5", "5%分位排名", "Rank 5 %"),
        ("RankQ95", "95%分位排名", "Rank 95 %"),
    ]
    _header(ws, start + 1, [(zh, en) for _, zh, en in cols])
    _rows(ws, start + 2, ([r[c] for c, _, _ in cols] for r in stats.to_dict("records")))
    ws.freeze_panes = ws.cell(row=start + 2, column=3)


def _uncertain_lines(res: EvaluationResult) -> list[str]:
    unc = res.framework.uncertain
    out = [f"{p}: {len(v)} alternatives / 备选" for p, v in unc.alternatives.items()]
    return out + [f"weights noise level {lv}: ±{f:g}" for lv, f in sorted(unc.weight_noise.items())]


def _method(ws: Worksheet, res: EvaluationResult) -> None:
    fw = res.framework
    r = _banner(ws, res.synthetic)
    g = fw.grades
    grade_rule = (f"by {g.by}: " + ", ".join(f"{lab} ≥ {t:g}" for lab, t in
                                            zip(g.labels, g.thresholds, strict=False))
                  + f", otherwise {g.labels[-1]}")  # fmt: skip
    facts = [
        ("评价框架 Framework", f"{fw.code} — {fw.name} / {fw.name_en}"),
        ("框架文件 File", fw.source_file),
        ("层级 Level", fw.level),
        ("年度 Year", res.year),
        ("对比年度 Previous year", res.previous_year),
        ("单元类型 Unit kinds", ", ".join(fw.kinds)),
        ("单独排名 Ranked separately", ", ".join(fw.separate) or "—"),
        ("分组列 Group column", f"{fw.group} (类型内排名 rank within kind)"),
        ("等级 Grades", grade_rule + " (percentile = of the final scores in the pool)"),
        (
            "加减分规则 Bonus / deduction",
            f"item = min(points × value, max); Σ bonus capped at {fw.bonus_cap:g}, Σ deduction "
            f"capped at {fw.deduction_cap:g}; score = index + bonus − deduction (not clipped)",
        ),
        ("数据 Data", "合成示例数据 SYNTHETIC" if res.synthetic else "as stored (not synthetic)"),
        ("不确定性 Uncertainty", "; ".join(_uncertain_lines(res))),
    ]
    for key, value in facts:
        ws.cell(row=r, column=1, value=key).font = _BOLD
        ws.cell(row=r, column=2, value=_cell(value))
        r += 1
    r = _weights_table(ws, r + 1, res)
    ws.cell(row=r + 1, column=1, value="构建配置 Spec (as used)").font = _BOLD
    for k, line in enumerate(spec_to_yaml(res.build.spec).splitlines()):
        ws.cell(row=r + 2 + k, column=1, value=line)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = ws.cell(row=_banner_rows(res), column=1)


IMPUTATION_HEAD = (
    ("单元代码", "uCode"),
    ("单元名称", "Unit"),
    ("指标代码", "Indicator"),
    ("指标", "Indicator name"),
    ("插补方法", "Method"),
    ("COINr", "COINr option"),
    ("插补值", "Imputed value"),
)


def _imputations(ws: Worksheet, res: EvaluationResult) -> None:
    """插补说明: every missing indicator cell, the method that filled it and the value used
    ("缺失" where it stayed missing); one line when nothing was missing."""
    r = _banner(ws, res.synthetic)
    ws.cell(row=r, column=1, value=res.notes[0] if res.notes else "").font = _BOLD
    _header(ws, r + 1, IMPUTATION_HEAD)
    _rows(
        ws,
        r + 2,
        (
            [x.unit, x.unit_name, x.indicator, x.indicator_name, x.method_zh, x.coinr,
             "缺失" if x.value is None else x.value]
            for x in res.imputations
        ),
    )  # fmt: skip
    ws.freeze_panes = ws.cell(row=r + 2, column=3)


def _banner_rows(res: EvaluationResult) -> int:
    return 2 if res.synthetic else 1


def _weights_table(ws: Worksheet, r: int, res: EvaluationResult) -> int:
    fw = res.framework
    ew = res.build.effective_weights
    cols = [
        ("代码", "Code"),
        ("名称", "Name"),
        ("英文名", "Name (en)"),
        ("类型", "Type"),
        ("上级", "Parent"),
        ("权重", "Weight"),
        ("有效权重", "Effective weight"),
        ("方向", "Direction"),
        ("单位", "Unit"),
        ("来源", "Source"),
        ("分母", "Denominator"),
        ("每单位分值", "Points per unit"),
        ("上限", "Max"),
        ("出处", "Provenance"),
    ]
    _header(ws, r, cols)
    rows: list[list[Any]] = [[a.code, a.name, a.name_en, "Aggregate", a.parent, a.weight,
                              ew.get(a.code)] for a in fw.aggregates]  # fmt: skip
    for i in fw.items:
        src = f"{i.source_kind}: {i.source}"
        rows.append([i.code, i.name, i.name_en, i.type, i.parent, i.weight, ew.get(i.code),
                     i.direction, i.unit, src, i.denominator, i.points or None, i.max or None,
                     i.provenance])  # fmt: skip
    return _rows(ws, r + 1, rows)
