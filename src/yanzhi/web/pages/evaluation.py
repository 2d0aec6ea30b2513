"""Pages: the evaluation (评价) — the ranking with rank intervals and a bar chart, one unit's
scorecard, and the method. The numbers are those of /api/v1/evaluation…"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from yanzhi.core.errors import InvalidInput
from yanzhi.core.labels import DIRECTION_ZH
from yanzhi.ingest.assessmentfile import read_scheme
from yanzhi.reports.evaluation_method import UNCERTAIN_STEPS
from yanzhi.services.access.scope import Scope
from yanzhi.services.evaluation.imputation import METHODS as IMPUTE_METHODS
from yanzhi.views import assessment as assessment_views
from yanzhi.views import evaluation as views
from yanzhi.web import i18n
from yanzhi.web.api.common import YearQuery
from yanzhi.web.deps import cache, engine, form_of, lang
from yanzhi.web.deps import scope as scope_of
from yanzhi.web.i18n import both
from yanzhi.web.render import Table, kind_zh, page, shared_page

router = APIRouter()

RANK_COLUMNS = [
    ("Rank", "排名", "Rank"),
    ("uName", "单位", "Unit"),
    ("kind_zh", "类型", "Kind"),
    ("pool", "排名组", "Pool"),
    ("Score", "综合得分", "Score"),
    ("Grade", "等级", "Grade"),
    ("interval", "排名区间(5%–95%)", "Rank interval (5–95 %)"),
    ("GroupRank", "类型内排名", "Rank in kind"),
    ("ScoreChange", "得分变化", "Score change"),
    ("RankChange", "排名变化(+为上升)", "Rank change (+ = up)"),
]


def _interval(r: dict[str, Any]) -> str | None:
    lo, hi = r.get("RankQ5"), r.get("RankQ95")
    return None if lo is None or hi is None else f"{lo:.0f}–{hi:.0f}"


def _pool(pool: str, lg: str) -> str:
    if pool == "overall":
        return "overall" if lg == "en" else "总排名"
    return f"{pool} (separate)" if lg == "en" else f"单独排名({kind_zh(pool)})"


@router.get("/evaluation")
@shared_page("evaluation")
def ranking(
    request: Request,
    level: Literal["township", "district"] = "township",
    year: str | None = YearQuery,
    scope: Scope = Depends(scope_of),
) -> Response:
    data = views.ranking_page(engine(request), cache(request).get, scope, level, year).model_dump()
    lg = lang(request)
    rows = [{**r, "interval": _interval(r), "pool": _pool(r["pool"], lg)} for r in data["rows"]]
    cols = RANK_COLUMNS[:5] + [(a["code"], a["name"], a["name_en"]) for a in data["aggregates"]]
    table = Table(
        "ranking",
        cols + RANK_COLUMNS[5:],
        rows,
        title=f"evaluation-{level}-{data['year']}",
        links={"uName": f"/evaluation/units/{{uCode}}?year={data['year']}"},
    )
    chart = {
        "labels": [r["uName"] for r in data["rows"]],
        "scores": [r["Score"] for r in data["rows"]],
        "ranks": [r["Rank"] for r in data["rows"]],
        "q5": [r.get("RankQ5") for r in data["rows"]],
        "q95": [r.get("RankQ95") for r in data["rows"]],
        "max_rank": max(data["pools"].values(), default=1),
    }
    imputed = Table(
        "imputations",
        IMPUTATION_COLUMNS,
        [
            {**x, "method_label": _method(x, lg), "value": _filled(x, lg)}
            for x in data["imputations"]
        ],
        title=f"imputations-{level}-{data['year']}",
    )
    return page(
        request,
        "evaluation.html",
        data=data,
        chart=chart,
        level=level,
        tables=[table, imputed],
    )


MISSING = {"zh": "缺失", "en": "missing"}
IMPUTATION_COLUMNS = [
    ("unit_name", "单位", "Unit"),
    ("indicator", "指标代码", "Indicator"),
    ("indicator_name", "指标", "Indicator name"),
    ("method_label", "插补方法", "Method"),
    ("value", "插补值", "Imputed value"),
]


def _half(text: Any, lg: str) -> Any:
    """A "中文 / English" note in the page's language."""
    if not isinstance(text, str) or " / " not in text:
        return text
    zh, en = text.split(" / ", 1)
    return en if lg == "en" else zh


def _method(x: dict[str, Any], lg: str) -> str:
    if lg == "en":
        return f"{x['method_en']} (COINr {x['coinr']})"
    return str(x["method_zh"])


def _filled(x: dict[str, Any], lg: str) -> Any:
    return MISSING[lg] if x["value"] is None else x["value"]


