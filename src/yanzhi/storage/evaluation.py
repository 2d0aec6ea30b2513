"""Reads of the district and township evaluation: enterprises as they stood at a year end
and each enterprise's R&D intensity in its latest approved report of the year."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import (
    EnterpriseRow,
    EnterpriseVersionRow,
    RdReportRow,
    SubmissionRow,
)
from yanzhi.storage.submissions import APPROVED

FLAGS = ("above_size_industrial", "hightech", "tech_sme", "specialised", "champion")


def enterprises_at(session: Session, year: int) -> pd.DataFrame:
    """One row per enterprise known by 31 December of ``year``, with the attributes in force
    that day: enterprise_id, township_code, the flags, hightech_cert_year, synthetic."""
    v = EnterpriseVersionRow
    end = dt.date(year, 12, 31)
    q = (
        select(
            v.enterprise_id,
            v.valid_from,
            v.township_code,
            *(getattr(v, f) for f in FLAGS),
            v.hightech_cert_year,
            EnterpriseRow.synthetic,
        )
        .join(EnterpriseRow, EnterpriseRow.id == v.enterprise_id)
        .where(v.valid_from <= end)
    )
    frame = read_frame(session, q)
    if frame.empty:
        return frame
    frame = frame.sort_values(["enterprise_id", "valid_from", "township_code"], kind="mergesort")
    return frame.groupby("enterprise_id").tail(1).reset_index(drop=True)


def rd_intensity_of_year(session: Session, year: int) -> pd.DataFrame:
    """enterprise_id, rd_intensity (%): R&D expense / operating revenue × 100 in the latest
    approved year-to-date period of ``year`` of the enterprise's township (none if revenue is
    0 or the enterprise has no report in that period)."""
    s = SubmissionRow
    subs = read_frame(
        session,
        select(s.org_unit_code, s.period).where(
            (s.dataset == "rd") & (s.status == APPROVED) & s.period.like(f"{year}-01..%")
        ),
    )
    empty = pd.DataFrame({"enterprise_id": [], "rd_intensity": []})
    if subs.empty:
        return empty
    latest = subs.sort_values("period").groupby("org_unit_code").tail(1)
    r = RdReportRow
    q = select(r.enterprise_id, r.township_code, r.period, r.rd_expense, r.operating_revenue)
    frame = read_frame(session, q.where(r.period.in_(sorted(set(latest["period"])))))
    keep = frame.merge(latest, left_on=["township_code", "period"],
                       right_on=["org_unit_code", "period"])  # fmt: skip
    keep = keep.sort_values("period").groupby("enterprise_id").tail(1)
    if keep.empty:
        return empty
    rev = pd.to_numeric(keep["operating_revenue"], errors="coerce")
    rd = pd.to_numeric(keep["rd_expense"], errors="coerce")
    return pd.DataFrame(
        {
            "enterprise_id": keep["enterprise_id"].to_numpy(),
            "rd_intensity": (100 * rd / rev.where(rev > 0)).to_numpy(float),
        }
    )
