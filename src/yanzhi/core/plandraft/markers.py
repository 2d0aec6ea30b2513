"""Numbered markers of Chinese policy documents and the runs of them that divide a text:
``一、`` (top level), ``(一)``, ``1、`` / ``1.``, and ``一是`` inside a paragraph.

A run is found in order: after marker *n* the next one searched is *n+1*, so a stray
``2、`` elsewhere never starts a programme, and a marker glued to the text before it by a
scan (``…双向成就6、实施…``) is still found."""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = "一二三四五六七八九十"
KINDS = ("dun", "paren", "arabic", "shi")  # from the top level down


def cn_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (ordinals of markers; up to 99)."""
    if n <= 10:
        return CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens - 1]
    return head + "十" + (CN_DIGITS[ones - 1] if ones else "")


def _pattern(kind: str, n: int) -> re.Pattern[str]:
    cn = cn_ordinal(n)
    if kind == "dun":
        return re.compile(rf"(?:^|(?<=[\n。;:]))\s*{cn}、")
    if kind == "paren":
        return re.compile(rf"\({cn}\)")
    if kind == "arabic":
        return re.compile(rf"(?<![\d.\-]){n}(?:、|\.(?=[^\d\s]))")
    return re.compile(rf"(?:^|(?<=[\n。;:,]))\s*{cn}是")


@dataclass(frozen=True)
class Marker:
    kind: str
    n: int
    start: int  # where the marker begins
    body: int  # where the text after it begins


def run(text: str, kind: str, lo: int, hi: int, first: int = 1) -> list[Marker]:
    """The markers ``first``, ``first+1``, … of one kind found in order in text[lo:hi]."""
    found: list[Marker] = []
    pos, n = lo, first
    while pos < hi:
        m = _pattern(kind, n).search(text, pos, hi)
        if m is None:
            break
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        found.append(Marker(kind, n, start, m.end()))
        pos, n = m.end(), n + 1
    return found


@dataclass(frozen=True)
class Block:
    """One numbered item: its marker and the text up to the next item at its level."""

    marker: Marker
    end: int

    def text(self, source: str) -> str:
        return source[self.marker.body : self.end].strip()


def blocks(text: str, kind: str, lo: int, hi: int, first: int = 1) -> list[Block]:
    """The numbered items of one kind in text[lo:hi], each up to the next (the last up
    to ``hi``)."""
    marks = run(text, kind, lo, hi, first)
    if not marks:
        return []
    ends = [m.start for m in marks[1:]] + [hi]
    return [Block(m, e) for m, e in zip(marks, ends, strict=True)]
