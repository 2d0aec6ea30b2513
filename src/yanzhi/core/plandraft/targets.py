"""Numeric targets (``…比重达到3.75%``, ``…达到20件以上``), their year and comparator, and
landmark results written with Chinese numerals (``十大区域创新极``, ``百家重点实验室``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cn2an

_UNITS = (
    "个百分点 亿元 万元 元 人年 万人次 人次 万人 万家 家 件 项 个 名 人 台(套) 台 套 所 座 条 倍 %"
)
_UNIT = "|".join(re.escape(u) for u in _UNITS.split())
_VERBS = (
    "达到 达 超过 超 突破 不低于 不少于 提高到 提高至 提升到 提升至 "
    "增长 增加到 保持在 控制在 稳定在 为"
)
_VERB = "|".join(_VERBS.split(" "))
_NUM = re.compile(
    rf"(?P<verb>{_VERB})?(?P<num>\d+(?:\.\d+)?)(?P<unit>{_UNIT})?(?P<cmp>以上|以内|以下|左右)?"
)
_SPLIT = re.compile(r"[,;。:\n]|——")
_LEAD_WORDS = re.compile(
    r"^(?:主要目标是|目标是|力争|争取|确保|实现|推动|形成|建成|获得|全年|其中|到\d{4}年|同时|并|和)+"
    r"|(?:争取|力争|确保|要|将)+$"
)
_ALT = re.compile(r"[、,]?\s*(?:争取|力争)(?:达到|突破)?")
_YEAR = re.compile(r"(?:到|至|20\d{2}年底前?|在)?(20\d{2})年")
_QUOTED = re.compile(r"“[^”]{0,20}”")

COMPARATORS = {
    "以上": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "达到": ">=",
    "达": ">=",
    "突破": ">",
    "超过": ">",
    "超": ">",
    "提高到": ">=",
    "提高至": ">=",
    "提升到": ">=",
    "提升至": ">=",
    "增长": ">=",
    "增加到": ">=",
    "以内": "<=",
    "以下": "<=",
    "控制在": "<=",
    "保持在": ">=",
    "稳定在": ">=",
    "为": ">=",
    "左右": "=",
}


@dataclass(frozen=True)
class Target:
    """One target as written: name, value, unit, comparator and year, with its span."""

    name: str
    value: float
    unit: str
    comparator: str
    words: str  # the words the comparator was read from (达到 … 以上)
    year: int | None
    start: int  # span of the clause in the normalised text
    end: int
    growth: bool
    alternative: float | None = None  # 争取达到 …: a stretch value given beside the target


def find_targets(text: str, lo: int, hi: int, default_year: int | None) -> list[Target]:
    """The targets of the objectives text[lo:hi], in order. A clause ``到2025年`` sets the
    year of the targets after it; otherwise ``default_year`` (the plan's end year)."""
    out: list[Target] = []
    year = default_year
    pos = lo
    prev_start = lo
    for piece in [*_SPLIT.split(text[lo:hi])]:
        start = text.find(piece, pos, hi) if piece else pos
        start = start if start >= 0 else pos
        pos = start + len(piece)
        if piece.startswith("分别"):  # A和B…, 分别超过90家和870家: read with the clause before
            start, piece = prev_start, text[prev_start:pos]
        prev_start = start
        ym = re.search(r"到(20\d{2})年|^(20\d{2})年", piece)
        if ym:
            year = int(ym.group(1) or ym.group(2))
        out.extend(_clause_targets(piece, start, year))
    return out


def _clause_targets(piece: str, start: int, year: int | None) -> list[Target]:
    masked = _QUOTED.sub(lambda m: "“" + "#" * (len(m.group(0)) - 2) + "”", piece)
    masked = re.sub(r"20\d{2}年", lambda m: "#" * len(m.group(0)), masked)
    hits = []
    for m in _NUM.finditer(masked):
        if masked[: m.start()].endswith(("前", "第", "约")):
            continue
        if not m.group("unit") and not m.group("cmp") and m.group("verb") in (None, "为"):
            continue
        hits.append(m)
    out: list[Target] = []
    names = _respectively(piece, masked, len(hits))
    prev = 0
    for k, m in enumerate(hits):
        between = masked[prev : m.start()]
        if out and _ALT.fullmatch(between.strip()):
            out[-1] = replace(out[-1], alternative=_number(m.group("num")))
            prev = m.end()
            continue
        name_at = prev + (len(between) - len(between.lstrip("、,和及与 ")))
        name = (
            names[k]
            if names
            else _LEAD_WORDS.sub("", piece[name_at : m.start()].strip()).strip(" 、")
        )
        if m.group("verb") == "增长" and not name.endswith("增长"):
            name += "增长"
        prev = m.end()
        if len(name) < 2:
            continue
        verb, cmp_word = m.group("verb") or "", m.group("cmp") or ""
        if names and out and not (verb or cmp_word):  # 分别超过90家和870家: 870 is 超过 too
            verb, cmp_word = out[0].words.split("…")[0], ""
        comparator = COMPARATORS.get(cmp_word) or COMPARATORS.get(verb) or ">="
        out.append(
            Target(
                name=name,
                value=_number(m.group("num")),
                unit=m.group("unit") or "",
                comparator=comparator,
                words=(verb + "…" + cmp_word).strip("…"),
                year=year,
                start=start + (0 if names else name_at),
                end=start + m.end(),
                growth=verb == "增长" or "增长" in name[-4:] or "增速" in name,
            )
        )
    return out


def _respectively(piece: str, masked: str, n: int) -> list[str]:
    """``A和B在…基础上…, 分别超过90家和870家``: the names A and B, when their number
    matches the numbers found."""
    at = masked.find("分别")
    if at < 0 or n < 2:
        return []
    head = re.split(r"在#|较#|比#|在“|实现", masked[:at])[0]
    names = [_LEAD_WORDS.sub("", x).strip() for x in re.split(r"和|、|及|与", piece[: len(head)])]
    return names if len(names) == n and all(len(x) >= 2 for x in names) else []


def _number(s: str) -> float:
    v = float(s)
    return int(v) if v.is_integer() else v


_LANDMARK = re.compile(
    r"(?<![一二三四五六七八九十百千万两\d])(十|百|千|万)(大|家|项|个|亿|条|所|座|名)"
    r"([\u4e00-\u9fff“”]{2,16}?)(?=[,;。、\n:)]|$)"
)
_LANDMARK_UNITS = {"大": "个", "亿": "亿元"}


@dataclass(frozen=True)
class Landmark:
    title: str
    value: int
    unit: str
    start: int
    end: int


def find_landmarks(text: str, lo: int, hi: int) -> list[Landmark]:
    """Landmark results named by a round Chinese numeral: 十大…, 百家…, 百项…, 千亿…."""
    out = []
    for m in _LANDMARK.finditer(text, lo, hi):
        value = _cn_int(m.group(1))
        unit = _LANDMARK_UNITS.get(m.group(2), m.group(2))
        out.append(Landmark(m.group(0), value, unit, m.start(), m.end()))
    return out


_STATED = re.compile(
    r"(?:实施|开展|推进|建设)([一二三四五六七八九十]{1,3}|\d{1,2})大(?:工程|行动|任务|专项)"
)
_STATED_TASKS = re.compile(
    r"(?:明确|提出|部署)?([一二三四五六七八九十]{1,4}|\d{1,3})项(?:重点)?任务"
)


def stated_counts(text: str) -> tuple[int | None, int | None]:
    """How many programmes and tasks the document says it has (``实施六大工程``,
    ``明确24项重点任务``), to check the structure found against."""
    p = _STATED.search(text)
    t = _STATED_TASKS.search(text)
    return (_cn_int(p.group(1)) if p else None, _cn_int(t.group(1)) if t else None)


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    return int(cn2an.cn2an("一" + s if s[0] in "百千万" else s, "smart"))
