"""Pages: the units a principal may see (区县与乡镇, as a tree) and one unit — its headline
indicators, its rank and scorecard in the latest evaluation, the tasks it leads, this
period's reporting completeness and its warnings. Every table exports to Excel; the
numbers are /api/v1/units/{code}'s."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from yanzhi.core.periods import parse_period
from yanzhi.core.tasks import TASK_STATUS_LABELS
from yanzhi.views import units as unit_views
from yanzhi.views.common import scope_key
from yanzhi.views.data import STATUS_NAMES
from yanzhi.views.reports.bulletin import stopped_text
from yanzhi.web import i18n
from yanzhi.web.api.common import YtdPeriodQuery
from yanzhi.web.deps import ScopeDep, cache, engine, lang
from yanzhi.web.pages.indicators import coverage_label, shown, unit_choices
from yanzhi.web.render import Table, in_unit, page, shared_page

router = APIRouter()

UNIT_COLUMNS = [
    ("indent_name", "单位", "Unit"),
    ("code", "代码", "Code"),
    ("level_label", "层级", "Level"),
    ("kind_zh", "类型", "Kind"),
]
HEADLINE_COLUMNS = [
    ("label", "指标", "Indicator"),
    ("value", "当前值", "Value"),
    ("unit", "计量单位", "Measure"),
    ("year", "年份", "Year"),
    ("target", "目标", "Target"),
    ("target_year", "目标年", "Target year"),
    ("verdict_label", "结论", "Verdict"),
    ("p_meet", "实现目标概率(%)", "P(meet) (%)"),
    ("status_label", "进展评估(基期以来)", "Progress since the base year"),
    ("coverage_label", "数据覆盖", "Coverage"),
]
TASK_COLUMNS = [
    ("code", "任务", "Task"),
    ("label", "名称", "Title"),
    ("role_label", "角色", "Role"),
    ("status_label", "最新状态", "Latest status"),
    ("progress", "进度(%)", "Progress (%)"),
    ("period", "报告期", "Period"),
    ("overdue", "逾期里程碑", "Overdue milestones"),
]
COMPLETENESS_COLUMNS = [
    ("name", "单位", "Unit"),
    ("expected", "应报", "Expected"),
    ("received", "已报", "Received"),
    ("rate", "报送率(%)", "Rate (%)"),
    ("on_time", "按时", "On time"),
    ("status_label", "状态", "Status"),
]
WARNING_COLUMNS = [
    ("name", "单位", "Unit"),
    ("indicator_label", "指标", "Indicator"),
    ("verdict_label", "结论", "Verdict"),
    ("value", "当前值", "Value"),
    ("target", "目标", "Target"),
    ("year", "年份", "Year"),
]
FALLING_COLUMNS = [
    ("name", "乡镇", "Township"),
    ("period", "期别", "Period"),
    ("value", "累计研发费用", "YTD R&D expense"),
    ("previous_year_value", "上年同期", "Same period last year"),
    ("growth", "同比(%)", "Growth (%)"),
]
STOPPED_COLUMNS = [
    ("name", "企业名称", "Enterprise"),
    ("uscc", "统一社会信用代码", "USCC"),
    ("township_name", "乡镇", "Township"),
    ("period", "期别", "Period"),
    ("previous_year_rd_expense", "上年同期研发费用(万元)", "R&D last year (10k yuan)"),
    ("reason_zh", "原因", "Reason"),
]
NONREPORTER_COLUMNS = [
    ("name", "企业名称", "Enterprise"),
    ("uscc", "统一社会信用代码", "USCC"),
    ("industry", "行业", "Industry"),
    ("last_period_zh", "最近报送", "Last reported"),
    ("contact_person", "联系人", "Contact"),
    ("contact_phone", "联系电话", "Telephone"),
    ("reminders", "已催报(次)", "Reminders"),
]
OWN_COLUMNS = [
    ("name", "企业名称", "Enterprise"),
    ("industry", "行业", "Industry"),
    ("state_zh", "本期报送", "This period"),
    ("received_zh", "报送时间", "Received"),
    ("rd_expense", "累计研发费用(万元)", "YTD R&D (10k yuan)"),
    ("rd_expense_before", "上年同期(万元)", "Last year (10k yuan)"),
    ("growth_pct", "同比(%)", "YoY (%)"),
]
PLAIN_COLUMNS = [
    ("label", "指标", "Indicator"),
    ("shown", "数值", "Value"),
    ("year", "年份", "Year"),
    ("change_text", "较上年", "On last year"),
    ("rank_parent_text", "区内排名", "Rank in district"),
    ("rank_city_text", "全市乡镇排名", "Rank among townships"),
]
SCORE_COLUMNS = [
    ("code", "代码", "Code"),
    ("label", "评价指标", "Indicator"),
    ("score", "得分(0-100)", "Score (0-100)"),
    ("contribution", "对总分的拉动", "Contribution"),
]
LEVELS = {
    "city": ("市", "City"),
    "district": ("区县", "District"),
    "township": ("乡镇", "Township"),
}
ROLES = {"lead": ("牵头", "lead"), "co": ("配合", "co-lead")}
TASK_STATUSES = {str(s): pair for s, pair in TASK_STATUS_LABELS.items()} | {
    "": ("未报告", "not reported")
}
SUBMISSION_STATUSES = dict(STATUS_NAMES) | {"": ("—", "—")}


def _pair(pairs: dict[str, tuple[str, str]], key: str, lg: str) -> str:
    zh, en = pairs.get(key, (key, key))
    return i18n.both(zh, en, lg)


@router.get("/units")
@shared_page("units")
def units(request: Request, scope: ScopeDep) -> Response:
    """The units the user may see, as an indented tree."""
    lg = lang(request)
    rows = [
        {
            **u,
            "indent_name": "　" * u["depth"] + i18n.both(u["name"], u["name_en"], lg),
            "level_label": _pair(LEVELS, u["level"], lg),
        }
        for u in unit_choices(request, scope)
    ]
    table = Table(
        "units",
        UNIT_COLUMNS,
        rows,
        title="units",
        links={"indent_name": "/units/{code}"},
        sort_by={"indent_name": "name"},  # by the name, not its indentation
    )
    return page(request, "units.html", tables=[table], rows=rows)


def _named(rows: list[dict[str, Any]], lg: str) -> list[dict[str, Any]]:
    return [{**r, "label": i18n.both(r.get("name"), r.get("name_en"), lg)} for r in rows]


def _rank_text(rank: int | None, of: int | None) -> str:
    return "—" if rank is None else f"{rank} / {of}"


def _plain(r: dict[str, Any], lg: str) -> dict[str, Any]:
    """A headline indicator of a township: value, change and ranks as text, or the
    district's figure where the statistic stops at districts."""
    unit = r["unit"]
    if r["value"] is None:
        shown_ = i18n.both("统计数据只发布到区县（市）", "published for districts only", lg)
        if r["district_value"] is not None:
            shown_ += i18n.both(
                f"；{r['district_name']} {in_unit(r['district_value'], unit)} {unit}"
                f"（{r['district_year']}年）",
                f"; {r['district']}: {in_unit(r['district_value'], unit)} ({r['district_year']})",
                lg,
            )
        change = "—"
    else:
        shown_ = f"{in_unit(r['value'], unit)} {unit}"
        if r["change"] is None:
            change = "—"
        elif r["is_sum"]:
            change = f"{r['change'] * 100:+.1f}%"
        else:
            change = f"{r['change']:+.2f} " + i18n.both("个百分点", "pp", lg)
    return {
        **r,
        "label": r["name"],
        "shown": shown_,
        "change_text": change,
        "rank_parent_text": _rank_text(r["rank_in_parent"], r["of_parent"]),
        "rank_city_text": _rank_text(r["rank_in_city"], r["of_city"]),
    }


