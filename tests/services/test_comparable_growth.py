"""同比 of the YTD enterprise indicators on levels and on the comparable basis (matched
panel), on the demo, checked against a plain per-enterprise computation from the approved
reports (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from yanzhi.core.growth import matched_growth
from yanzhi.core.periods import parse_period
from yanzhi.services import kept
from yanzhi.services.monitoring import status
from yanzhi.services.monitoring.growth import ytd_growth
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.views.reports import bulletin


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def _approved_rd(engine, period: str) -> pd.DataFrame:
    """enterprise → district, rd_expense (万元) and the 规上工业 flag in force at the end of
    ``period``, for the approved reports of ``period`` (plain SQL, no yanzhi reader)."""
    reports = text(
        """
        select r.enterprise_id, o.parent_code as district, r.rd_expense
        from rd_report r
        join submission s on s.dataset = 'rd' and s.org_unit_code = r.township_code
             and s.period = r.period and s.status = 'approved'
        join org_unit o on o.code = r.township_code
        where r.period = :p
        """
    )
    versions = text(
        "select enterprise_id, valid_from, above_size_industrial from enterprise_version"
    )
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(reports, {"p": period}).mappings().all())
        v = pd.DataFrame(conn.execute(versions).mappings().all())
    p = parse_period(period)
    end = pd.Timestamp(p.year, p.last_month, 1) + pd.offsets.MonthEnd(0)
    v["valid_from"] = pd.to_datetime(v["valid_from"])
    v = v.sort_values("valid_from")
    in_force = v[v["valid_from"] <= end].groupby("enterprise_id").last()
    earliest = v.groupby("enterprise_id").first()
    flag = in_force["above_size_industrial"].reindex(rows["enterprise_id"])
    flag = flag.fillna(earliest["above_size_industrial"].reindex(rows["enterprise_id"]))
    rows["above_size"] = flag.to_numpy().astype(bool)
    return rows.set_index("enterprise_id")


def test_city_and_district_growth_on_both_bases(engine):
    st = status.status_many(engine, [None, "330212"], indicators=["IND_RD_EXPENSE"])
    for unit in st:
        y = unit.indicators[0].ytd
        assert y is not None and y.yoy_level is not None
        assert y.yoy_level == pytest.approx(y.value / y.previous_year_value - 1, rel=1e-12)
        now, before = _approved_rd(engine, y.period), _approved_rd(engine, y.previous_year_period)
        now = now[now["above_size"]]  # this year's scope, for both years
        if unit.unit.code != "330200":
            now = now[now["district"] == unit.unit.code]
        expected = matched_growth(now["rd_expense"].to_dict(), before["rd_expense"].to_dict())
        assert y.comparable_enterprises == expected.enterprises > 0
        assert y.yoy_comparable == pytest.approx(expected.growth, rel=1e-9)
        if unit.unit.code == "330200":  # the city's panel changes (entrants, leavers)
            assert y.yoy_comparable != pytest.approx(y.yoy_level, abs=1e-6)


def test_only_approved_periods_enter_the_panel(engine):
    """2026-01..10 is not approved in the demo: nothing to match, no comparable growth."""
    with transaction(engine) as session:
        ind = get_plan(session).indicator("IND_RD_EXPENSE")
    p = parse_period("2026-01..10")
    assert ytd_growth(engine, indicator=ind, period=p, units=["330200"]) == {}
    found = ytd_growth(engine, indicator=ind, period=parse_period("2026-01..09"), units=["330200"])
    assert found["330200"].enterprises > 0


def test_the_bulletin_leads_with_the_comparable_basis(engine):
    data = bulletin.monthly(engine, period="2026-10")
    rd = data.city_rd
    assert rd.growth_comparable is not None and rd.comparable_enterprises
    sentence = next(s for s in data.summary if "全市规上工业企业研发费用" in s)
    assert sentence.index("可比口径") < sentence.index("按总量计算")
    assert f"{abs(rd.growth_comparable):.1%}" in sentence
    assert f"{abs(rd.growth):.1%}" in sentence
    assert f"{rd.comparable_enterprises:,} 家企业" in sentence
    with_c = [d for d in data.districts if d.growth_comparable is not None]
    assert (
        with_c and sum(d.comparable_enterprises or 0 for d in with_c) == rd.comparable_enterprises
    )


def test_an_approval_is_never_served_a_stale_frame(engine):
    """The approved-report frames are kept per data version (services/monitoring/frames.py):
    approving a district's 2026-01..10 reports right after asking makes its comparable
    growth appear, equal to a computation with nothing kept. Runs last: it approves."""
    from yanzhi.services.collection.workflow import transition
    from yanzhi.services.monitoring import frames, growth

    with transaction(engine) as session:
        ind = get_plan(session).indicator("IND_RD_EXPENSE")
    p = parse_period("2026-01..10")
    assert ytd_growth(engine, indicator=ind, period=p, units=["330212"]) == {}  # kept
    with transaction(engine) as session:  # the roll-up is kept too: the same result object
        tree = load_org_tree(session)
        first = growth.comparable_ytd(session, tree, [ind], [p])
        assert growth.comparable_ytd(session, tree, [ind], [p]) is first
    for action in ("submit", "approve"):
        transition(engine, action, period=p, unit="330212", actor="test")
    found = ytd_growth(engine, indicator=ind, period=p, units=["330212", "330200"])
    assert found["330212"].enterprises > 0
    frames._frames.clear()
    kept._RESULTS.clear()
    fresh = ytd_growth(engine, indicator=ind, period=p, units=["330212", "330200"])
    assert found == fresh
