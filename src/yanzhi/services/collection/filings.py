"""One enterprise's filing status (报送情况) for the months of a year: for each 1–N月累计
report, when it is due under the reporting calendar in force and where it stands —
审核通过 (approved: the city approved its township's period), 已报送 (received, not yet
approved), 缺报 (not received and past due) or 未到期 (not yet due) — and whether it came
after its due date (逾期). An enterprise outside the reporting population (not 规上工业, or
founded later) that sent nothing for a month is 无需报送 there, not 缺报."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.periods import Period
from yanzhi.services.access.principal import Principal
from yanzhi.services.collection.calendar import calendar_in, due_on
from yanzhi.services.collection.workflow import deadline_at
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises.diagnosis import enterprise_in
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import report_receipts
from yanzhi.storage.submissions import APPROVED, submissions

ST_APPROVED = "approved"
ST_SUBMITTED = "submitted"
ST_MISSING = "missing"
ST_NOT_DUE = "not_due"
ST_NOT_REQUIRED = "not_required"
STATUS_ZH = {
    ST_APPROVED: "审核通过",
    ST_SUBMITTED: "已报送,审核中",
    ST_MISSING: "缺报",
    ST_NOT_DUE: "未到期",
    ST_NOT_REQUIRED: "无需报送",
}


@dataclass(frozen=True)
class FilingMonth:
    """One month's report (1–N月累计) of the enterprise: due date, status, lateness."""

    period: str
    label: str  # 2026年1-3月
    month: int
    due: str  # ISO date
    status: str  # approved | submitted | missing | not_due | not_required
    status_zh: str
    late: bool | None  # received after the due date; None when not received or time unknown
    received_at: str | None


@dataclass(frozen=True)
class FilingStatus:
    """An enterprise's filing status for ``year`` as of ``today``: whether it is expected
    to report, its months and the count of each status."""

    uscc: str
    year: int
    today: str
    expected: bool
    months: list[FilingMonth]
    counts: dict[str, int]
    late: int
    synthetic: bool


def filing_status(
    engine: Engine,
    uscc: str,
    *,
    year: int,
    principal: Principal,
    today: dt.date | None = None,
) -> FilingStatus:
    """The enterprise's reports of ``year`` month by month (``EnterpriseNotFound``,
    ``PermissionDenied`` outside the principal's scope, as its record)."""
    day = today or dt.date.today()
    require_schema(engine)
    with transaction(engine) as session:
        ent, _tree = enterprise_in(session, uscc, principal)
        got = report_receipts(session, ent.id, year)
        periods = [str(Period.of_ytd(year, m)) for m in range(1, 13)]
        subs = submissions(session, "rd", periods)
        cal = calendar_in(session)
        expected = bool(ent.above_size_industrial) and (
            ent.founded_year is None or ent.founded_year <= year
        )
        synthetic = bool(ent.synthetic)
        uscc_ = ent.uscc
        home = ent.township_code
    state = {
        (u, p): s
        for u, p, s in zip(subs["org_unit_code"], subs["period"], subs["status"], strict=True)
    }
    by_period = {str(r["period"]): r for r in got.to_dict("records")}
    months = []
    for m, code in enumerate(periods, start=1):
        period = Period.of_ytd(year, m)
        due = due_on(cal, period, "enterprise")
        row = by_period.get(code)
        late: bool | None = None
        received = None
        if row is not None:
            at = row["received_at"]
            if at is not None and not pd.isna(at):
                stamp = pd.Timestamp(at)
                stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
                late = bool(stamp >= deadline_at(due))
                received = stamp.isoformat(timespec="minutes")
            town = str(row["township_code"] or home)
            status = ST_APPROVED if state.get((town, code)) == APPROVED else ST_SUBMITTED
        elif day > due:
            status = ST_MISSING if expected else ST_NOT_REQUIRED
        else:
            status = ST_NOT_DUE
        months.append(
            FilingMonth(
                period=code,
                label=period.label_zh(),
                month=m,
                due=due.isoformat(),
                status=status,
                status_zh=STATUS_ZH[status],
                late=late,
                received_at=received,
            )
        )
    counts = {s: sum(1 for x in months if x.status == s) for s in STATUS_ZH}
    return FilingStatus(
        uscc=uscc_,
        year=year,
        today=day.isoformat(),
        expected=expected,
        months=months,
        counts=counts,
        late=sum(1 for x in months if x.late),
        synthetic=synthetic,
    )
