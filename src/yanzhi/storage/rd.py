"""Year-to-date R&D reports: context for the checks, and the versioned bulk write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record, record_many
from yanzhi.storage.bulk import CHUNK, db_stamp, insert_rows, read_columns, records, update_rows
from yanzhi.storage.datamodels import RD_VALUES, EnterpriseRow, RdReportRow, RdReportVersionRow
from yanzhi.storage.models import utcnow

T = RdReportRow.__table__


def reports_for_years(session: Session, years: Collection[int]) -> pd.DataFrame:
    """Stored reports of the given years, with the enterprise's USCC, in compact columns
    (``bulk.read_columns``: text as categoricals, read in chunks), so a re-import of a
    year that holds a million reports reads them in about 130 MB."""
    return read_columns(session, reports_query(years))


def reports_query(years: Collection[int]) -> Any:
    """The select of :func:`reports_for_years`."""
    return (
        select(
            RdReportRow.id,
            RdReportRow.enterprise_id,
            EnterpriseRow.uscc,
            RdReportRow.period,
            RdReportRow.year,
            RdReportRow.month,
            RdReportRow.township_code,
            RdReportRow.version,
            RdReportRow.correction,
            RdReportRow.synthetic,
            RdReportRow.batch_id,
            *[getattr(RdReportRow, c) for c in RD_VALUES],
        )
        .join(EnterpriseRow, EnterpriseRow.id == RdReportRow.enterprise_id)
        .where(RdReportRow.year.in_(sorted({int(y) for y in years})))
    )


@dataclass(frozen=True)
class RdWrite:
    created: int
    changed: int
    unchanged: int


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    both_na = a.isna() & b.isna()
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        fa, fb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        same = np.isclose(fa.fillna(0), fb.fillna(0), rtol=1e-12, atol=1e-9) & (
            fa.isna() == fb.isna()
        )
        return ~(same | both_na)
    return ~((a.astype(object) == b.astype(object)) | both_na)


def write_reports(
    session: Session,
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    *,
    batch_id: int,
    ctx: WriteContext,
) -> RdWrite:
    """``incoming`` has enterprise_id, uscc, period, year, month, township_code, correction,
    synthetic and the RD_VALUES; ``existing`` is what :func:`reports_for_years` read for
    (at least) the years of ``incoming``. Rows identical to what is stored are skipped,
    changed rows keep their previous values as a version and get an audit entry each.

    Each file row finds its stored row by position (same enterprise and period); the two
    frames are compared column by column and never joined, and the changed rows are
    archived, updated and audited CHUNK rows at a time, so memory follows the compact
    frames, not a join of both."""
    at = stored_positions(incoming, existing)
    new = np.flatnonzero(at < 0)
    created = _insert_new(session, incoming, new, batch_id)
    stored = np.flatnonzero(at >= 0)
    changed = 0
    for start in range(0, len(stored), CHUNK):
        rows = stored[start : start + CHUNK]
        changed += _archive_and_update(session, incoming, existing, rows, at[rows], batch_id, ctx)
    if created:
        periods = sorted(set(np.asarray(incoming["period"].iloc[new], dtype=object)))
        record(
            session,
            ctx,
            action="create",
            entity="rd_report",
            key=f"batch:{batch_id}",
            changes={"rows": [None, created], "periods": [None, periods]},
        )
    return RdWrite(created, changed, len(stored) - changed)


def stored_positions(incoming: pd.DataFrame, existing: pd.DataFrame) -> np.ndarray:
    """Each incoming row's position in ``existing`` (the row of the same enterprise and
    period), -1 where nothing is stored; periods may be text or categoricals."""
    if not len(existing):
        return np.full(len(incoming), -1, dtype=np.int64)
    periods = pd.Index(
        pd.unique(np.concatenate([_distinct(existing["period"]), _distinct(incoming["period"])]))
    )
    width = len(periods) + 1

    def keys(frame: pd.DataFrame) -> np.ndarray:
        ids = np.asarray(frame["enterprise_id"], dtype=np.int64)
        return ids * width + _codes(frame["period"], periods)

    return np.asarray(pd.Index(keys(existing)).get_indexer(keys(incoming)), dtype=np.int64)


def _distinct(col: pd.Series) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return np.asarray(col.cat.categories, dtype=object)
    return np.asarray(col.unique(), dtype=object)


def _codes(col: pd.Series, index: pd.Index) -> np.ndarray:
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()
        return np.where(codes < 0, -1, index.get_indexer(col.cat.categories)[codes])
    return np.asarray(index.get_indexer(col.to_numpy(dtype=object)))


INCOMING = (
    "enterprise_id",
    "uscc",
    "period",
    "year",
    "month",
    "township_code",
    "correction",
    "synthetic",
    *RD_VALUES,
)
"""The columns :func:`write_reports` reads from the file's frame."""

