"""The data of a district's annual report (述职材料): its headline indicators, its R&D
expense with its 同比, its rank in the district evaluation with its scorecard, and its
warnings (the largest enterprises that stopped R&D by name)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput
from yanzhi.core.periods import parse_period
from yanzhi.services.evaluation import assessment as assessment_svc
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.growth import comparable_ytd
from yanzhi.services.monitoring.status import NEEDS_ATTENTION, status
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan

LARGEST = 5
"""How many of the largest enterprises that stopped R&D the report names."""


class DistrictEvaluation(BaseModel):
    """The district's place in the district evaluation: rank of ``of``, score, grade, the
    rank interval (5–95 %) over ``draws`` uncertainty draws and the score change when
    computed, and the indicators that lift and drag its score (name, contribution)."""

    framework: str
    rank: int
    of: int
    score: float
    grade: str
    rank_q5: float | None
    rank_q95: float | None
    score_change: float | None
    lifts: list[tuple[str, float]]
    drags: list[tuple[str, float]]
    draws: int = 0
    interval: tuple[float, float] = (0.05, 0.95)  # the quantiles of rank_q5 and rank_q95


class DistrictRd(BaseModel):
    """The district's R&D expense (规上工业, 亿元) of a YTD period, the same period a year
    before, the growth on levels and on the comparable basis (over
    ``comparable_enterprises`` enterprises with approved reports in both periods)."""

    period: str
    value: float | None
    previous: float | None
    growth: float | None
    growth_comparable: float | None = None
    comparable_enterprises: int | None = None


class IndicatorSource(BaseModel):
    """Where a headline indicator's published figures come from (the plan's words)."""

    name: str
    source: str
    text: str | None


class DistrictReport(BaseModel):
    """The data of a district's annual report (述职材料): the unit, its indicator statuses
    (each with its verdict), its R&D expense (the year's 1–12月 and the latest approved YTD
    period), its evaluation and its warnings — the same as the district's page:
    ``off_track`` the headline indicators of the district and its townships whose verdict
    is 难以达标 or 存在风险, the falling townships, ``stopped`` the true totals of
    enterprises that stopped R&D in the district and ``stopped_largest`` the largest of
    them (by their R&D expense a year before, 万元, with their township's name)."""

    unit: dict[str, Any]
    year: int
    synthetic: bool
    indicators: list[dict[str, Any]]
    evaluation: DistrictEvaluation
    off_track: list[dict[str, Any]]
    falling_townships: list[dict[str, Any]]
    stopped: dict[str, Any] | None = None
    stopped_largest: list[dict[str, Any]] = []
    rd: list[DistrictRd] = []
    sources: list[IndicatorSource] = []
    assessment: dict[str, Any] | None = None  # the year's 考核 as published (or locked)


def district_report(
    engine: Engine, *, code: str, year: int, uncertainty: int = 100, seed: int = 1
) -> DistrictReport:
    """The data of district ``code``'s report for ``year`` (``InvalidInput`` for a unit that
    is not a district): its indicators, its evaluation rank and scorecard, its warnings."""
    st = status(engine, unit=code, year=year).to_dict()
    if st["unit"]["level"] != "district":
        raise InvalidInput(f"{code} is not a district", f"{code} 不是区县市")
    result = evaluate(engine, level="district", year=year, uncertainty=uncertainty, seed=seed)
    row = next(r for r in result.to_dict()["results"] if r["uCode"] == code)
    card = result.scorecards.get(code, {})
    names = {i.code: i.name for i in result.framework.indicators}
    # the warnings of the district's page (views/units.py): the district and its townships
    warnings = analysis.warnings(engine, levels=("district", "township"), within=code).to_dict()
    ind_names = {i["indicator"]: i["name"] for i in st["indicators"]}
    stopped = warnings.get("stopped")
    with transaction(engine) as session:
        plan = get_plan(session)
        town_names = {u.code: u.name for u in load_org_tree(session)}
    largest = sorted(
        warnings.get("stopped_enterprises", []), key=lambda e: -e["previous_year_rd_expense"]
    )[:LARGEST]
    periods = [f"{year}-01..12"]
    if stopped and stopped.get("period") and stopped["period"] > periods[0]:
        periods.append(stopped["period"])
    return DistrictReport(
        unit=st["unit"],
        year=year,
        synthetic=st["indicators"][0]["synthetic"],
        indicators=st["indicators"],
        evaluation=DistrictEvaluation(
            framework=result.framework.name,
            rank=row["Rank"],
            of=len(result.units),
            score=row["Score"],
            grade=row["Grade"],
            rank_q5=row.get("RankQ5"),
            rank_q95=row.get("RankQ95"),
            score_change=row.get("ScoreChange"),
            lifts=[(names.get(c, c), v) for c, v in card.get("lifts", [])],
            drags=[(names.get(c, c), v) for c, v in card.get("drags", [])],
            draws=uncertainty,
        ),
        off_track=[
            {**w, "indicator_name": ind_names.get(w["indicator"], w["indicator"])}
            for w in warnings["off_track"]
            if w["verdict"] in NEEDS_ATTENTION
        ],
        falling_townships=warnings["falling_townships"],
        stopped=stopped,
        stopped_largest=[
            {**e, "township_name": town_names.get(e["township"], "")} for e in largest
        ],
        rd=_rd(engine, plan, code, periods),
        assessment=_assessment(engine, code, year),
        sources=[
            IndicatorSource(name=i.name, source=i.source, text=i.data_source)
            for i in plan.headline_indicators
        ],
    )


def _assessment(engine: Engine, code: str, year: int) -> dict[str, Any] | None:
    """The district's 考核 of ``year`` once published (the score as published), else None."""
    found = assessment_svc.published(engine, year=year, unit=code)
    return None if found is None else asdict(found)


def _rd(engine: Engine, plan: Any, code: str, periods: list[str]) -> list[DistrictRd]:
    """The district's R&D expense of each YTD period of ``periods`` with its 同比 (a
    period without a value is left out); one read of the values and of the reports."""
    wanted = [parse_period(p) for p in periods]
    with transaction(engine) as session:
        values = indicator_values(
            session, indicators=["IND_RD_EXPENSE"], units=[code], kinds=["ytd"]
        )
        found = comparable_ytd(
            session, load_org_tree(session), [plan.indicator("IND_RD_EXPENSE")], wanted
        )
    values = values[values["industry_division"] == ""].set_index("period")["value"]
    out = []
    for p in wanted:
        now, before = values.get(str(p)), values.get(str(p.same_period_last_year()))
        if now is None:
            continue
        c = found.get(("IND_RD_EXPENSE", code, str(p)))
        out.append(
            DistrictRd(
                period=str(p),
                value=float(now),
                previous=None if before is None else float(before),
                growth=None if not before else float(now / before - 1),
                growth_comparable=c.growth if c else None,
                comparable_enterprises=c.enterprises if c else None,
            )
        )
    return out
