"""The supervision report (督办清单): per responsible unit, its tasks with overdue milestones
(and by how many days), without a report this period or behind their target path, with the
reminders already sent. One :class:`~yanzhi.reports.document.Document` written as Word, PDF
and Excel; every number comes from ``services.tasks.supervise`` (the same list the web's
督办 page shows), as a dict (``SupervisionList.to_dict()`` or the view's model dump)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from yanzhi.core.periods import label_zh
from yanzhi.core.tasks import AUTO_STATE_LABELS, AutoState
from yanzhi.reports import render_docx, render_html, render_xlsx
from yanzhi.reports.document import Column, Document, date_zh, issuer

STATES = [s.value for s in AutoState]
DEFAULT_ISSUER = "科技创新工作领导小组办公室"


def _date(iso: str | None) -> str:
    return "—" if not iso else date_zh(dt.date.fromisoformat(iso[:10]))


def _state_zh(state: str) -> str:
    return AUTO_STATE_LABELS[AutoState(state)][0]


def _states(t: dict[str, Any]) -> str:
    return "、".join(t.get("state_labels_zh") or [_state_zh(s) for s in t["states"]])


def _latest(t: dict[str, Any]) -> str:
    last = t.get("latest")
    if not last:
        return "尚未报告"
    text = f"{label_zh(last['period'])}：{last['status_label_zh']}，进度{last['progress']:.0f}%"
    if last.get("delay_reason"):
        text += f"；延误原因：{last['delay_reason'].removeprefix('演示:')}"
    return text


def _milestones(t: dict[str, Any]) -> str:
    ms = t["overdue_milestones"]
    return "；".join(
        f"{m.get('title') or m['code']}(应于{_date(m['due'])}完成"
        + (f"，逾期{_days(m)}天)" if len(ms) > 1 else ")")
        for m in ms
    )


def _days(m: dict[str, Any]) -> int:
    return int(m["days_overdue"])


def max_overdue(t: dict[str, Any]) -> int | None:
    """The most days any of the task's milestones is overdue (None: none overdue)."""
    days = [_days(m) for m in t["overdue_milestones"]]
    return max(days) if days else None


def _reminded(t: dict[str, Any]) -> str:
    rs = t["reminders"]
    if not rs:
        return "未催办"
    return f"{len(rs)}次(最近{_date(max(r['reminded_at'] for r in rs))})"


def _count(unit: dict[str, Any], state: str) -> int:
    return sum(state in t["states"] for t in unit["tasks"])


def _summary_rows(d: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for u in d["units"]:
        days = [x for x in (max_overdue(t) for t in u["tasks"]) if x is not None]
        rows.append(
            [
                u["unit_name"],
                len(u["tasks"]),
                *(_count(u, s) for s in STATES),
                max(days) if days else None,
                sum(len(t["reminders"]) for t in u["tasks"]),
            ]
        )
    return rows


def _task_rows(unit: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            t["title"],
            _states(t),
            _milestones(t) or "—",
            max_overdue(t),
            _latest(t),
            _reminded(t),
        ]
        for t in unit["tasks"]
    ]


def _guarantees(doc: Document, g: dict[str, Any]) -> None:
    """保障措施落实情况: the rules a number checks, with the region's and the districts'
    verdicts (the view's :class:`~yanzhi.views.guarantees.Guarantees`, dumped)."""
    measured = [r for m in g["guarantees"] for r in m["rules"] if r.get("region")]
    other = [r for m in g["guarantees"] for r in m["rules"] if not r.get("region")]
    doc.heading("保障措施落实情况")
    doc.para(
        f"方案保障措施中可用数据衡量的要求{len(measured)}项，按年度统计数据评估"
        f"(基期{g['base_year']}年，评估到{g['as_of_year']}年，目标年{g['target_year']}年)；"
        f"其余{len(other)}项为制度、政策类要求，由任务督办和平台相应功能落实。"
    )
    for r in measured:
        u = r["region"]
        doc.heading(r["description"], 2)
        doc.para(f"{u['unit_name']}：{u['verdict_zh']}。{u['reason_zh']}")
        years = [p["year"] for p in u["years"] if p["year"] >= g["base_year"]]
        if not years:
            doc.para(f"{r['element_name']}暂无数据，请导入年度统计数据。", "note")
            continue
        rows = []
        for x in [u, *r["districts"]]:
            values = {p["year"]: p["value"] for p in x["years"]}
            rows.append(
                [
                    x["unit_name"],
                    *(values.get(y) for y in years),
                    None if x["average_growth_pct"] is None else x["average_growth_pct"] / 100,
                    x["verdict_zh"],
                ]
            )
        doc.table(
            f"{r['element_name']}({r['element_unit']})",
            [
                Column("地区", width=1.4),
                *(Column(f"{y}年", "num1") for y in years),
                Column("年均增速", "pct1"),
                Column("评估", width=1.2),
            ],
            rows,
            sheet=r["code"],
            note="注：年均增速为基期以来的年均增长率；“—”为无数据，不按零计。"
            + ("数据含演示(合成)数值。" if u.get("synthetic") else ""),
        )


