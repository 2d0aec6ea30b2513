"""Year-to-date R&D reports: context for the checks, and the versioned bulk write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.bulk import db_stamp, insert_rows, read_frame, records, update_rows
from yanzhi.storage.datamodels import RD_VALUES, EnterpriseRow, RdReportRow, RdReportVersionRow
from yanzhi.storage.models import utcnow

T = RdReportRow.__table__


def reports_for_years(session: Session, years: Collection[int]) -> pd.DataFrame:
    """Stored reports of the given years, with the enterprise's USCC."""
    q = (
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
    return read_frame(session, q)


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
    synthetic and the RD_VALUES; rows identical to what is stored are skipped, changed
    rows keep their previous values as a version and get an audit entry each."""
    merged = incoming.merge(
        existing, on=["enterprise_id", "period"], how="left", suffixes=("", "_old"), indicator=True
    )
    is_new = (merged["_merge"] == "left_only").to_numpy()
    old = merged[~is_new]
    changed_mask = np.zeros(len(old), dtype=bool)
    for c in RD_VALUES:
        changed_mask |= _differs(old[c], old[f"{c}_old"]).to_numpy()
    changed = old[changed_mask]

    new = merged[is_new].assign(
        version=1, batch_id=batch_id, received_at=db_stamp(session, utcnow())
    )
    cols = [
        "enterprise_id",
        "period",
        "year",
        "month",
        "township_code",
        "correction",
        "synthetic",
        "version",
        "batch_id",
        "received_at",
        *RD_VALUES,
    ]
    created = insert_rows(session, T, cols, records(new, cols))
    if len(changed):
        _archive_and_update(session, changed, batch_id, ctx)
    if created:
        record(
            session,
            ctx,
            action="create",
            entity="rd_report",
            key=f"batch:{batch_id}",
            changes={"rows": [None, created], "periods": [None, sorted(new["period"].unique())]},
        )
    return RdWrite(created, len(changed), len(old) - len(changed))


def _archive_and_update(
    session: Session, changed: pd.DataFrame, batch_id: int, ctx: WriteContext
) -> None:
    old = pd.DataFrame(
        {
            "report_id": changed["id"],
            "version": changed["version"],
            "batch_id": changed["batch_id"],
            "replaced_by_batch": batch_id,
        }
    )
    for c in RD_VALUES:
        old[c] = changed[f"{c}_old"]
    cols = ["report_id", "version", "batch_id", "replaced_by_batch", *RD_VALUES]
    insert_rows(session, RdReportVersionRow.__table__, cols, records(old, cols))
    upd = changed.assign(version=changed["version"] + 1, batch_id=batch_id)
    set_cols = [*RD_VALUES, "correction", "version", "batch_id"]
    update_rows(session, T, set_cols, records(upd, [*set_cols, "id"]))
    for c in RD_VALUES:
        changed = changed.assign(**{f"_d_{c}": _differs(changed[c], changed[f"{c}_old"])})
    for row in changed.to_dict("records"):
        diff = {c: [_py(row[f"{c}_old"]), _py(row[c])] for c in RD_VALUES if row[f"_d_{c}"]}
        record(
            session,
            ctx,
            action="update",
            entity="rd_report",
            key=f"{row['uscc']}:{row['period']}",
            changes=diff,
        )


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
