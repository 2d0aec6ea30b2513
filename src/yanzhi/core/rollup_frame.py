"""Row-level work of the roll-up (see :mod:`yanzhi.core.rollup`): compile the indicators
into masked sum columns, derive month and quarter values from year-to-date reports, and
sum everything in one ``group_by``.

Every enterprise report (one row: enterprise × year-to-date period ending in ``month``)
contributes to three *versions* of its period, all keyed by the report's own
``(year, month)``:

=======  ==========================================================================
``ytd``  the year-to-date value as reported (``1–month``); for ``month == 12`` this is
         also the annual value
``mon``  the month ``month``: YTD(month) − YTD(month − 1) of the same enterprise and
         year, when both reports exist (January: YTD(1) itself)
``qtr``  the quarter ending in ``month`` (3, 6, 9, 12): YTD(month) − YTD(month − 3)
         when both exist (Q1: YTD(3) itself)
=======  ==========================================================================

Nothing is interpolated: a version exists only where the reports it needs exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from yanzhi.core import thresholds
from yanzhi.core.plan.model import Indicator

#: Value columns of the enterprise report (summed; may be null).
VALUE_ELEMENTS = (
    "operating_revenue",
    "rd_expense",
    "rd_expense_capitalised",
    "rd_personnel",
    "rd_personnel_fte",
    "new_product_output",
)
#: Flow elements accumulate over the year: month and quarter values are differences of
#: YTD values. The others (headcounts) are levels: a month or quarter takes the value of
#: the report that closes it.
FLOW_ELEMENTS = frozenset(
    {"operating_revenue", "rd_expense", "rd_expense_capitalised", "new_product_output"}
)
#: Count elements, derived per report (and per derived month / quarter) as 0/1.
COUNT_ELEMENTS = ("enterprise_count", "rd_active_enterprises", "has_rd_institution", "above_5pct")
VERSIONS = ("ytd", "mon", "qtr")
UNIT_KEYS = ("township_code", "district_code", "city_code")
PERIOD_KEYS = ("year", "month")
INDUSTRY_KEYS = ("city_code", "industry_division")
ROWS = "#rows"  # per version: number of reports (or derived values) in the group


@dataclass(frozen=True)
class CompiledIndicator:
    code: str
    factor: float
    mask: int
    numerator: str  # sum column (without version prefix)
    denominator: str | None
    count: str  # n_enterprises column


@dataclass(frozen=True)
class Spec:
    """The sum columns that all indicators need, each computed once."""

    indicators: tuple[CompiledIndicator, ...]
    masks: tuple[tuple[tuple[tuple[str, Any], ...], frozenset[str]], ...]
    sums: tuple[tuple[int, str], ...]  # (mask id, element)
    elements: frozenset[str]  # value elements that must be read
    attributes: frozenset[str]  # filter columns that must be read

    @property
    def columns(self) -> list[str]:
        names = [ROWS, *(f"m{m}|{e}" for m, e in self.sums)]
        names += [f"m{m}|#n" for m in range(len(self.masks))]
        return [f"{v}|{n}" for v in VERSIONS for n in names]


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple | set | frozenset) else value


def compile_indicators(indicators: Sequence[Indicator]) -> Spec:
    """Check the indicators and list the masked sums they need (deduplicated)."""
    known = set(VALUE_ELEMENTS) | set(COUNT_ELEMENTS)
    masks: list[tuple[tuple[tuple[str, Any], ...], frozenset[str]]] = []
    sums: list[tuple[int, str]] = []
    out: list[CompiledIndicator] = []
    attributes: set[str] = set()
    for ind in indicators:
        f = ind.formula
        if ind.source != "enterprise":
            raise ValueError(
                f"indicator {ind.code}: source {ind.source!r} is not an enterprise roll-up / "
                f"指标 {ind.code} 的来源不是企业汇总"
            )
        parts = [f.numerator] + ([f.denominator] if f.denominator else [])
        for element in parts:
            if element not in known:
                raise ValueError(
                    f"indicator {ind.code}: unknown data element {element!r} / "
                    f"指标 {ind.code} 引用了未知数据元素 {element!r}"
                )
        filt = tuple(sorted((k, _freeze(v)) for k, v in f.filter.items() if v is not None))
        attributes.update(k for k, _ in filt)
        required = frozenset(e for e in parts if e in VALUE_ELEMENTS)
        key = (filt, required)
        if key not in masks:
            masks.append(key)
        m = masks.index(key)
        for element in parts:
            if (m, element) not in sums:
                sums.append((m, element))
        den = f"m{m}|{f.denominator}" if f.denominator else None
        out.append(CompiledIndicator(ind.code, f.factor, m, f"m{m}|{f.numerator}", den, f"m{m}|#n"))
    needed = {e for _, e in sums if e in VALUE_ELEMENTS}
    if any(e in {"rd_active_enterprises", "above_5pct"} for _, e in sums):
        needed.add("rd_expense")
    if any(e == "above_5pct" for _, e in sums):
        needed.add("operating_revenue")
    return Spec(tuple(out), tuple(masks), tuple(sums), frozenset(needed), frozenset(attributes))


def previous_reports(
    enterprise: np.ndarray, year: np.ndarray, month: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row index of the same enterprise's YTD report one and three months earlier in the
    same year (−1 where there is none). Raises on duplicate (enterprise, year, month)."""
    n = len(enterprise)
    if n == 0:
        empty = np.empty(0, np.int64)
        return empty, empty
    y0 = int(year.min())
    slot = (year.astype(np.int64) - y0) * 12 + (month.astype(np.int64) - 1)
    width = int(slot.max()) + 1
    lo, hi = int(enterprise.min()), int(enterprise.max())
    if (hi - lo + 1) * width <= max(4 * n, 1 << 16):
        ent = enterprise.astype(np.int64) - lo
        cells = (hi - lo + 1) * width
    else:
        uniq, ent = np.unique(enterprise, return_inverse=True)
        cells = len(uniq) * width
    flat = ent.astype(np.int64) * width + slot
    rows = np.arange(n, dtype=np.int64)
    if cells <= max(8 * n, 1 << 16):  # dense grid: O(n) scatter and gathers
        grid = np.full(cells, -1, dtype=np.int64)
        grid[flat] = rows
        if not np.array_equal(grid[flat], rows):
            raise ValueError("duplicate (enterprise_id, period) rows / 企业同一期间有重复记录")

        def find(lag: int, ok: np.ndarray) -> np.ndarray:
            return np.where(ok, grid[np.where(ok, flat - lag, 0)], -1)

    else:  # sparse: sort once, then binary search
        order = np.argsort(flat, kind="stable")
        keys = flat[order]
        if np.any(keys[1:] == keys[:-1]):
            raise ValueError("duplicate (enterprise_id, period) rows / 企业同一期间有重复记录")

        def find(lag: int, ok: np.ndarray) -> np.ndarray:
            pos = np.minimum(np.searchsorted(keys, flat - lag), n - 1)
            return np.where(ok & (keys[pos] == flat - lag), order[pos], -1)

    prev_month = find(1, month > 1)
    prev_quarter = find(3, (month % 3 == 0) & (month > 3))
    return prev_month, prev_quarter


