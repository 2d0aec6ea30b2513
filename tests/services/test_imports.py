"""Importing monitoring data on every test database: formats, versions, audit, refusals
that leave the database byte-for-byte unchanged, the reporting workflow."""

import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from yanzhi.services.collection.imports import import_file
from yanzhi.services.collection.workflow import WorkflowError, completeness, transition
from yanzhi.services.database import init_database
from yanzhi.storage.db import make_engine

DATA = Path(__file__).parents[1] / "data"
IMPORTS = DATA / "imports"
BAD = sorted((DATA / "bad" / "data").iterdir())
E1 = "91330206YX0000001Q"


def dump(engine) -> list:
    tables = [
        "enterprise",
        "enterprise_version",
        "rd_report",
        "rd_report_version",
        "statistic",
        "import_batch",
        "submission",
        "audit_log",
    ]
    with engine.connect() as c:
        return [(t, sorted(map(repr, c.execute(text(f"SELECT * FROM {t}")).all()))) for t in tables]


@pytest.fixture
def db(engine):
    init_database(engine, actor="test:init")
    return engine


@pytest.fixture
def loaded(db):
    for kind, name in (("enterprises", "enterprises.csv"), ("rd", "rd_2024-01..05.csv")):
        report = import_file(db, kind, IMPORTS / name, actor="test:officer")
        assert report.ok, report.errors
    return db


def scalar(engine, sql, **params):
    with engine.connect() as c:
        return c.execute(text(sql), params).scalar()


