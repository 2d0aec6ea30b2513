"""Write a plan-file draft as YAML for a person to finish: every extracted element gets a
comment line with where it came from and how sure the rules are; an element that needs a
person starts its comment with ``待核``."""

from __future__ import annotations

from typing import Any

import yaml

from yanzhi.core.plandraft import Draft, Element

_HEADER = (
    "# 规划文件草稿: 由 yanzhi plan draft 从文件文本自动起草 (docs/plan-draft.md)。\n"
    "# 每个元素上方的注释给出原文位置(规范化文本中的字符位置)与置信度; 以“待核”开头的\n"
    "# 注释须由人核对并处理, 删去注释后用 yanzhi plan validate 校验, 再用 yanzhi plan load 载入。\n"
)


def _scalar(v: Any) -> str:
    out = yaml.safe_dump(v, allow_unicode=True, default_flow_style=True, width=10**9)
    return out.removesuffix("\n...\n").rstrip("\n")


def _comment(e: Element, text: str) -> str:
    quote = text[e.start : e.end].replace("\n", " ")
    quote = quote if len(quote) <= 60 else quote[:57] + "…"
    head = f"待核: {e.reason} | " if e.flagged else ""
    where = f"原文 {e.start}–{e.end}: {quote}" if e.end > e.start else "原文中未找到"
    return f"# {head}{where} (置信度 {e.confidence:.2f})"


def draft_yaml(draft: Draft) -> str:
    """The draft as YAML text with comments (loads to ``draft.document``)."""
    notes: dict[str, list[str]] = {}
    for e in draft.elements:
        notes.setdefault(e.path, []).append(_comment(e, draft.text))
    lines: list[str] = [_HEADER.rstrip("\n")]
    _emit(draft.document, "", 0, lines, notes)
    return "\n".join(lines) + "\n"


def _emit(node: Any, path: str, indent: int, lines: list[str], notes: dict[str, list[str]]) -> None:
    pad = " " * indent
    if isinstance(node, dict):
        for k, v in node.items():
            sub = f"{path}.{k}" if path else k
            lines.extend(pad + c for c in notes.get(sub, []))
            if isinstance(v, dict | list) and v:
                lines.append(f"{pad}{k}:")
                _emit(v, sub, indent + 2, lines, notes)
            else:
                lines.append(f"{pad}{k}: {_scalar(v)}")
        return
    for i, item in enumerate(node):
        sub = f"{path}[{i}]"
        lines.extend(pad + c for c in notes.get(sub, []))
        if isinstance(item, dict) and item:
            inner: list[str] = []
            _emit(item, sub, indent + 2, inner, notes)
            first = next(j for j, s in enumerate(inner) if not s.lstrip().startswith("#"))
            lines.extend(inner[:first])
            lines.append(f"{pad}- {inner[first].lstrip()}")
            lines.extend(inner[first + 1 :])
        else:
            lines.append(f"{pad}- {_scalar(item)}")
