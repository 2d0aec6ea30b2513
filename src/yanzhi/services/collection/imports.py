"""Import a data file: read, check against what the database holds, and write it all or
nothing. A dry run (``yanzhi validate``) runs the very same path and rolls back, so its
report is exactly what an import would do.

Memory follows the compact typed frame, not the file's text: the file is read and typed
in chunks (``ingest.typed.read_typed``) and the checks work on that frame."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.dataformats import DataKind, data_kind
from yanzhi.core.issues import InputRejected, Issue, RowIssueSink, Severity
from yanzhi.ingest.tabular import RawTable
from yanzhi.ingest.typed import read_typed
from yanzhi.services.collection.checks import Prepared
from yanzhi.services.collection.kinds import IMPORTERS
from yanzhi.services.database import require_schema
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.datamodels import ImportBatchRow
from yanzhi.storage.db import ANALYZE_ROWS, refresh_statistics, session_factory

Progress = Callable[[str], None]
RowCheck = Callable[[Session, pd.DataFrame, RawTable, RowIssueSink], None]
"""An extra check on the prepared rows (e.g. the uploader's scope), run before any write.
The table is the file's header (name, sheet, columns, units); the rows are in the frame."""


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run or a no-change import."""


@dataclass
class ImportReport:
    """What an import (or its dry run) did, in the one vocabulary of the data desk:
    ``created`` rows are new, ``updated`` rows replace a stored value with a different
    one (a new version), ``unchanged`` rows equal what is stored (新增 / 更新 / 未变)."""

    file: str
    kind: str
    ok: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    sha256: str | None = None
    batch_id: int | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        """True when the file passed and every row equals what is stored."""
        return self.ok and not self.created and not self.updated

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the CLI's ``--json`` and the API's body)."""
        return {
            "ok": self.ok,
            "file": self.file,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "sha256": self.sha256,
            "batch_id": self.batch_id,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }


def file_sha256(path: Path) -> str:
    """The file's SHA-256 (hex), read in 1 MB chunks."""
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
    row_check: RowCheck | None = None,
) -> ImportReport:
    """Import the file at ``path`` as data of ``kind`` (``NotFound`` for an unknown kind),
    all or nothing: read and type it, check it against the database (and ``row_check``),
    write it in one transaction. ``dry_run`` (or a file equal to what is stored) rolls
    back. The report lists the issues; nothing is stored when it has errors."""
    spec = data_kind(kind)
    report = ImportReport(file=path.name, kind=spec.code, dry_run=dry_run)
    step = progress or (lambda _msg: None)
    require_schema(engine)
    try:
        step("read")
        table = read_typed(
            path, spec, encoding=encoding, sheet=sheet, money_unit=money_unit, period=period
        )
    except InputRejected as exc:
        report.errors = exc.issues
        return report
    report.rows = len(table.frame)
    report.sha256 = file_sha256(path)
    # the sink only looks up the rows it lists: the array need not become a list
    sink = RowIssueSink(table.file, table.sheet, cast(Sequence[int], table.rows), table.issues)
    ctx = WriteContext(actor, source_file=path.name, source_sha256=report.sha256)
    try:
        with session_factory(engine)() as session, session.begin():
            step("check")
            prepared = IMPORTERS[spec.code].prepare(session, table, sink)
            if row_check is not None:
                row_check(session, prepared.frame, table.header, sink)
            _split(report, sink.issues)
            if report.errors:
                return report
            step("write")
            _write(session, spec, prepared, report, ctx)
            if dry_run or not (report.created or report.updated):
                raise _DryRun  # leaves the transaction: everything is rolled back
    except _DryRun:
        report.batch_id = None
    report.ok = True
    if not dry_run and report.created + report.updated >= ANALYZE_ROWS:
        refresh_statistics(engine, IMPORTERS[spec.code].tables)
    return report


def _split(report: ImportReport, issues: list[Issue]) -> None:
    report.errors = [i for i in issues if i.severity is Severity.ERROR]
    report.warnings = [i for i in issues if i.severity is Severity.WARNING]


def _write(
    session: Session, spec: DataKind, prepared: Prepared, report: ImportReport, ctx: WriteContext
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
    result = IMPORTERS[spec.code].write(session, spec, prepared, batch.id, ctx)
    # the storage writers count a new version as "changed"; the import's word is "updated"
    report.created, report.updated, report.unchanged = (
        result.created,
        result.changed,
        result.unchanged,
    )
    batch.created, batch.changed, batch.unchanged = report.created, report.updated, report.unchanged
