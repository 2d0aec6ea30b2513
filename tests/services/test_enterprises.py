"""Enterprise diagnosis, policy calculation and the bureau's lists on a small demo panel,
and the rule that an enterprise user sees only its own enterprise (enforced in services)."""

import pytest
from sqlalchemy import text

from yanzhi.services.access.principal import SYSTEM, PermissionDenied, Principal
from yanzhi.services.enterprises import budget, lists
from yanzhi.services.enterprises import diagnosis as enterprises
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
    # the reports hold no 研发人员 or 新产品 figures: listed as not computed, never zero
    assert all("新产品产值占营业收入比重" in r.missing for r in ranked)
    assert all(r.tech is not None and 0 <= r.tech <= 100 for r in ranked)
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


# ---- 研发后补助 and 研发准备金: each enterprise-year and the district budget (the sum of the
# enterprises' own amounts, the same figures as their policy results)


def _by_rule(result):
    return {b["rule"]: b for b in result.benefits}


def test_the_district_budget_is_the_sum_of_the_enterprises_own_amounts(engine):
    rows = budget.budget(engine, year=2025, principal=SYSTEM)
    city = rows[-1]
    assert city.district == budget.CITY
    districts = rows[:-1]
    assert city.enterprises == sum(r.enterprises for r in districts) > 0
    assert city.post_subsidy_total == pytest.approx(sum(r.post_subsidy_total for r in districts))
    assert city.budget_total == pytest.approx(city.post_subsidy_total + city.reserve_fund_total)
    assert city.assumed and city.synthetic
    # the districts in the order of their division codes, as every table lists them
    from yanzhi.services.plan.orgunits import org_tree

    codes = {u.name: u.code for u in org_tree(engine)}
    order = [codes[r.district] for r in districts]
    assert order == sorted(order)
    # one district, recomputed enterprise by enterprise through the enterprise's own result
    one = min(districts, key=lambda r: r.enterprises)
    per = budget.enterprise_amounts(engine, year=2025, principal=SYSTEM)
    mine = per[per["district"] == one.district]
    ps = rf = 0.0
    counted = unknown = 0
    for uscc in mine["uscc"]:
        got = _by_rule(enterprises.policy_calc(engine, uscc, year=2025, principal=SYSTEM))
        p, r = got["RD_POST_SUBSIDY"], got["RD_RESERVE_FUND"]
        if p["amount"] is None:
            unknown += 1
        elif p["eligible"]:
            ps += p["amount"]
            counted += 1
        rf += r["amount"] if r["eligible"] else 0.0
    assert one.post_subsidy_total == pytest.approx(round(ps, 2), abs=0.006)
    assert one.reserve_fund_total == pytest.approx(round(rf, 2), abs=0.006)
    assert (one.post_subsidy_count, one.post_subsidy_unknown) == (counted, unknown)
    assert one.post_subsidy_total > 0 and one.reserve_fund_total > 0


def test_a_year_without_the_previous_full_year_is_unknown_not_zero(engine):
    with engine.connect() as c:
        first = c.execute(text("SELECT MIN(year) FROM rd_report WHERE month = 12")).scalar()
        uscc = c.execute(
            text(
                "SELECT e.uscc FROM enterprise e JOIN rd_report r ON r.enterprise_id = e.id "
                "WHERE r.year = :y AND r.month = 12 AND e.above_size_industrial "
                "AND r.rd_expense >= 50 ORDER BY e.uscc LIMIT 1"
            ),
            {"y": first},
        ).scalar()
    got = _by_rule(enterprises.policy_calc(engine, uscc, year=first, principal=SYSTEM))
    p = got["RD_POST_SUBSIDY_2019"] if first < 2023 else got["RD_POST_SUBSIDY"]
    assert p["status"] == "unknown" and p["amount"] is None and not p["eligible"]
    assert p["missing"] == [f"{first - 1}年全年研发费用"]
    assert p["explanation"].startswith("【本平台假设】")
    rows = budget.budget(engine, year=first, principal=SYSTEM)
    city = rows[-1]  # nobody has a year before: those who pass the thresholds are unknown
    assert city.post_subsidy_count == 0 and city.post_subsidy_total == 0
    assert 0 < city.post_subsidy_unknown < city.enterprises  # the others fail a threshold


def test_a_scoped_officer_gets_only_their_district(engine):
    rows = budget.budget(engine, year=2025, principal=SYSTEM)
    per = budget.enterprise_amounts(engine, year=2025, principal=SYSTEM)
    with engine.connect() as c:
        code = c.execute(
            text("SELECT code FROM org_unit WHERE name = :n"), {"n": rows[0].district}
        ).scalar()
    officer = Principal("d", "district_officer", unit=code)
    mine = budget.budget(engine, year=2025, principal=officer)
    assert [r.district for r in mine] == [rows[0].district]  # no 全市合计 for one district
    assert mine[0].budget_total == rows[0].budget_total
    assert mine[0].enterprises == int((per["district"] == rows[0].district).sum())
