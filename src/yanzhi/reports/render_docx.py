"""A :class:`~yanzhi.reports.document.Document` as a Word file in the layout of Chinese
official documents (GB/T 9704-2012): A4 with 37/35/28/26 mm margins, the title in
小标宋 2号 centred, the body in 仿宋 3号 at a fixed 28 pt line, 一级 headings in 黑体,
二级 in 楷体, 三级 in bold 仿宋, page numbers "— 1 —" in the footer, the issuing unit and
date at the end. Everything is written through named Word styles (标题, 正文, 表格文字,
图表标题, 说明文字, 落款 …) so a bureau restyles the file in Word; with a template
(``YANZHI_DOCX_TEMPLATE``) its styles, letterhead and margins win and only missing styles
are added. Demo data put the 演示 label in every page's header."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docx import Document as open_docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from yanzhi import config
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

LATIN = "Times New Roman"
# name → (East Asian font, size pt, bold, alignment, first-line indent in characters)
STYLES: dict[str, tuple[str, float, bool, str, float]] = {
    "文件标题": ("方正小标宋简体", 22, False, "center", 0),
    "副标题": ("楷体", 16, False, "center", 0),
    "正文": ("仿宋", 16, False, "justify", 2),
    "一级标题": ("黑体", 16, False, "left", 2),
    "二级标题": ("楷体", 16, False, "left", 2),
    "三级标题": ("仿宋", 16, True, "left", 2),
    "四级标题": ("仿宋", 16, False, "left", 2),
    "提要": ("仿宋", 14, False, "left", 0),
    "演示标注": ("黑体", 14, True, "center", 0),
    "图表标题": ("黑体", 12, False, "center", 0),
    "表格文字": ("仿宋", 10.5, False, "center", 0),
    "表注": ("仿宋", 10.5, False, "left", 0),
    "说明文字": ("仿宋", 14, False, "justify", 2),
    "落款": ("仿宋", 16, False, "right", 0),
    "页码": ("宋体", 14, False, "center", 0),
}
HEADING_STYLES = ("一级标题", "二级标题", "三级标题", "四级标题")
ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def write(doc: Document, out: Path, template: Path | None = None) -> Path:
    """Write ``doc`` to ``out`` (.docx)."""
    doc = doc.typeset()
    chosen = template or config.settings().docx_template
    word = open_docx(str(chosen)) if chosen is not None else open_docx()
    _styles(word, restyle=chosen is None)
    section = word.sections[0]
    if chosen is None:
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _header_footer(word, doc.synthetic)
    width = (
        (section.page_width or Cm(21.0)) - (section.left_margin or 0) - (section.right_margin or 0)
    )

    word.add_paragraph(doc.title, style="文件标题")
    if doc.subtitle:
        word.add_paragraph(doc.subtitle, style="副标题")
    for i, line in enumerate(front_matter(doc)):
        word.add_paragraph(line, style="演示标注" if doc.synthetic and i == 0 else "提要")
    counts = {"table": 0, "figure": 0}
    _blocks(word, [*doc.blocks, *closing_blocks(doc)], counts, width)
    _signature(word, doc)
    if doc.appendix:
        word.add_section(WD_SECTION.NEW_PAGE)
        _blocks(word, doc.appendix, counts, width)
    out.parent.mkdir(parents=True, exist_ok=True)
    word.save(str(out))
    return out


def _blocks(word: Any, blocks: list[Block], counts: dict[str, int], width: Any) -> None:
    for block, label in numbered(blocks):
        if isinstance(block, Table):
            counts["table"] += 1
            _table(word, block, counts["table"], width)
        elif isinstance(block, Figure):
            counts["figure"] += 1
            _figure(word, block, counts["figure"], width)
        else:
            _text(word, block, label)


def _text(word: Any, block: Heading | Paragraph | PageBreak, label: str) -> None:
    if isinstance(block, PageBreak):
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    elif isinstance(block, Heading):
        style = "一级标题" if block.text == "说明" else HEADING_STYLES[min(block.level, 4) - 1]
        word.add_paragraph(label + block.text, style=style)
    else:
        style = {"body": "正文", "note": "说明文字", "emphasis": "正文"}[block.style]
        p = word.add_paragraph(style=style)
        run = p.add_run(block.text)
        run.bold = block.style == "emphasis"


def _table(word: Any, table: Table, n: int, width: Any) -> None:
    """The caption, the table (header row repeated on every page) and the note. The table is
    written as one piece of WordprocessingML: adding cells one by one through python-docx
    costs about 1.5 ms a cell (several seconds for a report of a few thousand cells)."""
    caption = _styled(word.add_paragraph(f"表{n}  {table.caption}"), word, "图表标题")
    caption.paragraph_format.keep_with_next = True
    weights = [c.width or 1.0 for c in table.columns]
    twips = [int(width * w / sum(weights) / 635) for w in weights]  # EMU → twentieths of pt
    style = _style_id(word, "表格文字")
    grid = "".join(f'<w:gridCol w:w="{t}"/>' for t in twips)
    head = "".join(
        _cell_xml(c.title, style, t, "center", bold=True)
        for c, t in zip(table.columns, twips, strict=True)
    )
    rows = [f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{head}</w:tr>']
    for texts in table.texts():
        cells = "".join(
            _cell_xml(text, style, t, "left" if c.fmt == "text" and len(text) > 8 else "center")
            for text, c, t in zip(texts, table.columns, twips, strict=True)
        )
        rows.append(f"<w:tr>{cells}</w:tr>")
    try:
        grid_style = f'<w:tblStyle w:val="{_table_style_id(word)}"/>'
    except KeyError:  # a template without Word's "Table Grid"
        grid_style = ""
    tbl = parse_xml(
        f"<w:tbl {nsdecls('w')}><w:tblPr>{grid_style}"
        '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    body = word.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(tbl)
    else:
        body.append(tbl)
    _styled(word.add_paragraph(table.note or ""), word, "表注")


def _cell_xml(text: str, style: str, twips: int, align: str, *, bold: bool = False) -> str:
    jc = {"left": "left", "center": "center", "right": "right", "justify": "both"}[align]
    run = f'<w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">' + (
        f"{xml_escape(text)}</w:t></w:r>" if text else "</w:t></w:r>"
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{twips}" w:type="dxa"/></w:tcPr><w:p><w:pPr>'
        f'<w:pStyle w:val="{style}"/><w:jc w:val="{jc}"/></w:pPr>{run}</w:p></w:tc>'
    )


def _table_style_id(word: Any) -> str:
    return str(word.styles["Table Grid"].style_id)


def _style_id(word: Any, name: str) -> str:
    """The id of the paragraph style ``name`` (set by id: python-docx's assignment by name
    scans every style of the file, 7 ms a paragraph)."""
    return str(word.styles[name].style_id)


def _styled(p: Any, word: Any, name: str) -> Any:
    p._p.style = _style_id(word, name)
    return p


def _figure(word: Any, fig: Figure, n: int, width: Any) -> None:
    p = word.add_paragraph(style="图表标题")
    p.add_run().add_picture(io.BytesIO(fig.png), width=min(Cm(fig.width_cm), width))
    p.paragraph_format.keep_with_next = True
    word.add_paragraph(f"图{n}  {fig.caption}", style="图表标题")


def _signature(word: Any, doc: Document) -> None:
    word.add_paragraph(style="正文")
    word.add_paragraph(doc.issuer, style="落款")
    word.add_paragraph(date_zh(doc.issued), style="落款")


def _header_footer(word: Any, synthetic: bool) -> None:
    """The 演示 label in every page's header (below a template's letterhead) and "— 1 —"
    page numbers in the footer, unless a template's footer has its own."""
    for section in word.sections:
        if synthetic:
            head = section.header.paragraphs[-1]
            if head.text.strip():
                head = section.header.add_paragraph()
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = head.add_run(SYNTHETIC_LABEL)
            run.font.color.rgb = RGBColor(0xB4, 0x53, 0x09)
            run.font.size = Pt(10.5)
            _east_asian(run, "黑体")
        footer = section.footer
        if footer.paragraphs[0].text.strip() or "PAGE" in footer._element.xml:
            continue  # the bureau's template numbers its pages itself
        foot = footer.paragraphs[0]
        foot.style = "页码"
        foot.add_run("— ")
        run = foot.add_run()
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), tag)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        foot.add_run(" —")


def _styles(word: Any, *, restyle: bool) -> None:
    """Add the named styles (all of them on the default document; only the missing ones on
    a bureau's template, whose own styles win)."""
    existing = {s.name for s in word.styles}
    for name, (font, size, bold, align, indent) in STYLES.items():
        if name in existing and not restyle:
            continue
        style = (
            word.styles[name]
            if name in existing
            else word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        )
        style.base_style = word.styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.name = LATIN
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        pf = style.paragraph_format
        pf.alignment = ALIGN[align]
        pf.first_line_indent = Pt(size * indent) if indent else None
        pf.space_before = pf.space_after = Pt(0)
        if size >= 14 and name not in ("文件标题",):
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(28 if size >= 16 else 24)
        if name in HEADING_STYLES:
            pf.keep_with_next = True
        if name == "文件标题":
            pf.space_after = Pt(18)
        if name == "图表标题":
            pf.space_before = Pt(6)
            pf.space_after = Pt(3)
        if name == "表注":
            pf.space_after = Pt(8)


def _east_asian(run: Any, font: str) -> None:
    run.font.name = LATIN
    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
