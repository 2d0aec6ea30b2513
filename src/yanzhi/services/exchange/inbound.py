"""Inbound batches of enterprise R&D filings (format ``yanzhi-exchange/1``) from a machine
account: checked by the very rules of a file import (the batch is written as a file and
goes through ``import_file``), all or nothing, idempotent by the sender's batch id, and
entered into the reporting workflow as submitted (上报), never approved."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core.dataformats import RD_REPORTS
from yanzhi.core.errors import Conflict, NotFound, NotPermitted
from yanzhi.core.issues import InputRejected, Issue, RowIssueSink
from yanzhi.ingest.tabular import RawTable
from yanzhi.services.access.users import MachineToken
from yanzhi.services.collection.imports import ImportReport, import_file
from yanzhi.services.collection.workflow import transition
from yanzhi.services.database import require_schema
from yanzhi.storage import exchange as store
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.exchangemodels import ExchangeBatchRow
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.submissions import DRAFT, submissions

FORMAT = "yanzhi-exchange/1"
"""The version of the exchange's format; a sender names it in every batch."""

FILING_FIELDS: tuple[str, ...] = tuple(f.code for f in RD_REPORTS.fields if f.code != "period")
"""The fields of one filing: those of the R&D report file (the batch gives the period)."""

COMMITTED, REJECTED = "committed", "rejected"


class BatchResult(BaseModel):
    """What a batch did: its status, the rows created / updated / unchanged (新增 / 更新 /
    未变), the townships submitted, and ``repeat`` when it had been received before (the
    original result, nothing changed this time)."""

    batch_id: str
    sender: str
    period: str
    status: str
    rows: int
    created: int
    updated: int
    unchanged: int
    content_sha256: str
    received_at: dt.datetime
    repeat: bool = False
    submitted: list[str] = []
    format: str = FORMAT


class BatchConflict(Conflict):
    """The batch id was used before for other content (HTTP 409)."""

    code = "batch_conflict"


