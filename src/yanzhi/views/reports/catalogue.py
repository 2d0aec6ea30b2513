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

:func:`resolve` checks a request and returns the arguments that fully determine the file
(so a file can be cached by them); :func:`yanzhi.reports.files.build` writes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from yanzhi.core.orgtree import Level, OrgTree
from yanzhi.services.access.principal import PermissionDenied, Principal
from yanzhi.services.access.scope import CITY_WIDE, can, can_see_unit, org_scope, require
from yanzhi.services.database import require_schema
from yanzhi.storage.datamodels import IndicatorValueRow
from yanzhi.storage.db import transaction
from yanzhi.views import enterprises as enterprise_views
from yanzhi.views import evaluation as evaluation_views
from yanzhi.views.reports import bulletin

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
YTD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(\.\.(0[1-9]|1[0-2]))?$")
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
Args = dict[str, Any]
Resolved = tuple[str, str, tuple[tuple[str, Any], ...]]


@dataclass(frozen=True)
class Kind:
    kind: str
    zh: str
    en: str
    formats: tuple[str, ...]
    params: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "monthly": Kind(
        "monthly",
        "月度监测报告",
        "Monthly monitoring bulletin",
        ("docx", "pdf", "xlsx"),
        ("period",),
    ),
    "evaluation": Kind(
        "evaluation",
        "年度综合评价报告",
        "Annual evaluation report",
        ("docx", "pdf", "xlsx"),
        ("year", "level"),
    ),
    "district": Kind(
        "district", "区县市述职材料", "District annual report", ("docx", "pdf"), ("code", "year")
    ),
    "supervision": Kind(
        "supervision", "督办清单", "Supervision report", ("docx", "pdf", "xlsx"), ("unit", "period")
    ),
    "diagnosis": Kind(
        "diagnosis", "企业研发诊断", "Enterprise R&D diagnosis", ("docx", "pdf"), ("uscc",)
    ),
}


def city_reader(principal: Principal, tree: OrgTree) -> bool:
    """City-wide roles, and leaders without a narrower scope."""
    if principal.role in CITY_WIDE:
        return True
    return principal.role == "leader" and org_scope(principal, tree) is None


def allowed(principal: Principal, tree: OrgTree) -> list[str]:
    """The kinds of report the principal may download at all."""
    if principal.role == "enterprise":
        return ["diagnosis"]
    if not can(principal, "reports"):
        return []
    out = ["monthly", "evaluation"] if city_reader(principal, tree) else []
    if districts(principal, tree):
        out.append("district")
    out.append("supervision")
    if can(principal, "read_enterprises"):
        out.append("diagnosis")
    return out


def districts(principal: Principal, tree: OrgTree) -> list[dict[str, str]]:
    """The districts whose report the principal may download."""
    if principal.role in ("enterprise", "task_owner") or not can(principal, "reports"):
        return []
    return [
        {"code": d.code, "name": d.name}
        for d in tree.by_level(Level.DISTRICT)
        if can_see_unit(principal, d.code, tree)
    ]


def bulletin_periods(engine: Engine) -> list[str]:
    """Year-to-date periods with approved enterprise R&D data, newest first."""
    require_schema(engine)
    v = IndicatorValueRow
    with transaction(engine) as session:
        found = session.scalars(
            select(v.period)
            .where(v.indicator == "IND_RD_EXPENSE", v.period_kind == "ytd")
            .distinct()
        ).all()
    return sorted(found, reverse=True)


def _deny(principal: Principal, zh: str, en: str) -> PermissionDenied:
    return PermissionDenied(
        f"{principal.name} ({principal.role}) may not download {en} / 无权下载{zh}"
    )


def _get(args: dict[str, Any], key: str) -> Any:
    v = args.get(key)
    return v.strip() if isinstance(v, str) else v


