"""Uncertainty-analysis speed: 1,000 Monte Carlo draws on 162 units × 30 indicators with the
engine (`yanzhi.core.composite.robustness.uncertainty`, stacked array aggregation) against a
plain loop that rebuilds the index with pandas for each draw (normalise + aggregate), in the
same run, on the SAME draws (the loop replays the engine's choices and noisy weights), so the
ranks must agree exactly.

    .venv/bin/python benchmarks/bench_uncertainty.py [--draws 1000] [--loop-draws 200] [--seed 7]

Uncertain inputs: normalisation (min-max [1, 100] / rank / fraction of max × 100), aggregation
(arithmetic / geometric mean), weights noise ±25 % on levels 1 and 2. The framework is 30
indicators in 6 pillars, 2 sub-indices, 1 index. Goals (issue #5): engine < 2 s and ≥ 20 ×
faster than the loop. The loop may run on fewer draws (--loop-draws) and is then extrapolated
linearly to --draws (said in the output). All data are synthetic (seeded).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from yanzhi.core.composite import build
from yanzhi.core.composite.robustness import Evaluator, Uncertain, uncertainty

N_UNITS, N_IND, N_PILLARS, N_SUB = 162, 30, 6, 2
NORMALISE = [{"method": "minmax", "l_u": [1, 100]}, {"method": "rank"},
             {"method": "fracmax", "scale": 100}]  # fmt: skip
AGGREGATE = ["amean", "gmean"]


def synthetic(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """iData (lognormal positive indicators, a few correlated) and iMeta (4 levels)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 1, (N_UNITS, 1))
    x = np.exp(0.6 * common + rng.normal(0, 0.8, (N_UNITS, N_IND))) * rng.uniform(1, 100, N_IND)
    codes = [f"i{k:02d}" for k in range(N_IND)]
    idata = pd.DataFrame(x, columns=codes)
    idata.insert(0, "uCode", [f"U{u:03d}" for u in range(N_UNITS)])
    rows = [
        {
            "Level": 1,
            "iCode": c,
            "iName": c,
            "Direction": 1,
            "Weight": rng.uniform(0.5, 2),
            "Parent": f"P{k % N_PILLARS}",
            "Type": "Indicator",
        }
        for k, c in enumerate(codes)
    ]
    rows += [
        {
            "Level": 2,
            "iCode": f"P{p}",
            "iName": f"P{p}",
            "Weight": 1.0,
            "Parent": f"S{p % N_SUB}",
            "Type": "Aggregate",
        }
        for p in range(N_PILLARS)
    ]
    rows += [
        {
            "Level": 3,
            "iCode": f"S{s}",
            "iName": f"S{s}",
            "Weight": 1.0,
            "Parent": "INDEX",
            "Type": "Aggregate",
        }
        for s in range(N_SUB)
    ]
    rows.append({"Level": 4, "iCode": "INDEX", "iName": "Index", "Weight": 1.0,
                 "Type": "Aggregate"})  # fmt: skip
    return idata, pd.DataFrame(rows)


def pandas_index(x: pd.DataFrame, norm: dict, method: str, w: dict[str, float],
                 meta: pd.DataFrame) -> pd.Series:  # fmt: skip
    """The straightforward way: normalise each column, then aggregate level by level."""
    if norm["method"] == "minmax":
        lo, hi = norm["l_u"]
        n = (x - x.min()) / (x.max() - x.min()) * (hi - lo) + lo
    elif norm["method"] == "rank":
        n = x.rank(method="min")
    else:
        n = x / x.max() * norm["scale"]
    cur = n
    for level in sorted(meta.loc[meta["Type"] == "Aggregate", "Level"].unique()):
        out = {}
        for code in meta.loc[(meta["Level"] == level) & (meta["Type"] == "Aggregate"), "iCode"]:
            kids = list(meta.loc[meta["Parent"] == code, "iCode"])
            ww = pd.Series({k: w[k] for k in kids})
            if method == "amean":
                out[code] = (cur[kids] * ww).sum(axis=1) / ww.sum()
            else:
                out[code] = np.exp((np.log(cur[kids]) * ww).sum(axis=1) / ww.sum())
        cur = pd.DataFrame(out)
    return cur["INDEX"]