def _filter_expr(items: tuple[tuple[str, Any], ...], schema: pl.Schema) -> pl.Expr:
    expr = pl.lit(True)
    for column, value in items:
        col = pl.col(column)
        dtype = schema[column]
        textual = dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
        wanted = [str(v) for v in value] if textual and isinstance(value, tuple) else value
        if isinstance(value, tuple):
            cond = col.is_in(list(wanted))
        elif textual:
            cond = col == str(value)
        else:
            cond = col == value
        expr = expr & cond.fill_null(False)
    return expr


def _versions(spec: Spec, schema: pl.Schema) -> list[list[pl.Expr]]:
    """Stages of column expressions (each stage only uses columns of earlier stages):
    derived values per version, masks, then the masked contributions."""
    month = pl.col("month")
    exists = {
        "ytd": pl.lit(True),
        "mon": (month == 1) | pl.col("_pm").is_not_null(),
        "qtr": (month == 3) | ((month % 3 == 0) & pl.col("_pq").is_not_null()),
    }
    derive: list[pl.Expr] = [
        _filter_expr(items, schema).alias(f"_f{m}") for m, (items, _) in enumerate(spec.masks)
    ]
    for v in VERSIONS:
        derive.append(exists[v].alias(f"{v}:#exists"))
        for e in sorted(spec.elements):
            raw = pl.col(e).cast(pl.Float64)
            if v == "ytd" or e not in FLOW_ELEMENTS:
                expr = raw
            else:
                first, prev = (month == 1, "_pm") if v == "mon" else (month == 3, "_pq")
                expr = pl.when(first).then(raw).otherwise(raw - raw.gather(pl.col(prev)))
            derive.append(expr.alias(f"{v}:{e}"))
    counts: list[pl.Expr] = []
    for v in VERSIONS:
        ex = pl.col(f"{v}:#exists")
        counts.append(ex.alias(f"{v}:enterprise_count"))
        if "rd_expense" in spec.elements:
            rd = pl.col(f"{v}:rd_expense")
            counts.append((ex & (rd > 0).fill_null(False)).alias(f"{v}:rd_active_enterprises"))
            if "operating_revenue" in spec.elements:
                big = thresholds.meets_expr(
                    rd, pl.col(f"{v}:operating_revenue"), thresholds.PRIORITY
                )
                counts.append((ex & big.fill_null(False)).alias(f"{v}:above_5pct"))
        inst = ex & pl.col("has_rd_institution").fill_null(False)
        counts.append(inst.alias(f"{v}:has_rd_institution"))
        for m, (_, required) in enumerate(spec.masks):
            mask = pl.col(f"_f{m}") & ex
            for e in sorted(required):
                mask = mask & pl.col(f"{v}:{e}").is_not_null()
            counts.append(mask.alias(f"{v}:_mask{m}"))
    sums: list[pl.Expr] = []
    for v in VERSIONS:
        sums.append(pl.col(f"{v}:#exists").cast(pl.UInt32).alias(f"{v}|{ROWS}"))
        for m in range(len(spec.masks)):
            sums.append(pl.col(f"{v}:_mask{m}").cast(pl.UInt32).alias(f"{v}|m{m}|#n"))
        for m, e in spec.sums:
            mask, value = pl.col(f"{v}:_mask{m}"), pl.col(f"{v}:{e}")
            if e in VALUE_ELEMENTS:
                expr = pl.when(mask).then(value).otherwise(0.0)
            else:
                expr = (mask & value).cast(pl.UInt32)
            sums.append(expr.alias(f"{v}|m{m}|{e}"))
    return [derive, counts, sums]


