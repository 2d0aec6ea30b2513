"""Import speed and memory against the budgets of issue #19, on SQLite and PostgreSQL, with
plain baselines measured in the same run (pandas.read_csv / openpyxl read-only reading
the same file: no validation, no database).

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--xlsx-rows 100000]
        [--changed-every 10] [--repeat 3] [--databases sqlite,postgresql] [--folder DIR]

Budgets (each printed with its figure, the same run's baseline, the ratio and PASS/FAIL):

- a CSV of 1,000,000 R&D report rows, validated and committed, in under 60 s and under
  1 GB peak memory — imported into an empty year (first import), again unchanged (every
  row compared with the stored one: the re-import that peaked at 1.5 GB before), and
  again with one row in ``--changed-every`` changed (new versions, audit entries);
- the whole import of an XLSX of 100,000 rows (read, checked against the database,
  committed) at least 5× faster than openpyxl's bare read of the same file
  (``read_only=True``, iterating the values). Both are timed in a child process after
  their modules are imported, from opening the file to the commit (``import_file``) or
  to the last row (openpyxl). The command line's wall time for the same import, process
  start included, is printed beside it. On a machine shared with others a burst of load
  can slow either side several times over, so each side is run ``--repeat`` times (each
  import into a fresh database) and the best counts, as ``timeit`` does.

Each CSV import runs as ``yanzhi import rd FILE`` in a child process, so the time is what
a user waits and the peak memory (max RSS, from ``wait4`` of that very child) is the
import's own. The baselines, the XLSX import and the making of the files run in child
processes too, and this parent imports nothing heavy: Linux carries the parent's RSS
into a child's max RSS at fork/exec, so a large parent would hide the children's peaks.
CPU seconds (user + system of the child) are printed too: the steadier figure on a
machine shared with others (PostgreSQL's own work is in its server processes, not here).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

YANZHI = [sys.executable, "-m", "yanzhi.cli.main"]
PG = os.environ.get("YANZHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MAX_SECONDS = 60.0
MAX_PEAK_MB = 1024.0
MIN_XLSX_RATIO = 5.0


@dataclass
class Run:
    """One child process: its stdout, wall seconds, CPU seconds and peak RSS (MB)."""

    stdout: str
    seconds: float
    cpu: float
    peak: float


def child(*argv: str) -> Run:
    """Run ``argv`` and measure it — its own peak, not the largest of all children so far
    (``wait4`` reports the rusage of that child alone)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stdout[-2000:]}{stderr[-2000:]}")
    return Run(stdout, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def yanzhi(*args: str) -> Run:
    return child(*YANZHI, *args)


def step(name: str, *args: Any) -> tuple[Any, Run]:
    """The JSON result of one step of this script, run in a fresh child, and the child's
    measures (the step times itself, without interpreter start and imports)."""
    run = child(sys.executable, __file__, "--step", name, *map(str, args))
    return json.loads(run.stdout.strip().splitlines()[-1]), run


# -- steps (each runs in its own child process) -----------------------------------------


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_files(folder: str, rows: str, xlsx_rows: str, every: str) -> dict[str, Any]:
    """The demo register, a CSV of ``rows`` reports, the same CSV with the new-product
    output of one row in ``every`` raised by 1 万元 (a value no check compares across
    rows), and an XLSX of the last ``xlsx_rows`` reports."""
    import pandas as pd
    from openpyxl import Workbook

    from yanzhi.services.demo import panel as demo

    base = Path(folder)
    csv_path, xlsx_path = base / "rd_1m.csv", base / "rd_100k.xlsx"
    changed_path = base / f"rd_1m_changed_{every}.csv"
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
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if not changed_path.exists():
        column = next(c for c in frame.columns if c.startswith("新产品产值"))
        hit = (frame.index % int(every) == 3) & (frame[column] != "")
        frame.loc[hit, column] = (frame.loc[hit, column].astype(float) + 1).round(2).astype(str)
        frame.to_csv(changed_path, index=False, encoding="utf-8-sig")
    return {
        "ent": str(ent),
        "csv": str(csv_path),
        "changed": str(changed_path),
        "xlsx": str(xlsx_path),
        "n_csv": len(frame),
    }


def baseline_csv(path: str) -> dict[str, float]:
    import pandas as pd

    t, c = time.perf_counter(), _cpu()
    pd.read_csv(path, dtype=str)
    return {"seconds": time.perf_counter() - t, "cpu": _cpu() - c}


def baseline_xlsx(path: str) -> dict[str, float]:
    from openpyxl import load_workbook

    t, c = time.perf_counter(), _cpu()
    wb = load_workbook(path, read_only=True)
    for _ in wb.active.iter_rows(values_only=True):
        pass
    wb.close()
    return {"seconds": time.perf_counter() - t, "cpu": _cpu() - c}


def import_timed(url: str, path: str) -> dict[str, Any]:
    """The whole import of one file as the services run it (read, checks against the
    database, commit), timed after the modules it uses are imported."""
    import fastexcel  # noqa: F401  (imported lazily by the reader: not part of the timing)
    import polars  # noqa: F401

    from yanzhi.services.collection.imports import import_file
    from yanzhi.storage.db import make_engine

    engine = make_engine(url)
    t, c = time.perf_counter(), _cpu()
    report = import_file(engine, "rd", Path(path), actor="bench")
    seconds, cpu = time.perf_counter() - t, _cpu() - c
    engine.dispose()
    if not report.ok:
        raise SystemExit(f"import failed: {report.errors[:3]}")
    return {"seconds": seconds, "cpu": cpu, "created": report.created}


def schema(action: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    sql = f'CREATE SCHEMA "{name}"' if action == "create" else f'DROP SCHEMA "{name}" CASCADE'
    with create_engine(PG).begin() as c:
        c.execute(text(sql))


STEPS = {
    "make-files": make_files,
    "baseline-csv": baseline_csv,
    "baseline-xlsx": baseline_xlsx,
    "import-timed": import_timed,
    "schema": schema,
}


# -- the run ----------------------------------------------------------------------------


class Budgets:
    """Every budget's line: figure, the same run's baseline, ratio, limit, PASS/FAIL."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str, str, str, bool]] = []

    def add(self, name: str, figure: str, baseline: str, ratio: str, limit: str, ok: bool) -> None:
        self.lines.append((name, figure, baseline, ratio, limit, ok))
        print(
            f"  {name}: {figure}  (baseline {baseline}; {ratio}; budget {limit}) "
            f"{'PASS' if ok else 'FAIL'}",
            flush=True,
        )

    def table(self) -> None:
        head = ("budget", "figure", "same-run baseline", "ratio", "budget", "result")
        rows = [head, *[(*line[:5], "PASS" if line[5] else "FAIL") for line in self.lines]]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        print()
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        failed = sum(not line[5] for line in self.lines)
        print(f"\n{len(self.lines) - failed} of {len(self.lines)} budgets met", flush=True)


def _seconds(runs: list[tuple[Any, Run]]) -> str:
    return ", ".join(f"{r[0]['seconds']:.2f}" for r in runs)


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


def fresh(kind: str, folder: Path, enterprises: str) -> tuple[str, str | None]:
    """A new database holding the demo register (and no reports)."""
    url, name = database(kind, folder)
    yanzhi("init", "--database", url)
    yanzhi("import", "enterprises", enterprises, "--database", url)
    return url, name


def csv_imports(
    kind: str, folder: Path, files: dict[str, Any], base: dict[str, float], budgets: Budgets
) -> None:
    """First import, unchanged re-import and changed re-import of the CSV, one database."""
    n = files["n_csv"]
    url, name = fresh(kind, folder, files["ent"])
    try:
        for label, path in (
            ("first import", files["csv"]),
            ("re-import, unchanged", files["csv"]),
            ("re-import, values changed", files["changed"]),
        ):
            run = yanzhi("import", "rd", path, "--database", url, "--json")
            rep = json.loads(run.stdout)
            print(
                f"[{kind}] CSV {label}: {n:,} rows, {run.seconds:.2f} s (CPU {run.cpu:.1f} s), "
                f"{n / run.seconds:,.0f} rows/s, peak {run.peak:,.0f} MB; created "
                f"{rep['created']:,}, updated {rep['updated']:,}, unchanged {rep['unchanged']:,}",
                flush=True,
            )
            what = f"[{kind}] CSV {n:,} rows, {label}"
            budgets.add(
                f"{what}: time",
                f"{run.seconds:.1f} s",
                f"pandas.read_csv {base['seconds']:.2f} s",
                f"{run.seconds / base['seconds']:.1f}× the baseline",
                f"< {MAX_SECONDS:.0f} s",
                run.seconds < MAX_SECONDS,
            )
            budgets.add(
                f"{what}: peak RSS",
                f"{run.peak:,.0f} MB",
                f"pandas.read_csv {base['peak']:,.0f} MB",
                f"{run.peak / base['peak']:.2f}× the baseline",
                f"< {MAX_PEAK_MB:,.0f} MB",
                run.peak < MAX_PEAK_MB,
            )
    finally:
        drop(name, folder)


def xlsx_import(
    kind: str,
    folder: Path,
    files: dict[str, Any],
    base: dict[str, float],
    budgets: Budgets,
    repeat: int,
) -> None:
    """The XLSX's whole import timed in a child after its imports (the budget), each time
    into a fresh database, best of ``repeat``; then the same import by the command line
    (process start included)."""
    n, path = files["xlsx_rows"], files["xlsx"]
    runs = []
    for _ in range(repeat):
        url, name = fresh(kind, folder, files["ent"])
        try:
            runs.append(step("import-timed", url, path))
        finally:
            drop(name, folder)
    timed = min((r[0] for r in runs), key=lambda r: r["seconds"])
    cpu, peak = min(r[0]["cpu"] for r in runs), max(r[1].peak for r in runs)
    url, name = fresh(kind, folder, files["ent"])
    try:
        cli = yanzhi("import", "rd", path, "--database", url, "--json")
    finally:
        drop(name, folder)
    ratio, cpu_ratio = base["seconds"] / timed["seconds"], base["cpu"] / cpu
    print(
        f"[{kind}] XLSX whole import, {n:,} rows, best of {repeat}: {timed['seconds']:.2f} s "
        f"(all: {_seconds(runs)} s; CPU {cpu:.2f} s), peak "
        f"{peak:,.0f} MB; created {timed['created']:,}; openpyxl/yanzhi = {ratio:.2f}× (CPU "
        f"{cpu_ratio:.2f}×); the command line, process start included: {cli.seconds:.2f} s "
        f"(CPU {cli.cpu:.2f} s) = {base['seconds'] / cli.seconds:.2f}×",
        flush=True,
    )
    budgets.add(
        f"[{kind}] XLSX {n:,} rows, whole import vs openpyxl bare read",
        f"{timed['seconds']:.2f} s",
        f"openpyxl read-only {base['seconds']:.2f} s",
        f"{ratio:.2f}× faster (CPU {cpu_ratio:.2f}×)",
        f"≥ {MIN_XLSX_RATIO:.0f}×",
        ratio >= MIN_XLSX_RATIO,
    )


def bench(
    folder: Path, rows: int, xlsx_rows: int, every: int, repeat: int, databases: list[str]
) -> None:
    files, _ = step("make-files", folder, rows, xlsx_rows, every)
    files["xlsx_rows"] = xlsx_rows
    csv_path, xlsx_path = Path(files["csv"]), Path(files["xlsx"])
    base_csv, run_csv = step("baseline-csv", csv_path)
    xlsx_runs = [step("baseline-xlsx", xlsx_path) for _ in range(repeat)]
    base_xlsx = min((r[0] for r in xlsx_runs), key=lambda r: r["seconds"])
    base_xlsx["cpu"] = min(r[0]["cpu"] for r in xlsx_runs)
    base_csv["peak"], base_xlsx["peak"] = run_csv.peak, max(r[1].peak for r in xlsx_runs)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores\n"
        f"files: {files['n_csv']:,} CSV rows ({csv_path.stat().st_size / 2**20:.0f} MB), the "
        f"same with one row in {every} changed, {xlsx_rows:,} XLSX rows "
        f"({xlsx_path.stat().st_size / 2**20:.0f} MB)\n"
        f"baseline pandas.read_csv: {base_csv['seconds']:.2f} s (CPU {base_csv['cpu']:.2f} s), "
        f"peak {base_csv['peak']:,.0f} MB\n"
        f"baseline openpyxl read-only, best of {repeat}: {base_xlsx['seconds']:.2f} s (all: "
        f"{_seconds(xlsx_runs)} s; CPU "
        f"{base_xlsx['cpu']:.2f} s), peak {base_xlsx['peak']:,.0f} MB",
        flush=True,
    )
    budgets = Budgets()
    for kind in databases:
        csv_imports(kind, folder, files, base_csv, budgets)
        xlsx_import(kind, folder, files, base_xlsx, budgets, repeat)
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    budgets.table()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--changed-every", type=int, default=10, help="change one row in N")
    ap.add_argument("--repeat", type=int, default=3, help="XLSX runs: the best of N counts")
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
        bench(args.folder, args.rows, args.xlsx_rows, args.changed_every, args.repeat, databases)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bench(Path(tmp), args.rows, args.xlsx_rows, args.changed_every, args.repeat, databases)


if __name__ == "__main__":
    main()