def test_enterprises_and_reports_import_and_reimport_changes_nothing(db):
    rep = import_file(db, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    assert (rep.ok, rep.rows, rep.created, rep.updated) == (True, 20, 20, 0)
    rep = import_file(db, "rd", IMPORTS / "rd_2024-01..05.csv", actor="test:officer")
    assert (rep.ok, rep.rows, rep.created) == (True, 20, 20)
    before = dump(db)
    again = import_file(db, "rd", IMPORTS / "rd_2024-01..05.csv", actor="test:officer")
    assert again.ok and again.nothing_changed and again.unchanged == 20
    again = import_file(db, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    assert again.ok and again.nothing_changed
    assert dump(db) == before


def test_gbk_file_with_title_rows_units_in_yuan_and_thousands_separators(loaded):
    rep = import_file(loaded, "rd", IMPORTS / "rd_2024-01..08_gbk.csv", actor="test:officer")
    assert rep.ok, rep.errors
    assert rep.created == 20
    # 6,667,000 元 of revenue and 80,000 元 of R&D for enterprise 1 → 666.7 and 8 万元
    rev = scalar(
        loaded,
        "SELECT r.operating_revenue FROM rd_report r JOIN enterprise e "
        "ON e.id = r.enterprise_id WHERE e.uscc = :u AND r.period = '2024-01..08'",
        u=E1,
    )
    rd = scalar(
        loaded,
        "SELECT r.rd_expense FROM rd_report r JOIN enterprise e "
        "ON e.id = r.enterprise_id WHERE e.uscc = :u AND r.period = '2024-01..08'",
        u=E1,
    )
    assert (rev, rd) == (pytest.approx(666.7), pytest.approx(8.0))
    assert scalar(loaded, "SELECT count(*) FROM rd_report WHERE synthetic = :t", t=True) == 40


def _rewrite(src: Path, dst: Path, old: str, new: str) -> Path:
    body = src.read_text("utf-8")
    assert old in body
    dst.write_text(body.replace(old, new, 1), "utf-8")
    return dst


def test_a_changed_value_makes_a_new_version_and_an_audit_entry(loaded, tmp_path):
    changed = _rewrite(
        IMPORTS / "rd_2024-01..05.csv",
        tmp_path / "rd.csv",
        f"{E1},2024-01..05,416.7,5.0",
        f"{E1},2024-01..05,416.7,6.5",
    )
    rep = import_file(loaded, "rd", changed, actor="test:officer2")
    assert (rep.ok, rep.created, rep.updated, rep.unchanged) == (True, 0, 1, 19)
    assert (
        scalar(
            loaded,
            "SELECT version FROM rd_report r JOIN enterprise e ON "
            "e.id = r.enterprise_id WHERE e.uscc = :u",
            u=E1,
        )
        == 2
    )
    assert scalar(loaded, "SELECT rd_expense FROM rd_report_version") == pytest.approx(5.0)
    with loaded.connect() as c:
        row = c.execute(
            text(
                "SELECT actor, changes, source_file, source_sha256 FROM audit_log "
                "WHERE entity = 'rd_report' AND action = 'update'"
            )
        ).one()
    changes = row.changes if isinstance(row.changes, dict) else json.loads(row.changes)
    assert row.actor == "test:officer2" and changes == {"rd_expense": [5.0, 6.5]}
    assert row.source_file == "rd.csv" and row.source_sha256 == rep.sha256


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_each_bad_file_is_refused_with_its_named_error_and_nothing_changes(loaded, path):
    kind, rule = path.stem.split("__")
    before = dump(loaded)
    rep = import_file(loaded, kind, path, actor="test:officer")
    assert not rep.ok
    assert rule in {i.rule for i in rep.errors}, [str(i) for i in rep.errors]
    for issue in rep.errors:
        assert issue.file == path.name and issue.message_zh and issue.message_en
    row_errors = [i for i in rep.errors if i.row is not None]
    if rule not in {
        "empty_file",
        "binary_file",
        "encrypted_or_bad_xls",
        "bad_xlsx",
        "no_header",
        "missing_column",
        "unknown_unit",
        "no_data_rows",
    }:
        assert row_errors and all(i.column for i in row_errors)
    assert dump(loaded) == before


def test_oversized_file_and_zip_bomb_are_refused_quickly(loaded, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(2 * 1024**3)  # a sparse 2 GB file
    rep = import_file(loaded, "rd", big, actor="t")
    assert [i.rule for i in rep.errors] == ["file_too_large"]
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024**2))
    rep = import_file(loaded, "rd", bomb, actor="t")
    assert [i.rule for i in rep.errors] == ["zip_bomb"]


def test_ytd_below_the_previous_period_is_an_error_unless_marked_as_correction(loaded, tmp_path):
    lower = _rewrite(
        IMPORTS / "rd_2024-01..05.csv",
        tmp_path / "rd8.csv",
        f"{E1},2024-01..05,416.7,5.0",
        f"{E1},2024-01..08,500,4.0",
    )
    lines = lower.read_text("utf-8").splitlines()
    lower.write_text("\n".join(lines[:2]) + "\n", "utf-8")
    rep = import_file(loaded, "rd", lower, actor="t")
    assert [i.rule for i in rep.errors] == ["ytd_decrease"]
    assert rep.errors[0].row == 2 and "5 > 4" not in rep.errors[0].message_en
    fixed = tmp_path / "rd8c.csv"
    fixed.write_text(lines[0] + ",更正\n" + lines[1] + ",是\n", "utf-8")
    assert import_file(loaded, "rd", fixed, actor="t").ok


def test_warnings_do_not_block_the_import(loaded, tmp_path):
    over = _rewrite(
        IMPORTS / "rd_2024-01..05.csv",
        tmp_path / "rd.csv",
        f"{E1},2024-01..05,416.7,5.0",
        f"{E1},2024-01..05,416.7,500",
    )
    rep = import_file(loaded, "rd", over, actor="t")
    assert rep.ok and [i.rule for i in rep.warnings] == ["rd_exceeds_revenue"]
    assert rep.updated == 1


def test_dry_run_reports_without_writing(loaded, tmp_path):
    before = dump(loaded)
    rep = import_file(loaded, "rd", IMPORTS / "rd_2024-01..08_gbk.csv", actor="t", dry_run=True)
    assert rep.ok and rep.dry_run and rep.created == 20
    assert dump(loaded) == before


def test_submit_approve_lock_unlock(loaded, tmp_path):
    town = "330206001"
    with pytest.raises(WorkflowError, match="only submitted"):
        transition(loaded, "approve", period="2024-01..05", unit=town, actor="city")
    assert transition(loaded, "submit", period="2024-01..05", unit=town, actor="t").changed == [
        town
    ]
    assert transition(loaded, "approve", period="2024-01..05", unit=town, actor="city").changed
    changed = _rewrite(
        IMPORTS / "rd_2024-01..05.csv",
        tmp_path / "rd.csv",
        f"{E1},2024-01..05,416.7,5.0",
        f"{E1},2024-01..05,416.7,6.5",
    )
    before = dump(loaded)
    rep = import_file(loaded, "rd", changed, actor="t")
    assert "period_locked" in {i.rule for i in rep.errors}
    assert dump(loaded) == before
    with pytest.raises(WorkflowError, match="reason"):
        transition(loaded, "unlock", period="2024-01..05", unit=town, actor="admin", reason=" ")
    transition(
        loaded, "unlock", period="2024-01..05", unit=town, actor="admin", reason="企业更正研发费用"
    )
    assert import_file(loaded, "rd", changed, actor="t").ok
    reason = scalar(loaded, "SELECT unlock_reason FROM submission WHERE org_unit_code = :c", c=town)
    assert reason == "企业更正研发费用"


def test_completeness_counts_expected_received_and_on_time(loaded):
    rows = {r.code: r for r in completeness(loaded, period="2024-01..05", level="township")}
    # 20 enterprises over 4 townships (5 each); all reported for 1-5 months
    assert rows["330206001"].expected == 5 and rows["330206001"].received == 5
    city = completeness(loaded, period="2024-01..05", level="city")[0]
    assert (city.expected, city.received) == (20, 20)
    # received now, long after the due date of 2024-06-10 (the calendar: 次月10日)
    assert city.on_time == 0
    empty = completeness(loaded, period="2024-01..08", level="city")[0]
    assert (empty.expected, empty.received, empty.rate) == (20, 0, 0.0)


def test_template_round_trip(loaded, tmp_path):
    from openpyxl import load_workbook

    from yanzhi.services.collection.templates import write_template

    out = write_template("rd", tmp_path / "rd.xlsx")
    wb = load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["*统一社会信用代码", "*报告期", "*营业收入(万元)", "*研发费用(万元)"]
    assert ws.data_validations.dataValidation, "drop-down lists expected"
    ws.append([E1, "2024年1-11月", 900, 12, 0, 6, 4, 300, "是", "是"])
    wb.save(out)
    rep = import_file(loaded, "rd", out, actor="t")
    assert rep.ok and rep.created == 1, rep.errors


@pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")
def test_sigkill_during_a_large_import_leaves_the_database_as_it_was(loaded, db_url, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from yanzhi.core.uscc import make

    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("统一社会信用代码,企业名称,行业代码,乡镇街道代码,规上工业\n")
        for i in range(60_000):
            fh.write(f"{make(f'91330206YX{100000 + i:07d}')},演示{i},3811,330206001,是\n")
    before = dump(loaded)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yanzhi.cli.main",
            "import",
            "enterprises",
            str(big),
            "--database",
            db_url,
            "--json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if _writing(loaded, db_url):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    eng = make_engine(db_url)
    assert dump(eng) == before
    rep = import_file(eng, "enterprises", IMPORTS / "enterprises.csv", actor="t")
    assert rep.ok
    eng.dispose()


def _writing(engine, url: str) -> bool:
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 256 * 1024
    with engine.connect() as c:
        return bool(
            c.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                    "AND pid <> pg_backend_pid()"
                )
            ).scalar()
        )


