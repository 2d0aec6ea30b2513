"""One enterprise's tax year as the policy calculators need it, from its reports and the
attribute versions in force in that year (高企 by its certificate's validity, 科技型中小企业
as flagged that year) and the intangible assets its earlier capitalised R&D created."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from yanzhi.core.errors import NotFound
from yanzhi.core.policy import EnterpriseYear, RuleSet

AMORTISATION_YEARS = 10  # 企业所得税法实施条例 第六十七条: 无形资产摊销年限不得低于10年


def _attributes_in(versions: pd.DataFrame, ent: Any, year: int) -> dict[str, Any]:
    """The attribute version in force on 31 December of ``year`` (today's if none is kept)."""
    end = dt.date(year, 12, 31)
    if not versions.empty:
        valid = pd.to_datetime(versions["valid_from"]).dt.date <= end
        known = versions[valid]
        if not known.empty:
            return dict(known.iloc[-1])
    return {a: getattr(ent, a) for a in ("industry_code", "hightech", "hightech_cert_year",
                                         "tech_sme", "above_size_industrial")}  # fmt: skip


def hightech_in(attrs: dict[str, Any], year: int, valid_years: int) -> tuple[bool, str | None]:
    """高企 status for the tax year: flagged that year and the certificate (issued in
    ``hightech_cert_year``) valid for ``valid_years`` years covers ``year``."""
    if not attrs.get("hightech"):
        return False, None
    cert = attrs.get("hightech_cert_year")
    if cert is None or pd.isna(cert):
        return True, "高新技术企业证书年份未知,按当年标记认定"
    cert = int(cert)
    if cert <= year < cert + valid_years:
        return True, None
    return False, f"高新技术企业证书({cert}年)在{year}年不在有效期内"


def _amortisation(reports: pd.DataFrame, year: int) -> tuple[float, str | None]:
    """Cost of R&D intangibles amortised in ``year``: each year's capitalised R&D over ten
    years from the following year (straight line)."""
    full = reports[reports["month"] == 12]
    first = int(full["year"].min()) if len(full) else year
    cap = full[(full["year"] < year) & (full["year"] >= year - AMORTISATION_YEARS)]
    total = pd.to_numeric(cap["rd_expense_capitalised"], errors="coerce").fillna(0).sum()
    ever = pd.to_numeric(full["rd_expense_capitalised"], errors="coerce").fillna(0).sum()
    note = None
    if ever > 0 and year - AMORTISATION_YEARS < first:
        note = f"{first}年以前资本化形成的无形资产无数据,其摊销未计入"
    return float(total) / AMORTISATION_YEARS, note


def tax_year(
    ent: Any,
    reports: pd.DataFrame,
    versions: pd.DataFrame,
    year: int,
    *,
    rules: RuleSet,
    flags: frozenset[str] = frozenset(),
    **known: Any,
) -> EnterpriseYear:
    """The enterprise's ``year`` for the calculators: its R&D and revenue of the year (the
    latest year-to-date report when December is missing, said in the notes), the
    attributes in force on 31 December, 高企 by its certificate, the amortisation of
    earlier capitalised R&D, and whatever the caller knows (``known``: taxable income,
    employees, assets …)."""
    this = reports[reports["year"] == year].sort_values("month")
    if this.empty:
        raise NotFound(f"{ent.uscc} has no report for {year}", f"无{year}年报表")
    row = this.iloc[-1]
    notes: list[str] = []
    if int(row["month"]) != 12:
        notes.append(f"{year}年全年报表尚无,按1–{int(row['month'])}月累计计算")
    before = reports[(reports["year"] == year - 1) & (reports["month"] == 12)]
    cap = float(row["rd_expense_capitalised"]) if pd.notna(row["rd_expense_capitalised"]) else 0.0
    attrs = _attributes_in(versions, ent, year)
    rate_rule = next((r for r in rules.rules if r.kind == "tax_rate" and r.in_force(year)), None)
    valid_years = int(rate_rule.params.get("hightech_certificate_years", 3)) if rate_rule else 3
    hightech, why = hightech_in(attrs, year, valid_years)
    if why:
        notes.append(why)
    amortised, amort_note = _amortisation(reports, year)
    if amort_note:
        notes.append(amort_note)
    return EnterpriseYear(
        year=year,
        industry_code=str(attrs.get("industry_code") or ent.industry_code),
        expensed_rd=float(row["rd_expense"]) - cap,
        capitalised_rd=cap,
        revenue=float(row["operating_revenue"]),
        previous_rd=float(before["rd_expense"].iloc[0]) if len(before) else None,
        hightech=hightech,
        tech_sme=bool(attrs.get("tech_sme")),
        above_size=bool(attrs.get("above_size_industrial")),
        flags=flags,
        intangible_amortisation=amortised,
        data_notes=tuple(notes),
        **known,
    )
