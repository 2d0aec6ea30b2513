"""Why an indicator moved (gap attribution) and what needs attention (warnings)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.attribution import decompose, top_contributors
from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.periods import Period, parse_period, parse_ytd
from yanzhi.core.plan.model import Indicator
from yanzhi.ingest.industry import division_names
from yanzhi.services.database import require_schema
from yanzhi.services.monitoring import coverage
from yanzhi.services.monitoring.frames import approved_reports
from yanzhi.services.monitoring.results import (
    Attribution,
    FallingTownship,
    OffTrack,
    StoppedCount,
    StoppedEnterprise,
    StoppedSummary,
    Warnings,
)
from yanzhi.services.monitoring.status import (
    NEEDS_ATTENTION,
    TARGET_LEVELS,
    indicator_of,
    indicator_status,
)
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_names
from yanzhi.storage.facts import (
    any_synthetic_value,
    attribute_versions,
    indicator_values,
    report_frame,
    with_attributes,
)
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.plans import get_plan
from yanzhi.storage.submissions import APPROVED, submissions

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
    approved_only: bool = True,
    top: int = 10,
    unit: str | None = None,
) -> Attribution:
    """Shift-share decomposition of a ratio indicator between two periods: enterprise
    indicators by district, township or industry (with the top enterprises), from approved
    reports (like every figure downstream of the data desk; ``approved_only=False`` only for
    a data-desk check); statistic indicators by district or township, from the units'
    numerators and denominators.
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
            raise InvalidInput(
                f"{indicator} is not a ratio indicator",
                "该指标不是比率指标, 不做结构与强度分解",
            )
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
        if approved_only:  # read once per data version (frames.py)
            reports = approved_reports(session, [str(p0), str(p1)])
        else:
            reports = report_frame(session, approved_only=False, periods=[str(p0), str(p1)])
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
    names = division_names() if by == "industry" else {u.code: u.name for u in tree}
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
    result["synthetic"] = bool(pd.concat(frames)["synthetic"].astype(bool).any())
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
    used = values[values["period"].isin([str(start), str(end)]) & (values["level"] == by)]
    result["synthetic"] = bool(used["synthetic"].astype(bool).any())
    return Attribution.model_validate(result)


def warnings(
    engine: Engine,
    *,
    levels: tuple[str, ...] = ("city", "district"),
    within: str | None = None,
    detail: bool = True,
    only: Collection[str] | None = None,
) -> Warnings:
    """Headline indicators that need attention by unit (verdict 难以达标 or 存在风险,
    core/verdict.py), townships whose YTD R&D expense fell year on
    year, and enterprises that stopped reporting R&D — each with the numbers behind it.
    ``within`` (an org unit) limits all three to the units inside it. Without ``detail``
    only the verdicts and the falling townships: no coverage of the figures and no
    stopped enterprises (what a notification of new warnings needs). ``only`` limits the
    verdicts to those units (the ones whose values an approval changed)."""
    require_schema(engine)
    with transaction(engine) as session:
        plan = get_plan(session)
        tree = load_org_tree(session)
        inside = _inside(tree, within) if within is not None else None
        units = [
            u.code
            for u in tree
            if str(u.level) in levels
            and (inside is None or u.code in inside)
            and (only is None or u.code in only)
        ]
        codes = [i.code for i in plan.headline_indicators] + ["IND_RD_EXPENSE"]
        within_units = sorted(inside) if inside is not None else None
        # only what is read: the assessed units' totals (the statuses and the YTD
        # signal), the townships' YTD R&D expense (falling, stopped)
        values = indicator_values(
            session, indicators=codes, units=units, kinds=["year", "ytd"], totals_only=True
        )
        townships = indicator_values(
            session,
            indicators=["IND_RD_EXPENSE"],
            units=within_units,
            kinds=["ytd"],
            levels=["township"],
        )
        synthetic = any_synthetic_value(
            session, indicators=codes, units=within_units, kinds=["year", "ytd"]
        )
    off_track = []
    by_figure = dict(iter(values.groupby(["unit_code", "indicator"], sort=False)))
    none = values.iloc[0:0]
    for code in units:
        for ind in plan.headline_indicators:
            st = indicator_status(
                plan,
                by_figure.get((code, ind.code), none),
                ind,
                code,
                None,
                targeted=str(tree.get(code).level) in TARGET_LEVELS,
            )
            if st.verdict in NEEDS_ATTENTION:
                off_track.append(
                    OffTrack(
                        unit=code,
                        name=tree.get(code).name,
                        indicator=ind.code,
                        verdict=st.verdict,
                        verdict_zh=st.verdict_zh,
                        verdict_en=st.verdict_en,
                        verdict_reason_zh=st.verdict_reason_zh,
                        verdict_reason_en=st.verdict_reason_en,
                        status=st.status,
                        status_zh=st.status_zh,
                        value=st.value,
                        year=st.year,
                        target=st.target,
                        score=st.assessment.get("score"),
                    )
                )
    if detail:
        sources = {i.code: i.source for i in plan.headline_indicators}
        figures = [(x.unit, x.indicator, x.year) for x in off_track]
        for x, c in zip(off_track, coverage.of_figures(engine, figures, sources), strict=True):
            x.coverage = c
    latest = _township_rd(townships)[1] if detail else None
    stopped, summary = _stopped(engine, latest, tree, inside=inside)
    return Warnings(
        off_track=off_track,
        falling_townships=_falling(townships, tree),
        stopped_enterprises=stopped,
        stopped=summary,
        synthetic=synthetic,
    )


