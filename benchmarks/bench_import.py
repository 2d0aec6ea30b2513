"""Import speed and memory: 1,000,000 R&D report rows from CSV and 100,000 from XLSX,
validated and committed, on SQLite and on PostgreSQL — against a plain baseline in the
same run (pandas.read_csv / openpyxl read-only reading the same file: no validation, no
database).

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--xlsx-rows 100000]
        [--databases sqlite,postgresql] [--folder DIR]

Each import runs as `yanzhi import rd FILE` in a child process, so the time is what a
user waits and the peak memory (max RSS, from ``wait4`` of that very child) is the
import's own. The baselines, the read path and the making of the files run in child
processes too, and this parent imports nothing heavy: Linux carries the parent's RSS
into a child's max RSS at fork/exec, so a large parent would hide the children's peaks.

Goals (issue #3): the XLSX path ≥ 5× faster than the openpyxl baseline; the
1,000,000-row CSV import < 60 s, in bounded memory (read in chunks; before the chunked
reader its peak was 1.4 GB, 0.8 GB for the read path alone).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

YANZHI = [sys.executable, "-m", "yanzhi.cli.main"]
PG = os.environ.get("YANZHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def child(*argv: str) -> tuple[str, float, float, float]:
    """Stdout, seconds, CPU seconds (user + system) and peak RSS (MB) of one child process
    — its own, not the largest of all children so far (``wait4`` reports the rusage of
    that child alone). CPU time is the steadier figure on a busy machine."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stdout[-2000:]}{stderr[-2000:]}")
    return stdout, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run(*args: str) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak RSS (MB) of one yanzhi command."""
    _, seconds, cpu, peak = child(*YANZHI, *args)
    return seconds, cpu, peak


def step(name: str, *args: Any) -> tuple[Any, float]:
    """The JSON result and peak RSS (MB) of one step of this script, run in a fresh child
    (the step times itself, without interpreter start)."""
    stdout, _, _, peak = child(sys.executable, __file__, "--step", name, *map(str, args))
    return json.loads(stdout.strip().splitlines()[-1]), peak


# -- steps (each runs in its own child process) -----------------------------------------


def make_files(folder: str, rows: str, xlsx_rows: str) -> dict[str, Any]:
    import pandas as pd
    from openpyxl import Workbook

    from yanzhi.services.demo import panel as demo

    base = Path(folder)
    csv_path, xlsx_path = base / "rd_1m.csv", base / "rd_100k.xlsx"
    ent = base / "demo" / "enterprises.csv"
    if not (csv_path.exists() and xlsx_path.exists() and ent.exists()):
        n = max(200, round(int(rows) / 85))  # the demo panel has ~85 YTD reports per enterprise
        data = demo.build(seed=1, n_enterprises=n, last_month=(2026, 10))
        files = demo.write_files(data, base / "demo")
        ent = next(p for k, p in files.files if k == "enterprises")
        frame = demo._frame_for(demo.DATA_KINDS["rd"], data.rd.head(int(rows)))
        frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("rd")
        ws.append(list(frame.columns))
        for row in frame.tail(int(xlsx_rows)).itertuples(index=False, name=None):
            ws.append(list(row))
        wb.save(xlsx_path)
    n_csv = len(pd.read_csv(csv_path, usecols=[0]))
    return {"ent": str(ent), "csv": str(csv_path), "xlsx": str(xlsx_path), "n_csv": n_csv}


def read_path(path: str) -> float:
    """yanzhi's reader alone: find the header, map columns, type and check every cell
    (chunk by chunk, into the compact frame the import checks)."""
    from yanzhi.core.dataformats import RD_REPORTS
    from yanzhi.ingest.typed import read_typed

    t = time.perf_counter()
    read_typed(Path(path), RD_REPORTS)
    return time.perf_counter() - t


def baseline_csv(path: str) -> float:
    import pandas as pd

    t = time.perf_counter()
    pd.read_csv(path, dtype=str)
    return time.perf_counter() - t


def baseline_xlsx(path: str) -> float:
    from openpyxl import load_workbook

    t = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    for _ in wb.active.iter_rows(values_only=True):
        pass
    wb.close()
    return time.perf_counter() - t


def schema(action: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    sql = f'CREATE SCHEMA "{name}"' if action == "create" else f'DROP SCHEMA "{name}" CASCADE'
    with create_engine(PG).begin() as c:
        c.execute(text(sql))


STEPS = {
    "make-files": make_files,
    "baseline-csv": baseline_csv,
    "baseline-xlsx": baseline_xlsx,
    "read": read_path,
    "schema": schema,
}


# -- the run ----------------------------------------------------------------------------


def database(kind: str, folder: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"bench_{uuid.uuid4().hex[:8]}"
    step("schema", "create", name)
    return f"{PG}?options=-csearch_path%3D{name}", name


def drop(name: str | None, folder: Path) -> None:
    if name:
        step("schema", "drop", name)
    for db in folder.glob("bench-*.db*"):
        db.unlink()


def bench(folder: Path, rows: int, xlsx_rows: int, databases: list[str]) -> None:
    files, _ = step("make-files", folder, rows, xlsx_rows)
    csv_path, xlsx_path, n_csv = Path(files["csv"]), Path(files["xlsx"]), files["n_csv"]
    (base_csv, peak_csv), (base_xlsx, peak_xlsx) = (
        step("baseline-csv", csv_path),
        step("baseline-xlsx", xlsx_path),
    )
    print(
        f"files: {n_csv:,} CSV rows ({csv_path.stat().st_size / 2**20:.0f} MB), "
        f"{xlsx_rows:,} XLSX rows ({xlsx_path.stat().st_size / 2**20:.0f} MB)"
    )
    print(
        f"baseline pandas.read_csv: {base_csv:6.2f} s  {n_csv / base_csv:>10,.0f} rows/s  "
        f"peak {peak_csv:,.0f} MB"
    )
    print(
        f"baseline openpyxl read-only: {base_xlsx:6.2f} s  "
        f"{xlsx_rows / base_xlsx:>10,.0f} rows/s  peak {peak_xlsx:,.0f} MB"
    )
    cases = (
        ("CSV", csv_path, n_csv, base_csv, peak_csv),
        ("XLSX", xlsx_path, xlsx_rows, base_xlsx, peak_xlsx),
    )
    for label, path, n, base, base_peak in cases:
        secs, mem = step("read", path)
        goal = "met" if base / secs >= 5 else "NOT met"
        print(
            f"yanzhi read + type + check cells, {label} {n:,} rows: {secs:6.2f} s  "
            f"{n / secs:>10,.0f} rows/s  peak {mem:,.0f} MB (baseline {base_peak:,.0f} MB)  "
            f"baseline/yanzhi = {base / secs:.2f}×"
            + (f"  (goal ≥ 5× for XLSX: {goal})" if label == "XLSX" else "")
        )
    for kind in databases:
        for label, path, n, base, base_peak in cases:
            url, name = database(kind, folder)
            try:
                run("init", "--database", url)
                run("import", "enterprises", files["ent"], "--database", url)
                secs, cpu, mem = run("import", "rd", str(path), "--database", url, "--json")
            finally:
                drop(name, folder)
            goal = (
                f"goal < 60 s: {'met' if secs < 60 else 'NOT met'}"
                if label == "CSV"
                else "whole import: process start, checks against the database, commit; "
                "the ≥ 5× goal is measured on the read path above"
            )
            print(
                f"[{kind}] {label} import {n:,} rows, validated + committed: "
                f"{secs:6.2f} s (CPU {cpu:.1f} s)  {n / secs:>10,.0f} rows/s  "
                f"peak {mem:,.0f} MB (baseline {base_peak:,.0f} MB)  "
                f"baseline/yanzhi = {base / secs:.2f}×  ({goal})",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--databases", default="sqlite,postgresql")
    ap.add_argument("--folder", type=Path, help="keep (and reuse) the generated files here")
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:  # a child process run by step(): its result as JSON on stdout
        print(json.dumps(STEPS[args.step](*args.args)))
        return
    databases = args.databases.split(",")
    if args.folder:
        args.folder.mkdir(parents=True, exist_ok=True)
        bench(args.folder, args.rows, args.xlsx_rows, databases)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bench(Path(tmp), args.rows, args.xlsx_rows, databases)


if __name__ == "__main__":
    main()
