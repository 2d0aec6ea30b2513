"""The import kinds' services, one ``Importer`` per kind of ``core.dataformats.DATA_KINDS``:
the context checks that prepare the rows and the writer that stores them.

Adding an import kind: declare it (fields, key, ``ScopeRule``, ``dataset``) in
``core/dataformats.py`` and add its ``Importer`` here; the CLI, the API, the page, the
templates and the scope check read the declaration (``tests/services/test_imports.py``
checks that both tables name the same kinds)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from sqlalchemy.orm import Session

from yanzhi.core.dataformats import DataKind
from yanzhi.core.issues import RowIssueSink
from yanzhi.ingest.typed import TypedTable
from yanzhi.services.collection import checks
from yanzhi.services.collection.checks import Prepared
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.enterprises import write_enterprises
from yanzhi.storage.rd import INCOMING, write_reports
from yanzhi.storage.stats import write_statistics
from yanzhi.storage.submissions import mark_received


class Counts(Protocol):
    """What a storage writer returns: rows created, changed (a new version), unchanged."""

    @property
    def created(self) -> int: ...
    @property
    def changed(self) -> int: ...
    @property
    def unchanged(self) -> int: ...


Prepare = Callable[[Session, TypedTable, RowIssueSink], Prepared]
Write = Callable[[Session, DataKind, Prepared, int, WriteContext], Counts]


@dataclass(frozen=True)
class Importer:
    """The services of one import kind: ``prepare`` checks the typed rows against the
    database (adding issues to the sink), ``write`` stores the prepared rows in batch
    ``batch_id`` and returns the counts; ``tables`` are the data tables it writes."""

    prepare: Prepare
    write: Write
    tables: tuple[str, ...]  # the data tables ``write`` changes (ANALYZEd after a bulk write)


def _write_rd(
    session: Session, spec: DataKind, prepared: Prepared, batch_id: int, ctx: WriteContext
) -> Counts:
    assert prepared.existing is not None
    frame = prepared.frame
    received = frame[["township_code", "period"]].astype(object).drop_duplicates()
    result = write_reports(
        session, _for_write(frame), prepared.existing, batch_id=batch_id, ctx=ctx
    )
    if spec.dataset is not None:
        mark_received(session, spec.dataset, set(received.itertuples(index=False, name=None)))
    return result


def _write_enterprises(
    session: Session, spec: DataKind, prepared: Prepared, batch_id: int, ctx: WriteContext
) -> Counts:
    return write_enterprises(session, prepared.frame, batch_id=batch_id, ctx=ctx)


def _write_stats(
    session: Session, spec: DataKind, prepared: Prepared, batch_id: int, ctx: WriteContext
) -> Counts:
    return write_statistics(session, prepared.frame, batch_id=batch_id, ctx=ctx)


def _for_write(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame cut down, in place, to the columns the writer stores or compares (text
    stays categorical): no copy of a large frame."""
    for c in [c for c in frame if c not in INCOMING]:
        del frame[c]
    return frame


IMPORTERS: dict[str, Importer] = {
    "enterprises": Importer(
        checks.prepare_enterprises, _write_enterprises, ("enterprise", "enterprise_version")
    ),
    "rd": Importer(checks.prepare_rd, _write_rd, ("rd_report", "rd_report_version", "submission")),
    "stats": Importer(checks.prepare_stats, _write_stats, ("statistic",)),
}
"""The services of every kind of ``DATA_KINDS``, by code."""
