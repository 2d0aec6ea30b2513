"""One enterprise: its record, its R&D diagnosis and the policies it qualifies for. Every
function takes the principal asking; an enterprise user sees only its own enterprise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yanzhi.core import diagnosis as dx
from yanzhi.core.dataformats import SIZE_LABELS
from yanzhi.core.errors import NotFound
from yanzhi.core.orgtree import OrgTree
from yanzhi.core.periods import parse_period
from yanzhi.core.policy import RuleSet, all_benefits
from yanzhi.ingest.industry import division_names
from yanzhi.ingest.policyfile import read_rules
from yanzhi.services.access.principal import Principal, check_enterprise
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises.results import (
    Claim,
    Diagnosis,
    DiagnosisWarning,
    EnterpriseRecord,
    Gap,
    IntensityPoint,
    IntensitySeries,
    PeerStanding,
    PolicyResult,
    RulesSummary,
)
from yanzhi.services.enterprises.taxyear import tax_year
from yanzhi.storage.datamodels import ATTRIBUTES, EnterpriseRow
from yanzhi.storage.db import transaction
from yanzhi.storage.enterprises import (
    annual_figures,
    enterprise_reports,
    enterprise_versions,
    get_enterprise,
)
from yanzhi.storage.orgunits import load_org_tree


class EnterpriseNotFound(NotFound):
    """No enterprise with this USCC (a ``core.errors.NotFound``)."""


def _load(
    engine: Engine, uscc: str, principal: Principal
) -> tuple[EnterpriseRow, pd.DataFrame, OrgTree]:
    require_schema(engine)
    with transaction(engine) as session:
        ent, tree = enterprise_in(session, uscc, principal)
        reports = enterprise_reports(session, ent.id)
    return ent, reports, tree


def enterprise_in(
    session: Session, uscc: str, principal: Principal
) -> tuple[EnterpriseRow, OrgTree]:
    """The enterprise ``uscc`` and the division tree, read in ``session``, once the principal
    may see it: ``EnterpriseNotFound``, ``PermissionDenied`` outside its scope."""
    ent = get_enterprise(session, uscc.strip().upper())
    if ent is None:
        raise EnterpriseNotFound(f"no enterprise {uscc}", f"没有企业 {uscc}")
    tree = load_org_tree(session)
    check_enterprise(principal, uscc=ent.uscc, township=ent.township_code, tree=tree)
    return ent, tree


def show(engine: Engine, uscc: str, *, principal: Principal) -> EnterpriseRecord:
    """The enterprise's record (latest attributes, township, district, number of reports).
    ``EnterpriseNotFound`` for an unknown USCC, ``PermissionDenied`` outside the scope."""
    ent, reports, tree = _load(engine, uscc, principal)
    return _record(ent, reports, tree)


def _record(ent: EnterpriseRow, reports: pd.DataFrame, tree: OrgTree) -> EnterpriseRecord:
    town = tree.get(ent.township_code)
    district = tree.parent(town.code)
    return EnterpriseRecord(
        uscc=ent.uscc,
        synthetic=ent.synthetic,
        as_of=ent.as_of.isoformat(),
        **{a: getattr(ent, a) for a in ATTRIBUTES},
        township=town.name,
        district=district.name if district else None,
        reports=len(reports),
    )


def peers_frame(engine: Engine, year: int) -> pd.DataFrame:
    """Every enterprise's full-year figures of ``year`` with its R&D intensity: the peers
    a diagnosis places an enterprise among (the same frame for every enterprise)."""
    with transaction(engine) as session:
        frame = annual_figures(session, year)
    frame["intensity"] = frame["rd_expense"] / frame["operating_revenue"].where(
        frame["operating_revenue"] > 0
    )
    return frame


def diagnose(
    engine: Engine,
    uscc: str,
    *,
    principal: Principal,
    rules: RuleSet | None = None,
    peers: Callable[[int], pd.DataFrame] | None = None,
) -> Diagnosis:
    """The enterprise's R&D diagnosis: intensity series, peers, gaps, warnings, policies.
    ``NotFound`` when it has no R&D reports (or no full-year report for the policies).
    ``peers`` gives :func:`peers_frame` of a year when the caller keeps it."""
    ent, reports, tree = _load(engine, uscc, principal)
    s = dx.series(reports)
    if not s["annual"] and not s["ytd"]:
        raise NotFound(f"{uscc} has no R&D reports", "该企业没有研发报表")
    last = s["annual"][-1] if s["annual"] else s["ytd"][-1]
    year = parse_period(last["period"]).year
    value = last["intensity"] or 0.0
    previous = _previous_ytd(reports, s["ytd"])
    return Diagnosis(
        enterprise=_record(ent, reports, tree),
        year=year,
        basis=last["period"],
        intensity=IntensitySeries(
            annual=[IntensityPoint(**r) for r in s["annual"]],
            ytd=[IntensityPoint(**r) for r in s["ytd"]],
        ),
        latest=IntensityPoint(**last),
        peers=_standing((peers or (lambda y: peers_frame(engine, y)))(year), ent, tree, value),
        gaps={
            k: Gap(**g) for k, g in dx.gaps(last["rd_expense"], last["operating_revenue"]).items()
        },
        warnings=[
            DiagnosisWarning(**asdict(w))
            for w in dx.warnings(s["annual"], s["ytd"], previous, _has_institution(reports))
        ],
        policies=policy_calc(
            engine, uscc, year=year, principal=principal, rules=rules, _loaded=(ent, reports)
        ),
    )


def _standing(peers: pd.DataFrame, ent: EnterpriseRow, tree: OrgTree, value: float) -> PeerStanding:
    """Where ``value`` stands among the enterprise's peers (same industry division and
    size; ``peers``: :func:`peers_frame` of the year), city-wide and within its district."""
    district = tree.parent(ent.township_code)
    same = peers[
        (peers["industry_code"].str[:2] == ent.industry_code[:2])
        & (peers["size_class"] == ent.size_class)
    ]
    in_district = same[
        same["township_code"].map(lambda t: tree.is_within(t, district.code) if district else False)
    ]
    return PeerStanding(
        group=f"industry {ent.industry_code[:2]} × size {ent.size_class}",
        city_percentile=dx.percentile(value, same["intensity"]),
        city_peers=int(same["intensity"].notna().sum()),
        district_percentile=dx.percentile(value, in_district["intensity"]),
        district_peers=int(in_district["intensity"].notna().sum()),
        group_zh=peer_group_zh(ent.industry_code, ent.size_class),
    )


def peer_group_zh(industry_code: str, size_class: str | None) -> str:
    """The peer group in Chinese, e.g. 电气机械和器材制造业(行业大类38)小型企业."""
    division = industry_code[:2]
    name = division_names().get(division, "")
    size = SIZE_LABELS.get(size_class or "", "")
    return f"{name}(行业大类{division}){size}企业" if name else f"行业大类{division}{size}企业"


def _previous_ytd(reports: pd.DataFrame, ytd: list[dict[str, Any]]) -> float | None:
    if not ytd:
        return None
    prev = str(parse_period(ytd[-1]["period"]).same_period_last_year())
    row = reports[reports["period"] == prev]
    return float(row["rd_expense"].iloc[0]) if len(row) else None


def _has_institution(reports: pd.DataFrame) -> bool | None:
    if reports.empty:
        return None
    latest = reports.sort_values(["year", "month"]).iloc[-1]["has_rd_institution"]
    return None if pd.isna(latest) else bool(latest)


def policy_calc(
    engine: Engine,
    uscc: str,
    *,
    year: int,
    principal: Principal,
    rules: RuleSet | None = None,
    rules_file: Path | None = None,
    flags: frozenset[str] = frozenset(),
    taxable_income: float | None = None,
    small_low_profit: bool = False,
    employees: float | None = None,
    total_assets: float | None = None,
    _loaded: tuple[EnterpriseRow, pd.DataFrame] | None = None,
) -> PolicyResult:
    """What each policy is worth to the enterprise in ``year`` (from its December report;
    for a year without one, from its latest 1–N月累计 report, said in the result). The
    enterprise's attributes are those in force on 31 December of ``year`` (高企 only while
    its certificate is valid), not today's."""
    ent, reports = _loaded or _load(engine, uscc, principal)[:2]
    rules = rules or read_rules(rules_file)
    with transaction(engine) as session:
        versions = enterprise_versions(session, ent.id)
    e = tax_year(
        ent,
        reports,
        versions,
        year,
        rules=rules,
        flags=flags,
        taxable_income=taxable_income,
        small_low_profit=small_low_profit,
        employees=employees,
        total_assets=total_assets,
    )
    benefits = [asdict(b) for b in all_benefits(rules, e)]
    return PolicyResult(
        uscc=ent.uscc,
        year=year,
        rules_version=rules.version,
        inputs=asdict(e) | {"flags": sorted(e.flags)},
        benefits=benefits,
        total_worth=round(sum(b["amount"] for b in benefits if b["eligible"]), 4),
        synthetic=bool(ent.synthetic),
    )


def claims(rules: RuleSet | None = None) -> dict[str, Claim]:
    """How to claim each rule's benefit, by rule code: the rule's own ``claim``, else that
    of the latest rule of its kind which has one (the 2019 rules share the current text)."""
    rules = rules or read_rules()
    latest: dict[str, Mapping[str, str]] = {}
    for r in sorted(rules.rules, key=lambda r: r.effective_from):
        if r.claim:
            latest[r.kind] = r.claim
    out = {}
    for r in rules.rules:
        claim = r.claim or latest.get(r.kind)
        if claim:
            out[r.code] = Claim(**claim, assumed="本平台假设" in claim["basis"])
    return out


def rules_summary(rules_file: Path | None = None) -> RulesSummary:
    """The policy rule file: version, issuer and each rule with its dates."""
    rules = read_rules(rules_file)
    return RulesSummary(
        version=rules.version,
        issuer=rules.issuer,
        rules=[
            {
                **asdict(r),
                "effective_from": r.effective_from.isoformat(),
                "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            }
            for r in rules.rules
        ],
    )
