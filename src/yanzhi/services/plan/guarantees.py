"""The plan's guarantee measures (保障措施) and the rules a number can check: a rule of kind
``growth`` or ``amount`` whose ``metric`` is a statistic data element of the plan (财政科技支出,
科技创新基金规模 …) is judged on the element's yearly series for the plan's region and, for
its districts, one by one (:mod:`yanzhi.core.guarantees`). The series are the latest vintage
of the imported statistics, with their sources; a rule without such an element, or of another
kind (an institution, a policy to carry out), is listed with its text and no verdict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.guarantees import RuleCheck, amount_check, growth_check
from yanzhi.core.plan.model import Plan, Rule
from yanzhi.services.database import require_schema
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.stats import current_statistics

MEASURED_KINDS = ("growth", "amount")


@dataclass(frozen=True)
class UnitCheck:
    """One unit's series and verdict for a rule; ``sources`` are the published sources of its
    values, ``synthetic`` says that some are generated (the demo's)."""

    unit_code: str
    unit_name: str
    check: RuleCheck
    sources: list[str]
    synthetic: bool


@dataclass(frozen=True)
class RuleTrack:
    """A guarantee rule: its text and, when a number measures it, the region's verdict and
    its districts'. ``reason`` says why a rule of a measurable kind has no verdict."""

    code: str
    description: str
    kind: str
    metric: str | None
    target: float | None
    unit: str | None
    element_name: str | None = None
    element_unit: str | None = None
    region: UnitCheck | None = None
    districts: list[UnitCheck] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class GuaranteeTrack:
    code: str
    title: str
    text: str
    rules: list[RuleTrack]


@dataclass(frozen=True)
class GuaranteeReport:
    """Every guarantee measure of the plan, as of ``as_of_year`` (the latest complete year)."""

    plan_code: str
    region: str
    base_year: int
    target_year: int
    as_of_year: int
    guarantees: list[GuaranteeTrack]
    synthetic: bool


def _series(
    stats: pd.DataFrame, element: str, unit: str
) -> tuple[dict[int, float], list[str], bool]:
    if stats.empty:
        return {}, [], False
    rows = stats[(stats["element"] == element) & (stats["org_unit_code"] == unit)]
    rows = rows[rows["period"].astype(str).str.fullmatch(r"\d{4}")]
    series = {int(p): float(v) for p, v in zip(rows["period"], rows["value"], strict=True)}
    sources = sorted(
        {str(s) for s, syn in zip(rows["source"], rows["synthetic"], strict=True) if not syn}
    )
    return series, sources, bool(rows["synthetic"].any())


def _check(plan: Plan, rule: Rule, series: dict[int, float], as_of: int, unit: str) -> RuleCheck:
    meta = plan.meta
    common = {"base_year": meta.baseline_year, "target_year": meta.end_year,
              "as_of_year": as_of, "unit": unit}  # fmt: skip
    if rule.kind == "growth":
        return growth_check(series, rate_pct=float(rule.value or 0), **common)  # type: ignore[arg-type]
    return amount_check(series, target=float(rule.value or 0), **common)  # type: ignore[arg-type]


def track(engine: Engine, *, today: dt.date | None = None) -> GuaranteeReport:
    """The guarantee measures with the verdicts of their measurable rules; a year counts once
    it is over (``today``'s year is not assessed)."""
    day = today or dt.date.today()
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        stats = current_statistics(session)
        tree = load_org_tree(session)
    region = plan.meta.region
    as_of = day.year - 1
    elements = {e.code: e for e in plan.data_elements if e.source == "statistic"}
    districts = tree.children(region) if region in tree else []
    name = tree.get(region).name if region in tree else region
    synthetic = False
    out: list[GuaranteeTrack] = []
    for g in plan.guarantees:
        rules: list[RuleTrack] = []
        for r in g.rules:
            base = RuleTrack(r.code, r.description, r.kind, r.metric, r.value, r.unit)
            element = elements.get(r.metric or "")
            if r.kind not in MEASURED_KINDS:
                rules.append(base)
                continue
            if element is None or r.value is None:
                why = ("规划的统计数据项中没有该指标, 无数据可评估" if element is None
                       else "规划未给出目标值")  # fmt: skip
                rules.append(replace(base, reason=why))
                continue
            series, sources, syn = _series(stats, element.code, region)
            synthetic |= syn
            region_check = UnitCheck(region, name, _check(plan, r, series, as_of, element.unit),
                                     sources, syn)  # fmt: skip
            rows: list[UnitCheck] = []
            for d in districts:
                s, src, dsyn = _series(stats, element.code, d.code)
                if s:
                    rows.append(UnitCheck(d.code, d.name, _check(plan, r, s, as_of, element.unit),
                                          src, dsyn))  # fmt: skip
                    synthetic |= dsyn
            rules.append(
                replace(
                    base,
                    element_name=element.name,
                    element_unit=element.unit,
                    region=region_check,
                    districts=rows,
                )
            )
        out.append(GuaranteeTrack(g.code, g.title, g.text, rules))
    return GuaranteeReport(plan.code, region, plan.meta.baseline_year, plan.meta.end_year, as_of,
                           out, synthetic)  # fmt: skip
