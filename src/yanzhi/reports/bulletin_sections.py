"""The sections of the monthly bulletin (reports.bulletin), each written into a
:class:`Document` from the bulletin's data (``MonthlyBulletin.model_dump()``): sentences
are built only from those numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from yanzhi.core.periods import label_zh
from yanzhi.core.zhtext import date_zh
from yanzhi.reports.document import Cell, Column, Document
from yanzhi.views.data import STATUS_NAMES
from yanzhi.views.reports.bulletin import stopped_text

TOP = 10  # townships shown at each end of the ranking
NAMED = 20  # stopped enterprises named (all of them: the platform's warnings list)


def _table(
    doc: Document,
    caption: str,
    columns: list[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str | None = None,
    note: str | None = None,
) -> None:
    """``doc.table`` for rows of any sequence type (the view's values are typed ``Any``)."""
    cells: list[tuple[Cell, ...]] = [tuple(r) for r in rows]
    doc.table(caption, columns, cells, sheet=sheet, note=note)


def _span(d: dict[str, Any]) -> str:
    """ "1–10月" from the bulletin's Chinese period."""
    return d["period_zh"].split("年", 1)[1].replace("-", "–")


def _rise(g: float) -> str:
    return f"{'增长' if g >= 0 else '下降'}{abs(g):.1%}"


def _points(x: float, decimals: int = 1) -> str:
    """A change of a share in percentage points: 0.0012 → "提高0.1个百分点"."""
    return f"{'提高' if x >= 0 else '回落'}{abs(x) * 100:.{decimals}f}个百分点"


def overview_section(doc: Document, d: dict[str, Any]) -> None:
    """一 总体情况: YTD R&D with 同比 on both bases, the month and the change in the
    cumulative growth against 1–(N-1)月, the YTD intensity."""
    doc.heading("总体情况")
    rd, last = d["city_rd"], d.get("city_rd_last_month")
    # the comparable-basis sentence of views.reports.bulletin, with the period's en dash
    doc.para(d["summary"][0].replace(d["period_zh"], d["period_zh"].replace("-", "–"), 1))
    if last:
        month = int(d["period"][-2:])
        key = "growth_comparable" if rd["growth_comparable"] is not None else "growth"
        text = f"其中{month}月当月研发费用{rd['value'] - last['value']:,.2f}亿元"
        if rd[key] is not None and last[key] is not None:
            basis = "可比口径" if key == "growth_comparable" else "总量口径"
            text += (
                f"; 累计增速({basis})较1–{month - 1}月({last[key]:+.1%})"
                f"{_points(rd[key] - last[key])}"
            )
        doc.para(text + "。")
    intensity = next((i for i in d["headline"] if i["indicator"] == "IND_RD_INTENSITY"), None)
    ytd = (intensity or {}).get("ytd") or {}
    if ytd.get("value") is not None and ytd.get("previous_year_value") is not None:
        doc.para(
            f"{_span(d)}规上工业企业研发费用占营业收入比重{ytd['value']:.2f}%, "
            f"上年同期{ytd['previous_year_value']:.2f}%, "
            f"{_points((ytd['value'] - ytd['previous_year_value']) / 100, 2)}。"
        )
    rows: list[tuple[Any, ...]] = [
        (_span(d), rd["value"], rd["previous"], rd["growth_comparable"], rd["growth"])
    ]
    if last:
        rows.append(
            (
                f"1–{int(d['period'][-2:]) - 1}月",
                last["value"],
                last["previous"],
                last["growth_comparable"],
                last["growth"],
            )
        )
    _table(
        doc,
        "全市规上工业企业研发费用累计情况",
        [
            Column("累计期", width=0.8),
            Column("研发费用(亿元)", "num2"),
            Column("上年同期(亿元)", "num2"),
            Column("同比(可比口径)", "signed_pct1"),
            Column("同比(总量口径)", "signed_pct1"),
        ],
        rows,
        sheet="总体情况",
    )


def _headline_sentence(i: dict[str, Any]) -> str:
    f = i["forecast"] or {}
    text = f"{i['name']}{i['year']}年为{i['value']:,.2f}{i['unit']}"
    if i["target"] is not None:
        text += f", {i['target_year']}年目标{i['target']:g}{i['unit']}"
    if f.get("expected") is not None and "预测" not in i["verdict_reason_zh"]:
        text += f", 预测{f['target_year']}年{f['expected']:,.2f}{i['unit']}"
    text += f", 结论为“{i['verdict_zh']}”: {i['verdict_reason_zh'].rstrip('。')}"
    c = i.get("coverage") or {}
    if c.get("flagged"):
        text += f"(注: {c['note_zh']})"
    return text + "。"


def headline_section(doc: Document, d: dict[str, Any]) -> None:
    """二 核心指标: one sentence per indicator (value, target, verdict, forecast), a table."""
    doc.heading("核心指标")
    shown = [i for i in d["headline"] if i["value"] is not None]
    for i in shown:
        doc.para(_headline_sentence(i))
    _table(
        doc,
        "核心指标监测情况",
        [
            Column("指标", width=3.2),
            Column("最新值", "num2"),
            Column("年份", "year"),
            Column("目标", "num2"),
            Column("结论", width=1.3),
            Column("目标年预测", "num2"),
            Column("达标概率", "pct1"),
            Column("单位", width=1.2),
        ],
        [
            (
                i["name"],
                i["value"],
                i["year"],
                i["target"],
                i["verdict_zh"],
                (i["forecast"] or {}).get("expected"),
                (i["forecast"] or {}).get("probability_meeting_target"),
                i["unit"],
            )
            for i in d["headline"]
        ],
        sheet="核心指标",
        note="注: 目标和预测均指规划目标年(2027年); 达标概率按近年趋势预测。",
    )


def districts_section(doc: Document, d: dict[str, Any], chart: bytes) -> None:
    """三 分区县: districts ranked by YTD R&D, the chart, townships by growth."""
    doc.heading("分区县（市）情况")
    doc.heading("各区县(市)规上工业企业研发费用", 2)
    key = "growth_comparable" if d["city_rd"]["growth_comparable"] is not None else "growth"
    with_g = [r for r in d["districts"] if r.get(key) is not None]
    if with_g:
        top = max(with_g, key=lambda r: r[key])
        low = min(with_g, key=lambda r: r[key])
        falling = [r["name"] for r in with_g if r[key] < 0]
        basis = "可比口径" if key == "growth_comparable" else "总量口径"
        text = (
            f"{_span(d)}各区县(市)中, 研发费用同比增速({basis})最高的是"
            f"{top['name']}({top[key]:+.1%}), 最低的是{low['name']}({low[key]:+.1%})"
        )
        text += f"; {'、'.join(falling)}同比下降" if falling else "; 各区县(市)均同比增长"
        doc.para(text + "。")
    ranked = sorted(d["districts"], key=lambda r: -(r["rd_expense"] or -1))
    _table(
        doc,
        f"各区县(市){_span(d)}规上工业企业研发费用",
        [
            Column("位次", "int", width=0.6),
            Column("区县(市)"),
            Column("研发费用(亿元)", "num2"),
            Column("上年同期(亿元)", "num2"),
            Column("同比(可比口径)", "signed_pct1"),
            Column("同比(总量口径)", "signed_pct1"),
            Column("研发强度(%)", "num2"),
        ],
        [
            (
                n,
                r["name"],
                r["rd_expense"],
                r["rd_expense_previous"],
                r.get(key),
                r["growth"],
                r["intensity"],
            )
            for n, r in enumerate(ranked, 1)
        ],
        sheet="分区县",
        note=f"注: 按{_span(d)}研发费用由高到低排列; 研发强度为研发费用占营业收入比重。",
    )
    doc.figure(chart, f"各区县(市){_span(d)}规上工业企业研发费用及同比增速")
    _townships(doc, d)


def _townships(doc: Document, d: dict[str, Any]) -> None:
    rows = [r for r in d.get("townships", []) if r["growth"] is not None]
    if not rows:
        return
    doc.heading("乡镇(街道)研发费用增速排名", 2)
    rows.sort(key=lambda r: -r["growth"])
    n = len(rows)
    doc.para(
        f"{n}个有上年同期数据的乡镇(街道)中, {sum(r['growth'] >= 0 for r in rows)}个"
        f"研发费用同比增长, {sum(r['growth'] < 0 for r in rows)}个同比下降。"
        + (f"下表列出增速前{TOP}位和后{TOP}位。" if n > 2 * TOP else "")
    )
    cols = [
        Column("位次", "int", width=0.6),
        Column("乡镇(街道)", width=1.4),
        Column("所属区县(市)"),
        Column("研发费用(亿元)", "num2"),
        Column("上年同期(亿元)", "num2"),
        Column("同比(总量口径)", "signed_pct1"),
    ]

    def table(caption: str, part: list[tuple[int, dict[str, Any]]], sheet: str) -> None:
        _table(
            doc,
            caption,
            cols,
            [
                (
                    k,
                    r["name"],
                    r["district"],
                    r["rd_expense"],
                    r["rd_expense_previous"],
                    r["growth"],
                )
                for k, r in part
            ],
            sheet=sheet,
            note="注: 基数较小的乡镇(街道)增速波动较大。",
        )

    ranked = list(enumerate(rows, 1))
    if n > 2 * TOP:
        table(f"研发费用增速前{TOP}位的乡镇(街道)", ranked[:TOP], "乡镇增速前列")
        table(f"研发费用增速后{TOP}位的乡镇(街道)", ranked[-TOP:], "乡镇增速后列")
    else:
        table("各乡镇(街道)研发费用增速", ranked, "乡镇增速")


def warnings_section(doc: Document, d: dict[str, Any]) -> None:
    """四 预警: headline indicators at risk, falling townships and stopped-R&D enterprises,
    all named, with the true totals."""
    w = d["warnings"]
    doc.heading("预警")
    units = {x["unit"] for x in w["off_track"]}
    doc.para(
        f"全市及各区县(市)、乡镇(街道)共{len(w['off_track'])}项核心指标的结论为难以达标或"
        f"存在风险, 涉及{len(units)}个地区。"
    )
    falling = sorted(w["falling_townships"], key=lambda r: r["growth"])
    doc.heading("研发费用同比下降的乡镇(街道)", 2)
    if falling:
        where = {r["code"]: r["district"] for r in d.get("townships", [])}
        doc.para(
            f"{_span(d)}共{len(falling)}个乡镇(街道)研发费用同比下降, "
            f"降幅最大的是{falling[0]['name']}({falling[0]['growth']:+.1%})。"
        )
        _table(
            doc,
            "研发费用同比下降的乡镇(街道)",
            [
                Column("序号", "int", width=0.6),
                Column("乡镇(街道)", width=1.4),
                Column("所属区县(市)"),
                Column("研发费用(亿元)", "num2"),
                Column("上年同期(亿元)", "num2"),
                Column("同比", "signed_pct1"),
            ],
            [
                (
                    k,
                    r["name"],
                    where.get(r["unit"]),
                    r["value"],
                    r["previous_year_value"],
                    r["growth"],
                )
                for k, r in enumerate(falling, 1)
            ],
            sheet="下降乡镇",
        )
    else:
        doc.para("本期没有研发费用同比下降的乡镇(街道)。")
    _stopped(doc, d)


def _stopped(doc: Document, d: dict[str, Any]) -> None:
    w = d["warnings"]
    s = w.get("stopped")
    doc.heading("停止研发的企业", 2)
    listed = w["stopped_enterprises"]
    if not s or not s["total"]:
        doc.para("本期没有上年同期有研发费用而本期停止研发的企业。")
        return
    doc.para(
        f"与{label_zh(s['previous_period']).replace('-', '–')}相比, {stopped_text(s)}。"
        f"分区县(市)情况见下表; 上年同期研发费用最多的{min(NAMED, len(listed))}家列于其后, "
        f"全部{len(listed)}家企业名单可在平台预警页面查看和导出。"
    )
    by_district = [u for u in s["by_unit"] if u["level"] == "district"]
    _table(
        doc,
        "停止研发企业数(分区县市)",
        [
            Column("区县(市)"),
            Column("合计(家)", "int"),
            Column("报送研发费用为零(家)", "int"),
            Column("未报送(家)", "int"),
        ],
        [(u["name"], u["total"], u["reported_zero"], u["not_reported"]) for u in by_district]
        + [("合计", s["total"], s["reported_zero"], s["not_reported"])],
        sheet="停止研发分区县",
    )
    where = {r["code"]: (r["name"], r["district"]) for r in d.get("townships", [])}
    ordered = sorted(listed, key=lambda e: -(e["previous_year_rd_expense"] or 0))
    cols = [
        Column("序号", "int", width=0.6),
        Column("企业名称", width=3),
        Column("所属区县(市)"),
        Column("乡镇(街道)", width=1.4),
        Column("上年同期研发费用(万元)", "num2"),
        Column("情形"),
    ]
    rows = [
        (
            k,
            e["name"],
            *where.get(e["township"], (None, None))[::-1],
            e["previous_year_rd_expense"],
            e["reason_zh"],
        )
        for k, e in enumerate(ordered, 1)
    ]
    _table(
        doc,
        f"上年同期研发费用最多的{len(rows[:NAMED])}家停止研发企业",
        cols,
        rows[:NAMED],
        sheet="停止研发企业前列",
    )


def completeness_section(doc: Document, d: dict[str, Any]) -> None:
    """五 数据报送完整率: expected, on time, late and missing against the enterprises' due
    date (报送截止), with the Chinese status names."""
    doc.heading("数据报送完整率")
    rows = d["completeness"]
    expected, received, on_time, late, missing = (
        sum(r.get(k, 0) for r in rows)
        for k in ("expected", "received", "on_time", "late", "missing")
    )
    done = [r["name"] for r in rows if r["status"] != "approved"]
    due = next((r.get("due") for r in rows if r.get("due")), None)
    doc.para(
        f"{_span(d)}全市应报企业{expected:,}家, 已报{received:,}家"
        + (f"(报送截止{date_zh(due)})" if due else "")
        + f", 其中按时报送{on_time:,}家、逾期报送{late:,}家, 未报{missing:,}家, "
        + (f"完整率{received / expected:.1%}" if expected else "完整率—")
        + ("; 各区县(市)均已审核锁定。" if not done else f"; {'、'.join(done)}尚未全部审核。")
    )
    _table(
        doc,
        "分区县(市)数据报送完整率",
        [
            Column("区县(市)"),
            Column("应报(家)", "int"),
            Column("已报(家)", "int"),
            Column("按时(家)", "int"),
            Column("逾期(家)", "int"),
            Column("未报(家)", "int"),
            Column("完整率", "pct1"),
            Column("审核状态"),
        ],
        [
            (
                r["name"],
                r["expected"],
                r["received"],
                r.get("on_time"),
                r.get("late"),
                r.get("missing"),
                r["rate"],
                _status_zh(r["status"]),
            )
            for r in rows
        ],
        sheet="报送完整率",
    )


def _status_zh(status: str) -> str:
    return STATUS_NAMES.get(status, (status, status))[0]


def tasks_section(doc: Document, d: dict[str, Any]) -> None:
    """六 重点任务进展 and 需督办的任务, with Chinese state names."""
    t = d["tasks"]
    doc.heading("重点任务进展")
    when = label_zh(t["period"]) if t.get("period") else "本期"
    if t["plan_progress"] is not None:
        doc.para(
            f"截至{when}, 重点任务总体进度{t['plan_progress']:.1f}%, "
            f"{len(t['flagged'])}项任务存在里程碑逾期、本期未报告或量化目标滞后等情况。"
        )
    doc.heading("各工程进展", 2)
    _table(
        doc,
        "重点工程进展情况",
        [Column("序号", "int", width=0.6), Column("工程", width=5), Column("进度(%)", "num1")],
        [(k, p["title"], p["progress"]) for k, p in enumerate(t["programmes"], 1)],
        sheet="重点任务进展",
    )
    _landmarks(doc, d.get("landmarks") or [])
    doc.heading("需督办的任务", 2)
    if not t["flagged"]:
        doc.para("本期没有需督办的任务。")
        return
    _table(
        doc,
        "需督办的任务",
        [
            Column("序号", "int", width=0.6),
            Column("任务", width=3.5),
            Column("牵头单位", width=2),
            Column("问题", width=1.8),
        ],
        [
            (k, f["title"], f["lead"], "、".join(f.get("states_zh") or f["states"]))
            for k, f in enumerate(t["flagged"], 1)
        ],
        sheet="需督办任务",
    )


def _landmarks(doc: Document, marks: list[dict[str, Any]]) -> None:
    """标志性成果: each against its target with the verdict of what counts it (the task
    target's or guarantee rule's, as on the task pages)."""
    if not marks:
        return
    doc.heading("标志性成果", 2)
    _table(
        doc,
        "标志性成果进展",
        [
            Column("序号", "int", width=0.6),
            Column("标志性成果", width=2.6),
            Column("当前", width=2),
            Column(f"目标({marks[0]['target_year']}年)", width=1.4),
            Column("评估", width=1.1),
        ],
        [
            (
                k,
                m["title"],
                "—" if m["value"] is None else f"{m['value']:,.0f}{m['unit'] or ''}({m['year']}年)",
                "—" if m["target"] is None else f"{m['target']:,.0f}{m['unit'] or ''}",
                m["verdict_zh"],
            )
            for k, m in enumerate(marks, 1)
        ],
        sheet="标志性成果",
        note="".join(f"{m['title']}：{m['reason_zh']}" for m in marks if m["reason_zh"]),
    )
