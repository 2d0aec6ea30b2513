"""Structured, bilingual problems found in input (plan files, data files, metadata).

Every reader and checker in yanzhi returns :class:`Issue` objects instead of printing:
the CLI, the web app and the reports decide how to show them. An issue names where the
problem is (file, sheet, row, column or document path), the rule that failed, and the
reason in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one place of an input."""

    rule: str
    message_zh: str
    message_en: str
    file: str | None = None
    path: str | None = None  # location inside a document, e.g. programmes[2].tasks[1].code
    sheet: str | None = None
    row: int | None = None  # 1-based row number as a person sees it in the file
    column: str | None = None
    value: Any = None
    severity: Severity = Severity.ERROR

    @property
    def where(self) -> str:
        parts = [p for p in (self.file, self.sheet) if p]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.path:
            parts.append(self.path)
        return ": ".join(parts) if parts else "(input)"

    def __str__(self) -> str:
        return f"{self.where}: {self.message_zh} / {self.message_en} [{self.rule}]"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["value"] = None if self.value is None else _json_safe(self.value)
        return d


def _json_safe(value: Any) -> Any:
    if isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.WARNING]


class InputRejected(ValueError):
    """Raised when an input has errors; carries every issue found, not only the first."""

    def __init__(self, issues: list[Issue], *, what: str = "input") -> None:
        self.issues = issues
        n = len(errors(issues))
        head = "\n".join(str(i) for i in issues[:20])
        more = f"\n… and {len(issues) - 20} more" if len(issues) > 20 else ""
        super().__init__(f"{what} rejected: {n} error(s) / 有 {n} 处错误\n{head}{more}")
