"""诊断+提升: the prioritised diagnosis list, an enterprise's outcome and the effect of the
casework — all from APPROVED full-year reports (``storage.enterprises.annual_figures``).
The rule and the effect's method are those of :mod:`yanzhi.core.casework`."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from yanzhi.core import casework as cw
from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access.principal import Principal, check_list
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises.caseresults import Effect, EffectRow, Outcome, RankedRow
from yanzhi.storage.casemodels import CaseRow
from yanzhi.storage.datamodels import EnterpriseRow
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import annual_figures
from yanzhi.storage.orgunits import load_org_tree

METHOD = (
    "双重差分: 每家有服务案件的企业与同区县市、同规模、同起点研发强度档(0、1%以下、1%至3.4%、"
    "3.4%至5%)的无案件企业比较; 效果 = 有案件企业研发强度变化 − 可比企业平均变化(百分点);"
    "只用经审核的全年报表。"
)


def _annual(engine: Engine, year: int) -> tuple[pd.DataFrame, OrgTree]:
    with transaction(engine) as session:
        frame = annual_figures(session, year)
        tree = load_org_tree(session)
    names = {u.code: u.name for u in tree}
    frame["township"] = frame["township_code"].map(names)
    frame["district"] = frame["township_code"].map(
        lambda t: (p.name if (p := tree.parent(t)) else None) if t in tree else None
    )
    return frame, tree


def _scoped(frame: pd.DataFrame, tree: OrgTree, principal: Principal) -> pd.DataFrame:
    check_list(principal)
    if principal.unit and principal.unit in tree:
        return frame[frame["township_code"].map(lambda t: tree.is_within(t, principal.unit))]
    if principal.unit:
        return frame.iloc[0:0]
    return frame


def _case_status(engine: Engine, year: int) -> dict[str, str]:
    with transaction(engine) as session:
        rows = session.execute(
            select(EnterpriseRow.uscc, CaseRow.status)
            .join(CaseRow, CaseRow.enterprise_id == EnterpriseRow.id)
            .where(CaseRow.diagnosis_year == year)
            .order_by(CaseRow.id)
        ).all()
    return {str(u): str(s) for u, s in rows}


def ranked_frame(engine: Engine, year: int) -> tuple[pd.DataFrame, OrgTree]:
    """The city-wide ranked list of ``year`` (``core.casework.rank``) with names, township
    and district; empty when the year has no approved full-year reports."""
    require_schema(engine)
    now, tree = _annual(engine, year)
    before, _ = _annual(engine, year - 1)
    if now.empty:
        return now, tree
    merged = now.merge(
        before[["uscc", "rd_expense"]], on="uscc", how="left", suffixes=("", "_previous")
    )
    merged["has_rd_institution"] = merged["has_rd_institution"].astype(object)
    merged.loc[merged["has_rd_institution"].isna(), "has_rd_institution"] = None
    ranked = cw.rank(merged)
    ranked["has_rd_institution"] = ranked["has_rd_institution"].map(
        lambda v: None if v is None else bool(v)
    )
    return ranked, tree


def priority_list(engine: Engine, *, year: int, principal: Principal) -> list[RankedRow]:
    """The prioritised diagnosis list of ``year`` within the principal's scope (ranks are
    city-wide), each with the reason and the status of its case of that year."""
    ranked, tree = ranked_frame(engine, year)
    if ranked.empty:
        check_list(principal)
        return []
    ranked = _scoped(ranked, tree, principal)
    status = _case_status(engine, year)
    ranked = ranked.assign(
        case_status=ranked["uscc"].map(lambda u: cw.CASE_STATUS_ZH.get(status.get(u, ""))),
        synthetic=ranked["synthetic"].astype(bool),
    )
    fields = list(RankedRow.model_fields)
    clean = ranked[fields].astype(object).where(ranked[fields].notna(), None)
    return [RankedRow.model_validate(r) for r in clean.to_dict("records")]


def intensities(engine: Engine, year: int) -> dict[str, float]:
    """R&D intensity of every enterprise with an approved full year and revenue (by USCC)."""
    with transaction(engine) as session:
        f = annual_figures(session, year)
    f = f[f["operating_revenue"] > 0]
    return dict(zip(f["uscc"], f["rd_expense"] / f["operating_revenue"], strict=True))


def outcome(engine: Engine, uscc: str, diagnosis_year: int) -> Outcome:
    """The enterprise's intensity in the diagnosis year and the next, approved reports only."""
    before = intensities(engine, diagnosis_year).get(uscc)
    after = intensities(engine, diagnosis_year + 1).get(uscc)
    return outcome_of(uscc, diagnosis_year, before, after)


def outcome_of(uscc: str, year: int, before: float | None, after: float | None) -> Outcome:
    """:class:`Outcome` from the two intensities (None: no approved full-year report)."""
    note = None
    if before is None or after is None:
        missing = [str(y) for y, v in ((year, before), (year + 1, after)) if v is None]
        note = f"{'、'.join(missing)}年尚无经审核的全年研发报表,效果待测"
    return Outcome(
        before_year=year,
        before=before,
        after_year=year + 1,
        after=after,
        change_pp=None if before is None or after is None else round((after - before) * 100, 3),
        note=note,
    )


def effect(engine: Engine, *, year: int, principal: Principal) -> Effect:
    """The effect of the cases of diagnosis year ``year`` by district (the principal's
    districts; a township officer's own district), against comparable enterprises without
    a case (``core.casework.effect``), from approved full-year reports of ``year`` and
    ``year + 1``."""
    require_schema(engine)
    before, tree = _annual(engine, year)
    after, _ = _annual(engine, year + 1)
    status = _case_status(engine, year)
    check_list(principal)
    panel = before[before["operating_revenue"] > 0][
        ["uscc", "district", "township_code", "size_class", "synthetic"]
    ].copy()
    panel["before"] = (before["rd_expense"] / before["operating_revenue"]).loc[panel.index]
    a = after[after["operating_revenue"] > 0]
    panel["after"] = panel["uscc"].map(
        dict(zip(a["uscc"], a["rd_expense"] / a["operating_revenue"], strict=True))
    )
    panel["treated"] = panel["uscc"].isin(list(status))
    panel["size_class"] = panel["size_class"].fillna("")
    if principal.unit and principal.unit in tree:
        unit = tree.get(principal.unit)  # a township officer: its whole district
        district = unit if unit.level != "township" else tree.parent(unit.code)
        code = district.code if district else unit.code
        panel = panel[panel["township_code"].map(lambda t: tree.is_within(t, code))]
    result = cw.effect(panel) if len(panel) else pd.DataFrame()
    rows = [
        EffectRow.model_validate(
            {
                k: (None if pd.isna(v) else (round(v, 3) if isinstance(v, float) else v))
                for k, v in r.items()
            }
        )
        for r in result.to_dict("records")
    ]
    treated = panel[panel["treated"]]
    return Effect(
        diagnosis_year=year,
        after_year=year + 1,
        cases=len(status),
        without_data=int(len(status) - treated["after"].notna().sum()),
        rows=rows,
        method=METHOD,
        synthetic=bool(panel["synthetic"].any()) if len(panel) else False,
    )
