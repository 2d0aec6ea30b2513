"""双倍增 as a cohort: 高新技术企业 and 科技型中小企业 in the enterprise register, year end by
year end from the base year — the stock, the enterprises that entered (a new certificate or a
new entry in the register), those that left, and for 高企 why: **lapsed** (到期未重新认定: the
certificate of the year before was issued three or more years earlier; a 高企 certificate is
valid for three years) or **revoked** (撤销/取消: it left with a certificate still in force);
a re-certification while flagged is counted as **renewed**. 科技型中小企业 are evaluated
every year, so a departure has no reason on record (``None``, never a guess).

The doubling path multiplies the base year's stock by 2^((t − base)/(end − base)), the same
path as the 双倍增 list (:func:`yanzhi.services.enterprises.lists.doubling`, which reads its
city rows from here) — one count: the city's "now" is the register count the indicator pages
show beside the statistic (:func:`yanzhi.services.enterprises.counts.count_bases`). A year end
after today has no count (missing, not the current stock carried forward)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.cohort import CohortUnit, unit_cohort, year_end_state
from yanzhi.services.database import has_synthetic, require_schema
from yanzhi.services.enterprises.counts import CONCEPTS
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_index
from yanzhi.storage.facts import attribute_versions
from yanzhi.storage.orgunits import load_org_tree


@dataclass(frozen=True)
class Concept:
    concept: str  # hightech | tech_sme
    name: str
    indicator: str
    city: CohortUnit
    districts: list[CohortUnit] = field(default_factory=list)


@dataclass(frozen=True)
class Cohort:
    start_year: int
    end_year: int
    as_of: str
    concepts: list[Concept]
    synthetic: bool


def cohort(
    engine: Engine, *, start_year: int = 2022, end_year: int = 2027, today: dt.date | None = None
) -> Cohort:
    """Both concepts' cohorts, for the city and each district, from ``start_year``."""
    day = today or dt.date.today()
    require_schema(engine)
    with transaction(engine) as session:
        versions = attribute_versions(session)
        index = enterprise_index(session)
        tree = load_org_tree(session)
    synthetic = has_synthetic(engine)
    versions["valid_from"] = pd.to_datetime(versions["valid_from"])
    versions = versions.sort_values(["enterprise_id", "valid_from"], kind="stable")
    district = {u.code: u.parent_code for u in tree.by_level("township")}
    place = {int(i): district.get(str(t)) for i, t in zip(index["id"], index["township_code"],
                                                          strict=True)}  # fmt: skip
    city = next(iter(tree.by_level("city")))
    years = range(start_year, end_year + 1)
    states = {y: year_end_state(versions, pd.Timestamp(y, 12, 31)) for y in years if y <= day.year}
    now = year_end_state(versions, None)
    concepts = []
    for concept, (indicator, _element, flag, zh, _en) in CONCEPTS.items():
        units = [(city.code, city.name, None)] + [
            (d.code, d.name, d.code) for d in tree.by_level("district")
        ]
        rows = [
            unit_cohort(code, name, flag, states, now, place, only, years, day)
            for code, name, only in units
        ]
        concepts.append(Concept(concept, zh, indicator, rows[0], rows[1:]))
    return Cohort(start_year, end_year, day.isoformat(), concepts, synthetic)
