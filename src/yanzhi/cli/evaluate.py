"""`yanzhi evaluate`: the district or township evaluation from the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yanzhi.cli.common import DatabaseOpt, JsonOpt, console, engine_for, handled, print_json
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.reports import evaluation_workbook
    from yanzhi.services.evaluation import evaluate as svc
else:
    evaluation_workbook = lazy("yanzhi.reports.evaluation_workbook")
    svc = lazy("yanzhi.services.evaluation.evaluate")

TOP, BOTTOM = 10, 5
COLUMNS = (
    ("Rank", "排名\nRank"),
    ("uName", "单元\nUnit"),
    ("Score", "得分\nScore"),
    ("GroupRank", "类型内\nIn kind"),
    ("Grade", "等级\nGrade"),
    ("interval", "排名区间\n5–95 %"),
    ("ScoreChange", "变化\nΔ score"),
)


def _fmt(row: dict[str, Any], key: str) -> str:
    if key == "interval":
        lo, hi = row.get("RankQ5"), row.get("RankQ95")
        return "—" if lo is None or hi is None else f"{lo:.0f}–{hi:.0f}"
    v = row.get(key)
    if v is None:
        return "—"
    if key in ("Rank", "GroupRank"):
        return f"{v:.0f}"
    return f"{v:+.2f}" if key == "ScoreChange" else f"{v:.2f}" if isinstance(v, float) else str(v)


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for key, label in COLUMNS:
        table.add_column(
            label, no_wrap=key == "uName", justify="left" if key == "uName" else "right"
        )
    for r in rows:
        table.add_row(*(_fmt(r, k) for k, _ in COLUMNS))
    return table


def _print(data: dict[str, Any]) -> None:
    if data["synthetic"]:
        console.print("[yellow]SYNTHETIC demo data / 示例数据(合成)[/yellow]")
    unc = data["uncertainty"]
    console.print(
        f"{data['name']} ({data['framework']}), {data['year']}: {data['n_units']} units / 单元, "
        f"{data['n_indicators']} indicators / 指标"
        + (f", {unc['draws']} draws / 次抽样 (seed {unc['seed']})" if unc else ""),
        highlight=False,
    )
    pools: dict[str, list[dict[str, Any]]] = {}
    for r in data["results"]:
        pools.setdefault(r["pool"], []).append(r)
    for pool, rows in pools.items():
        label = "overall / 总排名" if pool == "overall" else f"{pool} / 单独排名"
        console.print(_table(f"Top {TOP} — {label}", rows[:TOP]))
        if len(rows) > TOP:
            console.print(_table(f"Bottom {BOTTOM} — {label}", rows[-BOTTOM:]))
    for note in data["notes"]:
        console.print(note, highlight=False)


def evaluate(
    level: Annotated[str, typer.Option(help="township | district")],
    year: Annotated[int, typer.Option(help="Evaluation year / 评价年度")],
    uncertainty: Annotated[
        int, typer.Option(min=0, help="Monte Carlo draws for rank intervals / 抽样次数")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed / 随机种子")] = 1,
    out: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write the Excel workbook (.xlsx)")
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank the townships or districts (composite index with every step kept)."""
    with handled(as_json), engine_for(database) as engine:
        result = svc.evaluate(engine, level=level, year=year, uncertainty=uncertainty, seed=seed)
        path = evaluation_workbook.write_workbook(result, out) if out is not None else None
    data = result.to_dict()
    data["workbook"] = None if path is None else str(path)
    if as_json:
        print_json(data)
        return
    _print(data)
    if path is not None:
        console.print(f"wrote / 已写入 {path}", highlight=False)
