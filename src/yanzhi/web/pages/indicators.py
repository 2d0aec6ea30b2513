"""Pages: the plan's indicators (指标) and one indicator in one unit — its series, target
path, the numbers behind its status, the forecast band, the drill-down into the unit's
children (and a township's top enterprises) and the gap attribution. The numbers come
from the same cached views as /api/v1/indicators."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from yanzhi.core.periods import label_zh
from yanzhi.services.access.scope import Scope
from yanzhi.views import indicators as views
from yanzhi.views import units as unit_views
from yanzhi.views.common import scope_key
from yanzhi.web import i18n
from yanzhi.web.api.common import IndicatorPeriodQuery
from yanzhi.web.api.indicators import indicator_view_data
from yanzhi.web.deps import ScopeDep, cache, engine, lang
from yanzhi.web.render import Table, page, shared_page

router = APIRouter()

CodePath = Path(max_length=64)
UnitQuery = Query(None, max_length=32)

STATUS_COLUMNS = [
    ("value", "当前值", "Value"),
    ("year", "年份", "Year"),
    ("target", "目标", "Target"),
    ("target_year", "目标年", "Target year"),
    ("verdict_label", "结论", "Verdict"),
    ("p_meet", "实现目标概率(%)", "P(meet) (%)"),
    ("status_label", "进展评估(基期以来)", "Progress since the base year"),
    ("coverage_label", "数据覆盖", "Coverage"),
]

ENTERPRISE_COLUMNS = [
    ("name", "企业", "Enterprise"),
    ("uscc", "统一社会信用代码", "USCC"),
    ("township", "乡镇", "Township"),
    ("side", "方向", "Direction"),
    ("i0", "起期强度", "Start"),
    ("i1", "末期强度", "End"),
    ("contribution", "对变化的贡献", "Contribution"),
]
GROUP_COLUMNS = [
    ("name", "名称", "Name"),
    ("i0", "起期", "Start"),
    ("i1", "末期", "End"),
    ("within", "强度效应", "Within"),
    ("structure", "结构效应", "Structure"),
    ("total", "合计贡献", "Total"),
    ("share_of_change", "占变化比重(%)", "Share (%)"),
]


YEARS = ("year", "target_year", "base_year", "current_year")
SHARES = ("p_meet", "ytd_growth", "rate", "on_time_rate", "growth", "share_of_change")


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a table: years as text (no thousands separator), shares as percentages."""
    out = dict(row)
    for k in YEARS:
        if isinstance(out.get(k), int):
            out[k] = str(out[k])
    for k in SHARES:
        if isinstance(out.get(k), int | float) and not isinstance(out.get(k), bool):
            out[k] = round(out[k] * 100, 1)
    return out


def _labelled(rows: list[dict[str, Any]], lg: str) -> list[dict[str, Any]]:
    """Rows with the indicator name and status label in the page's language."""
    return [
        shown(
            {
                **r,
                "label": i18n.both(r["name"], r.get("name_en"), lg),
                "verdict_label": i18n.both(r["verdict_zh"], r["verdict_en"], lg),
                "status_label": i18n.both(r["status_zh"], r["status_en"], lg),
                "coverage_label": coverage_label(r.get("coverage"), lg),
            }
        )
        for r in rows
    ]


def coverage_label(cov: dict[str, Any] | None, lg: str) -> str:
    """A figure's coverage for a table cell: the flag (⚠ …) when incomplete or unlocked,
    else the coverage line (services/monitoring/coverage.py)."""
    if not cov:
        return "—"
    if cov["flagged"]:
        return "⚠ " + i18n.both(cov["note_zh"], cov["note_en"], lg)
    return i18n.both(cov["text_zh"], cov["text_en"], lg)


def unit_choices(request: Request, scope: Scope) -> list[dict[str, Any]]:
    """The units the scope may pick (city, districts, townships), for a selector."""
    rows = cache(request).get(
        ("units.list", *scope_key(scope)), lambda: unit_views.unit_list(scope)
    )
    return [r.model_dump() for r in rows]


