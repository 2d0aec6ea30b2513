"""A :class:`~yanzhi.reports.document.Document` as HTML: a whole printable page for the PDF
(WeasyPrint; A4 in the GB/T 9704 margins, "— 1 —" page numbers, the 演示 label at the top
of every page) and a fragment for the web preview. Both come from :func:`body`, so the
preview shows what the PDF prints."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from yanzhi.reports.document import (
    SYNTHETIC_LABEL,
    Block,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    closing_blocks,
    date_zh,
    front_matter,
    numbered,
)
from yanzhi.reports.fonts import cjk_font

esc = html.escape

BODY_FONTS = '"FangSong", "仿宋", "Noto Serif CJK SC"'
HEADING_FONTS = '"SimHei", "黑体", "Noto Sans CJK SC"'


def body(doc: Document) -> str:
    """The document's content as HTML (no page furniture), the same for PDF and preview."""
    doc = doc.typeset()
    parts = [f'<h1 class="doc-title">{esc(doc.title)}</h1>']
    if doc.subtitle:
        parts.append(f'<p class="doc-subtitle">{esc(doc.subtitle)}</p>')
    for i, line in enumerate(front_matter(doc)):
        cls = "doc-synthetic" if doc.synthetic and i == 0 else "doc-lead"
        parts.append(f'<p class="{cls}">{esc(line)}</p>')
    counts = {"table": 0, "figure": 0}
    parts += _blocks([*doc.blocks, *closing_blocks(doc)], counts)
    parts.append(f'<p class="doc-sign">{esc(doc.issuer)}<br>{esc(date_zh(doc.issued))}</p>')
    if doc.appendix:
        parts.append('<div class="doc-appendix">')
        parts += _blocks(doc.appendix, counts)
        parts.append("</div>")
    return "\n".join(parts)


def _blocks(blocks: list[Block], counts: dict[str, int]) -> list[str]:
    out = []
    for block, label in numbered(blocks):
        if isinstance(block, Heading):
            level = 1 if block.text == "说明" else min(block.level, 4)
            out.append(
                f'<h{level + 1} class="doc-h{level}">{esc(label + block.text)}</h{level + 1}>'
            )
        elif isinstance(block, Paragraph):
            out.append(f'<p class="doc-{block.style}">{esc(block.text)}</p>')
        elif isinstance(block, Table):
            counts["table"] += 1
            out.append(_table(block, counts["table"]))
        elif isinstance(block, Figure):
            counts["figure"] += 1
            data = base64.b64encode(block.png).decode()
            out.append(
                f'<figure class="doc-figure"><img alt="{esc(block.caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>图{counts["figure"]}  '
                f"{esc(block.caption)}</figcaption></figure>"
            )
        elif isinstance(block, PageBreak):
            out.append('<div class="doc-break"></div>')
    return out


def _table(t: Table, n: int) -> str:
    head = "".join(f"<th>{esc(c.title)}</th>" for c in t.columns)
    rows = []
    for texts in t.texts():
        cells = "".join(
            f'<td class="{"t" if c.fmt == "text" else "n"}">{esc(x)}</td>'
            for x, c in zip(texts, t.columns, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    note = f'<p class="doc-table-note">{esc(t.note)}</p>' if t.note else ""
    cols, fixed = "", ""
    if any(c.width for c in t.columns):  # widths given: a fixed layout (no measuring pass)
        weights = [c.width or 1.0 for c in t.columns]
        cols = "".join(f'<col style="width:{100 * w / sum(weights):.1f}%">' for w in weights)
        cols, fixed = f"<colgroup>{cols}</colgroup>", " doc-fixed"
    return (
        f'<div class="doc-table-wrap"><table class="doc-table{fixed}"><caption>表{n}  '
        f"{esc(t.caption)}</caption>{cols}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        f"</tbody></table>{note}</div>"
    )


def css(*, print_: bool, synthetic: bool = False) -> str:
    """The document's style sheet (``print_``: with the A4 page rules; ``synthetic``: the
    演示 label at the top of every printed page)."""
    fallback = f', "{cjk_font()}"' if cjk_font() else ""
    label = (
        f'@top-center {{ content: "{SYNTHETIC_LABEL}"; color: #b45309; font-size: 10.5pt; }}'
        if synthetic
        else ""
    )
    page = (
        f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-size: 14pt; }} {label} }}
