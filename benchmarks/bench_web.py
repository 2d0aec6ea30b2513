"""Web load: 50 concurrent users browsing the cockpit, an indicator page and a unit page
for 2 minutes, on SQLite and on PostgreSQL, against /healthz (a trivial route) under the
same load as the in-run baseline.

    .venv/bin/pip install -e '.[bench]'          # locust
    .venv/bin/python benchmarks/bench_web.py [--enterprises 10000] [--users 50]
        [--duration 120] [--databases sqlite,postgresql] [--workers 1] [--think 1.0]
        [--sqlite-db FILE] [--pg-schema NAME] [--keep] [--json FILE]

Each database gets the full demo (`yanzhi demo --no-serve` for SQLite; `yanzhi init` and
`yanzhi demo-data` into a fresh schema of the PostgreSQL server for PostgreSQL) and a
city-analyst account for the run. The app runs as its own uvicorn process on loopback.
One session per user is opened through /api/v1/auth/login before the run (Argon2 is slow
on purpose: 50 logins at once would fill the measured window); locust (headless, in
another process) then browses with those session cookies, waiting ``--think`` seconds on
average between requests. Every page is fetched once before the run (the cold time is
printed) and then 11 times one request at a time (the median, "alone": the app's own
time, cached), so the run measures the cached pages that users see. A request is an
error unless it answers 200 (a redirect to /login counts as an error). Goal (issue #8):
p95 < 100 ms, zero errors.
``--sqlite-db`` / ``--pg-schema`` reuse a database built earlier (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
YANZHI = [sys.executable, "-m", "yanzhi.cli.main"]
PG = os.environ.get("YANZHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
USER, ROLE = "bench-analyst", "city_analyst"
PAGES = {  # name -> path; the weights are equal
    "cockpit": "/",
    "indicator": "/indicators/IND_RD_INTENSITY",
    "unit": "/units/330212",
    "healthz": "/healthz",
}
GOAL_P95_MS = 100
ALONE = 11  # sequential requests per page before the run (their median: "alone")

LOCUSTFILE = """
import itertools
import json
from locust import HttpUser, task, between

CONF = json.loads({conf!r})
SESSIONS = itertools.cycle(CONF["sessions"])


