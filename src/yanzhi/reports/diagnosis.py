"""The one-page enterprise diagnosis an officer hands over (docx and PDF); every number
comes from services.enterprises.diagnose."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

from yanzhi.reports.docx_base import new_document
from yanzhi.reports.fonts import cjk_font
from yanzhi.services.enterprises.results import Diagnosis


def _rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    last, p = d["latest"], d["peers"]
    rows = [
        ("报告期 / period", d["basis"]),
        ("研发费用 / R&D expense", f"{last['rd_expense']:,.1f} 万元"),
        ("营业收入 / revenue", f"{last['operating_revenue']:,.1f} 万元"),
        ("研发投入强度 / intensity", f"{(last['intensity'] or 0):.2%}"),
        ("同行分位(全市)/ city percentile", _pct(p["city_percentile"], p["city_peers"])),
        (
            "同行分位(区县)/ district percentile",
            _pct(p["district_percentile"], p["district_peers"]),
        ),
    ]
    for g in d["gaps"].values():
        rows.append(
            (
                f"距 {g['threshold']:.1%} 需增加研发 / to reach {g['threshold']:.1%}",
                "已达到 reached" if g["reached"] else f"{g['extra_rd_expense']:,.1f} 万元",
            )
        )
    return rows


def _pct(value: float | None, n: int) -> str:
    return "—" if value is None else f"{value:.0f}% (n={n})"


def _benefits(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            b["name"] + ("(参数待本地设定)" if b["set_locally"] else ""),
            f"{b['amount']:,.2f} 万元" if b["eligible"] else "不符合 / not eligible",
            b["explanation"],
        )
        for b in d["policies"]["benefits"]
    ]


def _title(d: dict[str, Any]) -> str:
    return f"企业研发诊断报告 — {d['enterprise']['name']}"


def write_docx(d: dict[str, Any], out: Path) -> Path:
    doc = new_document()
    doc.add_heading(_title(d), level=1)
    e = d["enterprise"]
    synthetic = " · 示例数据(synthetic)" if e["synthetic"] else ""
    doc.add_paragraph(
        f"统一社会信用代码 {e['uscc']} · {e['district']} {e['township']} · 行业 "
        f"{e['industry_code']}{synthetic}"
    )
    table = doc.add_table(rows=0, cols=2)
    for k, v in _rows(d):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, v
    doc.add_heading("预警 / warnings", level=2)
    for w in d["warnings"] or [{"message_zh": "无", "message_en": "none"}]:
        doc.add_paragraph(f"{w['message_zh']} / {w['message_en']}", style="List Bullet")
    doc.add_heading(f"可享受政策({d['policies']['year']}年)/ policies", level=2)
    pt = doc.add_table(rows=0, cols=3)
    for row in _benefits(d):
        for cell, text in zip(pt.add_row().cells, row, strict=True):
            cell.text = text
    doc.add_paragraph(
        f"规则版本 {d['policies']['rules_version']} · 生成于 {dt.date.today().isoformat()} · yanzhi"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def to_html(d: dict[str, Any]) -> str:
    font = cjk_font() or "sans-serif"
    esc = html.escape
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _rows(d))
    warns = (
        "".join(f"<li>{esc(w['message_zh'])} / {esc(w['message_en'])}</li>" for w in d["warnings"])
        or "<li>无 / none</li>"
    )
    bens = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in _benefits(d)
    )
    e = d["enterprise"]
    synthetic = '<p class="synthetic">示例数据 synthetic</p>' if e["synthetic"] else ""
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 18mm; }}
body {{ font-family: "{font}"; font-size: 10.5pt; }}
h1 {{ font-size: 16pt; }} th {{ text-align: left; padding-right: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }} td, th {{ padding: 2px 6px; }}
.synthetic {{ color: #b45309; font-weight: bold; }}
</style></head><body><h1>{esc(_title(d))}</h1>{synthetic}
<p>统一社会信用代码 {esc(e["uscc"])} · {esc(str(e["district"]))} {esc(str(e["township"]))}</p>
<table>{rows}</table><h2>预警 / warnings</h2><ul>{warns}</ul>
<h2>可享受政策 / policies ({d["policies"]["year"]})</h2><table>{bens}</table>
<p>规则版本 {esc(d["policies"]["rules_version"])} · yanzhi</p></body></html>"""


def write_pdf(d: dict[str, Any], out: Path) -> Path:
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=to_html(d)).write_pdf(str(out))
    return out


def write(diagnosis: Diagnosis, out: Path) -> Path:
    """The one-page report of ``diagnosis`` at ``out`` (.docx or .pdf)."""
    d = diagnosis.to_dict()
    if out.suffix.lower() == ".docx":
        return write_docx(d, out)
    if out.suffix.lower() == ".pdf":
        return write_pdf(d, out)
    raise ValueError(f"--out must end in .docx or .pdf, not {out.suffix!r} / 仅支持 docx 或 pdf")


WRITERS = {
    "docx": lambda diagnosis, out: write_docx(diagnosis.to_dict(), out),
    "pdf": lambda diagnosis, out: write_pdf(diagnosis.to_dict(), out),
}
