"""`yanzhi composite …`: build a composite index from COINr CSVs, and test its robustness."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yanzhi.cli.common import JsonOpt, console, err_console, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy


def _input_error() -> type[CompositeInputError]:
    """The composite engine's input error (imported when an error is being handled)."""
    from yanzhi.core.composite import CompositeInputError

    return CompositeInputError


if TYPE_CHECKING:
    from yanzhi.core.composite import CompositeInputError
    from yanzhi.services.evaluation import composite as svc
else:
    svc = lazy("yanzhi.services.evaluation.composite")

app = group(
    "Composite index (COINr equivalent): build and robustness. / 综合评价指数",
)


def _file_opt(help_text: str) -> Any:
    return typer.Option(
        exists=True, dir_okay=False, readable=True, help=help_text, show_default=False
    )


IdataOpt = Annotated[Path, _file_opt("iData CSV (one row per unit) / 单元数据")]
ImetaOpt = Annotated[Path, _file_opt("iMeta CSV (one row per code) / 指标框架")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Build spec YAML (default: all defaults) / 构建配置",
    ),
]
OutOpt = Annotated[
    Path, typer.Option(file_okay=False, help="Output directory / 输出目录", show_default=False)
]
UncertainOpt = Annotated[Path, _file_opt("Uncertain inputs YAML (docs/evaluation.md) / 不确定输入")]
SeedOpt = Annotated[int, typer.Option(help="Random seed / 随机种子")]


@contextmanager
def composite_errors(as_json: bool) -> Iterator[None]:
    """Refused inputs: every issue with table, row, column, rule and reason; exit 1."""
    try:
        yield
    except _input_error() as exc:
        if as_json:
            print_json({"ok": False, "errors": [vars(i) for i in exc.issues]})
        else:
            for i in exc.issues:
                row = "" if i.row is None else f" row {i.row}"
                col = f", column {i.column}" if i.column else ""
                err_console.print(f"[red]✗[/red] {i.table}{row}{col}", highlight=False)
                err_console.print(f"    {i.message_zh}", highlight=False)
                err_console.print(f"    {i.message_en}  [dim]\\[{i.rule}][/dim]", highlight=False)
            n = len(exc.issues)
            err_console.print(f"[red]{n} error(s) in the input / 输入中共 {n} 处错误[/red]")
        raise typer.Exit(1) from None


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _table(title: str, rows: list[dict[str, Any]], cols: list[str]) -> Table:
    table = Table(*cols, title=title)
    for r in rows:
        table.add_row(*(_fmt(r.get(c)) for c in cols))
    return table


def _files(data: dict[str, Any]) -> None:
    console.print(f"wrote / 已写入 {data['out']}: {', '.join(data['files'])}", highlight=False)


@app.command("build")
def build_cmd(
    idata: IdataOpt,
    imeta: ImetaOpt,
    out: OutOpt,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the build; write every data set, results.csv, weights.csv and spec.yaml."""
    with handled(as_json), composite_errors(as_json):
        data = svc.run_build(idata, imeta, config, out).to_dict()
    if as_json:
        print_json(data)
        return
    console.print(
        f"index / 指数 {data['index']}: {data['n_units']} units / 单元, "
        f"{data['n_indicators']} indicators / 指标",
        highlight=False,
    )
    cols = ["Rank", "uCode", data["index"], *data["sub_indices"]]
    console.print(_table("Top 10 / 前十", data["top"], cols))
    _files(data)


@app.command("uncertainty")
def uncertainty_cmd(
    idata: IdataOpt,
    imeta: ImetaOpt,
    uncertain: UncertainOpt,
    out: OutOpt,
    config: ConfigOpt = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of draws / 抽样次数")] = 1000,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo uncertainty of the ranks; writes rank_stats.csv."""
    with handled(as_json), composite_errors(as_json):
        data = svc.run_uncertainty(idata, imeta, config, uncertain, out, n=n, seed=seed).to_dict()
    if as_json:
        print_json(data)
        return
    console.print(
        f"{data['n']} draws / 次抽样, seed {data['seed']}; inputs / 不确定输入: "
        + "; ".join(data["inputs"]),
        highlight=False,
    )
    cols = ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    console.print(_table("Rank uncertainty, top 10 / 排名不确定性 (前十)", data["top"], cols))
    _files(data)


@app.command("sensitivity")
def sensitivity_cmd(
    idata: IdataOpt,
    imeta: ImetaOpt,
    uncertain: UncertainOpt,
    out: OutOpt,
    config: ConfigOpt = None,
    n: Annotated[int, typer.Option("--n", min=2, help="Base sample size / 基础样本量")] = 200,
    n_boot: Annotated[int, typer.Option(min=1, help="Bootstrap replicates")] = 200,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Sobol sensitivity (Si, STi) of the mean absolute rank change; writes sensitivity.csv."""
    with handled(as_json), composite_errors(as_json):
        data = svc.run_sensitivity(
            idata, imeta, config, uncertain, out, n=n, seed=seed, n_boot=n_boot
        ).to_dict()
    if as_json:
        print_json(data)
        return
    console.print(
        f"{data['runs']} runs / 次运行 (n {data['n']}, seed {data['seed']})", highlight=False
    )
    cols = ["Input", "Si", "Si_lo", "Si_hi", "STi", "STi_lo", "STi_hi"]
    console.print(_table("Sensitivity / 敏感性", data["indices"], cols))
    _files(data)


@app.command("remove-elements")
def remove_elements_cmd(
    idata: IdataOpt,
    imeta: ImetaOpt,
    out: OutOpt,
    config: ConfigOpt = None,
    level: Annotated[int, typer.Option(help="Level of the components removed / 层级")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Remove each component of a level in turn; writes the mean absolute rank change."""
    with handled(as_json), composite_errors(as_json):
        data = svc.run_remove_elements(idata, imeta, config, out, level=level).to_dict()
    if as_json:
        print_json(data)
        return
    console.print(
        _table(
            f"Removing level {data['level']} elements / 逐一剔除",
            data["rows"],
            ["iCode", "MeanAbsRankChange"],
        )
    )
    _files(data)