class Browser(HttpUser):
    wait_time = between(CONF["think"] * 0.5, CONF["think"] * 1.5)

    def on_start(self):
        # a session opened through /api/v1/auth/login before the run (Argon2 is slow on
        # purpose: 50 logins at once would fill the measured window)
        self.client.cookies.set("yz_session", next(SESSIONS))

    def _get(self, name):
        with self.client.get(CONF["pages"][name], name=name, allow_redirects=False,
                             catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {{r.status_code}} {{r.headers.get('location', '')}}")

    @task
    def cockpit(self):
        self._get("cockpit")

    @task
    def indicator(self):
        self._get("indicator")

    @task
    def unit(self):
        self._get("unit")

    @task
    def healthz(self):
        self._get("healthz")
"""


def sh(*argv: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc.stdout


def set_account(url: str, username: str, role: str, password: str) -> None:
    """Create the account, or reset its role and password (as `yanzhi demo` does)."""
    from yanzhi.services.access import users
    from yanzhi.storage.db import make_engine

    engine = make_engine(url)
    try:
        if username in {u.username for u in users.list_users(engine)}:
            users.update_user(
                engine, username, actor="bench", password=password, role=role, unit="", active=True
            )
        else:
            users.create_user(
                engine, username=username, password=password, role=role, actor="bench"
            )
    finally:
        engine.dispose()


def build_sqlite(path: Path, enterprises: int) -> str:
    """The full demo in a fresh SQLite file (what `yanzhi demo` builds)."""
    t = time.perf_counter()
    sh(*YANZHI, "demo", "--no-serve", "--enterprises", str(enterprises), "--db", str(path))
    print(f"  built {path} ({enterprises} enterprises) in {time.perf_counter() - t:.0f} s")
    return f"sqlite:///{path.resolve()}"


def pg_url(schema: str) -> str:
    return f"{PG}?options=-csearch_path%3D{schema}"


def build_postgres(schema: str, enterprises: int, folder: Path) -> str:
    """The same demo in a fresh schema of the PostgreSQL server."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = pg_url(schema)
    t = time.perf_counter()
    sh(*YANZHI, "init", "--database", url)
    sh(
        *YANZHI,
        "demo-data",
        "--enterprises",
        str(enterprises),
        "--out",
        str(folder / "demo-files"),
        "--database",
        url,
    )
    print(f"  built schema {schema} ({enterprises} enterprises) in {time.perf_counter() - t:.0f} s")
    return url


def drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, workers: int) -> Iterator[str]:
    """The app in its own uvicorn process on loopback; yields its base URL."""
    port = free_port()
    env = {**os.environ, "YANZHI_DATABASE_URL": url}
    argv = [str(BIN / "uvicorn"), "--factory", "yanzhi.web.app:create_app"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    argv += ["--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(argv, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server on {url} did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def open_session(base: str, password: str) -> tuple[Any, str, float]:
    """Log in through /api/v1/auth/login: (an opener with the cookie, the session, ms)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"username": USER, "password": password}).encode()
    req = urllib.request.Request(
        base + "/api/v1/auth/login", body, {"Content-Type": "application/json"}
    )
    t = time.perf_counter()
    opener.open(req, timeout=60).read()
    ms = (time.perf_counter() - t) * 1000
    cookie = next((c.value for c in jar if c.name == "yz_session"), None)
    if not cookie:
        raise SystemExit("the login set no yz_session cookie")
    return opener, cookie, ms


def warm_up(base: str, password: str, users: int) -> tuple[dict[str, float], list[str]]:
    """Open one session per user (timed as "login"), fetch every page once, which fills
    the view cache, then ``ALONE`` times more, one request at a time; returns the times
    (ms: cold, and the median alone) and the session cookies."""
    cold: dict[str, float] = {}
    cookies, logins = [], []
    for _ in range(users):
        opener, cookie, ms = open_session(base, password)
        cookies.append(cookie)
        logins.append(ms)
    for name, path in PAGES.items():
        t = time.perf_counter()
        with opener.open(base + path, timeout=300) as r:
            r.read()
            if r.status != 200 or r.url.rstrip("/").endswith("/login"):
                raise SystemExit(f"{path} answered {r.status} ({r.url}) before the run")
        cold[name] = (time.perf_counter() - t) * 1000
    for name, path in PAGES.items():  # one user alone, cached: the app's own time
        times = []
        for _ in range(ALONE):
            t = time.perf_counter()
            with opener.open(base + path, timeout=60) as r:
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        cold[f"{name}:alone"] = sorted(times)[ALONE // 2]
    logins.sort()
    cold["login"] = logins[len(logins) // 2]
    return cold, cookies


def run_locust(
    base: str, cookies: list[str], users: int, duration: int, think: float
) -> list[dict[str, str]]:
    """Run locust headless against ``base``; returns its per-request statistics."""
    conf = json.dumps({"sessions": cookies, "pages": PAGES, "think": think})
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    try:
        locustfile = folder / "locustfile.py"
        locustfile.write_text(LOCUSTFILE.format(conf=conf), "utf-8")
        argv = [str(BIN / "locust"), "-f", str(locustfile), "--headless", "--host", base]
        argv += ["-u", str(users), "-r", str(users)]
        argv += ["-t", f"{duration}s", "--stop-timeout", "10", "--csv", str(folder / "s")]
        argv += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"locust failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        with open(folder / "s_stats.csv", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def summarise(rows: list[dict[str, str]], cold: dict[str, float]) -> list[dict[str, Any]]:
    by_name = {r["Name"]: r for r in rows}
    out: list[dict[str, Any]] = []
    for name in PAGES:
        r = by_name.get(name)
        if r is None:
            out.append(
                {
                    "page": name,
                    "requests": 0,
                    "errors": 0,
                    "rps": 0.0,
                    "p50": None,
                    "p95": None,
                    "p99": None,
                    "cold_ms": round(cold[name], 1),
                    "alone_ms": round(cold[f"{name}:alone"], 1),
                }
            )
            continue
        out.append(
            {
                "page": name,
                "requests": int(r["Request Count"]),
                "errors": int(r["Failure Count"]),
                "rps": float(r["Requests/s"]),
                "p50": float(r["50%"]),
                "p95": float(r["95%"]),
                "p99": float(r["99%"]),
                "cold_ms": round(cold[name], 1),
                "alone_ms": round(cold[f"{name}:alone"], 1),
            }
        )
    base = next((o["p95"] for o in out if o["page"] == "healthz"), None)
    for o in out:
        p95 = o["p95"]
        o["p95_vs_healthz"] = round(p95 / base, 1) if base and isinstance(p95, float) else None
    return out


def met(rows: list[dict[str, Any]]) -> bool:
    pages = [r for r in rows if r["page"] != "healthz"]
    return all(r["requests"] > 0 and r["p95"] < GOAL_P95_MS for r in pages) and all(
        r["errors"] == 0 for r in rows
    )


def report(db: str, result: dict[str, Any]) -> None:
    rows = result["pages"]
    print(f"\n{db}: latency in ms (locust keeps 2 significant digits above 100 ms)")
    print(
        f"{'page':<10}{'requests':>9}{'errors':>7}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'p95/healthz':>12}{'cold':>8}{'alone':>7}"
    )
    for r in rows:
        ms = [f"{r[k]:>7.0f}" if r[k] is not None else f"{'-':>7}" for k in ("p50", "p95", "p99")]
        ratio = f"{r['p95_vs_healthz']:>12.1f}" if r["p95_vs_healthz"] else f"{'-':>12}"
        print(
            f"{r['page']:<10}{r['requests']:>9}{r['errors']:>7}{r['rps']:>7.1f}{''.join(ms)}"
            f"{ratio}{r['cold_ms']:>8.0f}{r['alone_ms']:>7.0f}"
        )
    print(
        f"login (one session per user, opened before the run): median {result['login_ms']:.0f} ms;"
        f" load average {result['load_before']:.1f} before, {result['load_after']:.1f} after"
    )
    print(
        f"goal p95 < {GOAL_P95_MS} ms for the pages, zero errors: "
        f"{'met' if met(rows) else 'MISSED'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=int, default=120, help="seconds of load per database")
    ap.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--sqlite-db", type=Path, help="reuse this demo SQLite file if it exists")
    ap.add_argument("--pg-schema", help="reuse this PostgreSQL schema if it exists")
    ap.add_argument("--keep", action="store_true", help="keep the databases built")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    if shutil.which("locust", path=str(BIN)) is None:
        raise SystemExit("locust is missing: .venv/bin/pip install -e '.[bench]'")
    folder = Path(tempfile.mkdtemp(prefix="bench-web-db-"))
    results: dict[str, Any] = {
        "enterprises": args.enterprises,
        "users": args.users,
        "duration_s": args.duration,
        "think_s": args.think,
        "workers": args.workers,
        "cpus": os.cpu_count(),
    }
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
            password = secrets.token_urlsafe(12)
            schema = None
            print(f"{db}: preparing the demo database…")
            if db == "sqlite":
                path = args.sqlite_db or folder / "bench.db"
                url = f"sqlite:///{path.resolve()}"
                if not path.exists():
                    url = build_sqlite(path, args.enterprises)
            elif db == "postgresql":
                schema = args.pg_schema or f"bench_{uuid.uuid4().hex[:10]}"
                url = pg_url(schema)
                if not _schema_exists(schema):
                    build_postgres(schema, args.enterprises, folder)
            else:
                raise SystemExit(f"unknown database {db!r}")
            _reset_user(url, password)
            try:
                with server(url, args.workers) as base:
                    cold, cookies = warm_up(base, password, args.users)
                    print(f"{db}: {args.users} users for {args.duration} s on {base}…")
                    load = os.getloadavg()[0]
                    stats = run_locust(base, cookies, args.users, args.duration, args.think)
                    result = {
                        "pages": summarise(stats, cold),
                        "login_ms": round(cold["login"], 1),
                        "load_before": load,
                        "load_after": os.getloadavg()[0],
                    }
            finally:
                if schema and not (args.keep or args.pg_schema):
                    drop_schema(schema)
            report(db, result)
            results[db] = result
        if args.keep:
            print(f"\nkept: {folder}" + (f", schema {schema}" if schema else ""))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), "utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _schema_exists(schema: str) -> bool:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG)
    with admin.connect() as conn:
        found = conn.execute(
            text("select 1 from information_schema.schemata where schema_name = :s"), {"s": schema}
        ).first()
    admin.dispose()
    return found is not None


def _reset_user(url: str, password: str) -> None:
    """The run's city-analyst account, with a fresh password."""
    set_account(url, USER, ROLE, password)


if __name__ == "__main__":
    main()
