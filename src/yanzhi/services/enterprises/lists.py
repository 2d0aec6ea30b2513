"""The lists a bureau works from: the 5 % priority list, the visit list (zero or falling
R&D), the innovation-points ranking and 双倍增 tracking of 高企 / 科技型中小企业 counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import yaml
from sqlalchemy import Engine

from yanzhi.core import points as pts
from yanzhi.core import thresholds
from yanzhi.core.orgtree import OrgTree
from yanzhi.ingest.policyfile import read_rules
from yanzhi.services.access.principal import PermissionDenied, Principal, check_list
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises.doubling import cohort
from yanzhi.services.enterprises.results import (
    DoublingRow,
    PointsRow,
    PointsScheme,
    PriorityRow,
    Result,
    VisitRow,
)
from yanzhi.services.plan.orgunits import org_tree
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import annual_figures
from yanzhi.storage.orgunits import load_org_tree


def _frame(engine: Engine, year: int) -> tuple[pd.DataFrame, OrgTree]:
    require_schema(engine)
    with transaction(engine) as session:
        frame = annual_figures(session, year)
        tree = load_org_tree(session)
    names = {u.code: u.name for u in tree}
    frame["township"] = frame["township_code"].map(names)
    frame["district"] = frame["township_code"].map(lambda t: names.get(t[:6]))
    frame["intensity"] = frame["rd_expense"] / frame["operating_revenue"].where(
        frame["operating_revenue"] > 0
    )
    return frame, tree


def _in_scope(frame: pd.DataFrame, tree: OrgTree, principal: Principal) -> pd.DataFrame:
    check_list(principal)
    if principal.unit:
        frame = frame[frame["township_code"].map(lambda t: tree.is_within(t, principal.unit))]
    return frame


R = TypeVar("R", bound=Result)


def priority(engine: Engine, *, year: int, principal: Principal) -> list[PriorityRow]:
    """Enterprises whose approved R&D expense of ``year`` is at least the rule's share of
    revenue (5 %: ``core.thresholds``, exact, boundary included)."""
    frame, tree = _frame(engine, year)
    frame = _in_scope(frame, tree, principal)
    hit = frame[_above(frame, year)].sort_values("intensity", ascending=False)
    cols = [
        "uscc",
        "name",
        "district",
        "township",
        "industry_code",
        "rd_expense",
        "operating_revenue",
        "intensity",
        "synthetic",
    ]
    return _records(hit[cols], PriorityRow)


def _above(frame: pd.DataFrame, year: int) -> Any:
    """Which rows of an annual frame are on the priority list of ``year``."""
    rule = read_rules().active("priority", year)
    threshold = thresholds.as_fraction(rule.params["threshold"]) if rule else thresholds.PRIORITY
    return thresholds.meets_many(frame["rd_expense"], frame["operating_revenue"], threshold)


def priority_usccs(engine: Engine, year: int) -> set[str] | None:
    """The USCCs on the priority list of ``year``, city-wide (what a register marks next to
    an applicant it already shows); None when ``year`` has no approved full-year report —
    the list cannot be known, which is not an empty list."""
    frame, _tree = _frame(engine, year)
    if frame.empty:
        return None
    return set(frame.loc[_above(frame, year), "uscc"].astype(str))


def visit(engine: Engine, *, year: int, principal: Principal) -> list[VisitRow]:
    """The 诊断 visit list: enterprises with zero R&D, or R&D below the previous year."""
    now, tree = _frame(engine, year)
    before, _ = _frame(engine, year - 1)
    now = _in_scope(now, tree, principal)
    merged = now.merge(
        before[["uscc", "rd_expense"]], on="uscc", how="left", suffixes=("", "_previous")
    )
    zero = merged["rd_expense"] == 0
    fell = merged["rd_expense"] < merged["rd_expense_previous"]
    merged["reason"] = ""
    merged.loc[fell, "reason"] = "R&D fell / 研发费用下降"
    merged.loc[zero, "reason"] = "no R&D / 无研发投入"
    hit = merged[zero | fell].sort_values(["district", "township", "rd_expense"])
    cols = [
        "uscc",
        "name",
        "district",
        "township",
        "rd_expense",
        "rd_expense_previous",
        "operating_revenue",
        "reason",
        "synthetic",
    ]
    return _records(hit[cols], VisitRow)


def points_scheme(path: Path | None = None) -> PointsScheme:
    """The innovation-points scheme in ``path`` (default: the built-in local default
    scheme, ``yanzhi/data/policy/innovation-points-default.yaml``)."""
    text = (
        path.read_text("utf-8")
        if path
        else resources.files("yanzhi.data")
        .joinpath("policy/innovation-points-default.yaml")
        .read_text("utf-8")
    )
    return PointsScheme.model_validate(yaml.safe_load(text))


def ranking(engine: Engine, *, year: int) -> pd.DataFrame:
    """Innovation points of every technology enterprise (高企 or 科技型中小企业) in
    ``year``, scored and ranked city-wide: one row per enterprise with its township code,
    empty when there is none. The same for every principal (:func:`points` cuts it)."""
    now, _ = _frame(engine, year)
    before, _ = _frame(engine, year - 1)
    tech = now[now["hightech"] | now["tech_sme"]].merge(
        before[["uscc", "rd_expense", "operating_revenue"]],
        on="uscc",
        how="left",
        suffixes=("", "_previous"),
    )
    if tech.empty:
        return pd.DataFrame()
    f = pd.DataFrame(
        {
            "rd_expense": tech["rd_expense"],
            "rd_intensity": tech["intensity"],
            "rd_personnel_share": None,
            "has_rd_institution": tech["has_rd_institution"],
            "new_product_share": None,
            "revenue": tech["operating_revenue"],
            "revenue_growth": tech["operating_revenue"] / tech["operating_revenue_previous"] - 1,
            "rd_growth": tech["rd_expense"]
            / tech["rd_expense_previous"].where(tech["rd_expense_previous"] > 0)
            - 1,
            "hightech": tech["hightech"],
            "tech_sme": tech["tech_sme"],
            "age": year - tech["founded_year"].fillna(year - 5),
            "rd_stopped": (tech["rd_expense"] == 0) & (tech["rd_expense_previous"] > 0),
        }
    )
    scored = pts.score(f, points_scheme().model_dump())
    out = pd.concat([tech[["uscc", "name", "district", "township"]], scored], axis=1)
    out["synthetic"] = tech["synthetic"].astype(bool)
    out["township_code"] = tech["township_code"]
    return out


def points(
    engine: Engine, *, year: int, principal: Principal, scored: pd.DataFrame | None = None
) -> list[PointsRow]:
    """Innovation points of every technology enterprise (:func:`ranking`, or ``scored``
    when the caller holds it); a scoped principal gets its own enterprises with those
    points."""
    check_list(principal)
    out = ranking(engine, year=year) if scored is None else scored
    if out.empty:
        return []
    mine = _in_scope(out, org_tree(engine), principal).index
    return _records(out.loc[mine].drop(columns="township_code").sort_values("rank"), PointsRow)


def own_points(
    engine: Engine,
    uscc: str,
    *,
    year: int,
    principal: Principal,
    scored: pd.DataFrame | None = None,
) -> PointsRow | None:
    """One enterprise's innovation points of ``year`` (scored and ranked city-wide, as in
    :func:`ranking`, or ``scored`` when the caller holds it); None when it is not a
    technology enterprise or has no approved full-year report. An enterprise user asks
    for its own only (PermissionDenied else)."""
    if principal.role == "enterprise" and principal.enterprise != uscc:
        raise PermissionDenied(
            f"{principal.name} may only see its own enterprise / 企业用户只能查看本企业"
        )
    if principal.role != "enterprise":
        check_list(principal)
    out = ranking(engine, year=year) if scored is None else scored
    if out.empty:
        return None
    row = out[out["uscc"] == uscc]
    if principal.role != "enterprise":
        row = _in_scope(row, org_tree(engine), principal)
    if row.empty:
        return None
    return _records(row.drop(columns="township_code"), PointsRow)[0]


def doubling(
    engine: Engine, *, start_year: int = 2022, end_year: int = 2027, today: dt.date | None = None
) -> list[DoublingRow]:
    """高企 and 科技型中小企业 counts at each year end from the register's history, against
    the path that doubles the start year's count by ``end_year`` ("双倍增"): the city rows of
    the cohort (:func:`yanzhi.services.enterprises.doubling.cohort`); a year end after
    ``today`` has no count yet (missing, not the current count carried forward)."""
    c = cohort(engine, start_year=start_year, end_year=end_year, today=today)
    by = {k.concept: k.city.years for k in c.concepts}
    out = []
    for n, year in enumerate(range(start_year, end_year + 1)):
        row: dict[str, Any] = {"year": year, "synthetic": c.synthetic}
        for flag in ("hightech", "tech_sme"):
            y = by[flag][n]
            row[flag] = y.stock
            row[f"{flag}_path"] = y.path
            row[f"{flag}_on_path"] = None if y.stock is None else y.stock >= y.path
        out.append(DoublingRow.model_validate(row))
    return out


def _records(frame: pd.DataFrame, model: type[R]) -> list[R]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        model.model_validate({k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()})
        for r in clean.to_dict("records")
    ]


def is_synthetic(rows: Sequence[Result]) -> bool:
    """Does any row of a list come from generated (demo) data?"""
    return any(bool(getattr(r, "synthetic", False)) for r in rows)


def write_xlsx(rows: Sequence[Result], out: Path, *, title: str) -> Path:
    """The list as a workbook at ``out``: a 说明 sheet (rule, source, year, rows, the 演示
    label on demo data), then the list with Chinese headers and number formats
    (:mod:`yanzhi.services.enterprises.listbook`)."""
    from yanzhi.services.enterprises import listbook

    return listbook.write(rows, out, title=title)
