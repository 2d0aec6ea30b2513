"""Reporting periods: years, quarters, months and year-to-date cumulative periods.

Canonical strings (what :func:`parse_period` accepts and ``str(period)`` gives back):

===========  ==============  ==========================================
kind         example         meaning
===========  ==============  ==========================================
year         ``2024``        the calendar year
quarter      ``2024Q3``      July–September 2024
month        ``2024-05``     May 2024
ytd          ``2024-01..05`` January–May 2024 cumulative ("1–5月累计")
===========  ==============  ==========================================

The common Chinese spellings are accepted too: ``2024年``, ``2024年第3季度``,
``2024年5月``, ``2024年1-5月``. A year-to-date period always starts in January; a
YTD period ending in December covers the same months as the year but stays a
distinct period (a value reported as "1–12月累计" is not silently the annual value).

Chinese enterprise R&D statistics are reported on irregular calendars (Ningbo's
enterprise R&D report covers only 1–5, 1–8 and 1–11 months): a
:class:`ReportingCalendar` names the months a report closes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import total_ordering

from yanzhi.core.errors import InvalidInput


class PeriodError(InvalidInput):
    """A period string or value is not valid; the message says what was expected."""


class PeriodNotAvailable(PeriodError):
    """A period or year a page was asked for that it cannot show — not a period, in the
    future or without (approved) data; the message names the valid range."""

    code = "period_not_available"


class PeriodKind(StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    YTD = "ytd"


_EXPECTED_EN = (
    "expected a year '2024', a quarter '2024Q3', a month '2024-05' or a year-to-date "
    "period '2024-01..05'"
)
_EXPECTED_ZH = "应为年份“2024”、季度“2024Q3”、月份“2024-05”或年初至今累计“2024-01..05”"
_KIND_ORDER = {PeriodKind.MONTH: 0, PeriodKind.YTD: 1, PeriodKind.QUARTER: 2, PeriodKind.YEAR: 3}
MIN_YEAR, MAX_YEAR = 1900, 2200


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A span of whole months within one calendar year."""

    kind: PeriodKind
    year: int
    first_month: int
    last_month: int

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"year {self.year} is out of range {MIN_YEAR}–{MAX_YEAR}")
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise PeriodError(f"months {self.first_month}..{self.last_month} are not valid")
        expected_span = {
            PeriodKind.YEAR: (1, 12),
            PeriodKind.MONTH: (self.first_month, self.first_month),
            PeriodKind.YTD: (1, self.last_month),
        }
        if self.kind is PeriodKind.QUARTER:
            ok = self.first_month % 3 == 1 and self.last_month == self.first_month + 2
        else:
            ok = (self.first_month, self.last_month) == expected_span[self.kind]
        if not ok:
            raise PeriodError(
                f"a {self.kind} period cannot span months {self.first_month}..{self.last_month}"
            )

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, year, 1, 12)

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter {quarter} is not 1–4 / 季度应为1–4")
        return cls(PeriodKind.QUARTER, year, 3 * quarter - 2, 3 * quarter)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        _check_month(month)
        return cls(PeriodKind.MONTH, year, month, month)

    @classmethod
    def of_ytd(cls, year: int, last_month: int) -> Period:
        _check_month(last_month)
        return cls(PeriodKind.YTD, year, 1, last_month)

    # -- text ---------------------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.quarter}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.year}-01..{self.last_month:02d}"

    def label_zh(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}年"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}年第{self.quarter}季度"
        if self.kind is PeriodKind.MONTH or self.last_month == 1:  # 1–1月 is January
            return f"{self.year}年{self.last_month}月"
        return f"{self.year}年1-{self.last_month}月"

    # -- order: by the month a period ends, then shorter spans first --------------------
    def sort_key(self) -> tuple[int, int, int, int]:
        return (self.year, self.last_month, _KIND_ORDER[self.kind], -self.first_month)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    # -- relations ---------------------------------------------------------------------
    @property
    def quarter(self) -> int:
        return (self.first_month - 1) // 3 + 1

    @property
    def n_months(self) -> int:
        return self.last_month - self.first_month + 1

    def months(self) -> list[Period]:
        return [Period.of_month(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    def contains(self, other: Period) -> bool:
        """True if every month of ``other`` lies in this period."""
        return (
            self.year == other.year
            and self.first_month <= other.first_month
            and other.last_month <= self.last_month
        )

    def year_period(self) -> Period:
        return Period.of_year(self.year)

    def quarter_period(self) -> Period:
        if self.kind not in (PeriodKind.MONTH, PeriodKind.QUARTER):
            raise PeriodError(f"{self} is not within a single quarter")
        return Period.of_quarter(self.year, self.quarter)

    def ytd(self) -> Period:
        """The year-to-date period that this period closes (a month, quarter or YTD)."""
        return Period.of_ytd(self.year, self.last_month)

    def same_period_last_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.first_month, self.last_month)

    def previous(self) -> Period:
        """The period of the same kind just before this one (YTD: the previous year's)."""
        if self.kind is PeriodKind.YEAR or self.kind is PeriodKind.YTD:
            return self.same_period_last_year()
        step = 3 if self.kind is PeriodKind.QUARTER else 1
        first = self.first_month - step
        if first < 1:
            return Period(self.kind, self.year - 1, first + 12, self.last_month - step + 12)
        return Period(self.kind, self.year, first, self.last_month - step)


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month} is not 1–12 / 月份应为1–12")