@router.get("/indicators")
@shared_page("indicators")
def indicators(request: Request, scope: ScopeDep, unit: str | None = UnitQuery) -> Response:
    """Every plan indicator in a unit."""
    lg = lang(request)
    data = (
        cache(request)
        .get(
            ("indicators.list", *scope_key(scope), unit),
            lambda: views.indicator_list(engine(request), scope, unit=unit),
        )
        .model_dump()
    )
    rows = _labelled(data["indicators"], lg)
    for r in rows:
        r["headline_mark"] = "★" if r["headline"] else ""
    q = f"?unit={data['unit']['code']}"
    table = Table(
        "indicators",
        [
            ("headline_mark", "核心", "Headline"),
            ("label", "指标", "Indicator"),
            ("unit", "计量单位", "Measure"),
            *STATUS_COLUMNS,
            ("ytd_period", "最新累计期", "Latest YTD"),
            ("ytd_value", "累计值", "YTD value"),
        ],
        rows,
        title="indicators",
        links={"label": "/indicators/{indicator}" + q},
    )
    return page(
        request,
        "indicators.html",
        tables=[table],
        data=data,
        rows=rows,
        units=unit_choices(request, scope),
    )


def _series_table(status: dict[str, Any]) -> Table:
    path = status.get("target_path") or {}
    years = sorted(set(status["series"]) | set(path))
    rows = [{"year": y, "value": status["series"].get(y), "path": path.get(y)} for y in years]

    return Table(
        "series",
        [("year", "年份", "Year"), ("value", "实际值", "Actual"), ("path", "目标路径", "Path")],
        rows,
        title="series",
    )


FREQUENCIES = {
    "annual": ("年度", "annual"),
    "ytd": ("月度累计(1–N月)", "year to date"),
    "monthly": ("月度", "monthly"),
    "month": ("月度", "monthly"),
    "quarterly": ("季度", "quarterly"),
    "quarter": ("季度", "quarterly"),
}
"""How often an indicator is reported, and the kinds of sub-annual period, in words."""

NOTES_ZH = (  # the progress method's notes (core/progress.py), in Chinese
    ("base value 0 replaced by", "基期值为 0, 按方法以一个很小的正数代替"),
    ("target 0 replaced by", "目标值为 0, 按方法以一个很小的正数代替"),
    ("limit ignored because a target is given", "已设目标值, 不使用上限系数"),
    ("base and current values have opposite signs", "基期值与当前值符号相反"),
    ("fewer than two years of data", "基期以来不足两年数据"),
)


def note_zh(note: str) -> str:
    """A note of the progress method in Chinese (the note itself when it is not known)."""
    return next((zh for en, zh in NOTES_ZH if note.startswith(en)), note)


def period_label(period: str, lg: str) -> str:
    """``2026-01..10`` → 2026年1-10月 on a Chinese page; the code on an English one."""
    return period if lg == "en" else label_zh(period)


def _periods_table(periods: dict[str, dict[str, Any]], lg: str = "zh") -> Table:
    rows = [
        {"kind": i18n.both(*FREQUENCIES[kind], lg), "period": period_label(p, lg), "value": v}
        for kind in ("ytd", "quarter", "month")
        for p, v in reversed(list((periods.get(kind) or {}).items()))
    ]
    return Table(
        "periods",
        [("kind", "类型", "Kind"), ("period", "期别", "Period"), ("value", "值", "Value")],
        rows,
        title="periods",
    )


def _children_table(data: dict[str, Any], code: str, lg: str, sel: dict[str, Any] | None) -> Table:
    """The children's statuses and their values of the chosen period (``sel``)."""
    rows = _labelled(data["children"], lg)
    at = {c["code"]: c for c in (sel or {}).get("children") or []}
    for r in rows:
        c = at.get(r["code"]) or {}
        r["period_value"] = c.get("value")
        r["period_previous"] = c.get("previous")
        growth = c.get("yoy_level") if sel and sel["is_sum"] else c.get("change_points")
        r["period_growth"] = (
            None if growth is None else round(growth * (100 if sel and sel["is_sum"] else 1), 2)
        )
    label = "" if not sel else period_label(sel["period"], lg)
    growth_zh, growth_en = (
        ("同比(%)", "YoY (%)") if not sel or sel["is_sum"] else ("同比(百分点)", "YoY (pp)")
    )
    period_columns = (
        [
            ("period_value", f"{label}值", f"{label}"),
            ("period_previous", "上年同期", "Last year"),
            ("period_growth", growth_zh, growth_en),
        ]
        if sel
        else []
    )
    return Table(
        "children",
        [
            ("unit_name", "单位", "Unit"),
            *period_columns,
            *(
                ("value", "最新年度值", "Latest annual value") if c[0] == "value" else c
                for c in STATUS_COLUMNS
                if c[0] not in ("target_year", "status_label")
            ),
        ],
        rows,
        title="children",
        links={
            "unit_name": f"/indicators/{code}?unit={{code}}"
            + (f"&period={sel['period']}" if sel else "")
        },
    )


