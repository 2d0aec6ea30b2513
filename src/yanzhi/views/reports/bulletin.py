"""The monthly monitoring bulletin (月度监测报告) as data: every number in the documents
comes from here, and the summary sentences are built only from these numbers."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, select

from yanzhi.core.errors import NotFound
from yanzhi.core.orgtree import OrgTree
from yanzhi.core.periods import Period, parse_period, parse_ytd
from yanzhi.core.tasks import AUTO_STATE_LABELS, AutoState
from yanzhi.services.collection import workflow as reporting
from yanzhi.services.collection.workflow import CompletenessRow
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import analysis
from yanzhi.services.monitoring.growth import Comparable, ytd_growth
from yanzhi.services.monitoring.status import status
from yanzhi.services.plan import landmarks
from yanzhi.storage.datamodels import IndicatorValueRow
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import indicator_values
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.submissions import APPROVED


class NoData(NotFound):
    """There is nothing to report for the period; the message says what is missing (a
    ``core.errors.NotFound``: 404 on the web, exit 2 in the CLI)."""


class DistrictRd(BaseModel):
    """A district's YTD R&D expense (亿元) now and a year before, its growth on levels
    (``growth``) and on the comparable basis (``growth_comparable``, over
    ``comparable_enterprises``), and its intensity."""

    code: str
    name: str
    rd_expense: float | None
    rd_expense_previous: float | None
    growth: float | None
    growth_comparable: float | None = None
    comparable_enterprises: int | None = None
    intensity: float | None


class CityRd(BaseModel):
    """The city's YTD R&D expense (the districts' sum), a year before, the growth on levels
    and on the comparable basis (the headline 同比, methods.md "Comparable-basis growth")."""

    value: float
    previous: float
    growth: float | None
    growth_comparable: float | None = None
    comparable_enterprises: int | None = None


class TownshipRd(DistrictRd):
    """A township's YTD R&D expense (亿元) now and a year before and its growth on levels,
    with the district it belongs to."""

    district: str


class Coverage(BaseModel):
    """How complete the period's approved data are: districts whose townships are all
    approved, townships approved, enterprise reports received of those expected."""

    districts_approved: int
    districts: int
    townships_approved: int
    townships: int
    enterprises_reported: int
    enterprises_expected: int


class MonthlyBulletin(BaseModel):
    """The monthly bulletin's data (月度监测报告): the period reported (the YTD period
    approved on or before the one ``requested``), headline indicator statuses, R&D by
    district and for the city, the intensity attribution, warnings, completeness by
    district, task progress, and the summary sentences built from these numbers."""

    title: str
    plan: str
    requested: str
    period: str
    period_zh: str
    headline: list[dict[str, Any]]
    districts: list[DistrictRd]
    city_rd: CityRd
    attribution: dict[str, Any] | None
    warnings: dict[str, Any]
    completeness: list[CompletenessRow]
    tasks: dict[str, Any]
    synthetic: bool
    summary: list[str]
    region_name: str = ""
    issuer: str = ""
    city_rd_last_month: CityRd | None = None
    last_month_period: str | None = None
    townships: list[TownshipRd] = []
    coverage: Coverage | None = None
    sources: list[str] = []
    landmarks: list[dict[str, Any]] = []  # 标志性成果: services.plan.landmarks, unchanged


def resolve_period(engine: Engine, text: str) -> Period:
    """A month or YTD period → the YTD period reported on or before it (irregular
    calendars: '2024-10' with reports for 1–5, 1–8, 1–11 months gives 2024-01..08)."""
    p = parse_ytd(text)  # a month means 1–N月
    periods = [parse_period(x) for x in reported_periods(engine)]
    candidates = [x for x in periods if x.year == p.year and x.last_month <= p.last_month]
    if not candidates:
        raise NoData(
            f"no approved enterprise R&D data for {p.year} up to {p} — there is no "
            "bulletin to write",
            f"{p.label_zh()}前没有已审核的企业研发数据, 无法生成月报",
        )
    return max(candidates)


def reported_periods(engine: Engine) -> list[str]:
    """The YTD periods with a computed R&D expense (approved enterprise data), oldest
    first — one distinct query, no values read (asked on every download, cached or not)."""
    v = IndicatorValueRow
    with transaction(engine) as session:
        found = session.scalars(
            select(v.period)
            .where(v.indicator == "IND_RD_EXPENSE", v.period_kind == "ytd")
            .distinct()
        ).all()
    return sorted(found)


def _rd_values(engine: Engine) -> tuple[pd.DataFrame, OrgTree]:
    """The approved YTD R&D expense and intensity of every district and township (read
    once, without the by-industry rows), and the tree."""
    with transaction(engine) as session:
        values = indicator_values(
            session,
            indicators=["IND_RD_EXPENSE", "IND_RD_INTENSITY"],
            kinds=["ytd"],
            levels=["district", "township"],  # what _district_rd reads
            totals_only=True,
        )
        tree = load_org_tree(session)
    return values, tree


def _district_rd(
    read: tuple[pd.DataFrame, OrgTree],
    period: Period,
    comparable: dict[str, Comparable],
    level: str = "district",
) -> list[DistrictRd]:
    """Each unit of ``level``'s YTD R&D expense and intensity (a township's row is a
    :class:`TownshipRd` naming its district)."""
    previous = str(period.same_period_last_year())
    values, tree = read
    values = values[values["level"] == level]
    values = values[values["period"].isin([str(period), previous])]
    by_unit = dict(iter(values.groupby("unit_code")))
    rows: list[DistrictRd] = []
    for d in tree.by_level(level):
        frame = by_unit.get(d.code)
        if frame is None and level == "township":
            continue  # a township without approved figures is not ranked
        mine = (
            pd.Series(dtype=float)
            if frame is None
            else frame.set_index(["indicator", "period"])["value"]
        )
        now = mine.get(("IND_RD_EXPENSE", str(period)))
        before = mine.get(("IND_RD_EXPENSE", previous))
        c = comparable.get(d.code)
        parent = tree.parent(d.code) if level == "township" else None
        extra = {"district": parent.name} if parent else {}
        model = TownshipRd if parent else DistrictRd
        rows.append(
            model(
                **extra,
                code=d.code,
                name=d.name,
                rd_expense=_f(now),
                rd_expense_previous=_f(before),
                growth=None if not before or now is None else float(now / before - 1),
                growth_comparable=c.growth if c else None,
                comparable_enterprises=c.enterprises if c else None,
                intensity=_f(mine.get(("IND_RD_INTENSITY", str(period)))),
            )
        )
    return rows


def _f(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


LANDMARK_KEYS = ("code", "title", "value", "year", "target", "unit", "target_year",
                 "verdict", "verdict_zh", "reason_zh", "source_code")  # fmt: skip


def monthly(engine: Engine, *, period: str) -> MonthlyBulletin:
    """The bulletin's data for ``period`` (a month or YTD period; ``NoData`` when nothing
    is approved up to it): headline indicators, districts, completeness, tasks, warnings."""
    require_schema(engine)
    p = resolve_period(engine, period)
    with transaction(engine) as session:
        plan = get_plan(session)
    city = status(engine).to_dict()
    with transaction(engine) as session:
        tree = load_org_tree(session)
    comparable = ytd_growth(
        engine,
        indicator=plan.indicator("IND_RD_EXPENSE"),
        period=p,
        units=[plan.meta.region, *(d.code for d in tree.by_level("district"))],
    )
    read = _rd_values(engine)
    districts = _district_rd(read, p, comparable)
    city_rd = _city_rd(districts, comparable.get(plan.meta.region))
    last = _last_month(engine, plan, p, read)
    try:
        attribution = analysis.attribution(
            engine,
            indicator="IND_RD_INTENSITY",
            start=str(p.same_period_last_year()),
            end=str(p),
            by="district",
            approved_only=True,
        ).to_dict()
    except LookupError:
        attribution = None
    completeness = reporting.completeness(engine, period=str(p), level="district")
    data: dict[str, Any] = {
        "title": f"{city['unit']['name']}科技创新监测月报",
        "plan": plan.code,
        "requested": period,
        "period": str(p),
        "period_zh": p.label_zh(),
        "headline": city["indicators"],
        "districts": [r.model_dump() for r in districts],
        "city_rd": city_rd.model_dump(),
        "attribution": attribution,
        "warnings": analysis.warnings(engine).to_dict(),
        "completeness": completeness,
        "tasks": _tasks(engine, plan),
        "synthetic": any(i["synthetic"] for i in city["indicators"]),
        "region_name": city["unit"]["name"],
        "issuer": plan.meta.issuer,
        "city_rd_last_month": last[1].model_dump() if last else None,
        "last_month_period": str(last[0]) if last else None,
        "townships": [r.model_dump() for r in _district_rd(read, p, {}, level="township")],
        "coverage": _coverage(completeness).model_dump(),
        "sources": _sources(plan),
        "landmarks": [
            {k: getattr(lm, k) for k in LANDMARK_KEYS} for lm in landmarks.track(engine).landmarks
        ],
    }
    data["summary"] = summary(data)
    return MonthlyBulletin(**data)


def _city_rd(districts: list[DistrictRd], c: Comparable | None) -> CityRd:
    """The city's YTD R&D: the districts' sum, its level growth, the comparable growth."""
    now = sum(r.rd_expense or 0 for r in districts)
    before = sum(r.rd_expense_previous or 0 for r in districts)
    return CityRd(
        value=now,
        previous=before,
        growth=now / before - 1 if before else None,
        growth_comparable=c.growth if c else None,
        comparable_enterprises=c.enterprises if c else None,
    )


def _last_month(
    engine: Engine, plan: Any, p: Period, read: tuple[pd.DataFrame, OrgTree]
) -> tuple[Period, CityRd] | None:
    """The previous YTD period (1–(N-1)月) and the city's R&D in it, when approved
    figures exist for it (None in January or when that period was not reported)."""
    if p.last_month <= 1:
        return None
    last = Period.of_ytd(p.year, p.last_month - 1)
    rows = _district_rd(read, last, {})
    if not any(r.rd_expense for r in rows):
        return None
    region = plan.meta.region
    c = ytd_growth(engine, indicator=plan.indicator("IND_RD_EXPENSE"), period=last, units=[region])
    return last, _city_rd(rows, c.get(region))


def _coverage(rows: list[CompletenessRow]) -> Coverage:
    """The coverage line's counts, from the completeness rows of the districts (each
    counts its townships by submission status)."""
    return Coverage(
        districts_approved=sum(r.status == APPROVED for r in rows),
        districts=len(rows),
        townships_approved=sum(r.statuses.get(APPROVED, 0) for r in rows),
        townships=sum(sum(r.statuses.values()) for r in rows),
        enterprises_reported=sum(r.received for r in rows),
        enterprises_expected=sum(r.expected for r in rows),
    )


def _sources(plan: Any) -> list[str]:
    """Where the bulletin's published figures come from: the first sentence of each
    headline indicator's (and the YTD R&D expense's) ``data_source`` in the plan."""
    out = []
    for i in plan.indicators:
        if (i.headline or i.code == "IND_RD_EXPENSE") and i.data_source:
            first = i.data_source.split("。")[0].rstrip(";；,，")
            out.append(f"{i.name}：{first}")
    return out


def _tasks(engine: Engine, plan: Any) -> dict[str, Any]:
    """Task progress by programme and the tasks needing supervision."""
    from yanzhi.services.tasks.updates import board

    b = board(engine)
    titles = {p.code: p.title for p in plan.programmes}
    flagged = [
        {
            "code": t.code,
            "title": t.title,
            "lead": t.lead_name or "未分配",
            "states": t.state_labels,
            "states_zh": [AUTO_STATE_LABELS[AutoState(x)][0] for x in t.states],
        }
        for t in b.tasks
        if t.states
    ]
    return {
        "period": b.period,
        "plan_progress": b.plan_progress,
        "programmes": [
            {"code": p.code, "title": titles.get(p.code, ""), "progress": p.progress}
            for p in b.programmes
        ],
        "flagged": flagged,
    }


def summary(d: dict[str, Any]) -> list[str]:
    """Sentences built only from the bulletin's numbers (no free-form text)."""
    out = []
    rd = d["city_rd"]
    if rd.get("growth_comparable") is not None:
        out.append(_growth_sentence(d["period_zh"], rd))
    elif rd["growth"] is not None:
        out.append(
            f"{d['period_zh']}, 全市规上工业企业研发费用 {rd['value']:,.2f} 亿元, 按总量计算"
            f"同比{'增长' if rd['growth'] >= 0 else '下降'} {abs(rd['growth']):.1%}。"
        )
    for i in d["headline"]:
        if i["value"] is not None:
            out.append(
                f"{i['name']} {i['year']}年为 {i['value']:,.2f}{i['unit']}{_target_text(i)}"
                f", 结论: {i['verdict_zh']}。{i['verdict_reason_zh']}" + _flag(i)
            )
    key = "growth_comparable" if rd.get("growth_comparable") is not None else "growth"
    rising = [r for r in d["districts"] if r.get(key) is not None]
    if rising:
        top = max(rising, key=lambda r: r[key])
        low = min(rising, key=lambda r: r[key])
        basis = "可比口径" if key == "growth_comparable" else "按总量计算"
        out.append(
            f"研发费用增速({basis})最高的是{top['name']}({top[key]:+.1%}), 最低的是"
            f"{low['name']}({low[key]:+.1%})。"
        )
    t = d["tasks"]
    if t["plan_progress"] is not None:
        out.append(
            f"重点任务总体进度 {t['plan_progress']:.1f}%, {len(t['flagged'])} 项任务"
            f"逾期、未报告或落后于目标进度。"
        )
    w = d["warnings"]
    out.append(
        f"预警: {len(w['off_track'])} 项指标难以达标或存在风险, {len(w['falling_townships'])} 个"
        f"乡镇研发费用同比下降, {_stopped_text(w)}。"
    )
    return out


