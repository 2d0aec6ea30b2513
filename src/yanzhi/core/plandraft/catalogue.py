"""The catalogue of known indicators: names and common variants → an indicator with its
formula (taken from a plan file, so a formula is written once) and the data elements the
formula needs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_DROP = re.compile(r"\((?:R&D|研发)\)|[\s“”\"'、的]|^(?:全市|全区|全县|全省|我市|我区|我县|全社会)")
_GENERIC = (
    "code",
    "name",
    "name_en",
    "unit",
    "direction",
    "frequency",
    "source",
    "formula",
    "limit",
)
"""What a drafted indicator takes from the catalogue (baseline, targets, definitions and
data sources belong to the plan the catalogue was built from)."""
_EXACT, _CONTAINED, _FUZZY_MIN, _FUZZY_CONFIDENCE = 0.95, 0.85, 0.85, 0.7


def match_key(name: str) -> str:
    """A name reduced for matching: no spaces, quotes or 的, no ``(R&D)``, no leading
    全市/全区/全社会, upper-case Latin letters."""
    prev = None
    s = name.upper()
    while prev != s:
        prev, s = s, _DROP.sub("", s)
    return s


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    names: tuple[str, ...]
    indicator: Mapping[str, Any]  # code, name, unit, direction, frequency, source, formula, …
    data_elements: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Match:
    entry: CatalogueEntry
    confidence: float
    how: str  # 名称一致 / 名称包含 / 名称相近


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[CatalogueEntry, ...]
    source: str = ""
    _keys: dict[str, CatalogueEntry] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for e in self.entries:
            for n in (*e.names, str(e.indicator.get("name", ""))):
                if n:
                    self._keys.setdefault(match_key(n), e)

    def match(self, name: str) -> Match | None:
        """The known indicator a written name stands for, or None."""
        key = match_key(name)
        if not key:
            return None
        if key in self._keys:
            return Match(self._keys[key], _EXACT, "名称一致")
        contained = [
            (len(k), e)
            for k, e in self._keys.items()
            if len(k) >= 6 and (k in key or (len(key) >= 6 and key in k))
        ]
        if contained:
            return Match(max(contained, key=lambda x: x[0])[1], _CONTAINED, "名称包含")
        best = max(
            (
                (difflib.SequenceMatcher(None, key, k).ratio(), e)
                for k, e in self._keys.items()
                if key[:4] == k[:4]
            ),
            key=lambda x: x[0],
            default=(0.0, None),
        )
        if best[1] is not None and best[0] >= _FUZZY_MIN:
            return Match(best[1], _FUZZY_CONFIDENCE, "名称相近")
        return None


def catalogue_from(
    plan: Mapping[str, Any], variants: Mapping[str, Sequence[str]], source: str = ""
) -> Catalogue:
    """A catalogue of the indicators of a plan document (each with the data elements of its
    formula) under the names in ``variants`` (indicator code → names)."""
    elements = {e["code"]: e for e in plan.get("data_elements", [])}
    entries = []
    for ind in plan.get("indicators", []):
        code = ind["code"]
        spec = {k: v for k, v in ind.items() if k in _GENERIC}
        f = ind.get("formula") or {}
        needed = tuple(
            elements[x] for x in (f.get("numerator"), f.get("denominator")) if x in elements
        )
        entries.append(CatalogueEntry(code, tuple(variants.get(code, ())), spec, needed))
    return Catalogue(tuple(entries), source)
