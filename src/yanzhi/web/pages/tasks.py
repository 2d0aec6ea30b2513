"""Pages: the task board (任务), a task with its reports, evidence and comments, supervision
(督办), and the registers (台账, in :mod:`yanzhi.web.pages.registers`). Forms post here and
come back to the page; a refused input is shown on the form with the reason."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yanzhi.services.access.scope import Scope
from yanzhi.views import supervision as supervision_views
from yanzhi.views import task_writes
from yanzhi.views import tasks as task_views
from yanzhi.web import i18n
from yanzhi.web.deps import ScopeDep, close_form, engine, form_of, lang
from yanzhi.web.errors import ApiError, classify
from yanzhi.web.pages import registers
from yanzhi.web.render import Table, page
from yanzhi.web.taskdata import (
    board_data,
    board_row,
    guarantees_data,
    landmarks_data,
    reforms_data,
    supervision_data,
    task_data,
)
from yanzhi.web.uploads import (
    evidence_response,
    read_report,
    submit_report,
    with_urls,
)

router = APIRouter()
router.include_router(registers.router)

CODE = Path(..., min_length=1, max_length=64)
SHA = Path(..., pattern="^[0-9a-f]{64}$")
PERIOD = Query(None, max_length=16)

REFUSED = (ApiError, ValueError)  # InputRejected and TaskInputError are ValueErrors


def _join(items: list[str] | None) -> str:
    return "、".join(items or [])


def _in_language(label: str, lg: str) -> str:
    """The page's half of a "中文 / English" label."""
    zh, _, en = label.partition(" / ")
    return i18n.both(zh, en, lg)


@router.get("/tasks")
def board(
    request: Request,
    scope: ScopeDep,
    owner: str | None = Query(None, max_length=64),
    status: str | None = Query(None, max_length=32),
    overdue: bool = Query(False),
) -> Response:
    """The board by programme: latest status and progress, lead unit, automatic states."""
    found = board_data(request, scope, owner=owner or None, status=status or None, overdue=overdue)
    data = found.model_dump()
    table = Table(
        "tasks",
        [
            ("code", "编号", "Code"),
            ("title", "任务", "Task"),
            ("programme", "工程", "Programme"),
            ("lead", "牵头单位", "Lead unit"),
            ("co_units", "配合单位", "Co-units"),
            ("status_zh", "状态", "Status"),
            ("progress", "进度(%)", "Progress (%)"),
            ("period", "报告期", "Period"),
            ("state_labels", "预警", "Warnings"),
        ],
        [board_row(t) for t in data["tasks"]],
        title="tasks",
        links={"code": "/tasks/{code}"},
    )
    chart = {
        "tasks": [
            {
                "code": t["code"],
                "programme": t["programme"],
                "progress": (t["latest"] or {}).get("progress"),
            }
            for t in data["tasks"]
        ]
    }
    return page(request, "tasks.html", data=data, chart=chart, tables=[table])


@router.get("/tasks/supervision")
def supervision(request: Request, scope: ScopeDep, period: str | None = PERIOD) -> Response:
    """督办: per responsible unit, what is overdue, silent or behind, and reminders sent."""
    data = supervision_data(request, scope, period).model_dump()
    rows = [
        {
            "unit": u["unit"],
            "unit_name": u["unit_name"],
            "code": t["code"],
            "title": t["title"],
            "states": "; ".join(_in_language(s, lang(request)) for s in t["state_labels"]),
            "status": (t["latest"] or {}).get("status_label_zh", "未报告"),
            "progress": (t["latest"] or {}).get("progress"),
            "reminders": len(t["reminders"]),
            "last_reminded": t["reminders"][-1]["reminded_at"][:10] if t["reminders"] else None,
        }
        for u in data["units"]
        for t in u["tasks"]
    ]
    table = Table(
        "supervision",
        [
            ("unit_name", "责任单位", "Responsible unit"),
            ("code", "编号", "Code"),
            ("title", "任务", "Task"),
            ("states", "督办原因", "Reasons"),
            ("status", "最新状态", "Latest status"),
            ("progress", "进度(%)", "Progress (%)"),
            ("reminders", "已督办次数", "Reminders"),
            ("last_reminded", "最近督办", "Last reminded"),
        ],
        rows,
        title="supervision",
        links={"code": "/tasks/{code}"},
    )
    sent = request.query_params.get("sent")
    chart = {"period": data["period"], "today": data["today"], "units": len(data["units"])}
    return page(request, "supervision.html", data=data, chart=chart, tables=[table], sent=sent)


