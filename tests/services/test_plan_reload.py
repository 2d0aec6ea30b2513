"""Loading a plan file again keeps what the bureau entered in the app where the file leaves
it empty (lead units, milestones with their done state, departments); a part the file gives
wins; ``replace=True`` makes the file the whole truth. Before, reloading the Ningbo file to
add one data element deleted the demo's 120 milestones and every task's lead unit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from yanzhi.services.database import init_database
from yanzhi.services.plan.files import load_plan_file
from yanzhi.services.tasks import owners
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan


def _task(engine: Engine, code: str):  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        return next(t for t in get_plan(session).tasks if t.code == code)


def test_reloading_keeps_assignments_the_file_leaves_empty(
    engine: Engine, ningbo_plan_path: Path, tmp_path: Path
) -> None:
    init_database(engine, actor="t")
    owners.assign(engine, "P1.T1", lead="330212", co_units=["330203"], actor="analyst")
    owners.assign(engine, "P1.T2", lead="330212", co_units=[], actor="analyst")
    owners.set_milestone(engine, "P1.T1", year=2024, title="完成规划编制", actor="analyst",
                         due="2024-06-30", done=True)  # fmt: skip

    again = load_plan_file(engine, ningbo_plan_path, actor="t")
    assert not again.changed and again.deleted == 0
    assert "任务 P1.T1 的牵头单位和配合单位" in again.kept
    assert "任务 P1.T1 的里程碑(1个)" in again.kept
    t = _task(engine, "P1.T1")
    assert (t.lead, t.co_units) == ("330212", ("330203",))
    assert [m.title for m in t.milestones] == ["完成规划编制"]

    # a file that names P1.T2's lead wins for P1.T2 and keeps P1.T1's
    text = ningbo_plan_path.read_text(encoding="utf-8")
    head, _, rest = text.partition("      - code: P1.T2\n")
    rest = rest.replace("        lead: null\n", "        lead: '330203'\n", 1)
    edited = tmp_path / "plan.yaml"
    edited.write_text(head + "      - code: P1.T2\n" + rest, encoding="utf-8")
    result = load_plan_file(engine, edited, actor="t")
    assert result.updated >= 1 and result.deleted == 0
    assert _task(engine, "P1.T2").lead == "330203"
    assert _task(engine, "P1.T1").lead == "330212"

    replaced = load_plan_file(engine, ningbo_plan_path, actor="t", replace=True)
    assert replaced.kept == [] and replaced.deleted == 1  # the milestone
    t = _task(engine, "P1.T1")
    assert (t.lead, t.co_units, t.milestones) == (None, (), ())
