"""What a Chinese reader should not find in a Chinese screen or document: English words
outside a short allowlist, raw identifiers (on_track, RD_GDP, IND_RD_INTENSITY), Python
values (None, a dict, nan), period codes (2026-10, 2026-01..10, 2026Q4 — the canonical
strings of yanzhi.core.periods) and bare web addresses. Shared by the document and the
page tests."""

from __future__ import annotations

import re

ALLOWED = {"GDP", "PCT", "R&D", "CIF"}
WORD = re.compile(r"(?<![A-Za-z0-9_&])[A-Za-z][A-Za-z&]*[A-Za-z](?![A-Za-z0-9_&])")
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z]+_[A-Z_0-9]+\b")
PYTHON = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|\bnan\b")
PERIOD_CODE = re.compile(
    r"\b\d{4}-\d{2}(\.\.\d{2})?\b(?!-\d)|\b\d{4}Q[1-4]\b|\b\d{4}M\d{1,2}\b|\b\d{4}-YTD\d{1,2}\b"
)
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")


def problems(text: str, allowed: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """What a Chinese reader should not find in ``text`` (``allowed``: more words to
    accept besides the shared allowlist)."""
    found = [f"网址: {m}" for m in URL.findall(text)]
    text = URL.sub(" ", text)
    found += [f"英文: {w}" for w in WORD.findall(text) if w not in ALLOWED | set(allowed)]
    found += [f"代码: {m}" for m in IDENTIFIER.findall(text)]
    found += [f"Python: {m}" for m in PYTHON.findall(text)]
    found += [f"期别代码: {m.group(0)}" for m in PERIOD_CODE.finditer(text)]
    return sorted(set(found))