_NEW_COLUMNS = [*(c for c in INCOMING if c != "uscc"), "version", "batch_id", "received_at"]


def _insert_new(session: Session, incoming: pd.DataFrame, rows: np.ndarray, batch_id: int) -> int:
    """Insert the file rows at ``rows`` as version 1 of new reports, CHUNK rows at a time."""
    extra = {"version": 1, "batch_id": batch_id, "received_at": db_stamp(session, utcnow())}

    def tuples() -> Iterator[tuple[Any, ...]]:
        for start in range(0, len(rows), CHUNK):
            part = incoming.iloc[rows[start : start + CHUNK]].assign(**extra)
            yield from records(part, _NEW_COLUMNS)

    return insert_rows(session, T, _NEW_COLUMNS, tuples()) if len(rows) else 0


def _archive_and_update(
    session: Session,
    incoming: pd.DataFrame,
    existing: pd.DataFrame,
    rows: np.ndarray,
    at: np.ndarray,
    batch_id: int,
    ctx: WriteContext,
) -> int:
    """Compare the file rows at ``rows`` with the stored rows at ``at``; keep the stored
    values of those that differ as a version, update them and audit each. Returns how
    many changed."""
    new = {c: pd.Series(incoming[c].to_numpy()[rows]) for c in RD_VALUES}
    old = {c: pd.Series(existing[c].to_numpy()[at]) for c in RD_VALUES}
    differs = {c: _differs(new[c], old[c]).to_numpy() for c in RD_VALUES}
    hit = np.flatnonzero(np.logical_or.reduce([differs[c] for c in RD_VALUES]))
    if not len(hit):
        return 0
    stored = existing.iloc[at[hit]]
    ids, versions = stored["id"].to_numpy(), stored["version"].to_numpy()
    archived = pd.DataFrame(
        {"report_id": ids, "version": versions, "batch_id": stored["batch_id"].to_numpy()}
    ).assign(replaced_by_batch=batch_id, **{c: old[c].to_numpy()[hit] for c in RD_VALUES})
    cols = ["report_id", "version", "batch_id", "replaced_by_batch", *RD_VALUES]
    insert_rows(session, RdReportVersionRow.__table__, cols, records(archived, cols))
    upd = pd.DataFrame({c: new[c].to_numpy()[hit] for c in RD_VALUES}).assign(
        correction=incoming["correction"].to_numpy()[rows[hit]],
        version=versions + 1,
        batch_id=batch_id,
        id=ids,
    )
    set_cols = [*RD_VALUES, "correction", "version", "batch_id"]
    update_rows(session, T, set_cols, records(upd, [*set_cols, "id"]))
    usccs = np.asarray(incoming["uscc"].iloc[rows[hit]], dtype=object)
    periods = np.asarray(incoming["period"].iloc[rows[hit]], dtype=object)
    values = {
        c: (old[c].to_numpy()[hit], new[c].to_numpy()[hit], differs[c][hit]) for c in RD_VALUES
    }
    record_many(
        session,
        ctx,
        action="update",
        entity="rd_report",
        changes=(
            (
                f"{usccs[j]}:{periods[j]}",
                {c: [_py(o[j]), _py(n[j])] for c, (o, n, d) in values.items() if d[j]},
            )
            for j in range(len(hit))
        ),
    )
    return len(hit)


def _py(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def set_received(session: Session, period: str, when: dict[str, dt.datetime]) -> int:
    """Record when each enterprise's (by USCC) report of ``period`` arrived — loading
    history whose receipt times are known from elsewhere (the demo); returns rows set."""
    ids = dict(
        session.execute(
            select(EnterpriseRow.uscc, RdReportRow.id)
            .join(EnterpriseRow, EnterpriseRow.id == RdReportRow.enterprise_id)
            .where(RdReportRow.period == period)
        ).all()
    )
    rows = [(db_stamp(session, t), ids[u]) for u, t in when.items() if u in ids]
    return update_rows(session, T, ["received_at"], rows)


def set_period_received(session: Session, period: str, when: dt.datetime) -> int:
    """Record one receipt time for every report of ``period`` (history loaded at once)."""
    from sqlalchemy import update

    result = session.execute(
        update(RdReportRow)
        .where(RdReportRow.period == period)
        .values(received_at=when.astimezone(dt.UTC))  # SQLite keeps no zone
    )
    return int(getattr(result, "rowcount", 0) or 0)
