"""Web load: many concurrent users (200 by default) browsing pages and calling the API —
the cockpit, indicator pages, a district's and a township's page, the evaluation, and
/api/v1 cockpit, indicator values and statuses, an indicator's children, a unit — for 2
minutes, on SQLite and on PostgreSQL, with ``yanzhi serve --workers N`` for each N asked,
against /healthz (a trivial route) under the same load as the in-run baseline.

    .venv/bin/pip install -e '.[bench]'          # locust
    .venv/bin/python benchmarks/bench_web.py [--enterprises 10000] [--users 200]
        [--duration 120] [--databases sqlite,postgresql] [--workers 1,2] [--think 1.0]
        [--redis redis://127.0.0.1:6379/0] [--sqlite-db FILE] [--pg-schema NAME] [--keep]
        [--json FILE]

Each database gets the full demo (`yanzhi demo --no-serve` for SQLite; `yanzhi init` and
`yanzhi demo-data` into a fresh schema of the PostgreSQL server for PostgreSQL) and a
city-analyst account for the run. The app runs as a user runs it: ``yanzhi serve
--workers N`` on loopback, with YANZHI_REDIS_URL (``--redis``, this database's keys
deleted before and after) when N > 1; the run starts once /healthz says the shared
results are computed. One session per user is opened through /api/v1/auth/login before
the first run on a database (Argon2 is slow on purpose: 200 logins at once would fill the
measured window; sessions live in the database, so every N reuses them). Locust
(headless, FastHttpUser, in another process) then sends each user's requests on its own
keep-alive connection, waiting ``--think`` seconds on average between them and picking
a route at random (equal weights). Every route is fetched once before the run (cold) and
then 11 times one request at a time (the median, "alone": the app's own time, cached).
A request is an error unless it answers 200 (a redirect to /login counts as an error).
Every response time is kept, so p50/p95/p99 are exact, per route and over all pages and
API calls. Budget (issue #19): p99 < 100 ms over the pages and API calls, zero errors.
``--sqlite-db`` / ``--pg-schema`` reuse a database built earlier (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
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
    "indicator:expense": "/indicators/IND_RD_EXPENSE",
    "district": "/units/330212",
    "township": "/units/330212001",
    "evaluation": "/evaluation?level=district",
    "api:cockpit": "/api/v1/cockpit",
    "api:indicators": "/api/v1/indicators",
    "api:indicator": "/api/v1/indicators/IND_RD_INTENSITY",
    "api:children": "/api/v1/indicators/IND_RD_INTENSITY/children",
    "api:unit": "/api/v1/units/330212",
    "healthz": "/healthz",
}
BASELINE = "healthz"
BUDGET_P99_MS = 100
ALONE = 11  # sequential requests per page before the run (their median: "alone")

LOCUSTFILE = """
import itertools
import json
import random
from locust import FastHttpUser, between, events, task

CONF = json.loads({conf!r})
SESSIONS = itertools.cycle(CONF["sessions"])
TIMES = []  # (route, ms, ok): every request, for exact percentiles
RANDOM = random.Random()
ROUTES = sorted(CONF["pages"])


