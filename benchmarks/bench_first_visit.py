"""First visits: every page each role opens, right after `yanzhi serve` starts and right
after an approval, on the demo (10,000 enterprises), on SQLite and on PostgreSQL.
Budget (issue #19): p95 over all pages and roles under 1 s.

    .venv/bin/python benchmarks/bench_first_visit.py [--enterprises 10000]
        [--databases sqlite,postgresql] [--max-pages 40] [--depth 2]
        [--sqlite-db FILE] [--pg-schema NAME] [--keep] [--json FILE] [--profile N]
        [--spy-approval]

Each database gets the full demo as in bench_web.py (whose helpers this script imports).
The server starts as a user starts it, ``yanzhi serve`` on a free loopback port (it
warms the document libraries in a background thread while the first pages are asked
for); the clock starts when /healthz answers. One account per role (admin, city analyst,
the demo's district, a township in it, leader, the plan's first department as task
owner, an enterprise of that township: the scopes of services/demo/accounts.py) is
created or reset and logged in through /api/v1/auth/login.

"After start-up": each role in turn opens its landing page (principal.home_of), its menu
(``nav.main-nav`` and the notification bell), the other links of the landing page and
the pages those link to, down to ``--depth`` links, one page per route shape per role
(a digit stands for any digit; each /indicators/X is its own page), at most
``--max-pages`` per role; /api, /static, downloads, /logout, /lang, ?export= and
?page= are skipped. Every page is timed once (its first visit) with urllib, redirects
not followed: anything but 200 is an error and is printed.
Unless ``--cold``, the crawl starts once /healthz says the shared results are computed
(``results: ready``; the server recomputes them after start-up and after every write,
web/precompute.py) and the seconds that took are printed: users who come in the first
seconds after a restart or an approval wait for that same computation instead.
"After an approval": the admin submits and the city analyst approves the demo district's
newest period (a draft in the demo) through the API, then every role opens the same
pages again, each timed once.
The same run's /healthz (median of 11) is the baseline: p95 / healthz is printed beside
the absolute figures. A SQLite file passed with ``--sqlite-db`` is written to (the
approval): pass a copy (without the -wal and -shm files of an earlier copy: SQLite would
replay them). ``--profile N`` then opens each of the N slowest pages of the start-up phase
again, as its role's very first visit after a fresh `yanzhi serve` run under py-spy, and
prints the functions the request spends its time in. ``--spy-approval`` attaches py-spy to
the server (every thread, idle ones too) from just before the submission until the
approval has answered, and prints where the approval's thread spent its samples and what
the other threads ran meanwhile (an approval once took 46–50 s at province scale, 1 s
alone: another thread shared the interpreter lock with it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import (  # the sibling script
    YANZHI,
    _schema_exists,
    build_postgres,
    build_sqlite,
    drop_schema,
    free_port,
    pg_url,
    set_account,
)

BUDGET_MS = 1000
HEALTHZ_RUNS = 11
# role -> the demo scope it takes (services/demo/accounts.py)
ROLES = {
    "admin": None,
    "city_analyst": None,
    "district_officer": "district",
    "township_officer": "township",
    "leader": None,
    "task_owner": "department",
    "enterprise": "enterprise",
}
SKIP = re.compile(
    r"^/(api/|static/|lang/|logout|login)|\.(xlsx|xls|csv|docx|pdf|css|js|png|svg|json)$"
    r"|^/reports/download/|/evidence/"
)


@dataclass
class Visit:
    """One first visit: who, what, how long (ms), the answer."""

    role: str
    path: str
    depth: int
    ms: float
    status: int
    note: str = ""


class _Links(HTMLParser):
    """The links of a page: the menu's (``nav.main-nav`` and the bell) and the others."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.menu: list[str] = []
        self.other: list[str] = []
        self._nav = 0  # depth inside <nav class="main-nav">

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        main = "main-nav" in (values.get("class") or "").split()
        if tag == "nav" and (self._nav or main):
            self._nav += 1
        if tag == "a" and values.get("href"):
            href = values["href"] or ""
            menu = self._nav > 0 or values.get("id") == "notification-bell"
            (self.menu if menu else self.other).append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav:
            self._nav -= 1


def links(html: str) -> tuple[list[str], list[str]]:
    """(menu links, other links) of a page."""
    parser = _Links()
    parser.feed(html)
    return parser.menu, parser.other


