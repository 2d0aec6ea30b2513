"""The plan-draft review page (admin): the document's normalised text cut into segments,
each marked with the element it became, beside the list of elements with their
confidence and what needs a person; loading the corrected YAML."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plandraft import Element
from yanzhi.core.plandraft.draft import KIND_ZH
from yanzhi.services.plan.draft import DocumentDraft, check_yaml
from yanzhi.services.plan.files import LoadResult, load_plan_file, show_plan


@dataclass(frozen=True)
class Segment:
    text: str
    element: int | None  # index into DraftView.elements; None: text that became nothing
    first: bool  # the segment the element's link points at
    flagged: bool


@dataclass(frozen=True)
class ElementRow:
    index: int
    kind_zh: str
    label: str
    confidence_pct: int
    flagged: bool
    reason: str
    located: bool  # has a span in the text


@dataclass(frozen=True)
class DraftView:
    name: str
    segments: list[Segment]
    elements: list[ElementRow]
    found: list[tuple[str, int]]
    flagged: int
    yaml_text: str
    problems: list[str]


def draft_view(result: DocumentDraft) -> DraftView:
    """The review page of a drafted document."""
    els = result.draft.elements
    rows = [
        ElementRow(
            i,
            KIND_ZH.get(e.kind, e.kind),
            e.label,
            round(e.confidence * 100),
            e.flagged,
            e.reason,
            e.end > e.start,
        )
        for i, e in enumerate(els)
    ]
    found = [(KIND_ZH.get(k, k), n) for k, n in result.found.items()]
    return DraftView(
        Path(result.source).name,
        _segments(result.draft.text, els),
        rows,
        found,
        len(result.flagged),
        result.yaml_text,
        problems_zh(result.issues),
    )


def _segments(text: str, els: list[Element]) -> list[Segment]:
    """The text cut where the innermost element covering it changes."""
    owner: list[int | None] = [None] * len(text)
    size = [len(text) + 1] * len(text)
    for i, e in enumerate(els):
        n = e.end - e.start
        for pos in range(max(e.start, 0), min(e.end, len(text))):
            if 0 < n < size[pos]:
                owner[pos], size[pos] = i, n
    out: list[Segment] = []
    seen: set[int] = set()
    start = 0
    for pos in range(1, len(text) + 1):
        if pos == len(text) or owner[pos] != owner[start]:
            who = owner[start]
            first = who is not None and who not in seen
            if who is not None:
                seen.add(who)
            flagged = who is not None and els[who].flagged
            out.append(Segment(text[start:pos], who, first, flagged))
            start = pos
    return out


def problems_zh(issues: list[Issue]) -> list[str]:
    """Validation issues as Chinese lines (row and reason)."""
    return [(f"第{i.row}行: " if i.row else "") + i.message_zh for i in issues]


@dataclass(frozen=True)
class LoadOutcome:
    problems: list[str]
    result: LoadResult | None
    title: str = ""


def load_draft_yaml(engine: Engine, yaml_text: str, actor: str) -> LoadOutcome:
    """Validate the corrected YAML; when valid, store the plan (all or nothing)."""
    issues = check_yaml(yaml_text)
    if issues:
        return LoadOutcome(problems_zh(issues), None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(yaml_text, "utf-8")
        try:
            result = load_plan_file(engine, path, actor=actor)
        except InputRejected as exc:
            return LoadOutcome(problems_zh(exc.issues), None)
    return LoadOutcome([], result, show_plan(engine, result.plan_code).plan.title)
