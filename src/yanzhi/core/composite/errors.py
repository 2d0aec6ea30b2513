"""Input errors of the composite-index engine (bilingual, row-addressed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in the inputs.

    ``row`` is the 1-based data row of ``table`` ("iMeta", "iData" or "spec"); ``None`` when the
    problem is not tied to a row (e.g. a missing column).
    """

    table: str
    row: int | None
    column: str
    rule: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row}" if self.row is not None else self.table
        return f"[{self.rule}] {where}, {self.column}: {self.message_en} / {self.message_zh}"


class CompositeInputError(ValueError):
    """Raised when iData / iMeta / spec are refused; carries every issue found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(str(i) for i in self.issues[:20])
        more = f"\n... and {len(self.issues) - 20} more" if len(self.issues) > 20 else ""
        super().__init__(f"{len(self.issues)} input issue(s):\n{lines}{more}")

    @property
    def rules(self) -> set[str]:
        """The set of rule names violated."""
        return {i.rule for i in self.issues}


def issue(table: str, row: int | None, column: str, rule: str, zh: str, en: str) -> Issue:
    """Shorthand constructor."""
    return Issue(table=table, row=row, column=column, rule=rule, message_zh=zh, message_en=en)


def spec_error(path: str, rule: str, zh: str, en: str) -> CompositeInputError:
    """An error in the build specification."""
    return CompositeInputError([issue("spec", None, path, rule, zh, en)])