def shape(path: str) -> str:
    """The route a path belongs to (as tests/web/test_pages_chinese.py counts them): a digit
    stands for any digit, a USCC for any USCC; each indicator is its own page."""
    if path.startswith("/indicators/"):
        return path
    return re.sub(r"\d", "9", re.sub(r"/[0-9A-Z]{18}(?=/|$)", "/{uscc}", path))


def _wanted(link: str) -> str | None:
    """The local page a link opens, or None for what a first visit does not time."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if SKIP.search(parts.path) or "export=" in parts.query or "page=" in parts.query:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer (an error here), not followed


class Session:
    """A logged-in browser session (cookie jar, CSRF token) of one account."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.username = username
        jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )
        body = json.dumps({"username": username, "password": password}).encode()
        req = urllib.request.Request(
            base + "/api/v1/auth/login", body, {"Content-Type": "application/json"}
        )
        with self.opener.open(req, timeout=120) as r:
            self.csrf = json.loads(r.read())["csrf_token"]

    def get(self, path: str) -> tuple[int, str, str, float]:
        """(status, content type, body, ms) of a GET, timed from request to last byte; a
        redirect is followed (and timed) unless it leads to /login (an error then)."""
        t = time.perf_counter()
        for _ in range(4):
            try:
                with self.opener.open(self.base + path, timeout=600) as r:
                    body = r.read()
                    status, ctype = r.status, r.headers.get("content-type", "")
                    note = ""
            except urllib.error.HTTPError as e:
                body = e.read()
                status, ctype = e.code, e.headers.get("content-type", "")
                note = e.headers.get("location", "") or body[:160].decode("utf-8", "replace")
                note = note.removeprefix(self.base)
                if status in (301, 302, 303, 307, 308) and not note.startswith("/login"):
                    path = note
                    continue
            break
        ms = (time.perf_counter() - t) * 1000
        text = body.decode("utf-8", "replace") if "text/html" in ctype else note
        return status, ctype, text, ms

    def post(self, path: str, payload: dict[str, Any] | None = None) -> tuple[Any, float]:
        """The JSON answer of a POST with the CSRF token, and its ms."""
        req = urllib.request.Request(
            self.base + path,
            json.dumps(payload or {}).encode(),
            {"Content-Type": "application/json", "X-CSRF-Token": self.csrf},
        )
        t = time.perf_counter()
        try:
            with self.opener.open(req, timeout=600) as r:
                out = json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise SystemExit(f"POST {path} answered {e.code}: {e.read()[:400]!r}") from e
        return out, (time.perf_counter() - t) * 1000

    def json(self, path: str) -> Any:
        with self.opener.open(self.base + path, timeout=600) as r:
            return json.loads(r.read())


def home_of(role: str, unit: str | None, enterprise: str | None) -> str:
    """The landing page after login (services/access/principal.home_of)."""
    from yanzhi.services.access.principal import Principal
    from yanzhi.services.access.principal import home_of as home

    return home(Principal(name="bench", role=role, unit=unit, enterprise=enterprise))


def crawl(s: Session, role: str, home: str, depth: int, cap: int) -> list[Visit]:
    """Open the role's landing page, its menu and what they link to, down to ``depth``
    links, one page per shape, at most ``cap`` pages; each page timed once."""
    queue: deque[tuple[str, int]] = deque([(home, 0)])
    shapes: set[str] = {shape(urlsplit(home).path)}
    out: list[Visit] = []
    while queue and len(out) < cap:
        path, d = queue.popleft()
        status, ctype, text, ms = s.get(path)
        visit = Visit(role, path, d, round(ms, 1), status, "" if status == 200 else text)
        out.append(visit)
        if status != 200:
            print(f"    ERROR {role} {path}: HTTP {status} {visit.note[:160]}")
            continue
        if d >= depth or "text/html" not in ctype:
            continue
        menu, other = links(text)
        for link in menu + other:
            target = _wanted(link)
            if target is None:
                continue
            key = shape(urlsplit(target).path)
            if key not in shapes:
                shapes.add(key)
                queue.append((target, d + 1))
    return out


def revisit(s: Session, visits: list[Visit]) -> list[Visit]:
    """Open the same pages again, each timed once."""
    out = []
    for v in visits:
        status, _, text, ms = s.get(v.path)
        again = Visit(v.role, v.path, v.depth, round(ms, 1), status, "" if status == 200 else text)
        if status != 200:
            print(f"    ERROR {v.role} {v.path}: HTTP {status} {again.note[:160]}")
        out.append(again)
    return out