def imputed_label(x: dict[str, Any] | None, lg: str) -> str:
    """A scorecard cell's imputation: "缺失, 按同类单位均值插补为 59.47" (empty when the value
    was reported)."""
    if not x:
        return ""
    if x["value"] is None:
        return i18n.both("缺失, 未插补", "missing, not imputed", lg)
    zh = f"缺失, 按{x['method_zh']}插补为 {x['value']:,.2f}"
    en = f"missing; imputed as {x['value']:,.2f} ({x['method_en']}, COINr {x['coinr']})"
    return i18n.both(zh, en, lg)


@router.get("/evaluation/method")
@shared_page("evaluation-method")
def method(
    request: Request,
    level: Literal["township", "district"] = "township",
    scope: Scope = Depends(scope_of),
) -> Response:
    data = views.method_page(engine(request), cache(request).get, scope, level).model_dump()
    names = {a["code"]: a["name"] for a in data["aggregates"]}
    lg = lang(request)
    code_column = [("code", "代码", "Code")] if lg == "en" else []  # codes: English pages
    kinds = {
        "Bonus": i18n.both("加分", "Bonus", lg),
        "Deduction": i18n.both("扣分", "Deduction", lg),
    }
    indicators = Table(
        "indicators",
        [
            *code_column,
            ("name", "指标", "Indicator"),
            ("pillar", "一级指标", "Pillar"),
            ("weight", "权重", "Weight"),
            ("effective_pct", "有效权重(%)", "Effective weight (%)"),
            ("direction", "方向", "Direction"),
            ("unit", "单位", "Unit"),
            ("source_kind_zh" if lg != "en" else "source_kind", "来源类型", "Source kind"),
            ("source_zh" if lg != "en" else "source", "来源", "Source"),
            ("denominator_zh" if lg != "en" else "denominator", "分母", "Denominator"),
            ("provenance", "出处", "Provenance"),
        ],
        [
            {
                **i,
                "pillar": names.get(i["parent"], i["parent"]),
                "effective_pct": _pct(i),
                "direction": i["direction"] if lg == "en" else DIRECTION_ZH.get(i["direction"]),
                "provenance": _half(i["provenance"], lg),
            }
            for i in data["indicators"]
        ],
        title=f"method-{level}",
    )
    bonus = Table(
        "bonus",
        [
            *code_column,
            ("name", "项目", "Item"),
            ("type", "类型", "Type"),
            ("points", "每单位分值", "Points per unit"),
            ("max", "上限", "Max"),
            ("unit", "单位", "Unit"),
            ("source_zh" if lg != "en" else "source", "来源", "Source"),
        ],
        [
            {
                **b,
                "type": kinds.get(b["type"], b["type"]),
                "points": _whole(b["points"]),
                "max": _whole(b["max"]),
            }
            for b in data["bonus_items"]
        ],
        title=f"bonus-{level}",
    )
    return page(
        request,
        "evaluation_method.html",
        data=data,
        level=level,
        steps=_steps(data["spec"]),
        alternatives=_alternatives(data["uncertainty"]["alternatives"], lg),
        tables=[indicators, bonus],
    )


@router.get("/evaluation/units/{code}")
@shared_page("scorecard")
def unit(
    request: Request,
    code: str,
    year: str | None = YearQuery,
    scope: Scope = Depends(scope_of),
) -> Response:
    card = views.scorecard_page(engine(request), cache(request).get, scope, code[:20], year)
    lg = lang(request)
    data = card.model_dump()  # the page's tables and template take plain rows
    effect = {"lift": both("提升", "lift", lg), "drag": both("拖累", "drag", lg)}
    kinds = {"Bonus": both("加分", "Bonus", lg), "Deduction": both("扣分", "Deduction", lg)}
    indicators = Table(
        "indicators",
        [
            ("code", "代码", "Code"),
            ("name", "指标", "Indicator"),
            ("pillar_name", "一级指标", "Pillar"),
            ("raw", "原始值", "Raw value"),
            ("unit", "单位", "Unit"),
            ("value", "除分母后", "After denominator"),
            ("normalised", "标准化得分", "Normalised score"),
            ("effective_pct", "有效权重(%)", "Effective weight (%)"),
            ("contribution", "贡献(相对自身平均)", "Contribution vs own average"),
            ("rank_of", "组内排名", "Rank in pool"),
            ("effect_label", "作用", "Effect"),
            ("imputed_label", "插补说明", "Imputation"),
        ],
        [
            {
                **i,
                "raw": MISSING[lg] if i["imputed"] else i["raw"],
                "imputed_label": imputed_label(i["imputed"], lg),
                "rank_of": _rank_of(i),
                "effect_label": effect.get(i["effect"] or ""),
                "effective_pct": _pct(i),
            }
            for i in data["indicators"]
        ],
        title=f"scorecard-{code}",
    )
    code_column = [("code", "代码", "Code")] if lg == "en" else []  # codes: English pages
    pillars = Table(
        "pillars",
        [
            *code_column,
            ("name", "一级指标", "Pillar"),
            ("score", "得分", "Score"),
            ("rank_of", "组内排名", "Rank in pool"),
            ("effective_pct", "有效权重(%)", "Effective weight (%)"),
        ],
        [{**p, "rank_of": _rank_of(p), "effective_pct": _pct(p)} for p in data["pillars"]],
        title=f"pillars-{code}",
    )
    bonus = Table(
        "bonus",
        [
            *code_column,
            ("name", "项目", "Item"),
            ("type", "类型", "Type"),
            ("value", "数量", "Value"),
            ("points", "得分", "Points"),
            ("max", "上限", "Max"),
        ],
        [{**b, "type": kinds.get(b["type"], b["type"])} for b in data["bonus"]],
        title=f"bonus-{code}",
    )
    row = {**data["row"], "interval": _interval(data["row"])}
    return page(
        request,
        "evaluation_unit.html",
        data=data,
        row=row,
        tables=[pillars, indicators, bonus],
    )


