"""The report files a principal may download (issue #9), written by the same report code
the CLI uses (``yanzhi report …``, ``yanzhi enterprise diagnose --out``).

Who may download what:

- monthly bulletin (月度监测报告) and evaluation report: city documents — city-wide roles
  (admin, city analyst) and city leaders;
- district report (述职材料): city-wide roles and city leaders for any district; a district's
  own users (its district officer, its township officers, a district leader) for that
  district only;
- supervision report (督办): city-wide roles and city leaders for every unit; a task owner
  or an officer for the tasks it sees (the ones its unit, or a unit inside it, leads or
  co-leads — :func:`yanzhi.views.tasks.supervision`);
- enterprise diagnosis: the enterprise's own user, and the officers whose scope holds it.

:func:`resolve` checks a request and returns the ``ReportRequest`` that fully determines
the file (so a file can be cached by it); :func:`yanzhi.reports.files.build` writes it.

``KINDS`` is the one table of report kinds: each ``ReportKind`` declares its names, formats
and parameters, who may download it (``may``), how a request is checked (``resolve``) and
the choices the catalogue offers (``choices``); its writer is the entry of the same kind in
``yanzhi.reports.files.WRITERS`` (a test checks both name the same kinds).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine

from yanzhi.core.errors import InvalidInput, NotFound
from yanzhi.core.orgtree import Level
from yanzhi.services.access.principal import PermissionDenied, Principal
from yanzhi.services.access.scope import CITY_WIDE, Scope
from yanzhi.services.database import require_schema
from yanzhi.views import enterprises as enterprise_views
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import bulletin
from yanzhi.views.task_models import Supervision

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
YTD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(\.\.(0[1-9]|1[0-2]))?$")
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
Args = dict[str, Any]
Check = Callable[[Scope], bool]
Resolve = Callable[[Engine, Scope, Args], Args]
Choices = Callable[[Engine, Scope], dict[str, Any]]


@dataclass(frozen=True)
class ReportRequest:
    """A checked download: the kind, the format and the arguments that fully determine
    the file (sorted pairs, so the request is a cache key)."""

    kind: str
    fmt: str
    args: tuple[tuple[str, Any], ...]

    def arguments(self) -> Args:
        """The arguments as a dict."""
        return dict(self.args)


class ReportEntry(BaseModel):
    """One report kind the principal may download, with the choices of its parameters."""

    kind: str
    name: str
    name_en: str
    formats: list[str]
    params: list[str]
    choices: dict[str, Any]


def city_reader(scope: Scope) -> bool:
    """City-wide roles, and leaders without a narrower scope."""
    if scope.role in CITY_WIDE:
        return True
    return scope.role == "leader" and scope.root is None


def _reader(scope: Scope) -> bool:
    return scope.role != "enterprise" and scope.can("reports")


def districts(scope: Scope) -> list[dict[str, str]]:
    """The districts whose report the principal may download."""
    if scope.role in ("enterprise", "task_owner") or not scope.can("reports"):
        return []
    return [
        {"code": d.code, "name": d.name}
        for d in scope.tree.by_level(Level.DISTRICT)
        if scope.sees(d.code)
    ]


def bulletin_periods(engine: Engine) -> list[str]:
    """Year-to-date periods with approved enterprise R&D data, newest first."""
    require_schema(engine)
    return bulletin.reported_periods(engine)[::-1]


def _deny(principal: Principal, zh: str, en: str) -> PermissionDenied:
    return PermissionDenied(
        f"{principal.name} ({principal.role}) may not download {en} / 无权下载{zh}"
    )


def _get(args: Args, key: str) -> Any:
    v = args.get(key)
    return v.strip() if isinstance(v, str) else v


# -- monthly bulletin ---------------------------------------------------------------------


def _monthly(engine: Engine, scope: Scope, args: Args) -> Args:
    period = _get(args, "period")
    if not period:
        found = bulletin_periods(engine)
        if not found:
            raise bulletin.NoData(
                "no approved enterprise R&D data: no bulletin to write",
                "没有已审核的企业研发数据, 无法生成月报",
            )
        period = found[0]
    if not YTD.match(period):
        raise InvalidInput(
            f"{period}: give a month (2024-11) or a YTD period (2024-01..11)",
            "期别应为月份或年初至今累计",
        )
    return {"period": str(bulletin.resolve_period(engine, period))}  # NoData when empty


def _monthly_choices(engine: Engine, scope: Scope) -> dict[str, Any]:
    return {"period": bulletin_periods(engine)}


# -- evaluation report --------------------------------------------------------------------


def _evaluation(engine: Engine, scope: Scope, args: Args) -> Args:
    level = _get(args, "level") or "township"
    evaluation_views.check_level(level)
    year = _get(args, "year") or evaluation_views.default_year(engine, level)
    return {"level": level, "year": int(year), "draws": evaluation_views.draws()}


def _evaluation_choices(engine: Engine, scope: Scope) -> dict[str, Any]:
    return {"level": ["township", "district"], "year": evaluation_views.years(engine, "township")}


# -- district report ----------------------------------------------------------------------


def _district(engine: Engine, scope: Scope, args: Args) -> Args:
    code = _get(args, "code")
    if not code:
        mine = districts(scope)
        if len(mine) != 1:
            raise InvalidInput("give the district code", "请指定区县市代码")
        code = mine[0]["code"]
    if code not in scope.tree or scope.tree.get(code).level is not Level.DISTRICT:
        raise NotFound(f"{code} is not a district", f"{code} 不是区县市")
    if not any(d["code"] == code for d in districts(scope)):
        raise _deny(scope.principal, f"{code} 的述职材料", f"the report of district {code}")
    year = _get(args, "year") or evaluation_views.default_year(engine, "district")
    return {"code": code, "year": int(year), "draws": evaluation_views.draws()}


def _district_choices(engine: Engine, scope: Scope) -> dict[str, Any]:
    return {"code": districts(scope), "year": evaluation_views.years(engine, "district")}


# -- supervision report -------------------------------------------------------------------


def _supervision(engine: Engine, scope: Scope, args: Args) -> Args:
    period = _get(args, "period") or None
    if period and not QUARTER.match(period):
        raise InvalidInput(f"{period}: give a quarter, e.g. 2026Q4", "期别应为季度, 如 2026Q4")
    unit = _get(args, "unit") or None
    p = scope.principal
    # the file depends on who asks when a scoped user sees only some tasks
    return {"period": period, "unit": unit, "as": None if city_reader(scope) else (p.role, p.unit)}


def _supervision_choices(engine: Engine, scope: Scope) -> dict[str, Any]:
    data = supervision_data(engine, scope, unit=None, period=None)
    units = [{"code": u.unit, "name": u.unit_name, "tasks": len(u.tasks)} for u in data.units]
    return {"unit": units, "period": [data.period]}


def supervision_data(
    engine: Engine, scope: Scope, *, unit: str | None, period: str | None
) -> Supervision:
    """The supervision list the principal may see, optionally of one responsible unit
    (NotFound when that unit has nothing to supervise in the principal's scope)."""
    from yanzhi.views.supervision import supervision

    scope.require("reports")
    found = supervision(engine, scope, period=period)
    if not unit:
        return found
    units = [u for u in found.units if u.unit == unit]
    if not units:
        raise NotFound(
            f"nothing to supervise for {unit} (or not in your scope)",
            f"{unit} 无待督办事项或不在权限范围内",
        )
    return found.model_copy(update={"units": units})


# -- enterprise diagnosis -----------------------------------------------------------------


def _diagnosis(engine: Engine, scope: Scope, args: Args) -> Args:
    p = scope.principal
    uscc = str(_get(args, "uscc") or (p.enterprise if p.role == "enterprise" else "")).upper()
    if not uscc:
        raise InvalidInput("give the enterprise's USCC", "请指定统一社会信用代码")
    rec = enterprise_views.record(engine, scope, uscc)  # 404 / 403
    return {"uscc": rec.uscc}


def _diagnosis_choices(engine: Engine, scope: Scope) -> dict[str, Any]:
    p = scope.principal
    return {"uscc": [p.enterprise]} if p.role == "enterprise" else {}


# -- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportKind:
    """One kind of report file: its names, formats and parameters; ``may`` says who may
    download it at all, ``resolve`` checks a request (404 / 403 / 400) and returns the
    arguments that determine the file, ``choices`` the catalogue's choices."""

    kind: str
    zh: str
    en: str
    formats: tuple[str, ...]
    params: tuple[str, ...]
    may: Check
    resolve: Resolve
    choices: Choices


KINDS: dict[str, ReportKind] = {
    k.kind: k
    for k in (
        ReportKind(
            "monthly",
            "月度监测报告",
            "Monthly monitoring bulletin",
            ("docx", "pdf", "xlsx"),
            ("period",),
            may=lambda s: _reader(s) and city_reader(s),
            resolve=_monthly,
            choices=_monthly_choices,
        ),
        ReportKind(
            "evaluation",
            "年度综合评价报告",
            "Annual evaluation report",
            ("docx", "pdf", "xlsx"),
            ("year", "level"),
            may=lambda s: _reader(s) and city_reader(s),
            resolve=_evaluation,
            choices=_evaluation_choices,
        ),
        ReportKind(
            "district",
            "区县市述职材料",
            "District annual report",
            ("docx", "pdf"),
            ("code", "year"),
            may=lambda s: bool(districts(s)),
            resolve=_district,
            choices=_district_choices,
        ),
        ReportKind(
            "supervision",
            "督办清单",
            "Supervision report",
            ("docx", "pdf", "xlsx"),
            ("unit", "period"),
            may=_reader,
            resolve=_supervision,
            choices=_supervision_choices,
        ),
        ReportKind(
            "diagnosis",
            "企业研发诊断",
            "Enterprise R&D diagnosis",
            ("docx", "pdf"),
            ("uscc",),
            may=lambda s: s.role == "enterprise" or (_reader(s) and s.can("read_enterprises")),
            resolve=_diagnosis,
            choices=_diagnosis_choices,
        ),
    )
}
"""Every report kind, in the order the catalogue lists them."""


def report_kind(kind: str) -> ReportKind:
    """The report kind ``kind`` (``NotFound`` naming the known kinds when there is none)."""
    try:
        return KINDS[kind]
    except KeyError:
        raise NotFound(
            f"no report {kind!r}; one of {', '.join(KINDS)}", f"没有该报告 {kind!r}"
        ) from None


def allowed(scope: Scope) -> list[str]:
    """The kinds of report the principal may download at all."""
    return [k for k, spec in KINDS.items() if spec.may(scope)]


def resolve(engine: Engine, scope: Scope, kind: str, fmt: str, args: Args) -> ReportRequest:
    """Check the request (unknown kind: ``NotFound``; a format the kind has not:
    ``InvalidInput``; not the principal's: ``PermissionDenied``) and return it resolved."""
    spec = report_kind(kind)
    if fmt not in spec.formats:
        raise InvalidInput(
            f"{kind}: format must be one of {', '.join(spec.formats)}",
            f"格式应为 {'、'.join(spec.formats)}",
        )
    if not spec.may(scope):
        raise _deny(scope.principal, spec.zh, spec.en)
    out = spec.resolve(engine, scope, args)
    return ReportRequest(kind, fmt, tuple(sorted(out.items())))


def catalogue(engine: Engine, scope: Scope) -> list[ReportEntry]:
    """What the principal may download, with the choices of each parameter."""
    kinds = allowed(scope)
    if not kinds:
        scope.require("reports")  # says why
    return [
        ReportEntry(
            kind=k,
            name=KINDS[k].zh,
            name_en=KINDS[k].en,
            formats=list(KINDS[k].formats),
            params=list(KINDS[k].params),
            choices=KINDS[k].choices(engine, scope),
        )
        for k in kinds
    ]
