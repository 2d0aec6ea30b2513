"""The columnar copy the analytics run on: enterprise reports joined to the enterprise's
attributes in force when each period ended, as one pandas frame."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import (
    ATTRIBUTES,
    RD_VALUES,
    EnterpriseRow,
    EnterpriseVersionRow,
    IndicatorValueRow,
    RdReportRow,
    SubmissionRow,
)
from yanzhi.storage.submissions import APPROVED

INDICATOR_VALUE_COLUMNS = (
    "indicator",
    "level",
    "unit_code",
    "industry_division",
    "period",
    "period_kind",
    "numerator",
    "denominator",
    "value",
    "n_enterprises",
    "source",
    "synthetic",
)
_ATTRS = [a for a in ATTRIBUTES if a not in ("name", "township_code", "founded_year")]


def report_frame(
    session: Session,
    *,
    approved_only: bool,
    years: list[int] | None = None,
    periods: list[str] | None = None,
    townships: list[str] | None = None,
) -> pd.DataFrame:
    """The R&D reports (approved only, or all), of ``years``, ``periods`` and
    ``townships`` if given."""
    r = RdReportRow
    q = select(
        r.enterprise_id,
        EnterpriseRow.uscc,
        r.period,
        r.year,
        r.month,
        r.township_code,
        r.synthetic,
        *[getattr(r, c) for c in RD_VALUES],
    ).join(EnterpriseRow, EnterpriseRow.id == r.enterprise_id)
    if approved_only:
        s = SubmissionRow
        q = q.join(
            s, (s.dataset == "rd") & (s.org_unit_code == r.township_code) & (s.period == r.period)
        ).where(s.status == APPROVED)
    if years is not None:
        q = q.where(r.year.in_(years))
        if approved_only:  # the submissions of those years alone are joined to their reports
            first, last = f"{min(years):04d}", f"{max(years) + 1:04d}"  # periods start YYYY
            q = q.where(SubmissionRow.period >= first, SubmissionRow.period < last)
    if periods is not None:
        q = q.where(r.period.in_(periods))
    if townships is not None:
        q = q.where(r.township_code.in_(townships))
    return read_frame(session, q)


def report_years(session: Session) -> list[int]:
    """The years that have R&D reports, oldest first."""
    return sorted(int(y) for y in session.scalars(select(RdReportRow.year).distinct()))


def attribute_versions(
    session: Session, *, townships: list[str] | None = None, periods: list[str] | None = None
) -> pd.DataFrame:
    """Every enterprise's attribute versions; with ``townships``, only of the enterprises
    that reported there (in ``periods`` when given)."""
    v = EnterpriseVersionRow
    columns: list[Any] = [v.enterprise_id, v.valid_from, *(getattr(v, a) for a in _ATTRS)]
    make: Any = select  # mypy 2.4 crashes expanding select(*list) overloads
    q = make(*columns)
    if townships is not None:
        r = RdReportRow
        reporting = select(r.enterprise_id).where(r.township_code.in_(townships))
        if periods is not None:
            reporting = reporting.where(r.period.in_(periods))
        q = q.where(v.enterprise_id.in_(reporting.distinct()))
    return read_frame(session, q)


def with_attributes(reports: pd.DataFrame, versions: pd.DataFrame) -> pd.DataFrame:
    """Each report with the enterprise's attributes in force at the end of its period (the
    earliest known state when the report predates every version)."""
    if reports.empty:
        return reports.assign(**{a: pd.Series(dtype=object) for a in _ATTRS})
    ends = pd.to_datetime(
        reports["year"].astype(str) + "-" + reports["month"].astype(str) + "-01", format="%Y-%m-%d"
    ) + pd.offsets.MonthEnd(0)
    left = reports.assign(_end=ends.astype("datetime64[ns]"), _pos=range(len(reports)))
    right = versions.assign(_from=pd.to_datetime(versions["valid_from"]).astype("datetime64[ns]"))
    right = right.drop(columns="valid_from").sort_values("_from")
    left["enterprise_id"] = left["enterprise_id"].astype("int64")
    right["enterprise_id"] = right["enterprise_id"].astype("int64")
    placed = pd.merge_asof(
        left.sort_values("_end"),
        right,
        left_on="_end",
        right_on="_from",
        by="enterprise_id",
        direction="backward",
    )
    first = right.drop_duplicates("enterprise_id").set_index("enterprise_id")
    for a in _ATTRS:
        missing = placed[a].isna()
        if missing.any():
            placed.loc[missing, a] = placed.loc[missing, "enterprise_id"].map(first[a])
    return placed.sort_values("_pos").drop(columns=["_end", "_from", "_pos"]).reset_index(drop=True)


def replace_indicator_values(
    session: Session,
    frame: pd.DataFrame,
    *,
    periods: list[str] | None,
    source: str | None = None,
    units: list[str] | None = None,
) -> int:
    """Replace the stored values of ``periods`` (all when None), of one ``source``
    (enterprise / statistic) or of both, by ``frame``; with ``units``, only the values of
    those units, of the city level and of the industries (an approval's districts)."""
    from sqlalchemy import delete

    from yanzhi.storage.bulk import insert_rows, records

    q = delete(IndicatorValueRow)
    if periods is not None:
        q = q.where(IndicatorValueRow.period.in_(periods))
    if source is not None:
        q = q.where(IndicatorValueRow.source == source)
    if units is not None:
        v = IndicatorValueRow
        q = q.where(v.unit_code.in_(units) | v.level.in_(("city", "industry")))
    session.execute(q)
    cols = list(INDICATOR_VALUE_COLUMNS)
    return insert_rows(session, IndicatorValueRow.__table__, cols, records(frame, cols))


def indicator_values(
    session: Session,
    *,
    indicators: list[str] | None = None,
    units: list[str] | None = None,
    kinds: list[str] | None = None,
    levels: list[str] | None = None,
    totals_only: bool = False,
) -> pd.DataFrame:
    """The stored indicator values, of ``indicators``, ``units``, period ``kinds`` and
    unit ``levels`` when given; ``totals_only``: without the by-industry rows."""
    v = IndicatorValueRow
    q = select(*(getattr(v, c) for c in INDICATOR_VALUE_COLUMNS))
    q = _values_of(q, indicators, units, kinds)
    if levels:
        q = q.where(v.level.in_(levels))
    if totals_only:
        q = q.where(v.industry_division == "")
    return read_frame(session, q)


def any_synthetic_value(
    session: Session,
    *,
    indicators: list[str] | None = None,
    units: list[str] | None = None,
    kinds: list[str] | None = None,
) -> bool:
    """Is any stored value of ``indicators``, ``units`` and ``kinds`` (as
    :func:`indicator_values` selects them) synthetic? One indexed query, no rows read."""
    v = IndicatorValueRow
    q = _values_of(select(v.id).where(v.synthetic.is_(True)), indicators, units, kinds)
    return session.scalar(q.limit(1)) is not None


def _values_of(
    q: Any, indicators: list[str] | None, units: list[str] | None, kinds: list[str] | None
) -> Any:
    v = IndicatorValueRow
    if indicators:
        q = q.where(v.indicator.in_(indicators))
    if units:
        q = q.where(v.unit_code.in_(units))
    if kinds:
        q = q.where(v.period_kind.in_(kinds))
    return q


def latest_report_year(session: Session) -> int | None:
    from sqlalchemy import func

    return session.scalar(select(func.max(RdReportRow.year)))
