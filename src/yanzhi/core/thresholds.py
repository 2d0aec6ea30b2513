"""The plan's intensity thresholds — R&D expense at least 5 % (优先支持) or 3.4 % (the 2027
target) of operating revenue — decided once, in exact arithmetic.

"5 %以上" includes 5 % (以上 includes the number itself, as in statute and statistics), so an
enterprise with R&D of exactly 5 % of revenue qualifies (``≥``). The plan's guarantee measure
words the priority rule "高于5%"; the evaluation frameworks count "5%以上". yanzhi uses one
definition for both (issue #15), ``≥``; the difference is the enterprises at exactly 5.0000 %.
Floating point would misjudge the boundary (0.05 * 3 != 0.15), so money is rounded to whole
分 (0.01 元; amounts are held in 万元, so ×10⁶) and the threshold is a fraction p/q:
``rd × q ≥ p × revenue`` in integers. A missing amount or a revenue of zero or less never
meets a threshold. Lists, diagnosis, policy and the roll-up's count of enterprises above 5 %
all call this module."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl

PRIORITY = Fraction(5, 100)  # 研发投入占营业收入比重 5%以上: priority in science programmes
PLAN_TARGET = Fraction(34, 1000)  # 规上工业企业研发费用占营业收入比重 3.4%: the 2027 target

FEN_PER_WAN = 1_000_000  # 1 万元 = 10⁶ 分


def as_fraction(threshold: Fraction | float | str) -> Fraction:
    """A threshold as an exact fraction: ``0.05`` (as written in a rule file) → 1/20."""
    if isinstance(threshold, Fraction):
        return threshold
    return Fraction(str(threshold))


def meets(rd: float | None, revenue: float | None, threshold: Fraction | float | str) -> bool:
    """Is ``rd`` (万元) at least ``threshold`` of ``revenue`` (万元)?"""
    if rd is None or revenue is None or np.isnan(rd) or np.isnan(revenue) or revenue <= 0:
        return False
    t = as_fraction(threshold)
    rd_fen, rev_fen = round(rd * FEN_PER_WAN), round(revenue * FEN_PER_WAN)
    return rd_fen * t.denominator >= t.numerator * rev_fen


def meets_many(rd: Any, revenue: Any, threshold: Fraction | float | str) -> np.ndarray:
    """:func:`meets` for arrays (NumPy or pandas), element by element; a boolean array."""
    t = as_fraction(threshold)
    r = np.asarray(rd, dtype=float)
    v = np.asarray(revenue, dtype=float)
    ok = ~np.isnan(r) & ~np.isnan(v) & (v > 0)
    rd_fen = np.rint(np.where(ok, r, 0.0) * FEN_PER_WAN).astype(np.int64)
    rev_fen = np.rint(np.where(ok, v, 0.0) * FEN_PER_WAN).astype(np.int64)
    return ok & (rd_fen * t.denominator >= t.numerator * rev_fen)


def meets_expr(rd: pl.Expr, revenue: pl.Expr, threshold: Fraction | float | str) -> pl.Expr:
    """:func:`meets` as a Polars expression (null where an amount is missing)."""
    t = as_fraction(threshold)
    rd_fen = (rd.fill_nan(None) * FEN_PER_WAN).round(0).cast(pl.Int64)
    rev_fen = (revenue.fill_nan(None) * FEN_PER_WAN).round(0).cast(pl.Int64)
    return (revenue > 0) & (rd_fen * t.denominator >= rev_fen * t.numerator)


def percent_text(threshold: Fraction | float | str) -> str:
    """``1/20`` → ``"5%"``, ``17/500`` → ``"3.4%"``."""
    return f"{float(as_fraction(threshold) * 100):g}%"
