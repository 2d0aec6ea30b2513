"""The enterprise diagnosis an officer hands over (企业研发诊断报告): the enterprise, its R&D
intensity by year, where it stands among its peers, the gap to the plan's targets, the
warnings and what each policy is worth. One :class:`~yanzhi.reports.document.Document`
written as Word, PDF and Excel; every number comes from ``services.enterprises.diagnose``
(the same result the enterprise page and the API show)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from yanzhi.core.dataformats import SIZE_LABELS
from yanzhi.core.periods import label_zh, parse_period
from yanzhi.ingest.industry import division_names, load_industry_classes
from yanzhi.reports import render_docx, render_html, render_xlsx
from yanzhi.reports.document import Column, Document, date_zh, issuer
from yanzhi.services.enterprises.results import Diagnosis

DEFAULT_ISSUER = "科技主管部门"
PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}(-\d{2}(\.\.\d{2})?|Q[1-4]))\s?")
TARGETS = {0.034: "实施方案研发投入强度目标", 0.05: "研发投入强度优先支持线"}


def _periods_zh(text: str) -> str:
    """Period codes and dates in a text as Chinese (2026-01..11 → 2026年1-11月,
    2023-03-26 → 2023年3月26日)."""
    return PERIOD.sub(lambda m: _period_zh(m.group(1)), text)


def _period_zh(code: str) -> str:
    if len(code) == 10 and code[7] == "-":
        return date_zh(dt.date.fromisoformat(code))
    return label_zh(code)


def industry_zh(code: str) -> str:
    """An industry class as 电气机械和器材制造业 · 电工仪器仪表制造(3822)."""
    known = load_industry_classes().get(code)
    division = division_names().get(code[:2], "")
    name = known.name if known else ""
    return "·".join(x for x in (division, name) if x) + f"({code})" if division or name else code


def _qualifications(e: dict[str, Any]) -> str:
    found = []
    if e["hightech"]:
        year = e.get("hightech_cert_year")
        found.append("高新技术企业" + (f"({year}年认定)" if year else ""))
    for key, zh in (
        ("tech_sme", "科技型中小企业"),
        ("specialised", "专精特新企业"),
        ("champion", "单项冠军企业"),
        ("above_size_industrial", "规模以上工业企业"),
    ):
        if e[key]:
            found.append(zh)
    return "、".join(found) or "—"


def _record_rows(e: dict[str, Any]) -> list[list[Any]]:
    return [
        ["企业名称", e["name"]],
        ["统一社会信用代码", e["uscc"]],
        ["所在地", f"{e['district'] or ''}{e['township']}"],
        ["所属行业", industry_zh(e["industry_code"])],
        ["企业规模", SIZE_LABELS.get(e["size_class"] or "", "—")],
        ["成立年份", f"{e['founded_year']}年" if e["founded_year"] else "—"],
        ["企业资质", _qualifications(e)],
    ]


def _year(period: str) -> int:
    return parse_period(period).year


def _peer_rows(d: dict[str, Any]) -> list[list[Any]]:
    p, e = d["peers"], d["enterprise"]
    return [
        ["全市", p["city_peers"], p["city_percentile"]],
        [e["district"] or "所在区县", p["district_peers"], p["district_percentile"]],
    ]


def _gap_rows(d: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            TARGETS.get(round(g["threshold"], 4), "研发投入强度目标"),
            g["threshold"],
            "已达到" if g["reached"] else "未达到",
            None if g["reached"] else g["extra_rd_expense"],
        ]
        for g in d["gaps"].values()
    ]


def _benefit_rows(d: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            b["name"] + ("(参数待本地设定)" if b["set_locally"] else ""),
            "符合" if b["eligible"] else "不符合",
            b["amount"] if b["eligible"] and b["amount"] else None,
            _periods_zh(b["explanation"]),
        ]
        for b in d["policies"]["benefits"]
    ]


def _standing(d: dict[str, Any]) -> str:
    p, e = d["peers"], d["enterprise"]
    group = p.get("group_zh") or "同行业同规模企业"
    parts = []
    for where, pct, n in (
        ("全市", p["city_percentile"], p["city_peers"]),
        (e["district"] or "所在区县", p["district_percentile"], p["district_peers"]),
    ):
        if pct is None:
            parts.append(f"{where}无可比同行")
        else:
            parts.append(
                f"在{where}{n}家同行中，研发投入强度不低于{pct:.0f}%的同行"
                f"(即约有{100 - pct:.0f}%的同行高于该企业)"
            )
    return f"同行为{group}。{d['year']}年全年，该企业" + "；".join(parts) + "。"


def document(diagnosis: Diagnosis | dict[str, Any]) -> Document:
    """The diagnosis report of one enterprise."""
    d = diagnosis.to_dict() if isinstance(diagnosis, Diagnosis) else diagnosis
    e, last, pol = d["enterprise"], d["latest"], d["policies"]
    ytd = d["intensity"]["ytd"]
    cutoff = f"{label_zh(d['basis'])}(全年报表)"
    if ytd and parse_period(ytd[-1]["period"]) > parse_period(d["basis"]):
        cutoff += f"；最新累计报表为{label_zh(ytd[-1]['period'])}"
    doc = Document(
        title="企业研发诊断报告",
        subtitle=e["name"],
        issuer=issuer(DEFAULT_ISSUER),
        issued=dt.date.today(),
        cutoff=cutoff,
        coverage=(
            f"该企业已报送研发报表{e['reports']}期；同行比较覆盖{d['year']}年全市同组企业"
            f"{d['peers']['city_peers']}家、所在区县{d['peers']['district_peers']}家"
        ),
        synthetic=bool(e["synthetic"] or pol.get("synthetic")),
    )
    doc.heading("企业基本情况")
    doc.table("企业基本情况", [Column("项目", width=1), Column("内容", width=3)], _record_rows(e))
    doc.heading("研发投入情况")
    text = (
        f"{label_zh(d['basis'])}，该企业研发费用{last['rd_expense']:,.2f}万元，营业收入"
        f"{last['operating_revenue']:,.2f}万元，研发投入强度"
        + ("—" if last["intensity"] is None else f"{last['intensity']:.2%}")
        + "。"
    )
    if ytd:
        y = ytd[-1]
        text += (
            f"{label_zh(y['period'])}累计研发费用{y['rd_expense']:,.2f}万元，营业收入"
            f"{y['operating_revenue']:,.2f}万元，研发投入强度"
            + ("—" if y["intensity"] is None else f"{y['intensity']:.2%}")
            + "。"
        )
    doc.para(text)
    doc.table(
        "历年研发投入",
        [
            Column("年度", "year"),
            Column("研发费用(万元)", "num2"),
            Column("营业收入(万元)", "num2"),
            Column("研发投入强度", "pct2"),
        ],
        [
            [_year(r["period"]), r["rd_expense"], r["operating_revenue"], r["intensity"]]
            for r in d["intensity"]["annual"]
        ],
        sheet="历年研发投入",
    )
    doc.heading("同行比较")
    doc.para(_standing(d))
    doc.table(
        "同行比较",
        [Column("比较范围"), Column("同行企业(家)", "int"), Column("分位数", "num1")],
        _peer_rows(d),
        note="注：分位数为研发投入强度不高于该企业的同行所占百分比，越高越靠前；无可比同行的记为“—”。",
    )
    doc.heading("与强度目标的差距")
    doc.table(
        "与研发投入强度目标的差距",
        [
            Column("目标"),
            Column("目标强度", "pct1"),
            Column("是否达到"),
            Column("需增加研发费用(万元)", "num2"),
        ],
        _gap_rows(d),
        sheet="目标差距",
        note="注：按当前营业收入测算；已达到的不列需增加额。",
    )
    doc.heading("预警提示")
    for w in d["warnings"]:
        doc.para(_periods_zh(w["message_zh"]) + "。")
    if not d["warnings"]:
        doc.para("无预警。")
    doc.heading(f"可享受政策测算({pol['year']}年)")
    worth = sum(b["amount"] for b in pol["benefits"] if b["eligible"])
    doc.table(
        f"{pol['year']}年可享受政策测算",
        [
            Column("政策", width=2.2),
            Column("是否符合", width=1),
            Column("测算金额(万元)", "num2", width=1.3),
            Column("测算说明", width=3.2),
        ],
        _benefit_rows(d),
        sheet="政策测算",
        note=f"注：符合条件的政策测算金额合计{worth:,.2f}万元；测算金额为“—”的为不符合条件"
        "或非资金类支持；标注“参数待本地设定”的政策采用暂定参数，以本地正式文件为准。",
    )
    doc.sources = [
        f"该企业在平台报送的研发费用和营业收入报表(截至{cutoff})",
        f"同行企业{d['year']}年全年研发报表",
        *(f"{b['name']}：{_periods_zh(b['source'])}" for b in pol["benefits"]),
    ]
    doc.methods = [
        "研发投入强度＝研发费用÷营业收入；年度数据取各年1-12月累计报表。",
        "同行比较的同行为与该企业属于同一国民经济行业大类(GB/T 4754—2017 两位代码)且企业"
        f"规模相同的企业，按{d['year']}年全年报表计算各企业研发投入强度；分位数为研发投入"
        "强度不高于该企业的同行所占百分比(0至100)，区县比较只取同一区县内的同行；未报送"
        "营业收入的企业不参与比较。",
        "与目标的差距＝目标强度×营业收入－研发费用(营业收入不变时需增加的研发费用)。",
        f"政策测算按政策规则(版本{pol['rules_version']})以{pol['year']}年全年报表计算，为"
        "测算值，实际享受以主管部门审核为准。",
    ]
    return doc


def write_docx(diagnosis: Diagnosis | dict[str, Any], out: Path) -> Path:
    """The diagnosis as a Word document."""
    return render_docx.write(document(diagnosis), out)


def write_pdf(diagnosis: Diagnosis | dict[str, Any], out: Path) -> Path:
    """The diagnosis as a PDF."""
    return render_html.write_pdf(document(diagnosis), out)


def write_xlsx(diagnosis: Diagnosis | dict[str, Any], out: Path) -> Path:
    """The diagnosis as a workbook."""
    return render_xlsx.write(document(diagnosis), out)


WRITERS = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}


def write(diagnosis: Diagnosis, out: Path) -> Path:
    """The report of ``diagnosis`` at ``out`` (.docx, .pdf or .xlsx by its suffix)."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in WRITERS:
        raise ValueError(
            f"--out must end in .docx, .pdf or .xlsx, not {out.suffix!r} / 仅支持 docx、pdf 或 xlsx"
        )
    return WRITERS[fmt](diagnosis, out)
