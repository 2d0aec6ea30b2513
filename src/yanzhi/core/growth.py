"""Year-on-year growth (同比) on two bases (docs/methods.md, "Comparable-basis growth"):

- **level growth** (总量增速): this period's published total against last year's
  published total, each over whoever reported in its own period;
- **comparable-basis growth** (可比口径增速): both periods over the same enterprises only —
  those present in both (the *matched panel*) — counted in this year's scope (unit,
  industry and attributes of the current period). This is how statistics offices publish
  the growth of an enterprise survey whose panel changes every year: enterprises entering
  (new 规上 firms, first reports) or leaving (closures, non-response) the panel change the
  level but are not growth of the enterprises being measured.

Pure functions on plain mappings and frames; the roll-up of a matched panel to every unit
is the caller's (``services/monitoring/growth.py``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


def growth_rate(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / |previous|; None when either is missing or previous is 0."""
    if current is None or previous is None:
        return None
    if _missing(current) or _missing(previous) or previous == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True, slots=True)
class MatchedGrowth:
    """Growth of a sum over the enterprises with a value in both periods."""

    current: float  # Σ this period over the matched enterprises
    previous: float  # Σ the same period last year over the same enterprises
    growth: float | None  # growth_rate(current, previous)
    enterprises: int  # how many enterprises are matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "previous": self.previous,
            "growth": self.growth,
            "enterprises": self.enterprises,
        }


def matched_growth(
    current: Mapping[Hashable, float | None], previous: Mapping[Hashable, float | None]
) -> MatchedGrowth:
    """Comparable-basis growth of a sum: Σ current / Σ previous − 1 over the enterprises
    (keys) with a non-missing value in both periods. An enterprise that reported zero is
    matched (zero is a value); one that did not report, or left the value empty, is not."""
    keys = [
        k for k, v in current.items() if not _missing(v) and not _missing(previous.get(k, None))
    ]
    now = math.fsum(float(current[k]) for k in keys)  # type: ignore[arg-type]
    before = math.fsum(float(previous[k]) for k in keys)  # type: ignore[arg-type]
    return MatchedGrowth(now, before, growth_rate(now, before), len(keys))


def matched_panel(
    current: pd.DataFrame, previous: pd.DataFrame, *, key: str, carry: Sequence[str]
) -> pd.DataFrame:
    """The rows of both periods of the enterprises (``key``) present in both, stacked
    (current first). The previous period's rows take the current rows' ``carry`` columns
    (township, industry, size, flags …), so a roll-up of the panel counts every enterprise
    in this year's unit and scope in both periods — the comparable basis. Duplicated keys
    within a period are refused (a period has one report per enterprise)."""
    for name, frame in (("current", current), ("previous", previous)):
        if frame[key].duplicated().any():
            raise ValueError(f"{name} period has duplicated {key} / 同一期内企业重复")
    both = set(current[key]) & set(previous[key])
    now = current[current[key].isin(both)]
    before = previous[previous[key].isin(both)].drop(
        columns=[c for c in carry if c in previous.columns]
    )
    before = before.merge(now[[key, *carry]], on=key, how="left", validate="one_to_one")
    return pd.concat([now, before[now.columns]], ignore_index=True)
