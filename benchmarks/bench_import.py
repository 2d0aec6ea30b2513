"""Import speed: 1,000,000 R&D report rows from CSV and 100,000 from XLSX, validated and
committed, on SQLite and on PostgreSQL — against a plain baseline in the same run
(pandas.read_csv / openpyxl read-only reading the same file: no validation, no database).

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--xlsx-rows 100000]
        [--databases sqlite,postgresql]

Each import runs as `yanzhi import rd FILE` in a child process, so the time is what a
user waits and the peak memory (max RSS) is the import's own. Goals (issue #3): the XLSX
path ≥ 5× faster than the openpyxl baseline; the 1,000,000-row CSV import < 60 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, text

from yanzhi.core.dataformats import RD_REPORTS
from yanzhi.ingest.parse import parse_table
from yanzhi.ingest.tabular import read_table
from yanzhi.services import demo

YANZHI = [sys.executable, "-m", "yanzhi.cli.main"]
PG = os.environ.get("YANZHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run(*args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one yanzhi command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([*YANZHI, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(
            f"yanzhi {' '.join(args)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def make_files(folder: Path, rows: int, xlsx_rows: int) -> tuple[Path, Path, Path]:
    n = max(200, round(rows / 85))  # the demo panel has ~85 YTD reports per enterprise
    data = demo.build(seed=1, n_enterprises=n, last_month=(2026, 10))
    files = demo.write_files(data, folder / "demo")
    ent = next(p for k, p in files.files if k == "enterprises")
    frame = demo._frame_for(demo.DATA_KINDS["rd"], data.rd.head(rows))
    csv_path = folder / "rd_1m.csv"
    frame.to_csv(csv_path, index=False, encoding="utf-8-sig")
    xlsx_path = folder / "rd_100k.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rd")
    ws.append(list(frame.columns))
    for row in frame.tail(xlsx_rows).itertuples(index=False, name=None):
        ws.append(list(row))
    wb.save(xlsx_path)
    return ent, csv_path, xlsx_path


def read_path(path: Path) -> float:
    """yanzhi's reader alone: find the header, map columns, type and check every cell."""
    t = time.perf_counter()
    table = read_table(path, RD_REPORTS)
    parse_table(table, RD_REPORTS)
    return time.perf_counter() - t


def baseline_csv(path: Path) -> float:
    t = time.perf_counter()
    pd.read_csv(path, dtype=str)
    return time.perf_counter() - t


def baseline_xlsx(path: Path) -> float:
    t = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    for _ in wb.active.iter_rows(values_only=True):
        pass
    wb.close()
    return time.perf_counter() - t


def database(kind: str, folder: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(PG).begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{PG}?options=-csearch_path%3D{schema}", schema


def drop(schema: str | None) -> None:
    if schema:
        with create_engine(PG).begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--databases", default="sqlite,postgresql")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ent, csv_path, xlsx_path = make_files(folder, args.rows, args.xlsx_rows)
        n_csv = len(pd.read_csv(csv_path, usecols=[0]))
        base_csv, base_xlsx = baseline_csv(csv_path), baseline_xlsx(xlsx_path)
        print(
            f"files: {n_csv:,} CSV rows ({csv_path.stat().st_size / 2**20:.0f} MB), "
            f"{args.xlsx_rows:,} XLSX rows ({xlsx_path.stat().st_size / 2**20:.0f} MB)"
        )
        print(f"baseline pandas.read_csv: {base_csv:6.2f} s  {n_csv / base_csv:>10,.0f} rows/s")
        print(
            f"baseline openpyxl read-only: {base_xlsx:6.2f} s  "
            f"{args.xlsx_rows / base_xlsx:>10,.0f} rows/s"
        )
        for label, path, rows, base in (
            ("CSV", csv_path, n_csv, base_csv),
            ("XLSX", xlsx_path, args.xlsx_rows, base_xlsx),
        ):
            secs = read_path(path)
            print(
                f"yanzhi read + type + check cells, {label} {rows:,} rows: {secs:6.2f} s  "
                f"{rows / secs:>10,.0f} rows/s  baseline/yanzhi = {base / secs:.2f}×"
                + (
                    "  (goal ≥ 5× for XLSX: " + ("met" if base / secs >= 5 else "NOT met") + ")"
                    if label == "XLSX"
                    else ""
                )
            )
        for kind in args.databases.split(","):
            for label, path, rows, base in (
                ("CSV", csv_path, n_csv, base_csv),
                ("XLSX", xlsx_path, args.xlsx_rows, base_xlsx),
            ):
                url, schema = database(kind, folder)
                try:
                    run("init", "--database", url)
                    run("import", "enterprises", str(ent), "--database", url)
                    secs, mem = run("import", "rd", str(path), "--database", url, "--json")
                finally:
                    drop(schema)
                goal = (
                    f"goal < 60 s: {'met' if secs < 60 else 'NOT met'}"
                    if label == "CSV"
                    else "whole import: process start, checks against the database, commit; "
                    "the ≥ 5× goal is measured on the read path above"
                )
                print(
                    f"[{kind}] {label} import {rows:,} rows, validated + committed: "
                    f"{secs:6.2f} s  {rows / secs:>10,.0f} rows/s  peak {mem:,.0f} MB  "
                    f"baseline/yanzhi = {base / secs:.2f}×  ({goal})"
                )


if __name__ == "__main__":
    main()
