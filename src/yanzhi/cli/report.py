"""`yanzhi report …`: documents (Word, PDF, Excel)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yanzhi.cli.common import DatabaseOpt, console, engine_for, handled
from yanzhi.reports import bulletin as bulletin_doc
from yanzhi.services import bulletin

app = typer.Typer(help="Reports as Word, PDF and Excel. / 报告", no_args_is_help=True)


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
        path = out or Path(f"monthly-{data['period']}.{fmt}")
        bulletin_doc.WRITERS[fmt](data, path)
    console.print(f"{data['period_zh']} → {path}")
