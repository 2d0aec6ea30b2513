"""`yanzhi report …`: documents (Word, PDF, Excel)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import DatabaseOpt, OldUnitOpt, OrgUnitOpt, console, engine_for, handled
from yanzhi.cli.common import org_unit as org_unit_of
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.reports import bulletin as bulletin_doc
    from yanzhi.views.reports import bulletin
else:
    bulletin_doc = lazy("yanzhi.reports.bulletin")
    bulletin = lazy("yanzhi.views.reports.bulletin")

app = group(
    "Reports as Word, PDF and Excel. / 报告",
)


@app.command("monthly")
def monthly(
    period: Annotated[str, typer.Option(help="Month (2024-11) or YTD period (2024-01..11)")],
    fmt: Annotated[str, typer.Option("--format", help="docx | pdf | xlsx")] = "docx",
    out: Annotated[Path | None, typer.Option(help="Output file")] = None,
    database: DatabaseOpt = None,
) -> None:
    """The monthly monitoring bulletin (月度监测报告)."""
    if fmt not in bulletin_doc.WRITERS:
        raise typer.BadParameter(f"--format must be one of {', '.join(bulletin_doc.WRITERS)}")
    with handled(), engine_for(database) as engine, console.status("writing the bulletin…"):
        data = bulletin.monthly(engine, period=period)
        path = out or Path(f"monthly-{data.period}.{fmt}")
        bulletin_doc.WRITERS[fmt](data, path)
    console.print(f"{data.period_zh} → {path}")


@app.command("evaluation")
def evaluation(
    year: Annotated[int, typer.Option(help="Evaluation year")],
    level: Annotated[str, typer.Option(help="township | district")] = "township",
    fmt: Annotated[str, typer.Option("--format", help="docx | pdf | xlsx")] = "docx",
    uncertainty: Annotated[
        int | None,
        typer.Option(
            help="Draws for the rank intervals (default: YANZHI_EVALUATION_DRAWS, as the "
            "evaluation pages, so the report's intervals are the page's)"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 1,
    out: Annotated[Path | None, typer.Option(help="Output file")] = None,
    database: DatabaseOpt = None,
) -> None:
    """The annual evaluation report: method, ranking, rank intervals, a scorecard per unit."""
    from yanzhi.reports import evaluation as evaluation_doc
    from yanzhi.services.evaluation.evaluate import evaluate
    from yanzhi.views.evaluation import draws

    if uncertainty is None:
        uncertainty = draws()

    writers = evaluation_doc.WRITERS
    if fmt not in writers:
        raise typer.BadParameter(f"--format must be one of {', '.join(writers)}")
    with handled(), engine_for(database) as engine, console.status("evaluating…"):
        result = evaluate(engine, level=level, year=year, uncertainty=uncertainty, seed=seed)
        path = out or Path(f"evaluation-{level}-{year}.{fmt}")
        writers[fmt](result, path)
    console.print(f"{result.framework.name} {year} → {path}")


@app.command("district")
def district(
    code: Annotated[str, typer.Argument(help="District code, e.g. 330206")],
    year: Annotated[int, typer.Option(help="Year")],
    fmt: Annotated[str, typer.Option("--format", help="docx | pdf")] = "docx",
    out: Annotated[Path | None, typer.Option(help="Output file")] = None,
    database: DatabaseOpt = None,
) -> None:
    """A district's annual report (述职材料): indicators, rank, warnings."""
    from yanzhi.reports import district as district_doc
    from yanzhi.views.reports.district import district_report

    writers = district_doc.WRITERS
    if fmt not in writers:
        raise typer.BadParameter(f"--format must be one of {', '.join(writers)}")
    with handled(), engine_for(database) as engine, console.status("writing…"):
        data = district_report(engine, code=code, year=year)
        path = out or Path(f"district-{code}-{year}.{fmt}")
        writers[fmt](data, path)
    console.print(f"{data.unit['name']} {year} → {path}")


@app.command("supervision")
def supervision(
    org_unit: OrgUnitOpt = None,
    period: Annotated[str | None, typer.Option(help="Reporting period (default: current)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx | pdf | xlsx")] = "docx",
    out: Annotated[Path | None, typer.Option(help="Output file")] = None,
    database: DatabaseOpt = None,
    old_unit: OldUnitOpt = None,
) -> None:
    """The supervision report (督办): overdue, silent and behind-path tasks per unit
    (``--org-unit``: only this responsible unit)."""
    unit = org_unit_of(org_unit, old_unit)
    from yanzhi.reports import supervision as supervision_doc
    from yanzhi.services.access.principal import SYSTEM
    from yanzhi.services.access.scope import resolve
    from yanzhi.services.plan.orgunits import org_tree
    from yanzhi.services.tasks.supervision import supervise
    from yanzhi.views.supervision import closing_sections

    if fmt not in supervision_doc.WRITERS:
        raise typer.BadParameter(f"--format must be one of {', '.join(supervision_doc.WRITERS)}")
    with handled(), engine_for(database) as engine:
        data = supervise(engine, period=period).to_dict()
        if unit:
            data["units"] = [u for u in data["units"] if u["unit"] == unit]
            if not data["units"]:
                raise LookupError(f"nothing to supervise for {unit} / {unit} 无待督办事项")
        else:  # the whole list: the guarantee measures close it
            scope = resolve(SYSTEM, org_tree(engine))
            data |= closing_sections(engine, scope).model_dump()
        path = out or Path(f"supervision-{data['period']}.{fmt}")
        supervision_doc.WRITERS[fmt](data, path)
    console.print(f"{len(data['units'])} unit(s) → {path}")
