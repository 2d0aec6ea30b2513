"""`yanzhi plan …`: validate, load and show the plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from yanzhi.cli.common import (
    DatabaseOpt,
    JsonOpt,
    actor,
    console,
    engine_for,
    handled,
    print_issues,
    print_json,
)
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.plan import draft as drafting
    from yanzhi.services.plan import files as svc
else:
    svc = lazy("yanzhi.services.plan.files")
    drafting = lazy("yanzhi.services.plan.draft")

app = group(
    "The plan as code: validate, load and show. / 规划: 校验、载入、查看",
)
FileArg = Annotated[Path, typer.Argument(help="Plan file (YAML)", show_default=False)]


@app.command("validate")
def validate(file: FileArg, as_json: JsonOpt = False) -> None:
    """Check a plan file; exit 0 with a summary, or 1 with every error."""
    report = svc.validate_plan_file(file)
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        parts = ", ".join(f"{v} {k}" for k, v in report.summary.items())
        console.print(f"[green]✓[/green] {file}: valid / 校验通过 ({parts})")
    else:
        print_issues(report.issues)
        console.print(f"[red]{len(report.issues)} error(s) / 共 {len(report.issues)} 处错误[/red]")
    raise typer.Exit(0 if report.ok else 1)


@app.command("draft")
def draft(
    document: Annotated[
        Path,
        typer.Argument(help="Policy document: text (UTF-8/GBK), DOCX or PDF", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the draft (default: DOCUMENT.plan.yaml)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draft a plan file from a policy document and print what needs a person (起草规划文件).
    Every element carries a YAML comment with its source text and confidence; ``待核``
    marks those to settle before ``yanzhi plan validate`` and ``yanzhi plan load``."""
    with handled(as_json):
        result = drafting.draft_from_file(document)
    target = out or document.with_name(document.stem + ".plan.yaml")
    target.write_text(result.yaml_text, "utf-8")
    if as_json:
        print_json({"out": str(target), **result.to_dict()})
        return
    names = dict(drafting.KIND_ZH)
    found = ", ".join(f"{names.get(k, k)} {v}" for k, v in result.found.items())
    console.print(f"草稿已写入 / draft written: {target}", highlight=False)
    console.print(f"找到 / found: {found}", highlight=False)
    flagged = result.flagged
    console.print(
        f"待人工核对 {len(flagged)} 项 / {len(flagged)} item(s) for review"
        + ("" if flagged else " ✓"),
        highlight=False,
    )
    for e in flagged:
        console.print(
            f"  ? {e.path}: {e.label} — {e.reason} (置信度 {e.confidence:.2f})", highlight=False
        )
    state = (
        "可直接校验通过" if not result.issues else f"按草稿原样校验有 {len(result.issues)} 处错误"
    )
    console.print(f"校验 / validate: {state}", highlight=False)


@app.command("load")
def load(
    file: FileArg,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="The file is the whole truth: lead units, milestones and departments "
            "entered in the app that the file lacks are deleted",
        ),
    ] = False,
) -> None:
    """Store a plan (all or nothing); loading the same file again changes nothing. Lead
    units, milestones and departments entered in the app are kept where the file gives none
    (``--replace``: deleted)."""
    with handled(as_json), engine_for(database) as engine:
        result = svc.load_plan_file(engine, file, actor=actor(), replace=replace)
    if as_json:
        print_json(result.to_dict())
        return
    if result.kept:
        console.print(
            f"保留在平台中录入、文件未给出的内容 {len(result.kept)} 项(用 --replace 以文件为准) / "
            "kept what was entered in the app and the file leaves empty:",
            highlight=False,
        )
        for line in result.kept[:30]:
            console.print(f"  = {line}", highlight=False)
    if not result.changed:
        console.print(f"plan {result.plan_code}: no change / 无变化")
        return
    console.print(
        f"plan {result.plan_code}: {result.created} created, {result.updated} updated, "
        f"{result.deleted} deleted / 新增 {result.created}, 修改 {result.updated}, "
        f"删除 {result.deleted}"
    )
    for line in result.changes[:50]:
        console.print(f"  {line}", highlight=False)


@app.command("show")
def show(
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    code: Annotated[
        str | None, typer.Option("--plan", help="Plan code (default: the first)")
    ] = None,
) -> None:
    """Programmes, tasks, indicators and targets of the stored plan."""
    with handled(as_json), engine_for(database) as engine:
        data = svc.show_plan(engine, code)
    if as_json:
        print_json(data.to_dict())
        return
    meta = data.plan
    console.print(
        f"[bold]{meta.title}[/bold]\n{meta.issuer} · {meta.start_year}–"
        f"{meta.end_year} · baseline {meta.baseline_year} · {meta.status}"
        + (" · [yellow]synthetic / 示例[/yellow]" if meta.synthetic else "")
    )
    table = Table(
        "code", "indicator / 指标", "unit", "dir", "target", "year", title="Indicators / 指标"
    )
    for i in data.indicators:
        star = "★ " if i.headline else ""
        target = "" if i.target is None else f"{i.comparator} {i.target:g}"
        table.add_row(
            i.code,
            star + i.name,
            i.unit,
            i.direction,
            target,
            str(i.target_year or ""),
        )
    console.print(table)
    tree = Tree("Programmes / 工程 → tasks / 重点任务")
    for p in data.programmes:
        branch = tree.add(f"[bold]{p.code}[/bold] {p.title}")
        for t in p.tasks:
            owner = t.lead or "unassigned / 未分配"
            node = branch.add(f"{t.code} {t.title}  [dim]({owner})[/dim]")
            for q in t.targets:
                node.add(
                    f"[cyan]{q.code}[/cyan] {q.description} ({q.comparator} "
                    f"{q.value:g} {q.unit or ''}, {q.kind}, {q.year})"
                )
    console.print(tree)