def resolve(
    engine: Engine,
    principal: Principal,
    tree: OrgTree,
    kind: str,
    fmt: str,
    args: Args,
) -> Resolved:
    """Check the request; return (kind, format, the arguments that determine the file)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise LookupError(f"no report {kind!r}; one of {', '.join(KINDS)} / 没有该报告")
    if fmt not in spec.formats:
        raise ValueError(
            f"{kind}: format must be one of {', '.join(spec.formats)} / 格式应为 "
            f"{'、'.join(spec.formats)}"
        )
    if kind not in allowed(principal, tree):
        raise _deny(principal, spec.zh, spec.en)
    out = _RESOLVERS[kind](engine, principal, tree, args)
    return kind, fmt, tuple(sorted(out.items()))


def _monthly(engine: Engine, p: Principal, tree: OrgTree, args: Args) -> Args:
    period = _get(args, "period")
    if not period:
        found = bulletin_periods(engine)
        if not found:
            raise bulletin.NoData(
                "no approved enterprise R&D data: no bulletin to write / "
                "没有已审核的企业研发数据, 无法生成月报"
            )
        period = found[0]
    if not YTD.match(period):
        raise ValueError(
            f"{period}: give a month (2024-11) or a YTD period (2024-01..11) / "
            "期别应为月份或年初至今累计"
        )
    return {"period": str(bulletin.resolve_period(engine, period))}  # NoData when empty


def _evaluation(engine: Engine, p: Principal, tree: OrgTree, args: Args) -> Args:
    level = _get(args, "level") or "township"
    evaluation_views.check_level(level)
    year = _get(args, "year") or evaluation_views.default_year(engine, level)
    return {"level": level, "year": int(year), "draws": evaluation_views.draws()}


def _district(engine: Engine, p: Principal, tree: OrgTree, args: Args) -> Args:
    code = _get(args, "code")
    if not code:
        mine = districts(p, tree)
        if len(mine) != 1:
            raise ValueError("give the district code / 请指定区县市代码")
        code = mine[0]["code"]
    if code not in tree or tree.get(code).level is not Level.DISTRICT:
        raise LookupError(f"{code} is not a district / {code} 不是区县市")
    if not any(d["code"] == code for d in districts(p, tree)):
        raise _deny(p, f"{code} 的述职材料", f"the report of district {code}")
    year = _get(args, "year") or evaluation_views.default_year(engine, "district")
    return {"code": code, "year": int(year), "draws": evaluation_views.draws()}


def _supervision(engine: Engine, p: Principal, tree: OrgTree, args: Args) -> Args:
    period = _get(args, "period") or None
    if period and not QUARTER.match(period):
        raise ValueError(f"{period}: give a quarter, e.g. 2026Q4 / 期别应为季度, 如 2026Q4")
    unit = _get(args, "unit") or None
    everyone = city_reader(p, tree)
    # the file depends on who asks when a scoped user sees only some tasks
    return {"period": period, "unit": unit, "as": None if everyone else (p.role, p.unit)}


def _diagnosis(engine: Engine, p: Principal, tree: OrgTree, args: Args) -> Args:
    uscc = str(_get(args, "uscc") or (p.enterprise if p.role == "enterprise" else "")).upper()
    if not uscc:
        raise ValueError("give the enterprise's USCC / 请指定统一社会信用代码")
    rec = enterprise_views.record(engine, p, uscc)  # 404 / 403
    return {"uscc": rec["uscc"]}


_RESOLVERS: dict[str, Callable[[Engine, Principal, OrgTree, Args], Args]] = {
    "monthly": _monthly,
    "evaluation": _evaluation,
    "district": _district,
    "supervision": _supervision,
    "diagnosis": _diagnosis,
}


def supervision_data(
    engine: Engine, principal: Principal, tree: OrgTree, *, unit: str | None, period: str | None
) -> dict[str, Any]:
    """The supervision list the principal may see, optionally of one responsible unit."""
    from yanzhi.services.access.scope import resolve as resolve_scope
    from yanzhi.views.supervision import supervision

    require(principal, "reports")
    found = supervision(engine, resolve_scope(principal, tree), period=period)
    data = found.model_dump(exclude_unset=True)
    if unit:
        units = [u for u in data["units"] if u["unit"] == unit]
        if not units:
            raise LookupError(
                f"nothing to supervise for {unit} (or not in your scope) / "
                f"{unit} 无待督办事项或不在权限范围内"
            )
        data = {**data, "units": units}
    return data


def catalogue(engine: Engine, principal: Principal, tree: OrgTree) -> list[dict[str, Any]]:
    """What the principal may download, with the choices of each parameter."""
    kinds = allowed(principal, tree)
    if not kinds:
        require(principal, "reports")  # says why
    years = {lv: evaluation_views.years(engine, lv) for lv in ("township", "district")}
    out = []
    for k in kinds:
        spec = KINDS[k]
        choices: dict[str, Any] = {}
        if k == "monthly":
            choices["period"] = bulletin_periods(engine)
        elif k == "evaluation":
            choices["level"] = ["township", "district"]
            choices["year"] = years["township"]
        elif k == "district":
            choices["code"] = districts(principal, tree)
            choices["year"] = years["district"]
        elif k == "supervision":
            data = supervision_data(engine, principal, tree, unit=None, period=None)
            choices["unit"] = [
                {"code": u["unit"], "name": u["unit_name"], "tasks": len(u["tasks"])}
                for u in data["units"]
            ]
            choices["period"] = [data["period"]]
        elif k == "diagnosis" and principal.role == "enterprise":
            choices["uscc"] = [principal.enterprise]
        out.append(
            {
                "kind": k,
                "name": spec.zh,
                "name_en": spec.en,
                "formats": list(spec.formats),
                "params": list(spec.params),
                "choices": choices,
            }
        )
    return out
