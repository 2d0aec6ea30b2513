"""What an unlucky operator does to a bureau's data (issue #16, point 5), on SQLite and
PostgreSQL: ``yanzhi import`` killed with SIGKILL half-way through writing 300,000 R&D
rows, the web server killed in the middle of the same import, the disk filling up during
an import — each time nothing is half-written, the error (where there is one) says so in
Chinese, and the import can simply be run again. And the server keeps serving pages
while a long import runs."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text
from tests.conftest import _databases, new_database

from yanzhi.storage.db import make_engine

YANZHI = str(Path(sys.executable).with_name("yanzhi"))
N_ENTERPRISES = 3500  # about 300,000 monthly R&D rows, 2019-01 … 2026-10


@dataclass
class Big:
    kind: str
    url: str
    rd: Path  # one CSV of every R&D report
    rows: int
    folder: Path


@pytest.fixture(scope="module", params=_databases())
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Big]:
    """A database holding the divisions, the plan and 3,500 demo enterprises (no R&D yet),
    and the file of their ≈300,000 R&D reports."""
    from yanzhi.services.collection.imports import import_file
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import panel as demo

    folder = tmp_path_factory.mktemp(f"fail-{request.param}")
    with new_database(request.param, folder) as url:
        eng = make_engine(url)
        init_database(eng, actor="test:init")
        data = demo.build(seed=3, n_enterprises=N_ENTERPRISES, last_month=(2026, 10))
        files = demo.write_files(data, folder / "files")
        assert import_file(eng, "enterprises", files.folder / "enterprises.csv", actor="t").ok
        eng.dispose()
        parts = sorted(files.folder.glob("rd_*.csv"))
        rd = folder / "rd_all.csv"
        with rd.open("w", encoding="utf-8-sig") as out:
            for i, part in enumerate(parts):
                lines = part.read_text("utf-8-sig").splitlines(keepends=True)
                out.writelines(lines if i == 0 else lines[1:])
        with rd.open(encoding="utf-8-sig") as f:
            rows = sum(1 for _ in f) - 1
        assert rows > 250_000
        yield Big(request.param, url, rd, rows, folder)


def _count(url: str) -> tuple[int, int, int]:
    """R&D reports, import batches and audit rows about R&D imports."""
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            return (
                c.execute(text("SELECT COUNT(*) FROM rd_report")).scalar_one(),
                c.execute(text("SELECT COUNT(*) FROM import_batch WHERE kind = 'rd'")).scalar_one(),
                c.execute(
                    text("SELECT COUNT(*) FROM audit_log WHERE source_file = 'rd_all.csv'")
                ).scalar_one(),
            )
    finally:
        eng.dispose()


def _import(big: Big, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [YANZHI, "import", "rd", str(big.rd), "--database", big.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kw,  # type: ignore[call-overload]
    )


def _wait_for(proc: subprocess.Popen[str], word: str, timeout: float = 300) -> list[str]:
    """Read the process's lines until one contains ``word``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if word in line:
            return seen
    raise AssertionError(f"never saw {word!r}: {''.join(seen)[-2000:]}")


