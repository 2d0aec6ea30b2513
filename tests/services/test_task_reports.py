"""Task reports on every test database: history with the latest shown, evidence stored by
hash, refusals that leave the database unchanged, supervision (silent and overdue tasks,
reminder records), leaders' comments (audited) and the roll-up."""

import datetime as dt
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import text

from yanzhi.core.issues import InputRejected
from yanzhi.core.tasks import TaskInputError
from yanzhi.services.database import init_database
from yanzhi.services.demo import tasks as demo_tasks
from yanzhi.services.tasks import comments, owners, supervision
from yanzhi.services.tasks import updates as tasks

TODAY = dt.date(2026, 11, 28)
TABLES = (
    "task",
    "task_report",
    "evidence",
    "reminder",
    "task_comment",
    "milestone",
    "milestone_status",
    "register_entry",
    "register_entry_version",
    "audit_log",
)


def dump(engine) -> list:
    with engine.connect() as c:
        return [(t, sorted(map(repr, c.execute(text(f"SELECT * FROM {t}")).all()))) for t in TABLES]


def scalar(engine, sql):
    with engine.connect() as c:
        return c.execute(text(sql)).scalar()


@pytest.fixture
def evidence_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "evidence"
    monkeypatch.setenv("YANZHI_EVIDENCE_DIR", str(folder))
    return folder


@pytest.fixture
def db(engine, evidence_dir):
    init_database(engine, actor="test:init")
    return engine


def _pdf(folder: Path, name: str = "report.pdf") -> Path:
    p = folder / name
    p.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    return p


def _docx(folder: Path) -> Path:
    p = folder / "minutes.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return p


def test_reports_keep_history_and_the_latest_is_shown(db, tmp_path, evidence_dir):
    tasks.report(db, "P3.T2", period="2026Q3", status="正常推进", progress=40, actor="t:dept")
    saved = tasks.report(
        db,
        "P3.T2",
        period="2026Q4",
        status="滞后",
        progress=55,
        note="部分项目延期",
        delay_reason="审批延迟",
        evidence=[_pdf(tmp_path), _docx(tmp_path)],
        actor="t:dept",
    )
    assert saved.delay_count == 1 and len(saved.evidence) == 2
    pdf = saved.evidence[0]
    assert pdf.mime == "application/pdf"
    stored = evidence_dir / pdf.stored_path
    assert stored.read_bytes() == _pdf(tmp_path).read_bytes()
    assert stored.name == pdf.sha256
    again = tasks.report(db, "P3.T2", period="2026Q4", status="behind", progress=60, actor="t")
    assert again.delay_count == 2
    hist = tasks.history(db, "P3.T2")
    assert [(h.period, h.progress) for h in hist] == [
        ("2026Q3", 40),
        ("2026Q4", 55),
        ("2026Q4", 60),
    ]
    assert len(hist[1].evidence) == 2
    b = tasks.board(db, period="2026Q4", today=TODAY)
    item = next(t for t in b.tasks if t.code == "P3.T2")
    assert item.latest is not None
    assert item.latest.progress == 60 and item.latest.status_label_zh == "滞后"
    assert "silent" not in item.states
    other = next(t for t in b.tasks if t.code == "P1.T1")
    assert other.latest is None and "silent" in other.states
    # 60 % of one task in P3 (4 tasks): 15 %; plan: 15 / 6 programmes = 2.5 %
    assert next(p for p in b.programmes if p.code == "P3").progress == 15
    assert b.plan_progress == pytest.approx(2.5)
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE entity = 'task_report'") == 3
    assert [t.code for t in tasks.board(db, status="滞后", today=TODAY).tasks] == ["P3.T2"]


def _exe(folder: Path) -> Path:
    p = folder / "scan.pdf"  # an executable renamed .pdf
    p.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)
    return p


def _html(folder: Path) -> Path:
    p = folder / "page.html"
    p.write_text("<html><script>alert(1)</script></html>", "utf-8")
    return p


def _zip(folder: Path) -> Path:
    p = folder / "bundle.docx"  # a plain archive named .docx
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("run.sh", "echo hi")
    return p


def _msi(folder: Path) -> Path:
    p = folder / "form.doc"  # a Windows Installer package is an OLE file too
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # 512-byte sectors, directory in sector 0
    directory = bytearray(512)
    directory[0x50:0x60] = bytes.fromhex("84100c00000000000000c00000000046")
    p.write_bytes(bytes(header + directory))
    return p


