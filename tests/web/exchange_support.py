"""Helpers of the exchange's end-to-end tests and benchmark: filings made from what a
database holds (an earlier period's reports, scaled up so the year-to-date checks pass)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text


def filings_from(
    engine: Engine, *, period: str, townships: list[str] | None = None, scale: float = 1.1
) -> list[dict[str, Any]]:
    """One filing per enterprise reported for ``period`` (of ``townships`` if given), its
    money and head counts times ``scale``, in the exchange's JSON form."""
    sql = (
        "select e.uscc, r.township_code, r.operating_revenue, r.rd_expense,"
        " r.rd_personnel, r.synthetic from rd_report r join enterprise e"
        " on e.id = r.enterprise_id where r.period = :p order by e.uscc"
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"p": period}).all()
    return [
        {
            "uscc": r.uscc,
            "operating_revenue": round(float(r.operating_revenue) * scale, 2),
            "rd_expense": round(float(r.rd_expense) * scale, 2),
            "rd_personnel": None if r.rd_personnel is None else int(r.rd_personnel * scale) + 1,
            "synthetic": bool(r.synthetic),
        }
        for r in rows
        if townships is None or r.township_code in townships
    ]


def townships_with_reports(engine: Engine, period: str) -> list[tuple[str, str]]:
    """(township, district) of the townships with reports for ``period``, most reports first."""
    sql = (
        "select r.township_code, u.parent_code, count(*) n from rd_report r join org_unit u"
        " on u.code = r.township_code where r.period = :p"
        " group by r.township_code, u.parent_code order by n desc, r.township_code"
    )
    with engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(text(sql), {"p": period}).all()]


def stored_state(engine: Engine) -> tuple[int, ...]:
    """Counts and newest ids of the tables a batch writes: equal before and after a batch
    that changed nothing."""
    sql = (
        "select (select count(*) from rd_report), (select coalesce(max(id), 0) from rd_report),"
        " (select count(*) from rd_report_version), (select count(*) from import_batch),"
        " (select coalesce(sum(version), 0) from rd_report),"
        " (select count(*) from submission where status = 'submitted')"
    )
    with engine.connect() as conn:
        return tuple(int(v) for v in conn.execute(text(sql)).one())
