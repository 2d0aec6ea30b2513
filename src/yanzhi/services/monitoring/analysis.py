"""Why an indicator moved (gap attribution) and what needs attention (warnings)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.attribution import decompose, top_contributors
from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.periods import Period, parse_period, parse_ytd
from yanzhi.core.plan.model import Indicator
from yanzhi.core.progress import Status
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring.results import (
    Attribution,
    FallingTownship,
    OffTrack,
    StoppedEnterprise,
    Warnings,
)
from yanzhi.services.monitoring.status import BAD, indicator_of, indicator_status
from yanzhi.storage.db import transaction
from yanzhi.storage.facts import (
    attribute_versions,
    indicator_values,
    latest_report_year,
    report_frame,
    with_attributes,
)
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan

GROUPS = {"district": "district_code", "township": "township_code", "industry": "industry_division"}


def _ytd(period: Period | str) -> Period:
    """A year (meaning 1–12月) or a year-to-date period."""
    return parse_ytd(period, months=False, years=True)


def _filtered(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    for attr, wanted in ind.formula.filter.items():
        col = frame[attr] if attr != "industry_division" else frame["industry_code"].str[:2]
        if isinstance(wanted, list):
            frame = frame[col.astype(str).isin([str(w) for w in wanted])]
        else:
            frame = frame[col == wanted]
    return frame


def attribution(
    engine: Engine,
    *,
    indicator: str,
    start: Period | str,
    end: Period | str,
    by: str = "district",
    approved_only: bool = False,
    top: int = 10,
    unit: str | None = None,
) -> Attribution:
    """Shift-share decomposition of a ratio indicator between two periods: enterprise
    indicators by district, township or industry (with the top enterprises); statistic
    indicators by district or township, from the units' numerators and denominators.
    ``unit`` (default: the whole region) limits it to the enterprises / units inside it.
    ``start`` and ``end`` are periods (text is still read for callers not yet parsing it)."""
    if by not in GROUPS:
        raise InvalidInput(
            f"--by must be one of {', '.join(GROUPS)}", f"分组应为 {', '.join(GROUPS)}"
        )
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        ind = indicator_of(plan, indicator)
        if not ind.formula.denominator:
            raise InvalidInput(f"{indicator} is not a ratio indicator", "不是比率指标")
        tree = load_org_tree(session)
        if ind.source == "statistic":
            values = indicator_values(session, indicators=[ind.code])
    if ind.source == "statistic":
        if unit is not None:
            values = values[values["unit_code"].isin(_inside(tree, unit))]
        return _statistic_attribution(values, ind, tree, parse_period(start), parse_period(end), by)
    return _enterprise_attribution(
        engine, ind, tree, start, end, by, approved_only=approved_only, top=top, unit=unit
    )


def _enterprise_attribution(
    engine: Engine,
    ind: Indicator,
    tree: Any,
    start: Period | str,
    end: Period | str,
    by: str,
    *,
    approved_only: bool,
    top: int,
    unit: str | None,
) -> Attribution:
    """The decomposition of an enterprise indicator from the reports, with the top
    enterprises."""
    indicator = ind.code
    p0, p1 = _ytd(start), _ytd(end)
    with transaction(engine) as session:
        reports = report_frame(session, approved_only=approved_only, years=[p0.year, p1.year])
        reports = with_attributes(reports, attribute_versions(session))
    if not {ind.formula.numerator, ind.formula.denominator} <= set(reports.columns):
        raise InvalidInput(
            f"{indicator} counts enterprises: no revenue-style decomposition",
            "计数类指标不做结构分解",
        )
    if unit is not None:
        reports = reports[reports["township_code"].isin(_inside(tree, unit))].copy()
    parent = {u.code: u.parent_code for u in tree}
    reports["district_code"] = reports["township_code"].map(parent)
    reports["industry_division"] = reports["industry_code"].astype(str).str[:2]
    frames = [_filtered(reports[reports["period"] == str(p)], ind) for p in (p0, p1)]
    if any(f.empty for f in frames):
        raise NotFound(f"no reports for {p0 if frames[0].empty else p1}", "该期无数据")
    num, den = ind.formula.numerator, ind.formula.denominator
    assert den is not None  # attribution() refuses indicators that are not ratios
    cols = ["uscc", GROUPS[by], num, den]
    result = decompose(
        frames[0][cols],
        frames[1][cols],
        by=GROUPS[by],
        numerator=num,
        denominator=den,
        factor=ind.formula.factor,
    ).to_dict()
    names = {u.code: u.name for u in tree}
    for g in result.get("groups", []):
        g["name"] = names.get(str(g.get(GROUPS[by])), "")
    result["top_contributors"] = top_contributors(
        frames[0][cols],
        frames[1][cols],
        n=top,
        key="uscc",
        group=GROUPS[by],
        numerator=num,
        denominator=den,
        factor=ind.formula.factor,
    ).to_dict()
    result.update(indicator=ind.code, name=ind.name, start=str(p0), end=str(p1), by=by)
    return Attribution.model_validate(result)


def _inside(tree: Any, unit: str) -> set[str]:
    if unit not in tree:
        raise NotFound(f"unknown org unit {unit}", f"未知单位 {unit}")
    return {u.code for u in tree.descendants(unit, include_self=True)}


def _statistic_attribution(
    values: pd.DataFrame, ind: Indicator, tree: Any, start: Period, end: Period, by: str
) -> Attribution:
    if by == "industry":
        raise InvalidInput(
            f"{ind.code} comes from unit statistics: use --by district or township",
            "统计类指标只能按区县或乡镇分解",
        )
    frames = []
    for period in (str(start), str(end)):
        rows = values[(values["level"] == by) & (values["period"] == period)]
        if rows.empty:
            raise NotFound(f"no {by} values of {ind.code} for {period}", "该期无数据")
        frames.append(rows[["unit_code", "numerator", "denominator"]])
    result = decompose(
        frames[0],
        frames[1],
        by="unit_code",
        numerator="numerator",
        denominator="denominator",
        factor=ind.formula.factor,
    ).to_dict()
    names = {u.code: u.name for u in tree}
    for g in result.get("groups", []):
        g["name"] = names.get(str(g.get("unit_code")), "")
        g[GROUPS[by]] = g.get("unit_code")
    result["top_contributors"] = None
    result.update(indicator=ind.code, name=ind.name, start=str(start), end=str(end), by=by)
    return Attribution.model_validate(result)


def warnings(
    engine: Engine, *, levels: tuple[str, ...] = ("city", "district"), within: str | None = None
) -> Warnings:
    """Headline indicators off track by unit, townships whose YTD R&D expense fell year on
    year, and enterprises that stopped reporting R&D — each with the numbers behind it.
    ``within`` (an org unit) limits all three to the units inside it."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        inside = _inside(tree, within) if within is not None else None
        units = [
            u.code for u in tree if str(u.level) in levels and (inside is None or u.code in inside)
        ]
        values = indicator_values(
            session,
            indicators=[i.code for i in plan.headline_indicators] + ["IND_RD_EXPENSE"],
            units=sorted(inside) if inside is not None else None,
            kinds=["year", "ytd"],  # what the statuses and the YTD signal read
        )
    off_track = []
    for code in units:
        unit_values = values[values["unit_code"] == code]
        for ind in plan.headline_indicators:
            st = indicator_status(plan, unit_values, ind, code, None)
            if Status(st.status) in BAD:
                off_track.append(
                    OffTrack(
                        unit=code,
                        name=tree.get(code).name,
                        indicator=ind.code,
                        status=st.status,
                        status_zh=st.status_zh,
                        value=st.value,
                        year=st.year,
                        target=st.target,
                        score=st.assessment.get("score"),
                    )
                )
    return Warnings(
        off_track=off_track,
        falling_townships=_falling(values, tree),
        stopped_enterprises=_stopped(engine, inside=inside),
    )