def contributions(facts: pl.DataFrame, spec: Spec, keys: Sequence[str]) -> pl.LazyFrame:
    """One row per report: the group ``keys`` and every versioned masked value."""
    prev_m, prev_q = previous_reports(
        facts["enterprise_id"].to_numpy(), facts["year"].to_numpy(), facts["month"].to_numpy()
    )
    needed = set(keys) | set(PERIOD_KEYS) | spec.elements | spec.attributes
    needed.add("has_rd_institution")
    frame = facts.select(sorted(needed)).with_columns(
        pl.Series("_pm", prev_m), pl.Series("_pq", prev_q)
    )
    frame = frame.with_columns(
        pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c) for c in ("_pm", "_pq")
    )
    derive, counts, sums = _versions(spec, facts.schema)
    frame = frame.with_columns(derive).with_columns(counts)
    return frame.lazy().select([*(pl.col(k) for k in keys), *sums])


def group_sums(lazy: pl.LazyFrame, keys: Sequence[str], spec: Spec) -> pl.DataFrame:
    return lazy.group_by(list(keys)).agg(pl.col(c).sum() for c in spec.columns).collect()


def sum_schema(spec: Spec) -> dict[str, pl.DataType]:
    """The type of each sum column: float sums of values, whole counts otherwise."""
    return {
        c: pl.Float64() if c.rsplit("|", 1)[1] in VALUE_ELEMENTS else pl.UInt32()
        for c in spec.columns
    }


def layout(spec: Spec) -> str:
    """A short fingerprint of the sum columns and what each sums (its masks): kept sums
    are read back only into the same layout. The same in every process: a mask's set of
    required elements is written sorted (a set's own order follows the process's string
    hashing, so the fingerprint differed between processes and an approval in a new
    process read the whole year again instead of its districts)."""
    import hashlib

    masks = [(filt, sorted(required)) for filt, required in spec.masks]
    text = repr((spec.columns, masks)).encode()
    return hashlib.sha256(text).hexdigest()[:16]


def sum_up(table: pl.DataFrame, keys: Sequence[str], spec: Spec) -> pl.DataFrame:
    """Re-sum a (small) table of sums to coarser keys."""
    return table.group_by(list(keys)).agg(pl.col(c).sum() for c in spec.columns)


def check_columns(facts: pl.DataFrame, spec: Spec, extra: Mapping[str, str]) -> None:
    needed = {"enterprise_id", *PERIOD_KEYS, *UNIT_KEYS, "has_rd_institution"}
    needed |= spec.elements | spec.attributes | set(extra)
    missing = sorted(needed - set(facts.columns))
    if missing:
        raise ValueError(f"facts lack columns {missing} / 数据缺少列 {missing}")
