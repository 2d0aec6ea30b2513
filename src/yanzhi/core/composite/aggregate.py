"""Aggregation (COINr ``Aggregate`` with ``a_amean``, ``a_gmean``, ``a_hmean``, ``a_genmean``,
``a_copeland``), written for stacked arrays so many weight sets / draws aggregate at once.

Weights are relative: for each unit they are renormalised over the non-missing children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import spec_error
from .model import CompositeBuild
from .stats import FloatArray

METHODS = ("amean", "gmean", "hmean", "genmean", "copeland")


@dataclass(frozen=True)
class Frame:
    """Array view of the framework: ``codes`` = indicators then aggregates level by level;
    ``steps`` = (level, column index of the aggregate, column indices of its children)."""

    codes: list[str]
    n_ind: int
    steps: list[tuple[int, int, list[int]]]

    @classmethod
    def of(cls, b: CompositeBuild) -> Frame:
        codes = list(b.indicators)
        for lev in range(2, b.n_levels + 1):
            codes += b.codes_at(lev)
        pos = {c: i for i, c in enumerate(codes)}
        steps = [
            (b.level[c], pos[c], [pos[ch] for ch in b.children[c]])
            for c in codes[len(b.indicators) :]
        ]
        return cls(codes=codes, n_ind=len(b.indicators), steps=steps)


def _check_positive(x: FloatArray, method: str, strict_zero_only: bool = False) -> None:
    bad = (x == 0) if strict_zero_only else (x <= 0)
    if np.any(bad & ~np.isnan(x)):
        what = "零值" if strict_zero_only else "零或负值"
        raise spec_error(
            "aggregate.method",
            "nonpositive_values",
            f"{method} 聚合遇到{what}；请先标准化到正值区间",
            f"{method} aggregation met zero/negative values; normalise to a positive range first",
        )


def aggregate_block(
    x: FloatArray,
    w: FloatArray,
    method: str = "amean",
    p: float = 2.0,
    dat_thresh: float | None = None,
) -> FloatArray:
    """Aggregate children ``x`` (..., U, k) with weights ``w`` broadcastable to (..., 1, k)
    (or (k,)) into (..., U). NaN children are skipped and weights renormalised."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if w.ndim == 1:
        w = np.broadcast_to(w, (*x.shape[:-2], 1, w.shape[0]))
    ok = ~np.isnan(x)
    wm = np.where(ok, w, 0.0)
    sw = wm.sum(axis=-1)
    xz = np.where(ok, x, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "amean":
            y = (wm * xz).sum(axis=-1) / sw
        elif method == "gmean":
            _check_positive(x, method)
            y = np.exp((wm * np.log(np.where(ok, x, 1.0))).sum(axis=-1) / sw)
        elif method == "hmean":
            _check_positive(x, method, strict_zero_only=True)
            y = sw / (wm / np.where(ok, x, 1.0)).sum(axis=-1)
        elif method == "genmean":
            if p == 0:
                raise spec_error(
                    "aggregate.p",
                    "invalid_option",
                    "广义均值的 p 不能为 0",
                    "generalised mean p must not be 0 (use gmean)",
                )
            _check_positive(x, method)
            y = ((wm * np.where(ok, x, 1.0) ** p).sum(axis=-1) / sw) ** (1.0 / p)
        elif method == "copeland":
            y = _copeland(x, w)
        else:
            raise spec_error(
                "aggregate.method",
                "invalid_option",
                f"未知的聚合方法 {method}",
                f"unknown aggregation method {method}",
            )
    y = np.where(ok.any(axis=-1), y, np.nan)
    if dat_thresh is not None:
        avail = ok.sum(axis=-1) / x.shape[-1]
        y = np.where(avail < dat_thresh, np.nan, y)
    return np.asarray(y, dtype=float)


def _copeland(x: FloatArray, w: FloatArray) -> FloatArray:
    """COINr ``a_copeland`` (COINr ≥ 1.0), exactly: the outranking matrix ``O`` of
    ``outrankMatrix`` — for i < j, O_ij = Σ w_k over indicators where x_ik > x_jk plus half
    Σ w_k where x_ik = x_jk (a comparison with a missing value counts for neither), with the
    weights rescaled to sum to 1 over all indicators; O_ji = 1 − O_ij; O_ii = 0 — is turned
    into +1 (O_ij > 0.5), −1 (O_ij < 0.5) or 0 (O_ij = 0.5), and a unit's score is its row
    sum. An entry within 1e-12 of 0.5 counts as 0.5: COINr sums in R's extended precision,
    where a tie that float64 rounding misses is exact."""
    wb = np.broadcast_to(w, (*x.shape[:-2], 1, x.shape[-1]))
    wn = wb / np.nansum(wb, axis=-1, keepdims=True)  # (..., 1, k): weights sum to 1
    a = x[..., :, None, :]
    b = x[..., None, :, :]
    wk = wn[..., None, :, :]  # (..., 1, 1, k)
    upper = (np.where(a > b, wk, 0.0) + np.where(a == b, wk / 2, 0.0)).sum(axis=-1)
    n = x.shape[-2]
    below = np.tril(np.ones((n, n), dtype=bool), k=-1)  # i > j: 1 − O_ji
    orm = np.where(below, 1.0 - np.swapaxes(upper, -1, -2), upper)
    sign = np.where(np.abs(orm - 0.5) <= 1e-12, 0.0, np.sign(orm - 0.5))
    sign[..., np.arange(n), np.arange(n)] = 0.0
    return np.asarray(sign.sum(axis=-1), dtype=float)


def level_list(value: Any, n_levels: int, name: str) -> dict[int, Any]:
    """Expand a per-level option: a scalar, a list (levels 2..top) or a dict {level: value}."""
    levels = range(2, n_levels + 1)
    if isinstance(value, Mapping):
        out = {lv: value.get(lv, value.get(str(lv))) for lv in levels}
        if any(v is None for v in out.values()):
            raise spec_error(
                f"aggregate.{name}",
                "missing_level",
                f"{name} 缺少某些层级的设置",
                f"{name} lacks some levels (2..top)",
            )
        return out
    if isinstance(value, list | tuple):
        if len(value) != n_levels - 1:
            raise spec_error(
                f"aggregate.{name}",
                "wrong_length",
                f"{name} 的长度应为层级数减一 ({n_levels - 1})",
                f"{name} must have one entry per level 2..top ({n_levels - 1})",
            )
        return dict(zip(levels, value, strict=True))
    return dict.fromkeys(levels, value)


def aggregate_stack(
    values: FloatArray,
    weights: FloatArray,
    frame: Frame,
    methods: Mapping[int, str],
    p: Mapping[int, float] | None = None,
    dat_thresh: Mapping[int, float | None] | None = None,
) -> FloatArray:
    """Fill the aggregate columns of ``values`` (..., U, C) level by level.

    ``weights`` is (C,) or (..., C); columns of aggregates in ``values`` are overwritten.
    """
    v = np.array(values, dtype=float, copy=True)
    w = np.asarray(weights, dtype=float)
    for lev, j, ch in frame.steps:
        wc = w[..., ch]
        if wc.ndim > 1:
            wc = wc[..., None, :]
        v[..., j] = aggregate_block(
            v[..., ch], wc, methods[lev], (p or {}).get(lev, 2.0), (dat_thresh or {}).get(lev)
        )
    return v


def aggregate(
    data: pd.DataFrame,
    b: CompositeBuild,
    method: str | Sequence[str] | Mapping[int, str] = "amean",
    weights: Mapping[str, float] | None = None,
    p: float | Sequence[float] | Mapping[int, float] = 2.0,
    dat_thresh: float | Sequence[float | None] | Mapping[int, float | None] | None = None,
) -> pd.DataFrame:
    """Aggregate a normalised data set (uCode index, indicator columns) through the framework."""
    frame = Frame.of(b)
    n = b.n_levels
    methods = level_list(method, n, "method")
    for m in methods.values():
        if m not in METHODS:
            raise spec_error(
                "aggregate.method",
                "invalid_option",
                f"未知的聚合方法 {m}",
                f"unknown aggregation method {m}",
            )
    wmap = {**b.weight, **(weights or {})}
    w = np.array([float(wmap.get(c, 1.0)) for c in frame.codes])
    vals = np.full((len(data), len(frame.codes)), np.nan)
    vals[:, : frame.n_ind] = data[frame.codes[: frame.n_ind]].to_numpy(float)
    out = aggregate_stack(
        vals, w, frame, methods, level_list(p, n, "p"), level_list(dat_thresh, n, "dat_thresh")
    )
    return pd.DataFrame(out, index=data.index, columns=frame.codes)


def effective_weights(b: CompositeBuild, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Each code's weight in the index: the product, along its lineage, of its weight divided
    by the sum of its siblings' weights (the index itself has 1)."""
    wmap = {**b.weight, **(weights or {})}
    out: dict[str, float] = {}
    frame = Frame.of(b)
    for c in frame.codes:
        ew, cur = 1.0, c
        while cur in b.parent:
            sibs = b.children[b.parent[cur]]
            tot = sum(float(wmap[s]) for s in sibs)
            ew *= float(wmap[cur]) / tot if tot > 0 else np.nan
            cur = b.parent[cur]
        out[c] = ew
    return pd.Series(out, name="EffWeight")
