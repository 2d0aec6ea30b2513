"""Roll-up speed: every enterprise indicator for every unit (township, district, city) and
every period (YTD, month, quarter, year) from synthetic enterprise × YTD-month reports —
yanzhi (`yanzhi.core.rollup`) against (a) a straightforward pandas implementation and
(b) one hand-written DuckDB SQL query, in the same run; all three must agree.

    .venv/bin/python benchmarks/bench_rollup.py [--rows 1000000,10000000] [--no-pandas]

Goals (issue: roll-up): yanzhi ≤ 1.5 × the DuckDB query, ≥ 10 × faster than pandas,
1,000,000 rows < 1 s; approving one township's month updates every dependent number in
< 1 s on the 10,000,000-row data (`RollupState.apply_change`). All data are synthetic.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from yanzhi.core.plan.model import Formula, Indicator
from yanzhi.core.rollup import RollupState, enterprise_indicators, rollup
from yanzhi.ingest.planfile import read_plan

PLAN = "src/yanzhi/data/plans/ningbo-315-2023-2027.yaml"
N_ENTERPRISES = 20_000
N_DISTRICTS, N_TOWNSHIPS = 10, 162
DIVISIONS = [f"{d:02d}" for d in range(13, 44)]  # manufacturing divisions 13–43
SIZES = ["large", "medium", "small", "micro"]
KINDS = {"ytd": "ytd", "mon": "month", "qtr": "quarter", "yr": "year"}
LEVELS = ("township", "district", "city")


def indicators() -> list[Indicator]:
    root = os.path.join(os.path.dirname(__file__), "..")
    plan = read_plan(os.path.join(root, PLAN)).plan
    extra = [
        ("HT_NEW_PRODUCT_SHARE", "new_product_output", "operating_revenue", 100.0,
         {"hightech": True}),
        ("LM_ABOVE5_SHARE", "above_5pct", "enterprise_count", 100.0,
         {"size_class": ["large", "medium"]}),
        ("ENV_RD_INTENSITY", "rd_expense", "operating_revenue", 100.0,
         {"industry_division": ["38", "39"]}),
    ]  # fmt: skip
    return enterprise_indicators(plan.indicators) + [
        Indicator(c, c, "%", "up", "monthly", "enterprise", Formula(n, d, f, flt))
        for c, n, d, f, flt in extra
    ]


# --------------------------------------------------------------------------- data
def make_facts(rows: int, seed: int = 1) -> pl.DataFrame:
    """Synthetic enterprise × YTD-month reports (≈ 1 % of reports missing)."""
    rng = np.random.default_rng(seed)
    n_periods = -(-rows // int(N_ENTERPRISES * 0.99))
    years = -(-n_periods // 12)
    y0 = 2026 - years
    ent = np.arange(N_ENTERPRISES)
    town = rng.integers(0, N_TOWNSHIPS, N_ENTERPRISES)
    district_of_town = np.sort(rng.integers(0, N_DISTRICTS, N_TOWNSHIPS))
    division = rng.integers(0, len(DIVISIONS), N_ENTERPRISES)
    # monthly flows per enterprise, accumulated within each year
    scale = rng.lognormal(6, 1, N_ENTERPRISES).astype(np.float64)
    rd_rate = np.where(
        rng.random(N_ENTERPRISES) < 0.3, 0.0, rng.uniform(0.005, 0.08, N_ENTERPRISES)
    )
    cells = N_ENTERPRISES * years * 12
    flows = {}
    for name, base in (("operating_revenue", scale), ("new_product_output", scale * 0.2)):
        m = base[:, None, None] * rng.uniform(0.5, 1.5, (N_ENTERPRISES, years, 12))
        flows[name] = np.cumsum(m, axis=2)
    rd = flows["operating_revenue"] * rd_rate[:, None, None]
    rd *= rng.uniform(0.0, 2.0, (N_ENTERPRISES, years, 1))
    flows["rd_expense"] = rd
    flows["rd_expense_capitalised"] = rd * 0.1
    # period-major order (as monthly imports arrive), last n_periods months
    order = np.arange(cells).reshape(N_ENTERPRISES, years * 12).T.ravel()
    period_ix = np.repeat(np.arange(years * 12), N_ENTERPRISES)
    keep = period_ix >= years * 12 - n_periods
    keep &= rng.random(cells) >= 0.01
    idx = np.flatnonzero(keep)[:rows]
    cell = order[idx]
    e = cell // (years * 12)
    t = cell % (years * 12)
    year = (y0 + t // 12).astype(np.int32)
    month = (t % 12 + 1).astype(np.int32)
    n = len(idx)

    def with_nulls(a: np.ndarray, share: float) -> pl.Series:
        s = pl.Series(a)
        return s.scatter(np.flatnonzero(rng.random(n) < share), None) if share else s

    tcode = np.array([f"3302{d + 1:02d}{k:03d}" for k, d in enumerate(district_of_town)])
    dcode = np.array([f"3302{d + 1:02d}" for d in range(N_DISTRICTS)])
    cat = pl.Categorical
    df = pl.DataFrame(
        {
            "enterprise_id": ent[e].astype(np.int32),
            "year": year,
            "month": month,
            "township_code": pl.Series(tcode[town[e]]).cast(cat),
            "district_code": pl.Series(dcode[district_of_town[town[e]]]).cast(cat),
            "city_code": pl.Series(np.full(n, "330200")).cast(cat),
            "industry_division": pl.Series(np.array(DIVISIONS)[division[e]]).cast(cat),
            "operating_revenue": with_nulls(flows["operating_revenue"].reshape(-1)[cell], 0.01),
            "rd_expense": with_nulls(flows["rd_expense"].reshape(-1)[cell], 0.01),
            "rd_expense_capitalised": flows["rd_expense_capitalised"].reshape(-1)[cell],
            "rd_personnel": (scale[e] / 50).round(),
            "rd_personnel_fte": (scale[e] / 80).round(1),
            "new_product_output": with_nulls(flows["new_product_output"].reshape(-1)[cell], 0.05),
            "has_rd_institution": (ent[e] % 7 == 0),
            "above_size_industrial": (ent[e] % 10 < 6),
            "hightech": (ent[e] % 5 == 0),
            "tech_sme": (ent[e] % 3 == 0),
            "specialised": (ent[e] % 11 == 0),
            "champion": (ent[e] % 97 == 0),
            "size_class": pl.Series(np.array(SIZES)[ent[e] % 4]).cast(cat),
        }
    )
    return df.with_columns(
        pl.format("{}-01..{}", "year", pl.col("month").cast(pl.String).str.zfill(2))
        .cast(cat)
        .alias("period"),
        (pl.col("industry_division").cast(pl.String) + "11").cast(cat).alias("industry_code"),
    )


# --------------------------------------------------------------------------- pandas
def to_pandas(df: pl.DataFrame) -> pd.DataFrame:
    """Polars → pandas without pyarrow (NumPy columns; categoricals stay categorical)."""
    cols: dict[str, Any] = {}
    for name, s in df.to_dict().items():
        if isinstance(s.dtype, pl.Categorical):
            cats = s.unique().cast(pl.String).sort()
            codes = s.cast(pl.String).cast(pl.Enum(cats)).to_physical().to_numpy()
            cols[name] = pd.Categorical.from_codes(codes, cats.to_list())
        else:
            cols[name] = s.to_numpy()  # nulls → NaN (floats) / None (objects)
    return pd.DataFrame(cols)


def _mask(df: pd.DataFrame, filt: dict[str, Any]) -> pd.Series:
    m = pd.Series(True, index=df.index)
    for k, v in filt.items():
        m &= df[k].isin(v) if isinstance(v, list) else (df[k] == v)
    return m


def _derived(df: pd.DataFrame, lag: int, first: int, only: pd.Series) -> pd.DataFrame:
    """Per enterprise: YTD(month) − YTD(month − lag), where both exist (``first``: as is)."""
    cur = df[only]
    prev = df[["enterprise_id", "year", "month", *FLOWS]].copy()
    prev["month"] += lag
    out = cur.merge(prev, on=["enterprise_id", "year", "month"], how="left",
                    suffixes=("", "_prev"), indicator=True)  # fmt: skip
    ok = (out["month"] == first) | (out["_merge"] == "both")
    out = out[ok].copy()
    later = out["month"] != first
    for c in FLOWS:
        out.loc[later, c] = out.loc[later, c] - out.loc[later, f"{c}_prev"]
    return out.drop(columns=[f"{c}_prev" for c in FLOWS] + ["_merge"])


FLOWS = ["operating_revenue", "rd_expense", "new_product_output"]


def pandas_rollup(df: pd.DataFrame, inds: list[Indicator]) -> pd.DataFrame:
    versions = {
        "ytd": df,
        "yr": df[df["month"] == 12],
        "mon": _derived(df, 1, 1, pd.Series(True, index=df.index)),
        "qtr": _derived(df, 3, 3, df["month"] % 3 == 0),
    }
    out = []
    for kind, v in versions.items():
        v = v.assign(
            enterprise_count=1,
            rd_active_enterprises=(v["rd_expense"] > 0).astype(int),
            above_5pct=(v["rd_expense"] > 0.05 * v["operating_revenue"]).astype(int),
            has_rd_institution=v["has_rd_institution"].astype(int),
        )
        for ind in inds:
            f = ind.formula
            cols = [f.numerator] + ([f.denominator] if f.denominator else [])
            m = _mask(v, f.filter) & v[cols].notna().all(axis=1)
            sel = v.loc[m, cols].assign(n=1)
            for level in LEVELS:
                keys = [f"{level}_code", "year", "month"]
                present = v[keys].drop_duplicates()
                g = sel.join(v.loc[m, keys]).groupby(keys, observed=True).sum()
                g = present.merge(g.reset_index(), on=keys, how="left").fillna(0)
                g = g.rename(columns={f"{level}_code": "unit_code", f.numerator: "numerator"})
                g["denominator"] = g[f.denominator] if f.denominator else np.nan
                if f.denominator:
                    den = g["denominator"].where(g["denominator"] != 0)
                    g["value"] = f.factor * g["numerator"] / den
                else:
                    g["value"] = f.factor * g["numerator"]
                g["indicator"], g["level"], g["kind"] = ind.code, level, kind
                out.append(g[["indicator", "level", "unit_code", "year", "month", "kind",
                              "numerator", "denominator", "value", "n"]])  # fmt: skip
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------------------- DuckDB
def _sql_filter(filt: dict[str, Any]) -> str:
    parts = []
    for k, v in filt.items():
        if isinstance(v, list):
            parts.append(f"{k}::VARCHAR IN ({', '.join(repr(str(x)) for x in v)})")
        elif isinstance(v, bool):
            parts.append(k if v else f"NOT {k}")
        else:
            parts.append(f"{k}::VARCHAR = {str(v)!r}")
    return " AND ".join(parts) or "TRUE"


def duckdb_sql(inds: list[Indicator], township_first: bool = False) -> str:
    """One query. ``township_first``: sum per township first, then GROUPING SETS over that
    small table (a hand-tuned variant; the plain one runs GROUPING SETS over all rows)."""
    attrs = "above_size_industrial, hightech, size_class, industry_division"
    vers = []
    for v, first, pre, ok in (
        ("ytd", None, None, "TRUE"),
        ("mon", 1, "m", "(c.month = 1 OR m.ok)"),
        ("qtr", 3, "q", "(c.month = 3 OR (c.month % 3 = 0 AND q.ok))"),
        ("yr", None, None, "c.month = 12"),
    ):
        vers.append(f"{ok} AS {v}_ok")
        for c in FLOWS:
            expr = (
                f"c.{c}"
                if pre is None
                else (f"CASE WHEN c.month = {first} THEN c.{c} ELSE c.{c} - {pre}.{c} END")
            )
            vers.append(f"{expr} AS {v}_{c}")
    aggs = []
    for v in KINDS:
        ok, rd, rev = f"{v}_ok", f"{v}_rd_expense", f"{v}_operating_revenue"
        elem = {
            "enterprise_count": "1",
            "rd_active_enterprises": f"CASE WHEN {rd} > 0 THEN 1 ELSE 0 END",
            "above_5pct": f"CASE WHEN {rd} > 0.05 * {rev} THEN 1 ELSE 0 END",
            "has_rd_institution": "CASE WHEN has_rd_institution THEN 1 ELSE 0 END",
        } | {c: f"{v}_{c}" for c in FLOWS}
        aggs.append(f"COUNT(*) FILTER (WHERE {ok}) AS {v}__rows")
        for i, ind in enumerate(inds):
            f = ind.formula
            cols = [f.numerator] + ([f.denominator] if f.denominator else [])
            nn = " AND ".join(f"{elem[c]} IS NOT NULL" for c in cols)
            mask = f"{ok} AND {_sql_filter(f.filter)} AND {nn}"
            aggs.append(
                f"SUM(CASE WHEN {mask} THEN {elem[f.numerator]} ELSE 0 END) AS {v}__{i}_num"
            )
            if f.denominator:
                aggs.append(
                    f"SUM(CASE WHEN {mask} THEN {elem[f.denominator]} ELSE 0 END) AS {v}__{i}_den"
                )
            aggs.append(f"COUNT(*) FILTER (WHERE {mask}) AS {v}__{i}_n")
    prev = ", ".join(FLOWS)
    sets = """GROUP BY GROUPING SETS ((city_code, district_code, township_code, year, month),
                            (city_code, district_code, year, month), (city_code, year, month))"""
    level = """CASE WHEN GROUPING(township_code) = 0 THEN 'township'
                WHEN GROUPING(district_code) = 0 THEN 'district' ELSE 'city' END AS level,
           COALESCE(township_code::VARCHAR, district_code::VARCHAR, city_code::VARCHAR)
             AS unit_code"""
    if township_first:
        names = [a.rsplit(" AS ", 1)[1] for a in aggs]
        outer = ", ".join(f"SUM({n}) AS {n}" for n in names)
        final = f"""t AS (
      SELECT township_code, district_code, city_code, year, month, {", ".join(aggs)}
      FROM v GROUP BY township_code, district_code, city_code, year, month
    )
    SELECT {level}, year, month, {outer}
    FROM t
    {sets}"""
    else:
        final = f"""x AS (SELECT 1)
    SELECT {level}, year, month, {", ".join(aggs)}
    FROM v
    {sets}"""
    return f"""
    WITH p AS (SELECT enterprise_id, year, month, {prev}, TRUE AS ok FROM facts),
    v AS (
      SELECT c.township_code, c.district_code, c.city_code, c.year, c.month,
             c.has_rd_institution, {", ".join("c." + a.strip() for a in attrs.split(","))},
             {", ".join(vers)}
      FROM facts c
      LEFT JOIN p m ON m.enterprise_id = c.enterprise_id AND m.year = c.year
                   AND m.month = c.month - 1
      LEFT JOIN p q ON q.enterprise_id = c.enterprise_id AND q.year = c.year
                   AND q.month = c.month - 3 AND c.month % 3 = 0
    ),
    {final}
    """


def duckdb_long(wide: pd.DataFrame, inds: list[Indicator]) -> pd.DataFrame:
    out = []
    for v in KINDS:
        part = wide[wide[f"{v}__rows"] > 0]
        for i, ind in enumerate(inds):
            f = ind.formula
            num = part[f"{v}__{i}_num"].astype(float)
            den = part[f"{v}__{i}_den"].astype(float) if f.denominator else np.nan
            value = f.factor * num / den.where(den != 0) if f.denominator else f.factor * num
            out.append(pd.DataFrame({
                "indicator": ind.code, "level": part["level"], "unit_code": part["unit_code"],
                "year": part["year"], "month": part["month"], "kind": v, "numerator": num,
                "denominator": den, "value": value, "n": part[f"{v}__{i}_n"],
            }))  # fmt: skip
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------------------- compare
def to_keyed(res: pl.DataFrame) -> pd.DataFrame:
    """yanzhi's long result → the keys the baselines use (year, month, kind)."""
    kind_back = {"ytd": "ytd", "month": "mon", "quarter": "qtr", "year": "yr"}
    p, kind = pl.col("period"), pl.col("period_kind")

    def num(start: int, length: int) -> pl.Expr:
        return p.str.slice(start, length).cast(pl.Int32, strict=False)

    df = res.with_columns(
        num(0, 4).alias("year"),
        pl.when(kind == "ytd").then(num(9, 2))
        .when(kind == "month").then(num(5, 2))
        .when(kind == "quarter").then(num(5, 1) * 3)
        .otherwise(12).alias("month"),
        kind.replace_strict(kind_back).alias("kind"),
        pl.col("n_enterprises").alias("n"),
    )  # fmt: skip
    return to_pandas(df.select("indicator", "level", "unit_code", "year", "month", "kind",
                               "numerator", "denominator", "value", "n"))  # fmt: skip


