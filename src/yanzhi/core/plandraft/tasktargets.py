"""Quantitative targets inside a task's text (``每年实施重点研发计划项目100项以上``,
``新增知识产权服务机构10家以上``) and the landmarks a task names (``打造百家重点实验室``),
as task targets: description (the clause), value, unit, comparator, kind and year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yanzhi.core.plandraft.targets import Landmark, find_targets

_CLAUSE_END = re.compile(r"[,;。:]")
_ANNUAL = re.compile(r"每年|年均|年度")
_CUMULATIVE = re.compile(r"新增|累计|新入选|新建|新引进|形成|建设|建成|创建")


@dataclass(frozen=True)
class TaskTarget:
    target: dict[str, Any]  # the plan-file target without its code
    start: int
    end: int
    confidence: float
    reason: str = ""


def clause_around(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause of text[lo:hi] holding text[start:end] (between , ; 。 :)."""
    before = max((m.end() for m in _CLAUSE_END.finditer(text, lo, start)), default=lo)
    after = _CLAUSE_END.search(text, end, hi)
    return before, after.start() if after else hi


def _kind(clause: str) -> str:
    if _ANNUAL.search(clause):
        return "annual"
    return "cumulative" if _CUMULATIVE.search(clause) else "level"


def task_targets(
    text: str, lo: int, hi: int, year: int | None, landmarks: list[Landmark]
) -> list[TaskTarget]:
    """The targets of the task text[lo:hi], in text order; the landmarks in it become
    targets too (their metric is the landmark's)."""
    out: list[TaskTarget] = []
    for t in find_targets(text, lo, hi, year):
        a, b = clause_around(text, t.start, t.end, lo, hi)
        clause = text[a:b].strip()
        sure = bool(t.words) and len(t.name) >= 4
        out.append(
            TaskTarget(
                {
                    "description": clause,
                    "value": t.value,
                    "unit": t.unit or None,
                    "comparator": t.comparator,
                    "kind": _kind(clause),
                    "year": t.year or year,
                },
                a,
                b,
                0.8 if sure else 0.65,
                "" if sure else "目标的写法不完整(无“达到/以上”等), 请核对数值和计量口径",
            )
        )
    for lm in landmarks:
        if lo <= lm.start < hi:
            a, b = clause_around(text, lm.start, lm.end, lo, hi)
            target = {
                "description": text[a:b].strip(),
                "value": lm.value,
                "unit": lm.unit,
                "comparator": ">=",
                "kind": _kind(text[a:b]),
                "year": year,
            }
            out.append(TaskTarget(target, a, b, 0.85))
    return sorted(out, key=lambda x: x.start)