def _macro(folder: Path) -> Path:
    p = folder / "sheet.xlsx"  # a workbook carrying VBA macros
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/vbaProject.bin", b"\x00")
    return p


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"evidence": "missing"}, InputRejected, "evidence file not found"),
        ({"evidence": "exe"}, InputRejected, "not accepted"),
        ({"evidence": "html"}, InputRejected, "not accepted"),
        ({"evidence": "zip"}, InputRejected, "not accepted"),
        ({"evidence": "msi"}, InputRejected, "not accepted"),
        ({"evidence": "macro"}, InputRejected, "not accepted"),
        ({"status": "finished"}, TaskInputError, "unknown status"),
        ({"progress": 120}, TaskInputError, "between 0 and 100"),
        ({"period": "2026Q7"}, TaskInputError, "无法识别的报告期"),
        ({"task": "P9.T9"}, LookupError, "unknown task"),
    ],
)
def test_refused_reports_leave_the_database_unchanged(
    db, tmp_path, evidence_dir, change, error, message
):
    tasks.report(db, "P1.T1", period="2026Q3", status="on_track", progress=10, actor="t")
    before = dump(db)
    files = {
        "missing": tmp_path / "nope.pdf",
        "exe": _exe(tmp_path),
        "html": _html(tmp_path),
        "zip": _zip(tmp_path),
        "msi": _msi(tmp_path),
        "macro": _macro(tmp_path),
    }
    args = {"task": "P1.T1", "period": "2026Q4", "status": "正常推进", "progress": 20}
    args.update({k: v for k, v in change.items() if k != "evidence"})
    evidence = [_pdf(tmp_path)] + ([files[change["evidence"]]] if "evidence" in change else [])
    with pytest.raises(error, match=message):
        tasks.report(db, args.pop("task"), **args, evidence=evidence, actor="t")
    assert dump(db) == before
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*"))


def test_supervision_lists_silent_and_overdue_tasks_with_reminders(db):
    demo_tasks.load(db, actor="demo:bureau", today=TODAY)
    listed = supervision.supervise(db, today=TODAY)
    assert listed.period == "2026Q4"
    states = {t.code: t.states for u in listed.units for t in u.tasks}
    for code in demo_tasks.SILENT:
        assert "silent" in states[code]
    for code in demo_tasks.OVERDUE:
        assert "overdue_milestone" in states[code]
    assert "P1.T1" not in states  # reported this quarter, milestones done
    unit = next(u for u in listed.units if any(t.code == "P2.T4" for t in u.tasks))
    sent = supervision.remind(
        db, unit.unit, actor="t:supervisor", note="请于月底前报送", today=TODAY
    )
    assert {s.task for s in sent} >= {"P2.T4"}
    again = supervision.supervise(db, today=TODAY)
    task = next(t for u in again.units for t in u.tasks if t.code == "P2.T4")
    [r] = task.reminders
    assert (r.reminded_by, r.unit, r.note) == (
        "t:supervisor",
        unit.unit,
        "请于月底前报送",
    )
    assert "silent" in r.reasons
    assert scalar(db, "SELECT count(*) FROM audit_log WHERE entity = 'reminder'") == len(sent)
    overdue = tasks.board(db, overdue=True, today=TODAY).tasks
    assert sorted(t.code for t in overdue) == sorted(demo_tasks.OVERDUE)
    # a second demo run changes nothing
    before = dump(db)
    demo_tasks.load(db, actor="demo:bureau", today=TODAY)
    assert dump(db) == before


def test_leader_comment_is_audited_and_owners_are_checked(db):
    comments.comment(db, "P2.T1", "加快推进实验室建设", actor="leader:副市长")
    [c] = comments.comments(db, "P2.T1")
    assert (c.author, c.text) == ("leader:副市长", "加快推进实验室建设")
    assert (
        scalar(db, "SELECT actor FROM audit_log WHERE entity = 'task_comment'") == "leader:副市长"
    )
    with pytest.raises(TaskInputError):
        comments.comment(db, "P2.T1", "  ", actor="leader:x")
    assert owners.assign(db, "P2.T1", lead="NBKJJ", co_units=["330212"], actor="t")
    assert [t.code for t in tasks.board(db, owner="330212", today=TODAY).tasks] == ["P2.T1"]
    with pytest.raises(LookupError):
        owners.assign(db, "P2.T1", lead="NOPE", co_units=[], actor="t")
    code = owners.set_milestone(
        db, "P2.T1", year=2025, title="完成建设", actor="t", due="2025-06-30"
    )
    item = next(t for t in tasks.board(db, today=TODAY).tasks if t.code == "P2.T1")
    assert [asdict(m) for m in item.overdue_milestones] == [{"code": code, "due": "2025-06-30"}]
    owners.set_milestone(
        db,
        "P2.T1",
        year=2025,
        title="完成建设",
        actor="t",
        due="2025-06-30",
        done=True,
        done_on=dt.date(2025, 6, 1),
    )
    item = next(t for t in tasks.board(db, today=TODAY).tasks if t.code == "P2.T1")
    assert item.overdue_milestones == []


def test_accepted_evidence_types_are_told_by_content(tmp_path):
    from yanzhi.ingest.evidence import sniff

    samples = {
        "a.bin": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png"),
        "b.txt": (b"\xff\xd8\xff\xe0" + b"\x00" * 8, "image/jpeg"),
        "c": (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        "d.gif": (b"GIF89a" + b"\x00" * 8, "image/gif"),
        "e.pdf": (b"#!/bin/sh\nrm -rf /\n", None),
    }
    for name, (data, mime) in samples.items():
        (tmp_path / name).write_bytes(data)
        assert sniff(tmp_path / name) == mime, name
    assert sniff(_docx(tmp_path)).endswith("wordprocessingml.document")