@contextmanager
def serve(url: str, pid: list[int] | None = None) -> Iterator[str]:
    """`yanzhi serve` on a free loopback port, as a user starts it; yields its base URL
    once /healthz answers (and appends the server's process id to ``pid``)."""
    port = free_port()
    argv = [*YANZHI, "serve", "--database", url, "--port", str(port)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if pid is not None:
        pid.append(proc.pid)
    try:
        _wait(proc, base, url)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def results_ready(base: str, seconds: float = 300) -> float:
    """Seconds until /healthz says the shared results are computed for the data as they
    are now (`yanzhi serve` recomputes them after start-up and after every write)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
            if json.loads(r.read()).get("results", "ready") == "ready":
                return round(time.perf_counter() - started, 1)
        time.sleep(0.2)
    raise SystemExit(f"the shared results were not ready after {seconds} s")


def _wait(proc: subprocess.Popen[bytes], base: str, url: str) -> None:
    """Until /healthz answers (the server has started)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"yanzhi serve on {url} did not start")
        time.sleep(0.2)


def profile(
    url: str, found: dict[str, Any], slowest: list[dict[str, Any]], folder: Path
) -> list[dict[str, Any]]:
    """Each of the ``slowest`` pages as its role's very first visit after a fresh `yanzhi
    serve`, sampled by py-spy (all threads, 200 Hz); the functions the request spends
    its time in (the samples whose stack holds a page handler of web/pages)."""
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        print("  py-spy is missing: no profiles")
        return []
    out = []
    for i, v in enumerate(slowest):
        name, password, _, _ = found[v["role"]]
        raw = folder / f"profile-{i + 1}.txt"
        port = free_port()
        argv = [str(spy), "record", "-o", str(raw), "--format", "raw", "--threads"]
        argv += ["--rate", "200", "--", *YANZHI, "serve", "--database", url]
        argv += ["--port", str(port)]
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(proc, base, url)
            status, _, _, ms = Session(base, name, password).get(v["path"])
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its samples and stops the server
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        top = _top(raw) if raw.exists() else {}
        out.append({"role": v["role"], "path": v["path"], "ms": round(ms, 1), **top})
        print(f"\n  profile: {v['role']} {v['path']} ({status}, {ms:.0f} ms), {raw}")
        for fn, share in top.get("inclusive", [])[:14]:
            print(f"    {share:5.1f} %  {fn}")
        print(
            "    self: " + ", ".join(f"{fn} {share:.0f} %" for fn, share in top.get("self", [])[:4])
        )
    return out


