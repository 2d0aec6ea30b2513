"""What a figure is computed from: its coverage (覆盖情况). Every indicator value rolled up
from enterprise reports reads approved data only, so each carries the units approved out of
those expected and the enterprises whose reports it holds out of those expected, for the
period it is computed from, and is flagged when that is incomplete or when a period it
depends on was unlocked for review and is not approved again (issue #15, point 2).

One :class:`CoverageIndex` is read per status query for all the periods it needs (one
query each for the expected enterprises, the received reports and the submissions);
``of(unit, period)`` then answers for any unit, once per unit and period. The roll-up
rule: a township counts as approved when its submission for the period is approved (or when
it expects no report and sent none); a district when all its townships are; the city counts
districts. Enterprises expected are the above-size industrial enterprises founded by the
period's year (as in the reporting completeness, services/collection/workflow.py);
enterprises reported are the reports of approved townships — what the figure contains."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.core.periods import parse_period
from yanzhi.services.kept import kept
from yanzhi.storage.bulk import read_frame
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow, SubmissionRow
from yanzhi.storage.db import transaction
from yanzhi.storage.orgunits import load_org_tree
from yanzhi.storage.submissions import APPROVED

if TYPE_CHECKING:
    from yanzhi.services.monitoring.results import UnitStatus

#: Below this share of expected enterprises reported a figure is flagged incomplete even
#: when every unit is approved (non-response of more than one enterprise in ten).
MIN_REPORTING_RATE = Fraction(90, 100)

_LEVEL_WORDS = {
    "district": ("个区县(市)", "districts"),
    "township": ("个乡镇(街道)", "townships"),
}


class UnlockNote(BaseModel):
    """A period unlocked for review (解锁重审) in some townships of the unit and not
    approved again: when, by whom, why."""

    period: str
    townships: list[str]
    unlocked_at: str | None
    unlocked_by: str | None
    reason: str | None


class Coverage(BaseModel):
    """The coverage of one figure. ``basis`` "reports" (rolled up from enterprise reports)
    or "statistic" (an aggregate statistic, not from reports: no counts). ``level`` is what
    the unit counts (districts for the city, townships below). ``flagged`` when incomplete
    or unlocked; ``note_zh`` / ``note_en`` say so (empty otherwise); ``text_zh`` /
    ``text_en`` are the coverage line shown beside every figure."""

    period: str | None
    basis: Literal["reports", "statistic"]
    level: str | None = None
    units_approved: int | None = None
    units_expected: int | None = None
    enterprises_reported: int | None = None
    enterprises_expected: int | None = None
    complete: bool = True
    unlocked: list[UnlockNote] = []
    flagged: bool = False
    text_zh: str = ""
    text_en: str = ""
    note_zh: str = ""
    note_en: str = ""


STATISTIC = Coverage(
    period=None,
    basis="statistic",
    text_zh="统计数据，不由企业报送汇总",
    text_en="Official statistic, not summed from enterprise reports",
)


def annual_period(year: int) -> str:
    """The YTD period an annual value is computed from: 1–12月 of ``year``."""
    return f"{year}-01..12"


def _label_zh(period: str) -> str:
    p = parse_period(period)
    return f"{p.year}年" if p.last_month == 12 else p.label_zh()


@dataclass(frozen=True)
class CoverageIndex:
    """The township rows (expected, reported, approved) of some periods and the pending
    unlocks; :meth:`of` rolls them up to any unit."""

    tree: OrgTree
    rows: pd.DataFrame  # code, period, expected, reported, approved
    unlocks: pd.DataFrame  # org_unit_code, period, unlocked_at, unlocked_by, unlock_reason
    memo: dict[tuple[str, str], Coverage] = field(default_factory=dict, compare=False)

    def _townships(self, unit: str) -> list[str]:
        return [
            u.code
            for u in self.tree.descendants(unit, include_self=True)
            if u.level is Level.TOWNSHIP
        ]

    def pending_unlocks(self, unit: str) -> list[UnlockNote]:
        """Periods unlocked in townships of ``unit`` and not approved again, newest first."""
        mine = self.unlocks[self.unlocks["org_unit_code"].isin(self._townships(unit))]
        out = []
        for period, g in mine.groupby("period", sort=False):
            last = g.sort_values("unlocked_at").iloc[-1]
            out.append(
                UnlockNote(
                    period=str(period),
                    townships=sorted(g["org_unit_code"].astype(str)),
                    unlocked_at=_iso(last["unlocked_at"]),
                    unlocked_by=_text(last["unlocked_by"]),
                    reason=_text(last["unlock_reason"]),
                )
            )
        return sorted(out, key=lambda n: parse_period(n.period).sort_key(), reverse=True)

    def of(self, unit: str, period: str) -> Coverage:
        """The coverage of ``unit``'s figure computed from ``period`` (a YTD period); each
        (unit, period) is worked out once and shared by the indicators that ask."""
        if (unit, period) not in self.memo:
            self.memo[unit, period] = self._of(unit, period)
        return self.memo[unit, period]

    def _of(self, unit: str, period: str) -> Coverage:
        u = self.tree.get(unit)
        towns = self._townships(unit)
        rows = self.rows[(self.rows["period"] == period) & self.rows["code"].isin(towns)]
        approved = set(rows.loc[rows["approved"], "code"])
        if u.level is Level.TOWNSHIP or not self.tree.children(unit):
            level, expected, done = "township", len(towns), len(approved & set(towns))
        else:
            kids = self.tree.children(unit)
            level = str(kids[0].level)
            expected = len(kids)
            done = sum(1 for k in kids if set(self._townships(k.code)) <= approved)
        reported = int(rows.loc[rows["approved"], "reported"].sum())
        wanted = int(rows["expected"].sum())
        complete = done == expected and (
            wanted == 0 or Fraction(reported, wanted) >= MIN_REPORTING_RATE
        )
        return _worded(
            Coverage(
                period=period,
                basis="reports",
                level=level,
                units_approved=done,
                units_expected=expected,
                enterprises_reported=reported,
                enterprises_expected=wanted,
                complete=complete,
                unlocked=self.pending_unlocks(unit),
            )
        )


def _worded(c: Coverage) -> Coverage:
    """The coverage line and, when flagged, the note, in Chinese and English."""
    zh_units, en_units = _LEVEL_WORDS.get(c.level or "", ("个单位", "units"))
    if c.period is not None:
        c.text_zh = (
            f"{_label_zh(c.period)}：已审核 {c.units_approved}/{c.units_expected} {zh_units}，"
            f"企业报送 {c.enterprises_reported or 0:,}/{c.enterprises_expected or 0:,} 家"
        )
        c.text_en = (
            f"{c.period}: {c.units_approved}/{c.units_expected} {en_units} approved, "
            f"{c.enterprises_reported or 0:,}/{c.enterprises_expected or 0:,} "
            "enterprises reported"
        )
    zh, en = [], []
    if not c.complete and c.period is not None:
        zh.append(f"数据不完整({c.text_zh})")
        en.append(f"Incomplete data ({c.text_en})")
    for n in c.unlocked:
        day = (n.unlocked_at or "")[:10]
        why_zh = f"(原因：{n.reason})" if n.reason else ""
        why_en = f" (reason: {n.reason})" if n.reason else ""
        zh.append(f"{_label_zh(n.period)}数据已于{day}解锁重审{why_zh}，本数值可能变动")
        en.append(f"{n.period} data unlocked for review on {day}{why_en}; this value may change")
    c.flagged = bool(zh)
    c.note_zh, c.note_en = "；".join(zh), "; ".join(en)
    return c


def _iso(v: object) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).isoformat()


def _text(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


def coverage_index(engine: Engine, periods: Iterable[str]) -> CoverageIndex:
    """Read once what the coverage of ``periods`` (YTD periods) needs, for every township,
    and the pending unlocks of any period."""
    wanted = sorted(set(periods))
    with transaction(engine) as session:
        return kept(session, ("coverage", tuple(wanted)), lambda: _index(session, wanted))


def _index(session: Session, wanted: list[str]) -> CoverageIndex:
    tree = load_org_tree(session)
    subs = _submissions(session, wanted)
    if not wanted:  # the pending unlocks only (the evaluation's notes)
        return CoverageIndex(tree, _rows(tree, [], subs, subs, subs), _unlocks(subs))
    founded = read_frame(
        session,
        select(
            EnterpriseRow.township_code,
            EnterpriseRow.founded_year,
            func.count().label("n"),
        )
        .where(EnterpriseRow.above_size_industrial.is_(True))
        .group_by(EnterpriseRow.township_code, EnterpriseRow.founded_year),
    )
    received = read_frame(
        session,
        select(RdReportRow.township_code, RdReportRow.period, func.count().label("reported"))
        .where(RdReportRow.period.in_(wanted))
        .group_by(RdReportRow.township_code, RdReportRow.period),
    )
    return CoverageIndex(tree, _rows(tree, wanted, founded, received, subs), _unlocks(subs))


def _submissions(session: Session, wanted: list[str]) -> pd.DataFrame:
    """The R&D submissions of the ``wanted`` periods and every unlocked, unapproved one."""
    sub = SubmissionRow
    return read_frame(
        session,
        select(
            sub.org_unit_code,
            sub.period,
            sub.status,
            sub.unlocked_at,
            sub.unlocked_by,
            sub.unlock_reason,
        ).where(
            sub.dataset == "rd",
            sub.period.in_(wanted) | (sub.unlocked_at.is_not(None) & (sub.status != APPROVED)),
        ),
    )


def _rows(
    tree: OrgTree,
    periods: list[str],
    founded: pd.DataFrame,
    received: pd.DataFrame,
    subs: pd.DataFrame,
) -> pd.DataFrame:
    if not periods:
        return pd.DataFrame(columns=["code", "period", "expected", "reported", "approved"])
    towns = [u.code for u in tree.by_level(Level.TOWNSHIP)]
    approved = subs[subs["status"] == APPROVED]
    approved_pairs = set(zip(approved["org_unit_code"], approved["period"], strict=True))
    got = {
        (str(t), str(p)): int(n)
        for t, p, n in zip(
            received["township_code"], received["period"], received["reported"], strict=True
        )
    }
    parts = []
    for period in periods:
        year = parse_period(period).year
        alive = founded[founded["founded_year"].isna() | (founded["founded_year"] <= year)]
        expected = alive.groupby("township_code")["n"].sum()
        parts.append(
            pd.DataFrame(
                {
                    "code": towns,
                    "period": period,
                    "expected": [int(expected.get(t, 0)) for t in towns],
                    "reported": [got.get((t, period), 0) for t in towns],
                    "approved": [(t, period) in approved_pairs for t in towns],
                }
            )
        )
        # a township expecting no report and sending none has nothing to approve
        idle = (parts[-1]["expected"] == 0) & (parts[-1]["reported"] == 0)
        parts[-1].loc[idle, "approved"] = True
    if not parts:
        return pd.DataFrame(columns=["code", "period", "expected", "reported", "approved"])
    return pd.concat(parts, ignore_index=True)


def _unlocks(subs: pd.DataFrame) -> pd.DataFrame:
    pending = subs[(subs["status"] != APPROVED) & subs["unlocked_at"].notna()]
    return pending[["org_unit_code", "period", "unlocked_at", "unlocked_by", "unlock_reason"]]


def attach(engine: Engine, found: list[UnitStatus], sources: dict[str, str]) -> None:
    """Set ``coverage`` on every indicator status of ``found`` (``sources``: indicator code
    → "enterprise" | "statistic"): a statistic says so; an enterprise indicator's value
    gets the coverage of its year's 1–12月 period (one index read for all of them), or, with
    no value, the pending unlocks of its unit only."""
    needed = {
        annual_period(i.year)
        for st in found
        for i in st.indicators
        if sources.get(i.indicator) == "enterprise" and i.year is not None
    }
    if not any(sources.get(i.indicator) == "enterprise" for st in found for i in st.indicators):
        for st in found:
            for i in st.indicators:
                i.coverage = STATISTIC
        return
    index = coverage_index(engine, needed)
    for st in found:
        for i in st.indicators:
            if sources.get(i.indicator) != "enterprise":
                i.coverage = STATISTIC
            elif i.year is not None:
                i.coverage = index.of(st.unit.code, annual_period(i.year))
            else:
                i.coverage = _worded_missing(index.pending_unlocks(st.unit.code))


def of_figures(
    engine: Engine, figures: list[tuple[str, str, int | None]], sources: dict[str, str]
) -> list[Coverage]:
    """The coverage of each (unit, indicator, year) figure, as :func:`attach` gives it to
    an indicator status (for lists built figure by figure, e.g. the warnings)."""
    if not any(sources.get(ind) == "enterprise" for _, ind, _ in figures):
        return [STATISTIC for _ in figures]
    index = coverage_index(
        engine,
        {
            annual_period(y)
            for _, ind, y in figures
            if sources.get(ind) == "enterprise" and y is not None
        },
    )
    return [
        STATISTIC
        if sources.get(ind) != "enterprise"
        else index.of(unit, annual_period(y))
        if y is not None
        else _worded_missing(index.pending_unlocks(unit))
        for unit, ind, y in figures
    ]


def _worded_missing(unlocked: list[UnlockNote]) -> Coverage:
    c = _worded(Coverage(period=None, basis="reports", unlocked=unlocked, complete=False))
    c.text_zh, c.text_en = "无已审核数据", "No approved data"
    c.note_zh = "；".join(x for x in ("缺失：无已审核数据", c.note_zh) if x)
    c.note_en = "; ".join(x for x in ("Missing: no approved data", c.note_en) if x)
    return c
