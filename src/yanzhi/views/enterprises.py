"""Enterprises as a principal sees them: the search within the scope, one enterprise's page
(record, R&D diagnosis, peers, policies) and the bureau's lists (priority, visit, innovation
points, 双倍增). The numbers come from :mod:`yanzhi.services.enterprises.diagnosis` and
:mod:`yanzhi.services.enterprises.lists` unchanged; this module checks and filters.

Who sees what: searching and the lists need ``read_enterprises`` (city-wide roles, leaders,
district and township officers), limited to the enterprises located in the principal's
scope; an enterprise user sees only its own enterprise; a task owner sees none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, func, or_, select

from yanzhi.core.errors import NotFound
from yanzhi.core.orgtree import OrgTree
from yanzhi.services.access.principal import Principal
from yanzhi.services.access.scope import Scope, org_scope
from yanzhi.services.database import require_schema
from yanzhi.services.enterprises import applications, budget, doubling, lists
from yanzhi.services.enterprises import diagnosis as enterprises
from yanzhi.services.enterprises.counts import CountBasis, count_bases
from yanzhi.services.enterprises.doubling import Cohort
from yanzhi.services.enterprises.results import (
    Diagnosis,
    EnterpriseRecord,
    ListRow,
    PolicyResult,
)
from yanzhi.storage.datamodels import EnterpriseRow, RdReportRow
from yanzhi.storage.db import transaction
from yanzhi.views.common import Memo, direct
from yanzhi.views.periods import chosen_year

MAX_QUERY = 100


class EnterpriseHit(BaseModel):
    """An enterprise found by :func:`search`: its flags, township and district."""

    uscc: str
    name: str
    industry_code: str
    size_class: str | None
    township_code: str
    above_size_industrial: bool
    hightech: bool
    tech_sme: bool
    specialised: bool
    champion: bool
    synthetic: bool
    township: str | None
    district: str | None
    district_code: str | None


class EnterprisePage(BaseModel):
    """``GET /enterprises``: one page of the enterprises found in the caller's scope."""

    items: list[EnterpriseHit]
    total: int
    page: int
    size: int
    synthetic: bool = False  # the database holds generated (demo) data


class EnterpriseView(BaseModel):
    """The enterprise page: the record, the diagnosis when the reports allow one, else the
    reason in ``note``."""

    enterprise: EnterpriseRecord
    diagnosis: Diagnosis | None
    note: str | None
    policy_years: list[int] = []  # years with reports, whose policies the page can show


class WorkList(BaseModel):
    """A bureau list as the pages show it: name, titles, year, whether its rows are
    generated demo data (``synthetic``) and all its rows."""

    name: str
    title: str
    title_en: str
    year: int | None
    synthetic: bool = False
    rows: list[ListRow]
    counts: list[CountBasis] = []  # 双倍增: the statistic and the register count, labelled
    cohort: Cohort | None = None  # 双倍增: the cohort by year and district (those in scope)


class WorkListPage(BaseModel):
    """``GET /lists/{name}``: one page of a bureau list within the caller's scope."""

    name: str
    title: str
    title_en: str
    year: int | None
    synthetic: bool = False
    items: list[ListRow]
    total: int
    page: int
    size: int
    counts: list[CountBasis] = []
    cohort: Cohort | None = None


def check_reader(scope: Scope) -> None:
    """Enterprise users read their own enterprise; everyone else needs read_enterprises."""
    if scope.principal.role != "enterprise":
        scope.require("read_enterprises")


def _townships(principal: Principal, tree: OrgTree) -> list[str] | None:
    """Township codes of the principal's scope (None: every township)."""
    scope = org_scope(principal, tree)
    if scope is None:
        return None
    if scope not in tree:
        return []
    return [u.code for u in tree.descendants(scope, include_self=True)]


