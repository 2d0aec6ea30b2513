"""Enterprise diagnosis, policy calculation and the bureau's lists on a small demo panel,
and the rule that an enterprise user sees only its own enterprise (enforced in services)."""

import pytest
from sqlalchemy import text

from yanzhi.services.access.principal import SYSTEM, PermissionDenied, Principal
from yanzhi.services.enterprises import diagnosis as enterprises
from yanzhi.services.enterprises import lists
from yanzhi.storage.db import make_engine


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def two_enterprises(engine):
    with engine.connect() as c:
        return [
            r[0]
            for r in c.execute(
                text(
                    "SELECT e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id "
                    "WHERE r.period = '2025-01..12' AND r.rd_expense > 0 ORDER BY e.uscc LIMIT 2"
                )
            )
        ]


def test_diagnosis_numbers(engine):
    uscc, _ = two_enterprises(engine)
    d = enterprises.diagnose(engine, uscc, principal=SYSTEM)
    last = d.latest
    assert d.basis == "2025-01..12"
    assert last.intensity == pytest.approx(last.rd_expense / last.operating_revenue)
    gap = d.gaps["to_5pct"]
    assert gap.extra_rd_expense == pytest.approx(
        max(0.0, 0.05 * last.operating_revenue - last.rd_expense), abs=1e-3
    )
    assert 0 <= d.peers.city_percentile <= 100
    names = {b["rule"] for b in d.policies.benefits}
    assert {"SUPER_DEDUCTION", "RD_POST_SUBSIDY", "RD_RESERVE_FUND", "PRIORITY_5PCT"} <= names
    assert d.enterprise.synthetic is True


def test_an_enterprise_user_sees_only_its_own_enterprise(engine):
    mine, other = two_enterprises(engine)
    me = Principal(f"enterprise:{mine}", "enterprise", enterprise=mine)
    assert enterprises.show(engine, mine, principal=me).uscc == mine
    for call in (enterprises.show, enterprises.diagnose):
        with pytest.raises(PermissionDenied):
            call(engine, other, principal=me)
    with pytest.raises(PermissionDenied):
        enterprises.policy_calc(engine, other, year=2025, principal=me)
    with pytest.raises(PermissionDenied):
        lists.priority(engine, year=2025, principal=me)
    officer = Principal("town", "township_officer", unit="330299999")
    with pytest.raises(PermissionDenied):
        enterprises.show(engine, mine, principal=officer)


def test_lists(engine):
    rows = lists.priority(engine, year=2025, principal=SYSTEM)
    assert rows and all(r.rd_expense * 20 >= r.operating_revenue for r in rows)
    assert [r.intensity for r in rows] == sorted((r.intensity for r in rows), reverse=True)
    visit = lists.visit(engine, year=2025, principal=SYSTEM)
    assert all(r.rd_expense == 0 or r.rd_expense < r.rd_expense_previous for r in visit)
    ranked = lists.points(engine, year=2025, principal=SYSTEM)
    assert ranked[0].rank == 1 and ranked[0].points >= ranked[-1].points
    doubling = lists.doubling(engine)
    assert doubling[0].year == 2022 and doubling[-1].year == 2027
    assert doubling[-1].hightech_path == pytest.approx(2 * doubling[0].hightech)


def test_the_priority_list_reads_approved_reports_only(engine):
    """Unlocking a township's December report takes its enterprises off the 5 % list until
    the period is approved again (issue #15: approved data only downstream)."""
    from yanzhi.services.collection import workflow

    rows = lists.priority(engine, year=2025, principal=SYSTEM)
    with engine.connect() as c:
        where = dict(c.execute(text("SELECT uscc, township_code FROM enterprise")).all())
    town = where[rows[0].uscc]
    mine = {r.uscc for r in rows if where[r.uscc] == town}
    workflow.transition(engine, "unlock", period="2025-01..12", unit=town, actor="t", reason="核对")
    try:
        after = {r.uscc for r in lists.priority(engine, year=2025, principal=SYSTEM)}
        assert mine and not (mine & after)
        assert len(after) == len(rows) - len(mine)
    finally:
        workflow.transition(engine, "submit", period="2025-01..12", unit=town, actor="t")
        workflow.transition(engine, "approve", period="2025-01..12", unit=town, actor="t")
    assert {r.uscc for r in lists.priority(engine, year=2025, principal=SYSTEM)} >= mine
