"""One document, three files: a report is built once as a :class:`Document` (title, the
data's cut-off and coverage, numbered sections of paragraphs, tables and figures, and a
说明 of sources and methods) and written by ``reports.render_docx`` (Word),
``reports.render_html`` (PDF and the web preview) and ``reports.render_xlsx`` (Excel), so
the three carry the same sections, numbers and labels.

Headings are numbered when written, in the order of Chinese official documents
(GB/T 9704): 一、 → （一） → 1. → （1）; a document never numbers its own headings.
Table cells hold values (numbers stay numbers for Excel) with one format per column;
``None`` is written "—", never 0."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from yanzhi.core import labels
from yanzhi.core.zhtext import date_zh, punctuate

Format = Literal[
    "text", "int", "num1", "num2", "pct1", "pct2", "signed_pct1", "signed_num2", "year"
]
"""How a column's values are written: text; integers with thousands separators; numbers
with 1 or 2 decimals; a share as a percentage with 1 or 2 decimals (0.123 → 12.3%); a
growth with its sign (+12.3%); a signed number; a year (2025, no separator)."""

EXCEL_FORMATS: dict[str, str] = {
    "text": "@",
    "int": "#,##0",
    "num1": "#,##0.0",
    "num2": "#,##0.00",
    "pct1": "0.0%",
    "pct2": "0.00%",
    "signed_pct1": "+0.0%;-0.0%;0.0%",
    "signed_num2": "+#,##0.00;-#,##0.00;0.00",
    "year": "0",
}

MISSING = "—"

Cell = str | int | float | None


def cell_text(value: Cell, fmt: Format = "text") -> str:
    """A value as a document prints it: ``None`` (and NaN) as "—", numbers by ``fmt``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, str) or fmt == "text":
        return str(value)
    if fmt == "year":
        return str(int(value))
    if fmt == "int":
        return f"{round(value):,}"
    spec = {
        "num1": ",.1f",
        "num2": ",.2f",
        "pct1": ".1%",
        "pct2": ".2%",
        "signed_pct1": "+.1%",
        "signed_num2": "+,.2f",
    }[fmt]
    return format(value, spec)