@events.request.add_listener
def _keep(name, response_time, exception, **kwargs):
    TIMES.append((name, response_time, exception is None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(CONF["out"], "w", encoding="utf-8") as f:
        json.dump(TIMES, f)


class Browser(FastHttpUser):
    wait_time = between(CONF["think"] * 0.5, CONF["think"] * 1.5)

    def on_start(self):
        # a session opened through /api/v1/auth/login before the run
        self.cookie = "yz_session=" + next(SESSIONS)

    @task
    def route(self):
        name = RANDOM.choice(ROUTES)
        with self.client.get(CONF["pages"][name], name=name, allow_redirects=False,
                             headers={{"Cookie": self.cookie}}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {{r.status_code}} {{r.headers.get('location', '')}}")


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
def server(url: str, workers: int, redis_url: str | None) -> Iterator[str]:
    """``yanzhi serve --workers N`` on loopback (with YANZHI_REDIS_URL when given), until
    /healthz says the shared results are computed; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "YANZHI_REDIS_URL"}
    if redis_url:
        env["YANZHI_REDIS_URL"] = redis_url
    argv = [*YANZHI, "serve", "--database", url, "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                    if json.loads(r.read()).get("results") == "ready":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server on {url} did not start")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()  # uvicorn's parent stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def open_sessions(base: str, password: str, users: int) -> tuple[list[str], float]:
    """One session per user through /api/v1/auth/login: the cookies, the median ms."""
    cookies, times = [], []
    for _ in range(users):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        body = json.dumps({"username": USER, "password": password}).encode()
        req = urllib.request.Request(
            base + "/api/v1/auth/login", body, {"Content-Type": "application/json"}
        )
        t = time.perf_counter()
        opener.open(req, timeout=60).read()
        times.append((time.perf_counter() - t) * 1000)
        cookie = next((c.value for c in jar if c.name == "yz_session"), None)
        if not cookie:
            raise SystemExit("the login set no yz_session cookie")
        cookies.append(cookie)
    return cookies, statistics.median(times)


def warm_up(base: str, cookie: str) -> dict[str, float]:
    """Fetch every route once (cold: what the background recomputation did not already
    compute), then ``ALONE`` times more, one request at a time; their ms."""
    out: dict[str, float] = {}

    def fetch(path: str) -> float:
        req = urllib.request.Request(base + path, headers={"Cookie": f"yz_session={cookie}"})
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=300) as r:
            r.read()
            if r.status != 200 or r.url.rstrip("/").endswith("/login"):
                raise SystemExit(f"{path} answered {r.status} ({r.url}) before the run")
        return (time.perf_counter() - t) * 1000

    for name, path in PAGES.items():
        out[name] = fetch(path)
    for name, path in PAGES.items():  # one user alone, cached: the app's own time
        out[f"{name}:alone"] = statistics.median(fetch(path) for _ in range(ALONE))
    return out


def run_locust(
    base: str, cookies: list[str], users: int, duration: int, think: float
) -> tuple[list[tuple[str, float, bool]], float]:
    """Locust headless against ``base``: every request (route, ms, ok) and the seconds
    the load ran."""
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    out = folder / "times.json"
    conf = json.dumps({"sessions": cookies, "pages": PAGES, "think": think, "out": str(out)})
    try:
        locustfile = folder / "locustfile.py"
        locustfile.write_text(LOCUSTFILE.format(conf=conf), "utf-8")
        argv = [str(BIN / "locust"), "-f", str(locustfile), "--headless", "--host", base]
        argv += ["-u", str(users), "-r", str(max(1, users // 5))]
        argv += ["-t", f"{duration}s", "--stop-timeout", "10"]
        argv += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
        t = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        seconds = time.perf_counter() - t
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"locust failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        rows = json.loads(out.read_text("utf-8"))
        return [(str(n), float(ms), bool(ok)) for n, ms, ok in rows], seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def figures(times: list[float], errors: int, seconds: float) -> dict[str, Any]:
    return {
        "requests": len(times),
        "errors": errors,
        "rps": round(len(times) / seconds, 1),
        **{f"p{q}": round(percentile(times, q), 1) if times else None for q in (50, 95, 99)},
    }


def summarise(
    rows: list[tuple[str, float, bool]], seconds: float, cold: dict[str, float]
) -> dict[str, Any]:
    """Per route and over all pages and API calls: requests, errors, requests/s,
    p50/p95/p99 (ms), cold and alone; each p95 / p99 against /healthz's in the same run."""
    routes: dict[str, Any] = {}
    for name in PAGES:
        mine = [r for r in rows if r[0] == name]
        routes[name] = figures([ms for _, ms, _ in mine], sum(not ok for *_, ok in mine), seconds)
        routes[name]["cold_ms"] = round(cold[name], 1)
        routes[name]["alone_ms"] = round(cold[f"{name}:alone"], 1)
    served = [r for r in rows if r[0] != BASELINE]
    total = figures([ms for _, ms, _ in served], sum(not ok for *_, ok in served), seconds)
    base = routes[BASELINE]
    for r in [*routes.values(), total]:
        for q in ("p95", "p99"):
            r[f"{q}_vs_healthz"] = round(r[q] / base[q], 1) if r[q] and base[q] else None
    errors = sum(not ok for *_, ok in rows)
    verdict = total["p99"] is not None and total["p99"] < BUDGET_P99_MS and errors == 0
    return {"routes": routes, "all": total, "errors": errors, "budget_met": verdict}


def report(title: str, result: dict[str, Any]) -> None:
    print(f"\n{title}: latency in ms")
    head = f"{'route':<18}{'requests':>9}{'errors':>7}{'req/s':>7}{'p50':>7}{'p95':>7}{'p99':>7}"
    print(head + f"{'p99/healthz':>12}{'cold':>8}{'alone':>7}")
    lines = [*result["routes"].items(), ("pages + API", result["all"])]
    for name, r in lines:
        ms = "".join(f"{r[k]:>7.0f}" if r[k] is not None else f"{'-':>7}" for k in PERCENTILES)
        ratio = f"{r['p99_vs_healthz']:>12.1f}" if r["p99_vs_healthz"] else f"{'-':>12}"
        extra = f"{r['cold_ms']:>8.0f}{r['alone_ms']:>7.0f}" if "cold_ms" in r else ""
        print(f"{name:<18}{r['requests']:>9}{r['errors']:>7}{r['rps']:>7.1f}{ms}{ratio}{extra}")
    print(
        f"load average {result['load_before']:.1f} before, {result['load_after']:.1f} after; "
        f"{result['seconds']:.0f} s of load"
    )
    total = result["all"]
    print(
        f"budget p99 < {BUDGET_P99_MS} ms over the pages and API calls, 0 errors: "
        f"p99 {total['p99']:.0f} ms, {result['errors']} errors -> "
        f"{'PASS' if result['budget_met'] else 'FAIL'}"
    )


PERCENTILES = ("p50", "p95", "p99")


def prepare(db: str, args: argparse.Namespace, folder: Path) -> tuple[str, str | None]:
    """The database's URL (built unless reused) and the schema to drop afterwards."""
    if db == "sqlite":
        path = args.sqlite_db or folder / "bench.db"
        if not path.exists():
            return build_sqlite(path, args.enterprises), None
        return f"sqlite:///{path.resolve()}", None
    if db == "postgresql":
        schema = args.pg_schema or f"bench_{uuid.uuid4().hex[:10]}"
        if not _schema_exists(schema):
            build_postgres(schema, args.enterprises, folder)
        drop = None if (args.keep or args.pg_schema) else schema
        return pg_url(schema), drop
    raise SystemExit(f"unknown database {db!r}")


def clear_redis(redis_url: str, url: str) -> None:
    """Delete this database's keys from the shared cache (a run starts and ends empty)."""
    from yanzhi.storage.db import make_engine
    from yanzhi.web.sharedcache import SharedStore, namespace

    engine = make_engine(url)
    store = SharedStore(redis_url, namespace(engine))
    engine.dispose()
    why = store.ping()
    if why is not None:
        raise SystemExit(f"Redis at {redis_url} is not answering: {why}")
    store.clear()


def run_one(
    db: str, url: str, workers: int, args: argparse.Namespace, state: dict[str, Any]
) -> dict[str, Any]:
    """One database with N server processes: sessions (once per database), warm-up, load."""
    redis_url = args.redis if workers > 1 else None
    if redis_url:
        clear_redis(redis_url, url)
    try:
        with server(url, workers, redis_url) as base:
            if "cookies" not in state:
                state["cookies"], state["login_ms"] = open_sessions(
                    base, state["password"], args.users
                )
            cold = warm_up(base, state["cookies"][0])
            print(f"{db}, {workers} worker(s): {args.users} users for {args.duration} s…")
            load = os.getloadavg()[0]
            rows, seconds = run_locust(
                base, state["cookies"], args.users, args.duration, args.think
            )
            result = summarise(rows, seconds, cold)
            result.update(
                load_before=load,
                load_after=os.getloadavg()[0],
                seconds=seconds,
                login_ms=round(state["login_ms"], 1),
            )
    finally:
        if redis_url:
            clear_redis(redis_url, url)
    report(f"{db}, yanzhi serve --workers {workers}", result)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--duration", type=int, default=120, help="seconds of load per run")
    ap.add_argument("--think", type=float, default=1.0, help="mean seconds between requests")
    ap.add_argument("--workers", default="1,2", help="server processes, one run each: 1,2")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="for --workers > 1")
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--sqlite-db", type=Path, help="reuse this demo SQLite file if it exists")
    ap.add_argument("--pg-schema", help="reuse this PostgreSQL schema if it exists")
    ap.add_argument("--keep", action="store_true", help="keep the databases built")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    if shutil.which("locust", path=str(BIN)) is None:
        raise SystemExit("locust is missing: .venv/bin/pip install -e '.[bench]'")
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    folder = Path(tempfile.mkdtemp(prefix="bench-web-db-"))
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "enterprises": args.enterprises,
        "users": args.users,
        "duration_s": args.duration,
        "think_s": args.think,
        "cpus": os.cpu_count(),
        "runs": {},
    }
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
            print(f"{db}: preparing the demo database…")
            url, drop = prepare(db, args, folder)
            state: dict[str, Any] = {"password": secrets.token_urlsafe(12)}
            _reset_user(url, state["password"])
            try:
                for n in counts:
                    results["runs"][f"{db}/workers={n}"] = run_one(db, url, n, args, state)
            finally:
                if drop:
                    drop_schema(drop)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), "utf-8")
        print("\nsummary: pages + API calls (ms), budget p99 < 100 ms, 0 errors")
        for name, r in results["runs"].items():
            a = r["all"]
            print(
                f"  {name:<22} p50 {a['p50']:>5.0f}  p95 {a['p95']:>5.0f}  p99 {a['p99']:>6.0f}"
                f"  healthz p99 {r['routes'][BASELINE]['p99']:>6.0f}  {a['rps']:>6.1f} req/s"
                f"  errors {r['errors']:>4}  {'PASS' if r['budget_met'] else 'FAIL'}"
            )
        if args.keep:
            print(f"\nkept: {folder}")
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