def _target_text(i: dict[str, Any]) -> str:
    """ ", 目标 T(年)" — or nothing for an indicator without a target."""
    if i["target"] is None:
        return ""
    return f", 目标 {i['target']:g}{i['unit']}({i['target_year']}年)"


def _growth_sentence(period_zh: str, rd: dict[str, Any]) -> str:
    """The headline 同比 on the comparable basis, the level growth after it."""
    g, level = rd["growth_comparable"], rd["growth"]
    text = (
        f"{period_zh}, 全市规上工业企业研发费用 {rd['value']:,.2f} 亿元, 按可比口径计算同比"
        f"{'增长' if g >= 0 else '下降'} {abs(g):.1%}(两期均有已审核报表的 "
        f"{rd['comparable_enterprises']:,} 家企业)"
    )
    if level is not None:
        text += f"; 按总量计算同比{'增长' if level >= 0 else '下降'} {abs(level):.1%}"
    return text + "。"


def _flag(i: dict[str, Any]) -> str:
    """The coverage flag of a headline figure as a sentence ("" when not flagged)."""
    c = i.get("coverage") or {}
    return f"(注: {c['note_zh']}。)" if c.get("flagged") else ""


def _stopped_text(w: dict[str, Any]) -> str:
    """ "N 家企业停止研发(报送为零 a 家, 未报送 b 家)" — the true totals, not a display cap."""
    s = w.get("stopped")
    if not s:
        return f"{len(w['stopped_enterprises'])} 家企业停止研发"
    return stopped_text(s)


def stopped_text(s: dict[str, Any]) -> str:
    """The stopped-R&D totals of a ``StoppedSummary`` in one phrase — the one wording the
    bulletin, the district report and the unit page share."""
    return (
        f"{s['total']} 家企业停止研发(报送研发费用为零 {s['reported_zero']} 家, "
        f"未报送 {s['not_reported']} 家)"
    )
