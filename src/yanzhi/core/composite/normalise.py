"""Normalisation (COINr ``Normalise`` and its ``n_*`` functions).

As in COINr, each indicator is first multiplied by its Direction (1 or -1); the method is then
applied to the result. Targets and goalposts are given in the indicator's own units and are
flipped along with the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .errors import spec_error
from .stats import FloatArray, rank_min

METHODS = (
    "minmax",
    "zscore",
    "rank",
    "prank",
    "borda",
    "fracmax",
    "dist2max",
    "dist2targ",
    "goalposts",
    "none",
)


def n_minmax(x: FloatArray, l_u: tuple[float, float] = (0.0, 100.0)) -> FloatArray:
    """(x - min) / (max - min) * (u - l) + l; NaN everywhere if the range is zero."""
    mn, mx = np.nanmin(x), np.nanmax(x)
    if mx == mn:
        return np.full_like(x, np.nan)
    return (x - mn) / (mx - mn) * (l_u[1] - l_u[0]) + l_u[0]


def n_zscore(x: FloatArray, m_sd: tuple[float, float] = (0.0, 1.0)) -> FloatArray:
    """(x - mean) / sd * s + m with the sample (n - 1) standard deviation."""
    sd = np.nanstd(x, ddof=1)
    return (x - np.nanmean(x)) / sd * m_sd[1] + m_sd[0]


def n_rank(x: FloatArray) -> FloatArray:
    """Ranks, highest value = highest rank, ties "min"."""
    return rank_min(x)


def n_prank(x: FloatArray) -> FloatArray:
    """Percentile rank (rank - 1) / (n - 1), ties "min"."""
    return (rank_min(x) - 1) / (np.sum(~np.isnan(x)) - 1)


def n_borda(x: FloatArray) -> FloatArray:
    """Borda score rank - 1."""
    return rank_min(x) - 1


def n_fracmax(x: FloatArray, scale: float = 1.0) -> FloatArray:
    """x / max(x) (times ``scale``)."""
    return x / np.nanmax(x) * scale


def n_dist2max(x: FloatArray, scale: float = 1.0) -> FloatArray:
    """1 - (max - x) / (max - min) (times ``scale``)."""
    mn, mx = np.nanmin(x), np.nanmax(x)
    return (1 - (mx - x) / (mx - mn)) * scale


def n_dist2targ(
    x: FloatArray, targ: float, cap_max: bool = False, scale: float = 1.0
) -> FloatArray:
    """1 - (targ - x) / (targ - min), i.e. (x - min) / (targ - min); capped at 1 if asked."""
    mn = np.nanmin(x)
    y = 1 - (targ - x) / (targ - mn)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y * scale


def n_goalposts(
    x: FloatArray, gposts: tuple[float, float, float], direction: int = 1, trunc: bool = True
) -> FloatArray:
    """Goalposts (l, u, a): (x - l) / (u - l), truncated to [0, 1], times a.

    ``x`` arrives already multiplied by ``direction``; for direction -1 the goalposts are flipped
    too, giving (u - x_orig) / (u - l).
    """
    lo, up, a = gposts
    y = (x + up) / (up - lo) if direction == -1 else (x - lo) / (up - lo)
    if trunc:
        y = np.clip(y, 0.0, 1.0)
    return y * a


def normalise_vector(
    x: FloatArray, spec: Mapping[str, Any], direction: int = 1, target: float | None = None
) -> FloatArray:
    """Normalise one indicator according to ``spec`` (see module docs for options)."""
    v = np.asarray(x, dtype=float) * direction
    m = spec.get("method", "minmax")
    if v.size and np.isnan(v).all():
        return v  # an indicator with no data stays missing (and is not a warning)
    if m == "minmax":
        lu = spec.get("l_u", (0, 100))
        return n_minmax(v, (float(lu[0]), float(lu[1])))
    if m == "zscore":
        ms = spec.get("m_sd", (0, 1))
        return n_zscore(v, (float(ms[0]), float(ms[1])))
    if m == "rank":
        return n_rank(v)
    if m == "prank":
        return n_prank(v)
    if m == "borda":
        return n_borda(v)
    if m == "fracmax":
        return n_fracmax(v, float(spec.get("scale", 1.0)))
    if m == "dist2max":
        return n_dist2max(v, float(spec.get("scale", 1.0)))
    if m == "dist2targ":
        if target is None or np.isnan(target):
            raise spec_error(
                "normalise.targets",
                "missing_target",
                "目标距离法需要每个指标的目标值",
                "dist2targ needs a Target per indicator",
            )
        return n_dist2targ(
            v, target * direction, bool(spec.get("cap_max", False)), float(spec.get("scale", 1.0))
        )
    if m == "goalposts":
        gp = spec.get("gposts")
        if gp is None:
            raise spec_error(
                "normalise.gposts",
                "missing_gposts",
                "门柱法需要 gposts (下限, 上限, 比例)",
                "goalposts needs gposts (lower, upper, scale)",
            )
        return n_goalposts(
            v, (float(gp[0]), float(gp[1]), float(gp[2])), direction, bool(spec.get("trunc", True))
        )
    if m == "none":
        return v
    raise spec_error(
        "normalise.method",
        "invalid_option",
        f"未知的标准化方法 {m}",
        f"unknown normalisation method {m}",
    )


def normalise(
    data: pd.DataFrame,
    spec: Mapping[str, Any],
    directions: Mapping[str, int],
    targets: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Normalise every column. ``spec`` = {method, options..., indiv: {code: spec}}; per-code
    ``gposts`` may be given as a dict {code: [l, u, a]} and ``targets`` overrides iMeta Target."""
    out = data.copy()
    indiv = spec.get("indiv") or {}
    tmap = dict(targets or {})
    tmap.update(spec.get("targets") or {})
    for col in data.columns:
        s = dict(spec)
        if col in indiv:
            s = dict(indiv[col])
        gp = s.get("gposts")
        if isinstance(gp, Mapping):
            s["gposts"] = gp.get(col)
        t = tmap.get(col)
        out[col] = normalise_vector(
            data[col].to_numpy(float),
            s,
            int(directions.get(col, 1)),
            None if t is None else float(t),
        )
    return out
