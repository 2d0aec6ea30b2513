"""The frame of a plan document: title, period and issuing body; the objectives, tasks
and guarantee sections; programmes with their tasks; guarantee measures; lead and
co-operating units. Every finding carries its span in the normalised text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from yanzhi.core.plandraft.markers import KINDS, Block, blocks

_KIND_WORD = r"(?:方案|规划|计划|要点|意见|纲要|办法)"
_PERIOD = re.compile(r"\((\d{4})\s*[-—~至]\s*(\d{4})年?\)|(\d{4})\s*[-—至]\s*(\d{4})年")
_BOOK_TITLE = re.compile(rf"(?:印发|关于)?《([^《》\n]{{4,90}}{_KIND_WORD}(?:\([^()]*\))?)》")
_LINE_TITLE = re.compile(
    rf"^(.{{4,90}}?{_KIND_WORD}(?:\(\d{{4}}[-—]\d{{4}}年\))?)(?:\.(?:docx?|pdf|wps))?$"
)
_TITLE_IN_TEXT = re.compile(rf"([^\n。,:;?!【】]{{4,60}}{_KIND_WORD}\(\d{{4}}[-—]\d{{4}}年\))")
_FILE_EXT = re.compile(r"\.(?:docx?|pdf|wps)$")
_ORG_TAIL = r"(?:人民政府办公厅|人民政府办公室|人民政府|科学技术局|科技局|委员会|办公室)"
_SIGNATURE = re.compile(
    rf"^([\u4e00-\u9fff]{{2,30}}{_ORG_TAIL})\s*\n\s*\d{{4}}年\d{{1,2}}月\d{{1,2}}日", re.M
)
_LABELLED = re.compile(
    rf"(?:发布机构|发布单位|来源|发文机关)\s*[::]\s*([\u4e00-\u9fff]{{2,30}}{_ORG_TAIL})"
)
_DRAFTED = re.compile(
    rf"([省市区县])([\u4e00-\u9fff]{{0,6}}{_ORG_TAIL}|科技局)(?:牵头)?(?:起草|编制|制定)"
)
_PLACE = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:省|市|区|县))")

_MARK = r"(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+、)\s*(?:关于)?"
_OBJECTIVES = re.compile(
    rf"{_MARK}(?:主要目标|发展目标|总体目标|工作目标|行动目标)|主要目标是|目标是[::]"
)
_TASKS = re.compile(rf"{_MARK}(?:重点任务|主要任务|工作任务|重点工作|重点行动|主要举措)")
_GUARANTEES = re.compile(rf"{_MARK}(?:保障措施|保障机制|组织保障|组织实施|工作保障)")
_BY_YEAR = re.compile(r"到(\d{4})年")


@dataclass(frozen=True)
class Found:
    """A text found in the document: its value, span and confidence (0–1) and, when
    uncertain, why."""

    value: str
    start: int
    end: int
    confidence: float
    reason: str = ""


def find_title(text: str) -> Found | None:
    """The plan's title: from 《…》 in a covering notice, else the first line shaped like a
    title (a file name such as ``….docx`` is trusted less)."""
    m = _BOOK_TITLE.search(text)
    if m:
        return Found(m.group(1), m.start(1), m.end(1), 0.9)
    pos = 0
    for line in text.split("\n"):
        lm = _LINE_TITLE.match(line.strip())
        if lm and "," not in line and "。" not in line:
            start = pos + line.index(lm.group(1))
            if _FILE_EXT.search(line.strip()):
                return Found(
                    lm.group(1),
                    start,
                    start + len(lm.group(1)),
                    0.7,
                    "标题取自网页上的文件名, 请与原件核对",
                )
            return Found(lm.group(1), start, start + len(lm.group(1)), 0.85)
        pos += len(line) + 1
    m = _TITLE_IN_TEXT.search(text)
    if m:
        return Found(m.group(1), m.start(1), m.end(1), 0.6, "标题取自正文中的文件名称, 请核对")
    return None


def find_period(text: str, title: Found | None) -> tuple[int, int, Found] | None:
    """Start and end year: from the title's ``(2023-2027年)``, else the first such range in
    the text, else the first ``20XX年`` (a one-year work plan; trusted less)."""
    for src, off in ((title.value, title.start) if title else ("", 0), (text, 0)):
        m = _PERIOD.search(src)
        if m:
            a, b = (int(x) for x in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
            if 1990 < a <= b < 2100:
                return (
                    a,
                    b,
                    Found(m.group(0), off + m.start(), off + m.end(), 0.9 if src != text else 0.75),
                )
    m = re.search(r"(20\d{2})年", title.value if title else "") or re.search(r"(20\d{2})年", text)
    if m is None:
        return None
    y = int(m.group(1))
    off = title.start if title and m.string == title.value else 0
    return (
        y,
        y,
        Found(
            m.group(0),
            off + m.start(),
            off + m.end(),
            0.6,
            "未见规划期, 按文中第一个年份作一年期计划",
        ),
    )


def find_issuer(text: str, title: Found | None) -> Found | None:
    """The issuing body: a signature line above a date, a labelled 发布机构, or the unit
    named as drafter (completed with the place in the title; trusted less)."""
    m = _SIGNATURE.search(text)
    if m:
        return Found(m.group(1), m.start(1), m.end(1), 0.9)
    m = _LABELLED.search(text)
    if m:
        return Found(m.group(1), m.start(1), m.end(1), 0.85)
    m = _DRAFTED.search(text)
    if m:
        place = _PLACE.match(title.value) if title else None
        name = m.group(1) + m.group(2)
        if place and place.group(1).endswith(m.group(1)):
            name = place.group(1) + m.group(2)
        return Found(name, m.start(), m.end(), 0.6, "发文单位由起草单位推断, 请核对")
    return None


@dataclass(frozen=True)
class Sections:
    objectives: tuple[int, int] | None
    tasks: tuple[int, int]
    guarantees: tuple[int, int] | None


def find_sections(text: str) -> Sections:
    """Where the objectives, the tasks and the guarantee measures are."""
    g = _GUARANTEES.search(text)
    t = _TASKS.search(text)
    o = _OBJECTIVES.search(text, 0, t.start() if t else len(text))
    if o is None:
        o = _BY_YEAR.search(text, 0, t.start() if t else len(text))
    g_start = g.start() if g and (t is None or g.start() > t.start()) else len(text)
    obj: tuple[int, int] | None = None
    if o is not None:
        end = t.start() if t else _next_top_heading(text, o.end(), g_start)
        obj = (o.start(), end)
    task_lo = t.end() if t else (obj[1] if obj else 0)
    guar = (
        (g.end(), _next_top_heading(text, g.end(), len(text), stop_dun=True))
        if g_start < len(text) and g
        else None
    )
    return Sections(obj, (task_lo, g_start), guar)


def _next_top_heading(text: str, lo: int, hi: int, *, stop_dun: bool = False) -> int:
    m = re.compile(
        r"(?:^|(?<=[\n。]))\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))"
    ).search(text, lo, hi)
    if stop_dun:
        m = re.compile(r"(?:^|(?<=\n))\s*(?:附件|[一二三四五六七八九十]+、)").search(text, lo, hi)
    return m.start() if m else hi


@dataclass(frozen=True)
class Programme:
    block: Block
    tasks: list[Block]


def find_programmes(text: str, lo: int, hi: int) -> list[Programme]:
    """Programmes (the highest numbered level in the task section) and their tasks (the
    next level down); numbering of tasks may run on across programmes."""
    for i, kind in enumerate(KINDS):
        progs = blocks(text, kind, lo, hi)
        if not progs:
            continue
        for sub in KINDS[i + 1 :]:
            nested = _nested(text, progs, sub)
            if sum(1 for t in nested if t) >= max(1, len(progs) // 2):
                return [Programme(p, t) for p, t in zip(progs, nested, strict=True)]
        return [Programme(p, []) for p in progs]
    return []


def _nested(text: str, progs: list[Block], kind: str) -> list[list[Block]]:
    out: list[list[Block]] = []
    nxt = 1
    for p in progs:
        found = blocks(text, kind, p.marker.body, p.end, 1)
        if not found and nxt > 1:  # numbering runs on from the previous programme
            found = blocks(text, kind, p.marker.body, p.end, nxt)
        nxt = found[-1].marker.n + 1 if found else nxt
        out.append(found)
    return out


def first_clause(s: str, limit: int = 40) -> tuple[str, bool]:
    """The heading of an item: its text up to the first 。 or , (or ;/:), and whether that
    heading looks whole (not cut at ``limit`` characters)."""
    m = re.search(r"[。,;:!?]", s)
    head = s[: m.start()] if m else s
    return (head[:limit], len(head) <= limit and bool(head))


_UNITS = re.compile(
    r"[((]\s*([^()()\n]{2,80}?)(?:牵头|负责)(?:[,,、;;]\s*([^()()\n]{2,120}?)(?:配合|参与|按职责分工负责))?\s*[))]"
    r"|(?:牵头单位|责任单位)[::]\s*([^\n;;。]{2,80})(?:[;;。\n]\s*(?:配合单位|协同单位|参与单位)[::]\s*([^\n;;。]{2,120}))?"
)


def find_units(s: str) -> tuple[list[str], list[str], tuple[int, int] | None]:
    """The lead and co-operating units named in a task's text (``(市科技局牵头, 市财政局
    配合)`` or ``牵头单位: …``), with the span of the phrase in ``s``."""
    m = _UNITS.search(s)
    if m is None:
        return [], [], None
    lead = m.group(1) or m.group(3) or ""
    co = m.group(2) or m.group(4) or ""
    split = re.compile(r"[、,,]")
    leads = [u.strip() for u in split.split(lead) if u.strip()]
    cos = [u.strip() for u in split.split(co) if u.strip()]
    return leads, cos, (m.start(), m.end())
