"""The data exchange's round trip (issue #21 item 7): a batch of 10,000 R&D filings sent
to a running server (uvicorn, a real HTTP client) — time to accept — and the same batch
sent again (time; rows changed: must be 0), against a baseline of the same number of rows
imported as a file (``import_file``, no HTTP), first and again, on SQLite and PostgreSQL.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_exchange.py [--filings 10000]
        [--enterprises 12000] [--databases sqlite,postgresql] [--json FILE]

The demo panel is built in the database first (history approved to 2026-01..10); the
baseline imports 2026-01..11 as a file, the exchange sends 2026-01..12 (each a little above
the month before, so the year-to-date checks pass and every row is new).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from tests.web.browser_support import serve  # noqa: E402
from tests.web.exchange_support import filings_from, stored_state  # noqa: E402

from yanzhi import config  # noqa: E402

DONE, BASE, SENT = "2026-01..10", "2026-01..11", "2026-01..12"


def build(url: str, enterprises: int, folder: Path) -> None:
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import panel as demo
    from yanzhi.storage.db import make_engine

    t = time.perf_counter()
    eng = make_engine(url)
    init_database(eng, actor="bench:init")
    data = demo.build(seed=7, n_enterprises=enterprises, last_month=(2026, 10))
    files = demo.write_files(data, folder / "files")
    reports = demo.load(eng, data, files, actor="bench", tasks=False)
    assert all(r.ok for r in reports)
    eng.dispose()
    print(f"  built the demo ({enterprises} enterprises) in {time.perf_counter() - t:.0f} s")


def as_file(path: Path, filings: list[dict[str, Any]]) -> None:
    keys = list(filings[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        for f in filings:
            w.writerow(
                [
                    ""
                    if f[k] is None
                    else ("是" if f[k] is True else "否" if f[k] is False else f[k])
                    for k in keys
                ]
            )


def run(url: str, n: int, enterprises: int, folder: Path) -> dict[str, Any]:
    from yanzhi.services.access import users
    from yanzhi.services.collection.imports import import_file
    from yanzhi.storage.db import make_engine
    from yanzhi.web.app import create_app

    build(url, enterprises, folder)
    eng = make_engine(url)
    base = filings_from(eng, period=DONE, scale=1.1)[:n]
    sent = [dict(f, operating_revenue=round(f["operating_revenue"] * 1.1, 2),
                 rd_expense=round(f["rd_expense"] * 1.1, 2)) for f in base]  # fmt: skip
    if len(base) < n:
        raise SystemExit(f"only {len(base)} reports in {DONE}: raise --enterprises")
    path = folder / "baseline.csv"
    as_file(path, base)
    out: dict[str, Any] = {"filings": n}
    t = time.perf_counter()
    first = import_file(eng, "rd", path, actor="bench", period=BASE)
    out["file_first_s"] = time.perf_counter() - t
    assert first.ok and first.created == n, (first.created, first.errors[:3])
    t = time.perf_counter()
    again = import_file(eng, "rd", path, actor="bench", period=BASE)
    out["file_repeat_s"] = time.perf_counter() - t
    assert again.ok and again.unchanged == n

    with eng.connect() as conn:
        city = conn.execute(text("select code from org_unit where parent_code is null")).scalar()
    token = users.create_machine_token(eng, "bench", [str(city)], actor="bench").token
    body = {"format": "yanzhi-exchange/1", "batch_id": "bench-1", "period": SENT, "filings": sent}
    headers = {"Authorization": f"Bearer {token}"}
    with serve(create_app(eng)) as address:
        t = time.perf_counter()
        r = httpx.post(
            f"{address}/api/v1/exchange/filings", json=body, headers=headers, timeout=600
        )
        out["exchange_first_s"] = time.perf_counter() - t
        assert r.status_code == 200, r.text[:2000]
        out["exchange_first"] = {k: r.json()[k] for k in ("created", "updated", "unchanged")}
        before = stored_state(eng)
        t = time.perf_counter()
        r2 = httpx.post(
            f"{address}/api/v1/exchange/filings", json=body, headers=headers, timeout=600
        )
        out["exchange_repeat_s"] = time.perf_counter() - t
        assert r2.status_code == 200 and r2.json()["repeat"] is True
        after = stored_state(eng)
        out["repeat_rows_changed"] = sum(abs(a - b) for a, b in zip(after, before, strict=True))
    eng.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=10_000)
    parser.add_argument("--enterprises", type=int, default=12_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {"load_before": os.getloadavg()}
    for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
        print(f"{db}:")
        with tempfile.TemporaryDirectory(prefix="bench-exchange-") as tmp:
            folder = Path(tmp)
            if db == "sqlite":
                results[db] = run(
                    f"sqlite:///{folder / 'x.db'}", args.filings, args.enterprises, folder
                )
            else:
                server = config.settings().test_postgres_url
                schema = f"bx_{uuid.uuid4().hex[:10]}"
                admin = create_engine(server)
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                try:
                    url = f"{server}?options=-csearch_path%3D{schema}"
                    results[db] = run(url, args.filings, args.enterprises, folder)
                finally:
                    with admin.begin() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
        r = results[db]
        print(
            f"  {r['filings']} filings: file import {r['file_first_s']:.2f} s, exchange "
            f"{r['exchange_first_s']:.2f} s ({r['exchange_first_s'] / r['file_first_s']:.2f}x)"
            f" {r['exchange_first']}\n"
            f"  sent again: file import {r['file_repeat_s']:.2f} s (all unchanged), exchange "
            f"{r['exchange_repeat_s']:.2f} s ({r['exchange_repeat_s'] / r['file_repeat_s']:.2f}x);"
            f" rows changed by the repeat: {r['repeat_rows_changed']}"
        )
    results["load_after"] = os.getloadavg()
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
