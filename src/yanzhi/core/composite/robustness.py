"""Robustness: removing elements, and a vectorised uncertainty analysis.

The evaluator precomputes one normalised matrix per combination of pre-aggregation choices
(impute / screen / treat / normalise alternatives), stacks them, and aggregates many draws at
once with array operations (see :func:`aggregate.aggregate_stack`).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import Frame, aggregate_stack, level_list
from .errors import spec_error
from .pipeline import BuildResult, build, normalise_step
from .spec import resolve_spec, weight_map
from .stats import FloatArray, rank_min, rank_min_rows

PRE_KEYS = ("denominate", "impute", "screen", "treat", "normalise", "time")
AGG_KEYS = ("aggregate", "weights")
CHUNK = 256


@dataclass
class Uncertain:
    """Uncertain inputs: ``alternatives`` maps a spec path ("normalise", "normalise.method",
    "treat", "impute.method", "aggregate.method", "weights", ...) to the list of values it may
    take (uniformly); ``weight_noise`` maps a level to a fraction f: each weight of that level
    is multiplied by 1 + f * U(-1, 1) (COINr's noisy weights)."""

    alternatives: dict[str, list[Any]] = field(default_factory=dict)
    weight_noise: dict[int, float] = field(default_factory=dict)


def set_path(spec: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``spec`` with the dotted ``path`` set to ``value``."""
    out = copy.deepcopy(dict(spec))
    keys = path.split(".")
    if keys[0] not in PRE_KEYS + AGG_KEYS:
        raise spec_error(
            path, "unknown_key", f"不支持的不确定路径 {path}", f"unsupported uncertain path {path}"
        )
    node = out
    for k in keys[:-1]:
        cur = node.get(k)
        node[k] = dict(cur) if isinstance(cur, Mapping) else {}
        node = node[k]
    node[keys[-1]] = copy.deepcopy(value)
    return out


class Evaluator:
    """Scores of the index for many combinations of choices, computed in stacked arrays."""

    def __init__(
        self, nominal: BuildResult, uncertain: Uncertain, n_noise: int, rng: np.random.Generator
    ) -> None:
        self.nominal = nominal
        b = self.b = nominal.build
        self.frame = Frame.of(b)
        self.units = nominal.data["Normalised"].index
        self.inputs: list[tuple[str, int]] = []
        alts = uncertain.alternatives
        self.pre_paths = [p for p in alts if p.split(".")[0] in PRE_KEYS]
        self.agg_paths = [p for p in alts if p.split(".")[0] in AGG_KEYS]
        for p in self.pre_paths + self.agg_paths:
            if not alts[p]:
                raise spec_error(p, "empty_alternatives", f"{p} 没有备选值", f"{p} has no values")
            self.inputs.append((p, len(alts[p])))
        self.alts = alts
        # pre-aggregation combinations -> stacked normalised matrices
        combos = list(itertools.product(*[range(len(alts[p])) for p in self.pre_paths]))
        self.combo_index = {c: i for i, c in enumerate(combos)}
        treated_cache: dict[str, pd.DataFrame] = {}
        mats = []
        for c in combos:
            sp: dict[str, Any] = dict(nominal.spec)
            for p, i in zip(self.pre_paths, c, strict=True):
                sp = set_path(sp, p, alts[p][i])
            sp = resolve_spec(sp, b)
            key = json.dumps(
                {k: sp[k] for k in PRE_KEYS if k != "normalise"}, sort_keys=True, default=str
            )
            if key not in treated_cache:
                treated_cache[key] = build(b, spec=sp, stop_after="normalise").data["Treated"]
            norm = normalise_step(treated_cache[key], b, sp).reindex(self.units)
            mats.append(norm[b.indicators].to_numpy(float))
        self.norm = np.stack(mats)  # (C, U, I)
        # aggregation alternatives -> (methods, p, dat_thresh, base weights)
        self.agg_choices = []
        for c in itertools.product(*[range(len(alts[p])) for p in self.agg_paths]):
            sp = dict(nominal.spec)
            for p, i in zip(self.agg_paths, c, strict=True):
                sp = set_path(sp, p, alts[p][i])
            sp = resolve_spec(sp, b)
            ag, n = sp["aggregate"], b.n_levels
            wm = weight_map(sp["weights"], b)
            w = np.array([wm.get(code, 1.0) for code in self.frame.codes])
            self.agg_choices.append(
                (
                    level_list(ag["method"], n, "method"),
                    level_list(ag["p"], n, "p"),
                    level_list(ag["dat_thresh"], n, "dat_thresh"),
                    w,
                )
            )
        # weight noise tables: per level, n_noise multiplier rows
        self.noise: list[tuple[np.ndarray, FloatArray]] = []
        for lev, f in sorted(uncertain.weight_noise.items()):
            cols = np.array([i for i, c in enumerate(self.frame.codes) if b.level[c] == int(lev)])
            if cols.size == 0:
                raise spec_error(
                    f"weight_noise.{lev}", "unknown_level", f"没有第 {lev} 层", f"no level {lev}"
                )
            self.noise.append((cols, 1 + float(f) * rng.uniform(-1, 1, (n_noise, cols.size))))
            self.inputs.append((f"weights.noise.level{lev}", n_noise))

    @property
    def names(self) -> list[str]:
        """Names of the inputs, in design-matrix column order."""
        return [n for n, _ in self.inputs]

    def choices(self, u: FloatArray) -> np.ndarray:
        """Map a design matrix of uniforms (D, k) to option indices (D, k)."""
        n_opt = np.array([n for _, n in self.inputs])
        return np.minimum((np.asarray(u) * n_opt).astype(int), n_opt - 1)

    def scores(self, ch: np.ndarray, code: str | None = None) -> FloatArray:
        """Index (or ``code``) scores (D, U) for option indices ``ch`` (D, k)."""
        ch = np.atleast_2d(ch)
        n_pre, n_agg = len(self.pre_paths), len(self.agg_paths)
        pre = [self.combo_index[tuple(r)] for r in ch[:, :n_pre].tolist()]
        agg_shape = [len(self.alts[p]) for p in self.agg_paths]
        agg = (
            np.ravel_multi_index(ch[:, n_pre : n_pre + n_agg].T, agg_shape)
            if n_agg
            else np.zeros(len(ch), dtype=int)
        )
        j = self.frame.codes.index(code or self.b.index_code)
        out = np.full((len(ch), len(self.units)), np.nan)
        pre_arr = np.asarray(pre)
        for a in np.unique(agg):
            methods, p, dt, w0 = self.agg_choices[int(a)]
            for start in range(0, len(ch), CHUNK):
                sel = np.flatnonzero(agg[start : start + CHUNK] == a) + start
                if sel.size == 0:
                    continue
                w = np.tile(w0, (sel.size, 1))
                for k, (cols, table) in enumerate(self.noise):
                    w[:, cols] *= table[ch[sel, n_pre + n_agg + k]]
                vals = np.full((sel.size, len(self.units), len(self.frame.codes)), np.nan)
                vals[:, :, : self.frame.n_ind] = self.norm[pre_arr[sel]]
                out[sel] = aggregate_stack(vals, w, self.frame, methods, p, dt)[:, :, j]
        return out


def _nominal_ranks(nominal: BuildResult) -> FloatArray:
    idx = nominal.data["Aggregated"][nominal.index_code].reindex(nominal.data["Normalised"].index)
    return rank_min(idx.to_numpy(float), descending=True)


def uncertainty(
    nominal: BuildResult,
    uncertain: Uncertain,
    n: int = 1000,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Monte Carlo uncertainty analysis: ``n`` draws, each picking one alternative per path
    uniformly and one noisy weight set per level. Returns ``rank_stats`` (uCode, Nominal, Mean,
    Median, Q5, Q95 of the index rank), the draws' ``ranks`` (n, U), ``scores`` and ``choices``.
    Reproducible: the same seed gives identical output."""
    rng = np.random.default_rng(seed)
    ev = Evaluator(nominal, uncertain, n, rng)
    if not ev.inputs:
        raise spec_error("uncertain", "no_inputs", "没有不确定输入", "no uncertain inputs given")
    k = len(ev.inputs)
    ch = ev.choices(rng.random((n, k)))
    # each draw uses its own noise row, as in COINr's uncertainty analysis
    for c in range(len(ev.noise)):
        ch[:, k - len(ev.noise) + c] = np.arange(n)
    sc = ev.scores(ch)
    rk = rank_min_rows(sc)
    with np.errstate(all="ignore"):
        stats = pd.DataFrame(
            {
                "uCode": ev.units,
                "Nominal": _nominal_ranks(nominal),
                "Mean": np.nanmean(rk, axis=0),
                "Median": np.nanmedian(rk, axis=0),
                "Q5": np.nanquantile(rk, 0.05, axis=0),
                "Q95": np.nanquantile(rk, 0.95, axis=0),
            }
        )
    return {
        "rank_stats": stats,
        "ranks": rk,
        "scores": sc,
        "choices": pd.DataFrame(ch, columns=ev.names),
    }


def remove_elements(
    nominal: BuildResult, level: int = 1, codes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Remove each component of ``level`` in turn (weight 0, i.e. dropped from its parent's
    aggregate) and report the mean absolute change of the index rank versus the nominal."""
    b = nominal.build
    frame = Frame.of(b)
    codes = list(codes) if codes is not None else b.codes_at(level)
    units = nominal.data["Normalised"].index
    ag, n = nominal.spec["aggregate"], b.n_levels
    w0 = np.array([nominal.weights.get(c, 1.0) for c in frame.codes])
    w = np.tile(w0, (len(codes), 1))
    for i, c in enumerate(codes):
        w[i, frame.codes.index(c)] = 0.0
    vals = np.full((len(codes), len(units), len(frame.codes)), np.nan)
    vals[:, :, : frame.n_ind] = nominal.data["Normalised"][b.indicators].to_numpy(float)
    out = aggregate_stack(
        vals,
        w,
        frame,
        level_list(ag["method"], n, "method"),
        level_list(ag["p"], n, "p"),
        level_list(ag["dat_thresh"], n, "dat_thresh"),
    )
    j = frame.codes.index(b.index_code)
    rk = rank_min_rows(out[:, :, j])
    nom = _nominal_ranks(nominal)
    return pd.DataFrame({"iCode": codes, "MeanAbsRankChange": np.nanmean(np.abs(rk - nom), axis=1)})