def _township_rd(values: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The townships' YTD R&D values (approved data) and their latest period: the period
    every warning compares with the same period a year earlier."""
    rows = values[
        (values["indicator"] == "IND_RD_EXPENSE")
        & (values["level"] == "township")
        & (values["period_kind"] == "ytd")
    ]
    if rows.empty:
        return rows, None
    return rows, str(max(rows["period"].unique(), key=lambda p: parse_period(p).sort_key()))


def _falling(values: pd.DataFrame, tree: Any) -> list[FallingTownship]:
    rows, latest = _township_rd(values)
    if latest is None:
        return []
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
    engine: Engine, latest: str | None, tree: Any, inside: set[str] | None = None
) -> tuple[list[StoppedEnterprise], StoppedSummary]:
    """Enterprises with R&D in ``latest``'s period last year and none in ``latest`` (the
    latest approved YTD period, the one the falling townships use), from approved reports
    only. An enterprise of a township whose ``latest`` is not approved yet is not judged."""
    empty = StoppedSummary(
        period=latest,
        previous_period=None,
        total=0,
        reported_zero=0,
        not_reported=0,
        townships_not_approved=0,
        by_unit=[],
    )
    if latest is None:
        return [], empty
    p = parse_period(latest)
    previous = str(p.same_period_last_year())
    with transaction(engine) as session:
        reports = approved_reports(session, [previous, latest])
        status = submissions(session, "rd", [latest])
        names = dict(enterprise_names(session))
    approved = set(status.loc[status["status"] == APPROVED, "org_unit_code"])
    before = reports[(reports["period"] == previous) & (reports["rd_expense"] > 0)]
    if inside is not None:
        before = before[before["township_code"].isin(inside)]
    now = reports.loc[reports["period"] == latest, ["uscc", "rd_expense", "township_code"]]
    pending = set(before["township_code"]) - approved
    judged = before[before["township_code"].isin(approved)].merge(
        now, on="uscc", how="left", suffixes=("", "_now"), indicator="found"
    )
    judged["reported"] = judged["found"] == "both"
    out = []
    for r in judged.itertuples():
        reported = bool(r.reported)
        current = float(r.rd_expense_now) if reported else None
        if current is not None and current > 0:
            continue
        town = str(r.township_code_now if reported else r.township_code)
        out.append(
            StoppedEnterprise(
                uscc=str(r.uscc),
                name=names.get(str(r.uscc), ""),
                township=town,
                period=latest,
                rd_expense=current,
                previous_year_rd_expense=float(r.rd_expense),
                reason="no report" if current is None else "zero R&D",
                reason_zh="未报送" if current is None else "研发费用为零",
            )
        )
    out.sort(key=lambda x: -float(x.previous_year_rd_expense))
    return out, StoppedSummary(
        period=latest,
        previous_period=previous,
        total=len(out),
        reported_zero=sum(x.rd_expense is not None for x in out),
        not_reported=sum(x.rd_expense is None for x in out),
        townships_not_approved=len(pending),
        by_unit=_stopped_by_unit(out, tree),
    )


def _stopped_by_unit(rows: list[StoppedEnterprise], tree: Any) -> list[StoppedCount]:
    """The stopped enterprises counted by district and by township."""
    counts: dict[str, list[int]] = {}
    for x in rows:
        for code in (x.township, x.township[:6]):
            if code not in tree:
                continue
            c = counts.setdefault(code, [0, 0])
            c[0 if x.rd_expense is not None else 1] += 1
    out = [
        StoppedCount(
            unit=code,
            name=tree.get(code).name,
            level=str(tree.get(code).level),
            reported_zero=z,
            not_reported=n,
            total=z + n,
        )
        for code, (z, n) in counts.items()
    ]
    return sorted(out, key=lambda c: (c.level != "district", -c.total, c.unit))


def falling_townships(engine: Engine) -> list[FallingTownship]:
    """Townships whose latest YTD R&D expense is below the same period last year (the
    cockpit's list; cheaper than :func:`warnings`)."""
    with transaction(engine) as session:
        tree = load_org_tree(session)
        values = indicator_values(session, indicators=["IND_RD_EXPENSE"], kinds=["ytd"])
    return _falling(values, tree)