def max_rel_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    keys = ["indicator", "level", "unit_code", "year", "month", "kind"]
    a = a.astype({"unit_code": str, "year": int, "month": int})
    b = b.astype({"unit_code": str, "year": int, "month": int})
    m = a.merge(b, on=keys, how="outer", indicator=True)
    if (m["_merge"] != "both").any() or len(m) != len(a) or len(m) != len(b):
        return float("inf")
    worst = 0.0
    for c in ("numerator", "denominator", "value", "n"):
        x, y = m[f"{c}_x"].astype(float), m[f"{c}_y"].astype(float)
        if not (x.isna() == y.isna()).all():
            return float("inf")
        d = ((x - y).abs() / np.maximum(1.0, y.abs())).fillna(0.0)
        worst = max(worst, float(d.max()) if len(d) else 0.0)
    return worst


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def run(rows: int, inds: list[Indicator], with_pandas: bool) -> None:
    print(f"\n== {rows:,} rows ==")
    t = time.perf_counter()
    facts = make_facts(rows)
    mb, took = facts.estimated_size("mb"), time.perf_counter() - t
    print(f"synthetic facts: {facts.height:,} rows × {facts.width} columns, {mb:.0f} MB, "
          f"built in {took:.1f} s")  # fmt: skip
    repeat = 3 if rows <= 2_000_000 else 2
    t_y, res = best(lambda: rollup(facts, inds), repeat)
    print(f"yanzhi rollup:  {t_y:8.3f} s  ({res.height:,} result rows; best of {repeat}; "
          f"process peak RSS so far {peak_mb():,.0f} MB)")  # fmt: skip
    con = duckdb.connect()
    con.execute(f"SET threads = {os.cpu_count()}")
    con.register("facts_df", to_pandas(facts))
    con.execute("CREATE TABLE facts AS SELECT * FROM facts_df")  # DuckDB's own columnar copy
    con.unregister("facts_df")
    sql = duckdb_sql(inds)
    t_d, wide = best(lambda: con.execute(sql).df(), repeat)
    print(f"DuckDB query, GROUPING SETS over all rows:          {t_d:8.3f} s")
    sql2 = duckdb_sql(inds, township_first=True)
    t_d2, wide2 = best(lambda: con.execute(sql2).df(), repeat)
    print(f"DuckDB query, townships first, then GROUPING SETS:  {t_d2:8.3f} s")
    con.close()
    mine = to_keyed(res)
    diff_d = max(
        max_rel_diff(mine, duckdb_long(wide, inds)), max_rel_diff(mine, duckdb_long(wide2, inds))
    )
    t_p, diff_p = float("nan"), float("nan")
    if with_pandas:
        pdf = to_pandas(facts.with_columns(pl.col(pl.Categorical).cast(pl.String)))
        t_p, pres = best(lambda: pandas_rollup(pdf, inds), 1)
        print(f"pandas:         {t_p:8.3f} s")
        diff_p = max_rel_diff(mine, pres)
        del pdf, pres
    agree = diff_d < 1e-9 and (diff_p < 1e-9 or not with_pandas)
    print(f"agreement: max rel diff yanzhi–DuckDB {diff_d:.2e}, yanzhi–pandas {diff_p:.2e}"
          f"  → {'OK' if agree else 'MISMATCH'}")  # fmt: skip
    r_d, r_p = t_y / min(t_d, t_d2), t_p / t_y
    print(f"yanzhi/DuckDB (faster query) = {r_d:.2f} (goal ≤ 1.5: "
          f"{'met' if r_d <= 1.5 else 'NOT met'}); vs the plain query {t_y / t_d:.2f}")  # fmt: skip
    if with_pandas:
        print(f"pandas/yanzhi = {r_p:.1f} (goal ≥ 10: {'met' if r_p >= 10 else 'NOT met'})")
    if rows == 1_000_000:
        print(f"1,000,000-row goal < 1 s: {'met' if t_y < 1 else 'NOT met'} ({t_y:.3f} s)")
    del res, mine, wide, wide2
    freshness(facts, inds)