def content_hash(period: str, filings: Sequence[Mapping[str, Any]]) -> str:
    """The SHA-256 of the batch's canonical JSON (keys sorted): the same content always
    hashes the same, whatever order its keys were sent in."""
    text = json.dumps(
        {"period": period, "filings": list(filings)}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def receive(
    engine: Engine,
    account: MachineToken,
    *,
    batch_id: str,
    period: str,
    filings: Sequence[Mapping[str, Any]],
) -> BatchResult:
    """Receive a batch: the stored result again when the batch id was received with the
    same content, ``BatchConflict`` when with other content; otherwise import it as a file
    (every rule of an import, all or nothing), refuse rows outside the account's units
    (``NotPermitted`` naming them) or with errors (``InputRejected``), and submit the
    townships it filed for."""
    require_schema(engine)
    digest = content_hash(period, filings)
    before: BatchResult | None = None
    with transaction(engine) as session:
        seen = store.find_batch(session, account.username, batch_id)
        if seen is not None and seen.status == COMMITTED:
            if seen.content_sha256 != digest:
                raise BatchConflict(
                    f"batch {batch_id} was received before with other content",
                    f"批次 {batch_id} 已接收过且内容不同，请使用新的批次号",
                    details={"batch_id": batch_id, "content_sha256": seen.content_sha256},
                )
            before = _result(seen, repeat=True)
    if before is not None:
        # stored before: nothing is imported again, but townships an earlier request left
        # as draft (stopped after storing, before submitting) are submitted now
        return before.model_copy(update={"submitted": _submit(engine, account, filings, period)})
    with tempfile.TemporaryDirectory(prefix="yanzhi-exchange-") as folder:
        path = Path(folder) / f"{_safe(batch_id)}.csv"
        unknown = _write_csv(path, filings)
        if unknown:
            raise InputRejected(
                [
                    Issue(
                        "unknown_field",
                        f"未知字段: {k}",
                        f"unknown field: {k} (format {FORMAT})",
                        file=path.name,
                        column=k,
                    )
                    for k in unknown
                ],
                what=path.name,
            )
        report = import_file(
            engine,
            "rd",
            path,
            actor=account.username,
            period=period,
            row_check=_scope_check(account),
        )
    if not report.ok:
        _record(engine, account, batch_id, period, digest, REJECTED, report)
        outside = [i for i in report.errors if i.rule == "out_of_scope"]
        if outside:
            raise NotPermitted(
                f"{len(outside)} filing(s) are outside this token's units "
                f"{','.join(account.units)}",
                f"{len(outside)} 条报表超出本令牌的单位范围 {','.join(account.units)}",
                details=[i.to_dict() for i in outside],
            )
        raise InputRejected(report.errors, what=path.name)
    row = _record(engine, account, batch_id, period, digest, COMMITTED, report)
    submitted = _submit(engine, account, filings, period)
    return _result(row, repeat=False, submitted=submitted)


def status(engine: Engine, account: MachineToken, batch_id: str) -> BatchResult:
    """The stored result of the account's batch ``batch_id`` (``NotFound`` when never sent)."""
    require_schema(engine)
    with transaction(engine) as session:
        row = store.find_batch(session, account.username, batch_id)
        if row is None:
            raise NotFound(f"no batch {batch_id}", f"批次 {batch_id} 不存在")
        return _result(row, repeat=row.status == COMMITTED)


def _safe(batch_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in batch_id)[:80] or "batch"


def _write_csv(path: Path, filings: Sequence[Mapping[str, Any]]) -> list[str]:
    """The filings as a UTF-8 CSV with the Chinese column names the import reads; returns
    the unknown fields (nothing written then)."""
    used = [f for f in FILING_FIELDS if any(f in r for r in filings)]
    unknown = sorted({k for r in filings for k in r} - set(FILING_FIELDS))
    if unknown:
        return unknown
    names = {f.code: f.zh for f in RD_REPORTS.fields}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow([names[f] for f in used])
        for r in filings:
            out.writerow([_cell(r.get(f)) for f in used])
    return []


def _cell(value: Any) -> str:
    if value is None:
        return ""  # missing stays missing, never zero
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def _scope_check(account: MachineToken) -> Any:
    """The import's row check: every filing's township within the token's units."""
    rule = RD_REPORTS.scope
    assert rule is not None

    def check(session: Session, frame: pd.DataFrame, table: RawTable, sink: RowIssueSink) -> None:
        tree = load_org_tree(session)
        allowed = {
            u.code
            for unit in account.units
            if unit in tree
            for u in tree.descendants(unit, include_self=True)
        }
        towns = [None if pd.isna(t) else str(t) for t in frame[rule.unit_column]]
        usccs = [str(u) for u in frame[rule.row_column]]
        bad = [t is not None and t not in allowed for t in towns]
        values: list[str | None] = [
            f"{u} ({t})" if b else None for u, t, b in zip(usccs, towns, bad, strict=True)
        ]
        sink.add_rows(
            bad,
            "out_of_scope",
            "超出本令牌的单位范围, 不能接收: {v}",
            "outside this token's units; it cannot be received: {v}",
            column=table.columns.get(rule.row_column, "统一社会信用代码"),
            values=values,
        )

    return check


def _record(
    engine: Engine,
    account: MachineToken,
    batch_id: str,
    period: str,
    digest: str,
    state: str,
    report: ImportReport,
) -> ExchangeBatchRow:
    with transaction(engine) as session:
        row = store.find_batch(session, account.username, batch_id)
        if row is not None and row.status == COMMITTED:  # a twin request committed first:
            session.expunge(row)  # its result stands (this one found every row unchanged)
            return row
        if row is None:
            row = ExchangeBatchRow(sender=account.username, batch_id=batch_id)
            session.add(row)
        row.content_sha256, row.period, row.status = digest, period, state
        row.rows, row.created, row.updated, row.unchanged = (
            report.rows,
            report.created,
            report.updated,
            report.unchanged,
        )
        row.import_batch = report.batch_id
        row.report = json.dumps(report.to_dict(), ensure_ascii=False, default=str)
        row.received_at = dt.datetime.now(dt.UTC)
        session.flush()
        session.expunge(row)
        return row


def _submit(
    engine: Engine, account: MachineToken, filings: Sequence[Mapping[str, Any]], period: str
) -> list[str]:
    """Submit (上报) those of the batch's townships still in draft: the import stored them
    as draft; already submitted or approved ones are left as they are."""
    sent = {str(r.get("uscc")) for r in filings}
    with transaction(engine) as session:
        index = enterprise_index(session)
        states = submissions(session, "rd", [period])
    towns = {t for u, t in zip(index["uscc"], index["township_code"], strict=True) if u in sent}
    status = dict(zip(states["org_unit_code"], states["status"], strict=True))
    done: list[str] = []
    for town in sorted(t for t in towns if status.get(t, DRAFT) == DRAFT):
        result = transition(engine, "submit", period=period, unit=town, actor=account.username)
        done.extend(result.changed)
    return done


def _result(
    row: ExchangeBatchRow, *, repeat: bool, submitted: list[str] | None = None
) -> BatchResult:
    return BatchResult(
        batch_id=row.batch_id,
        sender=row.sender,
        period=row.period,
        status=row.status,
        rows=row.rows,
        created=row.created,
        updated=row.updated,
        unchanged=row.unchanged,
        content_sha256=row.content_sha256,
        received_at=row.received_at,
        repeat=repeat,
        submitted=submitted or [],
    )
