"""An approval at scale: the city approves one district's newest period, and every result
stored from the approved data that depends on it is updated — the indicator values of
every affected period (every indicator, unit and industry), the roll-up's kept sums and the
new warnings (with their notifications) — timed against a full recomputation of every
indicator in the same run (issue #19: under 1 s at 10 M enterprise-month rows).

    .venv/bin/python benchmarks/bench_approval.py [--databases sqlite,postgresql]
        [--enterprises 100000] [--sqlite-db COPY.db] [--pg-schema NAME]
        [--district 330212] [--repeat 3] [--json FILE]

Each database is the demo panel (`yanzhi demo` for SQLite, `yanzhi demo-data` into a new
schema for PostgreSQL), built unless ``--sqlite-db`` / ``--pg-schema`` reuses one; the run
writes to it (approvals and unlocks), so pass a copy. What is timed, in this process
(`services.collection.workflow.transition`, as `yanzhi approve` and the web app call it):

1. a full recomputation (`services.monitoring.compute.compute`), which also keeps the sums;
2. ``--repeat`` times: the district officer's submission (not timed), the city's approval
   (timed: refresh + new warnings + notifications), then an unlock with a reason (timed);
3. the refresh alone (`compute.refresh` for the district's townships) for the breakdown;
4. the check: the values after the last approval against a full recomputation — every
   indicator, level, unit, industry and period, numerators, denominators and counts.

All data are synthetic (the demo generator).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import prepare  # the sibling script

BUDGET_S = 1.0
EVERY = """SELECT indicator, level, unit_code, industry_division, period, numerator,
    denominator, value, n_enterprises FROM indicator_value WHERE source = 'enterprise'
    ORDER BY indicator, level, unit_code, industry_division, period"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scalar(engine: Any, sql: str, **params: Any) -> Any:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def values(engine: Any) -> Any:
    import pandas as pd
    from sqlalchemy import text

    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(text(EVERY)).mappings().all())


def max_rel_diff(a: Any, b: Any) -> float:
    import numpy as np

    key = ["indicator", "level", "unit_code", "industry_division", "period"]
    if len(a) != len(b) or not a[key].equals(b[key]):
        return float("inf")
    if not a["n_enterprises"].fillna(-1).equals(b["n_enterprises"].fillna(-1)):
        return float("inf")
    worst = 0.0
    for c in ("numerator", "denominator", "value"):
        x, y = a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float)
        if not np.array_equal(np.isnan(x), np.isnan(y)):
            return float("inf")
        ok = ~np.isnan(x)
        scale = np.maximum(np.abs(y[ok]), 1e-300)
        worst = max(worst, float(np.max(np.abs(x[ok] - y[ok]) / scale, initial=0.0)))
    return worst


def newest_period(engine: Any, district: str) -> str:
    return str(
        scalar(
            engine,
            "SELECT max(period) FROM submission WHERE dataset = 'rd' AND org_unit_code LIKE :d",
            d=district + "%",
        )
    )


def run(db: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    from yanzhi.services.collection.workflow import transition
    from yanzhi.services.monitoring.compute import compute, refresh
    from yanzhi.storage.db import make_engine
    from yanzhi.storage.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)  # a database built before the kept sums (migration 0015)
    rows = scalar(engine, "SELECT count(*) FROM rd_report")
    firms = scalar(engine, "SELECT count(*) FROM enterprise")
    d = args.district
    period = newest_period(engine, d)
    towns = scalar(
        engine,
        "SELECT count(*) FROM org_unit WHERE level = 'township' AND parent_code = :d",
        d=d,
    )
    in_district = scalar(
        engine, "SELECT count(*) FROM rd_report WHERE township_code LIKE :d", d=d + "%"
    )
    print(
        f"{db}: {firms:,} enterprises, {rows:,} enterprise-month reports; district {d} "
        f"({towns} townships, {in_district:,} reports), period {period}"
    )
    t = time.perf_counter()
    full = compute(engine)
    full_s = time.perf_counter() - t
    print(f"  full recomputation: {full_s:.2f} s ({full.rows:,} values; peak {peak_mb():,.0f} MB)")
    status = scalar(
        engine,
        "SELECT min(status) FROM submission WHERE dataset = 'rd' AND period = :p "
        "AND org_unit_code LIKE :d",
        p=period,
        d=d + "%",
    )
    if status == "approved":  # a database reused: open the period again first
        transition(engine, "unlock", period=period, unit=d, actor="bench", reason="基准测试")
    approve_s, unlock_s = [], []
    for i in range(args.repeat):
        transition(engine, "submit", period=period, unit=d, actor="bench")
        t = time.perf_counter()
        transition(engine, "approve", period=period, unit=d, actor="bench")
        approve_s.append(time.perf_counter() - t)
        if i < args.repeat - 1:
            t = time.perf_counter()
            transition(engine, "unlock", period=period, unit=d, actor="bench", reason="基准测试")
            unlock_s.append(time.perf_counter() - t)
        print(
            f"  approval {i + 1}: {approve_s[-1]:.3f} s"
            + (f", unlock {unlock_s[-1]:.3f} s" if i < args.repeat - 1 else "")
        )
    codes = [
        str(c)
        for c in _column(
            engine, "SELECT code FROM org_unit WHERE level = 'township' AND parent_code = :d", d=d
        )
    ]
    t = time.perf_counter()
    alone = refresh(engine, period=period, townships=codes)
    refresh_s = time.perf_counter() - t
    after = values(engine)
    compute(engine)
    diff = max_rel_diff(after, values(engine))
    median = statistics.median(approve_s)
    result = {
        "enterprises": firms,
        "reports": rows,
        "district": d,
        "district_reports": in_district,
        "period": period,
        "full_s": round(full_s, 3),
        "approve_s": [round(x, 3) for x in approve_s],
        "unlock_s": [round(x, 3) for x in unlock_s],
        "approve_median_s": round(median, 3),
        "refresh_s": round(refresh_s, 3),
        "refresh_reports_read": alone.reports,
        "ratio_to_full": round(median / full_s, 4),
        "max_rel_diff": diff,
        "peak_mb": round(peak_mb()),
        "budget": "PASS" if median < BUDGET_S else f"FAIL ({median / BUDGET_S:.1f}×)",
    }
    print(
        f"  refresh alone: {refresh_s:.3f} s ({alone.reports:,} reports read, "
        f"{alone.rows:,} values rewritten)"
    )
    print(
        f"  approval median {median:.3f} s = {median / full_s:.3f} × the full recomputation; "
        f"budget < {BUDGET_S:.0f} s: {result['budget']}"
    )
    print(
        f"  check against a full recomputation: max rel diff {diff:.1e} → "
        f"{'OK' if diff < 1e-9 else 'MISMATCH'}"
    )
    engine.dispose()
    return result


def _column(engine: Any, sql: str, **params: Any) -> list[Any]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).scalars())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--sqlite-db", type=Path, help="reuse this demo SQLite file (it is written)")
    ap.add_argument("--pg-schema", help="reuse this PostgreSQL schema if it exists")
    ap.add_argument("--keep", action="store_true", help="keep the databases built")
    ap.add_argument("--district", default="330212", help="the district approved (鄞州区)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    folder = Path(tempfile.mkdtemp(prefix="bench-approval-"))
    results: dict[str, Any] = {}
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
            url, drop = prepare(db, args, folder)
            try:
                results[db] = run(db, url, args)
            finally:
                if drop:
                    from bench_web import drop_schema

                    drop_schema(drop)
            results[db]["load_after"] = round(os.getloadavg()[0], 1)
            if args.json:
                args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