def search(
    engine: Engine,
    scope: Scope,
    *,
    q: str = "",
    page: int = 1,
    size: int | None = 50,
) -> EnterprisePage:
    """Enterprises in the scope whose name or USCC contains ``q``, by name; one page of
    them with the total found (``size=None``: all of them, as one page)."""
    scope.require("read_enterprises")
    require_schema(engine)
    tree = scope.tree
    e = EnterpriseRow
    where: list[Any] = []
    towns = _townships(scope.principal, tree)
    if towns is not None:
        where.append(e.township_code.in_(towns or [""]))
    text = q.strip()[:MAX_QUERY]
    if text:
        where.append(
            or_(
                e.name.contains(text, autoescape=True),
                e.uscc.contains(text.upper(), autoescape=True),
            )
        )
    cols = (
        e.uscc,
        e.name,
        e.industry_code,
        e.size_class,
        e.township_code,
        e.above_size_industrial,
        e.hightech,
        e.tech_sme,
        e.specialised,
        e.champion,
        e.synthetic,
    )
    with transaction(engine) as session:
        total = session.scalar(select(func.count()).select_from(e).where(*where)) or 0
        chosen = select(*cols).where(*where).order_by(e.name, e.uscc)
        if size is not None:
            chosen = chosen.offset((page - 1) * size).limit(size)
        found = session.execute(chosen).all()
    names = {u.code: u.name for u in tree}
    items = []
    for r in found:
        row = dict(r._mapping)
        town = row["township_code"]
        parent = tree.parent(town) if town in tree else None
        row["township"] = names.get(town)
        row["district"] = parent.name if parent else None
        row["district_code"] = parent.code if parent else None
        items.append(EnterpriseHit.model_validate(row))
    return EnterprisePage(items=items, total=int(total), page=page, size=size or max(1, len(items)))


def everything(engine: Engine, scope: Scope, *, q: str = "", memo: Memo = direct) -> EnterprisePage:
    """Every enterprise of the scope whose name or USCC contains ``q`` (:func:`search`
    as one page), kept once per data change for everyone who sees the same townships
    (``memo``): the page of every enterprise in a province holds 100,000 rows."""
    scope.require("read_enterprises")
    key = ("views.enterprises.all", org_scope(scope.principal, scope.tree), q.strip()[:MAX_QUERY])
    return memo(key, lambda: search(engine, scope, q=q, size=None))


def record(engine: Engine, scope: Scope, uscc: str) -> EnterpriseRecord:
    """An enterprise's record (enterprise users: their own only)."""
    check_reader(scope)
    return enterprises.show(engine, uscc, principal=scope.principal)


def diagnosis(engine: Engine, scope: Scope, uscc: str) -> Diagnosis:
    """R&D intensity, peers, gaps, warnings and policies (404 without R&D reports)."""
    check_reader(scope)
    return enterprises.diagnose(engine, uscc, principal=scope.principal)


def policies(engine: Engine, scope: Scope, uscc: str, year: int) -> PolicyResult:
    """What each policy is worth to the enterprise in ``year``: the figures of ``yanzhi
    policy calc`` (404 for a year without reports)."""
    check_reader(scope)
    return enterprises.policy_calc(engine, uscc, year=year, principal=scope.principal)


def enterprise_page(
    engine: Engine, scope: Scope, uscc: str, policy_year: int | None = None
) -> EnterpriseView:
    """Record and diagnosis together; an enterprise without the reports a diagnosis needs
    still shows its record, with the reason in ``note``. The policies are those of the
    diagnosis's year, or of ``policy_year`` (one of ``policy_years``)."""
    rec = record(engine, scope, uscc)
    try:
        diag: Diagnosis | None = diagnosis(engine, scope, uscc)
        note = None
    except LookupError as exc:  # no reports, or no full-year report for the policies
        diag, note = None, str(exc).strip("'\"")
    if diag is None:
        return EnterpriseView(enterprise=rec, diagnosis=None, note=note)
    points = diag.intensity.annual + diag.intensity.ytd
    years = sorted({int(p.period[:4]) for p in points})
    if policy_year is not None and policy_year != diag.policies.year:
        if policy_year not in years:
            raise NotFound(f"no reports for {policy_year}", f"该企业{policy_year}年没有研发报表")
        diag = diag.model_copy(update={"policies": policies(engine, scope, uscc, policy_year)})
    return EnterpriseView(enterprise=rec, diagnosis=diag, note=note, policy_years=years)


@dataclass(frozen=True)
class ListKind:
    """A bureau list: its name, titles, whether it is per year, and the service behind it."""

    name: str
    zh: str
    en: str
    by_year: bool
    run: Callable[..., Sequence[ListRow]]
    year_shift: int = 0
    """Its years are the full years plus this (``applications``: the application year, one
    after the full year whose priority list applies)."""