def _rank_of(item: dict[str, Any]) -> str | None:
    return None if item["rank"] is None else f"{item['rank']} / {item['of']}"


def _pct(item: dict[str, Any]) -> float | None:
    w = item.get("effective_weight")
    return None if w is None else round(100 * w, 2)


NORMALISE = {
    "minmax": ("最小—最大值标准化到 [{l}, {u}]", "min–max scaled to [{l}, {u}]"),
    "zscore": ("Z 分数标准化", "z-scores"),
    "rank": ("按名次标准化", "ranks"),
    "borda": ("Borda 分数", "Borda scores"),
    "prank": ("百分位名次", "percentile ranks"),
    "dist2max": ("距最大值的比例", "distance to the maximum"),
    "target": ("距目标值的比例", "distance to target"),
}
AGGREGATE = {
    "amean": ("加权算术平均", "weighted arithmetic mean"),
    "gmean": ("加权几何平均", "weighted geometric mean"),
    "hmean": ("加权调和平均", "weighted harmonic mean"),
    "median": ("中位数", "median"),
    "copeland": ("Copeland 计数", "Copeland count"),
}


def _steps(spec: dict[str, Any]) -> list[dict[str, str]]:
    """The build steps in words (Chinese and English) with the settings as used."""
    norm = spec.get("normalise") or {}
    lu = norm.get("l_u") or [0, 100]
    nz, ne = NORMALISE.get(str(norm.get("method")), (str(norm.get("method")),) * 2)
    agg = spec.get("aggregate") or {}
    az, ae = AGGREGATE.get(str(agg.get("method")), (str(agg.get("method")),) * 2)
    tr = spec.get("treat") or {}
    w, sk, ku, f2 = (tr.get(k, "—") for k in ("winmax", "skew_thresh", "kurt_thresh", "f2"))
    impute = spec.get("impute") or {}
    yes = bool(spec.get("denominate"))
    rows = [
        ("除以分母", "Denominate", "是" if yes else "否", "yes" if yes else "no", None),
        (
            "缺失值插补",
            "Imputation",
            IMPUTE_METHODS.get(str(impute.get("method")), (impute.get("method", "—"),))[0],
            impute.get("method", "—"),
            impute,
        ),
        (
            "异常值处理",
            "Outlier treatment",
            f"偏度 > {sk} 且峰度 > {ku} 时缩尾至多 {w} 个值, 否则{OUTLIER_ELSE_ZH.get(str(f2), f2)}"
            if tr
            else "—",
            f"winsorise up to {w} points when skew > {sk} and kurtosis > {ku}, else {f2}"
            if tr
            else "—",
            tr,
        ),
        (
            "标准化",
            "Normalisation",
            nz.format(l=lu[0], u=lu[-1]),
            ne.format(l=lu[0], u=lu[-1]),
            norm,
        ),
        ("加总", "Aggregation", az, ae, agg),
    ]
    return [
        {
            "zh": a,
            "en": b,
            "words_zh": str(c),
            "words_en": str(d),
            "settings": _json(e) if e else "",
        }
        for a, b, c, d, e in rows
    ]


OUTLIER_ELSE_ZH = {"log_CT": "对数变换", "none": "不处理"}


def _alternatives(alts: dict[str, list[Any]], lg: str) -> list[tuple[str, str]]:
    """The uncertainty analysis' alternative choices per step, in the page's language."""
    if lg == "en":
        return [(path, ", ".join(_json(a) for a in options)) for path, options in alts.items()]
    return [
        (
            UNCERTAIN_STEPS.get(path.split(".")[0], "计算方法"),
            "、".join(_choice_zh(a) for a in options),
        )
        for path, options in alts.items()
    ]