def _enterprise_rows(ents: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not ents:
        return []
    return [
        shown({**e, "side": "+" if side == "positive" else "−"})
        for side in ("positive", "negative")
        for e in ents.get(side) or []
    ]


def _attribution(
    request: Request, scope: Scope, code: str, unit: str | None, by: str | None,
    start: str | None, end: str | None, period: str | None,
) -> tuple[dict[str, Any] | None, str | None]:  # fmt: skip
    """The attribution, or why there is none (a non-ratio indicator, missing data)."""
    m = cache(request).get
    try:
        found = views.indicator_attribution(
            engine(request), scope, code, unit=unit, by=by, start=start, end=end,
            period=period, memo=m,
        )  # fmt: skip
        return found.model_dump(), None
    except (LookupError, ValueError) as exc:
        zh, en = getattr(exc, "zh", None), getattr(exc, "en", None)
        if zh or en:  # a named error: its message in the page's language only
            return None, i18n.both(zh, en, lang(request))
        return None, str(exc).strip("'\"")


def _group_key(att: dict[str, Any]) -> str:
    """The column that names an attribution group."""
    return {"district": "district_code", "township": "township_code"}.get(
        att["by"], "industry_division"
    )


def _by_size(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(groups, key=lambda g: -abs(g.get("total") or 0))


def _attribution_table(att: dict[str, Any]) -> Table:
    """The attribution's groups, largest contribution first."""
    return Table(
        "attribution",
        [("name", "分组", "Group"), *GROUP_COLUMNS[1:]],
        [
            shown(g) | {"name": g.get("name") or str(g.get(_group_key(att)))}
            for g in _by_size(att["groups"])
        ],
        title="attribution",
    )


def _chart(
    view: dict[str, Any], kids: dict[str, Any], att: dict[str, Any] | None, lang: str = "zh"
) -> dict[str, Any]:
    """The page's chart data: trend, periods, children (their values of the chosen
    period) and the 15 largest groups."""
    sel = view.get("selected")
    at = {c["code"]: c["value"] for c in sel["children"]} if sel else {}
    return {
        "status": view["status"],
        "periods": view["periods"],
        "period_labels": {
            p: period_label(p, lang) for kind in view["periods"].values() for p in (kind or {})
        },
        "children": [  # the chosen period's values, coloured by the status
            {"name": c["unit_name"], "value": at.get(c["code"], c["value"]), "status": c["status"]}
            for c in kids["children"]
        ],
        "attribution": None
        if att is None
        else [
            {"name": g.get("name") or str(g.get(_group_key(att))), "total": g.get("total")}
            for g in _by_size(att["groups"])[:15]
        ],
    }


@router.get("/indicators/{code}")
@shared_page("indicator")
def indicator(
    request: Request,
    scope: ScopeDep,
    code: str = CodePath,
    unit: str | None = UnitQuery,
    by: Literal["district", "township", "industry"] | None = Query(None),
    start: str | None = Query(None, alias="from", max_length=20),
    end: str | None = Query(None, alias="to", max_length=20),
    period: str | None = IndicatorPeriodQuery,
) -> Response:
    """One indicator in one unit: series, status, the values of ``?period=`` in the unit
    and its children, attribution."""
    lg = lang(request)
    m = cache(request).get
    view = indicator_view_data(request, scope, code, unit, period).model_dump()
    unit_code = view["unit"]["code"]
    kids = m(
        ("indicators.children", *scope_key(scope), code, unit_code),
        lambda: views.indicator_children(engine(request), scope, code, unit=unit_code, memo=m),
    ).model_dump()
    chosen = view["selected"]["period"] if period and view["selected"] else None
    att, att_note = _attribution(request, scope, code, unit_code, by, start, end, chosen)
    tables = [
        _series_table(view["status"]),
        _periods_table(view["periods"], lg),
        _children_table(kids, code, lg, view["selected"]),
    ]
    ents = _enterprise_rows(kids.get("enterprises"))
    tables.append(
        Table(
            "enterprises",
            ENTERPRISE_COLUMNS,
            ents,
            title="enterprises",
            links={"name": "/enterprises/{uscc}"},
        )
    )
    if att is not None:
        tables.append(_attribution_table(att))
    chart = _chart(view, kids, att, lg)
    return page(
        request,
        "indicator.html",
        tables=tables,
        view=view,
        kids=kids,
        att=att,
        att_note=att_note,
        ents=ents,
        data=chart,
        units=unit_choices(request, scope),
        frequency=i18n.both(*FREQUENCIES.get(view["indicator"]["frequency"], ("", "")), lg)
        or view["indicator"]["frequency"],
        notes=[
            note if lg == "en" else note_zh(note)
            for note in view["status"]["assessment"].get("notes") or []
        ],
    )
