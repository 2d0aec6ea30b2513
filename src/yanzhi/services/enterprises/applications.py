"""The 5 % priority tied to the science and technology projects (科技计划项目): which
applicants of the key R&D project register (``key_rd_project``) are on the priority list,
and how many priority enterprises applied and won, by funding line (计划类别) and
district, against the others.

An application counts in the year it was made (申报日期; without one, its 开始日期). Its
applicant is a priority enterprise when it is on the priority list of the year before — the
last full year at the time of applying, as the rule says (``PRIORITY_5PCT``, ``basis:
last_full_year``). When that year has no approved full-year report, or the entry names no
applicant, the applicant's standing is unknown: counted apart, never as "not priority".
Won = 立项 or 结题; the success rate is won ÷ decided (立项, 结题, 未立项); applications
still at 申报 are not decided yet and stay out of the rate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from yanzhi.core.orgtree import Level
from yanzhi.core.registers import STAGES, WON
from yanzhi.services.access.principal import Principal, check_list
from yanzhi.services.enterprises.lists import priority_usccs
from yanzhi.services.enterprises.results import ApplicationRow
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import enterprise_names
from yanzhi.storage.registers import entries_frame

KIND = "key_rd_project"
CITY = "全市合计"
ALL_LINES = "全部计划类别"
UNNAMED = "未填计划类别"


def applied_year(fields: dict[str, Any], valid_from: str) -> int:
    """The year an application was made: its 申报日期, else its 开始日期."""
    return int(str(fields.get("applied_on") or valid_from)[:4])


def applicant_names(engine: Engine, usccs: Iterable[str | None]) -> list[str | None]:
    """The registered name of each applicant (None: no USCC, or not in the register)."""
    with transaction(engine) as session:
        names = dict(enterprise_names(session))
    return [names.get(u) if u else None for u in usccs]


def standing(engine: Engine, items: Iterable[tuple[str | None, int]]) -> list[bool | None]:
    """For each (applicant USCC, application year): on the priority list of the year before
    (True / False), or None when that cannot be known (no applicant, or no approved
    full-year report of that year)."""
    apps = list(items)
    cache: dict[int, set[str] | None] = {}
    out: list[bool | None] = []
    for uscc, year in apps:
        basis = year - 1
        if basis not in cache:
            cache[basis] = priority_usccs(engine, basis)
        listed = cache[basis]
        known = isinstance(uscc, str) and uscc  # a missing one may come as NaN from pandas
        out.append(None if not known or listed is None else uscc in listed)
    return out


def application_frame(engine: Engine, *, year: int, principal: Principal) -> pd.DataFrame:
    """The key R&D project register's applications of ``year`` inside the principal's scope:
    code, district, funding_line, stage, won, decided, priority (True / False / None)."""
    check_list(principal)
    tree = org_tree(engine)
    with transaction(engine) as session:
        frame = entries_frame(session, KIND)
    cols = ["code", "district", "funding_line", "stage", "won", "decided", "priority", "synthetic"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    frame["year"] = [
        applied_year(f, v) for f, v in zip(frame["fields"], frame["valid_from"], strict=True)
    ]
    frame = frame[frame["year"] == year]
    if principal.unit:
        frame = frame[
            frame["org_unit_code"].map(
                lambda u: u in tree and tree.is_within(u, principal.unit or "")
            )
        ]
    if frame.empty:
        return pd.DataFrame(columns=cols)

    def district(code: str) -> str:
        if code not in tree:
            return "未知区县"
        for unit in [tree.get(code), *tree.ancestors(code)]:
            if unit.level is Level.DISTRICT:
                return unit.name
        return "未知区县"

    fields = frame["fields"]
    stage = fields.map(lambda f: f.get("stage") or "立项")  # no stage: an approved project
    out = pd.DataFrame(
        {
            "code": frame["code"],
            "district": frame["org_unit_code"].map(district),
            "funding_line": fields.map(lambda f: f.get("funding_line") or UNNAMED),
            "stage": stage,
            "won": stage.isin(WON),
            "decided": stage.isin([s for s in STAGES if s != "申报"]),
            "priority": standing(
                engine,
                zip(fields.map(lambda f: f.get("applicant_uscc")), frame["year"], strict=True),
            ),
            "synthetic": frame["synthetic"].astype(bool),
        }
    )
    return out[cols]


def _rate(won: int, decided: int) -> float | None:
    return won / decided if decided else None


def _row(funding_line: str, district: str, year: int, g: pd.DataFrame) -> ApplicationRow:
    pri = g[g["priority"].map(lambda p: p is True)]
    oth = g[g["priority"].map(lambda p: p is False)]
    unknown = g[g["priority"].map(lambda p: p is None)]
    n = {k: len(x) for k, x in (("p", pri), ("o", oth))}
    won = {k: int(x["won"].sum()) for k, x in (("p", pri), ("o", oth))}
    dec = {k: int(x["decided"].sum()) for k, x in (("p", pri), ("o", oth))}
    return ApplicationRow(
        funding_line=funding_line,
        district=district,
        year=year,
        priority_applied=n["p"],
        priority_won=won["p"],
        priority_rate=_rate(won["p"], dec["p"]),
        other_applied=n["o"],
        other_won=won["o"],
        other_rate=_rate(won["o"], dec["o"]),
        pending=int((~g["decided"].astype(bool)).sum()),
        unknown=len(unknown),
        synthetic=bool(g["synthetic"].any()),
    )


def application_summary(engine: Engine, *, year: int, principal: Principal) -> list[ApplicationRow]:
    """Per funding line and district of the scope (then 全市合计 per funding line, and all
    funding lines together): priority enterprises that applied in ``year`` and won, with the
    success rate, against the other applicants; applications still undecided and those
    whose standing is unknown, apart."""
    apps = application_frame(engine, year=year, principal=principal)
    if apps.empty:
        return []
    code = {u.name: u.code for u in org_tree(engine).by_level(Level.DISTRICT)}
    rows: list[ApplicationRow] = []
    groups = [(p, g) for p, g in apps.groupby("funding_line")]
    groups.sort(key=lambda pg: _line_order(str(pg[0])))
    several = apps["district"].nunique() > 1
    for line, g in groups:
        by_district = sorted(g.groupby("district"), key=lambda dg: code.get(str(dg[0]), "~"))
        rows += [_row(str(line), str(d), year, dg) for d, dg in by_district]
        if several:
            rows.append(_row(str(line), CITY, year, g))
    if len(groups) > 1:
        rows.append(_row(ALL_LINES, CITY if several else rows[0].district, year, apps))
    return rows


def _line_order(name: str) -> tuple[int, str]:
    from yanzhi.core.registers import FUNDING_LINES

    return (FUNDING_LINES.index(name) if name in FUNDING_LINES else len(FUNDING_LINES), name)