def _desk_tables(desk: dict[str, Any] | None, lg: str, make: Any) -> list[Table]:
    """The township desk's tables (none for other levels)."""
    if not desk:
        return []
    rep = desk.get("reporting") or {}
    own = [
        {**e, "growth_pct": None if e["growth"] is None else e["growth"] * 100}
        for e in desk["enterprises"]
    ]
    return [
        make("plain", PLAIN_COLUMNS, [_plain(r, lg) for r in desk["headline"]],
             {"label": "/indicators/{indicator}"}),
        make("nonreporters", NONREPORTER_COLUMNS, rep.get("preview") or [],
             {"uscc": "/enterprises/{uscc}"}),
        make("own", OWN_COLUMNS, own, {"name": "/enterprises/{uscc}"}),
    ]  # fmt: skip


def _tables(data: dict[str, Any], lg: str) -> list[Table]:
    head = [
        {
            **r,
            "verdict_label": i18n.both(r["verdict_zh"], r["verdict_en"], lg),
            "status_label": i18n.both(r["status_zh"], r["status_en"], lg),
            "coverage_label": coverage_label(r.get("coverage"), lg),
        }
        for r in _named(data["headline"], lg)
    ]
    names = {r["indicator"]: r["label"] for r in head}
    code = data["unit"]["code"]
    tasks = [
        {
            **t,
            "label": i18n.both(t["title"], t["title_en"], lg),
            "role_label": _pair(ROLES, t["role"], lg),
            "status_label": _pair(TASK_STATUSES, t["status"] or "", lg),
        }
        for t in data["tasks"]
    ]
    ev = data.get("evaluation") or {}
    w = data["warnings"]
    off = [
        {
            **x,
            "indicator_label": names.get(x["indicator"], x["indicator"]),
            "verdict_label": i18n.both(x["verdict_zh"], x["verdict_en"], lg),
        }
        for x in w["off_track"]
    ]
    completeness = [
        {**r, "status_label": _pair(SUBMISSION_STATUSES, r.get("status") or "", lg)}
        for r in data["completeness"]["children"]
    ]

    def make(id: str, columns: list[tuple[str, str, str]], rows: list[dict[str, Any]],
             links: dict[str, str] | None = None) -> Table:  # fmt: skip
        return Table(id, columns, [shown(r) for r in rows], title=id, links=links or {})

    return [
        *_desk_tables(data.get("desk"), lg, make),
        make("headline", HEADLINE_COLUMNS, head, {"label": "/indicators/{indicator}?unit=" + code}),
        make("tasks", TASK_COLUMNS, tasks, {"code": "/tasks/{code}"}),
        make("completeness", COMPLETENESS_COLUMNS, completeness,
             {"name": "/units/{code}"}),
        make("warnings", WARNING_COLUMNS, off,
             {"indicator_label": "/indicators/{indicator}?unit={unit}", "name": "/units/{unit}"}),
        make("falling", FALLING_COLUMNS, w["falling_townships"], {"name": "/units/{unit}"}),
        make("stopped", STOPPED_COLUMNS, w["stopped_enterprises"], {"uscc": "/enterprises/{uscc}"}),
        make("scorecard", SCORE_COLUMNS, _named(ev.get("scorecard") or [], lg)),
    ]  # fmt: skip


