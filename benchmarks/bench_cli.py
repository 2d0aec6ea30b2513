"""The command line at first touch (issue #19): `yanzhi --help` and `yanzhi version` under
0.3 s and 80 MB, `yanzhi status` under 1 s — against the same run's bare interpreter start
(`python -c pass`), each command run as a user runs it (the `yanzhi` console script, a
new process every time), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_cli.py [--enterprises 10000] [--repeat 7]
        [--databases sqlite,postgresql] [--sqlite-db FILE] [--pg-schema NAME] [--keep]
        [--json FILE]

`yanzhi status` is timed three ways: **stored** — the city's headline status as a stored
result (services/stored.py: computed once per data change, by the web app's background
recomputation or by the first `yanzhi status` after the change); **after a write** — the
first call after the data changed (a status override set and cleared: the generation
moves, the stored result is stale and is computed again, what a user meets who runs the
command right after an import from the CLI with no server running); and `--org-unit` of a
district. Each figure is the median of ``--repeat`` runs (wall time, request to exit) and
the largest peak RSS of the process (``ru_maxrss`` of the child).
"""

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
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import (  # the sibling script
    BIN,
    _schema_exists,
    build_postgres,
    build_sqlite,
    drop_schema,
    pg_url,
)

CLI = str(BIN / "yanzhi")
BUDGETS = {"help": (0.3, 80), "version": (0.3, 80), "status": (1.0, None)}


def run_once(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one process: its own rusage, from ``os.wait4``."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read()[-2000:].decode()}")
    return seconds, usage.ru_maxrss / 1024


def timed(argv: list[str], repeat: int, before: Any = None) -> dict[str, float]:
    times, peaks = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        s, mb = run_once(argv)
        times.append(s)
        peaks.append(mb)
    return {"median_s": statistics.median(times), "min_s": min(times), "peak_mb": max(peaks)}


def change_data(url: str) -> None:
    """A write that moves the data generation and leaves the data as they were."""
    for extra in (["--status", "deterioration", "--reason", "基准测试"], ["--clear"]):
        subprocess.run(
            [CLI, "override-status", "--indicator", "RD_GDP", "--org-unit", "330212",
             *extra, "--database", url],
            check=True, capture_output=True,
        )  # fmt: skip


def measure(url: str, repeat: int) -> dict[str, dict[str, float]]:
    status = [CLI, "status", "--database", url]
    subprocess.run(status, check=True, capture_output=True)  # the stored result exists
    return {
        "status (stored)": timed(status, repeat),
        "status (after a write)": timed(status, max(3, repeat // 2), lambda: change_data(url)),
        "status --org-unit 330212": timed([*status, "--org-unit", "330212"], repeat),
    }


def verdict(name: str, fig: dict[str, float]) -> str:
    key = name.split()[0]
    seconds, mb = BUDGETS.get(key, (None, None))
    if seconds is None or "after a write" in name:
        return "(no budget)"
    ok = fig["median_s"] < seconds and (mb is None or fig["peak_mb"] < mb)
    budget = f"< {seconds:g} s" + (f", < {mb} MB" if mb else "")
    return f"{'PASS' if ok else 'FAIL'} ({budget})"


def report(title: str, figures: dict[str, dict[str, float]], base: float) -> None:
    print(f"\n{title}")
    print(f"  {'command':<28} {'median s':>9} {'min s':>7} {'peak MB':>8} {'× python':>9}  budget")
    for name, f in figures.items():
        ratio = f["median_s"] / base
        print(
            f"  {name:<28} {f['median_s']:>9.3f} {f['min_s']:>7.3f} {f['peak_mb']:>8.0f} "
            f"{ratio:>9.1f}  {verdict(name, f)}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--enterprises", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--sqlite-db", type=Path)
    ap.add_argument("--pg-schema")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    out: dict[str, Any] = {"load_average": os.getloadavg()}
    python = timed([sys.executable, "-c", "pass"], args.repeat)
    base = python["median_s"]
    common = {
        "python -c pass (baseline)": python,
        "help": timed([CLI, "--help"], args.repeat),
        "version": timed([CLI, "version"], args.repeat),
    }
    out["common"] = common
    report("Without a database", common, base)
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        for db in [d.strip() for d in args.databases.split(",") if d.strip()]:
            schema = None
            if db == "sqlite":
                url = (
                    f"sqlite:///{args.sqlite_db.resolve()}"
                    if args.sqlite_db
                    else build_sqlite(folder / "demo.db", args.enterprises)
                )
            else:
                schema = args.pg_schema or f"bench_cli_{uuid.uuid4().hex[:8]}"
                url = (
                    pg_url(schema)
                    if args.pg_schema and _schema_exists(schema)
                    else build_postgres(schema, args.enterprises, folder)
                )
            figures = measure(url, args.repeat)
            out[db] = figures
            report(f"{db} ({args.enterprises:,} enterprises)", figures, base)
            if schema and not args.pg_schema and not args.keep:
                drop_schema(schema)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    out["load_average_after"] = os.getloadavg()
    print(f"\nload average before {out['load_average']}, after {out['load_average_after']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