def _choice_zh(a: Any) -> str:
    """One alternative of a build step in Chinese (an aggregation, a normalisation, an
    outlier rule)."""
    if isinstance(a, dict):
        if "winmax" in a:
            return f"缩尾至多{a['winmax']}个值"
        method = str(a.get("method", ""))
        if method in NORMALISE:
            lu = a.get("l_u") or [0, 100]
            return NORMALISE[method][0].format(l=lu[0], u=lu[-1])
        return AGGREGATE.get(method, (method,))[0]
    text = str(a)
    if text == "none":
        return "不处理"
    return AGGREGATE.get(text, NORMALISE.get(text, (text,)))[0]


def _whole(v: float | None) -> float | int | None:
    """A bonus rule's points or cap as printed: 3 rather than 3.00."""
    return int(v) if v is not None and float(v).is_integer() else v


def _json(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, default=str)


def _assess_year(request: Request) -> int:
    try:
        return int(request.query_params.get("year") or dt.date.today().year - 1)
    except ValueError:
        raise InvalidInput("year: a number", "年份须为数字") from None


@router.get("/evaluation/assessment")
def assessment(request: Request, scope: Scope = Depends(scope_of)) -> Response:
    """区县年度考核: the year's assessments with their state and score; the district's
    self-assessment form, the city's review form, publication and locking."""
    year = _assess_year(request)
    key = ("assessment", year, scope.root, scope.principal.role)
    data = cache(request).get(
        key, lambda: assessment_views.assessments(engine(request), scope, year=year)
    )
    scheme = read_scheme()
    saved = request.query_params.get("saved")
    return page(
        request,
        "assessment.html",
        data=data.model_dump(),
        scheme=scheme,
        saved=saved,
        years=list(range(dt.date.today().year - 1, 2022, -1)),
    )


async def _assess_form(request: Request) -> tuple[dict[str, str], int]:
    """An assessment form's text fields and its year (400 for a year that is not one)."""
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    year = _form_number(form, "year")
    if year is None or not 2000 <= year <= 2100:
        raise InvalidInput("year: a year", "考核年度须为四位年份")
    return form, int(year)


def _assessed(year: int, what: str) -> Response:
    return RedirectResponse(f"/evaluation/assessment?year={year}&saved={what}", status_code=303)


def _form_number(form: dict[str, str], key: str) -> float | None:
    text = (form.get(key) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{key}: not a number", f"“{text}”不是数字") from None


@router.post("/evaluation/assessment/{unit}/submit")
async def assessment_submit(
    request: Request, unit: str, scope: Scope = Depends(scope_of)
) -> Response:
    """The district's self-assessment form; back to the page."""
    form, year = await _assess_form(request)
    scheme = read_scheme()
    reported = {
        p.code: v
        for p in scheme.parts
        if p.source == "self"
        if (v := _form_number(form, f"part_{p.code}")) is not None
    }
    claims = {}
    for it in (*scheme.bonus, *scheme.penalty):
        n = _form_number(form, f"count_{it.code}")
        if n:
            claims[it.code] = {
                "count": int(n),
                "evidence": form.get(f"evidence_{it.code}", "").strip(),
            }
    assessment_views.submit(
        engine(request), scope, year=year, unit=unit, reported=reported, claims=claims
    )
    return _assessed(year, "submit")


@router.post("/evaluation/assessment/{unit}/review")
async def assessment_review(
    request: Request, unit: str, scope: Scope = Depends(scope_of)
) -> Response:
    """The city's review form; back to the page."""
    form, year = await _assess_form(request)
    scheme = read_scheme()
    adjustments: dict[str, dict[str, Any]] = {}
    for p in scheme.parts:
        v = _form_number(form, f"adj_{p.code}")
        if v is not None:
            adjustments[p.code] = {"value": v, "comment": form.get(f"comment_{p.code}", "")}
    for it in (*scheme.bonus, *scheme.penalty):
        n = _form_number(form, f"adj_{it.code}")
        if n is not None:
            adjustments[it.code] = {"count": int(n), "comment": form.get(f"comment_{it.code}", "")}
    assessment_views.review(engine(request), scope, year=year, unit=unit, adjustments=adjustments)
    return _assessed(year, "review")


async def _step(request: Request, scope: Scope, step: str) -> Response:
    _, year = await _assess_form(request)
    act = assessment_views.publish if step == "publish" else assessment_views.lock
    act(engine(request), scope, year=year)
    return _assessed(year, step)


@router.post("/evaluation/assessment/publish")
async def assessment_publish(request: Request, scope: Scope = Depends(scope_of)) -> Response:
    """公示 the year's reviewed assessments; back to the page."""
    return await _step(request, scope, "publish")


@router.post("/evaluation/assessment/lock")
async def assessment_lock(request: Request, scope: Scope = Depends(scope_of)) -> Response:
    """Lock the year's published assessments; back to the page."""
    return await _step(request, scope, "lock")
