"""What the evaluation views return: typed results that are also the API's response models
(``/api/v1/evaluation…``). Ranking rows keep the keys the evaluation gives them (named
after the framework's aggregates and the COINr result columns); everything else is typed.
Field names are the JSON keys the API has always sent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    """A response whose listed fields are typed; rows and build details pass through as they
    are (keys named after the framework's indicators and the COINr columns)."""

    model_config = ConfigDict(extra="allow")


class AggregateName(BaseModel):
    """An aggregate (pillar) of the framework as a ranking column: code and names."""

    code: str
    name: str
    name_en: str | None


class ImputedCell(BaseModel):
    """A missing indicator cell of the evaluation and how it was filled (插补说明):
    services/evaluation/imputation.py; ``value`` None when left missing."""

    unit: str
    unit_name: str
    kind: str | None
    indicator: str
    indicator_name: str
    method: str
    method_zh: str
    method_en: str
    coinr: str
    value: float | None


class RankDraws(BaseModel):
    """The Monte Carlo draws behind a ranking's rank intervals, and their seed."""

    draws: int
    seed: int | None


class _RankingHead(_Open):
    """What a ranking says besides its rows: the framework's names, the pool sizes, the
    caller's scope and the years that can be evaluated."""

    ok: bool
    framework: str
    name: str
    name_en: str | None
    level: str
    year: int
    previous_year: int | None
    synthetic: bool
    n_units: int
    n_indicators: int
    index: str | None
    index_name: str | None
    index_name_en: str | None
    aggregates: list[AggregateName]
    uncertainty: RankDraws | None
    notes: Any
    imputations: list[ImputedCell] = []
    pools: dict[str, int]
    scope: str | None
    n_visible: int
    years: list[int] = []


class Ranking(_RankingHead):
    """:func:`ranking` / :func:`ranking_page`: every ranking row the caller may see (keys
    named after the framework's aggregates and the COINr result columns)."""

    rows: list[dict[str, Any]]


class RankingPage(_RankingHead):
    """``GET /evaluation``: one page of the ranking rows the caller may see, with the
    framework's names, the pool sizes and the years that can be evaluated."""

    items: list[dict[str, Any]]
    total: int
    page: int
    size: int


Num = int | float | None
"""A number as the evaluation gives it (``None`` where it has none)."""


class ScorecardUnit(BaseModel):
    """The unit of a scorecard: its kind and the ranking pool it is ranked in."""

    code: str
    name: str
    kind: str
    kind_zh: str | None
    pool: str
    pool_size: int


class PillarScore(BaseModel):
    """One pillar (aggregate) of a unit: weights, score and rank among its pool mates."""

    code: str
    name: str
    name_en: str | None
    weight: Num
    effective_weight: Num
    score: Num
    rank: int | None
    of: int


class IndicatorScore(BaseModel):
    """One indicator of a unit: raw and denominated value, normalised score, contribution,
    rank among its pool mates and whether it lifts or drags the unit."""

    code: str
    name: str
    name_en: str | None
    pillar: str | None
    pillar_name: str | None
    unit: str | None
    direction: int
    weight: Num
    effective_weight: Num
    raw: Num
    value: Num
    denominator: str | None
    normalised: Num
    contribution: Num
    rank: int | None
    of: int
    effect: str | None
    imputed: ImputedCell | None = None


class BonusScore(BaseModel):
    """One bonus / deduction item of a unit: the raw value and the points given."""

    code: str
    name: str
    name_en: str | None
    type: str
    unit: str | None
    value: Num
    points: Num
    max: Num


class Scorecard(_Open):
    """``GET /evaluation/units/{code}``: one unit's ranking row, pillars, indicators and
    bonus / deduction items."""

    framework: str
    name: str
    name_en: str | None
    level: str
    year: int
    previous_year: int | None
    synthetic: bool
    years: list[int] = []
    """The years that can be evaluated, newest first (the year picker)."""
    draws: int | None
    seed: int | None
    unit: ScorecardUnit
    row: dict[str, Any]
    average: Any
    pillars: list[PillarScore]
    indicators: list[IndicatorScore]
    bonus: list[BonusScore]


class IndexName(BaseModel):
    """The framework's composite index: code and names."""

    code: str
    name: str | None
    name_en: str | None


class GradeRule(BaseModel):
    """How grades are given: ``by`` percentile in the pool or by score, with the thresholds
    between the labels."""

    by: str
    thresholds: list[int | float]
    labels: list[str]


class UncertaintySettings(BaseModel):
    """The settings behind the rank intervals: the alternatives of the uncertain spec
    paths, the weight noise per level, the draws and the seed."""

    alternatives: dict[str, Any]
    weight_noise: dict[str, Num]
    draws: int
    seed: int


class MethodAggregate(BaseModel):
    """One aggregate (pillar) of the framework: nominal and effective weight, parent."""

    code: str
    name: str
    name_en: str | None
    weight: Num
    parent: str | None
    effective_weight: Num


class MethodIndicator(BaseModel):
    """One indicator of the framework: weights, direction, unit, source and provenance."""

    code: str
    name: str
    name_en: str | None
    parent: str | None
    weight: Num
    effective_weight: Num
    direction: int
    unit: str | None
    source_kind: str
    source_kind_zh: str
    source: str
    source_zh: str
    """The source in Chinese (the plan's indicator, statistic or register by name; an
    enterprise count by the flags it requires)."""
    denominator: str | None
    denominator_zh: str | None
    target: Num
    fill_missing: Num
    provenance: str | None


class MethodBonusItem(BaseModel):
    """One bonus or deduction rule: points per unit of its value, the cap and the source."""

    code: str
    name: str
    name_en: str | None
    type: str
    unit: str | None
    points: Num
    max: Num
    source_kind: str
    source: str
    source_zh: str
    provenance: str | None


class Method(_Open):
    """``GET /evaluation/method``: the framework's indicators, weights, build spec, grades,
    bonus rules and uncertainty settings."""

    framework: str
    name: str
    name_en: str | None
    level: str
    file: str
    index: IndexName
    kinds: list[Any]
    separate: list[Any]
    group: Any
    grades: GradeRule
    bonus_cap: Any
    deduction_cap: Any
    spec: dict[str, Any]
    weights_year: int | None
    uncertainty: UncertaintySettings
    aggregates: list[MethodAggregate]
    indicators: list[MethodIndicator]
    bonus_items: list[MethodBonusItem]
