"""Analysis: indicator statistics, correlations, Cronbach's alpha, PCA variance explained."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .pipeline import BuildResult
from .stats import kurt, skew


def indicator_stats(data: pd.DataFrame) -> pd.DataFrame:
    """Per column: N, availability, zeros, unique values, min / max / mean / median / sd
    (sample), skew (G1) and excess kurtosis (G2)."""
    rows = []
    for c in data.columns:
        v = data[c].to_numpy(float)
        ok = v[~np.isnan(v)]
        rows.append(
            {
                "iCode": c,
                "N": ok.size,
                "Availability": ok.size / v.size if v.size else np.nan,
                "N_zero": int(np.sum(ok == 0)),
                "N_unique": int(np.unique(ok).size),
                "Min": ok.min() if ok.size else np.nan,
                "Max": ok.max() if ok.size else np.nan,
                "Mean": ok.mean() if ok.size else np.nan,
                "Median": float(np.median(ok)) if ok.size else np.nan,
                "SD": ok.std(ddof=1) if ok.size > 1 else np.nan,
                "Skew": skew(ok),
                "Kurt": kurt(ok),
            }
        )
    return pd.DataFrame(rows).set_index("iCode")


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def correlations_with_parent(result: BuildResult, dset: str = "Normalised") -> pd.DataFrame:
    """Pearson correlation (pairwise complete) of each code with its parent aggregate; indicator
    values come from ``dset``, aggregate values from the Aggregated data set."""
    b = result.build
    agg = result.data["Aggregated"]
    src = result.data[dset]
    rows = []
    for code, par in b.parent.items():
        x = (src[code] if code in src.columns else agg[code]).to_numpy(float)
        rows.append(
            {
                "iCode": code,
                "Parent": par,
                "Level": b.level[code],
                "r": _pearson(x, agg[par].to_numpy(float)),
            }
        )
    return pd.DataFrame(rows)


def correlations_within_level(
    result: BuildResult, level: int = 1, dset: str = "Aggregated"
) -> pd.DataFrame:
    """Pearson correlation matrix (pairwise complete) of all codes at ``level``."""
    codes = result.build.codes_at(level)
    return result.data[dset][codes].corr(method="pearson")


def cronbach_alpha(x: pd.DataFrame | np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``x`` (complete rows only, sample variances):
    k / (k - 1) * (1 - sum(var_i) / var(sum))."""
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a).any(axis=1)]
    k = a.shape[1]
    if k < 2 or a.shape[0] < 2:
        return float("nan")
    tot = a.sum(axis=1).var(ddof=1)
    if tot == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - a.var(axis=0, ddof=1).sum() / tot))


def _children_values(result: BuildResult, code: str, dset: str) -> pd.DataFrame:
    b = result.build
    kids = b.children[code]
    src = result.data[dset] if b.level[code] == 2 else result.data["Aggregated"]
    return src[kids]


def cronbach_by_aggregate(result: BuildResult, dset: str = "Normalised") -> pd.Series:
    """Cronbach's alpha of each aggregate's direct children."""
    b = result.build
    codes = [c for lv in range(2, b.n_levels + 1) for c in b.codes_at(lv)]
    return pd.Series(
        {c: cronbach_alpha(_children_values(result, c, dset)) for c in codes}, name="CronbachAlpha"
    )


def pca_variance(x: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Share of variance explained by each principal component of the standardised columns
    (eigenvalues of the correlation matrix, complete rows), largest first."""
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a).any(axis=1)]
    sd = a.std(axis=0, ddof=1)
    a = (a[:, sd > 0] - a[:, sd > 0].mean(axis=0)) / sd[sd > 0]
    if a.shape[1] == 0 or a.shape[0] < 2:
        return np.array([])
    ev = np.linalg.eigvalsh(np.atleast_2d(np.cov(a, rowvar=False)))[::-1]
    ev = np.clip(ev, 0, None)
    return np.asarray(ev / ev.sum(), dtype=float)


def pca_by_aggregate(result: BuildResult, dset: str = "Normalised") -> pd.DataFrame:
    """Per aggregate: number of children, variance share of PC1 and cumulative of PC1-2."""
    b = result.build
    rows = []
    for lv in range(2, b.n_levels + 1):
        for c in b.codes_at(lv):
            ve = pca_variance(_children_values(result, c, dset))
            rows.append(
                {
                    "iCode": c,
                    "N_children": len(b.children[c]),
                    "PC1": ve[0] if ve.size else np.nan,
                    "PC1_2": ve[:2].sum() if ve.size > 1 else np.nan,
                }
            )
    return pd.DataFrame(rows).set_index("iCode")


def pca_weights(result: BuildResult, code: str, dset: str = "Normalised") -> pd.Series:
    """Diagnostic weights of ``code``'s children from the absolute PC1 loadings (sum to 1)."""
    a = _children_values(result, code, dset).dropna()
    z = (a - a.mean()) / a.std(ddof=1)
    _, vec = np.linalg.eigh(np.cov(z.to_numpy(float), rowvar=False))
    load = np.abs(vec[:, -1])
    return pd.Series(load / load.sum(), index=a.columns, name="PCAWeight")


def entropy_weights(data: pd.DataFrame) -> pd.Series:
    """Diagnostic entropy weights of the columns of a non-negative data set (e.g. min-max
    normalised): e_j = -sum p_ij ln p_ij / ln n, w_j = (1 - e_j) / sum(1 - e)."""
    a = data.to_numpy(float)
    a = a[~np.isnan(a).any(axis=1)]
    col = a.sum(axis=0)
    p = np.divide(a, col, out=np.zeros_like(a), where=col != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(a.shape[0])
    d = 1 - e
    return pd.Series(d / d.sum(), index=data.columns, name="EntropyWeight")