@dataclass(frozen=True)
class Column:
    title: str
    fmt: Format = "text"
    width: float | None = None  # relative width; None: by the content


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: 一、  2: （一）  3: 1.  4: （1）


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["body", "note", "emphasis"] = "body"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sheet: str | None = None  # the Excel sheet's (Chinese) name; default: the caption
    note: str | None = None  # a line under the table (e.g. 注: …)

    def texts(self) -> list[list[str]]:
        """The rows as printed."""
        return [
            [cell_text(v, c.fmt) for v, c in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    width_cm: float = 15.5


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Figure | PageBreak


def _typeset_block(b: Block) -> Block:
    if isinstance(b, Heading | Paragraph):
        return replace(b, text=punctuate(b.text))
    if isinstance(b, Table):
        return replace(
            b,
            caption=punctuate(b.caption),
            note=None if b.note is None else punctuate(b.note),
            columns=tuple(replace(c, title=punctuate(c.title)) for c in b.columns),
            rows=tuple(
                tuple(punctuate(v) if isinstance(v, str) else v for v in row) for row in b.rows
            ),
            sheet=b.sheet or b.caption,  # the sheet keeps the name it had
        )
    if isinstance(b, Figure):
        return replace(b, caption=punctuate(b.caption))
    return b


@dataclass
class Document:
    """A report as written once for every format."""

    title: str
    issuer: str
    issued: date
    cutoff: str  # 数据截至, e.g. "2026年10月(1–10月累计, 已审核数据)"
    coverage: str  # how complete the data are, a sentence
    synthetic: bool
    blocks: list[Block] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # 说明: where each published figure is from
    methods: list[str] = field(default_factory=list)  # 说明: how each computed figure is made
    subtitle: str | None = None  # e.g. the reporting period under the title
    appendix: list[Block] = field(default_factory=list)  # after the 说明, under 附件

    def typeset(self) -> Document:
        """This document with Chinese punctuation in its Chinese text (core/zhtext.py):
        what every renderer writes."""
        return replace(
            self,
            title=punctuate(self.title),
            cutoff=punctuate(self.cutoff),
            coverage=punctuate(self.coverage),
            subtitle=None if self.subtitle is None else punctuate(self.subtitle),
            blocks=[_typeset_block(b) for b in self.blocks],
            sources=[punctuate(x) for x in self.sources],
            methods=[punctuate(x) for x in self.methods],
            appendix=[_typeset_block(b) for b in self.appendix],
        )

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append(Heading(text, level))

    def para(self, text: str, style: Literal["body", "note", "emphasis"] = "body") -> None:
        self.blocks.append(Paragraph(text, style))

    def table(
        self,
        caption: str,
        columns: list[Column],
        rows: list[tuple[Cell, ...]] | list[list[Cell]],
        *,
        sheet: str | None = None,
        note: str | None = None,
    ) -> None:
        self.blocks.append(
            Table(caption, tuple(columns), tuple(tuple(r) for r in rows), sheet, note)
        )

    def figure(self, png: bytes, caption: str) -> None:
        self.blocks.append(Figure(png, caption))

    def tables(self) -> list[Table]:
        return [b for b in (*self.blocks, *self.appendix) if isinstance(b, Table)]

    def text(self) -> str:
        """Every word the document prints, in order (for tests and the English-word check)."""
        parts = [self.title, self.subtitle or "", *front_matter(self)]
        for block, label in numbered([*self.blocks, *closing_blocks(self), *self.appendix]):
            if isinstance(block, Heading):
                parts.append(label + block.text)
            elif isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts.append(block.caption)
                parts.append(" ".join(c.title for c in block.columns))
                parts.extend(" ".join(r) for r in block.texts())
                parts.append(block.note or "")
            elif isinstance(block, Figure):
                parts.append(block.caption)
        parts.extend([self.issuer, date_zh(self.issued)])
        return "\n".join(p for p in parts if p)


def issuer(plan_issuer: str) -> str:
    """The unit a document is issued by: ``YANZHI_ISSUER``, else the plan's issuer."""
    from yanzhi import config

    return config.settings().issuer or plan_issuer


SYNTHETIC_LABEL = labels.SYNTHETIC_LABEL  # re-exported for the report modules


def front_matter(doc: Document) -> list[str]:
    """The lines under the title: the 演示 label, the cut-off and the coverage."""
    lines = [labels.SYNTHETIC_NOTE] if doc.synthetic else []
    lines += [f"数据截至：{doc.cutoff}", f"数据覆盖：{doc.coverage}"]
    return lines


def closing_blocks(doc: Document) -> list[Block]:
    """The 说明 section: every source and method, in prose."""
    if not (doc.sources or doc.methods or doc.synthetic):
        return []
    out: list[Block] = [Heading("说明", 1)]
    if doc.synthetic:
        out.append(
            Paragraph(
                "本文件所用企业数据为演示用合成数据（按公开统计总量校准生成），"
                "不是真实统计数据，不得作为统计数据引用。",
                "note",
            )
        )
    if doc.sources:
        out.append(Paragraph("数据来源：" + "；".join(doc.sources) + "。", "note"))
    out += [Paragraph(m, "note") for m in doc.methods]
    return out


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (n from 1 to 99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_DIGITS[tens] if tens > 1 else "") + "十" + (CHINESE_DIGITS[ones] if ones else "")
    )


def numbered(blocks: list[Block]) -> list[tuple[Block, str]]:
    """Each block with the number its heading gets (一、 （一） 1. （1）; "" for others).
    A heading titled "附件…" or "说明" is not numbered."""
    counters = [0, 0, 0, 0]
    out: list[tuple[Block, str]] = []
    for b in blocks:
        if not isinstance(b, Heading) or b.text == "说明" or b.text.startswith("附件"):
            out.append((b, ""))
            continue
        i = min(max(b.level, 1), 4) - 1
        counters[i] += 1
        for j in range(i + 1, 4):
            counters[j] = 0
        n = counters[i]
        label = (f"{chinese_number(n)}、", f"（{chinese_number(n)}）", f"{n}.", f"（{n}）")[i]
        out.append((b, label))
    return out