def freshness(facts: pl.DataFrame, inds: list[Indicator]) -> None:
    t = time.perf_counter()
    state = RollupState.build(facts, inds)
    print(f"RollupState.build (sums + per-period split): {time.perf_counter() - t:.3f} s")
    years = sorted(facts["year"].unique().to_list())
    y, m = years[len(years) // 2], 6
    town = state.parts[(y, m)]["township_code"][0]
    old = state.parts[(y, m)].filter(pl.col("township_code") == town)
    new = old.with_columns(pl.col("rd_expense") * 1.25, pl.col("operating_revenue") * 0.9,
                           ~pl.col("has_rd_institution"))  # fmt: skip
    t = time.perf_counter()
    changed = state.apply_change(old, new)
    t_f = time.perf_counter() - t
    print(f"freshness: approve {town} {y}-01..{m:02d} ({old.height} reports) → "
          f"{changed.height:,} updated result rows in {t_f * 1000:.0f} ms "
          f"(goal < 1 s: {'met' if t_f < 1 else 'NOT met'})")  # fmt: skip
    key = ["enterprise_id", "year", "month"]
    updated = pl.concat(
        [facts.join(new.select(key), on=key, how="anti"), new.select(facts.columns)]
    )
    full = rollup(updated, inds)
    full = full.filter(pl.col("period").is_in(changed["period"].unique().implode()))
    diff = max_rel_diff(to_keyed(changed), to_keyed(full))
    print(f"freshness check against a full rebuild: max rel diff {diff:.2e} "
          f"→ {'OK' if diff < 1e-9 else 'MISMATCH'}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="1000000,10000000", help="comma-separated row counts")
    ap.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    args = ap.parse_args()
    inds = indicators()
    print(f"indicators: {', '.join(i.code for i in inds)}")
    print(f"polars {pl.__version__}, duckdb {duckdb.__version__}, pandas {pd.__version__}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    for rows in (int(r) for r in args.rows.split(",")):
        run(rows, inds, not args.no_pandas)
    print(f"\npeak memory of the whole run (max RSS, incl. pandas and DuckDB): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
