"""Outlier treatment, COINr's default (``Treat()`` with winsorise + log_CT).

Per indicator: pass if |skew| < skew_thresh OR kurtosis < kurt_thresh. If it fails, winsorise
(up to ``winmax`` points); if it still fails, apply ``log_CT`` to the ORIGINAL values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import FloatArray, kurt, skew

F2_METHODS = ("log_CT", "none")


def passes(x: FloatArray, skew_thresh: float, kurt_thresh: float) -> bool:
    """COINr ``check_SkewKurt``: True when |skew| < skew_thresh or kurt < kurt_thresh.

    Undefined skew / kurtosis (fewer than 4 values or no spread) counts as passing (COINr
    returns the vector untreated in that case).
    """
    s, k = skew(x), kurt(x)
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < skew_thresh or k < kurt_thresh)


@dataclass
class WinsorResult:
    """Output of :func:`winsorise`."""

    x: FloatArray
    nwin: int
    win_hi: FloatArray  # boolean mask of points last replaced at the top
    win_lo: FloatArray


def winsorise(
    x: FloatArray, winmax: int | None = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> WinsorResult:
    """COINr ``winsorise``: replace the max (skew >= 0) or min (skew < 0), ties included, by the
    next value in, re-checking after each step; the count is the number of points tied at the
    extreme(s) just replaced; stop when passing or when the count reaches ``winmax``."""
    v = np.asarray(x, dtype=float).copy()
    ok = ~np.isnan(v)
    imax = np.zeros(v.size, dtype=bool)
    imin = np.zeros(v.size, dtype=bool)
    nwin = 0
    passing = passes(v, skew_thresh, kurt_thresh)
    while not passing and (winmax is None or nwin < winmax):
        if skew(v) >= 0:
            imax = ok & (v == np.nanmax(v))
            rest = v[ok & ~imax]
            if rest.size == 0:
                break
            v[imax] = rest.max()
        else:
            imin = ok & (v == np.nanmin(v))
            rest = v[ok & ~imin]
            if rest.size == 0:
                break
            v[imin] = rest.min()
        nwin = int(imax.sum() + imin.sum())
        passing = passes(v, skew_thresh, kurt_thresh)
    return WinsorResult(x=v, nwin=nwin, win_hi=imax, win_lo=imin)


def log_ct(x: FloatArray) -> FloatArray:
    """COINr ``log_CT``: log(x - min + 0.01 * (max - min))."""
    v = np.asarray(x, dtype=float)
    mn, mx = np.nanmin(v), np.nanmax(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(v - mn + 0.01 * (mx - mn)), dtype=float)


def treat_vector(
    x: FloatArray,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str = "log_CT",
) -> tuple[FloatArray, list[str], dict[str, object]]:
    """Treat one indicator; returns (treated values, per-point labels, details)."""
    v = np.asarray(x, dtype=float)
    labels = [""] * v.size
    det: dict[str, object] = {
        "Skew_0": skew(v),
        "Kurt_0": kurt(v),
        "Pass_0": True,
        "winsorise_nwin": 0,
        "Pass_1": np.nan,
        "f2": "",
        "Pass_2": np.nan,
    }
    if passes(v, skew_thresh, kurt_thresh):
        return v.copy(), labels, det
    det["Pass_0"] = False
    w = winsorise(v, winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
    det["winsorise_nwin"] = w.nwin
    p1 = passes(w.x, skew_thresh, kurt_thresh)
    det["Pass_1"] = p1
    for j in np.flatnonzero(w.win_hi):
        labels[j] = "winhi"
    for j in np.flatnonzero(w.win_lo):
        labels[j] = "winlo"
    if p1 or f2 == "none":
        return w.x, labels, det
    out = log_ct(v)  # on the ORIGINAL values (COINr combine_treat = FALSE)
    det["f2"] = f2
    det["Pass_2"] = passes(out, skew_thresh, kurt_thresh)
    labels = ["" if np.isnan(a) else "log_CT" for a in v]
    return out, labels, det


def treat(
    data: pd.DataFrame,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str = "log_CT",
    indiv: dict[str, object] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Treat every column; ``indiv`` maps a code to "none" (skip) or a dict overriding
    winmax / skew_thresh / kurt_thresh / f2. Returns (treated, treated points, details)."""
    out = data.copy()
    points = pd.DataFrame("", index=data.index, columns=data.columns, dtype=object)
    rows = []
    for col in data.columns:
        p: dict[str, object] = {
            "winmax": winmax,
            "skew_thresh": skew_thresh,
            "kurt_thresh": kurt_thresh,
            "f2": f2,
        }
        spec = (indiv or {}).get(col)
        if spec == "none":
            rows.append({"iCode": col, "Pass_0": np.nan, "f2": "", "winsorise_nwin": 0})
            continue
        if isinstance(spec, dict):
            p.update(spec)
        vals, labels, det = treat_vector(
            data[col].to_numpy(float),
            winmax=None if p["winmax"] is None else int(float(str(p["winmax"]))),
            skew_thresh=float(str(p["skew_thresh"])),
            kurt_thresh=float(str(p["kurt_thresh"])),
            f2=str(p["f2"]),
        )
        out[col] = vals
        points[col] = labels
        rows.append({"iCode": col, **det})
    details = pd.DataFrame(rows).set_index("iCode")
    return out, points, details
