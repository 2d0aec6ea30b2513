"""A Word document to write a report into: from the bureau's own template when given
(``YANZHI_DOCX_TEMPLATE`` or ``template=``, so headings, fonts and margins can be
restyled without code), else python-docx's default with Chinese fonts (黑体 headings and
仿宋 body where installed, else the installed CJK font) and page numbers in the footer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from yanzhi import config
from yanzhi.reports.fonts import cjk_font, installed

BODY_FONTS = ("FangSong", "仿宋", "FangSong_GB2312")
HEADING_FONTS = ("SimHei", "黑体")


def new_document(template: Path | None = None) -> Any:
    chosen = template or config.settings().docx_template
    if chosen is not None:
        return Document(str(chosen))  # the bureau's styles win
    doc = Document()
    fallback = cjk_font()
    body = next((f for f in BODY_FONTS if installed(f)), fallback)
    heading = next((f for f in HEADING_FONTS if installed(f)), fallback)
    _font(doc.styles["Normal"], body, Pt(10.5))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        _font(doc.styles[name], heading, None)
    _page_numbers(doc)
    return doc


def _font(style: Any, family: str | None, size: Any) -> None:
    if size is not None:
        style.font.size = size
    if family:
        style.font.name = family
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _page_numbers(doc: Any) -> None:
    """A centred PAGE field in every section's footer."""
    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = 1  # centre
        run = paragraph.add_run()
        for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if tag:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), tag)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)


def add_table(doc: Any, head: list[str], rows: list[list[str]]) -> Any:
    """A gridded table: a header row, then one row per list of cell texts."""
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    return table
