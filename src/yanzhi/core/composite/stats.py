"""Small statistics shared by the steps: sample skew / kurtosis (G1 / G2), min-ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def skew(x: FloatArray) -> float:
    """Sample skewness G1 (e1071 type 2 / Excel SKEW), NaNs dropped; NaN if n < 3 or no spread."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 3:
        return float("nan")
    d = v - v.mean()
    s2 = float(np.sum(d**2))
    if s2 == 0.0:
        return float("nan")
    g = np.sqrt(n) * float(np.sum(d**3)) / s2**1.5
    return float(g * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: FloatArray) -> float:
    """Sample excess kurtosis G2 (e1071 type 2 / Excel KURT), NaNs dropped; NaN if n < 4."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4:
        return float("nan")
    d = v - v.mean()
    s2 = float(np.sum(d**2))
    if s2 == 0.0:
        return float("nan")
    r = n * float(np.sum(d**4)) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def rank_min(x: FloatArray, descending: bool = False) -> FloatArray:
    """Ranks with ties given the smallest rank (R's ``ties.method = "min"``); NaN kept."""
    s = pd.Series(np.asarray(x, dtype=float))
    return s.rank(method="min", ascending=not descending, na_option="keep").to_numpy(float)


def rank_min_rows(scores: FloatArray) -> FloatArray:
    """Descending "min" ranks of each row of a 2-D array (rank 1 = highest); NaN stays NaN.

    Vectorised: rank = 1 + number of strictly higher scores in the row.
    """
    s = np.asarray(scores, dtype=float)
    nan = np.isnan(s)
    filled = np.where(nan, -np.inf, s)
    # sort each row descending, then count strictly-greater via searchsorted on the negation
    neg = -filled
    srt = np.sort(neg, axis=1)
    out = np.empty_like(s)
    for i in range(s.shape[0]):  # searchsorted is per row; rows are short, loop is cheap
        out[i] = np.searchsorted(srt[i], neg[i], side="left") + 1.0
    out[nan] = np.nan
    return out
