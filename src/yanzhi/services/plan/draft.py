"""Draft a plan file from a policy document (``yanzhi plan draft``, the admin review page):
read the document, apply the drafting rules, write YAML with review comments, and check the
draft the way ``yanzhi plan validate`` does."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yanzhi.core.issues import InputRejected, Issue
from yanzhi.core.plandraft import Draft, Element, draft_plan
from yanzhi.core.plandraft.draft import KIND_ZH
from yanzhi.export.plandraft import draft_yaml
from yanzhi.ingest.plandoc import (
    builtin_places,
    read_catalogue,
    read_document,
    read_document_file,
)
from yanzhi.ingest.planfile import read_plan

__all__ = ["KIND_ZH", "DocumentDraft", "check_yaml", "draft_from_bytes", "draft_from_file"]


@dataclass(frozen=True)
class DocumentDraft:
    """A document drafted: the draft (document, normalised text, elements), its YAML and
    the issues ``yanzhi plan validate`` would report on it as it stands."""

    source: str
    draft: Draft
    yaml_text: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def found(self) -> dict[str, int]:
        return self.draft.counts()

    @property
    def flagged(self) -> list[Element]:
        return self.draft.flagged

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``yanzhi plan draft --json``."""
        return {
            "source": self.source,
            "elements": len(self.draft.elements),
            "found": self.found,
            "flagged": [_element(e) for e in self.flagged],
            "all": [_element(e) for e in self.draft.elements],
            "valid_as_drafted": not self.issues,
            "errors": [i.to_dict() for i in self.issues],
        }


def _element(e: Element) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "kind_zh": KIND_ZH.get(e.kind, e.kind),
        "path": e.path,
        "label": e.label,
        "span": [e.start, e.end],
        "confidence": e.confidence,
        "flagged": e.flagged,
        "reason": e.reason,
    }


def draft_from_bytes(data: bytes, name: str) -> DocumentDraft:
    """Draft a plan from a document's bytes (text, DOCX or PDF); InputRejected when the
    document cannot be read."""
    return _draft(read_document(data, name), name)


def draft_from_file(path: Path) -> DocumentDraft:
    """Draft a plan from a document file."""
    return _draft(read_document_file(path), str(path))


def _draft(text: str, name: str) -> DocumentDraft:
    draft = draft_plan(text, read_catalogue(), builtin_places())
    yaml_text = draft_yaml(draft)
    return DocumentDraft(name, draft, yaml_text, check_yaml(yaml_text))


def check_yaml(yaml_text: str) -> list[Issue]:
    """The issues ``yanzhi plan validate`` reports on a plan file's text (none: valid)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "plan.yaml"
        p.write_text(yaml_text, "utf-8")
        try:
            read_plan(p)
        except InputRejected as exc:
            return [_strip_file(i) for i in exc.issues]
    return []


def _strip_file(i: Issue) -> Issue:
    from dataclasses import replace

    return replace(i, file=None)
