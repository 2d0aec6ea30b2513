"""Roll-up of enterprise reports to indicators for every unit and period, in one pass.

An indicator is ``factor × Σ numerator / Σ denominator`` over data elements, summed over
the enterprises that pass its filter (e.g. ``{above_size_industrial: true}``). A ratio at
a higher level is Σ numerators / Σ denominators of all enterprises below it — never an
average of the lower units' ratios. An enterprise contributes to a ratio only when both
its numerator and its denominator are reported (not null); ``n_enterprises`` counts the
contributors. ``value`` is null when Σ denominator is 0. An indicator without a
denominator is ``factor × Σ numerator`` (0 when nothing contributes).

Input ("facts"): one row per enterprise × year-to-date period (see
:data:`FACT_COLUMNS`). Output: one row per (indicator, level, unit_code, period) with
``numerator, denominator, value, n_enterprises`` for

- the YTD periods as reported (``2024-01..05``);
- months ``2024-05`` = YTD(5) − YTD(4) of the same enterprise (January = YTD(1));
- quarters ``2024Q2`` = YTD(6) − YTD(3) (Q1 = YTD(3));
- years ``2024`` = YTD(12).

Month and quarter values are taken per enterprise and only where both reports exist;
counts (active enterprises, …) are recounted on the derived values (an enterprise is R&D
active in May when its May R&D expense is > 0). Only periods computable from the data are
produced: with Ningbo's 1–5, 1–8, 1–11 calendar that is the three YTD periods only — no
month, quarter or year is invented. Headcounts (``rd_personnel``, ``rd_personnel_fte``)
are levels, not flows: a month or quarter takes the value of the report that closes it.

:class:`RollupState` keeps the sums per (township, period) and the reports per period, so
that replacing one township's period (an approval) recomputes only the periods that
depend on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from yanzhi.core.plan.model import Indicator
from yanzhi.core.rollup_frame import (
    COUNT_ELEMENTS,
    FLOW_ELEMENTS,
    INDUSTRY_KEYS,
    PERIOD_KEYS,
    ROWS,
    UNIT_KEYS,
    VALUE_ELEMENTS,
    Spec,
    check_columns,
    compile_indicators,
    contributions,
    group_sums,
    sum_up,
)

__all__ = [
    "COUNT_ELEMENTS",
    "DIVISION_KEYS",
    "FACT_COLUMNS",
    "FLAG_COLUMNS",
    "FLOW_ELEMENTS",
    "RESULT_SCHEMA",
    "VALUE_ELEMENTS",
    "RollupState",
    "affected_periods",
    "ending_months",
    "enterprise_indicators",
    "results_from_sums",
    "rollup",
    "source_months",
    "stored_sums",
]

FLAG_COLUMNS = (
    "has_rd_institution",
    "above_size_industrial",
    "hightech",
    "tech_sme",
    "specialised",
    "champion",
)
"""Yes/no columns of the facts (missing counts as no)."""
FACT_COLUMNS = (
    "enterprise_id",
    "period",
    "year",
    "month",
    *UNIT_KEYS,
    "industry_code",
    "industry_division",
    *VALUE_ELEMENTS,
    *FLAG_COLUMNS,
    "size_class",
)
LEVELS = ("township", "district", "city")
#: Keys of the industry sums kept per district (:func:`stored_sums`), so that an approval
#: re-sums one district's industries and adds the others' from storage.
DIVISION_KEYS = ("district_code", "city_code", "industry_division")
RESULT_SCHEMA = {
    "indicator": pl.String,
    "level": pl.String,
    "unit_code": pl.String,
    "industry_division": pl.String,
    "period": pl.String,
    "period_kind": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "n_enterprises": pl.Int64,
}
_KINDS = (  # (period kind, version, format)
    ("ytd", "ytd", "{}-01..{}"),
    ("month", "mon", "{}-{}"),
    ("quarter", "qtr", "{}Q{}"),
    ("year", "ytd", "{}"),
)


def enterprise_indicators(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators that are rolled up from enterprise reports."""
    return [i for i in indicators if i.source == "enterprise"]


