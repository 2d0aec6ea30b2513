"""Structured, bilingual problems found in input (plan files, data files, metadata).

Every reader and checker in yanzhi returns :class:`Issue` objects instead of printing:
the CLI, the web app and the reports decide how to show them. An issue names where the
problem is (file, sheet, row, column or document path), the rule that failed, and the
reason in Chinese and in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
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


MAX_ISSUES_PER_RULE = 200


@dataclass
class RowIssueSink:
    """Collects issues about rows of one file; each rule is listed for at most
    MAX_ISSUES_PER_RULE rows, then summarised (a million bad rows make one line, not a
    million). ``rows`` holds the file row number of each data row, by position."""

    file: str
    sheet: str | None
    rows: Sequence[int]
    issues: list[Issue] = field(default_factory=list)

    def add_rows(
        self,
        mask: Any,
        rule: str,
        zh: str,
        en: str,
        *,
        column: str | None,
        values: Sequence[Any] | None = None,
        values_en: Sequence[Any] | None = None,
        warning: bool = False,
    ) -> int:
        """One issue per flagged row; ``zh``/``en`` may use ``{v}`` for the row's value
        (``values_en``, when given, is the value the English message names)."""
        import numpy as np  # only where rows are checked: the CLI starts without NumPy

        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        severity = Severity.WARNING if warning else Severity.ERROR
        for p in positions[:MAX_ISSUES_PER_RULE]:
            value = None if values is None else _scalar(values[p])
            value_en = value if values_en is None else _scalar(values_en[p])
            self.issues.append(
                Issue(
                    rule,
                    zh.format(v=value),
                    en.format(v=value_en),
                    file=self.file,
                    sheet=self.sheet,
                    row=int(self.rows[p]),
                    column=column,
                    value=value,
                    severity=severity,
                )
            )
        extra = len(positions) - MAX_ISSUES_PER_RULE
        if extra > 0:
            self.issues.append(
                Issue(
                    rule,
                    f"同类问题另有 {extra} 行未列出",
                    f"… and {extra} more rows",
                    file=self.file,
                    sheet=self.sheet,
                    column=column,
                    severity=severity,
                )
            )
        return len(positions)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)


def _scalar(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    return v
