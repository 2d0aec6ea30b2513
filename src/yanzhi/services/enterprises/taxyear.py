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


def _attributes_in(
    versions: pd.DataFrame, ent: Any, year: int
) -> tuple[dict[str, Any], str | None]:
    """The attribute version in force on 31 December of ``year``; before the register's
    first version, today's attributes with a note saying so."""
    end = dt.date(year, 12, 31)
    if not versions.empty:
        valid = pd.to_datetime(versions["valid_from"]).dt.date <= end
        known = versions[valid]
        if not known.empty:
            return dict(known.iloc[-1]), None
    first = pd.to_datetime(versions["valid_from"]).dt.date.min() if not versions.empty else None
    since = f"企业名录自{first:%Y年%-m月%-d日}起才有属性记录" if first else "企业名录没有属性记录"
    today = {a: getattr(ent, a) for a in ("industry_code", "hightech", "hightech_cert_year",
                                          "tech_sme", "above_size_industrial")}  # fmt: skip
    return today, f"{since},{year}年的行业和科技型中小企业标记按当前记录"


def _certificates(versions: pd.DataFrame, ent: Any) -> set[int]:
    """Issue years of every 高企 certificate the register has recorded (any version flagged
    高企 with its certificate year, and today's record)."""
    rows = [dict(r) for _, r in versions.iterrows()] if not versions.empty else []
    rows.append({"hightech": ent.hightech, "hightech_cert_year": ent.hightech_cert_year})
    return {
        int(r["hightech_cert_year"])
        for r in rows
        if r.get("hightech")
        and r.get("hightech_cert_year") is not None
        and not pd.isna(r["hightech_cert_year"])
    }


def hightech_in(attrs: dict[str, Any], year: int, valid_years: int) -> tuple[bool, str | None]:
    """高企 status for the tax year from one attribute version: flagged and the certificate
    (issued in ``hightech_cert_year``) valid for ``valid_years`` years covers ``year``."""
    if not attrs.get("hightech"):
        return False, None
    cert = attrs.get("hightech_cert_year")
    if cert is None or pd.isna(cert):
        return True, "高新技术企业证书年份未知,按当年标记认定"
    cert = int(cert)
    if cert <= year < cert + valid_years:
        return True, None
    return False, f"高新技术企业证书({cert}年)在{year}年不在有效期内"


def hightech_for_year(
    versions: pd.DataFrame, ent: Any, year: int, valid_years: int
) -> tuple[bool | None, str | None]:
    """高企 in the tax year by its certificate: one issued in year Y (any recorded version)
    covers Y … Y + ``valid_years`` − 1 (《高新技术企业认定管理办法》国科发火〔2016〕32号
    第九条: 资格自颁发证书之日起有效期为三年; 第十条: 自证书颁发之日所在年度起享受税收优惠).
    ``None`` with the reason when the register cannot tell (no version for that year and
    no certificate covering it)."""
    covering = sorted(c for c in _certificates(versions, ent) if c <= year < c + valid_years)
    if covering:
        return True, None
    attrs, before_register = _attributes_in(versions, ent, year)
    if before_register:
        return None, f"{before_register.split(',')[0]},无法判断{year}年是否为高新技术企业"
    return hightech_in(attrs, year, valid_years)


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
    attrs, attrs_note = _attributes_in(versions, ent, year)
    rate_rule = next((r for r in rules.rules if r.kind == "tax_rate" and r.in_force(year)), None)
    valid_years = int(rate_rule.params.get("hightech_certificate_years", 3)) if rate_rule else 3
    hightech, why = hightech_for_year(versions, ent, year, valid_years)
    notes += [n for n in (attrs_note, why) if n]
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
