"""Chinese punctuation for Chinese text: the sentences yanzhi writes use ASCII ", ; : ( )"
between Chinese words, which a 公文 prints full width (，；：（）) — justified text otherwise
opens wide gaps after each half-width comma. :func:`punctuate` turns the ASCII marks that
sit in Chinese text into their full-width forms and leaves numbers (9,155 · 3.32–4.01% ·
10:30), codes, addresses and text without Chinese alone."""

from __future__ import annotations

import datetime as dt
import re

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL = "，。；：、？！（）「」『』《》【】“”‘’"
HAS_CJK = re.compile(f"[{_CJK}]")
_NEAR = f"[{_CJK}{_FULL}]"
_INNER = re.compile(r"\(([^()]*)\)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_KEEP_OPEN, _KEEP_CLOSE = "\x01", "\x02"

_RULES = (
    # a comma, semicolon or colon right after a Chinese character or mark
    (re.compile(f"(?<={_NEAR})\\s*,\\s*"), "，"),
    (re.compile(f"(?<={_NEAR})\\s*;\\s*"), "；"),
    (re.compile(f"(?<={_NEAR})\\s*:\\s*"), "："),
    # a comma or semicolon and a space before a Chinese character (3.65%, 80%区间)
    (re.compile(f",\\s+(?={_NEAR}|\\d)"), "，"),
    (re.compile(f";\\s+(?={_NEAR}|\\d)"), "；"),
    # no spaces around a full-width mark
    (re.compile(r"\s*([，；：（）])\s*"), r"\1"),
)


def punctuate(text: str) -> str:
    """``text`` with the ASCII punctuation between Chinese words in full width (text
    without a Chinese character comes back unchanged)."""
    if not HAS_CJK.search(text) or not re.search(r"[,;:()]", text):
        return text
    urls: list[str] = []

    def _hide(m: re.Match[str]) -> str:
        urls.append(m.group(0))
        return f"\x03{len(urls) - 1}\x03"

    text = _URL.sub(_hide, text)
    text = _parentheses(text)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return re.sub("\x03(\\d+)\x03", lambda m: urls[int(m.group(1))], text)


def _parentheses(text: str) -> str:
    """Innermost pairs first: a pair holding Chinese, or opened right after a Chinese
    character or mark, becomes （）; the others are kept (as placeholders meanwhile, so
    the pair around them is judged next)."""
    while True:
        m = _INNER.search(text)
        if m is None:
            break
        inner = m.group(1)
        before = text[m.start() - 1] if m.start() > 0 else ""
        chinese = HAS_CJK.search(inner) or (before and re.match(_NEAR, before))
        repl = f"（{inner}）" if chinese else f"{_KEEP_OPEN}{inner}{_KEEP_CLOSE}"
        text = text[: m.start()] + repl + text[m.end() :]
    return text.replace(_KEEP_OPEN, "(").replace(_KEEP_CLOSE, ")")


def date_zh(day: str | dt.date | None) -> str:
    """``2026-12-10`` (or the date) → 2026年12月10日; None → —."""
    if day is None:
        return "—"
    d = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return f"{d.year}年{d.month}月{d.day}日"
