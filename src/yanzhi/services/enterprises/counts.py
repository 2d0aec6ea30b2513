"""The two counts of a kind of enterprise (issue #15, point 3): the official statistic (统计
口径: the published number loaded as an aggregate statistic, with its source) and the register
count (名录口径: enterprises in our register carrying the flag, as of its latest change). They
measure different things — the statistic counts every certified enterprise in the city, the
register only those the platform knows — so both are shown, each labelled, on the indicator
pages and the 双倍增 list alike; one function gives both."""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.zhtext import date_zh
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import attribute_versions
from yanzhi.storage.plans import get_plan
from yanzhi.storage.stats import current_statistics

#: concept → (indicator, statistic element, register flag, 中文, English)
CONCEPTS = {
    "hightech": (
        "HTE_COUNT", "hightech_enterprises", "hightech", "高新技术企业", "high-tech enterprises"
    ),
    "tech_sme": (
        "TECH_SME_COUNT", "tech_smes", "tech_sme", "科技型中小企业", "technology-based SMEs"
    ),
}  # fmt: skip


class CountBasis(BaseModel):
    """One concept's two counts for the city: the statistic (value, year, source) and the
    register count as of a date, with the labels shown beside them."""

    concept: str
    indicator: str
    name: str
    name_en: str
    statistic: float | None
    statistic_year: int | None
    statistic_source: str | None
    register_count: int
    register_as_of: str | None
    synthetic: bool
    label_zh: str
    label_en: str


def count_bases(engine: Engine) -> list[CountBasis]:
    """高新技术企业 and 科技型中小企业: the city's latest statistic and the register count."""
    require_schema(engine)
    with transaction(engine) as session:
        city = get_plan(session).meta.region
        stats = current_statistics(session)
        versions = attribute_versions(session)
    versions["valid_from"] = pd.to_datetime(versions["valid_from"])
    as_of = versions["valid_from"].max() if len(versions) else None
    state = versions.sort_values("valid_from").groupby("enterprise_id").last()
    out = []
    for concept, (indicator, element, flag, zh, en) in CONCEPTS.items():
        mine = (
            stats[(stats["org_unit_code"] == city) & (stats["element"] == element)]
            if len(stats)
            else stats
        )
        row = mine.sort_values("period").iloc[-1] if len(mine) else None
        n = int(state[flag].fillna(False).astype(bool).sum()) if len(state) else 0
        out.append(_basis(concept, indicator, zh, en, row, n, as_of))
    return out


def _basis(
    concept: str, indicator: str, zh: str, en: str, row: pd.Series | None, n: int, as_of: object
) -> CountBasis:
    day = None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).date().isoformat()
    value = None if row is None else float(row["value"])
    year = None if row is None else int(str(row["period"])[:4])
    source = None if row is None else str(row["source"] or "统计数据")
    synthetic = bool(row is not None and row["synthetic"])
    demo_en = " (synthetic demo data)" if synthetic else ""
    where = "演示数据(合成)" if synthetic else source
    stat_zh = "无" if value is None else f"{value:,.0f} 家({year}年末)，来源 {where}"
    stat_en = (
        "none" if value is None else f"{value:,.0f} ({year} year end), source {source}{demo_en}"
    )
    return CountBasis(
        concept=concept,
        indicator=indicator,
        name=zh,
        name_en=en,
        statistic=value,
        statistic_year=year,
        statistic_source=source,
        register_count=n,
        register_as_of=day,
        synthetic=synthetic,
        label_zh=f"{zh}　统计口径：{stat_zh}；名录口径：登记在册 {n:,} 家，截至{date_zh(day)}",
        label_en=(
            f"{en}: official statistic {stat_en}; register: {n:,} registered as of {day or '—'}"
        ),
    )
