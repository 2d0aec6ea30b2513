"""The reporting calendar: when a period's reports are due from enterprises, townships and
districts. Pure data and date arithmetic; read from the YAML file (data/calendars/) or from
the copy an admin edits in the database (services/collection/calendar.py).

A rule is written as the bureau writes it: ``次月10日`` (the 10th of the month after the
period's last month), ``当月25日``, ``隔月5日`` (two months after). A period may override
any level with a date (holidays: 春节 moves the January deadlines)."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from yanzhi.core.errors import InvalidInput

LEVELS = ("enterprise", "township", "district")
LEVEL_ZH = {"enterprise": "企业", "township": "乡镇（街道）", "district": "区（县、市）"}
KINDS = ("ytd", "month")
_OFFSETS = {"当月": 0, "次月": 1, "隔月": 2}
_RULE = re.compile(r"^(当月|次月|隔月)(\d{1,2})日$")


class CalendarError(InvalidInput):
    """A calendar that cannot be read or a change that does not fit it."""

    def __init__(self, zh: str) -> None:
        super().__init__("invalid reporting calendar", zh)


@dataclass(frozen=True)
class Rule:
    """A due day: ``day`` of the month ``months_after`` the period's last month."""

    months_after: int
    day: int

    @classmethod
    def parse(cls, text: str) -> Rule:
        """``次月10日`` → Rule(1, 10); anything else is a :class:`CalendarError`."""
        m = _RULE.match(str(text).strip())
        if not m or not 1 <= int(m.group(2)) <= 31:
            raise CalendarError(f"报送期限“{text}”无法识别（应写作“次月10日”等）")
        return cls(_OFFSETS[m.group(1)], int(m.group(2)))

    def text(self) -> str:
        """The rule as the bureau writes it (``次月10日``)."""
        word = {v: k for k, v in _OFFSETS.items()}[self.months_after]
        return f"{word}{self.day}日"

    def apply(self, year: int, last_month: int) -> dt.date:
        """The due date for a period ending in ``year``-``last_month`` (a day past the end
        of a short month is its last day)."""
        y, m = divmod(year * 12 + last_month - 1 + self.months_after, 12)
        return dt.date(y, m + 1, min(self.day, _cal.monthrange(y, m + 1)[1]))


@dataclass(frozen=True)
class ReportCalendar:
    """Per period kind (``ytd`` 1–N月累计, ``month``) the rule of each level, and per
    period end month (``2027-01``) the dates that override them, with a note (春节)."""

    name: str
    rules: dict[str, dict[str, Rule]]
    overrides: dict[str, dict[str, dt.date]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    remark: str = ""

    def due(self, kind: str, year: int, last_month: int, level: str) -> dt.date:
        """The date ``level``'s reports for the period ending ``year``-``last_month`` are
        due: the override if the period has one, else the kind's rule."""
        if level not in LEVELS:
            raise CalendarError(f"未知层级 {level}")
        key = f"{year}-{last_month:02d}"
        if level in self.overrides.get(key, {}):
            return self.overrides[key][level]
        rules = self.rules.get(kind) or self.rules["ytd"]
        return rules[level].apply(year, last_month)

    def to_dict(self) -> dict[str, Any]:
        """The file's form (YAML / the JSON stored in the database)."""
        overrides: dict[str, Any] = {}
        for key, dates in sorted(self.overrides.items()):
            entry: dict[str, Any] = {lv: dates[lv].isoformat() for lv in LEVELS if lv in dates}
            if key in self.notes:
                entry["note"] = self.notes[key]
            overrides[key] = entry
        return {
            "name": self.name,
            "remark": self.remark,
            "kinds": {k: {lv: r.text() for lv, r in v.items()} for k, v in self.rules.items()},
            "overrides": overrides,
        }


def parse_date(value: Any, where: str) -> dt.date:
    """A date from ``2027-02-18`` (or a date); ``where`` names it in the error."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CalendarError(f"{where}: 日期“{value}”无法识别（应写作 2027-02-18）") from None


def from_dict(data: dict[str, Any]) -> ReportCalendar:
    """A calendar from its file form; every kind needs a rule for every level."""
    kinds = data.get("kinds") or {}
    if "ytd" not in kinds:
        raise CalendarError("报送日历缺少累计期（ytd）的报送期限")
    rules: dict[str, dict[str, Rule]] = {}
    for kind, levels in kinds.items():
        if kind not in KINDS:
            raise CalendarError(f"未知期别 {kind}（应为 ytd 或 month）")
        missing = [LEVEL_ZH[lv] for lv in LEVELS if lv not in (levels or {})]
        if missing:
            raise CalendarError(f"期别 {kind} 缺少{'、'.join(missing)}的报送期限")
        rules[kind] = {lv: Rule.parse(levels[lv]) for lv in LEVELS}
    overrides: dict[str, dict[str, dt.date]] = {}
    notes: dict[str, str] = {}
    for key, entry in (data.get("overrides") or {}).items():
        key = str(key)
        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", key):
            raise CalendarError(f"调整期“{key}”应写作 2027-01（期末月份）")
        overrides[key] = {lv: parse_date(entry[lv], key) for lv in LEVELS if lv in entry}
        if entry.get("note"):
            notes[key] = str(entry["note"])
    return ReportCalendar(
        name=str(data.get("name") or "报送日历"),
        rules=rules,
        overrides=overrides,
        notes=notes,
        remark=str(data.get("remark") or ""),
    )
