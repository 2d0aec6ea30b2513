"""Storing a plan: round trip, idempotence, edits audited field by field, all or nothing."""

import dataclasses

import pytest
from sqlalchemy import func, select

from yanzhi.ingest.divisions import builtin_divisions_path, read_divisions
from yanzhi.ingest.planfile import read_plan
from yanzhi.storage import migrate
from yanzhi.storage.audit import WriteContext, list_audit
from yanzhi.storage.db import transaction
from yanzhi.storage.models import AuditRow, TaskRow
from yanzhi.storage.orgunits import load_org_tree, save_org_tree
from yanzhi.storage.plans import PlanNotFound, get_plan, save_plan

CTX = WriteContext("test:alice", source_file="plan.yaml", source_sha256="0" * 64)


@pytest.fixture
def db(engine):
    migrate.upgrade(engine)
    return engine


def _audit_count(session):
    return session.scalar(select(func.count()).select_from(AuditRow))


def test_plan_round_trips_through_the_database(db, ningbo_plan_path):
    plan = read_plan(ningbo_plan_path).plan
    with transaction(db) as s:
        counts = save_plan(s, plan, ctx=CTX, file_sha256="a" * 64)
    assert counts.created > 24 and counts.updated == counts.deleted == 0
    with transaction(db) as s:
        stored = get_plan(s)
    assert stored == plan


def test_every_stored_target_row_has_its_source(db, ningbo_plan_path):
    from yanzhi.storage.models import IndicatorTargetRow

    with transaction(db) as s:
        save_plan(s, read_plan(ningbo_plan_path).plan, ctx=CTX, file_sha256="a" * 64)
    with transaction(db) as s:
        rows = s.scalars(select(IndicatorTargetRow)).all()
        sources = {(r.kind, r.year): r.source for r in rows}
    assert len(rows) == 18 and all(r.source for r in rows)
    assert len(sources) == 4  # baseline 2022, target 2027, interim 2024 and 2025


def test_saving_the_same_plan_twice_changes_nothing(db, ningbo_plan_path):
    plan = read_plan(ningbo_plan_path).plan
    with transaction(db) as s:
        save_plan(s, plan, ctx=CTX, file_sha256=None)
        before = _audit_count(s)
    with transaction(db) as s:
        counts = save_plan(s, plan, ctx=CTX, file_sha256=None)
        assert counts.changed == 0 and counts.unchanged > 100
        assert _audit_count(s) == before


def test_an_edited_plan_updates_what_changed_and_the_audit_log_says_so(db, ningbo_plan_path):
    plan = read_plan(ningbo_plan_path).plan
    with transaction(db) as s:
        save_plan(s, plan, ctx=CTX, file_sha256=None)
    prog = plan.programmes[2]
    task = dataclasses.replace(prog.tasks[1], title="深化关键核心技术攻关(修订)", lead="NBKJJ")
    dropped = prog.tasks[3]
    edited_prog = dataclasses.replace(prog, tasks=(prog.tasks[0], task, prog.tasks[2]))
    edited = dataclasses.replace(
        plan, programmes=(*plan.programmes[:2], edited_prog, *plan.programmes[3:])
    )
    with transaction(db) as s:
        counts = save_plan(
            s, edited, ctx=dataclasses.replace(CTX, actor="test:bob"), file_sha256=None
        )
    assert (counts.created, counts.updated, counts.deleted) == (0, 1, 1)
    with transaction(db) as s:
        (upd,) = list_audit(s, entity="task", key=f"{plan.code}:P3.T2", actor="test:bob")
        assert upd.action == "update"
        assert upd.changes == {
            "title": ["深化关键核心技术攻关", "深化关键核心技术攻关(修订)"],
            "lead": [None, "NBKJJ"],
        }
        assert upd.source_file == "plan.yaml"
        (gone,) = list_audit(s, entity="task", key=f"{plan.code}:{dropped.code}", actor="test:bob")
        assert gone.action == "delete" and gone.changes["title"][0] == dropped.title
        assert s.scalar(select(func.count()).select_from(TaskRow)) == 23
        assert get_plan(s) == edited


def test_deleting_a_task_with_targets_audits_the_targets_too(db, ningbo_plan_path):
    plan = read_plan(ningbo_plan_path).plan
    with transaction(db) as s:
        save_plan(s, plan, ctx=CTX, file_sha256=None)
    prog = plan.programmes[2]
    victim = prog.tasks[1]
    assert victim.targets
    edited = dataclasses.replace(
        plan,
        programmes=(
            *plan.programmes[:2],
            dataclasses.replace(prog, tasks=(prog.tasks[0], *prog.tasks[2:])),
            *plan.programmes[3:],
        ),
    )
    with transaction(db) as s:
        save_plan(s, edited, ctx=CTX, file_sha256=None)
        deleted = {a.entity_key for a in list_audit(s) if a.action == "delete"}
    assert deleted == {
        f"{plan.code}:{victim.code}",
        *(f"{plan.code}:{q.code}" for q in victim.targets),
    }


def test_a_failed_save_leaves_nothing_behind(db, ningbo_plan_path):
    plan = read_plan(ningbo_plan_path).plan
    with pytest.raises(RuntimeError), transaction(db) as s:
        save_plan(s, plan, ctx=CTX, file_sha256=None)
        raise RuntimeError("crash after the writes")
    with transaction(db) as s:
        assert _audit_count(s) == 0
        with pytest.raises(PlanNotFound, match="yanzhi init"):
            get_plan(s)


def test_org_tree_round_trip_and_idempotence(db):
    tree = read_divisions(builtin_divisions_path())
    with transaction(db) as s:
        assert save_org_tree(s, tree, ctx=CTX).created == 173
    with transaction(db) as s:
        assert save_org_tree(s, tree, ctx=CTX).changed == 0
        back = load_org_tree(s)
    assert [(u.code, u.name, u.level, u.kind, u.parent_code) for u in back.walk()] == [
        (u.code, u.name, u.level, u.kind, u.parent_code) for u in tree.walk()
    ]