_PATTERNS: list[tuple[re.Pattern[str], PeriodKind]] = [
    (re.compile(r"^(\d{4})(?:年)?$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})年第?([1-4一二三四])季度?$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-0?1\.\.(\d{1,2})$"), PeriodKind.YTD),
    (re.compile(r"^(\d{4})年1\s*[-–—~至到]\s*(\d{1,2})月(?:累计)?$"), PeriodKind.YTD),
]
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: str | int | Period) -> Period:
    """Parse a period string; raise :class:`PeriodError` saying what was expected. A
    :class:`Period` is returned as it is."""
    if isinstance(text, Period):
        return text
    s = str(text).strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        try:
            return _build(kind, int(m.group(1)), m.group(2) if kind is not PeriodKind.YEAR else "")
        except PeriodError as exc:
            raise PeriodError(
                f"invalid period {s!r}: {exc.en}; {_EXPECTED_EN}",
                f"无效的报告期 {s!r}: {exc.zh}; {_EXPECTED_ZH}",
            ) from None
    raise PeriodError(
        f"invalid period {s!r}: {_EXPECTED_EN}", f"无效的报告期 {s!r}: {_EXPECTED_ZH}"
    )


def parse_ytd(text: str | int | Period, *, months: bool = True, years: bool = False) -> Period:
    """A year-to-date period from its text: ``2024-01..05`` / ``2024年1-5月`` (累计); with
    ``months`` a month ``2024-05`` / ``2024年5月`` means 1–5月 too, with ``years`` a year
    ``2024`` means 1–12月. Anything else is a :class:`PeriodError` (an ``InvalidInput``)
    in Chinese and English. The one place a YTD reporting period is read from text."""
    p = text if isinstance(text, Period) else parse_period(text)
    if p.kind is PeriodKind.YTD:
        return p
    if (months and p.kind is PeriodKind.MONTH) or (years and p.kind is PeriodKind.YEAR):
        return Period.of_ytd(p.year, p.last_month)
    en = ["a year-to-date period (2024-01..05)"]
    zh = ["年初至今累计期(如 2024-01..05 或 2024年1-5月)"]
    if months:
        en.append("a month (2024-05, meaning January–May)")
        zh.append("月份(如 2024-05, 即1-5月累计)")
    if years:
        en.append("a year (2024)")
        zh.append("年份(如 2024)")
    raise PeriodError(f"{text}: give {' or '.join(en)}", f"{text}: 请给出{'或'.join(zh)}")


def _build(kind: PeriodKind, year: int, raw: str) -> Period:
    if kind is PeriodKind.YEAR:
        return Period.of_year(year)
    n = _CN_DIGITS.get(raw) or int(raw)
    if kind is PeriodKind.QUARTER:
        return Period.of_quarter(year, n)
    if kind is PeriodKind.MONTH:
        return Period.of_month(year, n)
    return Period.of_ytd(year, n)


def month_range(start: Period, end: Period) -> Iterator[Period]:
    """Every month from the month ``start`` begins in to the month ``end`` ends in."""
    y, m = start.year, start.first_month
    while (y, m) <= (end.year, end.last_month):
        yield Period.of_month(y, m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@dataclass(frozen=True)
class ReportingCalendar:
    """The months a year-to-date report closes on, e.g. ``(5, 8, 11)`` for 1–5, 1–8, 1–11.

    ``closing_months`` may differ by year through ``overrides`` (year → months), since
    statistics offices change calendars.
    """

    name: str
    closing_months: tuple[int, ...] = tuple(range(1, 13))
    overrides: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for months in (self.closing_months, *self.overrides.values()):
            if not months or list(months) != sorted(set(months)):
                raise PeriodError(f"calendar {self.name!r}: months must be increasing and unique")
            for m in months:
                _check_month(m)

    def months_for(self, year: int) -> tuple[int, ...]:
        return self.overrides.get(year, self.closing_months)

    def periods(self, year: int) -> list[Period]:
        """The YTD periods reported in ``year``."""
        return [Period.of_ytd(year, m) for m in self.months_for(year)]

    def periods_between(self, start_year: int, end_year: int) -> list[Period]:
        return [p for y in range(start_year, end_year + 1) for p in self.periods(y)]

    def is_reporting_period(self, period: Period) -> bool:
        return period.kind is PeriodKind.YTD and period.last_month in self.months_for(period.year)

    def latest_on_or_before(self, period: Period) -> Period | None:
        """The last reported YTD period that closes on or before ``period``'s last month."""
        candidates = [p for p in self.periods(period.year) if p.last_month <= period.last_month]
        return candidates[-1] if candidates else None


MONTHLY = ReportingCalendar("monthly")
NINGBO_ENTERPRISE_RD = ReportingCalendar("ningbo-enterprise-rd", (5, 8, 11))


def sort_periods(periods: Iterable[Period]) -> list[Period]:
    return sorted(periods)


def parse_periods(texts: Sequence[str]) -> list[Period]:
    return [parse_period(t) for t in texts]


PERIOD_TEXT = re.compile(r"\d{4}(-\d{2}(\.\.\d{2})?|Q[1-4])")
"""The canonical text of a month, a quarter or a year-to-date period (not a bare year)."""


def label_zh(text: str) -> str:
    """A period's Chinese label from its text (``2026-01..10`` → 2026年1-10月); text that is
    not a period is returned as it is."""
    try:
        return parse_period(text).label_zh()
    except ValueError:  # PeriodError is one
        return text
