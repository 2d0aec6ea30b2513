"""Clean text extracted from a policy document (often from a scan): full-width letters,
digits and punctuation become half-width, the stray spaces a broken line leaves between
Chinese characters go, and runs of blank lines shrink. Offsets of every later span refer
to the normalised text, which is what the review shows."""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’《》—…"
_SPACE_IN_CJK = re.compile(
    rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}0-9%])|(?<=[{_CJK}0-9])[ \t\u3000]+(?=[{_CJK}])"
)
_SPACE_AT_PUNCT = re.compile(rf"(?<=[,;:!?()])[ \t]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t]+(?=[,;:!?()])")
_DASHES = str.maketrans({"－": "-", "–": "-", "—": "—", "〇": "〇", "％": "%", "．": "."})


def _halfwidth(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


def normalise(text: str) -> str:
    """The cleaned text: NFC, half-width ASCII range, no spaces inside Chinese runs, one
    blank line at most, no trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(_halfwidth(c) for c in text).translate(_DASHES)
    text = text.replace("\ufeff", "").replace("\xa0", " ")
    lines = [
        _SPACE_AT_PUNCT.sub("", _SPACE_IN_CJK.sub("", line)).strip() for line in text.split("\n")
    ]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(_join_wrapped(lines)))
    return out.strip()


_ENDS_SENTENCE = tuple("。;:!?”)》")
_STARTS_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|\([一二三四五六七八九十\d]+\)|\d+[、.]|——|第[一二三四五六七八九十\d]+|附件)"
)
WRAP_MIN = 25
"""A line at least this long that stops mid-sentence was wrapped by the page (a PDF or a
scan): the next line continues it."""


def _join_wrapped(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if (
            len(prev) >= WRAP_MIN
            and line
            and not prev.endswith(_ENDS_SENTENCE)
            and not _STARTS_ITEM.match(line)
        ):
            out[-1] = prev + line
        else:
            out.append(line)
    return out