.doc-appendix {{ break-before: page; }}
.doc-break {{ break-after: page; }}
"""
        if print_
        else ".doc .doc-table-wrap { overflow-x: auto; }\n"
    )
    return (
        page
        + f"""
.doc {{ font-family: {BODY_FONTS}{fallback}, serif; font-size: 16pt; line-height: 28pt;
  color: #111; }}
.doc h1, .doc h2, .doc h3, .doc h4, .doc h5 {{ font-size: 16pt; margin: 0; font-weight: normal;
  text-indent: 2em; line-height: 28pt; break-after: avoid; }}
.doc .doc-title {{ font-family: {HEADING_FONTS}{fallback}; font-size: 22pt; line-height: 1.5;
  text-align: center; text-indent: 0; margin: 0 0 18pt; }}
.doc .doc-subtitle {{ text-align: center; margin: 0 0 6pt; }}
.doc .doc-lead {{ font-size: 14pt; line-height: 24pt; margin: 0; text-align: left; }}
.doc .doc-synthetic {{ font-size: 14pt; font-weight: bold; color: #b45309; text-align: center;
  margin: 0 0 6pt; }}
.doc .doc-h1 {{ font-family: {HEADING_FONTS}{fallback}, sans-serif; margin-top: 8pt; }}
.doc .doc-h2 {{ font-family: "KaiTi", "楷体"{fallback}, serif; }}
.doc .doc-h3 {{ font-weight: bold; }}
.doc p {{ margin: 0; text-indent: 2em; text-align: justify; }}
.doc p.doc-note {{ font-size: 14pt; line-height: 24pt; text-align: left; }}
.doc p.doc-emphasis {{ font-weight: bold; }}
.doc p.doc-lead, .doc p.doc-synthetic, .doc p.doc-subtitle {{ text-indent: 0; }}
.doc .doc-sign {{ text-align: right; text-indent: 0; margin-top: 28pt; }}
.doc .doc-table-wrap {{ margin: 6pt 0 10pt; }}
.doc table.doc-table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt;
  line-height: 1.35; }}
.doc table.doc-table.doc-fixed {{ table-layout: fixed; }}
.doc table.doc-table caption {{ font-family: {HEADING_FONTS}{fallback}, sans-serif;
  font-size: 12pt; padding: 4pt 0; }}
.doc table.doc-table th {{ font-weight: bold; background: #eef2f7; }}
.doc table.doc-table th, .doc table.doc-table td {{ border: 0.5pt solid #555; padding: 2pt 4pt;
  }}
.doc table.doc-table td.n {{ text-align: right; white-space: nowrap; }}
.doc table.doc-table thead {{ display: table-header-group; }}
.doc table.doc-table tr {{ break-inside: avoid; }}
.doc .doc-table-note {{ font-size: 10.5pt; line-height: 1.4; text-indent: 0; }}
.doc figure.doc-figure {{ margin: 6pt 0; text-align: center; break-inside: avoid; }}
.doc figure.doc-figure img {{ max-width: 100%; }}
.doc figure.doc-figure figcaption {{ font-family: {HEADING_FONTS}{fallback}, sans-serif;
  font-size: 12pt; }}
"""
    )


def page(doc: Document) -> str:
    """A whole printable HTML page (for the PDF)."""
    style = css(print_=True, synthetic=doc.synthetic)
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(doc.title)}'
        f'</title><style>{style}</style></head><body class="doc">{body(doc)}</body></html>'
    )


def preview(doc: Document) -> str:
    """The document as an HTML fragment for the web page (styles in the page's CSS)."""
    return f'<article class="doc doc-preview" lang="zh-CN">{body(doc)}</article>'


def write_pdf(doc: Document, out: Path) -> Path:
    """Write ``doc`` to ``out`` as PDF."""
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=page(doc)).write_pdf(str(out))
    return out
