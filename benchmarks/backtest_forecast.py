"""Rolling-origin back-test of the forecast's 80 % interval (docs/methods.md, "The verdict").

For every annual series and every year t with at least three values up to t, the forecast is
fitted on the values up to t and the realised value of t + h (h = 1, 2, 3) is checked against
its 80 % interval. Prints the coverage by horizon for the model in use (random walk with drift
on the last five values) and the one it replaced (OLS trend on every value), on:

* the demo's annual series (every unit and headline indicator; the SYNTHETIC demo panel),
  and the city and district series alone;
* 49 real annual series: the national headline series of Statistics Canada's Canadian
  Indicator Framework (benchmarks/data/cif_headline_series.csv, see benchmarks/data/README.md).

    PYTHONPATH=src .venv/bin/python benchmarks/backtest_forecast.py [--database URL]

Without ``--database`` a demo database (2,000 enterprises, seed 2027) is built in a temporary
folder first.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections.abc import Mapping
from pathlib import Path

from yanzhi.core.forecast import MODEL_OLS, MODEL_RW_DRIFT, Coverage, backtest

HERE = Path(__file__).parent
CIF = HERE / "data" / "cif_headline_series.csv"


def real_series() -> list[dict[int, float]]:
    """The 49 real annual series of the CIF file."""
    out: dict[str, dict[int, float]] = {}
    with CIF.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["series"], {})[int(row["year"])] = float(row["value"])
    return list(out.values())


def demo_series(url: str) -> dict[tuple[str, str, str], dict[int, float]]:
    """Every headline indicator's annual series in every unit: (level, unit, indicator) →
    {year: value}."""
    from yanzhi.services.monitoring.status import status_many
    from yanzhi.storage.db import make_engine, transaction
    from yanzhi.storage.orgunits import load_org_tree

    engine = make_engine(url)
    with transaction(engine) as session:
        tree = load_org_tree(session)
    codes: list[str | None] = [u.code for u in tree if str(u.level) != "province"]
    out = {}
    for st in status_many(engine, codes, allow_empty=True):
        for i in st.indicators:
            if len(i.series) >= 4:
                key = (st.unit.level, st.unit.code, i.indicator)
                out[key] = {int(y): float(v) for y, v in i.series.items()}
    engine.dispose()
    return out


def build_demo(folder: Path, n: int) -> str:
    """A demo database in ``folder`` (the SYNTHETIC panel, everything computed)."""
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import panel as demo
    from yanzhi.storage.db import make_engine

    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    init_database(engine, actor="backtest")
    data = demo.build(seed=2027, n_enterprises=n)
    demo.load(engine, data, demo.write_files(data, folder / "files"), actor="backtest", tasks=False)
    engine.dispose()
    return url


def table(name: str, series: list[Mapping[int, float]]) -> None:
    """Print one set's coverage by horizon for both models."""
    for model in (MODEL_OLS, MODEL_RW_DRIFT):
        rows: list[Coverage] = backtest(series, model=model)
        cells = "  ".join(
            f"{'all' if r.horizon == 0 else f'h={r.horizon}'}: "
            f"{100 * (r.rate or 0):5.1f}% ({r.covered}/{r.cases})"
            for r in rows
        )
        print(f"{name:<28} {len(series):>4}  {model:<9} {cells}")


def main() -> None:
    """Build or open the demo, then print the coverage table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database", help="a computed yanzhi database (default: build a demo)")
    ap.add_argument("--enterprises", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or build_demo(Path(tmp), args.enterprises)
        demo = demo_series(url)
    print(f"{'series set':<28} {'n':>4}  {'model':<9} 80 % interval coverage (target 75–85 %)")
    table("demo (SYNTHETIC), all units", list(demo.values()))
    table(
        "demo, city and districts",
        [s for (level, _, _), s in demo.items() if level in ("city", "district")],
    )
    table("CIF (real, Statistics Canada)", real_series())


if __name__ == "__main__":
    main()