def stopped_sentence(summary: dict[str, Any] | None, lg: str) -> str:
    """The true stopped-R&D totals of the unit as one sentence (no display cap)."""
    if not summary or not summary["total"] or not summary["period"]:
        return ""
    period = parse_period(summary["period"])
    zh = f"{period.label_zh()}与上年同期相比, {stopped_text(summary)}。"
    en = (
        f"{summary['total']} enterprises stopped R&D in {summary['period']} against a year "
        f"earlier: {summary['reported_zero']} reported zero, {summary['not_reported']} did "
        "not report."
    )
    return i18n.both(zh, en, lg)


@router.get("/units/{code}")
@shared_page("unit")
def unit(
    request: Request,
    scope: ScopeDep,
    code: str = Path(max_length=32),
    period: str | None = YtdPeriodQuery,
) -> Response:
    """One unit's page (``?period=`` chooses the 1–N月 period of its YTD table)."""
    lg = lang(request)
    m = cache(request).get
    found = m(
        ("units.view", *scope_key(scope), code, period or ""),
        lambda: unit_views.unit_view(engine(request), scope, code, period=period, memo=m),
    )
    data = found.model_dump()
    chart = {
        "headline": [
            {**r, "label": i18n.both(r["name"], r["name_en"], lg)} for r in data["headline"]
        ],
        "scorecard": (data.get("evaluation") or {}).get("scorecard") or [],
    }
    return page(
        request,
        "unit.html",
        tables=_tables(data, lg),
        view=data,
        level_label=_pair(LEVELS, data["unit"]["level"], lg),
        stopped_sentence=stopped_sentence(data["warnings"]["stopped"], lg),
        completeness_label=_pair(
            SUBMISSION_STATUSES, ((data["completeness"]["unit"] or {}).get("status") or ""), lg
        ),
        data=chart,
    )
