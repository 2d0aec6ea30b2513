"""Enterprises and the history of their attributes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.audit import WriteContext, record
from yanzhi.storage.bulk import insert_rows, read_frame
from yanzhi.storage.datamodels import ATTRIBUTES, EnterpriseRow, EnterpriseVersionRow


def enterprise_index(session: Session) -> pd.DataFrame:
    """uscc, id, township_code, above_size_industrial, founded_year, hightech and tech_sme
    of every enterprise."""
    q = select(
        EnterpriseRow.uscc,
        EnterpriseRow.id,
        EnterpriseRow.township_code,
        EnterpriseRow.above_size_industrial,
        EnterpriseRow.founded_year,
        EnterpriseRow.hightech,
        EnterpriseRow.tech_sme,
        EnterpriseRow.synthetic,
    )
    return read_frame(session, q)


def enterprise_names(session: Session) -> list[tuple[str, str]]:
    """(uscc, name) of every enterprise."""
    rows = session.execute(select(EnterpriseRow.uscc, EnterpriseRow.name)).all()
    return [(str(u), str(n)) for u, n in rows]


@dataclass(frozen=True)
class EnterpriseWrite:
    created: int
    changed: int
    unchanged: int


def _attrs(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for a in ATTRIBUTES:
        v = row.get(a)
        if isinstance(v, float) and v != v:
            v = None
        if a in ("founded_year", "hightech_cert_year") and v is not None:
            v = int(v)
        if a in ("above_size_industrial", "hightech", "tech_sme", "specialised", "champion"):
            v = bool(v) if v is not None else False
        out[a] = v
    return out


def write_enterprises(
    session: Session, frame: pd.DataFrame, *, batch_id: int, ctx: WriteContext
) -> EnterpriseWrite:
    """Each row states an enterprise's attributes as of a date. A new state becomes a
    version; the latest version is the enterprise's current state. New enterprises are
    written in bulk; changes to known ones go one by one, each audited."""
    frame = frame.sort_values("as_of", kind="stable")
    known = (
        set(
            session.scalars(
                select(EnterpriseRow.uscc).where(
                    EnterpriseRow.uscc.in_(list(frame["uscc"].unique()))
                )
            )
        )
        if len(frame) < 30000
        else set(session.scalars(select(EnterpriseRow.uscc)))
    )
    is_new = ~frame["uscc"].isin(known)
    created = _create_new(session, frame[is_new], batch_id, ctx)
    changed = unchanged = 0
    old = frame[~is_new]
    if len(old):
        ents = {
            e.uscc: e
            for e in session.scalars(
                select(EnterpriseRow).where(EnterpriseRow.uscc.in_(list(old["uscc"].unique())))
            )
        }
        versions: dict[int, list[EnterpriseVersionRow]] = {}
        for v in session.scalars(
            select(EnterpriseVersionRow).where(
                EnterpriseVersionRow.enterprise_id.in_([e.id for e in ents.values()])
            )
        ):
            versions.setdefault(v.enterprise_id, []).append(v)
        for row in old.to_dict("records"):
            ent = ents[row["uscc"]]
            if _apply_version(
                session,
                ent,
                versions.setdefault(ent.id, []),
                dt.date.fromisoformat(row["as_of"]),
                _attrs(row),
                batch_id,
                ctx,
            ):
                changed += 1
            else:
                unchanged += 1
    session.flush()
    return EnterpriseWrite(created, changed, unchanged)


def _create_new(session: Session, new: pd.DataFrame, batch_id: int, ctx: WriteContext) -> int:
    if new.empty:
        return 0
    rows = [dict(r, **_attrs(r)) for r in new.to_dict("records")]
    latest = {r["uscc"]: r for r in rows}  # rows are sorted by as_of: the last one is current
    ent_cols = ["uscc", "as_of", "synthetic", *ATTRIBUTES]
    insert_rows(
        session,
        EnterpriseRow.__table__,
        ent_cols,
        (
            (
                r["uscc"],
                dt.date.fromisoformat(r["as_of"]).isoformat(),
                bool(r["synthetic"]),
                *[r[a] for a in ATTRIBUTES],
            )
            for r in latest.values()
        ),
    )
    ids = (
        dict(
            session.execute(
                select(EnterpriseRow.uscc, EnterpriseRow.id).where(
                    EnterpriseRow.uscc.in_(list(latest))
                )
            ).all()
        )
        if len(latest) < 30000
        else dict(session.execute(select(EnterpriseRow.uscc, EnterpriseRow.id)).all())
    )
    versions: list[tuple[Any, ...]] = []
    previous: dict[str, tuple[Any, ...]] = {}
    for r in rows:
        state = tuple(r[a] for a in ATTRIBUTES)
        if previous.get(r["uscc"]) == state:
            continue  # the same state restated at a later date is not a new version
        previous[r["uscc"]] = state
        versions.append(
            (ids[r["uscc"]], dt.date.fromisoformat(r["as_of"]).isoformat(), batch_id, *state)
        )
    dedup = {(v[0], v[1]): v for v in versions}  # two rows on the same day: the last wins
    insert_rows(
        session,
        EnterpriseVersionRow.__table__,
        ["enterprise_id", "valid_from", "batch_id", *ATTRIBUTES],
        dedup.values(),
    )
    record(
        session,
        ctx,
        action="create",
        entity="enterprise",
        key=f"batch:{batch_id}",
        changes={"rows": [None, len(latest)], "versions": [None, len(dedup)]},
    )
    return len(latest)


def _apply_version(
    session: Session,
    ent: EnterpriseRow,
    versions: list[EnterpriseVersionRow],
    as_of: dt.date,
    attrs: dict[str, Any],
    batch_id: int,
    ctx: WriteContext,
) -> bool:
    in_force = max(
        (v for v in versions if v.valid_from <= as_of), key=lambda v: v.valid_from, default=None
    )
    if in_force is not None and all(getattr(in_force, a) == attrs[a] for a in ATTRIBUTES):
        return False
    same_day = next((v for v in versions if v.valid_from == as_of), None)
    if same_day is not None:
        for a in ATTRIBUTES:
            setattr(same_day, a, attrs[a])
    else:
        v = EnterpriseVersionRow(enterprise_id=ent.id, valid_from=as_of, batch_id=batch_id, **attrs)
        session.add(v)
        versions.append(v)
    if as_of >= ent.as_of:
        diff = {a: [getattr(ent, a), attrs[a]] for a in ATTRIBUTES if getattr(ent, a) != attrs[a]}
        for a in ATTRIBUTES:
            setattr(ent, a, attrs[a])
        ent.as_of = as_of
        record(
            session,
            ctx,
            action="update",
            entity="enterprise",
            key=ent.uscc,
            changes={**diff, "as_of": [None, as_of.isoformat()]},
        )
    else:
        record(
            session,
            ctx,
            action="update",
            entity="enterprise_version",
            key=f"{ent.uscc}@{as_of.isoformat()}",
            changes={a: [None, attrs[a]] for a in attrs},
        )
    return True


def attributes_at(session: Session, date: dt.date) -> pd.DataFrame:
    """Every enterprise's attributes in force on ``date`` (its history, not today's state)."""
    v = EnterpriseVersionRow
    q = select(v.enterprise_id, v.valid_from, *[getattr(v, a) for a in ATTRIBUTES]).where(
        v.valid_from <= date
    )
    frame = read_frame(session, q)
    if frame.empty:
        return frame
    return frame.sort_values("valid_from").groupby("enterprise_id", as_index=False).last()


def township_history(session: Session) -> pd.DataFrame:
    """enterprise_id, valid_from, township_code of every version of the enterprises that
    have moved: those with a version in another township than today's (to place a report
    in the township the enterprise belonged to at the time). The others are where they
    always were, and are not read."""
    v, e = EnterpriseVersionRow, EnterpriseRow
    moved = (
        select(v.enterprise_id)
        .join(e, e.id == v.enterprise_id)
        .where(v.township_code != e.township_code)
    )
    q = select(v.enterprise_id, v.valid_from, v.township_code).where(v.enterprise_id.in_(moved))
    return read_frame(session, q)


def get_enterprise(session: Session, uscc: str) -> EnterpriseRow | None:
    return session.scalars(select(EnterpriseRow).where(EnterpriseRow.uscc == uscc)).first()


def enterprise_reports(session: Session, enterprise_id: int) -> pd.DataFrame:
    from yanzhi.storage.datamodels import RD_VALUES, RdReportRow

    r = RdReportRow
    columns: list[Any] = [
        r.period,
        r.year,
        r.month,
        r.township_code,
        *(getattr(r, c) for c in RD_VALUES),
    ]
    make: Any = select  # mypy 2.4 crashes expanding select(*list) overloads
    return read_frame(session, make(*columns).where(r.enterprise_id == enterprise_id))


def december_rd(session: Session, year: int) -> pd.Series:
    """Every enterprise's R&D expense of its December (1–12月累计) report of ``year``,
    approved or not, by enterprise id (as one enterprise's tax year reads the year before)."""
    from yanzhi.storage.datamodels import RdReportRow

    r = RdReportRow
    q = select(r.enterprise_id, r.rd_expense).where(r.year == year, r.month == 12)
    frame = read_frame(session, q)
    return (
        pd.Series(
            pd.to_numeric(frame["rd_expense"], errors="coerce").to_numpy(),
            index=frame["enterprise_id"].astype("int64").to_numpy(),
            dtype="float64",
        )
        .groupby(level=0)
        .last()
    )


def annual_figures(session: Session, year: int) -> pd.DataFrame:
    """Every enterprise's **approved** December YTD report of ``year`` with its current
    attributes (a township's report counts once the city has approved that period)."""
    from yanzhi.storage.datamodels import RdReportRow, SubmissionRow
    from yanzhi.storage.submissions import APPROVED

    r, e = RdReportRow, EnterpriseRow
    q = (
        select(
            e.id.label("enterprise_id"),
            e.uscc,
            e.name,
            e.industry_code,
            e.size_class,
            e.township_code,
            e.hightech,
            e.tech_sme,
            e.above_size_industrial,
            e.founded_year,
            r.rd_expense,
            r.operating_revenue,
            r.has_rd_institution,
            (e.synthetic | r.synthetic).label("synthetic"),
        )
        .join(r, r.enterprise_id == e.id)
        .join(
            SubmissionRow,
            (SubmissionRow.dataset == "rd")
            & (SubmissionRow.org_unit_code == r.township_code)
            & (SubmissionRow.period == r.period),
        )
        .where(r.period == f"{year}-01..12", SubmissionRow.status == APPROVED)
    )
    return read_frame(session, q)


def enterprise_versions(session: Session, enterprise_id: int) -> pd.DataFrame:
    """Every recorded state of one enterprise's attributes (valid_from and the attributes),
    oldest first — what was true in a past year, not only today."""
    from yanzhi.storage.datamodels import ATTRIBUTES, EnterpriseVersionRow

    v = EnterpriseVersionRow
    make: Any = select
    q = make(v.valid_from, *(getattr(v, a) for a in ATTRIBUTES)).where(
        v.enterprise_id == enterprise_id
    )
    return read_frame(session, q).sort_values("valid_from", kind="mergesort")


def report_receipts(session: Session, enterprise_id: int, year: int) -> pd.DataFrame:
    """The enterprise's R&D reports of ``year``: period, month, township_code (where it
    reported) and received_at (None when the time is not known)."""
    from yanzhi.storage.datamodels import RdReportRow

    r = RdReportRow
    q = select(r.period, r.month, r.township_code, r.received_at).where(
        r.enterprise_id == enterprise_id, r.year == year
    )
    return read_frame(session, q)
