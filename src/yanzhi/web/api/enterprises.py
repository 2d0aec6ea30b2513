"""API: enterprises — search within the caller's scope, one enterprise's record and R&D
diagnosis (with its peers and the policies it qualifies for), and the bureau's lists
(:mod:`yanzhi.views.enterprises`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from yanzhi.services.access.scope import Scope
from yanzhi.services.enterprises.results import Diagnosis, EnterpriseRecord, PolicyResult
from yanzhi.views import enterprises as views
from yanzhi.views import own
from yanzhi.web.api.common import ERRORS, cut_models, synthetic_data, table_params
from yanzhi.web.deps import cache, engine
from yanzhi.web.deps import scope as scope_of

router = APIRouter(tags=["enterprises"], responses=ERRORS)

UsccPath = Annotated[
    str, Path(min_length=1, max_length=32, description="统一社会信用代码 (18 characters)")
]
ListName = Literal["priority", "visit", "points", "budget", "applications", "doubling"]
ListYear = Annotated[
    str | None,
    Query(
        max_length=20,
        description="the full year, one with 1–12 reports (default: the newest); another is"
        " 400 period_not_available",
    ),
]


@router.get("/enterprises", response_model=views.EnterprisePage)
def search(
    request: Request,
    q: Annotated[str, Query(max_length=100, description="part of the name or USCC")] = "",
    _table: None = Depends(table_params),
    scope: Scope = Depends(scope_of),
) -> views.EnterprisePage:
    """Enterprises located in the caller's scope whose name or USCC contains ``q``, by name
    (uscc, name, industry, size, township, district, flags, synthetic); sorted, filtered
    and paged as the page /enterprises by ``sort``, ``order``, ``page``, ``size`` or the
    page's ``enterprises.…`` parameters (``enterprises.q``, ``enterprises.district`` …).
    Enterprise users and task owners: 403."""
    found = views.search(engine(request), scope, q=q, size=None)
    bare = ("sort", "order", "page", "size")  # q: the name / USCC search above
    items, cut = cut_models(request, "enterprises", found.items, bare=bare)
    return views.EnterprisePage(
        items=items,
        total=cut.total,
        page=cut.page,
        size=cut.size,
        synthetic=synthetic_data(request),
    )


@router.get("/my", response_model=own.OwnPage)
def my(request: Request, scope: Scope = Depends(scope_of)) -> own.OwnPage:
    """The signed-in enterprise's own page (enterprise accounts only; 403 for anyone else):
    its record, its filing status for the months of this year (approved / submitted /
    missing / not_due / not_required, late, due date from the reporting calendar), its R&D
    diagnosis against its peers, the policies of this year and last — the figures of
    ``yanzhi policy calc`` — with how to claim each (``claims``, by rule code; ``assumed``
    when 本平台假设), and its innovation points of the latest full year."""
    eng, me = engine(request), scope.principal
    found: own.OwnPage = cache(request).get(
        ("own-page", me.enterprise, dt.date.today().isoformat()),
        lambda: own.own_page(eng, scope, memo=cache(request).get),
    )
    return found


@router.get("/enterprises/{uscc}", response_model=EnterpriseRecord)
def show(request: Request, uscc: UsccPath, scope: Scope = Depends(scope_of)) -> EnterpriseRecord:
    """An enterprise's record. An enterprise user sees only its own; an officer only the
    enterprises in its scope (403 otherwise); 404 for an unknown USCC."""
    return views.record(engine(request), scope, uscc)


@router.get("/enterprises/{uscc}/diagnosis", response_model=Diagnosis)
def diagnosis(request: Request, uscc: UsccPath, scope: Scope = Depends(scope_of)) -> Diagnosis:
    """R&D diagnosis: annual and year-to-date R&D intensity, the latest full year, the
    percentile among peers (same industry division and size, city and district), the gap to
    3.4 % and 5 %, warnings and the policies it qualifies for in that year with what each is
    worth (万元). 404 when the enterprise has no R&D reports."""
    eng, me = engine(request), scope.principal
    key = ("diagnosis", uscc.strip().upper(), me.role, me.unit, me.enterprise)
    found: Diagnosis = cache(request).get(key, lambda: views.diagnosis(eng, scope, uscc))
    return found


@router.get("/enterprises/{uscc}/policies", response_model=PolicyResult)
def policies(
    request: Request,
    uscc: UsccPath,
    year: Annotated[int, Query(ge=2000, le=2100, description="the tax year")],
    scope: Scope = Depends(scope_of),
) -> PolicyResult:
    """What each policy is worth to the enterprise in ``year`` (万元) — the figures of
    ``yanzhi policy calc`` and of the enterprise page (``?policy_year=``): for the R&D
    super-deduction the rules applied month by month with their documents (``applied``),
    the Chinese explanation, ``status`` (complete / partial / not_eligible / unknown) and
    what the data lack (``missing``, Chinese). 404 for a year without reports."""
    eng, me = engine(request), scope.principal
    key = ("policies", uscc.strip().upper(), year, me.role, me.unit, me.enterprise)
    found: PolicyResult = cache(request).get(key, lambda: views.policies(eng, scope, uscc, year))
    return found


@router.get("/lists/{name}", response_model=views.WorkListPage)
def work_list(
    request: Request,
    name: Annotated[
        ListName, Path(description="priority | visit | points | budget | applications | doubling")
    ],
    year: ListYear = None,
    q: Annotated[str | None, Query(max_length=100, description="text a row contains")] = None,
    _table: None = Depends(table_params),
    scope: Scope = Depends(scope_of),
) -> views.WorkListPage:
    """The bureau's lists within the caller's scope: ``priority`` (R&D above 5 % of revenue),
    ``visit`` (zero or falling R&D), ``points`` (innovation points of 高企 and 科技型中小企业,
    the local default scheme), ``budget`` (研发后补助 and 研发准备金 by district: the sum of
    each enterprise's amount of ``/enterprises/{uscc}/policies``, with how many qualify and
    how many cannot be computed), ``applications`` (the key R&D project register's applications
    of the year by funding line and district: priority enterprises — on the 5 % list of the
    year before — applied, won and success rate, against the others; ``year`` is the
    application year), ``doubling`` (city counts of 高企 and 科技型中小企业 against the
    path that doubles them). As Excel: the page /enterprises/lists/NAME?export=list.
    Sorted, filtered and paged as that page by ``sort``, ``order``, ``q``, ``page``,
    ``size`` or its ``list.…`` parameters (the page shows ``intensity`` in per cent)."""
    data = views.list_page(engine(request), cache(request).get, scope, name, year)
    items, cut = cut_models(request, "list", data.rows)
    return views.WorkListPage(
        name=data.name,
        title=data.title,
        title_en=data.title_en,
        year=data.year,
        synthetic=data.synthetic,
        items=items,
        total=cut.total,
        page=cut.page,
        size=cut.size,
        counts=data.counts,
        cohort=data.cohort,
    )