def _top(raw: Path) -> dict[str, Any]:
    """Inclusive and self shares (%) of yanzhi's functions in the request's samples."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text("utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")[1:]]
        if not any("yanzhi/web/pages/" in f and "<module>" not in f for f in frames):
            continue
        n = int(count)
        total += n
        for f in set(frames):
            if "yanzhi/" in f:
                inclusive[f] += n
        own[frames[-1]] += n
    if not total:
        return {}
    return {
        "samples": total,
        "inclusive": [(f, round(100 * n / total, 1)) for f, n in inclusive.most_common(30)],
        "self": [(f, round(100 * n / total, 1)) for f, n in own.most_common(10)],
    }


def accounts(url: str) -> dict[str, tuple[str, str, str | None, str | None]]:
    """role -> (username, password, unit, enterprise): one account per role, created or
    reset with a fresh password, scoped as the demo accounts are."""
    from yanzhi.services.access import users
    from yanzhi.services.demo.accounts import scopes
    from yanzhi.storage.db import make_engine

    engine = make_engine(url)
    try:
        s = scopes(engine)
        out = {}
        for role, scope in ROLES.items():
            name, password = f"bench-fv-{role.replace('_', '-')}", secrets.token_urlsafe(12)
            unit = {"district": s.district, "township": s.township, "department": s.department}
            scoped_unit = unit.get(scope or "")
            uscc = s.enterprise if scope == "enterprise" else None
            if scope and not (scoped_unit or uscc):
                print(f"  the demo has no {scope}: no {role} account")
                continue
            if scope is None:
                set_account(url, name, role, password)
            elif name in {u.username for u in users.list_users(engine)}:
                users.update_user(
                    engine,
                    name,
                    actor="bench",
                    password=password,
                    role=role,
                    unit=scoped_unit or "",
                    enterprise=uscc or "",
                    active=True,
                )
            else:
                users.create_user(
                    engine,
                    username=name,
                    password=password,
                    role=role,
                    unit=scoped_unit,
                    enterprise=uscc,
                    actor="bench",
                )
            out[role] = (name, password, scoped_unit, uscc)
        out["_district"] = (s.district, "", None, None)
        return out
    finally:
        engine.dispose()


def healthz(s: Session) -> float:
    """The median of ``HEALTHZ_RUNS`` sequential /healthz (ms): the same run's baseline."""
    times = sorted(s.get("/healthz")[3] for _ in range(HEALTHZ_RUNS))
    return times[HEALTHZ_RUNS // 2]


def approve(admin: Session, analyst: Session, district: str) -> dict[str, Any]:
    """Submit (admin) and approve (city analyst) the district's newest period (another
    district's where this one has no draft left, as after an earlier run)."""
    found = admin.json("/api/v1/data/submissions?size=500")
    period = found["period"]
    drafts = Counter(i["district"] for i in found["items"] if i["can_submit"])
    if not drafts[district]:
        if not drafts:
            raise SystemExit(f"no draft to submit in {period}: pass a fresh demo database")
        district = drafts.most_common(1)[0][0]
    mine = [i for i in found["items"] if i["district"] == district]
    states = sorted({i["status"] for i in mine})
    path = f"/api/v1/data/submissions/{district}/{period}"
    submitted, submit_ms = admin.post(path + "/submit")
    approved, approve_ms = analyst.post(path + "/approve")
    print(
        f"  {district} {period} ({len(mine)} townships, {'/'.join(states)} before): "
        f"submit {submit_ms:.0f} ms, approve {approve_ms:.0f} ms"
    )
    return {
        "district": district,
        "period": period,
        "townships": len(mine),
        "status_before": states,
        "submit_ms": round(submit_ms, 1),
        "approve_ms": round(approve_ms, 1),
        "submit": submitted,
        "approve": approved,
    }


@contextmanager
def spied(pid: int, raw: Path) -> Iterator[None]:
    """py-spy attached to the server (every thread, idle ones too: a wait on a lock or on
    the interpreter lock shows) while the block runs."""
    spy = Path(sys.executable).parent / "py-spy"
    argv = [str(spy), "record", "--pid", str(pid), "--threads", "--idle", "--rate", "100"]
    proc = subprocess.Popen(
        [*argv, "--format", "raw", "-o", str(raw)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def approval_profile(raw: Path) -> None:
    """Where the approval's request thread spent its samples (the frames of yanzhi and the
    innermost frame, where a wait shows), and what the other threads ran meanwhile."""
    request: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    others: Counter[str] = Counter()
    total = 0
    for line in raw.read_text("utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        n = int(count)
        if any("services/collection/workflow.py" in f for f in frames):
            total += n
            for f in {f for f in frames if "yanzhi/" in f}:
                request[f] += n
            innermost[frames[-1]] += n
        elif len(frames) > 1 and not any(
            w in frames[-1] for w in ("wait (threading", "select (selectors", "_worker (")
        ):
            others[f"{frames[0]}: {frames[-1]}"] += n
    print(f"  approval profile ({total} samples at 100 Hz), {raw}:")
    for f, n in request.most_common(12):
        print(f"    {100 * n / max(total, 1):5.1f} %  {f}")
    for f, n in innermost.most_common(4):
        print(f"    innermost {100 * n / max(total, 1):5.1f} %  {f}")
    for f, n in others.most_common(6):
        print(f"    other thread, {n} samples: {f}")


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def figures(visits: list[Visit], base_ms: float) -> dict[str, Any]:
    ms = [v.ms for v in visits]
    p95 = pct(ms, 0.95)
    errors = [v for v in visits if v.status != 200]
    return {
        "pages": len(visits),
        "errors": len(errors),
        "p50_ms": round(pct(ms, 0.50), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(ms), 1),
        "healthz_ms": round(base_ms, 2),
        "p95_vs_healthz": round(p95 / base_ms, 1) if base_ms else None,
        "budget_ms": BUDGET_MS,
        "pass": p95 < BUDGET_MS and not errors,
        "by_role": {
            role: {
                "pages": len(mine),
                "p95_ms": round(pct([v.ms for v in mine], 0.95), 1),
                "max_ms": max(v.ms for v in mine),
                "total_s": round(sum(v.ms for v in mine) / 1000, 1),
            }
            for role in dict.fromkeys(v.role for v in visits)
            if (mine := [v for v in visits if v.role == role])
        },
        "slowest": [asdict(v) for v in sorted(visits, key=lambda v: -v.ms)[:10]],
        "visits": [asdict(v) for v in visits],
    }


def report(db: str, phase: str, f: dict[str, Any]) -> None:
    print(
        f"\n{db}, first visits {phase}: {f['pages']} pages, {f['errors']} errors; "
        f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms, max {f['max_ms']:.0f} ms; "
        f"healthz {f['healthz_ms']:.1f} ms (p95/healthz {f['p95_vs_healthz']}); "
        f"budget p95 < {BUDGET_MS} ms, 0 errors: {'PASS' if f['pass'] else 'FAIL'}"
    )
    print(f"  {'role':<18}{'pages':>6}{'p95':>8}{'max':>8}{'total s':>9}")
    for role, r in f["by_role"].items():
        print(
            f"  {role:<18}{r['pages']:>6}{r['p95_ms']:>8.0f}{r['max_ms']:>8.0f}{r['total_s']:>9.1f}"
        )
    print("  slowest:")
    for v in f["slowest"]:
        print(f"  {v['ms']:>8.0f} ms  {v['role']:<18}{v['path']}")


def run(db: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    found = accounts(url)
    district = found.pop("_district")[0]
    result: dict[str, Any] = {"load_before": os.getloadavg()}
    pid: list[int] = []
    with serve(url, pid) as base:
        t0 = time.perf_counter()
        sessions = {
            role: Session(base, name, password) for role, (name, password, _, _) in found.items()
        }
        result["login_s"] = round(time.perf_counter() - t0, 1)
        if not args.cold:
            result["ready_after_start_s"] = results_ready(base)
            print(f"  shared results computed {result['ready_after_start_s']} s after start")
        base_ms = healthz(sessions["admin"])
        visits: list[Visit] = []
        for role, s in sessions.items():
            _, _, unit, uscc = found[role]
            home = home_of(role, unit, uscc)
            print(f"  {role}: from {home}…")
            visits += crawl(s, role, home, args.depth, args.max_pages)
        result["start_up"] = figures(visits, base_ms)
        if args.spy_approval:
            raw = args.profile_dir / f"approval-{db}.txt"
            with spied(pid[0], raw):
                result["approval"] = approve(sessions["admin"], sessions["city_analyst"], district)
            approval_profile(raw)
        else:
            result["approval"] = approve(sessions["admin"], sessions["city_analyst"], district)
        if not args.cold:
            result["ready_after_approval_s"] = results_ready(base)
            print(f"  shared results recomputed {result['ready_after_approval_s']} s after")
        again: list[Visit] = []
        for role, s in sessions.items():
            again += revisit(s, [v for v in visits if v.role == role])
        result["after_approval"] = figures(again, healthz(sessions["admin"]))
    result["load_after"] = os.getloadavg()
    report(db, "after start-up", result["start_up"])
    report(db, "after an approval", result["after_approval"])
    print(
        f"  load average {result['load_before'][0]:.2f} before, "
        f"{result['load_after'][0]:.2f} after ({os.cpu_count()} CPUs)"
    )
    if args.profile:  # after the figures: a profile slows the server down
        slowest: list[dict[str, Any]] = []
        for v in result["start_up"]["slowest"]:
            if len(slowest) < args.profile and v["status"] == 200:
                slowest.append(v)
        (args.profile_dir / db).mkdir(exist_ok=True)
        result["profiles"] = profile(url, found, slowest, args.profile_dir / db)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--max-pages", type=int, default=40, help="pages per role at most")
    ap.add_argument("--depth", type=int, default=2, help="links from the landing page")
    ap.add_argument("--sqlite-db", type=Path, help="reuse this demo SQLite file (it is written)")
    ap.add_argument("--pg-schema", help="reuse this PostgreSQL schema if it exists")
    ap.add_argument("--keep", action="store_true", help="keep the databases built")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument(
        "--profile", type=int, default=0, help="profile the N slowest pages with py-spy"
    )
    ap.add_argument(
        "--spy-approval",
        action="store_true",
        help="py-spy on the server during the submission and the approval",
    )
    ap.add_argument(
        "--cold",
        action="store_true",
        help="visit at once, without waiting for the shared results to be computed",
    )
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-fv-db-"))
    args.profile_dir = Path(tempfile.mkdtemp(prefix="bench-fv-profiles-"))
    results: dict[str, Any] = {
        "enterprises": args.enterprises,
        "max_pages": args.max_pages,
        "depth": args.depth,
        "cpus": os.cpu_count(),
    }
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
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
            try:
                results[db] = run(db, url, args)
            finally:
                if schema and not (args.keep or args.pg_schema):
                    drop_schema(schema)
            if args.json:  # after each database: a later failure keeps the earlier figures
                args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")
        if args.keep:
            print(f"\nkept: {folder}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
