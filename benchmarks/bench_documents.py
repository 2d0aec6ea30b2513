"""Documents: how long the first generation of every report file takes on the demo, against
a cached download of the same file in the same run (issue #17: first generation under 5 s
for the bulletin in every format and the 述职材料, under 10 s for the township evaluation;
a cached download under 0.5 s).

    .venv/bin/python benchmarks/bench_documents.py [--db yanzhi-demo.db]
        [--databases sqlite,postgresql] [--enterprises 10000] [--json FILE]

The web app runs in-process (Starlette's TestClient) on a copy of the demo database
(``yanzhi demo --no-serve`` builds one when ``--db`` is not given) as a city analyst; on
PostgreSQL, on the same demo built into a fresh schema (dropped afterwards).
The process is warmed up first (one PDF and one Word file written and thrown away: the
imports of WeasyPrint and matplotlib, the fonts — once per server process, printed
apart). Before each file the data version changes for real (an audited write: the
bench account's display name), so the first download reads everything again — the view
cache and the per-data-version frames alike — as after an approval; it is then
downloaded three times more (the median is the cached download). Prints one row per
document and format: first seconds (and the process's CPU seconds for it — steadier
than the wall clock on a shared machine), cached seconds, their ratio, the page count of PDFs,
the budget and whether it is met (first under the budget, cached under 0.5 s)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOALS = {"monthly": 5.0, "district": 5.0, "evaluation-township": 10.0}
CACHED_GOAL = 0.5
USER, PASSWORD = "bench-docs", "bench-docs-pass-1"


def _demo(db: str | None, tmp: Path) -> Path:
    target = tmp / "demo.db"
    if db:
        shutil.copy(db, target)
    else:
        subprocess.run(
            [sys.executable, "-m", "yanzhi.cli.main", "demo", "--db", str(target), "--no-serve"],
            check=True,
            capture_output=True,
        )
    return target


def _pages(pdf: bytes, tmp: Path) -> int | None:
    path = tmp / "x.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def _warm_up(client: Any, url: str, params: dict[str, Any], formats: list[str]) -> bool:
    """Write the first document's PDF and Word file once (the process's one-off costs:
    imports, fonts) and say how long that took."""
    t0 = time.perf_counter()
    for fmt in ("pdf", "docx"):
        if fmt in formats:
            client.get(url, params={**params, "format": fmt}).raise_for_status()
    print(f"process warm-up (imports, fonts; not a row) {time.perf_counter() - t0:.2f} s")
    return True


def run_on(url: str, tmp: Path) -> list[dict[str, Any]]:
    """Every document and format on the database at ``url``: one row each."""
    from fastapi.testclient import TestClient

    from yanzhi.services.access import users
    from yanzhi.services.database import open_database
    from yanzhi.storage import migrate
    from yanzhi.views.reports.catalogue import KINDS
    from yanzhi.web.app import create_app

    engine = open_database(url)
    migrate.upgrade(engine)  # a demo built by an older version: brought to this schema
    users.create_user(engine, username=USER, password=PASSWORD, role="city_analyst", actor="bench")
    app = create_app(engine)
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"username": USER, "password": PASSWORD})
    r.raise_for_status()
    catalogue = client.get("/api/v1/reports").json()["items"]
    rows: list[dict[str, Any]] = []
    warmed = False
    for entry in catalogue:
        kind = entry["kind"]
        if kind not in KINDS or kind == "diagnosis":
            continue
        choices = entry["choices"]
        variants: list[tuple[str, dict[str, Any]]] = []
        if kind == "monthly":
            variants = [("monthly", {"period": choices["period"][0]})]
        elif kind == "evaluation":
            year = choices["year"][0]
            variants = [
                ("evaluation-township", {"level": "township", "year": year}),
                ("evaluation-district", {"level": "district", "year": year}),
            ]
        elif kind == "district":
            variants = [
                ("district", {"code": choices["code"][0]["code"], "year": choices["year"][0]})
            ]
        elif kind == "supervision":
            variants = [("supervision", {})]
        for name, params in variants:
            for fmt in entry["formats"]:
                url = f"/api/v1/reports/{kind}"
                query = {**params, "format": fmt}
                if not warmed:
                    warmed = _warm_up(client, url, params, entry["formats"])
                users.update_user(  # a new data version, as an approval makes one
                    engine, USER, actor="bench", display_name=f"bench {len(rows)}"
                )
                app.state.cache.bump()
                t0, c0 = time.perf_counter(), time.process_time()
                first = client.get(url, params=query)
                first_s = time.perf_counter() - t0
                first_cpu = time.process_time() - c0
                first.raise_for_status()
                cached = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    client.get(url, params=query).raise_for_status()
                    cached.append(time.perf_counter() - t0)
                cached_s = statistics.median(cached)
                goal = GOALS.get(name)
                rows.append(
                    {
                        "document": name,
                        "format": fmt,
                        "first_s": round(first_s, 3),
                        "first_cpu_s": round(first_cpu, 3),
                        "cached_s": round(cached_s, 4),
                        "ratio": round(first_s / cached_s, 1) if cached_s else None,
                        "pages": _pages(first.content, tmp) if fmt == "pdf" else None,
                        "bytes": len(first.content),
                        "goal_s": goal,
                        "met": (goal is None or first_s < goal) and cached_s < CACHED_GOAL,
                    }
                )
                print(
                    f"{name:22} {fmt:5} first {first_s:7.2f} s (cpu {first_cpu:6.2f} s)  "
                    f"cached {cached_s:6.3f} s  "
                    f"ratio {rows[-1]['ratio']:>7}  pages {rows[-1]['pages'] or '':>4}  "
                    f"budget {f'{goal:g} s' if goal else '—':>5}  "
                    f"{'met' if rows[-1]['met'] else 'NOT MET'}",
                    flush=True,
                )
    engine.dispose()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="a demo SQLite database to copy (default: build one)")
    ap.add_argument("--databases", default="sqlite", help="sqlite,postgresql")
    ap.add_argument("--enterprises", type=int, default=10000)
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_web import build_postgres, drop_schema  # the sibling script

    out: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as folder:
        tmp = Path(folder)
        for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
            print(f"\n{kind}")
            if kind == "sqlite":
                out[kind] = run_on(f"sqlite:///{_demo(args.db, tmp)}", tmp)
                continue
            schema = f"bench_docs_{os.getpid()}"
            try:
                out[kind] = run_on(build_postgres(schema, args.enterprises, tmp), tmp)
            finally:
                drop_schema(schema)
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
