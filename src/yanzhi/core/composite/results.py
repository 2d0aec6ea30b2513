"""Results helpers: ranks, group ranks, strengths and weaknesses, grade bands, change."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .pipeline import BuildResult
from .stats import rank_min


def ranks(result: BuildResult, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Descending "min" ranks of the index (default) or of ``codes`` (any aggregate or
    normalised indicator), one column per code, uCode index."""
    agg = result.data["Aggregated"]
    cols = list(codes) if codes is not None else [result.index_code]
    return pd.DataFrame(
        {c: rank_min(agg[c].to_numpy(float), descending=True) for c in cols}, index=agg.index
    )


def group_ranks(result: BuildResult, group: str, code: str | None = None) -> pd.DataFrame:
    """Rank of each unit within its group (a Group column of iData) on ``code`` (the index by
    default). Columns: uCode, group, score, Rank, GroupRank."""
    code = code or result.index_code
    agg = result.data["Aggregated"]
    b = result.build
    rows = b.idata
    if b.is_panel and result.spec.get("time") is not None:
        rows = rows[rows["Time"] == result.spec["time"]]
    g = rows.set_index("uCode")[group].reindex(agg.index)
    df = pd.DataFrame({group: g, code: agg[code]})
    df["Rank"] = rank_min(df[code].to_numpy(float), descending=True)
    df["GroupRank"] = df.groupby(group, dropna=False)[code].rank(method="min", ascending=False)
    return (
        df.reset_index().sort_values([group, "GroupRank"], kind="mergesort").reset_index(drop=True)
    )


def strengths_weaknesses(result: BuildResult, n: int = 3) -> pd.DataFrame:
    """Each unit's ``n`` strongest and weakest indicators by normalised score (ties broken by
    framework order). Columns: uCode, Strengths (list), Weaknesses (list)."""
    norm = result.data["Normalised"]
    out = []
    for u, row in norm.iterrows():
        s = row.dropna()
        order = np.argsort(-s.to_numpy(float), kind="stable")
        best = list(s.index[order[:n]])
        worst = list(s.index[np.argsort(s.to_numpy(float), kind="stable")[:n]])
        out.append({"uCode": u, "Strengths": best, "Weaknesses": worst})
    return pd.DataFrame(out)


def grade_bands(
    scores: pd.Series,
    thresholds: Sequence[float] = (80.0, 60.0),
    labels: Sequence[str] = ("A", "B", "C"),
) -> pd.Series:
    """Grade by score bands: score >= thresholds[0] -> labels[0], >= thresholds[1] ->
    labels[1], ..., otherwise the last label. ``len(labels) == len(thresholds) + 1``; NaN
    scores get no grade."""
    th = list(thresholds)
    if len(labels) != len(th) + 1 or any(a <= b for a, b in itertools.pairwise(th)):
        raise ValueError("need len(labels) == len(thresholds) + 1 and decreasing thresholds")
    out = pd.Series(labels[-1], index=scores.index, dtype=object)
    for t, lab in zip(reversed(th), reversed(labels[:-1]), strict=True):
        out[scores >= t] = lab
    out[scores.isna()] = None
    return out


def change(current: BuildResult, previous: BuildResult, code: str | None = None) -> pd.DataFrame:
    """Score and rank change of ``code`` (the index by default) versus a previous build.
    Positive RankChange = moved up. Units missing from either build get NaN."""
    code = code or current.index_code
    cur = current.data["Aggregated"][code]
    prev = previous.data["Aggregated"][code]
    df = pd.DataFrame({"Score": cur, "ScorePrev": prev.reindex(cur.index)})
    df["Rank"] = rank_min(cur.to_numpy(float), descending=True)
    pr = pd.Series(rank_min(prev.to_numpy(float), descending=True), index=prev.index)
    df["RankPrev"] = pr.reindex(cur.index)
    df["ScoreChange"] = df["Score"] - df["ScorePrev"]
    df["RankChange"] = df["RankPrev"] - df["Rank"]
    df.index.name = "uCode"
    return df.reset_index()
