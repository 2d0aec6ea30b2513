"""The task demo's owners (services.demo.leads): plausible lead units by subject, marked 演示,
and register entries placed where the enterprises are."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from yanzhi.services.database import init_database
from yanzhi.services.demo import leads
from yanzhi.services.demo import tasks as demo_tasks
from yanzhi.storage import tasks as store
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan, list_plans

TODAY = dt.date(2026, 11, 28)


def _owners(engine) -> tuple[dict[str, str], dict[str, tuple[str | None, list[str]]]]:
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = next(p.id for p in list_plans(session) if p.code == plan.code)
        names = {d.code: d.name for d in plan.departments}
        owners = {t.code: (t.lead, list(t.co_units or [])) for t in store.list_tasks(session, pid)}
    return names, owners


def test_demo_tasks_are_led_by_the_departments_that_do_such_work(engine) -> None:
    init_database(engine, actor="test:init")
    demo_tasks.load(engine, actor="demo:bureau", today=TODAY)
    names, owners = _owners(engine)
    lead = {code: names.get(str(o[0]), o[0]) for code, o in owners.items()}
    assert {lead[c] for c in ("P5.T1", "P5.T4")} == {"市委人才办(演示)"}
    assert {lead[c] for c in ("P5.T2", "P5.T3")} == {"市人力社保局(演示)"}
    assert lead["P2.T4"] == "市教育局(演示)"
    assert lead["P4.T4"] == "市市场监管局(演示)"
    assert lead["P6.T3"] == "市科协(演示)"
    assert lead["P2.T1"] == "宁波市科技局"  # the plan's own department
    assert set(owners["P1.T2"][1]) == {"330205", "330211"}  # 甬江科创区: 江北, 镇海
    assert len(owners["P1.T3"][1]) == 10  # every district
    # every task has a lead; the bureau's owner account keeps some, not all
    assert all(o[0] for o in owners.values())
    bureau = [c for c, o in owners.items() if "NBKJJ" in (o[0], *o[1])]
    assert 0 < len(bureau) < len(owners)
    added = {c: n for c, n in names.items() if c in leads.DEPARTMENTS}
    assert len(added) == len(leads.DEPARTMENTS)
    assert all(n.endswith("(演示)") for n in added.values())
    with engine.connect() as c:
        audited = c.execute(
            text("SELECT count(*) FROM audit_log WHERE entity = 'department' AND actor = :a"),
            {"a": "demo:bureau"},
        ).scalar()
    assert audited == len(leads.DEPARTMENTS)


def test_unknown_tasks_and_missing_units_fall_back() -> None:
    assert leads.owners("P9.T9", ["NBKJJ"], ["330212"]) is None
    assert leads.owners("P5.T2", ["NBKJJ"], ["330212"]) is None  # 人社 not loaded
    depts = ["NBKJJ", *leads.DEPARTMENTS]
    assert leads.owners("P1.T3", depts, ["330203", "330212"]) == ("NBKJJ", ["330203", "330212"])


def test_register_entries_sit_where_the_enterprises_are(demo_db: str) -> None:
    from yanzhi.core import demo_places
    from yanzhi.storage.db import make_engine

    engine = make_engine(demo_db)
    demo_tasks.load(engine, actor="demo:bureau", today=TODAY)
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT o.name, count(*) FROM register_entry r "
                "JOIN org_unit o ON o.code = r.org_unit_code GROUP BY o.name"
            )
        ).all()
    engine.dispose()
    per_unit = dict(rows)
    hubs = sum(n for name, n in per_unit.items() if name in demo_places.HUBS)
    remote = sum(n for name, n in per_unit.items() if name in demo_places.REMOTE)
    assert hubs > 3 * remote > 0, (hubs, remote)