def _reforms(doc: Document, r: dict[str, Any]) -> None:
    """重大改革与政策落实 (the view's :class:`~yanzhi.views.reforms.Reforms`, dumped)."""
    doc.heading("重大改革与政策落实")
    status = "、".join(f"{s}{n}项" for s, n in r["by_status"].items())
    doc.para(
        f"登记重大改革{len(r['reforms'])}项({status})，下一节点已逾期{r['overdue']}项；"
        f"政策文件{len(r['policies'])}件，应出台实施细则{r['rules_due']}项、已出台"
        f"{r['rules_issued']}项。"
    )
    late = [x for x in r["reforms"] if x["overdue"]]
    if late:
        doc.table(
            "节点逾期的重大改革",
            [
                Column("改革事项", width=3),
                Column("牵头单位", width=1.6),
                Column("推进状态", width=1),
                Column("下一节点", width=2.4),
                Column("节点时间", width=1.2),
            ],
            [
                [x["name"], x["lead"], x["status"], x["next_milestone"], _date(x["next_due"])]
                for x in late
            ],
            sheet="改革逾期",
        )
    rows = [
        [p["name"], x["year"], x["beneficiaries"], x["amount"], x["estimate"]]
        for p in r["policies"]
        for x in p["payouts"]
    ]
    if rows:
        doc.table(
            "政策兑现情况",
            [
                Column("政策", width=3),
                Column("年度", "year"),
                Column("受益企业(家)", "int"),
                Column("兑现金额(万元)", "num2"),
                Column("平台按规则测算(万元)", "num2"),
            ],
            rows,
            sheet="政策兑现",
            note="注：平台按规则测算为本平台按关联的企业政策规则(参数为本平台假设)对已审核数据"
            "的计算，用于对照实际兑现；未关联规则的政策记为“—”。",
        )


def _tech_lists(doc: Document, stages: list[dict[str, Any]]) -> None:
    """三张清单推进情况: each list's items by lifecycle stage (core/lifecycle.py), with the
    adopting enterprises of 推广 and the contract value of 转化, as the register page."""
    doc.heading("三张清单推进情况")
    total: dict[str, int] = {}
    for s in stages:
        total[s["list_name"]] = total.get(s["list_name"], 0) + s["count"]
    doc.para(
        "卡点清单、推广清单和转化清单按事项所处阶段统计："
        + "，".join(f"{name}{n}项" for name, n in total.items())
        + "。阶段及其允许的流转见平台台账说明。"
    )
    doc.table(
        "三张清单事项(按阶段)",
        [
            Column("清单", width=1.4),
            Column("阶段", width=1.6),
            Column("事项数", "int"),
            Column("应用企业(家)", "int"),
            Column("合同金额(万元)", "num2", width=1.4),
        ],
        [
            [
                s["list_name"],
                s["stage"],
                s["count"],
                s["adopters"] if s["list_code"] == "promotion" else None,
                s["contract_value"] if s["list_code"] == "transfer" else None,
            ]
            for s in stages
        ],
        sheet="三张清单",
        note="注：应用企业数仅推广清单登记，合同金额仅转化清单登记；“—”为未登记，不按零计。",
    )