def _falling(values: pd.DataFrame, tree: Any) -> list[FallingTownship]:
    rows = values[
        (values["indicator"] == "IND_RD_EXPENSE")
        & (values["level"] == "township")
        & (values["period_kind"] == "ytd")
    ]
    if rows.empty:
        return []
    latest = max(rows["period"].unique(), key=lambda p: parse_period(p).sort_key())
    previous = str(parse_period(latest).same_period_last_year())
    now = rows[rows["period"] == latest].set_index("unit_code")["value"]
    before = rows[rows["period"] == previous].set_index("unit_code")["value"]
    both = pd.DataFrame({"now": now, "before": before}).dropna()
    fell = both[both["now"] < both["before"]]
    return [
        FallingTownship(
            unit=code,
            name=tree.get(code).name,
            period=latest,
            value=float(r.now),
            previous_year_value=float(r.before),
            growth=float(r.now / r.before - 1) if r.before else None,
        )
        for code, r in fell.sort_values("now").iterrows()
    ]


def _stopped(
    engine: Engine, limit: int = 200, inside: set[str] | None = None
) -> list[StoppedEnterprise]:
    """Enterprises with R&D in a period last year and none (or no report) this year."""
    with transaction(engine) as session:
        latest_year = latest_report_year(session)
        if latest_year is None:
            return []
        reports = report_frame(
            session, approved_only=False, years=[int(latest_year) - 1, int(latest_year)]
        )
    latest = max(reports["period"].unique(), key=lambda p: parse_period(p).sort_key())
    previous = str(parse_period(latest).same_period_last_year())
    before = reports[(reports["period"] == previous) & (reports["rd_expense"] > 0)]
    if inside is not None:
        before = before[before["township_code"].isin(inside)]
    now = reports[reports["period"] == latest].set_index("uscc")["rd_expense"]
    out = []
    for r in before.itertuples():
        current = now.get(r.uscc)
        if current is None or current == 0:
            out.append(
                StoppedEnterprise(
                    uscc=str(r.uscc),
                    township=str(r.township_code),
                    period=latest,
                    rd_expense=None if current is None else 0.0,
                    previous_year_rd_expense=float(r.rd_expense),
                    reason="no report" if current is None else "zero R&D",
                )
            )
    return sorted(out, key=lambda x: -x.previous_year_rd_expense)[:limit]


def falling_townships(engine: Engine) -> list[FallingTownship]:
    """Townships whose latest YTD R&D expense is below the same period last year (the
    cockpit's list; cheaper than :func:`warnings`)."""
    with transaction(engine) as session:
        tree = load_org_tree(session)
        values = indicator_values(session, indicators=["IND_RD_EXPENSE"], kinds=["ytd"])
    return _falling(values, tree)
