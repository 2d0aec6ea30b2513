"""The data of a district's annual report (述职材料): its headline indicators, its rank in
the district evaluation with its scorecard, and its warnings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput
from yanzhi.services.evaluation.evaluate import evaluate
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.status import NEEDS_ATTENTION, status


class DistrictEvaluation(BaseModel):
    """The district's place in the district evaluation: rank of ``of``, score, grade, the
    rank interval (5–95 %) and score change when computed, and the indicators that lift
    and drag its score (name, contribution)."""

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


class DistrictReport(BaseModel):
    """The data of a district's annual report (述职材料): the unit, its indicator statuses
    (each with its verdict), its evaluation and its warnings — the same as the district's
    page: ``off_track`` the headline indicators of the district and its townships whose
    verdict is 难以达标 or 存在风险, the falling townships, and ``stopped`` the true totals
    of enterprises that stopped R&D in the district."""

    unit: dict[str, Any]
    year: int
    synthetic: bool
    indicators: list[dict[str, Any]]
    evaluation: DistrictEvaluation
    off_track: list[dict[str, Any]]
    falling_townships: list[dict[str, Any]]
    stopped: dict[str, Any] | None = None


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
        ),
        off_track=[
            {**w, "indicator_name": ind_names.get(w["indicator"], w["indicator"])}
            for w in warnings["off_track"]
            if w["verdict"] in NEEDS_ATTENTION
        ],
        falling_townships=warnings["falling_townships"],
        stopped=warnings.get("stopped"),
    )