LISTS: dict[str, ListKind] = {
    "priority": ListKind(
        "priority",
        "研发强度5%以上优先支持清单",
        "Priority list (R&D above 5 % of revenue)",
        True,
        lists.priority,
    ),
    "visit": ListKind(
        "visit",
        "诊断走访清单(研发为零或下降)",
        "Visit list (zero or falling R&D)",
        True,
        lists.visit,
    ),
    "points": ListKind(
        "points",
        "创新积分排名(本地默认方案)",
        "Innovation points (local default scheme)",
        True,
        lists.points,
    ),
    "budget": ListKind(
        "budget",
        "研发后补助与研发准备金预算(按区县市)",
        "Post-subsidy and reserve-fund budget by district",
        True,
        budget.budget,
    ),
    "applications": ListKind(
        "applications",
        "优先支持企业申报与立项(按计划类别)",
        "Priority enterprises: applications and approvals by funding line",
        True,
        applications.application_summary,
        year_shift=1,
    ),
    "doubling": ListKind(
        "doubling",
        "高企与科技型中小企业双倍增跟踪",
        "High-tech and tech-SME doubling",
        False,
        lists.doubling,
    ),
}


def list_years(engine: Engine) -> list[int]:
    """Years with full-year (1–12 月) enterprise reports, newest first."""
    require_schema(engine)
    with transaction(engine) as session:
        found = session.scalars(
            select(RdReportRow.year).where(RdReportRow.month == 12).distinct()
        ).all()
    return sorted({int(y) for y in found}, reverse=True)


def work_list(engine: Engine, scope: Scope, name: str, *, year: int | None = None) -> list[ListRow]:
    """One of :data:`LISTS`, limited to the scope (``doubling`` is a city count and takes
    no year). ``NotFound`` for an unknown list."""
    scope.require("read_enterprises")
    principal = scope.principal
    kind = LISTS.get(name)
    if kind is None:
        raise NotFound(f"no list {name!r}; one of {', '.join(LISTS)}", "没有该清单")
    if not kind.by_year:
        return list(kind.run(engine))
    if year is None:
        found = list_years(engine)
        if not found:
            return []
        year = found[0] + kind.year_shift
    return list(kind.run(engine, year=year, principal=principal))


def cached_list_years(engine: Engine, memo: Memo, name: str | None = None) -> list[int]:
    """:func:`list_years` through ``memo`` (the web's cache): the years of list ``name``
    (shifted by its ``year_shift``)."""
    found: list[int] = memo(("list-years",), lambda: list_years(engine))
    shift = LISTS[name].year_shift if name in LISTS else 0
    return [y + shift for y in found]


def list_page(
    engine: Engine, memo: Memo, scope: Scope, name: str, year: str | int | None
) -> WorkList:
    """A list as the pages and the API show it: name, titles, year (one with full-year
    reports, default the newest; another is refused with PeriodNotAvailable) and rows,
    computed once per scope, year and list through ``memo``."""
    kind = LISTS.get(name)
    if kind is None:
        raise NotFound(f"no list {name!r}; one of {', '.join(LISTS)}", "没有该清单")
    y = None
    if kind.by_year:
        y = chosen_year(year, cached_list_years(engine, memo, name))
    p = scope.principal
    key = ("list", name, y, p.role, p.unit, p.enterprise)
    rows: list[ListRow] = memo(key, lambda: work_list(engine, scope, name, year=y))
    synthetic = any(r.synthetic for r in rows)
    counts = count_bases(engine) if name == "doubling" else []
    cohort = memo(("doubling-cohort", p.role, p.unit), lambda: doubling_cohort(engine, scope)) if (
        name == "doubling"
    ) else None  # fmt: skip
    return WorkList(
        name=name,
        title=kind.zh,
        title_en=kind.en,
        year=y,
        synthetic=synthetic,
        rows=rows,
        counts=counts,
        cohort=cohort,
    )


def doubling_cohort(engine: Engine, scope: Scope) -> Cohort:
    """The 双倍增 cohort with the city's rows and the districts ``scope`` sees."""
    c = doubling.cohort(engine)
    return replace(
        c,
        concepts=[
            replace(k, districts=[d for d in k.districts if scope.sees(d.unit_code)])
            for k in c.concepts
        ],
    )
