"""Import a data file: read, check against what the database holds, and write it all or
nothing. A dry run (``yanzhi validate``) runs the very same path and rolls back, so its
report is exactly what an import would do."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.dataformats import DATA_KINDS, DataKind
from yanzhi.core.issues import InputRejected, Issue, RowIssueSink, Severity
from yanzhi.ingest.parse import parse_table
from yanzhi.ingest.tabular import RawTable, read_table
from yanzhi.services import import_checks as checks
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.datamodels import ImportBatchRow
from yanzhi.storage.db import session_factory
from yanzhi.storage.enterprises import write_enterprises
from yanzhi.storage.rd import write_reports
from yanzhi.storage.stats import write_statistics
from yanzhi.storage.submissions import mark_received

Progress = Callable[[str], None]


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run or a no-change import."""


@dataclass
class ImportReport:
    file: str
    kind: str
    ok: bool = False
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    dry_run: bool = False
    sha256: str | None = None
    batch_id: int | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        return self.ok and not self.created and not self.changed

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "changed": self.created + self.changed,
            "updated": self.changed,
            "unchanged": self.unchanged,
            "sha256": self.sha256,
            "batch_id": self.batch_id,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    *,
    actor: str,
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    money_unit: str | None = None,
    period: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    spec = _kind(kind)
    report = ImportReport(file=path.name, kind=spec.code, dry_run=dry_run)
    step = progress or (lambda _msg: None)
    require_schema(engine)
    try:
        step("read")
        table = read_table(path, spec, encoding=encoding, sheet=sheet)
        frame, issues = parse_table(table, spec, money_unit=money_unit, period=period)
        table.data = table.data.iloc[:0]  # the raw cells are no longer needed: free them
    except InputRejected as exc:
        report.errors = exc.issues
        return report
    report.rows = len(frame)
    report.sha256 = file_sha256(path)
    sink = RowIssueSink(table.file, table.sheet, table.rows.tolist(), issues)
    ctx = WriteContext(actor, source_file=path.name, source_sha256=report.sha256)
    try:
        with session_factory(engine)() as session, session.begin():
            step("check")
            prepared = _CHECKS[spec.code](session, frame, table, sink)
            _split(report, sink.issues)
            if report.errors:
                return report
            step("write")
            _write(session, spec, prepared, report, ctx)
            if dry_run or not (report.created or report.changed):
                raise _DryRun  # leaves the transaction: everything is rolled back
    except _DryRun:
        report.batch_id = None
    report.ok = True
    return report


def _kind(kind: str) -> DataKind:
    try:
        return DATA_KINDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown data kind {kind!r}; expected one of {', '.join(DATA_KINDS)} / "
            f"未知数据类型 {kind!r}"
        ) from None


def _split(report: ImportReport, issues: list[Issue]) -> None:
    report.errors = [i for i in issues if i.severity is Severity.ERROR]
    report.warnings = [i for i in issues if i.severity is Severity.WARNING]


def _write(
    session: Session, spec: DataKind, frame: pd.DataFrame, report: ImportReport, ctx: WriteContext
) -> None:
    batch = ImportBatchRow(
        kind=spec.code,
        file_name=report.file,
        sha256=report.sha256 or "",
        actor=ctx.actor,
        rows=report.rows,
        created=0,
        changed=0,
        unchanged=0,
        warnings=len(report.warnings),
    )
    session.add(batch)
    session.flush()
    report.batch_id = batch.id
    if spec.code == "rd":
        result: Any = write_reports(
            session, frame, frame.attrs["existing"], batch_id=batch.id, ctx=ctx
        )
        pairs = set(zip(frame["township_code"], frame["period"], strict=True))
        mark_received(session, "rd", pairs)
    elif spec.code == "enterprises":
        result = write_enterprises(session, frame, batch_id=batch.id, ctx=ctx)
    else:
        result = write_statistics(session, frame, batch_id=batch.id, ctx=ctx)
    report.created, report.changed, report.unchanged = (
        result.created,
        result.changed,
        result.unchanged,
    )
    batch.created, batch.changed, batch.unchanged = report.created, report.changed, report.unchanged


_CHECKS: dict[str, Callable[[Session, pd.DataFrame, RawTable, RowIssueSink], pd.DataFrame]] = {
    "rd": checks.prepare_rd,
    "enterprises": checks.prepare_enterprises,
    "stats": checks.prepare_stats,
}