def affected_periods(year: int, month: int) -> list[str]:
    """The periods whose values depend on the YTD report ``year-01..month``."""
    out = [f"{year}-01..{month:02d}", f"{year}-{month:02d}"]
    if month < 12:
        out.append(f"{year}-{month + 1:02d}")
    if month % 3 == 0:
        out.append(f"{year}Q{month // 3}")
        if month < 12:
            out.append(f"{year}Q{month // 3 + 1}")
    if month == 12:
        out.append(f"{year}")
    return out


def source_months(month: int) -> list[int]:
    """The report months (of the same year) from which every period affected by the report
    ``month`` is computed (:func:`affected_periods`): each affected month or quarter is the
    difference of the reports that close it and the one before it."""
    return sorted({k for e in ending_months(month) for k in (e, e - 1, e - 3) if 1 <= k <= 12})


def ending_months(month: int) -> list[int]:
    """Report months whose versions (ytd / mon / qtr) depend on the report ``month``."""
    out = [month]
    if month < 12:
        out.append(month + 1)
    if month % 3 == 0 and month + 3 <= 12:
        out.append(month + 3)
    return out


def _long(sums: dict[str, pl.DataFrame], spec: Spec) -> pl.DataFrame:
    """Wide sums per (level, unit, year, month) → one row per indicator and period."""
    stacked = pl.concat(
        [t.with_columns(pl.lit(level).alias("level")) for level, t in sums.items()],
        how="diagonal_relaxed",
    )
    if "industry_division" not in stacked.columns:
        stacked = stacked.with_columns(pl.lit(None, pl.String).alias("industry_division"))
    month = pl.col("month")
    frames = []
    for kind, v, fmt in _KINDS:
        rows = pl.col(f"{v}|{ROWS}") > 0
        if kind == "year":
            rows = rows & (month == 12)
        elif kind == "quarter":
            rows = rows & (month % 3 == 0)
        part = stacked.filter(rows)
        if part.height == 0:
            continue
        if kind == "ytd" or kind == "month":
            label = pl.format(fmt, "year", month.cast(pl.String).str.zfill(2))
        elif kind == "quarter":
            label = pl.format(fmt, "year", (month // 3).cast(pl.String))
        else:
            label = pl.format(fmt, "year")
        part = part.with_columns(label.alias("period"), pl.lit(kind).alias("period_kind"))
        for ind in spec.indicators:
            num = pl.col(f"{v}|{ind.numerator}").cast(pl.Float64)
            if ind.denominator is None:
                den = pl.lit(None, pl.Float64)
                value = ind.factor * num
            else:
                den = pl.col(f"{v}|{ind.denominator}").cast(pl.Float64)
                value = pl.when(den != 0).then(ind.factor * num / den)
            frames.append(
                part.select(
                    pl.lit(ind.code).alias("indicator"),
                    "level",
                    pl.col("unit_code").cast(pl.String),
                    pl.col("industry_division").cast(pl.String),
                    "period",
                    "period_kind",
                    num.alias("numerator"),
                    den.alias("denominator"),
                    value.alias("value"),
                    pl.col(f"{v}|{ind.count}").cast(pl.Int64).alias("n_enterprises"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.concat(frames, how="vertical")


def _levels(township: pl.DataFrame, levels: Sequence[str], spec: Spec) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    for level in levels:
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r} / 未知层级 {level!r}")
        code = f"{level}_code"
        table = township if level == "township" else sum_up(township, [code, *PERIOD_KEYS], spec)
        out[level] = table.select(pl.col(code).alias("unit_code"), *PERIOD_KEYS, *spec.columns)
    return out


def _industry(table: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    if "district_code" in table.columns:  # kept per district: the city's are their sums
        table = sum_up(table, [*INDUSTRY_KEYS, *PERIOD_KEYS], spec)
    return table.select(
        pl.col("city_code").alias("unit_code"), "industry_division", *PERIOD_KEYS, *spec.columns
    )


def rollup(
    facts: pl.DataFrame,
    indicators: Sequence[Indicator],
    *,
    levels: Sequence[str] = LEVELS,
    by_industry: bool = False,
) -> pl.DataFrame:
    """All indicators for all units (``levels``) and periods, in one pass over ``facts``.

    With ``by_industry`` the city-level values per ``industry_division`` are added (level
    ``"industry"``; ``unit_code`` is the city, ``industry_division`` the division).
    Rows are not sorted.
    """
    state = RollupState.build(
        facts, indicators, levels=levels, by_industry=by_industry, keep_facts=False
    )
    return state.results()


def stored_sums(
    facts: pl.DataFrame, indicators: Sequence[Indicator]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The additive core of the roll-up, in the form kept in the database: the sums of
    every masked element per (township, year, month) and per (district, industry
    division, year, month). Every result of :func:`rollup` (``by_industry``) follows from
    them alone (:func:`results_from_sums`), so an approval re-sums only the districts it
    touches and takes the other districts' sums as stored."""
    spec = compile_indicators(indicators)
    check_columns(facts, spec, {"industry_division": ""})
    keys = [*UNIT_KEYS, *PERIOD_KEYS]
    township, divisions = _sums(facts, spec, keys, [*DIVISION_KEYS, *PERIOD_KEYS])
    assert divisions is not None
    return township, divisions


def results_from_sums(
    township: pl.DataFrame,
    divisions: pl.DataFrame,
    indicators: Sequence[Indicator],
    *,
    levels: Sequence[str] = LEVELS,
) -> pl.DataFrame:
    """Every indicator for every unit, industry and period present in the sums of
    :func:`stored_sums` — the same rows as :func:`rollup` with ``by_industry``."""
    spec = compile_indicators(indicators)
    sums = _levels(township, levels, spec)
    sums["industry"] = _industry(divisions, spec)
    return _long(sums, spec)


@dataclass
class RollupState:
    """Sums per (township, year, month) of every masked element, plus the reports per
    period, so that an approval updates only the periods that depend on it."""

    spec: Spec
    levels: tuple[str, ...]
    township: pl.DataFrame
    industry: pl.DataFrame | None
    parts: dict[tuple[int, int], pl.DataFrame] = field(default_factory=dict)
    keeps_facts: bool = True

    @classmethod
    def build(
        cls,
        facts: pl.DataFrame,
        indicators: Sequence[Indicator],
        *,
        levels: Sequence[str] = LEVELS,
        by_industry: bool = False,
        keep_facts: bool = True,
    ) -> RollupState:
        spec = compile_indicators(indicators)
        check_columns(facts, spec, {"industry_division": ""} if by_industry else {})
        keys = [*UNIT_KEYS, *PERIOD_KEYS]
        township, industry = _sums(facts, spec, keys, _industry_keys(by_industry))
        parts = _by_period(facts) if keep_facts else {}
        return cls(spec, tuple(levels), township, industry, parts, keep_facts)

    def results(self) -> pl.DataFrame:
        return self._results(self.township, self.industry)

    def _results(self, township: pl.DataFrame, industry: pl.DataFrame | None) -> pl.DataFrame:
        sums = _levels(township, self.levels, self.spec)
        if industry is not None:
            sums["industry"] = _industry(industry, self.spec)
        return _long(sums, self.spec)

    def apply_change(self, old_rows: pl.DataFrame, new_rows: pl.DataFrame) -> pl.DataFrame:
        """Replace ``old_rows`` by ``new_rows`` (reports of one or more YTD periods, e.g. one
        township's month after approval) and return the complete results of every period
        that depends on them (all levels, units and indicators of those periods; replace
        the caller's rows of those periods by these). Only the affected periods are
        recomputed: the changed periods' township sums from the stored reports, then the
        district and city sums from the township sums."""
        if not self.keeps_facts:
            raise ValueError("state was built without keep_facts / 状态未保留明细数据")
        changed = sorted(
            {(int(y), int(m)) for y, m in old_rows.select(PERIOD_KEYS).iter_rows()}
            | {(int(y), int(m)) for y, m in new_rows.select(PERIOD_KEYS).iter_rows()}
        )
        for y, m in changed:
            part = self.parts.get((y, m))
            old = old_rows.filter((pl.col("year") == y) & (pl.col("month") == m))
            new = new_rows.filter((pl.col("year") == y) & (pl.col("month") == m))
            if part is None:
                part = new.clear()
            gone = old["enterprise_id"]
            if part.filter(pl.col("enterprise_id").is_in(gone.implode())).height != old.height:
                raise ValueError(
                    f"old rows of {y}-01..{m:02d} are not all in the state / "
                    f"{y}年1-{m}月的原记录与状态不一致"
                )
            kept = part.filter(~pl.col("enterprise_id").is_in(gone.implode()))
            new = new.select(pl.col(c).cast(t) for c, t in kept.schema.items())
            merged = pl.concat([kept, new], how="vertical")
            if merged.height:
                self.parts[(y, m)] = merged
            else:
                self.parts.pop((y, m), None)
        ends = sorted({(y, e) for y, m in changed for e in ending_months(m)})
        need = sorted(
            {(y, k) for y, m in changed for k in source_months(m) if (y, k) in self.parts}
        )
        window = pl.concat([self.parts[k] for k in need], how="vertical_relaxed") if need else None
        hit = pl.lit(False)
        for y, e in ends:
            hit = hit | ((pl.col("year") == y) & (pl.col("month") == e))
        keys = [*UNIT_KEYS, *PERIOD_KEYS]
        if window is not None:
            industry_keys = _industry_keys(self.industry is not None)
            township, industry = _sums(window, self.spec, keys, industry_keys)
            township = township.filter(hit)
            industry = None if industry is None else industry.filter(hit)
        else:
            township, industry = self.township.clear(), None
            if self.industry is not None:
                industry = self.industry.clear()
        self.township = pl.concat(
            [self.township.filter(~hit), township.select(self.township.columns)]
        )
        if self.industry is not None and industry is not None:
            self.industry = pl.concat(
                [self.industry.filter(~hit), industry.select(self.industry.columns)]
            )
        labels = sorted({p for y, m in changed for p in affected_periods(y, m)})
        return self._results(township, industry).filter(pl.col("period").is_in(labels))


def _by_period(facts: pl.DataFrame) -> dict[tuple[int, int], pl.DataFrame]:
    """The reports split by (year, month): zero-copy slices when the rows already come in
    period order (as monthly imports do), a partition otherwise."""
    if facts.is_empty():
        return {}
    year, month = facts["year"].to_numpy(), facts["month"].to_numpy()
    key = year.astype(np.int64) * 12 + month.astype(np.int64)
    if bool(np.all(key[1:] >= key[:-1])):
        starts = np.concatenate([[0], np.flatnonzero(key[1:] != key[:-1]) + 1, [len(key)]])
        return {
            (int(year[a]), int(month[a])): facts.slice(int(a), int(b - a))
            for a, b in itertools.pairwise(starts)
        }
    parts = facts.partition_by(PERIOD_KEYS, as_dict=True, maintain_order=False)
    return {(int(y), int(m)): part for (y, m), part in parts.items()}


#: Reports summed per batch of whole years (bounds the memory of the row-level columns).
BATCH_ROWS = 2_000_000


def _industry_keys(by_industry: bool) -> list[str] | None:
    return [*INDUSTRY_KEYS, *PERIOD_KEYS] if by_industry else None


def _sums(
    facts: pl.DataFrame, spec: Spec, keys: list[str], industry_keys: list[str] | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Sums per ``keys`` and, with ``industry_keys``, per those keys too (which name
    ``industry_division``)."""
    if facts.height <= BATCH_ROWS:
        return _batch_sums(facts, spec, keys, industry_keys)
    sizes = facts.group_by("year").len().sort("year").iter_rows()
    batches: list[list[int]] = [[]]
    rows = 0
    for year, n in sizes:
        if rows and rows + n > BATCH_ROWS:
            batches.append([])
            rows = 0
        batches[-1].append(year)
        rows += n
    township, industry = [], []
    for years in batches:
        t, i = _batch_sums(facts.filter(pl.col("year").is_in(years)), spec, keys, industry_keys)
        township.append(t)
        if i is not None:
            industry.append(i)
    return pl.concat(township), pl.concat(industry) if industry else None


def _batch_sums(
    facts: pl.DataFrame, spec: Spec, keys: list[str], industry_keys: list[str] | None
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    if industry_keys is None:
        return group_sums(contributions(facts, spec, keys), keys, spec), None
    group = list(dict.fromkeys([*keys, *industry_keys]))
    rows = contributions(facts, spec, group).collect().lazy()
    return group_sums(rows, keys, spec), group_sums(rows, industry_keys, spec)