def _statistic(concept: str, city: dict[str, Any], counts: list[dict[str, Any]]) -> str:
    """The official statistic beside the register count, as the indicator page shows it."""
    b = next((x for x in counts if x["concept"] == concept), None)
    if b is None or b["statistic"] is None:
        return "统计口径暂无数据。"
    share = city["now"] / b["statistic"] if b["statistic"] else None
    part = f"，名录口径为统计口径的{share:.0%}" if share is not None else ""
    source = "演示数据(合成)" if b["synthetic"] else b["statistic_source"]
    return (
        f"统计口径{b['statistic']:,.0f}家({b['statistic_year']}年末，来源：{source}){part}；"
        "上述翻番判断仅就平台名录内的企业而言。"
    )


def _cohort_row(u: dict[str, Any], hightech: bool) -> list[Any]:
    moves = [u["lapsed"], u["revoked"]] if hightech else []
    return [u["unit_name"], u["base"], u["target"], u["now"], u["entered"], u["left"], *moves,
            u["net"]]  # fmt: skip


def _doubling(doc: Document, c: dict[str, Any], counts: list[dict[str, Any]]) -> None:
    """科技型企业双倍增 (the cohort of :mod:`yanzhi.services.enterprises.doubling`, as the
    双倍增 page shows it): per concept the city and each district."""
    doc.heading("科技型企业双倍增")
    doc.para(
        f"按企业名录口径，以{c['start_year']}年末为基期，{c['end_year']}年翻番为目标，"
        "逐年统计新增、退出和净增；高企证书有效期3年，上年末所持证书已满3年而退出的计为"
        "到期未重新认定，其余退出计为撤销或取消。"
    )
    for k in c["concepts"]:
        city = k["city"]
        latest = next((y for y in reversed(city["years"]) if y["stock"] is not None), None)
        where = (
            f"{latest['year']}年末{latest['stock']:,}家，翻番路径应达{latest['path']:,.1f}家，"
            + ("达到路径" if latest["stock"] >= latest["path"] else "低于路径")
            if latest
            else "尚无年末数"
        )
        ahead = "，已超过目标" if city["now"] >= city["target"] else ""
        doc.para(
            f"{k['name']}：基期{city['base']:,}家，目标{city['target']:,}家，当前在册"
            f"{city['now']:,}家{ahead}；{where}。{_statistic(k['concept'], city, counts)}"
        )
        hightech = k["concept"] == "hightech"
        doc.table(
            f"{k['name']}双倍增进展(名录口径)",
            [
                Column("地区", width=1.4),
                Column("基期", "int"),
                Column("目标", "int"),
                Column("当前在册", "int"),
                Column("新增", "int"),
                Column("退出", "int"),
                *([Column("其中到期", "int"), Column("其中撤销", "int")] if hightech else []),
                Column("净增", "int"),
            ],
            [_cohort_row(u, hightech) for u in [city, *k["districts"]]],
            sheet=f"双倍增-{k['name']}",
            note="注：新增、退出、净增为基期以来累计；区县按企业现所在区县计。"
            + ("数据含演示(合成)数值。" if c.get("synthetic") else ""),
        )