def _rerun_imports_everything(big: Big) -> None:
    done = subprocess.run(
        [YANZHI, "import", "rd", str(big.rd), "--database", big.url, "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    reports, batches, _ = _count(big.url)
    assert reports == big.rows and batches >= 1
    _clear(big)


def _clear(big: Big) -> None:
    """Back to no R&D reports, for the next test of the module."""
    eng = make_engine(big.url)
    with eng.begin() as c:
        for table in ("rd_report", "submission"):
            c.execute(text(f"DELETE FROM {table}"))
        c.execute(text("DELETE FROM import_batch WHERE kind = 'rd'"))
        c.execute(text("DELETE FROM audit_log WHERE source_file = 'rd_all.csv'"))
    eng.dispose()


def test_import_killed_while_writing_leaves_nothing_and_can_be_rerun(big: Big) -> None:
    assert _count(big.url) == (0, 0, 0)
    proc = _import(big)
    _wait_for(proc, "写入")  # the rows are being written now
    time.sleep(1.0)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.stdout is not None
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert _count(big.url) == (0, 0, 0)
    _rerun_imports_everything(big)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(big: Big) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """``yanzhi serve`` on the database (a subprocess), and an analyst's API token."""
    from yanzhi.services.access import users
    from yanzhi.services.access.principal import Principal

    eng = make_engine(big.url)
    name = f"fail-analyst-{os.getpid()}"
    if name not in {u.username for u in users.list_users(eng)}:
        users.create_user(
            eng, username=name, password="fail-pass-123", role="city_analyst", actor="t"
        )
    token = users.create_token(eng, name, name="fail", actor=Principal(name, "city_analyst")).token
    eng.dispose()
    port = _free_port()
    proc = subprocess.Popen(
        [YANZHI, "serve", "--database", big.url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
        time.sleep(0.2)
    try:
        yield base, token, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)


def _writing(big: Big) -> bool:
    """Whether an import is writing R&D rows right now: another connection holds SQLite's
    write lock, or a PostgreSQL session is inserting into rd_report."""
    if big.kind == "sqlite":
        con = sqlite3.connect(big.url.removeprefix("sqlite:///"), timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
            return False
        except sqlite3.OperationalError:  # database is locked: a writer is at work
            return True
        finally:
            con.close()
    eng = make_engine(big.url)
    try:
        with eng.connect() as c:
            n = c.execute(
                text(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND "
                    "(query ILIKE '%INSERT INTO rd_report%' OR query ILIKE 'COPY%rd_report%')"
                )
            ).scalar_one()
    finally:
        eng.dispose()
    return bool(n)


@pytest.fixture(autouse=True)
def _cleared(big: Big) -> Iterator[None]:
    """Each test starts and leaves the module's database without R&D reports, even when
    it fails half-way."""
    yield
    _clear(big)


def _upload(base: str, token: str, big: Big, out: dict[str, object]) -> None:
    try:
        with big.rd.open("rb") as f:
            r = httpx.post(
                f"{base}/api/v1/data/imports",
                headers={"Authorization": f"Bearer {token}"},
                data={"kind": "rd"},
                files={"file": ("rd_all.csv", f, "text/csv")},
                timeout=900,
            )
        out["status"] = r.status_code
        out["body"] = r.text[:2000]
    except httpx.HTTPError as exc:
        out["error"] = repr(exc)


def test_server_keeps_serving_during_a_long_import_and_a_kill_leaves_nothing(
    big: Big, server: tuple[str, str, subprocess.Popen[str]]
) -> None:
    base, token, proc = server
    assert _count(big.url)[0] == 0
    out: dict[str, object] = {}
    t = threading.Thread(target=_upload, args=(base, token, big, out))
    t.start()
    # while the import runs, the server answers other requests in good time; once the
    # import is writing rows, the server is killed
    slowest, answered, writing = 0.0, 0, False
    deadline = time.monotonic() + 600
    while t.is_alive() and time.monotonic() < deadline:
        start = time.monotonic()
        r = httpx.get(f"{base}/healthz", timeout=30)
        page = httpx.get(f"{base}/login", timeout=30)
        slowest = max(slowest, time.monotonic() - start)
        assert r.status_code == 200 and page.status_code == 200
        answered += 1
        if answered >= 3 and _writing(big):
            writing = True
            break
        time.sleep(0.05)
    assert writing, f"the import ended before it was seen writing ({answered} probes): {out}"
    assert slowest < 5, slowest
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    t.join(60)
    assert "status" not in out or out["status"] != 200, out
    assert _count(big.url) == (0, 0, 0)
    _rerun_imports_everything(big)


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no file-size limit here")
def test_disk_full_during_an_import_says_so_and_writes_nothing(big: Big) -> None:
    if big.kind != "sqlite":
        pytest.skip("the file-size limit is the importing process's own: SQLite files only")
    db = Path(big.url.removeprefix("sqlite:///"))
    copy = big.folder / "full.db"
    shutil.copy(db, copy)
    url = f"sqlite:///{copy}"
    limit = 2 * 2**20  # no file may pass 2 MB: the import's journal (WAL) soon needs more

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [YANZHI, "import", "rd", str(big.rd), "--database", url],
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=small_disk,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2, said[-2000:]
    assert "磁盘空间不足" in said and "nothing was written" in said, said[-2000:]
    assert "Traceback" not in said
    big_copy = Big(big.kind, url, big.rd, big.rows, big.folder)
    assert _count(url) == (0, 0, 0)
    _rerun_imports_everything(big_copy)