@router.get("/tasks/guarantees")
def guarantees(request: Request, scope: ScopeDep) -> Response:
    """保障措施: the plan's guarantee measures, the rules a number checks with their verdicts
    (the region and its districts), and where yanzhi carries out the others."""
    data = guarantees_data(request, scope)
    checked = [
        (r.code, d)
        for g in data.guarantees
        for r in g.rules
        for d in ([r.region] if r.region else []) + r.districts
    ]
    rows = [
        {
            "rule": code,
            "unit_name": d.unit_name,
            **{f"y{p.year}": p.value for p in d.years},
            **{f"g{p.year}": p.growth_pct for p in d.years},
            "average": d.average_growth_pct,
            "verdict_zh": d.verdict_zh,
        }
        for code, d in checked
    ]
    years = sorted({p.year for _, d in checked for p in d.years})
    columns = [("rule", "措施编号", "Rule"), ("unit_name", "地区", "Area")]
    for y in years:
        columns += [(f"y{y}", f"{y}年", str(y)), (f"g{y}", f"{y}年增速(%)", f"{y} growth (%)")]
    columns += [
        ("average", "基期以来年均增速(%)", "Average growth since base (%)"),
        ("verdict_zh", "评估", "Verdict"),
    ]
    table = Table("guarantees", columns, rows, title="guarantees")
    return page(request, "guarantees.html", data=data.model_dump(), tables=[table])


@router.get("/tasks/landmarks")
def landmarks(request: Request, scope: ScopeDep) -> Response:
    """标志性成果 (十百千): each landmark against its target with the verdict of what counts
    it, and the items behind the count (each table as Excel)."""
    data = landmarks_data(request, scope)
    dumped = data.model_dump()
    tables = [
        Table(
            f"items{n}",
            [
                ("name", "名称", "Name"),
                ("unit_name", "所在区划", "Unit"),
                ("host", "依托单位", "Host"),
                ("recognised_on", "认定日期", "Recognised on"),
                ("ended_on", "终止日期", "Ended on"),
                ("evidence", "佐证材料", "Evidence"),
                ("counted_zh", "计入当前数", "Counted now"),
            ],
            [{**i, "counted_zh": "是" if i["counted"] else "否"} for i in lm["items"]],
            title=lm["title"],
        )
        for n, lm in enumerate(dumped["landmarks"], 1)
    ]
    return page(request, "landmarks.html", data=dumped, tables=tables)


@router.get("/tasks/reforms")
def reforms(request: Request, scope: ScopeDep) -> Response:
    """重大改革 and 政策: progress of the reforms, implementing rules and pay-outs of the
    policies, with their tables as Excel."""
    data = reforms_data(request, scope)
    dumped = data.model_dump()
    reform_rows = [{**r, "overdue_zh": "逾期" if r["overdue"] else ""} for r in dumped["reforms"]]
    payout_rows = [
        {"policy": p["name"], "rule": p["rule"], **x}
        for p in dumped["policies"]
        for x in p["payouts"]
    ]
    tables = [
        Table(
            "reforms",
            [
                ("name", "改革事项", "Reform"),
                ("lead", "牵头单位", "Lead unit"),
                ("status", "推进状态", "Status"),
                ("next_milestone", "下一节点", "Next milestone"),
                ("next_due", "节点时间", "Due"),
                ("overdue_zh", "是否逾期", "Overdue"),
                ("evidence", "佐证材料", "Evidence"),
            ],
            reform_rows,
            title="reforms",
        ),
        Table(
            "payouts",
            [
                ("policy", "政策", "Policy"),
                ("year", "兑现年度", "Year"),
                ("beneficiaries", "受益企业(家)", "Beneficiaries"),
                ("amount", "兑现金额(万元)", "Paid (10k yuan)"),
                ("estimate", "平台按规则测算(万元)", "yanzhi's estimate (10k yuan)"),
                ("estimate_count", "测算符合条件企业(家)", "Eligible (estimate)"),
            ],
            payout_rows,
            title="payouts",
        ),
    ]
    return page(request, "reforms.html", data=dumped, tables=tables)


@router.post("/tasks/supervision/remind")
def remind(
    request: Request,
    scope: ScopeDep,
    unit: str = Form(..., min_length=1, max_length=64),
    note: str = Form("", max_length=2000),
) -> Response:
    """Record reminders to a unit, then back to the supervision list."""
    sent = supervision_views.remind(engine(request), scope, unit, note=note or None)
    return RedirectResponse(f"/tasks/supervision?sent={len(sent)}", status_code=303)


