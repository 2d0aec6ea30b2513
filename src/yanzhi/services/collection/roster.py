"""A township's roster for its desk: the enterprises expected to report for a period
(``workflow.expected_to_report``) with this period's report — received on time, late, or
missing, against the enterprises' due date in the reporting calendar — and their R&D of
the latest approved period with the same period a year before. Figures come from
approved reports only; the report state of the open period is about arrival, not about
figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from yanzhi.core.periods import parse_ytd
from yanzhi.ingest.industry import load_industry_classes
from yanzhi.services.collection.calendar import calendar_in, due_on
from yanzhi.services.collection.workflow import deadline_at, expected_to_report
from yanzhi.services.database import require_schema
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow
from yanzhi.storage.db import transaction
from yanzhi.storage.submissions import submissions

APPROVED = "approved"


@dataclass(frozen=True)
class RosterRow:
    """One enterprise of the township: this period's report (``state``: on_time, late or
    missing; ``received_at`` as an ISO timestamp) and, for the approved period, its
    year-to-date R&D expense and that of the same period a year before (万元; None: no
    approved report)."""

    uscc: str
    name: str
    industry_code: str
    industry: str
    state: str
    received_at: str | None
    rd_expense: float | None
    rd_expense_before: float | None


@dataclass(frozen=True)
class Roster:
    """The township's expected enterprises for ``period`` and the approved figures of
    ``approved_period`` (None when the township has no approved period yet)."""

    township: str
    period: str
    approved_period: str | None
    rows: list[RosterRow]


def _status_row(subs: pd.DataFrame, township: str, period: str | None) -> dict[str, object]:
    """The township's submission row for ``period`` ({} without one)."""
    mine = subs[(subs["org_unit_code"] == township) & (subs["period"] == period)]
    return {} if mine.empty else dict(mine.iloc[0])


def roster(engine: Engine, *, township: str, period: str, approved_period: str | None) -> Roster:
    """The enterprises of ``township`` expected to report for ``period`` (a YTD period),
    each with its report state, and its R&D of ``approved_period`` when the township's
    reports of that period are approved — largest R&D first, then by name."""
    require_schema(engine)
    p = parse_ytd(period, months=False)
    with transaction(engine) as session:
        subs = submissions(session, "rd", [str(p), *([approved_period] if approved_period else [])])
        approved = _status_row(subs, township, approved_period).get("status") == APPROVED
        shown = approved_period if approved else None
        # a report with no receipt time of its own arrived with the township's first file
        first = pd.to_datetime(
            _status_row(subs, township, str(p)).get("first_received_at"), utc=True
        )
        wanted = [str(p)]
        if shown is not None:
            a = parse_ytd(shown, months=False)
            wanted += [str(a), str(a.same_period_last_year())]
        cal = calendar_in(session)
        ents = read_frame(
            session,
            select(
                EnterpriseRow.id,
                EnterpriseRow.uscc,
                EnterpriseRow.name,
                EnterpriseRow.industry_code,
            ).where(expected_to_report(p.year), EnterpriseRow.township_code == township),
        )
        reports = read_frame(
            session,
            select(
                RdReportRow.enterprise_id,
                RdReportRow.period,
                RdReportRow.rd_expense,
                RdReportRow.received_at,
            ).where(RdReportRow.township_code == township, RdReportRow.period.in_(wanted)),
        )
    deadline = deadline_at(due_on(cal, p, "enterprise"))
    classes = load_industry_classes()

    def of(period_code: str | None) -> dict[int, pd.Series]:
        if period_code is None:
            return {}
        part = reports[reports["period"] == period_code]
        return {int(r.enterprise_id): r for r in part.itertuples(index=False)}

    now, then = of(str(p)), of(shown)
    before = of(str(parse_ytd(shown, months=False).same_period_last_year()) if shown else None)
    rows = []
    for e in ents.itertuples(index=False):
        mine = now.get(int(e.id))
        when = None if mine is None else pd.to_datetime(mine.received_at, utc=True)
        if when is None or pd.isna(when):
            when = None if mine is None or pd.isna(first) else first
        if mine is None:
            state = "missing"
        else:  # as completeness counts it: no known receipt time is not on time
            state = "on_time" if when is not None and when < deadline else "late"
        cls = classes.get(str(e.industry_code))
        rd_now, rd_before = then.get(int(e.id)), before.get(int(e.id))
        rows.append(
            RosterRow(
                uscc=str(e.uscc),
                name=str(e.name),
                industry_code=str(e.industry_code),
                industry=cls.name if cls else "—",
                state=state,
                received_at=None if when is None else when.isoformat(),
                rd_expense=None if rd_now is None else float(rd_now.rd_expense),
                rd_expense_before=None if rd_before is None else float(rd_before.rd_expense),
            )
        )
    rows.sort(key=lambda r: (r.rd_expense is None, -(r.rd_expense or 0.0), r.name))
    return Roster(township=township, period=str(p), approved_period=shown, rows=rows)
