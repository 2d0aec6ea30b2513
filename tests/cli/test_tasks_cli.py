"""`yanzhi targets`, `yanzhi tasks …` and `yanzhi registers …` end to end on every test
database: JSON output, exit codes, refusals."""

import csv
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.services.demo import tasks as demo_tasks
from yanzhi.storage.db import make_engine

runner = CliRunner()
AS_OF = "2026-11-28"


def run(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def db(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("YANZHI_EVIDENCE_DIR", str(tmp_path / "evidence"))
    run("init", "--database", db_url)
    engine = make_engine(db_url)
    demo_tasks.load(engine, actor="demo:bureau", today=dt.date(2026, 11, 28))
    engine.dispose()
    return db_url


def test_targets_json_lists_all_twelve_ningbo_targets_with_a_status(db):
    rows = json.loads(run("targets", "--json", "--as-of", AS_OF, "--database", db).stdout)
    assert len(rows) == 12
    assert all(r["status"] for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["P3.T3.Q1"]["source"]["register"] == "scenario"
    assert by_code["P3.T2.Q1"]["kind"] == "annual" and by_code["P3.T2.Q1"]["year"] == 2025
    unmeasured = {c for c, r in by_code.items() if r["status"] == "not_available"}
    assert unmeasured == {"P1.T4.Q1", "P5.T2.Q1"}
    assert all(by_code[c]["reason"] for c in unmeasured)
    assert "量化目标" in run("targets", "--as-of", AS_OF, "--database", db).stdout


def test_tasks_list_report_supervise(db, tmp_path):
    board = json.loads(run("tasks", "list", "--json", "--as-of", AS_OF, "--database", db).stdout)
    assert len(board["tasks"]) == 24 and board["period"] == "2026Q4"
    assert board["plan_progress"] is not None
    overdue = json.loads(
        run("tasks", "list", "--overdue", "--json", "--as-of", AS_OF, "--database", db).stdout
    )
    assert {t["code"] for t in overdue["tasks"]} == set(demo_tasks.OVERDUE)
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    out = json.loads(
        run(
            "tasks",
            "report",
            "P2.T4",
            "--period",
            "2026Q4",
            "--status",
            "正常推进",
            "--progress",
            "70",
            "--note",
            "已补报",
            "--evidence",
            pdf,
            "--json",
            "--database",
            db,
        ).stdout
    )
    assert out["status"] == "on_track" and out["evidence"][0]["mime"] == "application/pdf"
    sup = json.loads(run("tasks", "supervise", "--json", "--as-of", AS_OF, "--database", db).stdout)
    listed = {t["code"] for u in sup["units"] for t in u["tasks"]}
    assert "P2.T4" not in listed and set(demo_tasks.SILENT) - {"P2.T4"} <= listed
    assert "督办" not in run("tasks", "supervise", "--as-of", AS_OF, "--database", db).stderr
    run("tasks", "remind", "NBKJJ", "--as-of", AS_OF, "--database", db)
    sup = json.loads(run("tasks", "supervise", "--json", "--as-of", AS_OF, "--database", db).stdout)
    assert any(t["reminders"] for u in sup["units"] for t in u["tasks"])


def test_refused_reports_exit_non_zero(db, tmp_path):
    exe = tmp_path / "x.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 32)
    base = ("tasks", "report", "P1.T1", "--period", "2026Q4", "--progress", "50", "--database", db)
    out = run(*base, "--status", "正常推进", "--evidence", exe, "--json", code=1)
    assert json.loads(out.stdout)["errors"][0]["rule"] == "evidence_type"
    out = run(*base, "--status", "正常推进", "--evidence", tmp_path / "none.pdf", code=1)
    assert "evidence file not found" in out.output
    assert "unknown status" in run(*base, "--status", "差不多", code=2).output
    bad_task = ("tasks", "report", "P0.T0", "--period", "2026Q4", "--progress", "5")
    assert "unknown task" in run(*bad_task, "--status", "滞后", "--database", db, code=2).output


def test_registers_import_and_list(db, tmp_path):
    path = tmp_path / "ip.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "名称", "所属区划代码", "开始日期"])
        w.writerow(["IP-1", "测试知识产权代理所", "330206", "2025-03-01"])
    out = json.loads(
        run("registers", "import", "ip_agency", path, "--json", "--database", db).stdout
    )
    assert (out["ok"], out["created"]) == (True, 1)
    rows = json.loads(run("registers", "list", "ip_agency", "--json", "--database", db).stdout)
    assert "IP-1" in {r["code"] for r in rows}
    assert sum(r["synthetic"] for r in rows) == len(rows) - 1
    assert "IP-1" in run("registers", "list", "ip_agency", "--database", db).stdout
    out = run("registers", "import", "ip_agency", path, "--database", db).stdout
    assert "0 created, 0 updated, 1 unchanged" in out
    assert "unknown register" in run("registers", "list", "nope", "--database", db, code=2).output
    kinds = json.loads(run("registers", "kinds", "--json").stdout)
    assert "key_rd_projects" in next(k for k in kinds if k["code"] == "key_rd_project")["metrics"]


def test_assign_owners_and_edit_milestones(db_url):
    import json as _json

    r = runner.invoke(app, ["init", "--database", db_url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app, ["tasks", "assign", "P3.T2", "--lead", "NBKJJ", "--co", "330206", "--database", db_url]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["tasks", "assign", "P3.T2", "--lead", "NOPE", "--database", db_url])
    assert r.exit_code == 2 and "unknown unit" in r.output
    r = runner.invoke(
        app,
        [
            "tasks",
            "milestone",
            "P3.T2",
            "--year",
            "2025",
            "--title",
            "立项100项",
            "--due",
            "2025-12-31",
            "--done",
            "--database",
            db_url,
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["tasks", "list", "--json", "--database", db_url])
    task = next(t for t in _json.loads(r.stdout)["tasks"] if t["code"] == "P3.T2")
    assert task["lead"] == "NBKJJ" and task["co_units"] == ["330206"]
    # `yanzhi init` again (how a database is migrated after an upgrade) keeps what was
    # entered since: the owners and the milestone are still there
    r = runner.invoke(app, ["init", "--database", db_url])
    assert r.exit_code == 0 and "保持不变" in r.output, r.output
    r = runner.invoke(app, ["tasks", "list", "--json", "--database", db_url])
    again = next(t for t in _json.loads(r.stdout)["tasks"] if t["code"] == "P3.T2")
    assert again == task
    from sqlalchemy import text

    from yanzhi.storage.db import make_engine

    engine = make_engine(db_url)
    with engine.connect() as conn:
        titles = conn.execute(text("select title from milestone where year = 2025")).scalars()
        assert "立项100项" in set(titles)
    engine.dispose()