def _task_tables(data: dict[str, Any]) -> list[Table]:
    history = [
        {
            **r,
            "files": _join([e["file_name"] for e in r["evidence"]]),
            "reported_at": r["reported_at"][:16].replace("T", " "),
        }
        for r in data["history"]
    ]
    return [
        Table(
            "history",
            [
                ("period", "报告期", "Period"),
                ("status_label_zh", "状态", "Status"),
                ("progress", "进度(%)", "Progress (%)"),
                ("narrative", "进展说明", "Narrative"),
                ("delay_reason", "滞后原因", "Delay reason"),
                ("files", "证明材料", "Evidence"),
                ("reported_by", "报送人", "Reported by"),
                ("reported_at", "报送时间", "Reported at"),
            ],
            history,
            title="history",
        ),
        Table(
            "milestones",
            [
                ("year", "年度", "Year"),
                ("title", "里程碑", "Milestone"),
                ("due", "截止日期", "Due"),
                ("done", "已完成", "Done"),
            ],
            data["milestones"],
            title="milestones",
        ),
        Table(
            "targets",
            [
                ("code", "编号", "Code"),
                ("description", "量化目标", "Target"),
                ("target", "目标值", "Target value"),
                ("target_year", "目标年", "Year"),
                ("value", "当前值", "Value"),
                ("expected_now", "按进度应达", "Expected by now"),
                ("verdict_zh", "结论", "Verdict"),
                ("verdict_reason_zh", "依据", "Why"),
                ("status_label_zh", "进展评估(基期以来)", "Progress since the base year"),
            ],
            data["targets"],
            title="targets",
        ),
    ]


def _task_page(
    request: Request,
    scope: Scope,
    code: str,
    *,
    error: Exception | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    found = task_data(request, scope, code)
    data = found.model_copy(update={"history": with_urls(found.history, code, "")}).model_dump()
    err = classify(error) if error is not None else None
    chart = {
        "history": [{"period": r["period"], "progress": r["progress"]} for r in data["history"]]
    }
    return page(
        request,
        "task.html",
        data=data,
        chart=chart,
        tables=_task_tables(data),
        error=err,
        form=form or {},
        saved=request.query_params.get("saved"),
        status=err.status if err else 200,
    )


@router.get("/tasks/{code}")
def task(request: Request, scope: ScopeDep, code: str = CODE) -> Response:
    """A task: texts, owners, milestones, targets, reports with evidence, comments; forms."""
    return _task_page(request, scope, code)


@router.get("/tasks/{code}/evidence/{sha256}", response_class=FileResponse)
def evidence(request: Request, scope: ScopeDep, code: str = CODE, sha256: str = SHA) -> Response:
    """Download an evidence file of a visible task (an attachment)."""
    return evidence_response(task_views.evidence_file(engine(request), scope, code, sha256))


def _done(code: str, what: str) -> Response:
    return RedirectResponse(f"/tasks/{code}?saved={what}", status_code=303)


@router.post("/tasks/{code}/report")
async def report(request: Request, scope: ScopeDep, code: str = CODE) -> Response:
    """The report form: saved, or the task page again with the reason."""
    form = {k: v for k, v in (await form_of(request)).items() if isinstance(v, str)}
    form.pop("csrf_token", None)
    try:
        body, files = await read_report(request)
        await run_in_threadpool(submit_report, engine(request), scope, code, body, files)
    except REFUSED as exc:
        shown = partial(_task_page, request, scope, code, error=exc, form={"report": form})
        return await run_in_threadpool(shown)
    finally:
        await close_form(request)
    return _done(code, "report")


@router.post("/tasks/{code}/comment")
def comment(
    request: Request, scope: ScopeDep, code: str = CODE, text: str = Form("", max_length=5000)
) -> Response:
    """The comment form (leaders, admin)."""
    try:
        task_writes.comment(engine(request), scope, code, text)
    except REFUSED as exc:
        return _task_page(request, scope, code, error=exc, form={"comment": {"text": text}})
    return _done(code, "comment")


@router.post("/tasks/{code}/owners")
def owners(
    request: Request,
    scope: ScopeDep,
    code: str = CODE,
    lead: str = Form("", max_length=64),
    co_units: list[str] = Form([]),
) -> Response:
    """The owners form (admin, city analyst)."""
    try:
        task_writes.assign(engine(request), scope, code, lead=lead, co_units=co_units)
    except REFUSED as exc:
        return _task_page(request, scope, code, error=exc)
    return _done(code, "owners")


@router.post("/tasks/{code}/milestone")
def milestone(
    request: Request,
    scope: ScopeDep,
    code: str = CODE,
    year: int = Form(..., ge=2000, le=2100),
    title: str = Form(..., max_length=300),
    due: str = Form("", max_length=10),
    done: str = Form(""),
) -> Response:
    """The milestone form (admin, city analyst)."""
    try:
        task_writes.milestone(
            engine(request),
            scope,
            code,
            year=year,
            title=title,
            due=due or None,
            done=True if done else None,
        )
    except REFUSED as exc:
        return _task_page(request, scope, code, error=exc)
    return _done(code, "milestone")