def document(d: dict[str, Any]) -> Document:
    """The supervision report of ``d`` (the supervision list as a dict)."""
    units = d["units"]
    tasks = [t for u in units for t in u["tasks"]]
    today = dt.date.fromisoformat(d["today"])
    period = label_zh(d["period"])
    total = d.get("tasks_total")
    counts = {s: sum(s in t["states"] for t in tasks) for s in STATES}
    doc = Document(
        title="重点任务督办清单",
        subtitle=period,
        issuer=issuer(d.get("issuer") or DEFAULT_ISSUER),
        issued=today,
        cutoff=f"{date_zh(today)}(报告期：{period})",
        coverage=(
            f"计划重点任务{total}项全部按同一规则判定，"
            if total
            else "按同一规则判定全部重点任务，"
        )
        + f"本清单列出需督办的{len(tasks)}项，涉及{len(units)}个责任单位"
        + ("(仅含查阅者权限范围内的任务)" if "may_remind" in d else ""),
        synthetic=bool(d.get("synthetic")),
    )
    doc.heading("总体情况")
    oldest = max((x for x in (max_overdue(t) for t in tasks) if x is not None), default=None)
    text = (
        f"截至{date_zh(today)}，{period}共有{len(tasks)}项重点任务需督办，涉及{len(units)}个"
        f"责任单位。其中里程碑逾期{counts['overdue_milestone']}项、本期未报告进展"
        f"{counts['silent']}项、量化目标滞后于目标路径{counts['target_behind']}项"
        "(一项任务可同时存在多种情形)。"
    )
    if oldest is not None:
        text += f"里程碑逾期时间最长的为{oldest}天。"
    reminded = sum(bool(t["reminders"]) for t in tasks)
    text += f"已催办的任务{reminded}项，尚未催办{len(tasks) - reminded}项。"
    doc.para(text)
    doc.table(
        "各责任单位督办事项汇总",
        [
            Column("责任单位", width=2),
            Column("督办任务(项)", "int"),
            *(Column(AUTO_STATE_LABELS[AutoState(s)][0] + "(项)", "int") for s in STATES),
            Column("最长逾期天数", "int"),
            Column("已催办(次)", "int"),
        ],
        _summary_rows(d),
        sheet="汇总",
        note="注：最长逾期天数为该单位各任务中逾期最久的里程碑距截至日的天数；无逾期里程碑的记为“—”。",
    )
    doc.heading("分单位督办事项")
    for u in units:
        doc.heading(f"{u['unit_name']}({len(u['tasks'])}项)", 2)
        doc.table(
            f"{u['unit_name']}督办事项",
            [
                Column("任务", width=2.6),
                Column("督办事由", width=1.5),
                Column("逾期里程碑", width=2.8),
                Column("逾期天数", "int", width=1.1),
                Column("最新进展", width=3),
                Column("催办情况", width=1.2),
            ],
            _task_rows(u),
            sheet=u["unit_name"],
        )
    if d.get("reforms"):
        _reforms(doc, d["reforms"])
    if d.get("guarantees"):
        _guarantees(doc, d["guarantees"])
    if d.get("tech_lists"):
        _tech_lists(doc, d["tech_lists"])
    if d.get("doubling"):
        _doubling(doc, d["doubling"], d.get("counts") or [])
    doc.sources = [
        "各责任单位在平台报送的重点任务进展报告",
        "计划确定的任务里程碑及其完成情况",
        "量化目标按已审核监测数据的评估结果",
        "平台记录的催办情况",
        *(["重大改革、政策文件和政策兑现台账"] if d.get("reforms") else []),
        *(["年度统计数据(保障措施评估)"] if d.get("guarantees") else []),
        *(["三张清单台账"] if d.get("tech_lists") else []),
        *(["企业名录(高新技术企业、科技型中小企业标识及证书年份)"] if d.get("doubling") else []),
    ]
    doc.methods = [
        "督办事由由平台按统一规则自动判定：任务有里程碑在应完成日期前未标记完成的，为"
        "“里程碑逾期”(里程碑未写明日期的，以当年12月31日为应完成日期)；本报告期内未报送"
        "进展报告的，为“本期未报告”(已完成或暂缓的任务不要求报告)；任务关联的量化目标按"
        "目标路径评估为需加快推进或更差的，为“量化目标滞后”。",
        "保障措施中的年均增长要求按复合增长路径、规模目标按直线路径，计算截至最近一个完整"
        "年度完成应有进度的比例：95%以上为预计达标，60%至95%为存在风险，60%以下为难以达标；"
        "目标年已到且达到要求的为已达标。",
        "逾期天数为截至日与里程碑应完成日期相差的天数；一项任务有多个逾期里程碑的，"
        "“逾期天数”取其中最长者。最新进展为该任务最近一次进展报告的报告期、推进状态和自报进度。",
    ]
    return doc


def write_docx(d: dict[str, Any], out: Path) -> Path:
    """The supervision report as a Word document."""
    return render_docx.write(document(d), out)


def write_pdf(d: dict[str, Any], out: Path) -> Path:
    """The supervision report as a PDF."""
    return render_html.write_pdf(document(d), out)


def write_xlsx(d: dict[str, Any], out: Path) -> Path:
    """The supervision report as a workbook (说明, 正文, 汇总 and one sheet per unit)."""
    return render_xlsx.write(document(d), out)


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
