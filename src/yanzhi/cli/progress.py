"""`yanzhi progress …`: progress of one series towards its target (docs/methods.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from yanzhi.cli.common import JsonOpt, console, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.monitoring import series as svc
else:
    svc = lazy("yanzhi.services.monitoring.series")

app = group(
    "Progress towards a target and forecast. / 目标进展评估与预测",
)


@app.command("assess")
def assess(
    series: Annotated[
        str,
        typer.Option(
            "--series",
            help="Annual values YEAR=VALUE, comma separated, e.g. 2022=2.9,2023=3.05 "
            "(NA = missing)",
            show_default=False,
        ),
    ],
    target: Annotated[
        float | None, typer.Option(help="Target value (omit for the no-target method)")
    ] = None,
    target_year: Annotated[
        int | None,
        typer.Option(help="Target year (required with --target; default: the latest year)"),
    ] = None,
    base_year: Annotated[
        int | None, typer.Option(help="Base year (default: the first year of the series)")
    ] = None,
    direction: Annotated[
        str,
        typer.Option(help="up (不低于, higher is better) or down (不高于); also 1 / -1"),
    ] = "up",
    limit: Annotated[
        float | None, typer.Option(help="Natural limit, e.g. 100 for a share (no target only)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Assess a series: status, progress value, score, required growth and forecast."""
    with handled(as_json):
        data = svc.assess_series(
            series,
            target=target,
            target_year=target_year,
            base_year=base_year,
            direction=direction,
            limit=limit,
        )
    if as_json:
        print_json(data.to_dict())
        return
    _print_summary(data.to_dict())


def _num(value: Any, fmt: str = ".4g") -> str:
    return "—" if value is None else format(value, fmt)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"


def _print_summary(d: dict[str, Any]) -> None:
    comparator = "≥" if d["direction"] == 1 else "≤"
    target = "none / 无目标" if d["target"] is None else f"{comparator} {d['target']:g}"
    console.print(
        f"[bold]{d['status_label_zh']} / {d['status_label_en']}[/bold]  "
        f"({d['status']}, method / 方法 {d['method']})",
        highlight=False,
    )
    console.print(
        f"base / 基期 {d['base_year']}: {_num(d['base_value'])} → current / 当前 "
        f"{d['current_year']}: {_num(d['current_value'])}; target / 目标 {target} "
        f"in / 于 {d['target_year']}",
        highlight=False,
    )
    console.print(
        f"progress value / 进展值 {_num(d['progress_value'])}, score / 得分 "
        f"{_num(d['score'], '.2f')}",
        highlight=False,
    )
    console.print(
        f"expected {d['target_year']} value / 预计目标年值 "
        f"{_num(d['expected_target_year_value'])}; required growth / 所需年均增速 "
        f"{_pct(d['required_growth'])}",
        highlight=False,
    )
    f = d["forecast"]
    console.print(
        f"forecast / 预测 {_num(f['expected'])} (80%: {_num(f['lower80'])}–"
        f"{_num(f['upper80'])}), P(target met / 达标概率) "
        f"{_pct(f['probability_meeting_target'])}  [dim]\\[{f['method']}][/dim]",
        highlight=False,
    )
    for note in d["notes"]:
        console.print(f"[yellow]note / 说明:[/yellow] {note}", highlight=False)
