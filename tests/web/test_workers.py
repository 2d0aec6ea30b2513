"""``yanzhi serve --workers 2``: two real uvicorn processes on the ``site`` database (a
SQLite file, a PostgreSQL schema) sharing their computed pages through Redis
(web/sharedcache.py), driven through HTTP. A keep-alive connection stays with the process
that accepted it, and /healthz names that process and counts its cache's hits, reads from
Redis and computations, so a test can ask one process and then the other.

The shared Redis (YANZHI_TEST_REDIS_URL) holds each test database's keys under its own
prefix, deleted afterwards; the test that stops Redis runs a redis-server of its own."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from tests.web.conftest import Site

from yanzhi import config
from yanzhi.web.sharedcache import SharedStore, namespace

START_SECONDS = 120  # two processes importing the app and computing on 2 shared cores
PAGE = "/api/v1/indicators/IND_RD_INTENSITY"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    base: str
    log: Path
    pids: tuple[int, int] = (0, 0)

    @contextmanager
    def client(self, pid: int | None = None, session: dict[str, str] | None = None) -> Any:
        """A connection to the process ``pid`` (any when None), with the session's cookie
        and CSRF token. New connections go to whichever process accepts first: open them
        until one lands on ``pid`` (a process busy computing accepts late: give it time)."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            c = httpx.Client(base_url=self.base, timeout=120)
            if session:
                c.cookies.set("yz_session", session["token"])
                c.headers["X-CSRF-Token"] = session["csrf"]
            if pid is None or health(c)["cache"]["process"] == pid:
                try:
                    yield c
                finally:
                    c.close()
                return
            c.close()
            time.sleep(0.05)
        pytest.fail(f"no connection reached process {pid} in 90 s")

    def login(self, username: str, password: str, pid: int | None = None) -> dict[str, str]:
        with self.client(pid) as c:
            r = c.post("/api/v1/auth/login", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            return {"token": c.cookies["yz_session"], "csrf": r.json()["csrf_token"]}


def health(c: Any) -> dict[str, Any]:
    r = c.get("/healthz")
    assert r.status_code == 200
    found: dict[str, Any] = r.json()
    return found


@contextmanager
def serving(url: str, redis_url: str, *, ready: bool = True) -> Iterator[Served]:
    """``yanzhi serve --workers 2`` on ``url`` with YANZHI_REDIS_URL=``redis_url``, until
    both processes answer (and, with ``ready``, the shared results are computed)."""
    port = free_port()
    log = Path(f"/tmp/yanzhi-workers-{uuid.uuid4().hex[:8]}.log")
    env = {**os.environ, "YANZHI_REDIS_URL": redis_url}
    argv = [sys.executable, "-m", "yanzhi.cli.main", "serve", "--database", url]
    argv += ["--port", str(port), "--workers", "2"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=out, env=env, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_SECONDS
        seen: set[int] = set()
        while len(seen) < 2 or (ready and not _ready(served)):
            assert proc.poll() is None, log.read_text("utf-8", "replace")[-3000:]
            assert time.monotonic() < deadline, "the server did not start in time"
            try:
                with httpx.Client(base_url=served.base, timeout=5) as fresh:
                    seen.add(health(fresh)["cache"]["process"])
            except httpx.HTTPError:
                time.sleep(0.3)
        a, b = sorted(seen)
        served.pids = (a, b)
        yield served
    finally:
        proc.terminate()  # uvicorn's parent stops its workers
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.unlink(missing_ok=True)


def _ready(served: Served) -> bool:
    with httpx.Client(base_url=served.base, timeout=5) as c:
        return bool(health(c).get("results") == "ready")


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[Served]:
    redis_url = config.settings().test_redis_url
    store = SharedStore(redis_url, namespace(site.engine))
    assert store.ping() is None, f"Redis at {redis_url} is not answering (scripts/test.sh)"
    store.clear()
    try:
        with serving(site.url, redis_url) as s:
            yield s
    finally:
        store.clear()


def stats(served: Served, pid: int) -> dict[str, Any]:
    with served.client(pid) as c:
        return health(c)["cache"]


def test_the_results_are_computed_once_for_both_workers(served: Served) -> None:
    """After start-up one process recomputed the shared results and the other computed
    nothing; both say the results are ready."""
    computed = sorted(stats(served, pid)["computed"] for pid in served.pids)
    assert computed[0] == 0 and computed[1] > 0
    for pid in served.pids:
        with served.client(pid) as c:
            assert health(c)["results"] == "ready"


def test_a_page_one_worker_computed_is_read_from_redis_by_the_other(
    served: Served, site: Site
) -> None:
    a, b = served.pids
    # a login on one process is a session on the other (sessions live in the database)
    session = served.login("analyst", site.accounts["analyst"]["password"], pid=a)
    with served.client(a, session) as c:
        first = c.get(PAGE)
        assert first.status_code == 200, first.text
        assert c.get("/indicators/IND_RD_INTENSITY").status_code == 200
    before = stats(served, b)
    assert before["redis"] == "on"
    with served.client(b, session) as c:
        again = c.get(PAGE)
        assert c.get("/indicators/IND_RD_INTENSITY").status_code == 200
    after = stats(served, b)
    assert again.status_code == 200 and again.json() == first.json()
    assert after["computed"] == before["computed"]  # nothing computed again …
    assert after["shared"] > before["shared"]  # … read from Redis instead
    with served.client(b, session) as c:  # and then from the process's own copy
        assert c.get(PAGE).json() == first.json()
    assert stats(served, b)["shared"] == after["shared"]


def test_a_write_on_one_worker_is_seen_on_the_others_next_page(served: Served, site: Site) -> None:
    a, b = served.pids
    session = served.login("leader", site.accounts["leader"]["password"], pid=b)
    with served.client(b, session) as c:
        code = c.get("/api/v1/tasks", params={"size": 1}).json()["items"][0]["code"]
        assert c.get(f"/api/v1/tasks/{code}").status_code == 200  # now cached
    text = f"多进程批示 {uuid.uuid4().hex[:6]}"
    with served.client(a, session) as c:
        r = c.post(f"/api/v1/tasks/{code}/comments", json={"text": text})
        assert r.status_code == 201, r.text
    time.sleep(1.2)  # another process reads the data generation at most once a second
    with served.client(b, session) as c:
        data = c.get(f"/api/v1/tasks/{code}").json()
        assert [m["text"] for m in data["comments"]][-1] == text
        assert text in c.get(f"/tasks/{code}").text


@contextmanager
def redis_server(port: int, folder: Path) -> Iterator[None]:
    """A redis-server of the test's own on ``port`` (the shared one is never stopped)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing (apt-get install redis-server; scripts/test.sh)"
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(folder)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        store = SharedStore(f"redis://127.0.0.1:{port}/0", "probe")
        deadline = time.monotonic() + 10
        while store.ping() is not None:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for(served: Served, pid: int, redis: str) -> None:
    deadline = time.monotonic() + 20
    while stats(served, pid)["redis"] != redis:
        assert time.monotonic() < deadline, f"process {pid} never said Redis is {redis}"
        time.sleep(0.5)


def test_pages_answer_while_redis_is_down(site: Site, tmp_path: Path) -> None:
    """Redis not there at start-up (said in Chinese and English), then started, then
    stopped: every page answers 200 throughout, from each process's own cache when
    Redis is away and shared again once it answers."""
    port = free_port()
    paths = ["/", PAGE]
    with serving(site.url, f"redis://127.0.0.1:{port}/0", ready=False) as served:
        said = served.log.read_text("utf-8")
        assert "无法连接" in said and "is not answering" in said, said
        session = served.login("analyst", site.accounts["analyst"]["password"])

        def pages_answer() -> None:
            for pid in served.pids:
                with served.client(pid, session) as c:
                    for path in paths:
                        assert c.get(path).status_code == 200, (pid, path)

        pages_answer()
        assert stats(served, served.pids[0])["redis"] == "unreachable"
        with redis_server(port, tmp_path):
            for pid in served.pids:
                wait_for(served, pid, "on")
            pages_answer()
        pages_answer()  # Redis gone again
        for pid in served.pids:
            wait_for(served, pid, "unreachable")
        pages_answer()
