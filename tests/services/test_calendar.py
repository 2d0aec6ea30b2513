"""The reporting calendar: the file, the due dates it gives, the admin's audited edits,
and completeness counting each enterprise report on time, late or missing against it."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from yanzhi.core.periods import Period
from yanzhi.core.reportcalendar import CalendarError, Rule, from_dict
from yanzhi.ingest.calendarfile import builtin_calendar_path, read_calendar
from yanzhi.services.collection import calendar as cal_svc
from yanzhi.services.collection.imports import import_file
from yanzhi.services.collection.workflow import completeness, due_date, transition
from yanzhi.services.database import init_database
from yanzhi.storage.db import transaction
from yanzhi.storage.rd import set_received

P = "2024-01..05"
IMPORTS = Path(__file__).parents[1] / "data" / "imports"
E1 = "91330206YX0000001Q"


def test_rules_read_as_the_bureau_writes_them():
    assert Rule.parse("次月10日").apply(2026, 11) == dt.date(2026, 12, 10)
    assert Rule.parse("次月10日").apply(2026, 12) == dt.date(2027, 1, 10)
    assert Rule.parse("当月31日").apply(2026, 2) == dt.date(2026, 2, 28)
    assert Rule.parse("隔月5日").text() == "隔月5日"
    with pytest.raises(CalendarError, match="次月10日"):
        Rule.parse("10 days")


def test_the_ningbo_defaults_and_the_spring_festival_override():
    cal = read_calendar(builtin_calendar_path())
    nov = Period.of_ytd(2026, 11)
    assert [cal_svc.due_on(cal, nov, lv) for lv in ("enterprise", "township", "district")] == [
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 12),
        dt.date(2026, 12, 15),
    ]
    assert due_date(Period.of_ytd(2027, 1)) == dt.date(2027, 2, 18)  # 春节
    assert "春节" in cal.notes["2027-01"]
    assert from_dict(cal.to_dict()) == cal  # the stored form reads back the same
    with pytest.raises(CalendarError, match="区"):
        from_dict({"kinds": {"ytd": {"enterprise": "次月10日", "township": "次月12日"}}})


@pytest.fixture
def loaded(engine):
    init_database(engine, actor="test:init")
    for kind, name in (("enterprises", "enterprises.csv"), ("rd", "rd_2024-01..05.csv")):
        assert import_file(engine, kind, IMPORTS / name, actor="t").ok
    return engine


def _city(engine):
    return completeness(engine, period=P, level="city")[0]


def test_each_report_is_on_time_late_or_missing_by_its_receipt_time(loaded):
    city = _city(loaded)
    # imported today, long after the due date 2024-06-10
    assert (city.expected, city.received, city.on_time, city.late, city.missing) == (
        20,
        20,
        0,
        20,
        0,
    )
    assert city.due == "2024-06-10" and city.submission == "pending"
    china = dt.timezone(dt.timedelta(hours=8))
    with transaction(loaded) as s:
        n = set_received(s, P, {E1: dt.datetime(2024, 6, 10, 23, 59, tzinfo=china)})
    assert n == 1
    assert (_city(loaded).on_time, _city(loaded).late) == (1, 19)
    with transaction(loaded) as s:  # one minute past midnight China time: late
        set_received(s, P, {E1: dt.datetime(2024, 6, 11, 0, 1, tzinfo=china)})
    assert _city(loaded).on_time == 0
    empty = completeness(loaded, period="2024-01..08", level="city")[0]
    assert (empty.received, empty.missing, empty.due) == (0, 20, "2024-09-10")


def test_an_admin_moves_a_due_date_and_it_is_audited(loaded):
    china = dt.timezone(dt.timedelta(hours=8))
    with transaction(loaded) as s:
        set_received(s, P, {E1: dt.datetime(2024, 6, 14, 9, 0, tzinfo=china)})
    assert _city(loaded).on_time == 0
    cal_svc.set_override(
        loaded,
        month="2024-05",
        level="enterprise",
        due=dt.date(2024, 6, 14),
        actor="admin",
        note="端午假期顺延",
    )
    assert (_city(loaded).on_time, _city(loaded).due) == (1, "2024-06-14")
    cal_svc.set_rule(loaded, kind="ytd", level="township", rule="次月20日", actor="admin")
    town = completeness(loaded, period=P, level="township")[0]
    assert town.unit_due == "2024-06-20"
    with loaded.connect() as c:
        actors = (
            c.execute(text("SELECT actor FROM audit_log WHERE entity = 'report_calendar'"))
            .scalars()
            .all()
        )
    assert actors == ["admin", "admin"]
    with pytest.raises(CalendarError):
        cal_svc.set_rule(loaded, kind="ytd", level="township", rule="下月", actor="admin")


def test_a_townships_submission_is_on_time_or_late_against_its_due_date(loaded):
    town = completeness(loaded, period=P, level="township")[0].code
    transition(loaded, "submit", period=P, unit=town, actor="officer")
    row = {r.code: r for r in completeness(loaded, period=P, level="township")}[town]
    assert row.submission == "late" and row.submitted_at  # submitted today, due 2024-06-12
    cal_svc.set_override(
        loaded,
        month="2024-05",
        level="township",
        due=dt.date(2099, 1, 1),
        actor="admin",
        note="演示顺延",
    )
    row = {r.code: r for r in completeness(loaded, period=P, level="township")}[town]
    assert row.submission == "on_time"
    district = completeness(loaded, period=P, level="district")
    assert {r.submission for r in district} == {"pending"}  # not every township submitted