def _panel(tmp_path: Path, *, broken: bool) -> Path:
    """480 YTD reports (20 enterprises × 2023 and 2024 × 12 months); if ``broken``, with
    errors spread over the file: a chunked read must report them as a whole read does."""
    from yanzhi.core.uscc import make

    codes = [
        ln.split(",")[0]
        for ln in (IMPORTS / "enterprises.csv").read_text("utf-8-sig").splitlines()[1:]
    ]
    rows = [
        [code, f"{year}-01..{month:02d}", f"{100 * month + i}", f"{5 * month}", "3"]
        for year in (2023, 2024)
        for month in range(1, 13)
        for i, code in enumerate(codes)
    ]
    if broken:
        for i in (3, 250, 470):
            rows[i][2] = "abc"  # not a number
        for i in range(10, 460, 2):
            rows[i][4] = "-1"  # 225 below the minimum: 200 listed, then a summary
        rows[300][2] = "1"  # below the previous month's YTD revenue
        rows[120][0] = make("91330206YX0000099")  # valid, but not in the register
        rows[121][0] = "91330206YX00000999"  # check character wrong
        rows[200][1] = "2024年13月"
        rows.insert(400, [""] * 5)  # a blank row: skipped, row numbers still the file's
        rows.append(list(rows[5]))  # repeats a row near the top: names its row
    lines = ["统一社会信用代码,报告期,营业收入(万元),研发费用(万元),研发人员(人)"]
    lines += [",".join(r) for r in rows]
    path = tmp_path / f"panel_{broken}.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture
