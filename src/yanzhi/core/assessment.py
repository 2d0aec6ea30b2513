"""The annual assessment (考核) of a district, as a scheme of data: parts worth points (the
composite index's share, the completion of the year's key work as reported and reviewed),
bonus and penalty items claimed with evidence, each total capped.

    part points   = points × (base + (1 − base) × value / 100)
                    (value: the index 0–100, or a rate in %; base: the share of the part's
                    points every district with a value receives, 0 unless the scheme says)
    bonus         = min(Σ count × item points, bonus cap)
    penalty       = min(Σ count × item points, penalty cap)
    total         = Σ part points + bonus − penalty

The value of every part and the count of every item is the district's own (self-assessed)
unless the city's review adjusted it; an adjustment carries its comment. A part without a
value is 0 points and says so (``missing``), never silently.

Pure: standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    points: float
    source: str  # "index" (the composite index) | "self" (reported, reviewed)
    base: float = 0.0  # 基础分: the share of ``points`` given for having a value at all


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    points: float


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    level: str
    assumption: str | None
    parts: tuple[Part, ...]
    bonus: tuple[Item, ...]
    bonus_cap: float
    penalty: tuple[Item, ...]
    penalty_cap: float

    @property
    def full_marks(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass(frozen=True)
class PartScore:
    code: str
    name: str
    value: float | None  # the index, or the rate in %
    points: float
    full: float
    adjusted: bool
    comment: str | None
    missing: bool


@dataclass(frozen=True)
class ItemScore:
    code: str
    name: str
    count: int
    points: float
    adjusted: bool
    comment: str | None
    evidence: str | None


@dataclass(frozen=True)
class Score:
    parts: list[PartScore]
    bonus: list[ItemScore]
    penalty: list[ItemScore]
    bonus_points: float
    penalty_points: float
    total: float
    full_marks: float
    notes: list[str] = field(default_factory=list)


def _items(
    items: tuple[Item, ...],
    claimed: Mapping[str, Mapping[str, object]],
    adjusted: Mapping[str, Mapping[str, object]],
) -> list[ItemScore]:
    out = []
    for it in items:
        own = claimed.get(it.code, {})
        adj = adjusted.get(it.code)
        count = int(str((adj or own).get("count", 0) or 0))
        out.append(
            ItemScore(
                it.code,
                it.name,
                count,
                round(count * it.points, 2),
                adj is not None,
                None if adj is None else str(adj.get("comment") or ""),
                None if not own.get("evidence") else str(own["evidence"]),
            )
        )
    return out


def score(
    scheme: Scheme,
    *,
    index: float | None,
    reported: Mapping[str, object],
    claims: Mapping[str, Mapping[str, object]],
    adjustments: Mapping[str, Mapping[str, object]] | None = None,
) -> Score:
    """The district's score: ``index`` its composite index of the year, ``reported`` the
    values it reported for the ``self`` parts (by part code), ``claims`` its bonus and
    penalty items ({code: {count, evidence}}), ``adjustments`` the city's review
    ({code: {value or count, comment}})."""
    adj = adjustments or {}
    parts: list[PartScore] = []
    notes: list[str] = []
    for p in scheme.parts:
        own = index if p.source == "index" else reported.get(p.code)
        a = adj.get(p.code)
        raw = a.get("value") if a is not None else own
        value = None if raw is None or raw == "" else max(0.0, min(100.0, float(str(raw))))
        if value is None:
            notes.append(f"{p.name}缺少数值, 记0分")
        pts = 0.0 if value is None else round(p.points * (p.base + (1 - p.base) * value / 100), 2)
        parts.append(
            PartScore(
                p.code,
                p.name,
                value,
                pts,
                p.points,
                a is not None,
                None if a is None else str(a.get("comment") or ""),
                value is None,
            )
        )
    bonus = _items(scheme.bonus, claims, adj)
    penalty = _items(scheme.penalty, claims, adj)
    b = min(sum(i.points for i in bonus), scheme.bonus_cap)
    m = min(sum(i.points for i in penalty), scheme.penalty_cap)
    if sum(i.points for i in bonus) > scheme.bonus_cap:
        notes.append(f"加分超过上限, 按{scheme.bonus_cap:g}分计")
    if sum(i.points for i in penalty) > scheme.penalty_cap:
        notes.append(f"扣分超过上限, 按{scheme.penalty_cap:g}分计")
    total = round(sum(p.points for p in parts) + b - m, 2)
    return Score(parts, bonus, penalty, round(b, 2), round(m, 2), total, scheme.full_marks, notes)
