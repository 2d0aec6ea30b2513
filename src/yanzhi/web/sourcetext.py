"""A source as a page shows it: the text of a plan's source note with each web address
replaced by a link named after its publisher (the address stays the link's target) and
each reference to the platform's research notes (ningbo_facts.md §1 [e]) named in
Chinese — a Chinese page prints no bare address or file name."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from yanzhi.core.labels import SOURCE_NOTES, SOURCE_SITE_OTHER, SOURCE_SITES

ADDRESS = re.compile(
    r"(?:https?://)?((?:[a-z0-9-]+\.)+(?:cn|com|org|net))(/[^\s,;，；()（）]*)?", re.I
)
NOTES = re.compile(r"[a-z_]+\.md(?:\s*§(\d+))?(?:\s*\[[a-z]\])?", re.I)


def _link(m: re.Match[str]) -> str:
    host = m.group(1).lower()
    href = m.group(0) if m.group(0).startswith("http") else f"https://{m.group(0)}"
    name = SOURCE_SITES.get(host, SOURCE_SITE_OTHER)
    return f'<a href="{escape(href)}" rel="noopener" target="_blank">{escape(name)}</a>'


def source_html(text: str | None, lang: str = "zh") -> Markup:
    """``text`` escaped, its web addresses as links named after their publishers and its
    references to the research notes in Chinese (an English page keeps the addresses)."""
    if not text:
        return Markup("")
    if lang == "en":
        return Markup(escape(text))
    out: list[str] = []
    pos = 0
    for m in re.finditer(f"{ADDRESS.pattern}|{NOTES.pattern}", text, re.I):
        out.append(str(escape(text[pos : m.start()])))
        if ADDRESS.fullmatch(m.group(0)):
            out.append(_link(ADDRESS.fullmatch(m.group(0))))  # type: ignore[arg-type]
        else:
            section = NOTES.fullmatch(m.group(0))
            part = section.group(1) if section else None
            out.append(str(escape(SOURCE_NOTES + (f"第{part}节" if part else ""))))
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