def replay_inputs(nominal, unc: Uncertain, draws: int, seed: int):
    """The engine's draws, replayed: the same generator calls as ``uncertainty``."""
    rng = np.random.default_rng(seed)
    ev = Evaluator(nominal, unc, draws, rng)
    ch = ev.choices(rng.random((draws, len(ev.inputs))))
    for c in range(len(ev.noise)):
        ch[:, len(ev.inputs) - len(ev.noise) + c] = np.arange(draws)
    return ev, ch


def pandas_loop(nominal, meta: pd.DataFrame, ev: Evaluator, ch: np.ndarray, m: int) -> np.ndarray:
    x = nominal.data["Treated"]
    base = np.array([nominal.weights.get(c, 1.0) for c in ev.frame.codes])
    ranks = np.empty((m, len(x)))
    for d in range(m):
        w = base.copy()
        for k, (cols, table) in enumerate(ev.noise):
            w[cols] *= table[ch[d, 2 + k]]
        idx = pandas_index(x, NORMALISE[ch[d, 0]], AGGREGATE[ch[d, 1]],
                           dict(zip(ev.frame.codes, w, strict=True)), meta)  # fmt: skip
        ranks[d] = idx.rank(method="min", ascending=False).to_numpy()
    return ranks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--loop-draws", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    idata, meta = synthetic(a.seed)
    nominal = build(
        idata,
        meta,
        {
            "treat": "none",
            "impute": {"method": "none"},
            "normalise": {"method": "minmax", "l_u": [1, 100]},
        },
    )
    unc = Uncertain({"normalise": NORMALISE, "aggregate.method": AGGREGATE}, {1: 0.25, 2: 0.25})
    print(
        f"uncertainty analysis: {N_UNITS} units × {N_IND} indicators, {a.draws} draws "
        f"(3 normalisations × 2 aggregations, weights noise ±25 % on levels 1 and 2)"
    )
    uncertainty(nominal, unc, n=10, seed=0)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    res = uncertainty(nominal, unc, n=a.draws, seed=a.seed)
    t_engine = time.perf_counter() - t0

    ev, ch = replay_inputs(nominal, unc, a.draws, a.seed)
    m = min(a.loop_draws, a.draws)
    t0 = time.perf_counter()
    loop_ranks = pandas_loop(nominal, meta, ev, ch, m)
    t_loop = time.perf_counter() - t0
    t_loop_full = t_loop * a.draws / m

    same = np.array_equal(loop_ranks, res["ranks"][:m])
    print(f"engine (stacked arrays):   {t_engine:8.3f} s for {a.draws} draws")
    note = "" if m == a.draws else f" (ran {m} draws in {t_loop:.3f} s, extrapolated linearly)"
    print(f"pandas loop (per draw):    {t_loop_full:8.3f} s for {a.draws} draws{note}")
    print(f"speed-up:                  {t_loop_full / t_engine:8.1f} ×")
    print(f"same ranks on the same draws ({m} draws × {N_UNITS} units compared): {same}")
    if m == a.draws:
        q = np.quantile(loop_ranks, [0.05, 0.5, 0.95], axis=0)
        stats = res["rank_stats"]
        agree = np.allclose(q, stats[["Q5", "Median", "Q95"]].to_numpy().T)
        print(f"same rank stats (Q5, median, Q95): {agree}")
    print(
        f"goal engine < 2 s: {'met' if t_engine < 2 else 'NOT met'}; "
        f"goal ≥ 20 × the loop: {'met' if t_loop_full / t_engine >= 20 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