def register(db):
    report = import_file(db, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    assert report.ok, report.errors
    return db


@pytest.mark.parametrize("broken", [True, False], ids=["broken", "valid"])
def test_a_file_read_in_many_chunks_is_reported_as_if_read_whole(
    register, tmp_path, monkeypatch, broken
):
    from yanzhi.ingest import tabular

    path = _panel(tmp_path, broken=broken)
    reports = []
    for chunk in (100_000, 7):
        monkeypatch.setattr(tabular, "CHUNK_ROWS", chunk)
        reports.append(import_file(register, "rd", path, actor="t", dry_run=True).to_dict())
    whole, chunked = reports
    assert chunked == whole
    if not broken:
        assert whole["ok"] and whole["created"] == 480
        return
    errors = whole["errors"]
    assert not whole["ok"] and whole["rows"] == 481
    assert [(e["row"], e["value"]) for e in errors if e["rule"] == "number_value"] == [
        (5, "abc"),
        (252, "abc"),
        (473, "abc"),  # below the blank file row 402
    ]
    ranges = [e for e in errors if e["rule"] == "range"]
    assert len(ranges) == 201 and ranges[-1]["message_en"] == "… and 25 more rows"
    assert ranges[-1]["row"] is None
    assert (ranges[0]["row"], ranges[199]["row"]) == (12, 411)  # 411: past the blank row
    dup = next(e for e in errors if e["rule"] == "duplicate_key")
    assert dup["row"] == 483 and dup["value"].endswith("(first at row 7)")
    assert {e["rule"] for e in errors} >= {
        "ytd_decrease",
        "unknown_enterprise",
        "uscc",
        "period_value",
    }


def test_a_chunked_import_writes_every_row(register, tmp_path, monkeypatch):
    from yanzhi.ingest import tabular

    monkeypatch.setattr(tabular, "CHUNK_ROWS", 50)
    path = _panel(tmp_path, broken=False)
    rep = import_file(register, "rd", path, actor="t")
    assert rep.ok and (rep.rows, rep.created) == (480, 480)
    assert scalar(register, "SELECT count(*) FROM rd_report") == 480
    again = import_file(register, "rd", path, actor="t")
    assert again.ok and again.nothing_changed and again.unchanged == 480


def test_a_file_with_new_and_changed_reports_writes_both(db, tmp_path):
    """New reports and changed ones in one file (the version rows are written with COPY on
    PostgreSQL: integer columns must not arrive as "1.0")."""
    rep = import_file(db, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    assert rep.ok
    lines = (IMPORTS / "rd_2024-01..05.csv").read_text("utf-8").splitlines()
    first = tmp_path / "rd_first.csv"
    first.write_text("\n".join(lines[:-1]) + "\n", "utf-8")  # the last report comes later
    assert import_file(db, "rd", first, actor="test:officer").created == 19
    both = _rewrite(
        IMPORTS / "rd_2024-01..05.csv",
        tmp_path / "rd_both.csv",
        f"{E1},2024-01..05,416.7,5.0",
        f"{E1},2024-01..05,416.7,6.5",
    )
    rep = import_file(db, "rd", both, actor="test:officer")
    assert (rep.ok, rep.created, rep.updated, rep.unchanged) == (True, 1, 1, 18), rep.errors
    assert scalar(db, "SELECT count(*) FROM rd_report") == 20
    assert scalar(db, "SELECT count(*) FROM rd_report_version") == 1
    assert scalar(db, "SELECT rd_expense FROM rd_report_version") == pytest.approx(5.0)


def test_every_declared_import_kind_has_its_services():
    """One table of import kinds: each of core.dataformats.DATA_KINDS has an Importer
    (checks + writer), and its scope rule names fields of the kind."""
    from yanzhi.core.dataformats import DATA_KINDS
    from yanzhi.services.collection.kinds import IMPORTERS

    assert list(IMPORTERS) == list(DATA_KINDS)
    for spec in DATA_KINDS.values():
        assert spec.scope is not None
        assert spec.field(spec.scope.row_column)


def test_two_approvals_at_once_one_wins_and_both_are_on_record(loaded):
    """Two analysts approve the same district-period at the same moment (threads, separate
    connections): the submissions are approved once, by one of them, and the audit log
    holds both attempts — the winner's change and the other's refusal."""
    import threading

    district, period = "330206", "2024-01..05"
    transition(loaded, "submit", period=period, unit=district, actor="t")
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def approve(who: str) -> None:
        barrier.wait()
        try:
            results[who] = transition(loaded, "approve", period=period, unit=district, actor=who)
        except Exception as exc:
            results[who] = exc

    threads = [threading.Thread(target=approve, args=(w,)) for w in ("city-a", "city-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [w for w, r in results.items() if getattr(r, "changed", None)]
    assert len(winners) == 1, results
    loser = ({"city-a", "city-b"} - set(winners)).pop()
    assert getattr(results[loser], "changed", None) == [], results[loser]
    with loaded.connect() as c:
        approvals = c.execute(
            text(
                "SELECT actor, COUNT(*) FROM audit_log WHERE entity = 'submission' "
                "AND action = 'update' AND actor LIKE 'city-%' "
                "AND entity_key LIKE :k GROUP BY actor"
            ),
            {"k": f"rd:%:{period}"},
        ).all()
        refused = c.execute(
            text("SELECT actor FROM audit_log WHERE action = 'refused' AND entity_key = :k"),
            {"k": f"rd:{district}:{period}"},
        ).all()
        approvers = c.execute(
            text(
                "SELECT DISTINCT approved_by FROM submission WHERE period = :p "
                "AND org_unit_code LIKE :d"
            ),
            {"p": period, "d": district + "%"},
        ).all()
    assert [a for a, _ in approvals] == winners
    assert [r for (r,) in refused] == [loser]
    assert [a for (a,) in approvers] == winners


def _with_contacts(tmp_path: Path, phone: str) -> Path:
    lines = (IMPORTS / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    out = [lines[0] + ",联系人,联系电话"]
    out += [f"{line},王联系{i},{phone if i == 2 else f'0574-8765432{i}'}" for i, line in
            enumerate(lines[1:4], start=1)]  # fmt: skip
    path = tmp_path / "企业名录-联系人.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_contact_columns_import_and_a_bad_phone_is_refused(db, tmp_path):
    path = _with_contacts(tmp_path, "0574-87654322 转 802")
    good = import_file(db, "enterprises", path, actor="t")
    assert good.ok, [str(i) for i in good.errors]
    got = scalar(db, "SELECT contact_phone FROM enterprise WHERE contact_person = '王联系2'")
    assert got == "0574-87654322 转 802"
    before = dump(db)
    bad = import_file(db, "enterprises", _with_contacts(tmp_path, "请打总机"), actor="t")
    assert not bad.ok
    [issue] = [i for i in bad.errors if i.rule == "bad_phone"]
    assert issue.row == 3 and issue.column == "联系电话" and issue.file == "企业名录-联系人.csv"
    assert "请打总机" in issue.message_zh and "联系电话" in issue.message_zh
    assert dump(db) == before


def _changed_panel(tmp_path: Path) -> tuple[Path, list[tuple[str, str, dict]]]:
    """The valid panel with values changed that no check across rows refuses: R&D
    personnel 3 → 4 in one row in 7, and December's revenue up by 1 in one row in 3 of
    them. Returns the file and, per changed row, (USCC, period, {field: [old, new]})."""
    lines = _panel(tmp_path, broken=False).read_text("utf-8").splitlines()
    changed = []
    for i in range(1, len(lines)):
        uscc, period, revenue, rd, people = lines[i].split(",")
        diff: dict = {}
        if i % 7 == 2:
            diff["rd_personnel"] = [3.0, 4.0]
            people = "4"
        if period.endswith("..12") and i % 3 == 0:
            diff["operating_revenue"] = [float(revenue), float(revenue) + 1]
            revenue = str(int(revenue) + 1)
        if diff:
            changed.append((uscc, period, dict(sorted(diff.items(), key=_field_order))))
        lines[i] = ",".join([uscc, period, revenue, rd, people])
    path = tmp_path / "panel_changed.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path, changed


def _field_order(item: tuple) -> int:
    from yanzhi.storage.datamodels import RD_VALUES

    return RD_VALUES.index(item[0])


@pytest.mark.parametrize("chunk", [100_000, 7, 1], ids=["one-pass", "chunks-of-7", "row-by-row"])
def test_a_reimport_compared_chunk_by_chunk_counts_versions_and_audits_every_row(
    register, tmp_path, monkeypatch, chunk
):
    """The stored rows are read, compared and the changed ones written CHUNK rows at a
    time: whatever the chunk, a re-import with new rows, changed rows and unchanged rows
    spread over the chunk boundaries says the same counts and keeps the same versions."""
    from yanzhi.storage import bulk, rd

    monkeypatch.setattr(rd, "CHUNK", chunk)
    monkeypatch.setattr(bulk, "CHUNK", chunk)  # the stored rows are read in chunks too
    if chunk == 7:  # on PostgreSQL the updates go through COPY and one UPDATE … FROM
        monkeypatch.setattr(bulk, "COPY_UPDATE_ROWS", 2)
    full = _panel(tmp_path, broken=False)
    lines = full.read_text("utf-8").splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join(lines[:-30]) + "\n", "utf-8")  # the last 30 rows come later
    assert import_file(register, "rd", first, actor="t").created == 450
    path, changed = _changed_panel(tmp_path)
    in_first = [c for c in changed if f"{c[0]},{c[1]}," in "\n".join(lines[1:-30])]
    rep = import_file(register, "rd", path, actor="t")
    assert rep.ok, rep.errors
    updated = len(in_first)
    assert 60 < updated < 100  # spread over the file, on both sides of many chunk boundaries
    assert (rep.created, rep.updated, rep.unchanged) == (30, updated, 450 - updated)
    with register.connect() as c:
        versions = c.execute(
            text(
                "SELECT e.uscc, r.period, r.version, v.version, v.rd_personnel, "
                "v.operating_revenue, r.rd_personnel, r.operating_revenue "
                "FROM rd_report_version v JOIN rd_report r ON r.id = v.report_id "
                "JOIN enterprise e ON e.id = r.enterprise_id ORDER BY e.uscc, r.period"
            )
        ).all()
        audits = c.execute(
            text(
                "SELECT entity_key, changes FROM audit_log WHERE entity = 'rd_report' "
                "AND action = 'update' ORDER BY id"
            )
        ).all()
    expected = {(u, p): d for u, p, d in in_first}
    assert len(versions) == updated
    for uscc, period, now, kept, people_was, revenue_was, people, revenue in versions:
        diff = expected[(uscc, period)]
        assert (now, kept) == (2, 1)
        assert (people_was, people) == tuple(diff.get("rd_personnel", [people, people]))
        assert (revenue_was, revenue) == tuple(diff.get("operating_revenue", [revenue, revenue]))
    as_json = [(k, v if isinstance(v, dict) else json.loads(v)) for k, v in audits]
    assert sorted(as_json) == sorted((f"{u}:{p}", d) for u, p, d in in_first)
    again = import_file(register, "rd", path, actor="t")
    assert again.ok and again.nothing_changed and again.unchanged == 480


def test_stored_reports_read_in_chunks_are_the_values_read_whole(register, tmp_path, monkeypatch):
    """``bulk.read_columns`` (compact columns, fetched in chunks) gives the values that
    ``bulk.read_frame`` (one fetch) gives, NULLs included."""
    import math

    from yanzhi.storage import bulk, rd
    from yanzhi.storage.db import transaction

    rep = import_file(register, "rd", _panel(tmp_path, broken=False), actor="t")
    assert rep.ok
    with register.begin() as c:  # some NULLs: a boolean, a float, an integer column
        c.execute(text("UPDATE rd_report SET has_rd_institution = TRUE WHERE month = 3"))
        c.execute(text("UPDATE rd_report SET rd_personnel = NULL WHERE month = 4"))
        c.execute(text("UPDATE rd_report SET batch_id = NULL WHERE month = 5"))
    monkeypatch.setattr(bulk, "CHUNK", 11)
    with transaction(register) as session:
        compact = rd.reports_for_years(session, [2023, 2024])
        whole = bulk.read_frame(session, rd.reports_query([2023, 2024]))
    compact = compact.sort_values("id", ignore_index=True)  # no order is asked for
    whole = whole.sort_values("id", ignore_index=True)

    def plain(frame):
        return {
            c: [
                None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                for v in frame[c].astype(object)
            ]
            for c in frame
        }

    assert len(compact) == len(whole) == 480
    assert list(compact.columns) == list(whole.columns)
    assert plain(compact) == plain(whole)
    assert isinstance(compact["uscc"].dtype, pd.CategoricalDtype)
    assert compact["id"].dtype == "int64" and compact["batch_id"].dtype == "float64"


def test_a_bulk_import_analyzes_the_tables_it_wrote_and_no_others(db, monkeypatch):
    """On PostgreSQL a bulk import ANALYZEs what it wrote, so the planner knows the new
    sizes at once; the tables it did not touch are left alone (ANALYZE of every data table
    cost 0.2 s of a 100,000-row import)."""
    from yanzhi.services.collection import imports

    import_file(db, "enterprises", IMPORTS / "enterprises.csv", actor="test:officer")
    if db.dialect.name != "postgresql":
        return
    monkeypatch.setattr(imports, "ANALYZE_ROWS", 1)  # the test file is small
    started = scalar(db, "SELECT now()")
    report = import_file(db, "rd", IMPORTS / "rd_2024-01..05.csv", actor="test:officer")
    assert report.ok and report.created > 0
    with db.connect() as c:
        seen = dict(
            c.execute(
                text(
                    """SELECT relname, last_analyze FROM pg_stat_user_tables
                    WHERE schemaname = current_schema()"""
                )
            ).all()
        )
    analyzed = {t for t, at in seen.items() if at is not None and at >= started}
    assert analyzed == {"rd_report", "rd_report_version", "submission"}
