"""诊断+提升 casework on the small demo panel: the prioritised list, a case's life with its
audit, reminders through the notifications, outcome from approved reports only, the demo's
cases and their measured effect, and who may see what."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from yanzhi.core.errors import Conflict, InvalidInput
from yanzhi.services.access import users
from yanzhi.services.access.principal import SYSTEM, PermissionDenied, Principal
from yanzhi.services.collection.workflow import transition
from yanzhi.services.enterprises import caseeffect, cases
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.models import AuditRow
from yanzhi.storage.notifications import active_users
from yanzhi.storage.notifymodels import NotificationRow
from yanzhi.storage.users import get_user


@pytest.fixture
def engine(demo_db):
    eng = make_engine(demo_db)
    yield eng
    eng.dispose()


def _free(engine, year=2024):
    """A ranked enterprise of ``year`` without a case, and its township."""
    rows = caseeffect.priority_list(engine, year=year, principal=SYSTEM)
    ranked, _ = caseeffect.ranked_frame(engine, year)
    town = dict(zip(ranked["uscc"], ranked["township_code"], strict=True))
    r = next(
        r
        for r in rows
        if r.case_status is None and cases.case_of(engine, r.uscc, principal=SYSTEM) is None
    )
    return r, town[r.uscc]


def test_the_prioritised_list_is_ranked_with_reasons(engine):
    rows = caseeffect.priority_list(engine, year=2023, principal=SYSTEM)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.intensity < 0.05 for r in rows)
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    assert all(r.reason.startswith("研发强度") for r in rows)
    # the demo's cases are on the list of their year
    assert sum(r.case_status is not None for r in rows) > 0
    assert all(r.synthetic for r in rows)


def test_a_case_lives_opened_visited_reminded_closed_and_audited(engine):
    r, town = _free(engine)
    users.create_user(
        engine, username="casetown", password="Case-pass-2026", role="township_officer",
        unit=town, actor="test",
    )  # fmt: skip
    officer = Principal("casetown", "township_officer", unit=town)
    with pytest.raises(InvalidInput):  # both or neither assignee
        cases.open_case(engine, r.uscc, principal=officer, diagnosis_year=2024)
    d = cases.open_case(
        engine,
        r.uscc,
        principal=officer,
        diagnosis_year=2024,
        assignee_user="casetown",
        today=dt.date(2025, 2, 10),
    )
    assert d.status == "open" and d.reason.startswith(f"优先诊断清单第{r.rank}位")
    with pytest.raises(Conflict):
        cases.open_case(engine, r.uscc, principal=officer, diagnosis_year=2024, provider="x")
    today = dt.date(2025, 6, 1)
    d = cases.record_visit(
        engine, r.uscc, principal=officer, visited_on=dt.date(2025, 3, 1), visitor="张三",
        findings="研发费用未归集",
        actions=[cases.Agreed("bookkeeping"), cases.Agreed("deduction", dt.date(2025, 12, 31))],
        today=today,
    )  # fmt: skip
    due = {a.action: a.due_on for a in d.open_actions}
    assert due == {"bookkeeping": "2025-04-30", "deduction": "2025-12-31"}  # 60 days
    with pytest.raises(InvalidInput):
        cases.record_visit(
            engine, r.uscc, principal=officer, visited_on=today, visitor="x", findings="y",
            actions=[cases.Agreed("no_such")], today=today,
        )  # fmt: skip

    def mine():
        with transaction(engine) as s:
            return s.scalar(
                select(func.count())
                .select_from(NotificationRow)
                .where(
                    NotificationRow.user_id == get_user(s, "casetown").id,
                    NotificationRow.kind == "casework",
                    NotificationRow.body.contains(r.uscc),
                )
            )

    before = mine()
    sent = cases.remind(engine, today=today, actor="test")
    assert sent.reminded >= 1 and mine() == before + 1  # bookkeeping is overdue, deduction not
    assert cases.remind(engine, today=today + dt.timedelta(days=1), actor="test").reminded == 0
    bookkeeping = next(a for a in d.open_actions if a.action == "bookkeeping")
    d = cases.complete_action(engine, r.uscc, bookkeeping.id, principal=officer, done_on=today)
    assert [a.action for a in d.open_actions] == ["deduction"]
    d = cases.close_case(engine, r.uscc, principal=officer, note="已完成规范建账", today=today)
    assert d.status == "closed" and d.closed_on == "2025-06-01"
    late = cases.case_of(engine, r.uscc, principal=officer, today=dt.date(2026, 6, 1))
    assert late is not None  # the unfinished deduction is no longer chased once closed
    assert [(a.action, a.overdue) for a in late.open_actions] == [("deduction", False)]
    with transaction(engine) as s:
        audited = s.execute(
            select(AuditRow.entity, AuditRow.action).where(AuditRow.entity_key.like(f"{r.uscc}#%"))
        ).all()
    assert sorted(audited) == sorted(
        [
            ("enterprise_case", "create"),
            ("case_visit", "create"),
            ("case_action", "update"),  # reminded
            ("case_action", "update"),  # done
            ("enterprise_case", "update"),  # closed
        ]
    )


def test_the_outcome_reads_approved_reports_only(engine):
    r, town = _free(engine)
    full = caseeffect.outcome(engine, r.uscc, 2024)
    assert full.before is not None and full.after is not None
    assert full.change_pp == pytest.approx((full.after - full.before) * 100, abs=1e-3)
    transition(engine, "unlock", period="2025-01..12", unit=town, actor="test", reason="测试")
    try:
        out = caseeffect.outcome(engine, r.uscc, 2024)
        assert out.before == full.before and out.after is None and out.change_pp is None
        assert out.note == "2025年尚无经审核的全年研发报表,效果待测"
    finally:
        transition(engine, "submit", period="2025-01..12", unit=town, actor="test")
        transition(engine, "approve", period="2025-01..12", unit=town, actor="test")
    assert caseeffect.outcome(engine, r.uscc, 2024) == full


def test_the_demo_cases_show_a_measurable_effect(engine):
    e = caseeffect.effect(engine, year=2023, principal=SYSTEM)
    total = e.rows[-1]
    assert total.district is None and e.synthetic
    assert e.cases >= 30 and total.matched > 20  # a tenth of the ranked, 300 at most
    assert total.effect_pp == pytest.approx(total.treated_change_pp - total.control_change_pp)
    assert total.effect_pp > 0.5  # the demo's uplift of 15–50 % shows
    assert sum(r.treated for r in e.rows[:-1]) == total.treated


def test_scoping(engine):
    r, town = _free(engine, 2023)
    officer = Principal("t", "township_officer", unit=town)
    mine = caseeffect.priority_list(engine, year=2023, principal=officer)
    assert mine and all(x.township == mine[0].township for x in mine)
    other = next(
        x for x in caseeffect.priority_list(engine, year=2023, principal=SYSTEM)
        if x.district != mine[0].district
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        cases.case_of(engine, other.uscc, principal=officer)
    with pytest.raises(PermissionDenied):
        cases.open_case(engine, other.uscc, principal=officer, diagnosis_year=2023, provider="x")
    me = Principal("e", "enterprise", enterprise=r.uscc)
    with pytest.raises(PermissionDenied):
        caseeffect.priority_list(engine, year=2023, principal=me)
    with pytest.raises(PermissionDenied):
        cases.open_case(engine, r.uscc, principal=me, diagnosis_year=2023, provider="x")
    assert all(c.township == mine[0].township for c in cases.list_cases(engine, principal=officer))


def test_a_providers_overdue_action_reaches_the_district_when_the_township_has_no_officer(
    engine,
):
    """A case assigned to a service provider is answered for by the township's officers;
    where the township has no account, its district's officers are told (never nobody)."""
    r, town = _free(engine)
    district = town[:6]
    with transaction(engine) as s:
        assert not [u for u in active_users(s, role="township_officer", unit=town)]
    users.create_user(
        engine, username=f"d{district}", password="Case-pass-2026", role="district_officer",
        unit=district, actor="test",
    )  # fmt: skip
    city = Principal("casecity", "city_analyst")
    cases.open_case(
        engine, r.uscc, principal=city, diagnosis_year=2024, provider="演示服务机构",
        today=dt.date(2025, 2, 10),
    )  # fmt: skip
    cases.record_visit(
        engine, r.uscc, principal=city, visited_on=dt.date(2025, 3, 1), visitor="李四",
        findings="未设研发机构", actions=[cases.Agreed("bookkeeping")], today=dt.date(2025, 3, 1),
    )  # fmt: skip
    cases.remind(engine, today=dt.date(2025, 6, 1), actor="test")
    with transaction(engine) as s:
        told = s.scalar(
            select(func.count())
            .select_from(NotificationRow)
            .where(
                NotificationRow.user_id == get_user(s, f"d{district}").id,
                NotificationRow.body.contains(r.uscc),
            )
        )
    assert told == 1
